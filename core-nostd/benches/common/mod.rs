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
