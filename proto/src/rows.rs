//! The Watch stream as a terminal reads it: a batch of packets stays encoded
//! as it came, and a packet's summary row is read in place ([`PacketRow`]),
//! without a `Packet` and its strings per frame. A packet with a tree, bytes
//! or fields is decoded whole with [`Packet::decode`].
//!
//! The bytes are those of `encap.v1.WatchEvent`; only how they are read differs.

use prost::bytes::{Buf, BufMut};
use prost::encoding::{DecodeContext, WireType, message, skip_field};
use prost::{DecodeError, Message};
use tonic::codec::Streaming;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;
use tonic::{GrpcMethod, Request, Status};

use crate::codec::SliceCodec;
use crate::packets::{PacketHead, SummaryRow};
use crate::v1::{AgentStatus, Loss, Packet, WatchRequest};

/// `encap.v1.WatchEvent`, with its packets left encoded.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RowsEvent {
    pub kind: Option<RowsKind>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowsKind {
    Packets(EncodedPackets),
    Loss(Loss),
    Agent(AgentStatus),
}

/// One `Packets` message, as it came: the agent and each packet's encoding
/// are read from it on demand.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct EncodedPackets {
    /// The message's body (more than one if the field was repeated, which
    /// protobuf merges).
    bodies: Vec<Vec<u8>>,
}

impl EncodedPackets {
    /// The agent the packets came from.
    pub fn agent(&self) -> Result<&str, RowError> {
        let mut agent = "";
        for body in &self.bodies {
            let mut reader = Reader { bytes: body, at: 0 };
            while let Some((tag, wire_type)) = reader.key()? {
                match (tag, wire_type) {
                    (1, WireType::LengthDelimited) => agent = text(reader.delimited()?)?,
                    _ => reader.skip(wire_type)?,
                }
            }
        }
        Ok(agent)
    }

    /// Each packet's encoding, in order (an error ends the iteration).
    pub fn iter(&self) -> impl Iterator<Item = Result<&[u8], RowError>> {
        let mut bodies = self.bodies.iter();
        let mut reader = Reader { bytes: &[], at: 0 };
        let mut failed = false;
        core::iter::from_fn(move || {
            while !failed {
                match reader.key() {
                    Ok(Some((2, WireType::LengthDelimited))) => {
                        let packet = reader.delimited();
                        failed = packet.is_err();
                        return Some(packet);
                    }
                    Ok(Some((_, wire_type))) => {
                        if let Err(e) = reader.skip(wire_type) {
                            failed = true;
                            return Some(Err(e));
                        }
                    }
                    Ok(None) => {
                        reader = Reader {
                            bytes: bodies.next()?,
                            at: 0,
                        };
                    }
                    Err(e) => {
                        failed = true;
                        return Some(Err(e));
                    }
                }
            }
            None
        })
    }
}

/// Why a packet of the stream could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowError(&'static str);

impl core::fmt::Display for RowError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "a packet that does not decode: {}", self.0)
    }
}

impl std::error::Error for RowError {}

impl Message for RowsEvent {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        // Only read by clients; written for completeness (and tests).
        match &self.kind {
            Some(RowsKind::Packets(p)) => {
                for body in &p.bodies {
                    prost::encoding::bytes::encode(4, body, buf);
                }
            }
            Some(RowsKind::Loss(l)) => message::encode(2, l, buf),
            Some(RowsKind::Agent(a)) => message::encode(3, a, buf),
            None => {}
        }
    }

    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        match tag {
            4 => {
                let mut body = Vec::new();
                prost::encoding::bytes::merge(wire_type, &mut body, buf, ctx)?;
                match &mut self.kind {
                    Some(RowsKind::Packets(p)) => p.bodies.push(body),
                    _ => self.kind = Some(RowsKind::Packets(EncodedPackets { bodies: vec![body] })),
                }
                Ok(())
            }
            2 => {
                let mut loss = match self.kind.take() {
                    Some(RowsKind::Loss(l)) => l,
                    _ => Loss::default(),
                };
                let merged = message::merge(wire_type, &mut loss, buf, ctx);
                self.kind = Some(RowsKind::Loss(loss));
                merged
            }
            3 => {
                let mut agent = match self.kind.take() {
                    Some(RowsKind::Agent(a)) => a,
                    _ => AgentStatus::default(),
                };
                let merged = message::merge(wire_type, &mut agent, buf, ctx);
                self.kind = Some(RowsKind::Agent(agent));
                merged
            }
            _ => skip_field(wire_type, tag, buf, ctx),
        }
    }

    fn encoded_len(&self) -> usize {
        let mut buf = Vec::new();
        self.encode_raw(&mut buf);
        buf.len()
    }

    fn clear(&mut self) {
        self.kind = None;
    }
}

