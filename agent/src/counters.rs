//! Running totals the agent reports to the service.

use encap_proto::uplink as wire;

/// Frames counted since the agent started. Every frame the source delivered
/// is seen; each is then filtered out, dropped in the queue, or sent (or
/// still on its way).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    pub seen: u64,
    pub filtered_out: u64,
    /// Reported by the source (kernel or driver drops), not counted here.
    pub dropped_at_source: u64,
    pub dropped_in_queue: u64,
    pub sent: u64,
    /// Frames of a batch cut off mid-write when the connection broke.
    pub lost_on_uplink: u64,
}

impl Counters {
    pub fn to_wire(self) -> wire::Counters {
        wire::Counters {
            seen: self.seen,
            filtered_out: self.filtered_out,
            dropped_at_source: self.dropped_at_source,
            dropped_in_queue: self.dropped_in_queue,
            sent: self.sent,
            lost_on_uplink: self.lost_on_uplink,
        }
    }
}

impl core::fmt::Display for Counters {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "seen {} filtered out {} dropped {}+{} lost on the uplink {} sent {}",
            self.seen,
            self.filtered_out,
            self.dropped_at_source,
            self.dropped_in_queue,
            self.lost_on_uplink,
            self.sent
        )
    }
}
