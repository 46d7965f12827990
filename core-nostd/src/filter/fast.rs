//! The fast path: the fields filters name most, read straight from the layer
//! views instead of by visiting every field of a layer. A test
//! (`cli/tests/fast_path.rs`) holds every value here equal to the visitor's on
//! every frame of `captures/`.

use crate::dissect::{Dissection, Layer, View};
use crate::dissectors::{eth, frame, icmp, icmpv6, ip, ipv6, stp, tcp, udp};
use crate::field::{FieldDef, Value};
use crate::proto::Protocol;

use super::seen::Seen;
use crate::wire::MacAddr;
use crate::wire::tcp as wtcp;

/// A field with a fast path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fast {
    FrameNumber,
    FrameLen,
    FrameCapLen,
    EthSrc,
    EthDst,
    EthAddr,
    EthType,
    IpSrc,
    IpDst,
    IpAddr,
    IpProto,
    IpTtl,
    IpLen,
    IpChecksumStatus,
    Ipv6Src,
    Ipv6Dst,
    Ipv6Addr,
    Ipv6Nxt,
    Ipv6Hlim,
    TcpSrcport,
    TcpDstport,
    TcpPort,
    TcpFlags,
    TcpFlag(u16),
    TcpLen,
    TcpChecksumStatus,
    TcpStream,
    TcpAnalysisFlags,
    TcpAnalysis(u16),
    UdpSrcport,
    UdpDstport,
    UdpPort,
    UdpLength,
    UdpChecksumStatus,
    IcmpType,
    IcmpCode,
    Icmpv6Type,
    Icmpv6Code,
    StpType,
    DnsQryName,
    HttpHost,
}

/// The fast path of `def`, if it has one.
pub(crate) fn fast_of(def: &FieldDef) -> Option<Fast> {
    use crate::conversation::analysis as a;
    let table: [(&FieldDef, Fast); 54] = [
        (&crate::dissectors::dns::hf::QRY_NAME, Fast::DnsQryName),
        (&crate::dissectors::http::hf::HOST, Fast::HttpHost),
        (&frame::hf::NUMBER, Fast::FrameNumber),
        (&frame::hf::LEN, Fast::FrameLen),
        (&frame::hf::CAP_LEN, Fast::FrameCapLen),
        (&eth::hf::SRC, Fast::EthSrc),
        (&eth::hf::DST, Fast::EthDst),
        (&eth::hf::ADDR, Fast::EthAddr),
        (&eth::hf::TYPE, Fast::EthType),
        (&ip::hf::SRC, Fast::IpSrc),
        (&ip::hf::DST, Fast::IpDst),
        (&ip::hf::ADDR, Fast::IpAddr),
        (&ip::hf::PROTO, Fast::IpProto),
        (&ip::hf::TTL, Fast::IpTtl),
        (&ip::hf::LEN, Fast::IpLen),
        (&ip::hf::CHECKSUM_STATUS, Fast::IpChecksumStatus),
        (&ipv6::hf::SRC, Fast::Ipv6Src),
        (&ipv6::hf::DST, Fast::Ipv6Dst),
        (&ipv6::hf::ADDR, Fast::Ipv6Addr),
        (&ipv6::hf::NXT, Fast::Ipv6Nxt),
        (&ipv6::hf::HLIM, Fast::Ipv6Hlim),
        (&tcp::hf::SRCPORT, Fast::TcpSrcport),
        (&tcp::hf::DSTPORT, Fast::TcpDstport),
        (&tcp::hf::PORT, Fast::TcpPort),
        (&tcp::hf::FLAGS, Fast::TcpFlags),
        (&tcp::hf::FLAGS_RES, Fast::TcpFlag(0xe00)),
        (&tcp::hf::FLAGS_NS, Fast::TcpFlag(wtcp::FLG_AE)),
        (&tcp::hf::FLAGS_CWR, Fast::TcpFlag(wtcp::FLG_CWR)),
        (&tcp::hf::FLAGS_ECN, Fast::TcpFlag(wtcp::FLG_ECE)),
        (&tcp::hf::FLAGS_URG, Fast::TcpFlag(wtcp::FLG_URG)),
        (&tcp::hf::FLAGS_ACK, Fast::TcpFlag(wtcp::FLG_ACK)),
        (&tcp::hf::FLAGS_PUSH, Fast::TcpFlag(wtcp::FLG_PSH)),
        (&tcp::hf::FLAGS_RESET, Fast::TcpFlag(wtcp::FLG_RST)),
        (&tcp::hf::FLAGS_SYN, Fast::TcpFlag(wtcp::FLG_SYN)),
        (&tcp::hf::FLAGS_FIN, Fast::TcpFlag(wtcp::FLG_FIN)),
        (&tcp::hf::LEN, Fast::TcpLen),
        (&tcp::hf::CHECKSUM_STATUS, Fast::TcpChecksumStatus),
        (&tcp::hf::STREAM, Fast::TcpStream),
        (&tcp::hf::ANALYSIS_FLAGS, Fast::TcpAnalysisFlags),
        (
            &tcp::hf::ANALYSIS_RETRANSMISSION,
            Fast::TcpAnalysis(a::RETRANSMISSION),
        ),
        (
            &tcp::hf::ANALYSIS_WINDOW_UPDATE,
            Fast::TcpAnalysis(a::WINDOW_UPDATE),
        ),
        (
            &tcp::hf::ANALYSIS_KEEP_ALIVE,
            Fast::TcpAnalysis(a::KEEP_ALIVE),
        ),
        (
            &tcp::hf::ANALYSIS_KEEP_ALIVE_ACK,
            Fast::TcpAnalysis(a::KEEP_ALIVE_ACK),
        ),
        (
            &tcp::hf::ANALYSIS_DUPLICATE_ACK,
            Fast::TcpAnalysis(a::DUPLICATE_ACK),
        ),
        (&udp::hf::SRCPORT, Fast::UdpSrcport),
        (&udp::hf::DSTPORT, Fast::UdpDstport),
        (&udp::hf::PORT, Fast::UdpPort),
        (&udp::hf::LENGTH, Fast::UdpLength),
        (&udp::hf::CHECKSUM_STATUS, Fast::UdpChecksumStatus),
        (&icmp::hf::TYPE, Fast::IcmpType),
        (&icmp::hf::CODE, Fast::IcmpCode),
        (&icmpv6::hf::TYPE, Fast::Icmpv6Type),
        (&icmpv6::hf::CODE, Fast::Icmpv6Code),
        (&stp::hf::TYPE, Fast::StpType),
    ];
    table.iter().find(|(d, _)| d.is(def)).map(|(_, f)| *f)
}

