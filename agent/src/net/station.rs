//! The agent as a smoltcp host: an address (static or DHCP), one TCP
//! connection to the service carrying the uplink, and every frame the device
//! sees or sends offered to the agent loop. Time and the device come from
//! the embedding program (the Linux binary, the board firmware).

use alloc::vec;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, SocketAddrV4};

use smoltcp::iface::{
    Config, Interface, PollIngressSingleResult, PollResult, SocketHandle, SocketSet,
};
use smoltcp::phy::Device;
use smoltcp::socket::{dhcpv4, tcp};
use smoltcp::time::{Duration, Instant};
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr, Ipv4Cidr};

use super::{Flow, Mirror};
use crate::agent::{AgentLoop, Event};
use crate::{Backoff, Phase};

/// How the station gets its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressing {
    Static {
        address: Ipv4Cidr,
        gateway: Option<Ipv4Addr>,
    },
    Dhcp,
}

#[derive(Debug, Clone)]
pub struct StationConfig {
    pub mac: [u8; 6],
    pub addressing: Addressing,
    pub service: SocketAddrV4,
    /// Different on every start: it picks TCP ports and sequence numbers.
    pub seed: u64,
    /// The uplink socket's buffer, each way.
    pub tcp_buffer_bytes: usize,
    /// Frames copied for the agent and not yet offered.
    pub copies: usize,
}

/// What happened, for the embedding program's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StationEvent {
    Addressed {
        address: Ipv4Cidr,
        gateway: Option<Ipv4Addr>,
    },
    AddressLost,
    Connecting {
        local_port: u16,
    },
    /// No connection; the next attempt is in `wait_ms`.
    Unreachable {
        wait_ms: u32,
    },
    Connected,
    Lost {
        why: &'static str,
        wait_ms: u32,
    },
    Agent(Event),
}

impl StationEvent {
    /// One line for the log; `service` is the address the station dials.
    pub fn describe(&self, service: SocketAddrV4) -> impl core::fmt::Display + '_ {
        Described(self, service)
    }
}

struct Described<'a>(&'a StationEvent, SocketAddrV4);

impl core::fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let service = self.1;
        match self.0 {
            StationEvent::Addressed {
                address,
                gateway: Some(gateway),
            } => write!(f, "address {address}, gateway {gateway}"),
            StationEvent::Addressed { address, .. } => write!(f, "address {address}"),
            StationEvent::AddressLost => write!(f, "the DHCP lease was lost"),
            StationEvent::Connecting { local_port } => {
                write!(f, "connecting to {service} from port {local_port}")
            }
            StationEvent::Unreachable { wait_ms } => {
                write!(f, "cannot reach {service}; retrying in {wait_ms} ms")
            }
            StationEvent::Connected => write!(f, "connected to {service}"),
            StationEvent::Lost { why, wait_ms } => write!(
                f,
                "the connection to {service} broke ({why}); retrying in {wait_ms} ms"
            ),
            StationEvent::Agent(event) => write!(f, "{event}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Idle { next_attempt_ms: u64 },
    Connecting,
    Connected,
}

/// Frames handled per `poll`, so a flood cannot starve the uplink.
const INGRESS_PER_POLL: usize = 256;
/// Local ports are picked at random from the dynamic range.
const FIRST_LOCAL_PORT: u16 = 49_152;

pub struct Station<D: Device> {
    device: Mirror<D>,
    iface: Interface,
    sockets: SocketSet<'static>,
    tcp: SocketHandle,
    dhcp: Option<SocketHandle>,
    service: SocketAddrV4,
    link: Link,
    backoff: Backoff,
    random: u64,
}

impl<D: Device> core::fmt::Debug for Station<D> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Station")
            .field("address", &self.iface.ipv4_addr())
            .field("service", &self.service)
            .field("link", &self.link)
            .finish_non_exhaustive()
    }
}

fn smol_now(now_ms: u64) -> Instant {
    Instant::from_millis(i64::try_from(now_ms).unwrap_or(i64::MAX))
}

