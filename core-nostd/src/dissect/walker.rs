//! The layer walk: from the link type down to the application, one view per layer.

use super::{Dissection, Expert, Layer, LinkType, Severity, View};
use crate::proto::Protocol;
use crate::wire::arp::ArpPacket;
use crate::wire::dhcp::DhcpPacket;
use crate::wire::dhcpv6::Dhcpv6Packet;
use crate::wire::dns::DnsPacket;
use crate::wire::http::{self, HttpMessage};
use crate::wire::icmp::IcmpPacket;
use crate::wire::icmpv6::Icmpv6Packet;
use crate::wire::ipv4::OptionIter;
use crate::wire::ipv6::{self, ExtHeader};
use crate::wire::llc::LlcPdu;
use crate::wire::null::NullHeader;
use crate::wire::sll::{SllHeader, SllVersion};
use crate::wire::tcp::TcpPacket;
use crate::wire::udp::UdpPacket;
use crate::wire::vlan::VlanTag;
use crate::wire::{
    Error, EtherType, LenSource, EthernetFrame, IpProtocol, Ipv4Packet, Ipv6Packet, ethernet,
};

/// TCP ports on which TLS is dissected (tshark's defaults that matter here).
const TLS_TCP_PORTS: [u16; 13] = [
    443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 5061, 8883,
];
const DNS_PORT: u16 = 53;
const DHCP_PORTS: [u16; 2] = [67, 68];
const DHCPV6_PORTS: [u16; 2] = [546, 547];

pub(super) fn walk(d: &mut Dissection<'_>) {
    let frame = d.frame;
    let mut w = Walker {
        d,
        base: frame.data,
        in_error: false,
    };
    w.link(frame.link_type, frame.data);
}

struct Walker<'d, 'a> {
    d: &'d mut Dissection<'a>,
    base: &'a [u8],
    in_error: bool,
}

/// What a transport carries, decided by port.
enum App {
    Dns,
    Dhcp,
    Dhcpv6,
    Http,
    Tls,
    Data,
}

