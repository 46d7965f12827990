//! Ethernet II fields and the address columns of link-only frames.

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::wire::EthernetFrame;

fields! {
    DST = "eth.dst", "Destination", MAC;
    SRC = "eth.src", "Source", MAC;
    ADDR = "eth.addr", "Address", MAC;
    TYPE = "eth.type", "Type", HEX16, named(|v| crate::wire::EtherType(v as u16).name());
    LEN = "eth.len", "Length", DEC;
}

pub(crate) fn visit<'a, V: Visitor<'a>>(eth: &EthernetFrame<'a>, e: &mut Emit<'_, V>) {
    e.f(&hf::DST, 0, 6, Value::Mac(eth.dst()));
    e.hidden(&hf::ADDR, 0, 6, Value::Mac(eth.dst()));
    e.f(&hf::SRC, 6, 6, Value::Mac(eth.src()));
    e.hidden(&hf::ADDR, 6, 6, Value::Mac(eth.src()));
    if eth.is_802_3() {
        e.uint(&hf::LEN, 12, 2, eth.type_or_len());
    } else {
        e.uint(&hf::TYPE, 12, 2, eth.type_or_len());
    }
}
