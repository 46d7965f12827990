//! TCP conversations: `tcp.stream`, relative sequence numbers, window scaling and
//! tshark's common `tcp.analysis` flags, in a table of fixed capacity.
//!
//! Frames must be tracked in capture order ([`TcpConversations::track`]); each
//! tracked dissection then carries a [`TcpAnnotation`] that its fields, Info
//! column and filters use. When the table is full, the conversation idle the
//! longest is evicted and counted ([`TcpConversations::evicted`]); a later
//! segment of it starts a new stream, as after a capture that began mid-flow.

mod segment;

pub use segment::Segment;
pub(crate) use segment::mapped;

use crate::dissect::Dissection;
use crate::wire::tcp;

/// Conversations kept by default (about 120 bytes each).
pub const DEFAULT_CONVERSATIONS: usize = 1024;

/// `tcp.analysis` flags, as bits.
pub mod analysis {
    pub const RETRANSMISSION: u16 = 1 << 0;
    pub const FAST_RETRANSMISSION: u16 = 1 << 1;
    pub const SPURIOUS_RETRANSMISSION: u16 = 1 << 2;
    pub const OUT_OF_ORDER: u16 = 1 << 3;
    pub const LOST_SEGMENT: u16 = 1 << 4;
    pub const ACK_LOST_SEGMENT: u16 = 1 << 5;
    pub const DUPLICATE_ACK: u16 = 1 << 6;
    pub const ZERO_WINDOW: u16 = 1 << 7;
    pub const ZERO_WINDOW_PROBE: u16 = 1 << 8;
    pub const WINDOW_FULL: u16 = 1 << 9;
    pub const WINDOW_UPDATE: u16 = 1 << 10;
    pub const KEEP_ALIVE: u16 = 1 << 11;
    pub const KEEP_ALIVE_ACK: u16 = 1 << 12;
    pub const ZERO_WINDOW_PROBE_ACK: u16 = 1 << 13;
}

/// Out-of-order threshold before the first round trip is known (tshark's 3 ms).
const DEFAULT_OOO_NANOS: i64 = 3_000_000;

/// What the conversation says about one segment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpAnnotation {
    /// `tcp.stream`: conversations numbered from 0 in order of appearance.
    pub stream: u32,
    pub rel_seq: u32,
    pub rel_ack: u32,
    /// `tcp.nxtseq`: the relative sequence number after this segment.
    pub nxtseq: u32,
    /// `tcp.len` counted from IP's lengths.
    pub seg_len: u32,
    /// The window after scaling (the raw window when the factor is unknown).
    pub window: u32,
    /// `tcp.window_size_scalefactor`: the multiplier, -1 unknown, -2 none used;
    /// `None` on SYN segments (never scaled).
    pub scale: Option<i32>,
    /// [`analysis`] bits.
    pub analysis: u16,
    /// For a duplicate ACK: the frame of the original ACK and the count.
    pub dup_ack: Option<(u32, u32)>,
    /// The TLS version a ServerHello in an earlier frame of this conversation chose.
    pub tls_session: Option<u16>,
}

/// What the table says of one segment ([`TcpConversations::take`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Said {
    pub annotation: TcpAnnotation,
    /// It is an HTTP response to HEAD: dissected at once, no body awaited.
    pub answered_head: bool,
}

