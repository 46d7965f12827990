//! encap-agent's loop, without I/O: frames go in (`AgentLoop::offer`), bytes for
//! the uplink come out (`AgentLoop::transmit`), the service's bytes go in
//! (`AgentLoop::received`). The Linux binary and the board firmware each add
//! a source, a clock and a TCP socket around the same loop.
//!
//! `no_std` with `alloc`: batches and the uplink queue live on the heap,
//! bounded by `Config`.

#![no_std]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod agent;
pub mod backoff;
pub mod batch;
pub mod counters;
pub mod edge;
pub mod framing;
#[cfg(feature = "net")]
pub mod net;
pub mod outbox;

pub use agent::{AgentLoop, Config, Phase};
pub use backoff::Backoff;
pub use counters::Counters;
