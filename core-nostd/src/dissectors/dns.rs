//! DNS fields and Info ("Standard query response 0x5210 A www.example.test A 192.0.2.80 OPT").

use core::fmt;

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::text::Sink;
use crate::wire::dns::{self, DnsPacket, Record, Section};

fields! {
    LENGTH = "dns.length", "Length", DEC;
    ID = "dns.id", "Transaction ID", HEX16;
    FLAGS = "dns.flags", "Flags", HEX16;
    FLAGS_RESPONSE = "dns.flags.response", "Response", BOOL;
    FLAGS_OPCODE = "dns.flags.opcode", "Opcode", DEC;
    FLAGS_AUTHORITATIVE = "dns.flags.authoritative", "Authoritative", BOOL;
    FLAGS_TRUNCATED = "dns.flags.truncated", "Truncated", BOOL;
    FLAGS_RECDESIRED = "dns.flags.recdesired", "Recursion desired", BOOL;
    FLAGS_RECAVAIL = "dns.flags.recavail", "Recursion available", BOOL;
    FLAGS_RCODE = "dns.flags.rcode", "Reply code", DEC, named(|v| crate::wire::dns::rcode_name(v as u8));
    COUNT_QUERIES = "dns.count.queries", "Questions", DEC;
    COUNT_ANSWERS = "dns.count.answers", "Answer RRs", DEC;
    COUNT_AUTH_RR = "dns.count.auth_rr", "Authority RRs", DEC;
    COUNT_ADD_RR = "dns.count.add_rr", "Additional RRs", DEC;
    QRY_NAME = "dns.qry.name", "Name", STR;
    QRY_TYPE = "dns.qry.type", "Type", DEC, named(|v| crate::wire::dns::type_name(v as u16));
    QRY_CLASS = "dns.qry.class", "Class", HEX16;
    RESP_NAME = "dns.resp.name", "Name", STR;
    RESP_TYPE = "dns.resp.type", "Type", DEC, named(|v| crate::wire::dns::type_name(v as u16));
    RESP_CLASS = "dns.resp.class", "Class", HEX16;
    RESP_TTL = "dns.resp.ttl", "Time to live", DEC;
    RESP_LEN = "dns.resp.len", "Data length", DEC;
    A = "dns.a", "Address", IPV4;
    AAAA = "dns.aaaa", "AAAA Address", IPV6;
    CNAME = "dns.cname", "CNAME", STR;
    PTR = "dns.ptr.domain_name", "Domain Name", STR;
    NS = "dns.ns", "Name Server", STR;
    MX_PREFERENCE = "dns.mx.preference", "Preference", DEC;
    MX_EXCHANGE = "dns.mx.mail_exchange", "Mail Exchange", STR;
    TXT = "dns.txt", "TXT", STR;
    SOA_MNAME = "dns.soa.mname", "Primary name server", STR;
    SOA_RNAME = "dns.soa.rname", "Responsible authority's mailbox", STR;
    SOA_SERIAL = "dns.soa.serial_number", "Serial Number", DEC;
    SRV_PRIORITY = "dns.srv.priority", "Priority", DEC;
    SRV_WEIGHT = "dns.srv.weight", "Weight", DEC;
    SRV_PORT = "dns.srv.port", "Port", DEC;
    SRV_TARGET = "dns.srv.target", "Target", STR;
    OPT_UDP_PAYLOAD_SIZE = "dns.rr.udp_payload_size", "UDP payload size", DEC;
}

