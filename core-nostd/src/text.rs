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
pub fn write_escaped(w: &mut dyn Write, bytes: &[u8]) -> fmt::Result {
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

fn write_str_escaped(w: &mut dyn Write, s: &str) -> fmt::Result {
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
/// numbers per frame).
#[inline]
pub fn write_dec(w: &mut dyn Write, v: u64) -> fmt::Result {
    // Peel pairs off the low end into a small stack of &strs, then write them.
    let mut parts: [&str; 10] = [""; 10];
    let mut n = v;
    let mut count = 0;
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        if let Some(slot) = parts.get_mut(count) {
            *slot = PAIRS.get(pair..pair + 2).unwrap_or("");
        }
        count += 1;
        n /= 100;
    }
    let head = n as usize * 2;
    let head = if n >= 10 {
        PAIRS.get(head..head + 2)
    } else {
        PAIRS.get(head + 1..head + 2)
    };
    w.write_str(head.unwrap_or(""))?;
    for part in parts.iter().take(count).rev() {
        w.write_str(part)?;
    }
    Ok(())
}

/// Writes `v` as `digits` lowercase hex digits (more if `v` needs them), no prefix.
#[inline]
pub fn write_hex(w: &mut dyn Write, v: u64, digits: usize) -> fmt::Result {
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
    w.write_str(ascii(buf.get(start..).unwrap_or(&[])))
}

/// Writes an IPv4 address in dotted decimal with one `write_str`.
#[inline]
pub fn write_ipv4(w: &mut dyn Write, addr: core::net::Ipv4Addr) -> fmt::Result {
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
    w.write_str(ascii(buf.get(..len).unwrap_or(&[])))
}

fn push(buf: &mut [u8], len: &mut usize, b: u8) {
    if let Some(slot) = buf.get_mut(*len) {
        *slot = b;
        *len += 1;
    }
}

/// The buffers above only ever hold ASCII.
fn ascii(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or("")
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
}
