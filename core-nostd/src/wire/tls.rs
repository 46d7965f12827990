//! TLS records and the handshake messages encap reads: ClientHello (SNI, ALPN,
//! supported_versions) and ServerHello (version, cipher suite).

use super::bytes::{be16, u8_at};
use super::error::{Error, LenSource, Result};
use crate::proto::Protocol;

pub const RECORD_HEADER_LEN: usize = 5;
pub const HANDSHAKE_HEADER_LEN: usize = 4;

pub const CONTENT_CHANGE_CIPHER_SPEC: u8 = 20;
pub const CONTENT_ALERT: u8 = 21;
pub const CONTENT_HANDSHAKE: u8 = 22;
pub const CONTENT_APPLICATION_DATA: u8 = 23;
pub const CONTENT_HEARTBEAT: u8 = 24;

pub const HS_CLIENT_HELLO: u8 = 1;
pub const HS_SERVER_HELLO: u8 = 2;

pub const EXT_SERVER_NAME: u16 = 0;
pub const EXT_ALPN: u16 = 16;
pub const EXT_SUPPORTED_VERSIONS: u16 = 43;

/// True if `data` starts like a TLS record (known content type, major version 3).
pub fn looks_like_record(data: &[u8]) -> bool {
    matches!((data.first(), data.get(1)), (Some(20..=24), Some(3))) && u8_at(data, 2) <= 4
}

/// One record; `fragment` may be shorter than `length` when the record
/// continues in a later segment or the frame was cut.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    pub content_type: u8,
    pub version: u16,
    pub length: u16,
    pub fragment: &'a [u8],
    pub offset: usize,
}

impl Record<'_> {
    pub fn is_complete(&self) -> bool {
        self.fragment.len() == usize::from(self.length)
    }
}

/// Iterates the records in a TCP payload. A last record cut short is yielded
/// once as `Err` (with the partial record kept by `partial`).
#[derive(Debug, Clone)]
pub struct RecordIter<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> RecordIter<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        RecordIter {
            rest: data,
            offset: 0,
        }
    }
}

impl<'a> Iterator for RecordIter<'a> {
    type Item = core::result::Result<Record<'a>, (Error, Option<Record<'a>>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let offset = self.offset;
        let Some((header, body)) = self.rest.split_first_chunk::<RECORD_HEADER_LEN>() else {
            let have = self.rest.len();
            self.rest = &[];
            return Some(Err((
                Error::truncated(Protocol::Tls, RECORD_HEADER_LEN, have, LenSource::Slice)
                    .add_offset(offset),
                None,
            )));
        };
        let length = be16(header, 3..5);
        let record = |fragment| Record {
            content_type: header[0],
            version: be16(header, 1..3),
            length,
            fragment,
            offset,
        };
        match body.split_at_checked(usize::from(length)) {
            Some((fragment, rest)) => {
                self.rest = rest;
                self.offset += RECORD_HEADER_LEN + fragment.len();
                Some(Ok(record(fragment)))
            }
            None => {
                self.rest = &[];
                Some(Err((
                    Error::truncated(
                        Protocol::Tls,
                        RECORD_HEADER_LEN + usize::from(length),
                        RECORD_HEADER_LEN + body.len(),
                        LenSource::TlsRecordLen,
                    )
                    .add_offset(offset),
                    Some(record(body)),
                )))
            }
        }
    }
}

/// One handshake message inside a handshake record.
#[derive(Debug, Clone, Copy)]
pub struct Handshake<'a> {
    pub msg_type: u8,
    pub length: u32,
    pub body: &'a [u8],
    /// Offset within the record fragment.
    pub offset: usize,
}

/// Iterates handshake messages in a record fragment; a message cut short is yielded
/// with the bytes that are there (`body.len() < length`).
#[derive(Debug, Clone)]
pub struct HandshakeIter<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> HandshakeIter<'a> {
    pub fn new(fragment: &'a [u8]) -> Self {
        HandshakeIter {
            rest: fragment,
            offset: 0,
        }
    }
}

