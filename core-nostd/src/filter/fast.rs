//! The fast path: the fields filters name most, read straight from the layer
//! views instead of by visiting every field of a layer. A test
//! (`cli/tests/fast_path.rs`) holds every value here equal to the visitor's on
//! every frame of `captures/`.

use crate::dissect::{Dissection, Layer, View};
use crate::dissectors::{eth, frame, icmp, icmpv6, ip, ipv6, stp, tcp, udp};
use crate::field::{FieldDef, Value};
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

/// True when the fast path sees the same fields as the visitor: no header cut
/// short (their fields are the visitor's business).
pub(crate) fn usable(d: &Dissection<'_>) -> bool {
    d.stopped_by().is_none()
}

/// Calls `f` with every value of the field, in frame order.
pub(crate) fn for_each<'a>(fast: Fast, d: &Dissection<'a>, f: &mut dyn FnMut(Value<'a>)) {
    let uint = |v: u64| Value::Uint(v);
    let frame = d.frame();
    match fast {
        Fast::FrameNumber => return f(uint(frame.number.into())),
        Fast::FrameLen => return f(uint(frame.orig_len.into())),
        Fast::FrameCapLen => return f(uint(frame.data.len() as u64)),
        _ => {}
    }
    for layer in d.layers() {
        each_in_layer(fast, d, layer, f);
    }
}

fn each_in_layer<'a>(
    fast: Fast,
    d: &Dissection<'a>,
    layer: &Layer<'a>,
    f: &mut dyn FnMut(Value<'a>),
) {
    let uint = |v: u64| Value::Uint(v);
    let unverified = || Value::Uint(2);
    match (fast, &layer.view) {
        (Fast::EthSrc, View::Eth(e)) => f(Value::Mac(e.src())),
        (Fast::EthDst, View::Eth(e)) => f(Value::Mac(e.dst())),
        (Fast::EthAddr, View::Eth(e)) => {
            f(Value::Mac(e.dst()));
            f(Value::Mac(e.src()));
        }
        (Fast::EthType, View::Eth(e)) if !e.is_802_3() => f(uint(e.type_or_len().into())),
        (Fast::IpSrc, View::Ipv4(p)) => f(Value::Ipv4(p.src_addr())),
        (Fast::IpDst, View::Ipv4(p)) => f(Value::Ipv4(p.dst_addr())),
        (Fast::IpAddr, View::Ipv4(p)) => {
            f(Value::Ipv4(p.src_addr()));
            f(Value::Ipv4(p.dst_addr()));
        }
        (Fast::IpProto, View::Ipv4(p)) => f(uint(p.protocol().0.into())),
        (Fast::IpTtl, View::Ipv4(p)) => f(uint(p.ttl().into())),
        (Fast::IpLen, View::Ipv4(p)) => f(uint(p.total_len().into())),
        (Fast::IpChecksumStatus, View::Ipv4(_)) => f(unverified()),
        (Fast::Ipv6Src, View::Ipv6(p)) => f(Value::Ipv6(p.src_addr())),
        (Fast::Ipv6Dst, View::Ipv6(p)) => f(Value::Ipv6(p.dst_addr())),
        (Fast::Ipv6Addr, View::Ipv6(p)) => {
            f(Value::Ipv6(p.src_addr()));
            f(Value::Ipv6(p.dst_addr()));
        }
        (Fast::Ipv6Nxt, View::Ipv6(p)) => f(uint(p.next_header().0.into())),
        (Fast::Ipv6Hlim, View::Ipv6(p)) => f(uint(p.hop_limit().into())),
        (Fast::TcpSrcport, View::Tcp(t)) => f(uint(t.src_port().into())),
        (Fast::TcpDstport, View::Tcp(t)) => f(uint(t.dst_port().into())),
        (Fast::TcpPort, View::Tcp(t)) => {
            f(uint(t.src_port().into()));
            f(uint(t.dst_port().into()));
        }
        (Fast::TcpFlags, View::Tcp(t)) => f(uint(t.flags().into())),
        (Fast::TcpFlag(mask), View::Tcp(t)) => f(Value::Bool(t.flags() & mask != 0)),
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
        (Fast::UdpSrcport, View::Udp(u)) => f(uint(u.src_port().into())),
        (Fast::UdpDstport, View::Udp(u)) => f(uint(u.dst_port().into())),
        (Fast::UdpPort, View::Udp(u)) => {
            f(uint(u.src_port().into()));
            f(uint(u.dst_port().into()));
        }
        (Fast::UdpLength, View::Udp(u)) => f(uint(u.length().into())),
        (Fast::UdpChecksumStatus, View::Udp(_)) => f(unverified()),
        (Fast::IcmpType, View::Icmp(p)) => f(uint(p.msg_type().into())),
        (Fast::IcmpCode, View::Icmp(p)) => f(uint(p.code().into())),
        (Fast::Icmpv6Type, View::Icmpv6(p)) => f(uint(p.msg_type().into())),
        (Fast::Icmpv6Code, View::Icmpv6(p)) => f(uint(p.code().into())),
        (Fast::StpType, View::Stp(b)) => f(uint(b.bpdu_type().into())),
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

/// The values of `def` by the fast path, for the test that holds them equal to
/// the visitor's; `false` when `def` has no fast path or the frame cannot use it.
#[doc(hidden)]
pub fn fast_values<'a>(def: &FieldDef, d: &Dissection<'a>, f: &mut dyn FnMut(Value<'a>)) -> bool {
    match fast_of(def) {
        Some(fast) if usable(d) => {
            for_each(fast, d, f);
            true
        }
        _ => false,
    }
}
