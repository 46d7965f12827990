//! The shape most frames have, in one step: Ethernet II, then IPv4 without
//! options and not a fragment, or IPv6, each whole, then TCP or UDP.
//!
//! The general walk goes layer by layer, each step a call that checks room
//! for the layer and works out its offset; here the layers are checked first
//! and written at fixed slots. They are the layers the general walk writes
//! (the same constructors make them, and a test holds the two walks equal on
//! every frame of captures/ and on mutations of them). Past a network layer
//! of that shape the general walk goes on from its payload (an ICMP message,
//! IPv6 extension headers, a transport header it refuses); a frame whose
//! link or network layer has another shape is left, untouched, to it.

use super::{Layer, View, Walker};
use crate::proto::Protocol;
use crate::wire::tcp::TcpPacket;
use crate::wire::udp::UdpPacket;
use crate::wire::{EtherType, EthernetFrame, IpProtocol, Ipv4Packet, Ipv6Packet, ethernet, ipv6};

/// A network layer of the common shape: its view, protocol and header length.
struct Network<'a> {
    protocol: Protocol,
    view: View<'a>,
    header_len: usize,
    next: IpProtocol,
    payload: &'a [u8],
}

enum Transport<'a> {
    /// With its header's length and its payload, parted once.
    Tcp(TcpPacket<'a>, usize, &'a [u8]),
    Udp(UdpPacket<'a>),
}

impl<'a> Network<'a> {
    #[inline(always)]
    fn of(ethertype: EtherType, data: &'a [u8]) -> Option<Self> {
        match ethertype {
            // Version 4 and a 20-byte header, known from the first byte: the
            // constructor's checks of the header length fold away.
            EtherType::IPV4 if data.first() != Some(&0x45) => None,
            EtherType::IPV4 => match Ipv4Packet::new_lax(data) {
                Ok((ip, None)) if ip.header_len() == crate::wire::ipv4::HEADER_LEN => {
                    (!ip.is_fragment()).then_some(Network {
                        protocol: Protocol::Ip,
                        view: View::Ipv4(ip),
                        header_len: crate::wire::ipv4::HEADER_LEN,
                        next: ip.protocol(),
                        payload: ip.payload(),
                    })
                }
                _ => None,
            },
            EtherType::IPV6 => match Ipv6Packet::new_lax(data) {
                Ok((ip, None)) => Some(Network {
                    protocol: Protocol::Ipv6,
                    view: View::Ipv6(ip),
                    header_len: ipv6::HEADER_LEN,
                    next: ip.next_header(),
                    payload: ip.payload(),
                }),
                _ => None,
            },
            _ => None,
        }
    }
}

impl<'a> Transport<'a> {
    fn of(protocol: IpProtocol, data: &'a [u8]) -> Option<Self> {
        match protocol {
            IpProtocol::TCP => {
                let tcp = TcpPacket::new_checked(data).ok()?;
                let (header_len, payload) = tcp.header_len_and_payload();
                Some(Transport::Tcp(tcp, header_len, payload))
            }
            IpProtocol::UDP => match UdpPacket::new_lax(data) {
                Ok((udp, None)) => Some(Transport::Udp(udp)),
                _ => None,
            },
            _ => None,
        }
    }

    fn layer(&self, offset: usize) -> Layer<'a> {
        let (protocol, view, len) = match *self {
            Transport::Tcp(tcp, header_len, _) => (Protocol::Tcp, View::Tcp(tcp), header_len),
            Transport::Udp(udp) => (Protocol::Udp, View::Udp(udp), crate::wire::udp::HEADER_LEN),
        };
        Layer {
            protocol,
            view,
            offset,
            len,
            in_error: false,
        }
    }
}

impl<'a, const CLUES_ONLY: bool> Walker<'_, 'a, CLUES_ONLY> {
    /// Walks a frame whose network layer has the common shape and returns
    /// true: its transport too if that has it, else the general walk goes on
    /// from the network layer's payload. Returns false, having written
    /// nothing, for any other frame. Only as the first step of a walk.
    #[inline(always)]
    pub(super) fn common_ethernet(&mut self, data: &'a [u8]) -> bool {
        let Ok(eth) = EthernetFrame::new_checked(data) else {
            return false;
        };
        let ethertype = eth.ethertype();
        let Some(net) = Network::of(ethertype, eth.payload()) else {
            return false;
        };
        let transport = Transport::of(net.next, net.payload);
        let at_net = ethernet::HEADER_LEN;
        let [eth_slot, ethertype_slot, net_slot, transport_slot, ..] = &mut self.d.layers;
        // The Ethernet and Ethertype layers an earlier frame left stay, but
        // for their views: an Ethernet view first is always the link layer
        // at 0..14, and the walk that wrote it wrote the next slot too, so an
        // Ethertype view there is at 14; neither is ever in an ICMP error.
        // (Eight stores fewer a frame: when frames are cold, the stores
        // behind a frame's cache miss hold the next frame back; the cold
        // walk took 6 % less time.)
        if let (View::Eth(eth_view), View::Ethertype(ethertype_view)) =
            (&mut eth_slot.view, &mut ethertype_slot.view)
        {
            *eth_view = eth;
            *ethertype_view = ethertype.0;
        } else {
            *eth_slot = Layer {
                protocol: Protocol::Eth,
                view: View::Eth(eth),
                offset: 0,
                len: ethernet::HEADER_LEN,
                in_error: false,
            };
            *ethertype_slot = Layer {
                protocol: Protocol::Ethertype,
                view: View::Ethertype(ethertype.0),
                offset: at_net,
                len: 0,
                in_error: false,
            };
        }
        *net_slot = Layer {
            protocol: net.protocol,
            view: net.view,
            offset: at_net,
            len: net.header_len,
            in_error: false,
        };
        let Some(transport) = transport else {
            self.d.layer_count = 3;
            // Straight to the protocol when no extension header comes first
            // (an ICMPv6 message takes 15 % fewer instructions).
            match net.view {
                View::Ipv6(ip) if ipv6::is_extension(net.next) => self.ipv6_payload(ip),
                _ => self.ip_protocol(net.next, net.payload),
            }
            return true;
        };
        *transport_slot = transport.layer(at_net + net.header_len);
        self.d.layer_count = 4;
        match transport {
            Transport::Tcp(tcp, _, payload) => self.tcp_payload(tcp, payload, net.payload),
            Transport::Udp(udp) => self.udp_payload(udp),
        }
        true
    }
}
