//! A test compiled for the fast path: a protocol's presence, or a number read
//! at a fixed place and held against a range or a mask, so evaluation never
//! decodes a literal or a layer's view.

use super::fast::{Fast, Kind, Wire};
use super::lexer::CmpOp;
use super::literal::Literal;
use super::program::{Slice, Test};
use crate::proto::Protocol;

#[derive(Debug, Clone, Copy)]
pub(super) enum Check {
    /// Not a test, or a field without a fast path: read through the node.
    General,
    /// The protocol is in the frame.
    Protocol(Protocol),
    /// A number at a fixed place, tested.
    Number(Wire, Number),
    /// Another field with a fast path (sets, strings, computed fields): its
    /// values are tested as the node says.
    Fast(Fast),
}

impl Check {
    /// The check of a test on a field with a fast path.
    pub fn of(fast: Fast, test: &Test) -> Check {
        match fast.wire() {
            Some(wire) => match Number::of(wire.kind, test) {
                Some(number) => Check::Number(wire, number),
                None => Check::Fast(fast),
            },
            None => Check::Fast(fast),
        }
    }

    /// The check of a test on a protocol: its presence, or a few bytes of it
    /// tested with `&` (`eth[0] & 1`), read as a number at a fixed place.
    pub fn of_protocol(p: Protocol, slice: Option<Slice>, test: &Test) -> Check {
        match (slice, test) {
            (None, Test::Exists) => Check::Protocol(p),
            (
                Some(Slice {
                    start,
                    end: Some(end),
                }),
                Test::BitAnd(mask),
            ) if p != Protocol::Frame => {
                match (
                    u8::try_from(start),
                    end.checked_sub(start).and_then(|w| u8::try_from(w).ok()),
                ) {
                    (Ok(start), Some(width @ 1..=8)) => {
                        Check::Number(Wire::slice(p, start, width), Number::Mask(*mask))
                    }
                    _ => Check::General,
                }
            }
            _ => Check::General,
        }
    }
}

/// What a number must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Number {
    /// In `low..=high` (empty when `low > high`).
    Inside(u64, u64),
    /// Not in `low..=high`.
    Outside(u64, u64),
    /// Some bit of the mask set.
    Mask(u64),
}

impl Number {
    /// Whether `v` passes. Both sides are computed and one is picked: a frame's
    /// values are not predictable, a select does not mispredict.
    #[inline(always)]
    pub fn holds(self, v: u64) -> bool {
        let (low, high, outside, mask) = match self {
            Number::Inside(low, high) => (low, high, false, 0),
            Number::Outside(low, high) => (low, high, true, 0),
            Number::Mask(mask) => (1, 0, false, mask),
        };
        let inside = v.wrapping_sub(low) <= high.wrapping_sub(low) && low <= high;
        (inside != outside) | (v & mask != 0)
    }

    /// `test` on a field of `kind`, when it reduces to one range or mask with
    /// the same answers as the general comparison.
    pub fn of(kind: Kind, test: &Test) -> Option<Number> {
        let (op, lit) = match test {
            Test::Exists => return Some(Number::Inside(0, u64::MAX)),
            Test::BitAnd(mask) if matches!(kind, Kind::Uint | Kind::Flag) => {
                return Some(Number::Mask(*mask));
            }
            Test::Cmp(op, lit) => (*op, lit),
            _ => return None,
        };
        let (low, high) = match (kind, lit) {
            (Kind::Uint | Kind::Flag, Literal::Uint(v)) => (*v, *v),
            (Kind::Mac, Literal::Mac(m)) => {
                let v = m.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
                (v, v)
            }
            // A CIDR block for `==` and `!=`; order compares the address alone.
            (Kind::Ipv4, Literal::Ipv4 { addr, prefix }) => match op {
                CmpOp::Eq | CmpOp::Ne => {
                    let hosts = u32::MAX.checked_shr(u32::from(*prefix)).unwrap_or(0);
                    (u64::from(addr & !hosts), u64::from(addr | hosts))
                }
                _ => (u64::from(*addr), u64::from(*addr)),
            },
            _ => return None,
        };
        Some(match op {
            CmpOp::Eq => Number::Inside(low, high),
            CmpOp::Ne => Number::Outside(low, high),
            CmpOp::Lt => match low.checked_sub(1) {
                Some(below) => Number::Inside(0, below),
                None => Number::Inside(1, 0),
            },
            CmpOp::Le => Number::Inside(0, low),
            CmpOp::Gt => match low.checked_add(1) {
                Some(above) => Number::Inside(above, u64::MAX),
                None => Number::Inside(1, 0),
            },
            CmpOp::Ge => Number::Inside(low, u64::MAX),
        })
    }
}

#[cfg(test)]
mod test {
    use super::Number;

    #[test]
    fn numbers_hold_as_their_comparison() {
        for v in [0u64, 1, 4, 5, 6, 0x80, u64::MAX - 1, u64::MAX] {
            assert_eq!(Number::Inside(4, 6).holds(v), (4..=6).contains(&v), "{v}");
            assert_eq!(Number::Outside(4, 6).holds(v), !(4..=6).contains(&v), "{v}");
            assert_eq!(Number::Inside(5, 5).holds(v), v == 5, "{v}");
            assert!(Number::Inside(0, u64::MAX).holds(v));
            assert!(
                !Number::Inside(1, 0).holds(v),
                "an empty range holds nothing"
            );
            assert_eq!(Number::Mask(0x82).holds(v), v & 0x82 != 0, "{v}");
            assert_eq!(Number::Inside(6, u64::MAX).holds(v), v >= 6, "{v}");
        }
    }
}
