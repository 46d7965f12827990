//! Evaluating a compiled filter against a dissection: one visit of the fields
//! the filter names, Wireshark's "any occurrence" semantics (`!=` is "all").

use core::cmp::Ordering;

use super::Filter;
use super::check::Check;
use super::jump::{ACCEPT, Jumps, REJECT};
use super::lexer::CmpOp;
use super::literal::{Literal, in_v4, in_v6};
use super::parser::be_uint;
use super::program::{MAX_NODES, Node, Op, Slice, Subject, Test};
use super::seen::{Seen, bit};
use crate::dissect::Dissection;
use crate::field::{Field, Value, Visitor, render_value};
use crate::proto::Protocol;
use crate::text::TextBuf;

/// Per test node: seen at all, true for some occurrence, true for every occurrence.
pub(super) struct State {
    present: u64,
    any: u64,
    all: u64,
}

/// One test's occurrences: seen at all, true for some, true for every one
/// (bits of one byte: written and read whole, so no store waits on another).
#[derive(Clone, Copy)]
pub(super) struct Tally(u8);

impl Tally {
    const PRESENT: u8 = 1;
    const ANY: u8 = 2;
    const NOT_ALL: u8 = 4;
    pub const NONE: Tally = Tally(0);

    #[inline(always)]
    pub fn record(&mut self, result: bool) {
        self.0 |= Self::PRESENT | if result { Self::ANY } else { Self::NOT_ALL };
    }

    /// The test's truth, as its node reads it.
    #[inline(always)]
    pub fn truth(self, op: Op) -> bool {
        match op {
            Op::Present => self.0 & Self::PRESENT != 0,
            Op::All => self.0 & (Self::PRESENT | Self::NOT_ALL) == Self::PRESENT,
            Op::Any => self.0 & Self::ANY != 0,
            Op::And(..) | Op::Or(..) | Op::Not(_) | Op::Never => false,
        }
    }
}

impl State {
    fn set(&mut self, i: usize, tally: Tally) {
        let bit = 1u64 << i;
        if tally.0 & Tally::PRESENT != 0 {
            self.present |= bit;
        }
        if tally.0 & Tally::ANY != 0 {
            self.any |= bit;
        }
        if tally.0 & Tally::NOT_ALL != 0 {
            self.all &= !bit;
        }
    }

    fn record(&mut self, i: usize, result: bool) {
        let bit = 1u64 << i;
        self.present |= bit;
        if result {
            self.any |= bit;
        } else {
            self.all &= !bit;
        }
    }
}

/// A value reduced to what comparisons need.
enum Val<'x> {
    Num(u64),
    V4(u32),
    V6(u128),
    Mac([u8; 6]),
    Bytes(&'x [u8]),
}

impl State {
    /// A state where exactly the test nodes of `truths` hold (for tests).
    #[cfg(test)]
    pub(super) const fn with_truths(truths: u64) -> Self {
        State {
            present: truths,
            any: truths,
            all: truths,
        }
    }

    pub(super) const fn new() -> Self {
        State {
            present: 0,
            any: 0,
            all: u64::MAX,
        }
    }
}

/// The first of `filters` that matches, with one visit of the frame's fields
/// for them all.
#[cfg(feature = "fields")]
pub(super) fn first_match_visiting<const N: usize>(
    filters: &[Filter; N],
    d: &Dissection<'_>,
    present: u64,
) -> Option<usize> {
    let mut states: [State; N] = core::array::from_fn(|_| State::new());
    let wanted = filters.iter().fold(0u64, |acc, f| acc | f.field_protocols);
    if wanted != 0 {
        d.visit(&mut MultiSink {
            filters,
            d,
            states: &mut states,
            wanted,
            bloom: filters.iter().fold(0, |acc, f| acc | f.field_bloom),
        });
    }
    filters
        .iter()
        .zip(states.iter_mut())
        .position(|(f, st)| f.finish(d, st, present))
}

struct MultiSink<'s, 'd, 'a, const N: usize> {
    filters: &'s [Filter; N],
    d: &'d Dissection<'a>,
    states: &'s mut [State; N],
    wanted: u64,
    bloom: u64,
}

impl<'a, const N: usize> Visitor<'a> for MultiSink<'_, '_, 'a, N> {
    fn wants(&self, protocol: Protocol) -> bool {
        self.wanted & (1u64 << (protocol as u8)) != 0
    }

    #[inline(always)]
    fn wants_field(&self, def: &'static crate::field::FieldDef) -> bool {
        self.bloom & super::bloom_bit(def) != 0
    }

    fn field(&mut self, field: &Field<'a>) {
        for (filter, st) in self.filters.iter().zip(self.states.iter_mut()) {
            filter.feed(self.d, field, st);
        }
    }
}

