//! A smoltcp device that lets every frame through and keeps a copy: the
//! agent is a host on the segment and, at the same time, its capture point.
//! Frames of the agent's own uplink are not copied (they would be captured,
//! sent, captured again…).

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::cell::RefCell;

use smoltcp::phy::{self, Device, DeviceCapabilities};
use smoltcp::time::Instant;

use super::{Flow, flow_of};

/// Copies waiting to be offered to the agent, bounded in frames.
#[derive(Debug)]
pub struct Copies {
    frames: VecDeque<Vec<u8>>,
    /// Buffers of frames already offered, reused.
    spare: Vec<Vec<u8>>,
    limit: usize,
    /// Frames not copied because `limit` were waiting.
    pub overflowed: u64,
    /// The uplink's connection (normalised), not to be copied.
    pub skip: Option<Flow>,
}

impl Copies {
    fn keep(&mut self, frame: &[u8]) {
        if self.skip.is_some() && flow_of(frame) == self.skip {
            return;
        }
        if self.frames.len() >= self.limit {
            self.overflowed += 1;
            return;
        }
        let mut copy = self.spare.pop().unwrap_or_default();
        copy.clear();
        copy.extend_from_slice(frame);
        self.frames.push_back(copy);
    }

    /// The oldest copy; hand it back with `recycle` once offered.
    pub fn pop(&mut self) -> Option<Vec<u8>> {
        self.frames.pop_front()
    }

    pub fn recycle(&mut self, buffer: Vec<u8>) {
        if self.spare.len() < self.limit {
            self.spare.push(buffer);
        }
    }
}

/// `inner` with a copy of each frame received or sent.
#[derive(Debug)]
pub struct Mirror<D> {
    inner: D,
    copies: RefCell<Copies>,
}

impl<D: Device> Mirror<D> {
    pub fn new(inner: D, limit: usize) -> Self {
        Mirror {
            inner,
            copies: RefCell::new(Copies {
                frames: VecDeque::with_capacity(limit),
                spare: Vec::new(),
                limit: limit.max(1),
                overflowed: 0,
                skip: None,
            }),
        }
    }

    pub fn copies(&mut self) -> &mut Copies {
        self.copies.get_mut()
    }

    pub fn inner(&self) -> &D {
        &self.inner
    }
}

impl<D: Device> Device for Mirror<D> {
    type RxToken<'a>
        = MirrorRx<'a, D::RxToken<'a>>
    where
        Self: 'a;
    type TxToken<'a>
        = MirrorTx<'a, D::TxToken<'a>>
    where
        Self: 'a;

    fn receive(&mut self, timestamp: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let copies = &self.copies;
        let (rx, tx) = self.inner.receive(timestamp)?;
        Some((
            MirrorRx { inner: rx, copies },
            MirrorTx { inner: tx, copies },
        ))
    }

    fn transmit(&mut self, timestamp: Instant) -> Option<Self::TxToken<'_>> {
        let copies = &self.copies;
        let tx = self.inner.transmit(timestamp)?;
        Some(MirrorTx { inner: tx, copies })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.inner.capabilities()
    }
}

#[derive(Debug)]
pub struct MirrorRx<'a, R> {
    inner: R,
    copies: &'a RefCell<Copies>,
}

impl<R: phy::RxToken> phy::RxToken for MirrorRx<'_, R> {
    fn consume<T, F>(self, f: F) -> T
    where
        F: FnOnce(&[u8]) -> T,
    {
        let copies = self.copies;
        self.inner.consume(|frame| {
            if let Ok(mut c) = copies.try_borrow_mut() {
                c.keep(frame);
            }
            f(frame)
        })
    }

    fn meta(&self) -> phy::PacketMeta {
        self.inner.meta()
    }
}

#[derive(Debug)]
pub struct MirrorTx<'a, T> {
    inner: T,
    copies: &'a RefCell<Copies>,
}

impl<T: phy::TxToken> phy::TxToken for MirrorTx<'_, T> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        let copies = self.copies;
        self.inner.consume(len, |frame| {
            let result = f(frame);
            if let Ok(mut c) = copies.try_borrow_mut() {
                c.keep(frame);
            }
            result
        })
    }

    fn set_meta(&mut self, meta: phy::PacketMeta) {
        self.inner.set_meta(meta);
    }
}
