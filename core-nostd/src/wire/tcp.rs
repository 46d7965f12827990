//! TCP headers and options.

use super::bytes::{be16, be32, u8_at};
use super::error::{Error, LenSource, Result};
use crate::proto::Protocol;

mod field {
    use crate::wire::field::Field;
    pub const SRC_PORT: Field = 0..2;
    pub const DST_PORT: Field = 2..4;
    pub const SEQ_NUM: Field = 4..8;
    pub const ACK_NUM: Field = 8..12;
    pub const FLAGS: Field = 12..14;
    pub const WIN_SIZE: Field = 14..16;
    pub const CHECKSUM: Field = 16..18;
    pub const URGENT: Field = 18..20;
}

pub const HEADER_LEN: usize = field::URGENT.end;

pub const FLG_FIN: u16 = 0x001;
pub const FLG_SYN: u16 = 0x002;
pub const FLG_RST: u16 = 0x004;
pub const FLG_PSH: u16 = 0x008;
pub const FLG_ACK: u16 = 0x010;
pub const FLG_URG: u16 = 0x020;
pub const FLG_ECE: u16 = 0x040;
pub const FLG_CWR: u16 = 0x080;
pub const FLG_AE: u16 = 0x100;

/// A read-only view of a TCP segment.
#[derive(Debug, Clone, Copy)]
pub struct TcpPacket<'a> {
    header: &'a [u8; HEADER_LEN],
    options: &'a [u8],
    payload: &'a [u8],
}

impl<'a> TcpPacket<'a> {
    /// Checks the fixed header, a data offset of at least 5, and that the options fit.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        let (header, rest) = buffer
            .split_first_chunk::<HEADER_LEN>()
            .ok_or(Error::truncated(
                Protocol::Tcp,
                HEADER_LEN,
                buffer.len(),
                LenSource::Slice,
            ))?;
        let header_len = usize::from(header[field::FLAGS.start] >> 4) * 4;
        if header_len < HEADER_LEN {
            return Err(Error::bad_value(
                Protocol::Tcp,
                field::FLAGS.start,
                "header length",
                header_len as u32,
                "at least 20",
            ));
        }
        let (options, payload) =
            rest.split_at_checked(header_len - HEADER_LEN)
                .ok_or(Error::truncated(
                    Protocol::Tcp,
                    header_len,
                    buffer.len(),
                    LenSource::TcpDataOffset,
                ))?;
        Ok(TcpPacket {
            header,
            options,
            payload,
        })
    }

    /// A view of a bare 20-byte header with nothing checked (no options, no payload).
    pub(crate) fn from_header(header: &'a [u8; HEADER_LEN]) -> Self {
        TcpPacket {
            header,
            options: &[],
            payload: &[],
        }
    }

    pub fn src_port(&self) -> u16 {
        be16(self.header, field::SRC_PORT)
    }

    pub fn dst_port(&self) -> u16 {
        be16(self.header, field::DST_PORT)
    }

    pub fn seq_number(&self) -> u32 {
        be32(self.header, field::SEQ_NUM)
    }

    pub fn ack_number(&self) -> u32 {
        be32(self.header, field::ACK_NUM)
    }

    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.options.len()
    }

    /// The 12 flag bits (reserved, AE, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN).
    pub fn flags(&self) -> u16 {
        be16(self.header, field::FLAGS) & 0x0fff
    }

    pub fn has(&self, flag: u16) -> bool {
        self.flags() & flag != 0
    }

    pub fn window_len(&self) -> u16 {
        be16(self.header, field::WIN_SIZE)
    }

    pub fn checksum(&self) -> u16 {
        be16(self.header, field::CHECKSUM)
    }

    pub fn urgent_at(&self) -> u16 {
        be16(self.header, field::URGENT)
    }

    pub fn options(&self) -> &'a [u8] {
        self.options
    }

    /// The first malformed option, checked by lengths only (the fast path of the walk).
    pub fn option_error(&self) -> Option<Error> {
        let mut rest = self.options;
        loop {
            match rest {
                [] | [OPT_EOL, ..] => return None,
                [OPT_NOP, tail @ ..] => rest = tail,
                [kind, len, ..] if *len >= 2 && usize::from(*len) <= rest.len() => {
                    let known_size = match *kind {
                        OPT_MSS => Some(4),
                        OPT_WS => Some(3),
                        OPT_SACK_PERM => Some(2),
                        OPT_TIMESTAMP => Some(10),
                        OPT_SACK => ((*len - 2) % 8 == 0 && *len <= 34).then_some(*len),
                        _ => None,
                    };
                    if known_size.is_some_and(|n| n != *len) {
                        break;
                    }
                    rest = rest.get(usize::from(*len)..).unwrap_or(&[]);
                }
                _ => break,
            }
        }
        // Something is wrong: let the full parser say what and where.
        self.option_iter().find_map(|o| o.err())
    }

    pub fn option_iter(&self) -> TcpOptionIter<'a> {
        TcpOptionIter {
            rest: self.options,
            offset: HEADER_LEN,
        }
    }

    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

