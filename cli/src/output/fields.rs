//! `-T fields`: the values of chosen fields, tab-separated, as tshark prints them.

use std::fmt::Write as _;
use std::io::{self, Write};

use encap_core::Dissection;
use encap_core::field::{Field, FieldDef, Visitor, registry, render};

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

/// Resolves field names once; the error names the first unknown one.
pub fn resolve(names: &[String]) -> Result<Vec<&'static FieldDef>, String> {
    names
        .iter()
        .map(|n| {
            registry::lookup(n).ok_or_else(|| {
                format!("\"{n}\" is not a field encap knows (`encap fields` lists them)")
            })
        })
        .collect()
}

/// Collects every occurrence of the chosen fields in one frame.
#[derive(Debug)]
pub struct Collector {
    defs: Vec<&'static FieldDef>,
    values: Vec<Vec<String>>,
    scratch: String,
}

impl Collector {
    pub fn new(defs: Vec<&'static FieldDef>) -> Self {
        let values = defs.iter().map(|_| Vec::new()).collect();
        Collector {
            defs,
            values,
            scratch: String::new(),
        }
    }

    pub fn defs(&self) -> &[&'static FieldDef] {
        &self.defs
    }

    /// Fills the values for `d`.
    pub fn collect(&mut self, d: &Dissection<'_>) {
        for v in &mut self.values {
            v.clear();
        }
        let mut sink = Sink { c: self, d };
        d.visit(&mut sink);
    }

    /// The values of field `i` joined as `-E occurrence/aggregator` ask.
    pub fn joined(&self, i: usize, opts: &FieldsOptions) -> String {
        let Some(vals) = self.values.get(i) else {
            return String::new();
        };
        let picked: Vec<&str> = match opts.occurrence {
            Occurrence::All => vals.iter().map(String::as_str).collect(),
            Occurrence::First => vals.first().map(String::as_str).into_iter().collect(),
            Occurrence::Last => vals.last().map(String::as_str).into_iter().collect(),
            Occurrence::Nth(n) => vals.get(n - 1).map(String::as_str).into_iter().collect(),
        };
        picked.join(&opts.aggregator)
    }

    /// Every value of field `i`.
    pub fn values(&self, i: usize) -> &[String] {
        self.values.get(i).map(Vec::as_slice).unwrap_or(&[])
    }
}

struct Sink<'c, 'd, 'a> {
    c: &'c mut Collector,
    d: &'d Dissection<'a>,
}

impl<'a> Visitor<'a> for Sink<'_, '_, 'a> {
    fn field(&mut self, field: &Field<'a>) {
        for (i, def) in self.c.defs.iter().enumerate() {
            if def.is(field.def) {
                self.c.scratch.clear();
                let _ = render(field, self.d, &mut self.c.scratch);
                let value = std::mem::take(&mut self.c.scratch);
                if let Some(v) = self.c.values.get_mut(i) {
                    v.push(value);
                }
            }
        }
    }
}

/// Prints one `-T fields` line.
pub fn write_line(out: &mut impl Write, c: &Collector, opts: &FieldsOptions) -> io::Result<()> {
    let mut line = String::new();
    for i in 0..c.defs().len() {
        if i > 0 {
            line.push_str(&opts.separator);
        }
        let value = c.joined(i, opts);
        match opts.quote {
            Some(q) => {
                let _ = write!(line, "{q}{value}{q}");
            }
            None => line.push_str(&value),
        }
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}

/// Prints the `-E header=y` line.
pub fn write_header(out: &mut impl Write, c: &Collector, opts: &FieldsOptions) -> io::Result<()> {
    let names: Vec<&str> = c.defs().iter().map(|d| d.abbrev).collect();
    writeln!(out, "{}", names.join(&opts.separator))
}
