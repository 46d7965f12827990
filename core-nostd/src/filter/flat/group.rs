//! Each protocol's reads, compiled: the tests of one byte answered by one
//! table lookup, the others read in place order, sharing a load when they
//! read the same eight bytes.

use super::read::{Read, Tallies};
use crate::proto::Protocol;

/// At most this many places read, over all protocols.
const MAX_READS: usize = 64;
/// At most this many bytes answered by a table (2 KiB each).
const MAX_LOOKUPS: usize = 8;
const PROTOCOLS: usize = 64;

const _: () = assert!(MAX_READS.is_power_of_two() && MAX_LOOKUPS.is_power_of_two());

/// A byte of a header and, per value, the tests it passes.
#[derive(Debug, Clone, Copy, Default)]
struct Lookup {
    at: u8,
    /// Where the fields of its tests end: they occur only when the header
    /// has that many bytes.
    end: u8,
    /// The bits of its tests.
    bits: u64,
}

/// The reads and lookups of one protocol.
#[derive(Debug, Clone, Copy, Default)]
struct Group {
    reads: (u8, u8),
    lookups: (u8, u8),
    /// How many header bytes every read and lookup fits in: a header with
    /// that many is read without a check per test.
    reach: u8,
    bits: u64,
}

#[derive(Debug, Clone)]
pub(super) struct Groups {
    reads: [Read; MAX_READS],
    read_len: usize,
    lookups: [Lookup; MAX_LOOKUPS],
    tables: [[u64; 256]; MAX_LOOKUPS],
    lookup_len: usize,
    groups: [Group; PROTOCOLS],
    /// The protocols with tests (bit = `Protocol as u8`).
    tested: u64,
}

impl Groups {
    pub fn new(blank: Read) -> Groups {
        Groups {
            reads: [blank; MAX_READS],
            read_len: 0,
            lookups: [Lookup::default(); MAX_LOOKUPS],
            tables: [[0; 256]; MAX_LOOKUPS],
            lookup_len: 0,
            groups: [Group::default(); PROTOCOLS],
            tested: 0,
        }
    }

    /// Compiles the reads of protocol `p` (once per protocol).
    pub fn add(&mut self, p: Protocol, reads: &[Read]) -> Option<()> {
        let (first_read, first_lookup) = (self.read_len, self.lookup_len);
        let mut group = Group::default();
        for r in reads {
            group.bits |= r.mask();
            if let Some(at) = r.single_byte()
                && let Some(k) = self.lookup_for(first_lookup, at, r.end())
            {
                let table = self.tables.get_mut(k)?;
                for (b, passes) in (0..=u8::MAX).zip(table.iter_mut()) {
                    if r.passes_with(at, b) {
                        *passes |= r.mask();
                    }
                }
                self.lookups.get_mut(k)?.bits |= r.mask();
                group.reach = group.reach.max(r.end());
            } else {
                *self.reads.get_mut(self.read_len)? = *r;
                self.read_len += 1;
                group.reach = group.reach.max(u8::try_from(r.reach()).ok()?);
            }
        }
        // Reads of one place side by side: each takes the load before it.
        let mine = self.reads.get_mut(first_read..self.read_len)?;
        mine.sort_unstable_by_key(|r| (r.offset, r.shift, r.field_mask));
        let mut before = None;
        for r in mine {
            let place = (r.offset, r.shift, r.field_mask);
            r.reuses = before == Some(place);
            before = Some(place);
        }
        group.reads = (
            u8::try_from(first_read).ok()?,
            u8::try_from(self.read_len).ok()?,
        );
        group.lookups = (first_lookup as u8, self.lookup_len as u8);
        *self.groups.get_mut(usize::from(p as u8))? = group;
        self.tested |= 1u64 << (p as u8);
        Some(())
    }

    /// The lookup of byte `at` with fields ending at `end` in this group
    /// (those from `first` on), made if there is room.
    fn lookup_for(&mut self, first: usize, at: u8, end: u8) -> Option<usize> {
        let mine = self.lookups.get(first..self.lookup_len)?;
        if let Some(k) = mine.iter().position(|l| l.at == at && l.end == end) {
            return Some(first + k);
        }
        let k = self.lookup_len;
        *self.lookups.get_mut(k)? = Lookup { at, end, bits: 0 };
        self.lookup_len += 1;
        Some(k)
    }

