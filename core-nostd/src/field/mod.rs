//! The field registry: Wireshark's abbreviations, kinds and renderings.
//!
//! Each dissector declares its fields as `static FieldDef`s in a `mod hf` and
//! lists them in `FIELDS`; [`registry`] finds a field by abbreviation. A field
//! is identified by its `&'static FieldDef` (compared by address).

use crate::proto::Protocol;

pub mod registry;
mod value;

pub use value::{Computed, Value, render, render_value};

/// How an integer renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    Dec,
    /// `0x` and this many hex digits.
    Hex(u8),
}

/// What a field holds, which decides how it renders and compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Unsigned integer.
    Uint(Base),
    /// Rendered 1 or 0 (as `tshark -T fields` does in 4.0).
    Bool,
    Ipv4,
    Ipv6,
    Mac,
    /// Text from the wire.
    Str,
    /// Raw bytes, rendered as hex.
    Bytes,
    /// A protocol or label-only item: present or not.
    None,
}

/// One field's descriptor, as in Wireshark's `hf_register_info`.
#[derive(Debug)]
pub struct FieldDef {
    /// The filter name, e.g. `ip.src`.
    pub abbrev: &'static str,
    /// The label in the tree, e.g. `Source Address`.
    pub name: &'static str,
    pub kind: FieldKind,
    /// Not on the wire (computed), shown in brackets in the tree.
    pub generated: bool,
    /// Names of values (Wireshark's value strings), usable in filters: `== "Bad"`.
    pub vals: &'static [(u64, &'static str)],
    /// Names values for people (the tree shows "Type: A (1)").
    pub namer: Option<fn(u64) -> Option<&'static str>>,
}

impl FieldDef {
    pub const fn new(abbrev: &'static str, name: &'static str, kind: FieldKind) -> FieldDef {
        FieldDef {
            abbrev,
            name,
            kind,
            generated: false,
            vals: &[],
            namer: None,
        }
    }

    pub const fn named(mut self, namer: fn(u64) -> Option<&'static str>) -> FieldDef {
        self.namer = Some(namer);
        self
    }

    /// The name of `value`, from the value strings or the namer.
    pub fn name_of(&self, value: u64) -> Option<&'static str> {
        self.vals
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(_, n)| *n)
            .or_else(|| self.namer.and_then(|f| f(value)))
    }

    pub const fn vals(mut self, vals: &'static [(u64, &'static str)]) -> FieldDef {
        self.vals = vals;
        self
    }

    /// The value a name stands for (ASCII case-insensitive).
    pub fn value_of(&self, name: &str) -> Option<u64> {
        self.vals
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(v, _)| *v)
    }

    pub const fn generated(mut self) -> FieldDef {
        self.generated = true;
        self
    }

    /// Identity: the same descriptor (not merely the same name).
    pub fn is(&self, other: &FieldDef) -> bool {
        core::ptr::eq(self, other)
    }
}

/// One occurrence of a field in a frame.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    pub def: &'static FieldDef,
    /// Where in the frame (bytes); generated fields point at what they describe.
    pub offset: usize,
    pub len: usize,
    pub value: Value<'a>,
    /// Present for filters (like `ip.addr`) but not shown in the tree.
    pub hidden: bool,
}

/// Receives fields as a dissection is walked: `open`/`close` bracket a
/// protocol's subtree, `field` is called for each occurrence in frame order.
pub trait Visitor<'a> {
    fn open(&mut self, _protocol: Protocol, _offset: usize, _len: usize) {}
    fn field(&mut self, field: &Field<'a>);
    fn close(&mut self) {}
    /// Return true to stop the walk early (e.g. a filter that found its answer).
    fn done(&self) -> bool {
        false
    }
    /// Return false to skip a protocol's fields (a visitor that needs only some).
    fn wants(&self, _protocol: Protocol) -> bool {
        true
    }
    /// Return false to skip one field before its value is built (checked first,
    /// so it must be cheap).
    #[inline(always)]
    fn wants_field(&self, _def: &'static FieldDef) -> bool {
        true
    }
}

/// Shorthands the dissectors use to declare fields.
pub(crate) mod decl {
    pub use super::{Base, FieldDef, FieldKind};
    pub const DEC: FieldKind = FieldKind::Uint(Base::Dec);
    pub const HEX8: FieldKind = FieldKind::Uint(Base::Hex(2));
    pub const HEX16: FieldKind = FieldKind::Uint(Base::Hex(4));
    pub const HEX24: FieldKind = FieldKind::Uint(Base::Hex(6));
    pub const HEX32: FieldKind = FieldKind::Uint(Base::Hex(8));
    pub const BOOL: FieldKind = FieldKind::Bool;
    pub const IPV4: FieldKind = FieldKind::Ipv4;
    pub const IPV6: FieldKind = FieldKind::Ipv6;
    pub const MAC: FieldKind = FieldKind::Mac;
    pub const STR: FieldKind = FieldKind::Str;
    pub const BYTES: FieldKind = FieldKind::Bytes;
    pub const NONE: FieldKind = FieldKind::None;
}
