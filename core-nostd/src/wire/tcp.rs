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

/// The header's length in bytes, by its data offset field.
#[inline(always)]
fn data_offset(header: &[u8; HEADER_LEN]) -> usize {
    usize::from(header[field::FLAGS.start] >> 4) * 4
}

/// A read-only view of a TCP segment.
#[derive(Debug, Clone, Copy)]
pub struct TcpPacket<'a> {
    header: &'a [u8; HEADER_LEN],
    /// The options, then the payload; the data offset parts them. (Two
    /// slices would make this view, and every layer, 16 bytes larger.)
    rest: &'a [u8],
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
        let header_len = data_offset(header);
        if header_len < HEADER_LEN {
            return Err(Error::bad_value(
                Protocol::Tcp,
                field::FLAGS.start,
                "header length",
                header_len as u32,
                "at least 20",
            ));
        }
        if rest.len() < header_len - HEADER_LEN {
            return Err(Error::truncated(
                Protocol::Tcp,
                header_len,
                buffer.len(),
                LenSource::TcpDataOffset,
            ));
        }
        Ok(TcpPacket { header, rest })
    }

    /// A view of a bare 20-byte header with nothing checked (no options, no payload).
    pub(crate) fn from_header(header: &'a [u8; HEADER_LEN]) -> Self {
        TcpPacket { header, rest: &[] }
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
        HEADER_LEN + self.options().len()
    }

    /// Options and payload, parted where the data offset says (a bare
    /// header from `from_header` has neither).
    #[inline]
    fn options_and_payload(&self) -> (&'a [u8], &'a [u8]) {
        let options_len = data_offset(self.header).saturating_sub(HEADER_LEN);
        self.rest
            .split_at_checked(options_len)
            .unwrap_or((&[], self.rest))
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
        self.options_and_payload().0
    }

    /// True when every option can be read.
    #[inline(always)]
    fn options_well_formed(&self) -> bool {
        // Most segments carry no option, or two NOPs and a timestamp.
        match self.options() {
            [] | [OPT_NOP, OPT_NOP, OPT_TIMESTAMP, 10, _, _, _, _, _, _, _, _] => true,
            options => options_well_formed(options),
        }
    }

    /// The first malformed option, if any (checked inline: a packet list
    /// asks of every segment, and most have none).
    #[inline(always)]
    pub fn option_error(&self) -> Option<Error> {
        if self.options_well_formed() {
            return None;
        }
        self.first_bad_option()
    }

    /// Something is wrong: the full parser says what and where.
    #[cold]
    fn first_bad_option(&self) -> Option<Error> {
        self.option_iter().find_map(|o| o.err())
    }

    /// The options up to the first that cannot be read (what
    /// `option_iter().map_while(Result::ok)` gives, without making errors).
    #[inline]
    pub fn options_read(&self) -> impl Iterator<Item = TcpOption<'a>> + 'a {
        let mut rest = self.options();
        core::iter::from_fn(move || {
            let (option, used) = read_option(rest)?.ok()?;
            rest = rest.get(used..).unwrap_or(&[]);
            Some(option)
        })
    }

    pub fn option_iter(&self) -> TcpOptionIter<'a> {
        TcpOptionIter {
            rest: self.options(),
            offset: HEADER_LEN,
        }
    }

    pub fn payload(&self) -> &'a [u8] {
        self.options_and_payload().1
    }

    /// The header's length and the payload, parted once (the walk needs both).
    #[inline]
    pub fn header_len_and_payload(&self) -> (usize, &'a [u8]) {
        let (options, payload) = self.options_and_payload();
        (HEADER_LEN + options.len(), payload)
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
    /// Up to four (left, right) edges.
    Sack(SackBlocks<'a>),
    Timestamp {
        tsval: u32,
        tsecr: u32,
    },
    Unknown {
        kind: u8,
        data: &'a [u8],
    },
}

/// The edges of a SACK option, read when asked (eight bytes a block).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SackBlocks<'a>(&'a [u8]);

impl<'a> SackBlocks<'a> {
    /// The (left, right) edges in order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32)> + 'a {
        self.0
            .chunks_exact(8)
            .map(|b| (be32(b, 0..4), be32(b, 4..8)))
    }
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

/// [`TcpPacket::options_well_formed`] for any options, read as the
/// iterator reads them.
fn options_well_formed(options: &[u8]) -> bool {
    let mut rest = options;
    loop {
        match read_option(rest) {
            None => return true,
            Some(Err(_)) => return false,
            Some(Ok((_, used))) => rest = rest.get(used..).unwrap_or(&[]),
        }
    }
}

/// Why an option cannot be read; its length byte is given.
#[derive(Debug, Clone, Copy)]
enum Bad {
    /// Below 2.
    TooShort(usize),
    /// Past the options' end.
    PastEnd(usize),
    /// Not the fixed size of a known option.
    WrongSize(usize),
}

/// The option at the start of `rest` and the bytes it takes (an end of list
/// takes the rest), or why it cannot be read; `None` when `rest` is empty.
#[inline(always)]
fn read_option(rest: &[u8]) -> Option<core::result::Result<(TcpOption<'_>, usize), Bad>> {
    let kind = *rest.first()?;
    match kind {
        OPT_EOL => return Some(Ok((TcpOption::EndOfList, rest.len()))),
        OPT_NOP => return Some(Ok((TcpOption::NoOperation, 1))),
        _ => {}
    }
    let len = usize::from(u8_at(rest, 1));
    if len < 2 {
        return Some(Err(Bad::TooShort(len)));
    }
    let Some(data) = rest.get(2..len) else {
        return Some(Err(Bad::PastEnd(len)));
    };
    let option = match (kind, data.len()) {
        (OPT_MSS, 2) => TcpOption::MaxSegmentSize(be16(data, 0..2)),
        (OPT_WS, 1) => TcpOption::WindowScale(u8_at(data, 0)),
        (OPT_SACK_PERM, 0) => TcpOption::SackPermitted,
        (OPT_SACK, n) if n % 8 == 0 && n <= 32 => TcpOption::Sack(SackBlocks(data)),
        (OPT_TIMESTAMP, 8) => TcpOption::Timestamp {
            tsval: be32(data, 0..4),
            tsecr: be32(data, 4..8),
        },
        (OPT_MSS | OPT_WS | OPT_SACK_PERM | OPT_SACK | OPT_TIMESTAMP, _) => {
            return Some(Err(Bad::WrongSize(len)));
        }
        _ => TcpOption::Unknown { kind, data },
    };
    Some(Ok((option, len)))
}

impl<'a> Iterator for TcpOptionIter<'a> {
    type Item = Result<TcpOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let bad_length = |len: usize, expected| {
            Error::bad_value(Protocol::Tcp, 1, "option length", len as u32, expected)
        };
        let (option, used) = match read_option(self.rest)? {
            Ok(read) => read,
            Err(Bad::TooShort(len)) => return self.fail(bad_length(len, "at least 2")),
            Err(Bad::PastEnd(len)) => {
                let have = self.rest.len();
                return self.fail(Error::truncated(
                    Protocol::Tcp,
                    len,
                    have,
                    LenSource::OptionLen,
                ));
            }
            Err(Bad::WrongSize(len)) => {
                return self.fail(bad_length(len, "the option's fixed size"));
            }
        };
        self.rest = self.rest.get(used..).unwrap_or(&[]);
        self.offset += used;
        Some(Ok(option))
    }
}

