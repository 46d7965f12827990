//! Text kept as bytes, for the core's writers to write into fast.
//!
//! The core writes digits and addresses as fixed-size ASCII chunks
//! ([`encap_core::text::Sink`]). A `String` can only take them a char at a
//! time (each a capacity check) or after a UTF-8 check; a byte vector takes
//! a whole chunk as one fixed-size copy and then keeps the part that counts.
//! Everything written is a `&str`, a `char` or ASCII, so the bytes are always
//! UTF-8.

use core::fmt;

use encap_core::text::{RecentIpv6, Sink};

/// A growable UTF-8 text held as bytes (see the module docs).
///
/// The bytes past its length are room kept written: a chunk goes straight in
/// and only the part that counts is kept, with nothing zeroed first.
#[derive(Default)]
pub struct Text {
    /// The text, then room (any bytes).
    bytes: Vec<u8>,
    /// How much of `bytes` is the text.
    len: usize,
    /// The text of the IPv6 addresses written last (a packet list repeats them).
    recent_ipv6: RecentIpv6,
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&String::from_utf8_lossy(self.as_bytes()), f)
    }
}

/// A copy holds the text, not the room after it.
impl Clone for Text {
    fn clone(&self) -> Self {
        Text {
            bytes: self.as_bytes().to_vec(),
            len: self.len,
            recent_ipv6: self.recent_ipv6.clone(),
        }
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Text {}

impl Text {
    pub fn new() -> Self {
        Text::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        Text {
            bytes: vec![0; n],
            ..Text::default()
        }
    }

    /// The `n` bytes of room after the text, made first if there are fewer.
    #[inline]
    fn room(&mut self, n: usize) -> &mut [u8] {
        let end = self.len + n;
        if self.bytes.len() < end {
            self.grow(end);
        }
        // Split at the text's end, then cut to `n`: the compiler folds these
        // checks into the one above better than a `len..end` range's (1 % fewer
        // instructions in `encap read`).
        let room = self
            .bytes
            .split_at_mut_checked(self.len)
            .map_or(&mut [][..], |(_, r)| r);
        room.get_mut(..n).unwrap_or_default()
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, end: usize) {
        let len = end.max(self.bytes.len() * 2).max(256);
        self.bytes.resize(len, 0);
    }

    /// Appends bytes that are UTF-8 (or ASCII chunks of it).
    #[inline]
    fn push_bytes(&mut self, b: &[u8]) {
        self.room(b.len()).copy_from_slice(b);
        self.len += b.len();
    }

    #[inline]
    pub fn push(&mut self, c: char) {
        if c.is_ascii() {
            if let Some(slot) = self.room(1).first_mut() {
                *slot = c as u8;
            }
            self.len += 1;
        } else {
            self.push_bytes(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }

    #[inline]
    pub fn push_str(&mut self, s: &str) {
        self.push_bytes(s.as_bytes());
    }

    /// Appends another text.
    pub fn push_text(&mut self, t: &Text) {
        self.push_bytes(t.as_bytes());
    }

    /// Appends `n` spaces.
    #[inline]
    pub fn push_spaces(&mut self, n: usize) {
        // A column's padding is short: sixteen spaces go in as one store,
        // not a call to fill a few bytes.
        const SPACES: [u8; 16] = [b' '; 16];
        match <&mut [u8; 16]>::try_from(self.room(n.max(16))) {
            Ok(room) if n <= 16 => *room = SPACES,
            _ => self.room(n).fill(b' '),
        }
        self.len += n;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Cuts the text back to `len` bytes, which must be a length it had
    /// (a char boundary); anything else is ignored.
    pub fn truncate(&mut self, len: usize) {
        if self.is_boundary(len) {
            self.len = len;
        }
    }

    /// `at` is the end of the text or where a char starts (not inside one).
    fn is_boundary(&self, at: usize) -> bool {
        at <= self.len && self.as_bytes().get(at).is_none_or(|b| b & 0xc0 != 0x80)
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// The text. Only UTF-8 goes in, so this never comes back empty for a
    /// text that is not (it checks, to stay safe).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The bytes from `start` on, as text ("" past the end or off a boundary).
    pub fn str_from(&self, start: usize) -> &str {
        self.as_bytes()
            .get(start..)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or_default()
    }

    /// Inserts `n` spaces at byte `at` (a char boundary the caller kept).
    pub fn insert_spaces(&mut self, at: usize, n: usize) {
        if !self.is_boundary(at) {
            return;
        }
        let len = self.len;
        // A short tail (a column being right-aligned) moves as one 16-byte
        // copy, the spaces as one store, rather than a call to move bytes.
        if len - at <= 16 && n <= 16 {
            self.room(n + 16);
            let tail = self
                .bytes
                .get(at..)
                .and_then(|b| b.first_chunk::<16>())
                .copied();
            if let (Some(tail), Some(gap)) = (tail, self.bytes.get_mut(at..)) {
                if let Some(spaces) = gap.first_chunk_mut::<16>() {
                    *spaces = [b' '; 16];
                }
                if let Some(moved) = gap.get_mut(n..).and_then(|m| m.first_chunk_mut::<16>()) {
                    *moved = tail;
                }
            }
            self.len += n;
            return;
        }
        self.room(n);
        self.bytes.copy_within(at..len, at + n);
        if let Some(gap) = self.bytes.get_mut(at..at + n) {
            gap.fill(b' ');
        }
        self.len += n;
    }

    /// Columns on screen of the text from byte `start` on: one per char, as
    /// tshark counts them.
    pub fn columns_from(&self, start: usize) -> usize {
        let tail = self.as_bytes().get(start..).unwrap_or_default();
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
    /// The room is the bytes after the text, kept if the writer used them.
    #[inline]
    fn push_with<const N: usize>(
        &mut self,
        fill: impl FnOnce(&mut [u8; N]) -> usize,
    ) -> fmt::Result {
        let used = match <&mut [u8; N]>::try_from(self.room(N)) {
            Ok(room) => fill(room).min(N),
            Err(_) => 0,
        };
        self.len += used;
        Ok(())
    }

    #[inline]
    fn push_ipv6(&mut self, addr: core::net::Ipv6Addr) -> fmt::Result {
        let (text, len) = self.recent_ipv6.text_of(addr);
        self.push_with(|room: &mut [u8; 40]| {
            *room = text;
            len
        })
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text {
            bytes: s.as_bytes().to_vec(),
            len: s.len(),
            ..Text::default()
        }
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        // Only UTF-8 goes in; a failure here would be a bug, shown as
        // replacement characters rather than lost text.
        let mut bytes = t.bytes;
        bytes.truncate(t.len);
        match String::from_utf8(bytes) {
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

    /// Spaces inserted before a short tail (one copy) or a long one (a move)
    /// give the same text as a string's insert, wherever the text ends in
    /// its room.
    #[test]
    fn spaces_go_in_before_short_and_long_tails() {
        for head in [0, 1, 7, 40] {
            for tail in [0, 1, 9, 15, 16, 17, 40] {
                for n in [0, 1, 3, 16, 17] {
                    let mut t = Text::new();
                    let text = format!("{}{}", "h".repeat(head), "t".repeat(tail));
                    t.push_str(&text);
                    t.insert_spaces(head, n);
                    let mut want = text.clone();
                    want.insert_str(head, &" ".repeat(n));
                    assert_eq!(t.as_str(), want, "head {head} tail {tail} n {n}");
                }
            }
        }
    }

    #[test]
    fn room_reused_after_a_cut_holds_only_what_is_written_again() {
        let mut t = Text::new();
        t.push_str("µµµµ→→");
        t.clear();
        write_dec(&mut t, 42).unwrap();
        t.push('·');
        t.push_spaces(2);
        assert_eq!(t.as_str(), "42·  ");
        t.truncate(2);
        t.insert_spaces(0, 3);
        assert_eq!(t.as_str(), "   42");
        assert_eq!(t, Text::from("   42"));
        let copy = t.clone();
        assert_eq!(copy.as_bytes(), b"   42");
        assert_eq!(copy.bytes.len(), 5, "a copy holds no room");
        assert_eq!(String::from(t), "   42");
        // Growing keeps the text.
        let mut long = Text::with_capacity(1);
        for _ in 0..1000 {
            long.push_str("ab");
        }
        assert_eq!(long.len(), 2000);
        assert!(long.as_str().bytes().eq("ab".repeat(1000).bytes()));
    }
}
