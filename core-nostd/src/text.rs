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
pub fn write_escaped<W: Sink + ?Sized>(w: &mut W, bytes: &[u8]) -> fmt::Result {
    let mut rest = bytes;
    while !rest.is_empty() {
        match core::str::from_utf8(rest) {
            Ok(s) => return write_str_escaped(w, s),
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                write_str_escaped(w, core::str::from_utf8(good).unwrap_or(""))?;
                let n = e.error_len().unwrap_or(bad.len()).max(1);
                for b in bad.iter().take(n) {
                    w.write_str("\\x")?;
                    write_hex(w, u64::from(*b), 2)?;
                }
                rest = bad.get(n..).unwrap_or(&[]);
            }
        }
    }
    Ok(())
}

fn write_str_escaped<W: Sink + ?Sized>(w: &mut W, s: &str) -> fmt::Result {
    let mut rest = s;
    // Runs that need no escape go in whole (a URI or a name mostly is one).
    while let Some((clean, from)) = rest
        .bytes()
        .position(needs_escape)
        .and_then(|at| rest.split_at_checked(at))
    {
        w.write_str(clean)?;
        let mut chars = from.chars();
        if let Some(c) = chars.next() {
            match c {
                '\x07' => w.write_str("\\a")?,
                '\x08' => w.write_str("\\b")?,
                '\x0c' => w.write_str("\\f")?,
                '\n' => w.write_str("\\n")?,
                '\r' => w.write_str("\\r")?,
                '\t' => w.write_str("\\t")?,
                '\x0b' => w.write_str("\\v")?,
                '\\' => w.write_str("\\\\")?,
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    w.write_str("\\x")?;
                    write_hex(w, u64::from(c as u32), 2)?;
                }
                c => w.write_char(c)?,
            }
        }
        rest = chars.as_str();
    }
    w.write_str(rest)
}

/// A byte that is not written as it is: a control character or a backslash.
/// (Bytes of multi-byte chars stop a run too, and are written as chars.)
#[inline]
fn needs_escape(b: u8) -> bool {
    !(0x20..0x7f).contains(&b) || b == b'\\'
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

/// What the text writers write into: `fmt::Write`, plus room for the ASCII
/// they make themselves (digits, addresses) to be written in place. A byte
/// buffer lends its own bytes, so a number is a few stores; a `String` behind
/// `fmt::Write` alone would check its capacity once a char (the packet list
/// writes about a hundred a frame), and a number built apart and then copied
/// makes the copy wait for the stores that built it.
pub trait Sink: Write {
    /// Appends the ASCII that `fill` writes: it gets `N` bytes of room (not
    /// cleared: it writes every byte it keeps) and says how many of them it
    /// used (at most `N`; the rest is dropped).
    #[inline]
    fn push_with<const N: usize>(
        &mut self,
        fill: impl FnOnce(&mut [u8; N]) -> usize,
    ) -> fmt::Result {
        made_apart(fill)
            .bytes()
            .iter()
            .try_for_each(|b| self.write_char(char::from(*b)))
    }

    /// Writes an IPv6 address as [`write_ipv6`] does. A sink that keeps the
    /// text of recent addresses ([`RecentIpv6`]) copies it from there.
    #[inline]
    fn push_ipv6(&mut self, addr: core::net::Ipv6Addr) -> fmt::Result {
        write_ipv6(self, addr)
    }
}

/// What `fill` writes into room of its own (for sinks that lend none),
/// holding it until it is copied.
#[inline]
fn made_apart<const N: usize>(fill: impl FnOnce(&mut [u8; N]) -> usize) -> Apart<N> {
    let mut room = [0u8; N];
    let used = fill(&mut room).min(N);
    Apart { room, used }
}

struct Apart<const N: usize> {
    room: [u8; N],
    used: usize,
}

impl<const N: usize> Apart<N> {
    fn bytes(&self) -> &[u8] {
        self.room.get(..self.used).unwrap_or_default()
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    #[inline]
    fn push_with<const N: usize>(
        &mut self,
        fill: impl FnOnce(&mut [u8; N]) -> usize,
    ) -> fmt::Result {
        (**self).push_with(fill)
    }

    #[inline]
    fn push_ipv6(&mut self, addr: core::net::Ipv6Addr) -> fmt::Result {
        (**self).push_ipv6(addr)
    }
}

impl Sink for fmt::Formatter<'_> {
    #[inline]
    fn push_with<const N: usize>(
        &mut self,
        fill: impl FnOnce(&mut [u8; N]) -> usize,
    ) -> fmt::Result {
        let apart = made_apart(fill);
        self.write_str(core::str::from_utf8(apart.bytes()).map_err(|_| fmt::Error)?)
    }
}

impl<const C: usize> Sink for TextBuf<C> {
    #[inline]
    fn push_with<const N: usize>(
        &mut self,
        fill: impl FnOnce(&mut [u8; N]) -> usize,
    ) -> fmt::Result {
        let at = self.len;
        match self
            .bytes
            .get_mut(at..at + N)
            .and_then(|room| <&mut [u8; N]>::try_from(room).ok())
        {
            Some(room) => {
                self.len = at + fill(room).min(N);
                Ok(())
            }
            // Near the end: made apart, and what fits goes in a char at a time
            // (ASCII: every cut is a char boundary).
            None => made_apart(fill)
                .bytes()
                .iter()
                .try_for_each(|b| self.write_char(char::from(*b))),
        }
    }
}

/// Any `fmt::Write` (a `String`) as a [`Sink`]: ASCII goes in a char at a time.
#[derive(Debug)]
pub struct Plain<'w, W: ?Sized>(pub &'w mut W);

