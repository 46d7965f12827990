//! The packet-list row: source, destination, protocol and info, as tshark 4.0
//! writes them with `-n`.

use core::fmt;

use crate::dissect::{Dissection, Layer, View};
use crate::dissectors;
use crate::proto::Protocol;
use crate::text::Sink;

/// What the four columns are read from, found once for all four (a pass
/// each would read the layers eight times).
#[derive(Debug, Clone, Copy)]
pub struct Row<'d, 'a> {
    d: &'d Dissection<'a>,
    /// The first network layer: the addresses.
    network: Option<&'d Layer<'a>>,
    /// The layer whose dissector wrote the columns last: the innermost one
    /// that is not inside an ICMP error and not a pseudo-layer or a body.
    info: Option<&'d Layer<'a>>,
    /// An EtherType no dissector took (the last layer but bodies): tshark
    /// shows it in hex as the protocol.
    unclaimed_ethertype: Option<u16>,
    /// An HTTP body is JSON.
    json: bool,
}

impl<'d, 'a> Row<'d, 'a> {
    pub fn of(d: &'d Dissection<'a>) -> Self {
        let network = d
            .layers()
            .find(|l| matches!(l.view, View::Ipv4(_) | View::Ipv6(_)));
        // From the end: the info layer and the last one but bodies are
        // usually the last layer or the one before it.
        let (mut info, mut last_not_data, mut json) = (None, None, false);
        for l in d.layers().rev() {
            if last_not_data.is_none() {
                // A JSON body is the walk's last layer: among the bodies at the end.
                json |= l.protocol == Protocol::Json;
                if !matches!(l.view, View::Data(_)) {
                    last_not_data = Some(l);
                }
            }
            if writes_columns(l) {
                info = Some(l);
                break;
            }
        }
        let unclaimed_ethertype = match last_not_data.map(|l| l.view) {
            Some(View::Ethertype(t)) => Some(t),
            _ => None,
        };
        Row {
            d,
            network,
            info,
            unclaimed_ethertype,
            json,
        }
    }

    /// The source and destination when the network layer is IPv4 (a row
    /// lays them out itself).
    pub fn ipv4_addresses(&self) -> Option<(core::net::Ipv4Addr, core::net::Ipv4Addr)> {
        match self.network.map(|l| l.view) {
            Some(View::Ipv4(ip)) => Some((ip.src_addr(), ip.dst_addr())),
            _ => None,
        }
    }

    pub fn write_source<W: Sink + ?Sized>(&self, w: &mut W) -> fmt::Result {
        self.write_address(w, true)
    }

    pub fn write_destination<W: Sink + ?Sized>(&self, w: &mut W) -> fmt::Result {
        self.write_address(w, false)
    }

    fn write_address<W: Sink + ?Sized>(&self, w: &mut W, source: bool) -> fmt::Result {
        match self.network.map(|l| l.view) {
            Some(View::Ipv4(ip)) if source => crate::text::write_ipv4(w, ip.src_addr()),
            Some(View::Ipv4(ip)) => crate::text::write_ipv4(w, ip.dst_addr()),
            Some(View::Ipv6(ip)) if source => w.push_ipv6(ip.src_addr()),
            Some(View::Ipv6(ip)) => w.push_ipv6(ip.dst_addr()),
            _ => write_link_address(self.d, w, source),
        }
    }

    pub fn write_protocol<W: Sink + ?Sized>(&self, w: &mut W) -> fmt::Result {
        let d = self.d;
        if d.pdu_pending() {
            return w.write_str("TCP");
        }
        if self.json {
            return w.write_str("HTTP/JSON");
        }
        if let Some(t) = self.unclaimed_ethertype {
            return write!(w, "0x{t:04x}");
        }
        match self.info {
            Some(l) => match l.view {
                View::Tls(data) => {
                    let session = d.tcp_annotation().and_then(|a| a.tls_session);
                    dissectors::tls::write_protocol(data, session, w)
                }
                View::Igmp(p) => dissectors::igmp::write_protocol(&p, w),
                View::Data(_) => w.write_str("HTTP"),
                _ => {
                    let (name, len) = column_name(l.protocol);
                    w.push_with(|room: &mut [u8; 8]| {
                        *room = name;
                        len
                    })
                }
            },
            None => Ok(()),
        }
    }

