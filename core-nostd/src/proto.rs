//! Protocol identifiers: the names Wireshark gives each protocol.

/// A protocol encap dissects (or names, like `ethertype` and `data`).
///
/// `short_name` is the filter name and the element of `frame.protocols`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Frame,
    Eth,
    /// Wireshark's pseudo-protocol between a link layer and what its type field names.
    Ethertype,
    Llc,
    Vlan,
    Ieee8021ad,
    Sll,
    Null,
    Raw,
    Arp,
    Ip,
    Ipv6,
    Ipv6HopOpts,
    Ipv6Routing,
    Ipv6Fragment,
    Ipv6DstOpts,
    Icmp,
    Icmpv6,
    Igmp,
    Stp,
    Tcp,
    Udp,
    Dns,
    Dhcp,
    Dhcpv6,
    Http,
    Tls,
    /// An HTTP body of a `text/*` type, shown line by line.
    DataTextLines,
    /// An HTTP body of type `application/x-www-form-urlencoded`.
    UrlencodedForm,
    /// An HTTP body of type `application/json`.
    Json,
    /// Any other HTTP body.
    Media,
    /// Bytes no dissector claimed.
    Data,
}

impl Protocol {
    /// Every protocol, for name lookups.
    pub const ALL: [Protocol; 32] = [
        Protocol::Frame,
        Protocol::Eth,
        Protocol::Ethertype,
        Protocol::Llc,
        Protocol::Vlan,
        Protocol::Ieee8021ad,
        Protocol::Sll,
        Protocol::Null,
        Protocol::Raw,
        Protocol::Arp,
        Protocol::Ip,
        Protocol::Ipv6,
        Protocol::Ipv6HopOpts,
        Protocol::Ipv6Routing,
        Protocol::Ipv6Fragment,
        Protocol::Ipv6DstOpts,
        Protocol::Icmp,
        Protocol::Icmpv6,
        Protocol::Igmp,
        Protocol::Stp,
        Protocol::Tcp,
        Protocol::Udp,
        Protocol::Dns,
        Protocol::Dhcp,
        Protocol::Dhcpv6,
        Protocol::Http,
        Protocol::Tls,
        Protocol::DataTextLines,
        Protocol::UrlencodedForm,
        Protocol::Json,
        Protocol::Media,
        Protocol::Data,
    ];

    /// Wireshark's filter name, as in `frame.protocols`.
    pub const fn short_name(self) -> &'static str {
        match self {
            Protocol::Frame => "frame",
            Protocol::Eth => "eth",
            Protocol::Ethertype => "ethertype",
            Protocol::Llc => "llc",
            Protocol::Vlan => "vlan",
            Protocol::Ieee8021ad => "ieee8021ad",
            Protocol::Sll => "sll",
            Protocol::Null => "null",
            Protocol::Raw => "raw",
            Protocol::Arp => "arp",
            Protocol::Ip => "ip",
            Protocol::Ipv6 => "ipv6",
            Protocol::Ipv6HopOpts => "ipv6.hopopts",
            Protocol::Ipv6Routing => "ipv6.routing",
            Protocol::Ipv6Fragment => "ipv6.fraghdr",
            Protocol::Ipv6DstOpts => "ipv6.dstopts",
            Protocol::Icmp => "icmp",
            Protocol::Icmpv6 => "icmpv6",
            Protocol::Igmp => "igmp",
            Protocol::Stp => "stp",
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Dns => "dns",
            Protocol::Dhcp => "dhcp",
            Protocol::Dhcpv6 => "dhcpv6",
            Protocol::Http => "http",
            Protocol::Tls => "tls",
            Protocol::DataTextLines => "data-text-lines",
            Protocol::UrlencodedForm => "urlencoded-form",
            Protocol::Json => "json",
            Protocol::Media => "media",
            Protocol::Data => "data",
        }
    }

    /// The name in the packet list's Protocol column.
    pub const fn column_name(self) -> &'static str {
        match self {
            Protocol::Frame => "Frame",
            Protocol::Eth | Protocol::Ethertype => "Ethernet",
            Protocol::Llc => "LLC",
            Protocol::Vlan | Protocol::Ieee8021ad => "802.1Q",
            Protocol::Sll => "SLL",
            Protocol::Null => "NULL",
            Protocol::Raw => "Raw",
            Protocol::Arp => "ARP",
            Protocol::Ip => "IPv4",
            Protocol::Ipv6
            | Protocol::Ipv6HopOpts
            | Protocol::Ipv6Routing
            | Protocol::Ipv6Fragment
            | Protocol::Ipv6DstOpts => "IPv6",
            Protocol::Icmp => "ICMP",
            Protocol::Icmpv6 => "ICMPv6",
            Protocol::Igmp => "IGMP",
            Protocol::Stp => "STP",
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Dns => "DNS",
            Protocol::Dhcp => "DHCP",
            Protocol::Dhcpv6 => "DHCPv6",
            Protocol::Http => "HTTP",
            Protocol::Tls => "TLS",
            Protocol::DataTextLines | Protocol::UrlencodedForm | Protocol::Media => "HTTP",
            Protocol::Json => "JSON",
            Protocol::Data => "Data",
        }
    }

    /// The long name that heads the protocol's subtree.
    pub const fn long_name(self) -> &'static str {
        match self {
            Protocol::Frame => "Frame",
            Protocol::Eth => "Ethernet II",
            Protocol::Ethertype => "Ethertype",
            Protocol::Llc => "Logical-Link Control",
            Protocol::Vlan => "802.1Q Virtual LAN",
            Protocol::Ieee8021ad => "IEEE 802.1ad",
            Protocol::Sll => "Linux cooked capture",
            Protocol::Null => "Null/Loopback",
            Protocol::Raw => "Raw packet data",
            Protocol::Arp => "Address Resolution Protocol",
            Protocol::Ip => "Internet Protocol Version 4",
            Protocol::Ipv6 => "Internet Protocol Version 6",
            Protocol::Ipv6HopOpts => "IPv6 Hop-by-Hop Option",
            Protocol::Ipv6Routing => "Routing Header for IPv6",
            Protocol::Ipv6Fragment => "Fragment Header for IPv6",
            Protocol::Ipv6DstOpts => "Destination Options for IPv6",
            Protocol::Icmp => "Internet Control Message Protocol",
            Protocol::Icmpv6 => "Internet Control Message Protocol v6",
            Protocol::Igmp => "Internet Group Management Protocol",
            Protocol::Stp => "Spanning Tree Protocol",
            Protocol::Tcp => "Transmission Control Protocol",
            Protocol::Udp => "User Datagram Protocol",
            Protocol::Dns => "Domain Name System",
            Protocol::Dhcp => "Dynamic Host Configuration Protocol",
            Protocol::Dhcpv6 => "DHCPv6",
            Protocol::Http => "Hypertext Transfer Protocol",
            Protocol::Tls => "Transport Layer Security",
            Protocol::DataTextLines => "Line-based text data",
            Protocol::UrlencodedForm => "HTML Form URL Encoded",
            Protocol::Json => "JavaScript Object Notation",
            Protocol::Media => "Media Type",
            Protocol::Data => "Data",
        }
    }

    /// Looks a protocol up by its filter name.
    pub fn from_short_name(name: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.short_name() == name)
    }
}
