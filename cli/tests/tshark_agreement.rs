//! The differential test: encap's fields against tshark's reading of every
//! capture in `captures/` (`NAME.tshark.tsv`, made by `captures/oracle.sh`).
//!
//! Every field and column must agree, except where a rule of
//! `captures/known-differences.txt` names the difference and says why.

mod common;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use common::Tsv;
use encap::capture::CaptureReader;
use encap::output::fields::{self, Collector, FieldsOptions, resolve};
use encap_core::tracker::Tracker;
use encap_core::{Frame, dissect};

/// Fields the core issue requires to match tshark 4.0.17.
const REQUIRED: &[&str] = &[
    "frame.number",
    "frame.len",
    "frame.cap_len",
    "frame.protocols",
    "eth.src",
    "eth.dst",
    "eth.type",
    "ieee8021ad.id",
    "vlan.id",
    "vlan.etype",
    "arp.opcode",
    "arp.src.proto_ipv4",
    "arp.dst.proto_ipv4",
    "ip.src",
    "ip.dst",
    "ip.proto",
    "ip.len",
    "ip.ttl",
    "ip.id",
    "ip.flags.mf",
    "ip.frag_offset",
    "ipv6.src",
    "ipv6.dst",
    "ipv6.nxt",
    "ipv6.plen",
    "icmp.type",
    "icmp.code",
    "icmpv6.type",
    "icmpv6.code",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.flags",
    "tcp.flags.str",
    "tcp.len",
    "udp.srcport",
    "udp.dstport",
    "udp.length",
    "dns.id",
    "dns.flags.response",
    "dns.qry.name",
    "dns.qry.type",
    "dns.flags.rcode",
    "dns.count.answers",
    "dns.a",
    "dns.aaaa",
    "dhcp.option.dhcp",
    "dhcp.ip.your",
    "dhcp.option.hostname",
    "dhcpv6.msgtype",
    "http.request.method",
    "http.request.uri",
    "http.host",
    "http.response.code",
    "tls.record.content_type",
    "tls.handshake.type",
    "tls.handshake.version",
    "tls.handshake.extensions_server_name",
    "tls.handshake.extensions_alpn_str",
    "_ws.malformed",
    "_ws.col.Protocol",
    "_ws.col.Info",
];

/// The rule that accepts this difference, if any.
fn explain(
    field: &str,
    tshark: &str,
    encap: &str,
    cx: &common::Frame<'_, '_>,
    rules: &BTreeMap<String, String>,
) -> Option<&'static str> {
    let on = |r: &str| rules.contains_key(r);
    let above_ip = !(field.starts_with("frame.number")
        || field.starts_with("frame.len")
        || field.starts_with("frame.cap_len")
        || field.starts_with("eth.")
        || field.starts_with("ip.")
        || field.starts_with("ipv6."));
    let app_field = above_ip && !(field.starts_with("tcp.") || field.starts_with("udp."));
    if on("ip-reassembly") && cx.is_last_fragment() && above_ip {
        return Some("ip-reassembly");
    }
    if on("tcp-reassembly") && cx.is_tcp_continuation() && app_field {
        return Some("tcp-reassembly");
    }
    if field == "frame.protocols"
        && on("x509-certificates")
        && let Some(rest) = tshark.strip_prefix(encap)
        && !rest.is_empty()
        && rest
            .split(':')
            .skip(1)
            .all(|p| p.starts_with("x509") || p.starts_with("pkcs"))
    {
        return Some("x509-certificates");
    }
    None
}

#[derive(Default)]
struct Tally {
    compared: u64,
    equal: u64,
    known: BTreeMap<&'static str, u64>,
    unexpected: Vec<String>,
}

