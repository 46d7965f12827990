//! A pcap file read by several threads at once. Each thread claims the next
//! chunk of the file and reads it at its offset, so the kernel's copies run
//! side by side rather than one at a time under the source's lock; then, in
//! capture order, it finds the records that start in its chunk ([`Stitch`]),
//! reading the end of the last one when it runs past the chunk. Only that
//! search (a few microseconds a chunk) runs one thread at a time.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, Ordering};

use encap_core::Tracked;

use super::block::{Block, BlockFrame};
use crate::capture::{CaptureError, FIRST_RECORD, Layout, RECORD_HEADER, cut_record, fill_from};

/// Bytes a chunk: about a thousand frames of a usual capture.
pub const CHUNK: usize = 256 * 1024;

/// The file, shared by the threads (reads at an offset need no lock).
#[derive(Debug)]
pub struct Chunks {
    file: File,
    layout: Layout,
    /// A stitch found the end (or an error, or `-c`'s count): claim no more.
    ended: AtomicBool,
}

impl Chunks {
    pub fn new(file: File, layout: Layout) -> Self {
        Chunks {
            file,
            layout,
            ended: AtomicBool::new(false),
        }
    }

    /// Where the `n`th chunk starts.
    pub fn offset_of(n: u64) -> u64 {
        FIRST_RECORD + n * CHUNK as u64
    }

    pub fn ended(&self) -> bool {
        self.ended.load(Ordering::Relaxed)
    }

    /// Reads the chunk at `offset` into `block` (fewer bytes at the file's
    /// end); returns how many.
    pub fn read(&self, block: &mut Block, offset: u64) -> io::Result<usize> {
        if block.data.len() < CHUNK {
            block.data.resize(CHUNK, 0);
        }
        let room = block.data.get_mut(..CHUNK).unwrap_or_default();
        let got = read_at(&self.file, room, offset)?;
        block.filled = got;
        Ok(got)
    }
}

/// Reads into all of `buf` from `offset`, or up to the file's end.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    fill_from(buf, |room, filled| {
        file.read_at(room, offset + filled as u64)
    })
}

/// What the chunks before this one left: the search goes on from here, in
/// capture order.
#[derive(Debug)]
pub struct Stitch {
    /// Where the next record starts in the file.
    next_record: u64,
    /// Frames found so far.
    frames: u64,
    /// `-c`: frames to read at most.
    limit: u64,
    first_timestamp: Option<(i64, u32)>,
    ended: bool,
    /// The file broke after this many good frames.
    pub failed: Option<(u64, CaptureError)>,
}

impl Stitch {
    pub fn new(limit: Option<u64>) -> Self {
        Stitch {
            next_record: FIRST_RECORD,
            frames: 0,
            limit: limit.unwrap_or(u64::MAX),
            first_timestamp: None,
            ended: false,
            failed: None,
        }
    }

    /// Finds the records that start in `block`'s chunk (`read`: the bytes
    /// read at `offset`, or why they could not be), reading the rest of the
    /// last one when it runs past; marks the end, or what broke, for the
    /// chunks after it.
    pub fn stitch(
        &mut self,
        chunks: &Chunks,
        block: &mut Block,
        offset: u64,
        read: io::Result<usize>,
    ) {
        block.frames.clear();
        if !self.ended {
            let found = read
                .map_err(CaptureError::from)
                .and_then(|len| self.find(chunks, block, offset, len));
            if let Err(e) = found {
                self.failed = Some((self.frames, e));
                self.ended = true;
            }
        }
        if self.ended {
            chunks.ended.store(true, Ordering::Relaxed);
        }
        block.first_timestamp = self.first_timestamp.unwrap_or_default();
        block.position = self.next_record;
    }

    fn find(
        &mut self,
        chunks: &Chunks,
        block: &mut Block,
        offset: u64,
        len: usize,
    ) -> Result<(), CaptureError> {
        // A short read: the file ends in this chunk.
        let file_end = (len < CHUNK).then_some(offset + len as u64);
        let chunk_end = offset + len as u64;
        while self.next_record < chunk_end || file_end == Some(self.next_record) {
            if self.frames >= self.limit || file_end == Some(self.next_record) {
                self.ended = true;
                return Ok(());
            }
            let at = self.next_record;
            let start = (at - offset) as usize;
            // The rest of a record that runs past the chunk comes after it,
            // so the record is whole in the block's buffer.
            let header_end = start + RECORD_HEADER;
            if header_end > block.filled {
                read_past(chunks, block, offset, start, header_end, file_end)?;
            }
            let header = block
                .data
                .get(start..header_end)
                .and_then(|h| h.first_chunk::<RECORD_HEADER>())
                .copied()
                .unwrap_or([0; RECORD_HEADER]);
            let incl_len = chunks.layout.captured_len(&header, at)?;
            let data_end = header_end + incl_len;
            if data_end > block.filled {
                read_past(chunks, block, offset, start, data_end, file_end)?;
            }
            let meta = chunks.layout.meta(&header, incl_len);
            self.first_timestamp.get_or_insert(meta.timestamp);
            self.frames += 1;
            block.frames.push(BlockFrame {
                meta,
                range: header_end..data_end,
                number: self.frames as u32,
                tracked: Tracked::default(),
                shown: false,
            });
            self.next_record = offset + data_end as u64;
        }
        // The file ends in this chunk: nothing comes after it, even when the
        // file shrank under a record read whole before (claims must stop).
        if file_end.is_some() {
            self.ended = true;
        }
        Ok(())
    }
}

