//! HTTP/1.x start lines and headers, read in place.

use super::bytes::{Finds, eq_lowercase, find_byte};

/// Request methods Wireshark recognises at the start of a message.
const METHODS: [&[u8]; 9] = [
    b"GET", b"POST", b"HEAD", b"PUT", b"DELETE", b"OPTIONS", b"TRACE", b"CONNECT", b"PATCH",
];

/// The first line of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartLine<'a> {
    Request {
        method: &'a [u8],
        uri: &'a [u8],
        version: &'a [u8],
    },
    Response {
        version: &'a [u8],
        code: u16,
        phrase: &'a [u8],
    },
}

/// A read-only view of the head of an HTTP/1.x message.
#[derive(Debug, Clone, Copy)]
pub struct HttpMessage<'a> {
    data: &'a [u8],
    /// Length of the start line including its line ending. The start line itself
    /// is parsed again on demand, which keeps this view (and every layer) small.
    start_len: usize,
}

/// Splits off one line; returns (line without CR LF, length consumed), or None if no LF.
pub fn split_line(data: &[u8]) -> Option<(&[u8], usize)> {
    let lf = find_byte(data, b'\n')?;
    let line = data.get(..lf)?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Some((line, lf + 1))
}

impl<'a> HttpMessage<'a> {
    /// Recognises a request or status line; `None` means this is not the start of a message
    /// (a continuation, or not HTTP). The line must end in LF.
    pub fn parse(data: &'a [u8]) -> Option<Self> {
        let (line, start_len) = split_line(data)?;
        parse_start_line(line)?;
        Some(HttpMessage { data, start_len })
    }

    /// True if `data` begins like an HTTP message, even without a full line
    /// (as every message [`parse`](Self::parse) accepts does).
    pub fn looks_like_start(data: &[u8]) -> bool {
        if !Self::may_start(data) {
            return false;
        }
        data.starts_with(b"HTTP/")
            || METHODS.iter().any(|m| {
                data.strip_prefix(*m)
                    .is_some_and(|rest| rest.first() == Some(&b' '))
            })
    }

    /// False when `data` cannot begin a message, by its first byte alone (a
    /// method's or "HTTP/"'s first letter): a body's segment is known without
    /// a search for its first line end.
    #[inline(always)]
    pub fn may_start(data: &[u8]) -> bool {
        matches!(
            data.first(),
            Some(b'G' | b'P' | b'H' | b'D' | b'O' | b'T' | b'C')
        )
    }

    /// All the bytes the message was parsed from.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    pub fn start_line(&self) -> StartLine<'a> {
        // `parse` checked this line, so it parses again.
        parse_start_line(self.start_line_bytes()).unwrap_or(StartLine::Response {
            version: &[],
            code: 0,
            phrase: &[],
        })
    }

    /// The start line's bytes without its line ending.
    pub fn start_line_bytes(&self) -> &'a [u8] {
        // `parse` found its line end: the byte before `start_len`.
        let line = self
            .data
            .get(..self.start_len.saturating_sub(1))
            .unwrap_or(&[]);
        line.strip_suffix(b"\r").unwrap_or(line)
    }

    pub fn start_len(&self) -> usize {
        self.start_len
    }

    /// Header lines after the start line, up to the empty line or the end of the data.
    pub fn headers(&self) -> HeaderIter<'a> {
        HeaderIter {
            rest: self.data.get(self.start_len..).unwrap_or(&[]),
            offset: self.start_len,
            complete: false,
        }
    }

    /// The first header of that name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers()
            .find(|h| h.name.eq_ignore_ascii_case(name.as_bytes()))
            .map(|h| h.value)
    }

    /// One pass over the head: its length (if complete), Content-Length and
    /// Content-Type, as [`headers`](Self::headers) reads them.
    #[inline]
    pub fn head_summary(&self) -> HeadSummary<'a> {
        let mut summary = HeadSummary::default();
        let mut line_ends = Finds::new(self.data, b'\n', self.start_len);
        let mut start = self.start_len;
        loop {
            match self.data.get(start..) {
                // The empty line (a bare LF or CR LF) ends the head.
                Some([b'\n', ..]) => {
                    summary.head_len = Some(start + 1);
                    break;
                }
                Some([b'\r', b'\n', ..]) => {
                    summary.head_len = Some(start + 2);
                    break;
                }
                Some(line @ [first, ..]) if first | 0x20 == b'c' => {
                    if summary.content_length.is_none() {
                        summary.content_length = header_value(line, b"content-length");
                    }
                    if summary.content_type.is_none() {
                        summary.content_type = header_value(line, b"content-type");
                    }
                }
                _ => {}
            }
            let Some(lf) = line_ends.next() else { break };
            start = lf + 1;
        }
        summary
    }

    /// Length of the head including the empty line, if it is complete.
    pub fn head_len(&self) -> Option<usize> {
        let mut it = self.headers();
        while it.next_line().is_some() {}
        it.complete.then_some(it.offset)
    }
}

