//! ICMPv6 fields and Info (echo, errors, neighbour discovery, MLD).

use core::fmt;

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::text::{Sink, write_dec, write_hex, write_mac};
use crate::wire::icmpv6::{self, Icmpv6Packet};

fields! {
    TYPE = "icmpv6.type", "Type", DEC, named(|v| crate::wire::icmpv6::type_name(v as u8));
    CODE = "icmpv6.code", "Code", DEC;
    CHECKSUM = "icmpv6.checksum", "Checksum", HEX16;
    ECHO_ID = "icmpv6.echo.identifier", "Identifier", HEX16;
    ECHO_SEQ = "icmpv6.echo.sequence_number", "Sequence", DEC;
    NS_TARGET = "icmpv6.nd.ns.target_address", "Target Address", IPV6;
    NA_TARGET = "icmpv6.nd.na.target_address", "Target Address", IPV6;
    NA_FLAG_R = "icmpv6.nd.na.flag.r", "Router", BOOL;
    NA_FLAG_S = "icmpv6.nd.na.flag.s", "Solicited", BOOL;
    NA_FLAG_O = "icmpv6.nd.na.flag.o", "Override", BOOL;
    RA_HOP_LIMIT = "icmpv6.nd.ra.cur_hop_limit", "Cur hop limit", DEC;
    RA_LIFETIME = "icmpv6.nd.ra.router_lifetime", "Router lifetime (s)", DEC;
    OPT_TYPE = "icmpv6.opt.type", "Type", DEC;
    OPT_LENGTH = "icmpv6.opt.length", "Length", DEC;
    OPT_LINKADDR = "icmpv6.opt.linkaddr", "Link-layer address", MAC;
    MLDV2_NUM_RECORDS = "icmpv6.mldr.nb_mcast_records", "Number of Multicast Address Records", DEC;
    RESP_TO = "icmpv6.resp_to", "Response To", DEC, generated;
}

/// The request a tracked reply answers.
pub(crate) fn visit_resp_to<'a, V: Visitor<'a>>(frame: u32, e: &mut Emit<'_, V>) {
    e.uint(&hf::RESP_TO, 0, 0, frame);
}

pub(crate) fn visit<'a, V: Visitor<'a>>(p: &Icmpv6Packet<'a>, e: &mut Emit<'_, V>) {
    e.uint(&hf::TYPE, 0, 1, p.msg_type());
    e.uint(&hf::CODE, 1, 1, p.code());
    e.uint(&hf::CHECKSUM, 2, 2, p.checksum());
    match p.msg_type() {
        icmpv6::ECHO_REQUEST | icmpv6::ECHO_REPLY => {
            e.uint(&hf::ECHO_ID, 4, 2, p.echo_ident());
            e.uint(&hf::ECHO_SEQ, 6, 2, p.echo_seq());
        }
        icmpv6::NEIGHBOR_SOLICIT => e.f(&hf::NS_TARGET, 8, 16, Value::Ipv6(p.target())),
        icmpv6::NEIGHBOR_ADVERT => {
            let flags = p.na_flags();
            e.bool(&hf::NA_FLAG_R, 4, 4, flags & 0b100 != 0);
            e.bool(&hf::NA_FLAG_S, 4, 4, flags & 0b010 != 0);
            e.bool(&hf::NA_FLAG_O, 4, 4, flags & 0b001 != 0);
            e.f(&hf::NA_TARGET, 8, 16, Value::Ipv6(p.target()));
        }
        icmpv6::ROUTER_ADVERT => {
            e.uint(&hf::RA_HOP_LIMIT, 4, 1, p.ra_cur_hop_limit());
            e.uint(&hf::RA_LIFETIME, 6, 2, p.ra_router_lifetime());
        }
        icmpv6::MLDV2_REPORT => e.uint(&hf::MLDV2_NUM_RECORDS, 6, 2, p.mldv2_records()),
        _ => {}
    }
    let mut at = icmpv6::HEADER_LEN + p.fixed_body_len();
    for opt in p.ndp_options().map_while(Result::ok) {
        let len = opt.data.len() + 2;
        e.uint(&hf::OPT_TYPE, at, 1, opt.kind);
        e.uint(&hf::OPT_LENGTH, at + 1, 1, (len / 8) as u64);
        if matches!(opt.kind, icmpv6::OPT_SRC_LLADDR | icmpv6::OPT_TGT_LLADDR)
            && let Some(mac) = opt.data.get(..6).and_then(|m| <[u8; 6]>::try_from(m).ok())
        {
            e.f(
                &hf::OPT_LINKADDR,
                at + 2,
                6,
                Value::Mac(crate::wire::MacAddr(mac)),
            );
        }
        at += len;
    }
}

/// Wireshark's ICMPv6 Info. `hop_limit` is the enclosing IPv6 header's.
pub(crate) fn info<W: Sink + ?Sized>(
    p: &Icmpv6Packet<'_>,
    hop_limit: Option<u8>,
    w: &mut W,
) -> fmt::Result {
    let t = p.msg_type();
    match icmpv6::type_name(t) {
        Some(name) => w.write_str(name)?,
        None => {
            w.write_str("Unknown ICMPv6 type (")?;
            write_dec(w, t.into())?;
            w.write_char(')')?;
        }
    }
    if let Some(code) = icmpv6::code_name(t, p.code()) {
        w.write_str(" (")?;
        w.write_str(code)?;
        w.write_char(')')?;
    }
    match t {
        icmpv6::ECHO_REQUEST | icmpv6::ECHO_REPLY => {
            w.write_str(" id=0x")?;
            write_hex(w, p.echo_ident().into(), 4)?;
            w.write_str(", seq=")?;
            write_dec(w, p.echo_seq().into())?;
            if let Some(h) = hop_limit {
                w.write_str(", hop limit=")?;
                write_dec(w, h.into())?;
            }
        }
        icmpv6::NEIGHBOR_SOLICIT => {
            w.write_str(" for ")?;
            w.push_ipv6(p.target())?;
            if let Some(mac) = p.link_layer_option(icmpv6::OPT_SRC_LLADDR) {
                w.write_str(" from ")?;
                write_mac(w, mac.0)?;
            }
        }
        icmpv6::NEIGHBOR_ADVERT => {
            w.write_char(' ')?;
            w.push_ipv6(p.target())?;
            let flags = p.na_flags();
            if flags != 0 {
                let names = [(0b100, "rtr"), (0b010, "sol"), (0b001, "ovr")];
                let mut sep = " (";
                for (bit, name) in names {
                    if flags & bit != 0 {
                        w.write_str(sep)?;
                        w.write_str(name)?;
                        sep = ", ";
                    }
                }
                w.write_str(")")?;
            }
            if let Some(mac) = p.link_layer_option(icmpv6::OPT_TGT_LLADDR) {
                w.write_str(" is at ")?;
                write_mac(w, mac.0)?;
            }
        }
        icmpv6::ROUTER_SOLICIT | icmpv6::ROUTER_ADVERT => {
            if let Some(mac) = p.link_layer_option(icmpv6::OPT_SRC_LLADDR) {
                w.write_str(" from ")?;
                write_mac(w, mac.0)?;
            }
        }
        _ => {}
    }
    Ok(())
}
