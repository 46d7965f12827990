//! `encap.v1.Packets`, implemented by hand rather than generated, so that the
//! service can send packets it encoded itself: a summary row is written
//! straight into protobuf ([`PacketWriter`]) without building a `Packet` and
//! its five strings per frame. On the wire it is the generated message
//! exactly; a client decodes every packet into `packets`.

use prost::bytes::{Buf, BufMut};
use prost::encoding::{DecodeContext, WireType, encoded_len_varint, message, string};

use crate::encode::{bytes_field, bytes_field_len, key, varint, varint_field, varint_field_len};
use prost::{DecodeError, Message};

use crate::v1::Packet;

/// `Packets` (agent = 1, repeated Packet packets = 2).
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Packets {
    pub agent: String,
    pub packets: Vec<Packet>,
    /// More packets, already encoded as field 2 (sent after `packets`; a
    /// decoded message leaves this empty).
    pub encoded: Vec<u8>,
    /// How many packets `encoded` holds.
    pub encoded_count: usize,
}

impl Packets {
    /// Packets in this message, decoded or encoded.
    pub fn len(&self) -> usize {
        self.packets.len() + self.encoded_count
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Message for Packets {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        if !self.agent.is_empty() {
            string::encode(1, &self.agent, buf);
        }
        for p in &self.packets {
            message::encode(2, p, buf);
        }
        buf.put_slice(&self.encoded);
    }

    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        match tag {
            1 => string::merge(wire_type, &mut self.agent, buf, ctx),
            2 => message::merge_repeated(wire_type, &mut self.packets, buf, ctx),
            _ => prost::encoding::skip_field(wire_type, tag, buf, ctx),
        }
    }

    fn encoded_len(&self) -> usize {
        let agent = if self.agent.is_empty() {
            0
        } else {
            string::encoded_len(1, &self.agent)
        };
        agent + message::encoded_len_repeated(2, &self.packets) + self.encoded.len()
    }

    fn clear(&mut self) {
        *self = Packets::default();
    }
}

/// What a summary-only packet carries besides its row.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PacketHead {
    pub sequence: u64,
    pub number: u64,
    pub seconds: i64,
    pub nanos: i32,
    pub relative_time: f64,
    pub original_length: u32,
    pub link_type: u32,
}

/// The summary row's columns and colour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SummaryRow<'a> {
    pub source: &'a str,
    pub destination: &'a str,
    pub protocol: &'a str,
    pub length: u32,
    pub info: &'a str,
    pub colour_rule: &'a str,
    pub foreground: u32,
    pub background: u32,
}

