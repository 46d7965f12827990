//! IPv4 fields and the Info of fragments.

use core::fmt;

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::text::{Sink, write_dec, write_hex};
use crate::wire::Ipv4Packet;

fields! {
    VERSION = "ip.version", "Version", DEC;
    HDR_LEN = "ip.hdr_len", "Header Length", DEC;
    DSFIELD = "ip.dsfield", "Differentiated Services Field", HEX8;
    DSCP = "ip.dsfield.dscp", "Differentiated Services Codepoint", DEC;
    ECN = "ip.dsfield.ecn", "Explicit Congestion Notification", DEC;
    LEN = "ip.len", "Total Length", DEC;
    ID = "ip.id", "Identification", HEX16;
    FLAGS = "ip.flags", "Flags", HEX8;
    FLAGS_RB = "ip.flags.rb", "Reserved bit", BOOL;
    FLAGS_DF = "ip.flags.df", "Don't fragment", BOOL;
    FLAGS_MF = "ip.flags.mf", "More fragments", BOOL;
    FRAG_OFFSET = "ip.frag_offset", "Fragment Offset", DEC;
    TTL = "ip.ttl", "Time to Live", DEC;
    PROTO = "ip.proto", "Protocol", DEC, named(|v| crate::wire::IpProtocol(v as u8).name());
    CHECKSUM = "ip.checksum", "Header Checksum", HEX16;
    CHECKSUM_STATUS = "ip.checksum.status", "Header checksum status", DEC, vals(&CHECKSUM_STATUS_VALS);
    SRC = "ip.src", "Source Address", IPV4;
    ADDR = "ip.addr", "Source or Destination Address", IPV4;
    DST = "ip.dst", "Destination Address", IPV4;
    OPT_TYPE = "ip.opt.type", "Type", DEC;
    OPT_LEN = "ip.opt.len", "Length", DEC;
}

/// Wireshark's checksum status values.
pub(crate) const CHECKSUM_BAD: u64 = 0;
pub(crate) const CHECKSUM_GOOD: u64 = 1;
/// What tshark reports by default for IPv4, TCP and UDP: it does not verify them.
pub(crate) const CHECKSUM_UNVERIFIED: u64 = 2;
pub(crate) static CHECKSUM_STATUS_VALS: [(u64, &str); 5] = [
    (CHECKSUM_BAD, "Bad"),
    (CHECKSUM_GOOD, "Good"),
    (CHECKSUM_UNVERIFIED, "Unverified"),
    (3, "Not present"),
    (4, "Illegal"),
];

pub(crate) fn visit<'a, V: Visitor<'a>>(ip: &Ipv4Packet<'a>, e: &mut Emit<'_, V>) {
    e.uint(&hf::VERSION, 0, 1, ip.version());
    e.uint(&hf::HDR_LEN, 0, 1, ip.header_len() as u64);
    e.uint(&hf::DSFIELD, 1, 1, ip.dscp_ecn());
    e.uint(&hf::DSCP, 1, 1, ip.dscp_ecn() >> 2);
    e.uint(&hf::ECN, 1, 1, ip.dscp_ecn() & 3);
    e.uint(&hf::LEN, 2, 2, ip.total_len());
    e.uint(&hf::ID, 4, 2, ip.ident());
    e.uint(&hf::FLAGS, 6, 1, ip.flags());
    e.bool(&hf::FLAGS_RB, 6, 1, ip.flags() & 0b100 != 0);
    e.bool(&hf::FLAGS_DF, 6, 1, ip.dont_frag());
    e.bool(&hf::FLAGS_MF, 6, 1, ip.more_frags());
    // tshark shows the offset in 8-byte units, as on the wire.
    e.uint(&hf::FRAG_OFFSET, 6, 2, ip.frag_offset() / 8);
    e.uint(&hf::TTL, 8, 1, ip.ttl());
    e.uint(&hf::PROTO, 9, 1, ip.protocol().0);
    e.uint(&hf::CHECKSUM, 10, 2, ip.checksum());
    // Like tshark's default, the header checksum is not verified here (a bad one
    // is an expert note of the walk instead).
    e.uint(&hf::CHECKSUM_STATUS, 10, 2, CHECKSUM_UNVERIFIED);
    e.f(&hf::SRC, 12, 4, Value::Ipv4(ip.src_addr()));
    e.hidden(&hf::ADDR, 12, 4, Value::Ipv4(ip.src_addr()));
    e.f(&hf::DST, 16, 4, Value::Ipv4(ip.dst_addr()));
    e.hidden(&hf::ADDR, 16, 4, Value::Ipv4(ip.dst_addr()));
    let mut at = crate::wire::ipv4::HEADER_LEN;
    for opt in crate::wire::ipv4::OptionIter::new(ip.options(), crate::proto::Protocol::Ip)
        .map_while(Result::ok)
    {
        e.uint(&hf::OPT_TYPE, at, 1, opt.kind);
        let len = if opt.kind <= 1 { 1 } else { opt.data.len() + 2 };
        if opt.kind > 1 {
            e.uint(&hf::OPT_LEN, at + 1, 1, len as u64);
        }
        at += len;
    }
}

/// "Fragmented IP protocol (proto=ICMP 1, off=0, ID=0614)".
pub(crate) fn fragment_info<W: Sink + ?Sized>(ip: &Ipv4Packet<'_>, w: &mut W) -> fmt::Result {
    let proto = ip.protocol();
    w.write_str("Fragmented IP protocol (proto=")?;
    w.write_str(proto.name().unwrap_or("Unknown"))?;
    w.write_char(' ')?;
    write_dec(w, proto.0.into())?;
    w.write_str(", off=")?;
    write_dec(w, ip.frag_offset().into())?;
    w.write_str(", ID=")?;
    write_hex(w, ip.ident().into(), 4)?;
    w.write_char(')')
}
