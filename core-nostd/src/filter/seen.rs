//! What a frame holds, found once per frame and shared by every filter that
//! runs on it: the protocols a filter sees, and where each protocol's layer is,
//! so a test goes straight to its layer instead of scanning them all.

use crate::dissect::{Dissection, Layer, View};
use crate::proto::Protocol;

pub(crate) struct Seen {
    /// What protocol tests see (bit = `Protocol as u8`): the layers, less IPv4
    /// and ARP headers with no bytes at all (tshark adds no item for those;
    /// IPv6 adds its item before reading), plus the frame and a protocol that
    /// refused the bytes.
    pub present: u64,
    /// Protocols with a layer, and those with more than one.
    layers: u64,
    repeated: u64,
    /// A layer of each protocol (the only one unless repeated): four bits per
    /// protocol, protocols 0..16 in the first word, kept in registers while
    /// the layers are read.
    at: [u64; 2],
}

const _: () = assert!(crate::dissect::MAX_LAYERS <= 16 && Protocol::ALL.len() <= 32);

impl Seen {
    #[inline]
    pub fn of(d: &Dissection<'_>) -> Seen {
        let mut seen = Seen {
            present: 0,
            layers: 0,
            repeated: 0,
            at: [0; 2],
        };
        // Without a branch or a store per layer: this runs once per frame.
        for (i, layer) in d.layers().enumerate() {
            let b = bit(layer.protocol);
            seen.repeated |= seen.layers & b;
            seen.layers |= b;
            let p = layer.protocol as u32;
            let shift = 4 * (p & 15);
            let [low, high] = &mut seen.at;
            let word = if p < 16 { low } else { high };
            *word = *word & !(0xf << shift) | (i as u64 & 0xf) << shift;
        }
        seen.present = seen.layers | d.rejected().map_or(0, bit) | bit(Protocol::Frame);
        // Only the last layer can be cut short (the walk stops there).
        if d.stopped_by().is_some()
            && let Some(last) = d.layers().next_back()
            && matches!(last.view, View::Truncated { bytes: [] })
            && last.protocol != Protocol::Ipv6
            && seen.repeated & bit(last.protocol) == 0
        {
            seen.present &= !bit(last.protocol);
        }
        seen
    }

    /// Calls `f` with every layer of `protocol`, outermost first.
    #[inline(always)]
    pub fn each_layer<'d, 'a>(
        &self,
        d: &'d Dissection<'a>,
        protocol: Protocol,
        mut f: impl FnMut(&'d Layer<'a>),
    ) {
        let b = bit(protocol);
        if self.layers & b == 0 {
            return;
        }
        if self.repeated & b != 0 {
            d.layers().filter(|l| l.protocol == protocol).for_each(f);
        } else if let Some(layer) = {
            let p = protocol as usize;
            let word = self.at.get(p / 16).copied().unwrap_or(0);
            d.layer((word >> (4 * (p % 16))) as usize & 0xf)
        } {
            f(layer);
        }
    }
}

#[inline(always)]
pub(crate) const fn bit(p: Protocol) -> u64 {
    1u64 << (p as u8)
}
