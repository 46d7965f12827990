//! IPv6 and extension header fields; the Info of fragments.

use core::fmt;

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::proto::Protocol;
use crate::text::{Sink, write_dec, write_hex};
use crate::wire::Ipv6Packet;
use crate::wire::ipv6::ExtHeader;

fields! {
    VERSION = "ipv6.version", "Version", DEC;
    TCLASS = "ipv6.tclass", "Traffic Class", HEX8;
    FLOW = "ipv6.flow", "Flow Label", FieldKind::Uint(Base::Hex(5));
    PLEN = "ipv6.plen", "Payload Length", DEC;
    NXT = "ipv6.nxt", "Next Header", DEC, named(|v| crate::wire::IpProtocol(v as u8).name());
    HLIM = "ipv6.hlim", "Hop Limit", DEC;
    SRC = "ipv6.src", "Source Address", IPV6;
    ADDR = "ipv6.addr", "Source or Destination Address", IPV6;
    DST = "ipv6.dst", "Destination Address", IPV6;
    HOPOPTS_NXT = "ipv6.hopopts.nxt", "Next Header", DEC;
    HOPOPTS_LEN = "ipv6.hopopts.len", "Length", DEC;
    ROUTING_NXT = "ipv6.routing.nxt", "Next Header", DEC;
    ROUTING_LEN = "ipv6.routing.len", "Length", DEC;
    ROUTING_TYPE = "ipv6.routing.type", "Type", DEC;
    ROUTING_SEGLEFT = "ipv6.routing.segleft", "Segments Left", DEC;
    FRAGHDR_NXT = "ipv6.fraghdr.nxt", "Next header", DEC;
    FRAGHDR_OFFSET = "ipv6.fraghdr.offset", "Offset", DEC;
    FRAGHDR_MORE = "ipv6.fraghdr.more", "More Fragments", BOOL;
    FRAGHDR_IDENT = "ipv6.fraghdr.ident", "Identification", HEX32;
    DSTOPTS_NXT = "ipv6.dstopts.nxt", "Next Header", DEC;
    DSTOPTS_LEN = "ipv6.dstopts.len", "Length", DEC;
}

pub(crate) fn visit<'a, V: Visitor<'a>>(ip: &Ipv6Packet<'a>, e: &mut Emit<'_, V>) {
    e.uint(&hf::VERSION, 0, 1, 6u8);
    e.uint(&hf::TCLASS, 0, 2, ip.traffic_class());
    e.uint(&hf::FLOW, 1, 3, ip.flow_label());
    e.uint(&hf::PLEN, 4, 2, ip.payload_len());
    e.uint(&hf::NXT, 6, 1, ip.next_header().0);
    e.uint(&hf::HLIM, 7, 1, ip.hop_limit());
    e.f(&hf::SRC, 8, 16, Value::Ipv6(ip.src_addr()));
    e.hidden(&hf::ADDR, 8, 16, Value::Ipv6(ip.src_addr()));
    e.f(&hf::DST, 24, 16, Value::Ipv6(ip.dst_addr()));
    e.hidden(&hf::ADDR, 24, 16, Value::Ipv6(ip.dst_addr()));
}

pub(crate) fn visit_ext<'a, V: Visitor<'a>>(ext: &ExtHeader<'a>, e: &mut Emit<'_, V>) {
    let nxt = ext.next_header().0;
    // The length field counts 8-byte units beyond the first.
    let units = (ext.len() / 8).saturating_sub(1) as u64;
    match ext.protocol() {
        Protocol::Ipv6HopOpts => {
            e.uint(&hf::HOPOPTS_NXT, 0, 1, nxt);
            e.uint(&hf::HOPOPTS_LEN, 1, 1, units);
        }
        Protocol::Ipv6Routing => {
            e.uint(&hf::ROUTING_NXT, 0, 1, nxt);
            e.uint(&hf::ROUTING_LEN, 1, 1, units);
            e.uint(&hf::ROUTING_TYPE, 2, 1, ext.routing_type());
            e.uint(&hf::ROUTING_SEGLEFT, 3, 1, ext.segments_left());
        }
        Protocol::Ipv6Fragment => {
            e.uint(&hf::FRAGHDR_NXT, 0, 1, nxt);
            e.uint(&hf::FRAGHDR_OFFSET, 2, 2, ext.frag_offset() / 8);
            e.bool(&hf::FRAGHDR_MORE, 3, 1, ext.more_frags());
            e.uint(&hf::FRAGHDR_IDENT, 4, 4, ext.frag_ident());
        }
        _ => {
            e.uint(&hf::DSTOPTS_NXT, 0, 1, nxt);
            e.uint(&hf::DSTOPTS_LEN, 1, 1, units);
        }
    }
}

/// "IPv6 fragment (off=0 more=y ident=0x0a3bb2e2 nxt=58)".
pub(crate) fn fragment_info<W: Sink + ?Sized>(ext: &ExtHeader<'_>, w: &mut W) -> fmt::Result {
    w.write_str("IPv6 fragment (off=")?;
    write_dec(w, ext.frag_offset().into())?;
    w.write_str(if ext.more_frags() {
        " more=y"
    } else {
        " more=n"
    })?;
    w.write_str(" ident=0x")?;
    write_hex(w, ext.frag_ident().into(), 8)?;
    w.write_str(" nxt=")?;
    write_dec(w, ext.next_header().0.into())?;
    w.write_char(')')
}