impl Filter {
    /// True when the frame matches.
    pub fn matches(&self, d: &Dissection<'_>) -> bool {
        #[cfg(not(target_os = "none"))]
        if let Some(single) = &self.single
            && d.stopped_by().is_none()
        {
            return single.matches(d);
        }
        self.matches_general(d)
    }

    /// [`Filter::matches`] without the one-test shortcut: what the tests
    /// hold the shortcut to.
    #[doc(hidden)]
    pub fn matches_general(&self, d: &Dissection<'_>) -> bool {
        self.matches_seen(d, &Seen::of(d))
    }

    /// Whether the filter is one number test, answered by the shortcut.
    #[doc(hidden)]
    pub fn is_one_number_test(&self) -> bool {
        #[cfg(not(target_os = "none"))]
        let single = self.single.is_some();
        #[cfg(target_os = "none")]
        let single = false;
        single
    }

    /// [`Filter::matches`] with what the frame holds already found.
    pub(super) fn matches_seen(&self, d: &Dissection<'_>, seen: &Seen) -> bool {
        if self.all_fast && super::fast::unreadable(d) & self.field_protocols == 0 {
            return self.matches_fast(d, seen);
        }
        let mut st = State::new();
        if self.field_protocols != 0 {
            #[cfg(feature = "fields")]
            d.visit(&mut FieldSink {
                filter: self,
                d,
                st: &mut st,
            });
            // Without the visitor, a frame the fast path cannot read exactly
            // (a walk cut short) matches: an edge sends it, the service decides.
            #[cfg(not(feature = "fields"))]
            return true;
        }
        self.finish(d, &mut st, seen.present)
    }

    /// [`Filter::matches`] on a frame the fast path reads.
    #[inline(always)]
    pub(super) fn matches_fast(&self, d: &Dissection<'_>, seen: &Seen) -> bool {
        // The fast path reads only the layers of `present`: with none of
        // the filter's protocols there, every test is absent.
        if self.protocols & seen.present == 0 {
            return self.when_absent;
        }
        self.decide_fast(d, seen)
    }

    /// Evaluates a frame the fast path reads that holds one of the filter's protocols.
    #[inline(always)]
    pub(super) fn decide_fast(&self, d: &Dissection<'_>, seen: &Seen) -> bool {
        match &self.jumps {
            Some(jumps) => self.decide(jumps, d, seen),
            None => self.forward_fast(d, seen),
        }
    }

    /// Follows the decision graph from its entry, reading each test it reaches.
    fn decide(&self, jumps: &Jumps, d: &Dissection<'_>, seen: &Seen) -> bool {
        let mut at = jumps.entry;
        // Jumps only go forward: at most one step per node.
        for _ in 0..=MAX_NODES {
            let i = usize::from(at);
            let next = match at {
                ACCEPT => return true,
                REJECT => return false,
                _ if self.test_truth(i, d, seen) => jumps.on_true.get(i),
                _ => jumps.on_false.get(i),
            };
            at = next.copied().unwrap_or(REJECT);
        }
        false
    }

    /// The truth of test node `i` on a frame the fast path can read.
    #[inline]
    pub(super) fn test_truth(&self, i: usize, d: &Dissection<'_>, seen: &Seen) -> bool {
        match (self.checks.get(i), self.ops.get(i)) {
            (Some(Check::Protocol(p)), _) => seen.present & bit(*p) != 0,
            (Some(check), Some(&op)) => self.tally(check, i, d, seen).truth(op),
            _ => false,
        }
    }

    /// Test node `i` on each occurrence of what it reads.
    #[inline]
    fn tally(&self, check: &Check, i: usize, d: &Dissection<'_>, seen: &Seen) -> Tally {
        let mut tally = Tally::NONE;
        let node = self.nodes.get(i);
        match (check, node) {
            (Check::Number(wire, number), _) => {
                wire.numbers(d, seen, |v| tally.record(number.holds(v)));
            }
            (Check::Fast(fast), Some(Node::Test { test, .. })) => {
                super::fast::for_each(*fast, d, seen, &mut |v| {
                    tally.record(eval_value(self, d, v, test))
                });
            }
            (
                Check::Protocol(_) | Check::General,
                Some(Node::Test {
                    subject: Subject::Protocol(p),
                    slice,
                    test,
                }),
            ) => {
                self.protocol_test(*p, slice.as_ref(), test, d, seen.present, &mut |r| {
                    tally.record(r)
                });
            }
            _ => {}
        }
        tally
    }

