//! The values of chosen fields, collected as text for each frame: what
//! `encap read -T fields` prints and what the service sends a watcher that
//! asked for fields. It allocates, so it lives beside the core, not in it.

use encap_core::Dissection;
use encap_core::Protocol;
use encap_core::colour::Colouring;
use encap_core::field::{Field, FieldDef, Value, Visitor, registry, render, render_value};
use encap_core::filter::{FastField, FastFrame};
use encap_core::text::Plain;

pub mod text;
pub use text::Text;

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
    /// Per field: its fast path, read straight from the views, if it has one.
    fast: Vec<Option<FastField>>,
    /// Every field's fast path, when every field has one.
    all_fast: Option<Vec<FastField>>,
    /// The protocols of the fields without one (as `protocols`).
    slow_protocols: Option<Vec<Protocol>>,
    /// Per field, this frame: its values came by the fast path.
    done: Vec<bool>,
    /// The colouring rules, when `frame.coloring_rule.name` is asked for.
    colouring: Option<Box<Colouring>>,
    wanted: DefSet,
}

/// A bit per hash of a descriptor's address: a clear bit means "not asked for".
#[derive(Debug, Default)]
struct DefSet([u64; 4]);

impl DefSet {
    fn slot(def: &FieldDef) -> (usize, u64) {
        let addr = core::ptr::from_ref(def) as usize as u64;
        let hash = (addr >> 3).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56;
        ((hash >> 6) as usize, 1 << (hash & 63))
    }

    fn insert(&mut self, def: &FieldDef) {
        let (word, bit) = Self::slot(def);
        if let Some(w) = self.0.get_mut(word) {
            *w |= bit;
        }
    }

    fn may_hold(&self, def: &FieldDef) -> bool {
        let (word, bit) = Self::slot(def);
        self.0.get(word).is_some_and(|w| w & bit != 0)
    }
}

impl Collector {
    pub fn new(defs: Vec<&'static FieldDef>) -> Self {
        let values = defs.iter().map(|_| Vec::new()).collect();
        let counts = vec![0; defs.len()];
        let protocols = defs.iter().map(|d| registry::protocol_of(d)).collect();
        let fast: Vec<_> = defs.iter().map(|d| FastField::of(d)).collect();
        let slow_protocols = defs
            .iter()
            .zip(&fast)
            .filter(|(_, f)| f.is_none())
            .map(|(d, _)| registry::protocol_of(d))
            .collect();
        let wants_colour = defs.iter().any(|d| d.is(Colouring::rule_name_field()));
        let mut wanted = DefSet::default();
        for d in &defs {
            wanted.insert(d);
        }
        let all_fast = fast.iter().copied().collect();
        Collector {
            defs,
            values,
            all_fast,
            counts,
            protocols,
            done: vec![false; fast.len()],
            fast,
            slow_protocols,
            colouring: if wants_colour {
                Colouring::new().ok().map(Box::new)
            } else {
                None
            },
            wanted,
        }
    }

    pub fn defs(&self) -> &[&'static FieldDef] {
        &self.defs
    }

    /// Every field's fast path, in order, when every field has one (a line
    /// can then be written straight from the views).
    pub fn all_fast(&self) -> Option<&[FastField]> {
        self.all_fast.as_deref()
    }

    /// The fields' names, as asked.
    pub fn names(&self) -> Vec<&'static str> {
        self.defs.iter().map(|d| d.abbrev).collect()
    }

    /// Fills the values for `d`: fields with a fast path straight from the
    /// views (the same values, `cli/tests/fast_path.rs` holds), the rest by
    /// visiting the layers, when there is a rest.
    pub fn collect(&mut self, d: &Dissection<'_>) {
        self.counts.fill(0);
        let frame = FastFrame::of(d);
        let mut fell_back = false;
        let mut slow = false;
        for i in 0..self.defs.len() {
            let done = match self.fast.get(i).copied().flatten() {
                Some(field) => {
                    let used = frame.values(field, &mut |value| self.push_value(i, value, d));
                    fell_back |= !used;
                    used
                }
                None => false,
            };
            slow |= !done;
            if let Some(slot) = self.done.get_mut(i) {
                *slot = done;
            }
        }
        if slow {
            d.visit(&mut Sink {
                c: self,
                d,
                fell_back,
            });
        }
        if let Some(rule) = self.colouring.as_ref().and_then(|c| c.classify(d)) {
            let value = Value::Text(rule.name);
            let def = Colouring::rule_name_field();
            for i in 0..self.defs.len() {
                if self.defs.get(i).is_some_and(|d| d.is(def)) {
                    self.push_value(i, value, d);
                }
            }
        }
    }

    /// Renders one value of field `i` into its next slot.
    fn push_value(&mut self, i: usize, value: Value<'_>, d: &Dissection<'_>) {
        let (Some(def), Some(values), Some(count)) = (
            self.defs.get(i),
            self.values.get_mut(i),
            self.counts.get_mut(i),
        ) else {
            return;
        };
        if values.len() <= *count {
            values.push(String::new());
        }
        if let Some(slot) = values.get_mut(*count) {
            slot.clear();
            let _ = render_value(def, value, d, &mut Plain(slot));
            *count += 1;
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
    /// A field with a fast path could not use it in this frame.
    fell_back: bool,
}

impl<'a> Visitor<'a> for Sink<'_, '_, 'a> {
    fn wants(&self, protocol: Protocol) -> bool {
        let protocols = if self.fell_back {
            &self.c.protocols
        } else {
            &self.c.slow_protocols
        };
        protocols.as_ref().is_none_or(|ps| ps.contains(&protocol))
    }

    #[inline(always)]
    fn wants_field(&self, def: &'static FieldDef) -> bool {
        // Most visited fields were not asked for: one bit answers that.
        self.c.wanted.may_hold(def)
    }

    fn field(&mut self, field: &Field<'a>) {
        for (i, def) in self.c.defs.iter().enumerate() {
            if !def.is(field.def) || self.c.done.get(i).copied().unwrap_or(true) {
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
                let _ = render(field, self.d, &mut Plain(slot));
                *count += 1;
            }
        }
    }
}
