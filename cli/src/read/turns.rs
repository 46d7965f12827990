//! Blocks take turns in the order they were read: the tables and the output
//! must see frames in capture order, though threads finish blocks in any order.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// A value that blocks use one at a time, by their sequence number from 0.
#[derive(Debug)]
pub struct Turns<T> {
    state: Mutex<State<T>>,
    passed: Condvar,
}

#[derive(Debug)]
struct State<T> {
    value: T,
    next: u64,
    /// A thread died before its turn: nobody waits for it.
    abandoned: bool,
}

impl<T> Turns<T> {
    pub fn new(value: T) -> Self {
        Turns {
            state: Mutex::new(State {
                value,
                next: 0,
                abandoned: false,
            }),
            passed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for block `sequence`'s turn, runs `f` on the value and passes the
    /// turn on; `None` (and `f` not run) when a thread died before its turn.
    pub fn take<R>(&self, sequence: u64, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let mut s = self.lock();
        while s.next != sequence && !s.abandoned {
            s = self.passed.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
        if s.abandoned {
            return None;
        }
        let result = f(&mut s.value);
        s.next += 1;
        drop(s);
        self.passed.notify_all();
        Some(result)
    }

    /// Tells every waiting thread that a turn will never come (its thread panicked).
    pub fn abandon(&self) {
        self.lock().abandoned = true;
        self.passed.notify_all();
    }

    pub fn into_inner(self) -> T {
        self.state
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .value
    }
}

#[cfg(test)]
mod tests {
    use super::Turns;
    use std::thread;

    #[test]
    fn blocks_take_turns_in_sequence_whatever_order_threads_come() {
        let turns = Turns::new(Vec::new());
        thread::scope(|s| {
            for sequence in (0..8u64).rev() {
                let turns = &turns;
                s.spawn(move || turns.take(sequence, |v| v.push(sequence)));
            }
        });
        assert_eq!(turns.into_inner(), (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn a_waiting_block_is_released_when_a_turn_is_abandoned() {
        let turns = Turns::new(0);
        thread::scope(|s| {
            let waiter = s.spawn(|| turns.take(1, |v| *v += 1));
            turns.abandon();
            assert_eq!(waiter.join().ok(), Some(None));
        });
        assert_eq!(turns.take(0, |v| *v), None);
    }
}
