//! Zero-copy views of each protocol's bytes.
//!
//! Every view is built only by `new_checked` (or `new_lax`, which also keeps a
//! payload shorter than its length field says). Once a constructor returned `Ok`,
//! no accessor can panic: headers are split off as fixed-size arrays and indexed
//! with the constants of each file's private `mod field`, and everything
//! variable-length is read with `get`. Lengths are checked against each other in
//! the constructor (IPv4's header length against its total length against the
//! buffer, and so on), and an error names the protocol, the offset and the
//! length or value that was wrong.

pub(crate) mod bytes;
pub mod checksum;
pub mod error;

pub mod arp;
pub mod dhcp;
pub mod dhcpv6;
pub mod dns;
pub mod ethernet;
pub mod http;
pub mod icmp;
pub mod icmpv6;
pub mod igmp;
pub mod ipv4;
pub mod ipv6;
pub mod llc;
pub mod null;
pub mod sll;
pub mod stp;
pub mod tcp;
pub mod tls;
pub mod udp;
pub mod vlan;

pub use error::{Error, ErrorKind, LenSource, Result};
pub use ethernet::{EtherType, EthernetFrame, MacAddr};
pub use ipv4::{IpProtocol, Ipv4Packet};
pub use ipv6::Ipv6Packet;

/// Byte ranges of header fields, as in smoltcp.
pub(crate) mod field {
    pub type Field = ::core::ops::Range<usize>;
    pub type Rest = ::core::ops::RangeFrom<usize>;
}