#[cfg(test)]
mod test {
    use super::*;

    /// The options read without errors are those the full iterator gives
    /// before its first error, and the quick check of lengths agrees with
    /// the iterator: on random option bytes, every length.
    #[test]
    fn options_read_stop_where_the_iterator_fails() {
        extern crate std;
        use std::vec::Vec;
        let mut next = crate::testing::xorshift(0x853c_49e6_748f_ea9bu64);
        let kinds = [0u8, 1, 2, 3, 4, 5, 8, 30];
        for _ in 0..20_000 {
            let mut options = [0u8; 40];
            for b in options.iter_mut() {
                let r = next();
                *b = if r.is_multiple_of(3) {
                    kinds[(r >> 8) as usize % kinds.len()]
                } else {
                    (r >> 16) as u8 % 40
                };
            }
            if next().is_multiple_of(4) {
                options[..4].copy_from_slice(&[OPT_NOP, OPT_NOP, OPT_TIMESTAMP, 10]);
            }
            let len = (next() % 11) as usize * 4;
            let mut header = Vec::from(SYN.get(..20).unwrap_or_default());
            header[12] = ((20 + len) as u8 / 4) << 4;
            header.extend_from_slice(&options[..len]);
            let p = TcpPacket::new_checked(&header).unwrap();
            let full: Vec<_> = p.option_iter().map_while(Result::ok).collect();
            let read: Vec<_> = p.options_read().collect();
            assert_eq!(read, full, "{:02x?}", &options[..len]);
            let whole = p.option_iter().all(|o| o.is_ok());
            assert_eq!(p.options_well_formed(), whole, "{:02x?}", &options[..len]);
            assert_eq!(
                p.option_error().is_none(),
                whole,
                "{:02x?}",
                &options[..len]
            );
        }
    }

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
