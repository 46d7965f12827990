//! Literals of a filter, read as the kind of field they are compared with.

use core::net::{Ipv4Addr, Ipv6Addr};
use core::str::FromStr;

/// Bytes kept inline: strings and byte strings longer than this are refused.
pub const MAX_LITERAL_LEN: usize = 32;

/// A literal value, ready to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Literal {
    Uint(u64),
    Ipv4 {
        addr: u32,
        prefix: u8,
    },
    /// Kept as bytes (not `u128`) so literals stay 8-byte aligned and small.
    Ipv6 {
        addr: [u8; 16],
        prefix: u8,
    },
    Mac([u8; 6]),
    /// A string or a byte string (the same bytes compare with both).
    Bytes(InlineBytes),
}

/// Up to [`MAX_LITERAL_LEN`] bytes stored in place (no allocation).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct InlineBytes {
    bytes: [u8; MAX_LITERAL_LEN],
    len: u8,
}

impl core::fmt::Debug for InlineBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl InlineBytes {
    pub fn as_slice(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    fn from_slice(b: &[u8]) -> Option<Self> {
        let mut out = InlineBytes {
            bytes: [0; MAX_LITERAL_LEN],
            len: u8::try_from(b.len()).ok()?,
        };
        out.bytes.get_mut(..b.len())?.copy_from_slice(b);
        Some(out)
    }

    fn push(&mut self, b: u8) -> Option<()> {
        *self.bytes.get_mut(usize::from(self.len))? = b;
        self.len += 1;
        Some(())
    }
}

/// Why a literal could not be read; the parser adds the position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralError {
    NotNumber,
    NotIpv4,
    NotIpv6,
    NotMac,
    NotBytes,
    NotBool,
    TooLong,
    BadEscape,
}

impl LiteralError {
    pub fn describe(self) -> &'static str {
        match self {
            LiteralError::NotNumber => "is not a number (decimal, or hex with 0x)",
            LiteralError::NotIpv4 => {
                "is not an IPv4 address or network (encap does not resolve names)"
            }
            LiteralError::NotIpv6 => {
                "is not an IPv6 address or network (encap does not resolve names)"
            }
            LiteralError::NotMac => "is not a hardware address (like 02:00:00:00:00:01)",
            LiteralError::NotBytes => "is not a byte string (like c0:00:02 or c00002)",
            LiteralError::NotBool => "is not a boolean (1, 0, True or False)",
            LiteralError::TooLong => "is longer than the 32 bytes a filter literal can hold",
            LiteralError::BadEscape => "has an escape sequence encap does not know",
        }
    }
}

pub fn parse_uint(s: &str) -> Result<u64, LiteralError> {
    let parsed = if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(s.get(1..).unwrap_or(""), 8)
    } else {
        s.parse::<u64>()
    };
    parsed.map_err(|_| LiteralError::NotNumber)
}

pub fn parse_bool(s: &str) -> Result<u64, LiteralError> {
    match s {
        "1" | "True" | "true" | "TRUE" => Ok(1),
        "0" | "False" | "false" | "FALSE" => Ok(0),
        _ => Err(LiteralError::NotBool),
    }
}

fn split_prefix(s: &str, max: u8) -> Option<(&str, u8)> {
    match s.split_once('/') {
        Some((addr, p)) => {
            let p: u8 = p.parse().ok()?;
            (p <= max).then_some((addr, p))
        }
        None => Some((s, max)),
    }
}

pub fn parse_ipv4(s: &str) -> Result<Literal, LiteralError> {
    let (addr, prefix) = split_prefix(s, 32).ok_or(LiteralError::NotIpv4)?;
    let addr = Ipv4Addr::from_str(addr).map_err(|_| LiteralError::NotIpv4)?;
    Ok(Literal::Ipv4 {
        addr: u32::from(addr),
        prefix,
    })
}

pub fn parse_ipv6(s: &str) -> Result<Literal, LiteralError> {
    let (addr, prefix) = split_prefix(s, 128).ok_or(LiteralError::NotIpv6)?;
    let addr = Ipv6Addr::from_str(addr).map_err(|_| LiteralError::NotIpv6)?;
    Ok(Literal::Ipv6 {
        addr: addr.octets(),
        prefix,
    })
}

