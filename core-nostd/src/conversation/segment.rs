//! What the conversation table needs of a frame, read from its dissection
//! apart from the table: threads read it from frames in any order while the
//! table takes the frames one by one, in capture order.

use super::Endpoint;
use crate::dissect::{Dissection, Frame, Layer, View};
use crate::proto::Protocol;
use crate::wire::http::StartLine;
use crate::wire::ipv6;
use crate::wire::tcp::{self, TcpOption, TcpPacket};

/// A frame's TCP segment (the outer one), as the table sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub(super) src: Endpoint,
    pub(super) dst: Endpoint,
    pub(super) seq: u32,
    pub(super) ack: u32,
    /// The raw window.
    pub(super) window: u16,
    pub(super) flags: u16,
    /// The window scale option of a SYN.
    pub(super) window_scale: Option<u8>,
    /// `tcp.len` counted from IP's lengths.
    pub(super) seg_len: u32,
    pub(super) number: u32,
    /// The frame's time, ns since the epoch.
    pub(super) time: i64,
    /// Its payload starts an HTTP response that waits for a body.
    pub(super) http_response: bool,
    /// It carries an HTTP request: whether the method is HEAD.
    pub(super) http_request_head: Option<bool>,
    /// It carries a ServerHello that chose this TLS version.
    pub(super) server_hello: Option<u16>,
}

impl Segment {
    /// The frame's TCP segment; `None` when it has none the table can follow.
    pub fn of(d: &Dissection<'_>) -> Option<Segment> {
        let found = Found::of(d);
        let layer = found.tcp?;
        // A header cut short still joins its conversation, as in tshark, when its
        // fixed part is there.
        let mut header = [0u8; tcp::HEADER_LEN];
        let t = match layer.view {
            View::Tcp(t) => t,
            View::Truncated { bytes } if bytes.len() >= tcp::HEADER_LEN => {
                for (h, b) in header.iter_mut().zip(bytes) {
                    *h = *b;
                }
                TcpPacket::from_header(&header)
            }
            _ => return None,
        };
        let addrs = match found.ip?.view {
            View::Ipv4(p) => (mapped(p.src_addr()), mapped(p.dst_addr())),
            View::Ipv6(p) => (p.src_addr().octets(), p.dst_addr().octets()),
            _ => return None,
        };
        // `tcp.len` by IP's lengths (as `Dissection::segment_len`).
        let start = layer.offset + t.header_len();
        let seg_len = match (layer.view, found.ip_end) {
            (View::Tcp(_), Some(end)) => end.saturating_sub(start),
            _ => t.payload().len(),
        };
        Some(Segment {
            http_response: d.pdu_head().is_some_and(|h| h.starts_with(b"HTTP/")),
            http_request_head: found.request_method.map(|m| m == b"HEAD"),
            server_hello: found.server_hello,
            ..Segment::of_header(addrs, &t, seg_len, d.frame())
        })
    }

    /// The segment of `t`, between the addresses its IP header gave (IPv4
    /// ones mapped into IPv6), `seg_len` being `tcp.len`; what its payload
    /// carries is not read.
    pub(crate) fn of_header(
        (src, dst): ([u8; 16], [u8; 16]),
        t: &TcpPacket<'_>,
        seg_len: usize,
        frame: &Frame<'_>,
    ) -> Segment {
        let (secs, nanos) = frame.timestamp;
        Segment {
            src: (src, t.src_port()),
            dst: (dst, t.dst_port()),
            seq: t.seq_number(),
            ack: t.ack_number(),
            window: t.window_len(),
            flags: t.flags(),
            // Only a SYN's option counts: no need to read the others'.
            window_scale: if t.has(tcp::FLG_SYN) {
                window_scale_option(t)
            } else {
                None
            },
            seg_len: seg_len as u32,
            number: frame.number,
            time: secs
                .saturating_mul(1_000_000_000)
                .saturating_add(i64::from(nanos)),
            http_response: false,
            http_request_head: None,
            server_hello: None,
        }
    }

    pub(super) fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }
}

/// What a segment is read from, found in one pass over the layers.
#[derive(Default)]
struct Found<'d, 'a> {
    /// The first TCP layer outside an ICMP error.
    tcp: Option<&'d Layer<'a>>,
    /// The last IP layer before it (outside an error): its addresses.
    ip: Option<&'d Layer<'a>>,
    /// Where the last IP layer before it that gives a length says its packet
    /// ends (an IPv4 length of 0, from segmentation offload, gives none).
    ip_end: Option<usize>,
    /// The method of the first HTTP request in the frame.
    request_method: Option<&'a [u8]>,
    /// The version the first ServerHello outside an error chose.
    server_hello: Option<u16>,
}

impl<'d, 'a> Found<'d, 'a> {
    fn of(d: &'d Dissection<'a>) -> Self {
        let mut found = Found::default();
        for l in d.layers() {
            match l.view {
                View::Http(m) if found.request_method.is_none() => {
                    if let StartLine::Request { method, .. } = m.start_line() {
                        found.request_method = Some(method);
                    }
                }
                _ if l.in_error => {}
                _ if found.tcp.is_none() && l.protocol == Protocol::Tcp => found.tcp = Some(l),
                View::Ipv4(ip) if found.tcp.is_none() => {
                    found.ip = Some(l);
                    if ip.total_len() != 0 {
                        found.ip_end = Some(l.offset + usize::from(ip.total_len()));
                    }
                }
                View::Ipv6(ip) if found.tcp.is_none() => {
                    found.ip = Some(l);
                    found.ip_end =
                        Some(l.offset + ipv6::HEADER_LEN + usize::from(ip.payload_len()));
                }
                View::Tls(data) if found.server_hello.is_none() => {
                    found.server_hello = crate::dissectors::tls::server_hello_version(data);
                }
                _ => {}
            }
        }
        found
    }
}

/// An IPv4 address as the table keeps it: mapped into IPv6.
pub(crate) fn mapped(addr: core::net::Ipv4Addr) -> [u8; 16] {
    addr.to_ipv6_mapped().octets()
}

fn window_scale_option(t: &TcpPacket<'_>) -> Option<u8> {
    t.options_read().find_map(|o| match o {
        TcpOption::WindowScale(s) => Some(s.min(14)),
        _ => None,
    })
}
