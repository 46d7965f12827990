//! The agent as a host on the captured segment, on smoltcp: the device is
//! both its capture point and the way to the service (a Linux TAP here, the
//! board's MAC in the firmware).

pub mod mirror;
pub mod settings;
pub mod station;

use core::net::Ipv4Addr;

use smoltcp::wire::{EthernetFrame, EthernetProtocol, IpProtocol, Ipv4Packet, TcpPacket};

pub use mirror::Mirror;
pub use settings::Settings;
pub use station::{Addressing, Station, StationConfig, StationEvent};

/// A TCP connection over IPv4, by its two ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    pub local: (Ipv4Addr, u16),
    pub remote: (Ipv4Addr, u16),
}

impl Flow {
    /// The same connection seen from either end compares equal.
    pub fn normalised(self) -> Flow {
        if self.local <= self.remote {
            self
        } else {
            Flow {
                local: self.remote,
                remote: self.local,
            }
        }
    }
}

/// The TCP/IPv4 connection an Ethernet frame belongs to, normalised.
pub fn flow_of(frame: &[u8]) -> Option<Flow> {
    let ethernet = EthernetFrame::new_checked(frame).ok()?;
    if ethernet.ethertype() != EthernetProtocol::Ipv4 {
        return None;
    }
    let ip = Ipv4Packet::new_checked(ethernet.payload()).ok()?;
    if ip.next_header() != IpProtocol::Tcp || ip.frag_offset() != 0 {
        return None;
    }
    let tcp = TcpPacket::new_checked(ip.payload()).ok()?;
    let flow = Flow {
        local: (ip.src_addr(), tcp.src_port()),
        remote: (ip.dst_addr(), tcp.dst_port()),
    };
    Some(flow.normalised())
}
