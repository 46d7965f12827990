//! The `encap` terminal client as a library: capture files, output formats and
//! the `read` command, so tests can drive them directly.

pub mod account;
pub mod capture;
pub mod live;
pub mod output;
pub mod read;
