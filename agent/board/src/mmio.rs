//! The only door to the board's registers: 32-bit volatile reads and writes
//! at fixed physical addresses.

#![allow(unsafe_code)]

/// Reads a device register.
#[inline]
pub fn read(address: usize) -> u32 {
    // SAFETY: callers pass the address of a 32-bit register of a device on
    // this board (the MAC, the UART); volatile keeps every access.
    unsafe { core::ptr::read_volatile(address as *const u32) }
}

/// Writes a device register.
#[inline]
pub fn write(address: usize, value: u32) {
    // SAFETY: as for `read`; the registers are not Rust memory.
    unsafe { core::ptr::write_volatile(address as *mut u32, value) }
}
