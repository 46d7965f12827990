//! Gathering frames into batches: one uplink message per batch, sent when it
//! is full or has waited long enough. Records are encoded as they come
//! ([`BatchWriter`]), so a batch is one buffer, not a record per frame.

use encap_proto::batch::{BatchWriter, Framed, RecordHead};

/// A batch under construction.
#[derive(Debug)]
pub struct Batcher {
    writer: BatchWriter,
    max_records: usize,
    max_bytes: usize,
    linger_ms: u64,
    /// Every batch reserves a full batch's bytes (see [`Batcher::full_buffers`]).
    full_buffers: bool,
    /// When the first record of the batch came.
    opened_ms: Option<u64>,
}

impl Batcher {
    pub fn new(max_records: usize, max_bytes: usize, linger_ms: u64) -> Self {
        Batcher {
            writer: BatchWriter::new(),
            max_records: max_records.max(1),
            max_bytes,
            linger_ms,
            full_buffers: false,
            opened_ms: None,
        }
    }

    /// Every batch's buffer the size of a full batch, never grown: on a small
    /// heap, buffers of one size leave holes the next batch fits, where sizes
    /// that follow the traffic fragmented the board's 24 KiB until a batch
    /// found no room (and the board reset).
    pub fn full_buffers(mut self) -> Self {
        self.full_buffers = true;
        self.writer = BatchWriter::with_capacity(self.max_bytes);
        self
    }

    /// Whether the record keeps the batch within its bytes (an empty batch
    /// takes any record): the agent sends the batch first when it does not,
    /// so a batch never outgrows the room reserved for a full one.
    pub fn fits(&self, head: &RecordHead, data: &[u8]) -> bool {
        self.writer.is_empty()
            || self.writer.encoded_len() + BatchWriter::record_len(head, data) <= self.max_bytes
    }

    pub fn push(&mut self, head: &RecordHead, data: &[u8], now_ms: u64) {
        self.writer.push(head, data);
        self.opened_ms.get_or_insert(now_ms);
    }

    pub fn len(&self) -> usize {
        self.writer.len()
    }

    /// Bytes held (the records as encoded).
    pub fn bytes(&self) -> usize {
        self.writer.encoded_len()
    }

    /// Records that carry a whole frame (not context for the service's state).
    pub fn frames(&self) -> usize {
        self.writer.frames()
    }

    pub fn is_empty(&self) -> bool {
        self.writer.is_empty()
    }

    /// Full, or holding a record older than the linger time.
    pub fn is_due(&self, now_ms: u64) -> bool {
        self.writer.len() >= self.max_records
            || self.writer.encoded_len() >= self.max_bytes
            || self
                .opened_ms
                .is_some_and(|t| now_ms.saturating_sub(t) >= self.linger_ms)
    }

    /// The batch, framed for the uplink.
    pub fn take(&mut self) -> Framed {
        self.opened_ms = None;
        // The next batch is likely the size of this one: reserve that and a
        // quarter, no more than a full batch (which `fits` keeps it within).
        let last = self.writer.encoded_len();
        let next = if self.full_buffers {
            self.max_bytes
        } else {
            (last + last / 4).min(self.max_bytes)
        };
        self.writer.finish(next)
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use encap_proto::batch::RecordHead;

    use super::Batcher;

    /// With full buffers, every batch, however full, holds exactly a full
    /// batch's room: one size, so a small heap does not fragment.
    #[test]
    fn full_buffers_are_all_one_size() {
        let mut batcher = Batcher::new(16, 3_072, 50).full_buffers();
        let mut sizes = Vec::new();
        for (frames, len) in [(1, 60), (16, 90), (3, 1514), (2, 700), (9, 200)] {
            for sequence in 0..frames {
                let head = RecordHead {
                    sequence,
                    ..RecordHead::default()
                };
                let frame = vec![0x5a; len];
                if !batcher.fits(&head, &frame) {
                    sizes.push(batcher.take().bytes.capacity());
                }
                batcher.push(&head, &frame, 0);
            }
            sizes.push(batcher.take().bytes.capacity());
        }
        assert!(sizes.len() >= 6, "{sizes:?}");
        assert!(sizes.iter().all(|&s| s == 3_072 + 21), "{sizes:?}");
    }

    #[test]
    fn a_batch_holds_little_more_than_its_size() {
        let mut batcher = Batcher::new(1_000, 4_096, 20);
        let frame = [0x5a; 1514];
        for round in 0..3u64 {
            let mut sequence = 0;
            loop {
                sequence += 1;
                let head = RecordHead {
                    sequence,
                    ..RecordHead::default()
                };
                // As the agent does: a record that would pass the bound waits.
                if !batcher.fits(&head, &frame) {
                    break;
                }
                batcher.push(&head, &frame, 0);
            }
            let framed = batcher.take();
            // A batch full by its bytes stays within them: its buffer is the
            // room reserved, never doubled.
            if round > 0 {
                assert!(
                    framed.bytes.capacity() <= 4_096 + frame.len() + 100,
                    "round {round}: {} bytes held for {}",
                    framed.bytes.capacity(),
                    framed.message().len()
                );
            }
        }
    }
}