/// The protocols whose fields the fast path cannot read in this frame (bit =
/// `Protocol as u8`): the header the walk stopped in, whose fields that fit
/// are the visitor's business. Every other layer is whole and read exactly.
pub(crate) fn unreadable(d: &Dissection<'_>) -> u64 {
    if d.stopped_by().is_none() {
        return 0;
    }
    match d.layers().next_back() {
        Some(last) if matches!(last.view, View::Truncated { .. }) => 1u64 << (last.protocol as u8),
        _ => u64::MAX,
    }
}

/// A checksum's status: encap does not verify checksums (nor does tshark by
/// default), so it is always 2, "Unverified".
const UNVERIFIED: u64 = 2;

impl Fast {
    /// The protocol whose layers hold the field.
    pub(super) fn protocol(self) -> Protocol {
        use Fast::*;
        match self {
            FrameNumber | FrameLen | FrameCapLen => Protocol::Frame,
            EthSrc | EthDst | EthAddr | EthType => Protocol::Eth,
            IpSrc | IpDst | IpAddr | IpProto | IpTtl | IpLen | IpChecksumStatus => Protocol::Ip,
            Ipv6Src | Ipv6Dst | Ipv6Addr | Ipv6Nxt | Ipv6Hlim => Protocol::Ipv6,
            TcpSrcport | TcpDstport | TcpPort | TcpFlags | TcpFlag(_) | TcpLen
            | TcpChecksumStatus | TcpStream | TcpAnalysisFlags | TcpAnalysis(_) => Protocol::Tcp,
            UdpSrcport | UdpDstport | UdpPort | UdpLength | UdpChecksumStatus => Protocol::Udp,
            IcmpType | IcmpCode => Protocol::Icmp,
            Icmpv6Type | Icmpv6Code => Protocol::Icmpv6,
            StpType => Protocol::Stp,
            DnsQryName => Protocol::Dns,
            HttpHost => Protocol::Http,
        }
    }

