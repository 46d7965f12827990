//! Frames for the benches: the Ethernet frames of captures/ and of the tiled file.
#![allow(
    dead_code,
    clippy::indexing_slicing,
    clippy::expect_used,
    clippy::unwrap_used
)]

use std::path::Path;

/// Frames as ranges into one buffer, so a million of them stay compact.
pub struct Frames {
    pub bytes: Vec<u8>,
    pub ranges: Vec<(usize, usize)>,
}

impl Frames {
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.ranges.iter().map(|&(a, b)| &self.bytes[a..b])
    }
}

/// Reads the Ethernet frames of little-endian classic pcap files.
pub fn load(paths: &[std::path::PathBuf]) -> Frames {
    let mut frames = Frames {
        bytes: Vec::new(),
        ranges: Vec::new(),
    };
    for path in paths {
        let data = std::fs::read(path).expect("read capture");
        if data.len() < 24 || data[..4] != [0xd4, 0xc3, 0xb2, 0xa1] || data[20] != 1 {
            continue;
        }
        let mut at = 24;
        while at + 16 <= data.len() {
            let incl = u32::from_le_bytes(data[at + 8..at + 12].try_into().unwrap()) as usize;
            let start = frames.bytes.len();
            frames
                .bytes
                .extend_from_slice(&data[at + 16..at + 16 + incl]);
            frames.ranges.push((start, frames.bytes.len()));
            at += 16 + incl;
        }
    }
    frames
}

/// The frames of captures/ ("warm") and of bench-data/tiled.pcap ("cold", if made).
pub fn warm_and_cold() -> (Frames, Option<Frames>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut paths: Vec<_> = std::fs::read_dir(root.join("captures"))
        .expect("captures/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap"))
        .collect();
    paths.sort();
    let warm = load(&paths);
    let tiled = root.join("bench-data/tiled.pcap");
    let cold = tiled.exists().then(|| load(&[tiled]));
    if cold.is_none() {
        eprintln!(
            "no bench-data/tiled.pcap: run `python3 scripts/make-tiled.py bench-data/tiled.pcap` for the cold set"
        );
    }
    (warm, cold)
}

/// The same frames visited in a fixed random order. In file order the
/// hardware prefetcher streams the next frames in while a walk reads this
/// one; in this order each frame's bytes are a cache miss of their own.
pub fn shuffled(frames: &Frames) -> Frames {
    let mut ranges = frames.ranges.clone();
    // Fisher-Yates with xorshift64: the same order on every run.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for i in (1..ranges.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        ranges.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    Frames {
        bytes: frames.bytes.clone(),
        ranges,
    }
}

/// criterion's mean time per iteration (ns), from its estimates file.
pub fn mean_ns(group: &str, bench: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../target")
            .to_string_lossy()
            .into_owned()
    });
    let path = Path::new(&dir).join(format!("criterion/{group}/{bench}/new/estimates.json"));
    let text = std::fs::read_to_string(path).ok()?;
    let mean = &text[text.find("\"mean\"")?..];
    let pe = &mean[mean.find("\"point_estimate\":")? + 17..];
    pe[..pe.find([',', '}'])?].trim().parse().ok()
}

/// The ratio time(`base`) / time(`ours`) of each of `rounds` rounds, in
/// which each runs `passes` times, one right after the other (which goes
/// first alternates). This machine's speed swings from minute to minute: a
/// ratio of two means measured seconds apart swings with it, while the two
/// halves of a round run under the same load.
pub fn paired_ratios(
    rounds: usize,
    passes: usize,
    mut base: impl FnMut() -> usize,
    mut ours: impl FnMut() -> usize,
) -> Vec<f64> {
    let time = |f: &mut dyn FnMut() -> usize| {
        let start = std::time::Instant::now();
        for _ in 0..passes {
            std::hint::black_box(f());
        }
        start.elapsed().as_secs_f64()
    };
    (0..rounds)
        .map(|round| {
            if round % 2 == 0 {
                let b = time(&mut base);
                b / time(&mut ours)
            } else {
                let o = time(&mut ours);
                time(&mut base) / o
            }
        })
        .collect()
}

/// The median and range of `ratios`, as "0.98x (0.95-1.01)".
pub fn median_and_range(mut ratios: Vec<f64>) -> String {
    ratios.sort_by(f64::total_cmp);
    match (ratios.first(), ratios.get(ratios.len() / 2), ratios.last()) {
        (Some(low), Some(median), Some(high)) => format!("{median:.2}x ({low:.2}-{high:.2})"),
        _ => String::new(),
    }
}