/// A TCP option; `Unknown` keeps the bytes so nothing is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpOption<'a> {
    EndOfList,
    NoOperation,
    MaxSegmentSize(u16),
    WindowScale(u8),
    SackPermitted,
    /// Up to four (left, right) edges, and how many are valid.
    Sack([(u32, u32); 4], u8),
    Timestamp {
        tsval: u32,
        tsecr: u32,
    },
    Unknown {
        kind: u8,
        data: &'a [u8],
    },
}

pub const OPT_EOL: u8 = 0;
pub const OPT_NOP: u8 = 1;
pub const OPT_MSS: u8 = 2;
pub const OPT_WS: u8 = 3;
pub const OPT_SACK_PERM: u8 = 4;
pub const OPT_SACK: u8 = 5;
pub const OPT_TIMESTAMP: u8 = 8;

/// Iterates TCP options; after an error it stops.
#[derive(Debug, Clone)]
pub struct TcpOptionIter<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> TcpOptionIter<'a> {
    fn fail(&mut self, err: Error) -> Option<Result<TcpOption<'a>>> {
        self.rest = &[];
        Some(Err(err.add_offset(self.offset)))
    }
}

impl<'a> Iterator for TcpOptionIter<'a> {
    type Item = Result<TcpOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let kind = *self.rest.first()?;
        match kind {
            OPT_EOL => {
                self.rest = &[];
                return Some(Ok(TcpOption::EndOfList));
            }
            OPT_NOP => {
                self.rest = self.rest.get(1..).unwrap_or(&[]);
                self.offset += 1;
                return Some(Ok(TcpOption::NoOperation));
            }
            _ => {}
        }
        let len = usize::from(u8_at(self.rest, 1));
        if len < 2 {
            return self.fail(Error::bad_value(
                Protocol::Tcp,
                1,
                "option length",
                len as u32,
                "at least 2",
            ));
        }
        let (Some(data), Some(rest)) = (self.rest.get(2..len), self.rest.get(len..)) else {
            let have = self.rest.len();
            return self.fail(Error::truncated(
                Protocol::Tcp,
                len,
                have,
                LenSource::OptionLen,
            ));
        };
        let option = match (kind, data.len()) {
            (OPT_MSS, 2) => TcpOption::MaxSegmentSize(be16(data, 0..2)),
            (OPT_WS, 1) => TcpOption::WindowScale(u8_at(data, 0)),
            (OPT_SACK_PERM, 0) => TcpOption::SackPermitted,
            (OPT_SACK, n) if n % 8 == 0 && n <= 32 => {
                let mut blocks = [(0, 0); 4];
                for (slot, chunk) in blocks.iter_mut().zip(data.chunks_exact(8)) {
                    *slot = (be32(chunk, 0..4), be32(chunk, 4..8));
                }
                TcpOption::Sack(blocks, (n / 8) as u8)
            }
            (OPT_TIMESTAMP, 8) => TcpOption::Timestamp {
                tsval: be32(data, 0..4),
                tsecr: be32(data, 4..8),
            },
            (OPT_MSS | OPT_WS | OPT_SACK_PERM | OPT_SACK | OPT_TIMESTAMP, _) => {
                return self.fail(Error::bad_value(
                    Protocol::Tcp,
                    1,
                    "option length",
                    len as u32,
                    "the option's fixed size",
                ));
            }
            _ => TcpOption::Unknown { kind, data },
        };
        self.rest = rest;
        self.offset += len;
        Some(Ok(option))
    }
}

#[cfg(test)]
mod test {
    use super::*;

    static SYN: [u8; 40] = [
        0xc3, 0x50, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa,
        0xf0, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00,
        0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];

    #[test]
    fn test_deconstruct() {
        let p = TcpPacket::new_checked(&SYN).unwrap();
        assert_eq!(p.src_port(), 50000);
        assert_eq!(p.dst_port(), 80);
        assert_eq!(p.header_len(), 40);
        assert!(p.has(FLG_SYN));
        assert_eq!(p.window_len(), 64240);
        let opts: [_; 5] = core::array::from_fn(|_| None);
        let mut it = p.option_iter();
        let got = opts.map(|_: Option<()>| it.next().map(|o| o.unwrap()));
        assert_eq!(got[0], Some(TcpOption::MaxSegmentSize(1460)));
        assert_eq!(got[1], Some(TcpOption::SackPermitted));
        assert_eq!(got[2], Some(TcpOption::Timestamp { tsval: 7, tsecr: 0 }));
        assert_eq!(got[3], Some(TcpOption::NoOperation));
        assert_eq!(got[4], Some(TcpOption::WindowScale(7)));
        assert!(it.next().is_none());
    }

    #[test]
    fn test_bad_data_offset() {
        let mut b = SYN;
        b[12] = 0x40;
        assert!(TcpPacket::new_checked(&b).is_err());
        b[12] = 0xf0;
        assert!(TcpPacket::new_checked(&b).unwrap_err().is_truncation());
    }

    #[test]
    fn test_bad_option_len() {
        let mut b = SYN;
        b[21] = 1;
        let p = TcpPacket::new_checked(&b).unwrap();
        let mut it = p.option_iter();
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }
}
