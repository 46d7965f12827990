//! A frame's fields grouped by protocol, rendered as text: the shared input of
//! `-V`, `-T json` and `-T ek`.

use encap_core::Dissection;
use encap_core::field::{Field, Visitor, render};
use encap_core::proto::Protocol;
use encap_core::text::Plain;

/// One rendered field occurrence.
#[derive(Debug, Clone)]
pub struct RenderedField {
    pub abbrev: &'static str,
    pub name: &'static str,
    pub value: String,
    /// The value as a person reads it: "A (1)" where the number has a name.
    pub shown: String,
    pub generated: bool,
    pub offset: usize,
    pub len: usize,
}

/// One protocol's subtree.
#[derive(Debug, Clone)]
pub struct RenderedLayer {
    pub protocol: Protocol,
    pub offset: usize,
    pub len: usize,
    pub depth: usize,
    pub fields: Vec<RenderedField>,
}

/// Renders every visible field of `d`, grouped by the subtree it belongs to.
pub fn render_layers(d: &Dissection<'_>) -> Vec<RenderedLayer> {
    let mut r = Renderer {
        d,
        layers: Vec::new(),
        stack: Vec::new(),
    };
    d.visit(&mut r);
    r.layers
}

struct Renderer<'d, 'a> {
    d: &'d Dissection<'a>,
    layers: Vec<RenderedLayer>,
    stack: Vec<usize>,
}

impl<'a> Visitor<'a> for Renderer<'_, 'a> {
    fn open(&mut self, protocol: Protocol, offset: usize, len: usize) {
        self.stack.push(self.layers.len());
        self.layers.push(RenderedLayer {
            protocol,
            offset,
            len,
            depth: 0,
            fields: Vec::new(),
        });
    }

    fn field(&mut self, field: &Field<'a>) {
        if field.hidden {
            return;
        }
        let mut value = String::new();
        let _ = render(field, self.d, &mut Plain(&mut value));
        let shown = match field.value.as_u64().and_then(|v| field.def.name_of(v)) {
            Some(name) => format!("{name} ({value})"),
            None => value.clone(),
        };
        let rendered = RenderedField {
            abbrev: field.def.abbrev,
            name: field.def.name,
            value,
            shown,
            generated: field.def.generated,
            offset: field.offset,
            len: field.len,
        };
        // Fields outside any subtree (the malformed marker) get one of their own.
        match self.stack.last().and_then(|&i| self.layers.get_mut(i)) {
            Some(layer) => layer.fields.push(rendered),
            None => self.layers.push(RenderedLayer {
                protocol: Protocol::Frame,
                offset: field.offset,
                len: 0,
                depth: 0,
                fields: vec![rendered],
            }),
        }
    }

    fn close(&mut self) {
        self.stack.pop();
    }
}
