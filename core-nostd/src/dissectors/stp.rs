//! STP fields and Info ("Conf. Root = 32768/0/02:…  Cost = 4  Port = 0x0280").

use core::fmt;

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::text::Sink;
use crate::wire::stp::{self, Bpdu};

fields! {
    PROTOCOL = "stp.protocol", "Protocol Identifier", HEX16;
    VERSION = "stp.version", "Protocol Version Identifier", DEC;
    TYPE = "stp.type", "BPDU Type", HEX8;
    FLAGS = "stp.flags", "BPDU flags", HEX8;
    ROOT_PRIO = "stp.root.prio", "Root Bridge Priority", DEC;
    ROOT_EXT = "stp.root.ext", "Root Bridge System ID Extension", DEC;
    ROOT_HW = "stp.root.hw", "Root Bridge System ID", MAC;
    ROOT_COST = "stp.root.cost", "Root Path Cost", DEC;
    BRIDGE_PRIO = "stp.bridge.prio", "Bridge Priority", DEC;
    BRIDGE_EXT = "stp.bridge.ext", "Bridge System ID Extension", DEC;
    BRIDGE_HW = "stp.bridge.hw", "Bridge System ID", MAC;
    PORT = "stp.port", "Port identifier", HEX16;
}

pub(crate) fn visit<'a, V: Visitor<'a>>(b: &Bpdu<'a>, e: &mut Emit<'_, V>) {
    e.uint(&hf::PROTOCOL, 0, 2, b.protocol_id());
    e.uint(&hf::VERSION, 2, 1, b.version());
    e.uint(&hf::TYPE, 3, 1, b.bpdu_type());
    if b.bpdu_type() == stp::TYPE_TCN {
        return;
    }
    e.uint(&hf::FLAGS, 4, 1, b.flags());
    let (prio, ext, mac) = b.root();
    e.uint(&hf::ROOT_PRIO, 5, 2, prio);
    e.uint(&hf::ROOT_EXT, 5, 2, ext);
    e.f(&hf::ROOT_HW, 7, 6, Value::Mac(mac));
    e.uint(&hf::ROOT_COST, 13, 4, b.root_cost());
    let (prio, ext, mac) = b.bridge();
    e.uint(&hf::BRIDGE_PRIO, 17, 2, prio);
    e.uint(&hf::BRIDGE_EXT, 17, 2, ext);
    e.f(&hf::BRIDGE_HW, 19, 6, Value::Mac(mac));
    e.uint(&hf::PORT, 25, 2, b.port_id());
}

pub(crate) fn info<W: Sink + ?Sized>(b: &Bpdu<'_>, w: &mut W) -> fmt::Result {
    let kind = match b.bpdu_type() {
        stp::TYPE_TCN => return w.write_str("Topology Change Notification"),
        stp::TYPE_RST => "RST",
        stp::TYPE_CONFIG => "Conf",
        _ => "Unknown BPDU type",
    };
    let (prio, ext, mac) = b.root();
    write!(
        w,
        "{kind}. Root = {prio}/{ext}/{mac}  Cost = {}  Port = 0x{:04x}",
        b.root_cost(),
        b.port_id()
    )
}
