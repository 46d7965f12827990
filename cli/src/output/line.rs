//! The one-line packet-list row, laid out as tshark prints it.

use encap_core::Dissection;
use encap_core::field::Computed;
use encap_core::text::write_dec;

/// Appends "  No.  Time  Source → Destination Protocol Length Info" for `d`,
/// straight into `out`; `rel_nanos` is the time since the first frame.
pub fn format(out: &mut String, d: &Dissection<'_>, rel_nanos: i64) {
    let frame = d.frame();
    push_number(out, frame.number.into());
    out.push(' ');
    push_time(out, rel_nanos);
    out.push(' ');
    // The source is right-aligned: written first, then the spaces go before it.
    let src = out.len();
    let _ = d.write_computed(Computed::ColSource, out);
    let columns = width(out.get(src..).unwrap_or(""));
    if columns < 12 {
        const SPACES: &str = "            ";
        out.insert_str(src, SPACES.get(columns..).unwrap_or(""));
    }
    out.push_str(" \u{2192} ");
    let dst = out.len();
    let _ = d.write_computed(Computed::ColDestination, out);
    let columns = width(out.get(dst..).unwrap_or(""));
    pad(out, 12usize.saturating_sub(columns));
    out.push(' ');
    let _ = d.write_computed(Computed::ColProtocol, out);
    out.push(' ');
    let _ = write_dec(out, frame.orig_len.into());
    out.push(' ');
    let _ = d.write_computed(Computed::ColInfo, out);
}

/// The same row from the columns a service sent (`encap watch`).
#[allow(clippy::too_many_arguments)]
pub fn format_columns(
    out: &mut String,
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
    pad_left(out, src, 12);
    out.push_str(" \u{2192} ");
    out.push_str(dst);
    pad(out, 12usize.saturating_sub(width(dst)));
    out.push(' ');
    out.push_str(protocol);
    out.push(' ');
    let _ = write_dec(out, length.into());
    out.push(' ');
    out.push_str(info);
}

/// The frame number right-aligned in five columns.
fn push_number(out: &mut String, number: u64) {
    let digits = match number {
        0..10 => 1,
        10..100 => 2,
        100..1000 => 3,
        1000..10_000 => 4,
        _ => 5,
    };
    pad(out, 5 - digits);
    let _ = write_dec(out, number);
}

/// Columns on screen: one per char, as tshark counts them (addresses are ASCII).
fn width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

fn pad(out: &mut String, n: usize) {
    const SPACES: &str = "                ";
    let mut n = n;
    while n > 0 {
        let take = n.min(SPACES.len());
        out.push_str(SPACES.get(..take).unwrap_or(""));
        n -= take;
    }
}

/// Right-aligns `s` in `width` columns, as `%*s` does.
fn pad_left(out: &mut String, s: &str, columns: usize) {
    pad(out, columns.saturating_sub(width(s)));
    out.push_str(s);
}

/// tshark's `%10.6f` of seconds, from integer nanoseconds (rounded to microseconds).
fn push_time(out: &mut String, nanos: i64) {
    let micros = (nanos.unsigned_abs() + 500) / 1000;
    let negative = nanos < 0 && micros != 0;
    let secs = micros / 1_000_000;
    let digits = if secs < 10 {
        1
    } else if secs < 100 {
        2
    } else {
        3
    };
    pad(out, 3usize.saturating_sub(digits + usize::from(negative)));
    if negative {
        out.push('-');
    }
    let _ = write_dec(out, secs);
    out.push('.');
    // Six digits, zero-padded.
    let frac = micros % 1_000_000;
    let mut zeros = 5;
    let mut at = 10;
    while at <= frac && zeros > 0 {
        zeros -= 1;
        at *= 10;
    }
    pad_zeros(out, zeros);
    let _ = write_dec(out, frac);
}

fn pad_zeros(out: &mut String, n: usize) {
    out.push_str("00000".get(..n).unwrap_or(""));
}

#[cfg(test)]
mod tests {
    #[test]
    fn time_column() {
        let mut s = String::new();
        super::push_time(&mut s, 0);
        assert_eq!(s, "  0.000000");
        s.clear();
        super::push_time(&mut s, 1_282_935_400);
        assert_eq!(s, "  1.282935");
        s.clear();
        super::push_time(&mut s, -55_237_000);
        assert_eq!(s, " -0.055237");
        s.clear();
        super::push_time(&mut s, 1_234_000_000_000);
        assert_eq!(s, "1234.000000");
        for (nanos, want) in [
            (1_000, "  0.000001"),
            (9_999_000, "  0.009999"),
            (10_000_000, "  0.010000"),
            (999_999_000, "  0.999999"),
            (999_999_600, "  1.000000"),
            (12_345_678_000, " 12.345678"),
            (-10_000_000_000, "-10.000000"),
        ] {
            s.clear();
            super::push_time(&mut s, nanos);
            assert_eq!(s, want, "{nanos} ns");
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
            let mut s = String::new();
            super::push_number(&mut s, n);
            assert_eq!(s, want);
        }
    }
}
