//! A filter as a decision graph, as BPF compiles one: each test names where to
//! go when it holds and when it does not. A frame then reads only the tests that
//! decide it, each at most once (`tcp.analysis.flags && …` stops at the first).

use super::program::{MAX_NODES, Node};

/// Where a jump lands: a test node's index, or one of these two answers.
pub(super) type Target = u8;
pub(super) const ACCEPT: Target = u8::MAX;
pub(super) const REJECT: Target = u8::MAX - 1;

const _: () = assert!(MAX_NODES < REJECT as usize);

/// The graph of a compiled filter: an entry and, per test node, its two exits.
#[derive(Debug, Clone, Copy)]
pub(super) struct Jumps {
    pub entry: Target,
    pub on_true: [Target; MAX_NODES],
    pub on_false: [Target; MAX_NODES],
}

impl Jumps {
    /// Builds the graph of the tree `nodes` rooted at `root`, or `None` if it
    /// would not only jump forward (the parser never builds such a tree; the
    /// evaluator then keeps to its one forward pass).
    pub fn of(nodes: &[Node], root: u8) -> Option<Jumps> {
        let mut j = Jumps {
            entry: REJECT,
            on_true: [REJECT; MAX_NODES],
            on_false: [REJECT; MAX_NODES],
        };
        // Exits are handed from parents to children; a parent always comes
        // after its children, so one backward pass sees every parent first.
        // An exit may name any node: it is resolved to a test below.
        let root_at = usize::from(root);
        *j.on_true.get_mut(root_at)? = ACCEPT;
        *j.on_false.get_mut(root_at)? = REJECT;
        for i in (0..nodes.len()).rev() {
            let (t, f) = (*j.on_true.get(i)?, *j.on_false.get(i)?);
            let (child, ct, cf) = match *nodes.get(i)? {
                Node::And(a, b) => {
                    j.set(b, t, f)?;
                    (a, b, f)
                }
                Node::Or(a, b) => {
                    j.set(b, t, f)?;
                    (a, t, b)
                }
                Node::Not(a) => (a, f, t),
                Node::Never | Node::Test { .. } => continue,
            };
            j.set(child, ct, cf)?;
        }
        // Resolve every exit to the test that starts it.
        for i in 0..nodes.len() {
            let t = resolve(nodes, &j, *j.on_true.get(i)?)?;
            let f = resolve(nodes, &j, *j.on_false.get(i)?)?;
            if matches!(nodes.get(i), Some(Node::Test { .. })) && (t <= i as u8 || f <= i as u8) {
                return None;
            }
            *j.on_true.get_mut(i)? = t;
            *j.on_false.get_mut(i)? = f;
        }
        j.entry = resolve(nodes, &j, root)?;
        Some(j)
    }

    fn set(&mut self, node: u8, t: Target, f: Target) -> Option<()> {
        *self.on_true.get_mut(usize::from(node))? = t;
        *self.on_false.get_mut(usize::from(node))? = f;
        Some(())
    }
}

/// The first test evaluated on reaching `at` (or the answer, if none is).
fn resolve(nodes: &[Node], j: &Jumps, mut at: Target) -> Option<Target> {
    // Each step goes to a left child or past a `Never`: bounded by the nodes.
    for _ in 0..=nodes.len() {
        if at == ACCEPT || at == REJECT {
            return Some(at);
        }
        at = match *nodes.get(usize::from(at))? {
            Node::And(a, _) | Node::Or(a, _) | Node::Not(a) => a,
            Node::Never => *j.on_false.get(usize::from(at))?,
            Node::Test { .. } => return Some(at),
        };
    }
    None
}
