//! Filters tried in order, the first match winning: Wireshark's colouring.

use super::Filter;
use super::flat::Flat;
use super::seen::Seen;
use crate::dissect::Dissection;

/// `N` filters (at most 64), the first that matches winning. When they fit
/// the limits of `filter::flat` a frame computes them all at once as bits; otherwise it
/// tries only the filters that read something it holds, plus those that
/// match a frame holding none of their protocols.
#[derive(Debug, Clone)]
pub struct FirstMatch<const N: usize> {
    filters: [Filter; N],
    /// Per filter, the protocols it reads (kept together: one pass, no branch).
    protocols: [u64; N],
    /// The filters that match when none of their protocols is in the frame.
    when_absent: u64,
    /// Every filter reads only fields with a fast path.
    all_fast: bool,
    /// The protocols of the fields the filters read.
    field_protocols: u64,
    /// The filters as bits, when they fit (see [`Flat`]).
    flat: Option<Flat>,
}

impl<const N: usize> FirstMatch<N> {
    const FITS: () = assert!(N <= 64, "FirstMatch holds at most 64 filters");

    pub fn new(filters: [Filter; N]) -> Self {
        let () = Self::FITS;
        let when_absent = filters
            .iter()
            .enumerate()
            .fold(0u64, |acc, (i, f)| acc | u64::from(f.when_absent) << i);
        FirstMatch {
            protocols: core::array::from_fn(|i| filters.get(i).map_or(0, |f| f.protocols)),
            all_fast: filters.iter().all(|f| f.all_fast),
            field_protocols: filters.iter().fold(0, |acc, f| acc | f.field_protocols),
            flat: Flat::of(&filters),
            filters,
            when_absent,
        }
    }

    /// The index of the first filter that matches the frame.
    pub fn first(&self, d: &Dissection<'_>) -> Option<usize> {
        if let Some(flat) = &self.flat
            && d.stopped_by().is_none()
        {
            return flat.first_whole(&self.filters, d);
        }
        let seen = Seen::of(d);
        let unreadable = super::fast::unreadable(d) & self.field_protocols;
        match &self.flat {
            Some(flat) if unreadable == 0 => return flat.first(&self.filters, d, &seen),
            // The fields of a header cut short are the visitor's.
            #[cfg(feature = "fields")]
            Some(flat) => {
                if let Some(first) = flat.first_visiting(&self.filters, d, &seen, unreadable) {
                    return first;
                }
            }
            _ => {}
        }
        if !(self.all_fast && unreadable == 0) {
            #[cfg(feature = "fields")]
            return super::eval::first_match_visiting(&self.filters, d, seen.present);
            #[cfg(not(feature = "fields"))]
            return self.filters.iter().position(|f| f.matches_seen(d, &seen));
        }
        let mut candidates = self.when_absent;
        for (i, reads) in self.protocols.iter().enumerate() {
            candidates |= u64::from(reads & seen.present != 0) << i;
        }
        while candidates != 0 {
            let i = candidates.trailing_zeros() as usize;
            candidates &= candidates - 1;
            // A candidate none of whose protocols is here matches by its all-absent answer.
            let reads_here = self.protocols.get(i).is_some_and(|p| p & seen.present != 0);
            if !reads_here || self.filters.get(i).is_some_and(|f| f.decide_fast(d, &seen)) {
                return Some(i);
            }
        }
        None
    }
}
