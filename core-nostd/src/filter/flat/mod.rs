//! A rule set compiled into bits, for "the first rule that matches" (colouring).
//!
//! Every test of every rule becomes one bit, read once per frame (a byte's
//! tests by one table lookup, see `group`); every rule becomes a few products
//! of those bits (its filter in disjunctive normal form, see `terms`). A frame
//! then runs the same instructions whatever it holds: following each rule's
//! decision graph branched on the frame's values, and those mispredicted
//! branches cost more than the tests themselves.

mod group;
mod read;
mod terms;

use group::Groups;
use read::{Read, Tallies};
use terms::{Literal, Term, Terms, expand};

use super::Filter;
use super::check::{Check, Number};
use super::fast::{Fast, Wire};
use super::literal::Literal as Value;
use super::program::{MAX_NODES, Node, Op, Subject, Test};
use super::seen::{Seen, bit};
use crate::dissect::Dissection;
use crate::field::FieldDef;
use crate::proto::Protocol;

/// At most this many tests (each one bit), over all rules.
const MAX_TESTS: usize = 64;
/// At most this many tests read apart (TCP analysis flags, strings).
const MAX_CALLS: usize = 16;
/// At most this many products of more than one literal, over all rules.
const MAX_TERMS: usize = 32;
/// At most this many rules.
const MAX_RULES: usize = 64;
const PROTOCOLS: usize = 64;

const _: () = assert!(Protocol::ALL.len() <= PROTOCOLS && MAX_NODES <= MAX_TESTS);

/// A number at a fixed place, tested; `field` names it for the visitor
/// (`None` for bytes of a protocol, `eth[0] & 1`).
#[derive(Debug, Clone, Copy)]
struct WireTest {
    wire: Wire,
    number: Number,
    op: Op,
    bit: u8,
    field: Option<&'static FieldDef>,
}

/// A test read apart from the wire tests.
#[derive(Debug, Clone, Copy)]
enum Probe {
    /// The TCP analysis holds one of these flags (`tcp.analysis.flags`, `tcp.analysis.*`).
    Analysis(u16),
    /// Read through its filter's node, only when a layer of `protocols` could
    /// hold it; `fields` when it reads fields (by the fast path), not bytes.
    Node {
        filter: u8,
        node: u8,
        protocols: u64,
        fields: bool,
    },
}

#[derive(Debug, Clone, Copy)]
struct Call {
    probe: Probe,
    bit: u8,
}

#[derive(Debug, Clone, Copy, Default)]
struct RuleTerm {
    rule: u8,
    term: Term,
}

/// The rules as bits. Built by [`Flat::of`] when they fit its limits.
#[derive(Debug, Clone)]
pub(super) struct Flat {
    /// The wire tests compiled into reads, by protocol.
    groups: Groups,
    /// Bits whose truth is "some occurrence passed", "every one passed",
    /// "there is one".
    any: u64,
    all: u64,
    occurs: u64,
    /// Analysis calls first, then the others.
    calls: [Call; MAX_CALLS],
    call_len: usize,
    analysis_calls: usize,
    /// Products of one positive literal, by literal: the rules a protocol's
    /// presence matches, and those a test's truth matches.
    protocol_rules: [u64; PROTOCOLS],
    test_rules: [u64; MAX_TESTS],
    /// The literals with rules above.
    single_protocols: u64,
    single_tests: u64,
    terms: [RuleTerm; MAX_TERMS],
    term_len: usize,
    /// The wire tests as compiled, grouped as the reads are (for frames
    /// whose fields the visitor gives).
    wires: [WireTest; MAX_TESTS],
    wire_len: usize,
    wire_starts: [u8; PROTOCOLS + 1],
    /// Bits handed out (wire tests and calls).
    bits: usize,
}

impl Flat {
    /// The rules `filters` as bits, or `None` when they pass a limit here or
    /// test a field without a fast path (each rule is then evaluated alone).
    pub fn of(filters: &[Filter]) -> Option<Flat> {
        if filters.len() > MAX_RULES {
            return None;
        }
        let mut flat = Flat::empty()?;
        for (rule, f) in filters.iter().enumerate() {
            flat.add_rule(rule, f)?;
        }
        flat.group_by_protocol()?;
        Some(flat)
    }

