//! What the differential tests share: tshark's reading of a capture, and the
//! frame-level predicates behind the rules of `captures/known-differences.txt`.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use encap_core::Protocol;
use encap_core::dissect::{Dissection, View};
use encap_core::tracker::Tracker;

pub fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../captures")
}

/// Calls `f` with every record of every capture of `captures/`: the file,
/// the record's number in it (from 1), its metadata, its bytes, and the
/// capture's conversation table.
pub fn each_record(
    mut f: impl FnMut(&Path, u32, &encap::capture::RecordMeta, &[u8], &mut Tracker),
) {
    for pcap in captures() {
        let mut conversations = Box::<Tracker>::default();
        let file = std::io::BufReader::new(fs::File::open(&pcap).unwrap());
        let mut reader = encap::capture::CaptureReader::open(file).unwrap();
        let mut buf = Vec::new();
        let mut n = 0u32;
        while let Some(meta) = reader.next_record(&mut buf).unwrap() {
            n += 1;
            f(&pcap, n, &meta, &buf, &mut conversations);
        }
    }
}

/// Every capture of `captures/`, sorted.
pub fn captures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(captures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            )
        })
        .collect();
    files.sort();
    files
}

/// The rules of `known-differences.txt`: name → reason.
pub fn load_rules() -> BTreeMap<String, String> {
    let text = fs::read_to_string(captures_dir().join("known-differences.txt"))
        .expect("captures/known-differences.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, reason) = l.split_once(':').expect("rule: name: reason");
            assert!(!reason.trim().is_empty(), "rule {name} has no reason");
            (name.trim().to_string(), reason.trim().to_string())
        })
        .collect()
}

/// tshark's TSV: the header's field names and one row per frame.
pub struct Tsv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Tsv {
    pub fn load(path: &Path) -> Tsv {
        let text = fs::read_to_string(path).unwrap();
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap()
            .split('\t')
            .map(String::from)
            .collect();
        let rows = lines
            .map(|l| {
                let mut r: Vec<String> = l.split('\t').map(String::from).collect();
                r.resize(header.len(), String::new());
                r
            })
            .collect();
        Tsv { header, rows }
    }

    pub fn column(&self, field: &str) -> usize {
        self.header.iter().position(|h| h == field).unwrap()
    }

    /// tshark's value of `field` for 1-based frame `n`.
    pub fn get(&self, n: usize, field: &str) -> &str {
        let col = self.column(field);
        self.rows.get(n - 1).map(|r| r[col].as_str()).unwrap_or("")
    }
}

/// One frame seen by both: encap's dissection and tshark's row.
pub struct Frame<'d, 'a> {
    pub d: &'d Dissection<'a>,
    pub tshark_protocols: &'d str,
    pub tshark_info: &'d str,
    pub tshark_protocol_col: &'d str,
}

impl Frame<'_, '_> {
    /// The last fragment of an IP datagram: tshark shows it reassembled.
    pub fn is_last_fragment(&self) -> bool {
        self.d.layers().any(|l| match l.view {
            View::Ipv4(ip) => !ip.more_frags() && ip.frag_offset() != 0,
            View::Ipv6Ext(x) => {
                x.protocol() == Protocol::Ipv6Fragment && !x.more_frags() && x.frag_offset() != 0
            }
            _ => false,
        })
    }

    /// A TCP payload encap cannot place without earlier segments.
    pub fn is_tcp_continuation(&self) -> bool {
        self.d.has(Protocol::Tcp)
            && self.d.layers().any(|l| match l.view {
                View::HttpContinuation(_) => true,
                View::Tls(data) => !encap_core::wire::tls::looks_like_record(data),
                _ => false,
            })
    }
}
