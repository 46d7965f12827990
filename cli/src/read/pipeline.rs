//! `encap read` on several threads. Each thread reads a block under a lock,
//! dissects it to find what the tables need (unlocked), feeds the tables in
//! its turn (capture order), dissects and formats it (unlocked), and writes it
//! in its turn. Only reading and the tables' own work run one thread at a time.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;

use encap_core::tracker::Tracker;
use encap_fields::Text;

use super::ReadStats;
use super::block::{self, Block, Fill, Input};
use super::chunks::{Chunks, Stitch};
use super::printer::{Counts, Printer};
use super::progress::Progress;
use super::turns::Turns;
use crate::capture::{CaptureError, PcapWriter};
use crate::output::json::JsonOutput;

/// Where blocks come from: the file, read in order, or claimed chunk by
/// chunk ([`Chunks`]).
pub struct Source {
    reader: Option<Input>,
    next_sequence: u64,
    /// Frames read so far.
    frames: u64,
    /// `-c`: frames to read at most.
    limit: Option<u64>,
    first_timestamp: Option<(i64, u32)>,
    ended: bool,
    /// The file broke after this many good frames.
    pub failed: Option<(u64, CaptureError)>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("frames", &self.frames)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl Source {
    /// Blocks read from `reader` one after another.
    pub fn new(reader: Input, limit: Option<u64>) -> Self {
        Self::of(Some(reader), limit)
    }

    /// Blocks that are chunks of a file, which the threads read themselves.
    pub fn chunked(limit: Option<u64>) -> Self {
        Self::of(None, limit)
    }

    fn of(reader: Option<Input>, limit: Option<u64>) -> Self {
        Source {
            reader,
            next_sequence: 0,
            frames: 0,
            limit,
            first_timestamp: None,
            ended: false,
            failed: None,
        }
    }

    /// Fills `block` with the next frames, or gives it the next chunk to
    /// read; `Next::Done` when nothing is left.
    fn next_block(&mut self, block: &mut Block, chunks: Option<&Chunks>) -> Next {
        let Some(reader) = self.reader.as_mut() else {
            if chunks.is_none_or(Chunks::ended) || self.ended {
                return Next::Done;
            }
            block.sequence = self.next_sequence;
            self.next_sequence += 1;
            return Next::Chunk(Chunks::offset_of(block.sequence));
        };
        let left = self
            .limit
            .map_or(u64::MAX, |c| c.saturating_sub(self.frames));
        if self.ended || left == 0 {
            return Next::Done;
        }
        match block::fill(reader, block, self.frames as u32, left) {
            Fill::More => {}
            Fill::End => self.ended = true,
            Fill::Failed(e) => {
                self.ended = true;
                self.failed = Some((self.frames + block.frames.len() as u64, e));
            }
        }
        if block.frames.is_empty() {
            return Next::Done;
        }
        self.frames += block.frames.len() as u64;
        block.sequence = self.next_sequence;
        self.next_sequence += 1;
        // Times are relative to the first frame read, shown or not (as tshark's).
        if let Some(first) = block.frames.first() {
            self.first_timestamp.get_or_insert(first.meta.timestamp);
        }
        block.first_timestamp = self.first_timestamp.unwrap_or_default();
        Next::Filled
    }
}

/// What a thread got from the source.
enum Next {
    /// A block of frames.
    Filled,
    /// A chunk of the file to read (at this offset) and stitch in its turn.
    Chunk(u64),
    Done,
}

/// A file read in chunks: the file, and the search for records across them.
#[derive(Debug, Clone, Copy)]
pub struct Chunked<'c> {
    pub chunks: &'c Chunks,
    pub stitch: &'c Turns<Stitch>,
}

/// Where formatted blocks go, in order.
#[derive(Debug)]
pub struct Sink<'w, W> {
    out: &'w mut W,
    /// `-w`: the frames shown, as a pcap.
    pub writer: Option<PcapWriter<BufWriter<File>>>,
    /// For `-T json` and `-T ek`: what opens and closes the output.
    pub json: Option<JsonOutput>,
    pub progress: Progress,
    pub stats: ReadStats,
    /// Writing failed: later blocks are dropped.
    pub failed: Option<io::Error>,
}

