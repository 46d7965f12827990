//! Turning a frame into layers, fields and expert notes.
//!
//! [`dissect`] walks the frame once, building a view per layer into a
//! fixed-capacity list; it never fails as a whole (what went wrong becomes an
//! [`Expert`] note). Fields are produced afterwards, on demand, by
//! [`Dissection::visit`].

mod checks;
mod expert;
mod layer;
mod ports;
mod walker;

pub(crate) use ports::{App, app_for_tcp};

pub use expert::{Expert, Severity};
pub use layer::{Layer, View};

use core::cell::Cell;
use core::fmt;
use core::iter::Peekable;

use crate::field::{Computed, Visitor};
use crate::proto::Protocol;
use crate::text::Sink;

/// At most this many layers are kept (a frame with more stops there, noted).
pub const MAX_LAYERS: usize = 16;
/// At most this many expert notes are kept; more are counted.
pub const MAX_EXPERTS: usize = 4;

/// A pcap link type (LINKTYPE_* numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    pub const NULL: LinkType = LinkType(0);
    pub const ETHERNET: LinkType = LinkType(1);
    pub const RAW: LinkType = LinkType(101);
    pub const LINUX_SLL: LinkType = LinkType(113);
    pub const IPV4: LinkType = LinkType(228);
    pub const IPV6: LinkType = LinkType(229);
    pub const LINUX_SLL2: LinkType = LinkType(276);

    /// True for the link types encap dissects.
    pub const fn is_supported(self) -> bool {
        matches!(self.0, 0 | 1 | 101 | 113 | 228 | 229 | 276)
    }

    pub const fn name(self) -> &'static str {
        match self.0 {
            0 => "BSD loopback",
            1 => "Ethernet",
            101 => "Raw IP",
            113 => "Linux cooked (SLL)",
            228 => "Raw IPv4",
            229 => "Raw IPv6",
            276 => "Linux cooked v2 (SLL2)",
            _ => "unsupported",
        }
    }
}

/// A captured frame and what the capture file says about it.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// The captured bytes (possibly cut by the snap length).
    pub data: &'a [u8],
    /// The length on the wire.
    pub orig_len: u32,
    pub link_type: LinkType,
    /// 1-based frame number.
    pub number: u32,
    /// Capture time: seconds and nanoseconds since the Unix epoch.
    pub timestamp: (i64, u32),
}

impl<'a> Frame<'a> {
    pub fn new(data: &'a [u8], link_type: LinkType) -> Self {
        Frame {
            data,
            orig_len: data.len() as u32,
            link_type,
            number: 1,
            timestamp: (0, 0),
        }
    }

    /// True when the snap length cut the frame short.
    #[inline]
    pub fn is_cut(&self) -> bool {
        (self.data.len() as u64) < u64::from(self.orig_len)
    }
}

/// What tracking across frames stored in one frame's dissection (see
/// [`Dissection::tracked`]): small and `Copy`, to send beside the frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tracked {
    pub(crate) tcp: Option<crate::conversation::TcpAnnotation>,
    pub(crate) echo_request: Option<u32>,
    pub(crate) answered_head: bool,
}

/// The result of dissecting one frame: its layers in order and its notes.
#[derive(Clone)]
pub struct Dissection<'a> {
    frame: Frame<'a>,
    layers: [Layer<'a>; MAX_LAYERS],
    layer_count: usize,
    experts: [Option<Expert>; MAX_EXPERTS],
    expert_count: usize,
    /// Notes that did not fit.
    experts_dropped: u16,
    /// Layers (a bit each) whose contents the walk left to check until a note
    /// is asked for (see `checks`); cleared once they are found clean.
    unchecked: Cell<u16>,
    /// Which of the results below this frame has (the [`found`] bits); the
    /// others hold an earlier frame's. Reusing a dissection resets this one
    /// byte, where a store a field took a tenth of the walk's time.
    found: u8,
    /// The first line tshark shows for a pending PDU (HTTP's start line).
    pdu_head: &'a [u8],
    /// What the TCP conversation table said about the segment, once tracked.
    tcp: crate::conversation::TcpAnnotation,
    /// For an echo reply: the frame of its request, once tracked.
    echo_request: u32,
    /// Why the last layer is [`View::Truncated`] (the walk stops there, so one suffices).
    stopped_by: crate::wire::Error,
    /// A protocol that looked at the bytes and refused them (a wrong IP version):
    /// it is not a layer, but a filter naming it matches, as in Wireshark.
    rejected: Protocol,
}

