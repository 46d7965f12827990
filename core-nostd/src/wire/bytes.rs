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

/// The index of the first `needle` in `haystack`, read eight bytes at a time
/// (HTTP heads are scanned for line ends in every segment the walk meets).
pub(crate) fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let pattern = ONES.wrapping_mul(u64::from(needle));
    let (words, tail) = haystack.as_chunks::<8>();
    for (i, word) in words.iter().enumerate() {
        let x = u64::from_le_bytes(*word) ^ pattern;
        // A byte of `x` is zero where `needle` is; the lowest flagged byte is
        // always a true match (a borrow only flags bytes above one).
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(i * 8 + (found.trailing_zeros() / 8) as usize);
        }
    }
    let at = words.len() * 8;
    tail.iter().position(|&b| b == needle).map(|i| at + i)
}

#[inline(always)]
pub(crate) fn array<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    match b.get(at..).and_then(|s| s.first_chunk::<N>()) {
        Some(a) => *a,
        None => [0; N],
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_find_byte_agrees_with_position() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut buf = [0u8; 80];
        for round in 0..50_000 {
            for b in buf.iter_mut() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // A small alphabet, so needles are often present, repeated or next to 0x80s.
                *b = [b'\n', b':', 0x80, 0x0a ^ 0x80, 0x0b, 0x09, 0, b'a'][(seed % 8) as usize];
            }
            let len = round % buf.len();
            for needle in [b'\n', b':', 0x80, 0] {
                let want = buf[..len].iter().position(|&b| b == needle);
                assert_eq!(find_byte(&buf[..len], needle), want, "{:02x?}", &buf[..len]);
            }
        }
    }
}
