//! The classic pcap format (microsecond or nanosecond, either byte order).

use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;

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

/// How a file's records are laid out: what reading a record header needs,
/// wherever the header was found (a stream, or a chunk read at an offset).
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    big_endian: bool,
    nanos: bool,
    link_type: LinkType,
}

/// The length of a record's header.
pub const RECORD_HEADER: usize = RECORD_HEADER_LEN;
/// Where the first record starts.
pub const FIRST_RECORD: u64 = FILE_HEADER_LEN as u64;

impl Layout {
    fn u32(&self, b: &[u8; RECORD_HEADER_LEN], at: usize) -> u32 {
        let x = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if self.big_endian {
            u32::from_be_bytes(x)
        } else {
            u32::from_le_bytes(x)
        }
    }

    /// The bytes a record header says follow it; an error (naming `at`, the
    /// header's place in the file) for more than encap accepts.
    #[inline]
    pub fn captured_len(
        &self,
        header: &[u8; RECORD_HEADER_LEN],
        at: u64,
    ) -> Result<usize, CaptureError> {
        let incl_len = self.u32(header, 8) as usize;
        if incl_len > MAX_RECORD_LEN {
            return Err(CaptureError::Corrupt {
                offset: at + 8,
                what: format!(
                    "a record claims {incl_len} captured bytes, more than the {MAX_RECORD_LEN} encap accepts"
                ),
            });
        }
        Ok(incl_len)
    }

    /// A record's header, read.
    #[inline]
    pub fn meta(&self, header: &[u8; RECORD_HEADER_LEN], incl_len: usize) -> RecordMeta {
        let secs = self.u32(header, 0);
        let frac = self.u32(header, 4);
        let orig_len = self.u32(header, 12);
        let nanos = if self.nanos {
            frac.min(999_999_999)
        } else {
            frac.min(999_999).saturating_mul(1000)
        };
        RecordMeta {
            link_type: self.link_type,
            orig_len: orig_len.max(incl_len as u32),
            timestamp: (i64::from(secs), nanos),
        }
    }
}

#[derive(Debug)]
pub struct PcapReader<R> {
    r: R,
    layout: Layout,
    snaplen: u32,
    position: u64,
    /// The start of a record that a bulk read cut off.
    pending: Vec<u8>,
    /// A bulk read met the end of the stream.
    input_ended: bool,
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
            layout: Layout {
                big_endian,
                nanos: raw == MAGIC_NS,
                link_type,
            },
            snaplen,
            position: FILE_HEADER_LEN as u64,
            pending: Vec::new(),
            input_ended: false,
        })
    }

    pub fn link_type(&self) -> LinkType {
        self.layout.link_type
    }

    pub fn layout(&self) -> Layout {
        self.layout
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

    /// Reads the next record, appending its bytes to `buf`.
    pub fn append_record(&mut self, buf: &mut Vec<u8>) -> Result<Option<RecordMeta>, CaptureError> {
        let mut header = [0u8; RECORD_HEADER_LEN];
        let n = read_full(&mut self.r, &mut header)?;
        if n == 0 {
            return Ok(None);
        }
        if n < RECORD_HEADER_LEN {
            return Err(cut_record(self.position, n));
        }
        let incl_len = self.layout.captured_len(&header, self.position)?;
        let start = buf.len();
        buf.resize(start + incl_len, 0);
        let got = read_full(&mut self.r, buf.get_mut(start..).unwrap_or_default())?;
        if got < incl_len {
            return Err(cut_record(self.position, RECORD_HEADER_LEN + got));
        }
        let at = self.position + RECORD_HEADER_LEN as u64;
        self.position = at + incl_len as u64;
        Ok(Some(self.layout.meta(&header, incl_len)))
    }
}

/// Why [`PcapReader::read_records`] handed back what it did.
#[derive(Debug)]
pub enum Bulk {
    /// Records came (or none were asked for); more may follow.
    More,
    /// The file ended after the records handed over.
    End,
    /// The file is broken after the records handed over.
    Failed(CaptureError),
}

/// Bytes read at once in bulk (a record may need more: the buffer then grows).
const BULK_LEN: usize = 256 * 1024;

