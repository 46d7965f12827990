//! UDP headers.

use super::bytes::be16;
use super::error::{Error, LenSource, Result};
use crate::proto::Protocol;

mod field {
    use crate::wire::field::{Field, Rest};
    pub const SRC_PORT: Field = 0..2;
    pub const DST_PORT: Field = 2..4;
    pub const LENGTH: Field = 4..6;
    pub const CHECKSUM: Field = 6..8;
    pub const PAYLOAD: Rest = 8..;
}

pub const HEADER_LEN: usize = field::PAYLOAD.start;

/// A read-only view of a UDP datagram.
#[derive(Debug, Clone, Copy)]
pub struct UdpPacket<'a> {
    header: &'a [u8; HEADER_LEN],
    payload: &'a [u8],
}

impl<'a> UdpPacket<'a> {
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        match Self::new_lax(buffer)? {
            (packet, None) => Ok(packet),
            (_, Some(err)) => Err(err),
        }
    }

    /// Keeps a payload shorter than the length field says, returning the shortfall.
    /// A length field below 8 is an error; one shorter than the buffer cuts the payload.
    pub fn new_lax(buffer: &'a [u8]) -> Result<(Self, Option<Error>)> {
        let (header, rest) = buffer
            .split_first_chunk::<HEADER_LEN>()
            .ok_or(Error::truncated(
                Protocol::Udp,
                HEADER_LEN,
                buffer.len(),
                LenSource::Slice,
            ))?;
        let length = usize::from(be16(header, field::LENGTH));
        if length < HEADER_LEN {
            return Err(Error::bad_value(
                Protocol::Udp,
                field::LENGTH.start,
                "length",
                length as u32,
                "at least 8",
            ));
        }
        match rest.get(..length - HEADER_LEN) {
            Some(payload) => Ok((UdpPacket { header, payload }, None)),
            None => Ok((
                UdpPacket {
                    header,
                    payload: rest,
                },
                Some(Error::truncated(
                    Protocol::Udp,
                    length,
                    buffer.len(),
                    LenSource::UdpLength,
                )),
            )),
        }
    }

    /// A view of a bare header with nothing checked.
    pub(crate) fn from_header(header: &'a [u8; HEADER_LEN]) -> Self {
        UdpPacket {
            header,
            payload: &[],
        }
    }

    pub fn src_port(&self) -> u16 {
        be16(self.header, field::SRC_PORT)
    }

    pub fn dst_port(&self) -> u16 {
        be16(self.header, field::DST_PORT)
    }

    pub fn length(&self) -> u16 {
        be16(self.header, field::LENGTH)
    }

    pub fn checksum(&self) -> u16 {
        be16(self.header, field::CHECKSUM)
    }

    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

#[cfg(test)]
mod test {
    use super::*;

    static PACKET_BYTES: [u8; 12] = [0xbf, 0x00, 0x00, 0x35, 0x00, 0x0c, 0x12, 0x4d, 1, 2, 3, 4];

    #[test]
    fn test_deconstruct() {
        let p = UdpPacket::new_checked(&PACKET_BYTES).unwrap();
        assert_eq!(p.src_port(), 48896);
        assert_eq!(p.dst_port(), 53);
        assert_eq!(p.length(), 12);
        assert_eq!(p.payload(), &[1, 2, 3, 4]);
    }

    #[test]
    fn test_bad_length() {
        let mut b = PACKET_BYTES;
        b[5] = 4;
        assert!(!UdpPacket::new_checked(&b).unwrap_err().is_truncation());
        b[5] = 40;
        assert!(UdpPacket::new_checked(&b).unwrap_err().is_truncation());
        b[5] = 10;
        assert_eq!(UdpPacket::new_checked(&b).unwrap().payload(), &[1, 2]);
    }
}
