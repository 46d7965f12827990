//! Big-endian reads that cannot panic.
//!
//! Views hand these their fixed-size header arrays, so after inlining the
//! bounds checks fold away; on a short slice they read zero instead of panicking.

use core::ops::Range;

#[inline(always)]
pub(crate) fn u8_at(b: &[u8], at: usize) -> u8 {
    b.get(at).copied().unwrap_or(0)
}

#[inline(always)]
pub(crate) fn be16(b: &[u8], r: Range<usize>) -> u16 {
    match b.get(r) {
        Some(&[x, y]) => u16::from_be_bytes([x, y]),
        _ => 0,
    }
}

#[inline(always)]
pub(crate) fn be32(b: &[u8], r: Range<usize>) -> u32 {
    match b.get(r) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
        _ => 0,
    }
}

#[inline(always)]
pub(crate) fn array<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    match b.get(at..).and_then(|s| s.first_chunk::<N>()) {
        Some(a) => *a,
        None => [0; N],
    }
}