pub(crate) fn visit<'a, V: Visitor<'a>>(p: &DnsPacket<'a>, over_tcp: bool, e: &mut Emit<'_, V>) {
    // Over TCP the message follows a two-byte length; the layer starts at the message.
    if over_tcp {
        e.uint(&hf::LENGTH, 0, 0, p.message().len() as u64);
    }
    let flags = p.flags();
    e.uint(&hf::ID, 0, 2, p.id());
    e.uint(&hf::FLAGS, 2, 2, flags);
    e.bool(&hf::FLAGS_RESPONSE, 2, 2, p.is_response());
    e.uint(&hf::FLAGS_OPCODE, 2, 2, p.opcode());
    if p.is_response() {
        e.bool(&hf::FLAGS_AUTHORITATIVE, 2, 2, flags & 0x0400 != 0);
    }
    e.bool(&hf::FLAGS_TRUNCATED, 2, 2, flags & 0x0200 != 0);
    e.bool(&hf::FLAGS_RECDESIRED, 2, 2, flags & 0x0100 != 0);
    if p.is_response() {
        e.bool(&hf::FLAGS_RECAVAIL, 2, 2, flags & 0x0080 != 0);
        e.uint(&hf::FLAGS_RCODE, 2, 2, p.rcode());
    }
    e.uint(&hf::COUNT_QUERIES, 4, 2, p.question_count());
    e.uint(&hf::COUNT_ANSWERS, 6, 2, p.answer_count());
    e.uint(&hf::COUNT_AUTH_RR, 8, 2, p.authority_count());
    e.uint(&hf::COUNT_ADD_RR, 10, 2, p.additional_count());
    for record in p.records().map_while(Result::ok) {
        if e.done() {
            return;
        }
        visit_record(&record, e);
    }
}

fn visit_record<'a, V: Visitor<'a>>(r: &Record<'a>, e: &mut Emit<'_, V>) {
    let name_len = r.len.saturating_sub(match r.section {
        Section::Question => 4,
        _ => 10 + r.rdata.len(),
    });
    let at = r.offset;
    if r.section == Section::Question {
        e.f(&hf::QRY_NAME, at, name_len, Value::DnsName(r.name));
        e.uint(&hf::QRY_TYPE, at + name_len, 2, r.rtype);
        e.uint(&hf::QRY_CLASS, at + name_len + 2, 2, r.class);
        return;
    }
    e.f(&hf::RESP_NAME, at, name_len, Value::DnsName(r.name));
    e.uint(&hf::RESP_TYPE, at + name_len, 2, r.rtype);
    if r.rtype == dns::TYPE_OPT {
        e.uint(&hf::OPT_UDP_PAYLOAD_SIZE, at + name_len + 2, 2, r.class);
    } else {
        e.uint(&hf::RESP_CLASS, at + name_len + 2, 2, r.class);
        e.uint(&hf::RESP_TTL, at + name_len + 4, 4, r.ttl);
    }
    e.uint(&hf::RESP_LEN, at + name_len + 8, 2, r.rdata.len() as u64);
    let rd = r.rdata_offset;
    let rl = r.rdata.len();
    match r.rtype {
        dns::TYPE_A => {
            if let Some(a) = r.a() {
                e.f(&hf::A, rd, 4, Value::Ipv4(a));
            }
        }
        dns::TYPE_AAAA => {
            if let Some(a) = r.aaaa() {
                e.f(&hf::AAAA, rd, 16, Value::Ipv6(a));
            }
        }
        dns::TYPE_CNAME | dns::TYPE_PTR | dns::TYPE_NS => {
            let def = match r.rtype {
                dns::TYPE_CNAME => &hf::CNAME,
                dns::TYPE_PTR => &hf::PTR,
                _ => &hf::NS,
            };
            if let Some(n) = r.rdata_name(0) {
                e.f(def, rd, rl, Value::DnsName(n));
            }
        }
        dns::TYPE_MX => {
            e.uint(&hf::MX_PREFERENCE, rd, 2, r.rdata_u16(0));
            if let Some(n) = r.rdata_name(2) {
                e.f(
                    &hf::MX_EXCHANGE,
                    rd + 2,
                    rl.saturating_sub(2),
                    Value::DnsName(n),
                );
            }
        }
        dns::TYPE_TXT => {
            let mut off = rd;
            for s in r.txt_strings() {
                e.f(&hf::TXT, off + 1, s.len(), Value::Str(s));
                off += 1 + s.len();
            }
        }
        dns::TYPE_SOA => {
            if let Some((mname, rname, nums)) = r.soa() {
                e.f(&hf::SOA_MNAME, rd, 0, Value::DnsName(mname));
                e.f(&hf::SOA_RNAME, rd, 0, Value::DnsName(rname));
                e.uint(&hf::SOA_SERIAL, rd, 0, nums[0]);
            }
        }
        dns::TYPE_SRV => {
            e.uint(&hf::SRV_PRIORITY, rd, 2, r.rdata_u16(0));
            e.uint(&hf::SRV_WEIGHT, rd + 2, 2, r.rdata_u16(2));
            e.uint(&hf::SRV_PORT, rd + 4, 2, r.rdata_u16(4));
            if let Some(n) = r.rdata_name(6) {
                e.f(
                    &hf::SRV_TARGET,
                    rd + 6,
                    rl.saturating_sub(6),
                    Value::DnsName(n),
                );
            }
        }
        _ => {}
    }
}

