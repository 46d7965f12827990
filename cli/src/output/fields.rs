//! `-T fields`: the values of chosen fields, tab-separated, as tshark prints them.

use std::io::{self, Write};

use encap_core::Dissection;
use encap_core::Protocol;
use encap_core::colour::Colouring;
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
    /// Per field: rendered values, reused across frames (only the first `counts[i]` are live).
    values: Vec<Vec<String>>,
    counts: Vec<usize>,
    /// The protocols whose fields were asked for (by abbreviation prefix), or
    /// `None` when a field's protocol cannot be told from its name.
    protocols: Option<Vec<Protocol>>,
    /// The colouring rules, when `frame.coloring_rule.name` is asked for.
    colouring: Option<Box<Colouring>>,
}

impl Collector {
    pub fn new(defs: Vec<&'static FieldDef>) -> Self {
        let values = defs.iter().map(|_| Vec::new()).collect();
        let counts = vec![0; defs.len()];
        let protocols = defs.iter().map(|d| registry::protocol_of(d)).collect();
        let wants_colour = defs.iter().any(|d| d.is(Colouring::rule_name_field()));
        Collector {
            defs,
            values,
            counts,
            protocols,
            colouring: wants_colour.then(|| Box::new(crate::output::colour::rules().clone())),
        }
    }

    pub fn defs(&self) -> &[&'static FieldDef] {
        &self.defs
    }

    /// Fills the values for `d`.
    pub fn collect(&mut self, d: &Dissection<'_>) {
        self.counts.fill(0);
        let mut sink = Sink { c: self, d };
        d.visit(&mut sink);
        if let Some(rule) = self.colouring.as_ref().and_then(|c| c.classify(d)) {
            let field = encap_core::field::Field {
                def: Colouring::rule_name_field(),
                offset: 0,
                len: 0,
                value: encap_core::field::Value::Text(rule.name),
                hidden: false,
            };
            Sink { c: self, d }.field(&field);
        }
    }

    /// The values of field `i` joined as `-E occurrence/aggregator` ask.
    pub fn joined(&self, i: usize, opts: &FieldsOptions) -> String {
        let mut s = String::new();
        self.write_joined(i, opts, &mut s);
        s
    }

    /// Appends the values of field `i` joined as `-E occurrence/aggregator` ask.
    pub fn write_joined(&self, i: usize, opts: &FieldsOptions, out: &mut String) {
        let vals = self.values(i);
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

    /// Every value of field `i`.
    pub fn values(&self, i: usize) -> &[String] {
        let live = self.counts.get(i).copied().unwrap_or(0);
        self.values
            .get(i)
            .and_then(|v| v.get(..live))
            .unwrap_or(&[])
    }
}

struct Sink<'c, 'd, 'a> {
    c: &'c mut Collector,
    d: &'d Dissection<'a>,
}

impl<'a> Visitor<'a> for Sink<'_, '_, 'a> {
    fn wants(&self, protocol: Protocol) -> bool {
        self.c
            .protocols
            .as_ref()
            .is_none_or(|ps| ps.contains(&protocol))
    }

    fn field(&mut self, field: &Field<'a>) {
        for (i, def) in self.c.defs.iter().enumerate() {
            if !def.is(field.def) {
                continue;
            }
            let (Some(values), Some(count)) = (self.c.values.get_mut(i), self.c.counts.get_mut(i))
            else {
                continue;
            };
            if values.len() <= *count {
                values.push(String::new());
            }
            if let Some(slot) = values.get_mut(*count) {
                slot.clear();
                let _ = render(field, self.d, slot);
                *count += 1;
            }
        }
    }
}

/// Prints one `-T fields` line (`line` is scratch space kept by the caller).
pub fn write_line(
    out: &mut impl Write,
    c: &Collector,
    opts: &FieldsOptions,
    line: &mut String,
) -> io::Result<()> {
    line.clear();
    for i in 0..c.defs().len() {
        if i > 0 {
            line.push_str(&opts.separator);
        }
        if let Some(q) = opts.quote {
            line.push(q);
        }
        c.write_joined(i, opts, line);
        if let Some(q) = opts.quote {
            line.push(q);
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
