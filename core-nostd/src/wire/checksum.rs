//! The Internet checksum (RFC 1071).

/// One's-complement sum of `data` folded to 16 bits, starting from `initial`.
pub fn sum(mut acc: u32, data: &[u8]) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        if let &[a, b] = c {
            acc = acc.wrapping_add(u32::from(u16::from_be_bytes([a, b])));
        }
    }
    if let &[last] = chunks.remainder() {
        acc = acc.wrapping_add(u32::from(last) << 8);
    }
    acc
}

/// Folds a running sum into the final 16-bit one's-complement checksum.
pub fn fold(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// True when `data` (checksum field included) sums to zero.
pub fn verifies(data: &[u8]) -> bool {
    fold(sum(0, data)) == 0
}

#[cfg(test)]
mod test {
    #[test]
    fn test_rfc1071_example() {
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(super::fold(super::sum(0, &data)), !0xddf2);
    }
}