impl<'a> Walker<'_, 'a> {
    /// Offset of a sub-slice of the frame (all views borrow from it).
    fn offset_of(&self, part: &[u8]) -> usize {
        (part.as_ptr() as usize)
            .wrapping_sub(self.base.as_ptr() as usize)
            .min(self.base.len())
    }

    /// Adds a layer; false when the list is full (then the walk stops, noted).
    fn push(&mut self, protocol: Protocol, view: View<'a>, start: &[u8], len: usize) -> bool {
        let layer = Layer {
            protocol,
            view,
            offset: self.offset_of(start),
            len,
            in_error: self.in_error,
        };
        if self.d.push_layer(layer) {
            return true;
        }
        let at = layer.offset;
        self.note(
            Severity::Malformed,
            Error::bad_value(
                protocol,
                0,
                "layer count",
                super::MAX_LAYERS as u32 + 1,
                "at most MAX_LAYERS layers",
            ),
            at,
        );
        false
    }

    /// Records an error of the layer starting at `start`.
    fn fail(&mut self, err: Error, start: &[u8]) {
        let cut = self.d.frame.is_cut();
        let severity = match err.kind {
            crate::wire::ErrorKind::Truncated { source, .. } => {
                // A quoted packet in an ICMP error is cut short by design.
                if self.in_error {
                    return;
                }
                // A payload shorter than its length field says is what a snap
                // length does; tshark dissects what is there without a note.
                let payload_len = matches!(
                    source,
                    LenSource::Ipv4TotalLen | LenSource::Ipv6PayloadLen | LenSource::UdpLength
                );
                match (cut, payload_len) {
                    (true, true) => return,
                    (true, false) => Severity::Cut,
                    (false, _) => Severity::Malformed,
                }
            }
            _ => Severity::Malformed,
        };
        let at = self.offset_of(start);
        self.note(severity, err, at);
    }

    fn note(&mut self, severity: Severity, err: Error, at: usize) {
        let layer = self.d.layer_count.saturating_sub(1) as u8;
        self.d.push_expert(Expert {
            severity,
            layer,
            error: err.add_offset(at),
        });
    }

    fn link(&mut self, link: LinkType, data: &'a [u8]) {
        match link {
            LinkType::ETHERNET => self.ethernet(data),
            LinkType::LINUX_SLL => self.sll(data, SllVersion::V1),
            LinkType::LINUX_SLL2 => self.sll(data, SllVersion::V2),
            LinkType::NULL => self.null(data),
            LinkType::RAW => {
                if self.push(Protocol::Raw, View::Raw, data, 0) {
                    self.ip_by_version(data);
                }
            }
            LinkType::IPV4 => self.ipv4(data),
            LinkType::IPV6 => self.ipv6(data),
            _ => self.data(data),
        }
    }

    fn ethernet(&mut self, data: &'a [u8]) {
        let eth = match EthernetFrame::new_checked(data) {
            Ok(eth) => eth,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(Protocol::Eth, View::Eth(eth), data, ethernet::HEADER_LEN) {
            return;
        }
        if eth.is_802_3() {
            self.llc(eth.payload());
        } else {
            self.ethertype(eth.ethertype(), eth.payload());
        }
    }

    fn sll(&mut self, data: &'a [u8], version: SllVersion) {
        let sll = match SllHeader::new_checked(data, version) {
            Ok(s) => s,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(Protocol::Sll, View::Sll(sll), data, sll.header_len()) {
            return;
        }
        let protocol = sll.protocol();
        if protocol > ethernet::MAX_802_3_LEN {
            self.ethertype(EtherType(protocol), sll.payload());
        } else {
            self.data(sll.payload());
        }
    }

    fn null(&mut self, data: &'a [u8]) {
        let null = match NullHeader::new_checked(data) {
            Ok(n) => n,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(Protocol::Null, View::Null(null), data, 4) {
            return;
        }
        if null.is_ipv4() {
            self.ipv4(null.payload());
        } else if null.is_ipv6() {
            self.ipv6(null.payload());
        } else {
            self.data(null.payload());
        }
    }

    fn ip_by_version(&mut self, data: &'a [u8]) {
        match data.first().map(|b| b >> 4) {
            Some(4) => self.ipv4(data),
            Some(6) => self.ipv6(data),
            _ => self.data(data),
        }
    }

    fn ethertype(&mut self, ethertype: EtherType, payload: &'a [u8]) {
        if !self.push(
            Protocol::Ethertype,
            View::Ethertype(ethertype.0),
            payload,
            0,
        ) {
            return;
        }
        match ethertype {
            EtherType::IPV4 => self.ipv4(payload),
            EtherType::IPV6 => self.ipv6(payload),
            EtherType::ARP => self.arp(payload),
            EtherType::VLAN => self.vlan(payload, Protocol::Vlan),
            EtherType::QINQ => self.vlan(payload, Protocol::Ieee8021ad),
            _ => self.data(payload),
        }
    }

    fn vlan(&mut self, data: &'a [u8], protocol: Protocol) {
        let tag = match VlanTag::new_checked(data, protocol) {
            Ok(t) => t,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(protocol, View::Vlan(tag), data, 4) {
            return;
        }
        let inner = tag.ethertype();
        if inner.0 <= ethernet::MAX_802_3_LEN {
            let len = usize::from(inner.0);
            self.llc(tag.payload().get(..len).unwrap_or(tag.payload()));
        } else {
            self.ethertype(inner, tag.payload());
        }
    }

    fn llc(&mut self, data: &'a [u8]) {
        let llc = match LlcPdu::new_checked(data) {
            Ok(l) => l,
            Err(e) => return self.fail(e, data),
        };
        if self.push(Protocol::Llc, View::Llc(llc), data, llc.header_len()) {
            self.data(llc.payload());
        }
    }

    fn arp(&mut self, data: &'a [u8]) {
        match ArpPacket::new_checked(data) {
            Ok(arp) => {
                self.push(Protocol::Arp, View::Arp(arp), data, arp.len());
            }
            Err(e) => self.fail(e, data),
        }
    }

    fn ipv4(&mut self, data: &'a [u8]) {
        let (ip, short) = match Ipv4Packet::new_lax(data) {
            Ok(r) => r,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(Protocol::Ip, View::Ipv4(ip), data, ip.header_len()) {
            return;
        }
        if let Some(e) = short {
            self.fail(e, data);
        }
        if let Some(Err(e)) = OptionIter::new(ip.options(), Protocol::Ip).find(|o| o.is_err()) {
            self.fail(e.add_offset(crate::wire::ipv4::HEADER_LEN), data);
        }
        // Fragments are not reassembled: their payload is data, as tshark shows
        // every fragment but the last.
        if ip.is_fragment() {
            return self.data(ip.payload());
        }
        self.ip_protocol(ip.protocol(), ip.payload());
    }

    fn ipv6(&mut self, data: &'a [u8]) {
        let (ip, short) = match Ipv6Packet::new_lax(data) {
            Ok(r) => r,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(Protocol::Ipv6, View::Ipv6(ip), data, ipv6::HEADER_LEN) {
            return;
        }
        if let Some(e) = short {
            self.fail(e, data);
        }
        let mut next = ip.next_header();
        let mut payload = ip.payload();
        while ipv6::is_extension(next) {
            let ext = match ExtHeader::new_checked(payload, next) {
                Ok(x) => x,
                Err(e) => return self.fail(e, payload),
            };
            if !self.push(ext.protocol(), View::Ipv6Ext(ext), payload, ext.len()) {
                return;
            }
            if next == IpProtocol::FRAGMENT && (ext.frag_offset() != 0 || ext.more_frags()) {
                return self.data(ext.payload());
            }
            next = ext.next_header();
            payload = ext.payload();
        }
        self.ip_protocol(next, payload);
    }

    fn ip_protocol(&mut self, protocol: IpProtocol, payload: &'a [u8]) {
        match protocol {
            IpProtocol::TCP => self.tcp(payload),
            IpProtocol::UDP => self.udp(payload),
            IpProtocol::ICMP => self.icmp(payload),
            IpProtocol::ICMPV6 => self.icmpv6(payload),
            IpProtocol::NONXT => {}
            _ => self.data(payload),
        }
    }

    fn icmp(&mut self, data: &'a [u8]) {
        let icmp = match IcmpPacket::new_checked(data) {
            Ok(i) => i,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(Protocol::Icmp, View::Icmp(icmp), data, data.len()) {
            return;
        }
        if icmp.is_error() && !self.in_error {
            self.in_error = true;
            self.ipv4(icmp.body());
        } else if !icmp.body().is_empty() {
            self.data(icmp.body());
        }
    }

    fn icmpv6(&mut self, data: &'a [u8]) {
        let icmp = match Icmpv6Packet::new_checked(data) {
            Ok(i) => i,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(Protocol::Icmpv6, View::Icmpv6(icmp), data, data.len()) {
            return;
        }
        if let Some(Err(e)) = icmp.ndp_options().find(|o| o.is_err()) {
            let at = data.len() - icmp.rest().len();
            self.fail(e.add_offset(at), data);
        }
        let rest = icmp.rest();
        match icmp.msg_type() {
            t if t < 128 && !self.in_error => {
                self.in_error = true;
                self.ipv6(rest);
            }
            crate::wire::icmpv6::ECHO_REQUEST | crate::wire::icmpv6::ECHO_REPLY
                if !rest.is_empty() =>
            {
                self.data(rest)
            }
            _ => {}
        }
    }

    fn tcp(&mut self, data: &'a [u8]) {
        let tcp = match TcpPacket::new_checked(data) {
            Ok(t) => t,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(Protocol::Tcp, View::Tcp(tcp), data, tcp.header_len()) {
            return;
        }
        if let Some(Err(e)) = tcp.option_iter().find(|o| o.is_err()) {
            self.fail(e, data);
        }
        let payload = tcp.payload();
        if payload.is_empty() {
            return;
        }
        match app_for_tcp(tcp.src_port(), tcp.dst_port()) {
            App::Dns => self.dns_over_tcp(payload),
            App::Http => self.http(payload),
            App::Tls => self.tls(payload),
            _ => self.data(payload),
        }
    }

    fn udp(&mut self, data: &'a [u8]) {
        let (udp, short) = match UdpPacket::new_lax(data) {
            Ok(u) => u,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(
            Protocol::Udp,
            View::Udp(udp),
            data,
            crate::wire::udp::HEADER_LEN,
        ) {
            return;
        }
        if let Some(e) = short {
            self.fail(e, data);
        }
        let payload = udp.payload();
        match app_for_udp(udp.src_port(), udp.dst_port()) {
            App::Dns => self.dns(payload, false),
            App::Dhcp => self.dhcp(payload),
            App::Dhcpv6 => self.dhcpv6(payload),
            _ if payload.is_empty() => {}
            _ => self.data(payload),
        }
    }

    fn dns(&mut self, data: &'a [u8], over_tcp: bool) {
        let packet = match DnsPacket::new_checked(data) {
            Ok(p) => p,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(
            Protocol::Dns,
            View::Dns { packet, over_tcp },
            data,
            data.len(),
        ) {
            return;
        }
        if let Some(Err(e)) = packet.records().find(|r| r.is_err()) {
            self.fail(e, data);
        }
    }

    fn dns_over_tcp(&mut self, data: &'a [u8]) {
        match data.split_at_checked(2) {
            Some((len, msg)) if msg.len() >= usize::from(u16::from_be_bytes([len[0], len[1]])) => {
                let n = usize::from(u16::from_be_bytes([len[0], len[1]]));
                self.dns(msg.get(..n).unwrap_or(msg), true)
            }
            // A message split over segments would need reassembly: show the bytes.
            _ => self.data(data),
        }
    }

    fn dhcp(&mut self, data: &'a [u8]) {
        let packet = match DhcpPacket::new_checked(data) {
            Ok(p) => p,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(Protocol::Dhcp, View::Dhcp(packet), data, data.len()) {
            return;
        }
        if let Some(Err(e)) = packet.options().find(|o| o.is_err()) {
            self.fail(e, data);
        }
    }

    fn dhcpv6(&mut self, data: &'a [u8]) {
        let packet = match Dhcpv6Packet::new_checked(data) {
            Ok(p) => p,
            Err(e) => return self.fail(e, data),
        };
        if !self.push(Protocol::Dhcpv6, View::Dhcpv6(packet), data, data.len()) {
            return;
        }
        if let Some(Err(e)) = packet.options().find(|o| o.is_err()) {
            self.fail(e, data);
        }
    }

    fn http(&mut self, data: &'a [u8]) {
        match HttpMessage::parse(data) {
            Some(m) => {
                let cut = self.d.frame.is_cut();
                let head = m.head_len();
                let wanted = crate::dissectors::http::content_length(&m).unwrap_or(0);
                let present = head.map(|h| data.len().saturating_sub(h));
                // tshark waits for the rest of the head and body before dissecting HTTP,
                // unless the snap length cut the frame (then it dissects what is there).
                if !cut && present.is_none_or(|p| p < wanted) {
                    self.d.pdu_pending = true;
                    self.d.pdu_head = Some(m.start_line_bytes());
                    return;
                }
                if !self.push(Protocol::Http, View::Http(m), data, data.len()) {
                    return;
                }
                if head.is_none() {
                    let err = Error::truncated(
                        Protocol::Http,
                        data.len() + 1,
                        data.len(),
                        crate::wire::LenSource::Slice,
                    );
                    return self.fail(err, data);
                }
                let body = head.and_then(|h| data.get(h..)).unwrap_or(&[]);
                if body.is_empty() {
                    return;
                }
                let kind = m
                    .header("content-type")
                    .map(crate::dissectors::http::body_kind);
                use crate::dissectors::http::BodyKind;
                let protocol = match kind {
                    Some(BodyKind::TextLines) => Protocol::DataTextLines,
                    Some(BodyKind::UrlencodedForm) => Protocol::UrlencodedForm,
                    Some(BodyKind::Json) => Protocol::Json,
                    Some(BodyKind::Media) => Protocol::Media,
                    None => return self.data(body),
                };
                self.push(protocol, View::Data(body), body, body.len());
            }
            None => {
                self.push(
                    Protocol::Http,
                    View::HttpContinuation(data),
                    data,
                    data.len(),
                );
            }
        }
    }

    fn tls(&mut self, data: &'a [u8]) {
        self.push(Protocol::Tls, View::Tls(data), data, data.len());
    }

    fn data(&mut self, data: &'a [u8]) {
        if !data.is_empty() {
            self.push(Protocol::Data, View::Data(data), data, data.len());
        }
    }
}

/// Tries the lower port first, as Wireshark does.
fn by_low_port(a: u16, b: u16, pick: impl Fn(u16) -> Option<App>) -> App {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    pick(low).or_else(|| pick(high)).unwrap_or(App::Data)
}

fn app_for_tcp(src: u16, dst: u16) -> App {
    by_low_port(src, dst, |p| match p {
        DNS_PORT => Some(App::Dns),
        p if http::DEFAULT_TCP_PORTS.contains(&p) => Some(App::Http),
        p if TLS_TCP_PORTS.contains(&p) => Some(App::Tls),
        _ => None,
    })
}

fn app_for_udp(src: u16, dst: u16) -> App {
    by_low_port(src, dst, |p| match p {
        DNS_PORT => Some(App::Dns),
        p if DHCP_PORTS.contains(&p) => Some(App::Dhcp),
        p if DHCPV6_PORTS.contains(&p) => Some(App::Dhcpv6),
        _ => None,
    })
}