    fn empty() -> Option<Flat> {
        let wire = Fast::IpTtl.wire()?;
        Some(Flat {
            groups: Groups::new(Read::of(&wire, Number::Mask(0), 0).next()?),
            any: 0,
            all: 0,
            occurs: 0,
            calls: [Call {
                probe: Probe::Analysis(0),
                bit: 0,
            }; MAX_CALLS],
            call_len: 0,
            analysis_calls: 0,
            protocol_rules: [0; PROTOCOLS],
            test_rules: [0; MAX_TESTS],
            single_protocols: 0,
            single_tests: 0,
            terms: [RuleTerm::default(); MAX_TERMS],
            term_len: 0,
            wires: [WireTest {
                wire,
                number: Number::Mask(0),
                op: Op::Never,
                bit: 0,
                field: None,
            }; MAX_TESTS],
            wire_len: 0,
            wire_starts: [0; PROTOCOLS + 1],
            bits: 0,
        })
    }

    /// Adds filter `f` as rule `rule`; returns what each of its test nodes reads as.
    fn add_rule(&mut self, rule: usize, f: &Filter) -> Option<[Literal; MAX_NODES]> {
        let mut literals = [Literal::Tests(0); MAX_NODES];
        for node in 0..f.len {
            if let Some(Node::Test { .. }) = f.nodes.get(node) {
                *literals.get_mut(node)? = self.literal(rule, f, node)?;
            }
        }
        let mut terms = Terms::new();
        expand(f.nodes(), &literals, f.root, false, &mut terms)?;
        let rule = u8::try_from(rule).ok()?;
        for &term in terms.as_slice() {
            if term.is_single() {
                let (literal, rules) = match term.protocols {
                    0 => (term.tests, &mut self.test_rules),
                    p => (p, &mut self.protocol_rules),
                };
                *rules.get_mut(literal.trailing_zeros() as usize)? |= 1u64 << rule;
                self.single_protocols |= term.protocols;
                self.single_tests |= term.tests;
            } else {
                *self.terms.get_mut(self.term_len)? = RuleTerm { rule, term };
                self.term_len += 1;
            }
        }
        Some(literals)
    }

    /// The literal test node `node` of rule `rule` reads as, its tests added.
    fn literal(&mut self, rule: usize, f: &Filter, node: usize) -> Option<Literal> {
        let op = *f.ops.get(node)?;
        let Node::Test { subject, test, .. } = *f.nodes.get(node)? else {
            return None;
        };
        let field = match subject {
            Subject::Field(def) => Some(def),
            Subject::Protocol(_) => None,
        };
        let node_call = |flat: &mut Flat| {
            flat.call(Probe::Node {
                filter: u8::try_from(rule).ok()?,
                node: u8::try_from(node).ok()?,
                protocols: protocols_read(f, node),
                fields: field.is_some(),
            })
        };
        Some(match *f.checks.get(node)? {
            Check::Protocol(p) => Literal::Protocol(p),
            Check::Number(wire, number) => Literal::Tests(self.wire_test(wire, number, op, field)?),
            // `in { 3..5, 11 }` holds when one of its items does.
            Check::Fast(fast)
                if op == Op::Any
                    && let Some(wire) = fast.wire()
                    && let Test::In { first, count } = test =>
            {
                let mut tests = 0;
                for item in f.set_items(first, count) {
                    let number = match (item.low, item.high) {
                        (Value::Uint(low), None) => Number::Inside(low, low),
                        (Value::Uint(low), Some(Value::Uint(high))) => Number::Inside(low, high),
                        _ => return node_call(self),
                    };
                    tests |= self.wire_test(wire, number, op, field)?;
                }
                Literal::Tests(tests)
            }
            Check::Fast(Fast::TcpAnalysisFlags) if op == Op::Present => {
                self.call(Probe::Analysis(u16::MAX))?
            }
            Check::Fast(Fast::TcpAnalysis(mask)) if op == Op::Present => {
                self.call(Probe::Analysis(mask))?
            }
            Check::Fast(_) => node_call(self)?,
            // Bytes of a protocol read as its filter reads them; a field
            // without a fast path is the visitor's: no bits for this set.
            Check::General => match subject {
                Subject::Protocol(_) => node_call(self)?,
                Subject::Field(_) => return None,
            },
        })
    }

