//! Frames on their way from a source thread to the loop. A file hands them
//! over in blocks: one buffer and one channel message for many frames, where
//! a `Vec` and a message each cost a tenth of the agent. A file at its
//! recorded pace sends what is due before it sleeps; a live source sends
//! each frame as it comes, so none waits for the next.

/// A file's block ends at this many frames…
pub const BLOCK_FRAMES: usize = 256;
/// …or before it would pass this many bytes.
pub const BLOCK_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy)]
struct Meta {
    timestamp: (i64, u32),
    original_length: u32,
    /// Where the frame's bytes end in `data`.
    end: usize,
}

/// One frame or more, in capture order.
#[derive(Debug, Default)]
pub struct Captured {
    data: Vec<u8>,
    frames: Vec<Meta>,
}

/// One frame of a block.
#[derive(Debug, Clone, Copy)]
pub struct CapturedFrame<'a> {
    pub timestamp: (i64, u32),
    pub original_length: u32,
    pub data: &'a [u8],
}

impl Captured {
    /// A block with room for a full one.
    pub fn block() -> Self {
        Captured {
            data: Vec::with_capacity(BLOCK_BYTES),
            frames: Vec::with_capacity(BLOCK_FRAMES),
        }
    }

    /// A block of one frame (a live source's).
    pub fn one(timestamp: (i64, u32), original_length: u32, data: Vec<u8>) -> Self {
        let end = data.len();
        Captured {
            data,
            frames: vec![Meta {
                timestamp,
                original_length,
                end,
            }],
        }
    }

    pub fn push(&mut self, timestamp: (i64, u32), original_length: u32, data: &[u8]) {
        self.data.extend_from_slice(data);
        self.frames.push(Meta {
            timestamp,
            original_length,
            end: self.data.len(),
        });
    }

    /// A file's block is full: send it.
    pub fn is_full(&self) -> bool {
        self.frames.len() >= BLOCK_FRAMES
    }

    /// Whether `len` more bytes fit in the room reserved, so a block is not
    /// grown (an empty block takes any frame, even one larger than the room).
    pub fn fits(&self, len: usize) -> bool {
        self.data.is_empty() || self.data.len() + len <= BLOCK_BYTES
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The `index`th frame.
    pub fn get(&self, index: usize) -> Option<CapturedFrame<'_>> {
        let meta = self.frames.get(index)?;
        let start = match index.checked_sub(1) {
            Some(before) => self.frames.get(before)?.end,
            None => 0,
        };
        Some(CapturedFrame {
            timestamp: meta.timestamp,
            original_length: meta.original_length,
            data: self.data.get(start..meta.end)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_gives_back_each_frame() {
        let mut block = Captured::block();
        assert!(block.is_empty());
        for i in 0..BLOCK_FRAMES {
            assert!(!block.is_full());
            block.push((i as i64, 7), 100 + i as u32, &vec![i as u8; i % 5]);
        }
        assert!(block.is_full());
        for i in 0..BLOCK_FRAMES {
            let f = block.get(i).unwrap();
            assert_eq!(f.timestamp, (i as i64, 7));
            assert_eq!(f.original_length, 100 + i as u32);
            assert_eq!(f.data, vec![i as u8; i % 5].as_slice());
        }
        assert!(block.get(BLOCK_FRAMES).is_none());
        let one = Captured::one((1, 2), 60, vec![9; 60]);
        assert!(one.get(1).is_none());
        assert_eq!(one.get(0).unwrap().data, &[9u8; 60][..]);
        // Bytes alone fill a block too; an empty one takes any frame.
        let mut big = Captured::block();
        assert!(big.fits(BLOCK_BYTES + 1));
        big.push((0, 0), 70_000, &vec![0; BLOCK_BYTES - 10]);
        assert!(big.fits(10));
        assert!(!big.fits(11));
    }
}