fn compare_capture(pcap: &Path, tsv: &Path, rules: &BTreeMap<String, String>, tally: &mut Tally) {
    let oracle = Tsv::load(tsv);
    let (header, rows) = (&oracle.header, &oracle.rows);
    let known: Vec<String> = header
        .iter()
        .filter(|f| encap_core::field::registry::lookup(f).is_some())
        .cloned()
        .collect();
    let defs = resolve(&known).unwrap();
    let mut collector = Collector::new(defs);
    let opts = FieldsOptions::default();
    let mut reader = CaptureReader::open(BufReader::new(File::open(pcap).unwrap())).unwrap();
    let mut buf = Vec::new();
    let mut n = 0usize;
    let name = pcap.file_name().unwrap().to_string_lossy().to_string();
    let mut conversations = Box::<Tracker>::default();
    while let Some(meta) = reader.next_record(&mut buf).unwrap() {
        let row = rows
            .get(n)
            .unwrap_or_else(|| panic!("{name}: tshark has fewer rows"));
        n += 1;
        let mut d = dissect(Frame {
            data: &buf,
            orig_len: meta.orig_len,
            link_type: meta.link_type,
            number: n as u32,
            timestamp: meta.timestamp,
        });
        conversations.track(&mut d);
        collector.collect(&d);
        let cx = common::Frame {
            d: &d,
            tshark_protocols: oracle.get(n, "frame.protocols"),
            tshark_info: oracle.get(n, "_ws.col.Info"),
            tshark_protocol_col: oracle.get(n, "_ws.col.Protocol"),
        };
        for (i, field) in known.iter().enumerate() {
            let col = header.iter().position(|h| h == field).unwrap();
            let tshark = &row[col];
            let mut text = encap_fields::Text::new();
            fields::write_joined(&collector, i, &opts, &mut text);
            let ours = String::from(text);
            tally.compared += 1;
            if *tshark == ours {
                tally.equal += 1;
            } else if let Some(rule) = explain(field, tshark, &ours, &cx, rules) {
                *tally.known.entry(rule).or_default() += 1;
                // ENCAP_SHOW_KNOWN=rule prints what a rule explains.
                if std::env::var("ENCAP_SHOW_KNOWN").is_ok_and(|r| r == rule) {
                    println!("{rule}: {name} frame {n} {field}: tshark {tshark:?} encap {ours:?}");
                }
            } else {
                tally.unexpected.push(format!(
                    "{name} frame {n} {field}:\n    tshark: {tshark:?}\n    encap:  {ours:?}"
                ));
            }
        }
    }
    assert_eq!(
        n,
        rows.len(),
        "{name}: encap read {n} frames, tshark {}",
        rows.len()
    );
}

#[test]
fn every_field_agrees_with_tshark() {
    for f in REQUIRED {
        assert!(
            encap_core::field::registry::lookup(f).is_some(),
            "required field {f} is not in the registry"
        );
    }
    let rules = common::load_rules();
    let mut tally = Tally::default();
    let files = common::captures();
    assert!(files.len() >= 10, "expected the captures, found {files:?}");
    for pcap in &files {
        let tsv = pcap.with_extension("tshark.tsv");
        assert!(tsv.exists(), "{} has no tshark reading", pcap.display());
        compare_capture(pcap, &tsv, &rules, &mut tally);
    }
    let differing = tally.compared - tally.equal;
    println!(
        "tshark agreement: {} captures, {} values compared, {} identical ({:.2}%), {} known differences, {} unexpected",
        files.len(),
        tally.compared,
        tally.equal,
        tally.equal as f64 * 100.0 / tally.compared as f64,
        differing - tally.unexpected.len() as u64,
        tally.unexpected.len()
    );
    for (rule, count) in &tally.known {
        println!("  known difference {rule}: {count}");
    }
    if !tally.unexpected.is_empty() {
        let shown: Vec<&String> = tally.unexpected.iter().take(400).collect();
        panic!(
            "{} values differ from tshark:\n{}",
            tally.unexpected.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    for name in rules.keys() {
        assert!(
            tally.known.contains_key(name.as_str()),
            "rule {name} in known-differences.txt explains nothing: remove it"
        );
    }
}