    /// The bit of a wire test, shared with an equal test already here.
    fn wire_test(
        &mut self,
        wire: Wire,
        number: Number,
        op: Op,
        field: Option<&'static FieldDef>,
    ) -> Option<u64> {
        let known = self
            .wires
            .get(..self.wire_len)
            .unwrap_or(&[])
            .iter()
            .find(|w| w.wire == wire && w.number == number && w.op == op);
        if let Some(w) = known {
            return Some(1u64 << w.bit);
        }
        let bit = self.next_bit()?;
        *self.wires.get_mut(self.wire_len)? = WireTest {
            wire,
            number,
            op,
            bit,
            field,
        };
        self.wire_len += 1;
        let mask = 1u64 << bit;
        match op {
            Op::Any => self.any |= mask,
            Op::All => self.all |= mask,
            _ => self.occurs |= mask,
        }
        Some(mask)
    }

    fn call(&mut self, probe: Probe) -> Option<Literal> {
        let bit = self.next_bit()?;
        let calls = self.calls.get_mut(..=self.call_len)?;
        *calls.last_mut()? = Call { probe, bit };
        if let Probe::Analysis(_) = probe {
            // Keep the analysis calls in front.
            calls.get_mut(self.analysis_calls..)?.rotate_right(1);
            self.analysis_calls += 1;
        }
        self.call_len += 1;
        Some(Literal::Tests(1u64 << bit))
    }

    fn next_bit(&mut self) -> Option<u8> {
        let bit = u8::try_from(self.bits)
            .ok()
            .filter(|&b| usize::from(b) < MAX_TESTS)?;
        self.bits += 1;
        Some(bit)
    }

    /// Orders the wire tests by protocol and compiles their reads, so a
    /// layer finds its own in one range.
    fn group_by_protocol(&mut self) -> Option<()> {
        let wires = self.wires.get_mut(..self.wire_len)?;
        wires.sort_unstable_by_key(|w| w.wire.protocol as u8);
        let mut at = 0usize;
        for (p, start) in self.wire_starts.iter_mut().enumerate() {
            *start = u8::try_from(at).ok()?;
            at += wires
                .iter()
                .filter(|w| usize::from(w.wire.protocol as u8) == p)
                .count();
        }
        for p in Protocol::ALL {
            let mut reads = [Read::of(&Fast::IpTtl.wire()?, Number::Mask(0), 0).next()?; MAX_NODES];
            let mut n = 0;
            for w in wires.iter().filter(|w| w.wire.protocol == p) {
                for read in Read::of(&w.wire, w.number, w.bit) {
                    *reads.get_mut(n)? = read;
                    n += 1;
                }
            }
            if n > 0 {
                self.groups.add(p, reads.get(..n)?)?;
            }
        }
        Some(())
    }

    /// The index of the first rule that matches a frame whose walk was not
    /// stopped (every layer whole): what it holds is found on the way.
    #[inline]
    pub fn first_whole(&self, filters: &[Filter], d: &Dissection<'_>) -> Option<usize> {
        let (tallies, layers) = self.read_wire(d);
        self.decide(filters, d, &Seen::of_whole(d, layers), &tallies)
    }

    /// The index of the first rule that matches a frame the fast path reads.
    #[inline]
    pub fn first(&self, filters: &[Filter], d: &Dissection<'_>, seen: &Seen) -> Option<usize> {
        let (tallies, _) = self.read_wire(d);
        self.decide(filters, d, seen, &tallies)
    }

    /// Every layer's tests read from the wire, and the protocols with a layer.
    #[inline(always)]
    fn read_wire(&self, d: &Dissection<'_>) -> (Tallies, u64) {
        let data = d.frame().data;
        let mut tallies = Tallies::default();
        let mut layers = 0u64;
        for layer in d.layers() {
            layers |= bit(layer.protocol);
            self.groups
                .read(layer.protocol, data, layer.offset, &mut tallies);
        }
        (tallies, layers)
    }

