//! The clues of the frames most captures are made of, read from the bytes
//! without building a dissection: Ethernet, then IPv4 or IPv6 without
//! extension headers, then TCP with nothing the tables read in its payload,
//! or anything but TCP and ICMP. Any other frame, and anything unusual on
//! the way (a header cut short or bad, a VLAN tag, an HTTP or TLS payload,
//! an echo), is left to the walk, which would find the same:
//! `cli/tests/reuse.rs` and the `dissect` fuzz target hold the two to it.

use super::Clues;
use crate::conversation::{Segment, mapped};
use crate::dissect::{App, Frame, LinkType, app_for_tcp};
use crate::wire::tcp::TcpPacket;
use crate::wire::{EtherType, EthernetFrame, IpProtocol, Ipv4Packet, Ipv6Packet, ethernet, ipv6};

/// Writes what the frame tells the tables into `out`; false to ask the
/// walk (then `out` holds anything).
pub(super) fn fill(frame: Frame<'_>, out: &mut Clues) -> bool {
    if frame.link_type != LinkType::ETHERNET {
        return false;
    }
    let Ok(eth) = EthernetFrame::new_checked(frame.data) else {
        return false;
    };
    if eth.is_802_3() {
        return false;
    }
    out.number = frame.number;
    out.echo = None;
    match eth.ethertype() {
        EtherType::IPV4 => ipv4(&frame, eth.payload(), &mut out.tcp),
        EtherType::IPV6 => ipv6(&frame, eth.payload(), &mut out.tcp),
        EtherType::VLAN | EtherType::QINQ => false,
        // ARP and the rest carry neither a segment nor an echo.
        _ => {
            out.tcp = None;
            true
        }
    }
}

/// Writes the segment of an IPv4 packet at the frame's network offset (or
/// none) into `tcp`; false to ask the walk.
fn ipv4(frame: &Frame<'_>, data: &[u8], tcp: &mut Option<Segment>) -> bool {
    let Ok((ip, _)) = Ipv4Packet::new_lax(data) else {
        return false;
    };
    if ip.is_fragment() {
        *tcp = None;
        return true;
    }
    // A total length of 0 (segmentation offload) gives no end: the payload is what is there.
    let total_len = usize::from(ip.total_len());
    let end = (total_len != 0).then_some(ethernet::HEADER_LEN + total_len);
    let addrs = (mapped(ip.src_addr()), mapped(ip.dst_addr()));
    let at = ethernet::HEADER_LEN + ip.header_len();
    transport(frame, ip.protocol(), ip.payload(), (addrs, at, end), tcp)
}

fn ipv6(frame: &Frame<'_>, data: &[u8], tcp: &mut Option<Segment>) -> bool {
    let Ok((ip, _)) = Ipv6Packet::new_lax(data) else {
        return false;
    };
    if ipv6::is_extension(ip.next_header()) {
        return false;
    }
    let end = ethernet::HEADER_LEN + ipv6::HEADER_LEN + usize::from(ip.payload_len());
    let addrs = (ip.src_addr().octets(), ip.dst_addr().octets());
    let at = ethernet::HEADER_LEN + ipv6::HEADER_LEN;
    transport(
        frame,
        ip.next_header(),
        ip.payload(),
        (addrs, at, Some(end)),
        tcp,
    )
}

/// Where an IP payload is: the packet's addresses, the payload's offset in
/// the frame, and where the packet ends by IP's lengths.
type Place = (([u8; 16], [u8; 16]), usize, Option<usize>);

