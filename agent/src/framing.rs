//! Length-delimited protobuf on a byte stream: a varint length, then the
//! message. Encoding is prost's; decoding keeps partial input until a whole
//! message is there, and refuses lengths over a bound.

use alloc::vec::Vec;

use prost::Message;

/// Appends `message` with its length prefix.
pub fn encode<M: Message>(message: &M) -> Vec<u8> {
    message.encode_length_delimited_to_vec()
}

/// Why the stream cannot be read further (the connection should close).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// A length prefix of more than 10 bytes, or over the bound.
    TooLong { length: u64, limit: usize },
    /// A whole frame that is not the expected message.
    Undecodable(prost::DecodeError),
}

impl core::fmt::Display for FrameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FrameError::TooLong { length, limit } => {
                write!(f, "a message of {length} bytes (the limit is {limit})")
            }
            FrameError::Undecodable(e) => write!(f, "a message that does not decode: {e}"),
        }
    }
}

/// Collects bytes and yields whole messages.
#[derive(Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    limit: usize,
}

impl Decoder {
    /// `limit` bounds one message (and so the memory held).
    pub fn new(limit: usize) -> Self {
        Decoder {
            buf: Vec::new(),
            limit,
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub fn clear(&mut self) {
        self.buf.clear();
    }

    /// The next whole message, `Ok(None)` if more bytes are needed.
    pub fn next_message<M: Message + Default>(&mut self) -> Result<Option<M>, FrameError> {
        let Some((length, prefix)) = varint(&self.buf)? else {
            return Ok(None);
        };
        let limit = self.limit;
        let too_long = FrameError::TooLong { length, limit };
        let length = usize::try_from(length).map_err(|_| too_long.clone())?;
        if length > limit {
            return Err(too_long);
        }
        let end = prefix + length;
        let Some(body) = self.buf.get(prefix..end) else {
            return Ok(None);
        };
        let message = M::decode(body).map_err(FrameError::Undecodable)?;
        self.buf.drain(..end);
        Ok(Some(message))
    }
}

/// A varint at the start of `buf`: its value and size, or `None` if cut short.
fn varint(buf: &[u8]) -> Result<Option<(u64, usize)>, FrameError> {
    let mut value = 0u64;
    for (i, byte) in buf.iter().enumerate() {
        if i == 10 {
            break;
        }
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
    }
    if buf.len() >= 10 {
        return Err(FrameError::TooLong {
            length: u64::MAX,
            limit: 0,
        });
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encap_proto::uplink::{ServiceMessage, SetFilter, service_message::Kind};

    fn set_filter(text: &str) -> ServiceMessage {
        ServiceMessage {
            kind: Some(Kind::SetFilter(SetFilter {
                filter: text.into(),
                context_bytes: 0,
            })),
        }
    }

    #[test]
    fn messages_split_anywhere_come_out_whole() {
        let mut stream = encode(&set_filter("dns"));
        stream.extend(encode(&set_filter(&"x".repeat(300))));
        for cut in 0..stream.len() {
            let mut d = Decoder::new(1024);
            d.push(&stream[..cut]);
            let mut got = alloc::vec::Vec::new();
            while let Some(m) = d.next_message::<ServiceMessage>().unwrap() {
                got.push(m);
            }
            d.push(&stream[cut..]);
            while let Some(m) = d.next_message::<ServiceMessage>().unwrap() {
                got.push(m);
            }
            assert_eq!(
                got,
                [set_filter("dns"), set_filter(&"x".repeat(300))],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn oversized_and_garbage_are_errors() {
        let mut d = Decoder::new(16);
        d.push(&encode(&set_filter(&"x".repeat(100))));
        assert!(matches!(
            d.next_message::<ServiceMessage>(),
            Err(FrameError::TooLong {
                length: 104,
                limit: 16
            })
        ));
        let mut d = Decoder::new(16);
        d.push(&[0xff; 11]);
        assert!(d.next_message::<ServiceMessage>().is_err());
        let mut d = Decoder::new(16);
        d.push(&[3, 0x0a, 0x05, 0x01]);
        assert!(matches!(
            d.next_message::<ServiceMessage>(),
            Err(FrameError::Undecodable(_))
        ));
    }
}
