//! Wireshark's default colouring rules: the first rule whose filter matches
//! names the frame's colours (`frame.coloring_rule.name`).
//!
//! The rules are Wireshark's defaults (its `colorfilters` file, 20 rules), kept
//! here unmodified; rules about protocols encap does not dissect compile
//! leniently and simply never match.

use crate::dissect::Dissection;
use crate::filter::{Filter, FilterError, FirstMatch};

/// A colour as Wireshark stores it: 16 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb16(pub u16, pub u16, pub u16);

impl Rgb16 {
    /// 8 bits per channel, for a terminal's 24-bit colour.
    pub const fn to_rgb8(self) -> (u8, u8, u8) {
        (
            (self.0 >> 8) as u8,
            (self.1 >> 8) as u8,
            (self.2 >> 8) as u8,
        )
    }
}

/// One rule: its name, its filter text and its colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub name: &'static str,
    pub filter: &'static str,
    pub foreground: Rgb16,
    pub background: Rgb16,
}

const DARK: Rgb16 = Rgb16(4718, 10030, 11796);

/// In Wireshark's order: background first, then foreground.
const fn rule(name: &'static str, filter: &'static str, bg: Rgb16, fg: Rgb16) -> Rule {
    Rule {
        name,
        filter,
        foreground: fg,
        background: bg,
    }
}

/// Wireshark 4.0's default colouring rules, in order (first match wins).
pub static DEFAULT_RULES: [Rule; 20] = [
    rule(
        "Bad TCP",
        "tcp.analysis.flags && !tcp.analysis.window_update && !tcp.analysis.keep_alive && !tcp.analysis.keep_alive_ack",
        DARK,
        Rgb16(63479, 34695, 34695),
    ),
    rule(
        "HSRP State Change",
        "hsrp.state != 8 && hsrp.state != 16",
        DARK,
        Rgb16(65535, 64764, 40092),
    ),
    rule(
        "Spanning Tree Topology  Change",
        "stp.type == 0x80",
        DARK,
        Rgb16(65535, 64764, 40092),
    ),
    rule(
        "OSPF State Change",
        "ospf.msg != 1",
        DARK,
        Rgb16(65535, 64764, 40092),
    ),
    rule(
        "ICMP errors",
        "icmp.type in { 3..5, 11 } || icmpv6.type in { 1..4 }",
        DARK,
        Rgb16(47031, 63479, 29812),
    ),
    rule("ARP", "arp", Rgb16(64250, 61680, 55255), DARK),
    rule("ICMP", "icmp || icmpv6", Rgb16(64764, 57568, 65535), DARK),
    rule(
        "TCP RST",
        "tcp.flags.reset eq 1",
        Rgb16(42148, 0, 0),
        Rgb16(65535, 64764, 40092),
    ),
    rule(
        "SCTP ABORT",
        "sctp.chunk_type eq ABORT",
        Rgb16(42148, 0, 0),
        Rgb16(65535, 64764, 40092),
    ),
    rule(
        "TTL low or unexpected",
        "(ip.dst != 224.0.0.0/4 && ip.ttl < 5 && !pim && !ospf) || (ip.dst == 224.0.0.0/24 && ip.dst != 224.0.0.251 && ip.ttl != 1 && !(vrrp || carp))",
        Rgb16(42148, 0, 0),
        Rgb16(60652, 61680, 60395),
    ),
    rule(
        "Checksum Errors",
        "eth.fcs.status==\"Bad\" || ip.checksum.status==\"Bad\" || tcp.checksum.status==\"Bad\" || udp.checksum.status==\"Bad\" || sctp.checksum.status==\"Bad\" || mstp.checksum.status==\"Bad\" || cdp.checksum.status==\"Bad\" || edp.checksum.status==\"Bad\" || wlan.fcs.status==\"Bad\" || stt.checksum.status==\"Bad\"",
        DARK,
        Rgb16(63479, 34695, 34695),
    ),
    rule(
        "SMB",
        "smb || nbss || nbns || netbios",
        Rgb16(65278, 65535, 53456),
        DARK,
    ),
    rule(
        "HTTP",
        "http || tcp.port == 80 || http2",
        Rgb16(58596, 65535, 51143),
        DARK,
    ),
    rule("DCERPC", "dcerpc", Rgb16(51199, 38706, 65533), DARK),
    rule(
        "Routing",
        "hsrp || eigrp || ospf || bgp || cdp || vrrp || carp || gvrp || igmp || ismp",
        Rgb16(65534, 62325, 54808),
        DARK,
    ),
    rule(
        "TCP SYN/FIN",
        "tcp.flags & 0x02 || tcp.flags.fin == 1",
        Rgb16(41026, 41026, 41026),
        DARK,
    ),
    rule("TCP", "tcp", Rgb16(59345, 58980, 65535), DARK),
    rule("UDP", "udp", Rgb16(56026, 61166, 65535), DARK),
    rule(
        "Broadcast",
        "eth[0] & 1",
        Rgb16(65535, 65535, 65535),
        Rgb16(47802, 48573, 46774),
    ),
    rule(
        "System Event",
        "systemd_journal || sysdig",
        Rgb16(59110, 59110, 59110),
        Rgb16(11565, 28527, 39578),
    ),
];

/// The default rules, compiled (about 20 filters: keep it in one place, e.g. a `Box` or a static).
#[derive(Debug, Clone)]
pub struct Colouring {
    rules: FirstMatch<20>,
}

impl Colouring {
    /// Compiles every default rule; an error names the rule's filter problem.
    pub fn new() -> Result<Self, (&'static str, FilterError<'static>)> {
        let mut filters: [Filter; 20] = core::array::from_fn(|_| Filter::never());
        for (slot, rule) in filters.iter_mut().zip(DEFAULT_RULES.iter()) {
            *slot = Filter::compile_lenient(rule.filter).map_err(|e| (rule.name, e))?;
        }
        Ok(Colouring {
            rules: FirstMatch::new(filters),
        })
    }

    /// The field that names the rule (`frame.coloring_rule.name`).
    pub fn rule_name_field() -> &'static crate::field::FieldDef {
        &crate::dissectors::frame::hf::COLORING_RULE_NAME
    }

    /// The first matching rule, as Wireshark picks it.
    pub fn classify(&self, d: &Dissection<'_>) -> Option<&'static Rule> {
        self.rules.first(d).and_then(|i| DEFAULT_RULES.get(i))
    }
}

#[cfg(test)]
mod test {
    extern crate std;

    #[test]
    fn test_every_default_rule_compiles() {
        assert!(super::Colouring::new().is_ok());
    }

    /// Where Debian's wireshark-common is installed, the table is its file, unmodified.
    #[test]
    fn test_rules_match_wiresharks_file() {
        let Ok(text) = std::fs::read_to_string("/usr/share/wireshark/colorfilters") else {
            return;
        };
        let rules: std::vec::Vec<(&str, &str)> = text
            .lines()
            .filter(|l| l.starts_with('@'))
            .map(|l| {
                let mut parts = l.split('@');
                parts.next();
                (parts.next().unwrap(), parts.next().unwrap())
            })
            .collect();
        assert_eq!(rules.len(), super::DEFAULT_RULES.len());
        for ((name, filter), rule) in rules.iter().zip(super::DEFAULT_RULES.iter()) {
            assert_eq!(*name, rule.name);
            assert_eq!(*filter, rule.filter);
        }
    }
}
