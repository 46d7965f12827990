//! One dissected layer: a view of its bytes and where they sit in the frame.

use crate::proto::Protocol;
use crate::wire::arp::ArpPacket;
use crate::wire::dhcp::DhcpPacket;
use crate::wire::dhcpv6::Dhcpv6Packet;
use crate::wire::dns::DnsPacket;
use crate::wire::http::HttpMessage;
use crate::wire::icmp::IcmpPacket;
use crate::wire::icmpv6::Icmpv6Packet;
use crate::wire::ipv6::ExtHeader;
use crate::wire::llc::LlcPdu;
use crate::wire::null::NullHeader;
use crate::wire::sll::SllHeader;
use crate::wire::tcp::TcpPacket;
use crate::wire::udp::UdpPacket;
use crate::wire::vlan::VlanTag;
use crate::wire::{EthernetFrame, Ipv4Packet, Ipv6Packet};

/// The parsed view of one layer.
#[derive(Debug, Clone, Copy)]
pub enum View<'a> {
    /// Raw IP link layer: no header. (First, so an empty layer is all zero bytes
    /// and a fresh dissection is zeroed rather than copied from a template.)
    Raw,
    Eth(EthernetFrame<'a>),
    Llc(LlcPdu<'a>),
    /// An 802.1Q tag (`vlan`) or an 802.1ad service tag (`ieee8021ad`).
    Vlan(VlanTag<'a>),
    Sll(SllHeader<'a>),
    Null(NullHeader<'a>),
    /// The pseudo-layer that dispatches on a link's type field.
    Ethertype(u16),
    Arp(ArpPacket<'a>),
    Ipv4(Ipv4Packet<'a>),
    Ipv6(Ipv6Packet<'a>),
    Ipv6Ext(ExtHeader<'a>),
    Icmp(IcmpPacket<'a>),
    Icmpv6(Icmpv6Packet<'a>),
    Igmp(crate::wire::igmp::IgmpPacket<'a>),
    Stp(crate::wire::stp::Bpdu<'a>),
    Tcp(TcpPacket<'a>),
    Udp(UdpPacket<'a>),
    /// DNS; `over_tcp` when it came with a two-byte length prefix.
    Dns {
        packet: DnsPacket<'a>,
        over_tcp: bool,
    },
    Dhcp(DhcpPacket<'a>),
    Dhcpv6(Dhcpv6Packet<'a>),
    /// The head of a request or response.
    Http(HttpMessage<'a>),
    /// HTTP bytes that do not start a message (a body or a continuation).
    HttpContinuation(&'a [u8]),
    /// TLS records, parsed on demand from these bytes.
    Tls(&'a [u8]),
    Data(&'a [u8]),
    /// A header that could not be read whole: the bytes that are there. Fields
    /// that fit are still shown, as tshark does; why it stopped is
    /// [`Dissection::stopped_by`](super::Dissection::stopped_by) (the walk ends here).
    Truncated {
        bytes: &'a [u8],
    },
    /// The start of a PDU that tshark defers until later segments complete it.
    Reassembling,
}

/// One layer: its protocol, its view, and its byte range in the frame.
#[derive(Debug, Clone, Copy)]
pub struct Layer<'a> {
    pub protocol: Protocol,
    pub view: View<'a>,
    pub offset: usize,
    pub len: usize,
    /// Inside the packet an ICMP error quotes: it does not set the columns.
    pub in_error: bool,
}

impl<'a> Layer<'a> {
    /// An unused slot (all zero bytes).
    pub(crate) const EMPTY: Layer<'static> = Layer {
        protocol: Protocol::Frame,
        view: View::Raw,
        offset: 0,
        len: 0,
        in_error: false,
    };

    pub fn range(&self) -> core::ops::Range<usize> {
        self.offset..self.offset + self.len
    }
}
