//! The classic pcap format (microsecond or nanosecond, either byte order).

use std::io::BufRead;

use encap_core::LinkType;

use super::{CaptureError, MAX_RECORD_LEN, RecordMeta, read_full};

const MAGIC_US: u32 = 0xa1b2_c3d4;
const MAGIC_NS: u32 = 0xa1b2_3c4d;
const FILE_HEADER_LEN: usize = 24;
const RECORD_HEADER_LEN: usize = 16;

pub(super) fn is_magic(m: [u8; 4]) -> bool {
    let le = u32::from_le_bytes(m);
    let be = u32::from_be_bytes(m);
    [MAGIC_US, MAGIC_NS].contains(&le) || [MAGIC_US, MAGIC_NS].contains(&be)
}

#[derive(Debug)]
pub struct PcapReader<R> {
    r: R,
    big_endian: bool,
    nanos: bool,
    link_type: LinkType,
    snaplen: u32,
    position: u64,
}

impl<R: BufRead> PcapReader<R> {
    pub(super) fn open(mut r: R, magic: [u8; 4]) -> Result<Self, CaptureError> {
        let big_endian = [MAGIC_US, MAGIC_NS].contains(&u32::from_be_bytes(magic));
        let raw = if big_endian {
            u32::from_be_bytes(magic)
        } else {
            u32::from_le_bytes(magic)
        };
        let mut rest = [0u8; FILE_HEADER_LEN - 4];
        let n = read_full(&mut r, &mut rest)?;
        if n < rest.len() {
            return Err(CaptureError::Truncated {
                offset: 4 + n as u64,
                what: "the pcap file header",
            });
        }
        let u32_at = |at: usize| {
            let b = [rest[at], rest[at + 1], rest[at + 2], rest[at + 3]];
            if big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        // After the magic: version (4), thiszone (4), sigfigs (4), snaplen (4), network (4).
        let snaplen = u32_at(12);
        // The upper 16 bits of the link type field may carry FCS information.
        let link_type = LinkType(u32_at(16) & 0x0fff_ffff);
        Ok(PcapReader {
            r,
            big_endian,
            nanos: raw == MAGIC_NS,
            link_type,
            snaplen,
            position: FILE_HEADER_LEN as u64,
        })
    }

    pub fn link_type(&self) -> LinkType {
        self.link_type
    }

    pub fn snaplen(&self) -> u32 {
        self.snaplen
    }

    /// The stream it reads from.
    pub fn get_ref(&self) -> &R {
        &self.r
    }

    pub fn position(&self) -> u64 {
        self.position
    }

    fn u32(&self, b: &[u8; RECORD_HEADER_LEN], at: usize) -> u32 {
        let x = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if self.big_endian {
            u32::from_be_bytes(x)
        } else {
            u32::from_le_bytes(x)
        }
    }

    /// Reads the next record, appending its bytes to `buf`.
    pub fn append_record(&mut self, buf: &mut Vec<u8>) -> Result<Option<RecordMeta>, CaptureError> {
        let mut header = [0u8; RECORD_HEADER_LEN];
        let n = read_full(&mut self.r, &mut header)?;
        if n == 0 {
            return Ok(None);
        }
        if n < RECORD_HEADER_LEN {
            return Err(CaptureError::Truncated {
                offset: self.position + n as u64,
                what: "a record header",
            });
        }
        let secs = self.u32(&header, 0);
        let frac = self.u32(&header, 4);
        let incl_len = self.u32(&header, 8) as usize;
        let orig_len = self.u32(&header, 12);
        if incl_len > MAX_RECORD_LEN {
            return Err(CaptureError::Corrupt {
                offset: self.position + 8,
                what: format!(
                    "a record claims {incl_len} captured bytes, more than the {MAX_RECORD_LEN} encap accepts"
                ),
            });
        }
        let start = buf.len();
        buf.resize(start + incl_len, 0);
        let got = read_full(&mut self.r, buf.get_mut(start..).unwrap_or_default())?;
        let at = self.position + RECORD_HEADER_LEN as u64;
        if got < incl_len {
            return Err(CaptureError::Truncated {
                offset: at + got as u64,
                what: "a record's data",
            });
        }
        self.position = at + incl_len as u64;
        let nanos = if self.nanos {
            frac.min(999_999_999)
        } else {
            frac.min(999_999).saturating_mul(1000)
        };
        Ok(Some(RecordMeta {
            link_type: self.link_type,
            orig_len: orig_len.max(incl_len as u32),
            timestamp: (i64::from(secs), nanos),
        }))
    }
}
