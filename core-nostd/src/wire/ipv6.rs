//! IPv6 fixed headers and the extension headers encap walks through
//! (hop-by-hop, routing, fragment, destination options).

use core::net::Ipv6Addr;

use super::bytes::{be16, be32, u8_at};
use super::error::{Error, LenSource, Result, need};
use super::ipv4::IpProtocol;
use crate::proto::Protocol;

mod field {
    use crate::wire::field::Field;
    pub const VER_TC_FLOW: Field = 0..4;
    pub const PAYLOAD_LEN: Field = 4..6;
    pub const NXT_HDR: usize = 6;
    pub const HOP_LIMIT: usize = 7;
    pub const SRC_ADDR: Field = 8..24;
    pub const DST_ADDR: Field = 24..40;
}

pub const HEADER_LEN: usize = field::DST_ADDR.end;

/// A read-only view of an IPv6 fixed header and its payload.
#[derive(Debug, Clone, Copy)]
pub struct Ipv6Packet<'a> {
    header: &'a [u8; HEADER_LEN],
    payload: &'a [u8],
}

impl<'a> Ipv6Packet<'a> {
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        match Self::new_lax(buffer)? {
            (packet, None) => Ok(packet),
            (_, Some(err)) => Err(err),
        }
    }

    /// Keeps a payload shorter than the payload length, returning the shortfall beside it.
    pub fn new_lax(buffer: &'a [u8]) -> Result<(Self, Option<Error>)> {
        let (header, rest) = buffer
            .split_first_chunk::<HEADER_LEN>()
            .ok_or(Error::truncated(
                Protocol::Ipv6,
                HEADER_LEN,
                buffer.len(),
                LenSource::Slice,
            ))?;
        let version = header[0] >> 4;
        if version != 6 {
            return Err(Error::bad_value(
                Protocol::Ipv6,
                0,
                "version",
                u32::from(version),
                "6",
            ));
        }
        let payload_len = usize::from(be16(header, field::PAYLOAD_LEN));
        match rest.get(..payload_len) {
            Some(payload) => Ok((Ipv6Packet { header, payload }, None)),
            None => Ok((
                Ipv6Packet {
                    header,
                    payload: rest,
                },
                Some(Error::truncated(
                    Protocol::Ipv6,
                    HEADER_LEN + payload_len,
                    buffer.len(),
                    LenSource::Ipv6PayloadLen,
                )),
            )),
        }
    }

    /// A view of a bare header with nothing checked (see `Ipv4Packet::from_header`).
    pub(crate) fn from_header(header: &'a [u8; HEADER_LEN]) -> Self {
        Ipv6Packet {
            header,
            payload: &[],
        }
    }

    pub fn traffic_class(&self) -> u8 {
        ((be32(self.header, field::VER_TC_FLOW) >> 20) & 0xff) as u8
    }

    pub fn flow_label(&self) -> u32 {
        be32(self.header, field::VER_TC_FLOW) & 0x000f_ffff
    }

    pub fn payload_len(&self) -> u16 {
        be16(self.header, field::PAYLOAD_LEN)
    }

    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(self.header[field::NXT_HDR])
    }

    pub fn hop_limit(&self) -> u8 {
        self.header[field::HOP_LIMIT]
    }

    pub fn src_addr(&self) -> Ipv6Addr {
        Ipv6Addr::from(super::bytes::array::<16>(
            self.header,
            field::SRC_ADDR.start,
        ))
    }

    pub fn dst_addr(&self) -> Ipv6Addr {
        Ipv6Addr::from(super::bytes::array::<16>(
            self.header,
            field::DST_ADDR.start,
        ))
    }

    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

/// True for the extension headers encap walks through.
pub const fn is_extension(next: IpProtocol) -> bool {
    matches!(next.0, 0 | 43 | 44 | 60)
}

/// The protocol id an extension header is dissected as.
pub const fn extension_protocol(next: IpProtocol) -> Protocol {
    match next.0 {
        0 => Protocol::Ipv6HopOpts,
        43 => Protocol::Ipv6Routing,
        44 => Protocol::Ipv6Fragment,
        _ => Protocol::Ipv6DstOpts,
    }
}

/// A read-only view of one extension header (its own length decides its size).
#[derive(Debug, Clone, Copy)]
pub struct ExtHeader<'a> {
    kind: IpProtocol,
    /// The header and what follows it; its length field parts them. (One
    /// slice keeps this view, and every layer, small.)
    bytes: &'a [u8],
}

