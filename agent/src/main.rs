//! `encap-agent`: capture frames, filter them at the edge as the service
//! asks, and stream them to the service.

mod linux;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use encap_agent::{AgentLoop, Config};

use linux::source::{Source, SourceSpec};
use linux::uplink::{self, Finish};

#[derive(Debug, Parser)]
#[command(
    name = "encap-agent",
    version,
    about = "Capture frames and stream them to the encap service, filtered at the edge as its watchers ask.",
    after_help = "Examples:\n  encap-agent --name edge-1 --token TOKEN --read capture.pcap\n  encap-agent --name edge-1 --token TOKEN --pcap eth0 -f 'not port 50052'\n\nThe token comes from `encap-control agents add NAME` on the service's host."
)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["read", "pcap"])))]
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
    /// With --pcap: a BPF capture filter, e.g. 'not port 50052'.
    #[arg(short = 'f', value_name = "BPF", requires = "pcap")]
    capture_filter: Option<String>,
    /// Bytes kept of each frame.
    #[arg(long, default_value_t = 65_535)]
    snap_len: u32,
}

fn run(args: Args) -> Result<(), String> {
    let (spec, finish) = match (&args.read, &args.pcap) {
        (Some(path), _) => (
            SourceSpec::File {
                path: path.clone(),
                pace: args.pace,
            },
            Finish::WhenDrained,
        ),
        (None, Some(interface)) => (
            SourceSpec::Pcap {
                interface: interface.clone(),
                bpf: args.capture_filter.clone(),
                snap_len: args.snap_len,
            },
            Finish::Never,
        ),
        (None, None) => return Err("give a source: --read FILE or --pcap IFACE".into()),
    };
    let source = Source::start(&spec)?;
    let software = format!("encap-agent {} (linux)", env!("CARGO_PKG_VERSION"));
    let mut config = Config::new(args.name, args.token, software, source.link_type);
    config.snap_len = args.snap_len;
    uplink::run(AgentLoop::new(config), source, &args.service, finish)
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("encap-agent: {e}");
            ExitCode::FAILURE
        }
    }
}
