//! `-x`: the frame's bytes as tshark's hex dump.

use std::fmt::Write as _;

use encap_fields::Text;

/// Appends 16 bytes a line: offset, hex, and printable ASCII.
pub fn format_hex(out: &mut Text, data: &[u8]) {
    for (i, chunk) in data.chunks(16).enumerate() {
        let _ = write!(out, "{:04x}  ", i * 16);
        for j in 0..16 {
            match chunk.get(j) {
                Some(b) => {
                    let _ = write!(out, "{b:02x} ");
                }
                None => out.push_str("   "),
            }
            if j == 7 {
                out.push(' ');
            }
        }
        out.push_str("  ");
        for &b in chunk {
            out.push(if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '.'
            });
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn layout() {
        let mut s = encap_fields::Text::new();
        super::format_hex(&mut s, b"GET / HTTP/1.1\r\nHost");
        assert_eq!(
            s.as_str(),
            "0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a   GET / HTTP/1.1..\n\
             0010  48 6f 73 74                                        Host\n"
        );
    }
}
