//! A block of frames read from a capture into one buffer: the unit that one
//! thread tracks, formats and hands to the output.

use std::io::{BufReader, Read};
use std::ops::Range;

use encap_core::tracker::Clues;
use encap_core::{Dissection, Frame, Tracked, dissect, dissect_into_noted};

use crate::capture::{Bulk, CaptureError, CaptureReader, PcapReader, RecordMeta};

/// The stream `encap read` reads: a file or standard input.
pub type Stream = BufReader<Box<dyn Read + Send>>;

/// The input `encap read` takes blocks from.
pub type Input = CaptureReader<Stream>;

/// At most this many frames a block read record by record (pcapng): big
/// enough that locks are rare, small enough that both threads have work on a
/// file of a few thousand frames. (pcap is read in bulk, a read a block.)
const MAX_FRAMES: usize = 1024;
/// And at most about this many bytes (a frame may pass it).
const MAX_BYTES: usize = 1 << 20;

/// One frame of a block.
#[derive(Debug, Clone)]
pub struct BlockFrame {
    pub meta: RecordMeta,
    /// Where its bytes are in [`Block::data`].
    pub range: Range<usize>,
    /// `frame.number`: its place in the capture, from 1.
    pub number: u32,
    /// What tracking learnt of it, to replay after the tables have moved on.
    pub tracked: Tracked,
    /// It passed the display filter (set when formatted).
    pub shown: bool,
}

impl BlockFrame {
    /// The core's view of the frame, its bytes in `data` (its block's).
    fn of<'b>(&self, data: &'b [u8]) -> Frame<'b> {
        Frame {
            data: data.get(self.range.clone()).unwrap_or_default(),
            orig_len: self.meta.orig_len,
            link_type: self.meta.link_type,
            number: self.number,
            timestamp: self.meta.timestamp,
        }
    }
}

/// Frames read in capture order, and where they came from.
#[derive(Debug, Default)]
pub struct Block {
    /// The order in which blocks are written out.
    pub sequence: u64,
    pub data: Vec<u8>,
    pub frames: Vec<BlockFrame>,
    /// The first frame's time of the whole capture (times are relative to it).
    pub first_timestamp: (i64, u32),
    /// Bytes of the file consumed when the block was full (for progress).
    pub position: u64,
    /// It ended because the input had nothing more buffered: a pipe may be
    /// waiting, so what is printed so far is flushed.
    pub drained: bool,
    /// Bytes of `data` read from the file (a chunk, and what was read past it).
    pub filled: usize,
}

impl Block {
    /// The bytes of `frame`.
    pub fn bytes(&self, frame: &BlockFrame) -> &[u8] {
        self.data.get(frame.range.clone()).unwrap_or_default()
    }

    /// What the trackers need of each frame, in order, from walks that go
    /// only as deep as that ([`Clues::of_frame`]), written over the start of
    /// `out` (made as long as the block first; what is past it is stale).
    pub fn clues(&self, out: &mut Vec<Clues>) {
        if out.len() < self.frames.len() {
            out.resize(self.frames.len(), Clues::NONE);
        }
        let mut scratch: Option<Dissection<'_>> = None;
        for (frame, slot) in self.frames.iter().zip(out.iter_mut()) {
            let bytes = frame.of(&self.data);
            let d = scratch.get_or_insert_with(|| dissect(bytes));
            Clues::of_frame_into(bytes, d, slot);
        }
    }

    /// Dissects each frame in turn into one dissection's storage, its notes
    /// found during the walk (every frame's are read; the first's when read),
    /// and hands both to `f`.
    pub fn dissect_each(&mut self, mut f: impl FnMut(&mut BlockFrame, &mut Dissection<'_>)) {
        let Block { data, frames, .. } = self;
        let mut d: Option<Dissection<'_>> = None;
        for frame in frames.iter_mut() {
            let bytes = frame.of(data);
            let d = match d.as_mut() {
                Some(d) => {
                    dissect_into_noted(bytes, d);
                    d
                }
                // The block's first frame: its notes are found when first read.
                None => d.insert(dissect(bytes)),
            };
            f(frame, d);
        }
    }
}

/// Why a block ended.
#[derive(Debug)]
pub enum Fill {
    /// Full, or the input has nothing buffered: more may follow.
    More,
    /// The input ended (or `limit` frames were read).
    End,
    /// The input is broken after the frames the block holds.
    Failed(CaptureError),
}

/// Replaces `block`'s frames with the next ones of `input`, numbered from
/// `number + 1`, reading no more than `limit` frames. A block ends early when
/// the input has nothing buffered, so a pipe that pauses is shown as it comes
/// rather than when a block is full.
pub fn fill(input: &mut Input, block: &mut Block, number: u32, limit: u64) -> Fill {
    block.frames.clear();
    block.drained = false;
    match input {
        CaptureReader::Pcap(pcap) => fill_in_bulk(pcap, block, number, limit),
        CaptureReader::Pcapng(_) => fill_by_record(input, block, number, limit),
    }
}

/// pcap: the file's bytes as they are, records found in place.
fn fill_in_bulk(pcap: &mut PcapReader<Stream>, block: &mut Block, number: u32, limit: u64) -> Fill {
    let Block { data, frames, .. } = block;
    let mut number = number;
    let end = pcap.read_records(data, limit, |meta, range| {
        number = number.wrapping_add(1);
        frames.push(BlockFrame {
            meta,
            range,
            number,
            tracked: Tracked::default(),
            shown: false,
        });
    });
    block.position = pcap.position();
    // One read of a stream may be all it has for now (a pipe that pauses):
    // the block is shown without waiting for more.
    block.drained = true;
    match end {
        Bulk::More if (block.frames.len() as u64) < limit => Fill::More,
        Bulk::More | Bulk::End => Fill::End,
        Bulk::Failed(e) => Fill::Failed(e),
    }
}

/// pcapng: record by record, each frame's bytes appended.
fn fill_by_record(input: &mut Input, block: &mut Block, number: u32, limit: u64) -> Fill {
    block.data.clear();
    let mut number = number;
    loop {
        if block.frames.len() as u64 >= limit {
            return Fill::End;
        }
        let start = block.data.len();
        match input.append_record(&mut block.data) {
            Ok(Some(meta)) => {
                number = number.wrapping_add(1);
                block.frames.push(BlockFrame {
                    meta,
                    range: start..block.data.len(),
                    number,
                    tracked: Tracked::default(),
                    shown: false,
                });
            }
            Ok(None) => return Fill::End,
            Err(e) => {
                block.data.truncate(start);
                return Fill::Failed(e);
            }
        }
        block.position = input.position();
        block.drained = input.get_ref().buffer().is_empty();
        if block.frames.len() >= MAX_FRAMES || block.data.len() >= MAX_BYTES || block.drained {
            return Fill::More;
        }
    }
}