impl<W: Write + ?Sized> Write for Plain<'_, W> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write_str(s)
    }

    #[inline]
    fn write_char(&mut self, c: char) -> fmt::Result {
        self.0.write_char(c)
    }
}

impl<W: Write + ?Sized> Sink for Plain<'_, W> {}

/// "00" to "99", so digits are made two at a time.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes `v` in decimal without `core::fmt` (the packet list prints several
/// numbers per frame).
#[inline]
pub fn write_dec<W: Sink + ?Sized>(w: &mut W, v: u64) -> fmt::Result {
    w.push_with(|room: &mut [u8; 20]| dec_into(room, v))
}

/// Writes ASCII into room lent by [`Sink::push_with`], front to back: a text
/// of many short parts checks its room once, not once a part. The room must
/// be sized for the longest text: what does not fit is left out.
#[derive(Debug)]
pub struct Cursor<'r> {
    room: &'r mut [u8],
    at: usize,
}

impl<'r> Cursor<'r> {
    #[inline(always)]
    pub fn new(room: &'r mut [u8]) -> Self {
        Cursor { room, at: 0 }
    }

    /// How many bytes were written.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.at
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.at == 0
    }

    #[inline(always)]
    pub fn put(&mut self, ascii: &[u8]) {
        if let Some(dst) = self.room.get_mut(self.at..self.at + ascii.len()) {
            dst.copy_from_slice(ascii);
            self.at += ascii.len();
        }
    }

    /// `v` in decimal (it needs 20 bytes of room to go in).
    #[inline(always)]
    pub fn dec(&mut self, v: u64) {
        if let Some(digits) = self
            .room
            .get_mut(self.at..)
            .and_then(|r| r.first_chunk_mut())
        {
            self.at += dec_into(digits, v);
        }
    }

    /// Lends the next `N` bytes of room to `fill`, which says how many it used.
    #[inline(always)]
    pub fn with<const N: usize>(&mut self, fill: impl FnOnce(&mut [u8; N]) -> usize) {
        if let Some(room) = self
            .room
            .get_mut(self.at..)
            .and_then(|r| r.first_chunk_mut())
        {
            self.at += fill(room).min(N);
        }
    }
}

/// Writes `v`'s digits at the start of `buf`, two at a time; returns how many.
#[inline]
pub fn dec_into(buf: &mut [u8; 20], v: u64) -> usize {
    match u32::try_from(v) {
        // Split by ten thousands: the halves' digits do not wait on each other.
        Ok(v) if v < 10_000 => small_into(buf, 0, v),
        Ok(v) if v < 100_000_000 => {
            let at = small_into(buf, 0, v / 10_000);
            four_into(buf, at, v % 10_000)
        }
        // Up to 4,294,967,295 (TCP timestamps and sequence numbers).
        Ok(v) => {
            let (high, low) = (v / 100_000_000, v % 100_000_000);
            let at = small_into(buf, 0, high);
            let at = four_into(buf, at, low / 10_000);
            four_into(buf, at, low % 10_000)
        }
        Err(_) => wide_into(buf, v),
    }
}

