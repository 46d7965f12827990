//! A progress bar on stderr, shown only when stderr is a terminal and the
//! output goes elsewhere, for files big enough to wait for.

use std::io::{self, IsTerminal};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Progress {
    size: Option<u64>,
    enabled: bool,
    last: Instant,
    shown: bool,
}

impl Progress {
    const MIN_SIZE: u64 = 8 << 20;

    pub fn new(wanted: bool, size: Option<u64>) -> Self {
        let enabled = wanted
            && size.is_some_and(|s| s >= Self::MIN_SIZE)
            && io::stderr().is_terminal()
            && !io::stdout().is_terminal();
        Progress {
            size,
            enabled,
            last: Instant::now(),
            shown: false,
        }
    }

    /// Called once a block: redraws at most five times a second.
    pub fn tick(&mut self, position: u64, frames: u64) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(200) {
            return;
        }
        self.last = Instant::now();
        let size = self.size.unwrap_or(1).max(1);
        let pct = (position.min(size) * 100 / size) as usize;
        let bar: String = (0..30)
            .map(|i| if i * 100 / 30 < pct { '#' } else { ' ' })
            .collect();
        eprint!("\r[{bar}] {pct:3}%  {frames} frames");
        self.shown = true;
    }

    pub fn done(&mut self) {
        if self.shown {
            eprint!("\r{:60}\r", "");
        }
    }
}
