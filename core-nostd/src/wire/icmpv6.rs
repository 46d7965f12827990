//! ICMPv6: echo, errors, neighbour discovery (RS/RA/NS/NA) and MLD.

use core::net::Ipv6Addr;

use super::bytes::{be16, u8_at};
use super::error::{Error, LenSource, Result, need};
use super::ethernet::MacAddr;
use crate::proto::Protocol;

mod field {
    use crate::wire::field::{Field, Rest};
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: Field = 2..4;
    pub const BODY: Rest = 4..;
}

pub const HEADER_LEN: usize = field::BODY.start;

pub const DST_UNREACH: u8 = 1;
pub const PKT_TOO_BIG: u8 = 2;
pub const TIME_EXCEEDED: u8 = 3;
pub const PARAM_PROBLEM: u8 = 4;
pub const ECHO_REQUEST: u8 = 128;
pub const ECHO_REPLY: u8 = 129;
pub const MLD_QUERY: u8 = 130;
pub const ROUTER_SOLICIT: u8 = 133;
pub const ROUTER_ADVERT: u8 = 134;
pub const NEIGHBOR_SOLICIT: u8 = 135;
pub const NEIGHBOR_ADVERT: u8 = 136;
pub const REDIRECT: u8 = 137;
pub const MLDV2_REPORT: u8 = 143;

/// NDP option: source link-layer address.
pub const OPT_SRC_LLADDR: u8 = 1;
/// NDP option: target link-layer address.
pub const OPT_TGT_LLADDR: u8 = 2;

/// A read-only view of an ICMPv6 message.
#[derive(Debug, Clone, Copy)]
pub struct Icmpv6Packet<'a> {
    header: &'a [u8; HEADER_LEN],
    body: &'a [u8],
}

impl<'a> Icmpv6Packet<'a> {
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        Self::new_with_rest(buffer).map(|(packet, _)| packet)
    }

    /// [`new_checked`](Self::new_checked), and [`rest`](Self::rest) with
    /// it: the walk needs both, and the type's fixed part is then looked up
    /// once.
    #[inline]
    pub fn new_with_rest(buffer: &'a [u8]) -> Result<(Self, &'a [u8])> {
        let (header, body) = buffer
            .split_first_chunk::<HEADER_LEN>()
            .ok_or(Error::truncated(
                Protocol::Icmpv6,
                HEADER_LEN,
                buffer.len(),
                LenSource::Slice,
            ))?;
        let packet = Icmpv6Packet { header, body };
        let fixed = packet.fixed_body_len();
        need(Protocol::Icmpv6, buffer, HEADER_LEN + fixed)?;
        Ok((packet, body.get(fixed..).unwrap_or(&[])))
    }

    /// The part of the body each type needs before its options or quoted packet.
    pub fn fixed_body_len(&self) -> usize {
        match self.msg_type() {
            ECHO_REQUEST | ECHO_REPLY | ROUTER_SOLICIT => 4,
            DST_UNREACH | PKT_TOO_BIG | TIME_EXCEEDED | PARAM_PROBLEM => 4,
            ROUTER_ADVERT => 12,
            NEIGHBOR_SOLICIT | NEIGHBOR_ADVERT => 20,
            REDIRECT => 36,
            MLDV2_REPORT => 4,
            _ => 0,
        }
    }

    pub fn msg_type(&self) -> u8 {
        self.header[field::TYPE]
    }

    pub fn code(&self) -> u8 {
        self.header[field::CODE]
    }

    pub fn checksum(&self) -> u16 {
        be16(self.header, field::CHECKSUM)
    }

    pub fn is_error(&self) -> bool {
        self.msg_type() < 128
    }

    pub fn echo_ident(&self) -> u16 {
        be16(self.body, 0..2)
    }

    pub fn echo_seq(&self) -> u16 {
        be16(self.body, 2..4)
    }

    /// The target address of NS, NA and redirect.
    pub fn target(&self) -> Ipv6Addr {
        Ipv6Addr::from(super::bytes::array::<16>(self.body, 4))
    }

    /// NA flags: router, solicited, override.
    pub fn na_flags(&self) -> u8 {
        u8_at(self.body, 0) >> 5
    }

    pub fn ra_cur_hop_limit(&self) -> u8 {
        u8_at(self.body, 0)
    }

    pub fn ra_flags(&self) -> u8 {
        u8_at(self.body, 1)
    }

    pub fn ra_router_lifetime(&self) -> u16 {
        be16(self.body, 2..4)
    }

    /// MLDv2 report: number of multicast address records.
    pub fn mldv2_records(&self) -> u16 {
        be16(self.body, 2..4)
    }

    /// Checks that an MLDv2 report's records fit (each: type, aux length, source
    /// count, group, sources, aux data); `None` when they do or this is no report.
    pub fn check_mldv2_records(&self) -> Option<Error> {
        if self.msg_type() != MLDV2_REPORT {
            return None;
        }
        let mut rest = self.rest();
        let mut at = HEADER_LEN + self.fixed_body_len();
        for _ in 0..self.mldv2_records() {
            let aux = usize::from(u8_at(rest, 1)) * 4;
            let sources = usize::from(be16(rest, 2..4)) * 16;
            let len = 20 + sources + aux;
            match rest.get(len..) {
                Some(tail) if rest.len() >= 4 => rest = tail,
                _ => {
                    return Some(
                        Error::truncated(Protocol::Icmpv6, len, rest.len(), LenSource::Slice)
                            .add_offset(at),
                    );
                }
            }
            at += len;
        }
        None
    }

    /// The bytes after the type's fixed body: NDP options, echo data, or the quoted packet.
    pub fn rest(&self) -> &'a [u8] {
        self.body.get(self.fixed_body_len()..).unwrap_or(&[])
    }

    /// Iterates NDP options (RS, RA, NS, NA, redirect).
    pub fn ndp_options(&self) -> NdpOptionIter<'a> {
        let is_ndp = (ROUTER_SOLICIT..=REDIRECT).contains(&self.msg_type());
        NdpOptionIter {
            rest: if is_ndp { self.rest() } else { &[] },
        }
    }

    /// The link-layer address carried in a source/target link-layer option.
    pub fn link_layer_option(&self, kind: u8) -> Option<MacAddr> {
        self.ndp_options()
            .map_while(|o| o.ok())
            .find(|o| o.kind == kind)
            .and_then(|o| <[u8; 6]>::try_from(o.data.get(..6)?).ok())
            .map(MacAddr)
    }
}

