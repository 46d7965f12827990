//! Reading what an agent sends: length-delimited `AgentMessage`s. A batch
//! stays the bytes it came in, and its records are read in place
//! ([`encap_proto::batch::records`]), not decoded into a `Record` each.

use encap_proto::batch::{self, BatchWriter, RecordHead};
use encap_proto::uplink::{self as wire, agent_message};
use prost::Message;
use std::ops::Range;

use prost::bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The largest uplink message accepted (a batch of big frames fits).
pub const MAX_UPLINK_MESSAGE: usize = 8 * 1024 * 1024;

/// One message from an agent.
#[derive(Debug)]
pub enum Incoming {
    Batch(Batch),
    Other(wire::AgentMessage),
}

/// A `Batch` as it came: its bytes, checked whole, with each record's head
/// and where its frame's bytes are, read once while checking.
#[derive(Debug)]
pub struct Batch {
    bytes: Bytes,
    records: Vec<(RecordHead, Range<usize>)>,
    /// How many records are frames (not context).
    pub frames: u64,
}

impl Batch {
    /// The records in order: each head and its frame's bytes.
    pub fn records(&self) -> impl Iterator<Item = (&RecordHead, &[u8])> {
        self.records
            .iter()
            .map(|(head, data)| (head, self.bytes.get(data.clone()).unwrap_or_default()))
    }

    /// Reads `bytes` (a `Batch`'s) in place; `None` if a record does not read.
    fn read(bytes: Bytes) -> Option<Batch> {
        let mut records = Vec::new();
        let mut frames = 0;
        for record in batch::records(&bytes) {
            let (head, data) = record.ok()?;
            frames += u64::from(!head.context);
            // Where the slice lies in `bytes` (it always lies in them).
            let start = (data.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize);
            records.push((head, start..start + data.len()));
        }
        Some(Batch {
            bytes,
            records,
            frames,
        })
    }
}

/// Reads the next message; `None` at a clean end of stream.
pub async fn read(r: &mut (impl AsyncRead + Unpin)) -> Result<Option<Incoming>, String> {
    match read_bytes(r).await? {
        Some(bytes) => parse(bytes).map(Some),
        None => Ok(None),
    }
}

/// A message's bytes: a batch as agents write it is kept as it is; anything
/// else goes through the generated decoder (and a batch written some other
/// valid way is rewritten as agents write it, so one reader serves both).
fn parse(bytes: Bytes) -> Result<Incoming, String> {
    if let Some(batch) = in_place(&bytes) {
        return Ok(batch);
    }
    let message = wire::AgentMessage::decode(bytes)
        .map_err(|e| format!("a message that does not decode: {e}"))?;
    match message.kind {
        Some(agent_message::Kind::Batch(b)) => rewritten(&b),
        kind => Ok(Incoming::Other(wire::AgentMessage { kind })),
    }
}

/// A batch whose records all read in place; `None` leaves the message to
/// prost, which reads what this does not (groups) or says what is wrong.
fn in_place(bytes: &Bytes) -> Option<Incoming> {
    let records = bytes.slice_ref(batch::batch_of(bytes)?);
    Batch::read(records).map(Incoming::Batch)
}

/// A batch prost decoded, as agents write it.
fn rewritten(b: &wire::Batch) -> Result<Incoming, String> {
    let mut writer = BatchWriter::new();
    for r in &b.records {
        let head = RecordHead {
            sequence: r.sequence,
            timestamp_seconds: r.timestamp_seconds,
            timestamp_nanos: r.timestamp_nanos,
            original_length: r.original_length,
            context: r.context,
        };
        writer.push(&head, &r.data);
    }
    Batch::read(Bytes::copy_from_slice(writer.records()))
        .map(Incoming::Batch)
        .ok_or_else(|| "a batch that does not read once rewritten".to_string())
}

