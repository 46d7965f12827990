//! What a frame holds, found once per frame and shared by every filter that
//! runs on it: the protocols a filter sees and those with a layer. (An index
//! of each protocol's layer was tried: with five layers a frame, a scan for
//! the one a test reads costs less than building it.)

use crate::dissect::{Dissection, Layer, View};
use crate::proto::Protocol;

#[derive(Debug)]
pub(crate) struct Seen {
    /// What protocol tests see (bit = `Protocol as u8`): the layers, less IPv4
    /// and ARP headers with no bytes at all (tshark adds no item for those;
    /// IPv6 adds its item before reading), plus the frame and a protocol that
    /// refused the bytes.
    pub present: u64,
    /// Protocols with a layer.
    layers: u64,
}

impl Seen {
    #[inline]
    pub fn of(d: &Dissection<'_>) -> Seen {
        let layers = d
            .layers()
            .fold(0u64, |acc, layer| acc | bit(layer.protocol));
        let mut present = layers | d.rejected().map_or(0, bit) | bit(Protocol::Frame);
        // Only the last layer can be cut short (the walk stops there).
        if d.stopped_by().is_some()
            && let Some(last) = d.layers().next_back()
            && !adds_item(last)
            && d.layers().filter(|l| l.protocol == last.protocol).count() == 1
        {
            present &= !bit(last.protocol);
        }
        Seen { present, layers }
    }

    /// What a frame whose walk was not stopped holds, from its layers' protocols.
    #[inline(always)]
    pub fn of_whole(d: &Dissection<'_>, layers: u64) -> Seen {
        Seen {
            present: layers | d.rejected().map_or(0, bit) | bit(Protocol::Frame),
            layers,
        }
    }

    /// Protocols with a layer.
    #[inline(always)]
    pub fn layers(&self) -> u64 {
        self.layers
    }

    /// Calls `f` with every layer of `protocol`, outermost first.
    #[inline(always)]
    pub fn each_layer<'d, 'a>(
        &self,
        d: &'d Dissection<'a>,
        protocol: Protocol,
        f: impl FnMut(&'d Layer<'a>),
    ) {
        if self.layers & bit(protocol) != 0 {
            d.layers().filter(|l| l.protocol == protocol).for_each(f);
        }
    }
}

/// Whether tshark adds a protocol item for the layer: not for an IPv4 or ARP
/// header with no bytes at all (IPv6 adds its item before reading).
pub(crate) fn adds_item(layer: &Layer<'_>) -> bool {
    !matches!(layer.view, View::Truncated { bytes: [] }) || layer.protocol == Protocol::Ipv6
}

#[inline(always)]
pub(crate) const fn bit(p: Protocol) -> u64 {
    1u64 << (p as u8)
}
