//! DHCPv4 (BOOTP header, magic cookie, options).

use core::net::Ipv4Addr;

use super::bytes::{be16, be32, u8_at};
use super::error::{Error, LenSource, Result};
use super::ethernet::MacAddr;
use crate::proto::Protocol;

// The whole BOOTP layout, including fields encap does not read.
#[allow(dead_code)]
mod field {
    use crate::wire::field::{Field, Rest};
    pub const OP: usize = 0;
    pub const HTYPE: usize = 1;
    pub const HLEN: usize = 2;
    pub const HOPS: usize = 3;
    pub const XID: Field = 4..8;
    pub const SECS: Field = 8..10;
    pub const FLAGS: Field = 10..12;
    pub const CIADDR: Field = 12..16;
    pub const YIADDR: Field = 16..20;
    pub const SIADDR: Field = 20..24;
    pub const GIADDR: Field = 24..28;
    pub const CHADDR: Field = 28..44;
    pub const SNAME: Field = 44..108;
    pub const FILE: Field = 108..236;
    pub const COOKIE: Field = 236..240;
    pub const OPTIONS: Rest = 240..;
}

/// The BOOTP header before the magic cookie.
pub const BOOTP_LEN: usize = field::FILE.end;
pub const HEADER_LEN: usize = field::OPTIONS.start;
pub const MAGIC_COOKIE: u32 = 0x6382_5363;

pub const OPT_PAD: u8 = 0;
pub const OPT_HOSTNAME: u8 = 12;
pub const OPT_REQUESTED_IP: u8 = 50;
pub const OPT_MESSAGE_TYPE: u8 = 53;
pub const OPT_SERVER_ID: u8 = 54;
pub const OPT_END: u8 = 255;

/// A read-only view of a DHCP message.
#[derive(Debug, Clone, Copy)]
pub struct DhcpPacket<'a> {
    header: &'a [u8; BOOTP_LEN],
    rest: &'a [u8],
}

impl<'a> DhcpPacket<'a> {
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        let (header, rest) = buffer
            .split_first_chunk::<BOOTP_LEN>()
            .ok_or(Error::truncated(
                Protocol::Dhcp,
                BOOTP_LEN,
                buffer.len(),
                LenSource::Slice,
            ))?;
        Ok(DhcpPacket { header, rest })
    }

    pub fn op(&self) -> u8 {
        self.header[field::OP]
    }

    pub fn htype(&self) -> u8 {
        self.header[field::HTYPE]
    }

    pub fn hlen(&self) -> u8 {
        self.header[field::HLEN]
    }

    pub fn hops(&self) -> u8 {
        self.header[field::HOPS]
    }

    pub fn xid(&self) -> u32 {
        be32(self.header, field::XID)
    }

    pub fn secs(&self) -> u16 {
        be16(self.header, field::SECS)
    }

    pub fn flags(&self) -> u16 {
        be16(self.header, field::FLAGS)
    }

    fn addr(&self, at: usize) -> Ipv4Addr {
        Ipv4Addr::from(super::bytes::array::<4>(self.header, at))
    }

    pub fn ciaddr(&self) -> Ipv4Addr {
        self.addr(field::CIADDR.start)
    }

    pub fn yiaddr(&self) -> Ipv4Addr {
        self.addr(field::YIADDR.start)
    }

    pub fn siaddr(&self) -> Ipv4Addr {
        self.addr(field::SIADDR.start)
    }

    pub fn giaddr(&self) -> Ipv4Addr {
        self.addr(field::GIADDR.start)
    }

    pub fn client_mac(&self) -> MacAddr {
        MacAddr(super::bytes::array(self.header, field::CHADDR.start))
    }

    pub fn has_cookie(&self) -> bool {
        be32(self.rest, 0..4) == MAGIC_COOKIE
    }

    /// Offset of the options from the start of the message.
    pub const OPTIONS_OFFSET: usize = HEADER_LEN;

    /// The options after the magic cookie (empty for plain BOOTP).
    pub fn options(&self) -> OptionIter<'a> {
        let rest = if self.has_cookie() {
            self.rest.get(4..).unwrap_or(&[])
        } else {
            &[]
        };
        OptionIter {
            rest,
            offset: HEADER_LEN,
        }
    }

    /// Option 53's value, when present and well formed.
    pub fn message_type(&self) -> Option<u8> {
        self.option(OPT_MESSAGE_TYPE)
            .and_then(|o| o.data.first().copied())
    }

    pub fn option(&self, code: u8) -> Option<DhcpOption<'a>> {
        self.options()
            .map_while(|o| o.ok())
            .find(|o| o.code == code)
    }
}

