//! The Linux side of the agent: frame sources and the TCP uplink around the
//! no_std loop.

pub mod source;
pub mod uplink;