    /// [`Flat::first`] for a frame cut short in `unreadable` protocols: their
    /// fields come from the visitor, the other layers are read from the wire.
    /// `None` when a test reads those fields some other way.
    #[cfg(feature = "fields")]
    pub fn first_visiting(
        &self,
        filters: &[Filter],
        d: &Dissection<'_>,
        seen: &Seen,
        unreadable: u64,
    ) -> Option<Option<usize>> {
        let reads_unreadable = self.calls().iter().any(|c| {
            matches!(c.probe, Probe::Node { protocols, fields: true, .. } if protocols & unreadable != 0)
        });
        if reads_unreadable {
            return None;
        }
        let data = d.frame().data;
        let mut tallies = Tallies::default();
        for layer in d.layers() {
            let visited = unreadable & bit(layer.protocol) != 0;
            for w in self.wires_of(layer.protocol) {
                if !(visited && w.field.is_some()) {
                    w.wire.numbers_at(data, layer.offset, |v| {
                        tallies.record(w.bit, w.number.holds(v))
                    });
                }
            }
        }
        d.visit(&mut visit::Fields {
            wires: self.wires.get(..self.wire_len).unwrap_or(&[]),
            unreadable,
            tallies: &mut tallies,
        });
        Some(self.decide(filters, d, seen, &tallies))
    }

    #[cfg(feature = "fields")]
    fn wires_of(&self, p: Protocol) -> &[WireTest] {
        let p = usize::from(p as u8);
        match (self.wire_starts.get(p), self.wire_starts.get(p + 1)) {
            (Some(&start), Some(&end)) => self
                .wires
                .get(usize::from(start)..usize::from(end))
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    fn calls(&self) -> &[Call] {
        self.calls.get(..self.call_len).unwrap_or(&[])
    }

    /// The calls that read through a filter (after the analysis ones).
    fn node_calls(&self) -> &[Call] {
        self.calls
            .get(self.analysis_calls..self.call_len)
            .unwrap_or(&[])
    }

    /// The tests' truths from their tallies and the calls, then the first rule.
    #[inline(always)]
    fn decide(
        &self,
        filters: &[Filter],
        d: &Dissection<'_>,
        seen: &Seen,
        t: &Tallies,
    ) -> Option<usize> {
        let mut truths =
            (t.any & self.any) | (t.occurred & !t.not_all & self.all) | (t.occurred & self.occurs);
        let could_hold = seen.present | seen.layers() | bit(Protocol::Frame);
        let analysis = d.tcp_annotation().map_or(0, |a| a.analysis);
        // Untracked or without analysis flags (most frames), an analysis test is false.
        let calls = if analysis == 0 {
            self.node_calls()
        } else {
            self.calls()
        };
        for call in calls {
            let holds = match call.probe {
                Probe::Analysis(mask) => analysis & mask != 0,
                Probe::Node {
                    filter,
                    node,
                    protocols,
                    ..
                } => {
                    could_hold & protocols != 0
                        && filters
                            .get(usize::from(filter))
                            .is_some_and(|f| f.test_truth(usize::from(node), d, seen))
                }
            };
            truths |= u64::from(holds) << call.bit;
        }
        self.pick(seen.present, truths)
    }

    /// The first rule whose products hold, all of them computed.
    #[inline(always)]
    fn pick(&self, present: u64, truths: u64) -> Option<usize> {
        // Few literals hold in a frame: visit those, not every rule.
        let mut matched = rules_of(present & self.single_protocols, &self.protocol_rules)
            | rules_of(truths & self.single_tests, &self.test_rules);
        for t in self.terms.get(..self.term_len).unwrap_or(&[]) {
            matched |= u64::from(t.term.holds(present, truths)) << t.rule;
        }
        (matched != 0).then(|| matched.trailing_zeros() as usize)
    }
}

/// The rules of each set bit of `literals`, by `rules` (indexed by bit).
#[inline(always)]
fn rules_of(mut literals: u64, rules: &[u64; 64]) -> u64 {
    let mut matched = 0;
    while literals != 0 {
        matched |= rules
            .get(literals.trailing_zeros() as usize)
            .copied()
            .unwrap_or(0);
        literals &= literals - 1;
    }
    matched
}

/// The protocols whose layers could hold what node `at` of `f` tests.
fn protocols_read(f: &Filter, at: usize) -> u64 {
    match (f.checks.get(at), f.nodes.get(at)) {
        (Some(Check::Fast(fast)), _) => bit(fast.protocol()),
        (
            _,
            Some(Node::Test {
                subject: Subject::Protocol(p),
                ..
            }),
        ) => bit(*p),
        (
            _,
            Some(Node::Test {
                subject: Subject::Field(def),
                ..
            }),
        ) => crate::field::registry::protocol_of(def).map_or(u64::MAX, bit),
        _ => u64::MAX,
    }
}

#[cfg(feature = "fields")]
mod visit {
    use super::WireTest;
    use super::read::Tallies;
    use crate::field::{Field, Visitor};
    use crate::filter::seen::bit;
    use crate::proto::Protocol;

    /// Hands the fields of the layers the wire cannot tell to their tests.
    pub(super) struct Fields<'f> {
        pub wires: &'f [WireTest],
        pub unreadable: u64,
        pub tallies: &'f mut Tallies,
    }

    impl<'a> Visitor<'a> for Fields<'_> {
        fn wants(&self, protocol: Protocol) -> bool {
            self.unreadable & bit(protocol) != 0
        }

        fn field(&mut self, field: &Field<'a>) {
            for w in self.wires {
                if w.field.is_some_and(|def| def.is(field.def))
                    && let Some(v) = w.wire.number_of(&field.value)
                {
                    self.tallies.record(w.bit, w.number.holds(v));
                }
            }
        }
    }
}

