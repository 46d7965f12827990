//! A wire test compiled for a read without branches on the frame's values:
//! the eight bytes at its place, shifted and masked to the field, held
//! against a range or a mask, the answer recorded in its bit.

use crate::filter::check::Number;
use crate::filter::fast::{Kind, Wire};

/// One place of a wire test (`tcp.port` has two, both on one bit).
#[derive(Debug, Clone, Copy)]
pub(super) struct Read {
    pub offset: u8,
    width: u8,
    /// `64 - 8 * width`: the field's bytes are the top of the eight read.
    pub shift: u8,
    bit: u8,
    /// `1 << bit`.
    mask: u64,
    pub field_mask: u64,
    /// Passes when inside `low..=low + span` (with `range`), flipped by
    /// `outside`, or when it has a bit of `bits`.
    low: u64,
    span: u64,
    bits: u64,
    range: bool,
    outside: bool,
    /// Reads the same eight bytes as the read before it (see [`Group`]).
    pub reuses: bool,
}

impl Read {
    /// The reads of `number` on `wire` (one per place), recorded in `bit`.
    pub fn of(wire: &Wire, number: Number, bit: u8) -> impl Iterator<Item = Read> + '_ {
        let (offsets, width, mask) = wire.layout();
        let mut read = Read {
            offset: 0,
            width,
            shift: 64u8.saturating_sub(width.saturating_mul(8)),
            bit,
            mask: 1u64 << bit,
            field_mask: mask,
            low: 0,
            span: 0,
            bits: 0,
            range: false,
            outside: false,
            reuses: false,
        };
        if wire.kind == Kind::Flag {
            // The field is 1 when a bit of `mask` is set: decide both values now.
            read.field_mask = u64::MAX;
            match (number.holds(0), number.holds(1)) {
                (true, true) => read.set_range(0, u64::MAX, false),
                (false, true) => read.bits = mask,
                (true, false) => {
                    read.field_mask = mask;
                    read.set_range(0, 0, false);
                }
                (false, false) => {}
            }
        } else {
            match number {
                Number::Inside(low, high) if low <= high => read.set_range(low, high, false),
                Number::Inside(..) => {}
                Number::Outside(low, high) if low <= high => read.set_range(low, high, true),
                Number::Outside(..) => read.set_range(0, u64::MAX, false),
                Number::Mask(bits) => {
                    // A bit test needs no mask of its own: reads of one
                    // place then share their load.
                    read.bits = bits & mask;
                    read.field_mask = u64::MAX;
                }
            }
        }
        offsets.iter().map(move |&offset| Read { offset, ..read })
    }

    fn set_range(&mut self, low: u64, high: u64, outside: bool) {
        self.range = true;
        self.low = low;
        self.span = high - low;
        self.outside = outside;
    }

    /// Whether the field in `word` (the eight bytes at its place) passes.
    #[inline(always)]
    pub fn passes(&self, word: u64) -> bool {
        // `shift` is below 64: a field is one to eight bytes.
        let v = (word >> (self.shift & 63)) & self.field_mask;
        let inside = v.wrapping_sub(self.low) <= self.span;
        ((inside & self.range) != self.outside) | (v & self.bits != 0)
    }

    /// Reads the field in the header at `start` of `data`, if its bytes are there.
    #[inline(always)]
    pub fn at(&self, data: &[u8], start: usize, tallies: &mut Tallies) {
        let at = start + usize::from(self.offset);
        if at + usize::from(self.width) > data.len() {
            return;
        }
        // Near the frame's end: the bytes past it read as zeros.
        let mut eight = [0u8; 8];
        for (to, from) in eight.iter_mut().zip(data.get(at..).unwrap_or(&[])) {
            *to = *from;
        }
        tallies.record(self.bit, self.passes(u64::from_be_bytes(eight)));
    }

    /// How far past the header's start its eight bytes reach.
    pub fn reach(&self) -> usize {
        usize::from(self.offset) + 8
    }

    /// Where the field's bytes end in the header.
    pub fn end(&self) -> u8 {
        self.offset.saturating_add(self.width)
    }

    pub fn mask(&self) -> u64 {
        self.mask
    }

    /// The one byte of the header the answer depends on, if it is one: a
    /// one-byte field, or a bit test whose bits sit in one byte.
    pub fn single_byte(&self) -> Option<u8> {
        if self.width == 1 {
            return Some(self.offset);
        }
        let byte = (self.bits.trailing_zeros() / 8) as u8;
        let bit_test = !self.range && !self.outside && self.bits != 0;
        if bit_test && self.bits >> (8 * u32::from(byte)) <= 0xff && byte < self.width {
            return Some(self.offset + self.width - 1 - byte);
        }
        None
    }

    /// Whether the test passes when byte `at` of the header (its
    /// [`Read::single_byte`]) is `b`.
    pub fn passes_with(&self, at: u8, b: u8) -> bool {
        let from_top = u32::from(at.saturating_sub(self.offset)) * 8;
        self.passes(u64::from(b) << (56u32.saturating_sub(from_top)))
    }
}

/// Per test bit: it occurred, some occurrence passed, some did not.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Tallies {
    pub occurred: u64,
    pub any: u64,
    pub not_all: u64,
}

impl Tallies {
    #[inline(always)]
    pub fn record(&mut self, bit: u8, holds: bool) {
        let b = 1u64 << bit;
        let passed = u64::from(holds).wrapping_neg();
        self.occurred |= b;
        self.any |= b & passed;
        self.not_all |= b & !passed;
    }
}
