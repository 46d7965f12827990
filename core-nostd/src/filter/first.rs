//! Filters tried in order, the first match winning: Wireshark's colouring.

use super::Filter;
use super::seen::Seen;
use crate::dissect::Dissection;
use crate::proto::Protocol;

/// `N` filters (at most 64) and, per protocol, which of them read it: a frame
/// tries only the filters that read something it holds, plus those that match
/// a frame holding none of their protocols.
#[derive(Debug, Clone)]
pub struct FirstMatch<const N: usize> {
    filters: [Filter; N],
    /// Per protocol, the filters that read it (bit = filter index).
    readers: [u64; Protocol::ALL.len()],
    /// The filters that match when none of their protocols is in the frame.
    when_absent: u64,
    /// Every filter reads only fields with a fast path.
    all_fast: bool,
    /// The protocols of the fields the filters read.
    field_protocols: u64,
}

impl<const N: usize> FirstMatch<N> {
    const FITS: () = assert!(N <= 64, "FirstMatch holds at most 64 filters");

    pub fn new(filters: [Filter; N]) -> Self {
        let () = Self::FITS;
        let mut readers = [0u64; Protocol::ALL.len()];
        let mut when_absent = 0;
        for (i, f) in filters.iter().enumerate() {
            for (p, slot) in readers.iter_mut().enumerate() {
                if f.protocols & (1 << p) != 0 {
                    *slot |= 1 << i;
                }
            }
            if f.when_absent {
                when_absent |= 1 << i;
            }
        }
        FirstMatch {
            all_fast: filters.iter().all(|f| f.all_fast),
            field_protocols: filters.iter().fold(0, |acc, f| acc | f.field_protocols),
            filters,
            readers,
            when_absent,
        }
    }

    /// The index of the first filter that matches the frame.
    pub fn first(&self, d: &Dissection<'_>) -> Option<usize> {
        let seen = Seen::of(d);
        if !(self.all_fast && super::fast::unreadable(d) & self.field_protocols == 0) {
            #[cfg(feature = "fields")]
            return super::eval::first_match_visiting(&self.filters, d, seen.present);
            #[cfg(not(feature = "fields"))]
            return self.filters.iter().position(|f| f.matches_seen(d, &seen));
        }
        let mut candidates = self.when_absent;
        let mut present = seen.present;
        while present != 0 {
            let p = present.trailing_zeros() as usize;
            present &= present - 1;
            candidates |= self.readers.get(p).copied().unwrap_or(0);
        }
        while candidates != 0 {
            let i = candidates.trailing_zeros() as usize;
            candidates &= candidates - 1;
            if self
                .filters
                .get(i)
                .is_some_and(|f| f.matches_fast(d, &seen))
            {
                return Some(i);
            }
        }
        None
    }
}