impl<R: Read> PcapReader<BufReader<R>> {
    /// Reads records in bulk: the file's bytes go into `buf` as they are (one
    /// read, no copy per record) and `on_record` learns where each frame lies
    /// in them, at most `limit` times. `buf` keeps its length between calls
    /// (its bytes are overwritten, never zeroed again) and grows for a record
    /// longer than itself; a record cut by the end of a read waits for the
    /// next call. It reads again only while it has no whole record, so it
    /// returns with at least one unless the file ended or broke, and a pipe
    /// that pauses is shown as it comes.
    pub fn read_records(
        &mut self,
        buf: &mut Vec<u8>,
        limit: u64,
        mut on_record: impl FnMut(RecordMeta, Range<usize>),
    ) -> Bulk {
        if limit == 0 {
            return Bulk::More;
        }
        // The start of a record the last read cut off, and room to read on
        // (each thread has its own buffer: this one may be smaller than the
        // one the record was cut in).
        let want = BULK_LEN.max(2 * self.pending.len());
        if buf.len() < want {
            buf.resize(want, 0);
        }
        let mut filled = self.pending.len();
        if let Some(dst) = buf.get_mut(..filled) {
            dst.copy_from_slice(&self.pending);
        }
        self.pending.clear();
        let mut records = 0;
        loop {
            // Past the end, the stream is not read again (a terminal would wait).
            let read = match self.input_ended {
                true => Ok(Filled::Ended),
                false => fill(&mut self.r, buf, &mut filled),
            };
            let ended = match read {
                Ok(Filled::Ended) => {
                    self.input_ended = true;
                    true
                }
                Ok(Filled::Some) => false,
                Err(e) => return Bulk::Failed(e.into()),
            };
            let mut at = 0;
            while records < limit {
                let Some(header) = buf
                    .get(at..filled)
                    .and_then(|rest| rest.first_chunk::<RECORD_HEADER_LEN>())
                else {
                    break;
                };
                let incl_len = match self.layout.captured_len(header, self.position) {
                    Ok(n) => n,
                    Err(e) => return Bulk::Failed(e),
                };
                let data = at + RECORD_HEADER_LEN..at + RECORD_HEADER_LEN + incl_len;
                if data.end > filled {
                    break;
                }
                on_record(self.layout.meta(header, incl_len), data.clone());
                records += 1;
                self.position += (data.end - at) as u64;
                at = data.end;
            }
            let tail = buf.get(at..filled).unwrap_or_default();
            if records > 0 {
                self.pending.extend_from_slice(tail);
                return Bulk::More;
            }
            if ended {
                return match tail.len() {
                    0 => Bulk::End,
                    n => Bulk::Failed(cut_record(self.position, n)),
                };
            }
            // Not one whole record yet: read on behind the part there is, in
            // a buffer twice as long once it is full (the longest record fits).
            buf.copy_within(at..filled, 0);
            filled -= at;
            if filled == buf.len() {
                buf.resize(buf.len() * 2, 0);
            }
        }
    }
}

/// The file ends `there` bytes into the record that starts at `start`.
pub fn cut_record(start: u64, there: usize) -> CaptureError {
    CaptureError::Truncated {
        offset: start + there as u64,
        what: if there < RECORD_HEADER_LEN {
            "a record header"
        } else {
            "a record's data"
        },
    }
}

/// What one read brought.
enum Filled {
    Some,
    Ended,
}

