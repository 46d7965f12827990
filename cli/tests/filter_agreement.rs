//! The filter differential test: for every filter of `captures/filters.txt` and
//! every capture, the frames encap's filter matches must be the frames
//! `tshark -Y` matched (`NAME.filters.tsv`, made by `captures/filter-oracle.sh`).

mod common;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::BufReader;
use std::path::Path;

use common::{Tsv, captures, captures_dir, load_rules};
use encap::capture::CaptureReader;
use encap_core::filter::Filter;
use encap_core::tracker::Tracker;
use encap_core::{Frame, dissect};

/// The rule that explains why frame `n` differs, if any.
fn explain(f: &common::Frame<'_, '_>, rules: &BTreeMap<String, String>) -> Option<&'static str> {
    let on = |r: &str| rules.contains_key(r);
    if on("ip-reassembly") && f.is_last_fragment() {
        return Some("ip-reassembly");
    }
    if on("tcp-reassembly") && f.is_tcp_continuation() {
        return Some("tcp-reassembly");
    }
    None
}

/// Every frame of a capture, kept so each filter can run over them.
fn frames(path: &Path) -> Vec<(Vec<u8>, encap::capture::RecordMeta)> {
    let mut reader = CaptureReader::open(BufReader::new(File::open(path).unwrap())).unwrap();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    while let Some(meta) = reader.next_record(&mut buf).unwrap() {
        out.push((buf.clone(), meta));
    }
    out
}

#[test]
fn every_filter_agrees_with_tshark() {
    let filters: Vec<String> = fs::read_to_string(captures_dir().join("filters.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect();
    assert!(
        filters.len() >= 60,
        "the issue asks for at least 60 filters"
    );
    let captures = captures();
    let rules = load_rules();
    let (mut pairs, mut agree, mut explained) = (0usize, 0usize, 0usize);
    let mut by_rule: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut differences = Vec::new();
    for pcap in &captures {
        let oracle = Tsv::load(&pcap.with_extension("tshark.tsv"));
        let name = pcap.file_name().unwrap().to_string_lossy().to_string();
        let tsv = pcap.with_extension("filters.tsv");
        let expected = fs::read_to_string(&tsv).unwrap_or_else(|_| {
            panic!(
                "{} is missing: run captures/filter-oracle.sh",
                tsv.display()
            )
        });
        let frames = frames(pcap);
        for line in expected.lines() {
            let (filter, tshark) = line.split_once('\t').unwrap();
            assert!(
                filters.iter().any(|f| f == filter),
                "{name}: stale filter {filter:?}"
            );
            let compiled = Filter::compile(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
            let tshark_frames: Vec<usize> = tshark
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            pairs += 1;
            let mut unexplained = Vec::new();
            let mut pair_explained = false;
            let mut conversations = Box::<Tracker>::default();
            for (i, (data, meta)) in frames.iter().enumerate() {
                let n = i + 1;
                let mut d = dissect(Frame {
                    data,
                    orig_len: meta.orig_len,
                    link_type: meta.link_type,
                    number: n as u32,
                    timestamp: meta.timestamp,
                });
                conversations.track(&mut d);
                if compiled.matches(&d) == tshark_frames.contains(&n) {
                    continue;
                }
                let frame = common::Frame {
                    d: &d,
                    tshark_protocols: oracle.get(n, "frame.protocols"),
                    tshark_info: oracle.get(n, "_ws.col.Info"),
                    tshark_protocol_col: oracle.get(n, "_ws.col.Protocol"),
                };
                match explain(&frame, &rules) {
                    Some(rule) => {
                        *by_rule.entry(rule).or_default() += 1;
                        pair_explained = true;
                    }
                    None => unexplained.push(n),
                }
            }
            if !unexplained.is_empty() {
                differences.push(format!("{name} {filter:?}: frames {unexplained:?} differ"));
            } else if pair_explained {
                explained += 1;
            } else {
                agree += 1;
            }
        }
    }
    println!(
        "filter agreement: {} filters x {} captures = {pairs} pairs, {agree} identical ({:.2}%), {explained} differ only in known ways, {} unexplained",
        filters.len(),
        captures.len(),
        agree as f64 * 100.0 / pairs as f64,
        differences.len()
    );
    for (rule, frames) in &by_rule {
        println!("  known difference {rule}: {frames} frame(s)");
    }
    assert!(
        differences.is_empty(),
        "{} pairs differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
}
