//! TLS fields and Info ("Client Hello", "Server Hello, Change Cipher Spec, …").

use core::fmt;

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::text::Sink;
use crate::wire::tls::{self, Handshake, HandshakeIter, Hello, Record, RecordIter};

fields! {
    RECORD_CONTENT_TYPE = "tls.record.content_type", "Content Type", DEC, named(|v| crate::wire::tls::content_type_name(v as u8));
    RECORD_OPAQUE_TYPE = "tls.record.opaque_type", "Opaque Type", DEC;
    RECORD_VERSION = "tls.record.version", "Version", HEX16, named(|v| crate::wire::tls::version_name(v as u16));
    RECORD_LENGTH = "tls.record.length", "Length", DEC;
    HANDSHAKE_TYPE = "tls.handshake.type", "Handshake Type", DEC, named(|v| crate::wire::tls::handshake_type_name(v as u8));
    HANDSHAKE_LENGTH = "tls.handshake.length", "Length", DEC;
    HANDSHAKE_VERSION = "tls.handshake.version", "Version", HEX16, named(|v| crate::wire::tls::version_name(v as u16));
    HANDSHAKE_CIPHERSUITE = "tls.handshake.ciphersuite", "Cipher Suite", HEX16;
    EXTENSION_TYPE = "tls.handshake.extension.type", "Type", DEC;
    SERVER_NAME = "tls.handshake.extensions_server_name", "Server Name", STR;
    ALPN_STR = "tls.handshake.extensions_alpn_str", "ALPN Next Protocol", STR;
    SUPPORTED_VERSION = "tls.handshake.extensions.supported_version", "Supported Version", HEX16;
    APP_DATA = "tls.app_data", "Encrypted Application Data", BYTES;
}

/// A record whose handshake messages parse exactly is plaintext; otherwise it is
/// an encrypted handshake (after Change Cipher Spec).
pub(crate) fn is_plain_handshake(r: &Record<'_>) -> bool {
    if !r.is_complete() {
        return HandshakeIter::new(r.fragment)
            .next()
            .is_some_and(|h| tls::handshake_type_name(h.msg_type).is_some());
    }
    let mut total = 0usize;
    for h in HandshakeIter::new(r.fragment) {
        if tls::handshake_type_name(h.msg_type).is_none() || h.body.len() != h.length as usize {
            return false;
        }
        total += tls::HANDSHAKE_HEADER_LEN + h.body.len();
    }
    total == r.fragment.len() && total > 0
}

fn records(data: &[u8]) -> impl Iterator<Item = Record<'_>> {
    RecordIter::new(data).map_while(|r| match r {
        Ok(rec) => Some(rec),
        Err((_, partial)) => partial,
    })
}

/// `session` is the version the conversation's ServerHello chose, if seen before.
pub(crate) fn visit<'a, V: Visitor<'a>>(data: &'a [u8], session: Option<u16>, e: &mut Emit<'_, V>) {
    // After a ServerHello that chose TLS 1.3, application data records are
    // encrypted records whose outer type Wireshark calls the opaque type.
    let mut tls13 = session == Some(0x0304);
    for r in records(data) {
        let at = r.offset;
        if tls13 && r.content_type == tls::CONTENT_APPLICATION_DATA {
            e.uint(&hf::RECORD_OPAQUE_TYPE, at, 1, r.content_type);
        } else {
            e.uint(&hf::RECORD_CONTENT_TYPE, at, 1, r.content_type);
        }
        if r.content_type == tls::CONTENT_HANDSHAKE
            && is_plain_handshake(&r)
            && column_version(r_bytes(data, &r)) == 0x0304
        {
            tls13 = true;
        }
        e.uint(&hf::RECORD_VERSION, at + 1, 2, r.version);
        e.uint(&hf::RECORD_LENGTH, at + 3, 2, r.length);
        let body = at + tls::RECORD_HEADER_LEN;
        match r.content_type {
            tls::CONTENT_HANDSHAKE if is_plain_handshake(&r) => {
                for h in HandshakeIter::new(r.fragment) {
                    visit_handshake(&h, body + h.offset, e);
                }
            }
            tls::CONTENT_APPLICATION_DATA => {
                e.f(
                    &hf::APP_DATA,
                    body,
                    r.fragment.len(),
                    Value::Bytes(r.fragment),
                );
            }
            _ => {}
        }
    }
}