fn write_type<W: Sink + ?Sized>(w: &mut W, t: u16) -> fmt::Result {
    match dns::type_name(t) {
        Some(n) => w.write_str(n),
        None => write!(w, "Unknown ({t})"),
    }
}

pub(crate) fn info<W: Sink + ?Sized>(p: &DnsPacket<'_>, w: &mut W) -> fmt::Result {
    w.write_str(dns::opcode_name(p.opcode()))?;
    if p.is_response() {
        w.write_str(" response")?;
    }
    w.write_str(" 0x")?;
    crate::text::write_hex(w, p.id().into(), 4)?;
    if p.is_response() && p.rcode() != 0 {
        match dns::rcode_name(p.rcode()) {
            Some(n) => {
                w.write_char(' ')?;
                w.write_str(n)?
            }
            None => write!(w, " Unknown error ({})", p.rcode())?,
        }
    }
    let mut records = p.records();
    let mut stopped = false;
    for next in records.by_ref() {
        let Ok(r) = next else {
            stopped = true;
            break;
        };
        w.write_char(' ')?;
        write_type(w, r.rtype)?;
        match (r.section, r.rtype) {
            (Section::Question, _) => {
                w.write_char(' ')?;
                r.name.write_to(w)?;
            }
            (_, dns::TYPE_A) => {
                if let Some(a) = r.a() {
                    w.write_char(' ')?;
                    crate::text::write_ipv4(w, a)?;
                }
            }
            (_, dns::TYPE_AAAA) => {
                if let Some(a) = r.aaaa() {
                    w.write_char(' ')?;
                    w.push_ipv6(a)?;
                }
            }
            (_, dns::TYPE_CNAME | dns::TYPE_PTR | dns::TYPE_NS) => {
                if let Some(n) = r.rdata_name(0) {
                    w.write_char(' ')?;
                    n.write_to(w)?;
                }
            }
            (_, dns::TYPE_MX) => {
                if let Some(n) = r.rdata_name(2) {
                    write!(w, " {} {n}", r.rdata_u16(0))?;
                }
            }
            (_, dns::TYPE_SRV) => {
                if let Some(n) = r.rdata_name(6) {
                    write!(
                        w,
                        " {} {} {} {n}",
                        r.rdata_u16(0),
                        r.rdata_u16(2),
                        r.rdata_u16(4)
                    )?;
                }
            }
            (_, dns::TYPE_SOA) => {
                if let Some((mname, _, _)) = r.soa() {
                    write!(w, " {mname}")?;
                }
            }
            _ => {}
        }
    }
    // A record cut short still shows its type once name, type and class are there.
    let at = records.offset();
    if !stopped {
        return Ok(());
    }
    if let Ok((_, name_len)) = dns::Name::parse(p.message(), at)
        && let Some(&[hi, lo, _, _]) = p.message().get(at + name_len..at + name_len + 4)
    {
        w.write_char(' ')?;
        write_type(w, u16::from_be_bytes([hi, lo]))?;
    }
    Ok(())
}
