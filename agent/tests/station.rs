//! The station (the agent as a smoltcp host, as on the board) against a
//! service on a second smoltcp interface, the two joined by an in-memory wire.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::rc::Rc;

use encap_agent::framing::{Decoder, encode};
use encap_agent::net::{Addressing, Station, StationConfig};
use encap_agent::{AgentLoop, Config, Phase};
use encap_proto::uplink::{self as wire, agent_message, service_message};
use smoltcp::iface::{Config as IfaceConfig, Interface, SocketSet};
use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpCidr, Ipv4Cidr};

type Queue = Rc<RefCell<VecDeque<Vec<u8>>>>;

/// One end of the wire: it receives what the other end transmitted.
struct End {
    rx: Queue,
    tx: Queue,
}

struct Rx(Vec<u8>);
struct Tx(Queue);

impl phy::RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for Tx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = vec![0; len];
        let result = f(&mut frame);
        self.0.borrow_mut().push_back(frame);
        result
    }
}

impl Device for End {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx;

    fn receive(&mut self, _: Instant) -> Option<(Rx, Tx)> {
        let frame = self.rx.borrow_mut().pop_front()?;
        Some((Rx(frame), Tx(self.tx.clone())))
    }

    fn transmit(&mut self, _: Instant) -> Option<Tx> {
        Some(Tx(self.tx.clone()))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = 1514;
        caps
    }
}

const SERVICE: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 1), 50052);

/// The service's end: a listening socket that answers Hello with Welcome and
/// decodes what the agent sends.
struct Service {
    iface: Interface,
    device: End,
    sockets: SocketSet<'static>,
    socket: smoltcp::iface::SocketHandle,
    decoder: Decoder,
    welcomed: bool,
    /// Lengths of the frames that came up in batches.
    records: Vec<usize>,
}

impl Service {
    fn new(device: End) -> Self {
        let mut device = device;
        let config = IfaceConfig::new(HardwareAddress::Ethernet(EthernetAddress([
            0x02, 0, 0, 0, 0, 0x01,
        ])));
        let mut iface = Interface::new(config, &mut device, Instant::from_millis(0));
        iface.update_ip_addrs(|a| {
            a.push(IpCidr::Ipv4(Ipv4Cidr::new(*SERVICE.ip(), 24)))
                .unwrap()
        });
        let mut socket = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; 65_536]),
            tcp::SocketBuffer::new(vec![0; 4_096]),
        );
        socket.listen(SERVICE.port()).unwrap();
        let mut sockets = SocketSet::new(Vec::new());
        let socket = sockets.add(socket);
        Service {
            iface,
            device,
            sockets,
            socket,
            decoder: Decoder::new(1 << 20),
            welcomed: false,
            records: Vec::new(),
        }
    }

    fn poll(&mut self, now_ms: u64) {
        let now = Instant::from_millis(now_ms as i64);
        self.iface.poll(now, &mut self.device, &mut self.sockets);
        let socket = self.sockets.get_mut::<tcp::Socket>(self.socket);
        while socket.can_recv() {
            socket
                .recv(|bytes| {
                    self.decoder.push(bytes);
                    (bytes.len(), ())
                })
                .unwrap();
        }
        while let Some(m) = self.decoder.next_message::<wire::AgentMessage>().unwrap() {
            match m.kind.unwrap() {
                agent_message::Kind::Hello(_) if !self.welcomed => {
                    let welcome = encode(&wire::ServiceMessage {
                        kind: Some(service_message::Kind::Welcome(wire::Welcome {
                            version: wire::Version::Version1 as i32,
                            filter: String::new(),
                            context_bytes: 0,
                            unix_time_us: 1_700_000_000_000_000,
                        })),
                    });
                    assert_eq!(socket.send_slice(&welcome).unwrap(), welcome.len());
                    self.welcomed = true;
                }
                agent_message::Kind::Batch(b) => {
                    self.records.extend(b.records.iter().map(|r| r.data.len()));
                }
                _ => {}
            }
        }
        self.iface.poll(now, &mut self.device, &mut self.sockets);
    }
}

