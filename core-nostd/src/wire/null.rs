//! BSD loopback ("null") encapsulation: a 4-byte address family in the
//! capturing host's byte order.

use super::error::{Error, LenSource, Result};
use crate::proto::Protocol;

pub const HEADER_LEN: usize = 4;

pub const AF_INET: u32 = 2;
/// AF_INET6 differs between the BSDs (24, 28, 30) and Linux (10).
pub const AF_INET6: [u32; 4] = [10, 24, 28, 30];

/// A read-only view of the null header.
#[derive(Debug, Clone, Copy)]
pub struct NullHeader<'a> {
    header: &'a [u8; HEADER_LEN],
    payload: &'a [u8],
}

impl<'a> NullHeader<'a> {
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        let (header, payload) =
            buffer
                .split_first_chunk::<HEADER_LEN>()
                .ok_or(Error::truncated(
                    Protocol::Null,
                    HEADER_LEN,
                    buffer.len(),
                    LenSource::Slice,
                ))?;
        Ok(NullHeader { header, payload })
    }

    /// The family, read in whichever byte order gives a small number
    /// (as Wireshark does: the writer's order is not recorded).
    pub fn family(&self) -> u32 {
        let le = u32::from_le_bytes(*self.header);
        if le & 0xffff_0000 != 0 {
            u32::from_be_bytes(*self.header)
        } else {
            le
        }
    }

    pub fn is_ipv4(&self) -> bool {
        self.family() == AF_INET
    }

    pub fn is_ipv6(&self) -> bool {
        AF_INET6.contains(&self.family())
    }

    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_family_either_order() {
        let le = NullHeader::new_checked(&[2, 0, 0, 0, 0x45]).unwrap();
        assert!(le.is_ipv4());
        let be = NullHeader::new_checked(&[0, 0, 0, 30]).unwrap();
        assert!(be.is_ipv6());
        assert!(NullHeader::new_checked(&[0, 0]).is_err());
    }
}
