extern crate std;

use std::string::ToString;
use std::vec::Vec;

use super::*;
use crate::{Frame, LinkType, dissect};

/// Ethernet + IPv4 (192.0.2.1 → 198.51.100.2, TTL 64) + `l4` with protocol `proto`.
pub(crate) fn ipv4_frame(proto: u8, l4: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
    let total = (20 + l4.len()) as u16;
    f.extend_from_slice(&[
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0x12,
        0x34,
        0x40,
        0,
        64,
        proto,
        0,
        0,
    ]);
    f.extend_from_slice(&[192, 0, 2, 1, 198, 51, 100, 2]);
    f.extend_from_slice(l4);
    f
}

fn dns_query() -> Vec<u8> {
    let mut dns = std::vec![0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in ["www", "example", "test"] {
        dns.push(label.len() as u8);
        dns.extend_from_slice(label.as_bytes());
    }
    dns.extend_from_slice(&[0, 0, 1, 0, 1]);
    let len = (8 + dns.len()) as u16;
    let mut udp = std::vec![0x9c, 0x40, 0, 53, (len >> 8) as u8, len as u8, 0, 0];
    udp.extend_from_slice(&dns);
    ipv4_frame(17, &udp)
}

fn tcp_syn() -> Vec<u8> {
    let tcp = [
        0xc3, 0x50, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
    ];
    ipv4_frame(6, &tcp)
}

fn m(filter: &str, frame: &[u8]) -> bool {
    let f = Filter::compile(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
    f.matches(&dissect(Frame::new(frame, LinkType::ETHERNET)))
}

#[test]
fn test_protocols_and_fields() {
    let dns = dns_query();
    let syn = tcp_syn();
    assert!(m("dns", &dns));
    assert!(!m("dns", &syn));
    assert!(m("udp && !tcp", &dns));
    assert!(m("tcp.port == 443", &syn));
    assert!(m("tcp.dstport eq 443 and tcp.srcport == 50000", &syn));
    assert!(m("tcp.flags & 0x02", &syn));
    assert!(!m("tcp.flags & 0x10", &syn));
    assert!(m("dns.qry.name == \"www.example.test\"", &dns));
    assert!(m(
        "dns.qry.name contains \"example\" || http.host == \"x\"",
        &dns
    ));
    assert!(!m("dns.qry.name contains \"exampel\"", &dns));
    assert!(m("ip.ttl > 10 && ip.ttl <= 64", &dns));
    assert!(m("udp.port in { 53, 5353 }", &dns));
    assert!(m("ip.proto in { 1..6 }", &syn));
    assert!(!m("ip.proto in { 7..16 }", &syn));
}

#[test]
fn test_addresses_and_slices() {
    let dns = dns_query();
    assert!(m("ip.addr == 192.0.2.0/24", &dns));
    assert!(m("ip.dst == 198.51.100.2", &dns));
    assert!(!m("ip.dst == 198.51.100.3", &dns));
    // `!=` holds only when every occurrence differs (ip.addr has both ends).
    assert!(!m("ip.addr != 192.0.2.1", &dns));
    assert!(m("ip.src != 10.0.0.0/8", &dns));
    assert!(m("eth.dst == 02:00:00:00:00:02", &dns));
    assert!(!m("eth[0] & 1", &dns));
    assert!(m("ip.src[0:2] == c0:00", &dns));
    assert!(m("ip.src[0] == c0", &dns));
    assert!(m("eth[12:2] == 08:00", &dns));
}

#[test]
fn test_absent_fields_are_false() {
    let syn = tcp_syn();
    assert!(!m("udp.port == 53", &syn));
    assert!(!m("udp.port != 53", &syn));
    assert!(m("!(udp.port == 53)", &syn));
}

#[test]
fn test_errors_say_what_and_where() {
    let e = Filter::compile("ip.srcx == 1.2.3.4").unwrap_err();
    assert_eq!(
        e.to_string(),
        "\"ip.srcx\" is neither a field nor a protocol name (column 1)"
    );
    let e = Filter::compile("tcp && smb").unwrap_err();
    assert!(
        e.to_string()
            .contains("encap does not dissect it (column 8)"),
        "{e}"
    );
    let e = Filter::compile("ip.src == example.com").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("\"example.com\" is not an IPv4 address"),
        "{e}"
    );
    assert!(Filter::compile("tcp.port ==").is_err());
    assert!(Filter::compile("(tcp").is_err());
    assert!(Filter::compile("").is_err());
    assert!(Filter::compile("tcp udp").is_err());
    assert!(Filter::compile("http.host matches \"x\"").is_err());
    assert!(Filter::compile("tcp == 1").is_err());
}

#[test]
fn test_limits_are_errors_not_truncation() {
    let mut long = std::string::String::from("tcp");
    for _ in 0..MAX_NODES {
        long.push_str(" || udp");
    }
    let e = Filter::compile(&long).unwrap_err();
    assert!(matches!(e.kind, FilterErrorKind::TooManyTerms));
    let deep = "(".repeat(MAX_DEPTH + 1) + "tcp" + &")".repeat(MAX_DEPTH + 1);
    assert!(matches!(
        Filter::compile(&deep).unwrap_err().kind,
        FilterErrorKind::TooDeep
    ));
}

#[test]
fn test_lenient_compiles_unknown_protocols_as_never() {
    let syn = tcp_syn();
    let f = Filter::compile_lenient("smb || nbss || tcp.port == 443").unwrap();
    assert!(f.matches(&dissect(Frame::new(&syn, LinkType::ETHERNET))));
    let f = Filter::compile_lenient("sctp.chunk_type eq ABORT").unwrap();
    assert!(!f.matches(&dissect(Frame::new(&syn, LinkType::ETHERNET))));
}

#[test]
fn test_size_stays_small() {
    // A filter lives on a board's heap or in a watcher's state: keep it a few KiB
    // (its nodes, its sets, and each test compiled for the fast path).
    assert!(
        core::mem::size_of::<Filter>() <= 5 * 1024,
        "{}",
        core::mem::size_of::<Filter>()
    );
}

#[test]
fn filters_that_need_the_whole_capture_say_so() {
    for text in [
        "tcp.stream == 1",
        "tcp.analysis.flags",
        "dns && tcp.seq == 1",
        "frame.cap_len < 100",
        "frame.coloring_rule.name == \"TCP\"",
        "icmp.resp_to",
    ] {
        assert!(Filter::compile(text).unwrap().reads_history(), "{text}");
    }
    for text in [
        "tcp.port == 443",
        "dns.qry.name contains \"x\"",
        "ip.addr == 10.0.0.0/8",
        "tcp",
        // The agent numbers frames as the service does.
        "frame.number > 3",
        "icmp && frame.len == 119",
    ] {
        assert!(!Filter::compile(text).unwrap().reads_history(), "{text}");
    }
}

/// The colour rules and nested filters (`!`, `not`, terms that never match,
/// parentheses, a test repeated) that compiled forms are held to the forward
/// pass on.
pub(super) fn nested_filters() -> Vec<&'static str> {
    let mut filters: Vec<&str> = crate::colour::DEFAULT_RULES
        .iter()
        .map(|r| r.filter)
        .collect();
    filters.extend([
        "tcp",
        "!tcp",
        "not not tcp",
        "tcp && !tcp",
        "tcp && udp || arp && !icmp",
        "!(tcp || udp) && (arp || !dns)",
        "not (tcp and not udp) or (arp and !(icmp or dns))",
        "smb || tcp && !nbss",
        "!(smb && tcp) || !(nbss || udp)",
        "((tcp || udp) && (ip || ipv6)) || !((arp && dns) || (icmp && !tls))",
        "ip.checksum.status == \"Bad\" || tcp",
        "tcp.port == 80 && (ip.ttl < 5 || !(ip.dst == 224.0.0.0/4)) && !(udp || dns)",
        "ip.ttl < 5 || ip.ttl < 5 && !(ip.ttl < 5)",
        "!(tcp.flags.syn == 1 && tcp.analysis.flags) && !(dns.qry.name contains \"x\")",
        "eth[0] & 1 && !(icmp.type in { 3..5, 11 })",
    ]);
    filters
}

