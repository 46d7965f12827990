//! `--tap`: the agent as a host on a TAP segment, through smoltcp. It
//! captures every frame on the segment and reaches the service over its own
//! smoltcp TCP connection on that same TAP (not over the host's stack).

use std::os::unix::io::AsRawFd;
use std::time::{Duration, Instant};

use encap_agent::AgentLoop;
use encap_agent::net::{Station, StationConfig};
use smoltcp::phy::{Medium, TunTapInterface, wait};

use super::report;
use super::source::wall_clock;
use super::sturdy::Sturdy;

/// Frames the kernel could not hand to the TAP (its queue was full).
fn kernel_drops(tap: &str) -> u64 {
    std::fs::read_to_string(format!("/sys/class/net/{tap}/statistics/tx_dropped"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

pub fn open(tap: &str) -> Result<TunTapInterface, String> {
    if !std::path::Path::new("/sys/class/net").join(tap).exists() {
        return Err(format!(
            "--tap {tap}: no such interface; create it first: ip tuntap add dev {tap} mode tap && ip link set {tap} up"
        ));
    }
    TunTapInterface::new(tap, Medium::Ethernet).map_err(|e| {
        format!("--tap {tap}: {e} (needs root or CAP_NET_ADMIN, and a TAP, not a TUN)")
    })
}

/// Runs until killed; an error is a refusal the agent cannot get past.
pub fn run(
    mut agent: AgentLoop,
    device: TunTapInterface,
    tap: &str,
    config: &StationConfig,
) -> Result<(), String> {
    let fd = device.as_raw_fd();
    let started = Instant::now();
    let now_ms = || started.elapsed().as_millis() as u64;
    let (device, failures) = Sturdy::new(device);
    let mut station = Station::new(device, config, now_ms());
    let drops_before = kernel_drops(tap);
    let mut last_report = Instant::now();
    let mut last_drops = Instant::now();
    let mut failed_before = 0;
    let mut last_failure_note: Option<Instant> = None;
    loop {
        for event in station.poll(&mut agent, now_ms(), wall_clock) {
            report::station_event(event, config.service)?;
        }
        // A TAP set down fails every write: say so every few seconds, and
        // do not spin on it.
        let failed = failures.total();
        if failed > failed_before {
            if last_failure_note.is_none_or(|t| t.elapsed() >= Duration::from_secs(5)) {
                last_failure_note = Some(Instant::now());
                eprintln!("encap-agent: {tap} is not taking frames (down?): {failed} lost so far");
            }
            failed_before = failed;
            std::thread::sleep(Duration::from_millis(50));
        }
        if last_drops.elapsed() >= Duration::from_millis(500) {
            last_drops = Instant::now();
            let kernel = kernel_drops(tap).saturating_sub(drops_before);
            agent.set_dropped_at_source(kernel + station.copies_overflowed());
        }
        if last_report.elapsed() >= Duration::from_secs(10) {
            last_report = Instant::now();
            report::counters(&agent);
        }
        let busy = if agent.is_idle() { 200 } else { 5 };
        let delay = station.poll_delay_ms(now_ms()).min(busy);
        let _ = wait(fd, Some(smoltcp::time::Duration::from_millis(delay)));
    }
}
