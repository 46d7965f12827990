//! Text helpers for rendering without allocation.

use core::fmt::{self, Write};

/// A fixed-capacity string that implements `fmt::Write`; writes past the
/// capacity are cut (and remembered), never a panic.
#[derive(Clone)]
pub struct TextBuf<const N: usize> {
    bytes: [u8; N],
    len: usize,
    overflowed: bool,
}

impl<const N: usize> TextBuf<N> {
    pub const fn new() -> Self {
        TextBuf {
            bytes: [0; N],
            len: 0,
            overflowed: false,
        }
    }

    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..self.len).unwrap_or(&[]);
        // Only whole `str`s are written, and cuts fall on char boundaries.
        core::str::from_utf8(bytes).unwrap_or("")
    }

    pub fn clear(&mut self) {
        self.len = 0;
        self.overflowed = false;
    }

    /// True if something did not fit.
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<const N: usize> Default for TextBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Debug for TextBuf<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> Write for TextBuf<N> {
    #[inline]
    fn write_char(&mut self, c: char) -> fmt::Result {
        if c.is_ascii() {
            match self.bytes.get_mut(self.len) {
                Some(slot) => {
                    *slot = c as u8;
                    self.len += 1;
                }
                None => self.overflowed = true,
            }
            return Ok(());
        }
        self.write_str(c.encode_utf8(&mut [0; 4]))
    }

    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = N - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        if let (Some(dst), Some(src)) = (
            self.bytes.get_mut(self.len..self.len + take),
            s.as_bytes().get(..take),
        ) {
            dst.copy_from_slice(src);
            self.len += take;
        }
        if take < s.len() {
            self.overflowed = true;
        }
        Ok(())
    }
}

/// Writes wire bytes as text the way Wireshark's `format_text` does:
/// printable ASCII as is, common control characters as C escapes, the rest as `\xhh`.
pub fn write_escaped<W: Write + ?Sized>(w: &mut W, bytes: &[u8]) -> fmt::Result {
    let mut rest = bytes;
    while !rest.is_empty() {
        match core::str::from_utf8(rest) {
            Ok(s) => return write_str_escaped(w, s),
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                write_str_escaped(w, core::str::from_utf8(good).unwrap_or(""))?;
                let n = e.error_len().unwrap_or(bad.len()).max(1);
                for b in bad.iter().take(n) {
                    write!(w, "\\x{b:02x}")?;
                }
                rest = bad.get(n..).unwrap_or(&[]);
            }
        }
    }
    Ok(())
}

fn write_str_escaped<W: Write + ?Sized>(w: &mut W, s: &str) -> fmt::Result {
    for c in s.chars() {
        match c {
            '\x07' => w.write_str("\\a")?,
            '\x08' => w.write_str("\\b")?,
            '\x0c' => w.write_str("\\f")?,
            '\n' => w.write_str("\\n")?,
            '\r' => w.write_str("\\r")?,
            '\t' => w.write_str("\\t")?,
            '\x0b' => w.write_str("\\v")?,
            '\\' => w.write_str("\\\\")?,
            c if (c as u32) < 0x20 || c as u32 == 0x7f => write!(w, "\\x{:02x}", c as u32)?,
            c => w.write_char(c)?,
        }
    }
    Ok(())
}

/// A `Display` for wire bytes, escaped as above.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a [u8]);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_textbuf_cuts_on_char_boundary() {
        let mut b = TextBuf::<4>::new();
        write!(b, "ab→c").unwrap();
        assert_eq!(b.as_str(), "ab");
        assert!(b.overflowed());
    }

    #[test]
    fn test_escaped() {
        let mut b = TextBuf::<32>::new();
        write!(b, "{}", Escaped(b"a\r\n\xff\x01\\")).unwrap();
        assert_eq!(b.as_str(), "a\\r\\n\\xff\\x01\\\\");
    }
}