    /// Runs protocol `p`'s tests on the header at `start` of `data`.
    #[inline(always)]
    pub fn read(&self, p: Protocol, data: &[u8], start: usize, tallies: &mut Tallies) {
        // Most layers have no tests (a link's type, an application).
        if self.tested & 1u64 << (p as u8) == 0 {
            return;
        }
        let Some(g) = self.groups.get(usize::from(p as u8)) else {
            return;
        };
        // Indices masked to the (power of two) capacities: no bounds left to check.
        let reads =
            (g.reads.0..g.reads.1).filter_map(|i| self.reads.get(usize::from(i) & (MAX_READS - 1)));
        let lookups = (g.lookups.0..g.lookups.1).filter_map(|k| {
            let k = usize::from(k) & (MAX_LOOKUPS - 1);
            Some((self.lookups.get(k)?, self.tables.get(k)?))
        });
        let Some(header) = data.get(start..start + usize::from(g.reach)) else {
            // Near the frame's end: each test checks its own bytes.
            reads.for_each(|r| r.at(data, start, tallies));
            for (l, table) in lookups {
                let at = start + usize::from(l.at);
                if start + usize::from(l.end) <= data.len()
                    && let Some(&b) = data.get(at)
                {
                    let passed = table.get(usize::from(b)).copied().unwrap_or(0);
                    tallies.occurred |= l.bits;
                    tallies.any |= passed;
                    tallies.not_all |= l.bits & !passed;
                }
            }
            return;
        };
        // Every field is there: no branches on the frame's bytes.
        let (mut passed, mut failed) = (0u64, 0u64);
        for (l, table) in lookups {
            let b = header.get(usize::from(l.at)).copied().unwrap_or(0);
            let p = table.get(usize::from(b)).copied().unwrap_or(0);
            passed |= p;
            failed |= l.bits & !p;
        }
        let mut word = 0;
        for r in reads {
            if !r.reuses {
                let at = usize::from(r.offset);
                word = header
                    .get(at..at + 8)
                    .and_then(|b| <[u8; 8]>::try_from(b).ok())
                    .map_or(0, u64::from_be_bytes);
            }
            let passes = u64::from(r.passes(word)).wrapping_neg();
            passed |= r.mask() & passes;
            failed |= r.mask() & !passes;
        }
        tallies.occurred |= g.bits;
        tallies.any |= passed;
        tallies.not_all |= failed;
    }
}

#[cfg(test)]
mod test {
    extern crate std;

    use std::vec::Vec;

    use super::*;
    use crate::filter::check::Number;
    use crate::filter::fast::{Fast, Wire};

    /// A protocol's compiled reads (table lookups, shared loads) answer as
    /// the wire tests they come from, every test on its own bit, for every
    /// place in a frame, near its end too.
    #[test]
    fn compiled_reads_answer_as_their_wire_tests() {
        let protocols: [&[Fast]; 4] = [
            &[Fast::EthDst, Fast::EthAddr],
            &[Fast::IpTtl, Fast::IpDst, Fast::IpAddr, Fast::IpLen],
            &[
                Fast::TcpPort,
                Fast::TcpFlags,
                Fast::TcpFlag(0x02),
                Fast::TcpFlag(0x04),
                Fast::TcpFlag(0x100),
            ],
            &[Fast::IcmpType, Fast::IcmpCode],
        ];
        let numbers = [
            Number::Inside(0, 4),
            Number::Inside(80, 80),
            Number::Inside(1, 1),
            Number::Inside(0, 0),
            Number::Inside(1, 0),
            Number::Outside(1, 1),
            Number::Outside(0, 0),
            Number::Outside(0xe000_0000, 0xefff_ffff),
            Number::Inside(0xe000_0000, 0xe000_00ff),
            Number::Inside(0, u64::MAX),
            Number::Outside(5, 4),
            Number::Mask(0x02),
            Number::Mask(0x0101),
        ];
        let mut next = crate::testing::xorshift(0x2545_f491_4f6c_dd1du64);
        for fields in protocols {
            let tests: Vec<(Wire, Number)> = fields
                .iter()
                .flat_map(|f| numbers.iter().map(|n| (f.wire().unwrap(), *n)))
                .take(40)
                .collect();
            let reads: Vec<Read> = tests
                .iter()
                .enumerate()
                .flat_map(|(bit, (wire, number))| {
                    Read::of(wire, *number, bit as u8).collect::<Vec<_>>()
                })
                .collect();
            let protocol = tests[0].0.protocol;
            let mut groups = Groups::new(reads[0]);
            groups.add(protocol, &reads).unwrap();
            assert!(groups.lookup_len > 0, "{protocol:?}: no byte read by table");
            for _ in 0..300 {
                let seed = next();
                let len = (seed % 48) as usize;
                let data: Vec<u8> = (0..len as u64)
                    .map(|i| (seed.rotate_left(i as u32 * 8) as u8) ^ (i as u8).wrapping_mul(37))
                    .collect();
                for start in 0..len + 2 {
                    let mut want = Tallies::default();
                    for (bit, (wire, number)) in tests.iter().enumerate() {
                        wire.numbers_at(&data, start, |v| want.record(bit as u8, number.holds(v)));
                    }
                    let mut got = Tallies::default();
                    groups.read(protocol, &data, start, &mut got);
                    assert_eq!(
                        (got.occurred, got.any, got.not_all),
                        (want.occurred, want.any, want.not_all),
                        "{protocol:?} at {start} of {data:02x?}"
                    );
                }
            }
        }
    }
}
