//! Time for smoltcp and for frame stamps. The monotonic clock is the MAC's
//! 25 MHz FREE_RUN counter, extended past its 32-bit wrap (a clock counted
//! from SysTick interrupts runs slow under QEMU). SysTick only wakes the
//! core from WFI every few ms so timers run on a quiet segment.

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;

use crate::lan9118;

const TICKS_PER_US: u64 = 25;
/// SysTick runs from the 25 MHz core clock: a wake-up every 10 ms.
const WAKE_TICKS: u32 = 250_000;

#[derive(Debug)]
pub struct Clock {
    last: u32,
    wraps: u64,
    /// Unix µs at monotonic 0, once the service told the time.
    unix_at_zero_us: Option<u64>,
}

impl Clock {
    pub fn start(mut systick: SYST) -> Clock {
        systick.set_clock_source(SystClkSource::Core);
        systick.set_reload(WAKE_TICKS - 1);
        systick.clear_current();
        systick.enable_interrupt();
        systick.enable_counter();
        Clock {
            last: lan9118::free_run(),
            wraps: 0,
            unix_at_zero_us: None,
        }
    }

    /// Microseconds since the MAC came out of reset. Called at least every
    /// 10 ms (each wake-up), far inside one 172 s wrap.
    pub fn now_us(&mut self) -> u64 {
        let now = lan9118::free_run();
        if now < self.last {
            self.wraps += 1;
        }
        self.last = now;
        ((self.wraps << 32) | u64::from(now)) / TICKS_PER_US
    }

    pub fn now_ms(&mut self) -> u64 {
        self.now_us() / 1_000
    }

    /// The service's clock, as it said in Welcome at `now_us`.
    pub fn set_unix_time(&mut self, unix_us: u64, now_us: u64) {
        self.unix_at_zero_us = Some(unix_us.saturating_sub(now_us));
    }

    /// A frame's timestamp (seconds, nanoseconds): Unix time once the
    /// service told it, time since boot before that.
    pub fn wall(&mut self) -> (i64, u32) {
        let us = self.now_us() + self.unix_at_zero_us.unwrap_or(0);
        ((us / 1_000_000) as i64, (us % 1_000_000) as u32 * 1_000)
    }
}