/// Every extension header is a multiple of 8 bytes; the fragment header is exactly 8.
pub const EXT_UNIT: usize = 8;

impl<'a> ExtHeader<'a> {
    /// `kind` is the next-header value that announced this header.
    pub fn new_checked(buffer: &'a [u8], kind: IpProtocol) -> Result<Self> {
        let protocol = extension_protocol(kind);
        need(protocol, buffer, EXT_UNIT)?;
        let header = ExtHeader {
            kind,
            bytes: buffer,
        };
        let len = header.len();
        if buffer.len() < len {
            return Err(Error::truncated(
                protocol,
                len,
                buffer.len(),
                LenSource::Ipv6ExtLen,
            ));
        }
        Ok(header)
    }

    /// The header alone.
    fn header(&self) -> &'a [u8] {
        self.bytes.get(..self.len()).unwrap_or(self.bytes)
    }

    pub fn kind(&self) -> IpProtocol {
        self.kind
    }

    pub fn protocol(&self) -> Protocol {
        extension_protocol(self.kind)
    }

    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(u8_at(self.bytes, 0))
    }

    /// The header's length in bytes, from its length field.
    pub fn len(&self) -> usize {
        if self.kind == IpProtocol::FRAGMENT {
            EXT_UNIT
        } else {
            (usize::from(u8_at(self.bytes, 1)) + 1) * EXT_UNIT
        }
    }

    /// Never: a header is at least 8 bytes.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Options of a hop-by-hop or destination options header.
    pub fn options(&self) -> &'a [u8] {
        self.header().get(2..).unwrap_or(&[])
    }

    /// Routing header type.
    pub fn routing_type(&self) -> u8 {
        u8_at(self.bytes, 2)
    }

    pub fn segments_left(&self) -> u8 {
        u8_at(self.bytes, 3)
    }

    /// Fragment offset in bytes.
    pub fn frag_offset(&self) -> u16 {
        be16(self.bytes, 2..4) & 0xfff8
    }

    pub fn more_frags(&self) -> bool {
        u8_at(self.bytes, 3) & 1 != 0
    }

    pub fn frag_ident(&self) -> u32 {
        be32(self.bytes, 4..8)
    }

    pub fn payload(&self) -> &'a [u8] {
        self.bytes.get(self.len()..).unwrap_or(&[])
    }
}

#[cfg(test)]
mod test {
    extern crate std;
    use super::*;
    use std::string::ToString;

    fn packet(next: u8, payload: &[u8]) -> [u8; 64] {
        let mut b = [0u8; 64];
        b[0] = 0x60;
        b[4..6].copy_from_slice(&(payload.len() as u16).to_be_bytes());
        b[6] = next;
        b[7] = 64;
        b[8] = 0x20;
        b[9] = 0x01;
        b[10] = 0x0d;
        b[11] = 0xb8;
        b[23] = 1;
        b[40..40 + payload.len()].copy_from_slice(payload);
        b
    }

    #[test]
    fn test_deconstruct() {
        let b = packet(44, &[17, 0, 0x05, 0x01, 0, 0, 0, 9, 0xaa]);
        let p = Ipv6Packet::new_checked(&b[..49]).unwrap();
        assert_eq!(p.src_addr().to_string(), "2001:db8::1");
        assert_eq!(p.hop_limit(), 64);
        assert_eq!(p.next_header(), IpProtocol::FRAGMENT);
        let frag = ExtHeader::new_checked(p.payload(), p.next_header()).unwrap();
        assert_eq!(frag.next_header(), IpProtocol::UDP);
        assert_eq!(frag.frag_offset(), 0x500);
        assert!(frag.more_frags());
        assert_eq!(frag.frag_ident(), 9);
        assert_eq!(frag.payload(), &[0xaa]);
    }

    #[test]
    fn test_payload_len_overflow() {
        let b = packet(59, &[0; 8]);
        assert!(Ipv6Packet::new_checked(&b[..45]).is_err());
        assert!(Ipv6Packet::new_lax(&b[..45]).unwrap().1.is_some());
    }

    #[test]
    fn test_ext_len_overflow() {
        assert!(ExtHeader::new_checked(&[6, 1, 0, 0, 0, 0, 0, 0, 0], IpProtocol::HOPOPTS).is_err());
    }
}