impl<'a> Iterator for HandshakeIter<'a> {
    type Item = Handshake<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let (header, body) = self.rest.split_first_chunk::<HANDSHAKE_HEADER_LEN>()?;
        let [t, a, b, c] = *header;
        let length = u32::from_be_bytes([0, a, b, c]);
        let (body, rest) = body
            .split_at_checked(length as usize)
            .unwrap_or((body, &[]));
        let offset = self.offset;
        self.rest = rest;
        self.offset += HANDSHAKE_HEADER_LEN + body.len();
        Some(Handshake {
            msg_type: t,
            length,
            body,
            offset,
        })
    }
}

/// What encap reads from a ClientHello or ServerHello.
#[derive(Debug, Clone, Copy)]
pub struct Hello<'a> {
    pub version: u16,
    /// ServerHello: the chosen suite.
    pub cipher_suite: Option<u16>,
    /// Extensions block, and its offset inside the handshake body.
    pub extensions: &'a [u8],
    pub extensions_offset: usize,
}

impl<'a> Hello<'a> {
    /// Parses a hello body; `client` selects the layout.
    pub fn parse(body: &'a [u8], client: bool) -> Result<Self> {
        let trunc = |needed: usize| {
            Error::truncated(
                Protocol::Tls,
                needed,
                body.len(),
                LenSource::TlsHandshakeLen,
            )
        };
        let version = be16(body, 0..2);
        let mut at = 2 + 32;
        let sid_len = usize::from(*body.get(at).ok_or(trunc(at + 1))?);
        at += 1 + sid_len;
        let cipher_suite = if client {
            let n = usize::from(be16(body, at..at + 2));
            if body.len() < at + 2 {
                return Err(trunc(at + 2));
            }
            at += 2 + n;
            let n = usize::from(*body.get(at).ok_or(trunc(at + 1))?);
            at += 1 + n;
            None
        } else {
            if body.len() < at + 3 {
                return Err(trunc(at + 3));
            }
            let suite = be16(body, at..at + 2);
            at += 3;
            Some(suite)
        };
        if body.len() < at {
            return Err(trunc(at));
        }
        let (extensions, extensions_offset) = if body.len() >= at + 2 {
            let n = usize::from(be16(body, at..at + 2));
            let ext = body.get(at + 2..at + 2 + n).ok_or(trunc(at + 2 + n))?;
            (ext, at + 2)
        } else {
            (&[][..], at)
        };
        Ok(Hello {
            version,
            cipher_suite,
            extensions,
            extensions_offset,
        })
    }

    pub fn extension_iter(&self) -> ExtensionIter<'a> {
        ExtensionIter {
            rest: self.extensions,
            offset: self.extensions_offset,
        }
    }

    pub fn extension(&self, ext_type: u16) -> Option<Extension<'a>> {
        self.extension_iter().find(|e| e.ext_type == ext_type)
    }

    /// The SNI host name (first entry of type host_name).
    pub fn server_name(&self) -> Option<&'a [u8]> {
        let data = self.extension(EXT_SERVER_NAME)?.data;
        let list = data.get(2..)?;
        if u8_at(list, 0) != 0 {
            return None;
        }
        let len = usize::from(be16(list, 1..3));
        list.get(3..3 + len)
    }

    /// ALPN protocol names in order.
    pub fn alpn(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut rest = self
            .extension(EXT_ALPN)
            .and_then(|e| e.data.get(2..))
            .unwrap_or(&[]);
        core::iter::from_fn(move || {
            let (&len, tail) = rest.split_first()?;
            let (name, tail) = tail.split_at_checked(usize::from(len))?;
            rest = tail;
            Some(name)
        })
    }

    /// supported_versions: a ClientHello's list, or a ServerHello's single choice.
    pub fn supported_versions(&self, client: bool) -> impl Iterator<Item = u16> + 'a {
        let data = self
            .extension(EXT_SUPPORTED_VERSIONS)
            .map(|e| e.data)
            .unwrap_or(&[]);
        let list = if client {
            data.get(1..1 + usize::from(u8_at(data, 0))).unwrap_or(&[])
        } else {
            data
        };
        list.chunks_exact(2).map(|c| be16(c, 0..2))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Extension<'a> {
    pub ext_type: u16,
    pub data: &'a [u8],
    pub offset: usize,
}