    /// Every test by the fast path, then the forward pass (for a filter
    /// without a decision graph).
    fn forward_fast(&self, d: &Dissection<'_>, seen: &Seen) -> bool {
        let mut st = State::new();
        for (i, check) in self.checks.iter().enumerate().take(self.len) {
            if matches!(self.nodes.get(i), Some(Node::Test { .. })) {
                st.set(i, self.tally(check, i, d, seen));
            }
        }
        self.eval(self.root, &st)
    }

    /// Whether a test holds for a field whose every occurrence is `value`.
    pub(super) fn holds_for(&self, test: &Test, value: u64) -> bool {
        test_val(test, &Val::Num(value), self)
    }

    /// Records one field occurrence for every test of this filter that names it.
    #[inline]
    fn feed(&self, d: &Dissection<'_>, field: &Field<'_>, st: &mut State) {
        if self.field_bloom & super::bloom_bit(field.def) == 0 {
            return;
        }
        for (i, node) in self.nodes().iter().enumerate() {
            let Node::Test {
                subject: Subject::Field(def),
                slice,
                test,
            } = node
            else {
                continue;
            };
            if def.is(field.def) {
                st.record(i, eval_field(self, d, field, slice.as_ref(), test));
            }
        }
    }

    /// Adds the protocol tests and evaluates the tree.
    fn finish(&self, d: &Dissection<'_>, st: &mut State, present: u64) -> bool {
        let mut tests = self.protocol_tests;
        while tests != 0 {
            let i = tests.trailing_zeros() as usize;
            tests &= tests - 1;
            if let Some(Node::Test {
                subject: Subject::Protocol(p),
                slice,
                test,
            }) = self.nodes.get(i)
            {
                self.protocol_test(*p, slice.as_ref(), test, d, present, &mut |r| {
                    st.record(i, r)
                });
            }
        }
        self.eval(self.root, st)
    }

    /// Calls `record` with the test's result on each occurrence of protocol `p`.
    fn protocol_test(
        &self,
        p: Protocol,
        slice: Option<&Slice>,
        test: &Test,
        d: &Dissection<'_>,
        present: u64,
        record: &mut impl FnMut(bool),
    ) {
        if slice.is_none() && matches!(test, Test::Exists) {
            if present & bit(p) != 0 {
                record(true);
            }
            return;
        }
        if d.rejected() == Some(p) && matches!(test, Test::Exists) {
            record(true);
        }
        let on_bytes = |bytes: &[u8]| match slice {
            Some(s) => s
                .of(bytes)
                .is_some_and(|b| test_val(test, &Val::Bytes(b), self)),
            None => matches!(test, Test::Exists) || test_val(test, &Val::Bytes(bytes), self),
        };
        let data = d.frame().data;
        if p == Protocol::Frame {
            return record(on_bytes(data));
        }
        for layer in d.layers().filter(|l| l.protocol == p) {
            if !super::seen::adds_item(layer) {
                continue;
            }
            // A protocol's bytes run from its header to the end of the frame.
            record(on_bytes(data.get(layer.offset..).unwrap_or(&[])));
        }
    }

    /// One forward pass: every node's truth from its children's (which come first).
    pub(super) fn eval(&self, root: u8, st: &State) -> bool {
        let mut truth = 0u64;
        let bit_of = |t: u64, i: u8| (t >> i) & 1 == 1;
        for (i, op) in self.ops.iter().take(self.len).enumerate() {
            let bit = 1u64 << i;
            let value = match *op {
                Op::And(a, b) => bit_of(truth, a) && bit_of(truth, b),
                Op::Or(a, b) => bit_of(truth, a) || bit_of(truth, b),
                Op::Not(a) => !bit_of(truth, a),
                Op::Never => false,
                Op::Present => st.present & bit != 0,
                Op::All => st.present & st.all & bit != 0,
                Op::Any => st.any & bit != 0,
            };
            truth |= u64::from(value) << i;
        }
        bit_of(truth, root)
    }
}

struct FieldSink<'s, 'd, 'a> {
    filter: &'s Filter,
    d: &'d Dissection<'a>,
    st: &'s mut State,
}