/// "00" to "99", so digits are written two at a time without UTF-8 checks.
const PAIRS: &str = "0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `v` in decimal without `core::fmt` (the packet list prints several
/// numbers per frame), with one `write_str`.
#[inline]
pub fn write_dec<W: Write + ?Sized>(w: &mut W, v: u64) -> fmt::Result {
    let mut buf = [0u8; 20];
    let start = dec_digits(&mut buf, v);
    write_ascii(w, buf.get(start..).unwrap_or(&[]))
}

/// Fills the tail of `buf` with `v`'s digits, two at a time; returns where they start.
#[inline]
fn dec_digits(buf: &mut [u8; 20], v: u64) -> usize {
    let mut at = buf.len();
    let mut n = v;
    let mut put = |at: &mut usize, digit: u8| {
        *at = at.saturating_sub(1);
        if let Some(slot) = buf.get_mut(*at) {
            *slot = digit;
        }
    };
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        let digits = PAIRS.as_bytes();
        put(&mut at, digits.get(pair + 1).copied().unwrap_or(b'0'));
        put(&mut at, digits.get(pair).copied().unwrap_or(b'0'));
        n /= 100;
    }
    if n >= 10 {
        put(&mut at, b'0' + (n % 10) as u8);
        n /= 10;
    }
    put(&mut at, b'0' + n as u8);
    at
}

/// Writes `v` as `digits` lowercase hex digits (more if `v` needs them), no prefix.
#[inline]
pub fn write_hex<W: Write + ?Sized>(w: &mut W, v: u64, digits: usize) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [b'0'; 16];
    let needed = (64 - v.leading_zeros() as usize)
        .div_ceil(4)
        .max(digits)
        .min(16);
    let start = buf.len() - needed;
    for (i, slot) in buf.iter_mut().enumerate().skip(start) {
        let shift = (15 - i) * 4;
        *slot = HEX
            .get(((v >> shift) & 0xf) as usize)
            .copied()
            .unwrap_or(b'0');
    }
    write_ascii(w, buf.get(start..).unwrap_or(&[]))
}

/// Writes an IPv4 address in dotted decimal with one `write_str`.
#[inline]
pub fn write_ipv4<W: Write + ?Sized>(w: &mut W, addr: core::net::Ipv4Addr) -> fmt::Result {
    let mut buf = [0u8; 15];
    let mut len = 0;
    for (i, octet) in addr.octets().into_iter().enumerate() {
        if i > 0 {
            push(&mut buf, &mut len, b'.');
        }
        if octet >= 100 {
            push(&mut buf, &mut len, b'0' + octet / 100);
        }
        if octet >= 10 {
            push(&mut buf, &mut len, b'0' + (octet / 10) % 10);
        }
        push(&mut buf, &mut len, b'0' + octet % 10);
    }
    write_ascii(w, buf.get(..len).unwrap_or(&[]))
}

/// Writes a MAC address as `aa:bb:cc:dd:ee:ff` with one `write_str`.
#[inline]
pub fn write_mac<W: Write + ?Sized>(w: &mut W, mac: [u8; 6]) -> fmt::Result {
    let mut buf = [b':'; 17];
    for (octet, pair) in mac.iter().zip(buf.chunks_mut(3)) {
        if let [hi, lo, ..] = pair {
            *hi = hex_digit(octet >> 4);
            *lo = hex_digit(octet & 0xf);
        }
    }
    write_ascii(w, &buf)
}

/// Writes an IPv6 address as `core::net::Ipv6Addr` displays it (RFC 5952: the
/// longest run of two or more zero groups, the first of equals, becomes `::`;
/// IPv4-mapped addresses end in dotted decimal), with one `write_str`.
pub fn write_ipv6<W: Write + ?Sized>(w: &mut W, addr: core::net::Ipv6Addr) -> fmt::Result {
    if let Some(v4) = addr.to_ipv4_mapped() {
        w.write_str("::ffff:")?;
        return write_ipv4(w, v4);
    }
    let groups = addr.segments();
    // The longest run of zero groups; runs of one group stay as they are.
    let (mut best_at, mut best_len, mut run_at, mut run_len) = (0, 0, 0, 0);
    for (i, g) in groups.iter().enumerate() {
        if *g == 0 {
            if run_len == 0 {
                run_at = i;
            }
            run_len += 1;
            if run_len > best_len {
                (best_at, best_len) = (run_at, run_len);
            }
        } else {
            run_len = 0;
        }
    }
    for (i, g) in groups.iter().enumerate() {
        if best_len > 1 && (best_at..best_at + best_len).contains(&i) {
            // The run prints as "::": its first group writes both colons at the
            // start, one otherwise (the group before wrote its own).
            if i == best_at {
                w.write_str(if i == 0 { "::" } else { ":" })?;
            }
            continue;
        }
        write_hex_group(w, *g)?;
        if i + 1 < groups.len() {
            w.write_char(':')?;
        }
    }
    Ok(())
}