fn parse_start_line(line: &[u8]) -> Option<StartLine<'_>> {
    // Three words parted by single spaces, the last the rest of the line
    // (a URI is searched eight bytes at a time: it is most of the line).
    let (first, rest) = split_at_space(line)?;
    let (second, third) = match split_at_space(rest) {
        Some((second, third)) => (second, Some(third)),
        None => (rest, None),
    };
    if first.starts_with(b"HTTP/") {
        let (version, code_bytes, phrase) = (first, second, third.unwrap_or(&[]));
        if code_bytes.len() != 3 || !code_bytes.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let code = code_bytes
            .iter()
            .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
        return Some(StartLine::Response {
            version,
            code,
            phrase,
        });
    }
    let (method, uri, version) = (first, second, third?);
    if !METHODS.contains(&method) || !version.starts_with(b"HTTP/") {
        return None;
    }
    Some(StartLine::Request {
        method,
        uri,
        version,
    })
}

/// The bytes before the first space and those after it.
fn split_at_space(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = find_byte(line, b' ')?;
    Some((line.get(..at)?, line.get(at + 1..)?))
}

/// What the walk needs from a head, read in one pass.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeadSummary<'a> {
    /// Length including the empty line, when the head is complete.
    pub head_len: Option<usize>,
    pub content_length: Option<&'a [u8]>,
    pub content_type: Option<&'a [u8]>,
}

/// A Content-Length value as a number (digits only).
pub fn parse_content_length(v: &[u8]) -> Option<usize> {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    v.iter().try_fold(0usize, |acc, d| {
        acc.checked_mul(10)?.checked_add(usize::from(d - b'0'))
    })
}

/// One header line: the name, the value with surrounding blanks trimmed, and where it starts.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    pub name: &'a [u8],
    pub value: &'a [u8],
    pub line: &'a [u8],
    pub offset: usize,
}

#[derive(Debug, Clone)]
pub struct HeaderIter<'a> {
    rest: &'a [u8],
    offset: usize,
    complete: bool,
}

impl<'a> HeaderIter<'a> {
    /// The next header line and its offset, not yet split at its colon.
    fn next_line(&mut self) -> Option<(&'a [u8], usize)> {
        // A last line without its line end (a frame cut short) is still a header.
        let (line, used) = split_line(self.rest).or_else(|| {
            (!self.rest.is_empty() && !self.complete).then_some((self.rest, self.rest.len()))
        })?;
        let offset = self.offset;
        self.rest = self.rest.get(used..).unwrap_or(&[]);
        self.offset += used;
        if line.is_empty() {
            self.complete = true;
            self.rest = &[];
            return None;
        }
        Some((line, offset))
    }
}

