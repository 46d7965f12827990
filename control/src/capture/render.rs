//! A dissection as the Watch stream carries it: the packet-list row with its
//! colour, and on request the layer tree with byte ranges.

use encap_core::Dissection;
use encap_core::colour::{Colouring, Rule};
use encap_core::field::{Computed, Field, Visitor, render};
use encap_core::proto::Protocol;
use encap_core::text::Plain;
use encap_fields::Text;
use encap_proto::packets::SummaryRow;
use encap_proto::v1 as pb;

/// The packet-list row of one frame, written once and handed to every
/// watcher that takes the frame (as a `Summary`, or encoded straight).
#[derive(Debug, Default)]
pub struct Row {
    /// Source, destination, protocol and info, one after another (one UTF-8
    /// check for the four when they are encoded).
    text: Text,
    /// Where each ends in `text`.
    ends: [usize; 4],
    length: u32,
    colour: Option<&'static Rule>,
}

impl Row {
    /// Writes `d`'s row and colour over the previous one (its buffers are reused).
    pub fn write(&mut self, d: &Dissection<'_>, colours: &Colouring) {
        self.text.clear();
        for (column, end) in [
            Computed::ColSource,
            Computed::ColDestination,
            Computed::ColProtocol,
            Computed::ColInfo,
        ]
        .into_iter()
        .zip(&mut self.ends)
        {
            let _ = d.write_computed(column, &mut self.text);
            *end = self.text.len();
        }
        self.length = d.frame().orig_len;
        self.colour = colours.classify(d);
    }

    fn foreground(&self) -> u32 {
        self.colour.map_or(0, |r| rgb(r.foreground))
    }

    fn background(&self) -> u32 {
        self.colour.map_or(0xff_ff_ff, |r| rgb(r.background))
    }

    /// The four columns.
    fn columns(&self) -> [&str; 4] {
        let text = self.text.as_str();
        let [a, b, c, d] = self.ends;
        [0..a, a..b, b..c, c..d].map(|r| text.get(r).unwrap_or_default())
    }

    pub fn to_summary(&self) -> pb::Summary {
        let [source, destination, protocol, info] = self.columns();
        pb::Summary {
            source: source.to_owned(),
            destination: destination.to_owned(),
            protocol: protocol.to_owned(),
            length: self.length,
            info: info.to_owned(),
            colour_rule: self.colour.map(|r| r.name.to_string()).unwrap_or_default(),
            foreground: self.foreground(),
            background: self.background(),
        }
    }

    /// The row as the encoder takes it (borrowed, nothing copied).
    pub fn encodable(&self) -> SummaryRow<'_> {
        let [source, destination, protocol, info] = self.columns();
        SummaryRow {
            source,
            destination,
            protocol,
            length: self.length,
            info,
            colour_rule: self.colour.map_or("", |r| r.name),
            foreground: self.foreground(),
            background: self.background(),
        }
    }
}

fn rgb(c: encap_core::colour::Rgb16) -> u32 {
    let (r, g, b) = c.to_rgb8();
    u32::from(r) << 16 | u32::from(g) << 8 | u32::from(b)
}

/// Every visible field, grouped by the subtree it is in.
pub fn layers(d: &Dissection<'_>) -> Vec<pb::Layer> {
    let mut tree = Tree {
        d,
        layers: Vec::new(),
        open: Vec::new(),
    };
    d.visit(&mut tree);
    tree.layers
}

struct Tree<'d, 'a> {
    d: &'d Dissection<'a>,
    layers: Vec<pb::Layer>,
    /// Indices of the subtrees open now.
    open: Vec<usize>,
}

impl<'a> Visitor<'a> for Tree<'_, 'a> {
    fn open(&mut self, protocol: Protocol, offset: usize, len: usize) {
        self.open.push(self.layers.len());
        self.layers.push(pb::Layer {
            protocol: protocol.short_name().to_string(),
            offset: offset as u32,
            length: len as u32,
            fields: Vec::new(),
        });
    }

    fn field(&mut self, field: &Field<'a>) {
        if field.hidden {
            return;
        }
        let mut value = String::new();
        let _ = render(field, self.d, &mut Plain(&mut value));
        let out = pb::Field {
            name: field.def.abbrev.to_string(),
            label: field.def.name.to_string(),
            value,
            offset: field.offset as u32,
            length: field.len as u32,
            generated: field.def.generated,
        };
        match self.open.last().and_then(|&i| self.layers.get_mut(i)) {
            Some(layer) => layer.fields.push(out),
            None => self.layers.push(pb::Layer {
                protocol: String::new(),
                offset: out.offset,
                length: out.length,
                fields: vec![out],
            }),
        }
    }

    fn close(&mut self) {
        self.open.pop();
    }
}
