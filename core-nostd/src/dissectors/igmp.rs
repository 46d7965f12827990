//! IGMP fields and Info ("Membership Report group 239.1.2.3").

use core::fmt;

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::text::Sink;
use crate::wire::igmp::{self, IgmpPacket};

fields! {
    VERSION = "igmp.version", "IGMP Version", DEC, generated;
    TYPE = "igmp.type", "Type", HEX8;
    MAX_RESP = "igmp.max_resp", "Max Resp Time", DEC;
    CHECKSUM = "igmp.checksum", "Checksum", HEX16;
    MADDR = "igmp.maddr", "Multicast Address", IPV4;
}

pub(crate) fn visit<'a, V: Visitor<'a>>(p: &IgmpPacket<'a>, e: &mut Emit<'_, V>) {
    e.uint(&hf::VERSION, 0, 0, p.version());
    e.uint(&hf::TYPE, 0, 1, p.msg_type());
    e.uint(&hf::MAX_RESP, 1, 1, p.max_resp());
    e.uint(&hf::CHECKSUM, 2, 2, p.checksum());
    if p.msg_type() != igmp::V3_REPORT {
        e.f(&hf::MADDR, 4, 4, Value::Ipv4(p.group()));
    }
}

pub(crate) fn write_protocol<W: Sink + ?Sized>(p: &IgmpPacket<'_>, w: &mut W) -> fmt::Result {
    write!(w, "IGMPv{}", p.version())
}

pub(crate) fn info<W: Sink + ?Sized>(p: &IgmpPacket<'_>, w: &mut W) -> fmt::Result {
    match p.msg_type() {
        igmp::MEMBERSHIP_QUERY if p.group().is_unspecified() => {
            w.write_str("Membership Query, general")
        }
        igmp::MEMBERSHIP_QUERY => {
            write!(w, "Membership Query, specific for group {}", p.group())
        }
        igmp::V1_REPORT | igmp::V2_REPORT => write!(w, "Membership Report group {}", p.group()),
        igmp::V2_LEAVE => write!(w, "Leave Group {}", p.group()),
        igmp::V3_REPORT => w.write_str("Membership Report"),
        t => write!(w, "Unknown Type:0x{t:02x}"),
    }
}
