//! DHCP fields and Info ("DHCP Discover - Transaction ID 0x30d3a654").

use core::fmt;

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::text::Sink;
use crate::wire::dhcp::{self, DhcpPacket};

fields! {
    TYPE = "dhcp.type", "Message type", DEC;
    HW_TYPE = "dhcp.hw.type", "Hardware type", HEX8;
    HW_LEN = "dhcp.hw.len", "Hardware address length", DEC;
    HOPS = "dhcp.hops", "Hops", DEC;
    ID = "dhcp.id", "Transaction ID", HEX32;
    SECS = "dhcp.secs", "Seconds elapsed", DEC;
    FLAGS = "dhcp.flags", "Bootp flags", HEX16;
    IP_CLIENT = "dhcp.ip.client", "Client IP address", IPV4;
    IP_YOUR = "dhcp.ip.your", "Your (client) IP address", IPV4;
    IP_SERVER = "dhcp.ip.server", "Next server IP address", IPV4;
    IP_RELAY = "dhcp.ip.relay", "Relay agent IP address", IPV4;
    HW_MAC_ADDR = "dhcp.hw.mac_addr", "Client MAC address", MAC;
    COOKIE = "dhcp.cookie", "Magic cookie", IPV4;
    OPTION_TYPE = "dhcp.option.type", "Option", DEC;
    OPTION_LENGTH = "dhcp.option.length", "Length", DEC;
    OPTION_DHCP = "dhcp.option.dhcp", "DHCP", DEC, named(|v| crate::wire::dhcp::message_type_name(v as u8));
    OPTION_HOSTNAME = "dhcp.option.hostname", "Host Name", STR;
    OPTION_REQUESTED_IP = "dhcp.option.requested_ip_address", "Requested IP Address", IPV4;
    OPTION_SERVER_ID = "dhcp.option.dhcp_server_id", "DHCP Server Identifier", IPV4;
}

pub(crate) fn visit<'a, V: Visitor<'a>>(p: &DhcpPacket<'a>, e: &mut Emit<'_, V>) {
    e.uint(&hf::TYPE, 0, 1, p.op());
    e.uint(&hf::HW_TYPE, 1, 1, p.htype());
    e.uint(&hf::HW_LEN, 2, 1, p.hlen());
    e.uint(&hf::HOPS, 3, 1, p.hops());
    e.uint(&hf::ID, 4, 4, p.xid());
    e.uint(&hf::SECS, 8, 2, p.secs());
    e.uint(&hf::FLAGS, 10, 2, p.flags());
    e.f(&hf::IP_CLIENT, 12, 4, Value::Ipv4(p.ciaddr()));
    e.f(&hf::IP_YOUR, 16, 4, Value::Ipv4(p.yiaddr()));
    e.f(&hf::IP_SERVER, 20, 4, Value::Ipv4(p.siaddr()));
    e.f(&hf::IP_RELAY, 24, 4, Value::Ipv4(p.giaddr()));
    if p.htype() == 1 && p.hlen() == 6 {
        e.f(&hf::HW_MAC_ADDR, 28, 6, Value::Mac(p.client_mac()));
    }
    if !p.has_cookie() {
        return;
    }
    e.f(
        &hf::COOKIE,
        236,
        4,
        Value::Ipv4(core::net::Ipv4Addr::new(99, 130, 83, 99)),
    );
    for opt in p.options().map_while(Result::ok) {
        let at = opt.offset;
        e.uint(&hf::OPTION_TYPE, at, 1, opt.code);
        if opt.code == dhcp::OPT_END {
            continue;
        }
        e.uint(&hf::OPTION_LENGTH, at + 1, 1, opt.data.len() as u64);
        let ipv4 = <[u8; 4]>::try_from(opt.data)
            .ok()
            .map(core::net::Ipv4Addr::from);
        match (opt.code, opt.data, ipv4) {
            (dhcp::OPT_MESSAGE_TYPE, [t], _) => e.uint(&hf::OPTION_DHCP, at + 2, 1, *t),
            (dhcp::OPT_HOSTNAME, data, _) => {
                e.f(&hf::OPTION_HOSTNAME, at + 2, data.len(), Value::Str(data))
            }
            (dhcp::OPT_REQUESTED_IP, _, Some(a)) => {
                e.f(&hf::OPTION_REQUESTED_IP, at + 2, 4, Value::Ipv4(a))
            }
            (dhcp::OPT_SERVER_ID, _, Some(a)) => {
                e.f(&hf::OPTION_SERVER_ID, at + 2, 4, Value::Ipv4(a))
            }
            _ => {}
        }
    }
}

pub(crate) fn info<W: Sink + ?Sized>(p: &DhcpPacket<'_>, w: &mut W) -> fmt::Result {
    match p.message_type() {
        Some(t) => {
            let name = dhcp::message_type_name(t).unwrap_or("Unknown Message Type");
            write!(w, "DHCP {name:<8} - Transaction ID 0x{:08x}", p.xid())
        }
        None => {
            let kind = if p.op() == 2 {
                "Boot Reply"
            } else {
                "Boot Request"
            };
            write!(w, "{kind} - Transaction ID 0x{:08x}", p.xid())
        }
    }
}