    pub fn write_info<W: Sink + ?Sized>(&self, w: &mut W) -> fmt::Result {
        let d = self.d;
        if let Some(head) = d.pdu_head() {
            crate::text::write_escaped(w, head)?;
            w.write_str("  [TCP segment of a reassembled PDU]")?;
            return Ok(());
        }
        if let Some(t) = self.unclaimed_ethertype {
            if let Some(name) = crate::wire::EtherType(t).name() {
                w.write_str(name)?;
            }
        } else if let Some(l) = self.info {
            // The deferring dissector cleared Info; TCP then wrote only its note.
            if matches!(l.view, View::Reassembling) {
                return w.write_str("[TCP segment of a reassembled PDU]");
            }
            write_layer_info(d, l, w)?;
        }
        if d.pdu_pending() {
            w.write_str(" [TCP segment of a reassembled PDU]")?;
        }
        if d.is_cut() {
            w.write_str("[Packet size limited during capture]")?;
        } else if d.has_exception() {
            w.write_str("[Malformed Packet]")?;
        }
        Ok(())
    }
}

/// Each protocol's column name padded to eight bytes, and its length: the
/// protocol column takes it as one store.
// Built at compile time: an index out of range or a longer name fails the build.
#[allow(clippy::indexing_slicing)]
const COLUMN_NAMES: [([u8; 8], usize); Protocol::ALL.len()] = {
    let mut table = [([b' '; 8], 0); Protocol::ALL.len()];
    let mut i = 0;
    while i < Protocol::ALL.len() {
        let p = Protocol::ALL[i];
        let name = p.column_name().as_bytes();
        assert!(name.len() <= 8);
        let mut j = 0;
        while j < name.len() {
            table[p as usize].0[j] = name[j];
            j += 1;
        }
        table[p as usize].1 = name.len();
        i += 1;
    }
    table
};

/// [`Protocol::column_name`] as eight padded bytes and a length.
fn column_name(p: Protocol) -> ([u8; 8], usize) {
    COLUMN_NAMES
        .get(p as usize)
        .copied()
        .unwrap_or(([b' '; 8], 0))
}

/// True for a layer whose dissector writes the columns: not inside an ICMP
/// error, not a pseudo-layer or a body.
fn writes_columns(l: &Layer<'_>) -> bool {
    // A request line cut by the snap length leaves TCP's columns in place.
    let cut_http = l.protocol == Protocol::Http && matches!(l.view, View::Truncated { .. });
    let pseudo = matches!(
        l.view,
        View::Data(_) | View::Ethertype(_) | View::Raw | View::Null(_)
    );
    !l.in_error && !pseudo && !cut_http
}

pub fn write_source<W: Sink + ?Sized>(d: &Dissection<'_>, w: &mut W) -> fmt::Result {
    Row::of(d).write_source(w)
}

pub fn write_destination<W: Sink + ?Sized>(d: &Dissection<'_>, w: &mut W) -> fmt::Result {
    Row::of(d).write_destination(w)
}

pub fn write_protocol<W: Sink + ?Sized>(d: &Dissection<'_>, w: &mut W) -> fmt::Result {
    Row::of(d).write_protocol(w)
}

pub fn write_info<W: Sink + ?Sized>(d: &Dissection<'_>, w: &mut W) -> fmt::Result {
    Row::of(d).write_info(w)
}

/// A frame without a network layer: the link's addresses.
fn write_link_address<W: Sink + ?Sized>(
    d: &Dissection<'_>,
    w: &mut W,
    source: bool,
) -> fmt::Result {
    for l in d.layers() {
        match l.view {
            View::Eth(eth) if source => return crate::text::write_mac(w, eth.src().0),
            View::Eth(eth) => return crate::text::write_mac(w, eth.dst().0),
            View::Truncated { bytes, .. } if l.protocol == Protocol::Eth => {
                let at = if source { 6 } else { 0 };
                if let Some(mac) = bytes
                    .get(at..at + 6)
                    .and_then(|m| <[u8; 6]>::try_from(m).ok())
                {
                    write!(w, "{}", crate::wire::MacAddr(mac))?;
                }
                return Ok(());
            }
            View::Sll(sll) if source => {
                return match <[u8; 6]>::try_from(sll.addr()) {
                    Ok(mac) => write!(w, "{}", crate::wire::MacAddr(mac)),
                    Err(_) => Ok(()),
                };
            }
            _ => {}
        }
    }
    Ok(())
}

