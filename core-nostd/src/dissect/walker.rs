//! The layer walk: from the link type down to the application, one view per layer.
//!
//! How a problem is recorded follows what tshark 4.0 does with it:
//! * a header cut short becomes a [`View::Truncated`] layer (fields that fit are
//!   still shown) and an exception ("[Malformed Packet]"), or, when the snap
//!   length cut the frame, "[Packet size limited during capture]";
//! * a payload shorter than an IP length field says is dissected as it is;
//! * a bogus header length stops the layer with a note ("Bogus IP header length").

use super::ports::{App, app_for_tcp, app_for_udp};
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
use crate::wire::llc::{self, LlcPdu};
use crate::wire::null::NullHeader;
use crate::wire::sll::{SllHeader, SllVersion};
use crate::wire::tcp::TcpPacket;
use crate::wire::udp::UdpPacket;
use crate::wire::vlan::VlanTag;
use crate::wire::{
    Error, ErrorKind, EtherType, EthernetFrame, IpProtocol, Ipv4Packet, Ipv6Packet, LenSource,
    ethernet, tls,
};

mod fast;

/// Walks the frame into `d`: every layer, or with `CLUES_ONLY` what the
/// trackers read ([`crate::tracker::Clues`]): the layers down to the
/// transport, an echo message, and the HTTP and TLS heads a TCP segment
/// carries; no DNS, DHCP, ICMP error quotes, nor checks of IPv4, TCP and
/// ICMPv6 options. (A constant, so the whole walk carries no test of it.)
///
/// With `defer_checks`, checks of a layer's contents that add only notes
/// (TCP options, every DNS record, DHCP and DHCPv6 options, ICMPv6 options
/// and MLDv2 records) are left to when the notes are asked for (see `checks`).
#[inline(always)]
pub(super) fn walk<const CLUES_ONLY: bool>(d: &mut Dissection<'_>, defer_checks: bool) {
    let (link, data) = (d.frame.link_type, d.frame.data);
    Walker::<CLUES_ONLY>::at_start(d, defer_checks).link(link, data);
}

/// [`walk`] without the fast path, every frame layer by layer.
pub(super) fn walk_general(d: &mut Dissection<'_>) {
    let (link, data) = (d.frame.link_type, d.frame.data);
    Walker::<false>::at_start(d, true).link_general(link, data);
}

struct Walker<'d, 'a, const CLUES_ONLY: bool> {
    d: &'d mut Dissection<'a>,
    in_error: bool,
    defer_checks: bool,
}

impl<'d, 'a, const CLUES_ONLY: bool> Walker<'d, 'a, CLUES_ONLY> {
    /// A walker at the start of `d`'s frame.
    #[inline(always)]
    fn at_start(d: &'d mut Dissection<'a>, defer_checks: bool) -> Self {
        Walker {
            d,
            in_error: false,
            defer_checks,
        }
    }

    /// Offset of a sub-slice of the frame (all views borrow from it).
    /// The frame is read through `d`, not kept in the walker: two stores
    /// fewer a frame, and the fast path needs no offsets.
    fn offset_of(&self, part: &[u8]) -> usize {
        let base = self.d.frame.data;
        (part.as_ptr() as usize)
            .wrapping_sub(base.as_ptr() as usize)
            .min(base.len())
    }