/// `v` (below 10,000) at `at`, without leading zeros; returns where it ends.
#[inline(always)]
fn small_into(buf: &mut [u8; 20], at: usize, v: u32) -> usize {
    if v < 10 {
        put_digit(buf, at, v);
        at + 1
    } else if v < 100 {
        put_pair(buf, at, v);
        at + 2
    } else if v < 1000 {
        put_digit(buf, at, v / 100);
        put_pair(buf, at + 1, v % 100);
        at + 3
    } else {
        four_into(buf, at, v)
    }
}

/// `v` (below 10,000) as four digits at `at`; returns where they end.
#[inline(always)]
fn four_into(buf: &mut [u8; 20], at: usize, v: u32) -> usize {
    put_pair(buf, at, v / 100);
    put_pair(buf, at + 2, v % 100);
    at + 4
}

/// Numbers past 32 bits, two digits a step.
fn wide_into(buf: &mut [u8; 20], v: u64) -> usize {
    let len = v.checked_ilog10().map_or(1, |l| l as usize + 1);
    let (mut at, mut n) = (len, v);
    while at >= 2 {
        at -= 2;
        put_pair(buf, at, (n % 100) as u32);
        n /= 100;
    }
    if at == 1 {
        put_digit(buf, 0, n as u32);
    }
    len
}

#[inline(always)]
fn put_pair(buf: &mut [u8; 20], at: usize, pair: u32) {
    if let Some(dst) = buf.get_mut(at..).and_then(|b| b.first_chunk_mut::<2>()) {
        *dst = two_digits(pair);
    }
}

/// The two digits of `v` (taken modulo 100), zero-padded.
#[inline(always)]
pub fn two_digits(v: u32) -> [u8; 2] {
    let i = (v % 100) as usize * 2;
    match PAIRS.get(i..i + 2) {
        Some(&[a, b]) => [a, b],
        _ => [b'0'; 2],
    }
}

#[inline(always)]
fn put_digit(buf: &mut [u8; 20], at: usize, digit: u32) {
    if let Some(slot) = buf.get_mut(at) {
        *slot = b'0' + (digit % 10) as u8;
    }
}

/// Writes `v` as `digits` lowercase hex digits (more if `v` needs them), no prefix.
#[inline]
pub fn write_hex<W: Sink + ?Sized>(w: &mut W, v: u64, digits: usize) -> fmt::Result {
    let needed = (64 - v.leading_zeros() as usize)
        .div_ceil(4)
        .max(digits)
        .min(16);
    w.push_with(|room: &mut [u8; 16]| {
        for (i, slot) in room.iter_mut().take(needed).enumerate() {
            let shift = (needed - 1 - i) * 4;
            *slot = hex_digit((v >> shift) as u8 & 0xf);
        }
        needed
    })
}

/// Each octet's digits followed by a dot (then spaces), and how many bytes
/// that is (a dot after the last octet is then dropped).
// Built at compile time: an index out of range would fail the build, not a run.
#[allow(clippy::indexing_slicing)]
const DOTTED: [([u8; 4], u8); 256] = {
    let mut table = [([0u8; 4], 0u8); 256];
    let mut i = 0;
    while i < 256 {
        let o = i as u8;
        table[i] = if o >= 100 {
            (
                [b'0' + o / 100, b'0' + (o / 10) % 10, b'0' + o % 10, b'.'],
                4,
            )
        } else if o >= 10 {
            ([b'0' + o / 10, b'0' + o % 10, b'.', b' '], 3)
        } else {
            ([b'0' + o, b'.', b' ', b' '], 2)
        };
        i += 1;
    }
    table
};

/// Writes an IPv4 address in dotted decimal.
#[inline]
pub fn write_ipv4<W: Sink + ?Sized>(w: &mut W, addr: core::net::Ipv4Addr) -> fmt::Result {
    w.push_with(|room: &mut [u8; 16]| ipv4_into(room, addr.octets()))
}

