//! Wireshark's colours on a terminal: each line with its rule's background and
//! foreground in 24-bit ANSI colour.

use std::fmt::Write as _;
use std::sync::OnceLock;

use encap_core::Dissection;
use encap_core::colour::{Colouring, Rule};
use encap_fields::Text;

/// The default rules, compiled once per process.
pub fn rules() -> &'static Colouring {
    static RULES: OnceLock<Box<Colouring>> = OnceLock::new();
    RULES.get_or_init(|| match Colouring::new() {
        Ok(c) => Box::new(c),
        // The rules are a fixed table checked by a test; this is unreachable.
        Err((name, e)) => unreachable!("default colouring rule {name:?} does not compile: {e}"),
    })
}

/// The rule for `d`, if any.
pub fn rule_for(d: &Dissection<'_>) -> Option<&'static Rule> {
    rules().classify(d)
}

/// Wraps `line` (no newline) in the rule's colours.
pub fn paint(out: &mut Text, rule: &Rule, line: &Text) {
    paint_rgb(
        out,
        rule.foreground.to_rgb8(),
        rule.background.to_rgb8(),
        line,
    );
}

/// Wraps `line` in 24-bit foreground and background colours.
pub fn paint_rgb(
    out: &mut Text,
    (fr, fg, fb): (u8, u8, u8),
    (br, bg, bb): (u8, u8, u8),
    line: &Text,
) {
    let _ = write!(out, "\x1b[38;2;{fr};{fg};{fb}m\x1b[48;2;{br};{bg};{bb}m");
    out.push_text(line);
    out.push_str("\x1b[0m");
}