    /// Where the field sits in its header, for the fields at a fixed place.
    pub(crate) const fn wire(self) -> Option<Wire> {
        use Kind::*;
        use Protocol::{Eth, Icmp, Icmpv6, Ip, Ipv6, Stp, Tcp, Udp};
        Some(match self {
            Fast::EthDst => Wire::at(Eth, &[0], 6, Mac),
            Fast::EthSrc => Wire::at(Eth, &[6], 6, Mac),
            Fast::EthAddr => Wire::at(Eth, &[0, 6], 6, Mac),
            Fast::IpLen => Wire::at(Ip, &[2], 2, Uint),
            Fast::IpTtl => Wire::at(Ip, &[8], 1, Uint),
            Fast::IpProto => Wire::at(Ip, &[9], 1, Uint),
            Fast::IpSrc => Wire::at(Ip, &[12], 4, Ipv4),
            Fast::IpDst => Wire::at(Ip, &[16], 4, Ipv4),
            Fast::IpAddr => Wire::at(Ip, &[12, 16], 4, Ipv4),
            Fast::Ipv6Nxt => Wire::at(Ipv6, &[6], 1, Uint),
            Fast::Ipv6Hlim => Wire::at(Ipv6, &[7], 1, Uint),
            Fast::TcpSrcport => Wire::at(Tcp, &[0], 2, Uint),
            Fast::TcpDstport => Wire::at(Tcp, &[2], 2, Uint),
            Fast::TcpPort => Wire::at(Tcp, &[0, 2], 2, Uint),
            Fast::TcpFlags => Wire::at(Tcp, &[12], 2, Uint).masked(0x0fff),
            Fast::TcpFlag(bit) => Wire::at(Tcp, &[12], 2, Flag).masked(bit),
            Fast::UdpSrcport => Wire::at(Udp, &[0], 2, Uint),
            Fast::UdpDstport => Wire::at(Udp, &[2], 2, Uint),
            Fast::UdpPort => Wire::at(Udp, &[0, 2], 2, Uint),
            Fast::UdpLength => Wire::at(Udp, &[4], 2, Uint),
            Fast::IcmpType => Wire::at(Icmp, &[0], 1, Uint),
            Fast::IcmpCode => Wire::at(Icmp, &[1], 1, Uint),
            Fast::Icmpv6Type => Wire::at(Icmpv6, &[0], 1, Uint),
            Fast::Icmpv6Code => Wire::at(Icmpv6, &[1], 1, Uint),
            Fast::StpType => Wire::at(Stp, &[3], 1, Uint),
            _ => return None,
        })
    }

    /// The one value every occurrence has, for a field encap never computes.
    pub(crate) fn constant(self) -> Option<u64> {
        match self {
            Fast::IpChecksumStatus | Fast::TcpChecksumStatus | Fast::UdpChecksumStatus => {
                Some(UNVERIFIED)
            }
            _ => None,
        }
    }
}

/// How a number read from the wire is shown as a field value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Uint,
    /// True when any bit of the mask is set.
    Flag,
    Mac,
    Ipv4,
}

/// A field at a fixed place in its layer's header: `width` bytes (at most 8)
/// at each offset, masked. Read without looking at the layer's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Wire {
    pub protocol: Protocol,
    offsets: [u8; 2],
    count: u8,
    width: u8,
    pub kind: Kind,
    /// The bits that are the field (0: all of them).
    mask: u16,
}

impl Wire {
    const fn at(protocol: Protocol, offsets: &[u8], width: u8, kind: Kind) -> Wire {
        Wire {
            protocol,
            offsets: match offsets {
                [a, b, ..] => [*a, *b],
                [a] => [*a, 0],
                [] => [0, 0],
            },
            count: offsets.len() as u8,
            width,
            kind,
            mask: 0,
        }
    }

    /// `width` bytes (1 to 8) at `start` of a protocol's bytes: a slice of a
    /// protocol tested with `&` (`eth[0] & 1`).
    pub const fn slice(protocol: Protocol, start: u8, width: u8) -> Wire {
        Wire::at(protocol, &[start], width, Kind::Uint)
    }

    const fn masked(self, mask: u16) -> Wire {
        Wire { mask, ..self }
    }

