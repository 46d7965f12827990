//! encap-core: a `no_std`, allocation-free packet dissector that names and
//! renders fields as Wireshark does.
//!
//! # The contract
//!
//! * Nothing here allocates and nothing here panics, on any input. The crate is
//!   `#![no_std]` without `alloc`, forbids `unsafe`, and denies clippy's
//!   `indexing_slicing`, `unwrap_used`, `expect_used` and `panic`: every read of
//!   untrusted bytes goes through a checked view (see [`wire`]).
//! * A dissection never fails as a whole. [`dissect::dissect`] keeps every layer
//!   that parsed and records why it stopped as an expert note (truncated,
//!   malformed, bad value), like Wireshark's "Malformed Packet".
//! * Fields carry Wireshark's abbreviations (`ip.src`, `dns.qry.name`, …) and
//!   render as `tshark -T fields` renders them; they are produced on demand by
//!   visiting a dissection, so the walk itself only slices.
//! * Capacities are constants ([`dissect::MAX_LAYERS`], [`dissect::MAX_EXPERTS`]);
//!   what does not fit is counted, never written past.

#![no_std]
// Without `display` or `fields`, the Info writers, the field visitor and the
// helpers only they use are left out of the build on purpose.
#![cfg_attr(
    not(all(feature = "display", feature = "fields")),
    allow(dead_code, unused_imports)
)]
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

#[cfg(feature = "std")]
extern crate std;

pub mod colour;
pub mod conversation;
pub mod dissect;
mod dissectors;
pub mod echo;
pub mod field;
pub mod filter;
pub mod proto;
#[cfg(feature = "display")]
pub mod summary;
pub mod text;
pub mod tracker;
pub mod wire;

#[cfg(test)]
mod testing;

pub use dissect::{
    Dissection, Frame, LinkType, Tracked, dissect, dissect_into, dissect_into_noted, dissect_with,
};
pub use proto::Protocol;