/// Reads one length-delimited message's bytes; `None` at a clean end of stream.
/// Each message gets its own buffer: the frames' bytes are read as slices of
/// it, not as one allocation and copy per frame.
async fn read_bytes(r: &mut (impl AsyncRead + Unpin)) -> Result<Option<Bytes>, String> {
    let mut length: u64 = 0;
    for i in 0..10 {
        let byte = match r.read_u8().await {
            Ok(b) => b,
            Err(e) if i == 0 && e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(format!("reading: {e}")),
        };
        length |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            let length = usize::try_from(length).unwrap_or(usize::MAX);
            if length > MAX_UPLINK_MESSAGE {
                return Err(format!(
                    "a message of {length} bytes (the limit is {MAX_UPLINK_MESSAGE})"
                ));
            }
            let mut buf = Vec::with_capacity(length);
            let read = r
                .take(length as u64)
                .read_to_end(&mut buf)
                .await
                .map_err(|e| format!("reading a message: {e}"))?;
            if read < length {
                return Err(format!(
                    "reading a message: the stream ended after {read} of its {length} bytes"
                ));
            }
            return Ok(Some(Bytes::from(buf)));
        }
    }
    Err("a length prefix longer than 10 bytes".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(sequence: u64, context: bool, data: &[u8]) -> wire::Record {
        wire::Record {
            sequence,
            timestamp_seconds: 1_700_000_000,
            timestamp_nanos: 5,
            original_length: data.len() as u32 + 10,
            data: Bytes::copy_from_slice(data),
            context,
        }
    }

    fn batch_message(records: Vec<wire::Record>) -> wire::AgentMessage {
        wire::AgentMessage {
            kind: Some(agent_message::Kind::Batch(wire::Batch { records })),
        }
    }

    #[tokio::test]
    async fn batches_are_read_in_place_and_the_rest_decoded() {
        let records = vec![
            record(1, false, b"abc"),
            record(2, true, b""),
            record(3, false, b"xyz"),
        ];
        let mut stream = Vec::new();
        batch_message(records.clone())
            .encode_length_delimited(&mut stream)
            .unwrap();
        let counters = wire::AgentMessage {
            kind: Some(agent_message::Kind::Counters(wire::Counters {
                seen: 3,
                ..wire::Counters::default()
            })),
        };
        counters.encode_length_delimited(&mut stream).unwrap();
        // A batch repeated inside one message: prost merges, so it is rewritten.
        let mut twice = batch_message(records[..1].to_vec()).encode_to_vec();
        twice.extend(batch_message(records[1..].to_vec()).encode_to_vec());
        prost::encoding::encode_varint(twice.len() as u64, &mut stream);
        stream.extend_from_slice(&twice);

        let check = |batch: Incoming| {
            let Incoming::Batch(batch) = &batch else {
                panic!("{batch:?}");
            };
            assert_eq!(batch.frames, 2);
            let read: Vec<_> = batch.records().collect();
            assert_eq!(read.len(), 3);
            for ((head, data), want) in read.iter().zip(&records) {
                assert_eq!(head.sequence, want.sequence);
                assert_eq!(head.context, want.context);
                assert_eq!(head.original_length, want.original_length);
                assert_eq!(*data, &want.data[..]);
            }
        };
        let mut r = stream.as_slice();
        check(read(&mut r).await.unwrap().unwrap());
        match read(&mut r).await.unwrap().unwrap() {
            Incoming::Other(m) => assert_eq!(m, counters),
            other => panic!("{other:?}"),
        }
        check(read(&mut r).await.unwrap().unwrap());
        assert!(read(&mut r).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn what_the_reader_in_place_refuses_prost_still_reads() {
        // An unknown field written as a group (start 9, end 9) in a record.
        let mut record_bytes = record(7, false, b"abc").encode_to_vec();
        record_bytes.extend_from_slice(&[0x4b, 0x4c]);
        let mut batch = vec![0x0a, record_bytes.len() as u8];
        batch.extend_from_slice(&record_bytes);
        let mut message = vec![0x12, batch.len() as u8];
        message.extend_from_slice(&batch);
        let mut stream = Vec::new();
        prost::encoding::encode_varint(message.len() as u64, &mut stream);
        stream.extend_from_slice(&message);
        match read(&mut stream.as_slice()).await.unwrap().unwrap() {
            Incoming::Batch(batch) => {
                assert_eq!(batch.frames, 1);
                let read: Vec<_> = batch.records().collect();
                assert_eq!(read.len(), 1);
                assert_eq!((read[0].0.sequence, read[0].1), (7, &b"abc"[..]));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_broken_batch_is_an_error() {
        let mut bytes = batch_message(vec![record(1, false, b"abcdef")]).encode_to_vec();
        // The record claims more bytes than the batch holds.
        bytes[3] += 1;
        let mut stream = Vec::new();
        prost::encoding::encode_varint(bytes.len() as u64, &mut stream);
        stream.extend_from_slice(&bytes);
        let err = read(&mut stream.as_slice()).await.unwrap_err();
        assert!(err.starts_with("a message that does not decode"), "{err}");
        // A cut stream is an error too, not an end.
        let mut stream = Vec::new();
        batch_message(vec![record(1, false, b"abcdef")])
            .encode_length_delimited(&mut stream)
            .unwrap();
        stream.pop();
        assert!(read(&mut stream.as_slice()).await.is_err());
    }
}
