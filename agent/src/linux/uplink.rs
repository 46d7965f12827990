//! Driving the agent loop on Linux: frames from the source thread, a
//! non-blocking TCP connection to the service, reconnects with backoff.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

use encap_agent::agent::Event;
use encap_agent::net::{Flow, flow_of};
use encap_agent::{AgentLoop, Backoff, Phase};

use super::report;
use super::source::{Captured, Source};

/// How the loop should end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Run until the source ends (a file) and everything is sent.
    WhenDrained,
    /// Run until killed (a live source).
    Never,
}

fn random() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    h.finish() as u32
}

/// DLT_EN10MB.
const ETHERNET: u32 = 1;

/// The uplink's connection as the capture sees it (IPv4 only).
fn uplink_flow(stream: &TcpStream) -> Option<Flow> {
    match (stream.local_addr().ok()?, stream.peer_addr().ok()?) {
        (SocketAddr::V4(local), SocketAddr::V4(remote)) => Some(
            Flow {
                local: (*local.ip(), local.port()),
                remote: (*remote.ip(), remote.port()),
            }
            .normalised(),
        ),
        _ => None,
    }
}

fn resolve(service: &str) -> Result<SocketAddr, String> {
    service
        .to_socket_addrs()
        .map_err(|e| format!("--service {service}: {e}"))?
        .next()
        .ok_or_else(|| format!("--service {service}: no address"))
}

/// Runs until the source is drained (files) or forever (live); an error is a
/// refusal the agent cannot get past (a bad token, another version).
pub fn run(
    mut agent: AgentLoop,
    mut source: Source,
    service: &str,
    finish: Finish,
) -> Result<(), String> {
    let started = Instant::now();
    let now_ms = || started.elapsed().as_millis() as u64;
    let mut backoff = Backoff::default();
    let mut stream: Option<TcpStream> = None;
    let mut own: Option<Flow> = None;
    let mut next_attempt = Instant::now();
    let mut source_done = false;
    // A block of frames taken from the source and how far it is read.
    let mut pending: Option<(Captured, usize)> = None;
    let mut read_buf = vec![0u8; 64 * 1024];
    let mut last_report = Instant::now();
    loop {
        // The uplink.
        if stream.is_none() && Instant::now() >= next_attempt {
            let connected = resolve(service).and_then(|addr| {
                TcpStream::connect_timeout(&addr, Duration::from_secs(3)).map_err(|e| e.to_string())
            });
            match connected {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    s.set_nonblocking(true)
                        .map_err(|e| format!("socket: {e}"))?;
                    eprintln!("encap-agent: connected to {service}");
                    // Only a live source can capture the uplink's own segments.
                    own = (finish == Finish::Never).then(|| uplink_flow(&s)).flatten();
                    stream = Some(s);
                    agent.connected();
                }
                Err(e) => {
                    let wait = backoff.next_delay_ms(random());
                    eprintln!("encap-agent: cannot reach {service} ({e}); retrying in {wait} ms");
                    next_attempt = Instant::now() + Duration::from_millis(u64::from(wait));
                }
            }
        }

        // Frames: a file waits for the service's welcome (and its filter) and
        // for room in the queue; a live source never waits.
        let may_take =
            finish == Finish::Never || (agent.has_room() && agent.phase() == &Phase::Ready);
        if !source_done && may_take {
            // Up to 5 ms of frames, then the uplink gets its turn. The clock is
            // read once per 256 frames, not per frame (it cost a tenth of the agent).
            let deadline = Instant::now() + Duration::from_millis(5);
            let mut now = now_ms();
            let mut taken = 0u32;
            loop {
                // The block at hand first; a file's block may be left part-way for lack of room.
                let Some((block, at)) = pending.as_mut() else {
                    let next = match source.frames.try_recv() {
                        Ok(f) => Ok(f),
                        Err(TryRecvError::Empty) => source
                            .frames
                            .recv_timeout(deadline.saturating_duration_since(Instant::now())),
                        Err(TryRecvError::Disconnected) => Err(RecvTimeoutError::Disconnected),
                    };
                    match next {
                        Ok(block) => pending = Some((block, 0)),
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => {
                            source.outcome()?;
                            source_done = true;
                            agent.flush();
                            break;
                        }
                    }
                    continue;
                };
                let Some(f) = block.get(*at) else {
                    pending = None;
                    continue;
                };
                *at += 1;
                // The uplink's own segments, captured on the way out, are not sent again.
                if own.is_some() && source.link_type == ETHERNET && flow_of(f.data) == own {
                    continue;
                }
                agent.offer(f.timestamp, f.original_length, f.data, now);
                if finish == Finish::WhenDrained && !agent.has_room() {
                    break;
                }
                taken = taken.wrapping_add(1);
                if taken.is_multiple_of(256) {
                    if Instant::now() >= deadline {
                        break;
                    }
                    now = now_ms();
                }
            }
        } else {
            std::thread::sleep(Duration::from_millis(1));
        }
        agent.set_dropped_at_source(source.dropped.load(Ordering::Relaxed));
        agent.poll(now_ms());

        if let Some(s) = stream.as_mut() {
            let broken = pump(&mut agent, s, &mut read_buf, &mut backoff)?;
            if let Some(why) = broken {
                eprintln!("encap-agent: the connection to {service} broke ({why})");
                agent.disconnected();
                stream = None;
                let wait = backoff.next_delay_ms(random());
                next_attempt = Instant::now() + Duration::from_millis(u64::from(wait));
            }
        }
        if last_report.elapsed() >= Duration::from_secs(10) {
            last_report = Instant::now();
            report::counters(&agent);
        }
        if source_done
            && finish == Finish::WhenDrained
            && agent.is_idle()
            && agent.phase() == &Phase::Ready
        {
            agent.push_counters();
            if let Some(s) = stream.as_mut() {
                let _ = pump(&mut agent, s, &mut read_buf, &mut backoff);
                let _ = s.flush();
            }
            let c = agent.counters();
            eprintln!(
                "encap-agent: done: seen {} filtered out {} dropped {} sent {}",
                c.seen,
                c.filtered_out,
                c.dropped_at_source + c.dropped_in_queue + c.lost_on_uplink,
                c.sent
            );
            return Ok(());
        }
    }
}

/// Writes what the loop has and reads what the service said. `Some(why)`
/// when the connection is gone.
fn pump(
    agent: &mut AgentLoop,
    s: &mut TcpStream,
    read_buf: &mut [u8],
    backoff: &mut Backoff,
) -> Result<Option<String>, String> {
    while let Some(bytes) = agent.transmit() {
        match s.write(bytes) {
            Ok(0) => return Ok(Some("the service closed the connection".into())),
            Ok(n) => agent.sent(n),
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Ok(Some(e.to_string())),
        }
    }
    loop {
        match s.read(read_buf) {
            Ok(0) => return Ok(Some("the service closed the connection".into())),
            Ok(n) => {
                let events = match agent.received(&read_buf[..n]) {
                    Ok(events) => events,
                    Err(e) => return Ok(Some(format!("the service sent {e}"))),
                };
                for event in events {
                    if event == Event::Welcomed {
                        backoff.reset();
                    }
                    report::agent_event(event)?;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(None),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Ok(Some(e.to_string())),
        }
    }
}