/// An IPv4 address in dotted decimal: its first `len` bytes of sixteen, the
/// rest spaces (to pad a column with).
#[inline]
pub fn ipv4_text(addr: core::net::Ipv4Addr) -> ([u8; 16], usize) {
    let mut text = [b' '; 16];
    let len = ipv4_into(&mut text, addr.octets());
    // The last octet's dot is left behind the text.
    if let Some(dot) = text.get_mut(len) {
        *dot = b' ';
    }
    (text, len)
}

/// Writes `octets` dotted at the start of `buf` (15 bytes at most); returns how many.
#[inline]
fn ipv4_into(buf: &mut [u8; 16], octets: [u8; 4]) -> usize {
    let mut len = 0;
    for octet in octets {
        // Four bytes go in whatever the octet's length; the length then
        // keeps the right ones (12 at most before the last: it fits).
        let (text, n) = DOTTED.get(usize::from(octet)).copied().unwrap_or_default();
        if let Some(dst) = buf.get_mut(len..).and_then(|d| d.first_chunk_mut::<4>()) {
            *dst = text;
        }
        len += usize::from(n);
    }
    // No dot after the last octet.
    len - 1
}

/// Writes a MAC address as `aa:bb:cc:dd:ee:ff`.
#[inline]
pub fn write_mac<W: Sink + ?Sized>(w: &mut W, mac: [u8; 6]) -> fmt::Result {
    w.push_with(|room: &mut [u8; 17]| {
        // Two octets at a time: "aa:bb" and the colon after it.
        for (pair, five) in mac.chunks_exact(2).zip(room.chunks_mut(6)) {
            if let ([hi, lo], [a, b, colon, c, d, ..]) = (pair, &mut *five) {
                let [w, x, y, z] = hex4(u16::from_be_bytes([*hi, *lo])).to_be_bytes();
                (*a, *b, *colon, *c, *d) = (w, x, b':', y, z);
            }
            if let Some(colon) = five.get_mut(5) {
                *colon = b':';
            }
        }
        17
    })
}

/// Writes an IPv6 address as `core::net::Ipv6Addr` displays it (RFC 5952: the
/// longest run of two or more zero groups, the first of equals, becomes `::`;
/// IPv4-mapped addresses end in dotted decimal).
pub fn write_ipv6<W: Sink + ?Sized>(w: &mut W, addr: core::net::Ipv6Addr) -> fmt::Result {
    // 39 chars at most, and room for a whole group's four digits at the end.
    w.push_with(|room: &mut [u8; 44]| ipv6_into(room, addr))
}

/// The text of the last few IPv6 addresses written. A packet list writes the
/// same few addresses over and over (a conversation's two ends), and an IPv6
/// address takes a few hundred instructions to write but a few dozen to find
/// and copy.
#[derive(Debug, Clone)]
pub struct RecentIpv6 {
    entries: [RecentEntry; RECENT],
    /// The slot the next new address takes (oldest first).
    next: usize,
    #[cfg(test)]
    hits: u32,
}

const RECENT: usize = 4;

#[derive(Debug, Clone, Copy)]
struct RecentEntry {
    addr: u128,
    text: [u8; 40],
    /// 0: an empty slot (every address has some text).
    len: u8,
}

impl RecentEntry {
    const EMPTY: RecentEntry = RecentEntry {
        addr: 0,
        text: [0; 40],
        len: 0,
    };
}

impl Default for RecentIpv6 {
    fn default() -> Self {
        Self::new()
    }
}

impl RecentIpv6 {
    pub const fn new() -> Self {
        RecentIpv6 {
            entries: [RecentEntry::EMPTY; RECENT],
            next: 0,
            #[cfg(test)]
            hits: 0,
        }
    }

    /// Writes `addr` into `w` (the same text as [`write_ipv6`]).
    #[inline]
    pub fn write<W: Sink + ?Sized>(&mut self, w: &mut W, addr: core::net::Ipv6Addr) -> fmt::Result {
        let (text, len) = self.text_of(addr);
        w.push_with(|room: &mut [u8; 40]| {
            *room = text;
            len
        })
    }