/// One option: code, value bytes, and the offset of the code byte in the message.
#[derive(Debug, Clone, Copy)]
pub struct DhcpOption<'a> {
    pub code: u8,
    pub data: &'a [u8],
    pub offset: usize,
}

/// Iterates options up to END; pads are skipped.
#[derive(Debug, Clone)]
pub struct OptionIter<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Iterator for OptionIter<'a> {
    type Item = Result<DhcpOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let code = *self.rest.first()?;
            if code == OPT_PAD {
                self.rest = self.rest.get(1..).unwrap_or(&[]);
                self.offset += 1;
                continue;
            }
            if code == OPT_END {
                let offset = self.offset;
                self.rest = &[];
                return Some(Ok(DhcpOption {
                    code,
                    data: &[],
                    offset,
                }));
            }
            let len = usize::from(u8_at(self.rest, 1));
            let offset = self.offset;
            return match (self.rest.get(2..2 + len), self.rest.get(2 + len..)) {
                (Some(data), Some(rest)) => {
                    self.rest = rest;
                    self.offset += 2 + len;
                    Some(Ok(DhcpOption { code, data, offset }))
                }
                _ => {
                    let have = self.rest.len();
                    self.rest = &[];
                    Some(Err(Error::truncated(
                        Protocol::Dhcp,
                        2 + len,
                        have,
                        LenSource::OptionLen,
                    )
                    .add_offset(offset)))
                }
            };
        }
    }
}

/// Wireshark's name of a DHCP message type (option 53).
pub const fn message_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "Discover",
        2 => "Offer",
        3 => "Request",
        4 => "Decline",
        5 => "ACK",
        6 => "NAK",
        7 => "Release",
        8 => "Inform",
        9 => "Force Renew",
        10 => "Lease query",
        11 => "Lease Unassigned",
        12 => "Lease Unknown",
        13 => "Lease Active",
        _ => return None,
    })
}

#[cfg(test)]
mod test {
    use super::*;

    fn discover() -> [u8; 256] {
        let mut b = [0u8; 256];
        b[0] = 1;
        b[1] = 1;
        b[2] = 6;
        b[4..8].copy_from_slice(&0xdead_beef_u32.to_be_bytes());
        b[236..240].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
        b[240..243].copy_from_slice(&[53, 1, 1]);
        b[243..249].copy_from_slice(&[12, 4, b'h', b'o', b's', b't']);
        b[249] = 255;
        b
    }

    #[test]
    fn test_parse() {
        let b = discover();
        let p = DhcpPacket::new_checked(&b).unwrap();
        assert_eq!(p.xid(), 0xdead_beef);
        assert_eq!(p.message_type(), Some(1));
        assert_eq!(p.option(OPT_HOSTNAME).unwrap().data, b"host");
        assert_eq!(p.option(OPT_HOSTNAME).unwrap().offset, 243);
    }

    #[test]
    fn test_option_past_end() {
        let mut b = discover();
        b[244] = 200;
        let p = DhcpPacket::new_checked(&b).unwrap();
        let mut it = p.options();
        assert!(it.next().unwrap().is_ok());
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }
}
