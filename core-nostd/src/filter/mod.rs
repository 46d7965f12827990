//! Wireshark display filters, compiled once into a fixed-capacity program and
//! evaluated per frame without allocation.
//!
//! Supported: fields by abbreviation and protocols as tests; `== != < > <= >=`
//! and `eq ne lt gt le ge`; `contains`; `in { a, b..c }`; `&` (bit test);
//! slices `[i]`, `[i:len]`, `[i-j]`, `[i:]`; CIDR (`ip.addr == 10.0.0.0/8`);
//! MAC, IPv4, IPv6, number and string literals; `&& || ! and or not` and
//! parentheses. A field that occurs several times matches when any occurrence
//! does (`!=` when every occurrence does, as in Wireshark 4).
//!
//! Limits: [`MAX_NODES`] terms, [`MAX_SET_ITEMS`] set items, [`MAX_DEPTH`]
//! nesting, literals of [`MAX_LITERAL_LEN`] bytes; a filter over a limit is an
//! error naming the limit, never a truncation. Not supported: `matches`
//! (regular expressions), arithmetic, functions, and the protocols encap does
//! not dissect (named plainly in the error).

mod check;
mod error;
mod eval;
mod fast;
mod first;
mod flat;
mod foreign;
mod jump;
mod lexer;
mod literal;
mod parser;
mod program;
mod seen;
// The board keeps the general path: the shortcut's code is 0.9 KiB of its flash.
#[cfg(not(target_os = "none"))]
mod single;

pub use error::{FilterError, FilterErrorKind};
#[doc(hidden)]
pub use fast::{FastField, FastFrame, fast_values};
pub use first::FirstMatch;
pub use literal::{LiteralError, MAX_LITERAL_LEN};
pub use program::{MAX_DEPTH, MAX_NODES, MAX_SET_ITEMS};

use program::{Node, Op, SetItem, Subject};

/// A compiled display filter (under 5 KiB, no heap).
#[derive(Debug, Clone)]
// What a frame's evaluation reads comes first, so a rule touches few cache lines.
#[repr(C)]
pub struct Filter {
    /// The filter as a decision graph, for frames the fast path reads.
    jumps: Option<jump::Jumps>,
    /// The filter's one number test, when it is nothing more.
    #[cfg(not(target_os = "none"))]
    single: Option<single::Single>,
    /// Per test node, the test compiled for the fast path.
    checks: [check::Check; MAX_NODES],
    /// The nodes as truth operations, for the final pass.
    ops: [Op; MAX_NODES],
    /// Every protocol the filter reads, by its fields or by name.
    protocols: u64,
    /// The filter's answer for a frame with none of `protocols` (every test
    /// absent): most colouring rules on most frames, told without evaluating.
    when_absent: bool,
    /// Every field test has a fast path: evaluation need not visit.
    all_fast: bool,
    root: u8,
    len: usize,
    /// Protocols whose fields are tested (bit = `Protocol as u8`), so the
    /// evaluation visits only those layers.
    field_protocols: u64,
    /// A one-word Bloom filter of the tested fields: most fields of a visited
    /// layer are rejected with one AND.
    field_bloom: u64,
    /// The nodes that test a protocol by name (bit = node index).
    protocol_tests: u64,
    nodes: [Node; MAX_NODES],
    set: [SetItem; MAX_SET_ITEMS],
    set_len: usize,
}

/// The Bloom bit of a field (its descriptor's address, hashed).
#[inline(always)]
fn bloom_bit(def: &crate::field::FieldDef) -> u64 {
    let addr = core::ptr::from_ref(def) as usize as u64;
    1u64 << (addr.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58)
}

impl Filter {
    fn empty() -> Self {
        Filter {
            nodes: [Node::Never; MAX_NODES],
            len: 0,
            set: [SetItem {
                low: literal::Literal::Uint(0),
                high: None,
            }; MAX_SET_ITEMS],
            set_len: 0,
            root: 0,
            field_protocols: 0,
            field_bloom: 0,
            all_fast: false,
            protocols: 0,
            when_absent: false,
            protocol_tests: 0,
            ops: [Op::Never; MAX_NODES],
            jumps: None,
            #[cfg(not(target_os = "none"))]
            single: None,
            checks: [check::Check::General; MAX_NODES],
        }
    }

