//! pcapng: section headers, interface descriptions, enhanced and simple packets.

use std::io::BufRead;

use encap_core::LinkType;

use super::{CaptureError, MAX_RECORD_LEN, RecordMeta, read_full};

const SHB: u32 = 0x0a0d_0d0a;
const IDB: u32 = 0x0000_0001;
const SPB: u32 = 0x0000_0003;
const EPB: u32 = 0x0000_0006;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
/// Larger blocks are rejected: no real block needs more.
const MAX_BLOCK_LEN: usize = MAX_RECORD_LEN + 4096;
/// Interfaces kept per section (each is a few bytes).
const MAX_INTERFACES: usize = 1024;

pub(super) fn is_magic(m: [u8; 4]) -> bool {
    u32::from_le_bytes(m) == SHB
}

#[derive(Debug, Clone, Copy)]
struct Interface {
    link_type: LinkType,
    /// Timestamp units per second.
    units_per_sec: u64,
}

#[derive(Debug)]
pub struct PcapngReader<R> {
    r: R,
    big_endian: bool,
    interfaces: Vec<Interface>,
    first_link_type: Option<LinkType>,
    position: u64,
    block: Vec<u8>,
}

impl<R: BufRead> PcapngReader<R> {
    pub(super) fn open(r: R, magic: [u8; 4]) -> Result<Self, CaptureError> {
        let mut reader = PcapngReader {
            r,
            big_endian: false,
            interfaces: Vec::new(),
            first_link_type: None,
            position: 4,
            block: Vec::new(),
        };
        reader.read_section_header(magic)?;
        Ok(reader)
    }

    /// The stream it reads from.
    pub fn get_ref(&self) -> &R {
        &self.r
    }

    pub fn position(&self) -> u64 {
        self.position
    }

    pub fn first_link_type(&self) -> Option<LinkType> {
        self.first_link_type
    }

    fn u32_of(&self, b: [u8; 4]) -> u32 {
        if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }

    fn read4(&mut self, what: &'static str) -> Result<[u8; 4], CaptureError> {
        let mut b = [0u8; 4];
        let n = read_full(&mut self.r, &mut b)?;
        if n < 4 {
            return Err(CaptureError::Truncated {
                offset: self.position + n as u64,
                what,
            });
        }
        self.position += 4;
        Ok(b)
    }

    /// After the block type of an SHB: length, byte-order magic, then the rest.
    fn read_section_header(&mut self, _type: [u8; 4]) -> Result<(), CaptureError> {
        let start = self.position - 4;
        let len_bytes = self.read4("a section header")?;
        let bom = self.read4("a section header")?;
        self.big_endian = match (u32::from_le_bytes(bom), u32::from_be_bytes(bom)) {
            (BYTE_ORDER_MAGIC, _) => false,
            (_, BYTE_ORDER_MAGIC) => true,
            _ => {
                return Err(CaptureError::Corrupt {
                    offset: start + 8,
                    what: "a pcapng section header has no byte-order magic".into(),
                });
            }
        };
        let total = self.u32_of(len_bytes) as usize;
        self.check_len(total, 28, start)?;
        // Skip the rest of the block (version, section length, options, trailing length).
        self.read_body(total - 12)?;
        self.interfaces.clear();
        Ok(())
    }

    fn check_len(&self, total: usize, min: usize, start: u64) -> Result<(), CaptureError> {
        if total < min || !total.is_multiple_of(4) || total > MAX_BLOCK_LEN {
            return Err(CaptureError::Corrupt {
                offset: start + 4,
                what: format!("a pcapng block claims an impossible length {total}"),
            });
        }
        Ok(())
    }

    fn read_body(&mut self, len: usize) -> Result<(), CaptureError> {
        self.block.resize(len, 0);
        let n = read_full(&mut self.r, &mut self.block)?;
        if n < len {
            return Err(CaptureError::Truncated {
                offset: self.position + n as u64,
                what: "a pcapng block",
            });
        }
        self.position += len as u64;
        Ok(())
    }

    fn body_u32(&self, at: usize) -> u32 {
        match self.block.get(at..at + 4) {
            Some(&[a, b, c, d]) => self.u32_of([a, b, c, d]),
            _ => 0,
        }
    }

    fn body_u16(&self, at: usize) -> u16 {
        match self.block.get(at..at + 2) {
            Some(&[a, b]) if self.big_endian => u16::from_be_bytes([a, b]),
            Some(&[a, b]) => u16::from_le_bytes([a, b]),
            _ => 0,
        }
    }

