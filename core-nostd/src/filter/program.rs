//! A compiled filter: a fixed-capacity list of nodes (no allocation).

use super::lexer::CmpOp;
use super::literal::{InlineBytes, Literal};
use crate::field::FieldDef;
use crate::proto::Protocol;

/// At most this many terms (tests and `&&`/`||`/`!`) in one filter.
pub const MAX_NODES: usize = 32;
/// At most this many items in all the `in { … }` sets of one filter.
pub const MAX_SET_ITEMS: usize = 16;
/// At most this many parentheses and `!` nested.
pub const MAX_DEPTH: usize = 24;

/// What a test reads: a field's values or a protocol's bytes.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Field(&'static FieldDef),
    Protocol(Protocol),
}

/// `[i]`, `[i:n]`, `[i-j]` or `[i:]`: bytes `start..end` (end `None` = to the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    pub start: u16,
    pub end: Option<u16>,
}

impl Slice {
    pub fn of<'a>(&self, bytes: &'a [u8]) -> Option<&'a [u8]> {
        let start = usize::from(self.start);
        match self.end {
            Some(end) => bytes.get(start..usize::from(end)),
            None => bytes.get(start..),
        }
    }
}

/// One item of an `in` set: a value or an inclusive range.
#[derive(Debug, Clone, Copy)]
pub struct SetItem {
    pub low: Literal,
    pub high: Option<Literal>,
}

#[derive(Debug, Clone, Copy)]
pub enum Test {
    Exists,
    Cmp(CmpOp, Literal),
    In { first: u8, count: u8 },
    BitAnd(u64),
    Contains(InlineBytes),
}

#[derive(Debug, Clone, Copy)]
pub enum Node {
    And(u8, u8),
    Or(u8, u8),
    Not(u8),
    /// A test of something encap does not dissect (lenient compiles only).
    Never,
    Test {
        subject: Subject,
        slice: Option<Slice>,
        test: Test,
    },
}

/// A node reduced to how its truth is computed from the evaluation state: a
/// compact array evaluated in one forward pass (children come before parents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    And(u8, u8),
    Or(u8, u8),
    Not(u8),
    Never,
    /// True when the field or protocol occurred.
    Present,
    /// `!=`: occurred, and every occurrence passed.
    All,
    /// Any occurrence passed.
    Any,
}

impl Op {
    pub fn of(node: &Node) -> Op {
        match *node {
            Node::And(a, b) => Op::And(a, b),
            Node::Or(a, b) => Op::Or(a, b),
            Node::Not(a) => Op::Not(a),
            Node::Never => Op::Never,
            Node::Test {
                test: Test::Exists, ..
            } => Op::Present,
            Node::Test {
                test: Test::Cmp(super::lexer::CmpOp::Ne, _),
                ..
            } => Op::All,
            Node::Test { .. } => Op::Any,
        }
    }
}