    /// [`Wire::numbers_at`] for a field `W` bytes wide: with the width known,
    /// each read is one load.
    #[cfg(not(target_os = "none"))]
    #[inline(always)]
    pub fn numbers_of_width<const W: usize>(&self, data: &[u8], start: usize, f: impl FnMut(u64)) {
        self.each_number(
            start,
            |at| data.get(at..)?.first_chunk::<W>().map(|b| be_number(b)),
            f,
        );
    }

    /// Its width in bytes.
    #[cfg(not(target_os = "none"))]
    pub fn width(&self) -> u8 {
        self.width
    }

    /// Its places in the header, its width in bytes and the bits that are the field.
    pub fn layout(&self) -> (&[u8], u8, u64) {
        let mask = match self.mask {
            0 => u64::MAX,
            m => u64::from(m),
        };
        let offsets = self.offsets.get(..usize::from(self.count)).unwrap_or(&[]);
        (offsets, self.width, mask)
    }

    /// The number a field's value is on the wire, as [`Wire::numbers`] reads it.
    pub fn number_of(&self, value: &Value<'_>) -> Option<u64> {
        match (self.kind, value) {
            (Kind::Uint | Kind::Flag, Value::Uint(v)) => Some(*v),
            (Kind::Flag | Kind::Uint, Value::Bool(b)) => Some(u64::from(*b)),
            (Kind::Mac, Value::Mac(m)) => {
                Some(m.0.iter().fold(0, |acc, &b| acc << 8 | u64::from(b)))
            }
            (Kind::Ipv4, Value::Ipv4(a)) => Some(u64::from(u32::from(*a))),
            _ => None,
        }
    }

    /// Calls `f` with the number at each place, in frame order.
    #[inline(always)]
    pub fn numbers(&self, d: &Dissection<'_>, seen: &Seen, mut f: impl FnMut(u64)) {
        let data = d.frame().data;
        seen.each_layer(d, self.protocol, |layer| {
            self.numbers_at(data, layer.offset, &mut f)
        });
    }

    /// Calls `f` with the number at each place of the header at `start` of `data`.
    #[inline(always)]
    pub fn numbers_at(&self, data: &[u8], start: usize, f: impl FnMut(u64)) {
        let width = usize::from(self.width);
        self.each_number(start, |at| data.get(at..at + width).map(be_number), f);
    }

    /// Calls `f` with the field's value at each place, its bytes read by
    /// `read` (`None`: not there).
    #[inline(always)]
    fn each_number(
        &self,
        start: usize,
        read: impl Fn(usize) -> Option<u64>,
        mut f: impl FnMut(u64),
    ) {
        let (offsets, _, mask) = self.layout();
        for &offset in offsets {
            if let Some(v) = read(start + usize::from(offset)) {
                let v = v & mask;
                f(if self.kind == Kind::Flag {
                    u64::from(v != 0)
                } else {
                    v
                });
            }
        }
    }
}

/// The big-endian number in `bytes` (the widths of [`Wire`] fields).
#[inline(always)]
fn be_number(bytes: &[u8]) -> u64 {
    match *bytes {
        [a] => u64::from(a),
        [a, b] => u64::from(u16::from_be_bytes([a, b])),
        [a, b, c, d] => u64::from(u32::from_be_bytes([a, b, c, d])),
        _ => super::parser::be_uint(bytes),
    }
}

/// Calls `f` with every value of the field, in frame order.
#[inline]
pub(crate) fn for_each<'a>(
    fast: Fast,
    d: &Dissection<'a>,
    seen: &Seen,
    f: &mut impl FnMut(Value<'a>),
) {
    let frame = d.frame();
    match fast {
        Fast::FrameNumber => f(Value::Uint(frame.number.into())),
        Fast::FrameLen => f(Value::Uint(frame.orig_len.into())),
        Fast::FrameCapLen => f(Value::Uint(frame.data.len() as u64)),
        _ => match fast.wire() {
            Some(wire) => wire.numbers(d, seen, |v| f(typed(wire.kind, v))),
            None => seen.each_layer(d, fast.protocol(), |layer| each_in_layer(fast, d, layer, f)),
        },
    }
}

/// A number read from the wire as the visitor shows it.
fn typed<'a>(kind: Kind, v: u64) -> Value<'a> {
    match kind {
        Kind::Uint => Value::Uint(v),
        Kind::Flag => Value::Bool(v != 0),
        Kind::Mac => {
            let b = v.to_be_bytes();
            Value::Mac(MacAddr([b[2], b[3], b[4], b[5], b[6], b[7]]))
        }
        Kind::Ipv4 => Value::Ipv4(core::net::Ipv4Addr::from(v as u32)),
    }
}

