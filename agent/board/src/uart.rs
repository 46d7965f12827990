//! The firmware's log: CMSDK APB UART0, which QEMU connects to stdio under
//! `-nographic`. With the `semihosting` feature, the debugger's console.

use core::fmt::{self, Write};

#[cfg(not(feature = "semihosting"))]
use crate::mmio;

#[cfg(not(feature = "semihosting"))]
const UART0: usize = 0x4000_4000;
#[cfg(not(feature = "semihosting"))]
mod reg {
    pub const DATA: usize = 0x00;
    pub const STATE: usize = 0x04;
    pub const CTRL: usize = 0x08;
    pub const BAUDDIV: usize = 0x10;
    pub const STATE_TX_FULL: u32 = 1;
    pub const CTRL_TX_ENABLE: u32 = 1;
}

/// Enables the transmitter (the divider is the smallest the UART accepts).
pub fn init() {
    #[cfg(not(feature = "semihosting"))]
    {
        mmio::write(UART0 + reg::BAUDDIV, 16);
        mmio::write(UART0 + reg::CTRL, reg::CTRL_TX_ENABLE);
    }
}

struct Console;

impl Write for Console {
    #[cfg(not(feature = "semihosting"))]
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for byte in text.bytes() {
            // Bounded: a UART that never drains must not hang the agent.
            for _ in 0..100_000 {
                if mmio::read(UART0 + reg::STATE) & reg::STATE_TX_FULL == 0 {
                    break;
                }
            }
            mmio::write(UART0 + reg::DATA, u32::from(byte));
        }
        Ok(())
    }

    #[cfg(feature = "semihosting")]
    fn write_str(&mut self, text: &str) -> fmt::Result {
        cortex_m_semihosting::hprint!("{}", text);
        Ok(())
    }
}

/// One log line, prefixed like the Linux agent's.
pub fn log(args: fmt::Arguments<'_>) {
    let _ = writeln!(Console, "encap-board: {args}");
}

#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => { $crate::uart::log(format_args!($($arg)*)) };
}
