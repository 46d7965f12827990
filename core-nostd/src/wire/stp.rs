//! IEEE 802.1D/802.1w bridge protocol data units (recognised under LLC SAP 0x42).

use super::bytes::{be16, be32, u8_at};
use super::error::{Result, need};
use super::ethernet::MacAddr;
use crate::proto::Protocol;

mod field {
    use crate::wire::field::Field;
    pub const PROTOCOL_ID: Field = 0..2;
    pub const VERSION: usize = 2;
    pub const TYPE: usize = 3;
    pub const FLAGS: usize = 4;
    pub const ROOT_ID: Field = 5..13;
    pub const ROOT_COST: Field = 13..17;
    pub const BRIDGE_ID: Field = 17..25;
    pub const PORT_ID: Field = 25..27;
    pub const FORWARD_DELAY: Field = 33..35;
}

/// A topology change notification is only the first four bytes.
pub const TCN_LEN: usize = field::TYPE + 1;
/// A configuration (or rapid spanning tree) BPDU.
pub const CONFIG_LEN: usize = field::FORWARD_DELAY.end;

pub const TYPE_CONFIG: u8 = 0x00;
pub const TYPE_RST: u8 = 0x02;
pub const TYPE_TCN: u8 = 0x80;

/// A read-only view of a BPDU.
#[derive(Debug, Clone, Copy)]
pub struct Bpdu<'a> {
    buffer: &'a [u8],
}

impl<'a> Bpdu<'a> {
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        let needed = match buffer.get(field::TYPE) {
            Some(&TYPE_TCN) => TCN_LEN,
            Some(_) => CONFIG_LEN,
            None => TCN_LEN,
        };
        need(Protocol::Stp, buffer, needed)?;
        Ok(Bpdu { buffer })
    }

    pub fn protocol_id(&self) -> u16 {
        be16(self.buffer, field::PROTOCOL_ID)
    }

    pub fn version(&self) -> u8 {
        u8_at(self.buffer, field::VERSION)
    }

    pub fn bpdu_type(&self) -> u8 {
        u8_at(self.buffer, field::TYPE)
    }

    pub fn flags(&self) -> u8 {
        u8_at(self.buffer, field::FLAGS)
    }

    /// (priority, system id extension, MAC) of a bridge identifier at `at`.
    fn bridge_id(&self, at: usize) -> (u16, u16, MacAddr) {
        let prio = be16(self.buffer, at..at + 2);
        (
            prio & 0xf000,
            prio & 0x0fff,
            MacAddr(super::bytes::array(self.buffer, at + 2)),
        )
    }

    pub fn root(&self) -> (u16, u16, MacAddr) {
        self.bridge_id(field::ROOT_ID.start)
    }

    pub fn bridge(&self) -> (u16, u16, MacAddr) {
        self.bridge_id(field::BRIDGE_ID.start)
    }

    pub fn root_cost(&self) -> u32 {
        be32(self.buffer, field::ROOT_COST)
    }

    pub fn port_id(&self) -> u16 {
        be16(self.buffer, field::PORT_ID)
    }
}