/// Calls `Capture.Watch` and reads its events as [`RowsEvent`]s (the
/// generated client's call, with this decoding).
pub async fn watch(
    channel: Channel,
    request: Request<WatchRequest>,
) -> Result<Streaming<RowsEvent>, Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| Status::unknown(format!("the service is not ready: {e}")))?;
    let mut request = request;
    request
        .extensions_mut()
        .insert(GrpcMethod::new("encap.v1.Capture", "Watch"));
    let path = PathAndQuery::from_static("/encap.v1.Capture/Watch");
    let codec = SliceCodec::<WatchRequest, RowsEvent>::default();
    Ok(grpc
        .server_streaming(request, path, codec)
        .await?
        .into_inner())
}

/// A packet's numbers and summary row, read in place (the same parts the
/// service writes with [`encode_summary_packet`](crate::packets::encode_summary_packet)).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PacketRow<'a> {
    pub head: PacketHead,
    pub row: SummaryRow<'a>,
    /// The packet also carries a tree, bytes or fields (decode it whole for those).
    pub more: bool,
}

impl<'a> PacketRow<'a> {
    /// Reads a `Packet`'s encoding.
    pub fn read(packet: &'a [u8]) -> Result<Self, RowError> {
        let mut row = PacketRow::default();
        let mut reader = Reader {
            bytes: packet,
            at: 0,
        };
        while let Some((tag, wire_type)) = reader.key()? {
            match (tag, wire_type) {
                (2, WireType::Varint) => row.head.sequence = reader.varint()?,
                (3, WireType::Varint) => row.head.number = reader.varint()?,
                (4, WireType::LengthDelimited) => row.timestamp(reader.delimited()?)?,
                (5, WireType::SixtyFourBit) => {
                    row.head.relative_time = f64::from_bits(reader.fixed64()?)
                }
                (6, WireType::LengthDelimited) => row.summary(reader.delimited()?)?,
                (9, WireType::Varint) => row.head.original_length = reader.varint()? as u32,
                (10, WireType::Varint) => row.head.link_type = reader.varint()? as u32,
                (7 | 8 | 11, _) => {
                    row.more = true;
                    reader.skip(wire_type)?;
                }
                _ => reader.skip(wire_type)?,
            }
        }
        Ok(row)
    }

    fn timestamp(&mut self, body: &[u8]) -> Result<(), RowError> {
        let mut reader = Reader { bytes: body, at: 0 };
        while let Some((tag, wire_type)) = reader.key()? {
            match (tag, wire_type) {
                (1, WireType::Varint) => self.head.seconds = reader.varint()? as i64,
                (2, WireType::Varint) => self.head.nanos = reader.varint()? as i32,
                _ => reader.skip(wire_type)?,
            }
        }
        Ok(())
    }

    fn summary(&mut self, body: &'a [u8]) -> Result<(), RowError> {
        let mut reader = Reader { bytes: body, at: 0 };
        while let Some((tag, wire_type)) = reader.key()? {
            match (tag, wire_type) {
                (1, WireType::LengthDelimited) => self.row.source = text(reader.delimited()?)?,
                (2, WireType::LengthDelimited) => self.row.destination = text(reader.delimited()?)?,
                (3, WireType::LengthDelimited) => self.row.protocol = text(reader.delimited()?)?,
                (4, WireType::Varint) => self.row.length = reader.varint()? as u32,
                (5, WireType::LengthDelimited) => self.row.info = text(reader.delimited()?)?,
                (6, WireType::LengthDelimited) => self.row.colour_rule = text(reader.delimited()?)?,
                (7, WireType::Varint) => self.row.foreground = reader.varint()? as u32,
                (8, WireType::Varint) => self.row.background = reader.varint()? as u32,
                _ => reader.skip(wire_type)?,
            }
        }
        Ok(())
    }

