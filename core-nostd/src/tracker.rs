//! State across frames, fed in capture order: TCP conversations and echo
//! request/reply matching. What it learns is stored in each dissection.
//!
//! Tracking comes in two halves so that threads can share it: what the tables
//! need of a frame ([`Clues::of`]) is read from its dissection anywhere, in any
//! order; the tables take the clues in capture order ([`Tracker::take`]) and
//! say what each frame learnt, to [`Dissection::replay`] on its dissection.

use crate::conversation::{DEFAULT_CONVERSATIONS, Segment, TcpConversations};
use crate::dissect::{Dissection, Frame, Tracked, dissect_to};
use crate::echo::{DEFAULT_ECHOES, Echo, EchoTable};

mod quick;

/// Both tables; `T` conversations and `E` outstanding echo requests at most.
#[derive(Debug, Clone)]
pub struct Tracker<const T: usize = DEFAULT_CONVERSATIONS, const E: usize = DEFAULT_ECHOES> {
    pub tcp: TcpConversations<T>,
    pub echo: EchoTable<E>,
}

/// What the tables need of one frame: small and `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clues {
    number: u32,
    tcp: Option<Segment>,
    echo: Option<Echo>,
}

impl Clues {
    pub fn of(d: &Dissection<'_>) -> Clues {
        Clues {
            number: d.frame().number,
            tcp: Segment::of(d),
            echo: Echo::of(d),
        }
    }

    /// The clues of `frame`, read from its bytes when it is of the usual
    /// shape (Ethernet, IP, TCP or UDP), else from a walk that goes only as
    /// deep as they need (no DNS, DHCP, ICMP error quotes or option checks)
    /// with `scratch` as its storage. Equal to `Clues::of(&dissect(frame))`,
    /// which `cli/tests/reuse.rs` and the `dissect` fuzz target hold it to.
    pub fn of_frame<'a>(frame: Frame<'a>, scratch: &mut Dissection<'a>) -> Clues {
        let mut clues = Clues::NONE;
        Clues::of_frame_into(frame, scratch, &mut clues);
        clues
    }

    /// [`Clues::of_frame`] written in place (a block's list is filled frame
    /// by frame without moving each frame's clues).
    #[inline]
    pub fn of_frame_into<'a>(frame: Frame<'a>, scratch: &mut Dissection<'a>, out: &mut Clues) {
        if !quick::fill(frame, out) {
            dissect_to::<true>(frame, scratch, true);
            *out = Clues::of(scratch);
        }
    }

    /// No frame's clues: a placeholder for a list to be filled.
    pub const NONE: Clues = Clues {
        number: 0,
        tcp: None,
        echo: None,
    };
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
        let tracked = self.take(&Clues::of(d));
        d.replay(tracked);
    }

    /// Feeds the next frame (in capture order) by its clues and says what it
    /// learnt.
    pub fn take(&mut self, clues: &Clues) -> Tracked {
        let said = self.tcp.take(clues.tcp.as_ref());
        Tracked {
            tcp: said.map(|s| s.annotation),
            echo_request: self.echo.take(clues.echo.as_ref(), clues.number),
            answered_head: said.is_some_and(|s| s.answered_head),
        }
    }
}