/// One NDP option; `data` excludes the type and length bytes.
#[derive(Debug, Clone, Copy)]
pub struct NdpOption<'a> {
    pub kind: u8,
    pub data: &'a [u8],
}

#[derive(Debug, Clone)]
pub struct NdpOptionIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for NdpOptionIter<'a> {
    type Item = Result<NdpOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let kind = *self.rest.first()?;
        // Length is in units of 8 bytes and includes type and length; zero is invalid.
        let len = usize::from(u8_at(self.rest, 1)) * 8;
        let item = match (len, self.rest.get(2..len), self.rest.get(len..)) {
            (8.., Some(data), Some(rest)) => {
                self.rest = rest;
                return Some(Ok(NdpOption { kind, data }));
            }
            (0, _, _) => Err(Error::bad_value(
                Protocol::Icmpv6,
                1,
                "option length",
                0,
                "at least 1",
            )),
            _ => Err(Error::truncated(
                Protocol::Icmpv6,
                len,
                self.rest.len(),
                LenSource::OptionLen,
            )),
        };
        self.rest = &[];
        Some(item)
    }
}

pub const fn type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "Destination Unreachable",
        2 => "Packet Too Big",
        3 => "Time Exceeded",
        4 => "Parameter Problem",
        128 => "Echo (ping) request",
        129 => "Echo (ping) reply",
        130 => "Multicast Listener Query",
        131 => "Multicast Listener Report",
        132 => "Multicast Listener Done",
        133 => "Router Solicitation",
        134 => "Router Advertisement",
        135 => "Neighbor Solicitation",
        136 => "Neighbor Advertisement",
        137 => "Redirect",
        143 => "Multicast Listener Report Message v2",
        _ => return None,
    })
}

pub const fn code_name(t: u8, code: u8) -> Option<&'static str> {
    Some(match (t, code) {
        (1, 0) => "No route to destination",
        (1, 1) => "Administratively prohibited",
        (1, 2) => "Beyond scope of source address",
        (1, 3) => "Address unreachable",
        (1, 4) => "Port unreachable",
        (1, 5) => "Source address failed ingress/egress policy",
        (1, 6) => "Reject route to destination",
        (3, 0) => "hop limit exceeded in transit",
        (3, 1) => "fragment reassembly time exceeded",
        (4, 0) => "erroneous header field encountered",
        (4, 1) => "unrecognized Next Header type encountered",
        (4, 2) => "unrecognized IPv6 option encountered",
        _ => return None,
    })
}

#[cfg(test)]
mod test {
    extern crate std;
    use super::*;
    use std::string::ToString;

    #[test]
    fn test_neighbor_solicit() {
        let mut b = [0u8; 32];
        b[0] = NEIGHBOR_SOLICIT;
        b[8] = 0x20;
        b[9] = 0x01;
        b[23] = 2;
        b[24] = OPT_SRC_LLADDR;
        b[25] = 1;
        b[26..32].copy_from_slice(&[2, 0, 0, 0, 0, 9]);
        let p = Icmpv6Packet::new_checked(&b).unwrap();
        assert_eq!(p.target().to_string(), "2001::2");
        assert_eq!(
            p.link_layer_option(OPT_SRC_LLADDR).unwrap().to_string(),
            "02:00:00:00:00:09"
        );
        assert!(Icmpv6Packet::new_checked(&b[..20]).is_err());
    }

    #[test]
    fn test_zero_length_option_stops() {
        let mut b = [0u8; 16];
        b[0] = ROUTER_ADVERT;
        let p = Icmpv6Packet::new_checked(&b).unwrap();
        assert!(p.ndp_options().next().is_none());
        let mut b = [0u8; 18];
        b[0] = ROUTER_ADVERT;
        b[16] = 1;
        let p = Icmpv6Packet::new_checked(&b).unwrap();
        let mut it = p.ndp_options();
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }
}