    /// Compiles a filter typed by a user: unknown names and protocols encap
    /// does not dissect are errors that say so.
    pub fn compile(text: &str) -> Result<Filter, FilterError<'_>> {
        Self::build(text, false)
    }

    /// Compiles a filter where names of protocols encap does not dissect are
    /// tests that never match (for Wireshark's colouring rules).
    pub fn compile_lenient(text: &str) -> Result<Filter, FilterError<'_>> {
        Self::build(text, true)
    }

    fn build(text: &str, lenient: bool) -> Result<Filter, FilterError<'_>> {
        let mut f = Filter::empty();
        f.root = parser::Parser::new(text, lenient, &mut f).parse()?;
        // What evaluation needs to know of the nodes, in one pass.
        f.all_fast = true;
        for i in 0..f.len {
            let Some(&node) = f.nodes.get(i) else { break };
            let node = f.folded(node);
            if let Some(slot) = f.nodes.get_mut(i) {
                *slot = node;
            }
            if let Some(op) = f.ops.get_mut(i) {
                *op = Op::of(&node);
            }
            let Node::Test {
                subject,
                slice,
                test,
            } = node
            else {
                continue;
            };
            let bit = 1u64 << i;
            match subject {
                Subject::Field(def) => {
                    // A field whose protocol cannot be told from its name makes every layer wanted.
                    f.field_protocols |= crate::field::registry::protocol_of(def)
                        .map_or(u64::MAX, |p| 1u64 << (p as u8));
                    f.field_bloom |= bloom_bit(def);
                    match (
                        fast::fast_of(def).filter(|_| slice.is_none()),
                        f.checks.get_mut(i),
                    ) {
                        (Some(fast), Some(slot)) => *slot = check::Check::of(fast, &test),
                        _ => f.all_fast = false,
                    }
                }
                Subject::Protocol(p) => {
                    f.protocol_tests |= bit;
                    f.protocols |= 1u64 << (p as u8);
                    if let Some(slot) = f.checks.get_mut(i) {
                        *slot = check::Check::of_protocol(p, slice, &test);
                    }
                }
            }
        }
        f.protocols |= f.field_protocols;
        f.when_absent = f.eval(f.root, &eval::State::new());
        f.jumps = jump::Jumps::of(f.nodes(), f.root);
        #[cfg(not(target_os = "none"))]
        {
            f.single = single::Single::of(&f);
        }
        Ok(f)
    }

    /// A test encap can answer without a frame becomes `Never`: a field
    /// encap never computes (checksum status) compared with another value.
    fn folded(&self, node: Node) -> Node {
        if let Node::Test {
            subject: Subject::Field(def),
            slice: None,
            test,
        } = node
        {
            let constant = fast::fast_of(def).and_then(fast::Fast::constant);
            let fails = matches!(Op::of(&node), Op::Any | Op::All)
                && constant.is_some_and(|c| !self.holds_for(&test, c));
            if fails {
                return Node::Never;
            }
        }
        node
    }

    fn nodes(&self) -> &[Node] {
        self.nodes.get(..self.len).unwrap_or(&[])
    }

    fn set_items(&self, first: u8, count: u8) -> &[SetItem] {
        let start = usize::from(first);
        self.set
            .get(start..start + usize::from(count))
            .unwrap_or(&[])
    }

    /// A filter that matches nothing.
    pub fn never() -> Filter {
        let mut f = Filter::empty();
        f.len = 1;
        f
    }

    /// How many terms the filter uses (of [`MAX_NODES`]).
    pub fn terms(&self) -> usize {
        self.len
    }

    /// Whether the filter tests something a frame alone does not tell: a
    /// computed field (`tcp.stream`, `tcp.analysis.*`, `icmp.resp_to`…), the
    /// relative TCP numbers, the colouring rule, or the captured length
    /// (the snap length cuts after the edge). Such a filter gives other answers where other
    /// frames were seen (an agent that sees a subset, a smaller table), so it
    /// must run where the whole capture is seen.
    pub fn reads_history(&self) -> bool {
        self.nodes().iter().any(|n| match n {
            Node::Test {
                subject: Subject::Field(def),
                ..
            } => {
                // frame.len, frame.protocols and frame.number (the agent's
                // sequence) read the same everywhere; frame.cap_len depends
                // on where the snap length cut.
                def.generated
                    || (def.abbrev.starts_with("frame.")
                        && !matches!(def.abbrev, "frame.len" | "frame.protocols" | "frame.number"))
                    || matches!(def.abbrev, "tcp.seq" | "tcp.ack")
            }
            _ => false,
        })
    }
}

const _: () = assert!(crate::proto::Protocol::ALL.len() <= 64 && MAX_NODES <= 64);

#[cfg(test)]
pub(crate) mod test;
