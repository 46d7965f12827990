//! HTTP/1.x fields and Info ("GET / HTTP/1.1 ", "HTTP/1.1 200 OK  (text/html)").

use core::fmt;

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::text::{Sink, write_escaped};
use crate::wire::bytes::{eq_lowercase, find_byte};
use crate::wire::http::{HttpMessage, StartLine};

fields! {
    REQUEST = "http.request", "Request", BOOL;
    RESPONSE = "http.response", "Response", BOOL;
    REQUEST_METHOD = "http.request.method", "Request Method", STR;
    REQUEST_URI = "http.request.uri", "Request URI", STR;
    REQUEST_VERSION = "http.request.version", "Request Version", STR;
    RESPONSE_VERSION = "http.response.version", "Response Version", STR;
    RESPONSE_CODE = "http.response.code", "Status Code", DEC;
    RESPONSE_PHRASE = "http.response.phrase", "Response Phrase", STR;
    HOST = "http.host", "Host", STR;
    USER_AGENT = "http.user_agent", "User-Agent", STR;
    ACCEPT = "http.accept", "Accept", STR;
    CONTENT_TYPE = "http.content_type", "Content-Type", STR;
    CONTENT_LENGTH_HEADER = "http.content_length_header", "Content-Length", STR;
    SERVER = "http.server", "Server", STR;
    CONNECTION = "http.connection", "Connection", STR;
    LOCATION = "http.location", "Location", STR;
    COOKIE = "http.cookie", "Cookie", STR;
    REFERER = "http.referer", "Referer", STR;
    DATE = "http.date", "Date", STR;
    FILE_DATA = "http.file_data", "File Data", STR;
}

pub(crate) fn visit<'a, V: Visitor<'a>>(m: &HttpMessage<'a>, e: &mut Emit<'_, V>) {
    match m.start_line() {
        StartLine::Request {
            method,
            uri,
            version,
        } => {
            e.bool(&hf::REQUEST, 0, 0, true);
            e.f(&hf::REQUEST_METHOD, 0, method.len(), Value::Str(method));
            e.f(
                &hf::REQUEST_URI,
                method.len() + 1,
                uri.len(),
                Value::Str(uri),
            );
            let at = method.len() + uri.len() + 2;
            e.f(&hf::REQUEST_VERSION, at, version.len(), Value::Str(version));
        }
        StartLine::Response {
            version,
            code,
            phrase,
        } => {
            e.bool(&hf::RESPONSE, 0, 0, true);
            e.f(&hf::RESPONSE_VERSION, 0, version.len(), Value::Str(version));
            e.uint(&hf::RESPONSE_CODE, version.len() + 1, 3, code);
            e.f(
                &hf::RESPONSE_PHRASE,
                version.len() + 5,
                phrase.len(),
                Value::Str(phrase),
            );
        }
    }
    for h in m.headers() {
        let def = [
            ("host", &hf::HOST),
            ("user-agent", &hf::USER_AGENT),
            ("accept", &hf::ACCEPT),
            ("content-type", &hf::CONTENT_TYPE),
            ("content-length", &hf::CONTENT_LENGTH_HEADER),
            ("server", &hf::SERVER),
            ("connection", &hf::CONNECTION),
            ("location", &hf::LOCATION),
            ("cookie", &hf::COOKIE),
            ("referer", &hf::REFERER),
            ("date", &hf::DATE),
        ]
        .into_iter()
        .find(|(name, _)| h.name.eq_ignore_ascii_case(name.as_bytes()));
        if let Some((_, def)) = def {
            let value_at = h.line.len() - h.value.len();
            e.f(def, h.offset + value_at, h.value.len(), Value::Str(h.value));
        }
    }
    if let Some(body) = body(m)
        && !body.is_empty()
    {
        let at = m.head_len().unwrap_or(0);
        e.f(&hf::FILE_DATA, at, body.len(), Value::Str(body));
    }
}

/// A request line cut by the snap length: the method, and the URI when it started.
pub(crate) fn visit_cut_start_line<'a, V: Visitor<'a>>(data: &'a [u8], e: &mut Emit<'_, V>) {
    let mut words = data.splitn(3, |&b| b == b' ');
    let method = words.next().unwrap_or(&[]);
    e.bool(&hf::REQUEST, 0, 0, true);
    e.f(&hf::REQUEST_METHOD, 0, method.len(), Value::Str(method));
    if let Some(uri) = words.next().filter(|u| !u.is_empty()) {
        e.f(
            &hf::REQUEST_URI,
            method.len() + 1,
            uri.len(),
            Value::Str(uri),
        );
    }
}

pub(crate) fn visit_continuation<'a, V: Visitor<'a>>(data: &'a [u8], e: &mut Emit<'_, V>) {
    e.f(&hf::FILE_DATA, 0, data.len(), Value::Str(data));
}

/// The body bytes present after a complete head.
pub(crate) fn body<'a>(m: &HttpMessage<'a>) -> Option<&'a [u8]> {
    let head = m.head_len()?;
    let (_, rest) = m.data().split_at_checked(head)?;
    Some(rest)
}

/// How a message's body is dissected, by its media type, as tshark 4.0 does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    TextLines,
    UrlencodedForm,
    Json,
    Media,
}

pub(crate) fn body_kind(content_type: &[u8]) -> BodyKind {
    let essence = match find_byte(content_type, b';') {
        Some(at) => content_type.get(..at).unwrap_or(&[]),
        None => content_type,
    }
    .trim_ascii();
    if essence.get(..5).is_some_and(|p| eq_lowercase(p, b"text/")) {
        BodyKind::TextLines
    } else if eq_lowercase(essence, b"application/x-www-form-urlencoded") {
        BodyKind::UrlencodedForm
    } else if eq_lowercase(essence, b"application/json") {
        BodyKind::Json
    } else {
        BodyKind::Media
    }
}

/// "GET / HTTP/1.1 " (Wireshark appends a space after the first line), then
/// the body's media type when a body is there.
pub(crate) fn info<W: Sink + ?Sized>(m: &HttpMessage<'_>, w: &mut W) -> fmt::Result {
    write_escaped(w, m.start_line_bytes())?;
    w.write_char(' ')?;
    let Some(body) = body(m) else {
        return Ok(());
    };
    if body.is_empty() {
        return Ok(());
    }
    let content_type = m.header("content-type");
    if let Some(ct) = content_type {
        if body_kind(ct) == BodyKind::Json {
            w.write_str(", JavaScript Object Notation")?;
        }
        w.write_str(" (")?;
        write_escaped(w, ct)?;
        w.write_str(")")?;
    }
    Ok(())
}

/// "Continuation" for HTTP bytes that start no message.
pub(crate) fn continuation_info<W: Sink + ?Sized>(w: &mut W) -> fmt::Result {
    w.write_str("Continuation")
}
