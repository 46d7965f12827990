//! The one-line packet-list row, laid out as tshark prints it.

use std::fmt::Write as _;

use encap_core::Dissection;
use encap_core::field::Computed;

/// Formats rows, keeping its scratch buffers between frames.
#[derive(Debug, Default)]
pub struct LineFormatter {
    src: String,
    dst: String,
}

impl LineFormatter {
    /// Appends "  No.  Time  Source → Destination Protocol Length Info" for `d`;
    /// `rel_nanos` is the time since the first frame.
    pub fn format(&mut self, out: &mut String, d: &Dissection<'_>, rel_nanos: i128) {
        self.src.clear();
        self.dst.clear();
        let _ = d.write_computed(Computed::ColSource, &mut self.src);
        let _ = d.write_computed(Computed::ColDestination, &mut self.dst);
        let _ = write!(out, "{:>5} ", d.frame().number);
        push_time(out, rel_nanos);
        let _ = write!(out, " {:>12} \u{2192} {:<12} ", self.src, self.dst);
        let _ = d.write_computed(Computed::ColProtocol, out);
        let _ = write!(out, " {} ", d.frame().orig_len);
        let _ = d.write_computed(Computed::ColInfo, out);
    }
}

/// tshark's `%10.6f` of seconds, from integer nanoseconds (rounded to microseconds).
fn push_time(out: &mut String, nanos: i128) {
    let micros = (nanos.abs() + 500) / 1000;
    let sign = if nanos < 0 && micros != 0 { "-" } else { "" };
    let mut int_part = encap_core::text::TextBuf::<48>::new();
    let _ = write!(int_part, "{sign}{}", micros / 1_000_000);
    let _ = write!(out, "{:>3}.{:06}", int_part.as_str(), micros % 1_000_000);
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
