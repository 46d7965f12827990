#![allow(clippy::indexing_slicing, clippy::expect_used, clippy::unwrap_used)]
//! Display filters and colouring against the plain walk, on the frames of captures/.
//!
//!     cargo bench -p encap-core --bench filter
//!
//! Reports compile time of the default colouring rules, then frames/s for the walk
//! alone and with a simple filter, a medium one and the whole colour rule set, and
//! the cost each adds to the walk.

mod common;

use std::fmt::Write as _;
use std::hint::black_box;

use common::mean_ns;
use criterion::{Criterion, Throughput};
use encap_core::colour::Colouring;
use encap_core::filter::Filter;
use encap_core::{Frame, LinkType, dissect_with};

const SIMPLE: &str = "tcp.port == 443";
const MEDIUM: &str = "dns.qry.name contains \"example\" || http.host == \"x\"";

fn main() {
    let (warm, _) = common::warm_and_cold();
    let frames = &warm;
    let n = frames.ranges.len() as u64;
    let simple = Filter::compile(SIMPLE).unwrap();
    let medium = Filter::compile(MEDIUM).unwrap();
    let colouring = Box::new(Colouring::new().unwrap());

    let mut c = Criterion::default()
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args();
    c.bench_function("colour_compile", |b| {
        b.iter(|| black_box(Colouring::new().is_ok()))
    });
    let mut g = c.benchmark_group("filter");
    g.throughput(Throughput::Elements(n));
    g.sample_size(30);
    g.bench_function("walk", |b| {
        b.iter(|| {
            frames
                .iter()
                .map(|f| {
                    dissect_with(Frame::new(black_box(f), LinkType::ETHERNET), |d| {
                        black_box(d).layer_count()
                    })
                })
                .sum::<usize>()
        })
    });
    for (name, filter) in [("simple", &simple), ("medium", &medium)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                frames
                    .iter()
                    .filter(|f| {
                        dissect_with(Frame::new(black_box(f), LinkType::ETHERNET), |d| {
                            filter.matches(d)
                        })
                    })
                    .count()
            })
        });
    }
    g.bench_function("colour", |b| {
        b.iter(|| {
            frames
                .iter()
                .filter_map(|f| {
                    dissect_with(Frame::new(black_box(f), LinkType::ETHERNET), |d| {
                        colouring.classify(d)
                    })
                })
                .count()
        })
    });
    g.finish();
    c.final_summary();

    let mut table = String::new();
    if let Some(ns) = mean_ns("colour_compile", "").or_else(|| mean_ns("colour_compile", "new")) {
        let _ = writeln!(
            table,
            "\ncompile the 20 default colour rules: {:.1} us",
            ns / 1e3
        );
    }
    let walk = mean_ns("filter", "walk");
    let _ = writeln!(
        table,
        "{:<8} {:>12} {:>16}",
        "bench", "Mframes/s", "added to walk"
    );
    for bench in ["walk", "simple", "medium", "colour"] {
        let Some(ns) = mean_ns("filter", bench) else {
            continue;
        };
        let added = walk
            .map(|w| format!("{:+.0}%", (ns / w - 1.0) * 100.0))
            .unwrap_or_default();
        let _ = writeln!(
            table,
            "{bench:<8} {:>12.2} {added:>16}",
            n as f64 / ns * 1e3
        );
    }
    println!("{table}");
}
