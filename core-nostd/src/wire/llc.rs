//! IEEE 802.2 LLC, recognised under 802.3 frames (DSAP, SSAP, control; SNAP's OUI and PID).

use super::bytes::{be16, u8_at};
use super::error::{Error, LenSource, Result, need};
use crate::proto::Protocol;

mod field {
    pub const DSAP: usize = 0;
    pub const SSAP: usize = 1;
    pub const CONTROL: usize = 2;
    pub const SNAP_OUI: core::ops::Range<usize> = 3..6;
    pub const SNAP_PID: core::ops::Range<usize> = 6..8;
}

/// LLC header length with a one-byte (unnumbered) control field.
pub const HEADER_LEN: usize = field::CONTROL + 1;
/// The SNAP extension's length.
pub const SNAP_LEN: usize = field::SNAP_PID.end;

pub const SAP_SNAP: u8 = 0xaa;
pub const SAP_STP: u8 = 0x42;

/// A read-only view of an LLC header.
#[derive(Debug, Clone, Copy)]
pub struct LlcPdu<'a> {
    buffer: &'a [u8],
}

impl<'a> LlcPdu<'a> {
    pub fn new_checked(buffer: &'a [u8]) -> Result<Self> {
        need(Protocol::Llc, buffer, HEADER_LEN)?;
        if u8_at(buffer, field::DSAP) == SAP_SNAP && buffer.len() < SNAP_LEN {
            return Err(Error::truncated(
                Protocol::Llc,
                SNAP_LEN,
                buffer.len(),
                LenSource::Slice,
            ));
        }
        Ok(LlcPdu { buffer })
    }

    pub fn dsap(&self) -> u8 {
        u8_at(self.buffer, field::DSAP)
    }

    pub fn ssap(&self) -> u8 {
        u8_at(self.buffer, field::SSAP)
    }

    pub fn control(&self) -> u8 {
        u8_at(self.buffer, field::CONTROL)
    }

    pub fn is_snap(&self) -> bool {
        self.dsap() == SAP_SNAP
    }

    /// SNAP's protocol id, when this is SNAP.
    pub fn snap_pid(&self) -> Option<u16> {
        self.is_snap().then(|| be16(self.buffer, field::SNAP_PID))
    }

    pub fn snap_oui(&self) -> Option<u32> {
        self.is_snap().then(|| {
            let [a, b, c] = super::bytes::array::<3>(self.buffer, field::SNAP_OUI.start);
            u32::from_be_bytes([0, a, b, c])
        })
    }

    pub fn header_len(&self) -> usize {
        if self.is_snap() { SNAP_LEN } else { HEADER_LEN }
    }

    pub fn payload(&self) -> &'a [u8] {
        self.buffer.get(self.header_len()..).unwrap_or(&[])
    }
}

/// Wireshark's names for the SAPs encap meets most.
pub const fn sap_name(sap: u8) -> Option<&'static str> {
    Some(match sap & 0xfe {
        0x00 => "NULL LSAP",
        0x42 => "Spanning Tree BPDU",
        0xaa => "SNAP",
        0xe0 => "NetWare",
        0xf0 => "NetBIOS",
        0x06 => "TCP/IP",
        _ => return None,
    })
}
