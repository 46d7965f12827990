//! Field values and their `tshark -T fields` rendering.

use core::fmt;

use core::net::{Ipv4Addr, Ipv6Addr};

use super::{Base, Field, FieldDef, FieldKind};
use crate::dissect::Dissection;
use crate::text::{Sink, write_escaped};
use crate::wire::MacAddr;
use crate::wire::dns::Name;

/// A value that is computed from the whole dissection when rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Computed {
    /// `frame.protocols`
    Protocols,
    /// `_ws.col.Protocol`
    #[cfg(feature = "display")]
    ColProtocol,
    /// `_ws.col.Info`
    #[cfg(feature = "display")]
    ColInfo,
    /// `_ws.col.Source`
    #[cfg(feature = "display")]
    ColSource,
    /// `_ws.col.Destination`
    #[cfg(feature = "display")]
    ColDestination,
}

/// A field's value; borrowed from the frame where it is text or bytes.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Uint(u64),
    /// A signed number (a window scale factor of -1 means unknown).
    Int(i64),
    Bool(bool),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    Mac(MacAddr),
    Str(&'a [u8]),
    /// Static text (a label or a value name).
    Text(&'static str),
    Bytes(&'a [u8]),
    DnsName(Name<'a>),
    /// TCP flags as Wireshark's 12-character string.
    TcpFlagsStr(u16),
    Computed(Computed),
    /// The label of a malformed-packet exception in that protocol.
    Malformed(crate::proto::Protocol),
    /// No value (protocol items, label-only items).
    None,
}

impl Value<'_> {
    /// The numeric value, for comparisons and bit tests.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Uint(v) => Some(v),
            Value::Int(v) => u64::try_from(v).ok(),
            Value::Bool(b) => Some(u64::from(b)),
            _ => None,
        }
    }
}

/// Writes `field` as `tshark -T fields` prints it.
pub fn render<W: Sink + ?Sized>(field: &Field<'_>, d: &Dissection<'_>, w: &mut W) -> fmt::Result {
    render_value(field.def, field.value, d, w)
}

/// Writes a value of `def` as `tshark -T fields` prints it (a value read
/// without the walk, such as a fast path's).
pub fn render_value<W: Sink + ?Sized>(
    def: &FieldDef,
    value: Value<'_>,
    d: &Dissection<'_>,
    w: &mut W,
) -> fmt::Result {
    match value {
        Value::Uint(v) => match def.kind {
            FieldKind::Uint(Base::Hex(digits)) => {
                w.write_str("0x")?;
                crate::text::write_hex(w, v, usize::from(digits))
            }
            _ => crate::text::write_dec(w, v),
        },
        Value::Int(v) => write!(w, "{v}"),
        Value::Bool(b) => w.write_str(if b { "1" } else { "0" }),
        Value::Ipv4(a) => crate::text::write_ipv4(w, a),
        Value::Ipv6(a) => w.push_ipv6(a),
        Value::Mac(m) => crate::text::write_mac(w, m.0),
        Value::Str(s) => write_escaped(w, s),
        Value::Text(t) => w.write_str(t),
        Value::Bytes(b) => b
            .iter()
            .try_for_each(|byte| crate::text::write_hex(w, (*byte).into(), 2)),
        Value::DnsName(n) => n.write_to(w),
        Value::TcpFlagsStr(flags) => write_tcp_flags_str(w, flags),
        Value::Computed(c) => d.write_computed(c, w),
        Value::Malformed(p) => {
            let name = match p {
                crate::proto::Protocol::Arp => "ARP/RARP",
                p => p.column_name(),
            };
            write!(w, "[Malformed Packet: {name}]")
        }
        Value::None => Ok(()),
    }
}

/// Wireshark's `tcp.flags.str`: one letter per set flag, a middle dot otherwise.
fn write_tcp_flags_str<W: Sink + ?Sized>(w: &mut W, flags: u16) -> fmt::Result {
    const LETTERS: &[u8; 12] = b"RRRNCEUAPRSF";
    for (i, &letter) in LETTERS.iter().enumerate() {
        if flags & (1 << (11 - i)) != 0 {
            w.write_char(char::from(letter))?;
        } else {
            w.write_char('\u{b7}')?;
        }
    }
    Ok(())
}
