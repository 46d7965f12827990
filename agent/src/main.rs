//! `encap-agent`: capture frames, filter them at the edge as the service
//! asks, and stream them to the service.

// Each frame is a small buffer made on the reader thread and freed on the
// uplink's; mimalloc takes that at a fraction of glibc's cost.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod linux;

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use encap_agent::net::{Addressing, StationConfig, settings};
use encap_agent::{AgentLoop, Config};

use linux::source::{Source, SourceSpec};
use linux::uplink::{self, Finish};

#[derive(Debug, Parser)]
#[command(
    name = "encap-agent",
    version,
    about = "Capture frames and stream them to the encap service, filtered at the edge as its watchers ask.",
    after_help = "Examples:\n  encap-agent --name edge-1 --token TOKEN --read capture.pcap\n  encap-agent --name edge-1 --token TOKEN --pcap eth0 -f 'not arp'\n  encap-agent --name edge-1 --token TOKEN --iface eth0\n  encap-agent --name edge-1 --token TOKEN --tap tap0 --address 192.0.2.9/24 --service 192.0.2.1:50052\n\nThe agent never captures its own uplink. The token comes from `encap agents add NAME` (an admin) or `encap-control agents add NAME` on the service's host."
)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["read", "pcap", "iface", "tap"])))]
struct Args {
    /// The agent's name, as added on the service.
    #[arg(long, env = "ENCAP_AGENT_NAME")]
    name: String,
    /// The agent's token (from `encap-control agents add NAME`).
    #[arg(long, env = "ENCAP_AGENT_TOKEN", hide_env_values = true)]
    token: String,
    /// The service's ingest address.
    #[arg(long, env = "ENCAP_SERVICE", default_value = "127.0.0.1:50052")]
    service: String,
    /// Replay a pcap or pcapng file, then exit once everything is sent.
    #[arg(long, value_name = "FILE")]
    read: Option<PathBuf>,
    /// With --read: keep the recorded pace instead of going as fast as the uplink takes.
    #[arg(long, requires = "read")]
    pace: bool,
    /// Capture live on this interface with libpcap (promiscuous; needs root or CAP_NET_RAW).
    #[arg(long, value_name = "IFACE")]
    pcap: Option<String>,
    /// With --pcap: a BPF capture filter, e.g. 'not arp'.
    #[arg(short = 'f', value_name = "BPF", requires = "pcap")]
    capture_filter: Option<String>,
    /// Capture live on this interface through smoltcp's raw socket (needs root or CAP_NET_RAW).
    #[arg(long, value_name = "IFACE")]
    iface: Option<String>,
    /// Be a host on this TAP (smoltcp): capture the segment, and reach the service over it.
    #[arg(long, value_name = "TAP")]
    tap: Option<String>,
    /// With --tap: the agent's address, as ADDRESS/PREFIX or "dhcp".
    #[arg(long, value_name = "CIDR|dhcp", default_value = "dhcp", requires = "tap", value_parser = settings::parse_addressing)]
    address: Addressing,
    /// With --tap and a static --address: the default gateway.
    #[arg(long, value_name = "IP", requires = "tap")]
    gateway: Option<Ipv4Addr>,
    /// With --tap: the agent's MAC address (default: a random locally administered one).
    #[arg(long, value_name = "MAC", requires = "tap", value_parser = settings::parse_mac)]
    mac: Option<[u8; 6]>,
    /// Bytes kept of each frame.
    #[arg(long, default_value_t = 65_535)]
    snap_len: u32,
}

/// Different on every start: TCP ports, sequence numbers, the default MAC.
fn seed() -> u64 {
    let (secs, nanos) = linux::source::wall_clock();
    (secs as u64).rotate_left(32) ^ u64::from(nanos) ^ u64::from(std::process::id()).rotate_left(16)
}

fn run_tap(args: Args, tap: &str) -> Result<(), String> {
    let service: SocketAddrV4 = args.service.parse().map_err(|_| {
        format!(
            "--service {}: with --tap give IPv4:PORT (the agent's own stack does not resolve names)",
            args.service
        )
    })?;
    let seed = seed();
    let addressing = args
        .address
        .with_gateway(args.gateway)
        .map_err(|e| format!("--gateway: {e}"))?;
    let mac = args.mac.unwrap_or_else(|| {
        let b = seed.to_le_bytes();
        [0x02, b[1], b[2], b[3], b[4], b[5]]
    });
    let device = linux::tap::open(tap)?;
    let station = StationConfig {
        mac,
        addressing,
        service,
        seed,
        tcp_buffer_bytes: 256 * 1024,
        copies: 1024,
    };
    let software = format!("encap-agent {} (linux, tap)", env!("CARGO_PKG_VERSION"));
    let mut config = Config::new(args.name, args.token, software, 1);
    config.snap_len = args.snap_len;
    linux::tap::run(AgentLoop::new(config), device, tap, &station)
}

fn run(args: Args) -> Result<(), String> {
    if let Some(tap) = args.tap.clone() {
        return run_tap(args, &tap);
    }
    let (spec, finish) = match (&args.read, &args.pcap, &args.iface) {
        (Some(path), _, _) => (
            SourceSpec::File {
                path: path.clone(),
                pace: args.pace,
            },
            Finish::WhenDrained,
        ),
        (None, Some(interface), _) => (
            SourceSpec::Pcap {
                interface: interface.clone(),
                bpf: args.capture_filter.clone(),
                snap_len: args.snap_len,
            },
            Finish::Never,
        ),
        (None, None, Some(interface)) => (
            SourceSpec::Iface {
                interface: interface.clone(),
            },
            Finish::Never,
        ),
        (None, None, None) => {
            return Err(
                "give a source: --read FILE, --pcap IFACE, --iface IFACE or --tap TAP".into(),
            );
        }
    };
    let source = Source::start(&spec)?;
    let software = format!("encap-agent {} (linux)", env!("CARGO_PKG_VERSION"));
    let mut config = Config::new(args.name, args.token, software, source.link_type);
    config.snap_len = args.snap_len;
    uplink::run(AgentLoop::new(config), source, &args.service, finish)
}

fn main() -> ExitCode {
    // smoltcp's Linux devices panic on I/O errors; the loops catch that and
    // go on, so say it in one line instead of a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let in_device = info
            .location()
            .is_some_and(|l| l.file().contains("smoltcp") && l.file().contains("/phy/"));
        if !in_device {
            eprintln!("encap-agent: {info}");
        }
    }));
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("encap-agent: {e}");
            ExitCode::FAILURE
        }
    }
}