impl TcpAnnotation {
    pub fn has(&self, flag: u16) -> bool {
        self.analysis & flag != 0
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Flow {
    /// The sequence number relative numbers count from.
    base: Option<u32>,
    /// The highest sequence number seen plus its segment's length (absolute).
    next_seq: Option<u32>,
    last_ack: Option<u32>,
    last_ack_frame: u32,
    /// Raw window of the last segment.
    window: u32,
    window_known: bool,
    /// Window scale shift from this side's SYN, if it carried one.
    syn_ws: Option<u8>,
    syn_seen: bool,
    dup_acks: u32,
    last_keep_alive: bool,
    last_zero_window_probe: bool,
    fin_or_rst: bool,
    /// When `next_seq` last advanced (ns since the epoch).
    next_seq_time: i64,
    syn_time: Option<i64>,
    /// The last HTTP request this side sent was HEAD (its response has no body).
    sent_head: bool,
}

/// An address (IPv4 mapped into IPv6) and a port.
type Endpoint = ([u8; 16], u16);

#[derive(Debug, Clone, Copy)]
struct Conv {
    /// Endpoints as (address bytes, port); `a` sent the first segment seen.
    a: Endpoint,
    b: Endpoint,
    stream: u32,
    last_frame: u32,
    flows: [Flow; 2],
    /// The handshake's round trip (SYN to the ACK that completes it), once seen.
    first_rtt: Option<i64>,
    /// The TLS version the conversation's ServerHello chose.
    tls_version: Option<u16>,
}

/// The conversation table; `N` conversations at most.
#[derive(Debug, Clone)]
pub struct TcpConversations<const N: usize = DEFAULT_CONVERSATIONS> {
    /// Open addressing by a hash of the endpoints, linear probing.
    convs: [Option<Conv>; N],
    /// A slot emptied by eviction: probing goes on past it.
    tombstones: [bool; N],
    next_stream: u32,
    evicted: u64,
    frames: u32,
}

impl<const N: usize> Default for TcpConversations<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Sequence comparison modulo 2^32.
fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

fn seq_gt(a: u32, b: u32) -> bool {
    seq_lt(b, a)
}

impl<const N: usize> TcpConversations<N> {
    pub const fn new() -> Self {
        TcpConversations {
            convs: [None; N],
            tombstones: [false; N],
            next_stream: 0,
            evicted: 0,
            frames: 0,
        }
    }

    /// Conversations evicted to make room so far.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Conversations in the table now.
    pub fn len(&self) -> usize {
        self.convs.iter().flatten().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Annotates the frame's TCP segment (the outer one) and updates the table.
    pub fn track(&mut self, d: &mut Dissection<'_>) {
        let segment = Segment::of(d);
        if let Some(said) = self.take(segment.as_ref()) {
            if said.answered_head {
                d.accept_pending_http();
            }
            d.set_tcp_annotation(said.annotation);
        }
    }

    /// Takes the next frame in capture order, by what [`Segment::of`] read of
    /// it (`None`: it has no TCP segment), and says what its segment is.
    pub fn take(&mut self, segment: Option<&Segment>) -> Option<Said> {
        self.frames = self.frames.wrapping_add(1);
        let s = segment?;
        let (index, dir) = self.find_or_insert(s.src, s.dst, s);
        let now = self.frames;
        let conv = self.convs.get_mut(index).and_then(Option::as_mut)?;
        conv.last_frame = now;
        // An HTTP response to HEAD announces a body that never comes: tshark knows
        // the request, so the response is dissected at once.
        let peer_sent_head = conv.flows.get(1 - dir).is_some_and(|f| f.sent_head);
        let answered_head = peer_sent_head && s.http_response;
        if let Some(head) = s.http_request_head
            && let Some(flow) = conv.flows.get_mut(dir)
        {
            flow.sent_head = head;
        }
        let mut annotation = analyze(conv, dir, s);
        annotation.tls_session = conv.tls_version;
        // A ServerHello here sets the session's version for the frames after it.
        if s.server_hello.is_some() {
            conv.tls_version = s.server_hello;
        }
        Some(Said {
            annotation,
            answered_head,
        })
    }

    /// The slot and direction (0: a→b, 1: b→a) of the conversation of `src → dst`.
    fn find_or_insert(&mut self, src: Endpoint, dst: Endpoint, s: &Segment) -> (usize, usize) {
        let syn_only = s.has(tcp::FLG_SYN) && !s.has(tcp::FLG_ACK);
        let start = bucket(&src, &dst, N);
        let mut free = None;
        for k in 0..N {
            let i = (start + k) % N;
            let Some(slot) = self.convs.get_mut(i) else {
                break;
            };
            let Some(c) = slot else {
                free.get_or_insert(i);
                if self.tombstones.get(i).copied().unwrap_or(false) {
                    continue;
                }
                break;
            };
            let dir = if c.a == src && c.b == dst {
                0
            } else if c.a == dst && c.b == src {
                1
            } else {
                continue;
            };
            // A new SYN on a finished conversation reuses the ports: a new stream.
            let reused = syn_only
                && c.flows
                    .get(dir)
                    .is_some_and(|f| f.fin_or_rst || f.base.is_some_and(|b| b != s.seq));
            if !reused {
                return (i, dir);
            }
            *slot = None;
            if let Some(tomb) = self.tombstones.get_mut(i) {
                *tomb = true;
            }
            free = Some(i);
            break;
        }
        let index = match free {
            Some(i) => i,
            None => {
                // Full: the conversation idle the longest makes room.
                self.evicted += 1;
                self.convs
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, c)| c.map_or(0, |c| c.last_frame))
                    .map_or(0, |(i, _)| i)
            }
        };
        let conv = Conv {
            a: src,
            b: dst,
            stream: self.next_stream,
            last_frame: self.frames,
            flows: [Flow::default(); 2],
            first_rtt: None,
            tls_version: None,
        };
        self.next_stream = self.next_stream.wrapping_add(1);
        if let Some(slot) = self.convs.get_mut(index) {
            *slot = Some(conv);
        }
        // The evicted slot may lie outside the new key's probe run: keep runs
        // intact by leaving a tombstone wherever an entry disappears.
        (index, 0)
    }
}

/// The home bucket of a conversation, the same for both directions.
fn bucket(a: &Endpoint, b: &Endpoint, n: usize) -> usize {
    // The low 8 address bytes (all of an IPv4 address) and the port suffice to spread.
    let h = |e: &Endpoint| {
        let [.., b8, b9, b10, b11, b12, b13, b14, b15] = e.0;
        let low = u64::from_be_bytes([b8, b9, b10, b11, b12, b13, b14, b15]);
        (low ^ u64::from(e.1)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    };
    // Order-independent: both directions hash alike.
    let x = h(a).wrapping_add(h(b));
    ((x ^ (x >> 29)) as usize) % n.max(1)
}

/// Updates one direction of `conv` with a segment and says what tshark would.
fn analyze(conv: &mut Conv, dir: usize, s: &Segment) -> TcpAnnotation {
    let (seg_len, frame_no, now) = (s.seg_len, s.number, s.time);
    let stream = conv.stream;
    let syn = s.has(tcp::FLG_SYN);
    let ack_flag = s.has(tcp::FLG_ACK);
    // The first round trip: from a SYN to the same side's ACK of the SYN-ACK.
    let (own, peer) = (conv.flows.get(dir), conv.flows.get(1 - dir));
    if conv.first_rtt.is_none()
        && !syn
        && ack_flag
        && peer.is_some_and(|p| p.syn_seen)
        && let Some(t0) = own.and_then(|f| f.syn_time)
    {
        conv.first_rtt = Some(now.saturating_sub(t0));
    }
    let ooo_threshold = conv.first_rtt.unwrap_or(DEFAULT_OOO_NANOS);
    let [f0, f1] = &mut conv.flows;
    let (fwd, rev) = if dir == 0 { (f0, f1) } else { (f1, f0) };
    let fin = s.has(tcp::FLG_FIN);
    let rst = s.has(tcp::FLG_RST);
    let (seq, ack) = (s.seq, s.ack);
    let raw_window = u32::from(s.window);

    if syn {
        fwd.syn_seen = true;
        fwd.syn_ws = s.window_scale;
        if !ack_flag {
            fwd.syn_time = Some(now);
        }
    }

    // Relative numbers count from the first sequence number seen (one before it
    // when the SYN was not seen, so the first byte is 1).
    let base = *fwd
        .base
        .get_or_insert(if syn { seq } else { seq.wrapping_sub(1) });
    if ack_flag && rev.base.is_none() {
        rev.base = Some(ack.wrapping_sub(1));
    }
    let rev_base = rev.base.unwrap_or(ack);

    // Window scaling is in force only when both SYNs carried the option.
    let scale = if syn {
        None
    } else if fwd.syn_seen && rev.syn_seen {
        match (fwd.syn_ws, rev.syn_ws) {
            (Some(s), Some(_)) => Some(1i32 << s),
            _ => Some(-2),
        }
    } else {
        Some(-1)
    };
    let window = match scale {
        Some(m) if m > 0 => raw_window << m.trailing_zeros(),
        _ => raw_window,
    };

    let mut flags = 0u16;
    let mut dup_ack = None;
    let plain = !(syn || fin || rst);
    let seq_end = seq
        .wrapping_add(seg_len)
        .wrapping_add(u32::from(syn))
        .wrapping_add(u32::from(fin));
    let rev_window = match scale {
        Some(m) if m > 0 => rev.window << m.trailing_zeros(),
        _ => rev.window,
    };

    if let Some(next) = fwd.next_seq {
        // Zero window probe: one byte at the edge of a zero window.
        if seg_len == 1 && seq == next && rev.window_known && rev.window == 0 {
            flags |= analysis::ZERO_WINDOW_PROBE;
        }
        if raw_window == 0 && plain {
            flags |= analysis::ZERO_WINDOW;
        }
        if seq_gt(seq, next) && !rst {
            flags |= analysis::LOST_SEGMENT;
        }
        let keep_alive = seg_len <= 1 && plain && next.wrapping_sub(1) == seq;
        if keep_alive {
            flags |= analysis::KEEP_ALIVE;
        }
        let same_ack = fwd.last_ack == Some(ack);
        if seg_len == 0
            && raw_window != 0
            && fwd.window_known
            && raw_window != fwd.window
            && seq == next
            && same_ack
            && plain
        {
            flags |= analysis::WINDOW_UPDATE;
        }
        if seg_len > 0
            && rev.window_known
            && rev_window != 0
            && rev
                .last_ack
                .is_some_and(|a| seq_end == a.wrapping_add(rev_window))
        {
            flags |= analysis::WINDOW_FULL;
        }
        let pure_ack = seg_len == 0 && raw_window == fwd.window && seq == next && same_ack && plain;
        if pure_ack && rev.last_keep_alive {
            flags |= analysis::KEEP_ALIVE_ACK;
        } else if pure_ack && raw_window == 0 && rev.last_zero_window_probe {
            flags |= analysis::ZERO_WINDOW_PROBE_ACK;
        } else if pure_ack && flags & analysis::ZERO_WINDOW_PROBE == 0 {
            fwd.dup_acks += 1;
            flags |= analysis::DUPLICATE_ACK;
            dup_ack = Some((fwd.last_ack_frame, fwd.dup_acks));
        }
        // Data (or SYN/FIN) that does not advance the sequence: sent before.
        let carries = seg_len > 0 || syn || fin;
        if carries && !keep_alive && seq_lt(seq, next) && flags & analysis::ZERO_WINDOW_PROBE == 0 {
            let since_next = now.saturating_sub(fwd.next_seq_time);
            if rev.dup_acks >= 2 && rev.last_ack == Some(seq) {
                flags |= analysis::FAST_RETRANSMISSION;
            } else if since_next < ooo_threshold && next != seq_end {
                // Close behind the highest segment and not a copy of it: reordered.
                flags |= analysis::OUT_OF_ORDER;
            } else if rev.last_ack.is_some_and(|a| !seq_gt(seq_end, a)) && seg_len > 0 {
                flags |= analysis::SPURIOUS_RETRANSMISSION;
            } else {
                flags |= analysis::RETRANSMISSION;
            }
        }
        if ack_flag && rev.next_seq.is_some_and(|n| seq_gt(ack, n)) {
            flags |= analysis::ACK_LOST_SEGMENT;
        }
    }

    // Update this direction (a zero window probe does not move the edge).
    let probe = flags & analysis::ZERO_WINDOW_PROBE != 0;
    if !probe && fwd.next_seq.is_none_or(|n| seq_gt(seq_end, n)) {
        fwd.next_seq = Some(seq_end);
        fwd.next_seq_time = now;
    }
    if ack_flag && fwd.last_ack != Some(ack) {
        fwd.last_ack = Some(ack);
        fwd.last_ack_frame = frame_no;
        fwd.dup_acks = 0;
    } else if fwd.last_ack.is_none() {
        fwd.last_ack_frame = frame_no;
    }
    if flags & analysis::DUPLICATE_ACK == 0 && ack_flag && fwd.last_ack == Some(ack) {
        // A non-duplicate segment ends a run of duplicate ACKs.
        if seg_len > 0 || raw_window != fwd.window {
            fwd.dup_acks = 0;
        }
    }
    fwd.window = raw_window;
    fwd.window_known = true;
    fwd.last_keep_alive = flags & analysis::KEEP_ALIVE != 0;
    fwd.last_zero_window_probe = probe;
    fwd.fin_or_rst |= fin || rst;

    TcpAnnotation {
        stream,
        rel_seq: seq.wrapping_sub(base),
        rel_ack: if ack_flag {
            ack.wrapping_sub(rev_base)
        } else {
            0
        },
        nxtseq: seq_end.wrapping_sub(base),
        seg_len,
        window,
        scale,
        analysis: flags,
        dup_ack,
        tls_session: None,
    }
}

#[cfg(test)]
mod test {
    extern crate std;
    use super::*;
    use crate::{Frame, LinkType, dissect};
    use std::vec::Vec;

    /// Ethernet + IPv4 + TCP from 192.0.2.1:`sport` to 192.0.2.2:80.
    fn segment(sport: u16, seq: u32, ack: u32, flags: u8, payload: usize) -> Vec<u8> {
        let mut f = std::vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0];
        let total = (40 + payload) as u16;
        f.extend_from_slice(&[
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            0,
            0x40,
            0,
            64,
            6,
            0,
            0,
        ]);
        f.extend_from_slice(&[192, 0, 2, 1, 192, 0, 2, 2]);
        f.extend_from_slice(&sport.to_be_bytes());
        f.extend_from_slice(&[0, 80]);
        f.extend_from_slice(&seq.to_be_bytes());
        f.extend_from_slice(&ack.to_be_bytes());
        f.extend_from_slice(&[0x50, flags, 0x10, 0, 0, 0, 0, 0]);
        f.extend(core::iter::repeat_n(b'x', payload));
        f
    }

    fn track<const N: usize>(t: &mut TcpConversations<N>, bytes: &[u8], n: u32) -> TcpAnnotation {
        let mut frame = Frame::new(bytes, LinkType::ETHERNET);
        frame.number = n;
        let mut d = dissect(frame);
        t.track(&mut d);
        *d.tcp_annotation().unwrap()
    }

    #[test]
    fn test_relative_numbers_and_retransmission() {
        let mut t = TcpConversations::<8>::new();
        let syn = track(&mut t, &segment(5000, 100, 0, 0x02, 0), 1);
        assert_eq!((syn.stream, syn.rel_seq, syn.nxtseq), (0, 0, 1));
        let data = track(&mut t, &segment(5000, 101, 0, 0x18, 10), 2);
        assert_eq!((data.rel_seq, data.nxtseq, data.analysis), (1, 11, 0));
        let again = track(&mut t, &segment(5000, 101, 0, 0x18, 10), 3);
        assert!(again.has(analysis::RETRANSMISSION), "{again:?}");
    }

    #[test]
    fn test_full_table_evicts_the_oldest_and_counts() {
        let mut t = TcpConversations::<2>::new();
        for (i, port) in [5001u16, 5002, 5003].into_iter().enumerate() {
            let a = track(&mut t, &segment(port, 1, 0, 0x02, 0), i as u32 + 1);
            assert_eq!(a.stream, i as u32);
        }
        assert_eq!(t.evicted(), 1);
        assert_eq!(t.len(), 2);
        // The evicted conversation (5001) comes back as a new stream.
        let back = track(&mut t, &segment(5001, 2, 0, 0x10, 0), 4);
        assert_eq!(back.stream, 3);
        assert_eq!(t.evicted(), 2);
    }

    #[test]
    fn test_many_conversations_keep_their_streams() {
        let mut t = TcpConversations::<64>::new();
        for port in 0..48u16 {
            let a = track(
                &mut t,
                &segment(6000 + port, 1, 0, 0x02, 0),
                u32::from(port) + 1,
            );
            assert_eq!(a.stream, u32::from(port));
        }
        for port in (0..48u16).rev() {
            let a = track(
                &mut t,
                &segment(6000 + port, 2, 0, 0x10, 0),
                100 + u32::from(port),
            );
            assert_eq!(a.stream, u32::from(port));
        }
        assert_eq!(t.evicted(), 0);
        // A new SYN on a conversation with another ISN reuses the ports: a new stream.
        let reused = track(&mut t, &segment(6000, 900, 0, 0x02, 0), 200);
        assert_eq!(reused.stream, 48);
        let again = track(&mut t, &segment(6000, 901, 0, 0x10, 0), 201);
        assert_eq!(again.stream, 48);
    }
}
