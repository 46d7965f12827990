//! Capture files: reading pcap and pcapng as a stream, writing pcap.

mod pcap;
mod pcapng;
mod writer;

use std::fmt;
use std::io::{self, BufRead};

#[cfg(test)]
pub use pcap::synthetic_pcap;
pub use pcap::{Bulk, FIRST_RECORD, Layout, PcapReader, RECORD_HEADER, cut_record};
pub use pcapng::PcapngReader;
pub use writer::PcapWriter;

use encap_core::LinkType;

/// The largest record accepted; anything larger is a corrupt file, not a frame.
pub const MAX_RECORD_LEN: usize = 256 * 1024;

/// What the file says about one record.
#[derive(Debug, Clone, Copy)]
pub struct RecordMeta {
    pub link_type: LinkType,
    pub orig_len: u32,
    /// Seconds and nanoseconds since the epoch.
    pub timestamp: (i64, u32),
}

/// A problem with the capture file, with the byte offset where it was found.
#[derive(Debug)]
pub enum CaptureError {
    Io(io::Error),
    /// The first bytes are neither pcap nor pcapng.
    UnknownFormat([u8; 4]),
    /// The file ends in the middle of a header or record.
    Truncated {
        offset: u64,
        what: &'static str,
    },
    /// A field holds an impossible value.
    Corrupt {
        offset: u64,
        what: String,
    },
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::Io(e) => write!(f, "{e}"),
            CaptureError::UnknownFormat(m) => write!(
                f,
                "not a pcap or pcapng file (it starts with {:02x} {:02x} {:02x} {:02x})",
                m[0], m[1], m[2], m[3]
            ),
            CaptureError::Truncated { offset, what } => {
                write!(
                    f,
                    "the file ends in the middle of {what} (at byte {offset})"
                )
            }
            CaptureError::Corrupt { offset, what } => write!(f, "{what} (at byte {offset})"),
        }
    }
}

impl std::error::Error for CaptureError {}

impl From<io::Error> for CaptureError {
    fn from(e: io::Error) -> Self {
        CaptureError::Io(e)
    }
}

/// Reads as much of `buf` as the stream has; returns how many bytes were read.
fn read_full(r: &mut impl BufRead, buf: &mut [u8]) -> io::Result<usize> {
    fill_from(buf, |room, _| r.read(room))
}

/// Fills `buf` by calls of `read(room, bytes so far)` until it is full or a
/// call reads nothing (the end); returns how many bytes came.
pub fn fill_from(
    buf: &mut [u8],
    mut read: impl FnMut(&mut [u8], usize) -> io::Result<usize>,
) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(room) = buf.get_mut(filled..).filter(|room| !room.is_empty()) {
        match read(room, filled) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Either format, chosen by the magic number.
#[derive(Debug)]
pub enum CaptureReader<R> {
    Pcap(PcapReader<R>),
    Pcapng(PcapngReader<R>),
}

impl<R: BufRead> CaptureReader<R> {
    /// Reads the file header and picks the format.
    pub fn open(mut r: R) -> Result<Self, CaptureError> {
        let mut magic = [0u8; 4];
        let n = read_full(&mut r, &mut magic)?;
        if n < 4 {
            return Err(CaptureError::Truncated {
                offset: n as u64,
                what: "the file header",
            });
        }
        if pcapng::is_magic(magic) {
            Ok(CaptureReader::Pcapng(PcapngReader::open(r, magic)?))
        } else if pcap::is_magic(magic) {
            Ok(CaptureReader::Pcap(PcapReader::open(r, magic)?))
        } else {
            Err(CaptureError::UnknownFormat(magic))
        }
    }

    /// Reads the next record into `buf` (replacing its contents).
    pub fn next_record(&mut self, buf: &mut Vec<u8>) -> Result<Option<RecordMeta>, CaptureError> {
        buf.clear();
        self.append_record(buf)
    }

    /// Reads the next record, appending its bytes to `buf` (many frames to one
    /// buffer). On an error `buf` may hold part of the bad record.
    pub fn append_record(&mut self, buf: &mut Vec<u8>) -> Result<Option<RecordMeta>, CaptureError> {
        match self {
            CaptureReader::Pcap(p) => p.append_record(buf),
            CaptureReader::Pcapng(p) => p.append_record(buf),
        }
    }

    /// The stream it reads from (to see what is buffered).
    pub fn get_ref(&self) -> &R {
        match self {
            CaptureReader::Pcap(p) => p.get_ref(),
            CaptureReader::Pcapng(p) => p.get_ref(),
        }
    }

    /// Bytes consumed so far (for progress).
    pub fn position(&self) -> u64 {
        match self {
            CaptureReader::Pcap(p) => p.position(),
            CaptureReader::Pcapng(p) => p.position(),
        }
    }

    /// How a pcap file's records are laid out (`None` for pcapng).
    pub fn pcap_layout(&self) -> Option<Layout> {
        match self {
            CaptureReader::Pcap(p) => Some(p.layout()),
            CaptureReader::Pcapng(_) => None,
        }
    }

    /// The link type of the first interface (pcap has exactly one).
    pub fn link_type(&self) -> Option<LinkType> {
        match self {
            CaptureReader::Pcap(p) => Some(p.link_type()),
            CaptureReader::Pcapng(p) => p.first_link_type(),
        }
    }
}