/// The value of the header `name` (lowercase) if the line at the start of
/// `rest` is one, as `split_header` parts it: the name is what comes before
/// the first colon, or the whole line, its CR LF or LF taken off.
#[inline(always)]
fn header_value<'a>(rest: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let (head, after) = rest.split_at_checked(name.len())?;
    if !eq_lowercase(head, name) {
        return None;
    }
    match after {
        [b':', value @ ..] => {
            let line = find_byte(value, b'\n').and_then(|lf| value.get(..lf));
            Some(line.unwrap_or(value).trim_ascii())
        }
        [] | [b'\n', ..] | [b'\r', b'\n', ..] => Some(&[]),
        _ => None,
    }
}

/// A header line's name and its value with surrounding blanks trimmed.
fn split_header(line: &[u8]) -> (&[u8], &[u8]) {
    match find_byte(line, b':') {
        Some(c) => (
            line.get(..c).unwrap_or(&[]),
            line.get(c + 1..).unwrap_or(&[]).trim_ascii(),
        ),
        None => (line, &[][..]),
    }
}

impl<'a> Iterator for HeaderIter<'a> {
    type Item = Header<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let (line, offset) = self.next_line()?;
        let (name, value) = split_header(line);
        Some(Header {
            name,
            value,
            line,
            offset,
        })
    }
}

