//! Echo request/reply matching (ICMP and ICMPv6): a reply names the frame of its
//! request ("(request in N)", `icmp.resp_to`), as tshark's one pass does.
//!
//! Requests wait in a small table of fixed capacity; when it is full, the oldest
//! request is forgotten (its reply then names no request), counted in
//! [`EchoTable::forgotten`].

use crate::dissect::{Dissection, View};
use crate::wire::{icmp, icmpv6};

/// Outstanding requests kept by default.
pub const DEFAULT_ECHOES: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    /// Request source and destination (IPv4 mapped into IPv6).
    src: [u8; 16],
    dst: [u8; 16],
    ident: u16,
    seq: u16,
    v6: bool,
}

impl Key {
    const fn new(src: [u8; 16], dst: [u8; 16], ident: u16, seq: u16, v6: bool) -> Key {
        Key {
            src,
            dst,
            ident,
            seq,
            v6,
        }
    }
}

/// The requests seen and not yet answered.
#[derive(Debug, Clone)]
pub struct EchoTable<const N: usize = DEFAULT_ECHOES> {
    requests: [Option<(Key, u32)>; N],
    next: usize,
    forgotten: u64,
}

impl<const N: usize> Default for EchoTable<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> EchoTable<N> {
    pub const fn new() -> Self {
        EchoTable {
            requests: [None; N],
            next: 0,
            forgotten: 0,
        }
    }

    /// Requests dropped from a full table so far.
    pub fn forgotten(&self) -> u64 {
        self.forgotten
    }

    /// Records a request, or annotates a reply with its request's frame.
    pub fn track(&mut self, d: &mut Dissection<'_>) {
        if let Some(request) = self.take(Echo::of(d).as_ref(), d.frame().number) {
            d.set_echo_request(request);
        }
    }

    /// Takes the next echo message in capture order, by what [`Echo::of`] read
    /// of frame `number`: records a request, or says a reply's request frame.
    pub fn take(&mut self, echo: Option<&Echo>, number: u32) -> Option<u32> {
        let &Echo { key, request } = echo?;
        if request {
            if let Some(slot) = self.requests.get_mut(self.next % N.max(1)) {
                if slot.is_some() {
                    self.forgotten += 1;
                }
                *slot = Some((key, number));
            }
            self.next = self.next.wrapping_add(1);
            return None;
        }
        // A reply travels back: its destination sent the request.
        let wanted = Key {
            src: key.dst,
            dst: key.src,
            ..key
        };
        self.requests
            .iter()
            .flatten()
            .filter(|(k, _)| *k == wanted)
            .map(|(_, f)| *f)
            .max()
    }
}

/// A frame's echo message (outer, not quoted in an error), as the table sees
/// it: read apart from the table, which takes frames in capture order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Echo {
    key: Key,
    request: bool,
}

impl Echo {
    pub fn of(d: &Dissection<'_>) -> Option<Echo> {
        echo_of(d).map(|(key, request)| Echo { key, request })
    }
}

/// The echo message of the frame (outer, not quoted in an error): its key and
/// whether it is a request. Addresses are read only when there is one (most
/// frames have none): those of the last IP layer before it.
fn echo_of(d: &Dissection<'_>) -> Option<(Key, bool)> {
    let (at, ident, seq, v6, request) =
        d.layers()
            .enumerate()
            .find_map(|(i, layer)| match layer.view {
                _ if layer.in_error => None,
                View::Icmp(p) if p.is_echo() => Some((
                    i,
                    p.echo_ident(),
                    p.echo_seq(),
                    false,
                    p.msg_type() == icmp::ECHO_REQUEST,
                )),
                View::Icmpv6(p)
                    if matches!(p.msg_type(), icmpv6::ECHO_REQUEST | icmpv6::ECHO_REPLY) =>
                {
                    Some((
                        i,
                        p.echo_ident(),
                        p.echo_seq(),
                        true,
                        p.msg_type() == icmpv6::ECHO_REQUEST,
                    ))
                }
                _ => None,
            })?;
    let (src, dst) = d
        .layers()
        .take(at)
        .filter(|l| !l.in_error)
        .filter_map(|l| match l.view {
            View::Ipv4(ip) => Some((
                ip.src_addr().to_ipv6_mapped().octets(),
                ip.dst_addr().to_ipv6_mapped().octets(),
            )),
            View::Ipv6(ip) => Some((ip.src_addr().octets(), ip.dst_addr().octets())),
            _ => None,
        })
        .last()?;
    Some((Key::new(src, dst, ident, seq, v6), request))
}

#[cfg(test)]
mod test {
    extern crate std;
    use super::*;
    use crate::{Frame, LinkType, dissect};
    use std::vec::Vec;

    /// Ethernet + IPv4 + ICMP echo (`kind` 8 or 0) between 192.0.2.1 and 192.0.2.2.
    fn echo(kind: u8, from_a: bool, seq: u16) -> Vec<u8> {
        let (src, dst) = if from_a { (1, 2) } else { (2, 1) };
        let mut f = std::vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0];
        f.extend_from_slice(&[
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0, 192, 0, 2, src, 192, 0, 2, dst,
        ]);
        f.extend_from_slice(&[kind, 0, 0, 0, 0x12, 0x34]);
        f.extend_from_slice(&seq.to_be_bytes());
        f
    }

    fn track<const N: usize>(t: &mut EchoTable<N>, bytes: &[u8], n: u32) -> Option<u32> {
        let mut frame = Frame::new(bytes, LinkType::ETHERNET);
        frame.number = n;
        let mut d = dissect(frame);
        t.track(&mut d);
        d.echo_request()
    }

    #[test]
    fn test_reply_names_its_request() {
        let mut t = EchoTable::<4>::new();
        assert_eq!(track(&mut t, &echo(8, true, 1), 1), None);
        assert_eq!(track(&mut t, &echo(8, true, 2), 2), None);
        assert_eq!(track(&mut t, &echo(0, false, 2), 3), Some(2));
        assert_eq!(track(&mut t, &echo(0, false, 1), 4), Some(1));
        // A reply in the same direction as the request is not its answer.
        assert_eq!(track(&mut t, &echo(0, true, 1), 5), None);
    }

    #[test]
    fn test_full_table_forgets_the_oldest() {
        let mut t = EchoTable::<2>::new();
        for seq in 1..=3 {
            track(&mut t, &echo(8, true, seq), u32::from(seq));
        }
        assert_eq!(t.forgotten(), 1);
        assert_eq!(track(&mut t, &echo(0, false, 1), 4), None);
        assert_eq!(track(&mut t, &echo(0, false, 3), 5), Some(3));
    }
}