    /// The text of `addr`: its first `len` bytes of forty.
    #[inline]
    pub fn text_of(&mut self, addr: core::net::Ipv6Addr) -> ([u8; 40], usize) {
        let key = addr.to_bits();
        let found = self.entries.iter().find(|e| e.len != 0 && e.addr == key);
        let entry = match found {
            Some(e) => {
                #[cfg(test)]
                {
                    self.hits += 1;
                }
                *e
            }
            None => self.remember(key, addr),
        };
        (entry.text, usize::from(entry.len))
    }

    #[cold]
    fn remember(&mut self, key: u128, addr: core::net::Ipv6Addr) -> RecentEntry {
        let mut buf = [0u8; 44];
        let len = ipv6_into(&mut buf, addr);
        let mut entry = RecentEntry {
            addr: key,
            len: len as u8,
            ..RecentEntry::EMPTY
        };
        if let Some(text) = buf.first_chunk::<40>() {
            entry.text = *text;
        }
        if let Some(slot) = self.entries.get_mut(self.next % RECENT) {
            *slot = entry;
        }
        self.next = self.next.wrapping_add(1);
        entry
    }
}

fn ipv6_into(buf: &mut [u8; 44], addr: core::net::Ipv6Addr) -> usize {
    if let Some(v4) = addr.to_ipv4_mapped() {
        const PREFIX: &[u8; 7] = b"::ffff:";
        let mut tail = [0u8; 16];
        let n = ipv4_into(&mut tail, v4.octets());
        if let Some(dst) = buf.get_mut(..PREFIX.len()) {
            dst.copy_from_slice(PREFIX);
        }
        if let (Some(dst), Some(src)) = (buf.get_mut(PREFIX.len()..PREFIX.len() + n), tail.get(..n))
        {
            dst.copy_from_slice(src);
        }
        return PREFIX.len() + n;
    }
    let groups = addr.segments();
    let (run_at, run_len) = longest_zero_run(&groups);
    let mut len = 0;
    let mut i = 0;
    while let Some(g) = groups.get(i) {
        if i == run_at && run_len > 0 {
            // The run prints as "::": both colons at the start, one after a
            // group (which wrote its own); the groups after it write theirs.
            if i == 0 {
                put(buf, &mut len, b':');
            }
            put(buf, &mut len, b':');
            i += run_len;
            continue;
        }
        // Four digits go in, leading zeros shifted out to the end; the
        // group's length keeps the ones before them.
        let digits = ((19 - g.leading_zeros()) / 4).max(1) as usize;
        let four = hex4(*g) << ((4 - digits) * 8);
        if let Some(dst) = buf.get_mut(len..len + 4) {
            dst.copy_from_slice(&four.to_be_bytes());
        }
        len += digits;
        if i + 1 < groups.len() {
            put(buf, &mut len, b':');
        }
        i += 1;
    }
    len.min(39)
}

/// Where the longest run of two or more zero groups starts (the first of
/// equals) and how long it is; a length of 0 when there is none.
#[inline]
fn longest_zero_run(groups: &[u16; 8]) -> (usize, usize) {
    // Bit i: group i is zero. Each `&` with the mask shifted one further
    // keeps the bits where a run at least one longer starts.
    let zeros = groups
        .iter()
        .enumerate()
        .fold(0u32, |m, (i, g)| m | u32::from(*g == 0) << i);
    let (mut starts, mut len) = (zeros, 0);
    while starts != 0 {
        len += 1;
        let longer = starts & (zeros >> len);
        if longer == 0 {
            break;
        }
        starts = longer;
    }
    if len < 2 {
        return (0, 0);
    }
    (starts.trailing_zeros() as usize, len)
}

/// The four lowercase hex digits of `g`, most significant first, as the
/// bytes of a big-endian `u32` (all four at once: no table, no branch).
#[inline]
fn hex4(g: u16) -> u32 {
    // One nibble a byte: 0xabcd -> 0x0a0b0c0d.
    let x = u32::from(g);
    let x = (x | x << 8) & 0x00ff_00ff;
    let x = (x | x << 4) & 0x0f0f_0f0f;
    // '0' + nibble, and 39 more ('a' - '0' - 10) where the nibble is 10 or more.
    let letters = ((x + 0x0606_0606) >> 4) & 0x0101_0101;
    x + 0x3030_3030 + letters * 0x27
}

#[inline]
fn put(buf: &mut [u8], len: &mut usize, b: u8) {
    if let Some(slot) = buf.get_mut(*len) {
        *slot = b;
    }
    *len += 1;
}

