//! IEEE 802.1Q and 802.1ad tags: a tag control word and the next EtherType.

use super::bytes::be16;
use super::error::{Error, LenSource, Result};
use super::ethernet::EtherType;
use crate::proto::Protocol;

mod field {
    use crate::wire::field::{Field, Rest};
    pub const TCI: Field = 0..2;
    pub const ETHERTYPE: Field = 2..4;
    pub const PAYLOAD: Rest = 4..;
}

pub const HEADER_LEN: usize = field::PAYLOAD.start;

/// A read-only view of one VLAN tag and what follows it.
#[derive(Debug, Clone, Copy)]
pub struct VlanTag<'a> {
    header: &'a [u8; HEADER_LEN],
    payload: &'a [u8],
}

impl<'a> VlanTag<'a> {
    /// `protocol` says which tag this is (802.1Q or 802.1ad), for errors.
    pub fn new_checked(buffer: &'a [u8], protocol: Protocol) -> Result<Self> {
        let (header, payload) =
            buffer
                .split_first_chunk::<HEADER_LEN>()
                .ok_or(Error::truncated(
                    protocol,
                    HEADER_LEN,
                    buffer.len(),
                    LenSource::Slice,
                ))?;
        Ok(VlanTag { header, payload })
    }

    pub fn tci(&self) -> u16 {
        be16(self.header, field::TCI)
    }

    pub fn priority(&self) -> u8 {
        (self.tci() >> 13) as u8
    }

    pub fn dei(&self) -> bool {
        self.tci() & 0x1000 != 0
    }

    pub fn id(&self) -> u16 {
        self.tci() & 0x0fff
    }

    /// The inner type, or an 802.3 length when at most 1500.
    pub fn ethertype(&self) -> EtherType {
        EtherType(be16(self.header, field::ETHERTYPE))
    }

    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_parse() {
        let bytes = [0x20, 0x64, 0x08, 0x00, 0x45];
        let t = VlanTag::new_checked(&bytes, Protocol::Vlan).unwrap();
        assert_eq!(t.id(), 100);
        assert_eq!(t.priority(), 1);
        assert!(!t.dei());
        assert_eq!(t.ethertype(), EtherType::IPV4);
        assert_eq!(t.payload(), &[0x45]);
    }

    #[test]
    fn test_truncated() {
        assert!(VlanTag::new_checked(&[0, 1, 8], Protocol::Vlan).is_err());
    }
}
