//! Evaluating a compiled filter against a dissection: one visit of the fields
//! the filter names, Wireshark's "any occurrence" semantics (`!=` is "all").

use core::cmp::Ordering;

use super::Filter;
use super::lexer::CmpOp;
use super::literal::{Literal, in_v4, in_v6};
use super::parser::be_uint;
use super::program::{Node, Op, Slice, Subject, Test};
use crate::dissect::Dissection;
use crate::field::{Field, Value, Visitor, render};
use crate::proto::Protocol;
use crate::text::TextBuf;

/// Per test node: seen at all, true for some occurrence, true for every occurrence.
pub(super) struct State {
    present: u64,
    any: u64,
    all: u64,
}

impl State {
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

/// The protocols a filter sees in the frame (bit = `Protocol as u8`): its layers,
/// less IPv4 and ARP headers with no bytes at all (tshark adds no item for those;
/// IPv6 adds its item before reading), plus a protocol that refused the bytes.
fn present_protocols(d: &Dissection<'_>) -> u64 {
    // The frame is no layer of its own but always there.
    let mut mask = d.rejected().map_or(0, |p| 1u64 << (p as u8)) | 1u64 << (Protocol::Frame as u8);
    for layer in d.layers() {
        let empty = matches!(layer.view, crate::dissect::View::Truncated { bytes: [] });
        if !empty || layer.protocol == Protocol::Ipv6 {
            mask |= 1u64 << (layer.protocol as u8);
        }
    }
    mask
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
    pub(super) const fn new() -> Self {
        State {
            present: 0,
            any: 0,
            all: u64::MAX,
        }
    }
}

/// Evaluates several filters with one visit of the frame's fields; returns the
/// index of the first that matches (Wireshark's colouring: first rule wins).
/// At most `N` filters are looked at.
pub fn first_match<const N: usize>(filters: &[Filter; N], d: &Dissection<'_>) -> Option<usize> {
    let present = present_protocols(d);
    #[cfg(feature = "fields")]
    if !(super::fast::usable(d) && filters.iter().all(|f| f.all_fast)) {
        return first_match_visiting(filters, d, present);
    }
    filters.iter().position(|f| f.matches_with(d, present))
}

#[cfg(feature = "fields")]
fn first_match_visiting<const N: usize>(
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
        self.matches_with(d, present_protocols(d))
    }

    /// [`Filter::matches`] with the frame's protocols already known.
    fn matches_with(&self, d: &Dissection<'_>, present: u64) -> bool {
        let mut st = State::new();
        if self.all_fast && super::fast::usable(d) {
            // The fast path reads only the layers of `present`: with none of
            // the filter's protocols there, every test is absent.
            if self.protocols & present == 0 {
                return self.when_absent;
            }
            self.feed_fast(d, &mut st);
        } else if self.field_protocols != 0 {
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
        self.finish(d, &mut st, present)
    }

    /// Reads each tested field by its fast path.
    fn feed_fast(&self, d: &Dissection<'_>, st: &mut State) {
        let mut tests = self.fast_tests;
        while tests != 0 {
            let i = tests.trailing_zeros() as usize;
            tests &= tests - 1;
            if let (Some(Node::Test { test, .. }), Some(Some(fast))) =
                (self.nodes.get(i), self.fast.get(i))
            {
                super::fast::for_each(*fast, d, &mut |v| {
                    st.record(i, eval_value(self, d, v, test));
                });
            }
        }
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
                if slice.is_none() && matches!(test, Test::Exists) {
                    if present & (1u64 << (*p as u8)) != 0 {
                        st.record(i, true);
                    }
                    continue;
                }
                if d.rejected() == Some(*p) && matches!(test, Test::Exists) {
                    st.record(i, true);
                }
                if *p == Protocol::Frame {
                    let bytes = d.frame().data;
                    let r = match slice {
                        Some(s) => s
                            .of(bytes)
                            .is_some_and(|b| test_val(test, &Val::Bytes(b), self)),
                        None => test_val(test, &Val::Bytes(bytes), self),
                    };
                    st.record(i, r);
                    continue;
                }
                for layer in d.layers().filter(|l| l.protocol == *p) {
                    // tshark's IPv4 and ARP add no protocol item for a header with no
                    // bytes at all (IPv6 adds its item before reading).
                    if matches!(layer.view, crate::dissect::View::Truncated { bytes: [] })
                        && layer.protocol != Protocol::Ipv6
                    {
                        continue;
                    }
                    // A protocol's bytes run from its header to the end of the frame.
                    let bytes = d.frame().data.get(layer.offset..).unwrap_or(&[]);
                    let r = match slice {
                        Some(s) => s
                            .of(bytes)
                            .is_some_and(|b| test_val(test, &Val::Bytes(b), self)),
                        None => {
                            matches!(test, Test::Exists) || test_val(test, &Val::Bytes(bytes), self)
                        }
                    };
                    st.record(i, r);
                }
            }
        }
        self.eval(self.root, st)
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
            let field = Field {
                def: &crate::dissectors::frame::hf::DATA,
                offset: 0,
                len: 0,
                value,
                hidden: false,
            };
            let _ = render(&field, d, &mut text);
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
