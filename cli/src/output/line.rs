//! The one-line packet-list row, laid out as tshark prints it.

use std::net::Ipv4Addr;

use encap_core::Dissection;
use encap_core::summary::Row;
use encap_core::text::{Cursor, Sink, dec_into, ipv4_text, two_digits, write_dec};
use encap_fields::Text;

/// Writes packet-list rows. Frames come numbered one after another, so the
/// number column counts the last number's digits up instead of writing
/// each number anew.
#[derive(Debug, Default)]
pub struct Rows {
    /// The number written last, and its digits.
    last: Option<u64>,
    digits: [u8; 20],
    len: usize,
}

impl Rows {
    /// Appends "  No.  Time  Source → Destination Protocol Length Info" for `d`,
    /// straight into `out`; `rel_nanos` is the time since the first frame.
    pub fn format(&mut self, out: &mut Text, d: &Dissection<'_>, rel_nanos: i64) {
        let frame = d.frame();
        let row = Row::of(d);
        self.count(frame.number.into());
        let (digits, len) = (self.digits, self.len);
        // Number and time, each followed by a space, in one room.
        let _ = out.push_with(|room: &mut [u8; 80]| {
            let mut c = Cursor::new(room);
            c.with(|r| digits_into(r, digits, len));
            c.put(b" ");
            c.with(|r| time_into(r, rel_nanos));
            c.put(b" ");
            c.len()
        });
        match row.ipv4_addresses() {
            Some((src, dst)) => push_ipv4_pair(out, src, dst),
            None => push_address_pair(out, &row),
        }
        let _ = row.write_protocol(out);
        let _ = out.push_with(|room: &mut [u8; 32]| {
            let mut c = Cursor::new(room);
            c.put(b" ");
            c.dec(frame.orig_len.into());
            c.put(b" ");
            c.len()
        });
        let _ = row.write_info(out);
    }

    /// Makes `number` the digits kept: the last ones counted up when it
    /// follows them, else written anew.
    fn count(&mut self, number: u64) {
        if self.last.and_then(|l| l.checked_add(1)) != Some(number) || !self.count_up() {
            self.len = dec_into(&mut self.digits, number);
        }
        self.last = Some(number);
    }

    /// Adds one to the digits; false when that needs one more digit (9 → 10).
    fn count_up(&mut self) -> bool {
        let digits = self.digits.get_mut(..self.len).unwrap_or_default();
        for digit in digits.iter_mut().rev() {
            if *digit == b'9' {
                *digit = b'0';
            } else {
                *digit += 1;
                return true;
            }
        }
        false
    }
}

/// "Source → Destination " for an IPv4 pair (most rows): the source
/// right-aligned in twelve columns and the destination padded to twelve,
/// then the space before the protocol, each in one store.
fn push_ipv4_pair(out: &mut Text, src: Ipv4Addr, dst: Ipv4Addr) {
    let (src, src_len) = ipv4_text(src);
    let _ = out.push_with(|room: &mut [u8; 32]| {
        let pad = 12usize.saturating_sub(src_len);
        if let Some(spaces) = room.first_chunk_mut::<16>() {
            *spaces = [b' '; 16];
        }
        if let Some(text) = room.get_mut(pad..).and_then(|r| r.first_chunk_mut::<16>()) {
            *text = src;
        }
        pad + src_len
    });
    out.push_str(" \u{2192} ");
    // The text comes padded with spaces to sixteen bytes.
    let (dst, dst_len) = ipv4_text(dst);
    let _ = out.push_with(|room: &mut [u8; 32]| {
        if let Some(spaces) = room.get_mut(16..).and_then(|r| r.first_chunk_mut::<16>()) {
            *spaces = [b' '; 16];
        }
        if let Some(text) = room.first_chunk_mut::<16>() {
            *text = dst;
        }
        dst_len.max(12) + 1
    });
}