/// Makes `block`'s buffer (a chunk read at `offset`) hold the file up to
/// `end`, an index in it: bytes past the chunk are read after it. At the
/// file's end, the error says where the record at `start` was cut.
#[cold]
fn read_past(
    chunks: &Chunks,
    block: &mut Block,
    offset: u64,
    start: usize,
    end: usize,
    file_end: Option<u64>,
) -> Result<(), CaptureError> {
    // What is in the buffer: the chunk, and what was read past it.
    let have = block.filled;
    let cut = |there: usize| cut_record(offset + start as u64, there - start);
    if file_end.is_some() {
        return Err(cut(have));
    }
    if block.data.len() < end {
        block.data.resize(end, 0);
    }
    let room = block.data.get_mut(have..end).unwrap_or_default();
    let got = read_at(&chunks.file, room, offset + have as u64)?;
    block.filled = have + got;
    if have + got < end {
        return Err(cut(have + got));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{CaptureReader, MAX_RECORD_LEN};
    use std::io::{BufReader, Write};

    use crate::capture::synthetic_pcap as pcap;

    type Read = (Vec<(u32, (i64, u32), Vec<u8>)>, String);

    /// Chunk after chunk, stitched in order, as the threads do it.
    fn in_chunks(path: &std::path::Path, limit: Option<u64>) -> Read {
        let layout = CaptureReader::open(BufReader::new(File::open(path).unwrap()))
            .unwrap()
            .pcap_layout()
            .unwrap();
        let chunks = Chunks::new(File::open(path).unwrap(), layout);
        let mut stitch = Stitch::new(limit);
        let mut block = Block::default();
        let mut frames = Vec::new();
        for n in 0.. {
            if chunks.ended() {
                break;
            }
            let offset = Chunks::offset_of(n);
            let read = chunks.read(&mut block, offset);
            stitch.stitch(&chunks, &mut block, offset, read);
            for f in &block.frames {
                frames.push((f.number, f.meta.timestamp, block.bytes(f).to_vec()));
            }
        }
        let end = stitch
            .failed
            .map_or("end".into(), |(n, e)| format!("after {n}: {e}"));
        (frames, end)
    }

    /// The same, record by record from the stream.
    fn in_order(bytes: &[u8], limit: Option<u64>) -> Read {
        let mut r = CaptureReader::open(BufReader::new(bytes)).unwrap();
        let mut frames = Vec::new();
        loop {
            if limit.is_some_and(|l| frames.len() as u64 >= l) {
                return (frames, "end".into());
            }
            let mut buf = Vec::new();
            match r.next_record(&mut buf) {
                Ok(Some(m)) => frames.push((frames.len() as u32 + 1, m.timestamp, buf)),
                Ok(None) => return (frames, "end".into()),
                Err(e) => return (frames.clone(), format!("after {}: {e}", frames.len())),
            }
        }
    }

    /// Records ending on a chunk's last byte, headers and data across
    /// chunks, a record longer than a chunk, files cut at many places and
    /// a corrupt length, with and without `-c`: chunks stitched in order
    /// give what the stream gives.
    #[test]
    fn chunks_stitched_equal_the_stream() {
        let path = std::env::temp_dir().join(format!("encap-chunks-{}.pcap", std::process::id()));
        let mut lens: Vec<usize> = (0..900).map(|i| (i * 37) % 1500).collect();
        // The first chunk ends exactly after record 0; the next header straddles.
        lens[0] = CHUNK - RECORD_HEADER;
        lens.insert(400, MAX_RECORD_LEN);
        lens.insert(401, CHUNK - 7);
        let whole = pcap(&lens);
        let mut files = vec![whole.clone()];
        for cut in [1, 5, 16, 17, 900, 40_000, 300_000] {
            files.push(whole[..whole.len() - cut].to_vec());
        }
        let mut corrupt = pcap(&[60; 5000]);
        let at = 24 + 4000 * (16 + 60) + 8;
        corrupt[at..at + 4].copy_from_slice(&(MAX_RECORD_LEN as u32 + 1).to_le_bytes());
        files.push(corrupt);
        for bytes in &files {
            std::fs::File::create(&path)
                .unwrap()
                .write_all(bytes)
                .unwrap();
            for limit in [None, Some(1), Some(401), Some(5000)] {
                let (a, b) = (in_chunks(&path, limit), in_order(bytes, limit));
                assert_eq!(a.1, b.1, "{} bytes, -c {limit:?}", bytes.len());
                assert_eq!(a.0.len(), b.0.len());
                assert!(
                    a.0 == b.0,
                    "{} bytes, -c {limit:?}: frames differ",
                    bytes.len()
                );
            }
        }
        let _ = std::fs::remove_file(&path);
    }
}
