//! Writing the frames read to a pcap file (`-w`).

use std::io::{self, Write};

use encap_core::LinkType;

use super::RecordMeta;

/// A nanosecond pcap writer; the file header is written with the first frame's link type.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    w: W,
    link_type: Option<LinkType>,
}

impl<W: Write> PcapWriter<W> {
    pub fn new(w: W) -> Self {
        PcapWriter { w, link_type: None }
    }

    /// Writes the header now (so an empty result is still a valid file).
    pub fn start(&mut self, link_type: LinkType) -> io::Result<()> {
        if self.link_type.is_some() {
            return Ok(());
        }
        self.link_type = Some(link_type);
        let mut h = Vec::with_capacity(24);
        h.extend_from_slice(&0xa1b2_3c4d_u32.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes());
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&0i32.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(&262_144u32.to_le_bytes());
        h.extend_from_slice(&link_type.0.to_le_bytes());
        self.w.write_all(&h)
    }

    pub fn write(&mut self, meta: &RecordMeta, data: &[u8]) -> io::Result<()> {
        match self.link_type {
            None => self.start(meta.link_type)?,
            Some(lt) if lt != meta.link_type => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "cannot write a {} frame into a pcap of {} frames (pcap holds one link type)",
                        meta.link_type.name(),
                        lt.name()
                    ),
                ));
            }
            Some(_) => {}
        }
        let mut h = [0u8; 16];
        h[0..4].copy_from_slice(&(meta.timestamp.0 as u32).to_le_bytes());
        h[4..8].copy_from_slice(&meta.timestamp.1.to_le_bytes());
        h[8..12].copy_from_slice(&(data.len() as u32).to_le_bytes());
        h[12..16].copy_from_slice(&meta.orig_len.to_le_bytes());
        self.w.write_all(&h)?;
        self.w.write_all(data)
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}
