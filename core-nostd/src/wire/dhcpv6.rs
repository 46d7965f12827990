//! DHCPv6 messages: type, transaction id and options (relay messages recognised).

use super::bytes::{be16, u8_at};
use super::error::{Error, LenSource, Result, need};
use crate::proto::Protocol;

pub const HEADER_LEN: usize = 4;
/// Relay-forward and relay-reply have a 34-byte header instead.
pub const RELAY_HEADER_LEN: usize = 34;

pub const OPT_CLIENTID: u16 = 1;
pub const OPT_SERVERID: u16 = 2;
pub const OPT_IA_NA: u16 = 3;

pub const RELAY_FORW: u8 = 12;
pub const RELAY_REPL: u8 = 13;

/// A read-only view of a DHCPv6 message.
#[derive(Debug, Clone, Copy)]
pub struct Dhcpv6Packet<'a> {
    buffer: &'a [u8],
}

impl<'a> Dhcpv6Packet<'a> {
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        let needed = match buffer.first() {
            Some(&RELAY_FORW | &RELAY_REPL) => RELAY_HEADER_LEN,
            _ => HEADER_LEN,
        };
        need(Protocol::Dhcpv6, buffer, needed)?;
        Ok(Dhcpv6Packet { buffer })
    }

    pub fn msg_type(&self) -> u8 {
        u8_at(self.buffer, 0)
    }

    pub fn is_relay(&self) -> bool {
        matches!(self.msg_type(), RELAY_FORW | RELAY_REPL)
    }

    /// The 24-bit transaction id (not in relay messages).
    pub fn transaction_id(&self) -> u32 {
        let [_, a, b, c] = super::bytes::array::<4>(self.buffer, 0);
        u32::from_be_bytes([0, a, b, c])
    }

    pub fn header_len(&self) -> usize {
        if self.is_relay() {
            RELAY_HEADER_LEN
        } else {
            HEADER_LEN
        }
    }

    pub fn options(&self) -> OptionIter<'a> {
        OptionIter {
            rest: self.buffer.get(self.header_len()..).unwrap_or(&[]),
            offset: self.header_len(),
        }
    }

    pub fn option(&self, code: u16) -> Option<Dhcpv6Option<'a>> {
        self.options()
            .map_while(|o| o.ok())
            .find(|o| o.code == code)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Dhcpv6Option<'a> {
    pub code: u16,
    pub data: &'a [u8],
    pub offset: usize,
}

#[derive(Debug, Clone)]
pub struct OptionIter<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Iterator for OptionIter<'a> {
    type Item = Result<Dhcpv6Option<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let code = be16(self.rest, 0..2);
        let len = usize::from(be16(self.rest, 2..4));
        let offset = self.offset;
        match (self.rest.get(4..4 + len), self.rest.get(4 + len..)) {
            (Some(data), Some(rest)) if self.rest.len() >= 4 => {
                self.rest = rest;
                self.offset += 4 + len;
                Some(Ok(Dhcpv6Option { code, data, offset }))
            }
            _ => {
                let have = self.rest.len();
                self.rest = &[];
                Some(Err(Error::truncated(
                    Protocol::Dhcpv6,
                    4 + len,
                    have,
                    LenSource::OptionLen,
                )
                .add_offset(offset)))
            }
        }
    }
}

pub const fn msg_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "Solicit",
        2 => "Advertise",
        3 => "Request",
        4 => "Confirm",
        5 => "Renew",
        6 => "Rebind",
        7 => "Reply",
        8 => "Release",
        9 => "Decline",
        10 => "Reconfigure",
        11 => "Information-request",
        12 => "Relay-forw",
        13 => "Relay-reply",
        _ => return None,
    })
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_parse() {
        let b = [
            1, 0x12, 0x34, 0x56, 0, 1, 0, 2, 0xaa, 0xbb, 0, 8, 0, 2, 0, 0,
        ];
        let p = Dhcpv6Packet::new_checked(&b).unwrap();
        assert_eq!(p.msg_type(), 1);
        assert_eq!(p.transaction_id(), 0x123456);
        assert_eq!(p.option(OPT_CLIENTID).unwrap().data, &[0xaa, 0xbb]);
        assert_eq!(p.options().count(), 2);
    }

    #[test]
    fn test_option_past_end() {
        let b = [1, 0, 0, 0, 0, 1, 0, 9, 0xaa];
        let p = Dhcpv6Packet::new_checked(&b).unwrap();
        let mut it = p.options();
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }
}