fn each_in_layer<'a>(
    fast: Fast,
    d: &Dissection<'a>,
    layer: &Layer<'a>,
    f: &mut impl FnMut(Value<'a>),
) {
    let uint = |v: u64| Value::Uint(v);
    let unverified = || Value::Uint(UNVERIFIED);
    match (fast, &layer.view) {
        (Fast::EthType, View::Eth(e)) if !e.is_802_3() => f(uint(e.type_or_len().into())),
        (Fast::IpChecksumStatus, View::Ipv4(_)) => f(unverified()),
        (Fast::Ipv6Src, View::Ipv6(p)) => f(Value::Ipv6(p.src_addr())),
        (Fast::Ipv6Dst, View::Ipv6(p)) => f(Value::Ipv6(p.dst_addr())),
        (Fast::Ipv6Addr, View::Ipv6(p)) => {
            f(Value::Ipv6(p.src_addr()));
            f(Value::Ipv6(p.dst_addr()));
        }
        (Fast::TcpLen, View::Tcp(_)) => {
            if let Some(len) = d.segment_len(layer) {
                f(uint(len as u64));
            }
        }
        (Fast::TcpChecksumStatus, View::Tcp(_)) => f(unverified()),
        (Fast::TcpStream | Fast::TcpAnalysisFlags | Fast::TcpAnalysis(_), View::Tcp(_))
            if !layer.in_error =>
        {
            let Some(a) = d.tcp_annotation() else { return };
            match fast {
                Fast::TcpStream => f(uint(a.stream.into())),
                Fast::TcpAnalysisFlags if a.analysis != 0 => f(Value::Text("1")),
                Fast::TcpAnalysis(bit) if a.has(bit) => f(Value::None),
                _ => {}
            }
        }
        (Fast::UdpChecksumStatus, View::Udp(_)) => f(unverified()),
        (Fast::DnsQryName, View::Dns { packet, .. }) => {
            for r in packet.records().map_while(Result::ok) {
                if r.section == crate::wire::dns::Section::Question {
                    f(Value::DnsName(r.name));
                }
            }
        }
        (Fast::HttpHost, View::Http(m)) => {
            for h in m.headers().filter(|h| h.name.eq_ignore_ascii_case(b"host")) {
                f(Value::Str(h.value));
            }
        }
        _ => {}
    }
}

/// A field with a fast path, found once (for `-T fields` and a watcher's fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastField(Fast);

impl FastField {
    /// `def`'s fast path, if it has one.
    pub fn of(def: &FieldDef) -> Option<FastField> {
        fast_of(def).map(FastField)
    }
}

/// What the fast path needs of a frame, found once for all its fields.
#[derive(Debug)]
pub struct FastFrame<'d, 'a> {
    d: &'d Dissection<'a>,
    unreadable: u64,
    seen: Seen,
}

impl<'d, 'a> FastFrame<'d, 'a> {
    pub fn of(d: &'d Dissection<'a>) -> Self {
        FastFrame {
            d,
            unreadable: unreadable(d),
            seen: Seen::of(d),
        }
    }

    /// The fast path can read `field` in this frame (see [`values`](Self::values)).
    #[inline]
    pub fn readable(&self, field: FastField) -> bool {
        self.unreadable & (1u64 << (field.0.protocol() as u8)) == 0
    }

    /// Calls `f` with every value of `field`, in frame order, as the visitor
    /// finds them; `false` (and no call) when this frame's header of the field
    /// was cut short, so only the visitor can say.
    #[inline]
    pub fn values(&self, field: FastField, f: &mut impl FnMut(Value<'a>)) -> bool {
        if !self.readable(field) {
            return false;
        }
        for_each(field.0, self.d, &self.seen, f);
        true
    }
}

/// The values of `def` by the fast path, for the test that holds them equal to
/// the visitor's; `false` when `def` has no fast path or the frame cannot use it.
#[doc(hidden)]
pub fn fast_values<'a>(def: &FieldDef, d: &Dissection<'a>, f: &mut dyn FnMut(Value<'a>)) -> bool {
    FastField::of(def).is_some_and(|field| FastFrame::of(d).values(field, &mut |v| f(v)))
}