/// Appends one `Packet` (as field 2 of `Packets`) with a summary and no
/// tree, bytes or fields, byte for byte as prost encodes the same message.
pub fn encode_summary_packet(head: &PacketHead, row: &SummaryRow<'_>, out: &mut Vec<u8>) {
    let timestamp_len =
        varint_field_len(head.seconds as u64) + varint_field_len(i64::from(head.nanos) as u64);
    let summary_len = bytes_field_len(row.source.as_bytes())
        + bytes_field_len(row.destination.as_bytes())
        + bytes_field_len(row.protocol.as_bytes())
        + varint_field_len(u64::from(row.length))
        + bytes_field_len(row.info.as_bytes())
        + bytes_field_len(row.colour_rule.as_bytes())
        + varint_field_len(u64::from(row.foreground))
        + varint_field_len(u64::from(row.background));
    let packet_len = varint_field_len(head.sequence)
        + varint_field_len(head.number)
        + 1
        + encoded_len_varint(timestamp_len as u64)
        + timestamp_len
        + if head.relative_time != 0.0 { 9 } else { 0 }
        + 1
        + encoded_len_varint(summary_len as u64)
        + summary_len
        + varint_field_len(u64::from(head.original_length))
        + varint_field_len(u64::from(head.link_type));

    out.reserve(1 + encoded_len_varint(packet_len as u64) + packet_len);
    key(2, WireType::LengthDelimited, out);
    varint(packet_len as u64, out);
    varint_field(2, head.sequence, out);
    varint_field(3, head.number, out);
    key(4, WireType::LengthDelimited, out);
    varint(timestamp_len as u64, out);
    varint_field(1, head.seconds as u64, out);
    varint_field(2, i64::from(head.nanos) as u64, out);
    if head.relative_time != 0.0 {
        key(5, WireType::SixtyFourBit, out);
        out.extend_from_slice(&head.relative_time.to_le_bytes());
    }
    key(6, WireType::LengthDelimited, out);
    varint(summary_len as u64, out);
    bytes_field(1, row.source.as_bytes(), out);
    bytes_field(2, row.destination.as_bytes(), out);
    bytes_field(3, row.protocol.as_bytes(), out);
    varint_field(4, u64::from(row.length), out);
    bytes_field(5, row.info.as_bytes(), out);
    bytes_field(6, row.colour_rule.as_bytes(), out);
    varint_field(7, u64::from(row.foreground), out);
    varint_field(8, u64::from(row.background), out);
    varint_field(9, u64::from(head.original_length), out);
    varint_field(10, u64::from(head.link_type), out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v1::Summary;

    fn prost_packet(head: &PacketHead, row: &SummaryRow<'_>) -> Packet {
        Packet {
            sequence: head.sequence,
            number: head.number,
            timestamp: Some(prost_types::Timestamp {
                seconds: head.seconds,
                nanos: head.nanos,
            }),
            relative_time: head.relative_time,
            summary: Some(Summary {
                source: row.source.into(),
                destination: row.destination.into(),
                protocol: row.protocol.into(),
                length: row.length,
                info: row.info.into(),
                colour_rule: row.colour_rule.into(),
                foreground: row.foreground,
                background: row.background,
            }),
            original_length: head.original_length,
            link_type: head.link_type,
            ..Packet::default()
        }
    }

    #[test]
    fn a_summary_packet_is_what_prost_writes() {
        let long_info = "x".repeat(300);
        let heads = [
            PacketHead::default(),
            PacketHead {
                sequence: 1,
                number: 1,
                seconds: 1_700_000_000,
                nanos: 999_999_999,
                relative_time: 0.000_123,
                original_length: 60,
                link_type: 1,
            },
            PacketHead {
                sequence: u64::MAX,
                number: 300,
                seconds: -5,
                nanos: 0,
                relative_time: -1.5,
                original_length: u32::MAX,
                link_type: 276,
            },
            PacketHead {
                nanos: -7,
                relative_time: -0.0,
                ..PacketHead::default()
            },
        ];
        let rows = [
            SummaryRow::default(),
            SummaryRow {
                source: "192.0.2.1",
                destination: "2001:db8::1",
                protocol: "DNS",
                length: 90,
                info: "Standard query 0x1234 A example.test",
                colour_rule: "UDP",
                foreground: 0x12_27_2e,
                background: 0xda_ee_ff,
            },
            SummaryRow {
                info: &long_info,
                background: 0xff_ff_ff,
                ..SummaryRow::default()
            },
        ];
        for head in &heads {
            for row in &rows {
                let want = Packets {
                    agent: "edge".into(),
                    packets: vec![prost_packet(head, row), prost_packet(head, row)],
                    ..Packets::default()
                };
                let mut ours = Packets {
                    agent: "edge".into(),
                    encoded_count: 2,
                    ..Packets::default()
                };
                encode_summary_packet(head, row, &mut ours.encoded);
                encode_summary_packet(head, row, &mut ours.encoded);
                assert_eq!(ours.encoded_len(), want.encoded_len());
                assert_eq!(
                    ours.encode_to_vec(),
                    want.encode_to_vec(),
                    "{head:?} {row:?}"
                );
                // And a client reads it back as the packets.
                let back = Packets::decode(ours.encode_to_vec().as_slice()).unwrap();
                assert_eq!(back, want);
                assert_eq!(back.len(), 2);
            }
        }
    }
}
