//! IPv4 headers, options included; fragments are recognised, not reassembled.

use core::net::Ipv4Addr;

use super::bytes::{be16, u8_at};
use super::error::{Error, LenSource, Result};
use crate::proto::Protocol;

mod field {
    use crate::wire::field::Field;
    pub const VER_IHL: usize = 0;
    pub const DSCP_ECN: usize = 1;
    pub const TOTAL_LEN: Field = 2..4;
    pub const IDENT: Field = 4..6;
    pub const FLG_OFF: Field = 6..8;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: Field = 10..12;
    pub const SRC_ADDR: Field = 12..16;
    pub const DST_ADDR: Field = 16..20;
}

/// The header without options.
pub const HEADER_LEN: usize = field::DST_ADDR.end;

/// An IP protocol number (every value is valid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpProtocol(pub u8);

impl IpProtocol {
    pub const HOPOPTS: IpProtocol = IpProtocol(0);
    pub const ICMP: IpProtocol = IpProtocol(1);
    pub const IGMP: IpProtocol = IpProtocol(2);
    pub const TCP: IpProtocol = IpProtocol(6);
    pub const UDP: IpProtocol = IpProtocol(17);
    pub const ROUTING: IpProtocol = IpProtocol(43);
    pub const FRAGMENT: IpProtocol = IpProtocol(44);
    pub const ICMPV6: IpProtocol = IpProtocol(58);
    pub const NONXT: IpProtocol = IpProtocol(59);
    pub const DSTOPTS: IpProtocol = IpProtocol(60);

    /// Wireshark's short name (as in "proto=ICMP 1").
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "IPv6 Hop-by-Hop Option",
            1 => "ICMP",
            2 => "IGMP",
            4 => "IPIP",
            6 => "TCP",
            17 => "UDP",
            41 => "IPv6",
            43 => "IPv6 Routing",
            44 => "IPv6 Fragment",
            47 => "GRE",
            50 => "ESP",
            51 => "AH",
            58 => "ICMPv6",
            59 => "IPv6 No Next Header",
            60 => "IPv6 Destination Options",
            89 => "OSPF IGP",
            103 => "PIM",
            112 => "VRRP",
            132 => "SCTP",
            _ => return None,
        })
    }
}

/// The header's length in bytes, by its IHL field.
#[inline(always)]
fn ihl_len(header: &[u8; HEADER_LEN]) -> usize {
    usize::from(header[field::VER_IHL] & 0x0f) * 4
}

/// A read-only view of an IPv4 packet.
#[derive(Debug, Clone, Copy)]
pub struct Ipv4Packet<'a> {
    header: &'a [u8; HEADER_LEN],
    /// The options, then the payload; the header length parts them. (Two
    /// slices would make this view, and every layer, 16 bytes larger.)
    rest: &'a [u8],
}

