//! What the conversation table needs of a frame, read from its dissection
//! apart from the table: threads read it from frames in any order while the
//! table takes the frames one by one, in capture order.

use super::Endpoint;
use crate::dissect::{Dissection, Layer, View};
use crate::proto::Protocol;
use crate::wire::http::StartLine;
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
        let layer = d
            .layers()
            .find(|l| !l.in_error && l.protocol == Protocol::Tcp)
            .copied()?;
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
        let (src, dst) = endpoints(d, &layer, &t)?;
        let (secs, nanos) = d.frame().timestamp;
        let syn = t.has(tcp::FLG_SYN);
        Some(Segment {
            src,
            dst,
            seq: t.seq_number(),
            ack: t.ack_number(),
            window: t.window_len(),
            flags: t.flags(),
            // Only a SYN's option counts: no need to read the others'.
            window_scale: if syn { window_scale_option(&t) } else { None },
            seg_len: d.segment_len(&layer).unwrap_or(t.payload().len()) as u32,
            number: d.frame().number,
            time: secs
                .saturating_mul(1_000_000_000)
                .saturating_add(i64::from(nanos)),
            http_response: d.pdu_head().is_some_and(|h| h.starts_with(b"HTTP/")),
            http_request_head: http_request_method(d).map(|m| m == b"HEAD"),
            server_hello: d.layers().find_map(|l| match l.view {
                View::Tls(data) if !l.in_error => {
                    crate::dissectors::tls::server_hello_version(data)
                }
                _ => None,
            }),
        })
    }

    pub(super) fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }
}

/// Source and destination (address as 16 bytes, port) from the enclosing IP layer.
fn endpoints(
    d: &Dissection<'_>,
    layer: &Layer<'_>,
    t: &TcpPacket<'_>,
) -> Option<(Endpoint, Endpoint)> {
    let ip = d.layers().rfind(|l| {
        !l.in_error && l.offset < layer.offset && matches!(l.view, View::Ipv4(_) | View::Ipv6(_))
    })?;
    let (src, dst) = match ip.view {
        View::Ipv4(p) => (
            p.src_addr().to_ipv6_mapped().octets(),
            p.dst_addr().to_ipv6_mapped().octets(),
        ),
        View::Ipv6(p) => (p.src_addr().octets(), p.dst_addr().octets()),
        _ => return None,
    };
    Some(((src, t.src_port()), (dst, t.dst_port())))
}

/// The method of an HTTP request in the frame, if it carries one.
fn http_request_method<'a>(d: &Dissection<'a>) -> Option<&'a [u8]> {
    d.layers().find_map(|l| match l.view {
        View::Http(m) => match m.start_line() {
            StartLine::Request { method, .. } => Some(method),
            _ => None,
        },
        _ => None,
    })
}

fn window_scale_option(t: &TcpPacket<'_>) -> Option<u8> {
    t.option_iter().map_while(Result::ok).find_map(|o| match o {
        TcpOption::WindowScale(s) => Some(s.min(14)),
        _ => None,
    })
}
