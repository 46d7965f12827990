//! ICMP fields and Info.

use core::fmt;

use super::{Emit, fields};
use crate::field::Visitor;
use crate::text::{Sink, write_dec, write_hex};
use crate::wire::icmp::{self, IcmpPacket};

fields! {
    TYPE = "icmp.type", "Type", DEC, named(|v| crate::wire::icmp::type_name(v as u8));
    CODE = "icmp.code", "Code", DEC;
    CHECKSUM = "icmp.checksum", "Checksum", HEX16;
    CHECKSUM_STATUS = "icmp.checksum.status", "Checksum Status", DEC, vals(&crate::dissectors::ip::CHECKSUM_STATUS_VALS);
    IDENT = "icmp.ident", "Identifier (BE)", DEC;
    IDENT_LE = "icmp.ident_le", "Identifier (LE)", DEC;
    SEQ = "icmp.seq", "Sequence Number (BE)", DEC;
    SEQ_LE = "icmp.seq_le", "Sequence Number (LE)", DEC;
    RESP_TO = "icmp.resp_to", "Response to", DEC, generated;
}

pub(crate) fn visit<'a, V: Visitor<'a>>(p: &IcmpPacket<'a>, e: &mut Emit<'_, V>) {
    e.uint(&hf::TYPE, 0, 1, p.msg_type());
    e.uint(&hf::CODE, 1, 1, p.code());
    e.uint(&hf::CHECKSUM, 2, 2, p.checksum());
    let status = if p.checksum_valid() {
        crate::dissectors::ip::CHECKSUM_GOOD
    } else {
        crate::dissectors::ip::CHECKSUM_BAD
    };
    e.uint(&hf::CHECKSUM_STATUS, 2, 2, status);
    if p.is_echo() {
        e.uint(&hf::IDENT, 4, 2, p.echo_ident());
        e.uint(&hf::IDENT_LE, 4, 2, p.echo_ident().swap_bytes());
        e.uint(&hf::SEQ, 6, 2, p.echo_seq());
        e.uint(&hf::SEQ_LE, 6, 2, p.echo_seq().swap_bytes());
    }
}

/// The request a tracked reply answers.
pub(crate) fn visit_resp_to<'a, V: Visitor<'a>>(frame: u32, e: &mut Emit<'_, V>) {
    e.uint(&hf::RESP_TO, 0, 0, frame);
}

/// "Echo (ping) request  id=0x0e00, seq=1/256, ttl=64", or the type and its code.
/// `ttl` is the enclosing IPv4 header's.
pub(crate) fn info<W: Sink + ?Sized>(
    p: &IcmpPacket<'_>,
    ttl: Option<u8>,
    w: &mut W,
) -> fmt::Result {
    let t = p.msg_type();
    let name = icmp::type_name(t).unwrap_or("Unknown ICMP (obsolete or malformed?)");
    // Padded to 20 characters, as tshark's column.
    w.write_str(name)?;
    for _ in name.len()..20 {
        w.write_char(' ')?;
    }
    if let Some(code) = icmp::code_name(t, p.code()) {
        w.write_str(" (")?;
        w.write_str(code)?;
        w.write_char(')')?;
    }
    if p.is_echo() {
        w.write_str(" id=0x")?;
        write_hex(w, p.echo_ident().into(), 4)?;
        w.write_str(", seq=")?;
        write_dec(w, p.echo_seq().into())?;
        w.write_char('/')?;
        write_dec(w, p.echo_seq().swap_bytes().into())?;
        if let Some(ttl) = ttl {
            w.write_str(", ttl=")?;
            write_dec(w, ttl.into())?;
        }
    }
    Ok(())
}
