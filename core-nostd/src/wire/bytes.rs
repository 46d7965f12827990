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

/// The positions of one byte value in a slice, in order, read eight bytes at
/// a time; each search resumes in the word where the last one stopped (an
/// HTTP head's line ends, found in one pass).
#[derive(Debug, Clone)]
pub(crate) struct Finds<'a> {
    /// The bytes not yet read.
    rest: &'a [u8],
    pattern: u64,
    /// Where the word `flags` marks starts; `rest` starts eight bytes on.
    word_at: usize,
    /// The high bit of each byte of that word that is `needle`, not yet given.
    flags: u64,
}

impl<'a> Finds<'a> {
    /// The positions of `needle` in `haystack` from `from` on.
    #[inline]
    pub(crate) fn new(haystack: &'a [u8], needle: u8, from: usize) -> Self {
        Finds {
            rest: haystack.get(from..).unwrap_or(&[]),
            pattern: u64::from_le_bytes([needle; 8]),
            // No word yet: the first one read starts at `from`.
            word_at: from.wrapping_sub(8),
            flags: 0,
        }
    }
}

impl Iterator for Finds<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        while self.flags == 0 {
            let word = match self.rest.split_first_chunk::<8>() {
                Some((word, rest)) => {
                    self.rest = rest;
                    *word
                }
                None if self.rest.is_empty() => return None,
                None => {
                    // The tail, padded with bytes that are not `needle`.
                    let mut word = (!self.pattern).to_le_bytes();
                    for (w, &b) in word.iter_mut().zip(self.rest) {
                        *w = b;
                    }
                    self.rest = &[];
                    word
                }
            };
            self.word_at = self.word_at.wrapping_add(8);
            let x = u64::from_le_bytes(word) ^ self.pattern;
            // The high bit of each byte of `x` that is zero, and of no other.
            self.flags = !(((x & LOWS).wrapping_add(LOWS)) | x | LOWS);
        }
        let at = self.word_at + (self.flags.trailing_zeros() / 8) as usize;
        self.flags &= self.flags - 1;
        Some(at)
    }
}

/// `bytes.eq_ignore_ascii_case(lower)` for a `lower` with no uppercase
/// letter (a header name as this crate spells it), eight bytes at a time:
/// a byte where `lower` has a letter matches either case, any other only
/// itself. (Byte by byte, two header names cost the walk ~150 instructions.)
#[inline(always)]
pub(crate) fn eq_lowercase(bytes: &[u8], lower: &[u8]) -> bool {
    if bytes.len() != lower.len() {
        return false;
    }
    // From eight bytes on, the last word (overlapping the one before it)
    // covers the tail.
    let (Some(last), Some(lower_last)) = (bytes.last_chunk::<8>(), lower.last_chunk::<8>()) else {
        return bytes.eq_ignore_ascii_case(lower);
    };
    let (words, lower_words) = (bytes.as_chunks::<8>().0, lower.as_chunks::<8>().0);
    word_eq_lowercase(last, lower_last)
        && words
            .iter()
            .zip(lower_words)
            .all(|(w, l)| word_eq_lowercase(w, l))
}

#[inline(always)]
fn word_eq_lowercase(word: &[u8; 8], lower: &[u8; 8]) -> bool {
    // The case bit, where `lower` has a letter (folded away for a constant).
    let mut case = [0u8; 8];
    for (c, l) in case.iter_mut().zip(lower) {
        if l.is_ascii_lowercase() {
            *c = 0x20;
        }
    }
    u64::from_le_bytes(*word) | u64::from_le_bytes(case) == u64::from_le_bytes(*lower)
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

    /// Names of every length around a word, in mixed case, with a byte
    /// changed, against `eq_ignore_ascii_case`.
    #[test]
    fn eq_lowercase_agrees_with_eq_ignore_ascii_case() {
        extern crate std;
        use std::vec::Vec;
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15u64);
        let names: [&[u8]; 6] = [
            b"content-length",
            b"content-type",
            b"host",
            b"x-forwarded-for.9_",
            b"abcdefgh",
            b"",
        ];
        let mut equal = 0;
        for _ in 0..100_000 {
            let lower = names[(next() % names.len() as u64) as usize];
            let mut name: Vec<u8> = lower
                .iter()
                .map(|&b| {
                    if next().is_multiple_of(2) {
                        b.to_ascii_uppercase()
                    } else {
                        b
                    }
                })
                .collect();
            match next() % 4 {
                0 if !name.is_empty() => {
                    let at = (next() % name.len() as u64) as usize;
                    // Bytes one case bit away from a letter or a dash, and any.
                    name[at] = [b'-' ^ 0x20, b'@', b'`', b'[', b'{', 0xc3, next() as u8]
                        [(next() % 7) as usize];
                }
                1 => name.push(b'x'),
                _ => {}
            }
            let want = name.eq_ignore_ascii_case(lower);
            assert_eq!(eq_lowercase(&name, lower), want, "{name:02x?} {lower:02x?}");
            equal += usize::from(want);
        }
        assert!(equal > 30_000, "{equal}");
    }

    /// Every position, from every start, against a byte-by-byte search.
    #[test]
    fn finds_agrees_with_a_filter() {
        extern crate std;
        use std::vec::Vec;
        let mut next = crate::testing::xorshift(0x5851_f42d_4c95_7f2du64);
        let mut buf = [0u8; 40];
        for round in 0..20_000 {
            for b in buf.iter_mut() {
                *b = [b'\n', b'\r', 0x8a, 0x0b, 0, 0xff][(next() % 6) as usize];
            }
            let len = round % buf.len();
            let from = (next() % 48) as usize;
            for needle in [b'\n', 0xff, 0] {
                let want: Vec<usize> = (from..len).filter(|&i| buf[i] == needle).collect();
                let got: Vec<usize> = Finds::new(&buf[..len], needle, from).collect();
                assert_eq!(
                    got,
                    want,
                    "{needle:02x} from {from} in {:02x?}",
                    &buf[..len]
                );
            }
        }
    }

    #[test]
    fn test_find_byte_agrees_with_position() {
        let mut next = crate::testing::xorshift(0x2545_f491_4f6c_dd1du64);
        let mut buf = [0u8; 80];
        for round in 0..50_000 {
            for b in buf.iter_mut() {
                let seed = next();
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
