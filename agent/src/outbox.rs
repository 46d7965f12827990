//! The uplink's send queue: encoded messages waiting for the socket, bounded
//! in bytes. A batch that does not fit is dropped and its frames counted.
//! The bound counts the memory each message holds (its buffer's capacity), so
//! it bounds the queue's memory, not just what it will send.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use encap_proto::batch::Framed;

#[derive(Debug)]
struct Queued {
    message: Framed,
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
    pub fn push(&mut self, message: Framed, frames: u64) -> Result<(), Framed> {
        let held = message.bytes.capacity();
        if self.bytes + held > self.limit && !self.queue.is_empty() {
            return Err(message);
        }
        self.bytes += held;
        self.queue.push_back(Queued { message, frames });
        Ok(())
    }

    /// Queues a small control message regardless of the bound.
    pub fn push_always(&mut self, bytes: Vec<u8>) {
        self.bytes += bytes.capacity();
        self.queue.push_back(Queued {
            message: Framed::from(bytes),
            frames: 0,
        });
    }

    /// The bytes to write next.
    pub fn pending(&self) -> Option<&[u8]> {
        self.queue
            .front()
            .and_then(|q| q.message.message().get(self.written..))
    }

    /// `n` bytes were written; returns the frames of messages now complete.
    pub fn advance(&mut self, mut n: usize) -> u64 {
        let mut frames = 0;
        while n > 0 {
            let Some(front) = self.queue.front() else {
                break;
            };
            let len = front.message.message().len();
            let left = len - self.written;
            if n < left {
                self.written += n;
                break;
            }
            n -= left;
            frames += front.frames;
            self.bytes -= front.message.bytes.capacity();
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
                self.bytes -= q.message.bytes.capacity();
                q.frames
            }
            None => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Memory the queued messages hold.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::Outbox;
    use alloc::vec;
    use encap_proto::batch::Framed;

    fn framed(byte: u8, len: usize) -> Framed {
        Framed::from(vec![byte; len])
    }

    #[test]
    fn bounded_written_in_pieces_and_partial_loss_counted() {
        let mut o = Outbox::new(10);
        o.push(framed(1, 6), 3).unwrap();
        assert_eq!(o.push(framed(2, 6), 2), Err(framed(2, 6)));
        o.push(framed(3, 4), 1).unwrap();
        assert_eq!(o.advance(4), 0);
        assert_eq!(o.pending(), Some(&[1u8, 1][..]));
        assert_eq!(o.advance(3), 3);
        assert_eq!(o.pending(), Some(&[3u8, 3, 3][..]));
        assert_eq!(o.lose_partial(), 1);
        assert!(o.is_empty());
        assert_eq!(o.bytes(), 0);
        // One message larger than the bound still goes (alone).
        o.push(framed(9, 50), 7).unwrap();
        assert_eq!(o.advance(50), 7);
    }
}
