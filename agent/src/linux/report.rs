//! What the agent tells the person running it, one line per event on stderr
//! (the wording is the library's, shared with the board firmware).

use std::net::SocketAddrV4;

use encap_agent::AgentLoop;
use encap_agent::agent::Event;
use encap_agent::net::StationEvent;

/// Logs what the service said; an error is a refusal that retrying cannot fix.
pub fn agent_event(event: Event) -> Result<(), String> {
    if let Event::Refused { retry: false, .. } = event {
        return Err(event.to_string());
    }
    eprintln!("encap-agent: {event}");
    Ok(())
}

/// Logs the smoltcp host's life on the segment.
pub fn station_event(event: StationEvent, service: SocketAddrV4) -> Result<(), String> {
    match event {
        StationEvent::Agent(event) => agent_event(event),
        other => {
            eprintln!("encap-agent: {}", other.describe(service));
            Ok(())
        }
    }
}

/// The running totals, every few seconds.
pub fn counters(agent: &AgentLoop) {
    eprintln!("encap-agent: {}", agent.counters());
}
