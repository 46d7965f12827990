//! The uplink's send queue: encoded messages waiting for the socket, bounded
//! in bytes. A batch that does not fit is dropped and its frames counted.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

#[derive(Debug)]
struct Queued {
    bytes: Vec<u8>,
    /// Frames this message carries (counted as sent once it is written).
    frames: u64,
}

#[derive(Debug)]
pub struct Outbox {
    queue: VecDeque<Queued>,
    /// Bytes of the front message already written.
    written: usize,
    bytes: usize,
    limit: usize,
}

impl Outbox {
    pub fn new(limit: usize) -> Self {
        Outbox {
            queue: VecDeque::new(),
            written: 0,
            bytes: 0,
            limit,
        }
    }

    /// Queues a message; gives it back when it does not fit.
    pub fn push(&mut self, bytes: Vec<u8>, frames: u64) -> Result<(), Vec<u8>> {
        if self.bytes + bytes.len() > self.limit && !self.queue.is_empty() {
            return Err(bytes);
        }
        self.bytes += bytes.len();
        self.queue.push_back(Queued { bytes, frames });
        Ok(())
    }

    /// Queues a small control message regardless of the bound.
    pub fn push_always(&mut self, bytes: Vec<u8>) {
        self.bytes += bytes.len();
        self.queue.push_back(Queued { bytes, frames: 0 });
    }

    /// The bytes to write next.
    pub fn pending(&self) -> Option<&[u8]> {
        self.queue.front().and_then(|q| q.bytes.get(self.written..))
    }

    /// `n` bytes were written; returns the frames of messages now complete.
    pub fn advance(&mut self, mut n: usize) -> u64 {
        let mut frames = 0;
        while n > 0 {
            let Some(front) = self.queue.front() else {
                break;
            };
            let left = front.bytes.len() - self.written;
            if n < left {
                self.written += n;
                break;
            }
            n -= left;
            frames += front.frames;
            self.bytes -= front.bytes.len();
            self.written = 0;
            self.queue.pop_front();
        }
        frames
    }

    /// After a broken connection: a message partly written is lost (the
    /// service drops what it did not receive whole). Returns its frames.
    pub fn lose_partial(&mut self) -> u64 {
        if self.written == 0 {
            return 0;
        }
        self.written = 0;
        match self.queue.pop_front() {
            Some(q) => {
                self.bytes -= q.bytes.len();
                q.frames
            }
            None => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::Outbox;
    use alloc::vec;

    #[test]
    fn bounded_written_in_pieces_and_partial_loss_counted() {
        let mut o = Outbox::new(10);
        o.push(vec![1; 6], 3).unwrap();
        assert_eq!(o.push(vec![2; 6], 2), Err(vec![2; 6]));
        o.push(vec![3; 4], 1).unwrap();
        assert_eq!(o.advance(4), 0);
        assert_eq!(o.pending(), Some(&[1u8, 1][..]));
        assert_eq!(o.advance(3), 3);
        assert_eq!(o.pending(), Some(&[3u8, 3, 3][..]));
        assert_eq!(o.lose_partial(), 1);
        assert!(o.is_empty());
        assert_eq!(o.bytes(), 0);
        // One message larger than the bound still goes (alone).
        o.push(vec![9; 50], 7).unwrap();
        assert_eq!(o.advance(50), 7);
    }
}
