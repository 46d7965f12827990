//! State across frames, fed in capture order: TCP conversations and echo
//! request/reply matching. What it learns is stored in each dissection.

use crate::conversation::{DEFAULT_CONVERSATIONS, TcpConversations};
use crate::dissect::Dissection;
use crate::echo::{DEFAULT_ECHOES, EchoTable};

/// Both tables; `T` conversations and `E` outstanding echo requests at most.
#[derive(Debug, Clone)]
pub struct Tracker<const T: usize = DEFAULT_CONVERSATIONS, const E: usize = DEFAULT_ECHOES> {
    pub tcp: TcpConversations<T>,
    pub echo: EchoTable<E>,
}

impl<const T: usize, const E: usize> Default for Tracker<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const T: usize, const E: usize> Tracker<T, E> {
    pub const fn new() -> Self {
        Tracker {
            tcp: TcpConversations::new(),
            echo: EchoTable::new(),
        }
    }

    /// Feeds the next frame (in capture order) and annotates its dissection.
    pub fn track(&mut self, d: &mut Dissection<'_>) {
        self.tcp.track(d);
        self.echo.track(d);
    }
}
