//! Checks of a layer's contents that the walk defers: TCP options, every
//! record of a DNS message, DHCP and DHCPv6 options, an ICMPv6 message's
//! options and MLDv2 records.
//!
//! They decide no layer, only notes, so [`dissect`](super::dissect) marks
//! the layer and the notes are found when first asked for
//! ([`Dissection::experts`]): a caller that reads only layers and fields (a
//! capture filter) never pays for them. A caller that reads every frame's
//! notes (a packet list) has them checked during the walk, as before, with
//! [`dissect_into_noted`](super::dissect_into_noted).

use super::{Dissection, Expert, Layer, Severity, View, walker::severity_of};
use crate::wire::Error;

/// At most this many notes come from one layer's contents.
const PER_LAYER: usize = 2;

/// tshark warns of a bad TCP option whatever is wrong with it.
pub(super) const TCP_OPTION: Severity = Severity::Warning;

/// The notes the deferred check of `layer` (the dissection's `index`th) finds,
/// as the walk would have noted them.
pub(super) fn notes_of(
    d: &Dissection<'_>,
    index: usize,
    layer: &Layer<'_>,
) -> [Option<Expert>; PER_LAYER] {
    let mut found = [None, None];
    let mut slots = found.iter_mut();
    let mut note_as = |severity: Option<Severity>, err: Error| {
        if let (Some(severity), Some(slot)) = (severity, slots.next()) {
            *slot = Some(Expert {
                severity,
                layer: index as u8,
                error: err.add_offset(layer.offset),
            });
        }
    };
    let mut note = |err: Error| {
        let severity = severity_of(&err, d.frame().is_cut(), layer.in_error);
        note_as(severity, err);
    };
    match layer.view {
        View::Tcp(tcp) => {
            if let Some(e) = tcp.option_error() {
                note_as(Some(TCP_OPTION), e);
            }
        }
        View::Dns { packet, .. } if !packet.records_whole() => {
            if let Some(Err(e)) = packet.records().find(|r| r.is_err()) {
                note(e);
            }
        }
        View::Dhcp(packet) => {
            if let Some(Err(e)) = packet.options().find(|o| o.is_err()) {
                note(e);
            }
        }
        View::Dhcpv6(packet) => {
            if let Some(Err(e)) = packet.options().find(|o| o.is_err()) {
                note(e);
            }
        }
        View::Icmpv6(icmp) => {
            if let Some(Err(e)) = icmp.ndp_options().find(|o| o.is_err()) {
                let at = layer.len - icmp.rest().len();
                note(e.add_offset(at));
            }
            if let Some(e) = icmp.check_mldv2_records() {
                note(e);
            }
        }
        _ => {}
    }
    found
}

#[cfg(test)]
mod test {
    extern crate std;

    use crate::dissect::{Severity, dissect, dissect_into_noted};
    use crate::proto::Protocol;
    use crate::{Frame, LinkType};

    /// Ethernet, IPv4 and a SYN whose 8 bytes of options are `options`.
    fn syn_with(options: [u8; 8]) -> [u8; 62] {
        let mut f = [0u8; 62];
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        f[14..24].copy_from_slice(&[0x45, 0, 0, 48, 0, 1, 0x40, 0, 64, 6]);
        f[26..34].copy_from_slice(&[192, 0, 2, 1, 192, 0, 2, 2]);
        f[34..38].copy_from_slice(&[0xc0, 0x01, 0, 80]);
        f[46..48].copy_from_slice(&[0x70, 0x02]);
        f[54..62].copy_from_slice(&options);
        f
    }

    /// Ethernet, IPv4 and UDP from port `src` to `dst` carrying `payload`.
    fn udp_with(src: u16, dst: u16, payload: &[u8]) -> std::vec::Vec<u8> {
        let mut f = std::vec![0u8; 42];
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        let ip_len = (28 + payload.len()) as u16;
        f[14..24].copy_from_slice(&[0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 17]);
        f[16..18].copy_from_slice(&ip_len.to_be_bytes());
        f[26..34].copy_from_slice(&[192, 0, 2, 1, 192, 0, 2, 2]);
        f[34..36].copy_from_slice(&src.to_be_bytes());
        f[36..38].copy_from_slice(&dst.to_be_bytes());
        f[38..40].copy_from_slice(&(8 + payload.len() as u16).to_be_bytes());
        f.extend_from_slice(payload);
        f
    }

    /// An option that runs past the message, in DHCP and in DHCPv6: noted
    /// when asked for, as a walk that checks at once notes it.
    #[test]
    fn a_bad_dhcp_option_is_noted_as_at_once() {
        let mut bootp = std::vec![0u8; 240];
        bootp[0] = 1;
        bootp[236..240].copy_from_slice(&[99, 130, 83, 99]);
        let mut bad_dhcp = bootp.clone();
        bad_dhcp.extend_from_slice(&[53, 5, 1]);
        let mut good_dhcp = bootp;
        good_dhcp.extend_from_slice(&[53, 1, 1, 255]);
        let bad_dhcpv6 = [1, 0, 0, 1, 0, 1, 0, 16, 0, 1];
        let good_dhcpv6 = [1, 0, 0, 1, 0, 8, 0, 2, 0, 0];
        for (frame, protocol, bad) in [
            (udp_with(68, 67, &bad_dhcp), Protocol::Dhcp, true),
            (udp_with(68, 67, &good_dhcp), Protocol::Dhcp, false),
            (udp_with(546, 547, &bad_dhcpv6), Protocol::Dhcpv6, true),
            (udp_with(546, 547, &good_dhcpv6), Protocol::Dhcpv6, false),
        ] {
            let frame = Frame::new(&frame, LinkType::ETHERNET);
            let deferred = dissect(frame);
            assert_eq!(deferred.layers().last().map(|l| l.protocol), Some(protocol));
            let notes: std::vec::Vec<_> = deferred.experts().collect();
            assert_eq!(notes.len(), usize::from(bad), "{protocol:?} {notes:?}");
            if let Some(note) = notes.first() {
                assert_eq!((note.layer, note.error.protocol), (4, protocol));
                assert!(note.error.offset >= 42, "{note:?}");
            }
            let mut noted = dissect(frame);
            dissect_into_noted(frame, &mut noted);
            assert!(deferred.experts().eq(noted.experts()), "{protocol:?}");
        }
    }

    /// A bad TCP option is noted when the notes are asked for, where and as
    /// a walk that checks at once notes it; good options note nothing.
    #[test]
    fn a_bad_tcp_option_is_noted_as_at_once() {
        // An MSS option two bytes long, where it must be four.
        let bad = syn_with([2, 2, 5, 0xb4, 1, 1, 1, 0]);
        let frame = Frame::new(&bad, LinkType::ETHERNET);
        let deferred = dissect(frame);
        let note = deferred.experts().next().expect("a note of the bad option");
        assert_eq!(note.severity, Severity::Warning);
        assert_eq!(note.error.protocol, Protocol::Tcp);
        assert_eq!((note.layer, note.error.offset), (3, 55));
        assert_eq!(deferred.experts().count(), 1);
        let mut noted = dissect(frame);
        dissect_into_noted(frame, &mut noted);
        assert!(deferred.experts().eq(noted.experts()));

        let good = syn_with([2, 4, 5, 0xb4, 1, 1, 4, 2]);
        let good = dissect(Frame::new(&good, LinkType::ETHERNET));
        assert_eq!(good.layer_count(), 4);
        assert_eq!(good.experts().count(), 0);
    }
}