fn visit_handshake<'a, V: Visitor<'a>>(h: &Handshake<'a>, at: usize, e: &mut Emit<'_, V>) {
    e.uint(&hf::HANDSHAKE_TYPE, at, 1, h.msg_type);
    e.uint(&hf::HANDSHAKE_LENGTH, at + 1, 3, h.length);
    let client = h.msg_type == tls::HS_CLIENT_HELLO;
    if !client && h.msg_type != tls::HS_SERVER_HELLO {
        return;
    }
    let Ok(hello) = Hello::parse(h.body, client) else {
        return;
    };
    let body = at + tls::HANDSHAKE_HEADER_LEN;
    e.uint(&hf::HANDSHAKE_VERSION, body, 2, hello.version);
    if let Some(suite) = hello.cipher_suite {
        e.uint(&hf::HANDSHAKE_CIPHERSUITE, body, 2, suite);
    }
    for ext in hello.extension_iter() {
        let ext_at = body + ext.offset;
        e.uint(&hf::EXTENSION_TYPE, ext_at, 2, ext.ext_type);
        match ext.ext_type {
            tls::EXT_SERVER_NAME => {
                if let Some(name) = hello.server_name() {
                    e.f(&hf::SERVER_NAME, ext_at + 9, name.len(), Value::Str(name));
                }
            }
            tls::EXT_ALPN => {
                let mut off = ext_at + 6;
                for proto in hello.alpn() {
                    e.f(&hf::ALPN_STR, off + 1, proto.len(), Value::Str(proto));
                    off += 1 + proto.len();
                }
            }
            tls::EXT_SUPPORTED_VERSIONS => {
                for v in hello.supported_versions(client) {
                    e.uint(&hf::SUPPORTED_VERSION, ext_at + 4, 2, v);
                }
            }
            _ => {}
        }
    }
}

/// The bytes of one record (header included) inside `data`.
fn r_bytes<'a>(data: &'a [u8], r: &Record<'_>) -> &'a [u8] {
    let end = r.offset + tls::RECORD_HEADER_LEN + r.fragment.len();
    data.get(r.offset..end).unwrap_or(&[])
}

/// The version the packet list shows: a ServerHello's choice, else the first record's.
pub(crate) fn column_version(data: &[u8]) -> u16 {
    server_hello_version(data)
        .or_else(|| records(data).next().map(|r| r.version))
        .unwrap_or(0)
}

/// The version a ServerHello in these records chose, if one is there.
pub(crate) fn server_hello_version(data: &[u8]) -> Option<u16> {
    for r in records(data) {
        if r.content_type != tls::CONTENT_HANDSHAKE || !is_plain_handshake(&r) {
            continue;
        }
        for h in HandshakeIter::new(r.fragment) {
            if h.msg_type != tls::HS_SERVER_HELLO {
                continue;
            }
            if let Ok(hello) = Hello::parse(h.body, false) {
                return Some(
                    hello
                        .supported_versions(false)
                        .next()
                        .unwrap_or(hello.version),
                );
            }
        }
    }
    None
}

/// The Protocol column: the session's version once a ServerHello chose it
/// (`session`, from the conversation), else this frame's.
pub(crate) fn write_protocol<W: Sink + ?Sized>(
    data: &[u8],
    session: Option<u16>,
    w: &mut W,
) -> fmt::Result {
    let version = server_hello_version(data)
        .or(session)
        .unwrap_or_else(|| column_version(data));
    match tls::version_name(version) {
        Some(name) => w.write_str(name),
        None => w.write_str("TLS"),
    }
}

pub(crate) fn info<W: Sink + ?Sized>(data: &[u8], w: &mut W) -> fmt::Result {
    let mut sep = "";
    for r in records(data) {
        match r.content_type {
            tls::CONTENT_HANDSHAKE if is_plain_handshake(&r) => {
                for h in HandshakeIter::new(r.fragment) {
                    let name = tls::handshake_type_name(h.msg_type).unwrap_or("Unknown");
                    w.write_str(sep)?;
                    w.write_str(name)?;
                    sep = ", ";
                }
            }
            tls::CONTENT_HANDSHAKE => {
                w.write_str(sep)?;
                w.write_str("Encrypted Handshake Message")?;
                sep = ", ";
            }
            tls::CONTENT_ALERT if r.fragment.len() == 2 => {
                let level = r.fragment.first().copied().unwrap_or(0);
                let desc = r.fragment.get(1).copied().unwrap_or(0);
                let level = if level == 2 { "Fatal" } else { "Warning" };
                write!(w, "{sep}Alert (Level: {level}, Description: {desc})")?;
                sep = ", ";
            }
            tls::CONTENT_ALERT => {
                w.write_str(sep)?;
                w.write_str("Encrypted Alert")?;
                sep = ", ";
            }
            t => {
                let name = tls::content_type_name(t).unwrap_or("Unknown Record");
                w.write_str(sep)?;
                w.write_str(name)?;
                sep = ", ";
            }
        }
    }
    if sep.is_empty() {
        w.write_str("Continuation Data")?;
    }
    Ok(())
}