/// Writes the segment an IP payload carries (or none) into `tcp`; false to
/// ask the walk.
fn transport(
    frame: &Frame<'_>,
    protocol: IpProtocol,
    data: &[u8],
    (addrs, at, ip_end): Place,
    tcp: &mut Option<Segment>,
) -> bool {
    match protocol {
        IpProtocol::TCP => {}
        IpProtocol::ICMP | IpProtocol::ICMPV6 => return false,
        _ => {
            *tcp = None;
            return true;
        }
    }
    let Ok(t) = TcpPacket::new_checked(data) else {
        return false;
    };
    // An HTTP head or a TLS ServerHello in the payload is a clue too.
    if !t.payload().is_empty()
        && matches!(
            app_for_tcp(t.src_port(), t.dst_port()),
            App::Http | App::Tls
        )
    {
        return false;
    }
    let start = at + t.header_len();
    let seg_len = ip_end.map_or(t.payload().len(), |end| end.saturating_sub(start));
    *tcp = Some(Segment::of_header(addrs, &t, seg_len, frame));
    true
}

#[cfg(test)]
mod test {
    extern crate std;
    use std::vec;
    use std::vec::Vec;

    use super::fill;
    use crate::filter::test::ipv4_frame;
    use crate::tracker::Clues;
    use crate::{Frame, LinkType, dissect};

    /// A TCP header from `src` to `dst` with `flags`, its options, then `payload`.
    fn tcp(src: u16, dst: u16, flags: u8, options: &[u8], payload: &[u8]) -> Vec<u8> {
        let offset = ((20 + options.len()) / 4) as u8;
        let seq_ack = [0, 0, 0, 7, 0, 0, 0, 0];
        let rest = [offset << 4, flags, 0xff, 0xff, 0, 0, 0, 0];
        [
            &src.to_be_bytes()[..],
            &dst.to_be_bytes(),
            &seq_ack,
            &rest,
            options,
            payload,
        ]
        .concat()
    }

    fn both(bytes: &[u8]) -> (Option<Clues>, Clues) {
        let frame = Frame::new(bytes, LinkType::ETHERNET);
        let mut quick = Clues::NONE;
        let read = fill(frame, &mut quick).then_some(quick);
        (read, Clues::of(&dissect(frame)))
    }

    #[test]
    fn the_usual_frames_are_read_without_a_walk_and_alike() {
        // A SYN with a window scale, an ACK, and a segment of data on a port
        // nobody claims; then UDP and ARP, which carry no clue.
        let syn = tcp(40000, 5001, 0x02, &[3, 3, 7, 1], &[]);
        let data = tcp(40000, 5001, 0x18, &[], b"hello");
        let udp = [0x9c, 0x40, 0, 53, 0, 8, 0, 0];
        let mut arp = vec![0xff; 6];
        arp.extend_from_slice(&[0x02, 0, 0, 0, 0, 1, 0x08, 0x06]);
        arp.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
        arp.extend_from_slice(&[0; 20]);
        let frames = [
            ipv4_frame(6, &syn),
            ipv4_frame(6, &data),
            ipv4_frame(17, &udp),
            arp,
        ];
        for (i, bytes) in frames.iter().enumerate() {
            let (quick, walked) = both(bytes);
            assert_eq!(quick, Some(walked), "frame {i}");
            assert_eq!(walked.tcp.is_some(), i < 2, "frame {i}");
        }
        let syn = std::format!("{:?}", both(&frames[0]).1);
        assert!(syn.contains("window_scale: Some(7)"), "{syn}");
    }

    #[test]
    fn payloads_with_clues_echoes_and_odd_shapes_go_to_the_walk() {
        let http = tcp(40000, 80, 0x18, &[], b"HEAD / HTTP/1.1\r\n\r\n");
        let tls = tcp(443, 40000, 0x18, &[], &[22, 3, 3, 0, 1, 2]);
        let echo = [8, 0, 0, 0, 0, 1, 0, 1];
        let mut vlan = ipv4_frame(6, &tcp(1, 2, 0x10, &[], &[]));
        vlan.splice(12..12, [0x81, 0x00, 0, 5]);
        let short_tcp = ipv4_frame(6, &[0; 12]);
        for bytes in [
            ipv4_frame(6, &http),
            ipv4_frame(6, &tls),
            ipv4_frame(1, &echo),
            vlan,
            short_tcp,
        ] {
            assert_eq!(both(&bytes).0, None);
        }
    }
}