/// [`push_ipv4_pair`] for any other row (IPv6, link addresses): the source
/// written first, then the spaces go before it. Addresses are ASCII (IP and
/// MAC text): a byte is a column.
fn push_address_pair(out: &mut Text, row: &Row<'_, '_>) {
    let src = out.len();
    let _ = row.write_source(out);
    let columns = out.len() - src;
    if columns < 12 {
        out.insert_spaces(src, 12 - columns);
    }
    out.push_str(" \u{2192} ");
    let dst = out.len();
    let _ = row.write_destination(out);
    out.push_spaces(12usize.saturating_sub(out.len() - dst) + 1);
}

/// The same row from the columns a service sent (`encap watch`).
#[allow(clippy::too_many_arguments)]
pub fn format_columns(
    out: &mut Text,
    number: u64,
    rel_nanos: i64,
    src: &str,
    dst: &str,
    protocol: &str,
    length: u32,
    info: &str,
) {
    push_number(out, number);
    out.push(' ');
    push_time(out, rel_nanos);
    out.push(' ');
    out.push_spaces(12usize.saturating_sub(width(src)));
    out.push_str(src);
    out.push_str(" \u{2192} ");
    out.push_str(dst);
    out.push_spaces(12usize.saturating_sub(width(dst)));
    out.push(' ');
    out.push_str(protocol);
    out.push(' ');
    let _ = write_dec(out, length.into());
    out.push(' ');
    out.push_str(info);
}

/// A frame number right-aligned in five columns.
fn push_number(out: &mut Text, number: u64) {
    let mut digits = [0; 20];
    let len = dec_into(&mut digits, number);
    let _ = out.push_with(|room| digits_into(room, digits, len));
}

/// Writes the first `len` of `digits` right-aligned in five columns; returns
/// how many bytes.
fn digits_into(room: &mut [u8; 25], digits: [u8; 20], len: usize) -> usize {
    let pad = 5usize.saturating_sub(len);
    // Five spaces in one store; the digits then cover the ones not kept.
    if let Some(spaces) = room.first_chunk_mut::<5>() {
        *spaces = [b' '; 5];
    }
    match room.get_mut(pad..).and_then(|d| d.first_chunk_mut::<20>()) {
        Some(room) => {
            *room = digits;
            pad + len
        }
        None => 0,
    }
}

/// Columns on screen: one per char, as tshark counts them (addresses are ASCII).
fn width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// tshark's `%10.6f` of seconds, from integer nanoseconds (rounded to microseconds).
fn push_time(out: &mut Text, nanos: i64) {
    let _ = out.push_with(|room| time_into(room, nanos));
}

/// Writes [`push_time`]'s text into `room`; returns how many bytes.
fn time_into(room: &mut [u8; 48], nanos: i64) -> usize {
    let micros = (nanos.unsigned_abs() + 500) / 1000;
    let negative = nanos < 0 && micros != 0;
    let (secs, frac) = (micros / 1_000_000, micros % 1_000_000);
    // Most rows: under 1000 s after the first frame, ten bytes from digit pairs.
    if !negative && secs < 1000 {
        let (secs, frac) = (secs as u32, frac as u32);
        let [s0, s1] = two_digits(secs / 10);
        let [_, s3] = two_digits(secs);
        let [f0, f1] = two_digits(frac / 10_000);
        let [f2, f3] = two_digits(frac / 100);
        let [f4, f5] = two_digits(frac);
        // Leading zeros of the seconds (not the last) are spaces.
        let s0 = if secs < 100 { b' ' } else { s0 };
        let s1 = if secs < 10 { b' ' } else { s1 };
        if let Some(text) = room.first_chunk_mut::<10>() {
            *text = [s0, s1, s3, b'.', f0, f1, f2, f3, f4, f5];
        }
        return 10;
    }
    let secs_len = secs.checked_ilog10().map_or(1, |l| l as usize + 1);
    // Right-aligned in three columns before the point, the sign included.
    let pad = 3usize.saturating_sub(secs_len + usize::from(negative));
    if let Some(spaces) = room.first_chunk_mut::<4>() {
        *spaces = [b' '; 4];
    }
    let (head, tail) = room.split_at_mut(pad + usize::from(negative));
    if negative && let Some(sign) = head.last_mut() {
        *sign = b'-';
    }
    let Some(digits) = tail.first_chunk_mut::<20>() else {
        return 0;
    };
    let at = dec_into(digits, secs);
    // Six digits, zero-padded: 1,000,000 + frac has seven, the first a 1,
    // which the point then covers.
    let Some(frac_digits) = tail.get_mut(at..).and_then(|t| t.first_chunk_mut::<20>()) else {
        return 0;
    };
    dec_into(frac_digits, 1_000_000 + frac);
    frac_digits[0] = b'.';
    pad + usize::from(negative) + at + 7
}

