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
