//! The fast path reads some fields straight from the views; on every frame of
//! `captures/`, whole and cut short, its values must equal the visitor's,
//! occurrence for occurrence. The field collector (`-T fields`, a watcher's
//! fields) takes the fast path where it can and visits for the rest: it must
//! give the visitor's values for every field.

mod common;

use std::collections::HashMap;

use encap::output::fields::Collector;
use encap_core::field::{Field, FieldDef, Visitor, registry, render, render_value};
use encap_core::filter::fast_values;
use encap_core::{Dissection, Frame, Protocol, dissect};

/// Every field's rendered values, by visiting every layer of a protocol that
/// has fields (no fast path).
struct Visited<'d, 'a> {
    d: &'d Dissection<'a>,
    values: HashMap<usize, Vec<String>>,
    protocols: &'d [Protocol],
}

fn key(def: &FieldDef) -> usize {
    core::ptr::from_ref(def) as usize
}

impl<'a> Visitor<'a> for Visited<'_, 'a> {
    fn wants(&self, protocol: Protocol) -> bool {
        self.protocols.contains(&protocol)
    }

    fn field(&mut self, field: &Field<'a>) {
        let mut s = String::new();
        let _ = render(field, self.d, &mut encap_core::text::Plain(&mut s));
        self.values.entry(key(field.def)).or_default().push(s);
    }
}

fn visited(d: &Dissection<'_>, protocols: &[Protocol]) -> HashMap<usize, Vec<String>> {
    let mut v = Visited {
        d,
        values: HashMap::new(),
        protocols,
    };
    d.visit(&mut v);
    v.values
}

/// Calls `check` with every frame of `captures/`, tracked, and with copies cut
/// short inside each header in turn (every 9 bytes), where the fast path must
/// step aside.
fn each_frame_whole_and_cut(check: &mut dyn FnMut(&Dissection<'_>, &str)) {
    common::each_record(|pcap, n, meta, buf, conversations| {
        let frame = |data| Frame {
            data,
            orig_len: meta.orig_len,
            link_type: meta.link_type,
            number: n,
            timestamp: meta.timestamp,
        };
        let mut d = dissect(frame(buf));
        conversations.track(&mut d);
        check(&d, &format!("{} frame {n}", pcap.display()));
        for cut in (14..buf.len()).step_by(9) {
            let d = dissect(frame(buf.get(..cut).unwrap()));
            check(&d, &format!("{} frame {n} cut at {cut}", pcap.display()));
        }
    });
}

#[test]
fn fast_path_and_collector_equal_the_visitor() {
    let defs: Vec<_> = registry::all().collect();
    let mut collector = Collector::new(defs.clone());
    let protocols: Vec<Protocol> = defs
        .iter()
        .filter_map(|d| registry::protocol_of(d))
        .collect();
    let (mut frames, mut checked) = (0usize, 0usize);
    let mut check = |d: &Dissection<'_>, what: &str| {
        let want = visited(d, &protocols);
        collector.collect(d);
        frames += 1;
        for (i, def) in defs.iter().enumerate() {
            let visited = want.get(&key(def)).cloned().unwrap_or_default();
            // frame.coloring_rule.name is the collector's own (not a visited field).
            if def.abbrev != "frame.coloring_rule.name" {
                assert_eq!(
                    collector.values(i),
                    visited.as_slice(),
                    "{what} {}: the collector differs from the visitor",
                    def.abbrev
                );
            }
            let mut fast = Vec::new();
            let used = fast_values(def, d, &mut |value| {
                let mut s = String::new();
                let _ = render_value(def, value, d, &mut encap_core::text::Plain(&mut s));
                fast.push(s);
            });
            if used {
                checked += 1;
                assert_eq!(
                    fast, visited,
                    "{what} {}: fast path differs from the visitor",
                    def.abbrev
                );
            }
        }
    };
    each_frame_whole_and_cut(&mut check);
    println!("fast path: {checked} field values checked over {frames} frames");
    assert!(checked > 100_000, "{checked}");
}

/// A few fields, some with a fast path and some without, and the colouring
/// rule's name: the visit covers only the protocols of the slow ones, unless a
/// fast one could not be read.
#[test]
fn a_mixed_set_of_fields_equals_the_visitor() {
    let names = [
        "ip.src",
        "http.host",
        "http.request.uri",
        "tcp.seq",
        "dns.a",
        "frame.coloring_rule.name",
    ];
    let defs: Vec<_> = names.iter().map(|n| registry::lookup(n).unwrap()).collect();
    let mut mixed = Collector::new(defs.clone());
    let everything: Vec<_> = registry::all().collect();
    let mut all = Collector::new(everything.clone());
    let protocols: Vec<Protocol> = everything
        .iter()
        .filter_map(|d| registry::protocol_of(d))
        .collect();
    let rule = everything
        .iter()
        .position(|d| d.abbrev == "frame.coloring_rule.name")
        .unwrap();
    let mut values = 0;
    common::each_record(|pcap, n, meta, buf, conversations| {
        for cut in [buf.len(), buf.len() * 2 / 3, 40] {
            let data = buf.get(..cut.min(buf.len())).unwrap();
            let mut d = dissect(Frame {
                data,
                orig_len: meta.orig_len,
                link_type: meta.link_type,
                number: n,
                timestamp: meta.timestamp,
            });
            if cut == buf.len() {
                conversations.track(&mut d);
            }
            let want = visited(&d, &protocols);
            mixed.collect(&d);
            all.collect(&d);
            for (i, def) in defs.iter().enumerate() {
                let expected = if def.abbrev == "frame.coloring_rule.name" {
                    all.values(rule).to_vec()
                } else {
                    want.get(&key(def)).cloned().unwrap_or_default()
                };
                assert_eq!(
                    mixed.values(i),
                    expected.as_slice(),
                    "{} frame {n} cut at {cut}: {}",
                    pcap.display(),
                    def.abbrev
                );
                values += expected.len();
            }
        }
    });
    assert!(values > 1000, "{values}");
}

