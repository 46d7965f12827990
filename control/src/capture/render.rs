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
    source: Text,
    destination: Text,
    protocol: Text,
    info: Text,
    length: u32,
    colour: Option<&'static Rule>,
}

impl Row {
    /// Writes `d`'s row and colour over the previous one (its buffers are reused).
    pub fn write(&mut self, d: &Dissection<'_>, colours: &Colouring) {
        for (column, text) in [
            (Computed::ColSource, &mut self.source),
            (Computed::ColDestination, &mut self.destination),
            (Computed::ColProtocol, &mut self.protocol),
            (Computed::ColInfo, &mut self.info),
        ] {
            text.clear();
            let _ = d.write_computed(column, text);
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

    pub fn to_summary(&self) -> pb::Summary {
        pb::Summary {
            source: self.source.as_str().to_owned(),
            destination: self.destination.as_str().to_owned(),
            protocol: self.protocol.as_str().to_owned(),
            length: self.length,
            info: self.info.as_str().to_owned(),
            colour_rule: self.colour.map(|r| r.name.to_string()).unwrap_or_default(),
            foreground: self.foreground(),
            background: self.background(),
        }
    }

    /// The row as the encoder takes it (borrowed, nothing copied).
    pub fn encodable(&self) -> SummaryRow<'_> {
        SummaryRow {
            source: self.source.as_str(),
            destination: self.destination.as_str(),
            protocol: self.protocol.as_str(),
            length: self.length,
            info: self.info.as_str(),
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