impl<D: Device> Station<D> {
    pub fn new(device: D, config: &StationConfig, now_ms: u64) -> Self {
        let mut device = Mirror::new(device, config.copies);
        let mut iface_config = Config::new(HardwareAddress::Ethernet(EthernetAddress(config.mac)));
        iface_config.random_seed = config.seed;
        let mut iface = Interface::new(iface_config, &mut device, smol_now(now_ms));
        if let Addressing::Static { address, gateway } = config.addressing {
            set_address(&mut iface, address, gateway);
        }

        let mut sockets = SocketSet::new(Vec::new());
        let buffer = config.tcp_buffer_bytes.max(1024);
        let mut socket = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; buffer]),
            tcp::SocketBuffer::new(vec![0; buffer]),
        );
        // A dead service is noticed within seconds, not at the next write.
        socket.set_timeout(Some(Duration::from_secs(10)));
        socket.set_keep_alive(Some(Duration::from_secs(5)));
        socket.set_nagle_enabled(false);
        let tcp = sockets.add(socket);
        let dhcp =
            (config.addressing == Addressing::Dhcp).then(|| sockets.add(dhcpv4::Socket::new()));

        Station {
            device,
            iface,
            sockets,
            tcp,
            dhcp,
            service: config.service,
            link: Link::Idle { next_attempt_ms: 0 },
            backoff: Backoff::default(),
            random: config.seed | 1,
        }
    }

    /// The device inside (e.g. for its file descriptor).
    pub fn device(&self) -> &D {
        self.device.inner()
    }

    pub fn address(&self) -> Option<Ipv4Addr> {
        self.iface.ipv4_addr()
    }

    /// Frames not copied because the agent fell behind (a running total).
    pub fn copies_overflowed(&mut self) -> u64 {
        self.device.copies().overflowed
    }

    /// Moves frames, the uplink and the agent along; `wall` gives each
    /// captured frame its timestamp.
    pub fn poll(
        &mut self,
        agent: &mut AgentLoop,
        now_ms: u64,
        mut wall: impl FnMut() -> (i64, u32),
    ) -> Vec<StationEvent> {
        let now = smol_now(now_ms);
        let mut events = Vec::new();
        self.iface.poll_maintenance(now);
        for _ in 0..INGRESS_PER_POLL {
            let result = self
                .iface
                .poll_ingress_single(now, &mut self.device, &mut self.sockets);
            self.offer_copies(agent, now_ms, &mut wall);
            self.send_mid_burst(agent, now, now_ms, &mut events);
            if result == PollIngressSingleResult::None {
                break;
            }
        }
        self.poll_dhcp(agent, now_ms, &mut events);
        agent.poll(now_ms);
        self.poll_uplink(agent, now_ms, &mut events);
        self.egress(now);
        self.offer_copies(agent, now_ms, &mut wall);
        events
    }

    /// A batch queued in the middle of a burst goes to the socket and onto
    /// the wire at once, between one received frame and the next (the
    /// service's ACKs arrive among them). Left until the burst was over, it
    /// waited while later batches found the queue full: the board lost 3-12
    /// frames of a TLS exchange in one run of two with a busy host.
    fn send_mid_burst(
        &mut self,
        agent: &mut AgentLoop,
        now: Instant,
        now_ms: u64,
        events: &mut Vec<StationEvent>,
    ) {
        if !matches!(self.link, Link::Connected) || agent.transmit().is_none() {
            return;
        }
        if self.pump_or_lose(agent, now_ms, events) {
            self.egress(now);
        }
    }

    /// Sends what the sockets have ready.
    fn egress(&mut self, now: Instant) {
        for _ in 0..INGRESS_PER_POLL {
            let result = self
                .iface
                .poll_egress(now, &mut self.device, &mut self.sockets);
            if result == PollResult::None {
                break;
            }
        }
    }

    /// How long the caller may sleep before the next `poll` (unless a frame
    /// arrives first).
    pub fn poll_delay_ms(&mut self, now_ms: u64) -> u64 {
        let smol = self
            .iface
            .poll_delay(smol_now(now_ms), &self.sockets)
            .map_or(u64::MAX, |d| d.total_millis());
        let attempt = match self.link {
            Link::Idle { next_attempt_ms } => next_attempt_ms.saturating_sub(now_ms),
            _ => u64::MAX,
        };
        smol.min(attempt)
    }

    fn offer_copies(
        &mut self,
        agent: &mut AgentLoop,
        now_ms: u64,
        wall: &mut impl FnMut() -> (i64, u32),
    ) {
        let copies = self.device.copies();
        while let Some(frame) = copies.pop() {
            let length = u32::try_from(frame.len()).unwrap_or(u32::MAX);
            agent.offer(wall(), length, &frame, now_ms);
            copies.recycle(frame);
        }
    }

    fn poll_dhcp(&mut self, agent: &mut AgentLoop, now_ms: u64, events: &mut Vec<StationEvent>) {
        let Some(handle) = self.dhcp else {
            return;
        };
        match self.sockets.get_mut::<dhcpv4::Socket>(handle).poll() {
            None => {}
            Some(dhcpv4::Event::Configured(config)) => {
                let (address, gateway) = (config.address, config.router);
                set_address(&mut self.iface, address, gateway);
                events.push(StationEvent::Addressed { address, gateway });
            }
            // Said once at start, before any lease: nothing was lost.
            Some(dhcpv4::Event::Deconfigured) if self.iface.ipv4_addr().is_none() => {}
            Some(dhcpv4::Event::Deconfigured) => {
                self.iface.update_ip_addrs(|addresses| addresses.clear());
                self.iface.routes_mut().remove_default_ipv4_route();
                events.push(StationEvent::AddressLost);
                if !matches!(self.link, Link::Idle { .. }) {
                    self.lose(agent, now_ms, "the address was lost", events);
                }
            }
        }
    }

    fn poll_uplink(&mut self, agent: &mut AgentLoop, now_ms: u64, events: &mut Vec<StationEvent>) {
        match self.link {
            Link::Idle { next_attempt_ms } => {
                if now_ms < next_attempt_ms
                    || matches!(agent.phase(), Phase::Refused { retry: false, .. })
                {
                    return;
                }
                let Some(local) = self.iface.ipv4_addr() else {
                    return;
                };
                let local_port = FIRST_LOCAL_PORT + (self.next_random() % 16_384) as u16;
                let remote = (IpAddress::Ipv4(*self.service.ip()), self.service.port());
                let socket = self.sockets.get_mut::<tcp::Socket>(self.tcp);
                if socket
                    .connect(self.iface.context(), remote, local_port)
                    .is_err()
                {
                    let wait_ms = self.schedule_retry(now_ms);
                    events.push(StationEvent::Unreachable { wait_ms });
                    return;
                }
                self.device.copies().skip = Some(
                    Flow {
                        local: (local, local_port),
                        remote: (*self.service.ip(), self.service.port()),
                    }
                    .normalised(),
                );
                self.link = Link::Connecting;
                events.push(StationEvent::Connecting { local_port });
            }
            Link::Connecting => match self.sockets.get::<tcp::Socket>(self.tcp).state() {
                tcp::State::Established => {
                    self.link = Link::Connected;
                    agent.connected();
                    events.push(StationEvent::Connected);
                    self.pump_or_lose(agent, now_ms, events);
                }
                tcp::State::Closed | tcp::State::Closing | tcp::State::CloseWait => {
                    self.sockets.get_mut::<tcp::Socket>(self.tcp).abort();
                    let wait_ms = self.schedule_retry(now_ms);
                    events.push(StationEvent::Unreachable { wait_ms });
                }
                _ => {}
            },
            Link::Connected => {
                self.pump_or_lose(agent, now_ms, events);
            }
        }
    }

    /// [`pump`](Self::pump), and the link given up when the connection is
    /// over; true while it goes on.
    fn pump_or_lose(
        &mut self,
        agent: &mut AgentLoop,
        now_ms: u64,
        events: &mut Vec<StationEvent>,
    ) -> bool {
        match self.pump(agent, events) {
            Some(why) => {
                self.lose(agent, now_ms, why, events);
                false
            }
            None => true,
        }
    }

    /// Moves uplink bytes both ways while connected; `Some(why)` when the
    /// connection is over.
    fn pump(
        &mut self,
        agent: &mut AgentLoop,
        events: &mut Vec<StationEvent>,
    ) -> Option<&'static str> {
        let socket = self.sockets.get_mut::<tcp::Socket>(self.tcp);
        if !socket.may_send() || !socket.may_recv() {
            return Some(if socket.state() == tcp::State::Closed {
                "the connection was reset or timed out"
            } else {
                "the service closed the connection"
            });
        }
        while socket.can_recv() {
            match socket.recv(|bytes| (bytes.len(), agent.received(bytes))) {
                Ok(Ok(said)) => {
                    for event in said {
                        if event == Event::Welcomed {
                            self.backoff.reset();
                        }
                        events.push(StationEvent::Agent(event));
                    }
                }
                Ok(Err(_)) => return Some("the service sent a malformed message"),
                Err(_) => break,
            }
        }
        if matches!(agent.phase(), Phase::Refused { .. }) {
            return Some("the service refused this agent");
        }
        while let Some(bytes) = agent.transmit() {
            match socket.send_slice(bytes) {
                Ok(0) => break,
                Ok(n) => agent.sent(n),
                Err(_) => return Some("the connection broke"),
            }
        }
        None
    }

    fn lose(
        &mut self,
        agent: &mut AgentLoop,
        now_ms: u64,
        why: &'static str,
        events: &mut Vec<StationEvent>,
    ) {
        agent.disconnected();
        self.sockets.get_mut::<tcp::Socket>(self.tcp).abort();
        self.device.copies().skip = None;
        let wait_ms = self.schedule_retry(now_ms);
        events.push(StationEvent::Lost { why, wait_ms });
    }

    fn schedule_retry(&mut self, now_ms: u64) -> u32 {
        let random = self.next_random() as u32;
        let wait_ms = self.backoff.next_delay_ms(random);
        self.link = Link::Idle {
            next_attempt_ms: now_ms + u64::from(wait_ms),
        };
        wait_ms
    }

    /// xorshift64: ports and jitter need variety, not secrecy.
    fn next_random(&mut self) -> u64 {
        let mut x = self.random;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.random = x;
        x
    }
}

fn set_address(iface: &mut Interface, address: Ipv4Cidr, gateway: Option<Ipv4Addr>) {
    iface.update_ip_addrs(|addresses| {
        addresses.clear();
        // One address always fits.
        let _ = addresses.push(IpCidr::Ipv4(address));
    });
    match gateway {
        Some(router) => {
            let _ = iface.routes_mut().add_default_ipv4_route(router);
        }
        None => {
            iface.routes_mut().remove_default_ipv4_route();
        }
    }
}
