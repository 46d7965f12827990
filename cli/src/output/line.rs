//! The one-line packet-list row, laid out as tshark prints it.

use std::fmt::Write as _;

use encap_core::Dissection;
use encap_core::field::Computed;

/// Appends "  No.  Time  Source → Destination Protocol Length Info" for `d`.
/// `rel_time` is seconds since the first frame.
pub fn format_line(out: &mut String, d: &Dissection<'_>, rel_time: f64) {
    let mut src = String::new();
    let mut dst = String::new();
    let _ = d.write_computed(Computed::ColSource, &mut src);
    let _ = d.write_computed(Computed::ColDestination, &mut dst);
    let _ = write!(
        out,
        "{:>5} {:>10.6} {:>12} \u{2192} {:<12} ",
        d.frame().number,
        rel_time,
        src,
        dst
    );
    let _ = d.write_computed(Computed::ColProtocol, out);
    let _ = write!(out, " {} ", d.frame().orig_len);
    let _ = d.write_computed(Computed::ColInfo, out);
}
