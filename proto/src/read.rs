//! Protobuf read in place from a slice, for the messages encap reads on its
//! hot paths without building them (stream rows, uplink records). Keys and
//! varints are checked as prost checks them; groups, which encap never
//! writes, are refused (the uplink then falls back to prost's decoder).

use prost::encoding::WireType;

/// Why bytes are not the message expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireError(pub &'static str);

impl core::fmt::Display for WireError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.0)
    }
}

/// Protobuf fields read from a slice.
pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) at: usize,
}

impl<'a> Reader<'a> {
    /// The next key, or `None` at the end.
    #[inline]
    pub(crate) fn key(&mut self) -> Result<Option<(u32, WireType)>, WireError> {
        if self.at >= self.bytes.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        if key > u64::from(u32::MAX) {
            return Err(WireError("invalid key value"));
        }
        let wire_type = match key & 7 {
            0 => WireType::Varint,
            1 => WireType::SixtyFourBit,
            2 => WireType::LengthDelimited,
            5 => WireType::ThirtyTwoBit,
            _ => return Err(WireError("invalid wire type")),
        };
        let tag = (key >> 3) as u32;
        if tag == 0 {
            return Err(WireError("invalid tag value: 0"));
        }
        Ok(Some((tag, wire_type)))
    }

    /// Whether the next byte is the one-byte `key`; if so it is read.
    #[cfg(feature = "grpc")]
    #[inline]
    pub(crate) fn next_is(&mut self, key: u8) -> bool {
        let is = self.bytes.get(self.at) == Some(&key);
        self.at += usize::from(is);
        is
    }

    #[cfg(feature = "grpc")]
    pub(crate) fn at_end(&self) -> bool {
        self.at >= self.bytes.len()
    }

    #[inline]
    pub(crate) fn varint(&mut self) -> Result<u64, WireError> {
        // Keys, lengths and most numbers here fit in one byte.
        match self.bytes.get(self.at) {
            Some(&byte) if byte < 0x80 => {
                self.at += 1;
                Ok(u64::from(byte))
            }
            _ => self.long_varint(),
        }
    }

    fn long_varint(&mut self) -> Result<u64, WireError> {
        // Eight bytes at once when the slice has them and the varint ends in
        // them (timestamps, lengths, colours): no branch per byte.
        let word = self
            .bytes
            .get(self.at..)
            .and_then(|rest| rest.first_chunk::<8>())
            .map(|chunk| u64::from_le_bytes(*chunk));
        if let Some(word) = word {
            let ends = !word & 0x8080_8080_8080_8080;
            if ends != 0 {
                let len = ends.trailing_zeros() as usize / 8 + 1;
                let kept = word & (u64::MAX >> (64 - 8 * len));
                self.at += len;
                return Ok(compact_groups(kept));
            }
        }
        let mut value = 0u64;
        for shift in 0..10 {
            let byte = *self
                .bytes
                .get(self.at)
                .ok_or(WireError("buffer underflow"))?;
            self.at += 1;
            // The tenth byte holds one bit of a u64: more is an error, as in prost.
            if shift == 9 && byte > 1 {
                break;
            }
            value |= u64::from(byte & 0x7f) << (7 * shift);
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(WireError("invalid varint"))
    }

    #[inline]
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or(WireError("buffer underflow"))?;
        let bytes = self
            .bytes
            .get(self.at..end)
            .ok_or(WireError("buffer underflow"))?;
        self.at = end;
        Ok(bytes)
    }

    #[inline]
    pub(crate) fn delimited(&mut self) -> Result<&'a [u8], WireError> {
        let len = usize::try_from(self.varint()?).unwrap_or(usize::MAX);
        self.take(len)
    }

    #[cfg(feature = "grpc")]
    pub(crate) fn fixed64(&mut self) -> Result<u64, WireError> {
        let bytes = self.take(8)?;
        let mut le = [0u8; 8];
        le.copy_from_slice(bytes);
        Ok(u64::from_le_bytes(le))
    }

    pub(crate) fn skip(&mut self, wire_type: WireType) -> Result<(), WireError> {
        match wire_type {
            WireType::Varint => self.varint().map(drop),
            WireType::SixtyFourBit => self.take(8).map(drop),
            WireType::ThirtyTwoBit => self.take(4).map(drop),
            WireType::LengthDelimited => self.delimited().map(drop),
            WireType::StartGroup | WireType::EndGroup => {
                Err(WireError("groups are not used by encap"))
            }
        }
    }
}

/// The varint in `bytes`' low bytes (its last byte's top bit clear, the bytes
/// above it zero) as a number: the seven low bits of each byte, packed.
#[inline]
fn compact_groups(bytes: u64) -> u64 {
    let v = bytes & 0x7f7f_7f7f_7f7f_7f7f;
    let v = (v & 0x007f_007f_007f_007f) | ((v & 0x7f00_7f00_7f00_7f00) >> 1);
    let v = (v & 0x0000_3fff_0000_3fff) | ((v & 0x3fff_0000_3fff_0000) >> 2);
    (v & 0x0000_0000_0fff_ffff) | ((v & 0x0fff_ffff_0000_0000) >> 4)
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use alloc::vec::Vec;

    /// Every length of varint, at the end of a slice and followed by more
    /// bytes, reads as prost reads it; cut short, it is an error as in prost.
    #[test]
    fn varints_read_as_prost_reads_them() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut checked = 0;
        for bits in 0..=64 {
            for _ in 0..200 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let value = if bits == 64 {
                    seed
                } else {
                    seed & ((1u64 << bits) - 1)
                };
                let mut encoded = Vec::new();
                prost::encoding::encode_varint(value, &mut encoded);
                for tail in [0usize, 1, 7, 9] {
                    let mut bytes = encoded.clone();
                    bytes.extend(core::iter::repeat_n(0xffu8, tail));
                    let mut r = Reader {
                        bytes: &bytes,
                        at: 0,
                    };
                    assert_eq!(r.varint(), Ok(value), "{value:#x} then {tail} bytes");
                    assert_eq!(r.at, encoded.len());
                    checked += 1;
                }
                for cut in 0..encoded.len() {
                    let mut r = Reader {
                        bytes: &encoded[..cut],
                        at: 0,
                    };
                    assert!(r.varint().is_err(), "{value:#x} cut at {cut}");
                }
            }
        }
        // A 10-byte varint whose last byte is above 1, and an 11-byte one: errors.
        for bytes in [&[0xff; 9][..], &[0xff; 10][..]] {
            let mut long = bytes.to_vec();
            long.push(0x02);
            let mut r = Reader {
                bytes: &long,
                at: 0,
            };
            let mut b = long.as_slice();
            assert!(prost::encoding::decode_varint(&mut b).is_err());
            assert!(r.varint().is_err());
        }
        assert_eq!(checked, 65 * 200 * 4);
    }
}