/// Bits of [`Dissection::found`].
mod found {
    /// An application PDU starts here but continues in later segments
    /// (tshark: "[TCP segment of a reassembled PDU]").
    pub const PDU_PENDING: u8 = 1 << 0;
    pub const PDU_HEAD: u8 = 1 << 1;
    pub const TCP: u8 = 1 << 2;
    pub const ECHO_REQUEST: u8 = 1 << 3;
    /// Tracking knew a pending HTTP response answers HEAD and dissected it.
    pub const ANSWERED_HEAD: u8 = 1 << 4;
    pub const STOPPED_BY: u8 = 1 << 5;
    pub const REJECTED: u8 = 1 << 6;
}

impl fmt::Debug for Dissection<'_> {
    /// What the dissection holds for its frame (not what earlier frames left).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dissection")
            .field("frame", &self.frame)
            .field(
                "layers",
                &self.layers.get(..self.layer_count).unwrap_or(&[]),
            )
            .field(
                "experts",
                &self.experts.get(..self.expert_count).unwrap_or(&[]),
            )
            .field("experts_dropped", &self.experts_dropped)
            .field("unchecked", &self.unchecked)
            .field("pdu_pending", &self.pdu_pending())
            .field("pdu_head", &self.pdu_head())
            .field("tcp", &self.tcp_annotation())
            .field("echo_request", &self.echo_request())
            .field("answered_head", &self.has_found(found::ANSWERED_HEAD))
            .field("stopped_by", &self.stopped_by())
            .field("rejected", &self.rejected())
            .finish()
    }
}

/// Dissects one frame. Checks of a layer's contents that only add notes
/// (TCP options, every DNS record, DHCP options, ICMPv6 options) wait until
/// a note is asked for.
#[inline]
pub fn dissect(frame: Frame<'_>) -> Dissection<'_> {
    let mut d = Dissection::empty(frame);
    walker::walk::<false>(&mut d, true);
    d
}

/// Dissects one frame and hands the result to `f`, where it was built: a
/// caller that only reads it (an edge filter) saves [`dissect`]'s move of
/// the whole result, a copy of ~1.2 KiB a frame (and on a board, of stack).
#[inline]
pub fn dissect_with<R>(frame: Frame<'_>, f: impl FnOnce(&Dissection<'_>) -> R) -> R {
    let mut d = Dissection::empty(frame);
    walker::walk::<false>(&mut d, true);
    f(&d)
}

/// [`dissect`] without the walk's fast path for the common shape of frame:
/// for the tests and the fuzz target that hold the two walks equal.
#[doc(hidden)]
pub fn dissect_general(frame: Frame<'_>) -> Dissection<'_> {
    let mut d = Dissection::empty(frame);
    walker::walk_general(&mut d);
    d
}

/// Dissects `frame` into `d`, reusing its storage: nothing is zeroed or copied
/// but what the walk writes (the fast form for a loop over frames of one buffer).
pub fn dissect_into<'a>(frame: Frame<'a>, d: &mut Dissection<'a>) {
    dissect_to::<false>(frame, d, true);
}

/// [`dissect_into`] with every check of the contents run during the walk:
/// for a caller that reads every frame's notes (a packet list counts the
/// malformed frames and writes Info), for which deferring them costs more.
pub fn dissect_into_noted<'a>(frame: Frame<'a>, d: &mut Dissection<'a>) {
    dissect_to::<false>(frame, d, false);
}

/// [`dissect_into`], going only as deep as the trackers' clues with
/// `CLUES_ONLY` (see the walker).
#[inline(always)]
pub(crate) fn dissect_to<'a, const CLUES_ONLY: bool>(
    frame: Frame<'a>,
    d: &mut Dissection<'a>,
    defer_checks: bool,
) {
    d.frame = frame;
    d.layer_count = 0;
    d.expert_count = 0;
    d.experts_dropped = 0;
    d.unchecked.set(0);
    d.found = 0;
    walker::walk::<CLUES_ONLY>(d, defer_checks);
}

impl<'a> Dissection<'a> {
    #[inline(always)]
    fn empty(frame: Frame<'a>) -> Self {
        Dissection {
            frame,
            layers: [Layer::EMPTY; MAX_LAYERS],
            layer_count: 0,
            experts: [None; MAX_EXPERTS],
            expert_count: 0,
            experts_dropped: 0,
            unchecked: Cell::new(0),
            found: 0,
            pdu_head: &[],
            tcp: crate::conversation::TcpAnnotation::default(),
            echo_request: 0,
            stopped_by: crate::wire::Error::truncated(
                Protocol::Frame,
                0,
                0,
                crate::wire::LenSource::Slice,
            ),
            rejected: Protocol::Frame,
        }
    }

