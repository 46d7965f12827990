//! A dissection as the Watch stream carries it: the packet-list row with its
//! colour, and on request the layer tree with byte ranges.

use encap_core::Dissection;
use encap_core::colour::{Colouring, Rule};
use encap_core::field::{Computed, Field, Visitor, render};
use encap_core::proto::Protocol;
use encap_proto::v1 as pb;

/// The packet-list row and its colouring rule. Each column is written into
/// `scratch` first, so its string is allocated once, at its size.
pub fn summary(d: &Dissection<'_>, colours: &Colouring, scratch: &mut String) -> pb::Summary {
    let mut column = |c: Computed| {
        scratch.clear();
        let _ = d.write_computed(c, scratch);
        scratch.as_str().to_owned()
    };
    let rule: Option<&Rule> = colours.classify(d);
    let rgb = |c: encap_core::colour::Rgb16| {
        let (r, g, b) = c.to_rgb8();
        u32::from(r) << 16 | u32::from(g) << 8 | u32::from(b)
    };
    pb::Summary {
        source: column(Computed::ColSource),
        destination: column(Computed::ColDestination),
        protocol: column(Computed::ColProtocol),
        length: d.frame().orig_len,
        info: column(Computed::ColInfo),
        colour_rule: rule.map(|r| r.name.to_string()).unwrap_or_default(),
        foreground: rule.map_or(0, |r| rgb(r.foreground)),
        background: rule.map_or(0xff_ff_ff, |r| rgb(r.background)),
    }
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
        let _ = render(field, self.d, &mut value);
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