/// `-T fields` written straight from the views equals the collector's line,
/// whatever the `-E` options, on every frame whole and cut short; frames the
/// fast path cannot read are left to the collector.
#[test]
fn a_line_written_straight_from_the_views_equals_the_collectors() {
    use encap::output::fields::{FieldsOptions, Occurrence, format_fast, format_line};
    use encap_core::filter::FastField;

    let bench = [
        "frame.number",
        "frame.len",
        "eth.src",
        "ip.src",
        "ip.dst",
        "ip.proto",
        "tcp.srcport",
        "tcp.dstport",
        "udp.dstport",
        "dns.qry.name",
    ];
    let every_fast: Vec<_> = registry::all()
        .filter(|d| FastField::of(d).is_some())
        .collect();
    let sets = [
        bench.iter().map(|n| registry::lookup(n).unwrap()).collect(),
        every_fast,
    ];
    let mut options = vec![FieldsOptions::default()];
    for (occurrence, quote) in [
        (Occurrence::First, Some('"')),
        (Occurrence::Last, None),
        (Occurrence::Nth(2), Some('\'')),
    ] {
        options.push(FieldsOptions {
            separator: "|".into(),
            aggregator: ";".into(),
            occurrence,
            quote,
            ..FieldsOptions::default()
        });
    }
    let mut collectors: Vec<Collector> = sets.iter().map(|s| Collector::new(s.clone())).collect();
    assert!(collectors.iter().all(|c| c.all_fast().is_some()));
    let (mut direct, mut left) = (0usize, 0usize);
    let mut check = |d: &Dissection<'_>, what: &str| {
        for c in collectors.iter_mut() {
            c.collect(d);
            for opts in &options {
                let mut fast = encap_fields::Text::new();
                if !format_fast(c, d, opts, &mut fast) {
                    assert!(fast.is_empty(), "{what}: wrote {fast:?} and gave up");
                    left += 1;
                    continue;
                }
                let mut collected = encap_fields::Text::new();
                format_line(c, opts, &mut collected);
                assert_eq!(fast, collected, "{what} ({opts:?})");
                direct += 1;
            }
        }
    };
    each_frame_whole_and_cut(&mut check);
    println!(
        "fields lines: {direct} written straight from the views, {left} left to the collector"
    );
    assert!(direct > 10_000 && left > 100, "{direct} {left}");
}

/// A filter that is one number test is answered in one pass over its
/// protocol's layers (`filter/single.rs`); on every frame, whole and cut
/// short, that answer must be the general path's.
#[test]
fn a_one_number_test_answers_as_the_general_path() {
    use encap_core::filter::Filter;
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../captures/filters.txt");
    let listed = std::fs::read_to_string(root).unwrap();
    // Each width (1, 2, 4 and the rest), ranges and masks, negations, a
    // protocol slice, fields that occur twice (ICMP errors quote a header).
    let own = [
        "tcp.port == 443",
        "!(tcp.port == 443)",
        "tcp.port != 443",
        "udp.srcport >= 1024",
        "ip.ttl < 64",
        "ip.addr == 192.0.2.0/24",
        "ip.src != 192.0.2.1",
        "tcp.flags.syn == 1",
        "tcp.flags & 0x12",
        "eth[0] & 1",
        "eth.src == 02:00:00:00:00:01",
        "icmp.type == 3",
        "ipv6.nxt == 58",
        "tcp.srcport",
    ];
    let filters: Vec<Filter> = own
        .iter()
        .copied()
        .chain(
            listed
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#')),
        )
        .filter_map(|text| Filter::compile(text).ok())
        .filter(Filter::is_one_number_test)
        .collect();
    for text in own {
        let f = Filter::compile(text).unwrap();
        assert!(
            f.is_one_number_test(),
            "{text} is not taken as one number test"
        );
    }
    let (mut checked, mut matched) = (0usize, 0usize);
    each_frame_whole_and_cut(&mut |d, what| {
        for f in &filters {
            let answer = f.matches(d);
            assert_eq!(answer, f.matches_general(d), "{what}: {f:?}");
            checked += 1;
            matched += usize::from(answer);
        }
    });
    println!("one-number filters: {checked} answers checked, {matched} matched");
    assert!(
        matched > 1000 && checked - matched > 1000,
        "{matched} of {checked}"
    );
}
