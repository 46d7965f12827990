//! Errors that say which protocol failed, where, and why.
//!
//! They are `Copy` and carry no text, so the no-alloc core can keep them in a
//! dissection as expert notes; `Display` turns them into one sentence.

use core::fmt;

use crate::proto::Protocol;

/// Which length ran out when a buffer was too short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LenSource {
    /// The bytes captured for this layer.
    Slice,
    /// IPv4's total length field.
    Ipv4TotalLen,
    /// IPv4's header length (IHL) field.
    Ipv4HeaderLen,
    /// IPv6's payload length field.
    Ipv6PayloadLen,
    /// An IPv6 extension header's own length field.
    Ipv6ExtLen,
    /// TCP's data offset field.
    TcpDataOffset,
    /// UDP's length field.
    UdpLength,
    /// ARP's hardware and protocol address sizes.
    ArpAddrLen,
    /// A DNS name, record or count.
    DnsRecord,
    /// A length inside an option list (IPv4, TCP, DHCP, IPv6).
    OptionLen,
    /// A TLS record's length field.
    TlsRecordLen,
    /// A TLS handshake message's length field.
    TlsHandshakeLen,
    /// The two-byte length prefix of DNS over TCP.
    DnsTcpLen,
}

impl LenSource {
    const fn describe(self) -> &'static str {
        match self {
            LenSource::Slice => "the captured bytes",
            LenSource::Ipv4TotalLen => "the total length",
            LenSource::Ipv4HeaderLen => "the header length",
            LenSource::Ipv6PayloadLen => "the payload length",
            LenSource::Ipv6ExtLen => "the extension header length",
            LenSource::TcpDataOffset => "the data offset",
            LenSource::UdpLength => "the length field",
            LenSource::ArpAddrLen => "the address sizes",
            LenSource::DnsRecord => "a name or record",
            LenSource::OptionLen => "an option length",
            LenSource::TlsRecordLen => "the record length",
            LenSource::TlsHandshakeLen => "the handshake length",
            LenSource::DnsTcpLen => "the TCP length prefix",
        }
    }
}

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// `needed` bytes were required (according to `source`) but only `have` were there.
    Truncated {
        needed: usize,
        have: usize,
        source: LenSource,
    },
    /// A field holds a value the protocol does not allow.
    BadValue {
        field: &'static str,
        value: u32,
        expected: &'static str,
    },
    /// A DNS compression pointer that does not point strictly backwards.
    DnsPointerLoop { target: u16 },
    /// A DNS name longer than 255 bytes or with more than 127 labels.
    DnsNameTooLong,
}

/// A parse error: the protocol, the offset of the problem inside the frame,
/// and the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Error {
    pub protocol: Protocol,
    /// Offset in bytes; relative to the view until the walker rebases it to the frame.
    pub offset: usize,
    pub kind: ErrorKind,
}

impl Error {
    pub(crate) const fn truncated(
        protocol: Protocol,
        needed: usize,
        have: usize,
        source: LenSource,
    ) -> Error {
        Error {
            protocol,
            offset: 0,
            kind: ErrorKind::Truncated {
                needed,
                have,
                source,
            },
        }
    }

    pub(crate) const fn bad_value(
        protocol: Protocol,
        offset: usize,
        field: &'static str,
        value: u32,
        expected: &'static str,
    ) -> Error {
        Error {
            protocol,
            offset,
            kind: ErrorKind::BadValue {
                field,
                value,
                expected,
            },
        }
    }

    /// Moves the offset by `base`, for an outer layer that knows where this one starts.
    #[must_use]
    pub const fn add_offset(mut self, base: usize) -> Error {
        self.offset = self.offset.saturating_add(base);
        self
    }

    /// True when the error is a buffer that ran out (as opposed to a bad value).
    pub const fn is_truncation(&self) -> bool {
        matches!(self.kind, ErrorKind::Truncated { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.protocol.short_name())?;
        match self.kind {
            ErrorKind::Truncated {
                needed,
                have,
                source,
            } => write!(
                f,
                "{} needs {needed} bytes but only {have} are there (at offset {})",
                source.describe(),
                self.offset
            ),
            ErrorKind::BadValue {
                field,
                value,
                expected,
            } => write!(
                f,
                "{field} {value} is invalid, expected {expected} (at offset {})",
                self.offset
            ),
            ErrorKind::DnsPointerLoop { target } => write!(
                f,
                "compression pointer to offset {target} does not point backwards (at offset {})",
                self.offset
            ),
            ErrorKind::DnsNameTooLong => {
                write!(f, "name longer than 255 bytes (at offset {})", self.offset)
            }
        }
    }
}

impl core::error::Error for Error {}

pub type Result<T> = core::result::Result<T, Error>;

/// Checks that `buffer` holds at least `needed` bytes for `protocol`.
#[inline]
pub(crate) fn need(protocol: Protocol, buffer: &[u8], needed: usize) -> Result<()> {
    if buffer.len() < needed {
        return Err(Error::truncated(
            protocol,
            needed,
            buffer.len(),
            LenSource::Slice,
        ));
    }
    Ok(())
}
