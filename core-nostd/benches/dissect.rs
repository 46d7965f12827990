#![allow(clippy::indexing_slicing, clippy::expect_used, clippy::unwrap_used)]
//! encap's walk against etherparse's L2–L4 slicing, on the same Ethernet frames.
//!
//!     cargo bench -p encap-core
//!
//! "warm": the frames of captures/ (a few hundred, cache-resident).
//! "cold": bench-data/tiled.pcap, 1M frames (~180 MB), made by
//!         `python3 scripts/make-tiled.py bench-data/tiled.pcap`; skipped if absent.
//! After criterion's report, a table gives frames/s and the ratio to etherparse.

use std::fmt::Write as _;
use std::hint::black_box;

mod common;

use common::{Frames, mean_ns};
use criterion::{Criterion, Throughput};
use encap_core::field::Computed;
use encap_core::text::TextBuf;
use encap_core::{Frame, LinkType, dissect};

fn walk(f: &[u8]) -> usize {
    let d = dissect(Frame::new(f, LinkType::ETHERNET));
    // black_box keeps every layer stored, as a caller that reads them needs.
    black_box(&d).layer_count()
}

/// The walk plus the packet-list row: source, destination, protocol and info text.
fn row(f: &[u8], out: &mut TextBuf<512>) -> usize {
    let d = dissect(Frame::new(f, LinkType::ETHERNET));
    out.clear();
    for c in [
        Computed::ColSource,
        Computed::ColDestination,
        Computed::ColProtocol,
        Computed::ColInfo,
    ] {
        let _ = d.write_computed(c, out);
    }
    out.len()
}

fn etherparse(f: &[u8]) -> bool {
    // black_box keeps the whole result, as for encap's walk.
    black_box(&etherparse::SlicedPacket::from_ethernet(f)).is_ok()
}

fn bench_group(c: &mut Criterion, name: &str, frames: &Frames, samples: usize) {
    let first = frames.iter().next().unwrap_or(&[]);
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(frames.ranges.len() as u64));
    g.sample_size(samples);
    g.bench_function("etherparse", |b| {
        b.iter(|| frames.iter().filter(|f| etherparse(black_box(f))).count())
    });
    g.bench_function("encap_walk", |b| {
        b.iter(|| frames.iter().map(|f| walk(black_box(f))).sum::<usize>())
    });
    g.bench_function("encap_walk_into", |b| {
        let mut d = dissect(Frame::new(first, LinkType::ETHERNET));
        b.iter(|| {
            frames
                .iter()
                .map(|f| {
                    encap_core::dissect_into(Frame::new(black_box(f), LinkType::ETHERNET), &mut d);
                    black_box(&d).layer_count()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("encap_row", |b| {
        let mut out = TextBuf::<512>::new();
        b.iter(|| {
            frames
                .iter()
                .map(|f| row(black_box(f), &mut out))
                .sum::<usize>()
        })
    });
    g.finish();
}

fn main() {
    let (warm, cold) = common::warm_and_cold();

    let mut c = Criterion::default()
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args();
    bench_group(&mut c, "warm", &warm, 30);
    if let Some(cold) = &cold {
        bench_group(&mut c, "cold", cold, 10);
    } else {
        eprintln!(
            "no bench-data/tiled.pcap: run `python3 scripts/make-tiled.py bench-data/tiled.pcap` for the cold set"
        );
    }
    c.final_summary();

    let mut table = String::new();
    let _ = writeln!(
        table,
        "\n{:<6} {:<12} {:>14} {:>18}",
        "set", "bench", "Mframes/s", "vs etherparse"
    );
    for (group, frames) in [("warm", Some(&warm)), ("cold", cold.as_ref())] {
        let Some(frames) = frames else { continue };
        let n = frames.ranges.len() as f64;
        let base = mean_ns(group, "etherparse");
        for bench in ["etherparse", "encap_walk", "encap_walk_into", "encap_row"] {
            let Some(ns) = mean_ns(group, bench) else {
                continue;
            };
            let ratio = base.map(|b| format!("{:.2}x", b / ns)).unwrap_or_default();
            let _ = writeln!(
                table,
                "{group:<6} {bench:<12} {:>14.2} {ratio:>18}",
                n / ns * 1e3
            );
        }
    }
    println!("{table}");
}
