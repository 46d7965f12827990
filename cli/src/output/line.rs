//! The one-line packet-list row, laid out as tshark prints it.

use encap_core::Dissection;
use encap_core::field::Computed;
use encap_core::text::{TextBuf, write_dec};

/// Formats rows, keeping its scratch buffers between frames.
#[derive(Debug, Default)]
pub struct LineFormatter {
    src: String,
    dst: String,
    protocol: String,
    info: String,
}

impl LineFormatter {
    /// Appends "  No.  Time  Source → Destination Protocol Length Info" for `d`;
    /// `rel_nanos` is the time since the first frame.
    pub fn format(&mut self, out: &mut String, d: &Dissection<'_>, rel_nanos: i64) {
        for (c, s) in [
            (Computed::ColSource, &mut self.src),
            (Computed::ColDestination, &mut self.dst),
            (Computed::ColProtocol, &mut self.protocol),
            (Computed::ColInfo, &mut self.info),
        ] {
            s.clear();
            let _ = d.write_computed(c, s);
        }
        let frame = d.frame();
        format_columns(
            out,
            frame.number.into(),
            rel_nanos,
            &self.src,
            &self.dst,
            &self.protocol,
            frame.orig_len,
            &self.info,
        );
    }
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
    let mut n = TextBuf::<20>::new();
    let _ = write_dec(&mut n, number);
    pad(out, 5usize.saturating_sub(n.len()));
    out.push_str(n.as_str());
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
    let mut int_part = TextBuf::<20>::new();
    let _ = write_dec(&mut int_part, micros / 1_000_000);
    pad(
        out,
        3usize.saturating_sub(int_part.len() + usize::from(negative)),
    );
    if negative {
        out.push('-');
    }
    out.push_str(int_part.as_str());
    out.push('.');
    // Six digits, zero-padded: a million added makes the leading 1 a placeholder.
    let mut frac = TextBuf::<20>::new();
    let _ = write_dec(&mut frac, 1_000_000 + micros % 1_000_000);
    out.push_str(frac.as_str().get(1..).unwrap_or(""));
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
    }
}