fn write_layer_info<W: Sink + ?Sized>(d: &Dissection<'_>, l: &Layer<'_>, w: &mut W) -> fmt::Result {
    match &l.view {
        View::Arp(arp) => dissectors::arp::info(arp, w),
        View::Ipv4(ip) if ip.is_fragment() => dissectors::ip::fragment_info(ip, w),
        View::Ipv6Ext(ext) if ext.protocol() == Protocol::Ipv6Fragment => {
            dissectors::ipv6::fragment_info(ext, w)
        }
        View::Icmp(icmp) => {
            let ttl = d.layers().find_map(|x| match x.view {
                View::Ipv4(ip) => Some(ip.ttl()),
                _ => None,
            });
            dissectors::icmp::info(icmp, ttl, w)?;
            write_request_in(d, w)
        }
        View::Icmpv6(icmp) => {
            let hop_limit = d.layers().find_map(|x| match x.view {
                View::Ipv6(ip) => Some(ip.hop_limit()),
                _ => None,
            });
            dissectors::icmpv6::info(icmp, hop_limit, w)?;
            write_request_in(d, w)
        }
        View::Igmp(p) => dissectors::igmp::info(p, w),
        View::Stp(b) => dissectors::stp::info(b, w),
        View::Tcp(tcp) => {
            let len = d.segment_len(l).unwrap_or(tcp.payload().len());
            let conv = d.tcp_annotation().filter(|_| !l.in_error);
            dissectors::tcp::info(tcp, len, conv, w)
        }
        View::Udp(udp) => {
            let ip_payload = d.ip_end(l).map(|end| end.saturating_sub(l.offset));
            dissectors::udp::info(udp, ip_payload, w)
        }
        View::Dns { packet, .. } => dissectors::dns::info(packet, w),
        View::Dhcp(p) => dissectors::dhcp::info(p, w),
        View::Dhcpv6(p) => dissectors::dhcpv6::info(p, w),
        View::Http(m) => dissectors::http::info(m, w),
        View::HttpContinuation(_) => dissectors::http::continuation_info(w),
        View::Tls(data) => dissectors::tls::info(data, w),
        View::Truncated { bytes } => match d.stopped_by() {
            Some(error) => {
                dissectors::partial::info(l.protocol, bytes, error, d.tcp_annotation(), w)
            }
            None => Ok(()),
        },
        View::Eth(_) => w.write_str("Ethernet II"),
        View::Vlan(tag) => write!(
            w,
            "PRI: {} DEI: {} ID: {}",
            tag.priority(),
            u8::from(tag.dei()),
            tag.id()
        ),
        View::Llc(llc) => match (llc.snap_oui(), llc.snap_pid()) {
            (Some(oui), Some(pid)) => {
                write!(w, "U, func=UI; SNAP, OUI 0x{oui:06X}, PID 0x{pid:04X}")
            }
            _ => write!(
                w,
                "U, func=UI; DSAP 0x{:02x}, SSAP 0x{:02x}",
                llc.dsap(),
                llc.ssap()
            ),
        },
        View::Sll(_) | View::Null(_) | View::Raw | View::Ethertype(_) => Ok(()),
        View::Ipv4(_) | View::Ipv6(_) | View::Ipv6Ext(_) => Ok(()),
        View::Data(_) | View::Reassembling => Ok(()),
    }
}

/// " (request in N)" after a tracked echo reply.
fn write_request_in<W: Sink + ?Sized>(d: &Dissection<'_>, w: &mut W) -> fmt::Result {
    match d.echo_request() {
        Some(frame) => {
            w.write_str(" (request in ")?;
            crate::text::write_dec(w, frame.into())?;
            w.write_char(')')
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod test {
    use super::column_name;
    use crate::proto::Protocol;

    #[test]
    fn padded_column_names_are_the_names() {
        for p in Protocol::ALL {
            let (name, len) = column_name(p);
            assert_eq!(name.get(..len), Some(p.column_name().as_bytes()), "{p:?}");
        }
    }
}