#[cfg(test)]
mod tests {
    use encap_core::text::Sink;
    use encap_fields::Text;
    #[test]
    fn time_column() {
        let mut s = Text::new();
        super::push_time(&mut s, 0);
        assert_eq!(s.as_str(), "  0.000000");
        s.clear();
        super::push_time(&mut s, 1_282_935_400);
        assert_eq!(s.as_str(), "  1.282935");
        s.clear();
        super::push_time(&mut s, -55_237_000);
        assert_eq!(s.as_str(), " -0.055237");
        s.clear();
        super::push_time(&mut s, 1_234_000_000_000);
        assert_eq!(s.as_str(), "1234.000000");
        for (nanos, want) in [
            (1_000, "  0.000001"),
            (9_999_000, "  0.009999"),
            (10_000_000, "  0.010000"),
            (999_999_000, "  0.999999"),
            (999_999_600, "  1.000000"),
            (12_345_678_000, " 12.345678"),
            (-10_000_000_000, "-10.000000"),
            (5_000_001_000, "  5.000001"),
            (99_999_999_000, " 99.999999"),
            (100_000_000_000, "100.000000"),
            (999_999_999_400, "999.999999"),
            (999_999_999_500, "1000.000000"),
        ] {
            s.clear();
            super::push_time(&mut s, nanos);
            assert_eq!(s.as_str(), want, "{nanos} ns");
        }
    }

    /// Every second up to 1000 and a spread of fractions, as `%10.6f` writes them.
    #[test]
    fn time_column_under_1000_seconds() {
        let mut s = Text::new();
        for secs in 0..1001u64 {
            for frac in [0, 1, 9, 10, 99_999, 100_000, 123_456, 999_999] {
                s.clear();
                super::push_time(&mut s, (secs * 1_000_000 + frac) as i64 * 1000);
                assert_eq!(s.as_str(), format!("{secs:>3}.{frac:06}"));
            }
        }
    }

    #[test]
    fn number_column() {
        for (n, want) in [
            (1, "    1"),
            (42, "   42"),
            (99_999, "99999"),
            (123_456, "123456"),
        ] {
            let mut s = Text::new();
            super::push_number(&mut s, n);
            assert_eq!(s.as_str(), want);
        }
    }

    /// Counted up from the last number, or written anew after a jump: the
    /// same text as written from scratch.
    #[test]
    fn numbers_counted_up_are_the_numbers() {
        let mut rows = super::Rows::default();
        let runs = [1..=12, 95..=101, 990..=1001, 99_990..=100_010, 7..=9];
        for n in runs
            .into_iter()
            .flatten()
            .chain([u64::MAX - 1, u64::MAX, 0, 1])
        {
            let (mut counted, mut written) = (Text::new(), Text::new());
            rows.count(n);
            let _ = counted.push_with(|room| super::digits_into(room, rows.digits, rows.len));
            super::push_number(&mut written, n);
            assert_eq!(counted.as_str(), written.as_str(), "{n}");
            assert_eq!(counted.as_str().trim_start(), n.to_string());
        }
    }
}
