//! The heap the agent loop and smoltcp's sockets live on: a fixed arena in
//! RAM, with its peak use kept for the memory report.

#![allow(unsafe_code)]

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicUsize, Ordering};

use embedded_alloc::LlffHeap;

/// Bytes of RAM for the heap (counted in the static RAM budget).
pub const ARENA_BYTES: usize = 24 * 1024;

pub struct PeakHeap {
    heap: LlffHeap,
    peak: AtomicUsize,
}

#[global_allocator]
static HEAP: PeakHeap = PeakHeap {
    heap: LlffHeap::empty(),
    peak: AtomicUsize::new(0),
};

/// Gives the heap its arena; called once, first thing.
pub fn init() {
    static mut ARENA: [MaybeUninit<u8>; ARENA_BYTES] = [MaybeUninit::uninit(); ARENA_BYTES];
    // SAFETY: called once at start, before any allocation; ARENA is used by
    // nothing else.
    unsafe {
        HEAP.heap
            .init(core::ptr::addr_of_mut!(ARENA) as usize, ARENA_BYTES)
    }
}

/// The most heap ever in use, in bytes.
pub fn peak() -> usize {
    HEAP.peak.load(Ordering::Relaxed)
}

// SAFETY: forwards to LlffHeap, which is a sound allocator; only counts.
unsafe impl GlobalAlloc for PeakHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on unchanged.
        let pointer = unsafe { self.heap.alloc(layout) };
        let used = self.heap.used();
        self.peak.fetch_max(used, Ordering::Relaxed);
        if pointer.is_null() {
            // The panic that follows says nothing; this says why.
            crate::log!(
                "heap: no room for {} bytes ({used} of {ARENA_BYTES} in use)",
                layout.size()
            );
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { self.heap.dealloc(pointer, layout) }
    }
}
