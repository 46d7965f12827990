//! A station's deployment settings (name, token, addressing, service) as a
//! small text block: the board firmware reads it from a reserved flash
//! section, `encap-board-config` writes it into a firmware image, and the
//! Linux agent's flags share its parsers. One format, one parser, both ends.
//!
//! ```text
//! encap-board-config v1
//! name=edge-board
//! token=…
//! service=192.0.2.1:50052
//! address=dhcp            (or 192.0.2.9/24)
//! gateway=192.0.2.254     (optional, static address only)
//! mac=02:00:00:00:00:09   (optional: the MAC's own address otherwise)
//! crc=89abcdef            (CRC-32 of everything before this line)
//! ```
//!
//! The rest of the block is NUL bytes.

use alloc::string::String;
use core::fmt::{self, Write};
use core::net::{Ipv4Addr, SocketAddrV4};

use smoltcp::wire::Ipv4Cidr;

use super::Addressing;

/// The first line; its version changes when the format does.
pub const MAGIC: &str = "encap-board-config v1";
/// Bytes reserved for the block in a firmware image.
pub const BLOCK_BYTES: usize = 512;
/// Tokens and names are short; a longer value is a mistake.
const MAX_VALUE: usize = 128;

/// Settings read from (or to be written to) a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings<'a> {
    pub name: &'a str,
    pub token: &'a str,
    pub service: SocketAddrV4,
    pub addressing: Addressing,
    pub mac: Option<[u8; 6]>,
}

/// Why a block cannot be used, said so a person can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError<'a> {
    /// Never written: the image as built.
    Missing,
    NotSettings,
    /// Written by a different format version.
    Version(&'a str),
    /// The text does not match its checksum (a partial or damaged write).
    Checksum {
        stored: u32,
        computed: u32,
    },
    Unterminated,
    /// A line that is wrong, by number (1 is the magic line), and its key.
    Line {
        line: usize,
        key: &'a str,
        problem: &'static str,
    },
    MissingKey(&'static str),
    TooLong {
        bytes: usize,
    },
}

impl fmt::Display for SettingsError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::Missing => write!(f, "no settings were written into this image"),
            SettingsError::NotSettings => {
                write!(f, "the settings block does not start with \"{MAGIC}\"")
            }
            SettingsError::Version(found) => {
                write!(
                    f,
                    "the settings block is \"{found}\"; this firmware reads \"{MAGIC}\""
                )
            }
            SettingsError::Checksum { stored, computed } => write!(
                f,
                "the settings block is damaged (crc {stored:08x} stored, {computed:08x} computed): write it again"
            ),
            SettingsError::Unterminated => write!(f, "the settings block has no crc= line"),
            SettingsError::Line { line, key, problem } => {
                write!(f, "settings line {line}: {key}: {problem}")
            }
            SettingsError::MissingKey(key) => write!(f, "the settings have no {key}= line"),
            SettingsError::TooLong { bytes } => write!(
                f,
                "the settings take {bytes} bytes; the block holds {BLOCK_BYTES}"
            ),
        }
    }
}

