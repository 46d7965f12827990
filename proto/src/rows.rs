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
use crate::read::{Reader, WireError};
use crate::v1::{AgentStatus, Loss, Packet, WatchRequest};
use core::ops::Range;

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
                        let packet = reader.delimited().map_err(RowError::from);
                        failed = packet.is_err();
                        return Some(packet);
                    }
                    Ok(Some((_, wire_type))) => {
                        if let Err(e) = reader.skip(wire_type) {
                            failed = true;
                            return Some(Err(e.into()));
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
                        return Some(Err(e.into()));
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

impl From<WireError> for RowError {
    fn from(e: WireError) -> Self {
        RowError(e.0)
    }
}

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
        match Self::read_in_order(packet) {
            Some(row) => Ok(row),
            None => Self::read_any_order(packet),
        }
    }

    /// The fields in the order the service writes them, each tested where
    /// it is expected: one well-predicted comparison per field instead of a
    /// jump on every key, which mispredicted often enough to be a quarter of
    /// `encap watch`. `None` for anything else (a tree, another order, a
    /// fault), which [`Self::read_any_order`] then reads or refuses.
    fn read_in_order(packet: &'a [u8]) -> Option<Self> {
        let mut row = PacketRow::default();
        let mut r = Reader {
            bytes: packet,
            at: 0,
        };
        if r.next_is(0x10) {
            row.head.sequence = r.varint().ok()?;
        }
        if r.next_is(0x18) {
            row.head.number = r.varint().ok()?;
        }
        if r.next_is(0x22) {
            let mut t = Reader {
                bytes: r.delimited().ok()?,
                at: 0,
            };
            if t.next_is(0x08) {
                row.head.seconds = t.varint().ok()? as i64;
            }
            if t.next_is(0x10) {
                row.head.nanos = t.varint().ok()? as i32;
            }
            if !t.at_end() {
                return None;
            }
        }
        if r.next_is(0x29) {
            row.head.relative_time = f64::from_bits(r.fixed64().ok()?);
        }
        if r.next_is(0x32) {
            let mut s = Reader {
                bytes: r.delimited().ok()?,
                at: 0,
            };
            let columns = &mut row.row;
            let source = s.string_at(0x0a)?;
            let destination = s.string_at(0x12)?;
            let protocol = s.string_at(0x1a)?;
            if s.next_is(0x20) {
                columns.length = s.varint().ok()? as u32;
            }
            let info = s.string_at(0x2a)?;
            let colour_rule = s.string_at(0x32)?;
            [columns.source, columns.destination, columns.protocol] =
                texts(s.bytes, [source, destination, protocol])?;
            [columns.info, columns.colour_rule] = texts(s.bytes, [info, colour_rule])?;
            if s.next_is(0x38) {
                columns.foreground = s.varint().ok()? as u32;
            }
            if s.next_is(0x40) {
                columns.background = s.varint().ok()? as u32;
            }
            if !s.at_end() {
                return None;
            }
        }
        if r.next_is(0x48) {
            row.head.original_length = r.varint().ok()? as u32;
        }
        if r.next_is(0x50) {
            row.head.link_type = r.varint().ok()? as u32;
        }
        r.at_end().then_some(row)
    }

    /// Fields in any order (the last of a repeated one wins); unknown ones,
    /// and known ones of another wire type, are skipped.
    fn read_any_order(packet: &'a [u8]) -> Result<Self, RowError> {
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

impl Reader<'_> {
    /// Where the string field `key` is in the bytes, if it comes next (an
    /// empty range here if not); `None` if it is cut short.
    fn string_at(&mut self, key: u8) -> Option<Range<usize>> {
        if !self.next_is(key) {
            return Some(self.at..self.at);
        }
        let len = self.delimited().ok()?.len();
        Some(self.at - len..self.at)
    }
}

/// The strings at `ranges` of `bytes` (in order), checked as UTF-8 in one pass
/// over the span they cover: between them lie only keys and one-byte lengths,
/// ASCII, so a valid span cuts into valid strings at char boundaries. A span
/// that is not valid (a longer length between) is checked string by string.
fn texts<const N: usize>(bytes: &[u8], ranges: [Range<usize>; N]) -> Option<[&str; N]> {
    let start = ranges.first()?.start;
    let end = ranges.last()?.end;
    let whole = bytes.get(start..end).map(core::str::from_utf8);
    let mut out = [""; N];
    for (text_out, range) in out.iter_mut().zip(ranges) {
        let cut = match whole {
            Some(Ok(whole)) => range
                .start
                .checked_sub(start)
                .zip(range.end.checked_sub(start))
                .and_then(|(a, b)| whole.get(a..b)),
            _ => None,
        };
        *text_out = match cut {
            Some(cut) => cut,
            None => text(bytes.get(range)?).ok()?,
        };
    }
    Some(out)
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
            // Rows as the service writes them take the fast path; a tree does not.
            let fast = PacketRow::read_in_order(encoded);
            assert_eq!(fast.is_some(), want.layers.is_empty());
            if let Some(fast) = fast {
                assert_eq!(Ok(fast), PacketRow::read_any_order(encoded));
            }
        }
    }

    #[test]
    fn the_fast_path_agrees_or_steps_aside() {
        let head = PacketHead {
            sequence: 300,
            number: 300,
            seconds: 1_700_000_000,
            nanos: 7,
            relative_time: 0.5,
            original_length: 1514,
            link_type: 1,
        };
        let row = SummaryRow {
            source: "192.0.2.1",
            destination: "198.51.100.2",
            protocol: "TCP",
            length: 1514,
            info: "80 → 51000 [ACK] Seq=1 Ack=1 Win=502 Len=1448",
            colour_rule: "TCP",
            foreground: 0x12_27_2e,
            background: 0xe7_e6_ff,
        };
        let mut packets = Vec::new();
        encode_summary_packet(&head, &row, &mut packets);
        // Field 2 of `Packets`: a one-byte key, then the length.
        let mut body = packets.as_slice();
        body = &body[1..];
        let _ = prost::encoding::decode_varint(&mut body).unwrap();
        let whole = body.to_vec();
        assert_eq!(
            PacketRow::read_in_order(&whole),
            Some(PacketRow {
                head,
                row,
                more: false
            })
        );
        // Cut anywhere: the fast path never reads what the general one refuses.
        for cut in 0..whole.len() {
            let part = &whole[..cut];
            let general = PacketRow::read_any_order(part);
            if let Some(fast) = PacketRow::read_in_order(part) {
                assert_eq!(Ok(fast), general, "cut at {cut}");
            }
            assert_eq!(PacketRow::read(part), general, "cut at {cut}");
        }
        // Another order, or a field twice: the general reader reads it (the last wins).
        let mut reordered = whole.clone();
        reordered.extend_from_slice(&[0x10, 0x05]);
        assert!(PacketRow::read_in_order(&reordered).is_none());
        let read = PacketRow::read(&reordered).unwrap();
        assert_eq!(read.head.sequence, 5);
        assert_eq!(read.row, row);
    }

    /// The columns' strings are checked in spans: every shape of string (none,
    /// multi-byte characters at either end, lengths about 128, bytes that are
    /// not UTF-8) in every column reads as the general reader reads it.
    #[test]
    fn strings_checked_in_spans_read_as_one_by_one() {
        let long = "é".repeat(70);
        let shapes: [&[u8]; 8] = [
            b"",
            b"TCP",
            "→ 80".as_bytes(),
            "80 →".as_bytes(),
            long.as_bytes(),
            &[b'a'; 127],
            b"\xff",
            b"ab\xe2\x86",
        ];
        let mut checked = 0;
        for column in 0..5 {
            for shape in shapes {
                for neighbour in [&b"x"[..], "€".as_bytes(), &[b'b'; 128]] {
                    let mut texts: [&[u8]; 5] = [neighbour; 5];
                    texts[column] = shape;
                    // The row as the service writes it, built by hand so that
                    // bytes which are not UTF-8 can be put in.
                    let mut summary = Vec::new();
                    for (key, text) in [0x0a, 0x12, 0x1a].into_iter().zip(&texts[..3]) {
                        if !text.is_empty() {
                            summary.push(key);
                            prost::encoding::encode_varint(text.len() as u64, &mut summary);
                            summary.extend_from_slice(text);
                        }
                    }
                    summary.extend_from_slice(&[0x20, 0xb6, 0x01]);
                    for (key, text) in [0x2a, 0x32].into_iter().zip(&texts[3..]) {
                        if !text.is_empty() {
                            summary.push(key);
                            prost::encoding::encode_varint(text.len() as u64, &mut summary);
                            summary.extend_from_slice(text);
                        }
                    }
                    summary.extend_from_slice(&[0x38, 0x81, 0x02]);
                    let mut packet = vec![0x10, 0x07, 0x32];
                    prost::encoding::encode_varint(summary.len() as u64, &mut packet);
                    packet.extend_from_slice(&summary);
                    let general = PacketRow::read_any_order(&packet);
                    assert_eq!(
                        PacketRow::read(&packet),
                        general,
                        "column {column}, {shape:?} beside {neighbour:?}"
                    );
                    if let Ok(row) = general {
                        assert_eq!(row.row.length, 182);
                        let got = [
                            row.row.source,
                            row.row.destination,
                            row.row.protocol,
                            row.row.info,
                            row.row.colour_rule,
                        ];
                        assert!(got.iter().zip(texts).all(|(g, t)| g.as_bytes() == t));
                        assert!(PacketRow::read_in_order(&packet).is_some());
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 120);
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