impl<'a> Visitor<'a> for FieldSink<'_, '_, 'a> {
    fn wants(&self, protocol: Protocol) -> bool {
        self.filter.field_protocols & (1u64 << (protocol as u8)) != 0
    }

    #[inline(always)]
    fn wants_field(&self, def: &'static crate::field::FieldDef) -> bool {
        self.filter.field_bloom & super::bloom_bit(def) != 0
    }

    fn field(&mut self, field: &Field<'a>) {
        self.filter.feed(self.d, field, self.st);
    }
}

fn eval_field(
    f: &Filter,
    d: &Dissection<'_>,
    field: &Field<'_>,
    slice: Option<&Slice>,
    test: &Test,
) -> bool {
    if let Test::Exists = test {
        return true;
    }
    if let Some(s) = slice {
        let end = field.offset.saturating_add(field.len);
        let bytes = d.frame().data.get(field.offset..end).unwrap_or(&[]);
        return s
            .of(bytes)
            .is_some_and(|b| test_val(test, &Val::Bytes(b), f));
    }
    eval_value(f, d, field.value, test)
}

/// A test on one value (no slice).
fn eval_value(f: &Filter, d: &Dissection<'_>, value: Value<'_>, test: &Test) -> bool {
    if let Test::Exists = test {
        return true;
    }
    let val = match value {
        Value::Uint(v) => Val::Num(v),
        Value::Int(v) => match u64::try_from(v) {
            Ok(v) => Val::Num(v),
            Err(_) => return false,
        },
        Value::Bool(b) => Val::Num(u64::from(b)),
        Value::Ipv4(a) => Val::V4(u32::from(a)),
        Value::Ipv6(a) => Val::V6(u128::from(a)),
        Value::Mac(m) => Val::Mac(m.0),
        Value::Str(b) | Value::Bytes(b) => Val::Bytes(b),
        Value::Text(t) => Val::Bytes(t.as_bytes()),
        Value::None => return false,
        Value::DnsName(_) | Value::TcpFlagsStr(_) | Value::Computed(_) | Value::Malformed(_) => {
            // Only values that are text when rendered need the buffer.
            let mut text = TextBuf::<256>::new();
            let _ = render_value(&crate::dissectors::frame::hf::DATA, value, d, &mut text);
            return test_val(test, &Val::Bytes(text.as_str().as_bytes()), f);
        }
    };
    test_val(test, &val, f)
}

fn test_val(test: &Test, v: &Val<'_>, f: &Filter) -> bool {
    match test {
        Test::Exists => true,
        Test::Cmp(op, lit) => compare(*op, v, lit),
        Test::In { first, count } => {
            f.set_items(*first, *count)
                .iter()
                .any(|item| match &item.high {
                    None => compare(CmpOp::Eq, v, &item.low),
                    Some(high) => compare(CmpOp::Ge, v, &item.low) && compare(CmpOp::Le, v, high),
                })
        }
        Test::BitAnd(mask) => match v {
            Val::Num(n) => n & mask != 0,
            Val::Bytes(b) => be_uint(b) & mask != 0,
            _ => false,
        },
        Test::Contains(needle) => match v {
            Val::Bytes(b) => contains(b, needle.as_slice()),
            _ => false,
        },
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

fn order(op: CmpOp, o: Ordering) -> bool {
    match op {
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    }
}

fn compare(op: CmpOp, v: &Val<'_>, lit: &Literal) -> bool {
    match (v, lit) {
        (Val::Num(a), Literal::Uint(b)) => order(op, a.cmp(b)),
        (Val::V4(a), Literal::Ipv4 { addr, prefix }) => match op {
            CmpOp::Eq => in_v4(*a, *addr, *prefix),
            CmpOp::Ne => !in_v4(*a, *addr, *prefix),
            _ => order(op, a.cmp(addr)),
        },
        (Val::V6(a), Literal::Ipv6 { addr, prefix }) => match op {
            CmpOp::Eq => in_v6(*a, u128::from_be_bytes(*addr), *prefix),
            CmpOp::Ne => !in_v6(*a, u128::from_be_bytes(*addr), *prefix),
            _ => order(op, a.cmp(&u128::from_be_bytes(*addr))),
        },
        (Val::Mac(a), Literal::Mac(b)) => order(op, a.cmp(b)),
        (Val::Bytes(a), Literal::Bytes(b)) => order(op, (*a).cmp(b.as_slice())),
        _ => false,
    }
}
