//! Reconnect delays: exponential, capped, with jitter so that many agents
//! cut off together do not come back together.

/// Delays of 250 ms, 500 ms, 1 s… up to `max_ms`, each picked at random
/// between half and all of it.
#[derive(Debug, Clone)]
pub struct Backoff {
    attempt: u32,
    base_ms: u32,
    max_ms: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(250, 30_000)
    }
}

impl Backoff {
    pub fn new(base_ms: u32, max_ms: u32) -> Self {
        Backoff {
            attempt: 0,
            base_ms: base_ms.max(1),
            max_ms: max_ms.max(base_ms),
        }
    }

    /// The wait before the next attempt; `random` is any random number.
    pub fn next_delay_ms(&mut self, random: u32) -> u32 {
        let ceiling = self
            .base_ms
            .saturating_mul(1u32.checked_shl(self.attempt).unwrap_or(u32::MAX))
            .min(self.max_ms);
        self.attempt = self.attempt.saturating_add(1).min(31);
        let half = ceiling / 2;
        half + random % (ceiling - half + 1)
    }

    /// After a connection the service welcomed.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::Backoff;

    #[test]
    fn doubles_up_to_the_cap_with_jitter() {
        let mut b = Backoff::new(250, 4_000);
        let top: alloc::vec::Vec<u32> = (0..7).map(|_| b.next_delay_ms(u32::MAX)).collect();
        let mut b = Backoff::new(250, 4_000);
        let bottom: alloc::vec::Vec<u32> = (0..7).map(|_| b.next_delay_ms(0)).collect();
        assert_eq!(bottom, [125, 250, 500, 1000, 2000, 2000, 2000]);
        for (lo, hi) in bottom.iter().zip(&top) {
            assert!(lo <= hi && *hi <= 4_000 && *hi <= lo * 2 + 1, "{lo} {hi}");
        }
        b.reset();
        assert_eq!(b.next_delay_ms(0), 125);
    }

    #[test]
    fn never_overflows() {
        let mut b = Backoff::new(u32::MAX, u32::MAX);
        for r in [0, 7, u32::MAX] {
            let _ = b.next_delay_ms(r);
        }
    }
}
