//! The Linux side of the agent: frame sources, the TCP uplink over the
//! host's stack, and the smoltcp host on a TAP, around the no_std loop.

pub mod captured;
pub mod raw;
pub mod report;
pub mod source;
pub mod sturdy;
pub mod tap;
pub mod uplink;