impl<'a> Ipv4Packet<'a> {
    /// Strict: the header, its options and `total_len` bytes must all be there.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        match Self::new_lax(buffer)? {
            (packet, None) => Ok(packet),
            (_, Some(err)) => Err(err),
        }
    }

    /// Lax: the header and options must be there and be consistent; a payload
    /// shorter than the total length is kept, and the shortfall returned beside it.
    /// (Inlined: its result is large, and returned through memory it cost the
    /// walk 9 % of its time.)
    #[inline]
    pub fn new_lax(buffer: &'a [u8]) -> Result<(Self, Option<Error>)> {
        let (header, rest) = buffer
            .split_first_chunk::<HEADER_LEN>()
            .ok_or(Error::truncated(
                Protocol::Ip,
                HEADER_LEN,
                buffer.len(),
                LenSource::Slice,
            ))?;
        let version = header[field::VER_IHL] >> 4;
        if version != 4 {
            return Err(Error::bad_value(
                Protocol::Ip,
                field::VER_IHL,
                "version",
                u32::from(version),
                "4",
            ));
        }
        let header_len = ihl_len(header);
        if header_len < HEADER_LEN {
            return Err(Error::bad_value(
                Protocol::Ip,
                field::VER_IHL,
                "header length",
                header_len as u32,
                "at least 20",
            ));
        }
        if rest.len() < header_len - HEADER_LEN {
            return Err(Error::truncated(
                Protocol::Ip,
                header_len,
                buffer.len(),
                LenSource::Ipv4HeaderLen,
            ));
        }
        let total_len = usize::from(be16(header, field::TOTAL_LEN));
        // A total length of 0 is what TCP segmentation offload leaves: use what is there.
        if total_len == 0 {
            return Ok((Ipv4Packet { header, rest }, None));
        }
        if total_len < header_len {
            return Err(Error::bad_value(
                Protocol::Ip,
                field::TOTAL_LEN.start,
                "total length",
                total_len as u32,
                "at least the header length",
            ));
        }
        match rest.get(..total_len - HEADER_LEN) {
            Some(rest) => Ok((Ipv4Packet { header, rest }, None)),
            None => Ok((
                Ipv4Packet { header, rest },
                Some(Error::truncated(
                    Protocol::Ip,
                    total_len,
                    buffer.len(),
                    LenSource::Ipv4TotalLen,
                )),
            )),
        }
    }

    /// A view of a bare 20-byte header with nothing checked, for showing the
    /// fields of a header that failed its checks (no options, no payload).
    pub(crate) fn from_header(header: &'a [u8; HEADER_LEN]) -> Self {
        Ipv4Packet { header, rest: &[] }
    }

    pub fn version(&self) -> u8 {
        self.header[field::VER_IHL] >> 4
    }

    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.options().len()
    }

    /// Options and payload, parted where the header length says (a bare
    /// header from `from_header` has neither).
    #[inline]
    fn options_and_payload(&self) -> (&'a [u8], &'a [u8]) {
        let options_len = ihl_len(self.header).saturating_sub(HEADER_LEN);
        self.rest
            .split_at_checked(options_len)
            .unwrap_or((&[], self.rest))
    }

    pub fn dscp_ecn(&self) -> u8 {
        self.header[field::DSCP_ECN]
    }

    pub fn total_len(&self) -> u16 {
        be16(self.header, field::TOTAL_LEN)
    }

    pub fn ident(&self) -> u16 {
        be16(self.header, field::IDENT)
    }

    /// The three flag bits: reserved, don't fragment, more fragments.
    pub fn flags(&self) -> u8 {
        (be16(self.header, field::FLG_OFF) >> 13) as u8
    }

    pub fn dont_frag(&self) -> bool {
        self.flags() & 0b010 != 0
    }

    pub fn more_frags(&self) -> bool {
        self.flags() & 0b001 != 0
    }

    /// The fragment offset in bytes.
    pub fn frag_offset(&self) -> u16 {
        (be16(self.header, field::FLG_OFF) & 0x1fff) << 3
    }

    /// True for any fragment, first, middle or last.
    pub fn is_fragment(&self) -> bool {
        self.more_frags() || self.frag_offset() != 0
    }

    pub fn ttl(&self) -> u8 {
        self.header[field::TTL]
    }

    pub fn protocol(&self) -> IpProtocol {
        IpProtocol(self.header[field::PROTOCOL])
    }

    pub fn checksum(&self) -> u16 {
        be16(self.header, field::CHECKSUM)
    }

    /// Verifies the header checksum over the header and options.
    pub fn checksum_valid(&self) -> bool {
        let acc = super::checksum::sum(0, self.header);
        super::checksum::fold(super::checksum::sum(acc, self.options())) == 0
    }

    pub fn src_addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(super::bytes::array::<4>(self.header, field::SRC_ADDR.start))
    }

    pub fn dst_addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(super::bytes::array::<4>(self.header, field::DST_ADDR.start))
    }

    pub fn options(&self) -> &'a [u8] {
        self.options_and_payload().0
    }

    /// The payload, cut to the total length (or shorter, from `new_lax`).
    pub fn payload(&self) -> &'a [u8] {
        self.options_and_payload().1
    }
}

/// One IPv4 option: `(kind, data)`; `data` excludes the kind and length bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Option<'a> {
    pub kind: u8,
    pub data: &'a [u8],
}

/// Iterates IPv4 (or any RFC 791-style) options; stops after an error.
#[derive(Debug, Clone)]
pub struct OptionIter<'a> {
    rest: &'a [u8],
    offset: usize,
    protocol: Protocol,
}

impl<'a> OptionIter<'a> {
    pub fn new(options: &'a [u8], protocol: Protocol) -> Self {
        OptionIter {
            rest: options,
            offset: 0,
            protocol,
        }
    }
}