impl<'w, W: Write> Sink<'w, W> {
    pub fn new(
        out: &'w mut W,
        writer: Option<PcapWriter<BufWriter<File>>>,
        json: Option<JsonOutput>,
        progress: Progress,
    ) -> Self {
        Sink {
            out,
            writer,
            json,
            progress,
            stats: ReadStats::default(),
            failed: None,
        }
    }

    pub fn out(&mut self) -> &mut W {
        self.out
    }

    fn write(&mut self, block: &Block, text: &[u8], counts: Counts) {
        self.stats.frames += block.frames.len() as u64;
        self.stats.shown += counts.shown;
        self.stats.malformed += counts.malformed;
        if self.failed.is_none()
            && let Err(e) = self.write_out(block, text)
        {
            self.failed = Some(e);
        }
        self.progress.tick(block.position, self.stats.frames);
    }

    fn write_out(&mut self, block: &Block, text: &[u8]) -> io::Result<()> {
        let (open, text) = match self.json.as_mut() {
            Some(json) => json.join(text),
            None => ("", text),
        };
        self.out.write_all(open.as_bytes())?;
        self.out.write_all(text)?;
        if let Some(w) = self.writer.as_mut() {
            for f in block.frames.iter().filter(|f| f.shown) {
                w.write(&f.meta, block.bytes(f))?;
            }
        }
        if block.drained {
            self.out.flush()?;
        }
        Ok(())
    }
}

/// Frames in a chunk of a usual capture (records of about 130 bytes).
const USUAL_FRAMES: usize = super::chunks::CHUNK / 128;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads, tracks, formats and writes blocks until the source ends or the
/// output fails; run by each thread.
pub fn work<W: Write>(
    source: &Mutex<Source>,
    chunked: Option<Chunked<'_>>,
    tracker: &Turns<Box<Tracker>>,
    sink: &Turns<Sink<'_, W>>,
    mut printer: Printer<'_>,
) {
    // A thread that panics holds turns the others wait for: it gives them up.
    let _guard = OnPanic(|| {
        if let Some(c) = chunked {
            c.stitch.abandon();
        }
        tracker.abandon();
        sink.abandon();
    });
    // Room for a chunk's usual frames and their lines from the start: grown
    // a doubling at a time, each list is copied and its new pages touched
    // over and over (a third of the page faults of a run).
    let mut block = Block {
        frames: Vec::with_capacity(USUAL_FRAMES),
        ..Block::default()
    };
    let mut clues = Vec::with_capacity(USUAL_FRAMES);
    let mut text = Text::with_capacity(super::chunks::CHUNK);
    loop {
        let next = lock(source).next_block(&mut block, chunked.map(|c| c.chunks));
        match (next, chunked) {
            (Next::Done, _) | (Next::Chunk(_), None) => return,
            (Next::Filled, _) => {}
            (Next::Chunk(offset), Some(c)) => {
                // Read side by side; searched for records in capture order.
                let read = c.chunks.read(&mut block, offset);
                let stitched = c.stitch.take(block.sequence, |st| {
                    st.stitch(c.chunks, &mut block, offset, read)
                });
                if stitched.is_none() {
                    return;
                }
            }
        }
        block.clues(&mut clues);
        let tracked = tracker.take(block.sequence, |t| {
            for (f, c) in block.frames.iter_mut().zip(&clues) {
                f.tracked = t.take(c);
            }
        });
        if tracked.is_none() {
            return;
        }
        text.clear();
        let counts = printer.format_block(&mut block, &mut text);
        let written = sink.take(block.sequence, |s| {
            s.write(&block, text.as_bytes(), counts);
            s.failed.is_none()
        });
        if written != Some(true) {
            lock(source).ended = true;
            return;
        }
    }
}

/// Runs its closure when dropped by a panicking thread.
struct OnPanic<F: Fn()>(F);

impl<F: Fn()> Drop for OnPanic<F> {
    fn drop(&mut self) {
        if thread::panicking() {
            (self.0)();
        }
    }
}
