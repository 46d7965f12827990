//! Ethernet II and IEEE 802.3 framing.

use core::fmt;

use super::bytes::be16;
use super::error::{Error, LenSource, Result};
use crate::proto::Protocol;

mod field {
    use crate::wire::field::{Field, Rest};
    pub const DST: Field = 0..6;
    pub const SRC: Field = 6..12;
    pub const ETHERTYPE: Field = 12..14;
    pub const PAYLOAD: Rest = 14..;
}

/// Bytes before the payload.
pub const HEADER_LEN: usize = field::PAYLOAD.start;

/// Type/length values up to this are an 802.3 length, not an EtherType.
pub const MAX_802_3_LEN: u16 = 1500;

/// A six-byte hardware address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    pub const BROADCAST: MacAddr = MacAddr([0xff; 6]);

    pub const fn is_zero(&self) -> bool {
        matches!(self.0, [0, 0, 0, 0, 0, 0])
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::text::write_mac(f, self.0)
    }
}

/// An EtherType (every value is valid; unknown ones print as hex).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EtherType(pub u16);

impl EtherType {
    pub const IPV4: EtherType = EtherType(0x0800);
    pub const ARP: EtherType = EtherType(0x0806);
    pub const VLAN: EtherType = EtherType(0x8100);
    pub const IPV6: EtherType = EtherType(0x86dd);
    pub const QINQ: EtherType = EtherType(0x88a8);

    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x0800 => "IPv4",
            0x0806 => "ARP",
            0x8100 => "802.1Q Virtual LAN",
            0x86dd => "IPv6",
            0x88a8 => "802.1ad Provider Bridge (Q-in-Q)",
            0x88cc => "802.1 Link Layer Discovery Protocol (LLDP)",
            0x8035 => "RARP",
            0x888e => "802.1X Authentication",
            0x88b5 => "Local Experimental Ethertype 1",
            0x88b6 => "Local Experimental Ethertype 2",
            _ => return None,
        })
    }
}

/// A read-only view of an Ethernet frame.
#[derive(Debug, Clone, Copy)]
pub struct EthernetFrame<'a> {
    /// The header, then the payload: one slice (two words) where a header
    /// reference and a payload slice took three, a store fewer a frame.
    frame: &'a [u8],
}

impl<'a> EthernetFrame<'a> {
    /// Checks that the 14-byte header is there.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        if buffer.len() < HEADER_LEN {
            return Err(Error::truncated(
                Protocol::Eth,
                HEADER_LEN,
                buffer.len(),
                LenSource::Slice,
            ));
        }
        Ok(EthernetFrame { frame: buffer })
    }

    /// The header (`new_checked` saw it whole).
    #[inline(always)]
    fn header(&self) -> &'a [u8; HEADER_LEN] {
        self.frame.first_chunk().unwrap_or(&[0; HEADER_LEN])
    }

    fn rest(&self) -> &'a [u8] {
        self.frame.get(HEADER_LEN..).unwrap_or(&[])
    }

    pub fn dst(&self) -> MacAddr {
        MacAddr(super::bytes::array(self.header(), field::DST.start))
    }

    pub fn src(&self) -> MacAddr {
        MacAddr(super::bytes::array(self.header(), field::SRC.start))
    }

    /// The raw type/length field.
    pub fn type_or_len(&self) -> u16 {
        be16(self.header(), field::ETHERTYPE)
    }

    /// True for an IEEE 802.3 frame, whose type field is a length.
    pub fn is_802_3(&self) -> bool {
        self.type_or_len() <= MAX_802_3_LEN
    }

    pub fn ethertype(&self) -> EtherType {
        EtherType(self.type_or_len())
    }

    /// Everything after the header (for 802.3, cut to the length field).
    pub fn payload(&self) -> &'a [u8] {
        if self.is_802_3() {
            let len = usize::from(self.type_or_len());
            self.rest().get(..len).unwrap_or(self.rest())
        } else {
            self.rest()
        }
    }
}

#[cfg(test)]
mod test {
    extern crate std;
    use super::*;
    use std::string::ToString;

    static FRAME: [u8; 16] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0xaa,
        0xbb,
    ];

    #[test]
    fn test_parse() {
        let f = EthernetFrame::new_checked(&FRAME).unwrap();
        assert_eq!(f.dst(), MacAddr::BROADCAST);
        assert_eq!(f.src().to_string(), "02:00:00:00:00:01");
        assert_eq!(f.ethertype(), EtherType::ARP);
        assert_eq!(f.payload(), &[0xaa, 0xbb]);
    }

    #[test]
    fn test_truncated() {
        let e = EthernetFrame::new_checked(&FRAME[..13]).unwrap_err();
        assert!(e.is_truncation());
    }

    #[test]
    fn test_802_3_length_cuts_payload() {
        let mut f = FRAME;
        f[12] = 0;
        f[13] = 1;
        let f = EthernetFrame::new_checked(&f).unwrap();
        assert!(f.is_802_3());
        assert_eq!(f.payload(), &[0xaa]);
    }
}