impl<'a> Iterator for OptionIter<'a> {
    type Item = Result<Ipv4Option<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let kind = *self.rest.first()?;
        // End of options list and no-operation are the only one-byte options.
        if kind == 0 || kind == 1 {
            self.rest = if kind == 0 {
                &[]
            } else {
                self.rest.get(1..).unwrap_or(&[])
            };
            self.offset += 1;
            return Some(Ok(Ipv4Option { kind, data: &[] }));
        }
        let len = usize::from(u8_at(self.rest, 1));
        let result = if len < 2 {
            Err(Error::bad_value(
                self.protocol,
                self.offset + 1,
                "option length",
                len as u32,
                "at least 2",
            ))
        } else {
            match (self.rest.get(2..len), self.rest.get(len..)) {
                (Some(data), Some(rest)) => {
                    self.rest = rest;
                    self.offset += len;
                    return Some(Ok(Ipv4Option { kind, data }));
                }
                _ => {
                    Err(
                        Error::truncated(self.protocol, len, self.rest.len(), LenSource::OptionLen)
                            .add_offset(self.offset),
                    )
                }
            }
        };
        self.rest = &[];
        Some(result)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    static PACKET_BYTES: [u8; 30] = [
        0x45, 0x00, 0x00, 0x1e, 0x01, 0x02, 0x20, 0x03, 0x1a, 0x01, 0x00, 0x00, 0xc0, 0x00, 0x02,
        0x01, 0xc6, 0x33, 0x64, 0x02, 0xaa, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
    ];

    fn with_checksum(mut bytes: [u8; 30]) -> [u8; 30] {
        let c = crate::wire::checksum::fold(crate::wire::checksum::sum(0, &bytes[..20]));
        bytes[10..12].copy_from_slice(&c.to_be_bytes());
        bytes
    }

    #[test]
    fn test_deconstruct() {
        let bytes = with_checksum(PACKET_BYTES);
        let p = Ipv4Packet::new_checked(&bytes).unwrap();
        assert_eq!(p.version(), 4);
        assert_eq!(p.header_len(), 20);
        assert_eq!(p.total_len(), 30);
        assert_eq!(p.ident(), 0x0102);
        assert!(p.more_frags());
        assert_eq!(p.frag_offset(), 3 * 8);
        assert_eq!(p.ttl(), 0x1a);
        assert_eq!(p.protocol(), IpProtocol::ICMP);
        assert!(p.checksum_valid());
        assert_eq!(p.src_addr(), Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(p.dst_addr(), Ipv4Addr::new(198, 51, 100, 2));
        assert_eq!(p.payload().len(), 10);
    }

    #[test]
    fn test_bad_checksum() {
        let mut bytes = with_checksum(PACKET_BYTES);
        bytes[8] ^= 1;
        assert!(!Ipv4Packet::new_checked(&bytes).unwrap().checksum_valid());
    }

    #[test]
    fn test_total_len_overflow() {
        let mut bytes = PACKET_BYTES;
        bytes[3] = 40;
        assert!(Ipv4Packet::new_checked(&bytes).unwrap_err().is_truncation());
        let (p, err) = Ipv4Packet::new_lax(&bytes).unwrap();
        assert_eq!(p.payload().len(), 10);
        assert!(err.is_some());
    }

    #[test]
    fn test_bad_header_len() {
        let mut bytes = PACKET_BYTES;
        bytes[0] = 0x44;
        assert!(!Ipv4Packet::new_checked(&bytes).unwrap_err().is_truncation());
        bytes[0] = 0x4f;
        assert!(Ipv4Packet::new_checked(&bytes).unwrap_err().is_truncation());
    }

    #[test]
    fn test_bad_version() {
        let mut bytes = PACKET_BYTES;
        bytes[0] = 0x65;
        assert!(Ipv4Packet::new_checked(&bytes).is_err());
    }

    #[test]
    fn test_options() {
        let opts = [1, 0x94, 4, 0, 0, 7, 1];
        let mut it = OptionIter::new(&opts, Protocol::Ip);
        assert_eq!(it.next().unwrap().unwrap().kind, 1);
        assert_eq!(it.next().unwrap().unwrap().data, &[0, 0]);
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }
}
