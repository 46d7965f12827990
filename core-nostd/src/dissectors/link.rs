//! The other link layers: 802.1Q/802.1ad tags, LLC, Linux cooked, BSD null.

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::proto::Protocol;
use crate::wire::MacAddr;
use crate::wire::llc::LlcPdu;
use crate::wire::null::NullHeader;
use crate::wire::sll::{SllHeader, SllVersion};
use crate::wire::vlan::VlanTag;

fields! {
    VLAN_PRIORITY = "vlan.priority", "Priority", DEC;
    VLAN_DEI = "vlan.dei", "DEI", BOOL;
    VLAN_ID = "vlan.id", "ID", DEC;
    VLAN_ETYPE = "vlan.etype", "Type", HEX16;
    VLAN_LEN = "vlan.len", "Length", DEC;
    AD_PRIORITY = "ieee8021ad.priority", "Priority", DEC;
    AD_DEI = "ieee8021ad.dei", "DEI", BOOL;
    AD_ID = "ieee8021ad.id", "ID", DEC;
    LLC_DSAP = "llc.dsap", "DSAP", HEX8;
    LLC_SSAP = "llc.ssap", "SSAP", HEX8;
    LLC_CONTROL = "llc.control", "Control field", HEX8;
    LLC_OUI = "llc.oui", "Organization Code", HEX24;
    LLC_PID = "llc.pid", "Protocol ID", HEX16;
    SLL_PKTTYPE = "sll.pkttype", "Packet type", DEC;
    SLL_HATYPE = "sll.hatype", "Link-layer address type", DEC;
    SLL_HALEN = "sll.halen", "Link-layer address length", DEC;
    SLL_SRC_ETH = "sll.src.eth", "Source", MAC;
    SLL_SRC_UNKNOWN = "sll.src.unknown", "Source", BYTES;
    SLL_ETYPE = "sll.etype", "Protocol", HEX16;
    SLL_LTYPE = "sll.ltype", "Protocol", HEX16;
    SLL_IFINDEX = "sll.ifindex", "Interface index", DEC;
    NULL_FAMILY = "null.family", "Family", DEC;
}

pub(crate) fn visit_vlan<'a, V: Visitor<'a>>(
    tag: &VlanTag<'a>,
    protocol: Protocol,
    e: &mut Emit<'_, V>,
) {
    if protocol == Protocol::Ieee8021ad {
        e.uint(&hf::AD_PRIORITY, 0, 2, tag.priority());
        e.bool(&hf::AD_DEI, 0, 2, tag.dei());
        e.uint(&hf::AD_ID, 0, 2, tag.id());
        return;
    }
    e.uint(&hf::VLAN_PRIORITY, 0, 2, tag.priority());
    e.bool(&hf::VLAN_DEI, 0, 2, tag.dei());
    e.uint(&hf::VLAN_ID, 0, 2, tag.id());
    let inner = tag.ethertype().0;
    if inner <= crate::wire::ethernet::MAX_802_3_LEN {
        e.uint(&hf::VLAN_LEN, 2, 2, inner);
    } else {
        e.uint(&hf::VLAN_ETYPE, 2, 2, inner);
    }
}

pub(crate) fn visit_llc<'a, V: Visitor<'a>>(llc: &LlcPdu<'a>, e: &mut Emit<'_, V>) {
    e.uint(&hf::LLC_DSAP, 0, 1, llc.dsap());
    e.uint(&hf::LLC_SSAP, 1, 1, llc.ssap());
    e.uint(&hf::LLC_CONTROL, 2, 1, llc.control());
    if let (Some(oui), Some(pid)) = (llc.snap_oui(), llc.snap_pid()) {
        e.uint(&hf::LLC_OUI, 3, 3, oui);
        e.uint(&hf::LLC_PID, 6, 2, pid);
    }
}

pub(crate) fn visit_sll<'a, V: Visitor<'a>>(sll: &SllHeader<'a>, e: &mut Emit<'_, V>) {
    let (pkttype_at, hatype_at, halen_at, addr_at, proto_at) = match sll.version() {
        SllVersion::V1 => ((0, 2), 2, (4, 2), 6, 14),
        SllVersion::V2 => ((10, 1), 8, (11, 1), 12, 0),
    };
    if sll.version() == SllVersion::V2 {
        e.uint(&hf::SLL_ETYPE, proto_at, 2, sll.protocol());
        if let Some(i) = sll.ifindex() {
            e.uint(&hf::SLL_IFINDEX, 4, 4, i);
        }
    }
    e.uint(&hf::SLL_HATYPE, hatype_at, 2, sll.hatype());
    e.uint(
        &hf::SLL_PKTTYPE,
        pkttype_at.0,
        pkttype_at.1,
        sll.packet_type(),
    );
    e.uint(&hf::SLL_HALEN, halen_at.0, halen_at.1, sll.halen());
    let addr = sll.addr();
    match <[u8; 6]>::try_from(addr) {
        Ok(mac) => e.f(&hf::SLL_SRC_ETH, addr_at, 6, Value::Mac(MacAddr(mac))),
        Err(_) if !addr.is_empty() => e.f(
            &hf::SLL_SRC_UNKNOWN,
            addr_at,
            addr.len(),
            Value::Bytes(addr),
        ),
        Err(_) => {}
    }
    if sll.version() == SllVersion::V1 {
        let protocol = sll.protocol();
        if protocol > crate::wire::ethernet::MAX_802_3_LEN {
            e.uint(&hf::SLL_ETYPE, proto_at, 2, protocol);
        } else {
            e.uint(&hf::SLL_LTYPE, proto_at, 2, protocol);
        }
    }
}

pub(crate) fn visit_null<'a, V: Visitor<'a>>(null: &NullHeader<'a>, e: &mut Emit<'_, V>) {
    e.uint(&hf::NULL_FAMILY, 0, 4, null.family());
}
