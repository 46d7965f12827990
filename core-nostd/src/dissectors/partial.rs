//! Fields and Info of a header that failed its checks: what fits is shown, as
//! tshark shows the fields it read before the exception.

use core::fmt;

use super::Emit;
use crate::field::{Field, Value, Visitor};
use crate::proto::Protocol;
use crate::text::Sink;
use crate::wire::{Error, ErrorKind, Ipv4Packet, Ipv6Packet};

/// Passes on only fields that lie within the captured bytes and own their value.
struct Limit<'v, V> {
    inner: &'v mut V,
    end: usize,
}

impl<'b, 'a, V: Visitor<'a>> Visitor<'b> for Limit<'_, V> {
    fn field(&mut self, f: &Field<'b>) {
        if f.offset + f.len > self.end {
            return;
        }
        let value = match f.value {
            Value::Uint(v) => Value::Uint(v),
            Value::Int(v) => Value::Int(v),
            Value::Bool(b) => Value::Bool(b),
            Value::Ipv4(a) => Value::Ipv4(a),
            Value::Ipv6(a) => Value::Ipv6(a),
            Value::Mac(m) => Value::Mac(m),
            Value::Text(t) => Value::Text(t),
            Value::TcpFlagsStr(x) => Value::TcpFlagsStr(x),
            Value::Computed(c) => Value::Computed(c),
            Value::Malformed(p) => Value::Malformed(p),
            Value::None => Value::None,
            Value::Str(_) | Value::Bytes(_) | Value::DnsName(_) => return,
        };
        self.inner.field(&Field {
            def: f.def,
            offset: f.offset,
            len: f.len,
            value,
            hidden: f.hidden,
        });
    }
}

/// Copies what is there into a zero-padded header of `N` bytes.
fn padded<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut h = [0u8; N];
    for (dst, src) in h.iter_mut().zip(bytes) {
        *dst = *src;
    }
    h
}

/// `segment_len` is TCP's payload length by IP's length field and the header
/// length on the wire (bogus or not), as tshark computes `tcp.len`.
pub(crate) fn visit<'a, V: Visitor<'a>>(
    protocol: Protocol,
    bytes: &'a [u8],
    error: &Error,
    base: usize,
    segment_len: Option<usize>,
    v: &mut V,
) {
    // tshark stops adding fields where it found a bad length.
    let shown = match (protocol, error.kind) {
        (
            Protocol::Ip,
            ErrorKind::BadValue {
                field: "header length",
                ..
            },
        ) => 1,
        (
            Protocol::Ip,
            ErrorKind::BadValue {
                field: "total length",
                ..
            },
        ) => 4,
        (
            Protocol::Tcp,
            ErrorKind::BadValue {
                field: "header length",
                ..
            },
        ) => 13,
        _ => bytes.len(),
    };
    let mut limit = Limit {
        inner: v,
        end: base + shown.min(bytes.len()),
    };
    let e = &mut Emit {
        v: &mut limit,
        base,
    };
    match protocol {
        Protocol::Ip => {
            let h = padded::<{ crate::wire::ipv4::HEADER_LEN }>(bytes);
            super::ip::visit(&Ipv4Packet::from_header(&h), e);
        }
        Protocol::Ipv6 => {
            let h = padded::<{ crate::wire::ipv6::HEADER_LEN }>(bytes);
            super::ipv6::visit(&Ipv6Packet::from_header(&h), e);
        }
        Protocol::Tcp => {
            let h = padded::<{ crate::wire::tcp::HEADER_LEN }>(bytes);
            let t = crate::wire::tcp::TcpPacket::from_header(&h);
            super::tcp::visit(&t, segment_len, e);
        }
        Protocol::Udp => {
            let h = padded::<{ crate::wire::udp::HEADER_LEN }>(bytes);
            super::udp::visit(&crate::wire::udp::UdpPacket::from_header(&h), e);
        }
        Protocol::Arp => {
            let h = padded::<28>(bytes);
            if let Ok(arp) = crate::wire::arp::ArpPacket::new_checked(&h) {
                super::arp::visit(&arp, e);
            }
        }
        _ => {}
    }
}

/// The Info tshark writes for a header it gave up on (empty when it writes none).
pub(crate) fn info<W: Sink + ?Sized>(
    protocol: Protocol,
    bytes: &[u8],
    error: &Error,
    conv: Option<&crate::conversation::TcpAnnotation>,
    w: &mut W,
) -> fmt::Result {
    match (protocol, error.kind) {
        (
            Protocol::Ip,
            ErrorKind::BadValue {
                field: "header length",
                value,
                ..
            },
        ) => {
            write!(w, "Bogus IP header length ({value}, must be at least 20)")
        }
        (
            Protocol::Ip,
            ErrorKind::BadValue {
                field: "total length",
                value,
                ..
            },
        ) => {
            let hl = usize::from(bytes.first().copied().unwrap_or(0) & 0x0f) * 4;
            write!(w, "Bogus IP length ({value}, less than header length {hl})")
        }
        (Protocol::Tcp, _) if bytes.len() >= crate::wire::tcp::HEADER_LEN => {
            let h = padded::<{ crate::wire::tcp::HEADER_LEN }>(bytes);
            let t = crate::wire::tcp::TcpPacket::from_header(&h);
            write!(w, "{} \u{2192} {} [", t.src_port(), t.dst_port())?;
            super::tcp::write_flag_names(w, t.flags())?;
            // A bogus header length comes after the conversation made seq relative.
            let seq = match (conv, error.kind) {
                (Some(a), ErrorKind::BadValue { .. }) => a.rel_seq,
                _ => t.seq_number(),
            };
            write!(w, "] Seq={seq}")?;
            if t.has(crate::wire::tcp::FLG_ACK) {
                write!(w, " Ack={}", t.ack_number())?;
            }
            write!(w, " Win={}", t.window_len())?;
            if let ErrorKind::BadValue { value, .. } = error.kind {
                write!(
                    w,
                    ", bogus TCP header length ({value}, must be at least 20)"
                )?;
            }
            Ok(())
        }
        (Protocol::Udp, ErrorKind::BadValue { value, .. }) => {
            let h = padded::<{ crate::wire::udp::HEADER_LEN }>(bytes);
            let u = crate::wire::udp::UdpPacket::from_header(&h);
            write!(
                w,
                "{} \u{2192} {} [BAD UDP LENGTH {value} < 8]",
                u.src_port(),
                u.dst_port()
            )
        }
        _ => Ok(()),
    }
}
