//! An uplink batch written record by record straight into the bytes that go
//! on the stream: the length prefix, `AgentMessage { batch }` and each
//! `Record`, with no `Record` built per frame and no copy at the end.
//! The service decodes it as the generated `AgentMessage`.

use alloc::vec::Vec;

use prost::encoding::{WireType, encoded_len_varint};

use crate::encode::{bytes_field, bytes_field_len, key, varint, varint_field, varint_field_len};

/// Room kept before the records for the three things only known at the end:
/// the stream's length prefix, the `batch` key and `Batch`'s length.
const HEAD_ROOM: usize = 10 + 1 + 10;

/// A `Record` but its bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordHead {
    pub sequence: u64,
    pub timestamp_seconds: i64,
    pub timestamp_nanos: u32,
    pub original_length: u32,
    pub context: bool,
}

/// A length-delimited `AgentMessage` that starts `start` bytes into `bytes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framed {
    pub bytes: Vec<u8>,
    pub start: usize,
}

/// A message framed elsewhere (from its first byte).
impl From<Vec<u8>> for Framed {
    fn from(bytes: Vec<u8>) -> Self {
        Framed { bytes, start: 0 }
    }
}

impl Framed {
    pub fn message(&self) -> &[u8] {
        self.bytes.get(self.start..).unwrap_or(&[])
    }
}

/// The batch being written.
#[derive(Debug, Default)]
pub struct BatchWriter {
    bytes: Vec<u8>,
    records: usize,
    frames: usize,
}

impl BatchWriter {
    pub fn new() -> Self {
        BatchWriter::default()
    }

    /// Appends one record (`Batch.records`, field 1).
    pub fn push(&mut self, head: &RecordHead, data: &[u8]) {
        if self.bytes.is_empty() {
            self.bytes.resize(HEAD_ROOM, 0);
        }
        let len = varint_field_len(head.sequence)
            + varint_field_len(head.timestamp_seconds as u64)
            + varint_field_len(u64::from(head.timestamp_nanos))
            + varint_field_len(u64::from(head.original_length))
            + bytes_field_len(data)
            + if head.context { 2 } else { 0 };
        self.bytes.reserve(1 + encoded_len_varint(len as u64) + len);
        key(1, WireType::LengthDelimited, &mut self.bytes);
        varint(len as u64, &mut self.bytes);
        varint_field(1, head.sequence, &mut self.bytes);
        varint_field(2, head.timestamp_seconds as u64, &mut self.bytes);
        varint_field(3, u64::from(head.timestamp_nanos), &mut self.bytes);
        varint_field(4, u64::from(head.original_length), &mut self.bytes);
        bytes_field(5, data, &mut self.bytes);
        varint_field(6, u64::from(head.context), &mut self.bytes);
        self.records += 1;
        if !head.context {
            self.frames += 1;
        }
    }

    /// Records written.
    pub fn len(&self) -> usize {
        self.records
    }

    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// Records that carry a whole frame (not context).
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Bytes of the records written so far.
    pub fn encoded_len(&self) -> usize {
        self.bytes.len().saturating_sub(HEAD_ROOM)
    }

    /// The finished message; the writer starts a new batch. `capacity` is
    /// room to reserve for the next one (the batch just sent is a fair guess).
    pub fn finish(&mut self, capacity: usize) -> Framed {
        let records = self.encoded_len();
        let message = 1 + encoded_len_varint(records as u64) + records;
        let mut head = Vec::with_capacity(HEAD_ROOM);
        varint(message as u64, &mut head);
        key(2, WireType::LengthDelimited, &mut head);
        varint(records as u64, &mut head);
        let mut bytes = core::mem::replace(&mut self.bytes, Vec::with_capacity(capacity));
        if bytes.is_empty() {
            bytes.resize(HEAD_ROOM, 0);
        }
        let start = HEAD_ROOM - head.len();
        if let Some(room) = bytes.get_mut(start..HEAD_ROOM) {
            room.copy_from_slice(&head);
        }
        self.records = 0;
        self.frames = 0;
        Framed { bytes, start }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use alloc::vec;

    use prost::Message;
    use prost::bytes::Bytes;

    use super::*;
    use crate::uplink::{AgentMessage, Batch, Record, agent_message};

    fn prost_bytes(records: &[(RecordHead, &[u8])]) -> Vec<u8> {
        let batch = Batch {
            records: records
                .iter()
                .map(|(h, data)| Record {
                    sequence: h.sequence,
                    timestamp_seconds: h.timestamp_seconds,
                    timestamp_nanos: h.timestamp_nanos,
                    original_length: h.original_length,
                    data: Bytes::copy_from_slice(data),
                    context: h.context,
                })
                .collect(),
        };
        AgentMessage {
            kind: Some(agent_message::Kind::Batch(batch)),
        }
        .encode_length_delimited_to_vec()
    }

    #[test]
    fn a_batch_is_what_prost_writes() {
        let big = vec![0xa5u8; 70_000];
        let heads = [
            RecordHead::default(),
            RecordHead {
                sequence: 1,
                timestamp_seconds: 1_700_000_000,
                timestamp_nanos: 999_999_999,
                original_length: 60,
                context: false,
            },
            RecordHead {
                sequence: u64::MAX,
                timestamp_seconds: -1,
                timestamp_nanos: 0,
                original_length: u32::MAX,
                context: true,
            },
        ];
        let datas: [&[u8]; 3] = [&[], &[1, 2, 3], &big];
        let mut writer = BatchWriter::new();
        // An empty batch, then every record alone, then all of them together.
        assert_eq!(writer.finish(0).message(), prost_bytes(&[]));
        let mut all = Vec::new();
        for head in &heads {
            for data in datas {
                writer.push(head, data);
                assert_eq!(writer.finish(0).message(), prost_bytes(&[(*head, data)]));
                all.push((*head, data));
            }
        }
        for (head, data) in &all {
            writer.push(head, data);
        }
        assert_eq!(writer.len(), 9);
        assert_eq!(writer.frames(), 6);
        let framed = writer.finish(16);
        assert_eq!(framed.message(), prost_bytes(&all));
        assert!(writer.is_empty());
        assert_eq!(writer.frames(), 0);
    }
}
