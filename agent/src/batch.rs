//! Gathering frames into batches: one uplink message per batch, sent when it
//! is full or has waited long enough.

use alloc::vec::Vec;

use encap_proto::uplink as wire;

/// A batch under construction.
#[derive(Debug)]
pub struct Batcher {
    records: Vec<wire::Record>,
    bytes: usize,
    max_records: usize,
    max_bytes: usize,
    linger_ms: u64,
    /// When the first record of the batch came.
    opened_ms: Option<u64>,
}

impl Batcher {
    pub fn new(max_records: usize, max_bytes: usize, linger_ms: u64) -> Self {
        Batcher {
            records: Vec::new(),
            bytes: 0,
            max_records: max_records.max(1),
            max_bytes,
            linger_ms,
            opened_ms: None,
        }
    }

    pub fn push(&mut self, record: wire::Record, now_ms: u64) {
        self.bytes += record.data.len() + 24;
        self.records.push(record);
        self.opened_ms.get_or_insert(now_ms);
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Bytes held (data plus a little per record).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Records that carry a whole frame (not context for the service's state).
    pub fn frames(&self) -> usize {
        self.records.iter().filter(|r| !r.context).count()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Full, or holding a record older than the linger time.
    pub fn is_due(&self, now_ms: u64) -> bool {
        self.records.len() >= self.max_records
            || self.bytes >= self.max_bytes
            || self
                .opened_ms
                .is_some_and(|t| now_ms.saturating_sub(t) >= self.linger_ms)
    }

    pub fn take(&mut self) -> wire::Batch {
        self.bytes = 0;
        self.opened_ms = None;
        wire::Batch {
            records: core::mem::take(&mut self.records),
        }
    }
}
