//! Protobuf written by hand on the hot paths, byte for byte as prost writes
//! the same message: proto3 leaves out zero, empty and false fields.

use alloc::vec::Vec;

use prost::encoding::{WireType, encoded_len_varint};

/// A field's key. Every tag written by hand is below 16: the key is one byte.
pub(crate) fn key(tag: u32, wire_type: WireType, out: &mut Vec<u8>) {
    out.push((tag << 3 | wire_type as u32) as u8);
}

/// Protobuf's base-128 varint.
pub(crate) fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(crate) fn varint_field_len(v: u64) -> usize {
    if v == 0 { 0 } else { 1 + encoded_len_varint(v) }
}

pub(crate) fn varint_field(tag: u32, v: u64, out: &mut Vec<u8>) {
    if v != 0 {
        key(tag, WireType::Varint, out);
        varint(v, out);
    }
}

pub(crate) fn bytes_field_len(b: &[u8]) -> usize {
    if b.is_empty() {
        0
    } else {
        1 + encoded_len_varint(b.len() as u64) + b.len()
    }
}

pub(crate) fn bytes_field(tag: u32, b: &[u8], out: &mut Vec<u8>) {
    if !b.is_empty() {
        key(tag, WireType::LengthDelimited, out);
        varint(b.len() as u64, out);
        out.extend_from_slice(b);
    }
}