    /// The whole packet, for what the row does not carry.
    pub fn decode_whole(packet: &[u8]) -> Result<Packet, DecodeError> {
        Packet::decode(packet)
    }
}

fn text(bytes: &[u8]) -> Result<&str, RowError> {
    core::str::from_utf8(bytes).map_err(|_| RowError("a string that is not UTF-8"))
}

/// Protobuf fields read from a slice.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// The next key, or `None` at the end.
    #[inline]
    fn key(&mut self) -> Result<Option<(u32, WireType)>, RowError> {
        if self.at >= self.bytes.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let wire_type = match key & 7 {
            0 => WireType::Varint,
            1 => WireType::SixtyFourBit,
            2 => WireType::LengthDelimited,
            5 => WireType::ThirtyTwoBit,
            _ => return Err(RowError("invalid wire type")),
        };
        let tag = u32::try_from(key >> 3).map_err(|_| RowError("invalid tag value"))?;
        if tag == 0 {
            return Err(RowError("invalid tag value: 0"));
        }
        Ok(Some((tag, wire_type)))
    }

    #[inline]
    fn varint(&mut self) -> Result<u64, RowError> {
        // Keys, lengths and most numbers here fit in one byte.
        match self.bytes.get(self.at) {
            Some(&byte) if byte < 0x80 => {
                self.at += 1;
                Ok(u64::from(byte))
            }
            _ => self.long_varint(),
        }
    }

    fn long_varint(&mut self) -> Result<u64, RowError> {
        let mut value = 0u64;
        for shift in 0..10 {
            let byte = *self
                .bytes
                .get(self.at)
                .ok_or(RowError("buffer underflow"))?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << (7 * shift);
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(RowError("invalid varint"))
    }

    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8], RowError> {
        let end = self.at.checked_add(n).ok_or(RowError("buffer underflow"))?;
        let bytes = self
            .bytes
            .get(self.at..end)
            .ok_or(RowError("buffer underflow"))?;
        self.at = end;
        Ok(bytes)
    }

    #[inline]
    fn delimited(&mut self) -> Result<&'a [u8], RowError> {
        let len = usize::try_from(self.varint()?).unwrap_or(usize::MAX);
        self.take(len)
    }

    fn fixed64(&mut self) -> Result<u64, RowError> {
        let bytes = self.take(8)?;
        let mut le = [0u8; 8];
        le.copy_from_slice(bytes);
        Ok(u64::from_le_bytes(le))
    }

    fn skip(&mut self, wire_type: WireType) -> Result<(), RowError> {
        match wire_type {
            WireType::Varint => self.varint().map(drop),
            WireType::SixtyFourBit => self.take(8).map(drop),
            WireType::ThirtyTwoBit => self.take(4).map(drop),
            WireType::LengthDelimited => self.delimited().map(drop),
            WireType::StartGroup | WireType::EndGroup => {
                Err(RowError("groups are not used by encap"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packets::encode_summary_packet;
    use crate::v1::{Layer, Packets, Summary, WatchEvent, watch_event};

    fn packet(sequence: u64, info: &str, tree: bool) -> Packet {
        Packet {
            sequence,
            number: sequence,
            timestamp: Some(prost_types::Timestamp {
                seconds: 1_700_000_000 + sequence as i64,
                nanos: 5,
            }),
            relative_time: 0.25 * sequence as f64,
            summary: Some(Summary {
                source: "192.0.2.1".into(),
                destination: "198.51.100.2".into(),
                protocol: "TCP".into(),
                length: 60,
                info: info.into(),
                colour_rule: "TCP".into(),
                foreground: 0x12_27_2e,
                background: 0xe7_e6_ff,
            }),
            layers: if tree {
                vec![Layer {
                    protocol: "frame".into(),
                    ..Layer::default()
                }]
            } else {
                Vec::new()
            },
            original_length: 60,
            link_type: 1,
            ..Packet::default()
        }
    }

    #[test]
    fn rows_read_in_place_equal_the_decoded_packets() {
        let packets = vec![
            packet(1, "80 → 51000 [SYN] Seq=0", false),
            packet(2, "", true),
            Packet::default(),
        ];
        let mut packets_message = Packets {
            agent: "edge".into(),
            packets: packets.clone(),
            ..Packets::default()
        };
        // Rows the service encoded itself come after the built ones.
        let head = PacketHead {
            sequence: 4,
            number: 4,
            seconds: 9,
            nanos: 1,
            relative_time: 3.5,
            original_length: 90,
            link_type: 1,
        };
        let row = SummaryRow {
            source: "2001:db8::1",
            info: "Standard query 0x0001 A example.test",
            ..SummaryRow::default()
        };
        encode_summary_packet(&head, &row, &mut packets_message.encoded);
        packets_message.encoded_count = 1;
        let event = WatchEvent {
            kind: Some(watch_event::Kind::Packets(packets_message)),
        };
        let bytes = event.encode_to_vec();
        let reference = WatchEvent::decode(bytes.as_slice()).unwrap();
        let Some(watch_event::Kind::Packets(reference)) = reference.kind else {
            panic!()
        };
        let read = RowsEvent::decode(bytes.as_slice()).unwrap();
        let Some(RowsKind::Packets(rows)) = read.kind else {
            panic!("{read:?}")
        };
        assert_eq!(rows.agent(), Ok("edge"));
        assert_eq!(rows.iter().count(), 4);
        for (encoded, want) in rows.iter().zip(&reference.packets) {
            let encoded = encoded.unwrap();
            let PacketRow { head, row, more } = PacketRow::read(encoded).unwrap();
            let summary = want.summary.clone().unwrap_or_default();
            let timestamp = want.timestamp.unwrap_or_default();
            assert_eq!(
                (head.sequence, head.number, head.seconds, head.nanos),
                (
                    want.sequence,
                    want.number,
                    timestamp.seconds,
                    timestamp.nanos
                )
            );
            assert_eq!(head.relative_time, want.relative_time);
            assert_eq!(
                (
                    row.source,
                    row.destination,
                    row.protocol,
                    row.info,
                    row.colour_rule
                ),
                (
                    summary.source.as_str(),
                    summary.destination.as_str(),
                    summary.protocol.as_str(),
                    summary.info.as_str(),
                    summary.colour_rule.as_str()
                )
            );
            assert_eq!(
                (row.length, row.foreground, row.background),
                (summary.length, summary.foreground, summary.background)
            );
            assert_eq!(
                (head.original_length, head.link_type),
                (want.original_length, want.link_type)
            );
            assert_eq!(more, !want.layers.is_empty());
            assert_eq!(&PacketRow::decode_whole(encoded).unwrap(), want);
        }
    }

    #[test]
    fn losses_and_agents_and_bad_bytes() {
        for kind in [
            watch_event::Kind::Loss(Loss {
                agent: "a".into(),
                frames: 7,
                place: 4,
            }),
            watch_event::Kind::Agent(AgentStatus {
                agent: "a".into(),
                online: true,
                address: "192.0.2.9:4000".into(),
            }),
        ] {
            let bytes = WatchEvent {
                kind: Some(kind.clone()),
            }
            .encode_to_vec();
            let read = RowsEvent::decode(bytes.as_slice()).unwrap();
            match (kind, read.kind) {
                (watch_event::Kind::Loss(a), Some(RowsKind::Loss(b))) => assert_eq!(a, b),
                (watch_event::Kind::Agent(a), Some(RowsKind::Agent(b))) => assert_eq!(a, b),
                other => panic!("{other:?}"),
            }
        }
        // Cut anywhere, a packet is an error, never a panic.
        let bytes = packet(3, "x", true).encode_to_vec();
        for cut in 0..bytes.len() {
            let _ = PacketRow::read(&bytes[..cut]);
        }
        assert!(PacketRow::read(&[0x12, 0x05, b'a']).is_err());
        // A batch cut inside its second packet: the first reads, then one error ends it.
        let mut body = Vec::new();
        for p in [packet(1, "a", false), packet(2, "b", false)] {
            prost::encoding::message::encode(2, &p, &mut body);
        }
        body.truncate(body.len() - 3);
        let cut = EncodedPackets { bodies: vec![body] };
        let read: Vec<_> = cut.iter().collect();
        assert_eq!(read.len(), 2);
        assert!(read[0].is_ok_and(|p| PacketRow::read(p).is_ok_and(|r| r.row.info == "a")));
        assert!(read[1].is_err());
        assert!(
            PacketRow::read(&[0x32, 0x03, 0x0a, 0x01, 0xff]).is_err(),
            "not UTF-8"
        );
    }
}
