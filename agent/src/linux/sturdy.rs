//! smoltcp's Linux devices panic on an I/O error (a TAP or interface set
//! down makes reads and writes fail). `Sturdy` turns each such failure into
//! what it is on a wire: a frame not received, or sent and lost. It catches
//! the panic at the device, so smoltcp's own state is never cut short.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::rc::Rc;

use smoltcp::phy::{self, Device, DeviceCapabilities};
use smoltcp::time::Instant;

/// Failed reads and writes, shared with whoever reports them.
#[derive(Debug, Default, Clone)]
pub struct Failures(Rc<Cell<u64>>);

impl Failures {
    pub fn total(&self) -> u64 {
        self.0.get()
    }

    fn count(&self) {
        self.0.set(self.0.get() + 1);
    }
}

/// Runs `f`, catching a panic (the closure's kind stays `FnOnce`, so it may
/// return what it borrows).
fn guarded<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    catch_unwind(AssertUnwindSafe(f))
}

#[derive(Debug)]
pub struct Sturdy<D> {
    inner: D,
    failures: Failures,
}

impl<D: Device> Sturdy<D> {
    pub fn new(inner: D) -> (Self, Failures) {
        let failures = Failures::default();
        let device = Sturdy {
            inner,
            failures: failures.clone(),
        };
        (device, failures)
    }
}

impl<D: Device> Device for Sturdy<D> {
    type RxToken<'a>
        = D::RxToken<'a>
    where
        Self: 'a;
    type TxToken<'a>
        = SturdyTx<D::TxToken<'a>>
    where
        Self: 'a;

    fn receive(&mut self, timestamp: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let failures = self.failures.clone();
        let inner = &mut self.inner;
        match guarded(move || inner.receive(timestamp)) {
            Ok(tokens) => tokens.map(|(rx, tx)| {
                (
                    rx,
                    SturdyTx {
                        inner: tx,
                        failures,
                    },
                )
            }),
            Err(_) => {
                failures.count();
                None
            }
        }
    }

    fn transmit(&mut self, timestamp: Instant) -> Option<Self::TxToken<'_>> {
        let failures = self.failures.clone();
        self.inner.transmit(timestamp).map(|tx| SturdyTx {
            inner: tx,
            failures,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.inner.capabilities()
    }
}

#[derive(Debug)]
pub struct SturdyTx<T> {
    inner: T,
    failures: Failures,
}

impl<T: phy::TxToken> phy::TxToken for SturdyTx<T> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        let mut result = None;
        let inner = self.inner;
        let written = guarded(|| {
            inner.consume(len, |buffer| result = Some(f(buffer)));
        });
        match (written, result) {
            (Ok(()), Some(r)) => r,
            // The frame was built and could not be written: lost on the way.
            (Err(_), Some(r)) => {
                self.failures.count();
                r
            }
            (Err(payload), None) => resume_unwind(payload),
            (Ok(()), None) => unreachable_token(),
        }
    }

    fn set_meta(&mut self, meta: phy::PacketMeta) {
        self.inner.set_meta(meta);
    }
}

/// A TxToken that returned without calling its closure breaks smoltcp's
/// contract; no device here does that.
fn unreachable_token() -> ! {
    resume_unwind(Box::new(
        "a smoltcp device returned without building the frame",
    ))
}
