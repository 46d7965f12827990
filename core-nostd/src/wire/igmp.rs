//! IGMP v1, v2 and v3 messages (recognised: type, group, version).

use core::net::Ipv4Addr;

use super::bytes::{be16, u8_at};
use super::error::{Result, need};
use crate::proto::Protocol;

pub const HEADER_LEN: usize = 8;

pub const MEMBERSHIP_QUERY: u8 = 0x11;
pub const V1_REPORT: u8 = 0x12;
pub const V2_REPORT: u8 = 0x16;
pub const V2_LEAVE: u8 = 0x17;
pub const V3_REPORT: u8 = 0x22;

/// A read-only view of an IGMP message.
#[derive(Debug, Clone, Copy)]
pub struct IgmpPacket<'a> {
    buffer: &'a [u8],
}

impl<'a> IgmpPacket<'a> {
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        need(Protocol::Igmp, buffer, HEADER_LEN)?;
        Ok(IgmpPacket { buffer })
    }

    pub fn msg_type(&self) -> u8 {
        u8_at(self.buffer, 0)
    }

    pub fn max_resp(&self) -> u8 {
        u8_at(self.buffer, 1)
    }

    pub fn checksum(&self) -> u16 {
        be16(self.buffer, 2..4)
    }

    /// The group address (v1/v2 messages and queries).
    pub fn group(&self) -> Ipv4Addr {
        Ipv4Addr::from(super::bytes::array::<4>(self.buffer, 4))
    }

    /// The protocol version, as Wireshark infers it from type and length.
    pub fn version(&self) -> u8 {
        match self.msg_type() {
            V1_REPORT => 1,
            V2_REPORT | V2_LEAVE => 2,
            V3_REPORT => 3,
            MEMBERSHIP_QUERY if self.buffer.len() >= 12 => 3,
            MEMBERSHIP_QUERY if self.max_resp() == 0 => 1,
            _ => 2,
        }
    }
}
