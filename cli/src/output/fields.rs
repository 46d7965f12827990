//! `-T fields`: the values of chosen fields, tab-separated, as tshark prints them.

use std::io::{self, Write};

use encap_core::Dissection;
use encap_core::field::render_value;
use encap_core::filter::FastFrame;
use encap_fields::Text;
pub use encap_fields::{Collector, resolve};

/// Which occurrences of a field to print (`-E occurrence=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurrence {
    All,
    First,
    Last,
    /// 1-based.
    Nth(usize),
}

/// `-E` options.
#[derive(Debug, Clone)]
pub struct FieldsOptions {
    pub header: bool,
    pub separator: String,
    pub occurrence: Occurrence,
    pub aggregator: String,
    pub quote: Option<char>,
}

impl Default for FieldsOptions {
    fn default() -> Self {
        FieldsOptions {
            header: false,
            separator: "\t".into(),
            occurrence: Occurrence::All,
            aggregator: ",".into(),
            quote: None,
        }
    }
}

impl FieldsOptions {
    /// Applies one `-E key=value`; the error says what is wrong.
    pub fn set(&mut self, spec: &str) -> Result<(), String> {
        let (key, value) = spec
            .split_once('=')
            .ok_or_else(|| format!("-E {spec:?}: expected key=value, e.g. -E header=y"))?;
        match key {
            "header" => self.header = yes_no(key, value)?,
            "separator" => {
                self.separator = match value {
                    "/t" => "\t".into(),
                    "/s" => " ".into(),
                    v => v.into(),
                }
            }
            "aggregator" => {
                self.aggregator = match value {
                    "/s" => " ".into(),
                    v => v.into(),
                }
            }
            "occurrence" => {
                self.occurrence = match value {
                    "a" => Occurrence::All,
                    "f" => Occurrence::First,
                    "l" => Occurrence::Last,
                    n => match n.parse::<usize>() {
                        Ok(n) if n > 0 => Occurrence::Nth(n),
                        _ => {
                            return Err(format!(
                                "-E occurrence={n}: expected a, f, l or a number from 1"
                            ));
                        }
                    },
                }
            }
            "quote" => {
                self.quote = match value {
                    "d" => Some('"'),
                    "s" => Some('\''),
                    "n" => None,
                    v => return Err(format!("-E quote={v}: expected d, s or n")),
                }
            }
            _ => {
                return Err(format!(
                    "-E {key}: unknown option (header, separator, occurrence, aggregator, quote)"
                ));
            }
        }
        Ok(())
    }
}

fn yes_no(key: &str, v: &str) -> Result<bool, String> {
    match v {
        "y" | "yes" | "1" | "true" => Ok(true),
        "n" | "no" | "0" | "false" => Ok(false),
        _ => Err(format!("-E {key}={v}: expected y or n")),
    }
}

/// Where a line's values come from: a local dissection, or the service.
pub trait Values {
    fn field_count(&self) -> usize;
    fn values(&self, i: usize) -> &[String];
}

impl Values for Collector {
    fn field_count(&self) -> usize {
        self.defs().len()
    }

    fn values(&self, i: usize) -> &[String] {
        Collector::values(self, i)
    }
}

/// Appends the values of field `i` joined as `-E occurrence/aggregator` ask.
pub fn write_joined(c: &impl Values, i: usize, opts: &FieldsOptions, out: &mut Text) {
    let vals = c.values(i);
    let one = |n: usize| vals.get(n).map(String::as_str);
    let pick = match opts.occurrence {
        Occurrence::All => None,
        Occurrence::First => Some(one(0)),
        Occurrence::Last => Some(vals.last().map(String::as_str)),
        Occurrence::Nth(n) => Some(one(n - 1)),
    };
    match pick {
        Some(v) => out.push_str(v.unwrap_or("")),
        None => {
            for (k, v) in vals.iter().enumerate() {
                if k > 0 {
                    out.push_str(&opts.aggregator);
                }
                out.push_str(v);
            }
        }
    }
}

/// Prints one `-T fields` line (`line` is scratch space kept by the caller).
pub fn write_line(
    out: &mut impl Write,
    c: &impl Values,
    opts: &FieldsOptions,
    line: &mut Text,
) -> io::Result<()> {
    line.clear();
    format_line(c, opts, line);
    out.write_all(line.as_bytes())
}

/// Appends one `-T fields` line, newline included, to `line`.
pub fn format_line(c: &impl Values, opts: &FieldsOptions, line: &mut Text) {
    for i in 0..c.field_count() {
        if i > 0 {
            line.push_str(&opts.separator);
        }
        if let Some(q) = opts.quote {
            line.push(q);
        }
        write_joined(c, i, opts, line);
        if let Some(q) = opts.quote {
            line.push(q);
        }
    }
    line.push('\n');
}

/// Appends `d`'s `-T fields` line, newline included: straight from the views
/// when every field has a fast path that can read this frame, through the
/// collector otherwise.
pub fn format_frame(c: &mut Collector, d: &Dissection<'_>, opts: &FieldsOptions, line: &mut Text) {
    if !format_fast(c, d, opts, line) {
        c.collect(d);
        format_line(c, opts, line);
    }
}

/// The line without the collector's per-value strings; false (nothing
/// written) when a field has no fast path or cannot use it in this frame.
pub fn format_fast(
    c: &Collector,
    d: &Dissection<'_>,
    opts: &FieldsOptions,
    line: &mut Text,
) -> bool {
    let Some(fast) = c.all_fast() else {
        return false;
    };
    let frame = FastFrame::of(d);
    if !fast.iter().all(|f| frame.readable(*f)) {
        return false;
    }
    for (i, (field, def)) in fast.iter().zip(c.defs()).enumerate() {
        if i > 0 {
            line.push_str(&opts.separator);
        }
        if let Some(q) = opts.quote {
            line.push(q);
        }
        let start = line.len();
        let mut nth = 0;
        frame.values(*field, &mut |value| {
            nth += 1;
            let wanted = match opts.occurrence {
                Occurrence::All => {
                    if nth > 1 {
                        line.push_str(&opts.aggregator);
                    }
                    true
                }
                Occurrence::First => nth == 1,
                Occurrence::Nth(n) => nth == n,
                Occurrence::Last => {
                    line.truncate(start);
                    true
                }
            };
            if wanted {
                let _ = render_value(def, value, d, line);
            }
        });
        if let Some(q) = opts.quote {
            line.push(q);
        }
    }
    line.push('\n');
    true
}

/// Prints the `-E header=y` line.
pub fn write_header(out: &mut impl Write, names: &[&str], opts: &FieldsOptions) -> io::Result<()> {
    writeln!(out, "{}", names.join(&opts.separator))
}
