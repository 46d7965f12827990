//! `encap read` on several threads. Tracking (TCP conversations, echo
//! matching) must see frames in capture order, so one lock covers reading a
//! block and tracking it; formatting, most of the work, runs unlocked; blocks
//! are written in the order they were read.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;

use encap_core::tracker::Tracker;

use super::ReadStats;
use super::block::{self, Block, Fill, Input};
use super::printer::{Counts, Printer};
use super::progress::Progress;
use crate::capture::{CaptureError, PcapWriter};
use crate::output::json::JsonOutput;

/// Where blocks come from: the file and the tables that must see every frame.
pub struct Source {
    reader: Input,
    tracker: Box<Tracker>,
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
    pub fn new(reader: Input, limit: Option<u64>) -> Self {
        Source {
            reader,
            tracker: Box::default(),
            next_sequence: 0,
            frames: 0,
            limit,
            first_timestamp: None,
            ended: false,
            failed: None,
        }
    }

    /// Fills `block` with the next frames and tracks them; false when no frame is left.
    fn next_block(&mut self, block: &mut Block) -> bool {
        let left = self
            .limit
            .map_or(u64::MAX, |c| c.saturating_sub(self.frames));
        if self.ended || left == 0 {
            return false;
        }
        match block::fill(&mut self.reader, block, self.frames as u32, left) {
            Fill::More => {}
            Fill::End => self.ended = true,
            Fill::Failed(e) => {
                self.ended = true;
                self.failed = Some((self.frames + block.frames.len() as u64, e));
            }
        }
        if block.frames.is_empty() {
            return false;
        }
        self.frames += block.frames.len() as u64;
        block.sequence = self.next_sequence;
        self.next_sequence += 1;
        self.track(block);
        true
    }

    /// Feeds the block's frames to the tables and keeps what each frame learnt.
    fn track(&mut self, block: &mut Block) {
        // Times are relative to the first frame read, shown or not (as tshark's).
        if let Some(first) = block.frames.first() {
            self.first_timestamp.get_or_insert(first.meta.timestamp);
        }
        block.first_timestamp = self.first_timestamp.unwrap_or_default();
        block.dissect_each(|f, d| {
            self.tracker.track(d);
            f.tracked = d.tracked();
        });
    }
}

/// Where formatted blocks go, in order.
#[derive(Debug)]
pub struct Sink<'w, W> {
    out: &'w mut W,
    next_sequence: u64,
    /// `-w`: the frames shown, as a pcap.
    pub writer: Option<PcapWriter<BufWriter<File>>>,
    /// For `-T json` and `-T ek`: what opens and closes the output.
    pub json: Option<JsonOutput>,
    pub progress: Progress,
    pub stats: ReadStats,
    /// Writing failed: later blocks are dropped.
    pub failed: Option<io::Error>,
    /// A thread died before writing its block: nobody waits for it.
    abandoned: bool,
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
            next_sequence: 0,
            writer,
            json,
            progress,
            stats: ReadStats::default(),
            failed: None,
            abandoned: false,
        }
    }

    pub fn out(&mut self) -> &mut W {
        self.out
    }

    fn write(&mut self, block: &Block, text: &str, counts: Counts) {
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

    fn write_out(&mut self, block: &Block, text: &str) -> io::Result<()> {
        let (open, text) = match self.json.as_mut() {
            Some(json) => json.join(text),
            None => ("", text),
        };
        self.out.write_all(open.as_bytes())?;
        self.out.write_all(text.as_bytes())?;
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

/// The sink and the signal that the next block's turn has come.
pub type Ordered<'w, W> = (Mutex<Sink<'w, W>>, Condvar);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads, tracks, formats and writes blocks until the source ends or the
/// output fails; run by each thread.
pub fn work<W: Write>(source: &Mutex<Source>, sink: &Ordered<'_, W>, mut printer: Printer<'_>) {
    let _guard = AbandonOnPanic(sink);
    let (sink, turn) = sink;
    let mut block = Block::default();
    let mut text = String::new();
    loop {
        if !lock(source).next_block(&mut block) {
            return;
        }
        text.clear();
        let counts = printer.format_block(&mut block, &mut text);
        let mut s = lock(sink);
        while s.next_sequence != block.sequence && !s.abandoned {
            s = turn.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
        if s.abandoned {
            return;
        }
        s.write(&block, &text, counts);
        s.next_sequence += 1;
        let failed = s.failed.is_some();
        drop(s);
        turn.notify_all();
        if failed {
            lock(source).ended = true;
            return;
        }
    }
}

/// A thread that panics holds a block the others wait to follow: it tells them.
struct AbandonOnPanic<'s, 'w, W>(&'s Ordered<'w, W>);

impl<W> Drop for AbandonOnPanic<'_, '_, W> {
    fn drop(&mut self) {
        if thread::panicking() {
            lock(&self.0.0).abandoned = true;
            self.0.1.notify_all();
        }
    }
}
