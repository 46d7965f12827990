//! Checks of a layer's contents that the walk defers: every record of a DNS
//! message, an ICMPv6 message's options and MLDv2 records.
//!
//! They decide no layer, only notes, so [`dissect`](super::dissect) marks
//! the layer and the notes are found when first asked for
//! ([`Dissection::experts`]): a caller that reads only layers and fields (a
//! capture filter) never pays for them. A caller that reads every frame's
//! notes (a packet list) has them checked during the walk, as before, with
//! [`dissect_into_noted`](super::dissect_into_noted).

use super::{Dissection, Expert, Layer, View, walker::severity_of};
use crate::wire::Error;

/// At most this many notes come from one layer's contents.
const PER_LAYER: usize = 2;

/// The notes the deferred check of `layer` (the dissection's `index`th) finds,
/// as the walk would have noted them.
pub(super) fn notes_of(
    d: &Dissection<'_>,
    index: usize,
    layer: &Layer<'_>,
) -> [Option<Expert>; PER_LAYER] {
    let mut found = [None, None];
    let mut slots = found.iter_mut();
    let mut note = |err: Error| {
        let Some(severity) = severity_of(&err, d.frame().is_cut(), layer.in_error) else {
            return;
        };
        if let Some(slot) = slots.next() {
            *slot = Some(Expert {
                severity,
                layer: index as u8,
                error: err.add_offset(layer.offset),
            });
        }
    };
    match layer.view {
        View::Dns { packet, .. } if !packet.records_whole() => {
            if let Some(Err(e)) = packet.records().find(|r| r.is_err()) {
                note(e);
            }
        }
        View::Icmpv6(icmp) => {
            if let Some(Err(e)) = icmp.ndp_options().find(|o| o.is_err()) {
                let at = layer.len - icmp.rest().len();
                note(e.add_offset(at));
            }
            if let Some(e) = icmp.check_mldv2_records() {
                note(e);
            }
        }
        _ => {}
    }
    found
}
