#![allow(clippy::indexing_slicing, clippy::expect_used, clippy::unwrap_used)]
//! encap's walk against etherparse's L2–L4 slicing, on the same Ethernet frames.
//!
//!     cargo bench -p encap-core
//!
//! "warm": the frames of captures/ (a few hundred, cache-resident).
//! "cold": bench-data/tiled.pcap, 1M frames (~180 MB), made by
//!         `python3 scripts/make-tiled.py bench-data/tiled.pcap`; skipped if absent.
//!         Read in file order, as a capture is: the hardware prefetcher
//!         streams the next frames in while a walk reads this one.
//! "cold_random": the same frames in a fixed random order, so that each
//!         frame is a cache miss of its own.
//! After criterion's report, a table gives frames/s and the ratio of
//! criterion's means to etherparse's, then the ratio again from paired
//! rounds (etherparse and encap timed back to back, median and range): the
//! machine's speed swings between criterion's benches, less within a round.
//!
//! Each bench is one pass over the frames in a function of its own, which
//! criterion and the paired rounds both call: the same machine code in
//! both, however the compiler inlines around them.

use std::fmt::Write as _;
use std::hint::black_box;

mod common;

use common::{Frames, mean_ns, median_and_range, paired_ratios};
use criterion::{Criterion, Throughput};
use encap_core::field::Computed;
use encap_core::text::TextBuf;
use encap_core::{Dissection, Frame, LinkType, dissect, dissect_into};

#[inline(never)]
fn pass_etherparse(frames: &Frames) -> usize {
    // black_box keeps the whole result, as for encap's walk.
    frames
        .iter()
        .filter(|f| black_box(&etherparse::SlicedPacket::from_ethernet(black_box(f))).is_ok())
        .count()
}

/// The walk, its result returned by value.
#[inline(never)]
fn pass_walk(frames: &Frames) -> usize {
    frames
        .iter()
        .map(|f| {
            let d = dissect(Frame::new(black_box(f), LinkType::ETHERNET));
            // black_box keeps every layer stored, as a caller that reads them needs.
            black_box(&d).layer_count()
        })
        .sum()
}

/// The walk into one reused dissection.
#[inline(never)]
fn pass_walk_into<'f>(frames: &'f Frames, d: &mut Dissection<'f>) -> usize {
    frames
        .iter()
        .map(|f| {
            dissect_into(Frame::new(black_box(f), LinkType::ETHERNET), d);
            black_box(&*d).layer_count()
        })
        .sum()
}

/// The walk plus the packet-list row: source, destination, protocol and info text.
#[inline(never)]
fn pass_row(frames: &Frames, out: &mut TextBuf<512>) -> usize {
    frames
        .iter()
        .map(|f| {
            let d = dissect(Frame::new(black_box(f), LinkType::ETHERNET));
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
        })
        .sum()
}

const BENCHES: [&str; 4] = ["etherparse", "encap_walk", "encap_walk_into", "encap_row"];

/// A pass of the named bench, with the storage it reuses.
fn pass_of<'f>(bench: &str, frames: &'f Frames) -> Box<dyn FnMut() -> usize + 'f> {
    let first = frames.iter().next().unwrap_or(&[]);
    match bench {
        "etherparse" => Box::new(move || pass_etherparse(frames)),
        "encap_walk" => Box::new(move || pass_walk(frames)),
        "encap_walk_into" => {
            let mut d = dissect(Frame::new(first, LinkType::ETHERNET));
            Box::new(move || pass_walk_into(frames, &mut d))
        }
        _ => {
            let mut out = TextBuf::<512>::new();
            Box::new(move || pass_row(frames, &mut out))
        }
    }
}

fn bench_group(c: &mut Criterion, name: &str, frames: &Frames, samples: usize) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(frames.ranges.len() as u64));
    g.sample_size(samples);
    for bench in BENCHES {
        let mut pass = pass_of(bench, frames);
        g.bench_function(bench, |b| b.iter(&mut pass));
    }
    g.finish();
}

fn main() {
    let (warm, cold) = common::warm_and_cold();

    let mut c = Criterion::default()
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args();
    bench_group(&mut c, "warm", &warm, 30);
    let cold_random = cold.as_ref().map(common::shuffled);
    if let Some(cold) = &cold {
        bench_group(&mut c, "cold", cold, 10);
    }
    if let Some(cold_random) = &cold_random {
        bench_group(&mut c, "cold_random", cold_random, 10);
    }
    c.final_summary();

    let mut table = String::new();
    let _ = writeln!(
        table,
        "\n{:<11} {:<16} {:>10} {:>14} {:>22}",
        "set", "bench", "Mframes/s", "vs etherparse", "paired rounds"
    );
    for (group, frames) in [
        ("warm", Some(&warm)),
        ("cold", cold.as_ref()),
        ("cold_random", cold_random.as_ref()),
    ] {
        let Some(frames) = frames else { continue };
        let n = frames.ranges.len() as f64;
        let base = mean_ns(group, "etherparse");
        // A warm half-round runs ~15 ms of walks; a cold one, one pass.
        let (rounds, passes): (usize, usize) = if group == "warm" { (21, 2000) } else { (11, 1) };
        for bench in BENCHES {
            let Some(ns) = mean_ns(group, bench) else {
                continue;
            };
            let ratio = base.map(|b| format!("{:.2}x", b / ns)).unwrap_or_default();
            // A row costs about ten walks.
            let passes = if bench == "encap_row" {
                passes.div_ceil(10)
            } else {
                passes
            };
            let paired = match bench {
                "etherparse" => String::new(),
                _ => median_and_range(paired_ratios(
                    rounds,
                    passes,
                    pass_of("etherparse", frames),
                    pass_of(bench, frames),
                )),
            };
            let _ = writeln!(
                table,
                "{group:<11} {bench:<16} {:>10.2} {ratio:>14} {paired:>22}",
                n / ns * 1e3
            );
        }
    }
    println!("{table}");
}