#[inline]
fn hex_digit(nibble: u8) -> u8 {
    HEX.get(usize::from(nibble & 0xf)).copied().unwrap_or(b'0')
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

    /// Every digit count and every octet, against the standard library.
    #[test]
    fn test_digits_as_std_writes_them() {
        extern crate std;
        use std::format;
        let mut p = 1u64;
        let mut values = std::vec![0, u64::MAX, u32::MAX.into(), u64::from(u32::MAX) + 1];
        for _ in 0..19 {
            values.extend([p - 1, p, p + 1, p * 7 + 3]);
            p *= 10;
        }
        for v in values {
            let mut b = TextBuf::<64>::new();
            write_dec(&mut b, v).unwrap();
            b.write_char(' ').unwrap();
            write_hex(&mut b, v, 4).unwrap();
            assert_eq!(b.as_str(), format!("{v} {v:04x}"));
        }
        for o in 0..=255u8 {
            // Every octet value in every place, the last included.
            for addr in [
                core::net::Ipv4Addr::new(o, 255 - o, o / 3, 7),
                core::net::Ipv4Addr::new(7, o / 3, 255 - o, o),
            ] {
                let mut b = TextBuf::<64>::new();
                write_ipv4(&mut b, addr).unwrap();
                assert_eq!(b.as_str(), format!("{addr}"));
                // The padded form: the same text, then only spaces.
                let (text, len) = ipv4_text(addr);
                assert_eq!(text.get(..len), Some(b.as_str().as_bytes()));
                assert!(text.iter().skip(len).all(|b| *b == b' '), "{addr}");
            }
        }
    }

    /// A writer with no room left keeps what fits, and says it was cut.
    #[test]
    fn test_chunks_into_a_full_buffer() {
        let mut b = TextBuf::<12>::new();
        write_ipv4(&mut b, core::net::Ipv4Addr::new(192, 0, 2, 10)).unwrap();
        assert_eq!(b.as_str(), "192.0.2.10");
        write_dec(&mut b, 12345).unwrap();
        assert_eq!(b.as_str(), "192.0.2.1012");
        assert!(b.overflowed());
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
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15_u64);
        for n in 0..200_000u32 {
            let seed = next();
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

    #[test]
    fn recent_ipv6_text_is_the_written_text() {
        extern crate std;
        use std::string::ToString;
        let mut recent = RecentIpv6::new();
        let addrs: [core::net::Ipv6Addr; 6] = [
            "2001:db8::1".parse().unwrap(),
            "2001:db8::2".parse().unwrap(),
            "::".parse().unwrap(),
            "fe80::1:2:3:4".parse().unwrap(),
            "::ffff:192.0.2.1".parse().unwrap(),
            "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff".parse().unwrap(),
        ];
        // Two, then all six (more than it keeps), in turns.
        let order = [0, 1, 0, 1, 1, 0, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 5, 5, 0];
        for i in order {
            let mut b = TextBuf::<64>::new();
            recent.write(&mut b, addrs[i]).unwrap();
            assert_eq!(b.as_str(), addrs[i].to_string());
        }
        // Four kept, the oldest replaced: 0 1 miss, 0 1 1 0 hit, then six
        // addresses round four slots miss every time until 5 5 hit.
        assert_eq!(recent.hits, 6);
        // And through a sink that routes addresses to it.
        struct Routed<'r>(TextBuf<64>, &'r mut RecentIpv6);
        impl Write for Routed<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0.write_str(s)
            }
        }
        impl Sink for Routed<'_> {
            fn push_ipv6(&mut self, addr: core::net::Ipv6Addr) -> fmt::Result {
                self.1.write(&mut self.0, addr)
            }
        }
        let before = recent.hits;
        let mut routed = Routed(TextBuf::new(), &mut recent);
        // Through `&mut`, as the writers take their sink.
        fn via<S: Sink>(mut sink: S, addr: core::net::Ipv6Addr) -> fmt::Result {
            sink.push_ipv6(addr)
        }
        via(&mut routed, addrs[5]).unwrap();
        assert_eq!(routed.0.as_str(), "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff");
        assert_eq!(recent.hits, before + 1);
    }
}
