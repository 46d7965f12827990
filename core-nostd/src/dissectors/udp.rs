//! UDP fields and Info ("35188 → 33434 Len=5").

use core::fmt;

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::text::{Sink, write_dec};
use crate::wire::udp::UdpPacket;

fields! {
    SRCPORT = "udp.srcport", "Source Port", DEC;
    DSTPORT = "udp.dstport", "Destination Port", DEC;
    PORT = "udp.port", "Source or Destination Port", DEC;
    LENGTH = "udp.length", "Length", DEC;
    CHECKSUM = "udp.checksum", "Checksum", HEX16;
    CHECKSUM_STATUS = "udp.checksum.status", "Checksum Status", DEC, vals(&crate::dissectors::ip::CHECKSUM_STATUS_VALS);
    PAYLOAD = "udp.payload", "UDP payload", BYTES;
}

pub(crate) fn visit<'a, V: Visitor<'a>>(u: &UdpPacket<'a>, e: &mut Emit<'_, V>) {
    e.uint(&hf::SRCPORT, 0, 2, u.src_port());
    e.hidden(&hf::PORT, 0, 2, Value::Uint(u.src_port().into()));
    e.uint(&hf::DSTPORT, 2, 2, u.dst_port());
    e.hidden(&hf::PORT, 2, 2, Value::Uint(u.dst_port().into()));
    e.uint(&hf::LENGTH, 4, 2, u.length());
    e.uint(&hf::CHECKSUM, 6, 2, u.checksum());
    e.uint(
        &hf::CHECKSUM_STATUS,
        6,
        2,
        crate::dissectors::ip::CHECKSUM_UNVERIFIED,
    );
    if !u.payload().is_empty() {
        e.f(
            &hf::PAYLOAD,
            8,
            u.payload().len(),
            Value::Bytes(u.payload()),
        );
    }
}

/// `ip_payload` is the length IP's header gives its payload, when known.
pub(crate) fn info<W: Sink + ?Sized>(
    u: &UdpPacket<'_>,
    ip_payload: Option<usize>,
    w: &mut W,
) -> fmt::Result {
    write_dec(w, u.src_port().into())?;
    w.write_str(" \u{2192} ")?;
    write_dec(w, u.dst_port().into())?;
    let length = usize::from(u.length());
    if ip_payload.is_some_and(|p| length > p) {
        write!(w, " [BAD UDP LENGTH {length} > IP PAYLOAD LENGTH]")?;
    }
    w.write_str(" Len=")?;
    write_dec(w, length.saturating_sub(8) as u64)
}
