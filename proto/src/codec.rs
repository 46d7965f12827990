//! The gRPC codec of every encap service: protobuf as tonic's own prost codec
//! writes it, read from one contiguous slice.
//!
//! tonic buffers a whole message before decoding it, but prost's generic
//! decoding reads every tag and length through that buffer's `Buf` methods;
//! read from a plain slice the same varints decode in a fraction of the time
//! (a live stream is mostly small varints). Encoding skips prost's up-front
//! size check, which tonic's growable buffer never fails.

use std::marker::PhantomData;

use bytes::Buf;
use prost::Message;
use tonic::Status;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};

/// Encodes `T`, decodes `U` (the generated clients and servers name it).
#[derive(Debug)]
pub struct SliceCodec<T, U>(PhantomData<(T, U)>);

impl<T, U> Default for SliceCodec<T, U> {
    fn default() -> Self {
        SliceCodec(PhantomData)
    }
}

impl<T, U> Codec for SliceCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = MessageEncoder<T>;
    type Decoder = SliceDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        MessageEncoder(PhantomData)
    }

    fn decoder(&mut self) -> Self::Decoder {
        SliceDecoder(PhantomData)
    }
}

#[derive(Debug)]
pub struct MessageEncoder<T>(PhantomData<T>);

impl<T: Message> Encoder for MessageEncoder<T> {
    type Item = T;
    type Error = Status;

    fn encode(&mut self, item: T, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode_raw(buf);
        Ok(())
    }
}

#[derive(Debug)]
pub struct SliceDecoder<U>(PhantomData<U>);

impl<U: Message + Default> Decoder for SliceDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        let len = buf.remaining();
        let decoded = match buf.chunk().get(..len) {
            Some(whole) => U::decode(whole),
            // Not contiguous (tonic never does this today): decode through the buffer.
            None => return decode_error(U::decode(buf)).map(Some),
        };
        buf.advance(len);
        decode_error(decoded).map(Some)
    }
}

/// A message that is not valid protobuf is INTERNAL, as gRPC's status codes say.
fn decode_error<U>(r: Result<U, prost::DecodeError>) -> Result<U, Status> {
    r.map_err(|e| Status::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v1::{Packet, Packets, Summary, WatchEvent, watch_event};

    #[test]
    fn encodes_what_prost_encodes() {
        let event = WatchEvent {
            kind: Some(watch_event::Kind::Packets(Packets {
                agent: "edge-1".into(),
                packets: vec![Packet {
                    sequence: 7,
                    summary: Some(Summary {
                        info: "Echo (ping) request".into(),
                        ..Summary::default()
                    }),
                    data: vec![1, 2, 3],
                    ..Packet::default()
                }],
                ..Packets::default()
            })),
        };
        let mut raw = Vec::new();
        event.clone().encode_raw(&mut raw);
        assert_eq!(raw, event.encode_to_vec());
        assert_eq!(WatchEvent::decode(raw.as_slice()).unwrap(), event);
    }
}