#[derive(Debug, Clone)]
pub struct ExtensionIter<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Iterator for ExtensionIter<'a> {
    type Item = Extension<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let ext_type = be16(self.rest, 0..2);
        let len = usize::from(be16(self.rest, 2..4));
        let data = self.rest.get(4..4 + len)?;
        let offset = self.offset;
        self.rest = self.rest.get(4 + len..).unwrap_or(&[]);
        self.offset += 4 + len;
        Some(Extension {
            ext_type,
            data,
            offset,
        })
    }
}

/// Wireshark's name for a protocol version (record or handshake).
pub const fn version_name(v: u16) -> Option<&'static str> {
    Some(match v {
        0x0300 => "SSLv3",
        0x0301 => "TLSv1",
        0x0302 => "TLSv1.1",
        0x0303 => "TLSv1.2",
        0x0304 => "TLSv1.3",
        _ => return None,
    })
}

pub const fn content_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        20 => "Change Cipher Spec",
        21 => "Alert",
        22 => "Handshake",
        23 => "Application Data",
        24 => "Heartbeat",
        _ => return None,
    })
}

pub const fn handshake_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        0 => "Hello Request",
        1 => "Client Hello",
        2 => "Server Hello",
        4 => "New Session Ticket",
        5 => "End of Early Data",
        8 => "Encrypted Extensions",
        11 => "Certificate",
        12 => "Server Key Exchange",
        13 => "Certificate Request",
        14 => "Server Hello Done",
        15 => "Certificate Verify",
        16 => "Client Key Exchange",
        20 => "Finished",
        24 => "Key Update",
        _ => return None,
    })
}

#[cfg(test)]
mod test {
    use super::*;

    fn client_hello() -> [u8; 80] {
        let mut b = [0u8; 80];
        // record header: handshake, TLS 1.0, length 75
        b[..5].copy_from_slice(&[22, 3, 1, 0, 75]);
        // handshake header: client hello, length 71
        b[5..9].copy_from_slice(&[1, 0, 0, 71]);
        b[9..11].copy_from_slice(&[3, 3]);
        // random 32 bytes at 11..43; session id len 0 at 43
        b[44..48].copy_from_slice(&[0, 2, 0x13, 0x01]);
        b[48..50].copy_from_slice(&[1, 0]);
        // extensions: 28 bytes
        b[50..52].copy_from_slice(&[0, 28]);
        // SNI "a.test": type 0, len 11: list len 9, type 0, name len 6
        b[52..56].copy_from_slice(&[0, 0, 0, 11]);
        b[56..59].copy_from_slice(&[0, 9, 0]);
        b[59..61].copy_from_slice(&[0, 6]);
        b[61..67].copy_from_slice(b"a.test");
        // supported_versions: type 43, len 5, list len 4: 0x0304 0x0303
        b[67..71].copy_from_slice(&[0, 43, 0, 5]);
        b[71..76].copy_from_slice(&[4, 3, 4, 3, 3]);
        // ALPN: type 16, len 3 ... (cut: 4 bytes of header only, len 0)
        b[76..80].copy_from_slice(&[0, 16, 0, 0]);
        b
    }

    #[test]
    fn test_client_hello() {
        let b = client_hello();
        let r = RecordIter::new(&b).next().unwrap().unwrap();
        assert_eq!(r.content_type, CONTENT_HANDSHAKE);
        assert_eq!(r.version, 0x0301);
        let hs = HandshakeIter::new(r.fragment).next().unwrap();
        assert_eq!(hs.msg_type, HS_CLIENT_HELLO);
        let hello = Hello::parse(hs.body, true).unwrap();
        assert_eq!(hello.version, 0x0303);
        assert_eq!(hello.server_name(), Some(&b"a.test"[..]));
        let mut versions = hello.supported_versions(true);
        assert_eq!(versions.next(), Some(0x0304));
        assert_eq!(versions.next(), Some(0x0303));
        assert_eq!(hello.alpn().count(), 0);
    }

    #[test]
    fn test_truncated_record() {
        let b = client_hello();
        let err = RecordIter::new(&b[..40]).next().unwrap().unwrap_err();
        assert!(err.0.is_truncation());
        assert_eq!(err.1.unwrap().fragment.len(), 35);
    }
}