/// One read into `buf[*filled..]` (a read of a file fills it; a pipe gives
/// what it has, so it is never waited on while there are records to show).
fn fill<R: Read>(r: &mut BufReader<R>, buf: &mut [u8], filled: &mut usize) -> io::Result<Filled> {
    let Some(room) = buf.get_mut(*filled..).filter(|room| !room.is_empty()) else {
        return Ok(Filled::Some);
    };
    loop {
        match r.read(room) {
            Ok(0) => return Ok(Filled::Ended),
            Ok(n) => {
                *filled += n;
                return Ok(Filled::Some);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
pub fn synthetic_pcap(lens: &[usize]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&MAGIC_US.to_le_bytes());
    f.extend_from_slice(&[2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    f.extend_from_slice(&65535u32.to_le_bytes());
    f.extend_from_slice(&1u32.to_le_bytes());
    for (i, len) in lens.iter().enumerate() {
        for v in [i as u32, 7, *len as u32, *len as u32 + 3] {
            f.extend_from_slice(&v.to_le_bytes());
        }
        f.extend(std::iter::repeat_n(i as u8, *len));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::capture::synthetic_pcap as pcap;

    /// A stream that hands out at most `step` bytes a read, as a pipe does.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.step).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn open(bytes: &[u8], step: usize) -> PcapReader<BufReader<Trickle<'_>>> {
        let mut r = BufReader::with_capacity(4096, Trickle { bytes, step });
        let mut magic = [0u8; 4];
        r.read_exact(&mut magic).unwrap();
        PcapReader::open(r, magic).unwrap()
    }

    /// Frames and the ending, read in bulk with at most `limit` records a call.
    /// Two buffers take turns, as two threads' blocks do.
    fn in_bulk(bytes: &[u8], step: usize, limit: u64) -> (Vec<(RecordMeta, Vec<u8>)>, String) {
        let mut r = open(bytes, step);
        let mut bufs = [Vec::new(), Vec::new()];
        let mut frames = Vec::new();
        for turn in 0.. {
            let buf = &mut bufs[turn % 2];
            let mut ranges = Vec::new();
            let end = r.read_records(buf, limit, |m, range| ranges.push((m, range)));
            assert!(ranges.len() as u64 <= limit);
            frames.extend(
                ranges
                    .into_iter()
                    .map(|(m, range)| (m, buf[range].to_vec())),
            );
            match end {
                Bulk::More => {}
                Bulk::End => return (frames, "end".into()),
                Bulk::Failed(e) => return (frames, e.to_string()),
            }
        }
        unreachable!()
    }

    /// The same, record by record.
    fn one_by_one(bytes: &[u8]) -> (Vec<(RecordMeta, Vec<u8>)>, String) {
        let mut r = open(bytes, usize::MAX);
        let mut frames = Vec::new();
        loop {
            let mut buf = Vec::new();
            match r.append_record(&mut buf) {
                Ok(Some(m)) => frames.push((m, buf)),
                Ok(None) => return (frames, "end".into()),
                Err(e) => return (frames, e.to_string()),
            }
        }
    }

    fn same(a: &(Vec<(RecordMeta, Vec<u8>)>, String), b: &(Vec<(RecordMeta, Vec<u8>)>, String)) {
        assert_eq!(a.1, b.1);
        assert_eq!(a.0.len(), b.0.len());
        for ((ma, da), (mb, db)) in a.0.iter().zip(&b.0) {
            assert_eq!(da, db);
            assert_eq!((ma.orig_len, ma.timestamp), (mb.orig_len, mb.timestamp));
        }
    }

    /// A thread whose buffer grew for a long record cuts the next long one
    /// past the size of a fresh buffer; the next thread's fresh buffer must
    /// take it whole.
    #[test]
    fn a_record_cut_in_a_grown_buffer_goes_on_in_a_fresh_one() {
        // The second record starts 262,136 bytes in and needs 262,160: a
        // 512 KiB read cuts it 8 bytes short, leaving 262,152 behind.
        let file = pcap(&[262_136 - RECORD_HEADER_LEN, MAX_RECORD_LEN, 60]);
        let mut r = open(&file, usize::MAX);
        let (mut grown, mut fresh) = (vec![0; 2 * BULK_LEN], Vec::new());
        let mut lens = Vec::new();
        let end = r.read_records(&mut grown, u64::MAX, |_, range| lens.push(range.len()));
        assert!(matches!(end, Bulk::More));
        let end = r.read_records(&mut fresh, u64::MAX, |_, range| lens.push(range.len()));
        assert!(matches!(end, Bulk::More));
        assert_eq!(lens, [262_120, MAX_RECORD_LEN, 60]);
    }

    /// Records across every kind of read boundary, one longer than a bulk
    /// read, files cut at every place near the end and a corrupt length:
    /// the bulk reader gives what the record reader gives.
    #[test]
    fn bulk_reads_equal_record_reads() {
        let mut lens: Vec<usize> = (0..400).map(|i| (i * 37) % 1500).collect();
        lens.insert(150, MAX_RECORD_LEN);
        lens.insert(151, BULK_LEN - 3);
        // Long records cut a few bytes short of whole in one buffer, then
        // read on into the other, smaller one.
        lens.splice(
            300..300,
            [MAX_RECORD_LEN - 10, MAX_RECORD_LEN, MAX_RECORD_LEN - 3],
        );
        let file = pcap(&lens);
        let whole = one_by_one(&file);
        assert_eq!(whole.0.len(), lens.len());
        for (step, limit) in [
            (usize::MAX, u64::MAX),
            (1000, 3),
            (65_536, u64::MAX),
            (7, 1),
        ] {
            same(&in_bulk(&file, step, limit), &whole);
        }
        for cut in [1, 5, 16, 17, 1499, 40_000] {
            let part = &file[..file.len() - cut];
            same(&in_bulk(part, 4096, u64::MAX), &one_by_one(part));
        }
        let mut corrupt = pcap(&[60, 60, 60]);
        let at = 24 + 2 * (16 + 60) + 8;
        corrupt[at..at + 4].copy_from_slice(&(MAX_RECORD_LEN as u32 + 1).to_le_bytes());
        let bulk = in_bulk(&corrupt, usize::MAX, u64::MAX);
        same(&bulk, &one_by_one(&corrupt));
        assert_eq!(bulk.0.len(), 2);
        assert!(bulk.1.contains("more than the"), "{}", bulk.1);
    }
}