/// TCP ports on which tshark 4.0 dissects HTTP by default.
pub const DEFAULT_TCP_PORTS: [u16; 12] = [
    80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371,
];

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_request() {
        let data = b"GET /index.html HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\n\r\nbody";
        let m = HttpMessage::parse(data).unwrap();
        assert_eq!(
            m.start_line(),
            StartLine::Request {
                method: b"GET",
                uri: b"/index.html",
                version: b"HTTP/1.1"
            }
        );
        assert_eq!(m.header("host"), Some(&b"example.test"[..]));
        assert_eq!(m.headers().count(), 2);
        assert_eq!(m.head_len(), Some(data.len() - 4));
    }

    #[test]
    fn test_response() {
        let m = HttpMessage::parse(b"HTTP/1.0 404 File not found\r\n").unwrap();
        assert!(matches!(
            m.start_line(),
            StartLine::Response { code: 404, .. }
        ));
        assert_eq!(m.head_len(), None);
    }

    #[test]
    fn test_not_http() {
        assert!(HttpMessage::parse(b"GET / HTTP/1.1").is_none());
        assert!(HttpMessage::parse(b"HELLO there\r\n").is_none());
        assert!(HttpMessage::parse(b"HTTP/1.1 2x0 OK\r\n").is_none());
        assert!(HttpMessage::looks_like_start(b"GET / HT"));
    }

    /// The one-pass summary says what the header iterator says, on heads
    /// whole, cut at every byte, and with LF-only or bare-CR lines.
    #[test]
    fn test_head_summary_agrees_with_the_headers() {
        let heads: [&[u8]; 4] = [
            b"POST /f HTTP/1.1\r\nHost: a\r\ncontent-type: text/plain\r\nContent-Length: 4\r\nCONTENT-LENGTH: 9\r\n\r\nbody",
            b"HTTP/1.1 200 OK\nContent-Type:  application/json \nX-Long-Header-Name-Here: 0123456789abcdef\n\n{}",
            b"HTTP/1.0 204 No Content\r\nC\r\nContent-Lengthy: 1\r\n\r\r\n\r\n",
            b"GET / HTTP/1.1\r\ncontent-length:\r\n",
        ];
        for head in heads {
            summary_agrees_at_every_cut(head);
        }
    }

    /// Holds the summary of `head`, cut at every byte, to the header
    /// iterator's reading; returns how many cuts parsed.
    fn summary_agrees_at_every_cut(head: &[u8]) -> usize {
        let mut parsed = 0;
        for cut in 0..=head.len() {
            let Some(m) = HttpMessage::parse(&head[..cut]) else {
                continue;
            };
            // The walk parses only what may start a message.
            assert!(HttpMessage::may_start(&head[..cut]));
            assert!(HttpMessage::looks_like_start(&head[..cut]));
            let s = m.head_summary();
            assert_eq!(
                (s.head_len, s.content_length, s.content_type),
                (
                    m.head_len(),
                    m.header("content-length"),
                    m.header("content-type")
                ),
                "{:?}",
                &head[..cut]
            );
            parsed += 1;
        }
        parsed
    }

    /// Heads made of pieces that try every branch (names that almost match,
    /// lines without colons, bare CRs, LF-only lines, long lines across
    /// words), cut at every byte: the one-pass summary reads them as the
    /// header iterator does.
    #[test]
    fn head_summary_agrees_with_the_headers_on_random_heads() {
        extern crate std;
        use std::vec::Vec;
        let pieces: [&[u8]; 14] = [
            b"Content-Length: 12",
            b"content-type:text/html ",
            b"CONTENT-LENGTH",
            b"Content-Lengthy: 3",
            b"Connection: close",
            b"Host: example.com",
            b"C",
            b"X-Long-Header-Name-That-Spans-Words: 0123456789",
            b"\r\n",
            b"\n",
            b"\r",
            b":",
            b" ",
            b"body",
        ];
        let mut next = crate::testing::xorshift(0x1405_7b7e_f767_814fu64);
        let mut checked = 0;
        for _ in 0..3_000 {
            let mut head: Vec<u8> = b"GET / HTTP/1.1\r\n".to_vec();
            for _ in 0..(next() % 12) {
                head.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            }
            checked += summary_agrees_at_every_cut(&head);
        }
        assert!(checked > 30_000, "{checked}");
    }

    #[test]
    fn every_method_and_status_line_looks_like_a_start() {
        extern crate std;
        for method in METHODS {
            let line = [method, &b" / HTTP/1.1\r\n"[..]].concat();
            assert!(HttpMessage::may_start(&line), "{method:?}");
            assert!(HttpMessage::looks_like_start(&line), "{method:?}");
            assert!(HttpMessage::parse(&line).is_some(), "{method:?}");
            assert!(!HttpMessage::looks_like_start(method), "{method:?}");
        }
        assert!(HttpMessage::looks_like_start(b"HTTP/1.1 200 OK"));
        for not in [
            &b"<html>\n"[..],
            b"{}",
            b"get / HTTP/1.1\r\n",
            b"GETS / HTTP/1.1\r\n",
            b"",
        ] {
            assert!(!HttpMessage::looks_like_start(not), "{not:?}");
            assert!(HttpMessage::parse(not).is_none(), "{not:?}");
        }
    }

    #[test]
    fn test_start_line_words() {
        // The third word is the rest of the line, spaces and all.
        let m = HttpMessage::parse(b"HTTP/1.1 500 Internal Server Error\r\n").unwrap();
        assert!(matches!(
            m.start_line(),
            StartLine::Response {
                code: 500,
                phrase: b"Internal Server Error",
                ..
            }
        ));
        // A status line may leave out its phrase.
        let m = HttpMessage::parse(b"HTTP/1.1 204\r\n").unwrap();
        assert!(matches!(
            m.start_line(),
            StartLine::Response {
                code: 204,
                phrase: b"",
                ..
            }
        ));
        let m = HttpMessage::parse(b"POST /a%20b?x=1 HTTP/1.0 \r\n").unwrap();
        assert!(matches!(
            m.start_line(),
            StartLine::Request {
                method: b"POST",
                uri: b"/a%20b?x=1",
                version: b"HTTP/1.0 "
            }
        ));
        for bad in [
            &b"HTTP/1.1\r\n"[..],
            b"GET\r\n",
            b"GET /\r\n",
            b"GET / FTP/1.0\r\n",
            b"get / HTTP/1.1\r\n",
            b" GET / HTTP/1.1\r\n",
        ] {
            assert!(HttpMessage::parse(bad).is_none(), "{bad:?}");
        }
    }
}