/// The decision graph answers as the forward pass does for every combination
/// of test results, visits each test at most once and only jumps forward.
#[test]
fn decision_graph_agrees_with_the_forward_pass() {
    for text in nested_filters() {
        let f = Filter::compile_lenient(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let jumps = f.jumps.unwrap_or_else(|| panic!("{text}: no graph"));
        let tests: Vec<usize> = (0..f.len)
            .filter(|&i| matches!(f.nodes[i], Node::Test { .. }))
            .collect();
        for combo in 0u32..(1 << tests.len()) {
            let truths = tests
                .iter()
                .enumerate()
                .filter(|(k, _)| combo >> k & 1 == 1)
                .fold(0u64, |acc, (_, &i)| acc | 1 << i);
            let mut at = jumps.entry;
            let mut last = None;
            while at != jump::ACCEPT && at != jump::REJECT {
                let i = usize::from(at);
                assert!(last.is_none_or(|l| i > l), "{text}: jumps back to {i}");
                assert!(tests.contains(&i), "{text}: lands on node {i}, not a test");
                last = Some(i);
                at = if truths >> i & 1 == 1 {
                    jumps.on_true[i]
                } else {
                    jumps.on_false[i]
                };
            }
            let expected = f.eval(f.root, &eval::State::with_truths(truths));
            assert_eq!(at == jump::ACCEPT, expected, "{text}: tests {truths:#b}");
        }
    }
}

#[test]
fn checksum_status_tests_encap_never_fails_fold_away() {
    // encap does not verify checksums: their status is always 2 ("Unverified").
    let f = Filter::compile("ip.checksum.status == \"Bad\"").unwrap();
    assert!(matches!(f.nodes[0], Node::Never));
    assert!(!m("ip.checksum.status == \"Bad\"", &tcp_syn()));
    // A test the status can pass keeps reading the frame.
    assert!(m("ip.checksum.status == 2", &tcp_syn()));
    assert!(m("ip.checksum.status != 1", &tcp_syn()));
    assert!(!m("udp.checksum.status == 2", &tcp_syn()));
}