/// One IPv6 group: lowercase hex without leading zeros.
#[inline]
fn write_hex_group<W: Write + ?Sized>(w: &mut W, g: u16) -> fmt::Result {
    let digits = (16 - g.leading_zeros()).div_ceil(4).max(1);
    for d in (0..digits).rev() {
        w.write_char(char::from(hex_digit((g >> (d * 4)) as u8 & 0xf)))?;
    }
    Ok(())
}

#[inline]
fn hex_digit(nibble: u8) -> u8 {
    match nibble {
        0..=9 => b'0' + nibble,
        _ => b'a' + (nibble & 0xf) - 10,
    }
}

fn push(buf: &mut [u8], len: &mut usize, b: u8) {
    if let Some(slot) = buf.get_mut(*len) {
        *slot = b;
        *len += 1;
    }
}

/// Writes bytes the caller built as ASCII, one `write_char` each: for a `String`
/// or a `TextBuf` that is a store per byte, where `write_str` would first check
/// UTF-8 and then call `memcpy` for a handful of digits.
#[inline]
fn write_ascii<W: Write + ?Sized>(w: &mut W, bytes: &[u8]) -> fmt::Result {
    for b in bytes {
        w.write_char(char::from(*b))?;
    }
    Ok(())
}

#[cfg(test)]
mod fast_test {
    use super::*;

    #[test]
    fn test_numbers_and_addresses() {
        let mut b = TextBuf::<64>::new();
        write_dec(&mut b, 0).unwrap();
        b.write_char(' ').unwrap();
        write_dec(&mut b, u64::MAX).unwrap();
        b.write_char(' ').unwrap();
        write_hex(&mut b, 0x2a, 4).unwrap();
        b.write_char(' ').unwrap();
        write_hex(&mut b, 0x12345, 4).unwrap();
        b.write_char(' ').unwrap();
        write_ipv4(&mut b, core::net::Ipv4Addr::new(192, 0, 2, 10)).unwrap();
        assert_eq!(b.as_str(), "0 18446744073709551615 002a 12345 192.0.2.10");
    }

    #[test]
    fn test_mac() {
        let mut b = TextBuf::<32>::new();
        write_mac(&mut b, [0, 0x1b, 0xa0, 0xff, 9, 0x10]).unwrap();
        assert_eq!(b.as_str(), "00:1b:a0:ff:09:10");
    }

    /// Every shape of zero runs, against the standard library's rendering.
    #[test]
    fn test_ipv6_as_std_writes_it() {
        extern crate std;
        use std::string::ToString;
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for n in 0..200_000u32 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Each group is zero, small or random, so runs of every length occur.
            let mut groups = [0u16; 8];
            for (i, g) in groups.iter_mut().enumerate() {
                *g = match (seed >> (i * 4)) & 3 {
                    0 | 1 => 0,
                    2 => (seed >> (i * 8 + 2)) as u16 & 0x1f,
                    _ => (seed >> (i * 6)) as u16,
                };
            }
            if n % 7 == 0 {
                groups = [0, 0, 0, 0, 0, 0xffff, groups[6], groups[7]];
            }
            let addr = core::net::Ipv6Addr::from(groups);
            let mut b = TextBuf::<64>::new();
            write_ipv6(&mut b, addr).unwrap();
            assert_eq!(b.as_str(), addr.to_string(), "{groups:x?}");
        }
    }
}
