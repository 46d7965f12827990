//! DHCPv6 fields and Info ("Solicit XID: 0x4a493a CID: 0001… ").

use core::fmt;

use super::{Emit, fields};
use crate::field::Visitor;
use crate::text::{Sink, write_hex, write_ipv6};
use crate::wire::bytes::be16;
use crate::wire::dhcpv6::{self, Dhcpv6Packet};

fields! {
    MSGTYPE = "dhcpv6.msgtype", "Message type", DEC, named(|v| crate::wire::dhcpv6::msg_type_name(v as u8));
    XID = "dhcpv6.xid", "Transaction ID", HEX24;
    OPTION_TYPE = "dhcpv6.option.type", "Option", DEC;
    OPTION_LENGTH = "dhcpv6.option.length", "Length", DEC;
}

/// IA Address, nested in IA_NA and IA_TA.
const OPT_IAADDR: u16 = 5;
const OPT_IA_TA: u16 = 4;

pub(crate) fn visit<'a, V: Visitor<'a>>(p: &Dhcpv6Packet<'a>, e: &mut Emit<'_, V>) {
    e.uint(&hf::MSGTYPE, 0, 1, p.msg_type());
    if !p.is_relay() {
        e.uint(&hf::XID, 1, 3, p.transaction_id());
    }
    for opt in p.options().map_while(Result::ok) {
        e.uint(&hf::OPTION_TYPE, opt.offset, 2, opt.code);
        e.uint(&hf::OPTION_LENGTH, opt.offset + 2, 2, opt.data.len() as u64);
    }
}

pub(crate) fn info<W: Sink + ?Sized>(p: &Dhcpv6Packet<'_>, w: &mut W) -> fmt::Result {
    match dhcpv6::msg_type_name(p.msg_type()) {
        Some(n) => w.write_str(n)?,
        None => write!(w, "Unknown ({})", p.msg_type())?,
    }
    if p.is_relay() {
        return Ok(());
    }
    w.write_str(" XID: 0x")?;
    write_hex(w, p.transaction_id().into(), 6)?;
    w.write_char(' ')?;
    for opt in p.options().map_while(Result::ok) {
        match opt.code {
            dhcpv6::OPT_CLIENTID => {
                w.write_str("CID: ")?;
                // Eight bytes a number: two hex digits each, leading zeros kept.
                for bytes in opt.data.chunks(8) {
                    let v = bytes.iter().fold(0u64, |v, b| v << 8 | u64::from(*b));
                    write_hex(w, v, 2 * bytes.len())?;
                }
                w.write_char(' ')?;
            }
            dhcpv6::OPT_IA_NA | OPT_IA_TA => {
                // IA_NA carries IAID, T1 and T2 before its options; IA_TA only IAID.
                let skip = if opt.code == dhcpv6::OPT_IA_NA { 12 } else { 4 };
                let mut rest = opt.data.get(skip..).unwrap_or(&[]);
                while rest.len() >= 4 {
                    let code = be16(rest, 0..2);
                    let len = usize::from(be16(rest, 2..4));
                    let Some(data) = rest.get(4..4 + len) else {
                        break;
                    };
                    if code == OPT_IAADDR
                        && let Some(a) = data.get(..16).and_then(|a| <[u8; 16]>::try_from(a).ok())
                    {
                        w.write_str("IAA: ")?;
                        write_ipv6(w, a.into())?;
                        w.write_char(' ')?;
                    }
                    rest = rest.get(4 + len..).unwrap_or(&[]);
                }
            }
            _ => {}
        }
    }
    Ok(())
}
