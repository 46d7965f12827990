//! The deployment settings block in flash: zeros as built, written into the
//! image by `encap-board-config` (see the README), read once at boot.

#![allow(unsafe_code)]

use encap_agent::net::settings::BLOCK_BYTES;

#[used]
#[unsafe(link_section = ".encap_settings")]
static ENCAP_SETTINGS: [u8; BLOCK_BYTES] = [0; BLOCK_BYTES];

/// The block as it is in flash now (not as built: the host tool rewrote it).
pub fn block() -> [u8; BLOCK_BYTES] {
    // SAFETY: a plain read of our own static; volatile so the compiler does
    // not fold in the zeros it was built with.
    unsafe { core::ptr::read_volatile(&raw const ENCAP_SETTINGS) }
}