    fn add_interface(&mut self, start: u64) -> Result<(), CaptureError> {
        let link_type = LinkType(u32::from(self.body_u16(0)));
        let mut units_per_sec = 1_000_000u64;
        // Options start after link type (2), reserved (2) and snaplen (4).
        let mut at = 8;
        let end = self.block.len().saturating_sub(4);
        while at + 4 <= end {
            let code = self.body_u16(at);
            let len = usize::from(self.body_u16(at + 2));
            if code == 0 {
                break;
            }
            // if_tsresol: a power of ten, or of two when the top bit is set.
            if code == 9 && len == 1 {
                let v = self.block.get(at + 4).copied().unwrap_or(6);
                let exp = u32::from(v & 0x7f).min(30);
                units_per_sec = if v & 0x80 != 0 {
                    1u64 << exp
                } else {
                    10u64.saturating_pow(exp.min(19))
                };
            }
            at += 4 + len.div_ceil(4) * 4;
        }
        if self.interfaces.len() >= MAX_INTERFACES {
            return Err(CaptureError::Corrupt {
                offset: start,
                what: format!("more than {MAX_INTERFACES} interfaces in one section"),
            });
        }
        self.first_link_type.get_or_insert(link_type);
        self.interfaces.push(Interface {
            link_type,
            units_per_sec,
        });
        Ok(())
    }

    /// Reads up to the next packet, appending its bytes to `buf`.
    pub fn append_record(&mut self, buf: &mut Vec<u8>) -> Result<Option<RecordMeta>, CaptureError> {
        loop {
            let start = self.position;
            let mut t = [0u8; 4];
            let n = read_full(&mut self.r, &mut t)?;
            if n == 0 {
                return Ok(None);
            }
            if n < 4 {
                return Err(CaptureError::Truncated {
                    offset: start + n as u64,
                    what: "a pcapng block header",
                });
            }
            self.position += 4;
            if u32::from_le_bytes(t) == SHB {
                self.read_section_header(t)?;
                continue;
            }
            let block_type = self.u32_of(t);
            let len_bytes = self.read4("a pcapng block header")?;
            let total = self.u32_of(len_bytes) as usize;
            self.check_len(total, 12, start)?;
            self.read_body(total - 8)?;
            match block_type {
                IDB => self.add_interface(start)?,
                EPB => return self.enhanced_packet(start, buf).map(Some),
                SPB => return self.simple_packet(start, buf).map(Some),
                _ => {}
            }
        }
    }

    fn interface(&self, id: u32, start: u64) -> Result<Interface, CaptureError> {
        self.interfaces
            .get(id as usize)
            .copied()
            .ok_or_else(|| CaptureError::Corrupt {
                offset: start,
                what: format!("a packet names interface {id}, which was not described"),
            })
    }

    fn packet_data(
        &self,
        at: usize,
        cap_len: usize,
        start: u64,
        buf: &mut Vec<u8>,
    ) -> Result<(), CaptureError> {
        let data = self
            .block
            .get(at..at + cap_len)
            .filter(|_| at + cap_len <= self.block.len().saturating_sub(4))
            .ok_or_else(|| CaptureError::Corrupt {
                offset: start,
                what: format!("a packet claims {cap_len} bytes, more than its block holds"),
            })?;
        buf.extend_from_slice(data);
        Ok(())
    }

    fn enhanced_packet(
        &mut self,
        start: u64,
        buf: &mut Vec<u8>,
    ) -> Result<RecordMeta, CaptureError> {
        let iface = self.interface(self.body_u32(0), start)?;
        let ts = (u64::from(self.body_u32(4)) << 32) | u64::from(self.body_u32(8));
        let cap_len = self.body_u32(12) as usize;
        let orig_len = self.body_u32(16);
        self.packet_data(20, cap_len, start, buf)?;
        let per = iface.units_per_sec.max(1);
        let secs = (ts / per) as i64;
        let nanos = ((u128::from(ts % per) * 1_000_000_000) / u128::from(per)) as u32;
        Ok(RecordMeta {
            link_type: iface.link_type,
            orig_len: orig_len.max(cap_len as u32),
            timestamp: (secs, nanos),
        })
    }

    fn simple_packet(&mut self, start: u64, buf: &mut Vec<u8>) -> Result<RecordMeta, CaptureError> {
        let iface = self.interface(0, start)?;
        let orig_len = self.body_u32(0);
        let cap_len = (orig_len as usize).min(self.block.len().saturating_sub(8));
        self.packet_data(4, cap_len, start, buf)?;
        Ok(RecordMeta {
            link_type: iface.link_type,
            orig_len,
            timestamp: (0, 0),
        })
    }
}
