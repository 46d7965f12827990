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
