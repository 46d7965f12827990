//! Linux "cooked" capture headers: SLL (link type 113) and SLL2 (276).

use super::bytes::{be16, be32, u8_at};
use super::error::{Error, LenSource, Result};
use crate::proto::Protocol;

mod v1 {
    use crate::wire::field::{Field, Rest};
    pub const PKTTYPE: Field = 0..2;
    pub const HATYPE: Field = 2..4;
    pub const HALEN: Field = 4..6;
    pub const ADDR: Field = 6..14;
    pub const PROTOCOL: Field = 14..16;
    pub const PAYLOAD: Rest = 16..;
}

mod v2 {
    use crate::wire::field::{Field, Rest};
    pub const PROTOCOL: Field = 0..2;
    pub const IFINDEX: Field = 4..8;
    pub const HATYPE: Field = 8..10;
    pub const PKTTYPE: usize = 10;
    pub const HALEN: usize = 11;
    pub const ADDR: Field = 12..20;
    pub const PAYLOAD: Rest = 20..;
}

pub const SLL_HEADER_LEN: usize = v1::PAYLOAD.start;
pub const SLL2_HEADER_LEN: usize = v2::PAYLOAD.start;

/// ARPHRD values that change how the protocol field is read.
pub const ARPHRD_NETLINK: u16 = 824;

const fn header_len_of(version: SllVersion) -> usize {
    match version {
        SllVersion::V1 => SLL_HEADER_LEN,
        SllVersion::V2 => SLL2_HEADER_LEN,
    }
}

/// Which cooked header this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SllVersion {
    V1,
    V2,
}

/// A read-only view of a cooked header, either version.
#[derive(Debug, Clone, Copy)]
pub struct SllHeader<'a> {
    version: SllVersion,
    /// The header and its payload (one slice keeps every layer small).
    bytes: &'a [u8],
}

impl<'a> SllHeader<'a> {
    pub fn new_checked(buffer: &'a [u8], version: SllVersion) -> Result<Self> {
        let len = header_len_of(version);
        if buffer.len() < len {
            return Err(Error::truncated(
                Protocol::Sll,
                len,
                buffer.len(),
                LenSource::Slice,
            ));
        }
        Ok(SllHeader {
            version,
            bytes: buffer,
        })
    }

    pub fn version(&self) -> SllVersion {
        self.version
    }

    /// Incoming, outgoing, broadcast…: `PACKET_*` from linux/if_packet.h.
    pub fn packet_type(&self) -> u16 {
        match self.version {
            SllVersion::V1 => be16(self.bytes, v1::PKTTYPE),
            SllVersion::V2 => u16::from(u8_at(self.bytes, v2::PKTTYPE)),
        }
    }

    pub fn hatype(&self) -> u16 {
        match self.version {
            SllVersion::V1 => be16(self.bytes, v1::HATYPE),
            SllVersion::V2 => be16(self.bytes, v2::HATYPE),
        }
    }

    pub fn halen(&self) -> u16 {
        match self.version {
            SllVersion::V1 => be16(self.bytes, v1::HALEN),
            SllVersion::V2 => u16::from(u8_at(self.bytes, v2::HALEN)),
        }
    }

    /// The link-layer address bytes actually used (at most 8).
    pub fn addr(&self) -> &'a [u8] {
        let range = match self.version {
            SllVersion::V1 => v1::ADDR,
            SllVersion::V2 => v2::ADDR,
        };
        let used = usize::from(self.halen()).min(range.len());
        self.bytes
            .get(range.start..range.start + used)
            .unwrap_or(&[])
    }

    pub fn protocol(&self) -> u16 {
        match self.version {
            SllVersion::V1 => be16(self.bytes, v1::PROTOCOL),
            SllVersion::V2 => be16(self.bytes, v2::PROTOCOL),
        }
    }

    pub fn ifindex(&self) -> Option<u32> {
        match self.version {
            SllVersion::V1 => None,
            SllVersion::V2 => Some(be32(self.bytes, v2::IFINDEX)),
        }
    }

    pub fn header_len(&self) -> usize {
        header_len_of(self.version)
    }

    pub fn payload(&self) -> &'a [u8] {
        self.bytes.get(self.header_len()..).unwrap_or(&[])
    }
}

/// Wireshark's names for `PACKET_*` values.
pub const fn packet_type_name(t: u16) -> &'static str {
    match t {
        0 => "Unicast to us",
        1 => "Broadcast",
        2 => "Multicast",
        3 => "Unicast to another host",
        4 => "Sent by us",
        _ => "Unknown",
    }
}