impl<'a> Settings<'a> {
    /// Reads a block (the whole reserved area; trailing NULs are padding).
    pub fn parse(block: &'a [u8]) -> Result<Settings<'a>, SettingsError<'a>> {
        let used = block.iter().position(|&b| b == 0).unwrap_or(block.len());
        if used == 0 || block.iter().all(|&b| b == 0xff) {
            return Err(SettingsError::Missing);
        }
        let text = core::str::from_utf8(&block[..used]).map_err(|e| SettingsError::Line {
            line: line_of(&block[..e.valid_up_to()]),
            key: "",
            problem: "not UTF-8 text",
        })?;
        let first = text.lines().next().unwrap_or("");
        if first != MAGIC {
            return Err(if first.starts_with("encap-board-config ") {
                SettingsError::Version(first)
            } else {
                SettingsError::NotSettings
            });
        }
        let crc_at = text.rfind("crc=").ok_or(SettingsError::Unterminated)?;
        let stored = text[crc_at + 4..].trim_end();
        let stored = u32::from_str_radix(stored, 16).map_err(|_| SettingsError::Line {
            line: line_of(&text.as_bytes()[..crc_at]),
            key: "crc",
            problem: "not 8 hex digits",
        })?;
        let computed = crc32(&text.as_bytes()[..crc_at]);
        if stored != computed {
            return Err(SettingsError::Checksum { stored, computed });
        }

        let (mut name, mut token, mut service, mut address, mut gateway, mut mac) =
            (None, None, None, None, None, None);
        for (index, line) in text[..crc_at].lines().enumerate().skip(1) {
            let line_no = index + 1;
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            let bad = |problem: &'static str| SettingsError::Line {
                line: line_no,
                key,
                problem,
            };
            if !line.contains('=') {
                return Err(bad("not key=value"));
            }
            if value.len() > MAX_VALUE {
                return Err(bad("longer than 128 bytes"));
            }
            match key {
                "name" => name = Some(check_word(value).map_err(bad)?),
                "token" => token = Some(check_word(value).map_err(bad)?),
                "service" => service = Some(parse_service(value).map_err(bad)?),
                "address" => address = Some(parse_addressing(value).map_err(bad)?),
                "gateway" => {
                    let ip: Ipv4Addr = value.parse().map_err(|_| bad("not an IPv4 address"))?;
                    gateway = Some((ip, line_no));
                }
                "mac" => mac = Some(parse_mac(value).map_err(bad)?),
                _ => {
                    return Err(bad(
                        "unknown key (name, token, service, address, gateway, mac)",
                    ));
                }
            }
        }
        let addressing = address
            .ok_or(SettingsError::MissingKey("address"))?
            .with_gateway(gateway.map(|(ip, _)| ip))
            .map_err(|problem| SettingsError::Line {
                line: gateway.map_or(0, |(_, line)| line),
                key: "gateway",
                problem,
            })?;
        Ok(Settings {
            name: name.ok_or(SettingsError::MissingKey("name"))?,
            token: token.ok_or(SettingsError::MissingKey("token"))?,
            service: service.ok_or(SettingsError::MissingKey("service"))?,
            addressing,
            mac,
        })
    }

    /// Writes the block (padded with NULs); the inverse of `parse`.
    pub fn encode(&self) -> Result<[u8; BLOCK_BYTES], SettingsError<'static>> {
        let mut text = String::new();
        let _ = self.write_lines(&mut text);
        let crc = crc32(text.as_bytes());
        let _ = writeln!(text, "crc={crc:08x}");
        let mut block = [0u8; BLOCK_BYTES];
        // One NUL at least ends the text.
        if text.len() >= BLOCK_BYTES {
            return Err(SettingsError::TooLong { bytes: text.len() });
        }
        block[..text.len()].copy_from_slice(text.as_bytes());
        Ok(block)
    }

    fn write_lines(&self, out: &mut String) -> fmt::Result {
        writeln!(out, "{MAGIC}")?;
        writeln!(out, "name={}", self.name)?;
        writeln!(out, "token={}", self.token)?;
        writeln!(out, "service={}", self.service)?;
        match self.addressing {
            Addressing::Dhcp => writeln!(out, "address=dhcp")?,
            Addressing::Static { address, gateway } => {
                writeln!(out, "address={address}")?;
                if let Some(gateway) = gateway {
                    writeln!(out, "gateway={gateway}")?;
                }
            }
        }
        if let Some(mac) = self.mac {
            writeln!(out, "mac={}", MacText(mac))?;
        }
        Ok(())
    }
}

impl Addressing {
    /// A static address with its gateway (if any); DHCP brings its own.
    pub fn with_gateway(self, gateway: Option<Ipv4Addr>) -> Result<Addressing, &'static str> {
        match (self, gateway) {
            (Addressing::Static { address, .. }, gateway) => {
                Ok(Addressing::Static { address, gateway })
            }
            (Addressing::Dhcp, None) => Ok(Addressing::Dhcp),
            (Addressing::Dhcp, Some(_)) => {
                Err("a gateway goes with a static address; DHCP brings its own")
            }
        }
    }
}

/// A MAC address as `02:00:00:00:00:09`.
#[derive(Debug, Clone, Copy)]
pub struct MacText(pub [u8; 6]);

impl fmt::Display for MacText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        )
    }
}

fn line_of(before: &[u8]) -> usize {
    before.iter().filter(|&&b| b == b'\n').count() + 1
}

/// Names and tokens: printable, no spaces (they travel in Hello as they are).
fn check_word(value: &str) -> Result<&str, &'static str> {
    if value.is_empty() {
        return Err("empty");
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("only printable ASCII without spaces is allowed");
    }
    Ok(value)
}

/// The service's ingest address: IPv4:PORT (a station does not resolve names).
pub fn parse_service(text: &str) -> Result<SocketAddrV4, &'static str> {
    let address: SocketAddrV4 = text
        .parse()
        .map_err(|_| "give IPv4:PORT, e.g. 192.0.2.1:50052")?;
    if address.port() == 0 {
        return Err("port 0 is not a service's port");
    }
    Ok(address)
}

/// `ADDRESS/PREFIX` or `dhcp`.
pub fn parse_addressing(text: &str) -> Result<Addressing, &'static str> {
    if text.eq_ignore_ascii_case("dhcp") {
        return Ok(Addressing::Dhcp);
    }
    let (ip, prefix) = text
        .split_once('/')
        .ok_or("give ADDRESS/PREFIX (e.g. 192.0.2.9/24) or dhcp")?;
    let ip: Ipv4Addr = ip
        .parse()
        .map_err(|_| "the address is not an IPv4 address")?;
    let prefix: u8 = prefix
        .parse()
        .ok()
        .filter(|p| (1..=32).contains(p))
        .ok_or("the prefix is not 1..32")?;
    Ok(Addressing::Static {
        address: Ipv4Cidr::new(ip, prefix),
        gateway: None,
    })
}