/// Hex bytes separated by `:`, `-` or `.`, or one run of hex pairs.
pub fn parse_bytes(s: &str) -> Result<InlineBytes, LiteralError> {
    let mut out = InlineBytes::from_slice(&[]).ok_or(LiteralError::NotBytes)?;
    let separated = s.contains([':', '-', '.']);
    let hex = |h: &str| u8::from_str_radix(h, 16).map_err(|_| LiteralError::NotBytes);
    if separated {
        for part in s.split([':', '-', '.']) {
            if part.is_empty() || part.len() > 2 {
                return Err(LiteralError::NotBytes);
            }
            out.push(hex(part)?).ok_or(LiteralError::TooLong)?;
        }
    } else {
        // A single hex digit is one byte (as in `eth[0] == 1`).
        if s.is_empty() || (s.len() > 2 && !s.len().is_multiple_of(2)) {
            return Err(LiteralError::NotBytes);
        }
        let mut rest = s;
        while !rest.is_empty() {
            let n = if rest.len() == 1 { 1 } else { 2 };
            let (h, tail) = rest.split_at_checked(n).ok_or(LiteralError::NotBytes)?;
            out.push(hex(h)?).ok_or(LiteralError::TooLong)?;
            rest = tail;
        }
    }
    Ok(out)
}

pub fn parse_mac(s: &str) -> Result<Literal, LiteralError> {
    let b = parse_bytes(s).map_err(|_| LiteralError::NotMac)?;
    <[u8; 6]>::try_from(b.as_slice())
        .map(Literal::Mac)
        .map_err(|_| LiteralError::NotMac)
}

/// The bytes of a bare word used as a string.
pub fn word_bytes(s: &str) -> Result<InlineBytes, LiteralError> {
    InlineBytes::from_slice(s.as_bytes()).ok_or(LiteralError::TooLong)
}

/// Unescapes the inside of a double-quoted string (`\"`, `\\`, `\n`, `\t`, `\r`, `\xhh`).
pub fn unescape(s: &str) -> Result<InlineBytes, LiteralError> {
    let mut out = InlineBytes::from_slice(&[]).ok_or(LiteralError::TooLong)?;
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        let c = if b == b'\\' {
            match bytes.next() {
                Some(b'n') => b'\n',
                Some(b't') => b'\t',
                Some(b'r') => b'\r',
                Some(b'0') => 0,
                Some(b'x') => {
                    let hi = bytes.next().ok_or(LiteralError::BadEscape)?;
                    let lo = bytes.next().ok_or(LiteralError::BadEscape)?;
                    let pair = [hi, lo];
                    let h = core::str::from_utf8(&pair).map_err(|_| LiteralError::BadEscape)?;
                    u8::from_str_radix(h, 16).map_err(|_| LiteralError::BadEscape)?
                }
                Some(c @ (b'\\' | b'"' | b'\'')) => c,
                _ => return Err(LiteralError::BadEscape),
            }
        } else {
            b
        };
        out.push(c).ok_or(LiteralError::TooLong)?;
    }
    Ok(out)
}

/// True when `addr` lies in `net/prefix` (IPv4).
pub fn in_v4(addr: u32, net: u32, prefix: u8) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    };
    addr & mask == net & mask
}

/// True when `addr` lies in `net/prefix` (IPv6).
pub fn in_v6(addr: u128, net: u128, prefix: u8) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix.min(128)))
    };
    addr & mask == net & mask
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_numbers() {
        assert_eq!(parse_uint("53"), Ok(53));
        assert_eq!(parse_uint("0x1F"), Ok(31));
        assert_eq!(parse_uint("010"), Ok(8));
        assert!(parse_uint("abc").is_err());
    }

    #[test]
    fn test_addresses() {
        assert_eq!(
            parse_ipv4("10.0.0.0/8"),
            Ok(Literal::Ipv4 {
                addr: 0x0a00_0000,
                prefix: 8
            })
        );
        assert!(parse_ipv4("10.0.0.0/33").is_err());
        assert!(parse_ipv4("example.com").is_err());
        assert!(matches!(
            parse_ipv6("2001:db8::/32"),
            Ok(Literal::Ipv6 { prefix: 32, .. })
        ));
        assert_eq!(parse_mac("ff-ff-ff-ff-ff-ff"), Ok(Literal::Mac([0xff; 6])));
        assert!(in_v4(0x0a01_0203, 0x0a00_0000, 8));
        assert!(!in_v4(0x0b01_0203, 0x0a00_0000, 8));
        assert!(in_v4(1, 2, 0));
    }

    #[test]
    fn test_bytes_and_strings() {
        assert_eq!(parse_bytes("c0:00").unwrap().as_slice(), &[0xc0, 0]);
        assert_eq!(parse_bytes("c00002").unwrap().as_slice(), &[0xc0, 0, 2]);
        assert_eq!(parse_bytes("1").unwrap().as_slice(), &[1]);
        assert!(parse_bytes("c0:000").is_err());
        assert_eq!(unescape(r#"a\"b\x41"#).unwrap().as_slice(), b"a\"bA");
        assert!(unescape(r"\q").is_err());
    }
}
