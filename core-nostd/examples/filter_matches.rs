//! Prints which frames each filter matches in a classic pcap file: one line per
//! filter, `FILTER<TAB>1,4,9` or `FILTER<TAB>error: …`, then `stopped<TAB>…`,
//! the frames whose walk stopped early.
//!
//!     cargo run -p encap-core --example filter_matches -- FILTERS.txt CAPTURE.pcap
//!
//! `scripts/edge-filters.sh` runs it from the full build and from the edge build
//! (without `fields`) and holds the two to the same answers.

use std::process::ExitCode;

use encap_core::filter::Filter;
use encap_core::tracker::Tracker;
use encap_core::{Frame, LinkType, dissect};

/// A classic pcap's link type and its records as (original length, bytes).
type Records<'a> = (LinkType, Vec<(u32, &'a [u8])>);

/// Reads a classic pcap, either byte order.
fn read_pcap(bytes: &[u8]) -> Result<Records<'_>, String> {
    let word = |at: usize, big: bool| -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let big = match word(0, false) {
        Some(0xa1b2_c3d4 | 0xa1b2_3c4d) => false,
        Some(0xd4c3_b2a1 | 0x4d3c_b2a1) => true,
        _ => return Err("not a classic pcap file".into()),
    };
    let link = word(20, big).ok_or("the header is cut")?;
    let mut frames = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        let (Some(caplen), Some(orig)) = (word(at + 8, big), word(at + 12, big)) else {
            return Err(format!("a record header is cut at byte {at}"));
        };
        let start = at + 16;
        let data = bytes
            .get(start..start + caplen as usize)
            .ok_or_else(|| format!("a record is cut at byte {start}"))?;
        frames.push((orig, data));
        at = start + caplen as usize;
    }
    Ok((LinkType(link & 0x0fff_ffff), frames))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [filters, capture] = args.as_slice() else {
        eprintln!("usage: filter_matches FILTERS.txt CAPTURE.pcap");
        return ExitCode::FAILURE;
    };
    let filters = match std::fs::read_to_string(filters) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("filter_matches: {filters}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bytes = match std::fs::read(capture) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("filter_matches: {capture}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (link, frames) = match read_pcap(&bytes) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("filter_matches: {capture}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut dissections = Vec::new();
    let mut tracker = Box::<Tracker>::default();
    for (i, (orig_len, data)) in frames.iter().enumerate() {
        let mut frame = Frame::new(data, link);
        frame.orig_len = *orig_len;
        frame.number = i as u32 + 1;
        let mut d = dissect(frame);
        tracker.track(&mut d);
        dissections.push(d);
    }
    for text in filters.lines().filter(|l| !l.trim().is_empty()) {
        match Filter::compile(text) {
            Ok(f) => {
                let matched: Vec<String> = dissections
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| f.matches(d))
                    .map(|(i, _)| (i + 1).to_string())
                    .collect();
                println!("{text}\t{}", matched.join(","));
            }
            Err(e) => println!("{text}\terror: {e} (column {})", e.column()),
        }
    }
    let stopped: Vec<String> = dissections
        .iter()
        .enumerate()
        .filter(|(_, d)| d.stopped_by().is_some())
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    println!("stopped\t{}", stopped.join(","));
    ExitCode::SUCCESS
}