    pub fn frame(&self) -> &Frame<'a> {
        &self.frame
    }

    /// The layers, outermost first.
    pub fn layers(&self) -> impl DoubleEndedIterator<Item = &Layer<'a>> + Clone {
        self.layers.get(..self.layer_count).unwrap_or(&[]).iter()
    }

    pub fn layer_count(&self) -> usize {
        self.layer_count
    }

    /// The first layer of that protocol.
    pub fn find(&self, protocol: Protocol) -> Option<&Layer<'a>> {
        self.layers().find(|l| l.protocol == protocol)
    }

    /// True if any layer is of that protocol.
    pub fn has(&self, protocol: Protocol) -> bool {
        self.find(protocol).is_some()
    }

    /// The notes, in the order the walk met them (at most [`MAX_EXPERTS`]).
    pub fn experts(&self) -> impl Iterator<Item = Expert> + '_ {
        self.settle_checks();
        Merge {
            stored: self.stored_experts().copied().peekable(),
            deferred: self.deferred_notes().peekable(),
        }
        .take(MAX_EXPERTS)
    }

    /// True if a note satisfies `test` (among those [`experts`](Self::experts) gives).
    #[inline]
    fn any_expert(&self, test: impl Fn(&Expert) -> bool) -> bool {
        self.settle_checks();
        if self.unchecked.get() == 0 {
            // The stored notes alone: at most `MAX_EXPERTS` of them.
            return self.stored_experts().any(test);
        }
        self.experts().any(|e| test(&e))
    }

    /// The notes the deferred checks find, layer by layer.
    fn deferred_notes(&self) -> impl Iterator<Item = Expert> + '_ {
        // The slots, not `layers()`: a retransmission's dropped layers keep
        // their notes, as a walk that checked them at once had made them.
        Bits(self.unchecked.get())
            .filter_map(|i| Some((i, self.layers.get(i)?)))
            .flat_map(|(i, l)| checks::notes_of(self, i, l).into_iter().flatten())
    }

    /// Runs the deferred checks once found clean (as nearly always): then
    /// they are forgotten. A check that finds a note runs again when asked.
    #[inline]
    fn settle_checks(&self) {
        if self.unchecked.get() != 0 && self.deferred_notes().next().is_none() {
            self.unchecked.set(0);
        }
    }

    /// Marks the last layer's contents as left to check.
    #[inline]
    fn defer_check(&mut self) {
        if let Some(last) = self.layer_count.checked_sub(1) {
            let bit = 1u16.checked_shl(last as u32).unwrap_or(0);
            self.unchecked.set(self.unchecked.get() | bit);
        }
    }

    /// Checks the last layer's contents now, noting what they find.
    fn check_last(&mut self) {
        let Some(last) = self.layer_count.checked_sub(1) else {
            return;
        };
        let Some(layer) = self.layers.get(last).copied() else {
            return;
        };
        for note in checks::notes_of(self, last, &layer).into_iter().flatten() {
            self.push_expert(note);
        }
    }

    /// The notes the walk stored (those it did not defer).
    fn stored_experts(&self) -> impl Iterator<Item = &Expert> {
        self.experts.iter().take(self.expert_count).flatten()
    }

    /// The TCP conversation's view of this frame's segment, once tracked
    /// ([`crate::conversation::TcpConversations::track`]).
    pub fn tcp_annotation(&self) -> Option<&crate::conversation::TcpAnnotation> {
        self.has_found(found::TCP).then_some(&self.tcp)
    }

    /// For an echo reply: the frame of its request (see [`crate::echo::EchoTable`]).
    pub fn echo_request(&self) -> Option<u32> {
        self.has_found(found::ECHO_REQUEST)
            .then_some(self.echo_request)
    }

    pub(crate) fn set_echo_request(&mut self, frame: u32) {
        self.echo_request = frame;
        self.found |= found::ECHO_REQUEST;
    }

    #[inline(always)]
    fn has_found(&self, bits: u8) -> bool {
        self.found & bits != 0
    }

    /// Stores what the conversation table said; tshark does not hand a
    /// retransmitted or reordered payload to a dissector (a fast retransmission it
    /// does), so such a segment's layers end at TCP.
    pub(crate) fn set_tcp_annotation(&mut self, a: crate::conversation::TcpAnnotation) {
        use crate::conversation::analysis;
        self.tcp = a;
        self.found |= found::TCP;
        if a.analysis & (analysis::RETRANSMISSION | analysis::OUT_OF_ORDER) == 0 {
            return;
        }
        let tcp = self
            .layers()
            .find(|l| !l.in_error && l.protocol == Protocol::Tcp)
            .map(|l| l.offset);
        if let Some(offset) = tcp {
            self.drop_layers_after(offset);
        }
    }

    /// What tracking stored in this dissection, to [`replay`](Self::replay) on a
    /// fresh dissection of the same frame (another thread's, say) without the tables.
    pub fn tracked(&self) -> Tracked {
        Tracked {
            tcp: self.tcp_annotation().copied(),
            echo_request: self.echo_request(),
            answered_head: self.has_found(found::ANSWERED_HEAD),
        }
    }

    /// Applies what [`tracked`](Self::tracked) returned for the same frame: the
    /// result equals the dissection the tracker annotated.
    pub fn replay(&mut self, t: Tracked) {
        if t.answered_head {
            self.accept_pending_http();
        }
        if let Some(a) = t.tcp {
            self.set_tcp_annotation(a);
        }
        match t.echo_request {
            Some(frame) => self.set_echo_request(frame),
            None => self.found &= !found::ECHO_REQUEST,
        }
    }

    /// Dissects a pending HTTP response now (it answers HEAD: no body will come).
    pub(crate) fn accept_pending_http(&mut self) {
        self.found |= found::ANSWERED_HEAD;
        let payload = self.layers().find_map(|l| match l.view {
            View::Tcp(t) if !l.in_error => Some(t.payload()),
            _ => None,
        });
        let Some(data) = payload else {
            return;
        };
        if let Some(m) = crate::wire::http::HttpMessage::parse(data) {
            self.found &= !(found::PDU_PENDING | found::PDU_HEAD);
            let offset = (data.as_ptr() as usize).wrapping_sub(self.frame.data.as_ptr() as usize);
            let _ = self.push_layer(Layer {
                protocol: Protocol::Http,
                view: View::Http(m),
                offset,
                len: data.len(),
                in_error: false,
            });
        }
    }

    /// Forgets the layers that start after `offset` (a retransmission's payload).
    pub(crate) fn drop_layers_after(&mut self, offset: usize) {
        let keep = self.layers().take_while(|l| l.offset <= offset).count();
        self.layer_count = keep.min(self.layer_count);
        self.found &= !(found::PDU_PENDING | found::PDU_HEAD);
    }

    /// True when the TCP payload begins a PDU that later segments complete.
    pub fn pdu_pending(&self) -> bool {
        self.has_found(found::PDU_PENDING)
    }

    /// The first line of such a pending PDU, when tshark shows it.
    pub fn pdu_head(&self) -> Option<&'a [u8]> {
        self.has_found(found::PDU_HEAD).then_some(self.pdu_head)
    }

    /// A protocol that refused the bytes handed to it (see the field's docs).
    pub fn rejected(&self) -> Option<Protocol> {
        self.has_found(found::REJECTED).then_some(self.rejected)
    }

    /// Why the last layer could not be read whole, when it could not.
    pub fn stopped_by(&self) -> Option<&crate::wire::Error> {
        self.has_found(found::STOPPED_BY)
            .then_some(&self.stopped_by)
    }

    /// Marks a PDU pending, with the line tshark shows for it if any.
    fn set_pdu_pending(&mut self, head: Option<&'a [u8]>) {
        self.found |= found::PDU_PENDING;
        if let Some(head) = head {
            self.pdu_head = head;
            self.found |= found::PDU_HEAD;
        }
    }

    fn set_stopped_by(&mut self, err: crate::wire::Error) {
        self.stopped_by = err;
        self.found |= found::STOPPED_BY;
    }

    fn set_rejected(&mut self, protocol: Protocol) {
        self.rejected = protocol;
        self.found |= found::REJECTED;
    }

    pub fn experts_dropped(&self) -> u16 {
        self.settle_checks();
        let all = match self.unchecked.get() {
            0 => self.expert_count,
            _ => self.expert_count + self.deferred_notes().count(),
        };
        let over = all.saturating_sub(MAX_EXPERTS) as u16;
        self.experts_dropped.saturating_add(over)
    }

    /// True when a layer broke its protocol (Wireshark's `_ws.malformed`).
    #[inline]
    pub fn is_malformed(&self) -> bool {
        self.any_expert(|e| matches!(e.severity, Severity::Malformed | Severity::Exception))
    }

    /// True when a layer stopped on malformed bytes (Info gets "[Malformed Packet]").
    #[inline]
    pub fn has_exception(&self) -> bool {
        self.any_expert(|e| e.severity == Severity::Exception)
    }

    /// True when the snap length cut a layer short.
    pub fn is_cut(&self) -> bool {
        self.any_expert(|e| e.severity == Severity::Cut)
    }

    fn push_layer(&mut self, layer: Layer<'a>) -> bool {
        match self.layers.get_mut(self.layer_count) {
            Some(slot) => {
                *slot = layer;
                self.layer_count += 1;
                true
            }
            None => false,
        }
    }

    fn push_expert(&mut self, expert: Expert) {
        match self.experts.get_mut(self.expert_count) {
            Some(slot) => {
                *slot = Some(expert);
                self.expert_count += 1;
            }
            None => self.experts_dropped = self.experts_dropped.saturating_add(1),
        }
    }

    /// Where the enclosing IP packet ends by its length field, for a layer at `offset`.
    pub fn ip_end(&self, layer: &Layer<'a>) -> Option<usize> {
        self.layers()
            .filter(|l| l.in_error == layer.in_error && l.offset < layer.offset)
            .filter_map(|l| match l.view {
                View::Ipv4(ip) if ip.total_len() != 0 => {
                    Some(l.offset + usize::from(ip.total_len()))
                }
                View::Ipv6(ip) => {
                    Some(l.offset + crate::wire::ipv6::HEADER_LEN + usize::from(ip.payload_len()))
                }
                _ => None,
            })
            .next_back()
    }

    /// A TCP segment's payload length by IP's length fields (tshark's `tcp.len`).
    pub fn segment_len(&self, layer: &Layer<'a>) -> Option<usize> {
        let View::Tcp(t) = layer.view else {
            return None;
        };
        let start = layer.offset + t.header_len();
        Some(match self.ip_end(layer) {
            Some(end) => end.saturating_sub(start),
            None => t.payload().len(),
        })
    }

    /// Calls `v` for every field of every layer, in frame order.
    #[cfg(feature = "fields")]
    pub fn visit<V: Visitor<'a>>(&self, v: &mut V) {
        crate::dissectors::visit(self, v);
    }

    /// Writes a value computed from the whole dissection.
    pub fn write_computed<W: Sink + ?Sized>(&self, c: Computed, w: &mut W) -> fmt::Result {
        match c {
            Computed::Protocols => self.write_protocols(w),
            #[cfg(feature = "display")]
            Computed::ColProtocol => crate::summary::write_protocol(self, w),
            #[cfg(feature = "display")]
            Computed::ColInfo => crate::summary::write_info(self, w),
            #[cfg(feature = "display")]
            Computed::ColSource => crate::summary::write_source(self, w),
            #[cfg(feature = "display")]
            Computed::ColDestination => crate::summary::write_destination(self, w),
        }
    }

    /// `frame.protocols`: the protocol names joined with `:`.
    pub fn write_protocols<W: Sink + ?Sized>(&self, w: &mut W) -> fmt::Result {
        for (i, layer) in self.layers().enumerate() {
            if i > 0 {
                w.write_char(':')?;
            }
            w.write_str(layer.protocol.short_name())?;
            // tshark's IGMP hands each version to a sub-dissector registered as "igmp" too.
            if matches!(layer.view, View::Igmp(_)) {
                w.write_str(":igmp")?;
            }
        }
        Ok(())
    }
}

/// Stored notes and deferred ones, each in layer order, merged in the order
/// a walk that checked at once met them: a layer's deferred notes first, as
/// its checks ran right after the layer was added.
struct Merge<A: Iterator<Item = Expert>, B: Iterator<Item = Expert>> {
    stored: Peekable<A>,
    deferred: Peekable<B>,
}

impl<A: Iterator<Item = Expert>, B: Iterator<Item = Expert>> Iterator for Merge<A, B> {
    type Item = Expert;

    fn next(&mut self) -> Option<Expert> {
        match (self.stored.peek(), self.deferred.peek()) {
            (Some(s), Some(d)) if s.layer < d.layer => self.stored.next(),
            (Some(_), Some(_)) | (None, _) => self.deferred.next(),
            (Some(_), None) => self.stored.next(),
        }
    }
}

/// The indexes of a mask's set bits, lowest first.
struct Bits(u16);

impl Iterator for Bits {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let i = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(i)
    }
}