#[cfg(test)]
mod test {
    extern crate std;

    use std::vec;
    use std::vec::Vec;

    use super::*;
    use crate::filter::eval::State;

    /// For every combination of its literals, a rule in bits answers as the
    /// forward pass over its tree does.
    #[test]
    fn products_agree_with_the_forward_pass() {
        for text in crate::filter::test::nested_filters() {
            let f = Filter::compile_lenient(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let mut flat = Flat::empty().unwrap();
            let literals = flat
                .add_rule(0, &f)
                .unwrap_or_else(|| panic!("{text}: no bits"));
            let tests: Vec<(usize, Literal)> = (0..f.len)
                .filter(|&i| matches!(f.nodes[i], Node::Test { .. }))
                .map(|i| (i, literals[i]))
                .collect();
            // The variables: each protocol and each test bit.
            let mut distinct: Vec<(bool, u64)> = Vec::new();
            for (_, l) in &tests {
                let keys: Vec<(bool, u64)> = match *l {
                    Literal::Protocol(p) => vec![(true, bit(p))],
                    Literal::Tests(t) => (0..64)
                        .filter(|k| t >> k & 1 == 1)
                        .map(|k| (false, 1u64 << k))
                        .collect(),
                };
                for key in keys {
                    if !distinct.contains(&key) {
                        distinct.push(key);
                    }
                }
            }
            for combo in 0u32..(1 << distinct.len()) {
                let (mut present, mut truths) = (0u64, 0u64);
                for (k, &(is_protocol, b)) in distinct.iter().enumerate() {
                    if combo >> k & 1 == 1 {
                        if is_protocol {
                            present |= b
                        } else {
                            truths |= b
                        }
                    }
                }
                let nodes = tests.iter().fold(0u64, |acc, &(i, l)| {
                    let holds = match l {
                        Literal::Protocol(p) => present & bit(p) != 0,
                        Literal::Tests(t) => truths & t != 0,
                    };
                    acc | u64::from(holds) << i
                });
                let expected = f.eval(f.root, &State::with_truths(nodes));
                assert_eq!(
                    flat.pick(present, truths) == Some(0),
                    expected,
                    "{text}: protocols {present:#x}, tests {truths:#b}"
                );
            }
        }
    }

    #[test]
    fn the_default_colouring_rules_fit_in_bits() {
        let rules: Vec<Filter> = crate::colour::DEFAULT_RULES
            .iter()
            .map(|r| Filter::compile_lenient(r.filter).unwrap())
            .collect();
        let flat = Flat::of(&rules).expect("the colouring rules as bits");
        // Rules about protocols encap does not dissect leave nothing to compute.
        let with_products = flat
            .protocol_rules
            .iter()
            .chain(&flat.test_rules)
            .fold(0u64, |acc, r| acc | r)
            | flat.terms[..flat.term_len]
                .iter()
                .fold(0u64, |acc, t| acc | 1 << t.rule);
        assert!(with_products.count_ones() < rules.len() as u32 && with_products.count_ones() > 8);
    }
}
