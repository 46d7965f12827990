//! An uplink batch without a `Record` per frame. The agent writes it record
//! by record straight into the bytes that go on the stream (the length
//! prefix, `AgentMessage { batch }` and each `Record`), with no copy at the
//! end ([`BatchWriter`]); the service reads each record in place from the
//! bytes it received ([`records`]). On the wire it is the generated
//! `AgentMessage` exactly.

use alloc::vec::Vec;

use prost::encoding::{WireType, encoded_len_varint};

use crate::encode::{bytes_field, bytes_field_len, key, varint, varint_field, varint_field_len};
use crate::read::{Reader, WireError};

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

/// A `Record`'s encoded length, without its key and length.
fn record_body_len(head: &RecordHead, data: &[u8]) -> usize {
    varint_field_len(head.sequence)
        + varint_field_len(head.timestamp_seconds as u64)
        + varint_field_len(u64::from(head.timestamp_nanos))
        + varint_field_len(u64::from(head.original_length))
        + bytes_field_len(data)
        + if head.context { 2 } else { 0 }
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

    /// A writer with room for `capacity` bytes of records reserved at once.
    pub fn with_capacity(capacity: usize) -> Self {
        BatchWriter {
            bytes: Vec::with_capacity(HEAD_ROOM + capacity),
            ..BatchWriter::default()
        }
    }

    /// Appends one record (`Batch.records`, field 1).
    pub fn push(&mut self, head: &RecordHead, data: &[u8]) {
        if self.bytes.is_empty() {
            self.bytes.resize(HEAD_ROOM, 0);
        }
        let len = record_body_len(head, data);
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

    /// The bytes `push` would add for this record.
    pub fn record_len(head: &RecordHead, data: &[u8]) -> usize {
        let len = record_body_len(head, data);
        1 + encoded_len_varint(len as u64) + len
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

    /// The records written so far, encoded (a `Batch`'s bytes).
    pub fn records(&self) -> &[u8] {
        self.bytes.get(HEAD_ROOM..).unwrap_or(&[])
    }

    /// Bytes of the records written so far.
    pub fn encoded_len(&self) -> usize {
        self.records().len()
    }

    /// The finished message; the writer starts a new batch, with room for
    /// `capacity` bytes of records.
    pub fn finish(&mut self, capacity: usize) -> Framed {
        let records = self.encoded_len();
        let message = 1 + encoded_len_varint(records as u64) + records;
        let mut head = Vec::with_capacity(HEAD_ROOM);
        varint(message as u64, &mut head);
        key(2, WireType::LengthDelimited, &mut head);
        varint(records as u64, &mut head);
        let next = Vec::with_capacity(HEAD_ROOM + capacity);
        let mut bytes = core::mem::replace(&mut self.bytes, next);
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

/// The `Batch` an `AgentMessage`'s bytes carry, when that is all they carry
/// (as agents write it). Anything else is left to the generated decoder.
pub fn batch_of(message: &[u8]) -> Option<&[u8]> {
    let mut reader = Reader {
        bytes: message,
        at: 0,
    };
    match reader.key() {
        Ok(Some((2, WireType::LengthDelimited))) => {}
        _ => return None,
    }
    let body = reader.delimited().ok()?;
    (reader.at == message.len()).then_some(body)
}

/// The records of a `Batch`'s bytes, read in place, in order. An error
/// (bytes that are not a `Batch`) ends the iteration.
pub fn records(batch: &[u8]) -> impl Iterator<Item = Result<(RecordHead, &[u8]), WireError>> {
    let mut reader = Reader {
        bytes: batch,
        at: 0,
    };
    let mut failed = false;
    core::iter::from_fn(move || {
        while !failed {
            let next = match reader.key() {
                Ok(None) => return None,
                Ok(Some((1, WireType::LengthDelimited))) => {
                    reader.delimited().and_then(record).map(Some)
                }
                Ok(Some((1, _))) => Err(WireError("a record with the wrong wire type")),
                Ok(Some((_, wire_type))) => reader.skip(wire_type).map(|()| None),
                Err(e) => Err(e),
            };
            match next {
                Ok(Some(r)) => return Some(Ok(r)),
                Ok(None) => {}
                Err(e) => {
                    failed = true;
                    return Some(Err(e));
                }
            }
        }
        None
    })
}

/// One `Record`, as prost reads it: fields in any order, the last of a
/// repeated one wins, unknown ones skipped, a known one of the wrong type refused.
fn record(body: &[u8]) -> Result<(RecordHead, &[u8]), WireError> {
    let mut head = RecordHead::default();
    let mut data: &[u8] = &[];
    let mut reader = Reader { bytes: body, at: 0 };
    while let Some((tag, wire_type)) = reader.key()? {
        match (tag, wire_type) {
            (1, WireType::Varint) => head.sequence = reader.varint()?,
            (2, WireType::Varint) => head.timestamp_seconds = reader.varint()? as i64,
            (3, WireType::Varint) => head.timestamp_nanos = reader.varint()? as u32,
            (4, WireType::Varint) => head.original_length = reader.varint()? as u32,
            (5, WireType::LengthDelimited) => data = reader.delimited()?,
            (6, WireType::Varint) => head.context = reader.varint()? != 0,
            (1..=6, _) => return Err(WireError("a record field with the wrong wire type")),
            _ => reader.skip(wire_type)?,
        }
    }
    Ok((head, data))
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
                let before = writer.encoded_len();
                writer.push(head, data);
                assert_eq!(
                    writer.encoded_len() - before,
                    BatchWriter::record_len(head, data)
                );
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

        // Read back in place, after the length prefix.
        let mut message = framed.message();
        let len = prost::encoding::decode_varint(&mut message).unwrap();
        assert_eq!(len as usize, message.len());
        let body = batch_of(message).unwrap();
        let read: Vec<_> = records(body).collect::<Result<_, _>>().unwrap();
        assert_eq!(read, all);
    }

    #[test]
    fn records_read_in_place_as_prost_reads_them() {
        // Unusual but valid encodings: fields out of order, repeated, unknown.
        let mut body = Vec::new();
        key(6, WireType::Varint, &mut body);
        varint(1, &mut body);
        key(9, WireType::LengthDelimited, &mut body);
        varint(2, &mut body);
        body.extend_from_slice(b"??");
        bytes_field(5, b"first", &mut body);
        bytes_field(5, b"last", &mut body);
        varint_field(2, (-5i64) as u64, &mut body);
        varint_field(1, 7, &mut body);
        let mut batch = Vec::new();
        bytes_field(1, &body, &mut batch);
        varint_field(3, 99, &mut batch);
        bytes_field(1, &[], &mut batch);
        let theirs = Batch::decode(batch.as_slice()).unwrap();
        let ours: Vec<_> = records(&batch).collect::<Result<_, _>>().unwrap();
        assert_eq!(ours.len(), theirs.records.len());
        for ((head, data), r) in ours.iter().zip(&theirs.records) {
            assert_eq!(head.sequence, r.sequence);
            assert_eq!(head.timestamp_seconds, r.timestamp_seconds);
            assert_eq!(head.context, r.context);
            assert_eq!(*data, &r.data[..]);
        }
        // A message with more than the batch is not read in place.
        let mut message = Vec::new();
        bytes_field(2, &batch, &mut message);
        assert_eq!(batch_of(&message), Some(batch.as_slice()));
        message.push(0);
        assert_eq!(batch_of(&message), None);
        assert_eq!(batch_of(&[0x0a, 0x00]), None);
        // Cut anywhere, the records are an error or fewer, never a panic, and
        // never more than prost would read.
        for cut in 0..batch.len() {
            let part = &batch[..cut];
            let ours: Result<Vec<_>, _> = records(part).collect();
            assert_eq!(ours.is_ok(), Batch::decode(part).is_ok(), "cut at {cut}");
        }
        // Varints and keys are checked as prost checks them.
        let ten_bytes = [
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
        ];
        let huge_key = [0x80, 0x80, 0x80, 0x80, 0x10, 0x00];
        for record_bytes in [&ten_bytes[..], &huge_key[..]] {
            let mut batch = Vec::new();
            bytes_field(1, record_bytes, &mut batch);
            assert!(Batch::decode(batch.as_slice()).is_err());
            assert!(records(&batch).next().unwrap().is_err());
        }
        let mut one_bit = ten_bytes;
        one_bit[10] = 0x01;
        let mut batch = Vec::new();
        bytes_field(1, &one_bit, &mut batch);
        let theirs = Batch::decode(batch.as_slice()).unwrap();
        let ours = records(&batch).next().unwrap().unwrap();
        assert_eq!(ours.0.sequence, theirs.records[0].sequence);
        // A record field of the wrong type is refused, as prost refuses it.
        let mut wrong = Vec::new();
        key(5, WireType::Varint, &mut wrong);
        varint(3, &mut wrong);
        let mut batch = Vec::new();
        bytes_field(1, &wrong, &mut batch);
        assert!(Batch::decode(batch.as_slice()).is_err());
        assert!(records(&batch).next().unwrap().is_err());
    }
}
