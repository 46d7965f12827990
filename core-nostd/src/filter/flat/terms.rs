//! A rule's filter as a sum of products of literals (disjunctive normal form):
//! `!` pushed down to the tests, `&&` multiplied out.

use super::super::program::Node;
use crate::filter::seen::bit;
use crate::proto::Protocol;

/// At most this many products in one rule while it is expanded.
const MAX_RULE_TERMS: usize = 8;

/// A product of literals: these protocols present and those absent, these
/// tests true and those false.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Term {
    pub protocols: u64,
    pub no_protocols: u64,
    pub tests: u64,
    pub no_tests: u64,
}

impl Term {
    #[inline(always)]
    pub fn holds(&self, present: u64, truths: u64) -> bool {
        (present & self.protocols == self.protocols)
            & (present & self.no_protocols == 0)
            & (truths & self.tests == self.tests)
            & (truths & self.no_tests == 0)
    }

    /// Both products at once, or `None` when they contradict each other.
    fn and(self, other: Term) -> Option<Term> {
        let t = Term {
            protocols: self.protocols | other.protocols,
            no_protocols: self.no_protocols | other.no_protocols,
            tests: self.tests | other.tests,
            no_tests: self.no_tests | other.no_tests,
        };
        (t.protocols & t.no_protocols == 0 && t.tests & t.no_tests == 0).then_some(t)
    }

    /// One positive literal: it merges with the rule's other such products.
    pub fn is_single(&self) -> bool {
        self.no_protocols == 0
            && self.no_tests == 0
            && self.protocols.count_ones() + self.tests.count_ones() == 1
    }
}

/// The products of one rule, while it is expanded.
pub(super) struct Terms {
    terms: [Term; MAX_RULE_TERMS],
    len: usize,
}

impl Terms {
    pub const fn new() -> Terms {
        Terms {
            terms: [Term {
                protocols: 0,
                no_protocols: 0,
                tests: 0,
                no_tests: 0,
            }; MAX_RULE_TERMS],
            len: 0,
        }
    }

    fn push(&mut self, term: Term) -> Option<()> {
        if self.as_slice().contains(&term) {
            return Some(());
        }
        *self.terms.get_mut(self.len)? = term;
        self.len += 1;
        Some(())
    }

    pub fn as_slice(&self) -> &[Term] {
        self.terms.get(..self.len).unwrap_or(&[])
    }
}

/// What a test node of a rule reads as: a protocol's presence or test bits.
#[derive(Debug, Clone, Copy)]
pub(super) enum Literal {
    Protocol(Protocol),
    /// True when any of these tests is (`in { 3..5, 11 }` is two).
    Tests(u64),
}

impl Literal {
    /// The literal (negated or not) as a sum of products.
    fn expand(self, negated: bool, out: &mut Terms) -> Option<()> {
        match (self, negated) {
            (Literal::Protocol(p), false) => out.push(Term {
                protocols: bit(p),
                ..Term::default()
            }),
            (Literal::Protocol(p), true) => out.push(Term {
                no_protocols: bit(p),
                ..Term::default()
            }),
            (Literal::Tests(tests), true) => out.push(Term {
                no_tests: tests,
                ..Term::default()
            }),
            (Literal::Tests(mut tests), false) => {
                while tests != 0 {
                    out.push(Term {
                        tests: tests & tests.wrapping_neg(),
                        ..Term::default()
                    })?;
                    tests &= tests - 1;
                }
                Some(())
            }
        }
    }
}

/// Writes node `at` of `nodes` (negated or not) as a sum of products into
/// `out`. Recursion is bounded by the nodes; `None` when a limit is passed.
pub(super) fn expand(
    nodes: &[Node],
    literals: &[Literal],
    at: u8,
    negated: bool,
    out: &mut Terms,
) -> Option<()> {
    let node = *nodes.get(usize::from(at))?;
    match node {
        Node::Test { .. } => literals.get(usize::from(at))?.expand(negated, out),
        Node::Never if negated => out.push(Term::default()),
        Node::Never => Some(()),
        Node::Not(a) => expand(nodes, literals, a, !negated, out),
        Node::And(a, b) | Node::Or(a, b) => {
            // `&&`, or a negated `||`, multiplies; the others add.
            if matches!(node, Node::And(..)) != negated {
                let mut left = Terms::new();
                expand(nodes, literals, a, negated, &mut left)?;
                let mut right = Terms::new();
                expand(nodes, literals, b, negated, &mut right)?;
                for x in left.as_slice() {
                    for y in right.as_slice() {
                        if let Some(t) = x.and(*y) {
                            out.push(t)?;
                        }
                    }
                }
                Some(())
            } else {
                expand(nodes, literals, a, negated, out)?;
                expand(nodes, literals, b, negated, out)
            }
        }
    }
}
