//! ARP fields and Info ("Who has …? Tell …").

use core::fmt;

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use core::net::Ipv4Addr;

use crate::text::{Sink, write_ipv4, write_mac};
use crate::wire::arp::{self, ArpPacket};

fields! {
    HW_TYPE = "arp.hw.type", "Hardware type", DEC;
    PROTO_TYPE = "arp.proto.type", "Protocol type", HEX16;
    HW_SIZE = "arp.hw.size", "Hardware size", DEC;
    PROTO_SIZE = "arp.proto.size", "Protocol size", DEC;
    OPCODE = "arp.opcode", "Opcode", DEC, named(|v| crate::wire::arp::opcode_name(v as u16));
    SRC_HW_MAC = "arp.src.hw_mac", "Sender MAC address", MAC;
    SRC_PROTO_IPV4 = "arp.src.proto_ipv4", "Sender IP address", IPV4;
    DST_HW_MAC = "arp.dst.hw_mac", "Target MAC address", MAC;
    DST_PROTO_IPV4 = "arp.dst.proto_ipv4", "Target IP address", IPV4;
    SRC_HW = "arp.src.hw", "Sender hardware address", BYTES;
    SRC_PROTO = "arp.src.proto", "Sender protocol address", BYTES;
    DST_HW = "arp.dst.hw", "Target hardware address", BYTES;
    DST_PROTO = "arp.dst.proto", "Target protocol address", BYTES;
}

pub(crate) fn visit<'a, V: Visitor<'a>>(p: &ArpPacket<'a>, e: &mut Emit<'_, V>) {
    let (hlen, plen) = (usize::from(p.hardware_len()), usize::from(p.protocol_len()));
    e.uint(&hf::HW_TYPE, 0, 2, p.hardware_type());
    e.uint(&hf::PROTO_TYPE, 2, 2, p.protocol_type());
    e.uint(&hf::HW_SIZE, 4, 1, p.hardware_len());
    e.uint(&hf::PROTO_SIZE, 5, 1, p.protocol_len());
    e.uint(&hf::OPCODE, 6, 2, p.operation());
    let sha = 8;
    let spa = sha + hlen;
    let tha = spa + plen;
    let tpa = tha + hlen;
    match p.sender_mac() {
        Some(m) => e.f(&hf::SRC_HW_MAC, sha, 6, Value::Mac(m)),
        None => e.f(&hf::SRC_HW, sha, hlen, Value::Bytes(p.sender_hw())),
    }
    match p.sender_ipv4().filter(|_| p.is_ether_ipv4()) {
        Some(a) => e.f(&hf::SRC_PROTO_IPV4, spa, 4, Value::Ipv4(a)),
        None => e.f(&hf::SRC_PROTO, spa, plen, Value::Bytes(p.sender_proto())),
    }
    match p.target_mac() {
        Some(m) => e.f(&hf::DST_HW_MAC, tha, 6, Value::Mac(m)),
        None => e.f(&hf::DST_HW, tha, hlen, Value::Bytes(p.target_hw())),
    }
    match p.target_ipv4().filter(|_| p.is_ether_ipv4()) {
        Some(a) => e.f(&hf::DST_PROTO_IPV4, tpa, 4, Value::Ipv4(a)),
        None => e.f(&hf::DST_PROTO, tpa, plen, Value::Bytes(p.target_proto())),
    }
}

pub(crate) fn info<W: Sink + ?Sized>(p: &ArpPacket<'_>, w: &mut W) -> fmt::Result {
    let (Some(spa), Some(tpa), Some(sha)) = (p.sender_ipv4(), p.target_ipv4(), p.sender_mac())
    else {
        return match arp::opcode_name(p.operation()) {
            Some(name) => write!(w, "ARP {name}"),
            None => write!(w, "Unknown ARP opcode 0x{:04x}", p.operation()),
        };
    };
    let target_hw_zero = p.target_mac().is_some_and(|m| m.is_zero());
    let gratuitous = spa == tpa;
    // Text, an address, text.
    let mut say = |before: &str, addr: Ipv4Addr, after: &str| {
        w.write_str(before)?;
        write_ipv4(w, addr)?;
        w.write_str(after)
    };
    match p.operation() {
        arp::OP_REQUEST if gratuitous && target_hw_zero => say("ARP Announcement for ", tpa, ""),
        arp::OP_REQUEST if gratuitous => say("Gratuitous ARP for ", tpa, " (Request)"),
        arp::OP_REQUEST if spa.is_unspecified() && target_hw_zero => {
            say("Who has ", tpa, "? (ARP Probe)")
        }
        arp::OP_REQUEST => {
            say("Who has ", tpa, "? Tell ")?;
            write_ipv4(w, spa)
        }
        arp::OP_REPLY if gratuitous => say("Gratuitous ARP for ", spa, " (Reply)"),
        arp::OP_REPLY => {
            say("", spa, " is at ")?;
            write_mac(w, sha.0)
        }
        op => match arp::opcode_name(op) {
            Some(name) => write!(w, "ARP {name}"),
            None => write!(w, "Unknown ARP opcode 0x{op:04x}"),
        },
    }
}
