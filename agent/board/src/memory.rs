//! RAM use for the budget report: statics from the linker's symbols, the
//! stack's high-water mark from the paint cortex-m-rt puts on it at reset
//! (`paint-stack`), the heap's peak from the allocator.

#![allow(unsafe_code)]

use crate::heap;

const PAINT: u32 = 0xcccc_cccc;
const RAM_START: usize = 0x2000_0000;

unsafe extern "C" {
    static _stack_start: u32;
    static _stack_end: u32;
}

fn stack_top() -> usize {
    // Only the symbol's address is taken, never its contents.
    core::ptr::addr_of!(_stack_start) as usize
}

fn stack_bottom() -> usize {
    core::ptr::addr_of!(_stack_end) as usize
}

/// Bytes of the stack ever used: from its top down to the deepest word
/// whose paint was scrubbed off.
fn stack_peak() -> usize {
    let mut address = stack_bottom();
    while address < stack_top() {
        // SAFETY: between _stack_end and _stack_start is RAM reserved for
        // the stack, word-aligned by the linker script.
        let word = unsafe { core::ptr::read_volatile(address as *const u32) };
        if word != PAINT {
            break;
        }
        address += 4;
    }
    stack_top() - address
}

#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// .data + .bss (the heap's arena included).
    pub statics: usize,
    pub heap_arena: usize,
    pub heap_peak: usize,
    pub stack_peak: usize,
}

impl Usage {
    pub fn now() -> Usage {
        Usage {
            statics: stack_bottom() - RAM_START,
            heap_arena: heap::ARENA_BYTES,
            heap_peak: heap::peak(),
            stack_peak: stack_peak(),
        }
    }

    /// RAM the firmware needs: its statics and the deepest stack seen.
    pub fn total(&self) -> usize {
        self.statics + self.stack_peak
    }
}

impl core::fmt::Display for Usage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "ram: statics {} B (heap arena {} B, peak {} B in use), stack peak {} B, total {} B",
            self.statics,
            self.heap_arena,
            self.heap_peak,
            self.stack_peak,
            self.total()
        )
    }
}