    /// Adds a layer; false when the list is full (then the walk stops, noted).
    /// Inlined, each caller writes its view straight into the slot, where a
    /// call built it, copied it into a layer and that into the slot: the walk
    /// takes 5 % less time. Not on a board, where it costs 1.4 KiB of flash.
    #[cfg_attr(not(target_os = "none"), inline(always))]
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
        self.too_many_layers(protocol, layer.offset);
        false
    }

    #[cold]
    fn too_many_layers(&mut self, protocol: Protocol, offset: usize) {
        let err = Error::bad_value(
            protocol,
            0,
            "layer count",
            super::MAX_LAYERS as u32 + 1,
            "at most MAX_LAYERS layers",
        );
        self.note(Severity::Exception, err, offset);
    }

    /// The checks of the last layer's contents (see `checks`): now, or
    /// deferred until its notes are asked for.
    #[inline]
    fn check_contents(&mut self) {
        if self.defer_checks {
            self.d.defer_check();
        } else {
            self.d.check_last();
        }
    }

    fn note(&mut self, severity: Severity, err: Error, at: usize) {
        let layer = self.d.layer_count.saturating_sub(1) as u8;
        self.d.push_expert(Expert {
            severity,
            layer,
            error: err.add_offset(at),
        });
    }

    /// Records an error found inside a layer that was already pushed.
    fn fail(&mut self, err: Error, start: &[u8]) {
        if let Some(severity) = severity_of(&err, self.d.frame.is_cut(), self.in_error) {
            let at = self.offset_of(start);
            self.note(severity, err, at);
        }
    }

    /// A header that could not be read: keep what is there as a truncated layer.
    fn stop(&mut self, protocol: Protocol, data: &'a [u8], err: Error) {
        if !self.push(protocol, View::Truncated { bytes: data }, data, data.len()) {
            return;
        }
        self.d.set_stopped_by(err);
        // A TCP header length past the segment is flagged once more before the exception.
        let tcp_offset = matches!(
            err.kind,
            ErrorKind::Truncated {
                source: LenSource::TcpDataOffset,
                ..
            }
        );
        if tcp_offset && !self.d.frame.is_cut() && !self.in_error {
            let at = self.offset_of(data);
            self.note(Severity::Malformed, err, at);
        }
        self.fail(err, data);
    }

    fn link(&mut self, link: LinkType, data: &'a [u8]) {
        if link == LinkType::ETHERNET && self.common_ethernet(data) {
            return;
        }
        self.link_general(link, data);
    }

    fn link_general(&mut self, link: LinkType, data: &'a [u8]) {
        // No layer yet (the fast path left the frame untouched). Said again
        // here, the first push writes its slot without reading the count
        // back from the reset's wide store: an ARP frame took 14.7 ns, 9.1 after.
        self.d.layer_count = 0;
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
            Err(e) => return self.stop(Protocol::Eth, data, e),
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
            Err(e) => return self.stop(Protocol::Sll, data, e),
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
            Err(e) => return self.stop(Protocol::Null, data, e),
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
        if self.push(
            Protocol::Ethertype,
            View::Ethertype(ethertype.0),
            payload,
            0,
        ) {
            self.by_ethertype(ethertype, payload);
        }
    }

    fn by_ethertype(&mut self, ethertype: EtherType, payload: &'a [u8]) {
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
            Err(e) => return self.stop(protocol, data, e),
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
            Err(e) => return self.stop(Protocol::Llc, data, e),
        };
        if !self.push(Protocol::Llc, View::Llc(llc), data, llc.header_len()) {
            return;
        }
        let payload = llc.payload();
        match (llc.dsap(), llc.snap_oui(), llc.snap_pid()) {
            (llc::SAP_STP, _, _) => self.stp(payload),
            // SNAP with an EtherType (OUI 0) carries what the EtherType names.
            (_, Some(0), Some(pid)) => self.by_ethertype(EtherType(pid), payload),
            _ => self.data(payload),
        }
    }

    fn stp(&mut self, data: &'a [u8]) {
        match crate::wire::stp::Bpdu::new_checked(data) {
            Ok(bpdu) => {
                self.push(Protocol::Stp, View::Stp(bpdu), data, data.len());
            }
            Err(e) => self.stop(Protocol::Stp, data, e),
        }
    }

    fn arp(&mut self, data: &'a [u8]) {
        match ArpPacket::new_checked(data) {
            Ok(arp) => {
                self.push(Protocol::Arp, View::Arp(arp), data, arp.len());
            }
            Err(e) => self.stop(Protocol::Arp, data, e),
        }
    }

    /// A network header whose version nibble is wrong is not that protocol:
    /// tshark hands the bytes to `data` and flags them.
    fn wrong_version(&mut self, err: Error, data: &'a [u8]) {
        self.d.set_rejected(err.protocol);
        self.data(data);
        let at = self.offset_of(data);
        self.note(Severity::Malformed, err, at);
    }

    fn ipv4(&mut self, data: &'a [u8]) {
        let (ip, short) = match Ipv4Packet::new_lax(data) {
            Ok(r) => r,
            Err(e) if is_bad(&e, "version") && !self.in_error => {
                return self.wrong_version(e, data);
            }
            Err(e) => return self.stop(Protocol::Ip, data, e),
        };
        if !self.push(Protocol::Ip, View::Ipv4(ip), data, ip.header_len()) {
            return;
        }
        if let Some(e) = short {
            self.fail(e, data);
        }
        // tshark flags a bad option only as a warning and goes on.
        if !CLUES_ONLY
            && let Some(Err(e)) = OptionIter::new(ip.options(), Protocol::Ip).find(|o| o.is_err())
        {
            let at = self.offset_of(data) + crate::wire::ipv4::HEADER_LEN;
            self.note(Severity::Warning, e, at);
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
            Err(e) if is_bad(&e, "version") && !self.in_error => {
                return self.wrong_version(e, data);
            }
            Err(e) => return self.stop(Protocol::Ipv6, data, e),
        };
        if !self.push(Protocol::Ipv6, View::Ipv6(ip), data, ipv6::HEADER_LEN) {
            return;
        }
        if let Some(e) = short {
            self.fail(e, data);
        }
        self.ipv6_payload(ip);
    }

    /// What follows a pushed IPv6 header: its extension headers, then the payload.
    #[cfg_attr(not(target_os = "none"), inline(always))]
    fn ipv6_payload(&mut self, ip: Ipv6Packet<'a>) {
        let mut next = ip.next_header();
        let mut payload = ip.payload();
        while ipv6::is_extension(next) {
            let ext = match ExtHeader::new_checked(payload, next) {
                Ok(x) => x,
                Err(e) => return self.stop(ipv6::extension_protocol(next), payload, e),
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
            IpProtocol::IGMP => self.igmp(payload),
            IpProtocol::NONXT => {}
            _ => self.data(payload),
        }
    }

    fn igmp(&mut self, data: &'a [u8]) {
        match crate::wire::igmp::IgmpPacket::new_checked(data) {
            Ok(p) => {
                self.push(Protocol::Igmp, View::Igmp(p), data, data.len());
            }
            Err(e) => self.stop(Protocol::Igmp, data, e),
        }
    }

    fn icmp(&mut self, data: &'a [u8]) {
        let icmp = match IcmpPacket::new_checked(data) {
            Ok(i) => i,
            Err(e) => return self.stop(Protocol::Icmp, data, e),
        };
        if !self.push(Protocol::Icmp, View::Icmp(icmp), data, data.len()) || CLUES_ONLY {
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
        let (icmp, rest) = match Icmpv6Packet::new_with_rest(data) {
            Ok(i) => i,
            Err(e) => return self.stop(Protocol::Icmpv6, data, e),
        };
        if !self.push(Protocol::Icmpv6, View::Icmpv6(icmp), data, data.len()) || CLUES_ONLY {
            return;
        }
        self.check_contents();
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
            Err(e) => return self.stop(Protocol::Tcp, data, e),
        };
        let (header_len, payload) = tcp.header_len_and_payload();
        if self.push(Protocol::Tcp, View::Tcp(tcp), data, header_len) {
            self.tcp_payload(tcp, payload, data);
        }
    }

    /// What follows a pushed TCP header: its option check and its payload.
    #[inline(always)]
    fn tcp_payload(&mut self, tcp: TcpPacket<'a>, payload: &'a [u8], data: &'a [u8]) {
        // A bad option is only a note (no layer or clue depends on it): its
        // check can wait until notes are asked for. Checked at once, it is
        // checked here (through `check_contents`, `encap read` ran 2 % more
        // instructions).
        if !CLUES_ONLY {
            if self.defer_checks {
                self.d.defer_check();
            } else if let Some(e) = tcp.option_error() {
                let at = self.offset_of(data);
                self.note(super::checks::TCP_OPTION, e, at);
            }
        }
        if payload.is_empty() {
            return;
        }
        match app_for_tcp(tcp.src_port(), tcp.dst_port()) {
            App::Http => self.http(payload),
            App::Tls => self.tls(payload),
            _ if CLUES_ONLY => {}
            App::Dns => self.dns_over_tcp(payload),
            _ => self.data(payload),
        }
    }

    fn udp(&mut self, data: &'a [u8]) {
        let (udp, short) = match UdpPacket::new_lax(data) {
            Ok(u) => u,
            Err(e) if is_bad(&e, "length") => {
                // The header is there; only its length is impossible.
                if let Some(header) = data.first_chunk::<{ crate::wire::udp::HEADER_LEN }>() {
                    let view = View::Truncated { bytes: header };
                    if self.push(Protocol::Udp, view, data, header.len()) {
                        self.d.set_stopped_by(e);
                        let at = self.offset_of(data);
                        self.note(Severity::Malformed, e, at);
                    }
                }
                return;
            }
            Err(e) => return self.stop(Protocol::Udp, data, e),
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
        self.udp_payload(udp);
    }

    /// What follows a pushed UDP header: its payload.
    #[inline(always)]
    fn udp_payload(&mut self, udp: UdpPacket<'a>) {
        if CLUES_ONLY {
            return;
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
            Err(e) => return self.stop(Protocol::Dns, data, e),
        };
        if !self.push(
            Protocol::Dns,
            View::Dns { packet, over_tcp },
            data,
            data.len(),
        ) {
            return;
        }
        self.check_contents();
    }

    fn dns_over_tcp(&mut self, data: &'a [u8]) {
        let declared = match data {
            [hi, lo, ..] => usize::from(u16::from_be_bytes([*hi, *lo])),
            _ => usize::MAX,
        };
        match data.get(2..).and_then(|msg| msg.get(..declared)) {
            Some(msg) => self.dns(msg, true),
            // A message split over segments would need reassembly.
            None if !self.d.frame.is_cut() => self.d.set_pdu_pending(None),
            None => self.dns(data.get(2..).unwrap_or(&[]), true),
        }
    }

    fn dhcp(&mut self, data: &'a [u8]) {
        let packet = match DhcpPacket::new_checked(data) {
            Ok(p) => p,
            Err(e) => return self.stop(Protocol::Dhcp, data, e),
        };
        if self.push(Protocol::Dhcp, View::Dhcp(packet), data, data.len()) {
            self.check_contents();
        }
    }

    fn dhcpv6(&mut self, data: &'a [u8]) {
        let packet = match Dhcpv6Packet::new_checked(data) {
            Ok(p) => p,
            Err(e) => return self.stop(Protocol::Dhcpv6, data, e),
        };
        if self.push(Protocol::Dhcpv6, View::Dhcpv6(packet), data, data.len()) {
            self.check_contents();
        }
    }

    fn http(&mut self, data: &'a [u8]) {
        // A continuation (most segments of a body) is mostly known by its
        // first byte, without a search for a line end.
        let parsed = if HttpMessage::may_start(data) {
            HttpMessage::parse(data)
        } else {
            None
        };
        let Some(m) = parsed else {
            let starts = HttpMessage::looks_like_start(data);
            if starts && !self.d.frame.is_cut() {
                // A start line without its line end: tshark waits for more.
                self.d.set_pdu_pending(None);
                return;
            }
            if starts && !data.starts_with(b"HTTP/") {
                // The snap length cut a request line: its words are still shown
                // (a cut status line is a continuation to tshark).
                let err =
                    Error::truncated(Protocol::Http, data.len() + 1, data.len(), LenSource::Slice);
                return self.stop(Protocol::Http, data, err);
            }
            // tshark hands a continuation's bytes to `data` as well.
            if self.push(
                Protocol::Http,
                View::HttpContinuation(data),
                data,
                data.len(),
            ) {
                self.data(data);
            }
            return;
        };
        let cut = self.d.frame.is_cut();
        let summary = m.head_summary();
        let head = summary.head_len;
        let wanted = summary
            .content_length
            .and_then(http::parse_content_length)
            .unwrap_or(0);
        let present = head.map(|h| data.len().saturating_sub(h));
        // tshark waits for the rest of the head and body before dissecting HTTP,
        // unless the snap length cut the frame (then it dissects what is there).
        if !cut && present.is_none_or(|p| p < wanted) {
            self.d.set_pdu_pending(Some(m.start_line_bytes()));
            return;
        }
        if !self.push(Protocol::Http, View::Http(m), data, data.len()) {
            return;
        }
        if head.is_none() {
            let err =
                Error::truncated(Protocol::Http, data.len() + 1, data.len(), LenSource::Slice);
            return self.fail(err, data);
        }
        let body = head.and_then(|h| data.get(h..)).unwrap_or(&[]);
        if body.is_empty() {
            return;
        }
        use crate::dissectors::http::BodyKind;
        let kind = summary.content_type.map(crate::dissectors::http::body_kind);
        let protocol = match kind {
            Some(BodyKind::TextLines) => Protocol::DataTextLines,
            Some(BodyKind::UrlencodedForm) => Protocol::UrlencodedForm,
            Some(BodyKind::Json) => Protocol::Json,
            Some(BodyKind::Media) => Protocol::Media,
            None => return self.data(body),
        };
        self.push(protocol, View::Data(body), body, body.len());
    }

    fn tls(&mut self, data: &'a [u8]) {
        // A first record longer than the segment waits for reassembly in tshark.
        let first_complete = tls::RecordIter::new(data).next().is_some_and(|r| r.is_ok());
        if tls::looks_like_record(data) && !first_complete && !self.d.frame.is_cut() {
            self.d.set_pdu_pending(None);
            self.push(Protocol::Tls, View::Reassembling, data, data.len());
            return;
        }
        self.push(Protocol::Tls, View::Tls(data), data, data.len());
    }

    fn data(&mut self, data: &'a [u8]) {
        if !data.is_empty() {
            self.push(Protocol::Data, View::Data(data), data, data.len());
        }
    }
}

/// How tshark treats `err` in a frame the snap length `cut` or not, inside an
/// ICMP error's quote or not; `None` when it says nothing.
pub(super) fn severity_of(err: &Error, cut: bool, in_error: bool) -> Option<Severity> {
    match err.kind {
        // A quoted packet in an ICMP error is cut short by design.
        ErrorKind::Truncated { .. } if in_error => None,
        // A payload shorter than IP's length field: tshark dissects what is there.
        ErrorKind::Truncated {
            source: LenSource::Ipv4TotalLen | LenSource::Ipv6PayloadLen,
            ..
        } => None,
        ErrorKind::Truncated {
            source: LenSource::UdpLength,
            ..
        } => (!cut).then_some(Severity::Malformed),
        ErrorKind::Truncated { .. } if cut => Some(Severity::Cut),
        ErrorKind::Truncated { .. } => Some(Severity::Exception),
        ErrorKind::DnsPointerLoop { .. } | ErrorKind::DnsNameTooLong => Some(Severity::Exception),
        ErrorKind::BadValue { .. } => Some(Severity::Note),
    }
}

/// True for a bad value of the named field.
fn is_bad(err: &Error, name: &str) -> bool {
    matches!(err.kind, ErrorKind::BadValue { field, .. } if field == name)
}
