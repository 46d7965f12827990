//! Text kept as bytes, for the core's writers to write into fast.
//!
//! The core writes digits and addresses as fixed-size ASCII chunks
//! ([`encap_core::text::Sink`]). A `String` can only take them a char at a
//! time (each a capacity check) or after a UTF-8 check; a byte vector takes
//! a whole chunk as one fixed-size copy and then keeps the part that counts.
//! Everything written is a `&str`, a `char` or ASCII, so the bytes are always
//! UTF-8.

use core::fmt;

use encap_core::text::Sink;

/// A growable UTF-8 text held as bytes (see the module docs).
#[derive(Default, Clone, PartialEq, Eq)]
pub struct Text(Vec<u8>);

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&String::from_utf8_lossy(&self.0), f)
    }
}

impl Text {
    pub fn new() -> Self {
        Text(Vec::new())
    }

    pub fn with_capacity(n: usize) -> Self {
        Text(Vec::with_capacity(n))
    }

    #[inline]
    pub fn push(&mut self, c: char) {
        if c.is_ascii() {
            self.0.push(c as u8);
        } else {
            self.0
                .extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }

    #[inline]
    pub fn push_str(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
    }

    /// Appends another text.
    pub fn push_text(&mut self, t: &Text) {
        self.0.extend_from_slice(&t.0);
    }

    /// Appends `n` spaces.
    #[inline]
    pub fn push_spaces(&mut self, n: usize) {
        self.0.resize(self.0.len() + n, b' ');
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Cuts the text back to `len` bytes, which must be a length it had
    /// (a char boundary); anything else is ignored.
    pub fn truncate(&mut self, len: usize) {
        if self.is_boundary(len) {
            self.0.truncate(len);
        }
    }

    /// `at` is the end of the text or where a char starts (not inside one).
    fn is_boundary(&self, at: usize) -> bool {
        at <= self.0.len() && self.0.get(at).is_none_or(|b| b & 0xc0 != 0x80)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text. Only UTF-8 goes in, so this never comes back empty for a
    /// text that is not (it checks, to stay safe).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The bytes from `start` on, as text ("" past the end or off a boundary).
    pub fn str_from(&self, start: usize) -> &str {
        self.0
            .get(start..)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or_default()
    }

    /// Inserts `n` spaces at byte `at` (a char boundary the caller kept).
    pub fn insert_spaces(&mut self, at: usize, n: usize) {
        let len = self.0.len();
        if !self.is_boundary(at) {
            return;
        }
        self.0.resize(len + n, b' ');
        self.0.copy_within(at..len, at + n);
        if let Some(gap) = self.0.get_mut(at..at + n) {
            gap.fill(b' ');
        }
    }

    /// Columns on screen of the text from byte `start` on: one per char, as
    /// tshark counts them.
    pub fn columns_from(&self, start: usize) -> usize {
        let tail = self.0.get(start..).unwrap_or_default();
        if tail.is_ascii() {
            tail.len()
        } else {
            // A char is its first byte: every byte but UTF-8's continuations.
            tail.iter().filter(|b| (**b & 0xc0) != 0x80).count()
        }
    }
}

impl fmt::Write for Text {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s);
        Ok(())
    }

    #[inline]
    fn write_char(&mut self, c: char) -> fmt::Result {
        self.push(c);
        Ok(())
    }
}

impl Sink for Text {
    /// The room is the text's own bytes (zeroed, then cut to what was used).
    #[inline]
    fn push_with<const N: usize>(
        &mut self,
        fill: impl FnOnce(&mut [u8; N]) -> usize,
    ) -> fmt::Result {
        let at = self.0.len();
        self.0.resize(at + N, 0);
        let used = match self
            .0
            .get_mut(at..at + N)
            .and_then(|room| <&mut [u8; N]>::try_from(room).ok())
        {
            Some(room) => fill(room).min(N),
            None => 0,
        };
        self.0.truncate(at + used);
        Ok(())
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.as_bytes().to_vec())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        // Only UTF-8 goes in; a failure here would be a bug, shown as
        // replacement characters rather than lost text.
        match String::from_utf8(t.0) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;
    use encap_core::text::{write_dec, write_ipv4, write_ipv6, write_mac};

    #[test]
    fn chunks_keep_only_their_length() {
        let mut t = Text::new();
        t.push_str("a=");
        write_dec(&mut t, 0).unwrap();
        t.push(' ');
        write_dec(&mut t, 1_234_567).unwrap();
        t.push(' ');
        write_ipv4(&mut t, [192, 0, 2, 7].into()).unwrap();
        t.push(' ');
        write_mac(&mut t, [0, 1, 0xab, 0xcd, 0xef, 0xff]).unwrap();
        t.push(' ');
        write_ipv6(&mut t, "2001:db8::1".parse().unwrap()).unwrap();
        write!(t, " {}→", 5).unwrap();
        assert_eq!(
            t.as_str(),
            "a=0 1234567 192.0.2.7 00:01:ab:cd:ef:ff 2001:db8::1 5→"
        );
        assert_eq!(
            t.str_from(2),
            "0 1234567 192.0.2.7 00:01:ab:cd:ef:ff 2001:db8::1 5→"
        );
        assert_eq!(t.columns_from(t.len() - 4), 2);
        t.insert_spaces(2, 3);
        assert!(t.as_str().starts_with("a=   0 "));
        t.truncate(t.len() - 1);
        assert!(t.as_str().ends_with("5→"), "a cut inside a char is ignored");
        t.truncate(5);
        assert_eq!(t.as_str(), "a=   ");
    }
}