/// Six hex bytes split by `:` or `-`; a host's, so not multicast.
pub fn parse_mac(text: &str) -> Result<[u8; 6], &'static str> {
    const SHAPE: &str = "give six bytes, e.g. 02:00:00:00:00:09";
    let mut mac = [0u8; 6];
    let mut parts = text.split([':', '-']);
    for byte in &mut mac {
        let part = parts.next().ok_or(SHAPE)?;
        *byte = u8::from_str_radix(part, 16).map_err(|_| SHAPE)?;
    }
    if parts.next().is_some() {
        return Err(SHAPE);
    }
    if mac[0] & 1 == 1 {
        return Err("a multicast address cannot be a host's");
    }
    Ok(mac)
}

/// CRC-32 (IEEE), bit by bit: a few hundred bytes once per boot.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    fn sample() -> Settings<'static> {
        Settings {
            name: "board-1",
            token: "tok_abc",
            service: "192.0.2.1:50052".parse().unwrap(),
            addressing: Addressing::Static {
                address: Ipv4Cidr::new(Ipv4Addr::new(192, 0, 2, 9), 24),
                gateway: Some(Ipv4Addr::new(192, 0, 2, 254)),
            },
            mac: Some([2, 0, 0, 0, 0, 9]),
        }
    }

    #[test]
    fn a_block_reads_back_as_written() {
        let block = sample().encode().unwrap();
        assert_eq!(Settings::parse(&block).unwrap(), sample());
        let dhcp = Settings {
            addressing: Addressing::Dhcp,
            mac: None,
            ..sample()
        };
        assert_eq!(Settings::parse(&dhcp.encode().unwrap()).unwrap(), dhcp);
    }

    #[test]
    fn crc32_is_the_ieee_one() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn an_unwritten_block_is_missing_not_invalid() {
        assert_eq!(Settings::parse(&[0; 64]), Err(SettingsError::Missing));
        assert_eq!(Settings::parse(&[0xff; 64]), Err(SettingsError::Missing));
    }

    #[test]
    fn a_changed_byte_fails_the_checksum() {
        let mut block = sample().encode().unwrap();
        let at = block.iter().position(|&b| b == b'9').unwrap();
        block[at] = b'8';
        assert!(matches!(
            Settings::parse(&block),
            Err(SettingsError::Checksum { .. })
        ));
    }

    fn with_crc(text: &str) -> [u8; BLOCK_BYTES] {
        let mut block = [0u8; BLOCK_BYTES];
        let full = format!("{text}crc={:08x}\n", crc32(text.as_bytes()));
        block[..full.len()].copy_from_slice(full.as_bytes());
        block
    }

    #[test]
    fn mistakes_are_told_by_line_and_key() {
        let block = with_crc(&format!(
            "{MAGIC}\nname=b\ntoken=t\nservice=192.0.2.1:50052\naddress=192.0.2.9/33\n"
        ));
        let error = Settings::parse(&block).unwrap_err();
        assert_eq!(
            error.to_string(),
            "settings line 5: address: the prefix is not 1..32"
        );
        let block = with_crc(&format!("{MAGIC}\nname=b\ntoken=t\naddress=dhcp\n"));
        assert_eq!(
            Settings::parse(&block),
            Err(SettingsError::MissingKey("service"))
        );
        let block = with_crc(&format!("{MAGIC}\nname=b\nport=1\n"));
        assert!(
            Settings::parse(&block)
                .unwrap_err()
                .to_string()
                .contains("line 3: port: unknown key")
        );
        let block = with_crc(&format!(
            "{MAGIC}\nname=b\ntoken=t\nservice=192.0.2.1:1\naddress=dhcp\ngateway=192.0.2.254\n"
        ));
        assert!(
            Settings::parse(&block)
                .unwrap_err()
                .to_string()
                .starts_with("settings line 6: gateway: ")
        );
        let block = with_crc("encap-board-config v9\nname=b\n");
        assert!(matches!(
            Settings::parse(&block),
            Err(SettingsError::Version(_))
        ));
        let block = with_crc(&format!("{MAGIC}\nname=b c\n"));
        assert!(
            Settings::parse(&block)
                .unwrap_err()
                .to_string()
                .contains("line 2: name: only printable")
        );
    }

    #[test]
    fn settings_too_long_for_the_block_are_refused() {
        let token = "t".repeat(600);
        let long = Settings {
            token: &token,
            ..sample()
        };
        assert!(matches!(long.encode(), Err(SettingsError::TooLong { .. })));
    }
}