/// The board's limits (agent/board/src/main.rs).
fn board_agent() -> AgentLoop {
    AgentLoop::new(Config {
        snap_len: 1514,
        batch_frames: 16,
        batch_bytes: 2 * 1024,
        linger_ms: 50,
        queue_bytes: 6 * 1024,
        full_batch_buffers: true,
        max_service_message: 2 * 1024,
        ..Config::new("board".into(), "t".repeat(64), "test".into(), 1)
    })
}

/// A UDP frame between two other hosts on the segment (the station only
/// captures it), `len` bytes long.
fn passing_frame(n: u8, len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len];
    f[..6].copy_from_slice(&[0x02, 0, 0, 0, 0, 0x33]);
    f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 0x44]);
    f[12..14].copy_from_slice(&[0x08, 0x00]);
    let ip_len = (len - 14) as u16;
    f[14] = 0x45;
    f[16..18].copy_from_slice(&ip_len.to_be_bytes());
    f[18..20].copy_from_slice(&[0, n]);
    f[22] = 64;
    f[23] = 17;
    f[26..30].copy_from_slice(&[198, 51, 100, 3]);
    f[30..34].copy_from_slice(&[198, 51, 100, 2]);
    f[34..36].copy_from_slice(&40_000u16.to_be_bytes());
    f[36..38].copy_from_slice(&9_999u16.to_be_bytes());
    f[38..40].copy_from_slice(&(ip_len - 20).to_be_bytes());
    f
}

#[test]
fn a_burst_read_in_one_poll_drains_into_the_socket_as_batches_fill() {
    let (to_station, to_service): (Queue, Queue) = Default::default();
    let station_end = End {
        rx: to_station.clone(),
        tx: to_service.clone(),
    };
    let mut service = Service::new(End {
        rx: to_service,
        tx: to_station.clone(),
    });
    let config = StationConfig {
        mac: [0x02, 0, 0, 0, 0, 0x20],
        addressing: Addressing::Static {
            address: Ipv4Cidr::new(Ipv4Addr::new(192, 0, 2, 20), 24),
            gateway: None,
        },
        service: SERVICE,
        seed: 7,
        tcp_buffer_bytes: 2048,
        copies: 4,
    };
    let mut station = Station::new(station_end, &config, 0);
    let mut agent = board_agent();
    let wall = || (1_700_000_000, 0);

    let mut now_ms = 0;
    while *agent.phase() != Phase::Ready {
        assert!(now_ms < 2_000, "no welcome: {:?}", agent.phase());
        station.poll(&mut agent, now_ms, wall);
        service.poll(now_ms);
        now_ms += 1;
    }
    // Whatever the handshake left (ARP, the greeting) goes up first.
    for _ in 0..200 {
        station.poll(&mut agent, now_ms, wall);
        service.poll(now_ms);
        now_ms += 1;
    }
    let before = service.records.len();

    // Twelve 650-byte frames arrive while the station is busy and are read
    // in one poll, with no ACK from the service among them: ~8 KiB of
    // records against a 6 KiB queue, three records to a 2 KiB batch.
    const LEN: usize = 650;
    for n in 0..12 {
        to_station.borrow_mut().push_back(passing_frame(n, LEN));
    }
    station.poll(&mut agent, now_ms, wall);
    assert_eq!(
        agent.counters().dropped_in_queue,
        0,
        "the burst overflowed the queue: {}",
        agent.counters()
    );

    for _ in 0..500 {
        now_ms += 1;
        station.poll(&mut agent, now_ms, wall);
        service.poll(now_ms);
    }
    let burst: Vec<_> = service.records[before..]
        .iter()
        .filter(|&&len| len == LEN)
        .collect();
    assert_eq!(burst.len(), 12, "{}", agent.counters());
}
