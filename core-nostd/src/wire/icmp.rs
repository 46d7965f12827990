//! ICMP for IPv4: the common header, echo, and the errors that quote an IP header.

use super::bytes::be16;
use super::error::{Error, LenSource, Result};
use crate::proto::Protocol;

mod field {
    use crate::wire::field::{Field, Rest};
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: Field = 2..4;
    pub const ECHO_IDENT: Field = 4..6;
    pub const ECHO_SEQNO: Field = 6..8;
    pub const BODY: Rest = 8..;
}

pub const HEADER_LEN: usize = field::BODY.start;

pub const ECHO_REPLY: u8 = 0;
pub const DEST_UNREACHABLE: u8 = 3;
pub const SOURCE_QUENCH: u8 = 4;
pub const REDIRECT: u8 = 5;
pub const ECHO_REQUEST: u8 = 8;
pub const TIME_EXCEEDED: u8 = 11;
pub const PARAM_PROBLEM: u8 = 12;

/// A read-only view of an ICMP message.
#[derive(Debug, Clone, Copy)]
pub struct IcmpPacket<'a> {
    header: &'a [u8; HEADER_LEN],
    body: &'a [u8],
}

impl<'a> IcmpPacket<'a> {
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        let (header, body) = buffer
            .split_first_chunk::<HEADER_LEN>()
            .ok_or(Error::truncated(
                Protocol::Icmp,
                HEADER_LEN,
                buffer.len(),
                LenSource::Slice,
            ))?;
        Ok(IcmpPacket { header, body })
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

    pub fn checksum_valid(&self) -> bool {
        // The header is whole 16-bit words, so it sums apart from the body.
        let acc = super::checksum::sum(0, self.header);
        super::checksum::fold(super::checksum::sum(acc, self.body)) == 0
    }

    pub fn is_echo(&self) -> bool {
        matches!(self.msg_type(), ECHO_REQUEST | ECHO_REPLY)
    }

    /// True for the errors whose body is the offending IP header and 8+ bytes.
    pub fn is_error(&self) -> bool {
        matches!(
            self.msg_type(),
            DEST_UNREACHABLE | SOURCE_QUENCH | REDIRECT | TIME_EXCEEDED | PARAM_PROBLEM
        )
    }

    pub fn echo_ident(&self) -> u16 {
        be16(self.header, field::ECHO_IDENT)
    }

    pub fn echo_seq(&self) -> u16 {
        be16(self.header, field::ECHO_SEQNO)
    }

    /// Everything after the 8-byte header: echo data, or the quoted packet.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }
}

/// Wireshark's text for a type.
pub const fn type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        0 => "Echo (ping) reply",
        3 => "Destination unreachable",
        4 => "Source quench (flow control)",
        5 => "Redirect",
        8 => "Echo (ping) request",
        9 => "Router advertisement",
        10 => "Router solicitation",
        11 => "Time-to-live exceeded",
        12 => "Parameter problem",
        13 => "Timestamp request",
        14 => "Timestamp reply",
        17 => "Address mask request",
        18 => "Address mask reply",
        _ => return None,
    })
}

/// Wireshark's text for a code, where the type has named codes.
pub const fn code_name(t: u8, code: u8) -> Option<&'static str> {
    Some(match (t, code) {
        (3, 0) => "Network unreachable",
        (3, 1) => "Host unreachable",
        (3, 2) => "Protocol unreachable",
        (3, 3) => "Port unreachable",
        (3, 4) => "Fragmentation needed",
        (3, 5) => "Source route failed",
        (3, 6) => "Destination network unknown",
        (3, 7) => "Destination host unknown",
        (3, 8) => "Source host isolated",
        (3, 9) => "Network administratively prohibited",
        (3, 10) => "Host administratively prohibited",
        (3, 11) => "Network unreachable for TOS",
        (3, 12) => "Host unreachable for TOS",
        (3, 13) => "Communication administratively filtered",
        (3, 14) => "Host precedence violation",
        (3, 15) => "Precedence cutoff in effect",
        (5, 0) => "Redirect for network",
        (5, 1) => "Redirect for host",
        (5, 2) => "Redirect for TOS and network",
        (5, 3) => "Redirect for TOS and host",
        (11, 0) => "Time to live exceeded in transit",
        (11, 1) => "Fragment reassembly time exceeded",
        (12, 0) => "Pointer indicates the error",
        (12, 1) => "Required option missing",
        (12, 2) => "Bad length",
        _ => return None,
    })
}

#[cfg(test)]
mod test {
    use super::*;

    static ECHO: [u8; 12] = [8, 0, 0xf7, 0xfa, 0, 1, 0, 4, 0, 0, 0, 0];

    #[test]
    fn test_echo() {
        let p = IcmpPacket::new_checked(&ECHO).unwrap();
        assert!(p.is_echo());
        assert_eq!(p.echo_ident(), 1);
        assert_eq!(p.echo_seq(), 4);
        assert_eq!(p.body().len(), 4);
        assert!(p.checksum_valid());
    }

    #[test]
    fn test_truncated() {
        assert!(IcmpPacket::new_checked(&ECHO[..7]).is_err());
    }
}
