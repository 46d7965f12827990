//! ARP over any hardware and protocol address sizes.

use core::net::Ipv4Addr;

use super::bytes::{be16, u8_at};
use super::error::{Error, LenSource, Result, need};
use super::ethernet::MacAddr;
use crate::proto::Protocol;

mod field {
    #![allow(non_snake_case)]
    use crate::wire::field::Field;
    pub const HTYPE: Field = 0..2;
    pub const PTYPE: Field = 2..4;
    pub const HLEN: usize = 4;
    pub const PLEN: usize = 5;
    pub const OPER: Field = 6..8;
    pub const SHA_START: usize = 8;

    pub const fn SHA(hlen: u8, _plen: u8) -> Field {
        SHA_START..SHA_START + hlen as usize
    }
    pub const fn SPA(hlen: u8, plen: u8) -> Field {
        let start = SHA(hlen, plen).end;
        start..start + plen as usize
    }
    pub const fn THA(hlen: u8, plen: u8) -> Field {
        let start = SPA(hlen, plen).end;
        start..start + hlen as usize
    }
    pub const fn TPA(hlen: u8, plen: u8) -> Field {
        let start = THA(hlen, plen).end;
        start..start + plen as usize
    }
}

/// The fixed part before the addresses.
pub const FIXED_LEN: usize = field::SHA_START;

pub const OP_REQUEST: u16 = 1;
pub const OP_REPLY: u16 = 2;

/// A read-only view of an ARP packet.
#[derive(Debug, Clone, Copy)]
pub struct ArpPacket<'a> {
    buffer: &'a [u8],
}

impl<'a> ArpPacket<'a> {
    /// Checks the fixed part and that all four addresses fit.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        need(Protocol::Arp, buffer, FIXED_LEN)?;
        let packet = ArpPacket { buffer };
        let needed = packet.len();
        if buffer.len() < needed {
            return Err(Error::truncated(
                Protocol::Arp,
                needed,
                buffer.len(),
                LenSource::ArpAddrLen,
            ));
        }
        Ok(packet)
    }

    pub fn hardware_type(&self) -> u16 {
        be16(self.buffer, field::HTYPE)
    }

    pub fn protocol_type(&self) -> u16 {
        be16(self.buffer, field::PTYPE)
    }

    pub fn hardware_len(&self) -> u8 {
        u8_at(self.buffer, field::HLEN)
    }

    pub fn protocol_len(&self) -> u8 {
        u8_at(self.buffer, field::PLEN)
    }

    pub fn operation(&self) -> u16 {
        be16(self.buffer, field::OPER)
    }

    /// Length of the ARP message itself (the rest is Ethernet padding).
    pub fn len(&self) -> usize {
        field::TPA(self.hardware_len(), self.protocol_len()).end
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// True for Ethernet hardware addresses and IPv4 protocol addresses.
    pub fn is_ether_ipv4(&self) -> bool {
        self.hardware_len() == 6 && self.protocol_len() == 4 && self.protocol_type() == 0x0800
    }

    fn bytes(&self, range: core::ops::Range<usize>) -> &'a [u8] {
        self.buffer.get(range).unwrap_or(&[])
    }

    pub fn sender_hw(&self) -> &'a [u8] {
        self.bytes(field::SHA(self.hardware_len(), self.protocol_len()))
    }

    pub fn sender_proto(&self) -> &'a [u8] {
        self.bytes(field::SPA(self.hardware_len(), self.protocol_len()))
    }

    pub fn target_hw(&self) -> &'a [u8] {
        self.bytes(field::THA(self.hardware_len(), self.protocol_len()))
    }

    pub fn target_proto(&self) -> &'a [u8] {
        self.bytes(field::TPA(self.hardware_len(), self.protocol_len()))
    }

    pub fn sender_mac(&self) -> Option<MacAddr> {
        self.sender_hw().try_into().ok().map(MacAddr)
    }

    pub fn target_mac(&self) -> Option<MacAddr> {
        self.target_hw().try_into().ok().map(MacAddr)
    }

    pub fn sender_ipv4(&self) -> Option<Ipv4Addr> {
        <[u8; 4]>::try_from(self.sender_proto())
            .ok()
            .map(Ipv4Addr::from)
    }

    pub fn target_ipv4(&self) -> Option<Ipv4Addr> {
        <[u8; 4]>::try_from(self.target_proto())
            .ok()
            .map(Ipv4Addr::from)
    }
}

pub const fn opcode_name(op: u16) -> Option<&'static str> {
    Some(match op {
        1 => "request",
        2 => "reply",
        3 => "reverse request",
        4 => "reverse reply",
        8 => "inverse request",
        9 => "inverse reply",
        _ => return None,
    })
}

#[cfg(test)]
mod test {
    use super::*;

    static PACKET_BYTES: [u8; 28] = [
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 192, 0,
        2, 1, 0, 0, 0, 0, 0, 0, 192, 0, 2, 2,
    ];

    #[test]
    fn test_parse() {
        let p = ArpPacket::new_checked(&PACKET_BYTES).unwrap();
        assert_eq!(p.operation(), OP_REQUEST);
        assert!(p.is_ether_ipv4());
        assert_eq!(p.sender_ipv4(), Some(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!(p.target_ipv4(), Some(Ipv4Addr::new(192, 0, 2, 2)));
        assert!(p.target_mac().unwrap().is_zero());
    }

    #[test]
    fn test_truncated_addresses() {
        assert!(ArpPacket::new_checked(&PACKET_BYTES[..27]).is_err());
        let mut big = PACKET_BYTES;
        big[4] = 255;
        assert!(ArpPacket::new_checked(&big).is_err());
    }
}
