//! Formats a tracked block's frames as `encap read` prints them; each thread
//! keeps its own printer (scratch buffers, the field collector).

use encap_core::Dissection;
use encap_core::field::FieldDef;
use encap_core::filter::Filter;
use encap_fields::Text;

use super::block::Block;
use super::{Format, ReadOptions};
use crate::output::fields::{self, Collector};
use crate::output::layers::render_layers;
use crate::output::{colour, hex, json, line, tree};

/// What a block held, besides its text.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub shown: u64,
    pub malformed: u64,
}

#[derive(Debug)]
pub struct Printer<'o> {
    opts: &'o ReadOptions,
    filter: Option<&'o Filter>,
    collector: Collector,
    line_buf: Text,
    rows: line::Rows,
    json: json::JsonOutput,
}

impl<'o> Printer<'o> {
    pub fn new(
        opts: &'o ReadOptions,
        filter: Option<&'o Filter>,
        defs: Vec<&'static FieldDef>,
    ) -> Self {
        Printer {
            opts,
            filter,
            collector: Collector::new(defs),
            line_buf: Text::new(),
            rows: line::Rows::default(),
            json: json::JsonOutput::new(opts.format == Format::Ek),
        }
    }

    /// Dissects the block's frames again, replays what tracking stored, and
    /// appends each frame the filter passes to `text` (json packets as later
    /// elements: see [`json::JsonOutput::join`]).
    pub fn format_block(&mut self, block: &mut Block, text: &mut Text) -> Counts {
        let mut counts = Counts::default();
        let first_timestamp = block.first_timestamp;
        block.dissect_each(|f, d| {
            d.replay(f.tracked);
            counts.malformed += u64::from(d.is_malformed());
            f.shown = self.filter.is_none_or(|filter| filter.matches(d));
            if f.shown {
                counts.shown += 1;
                self.format_frame(d, first_timestamp, text);
            }
        });
        counts
    }

    fn format_frame(&mut self, d: &Dissection<'_>, first: (i64, u32), text: &mut Text) {
        let frame = d.frame();
        match self.opts.format {
            Format::Text => {
                let (secs, nanos) = frame.timestamp;
                let rel = (secs - first.0).saturating_mul(1_000_000_000) + i64::from(nanos)
                    - i64::from(first.1);
                let verbose = self.opts.verbose;
                if verbose {
                    tree::format_tree(text, d);
                } else if let Some(rule) = self.opts.color.then(|| colour::rule_for(d)).flatten() {
                    self.line_buf.clear();
                    self.rows.format(&mut self.line_buf, d, rel);
                    colour::paint(text, rule, &self.line_buf);
                    text.push('\n');
                } else {
                    self.rows.format(text, d, rel);
                    text.push('\n');
                }
                if self.opts.hex {
                    if verbose {
                        text.push('\n');
                    }
                    hex::format_hex(text, frame.data);
                }
                if verbose || self.opts.hex {
                    text.push('\n');
                }
            }
            Format::Fields => {
                fields::format_frame(&mut self.collector, d, &self.opts.fields_options, text);
            }
            Format::Json | Format::Ek => {
                let rendered = render_layers(d);
                self.json
                    .later_packet(text, &json::layers_of(&rendered), frame.timestamp);
            }
        }
    }
}
