//! What the agent tells the person running it, one line per event on stderr.

use encap_agent::AgentLoop;
use encap_agent::agent::Event;
use encap_agent::net::StationEvent;

/// Logs what the service said; an error is a refusal that retrying cannot fix.
pub fn agent_event(event: Event) -> Result<(), String> {
    match event {
        Event::Welcomed => eprintln!("encap-agent: welcomed"),
        Event::Refused {
            reason,
            retry: false,
        } => return Err(format!("the service refused this agent: {reason}")),
        Event::Refused {
            reason,
            retry: true,
        } => eprintln!("encap-agent: the service refused this agent for now: {reason}"),
        Event::Filter(status) if status.error.is_empty() => {
            let shown = if status.filter.is_empty() {
                "every frame"
            } else {
                &status.filter
            };
            eprintln!("encap-agent: edge filter: {shown}");
        }
        Event::Filter(status) => eprintln!(
            "encap-agent: cannot apply the filter {:?} (column {}: {}); sending every frame",
            status.filter, status.column, status.error
        ),
        Event::SnapLen(n) => eprintln!("encap-agent: snap length {n}"),
    }
    Ok(())
}

/// Logs the smoltcp host's life on the segment.
pub fn station_event(event: StationEvent, service: &str) -> Result<(), String> {
    match event {
        StationEvent::Addressed { address, gateway } => match gateway {
            Some(g) => eprintln!("encap-agent: address {address}, gateway {g}"),
            None => eprintln!("encap-agent: address {address}"),
        },
        StationEvent::AddressLost => eprintln!("encap-agent: the DHCP lease was lost"),
        StationEvent::Connecting { local_port } => {
            eprintln!("encap-agent: connecting to {service} from port {local_port}");
        }
        StationEvent::Unreachable { wait_ms } => {
            eprintln!("encap-agent: cannot reach {service}; retrying in {wait_ms} ms");
        }
        StationEvent::Connected => eprintln!("encap-agent: connected to {service}"),
        StationEvent::Lost { why, wait_ms } => {
            eprintln!(
                "encap-agent: the connection to {service} broke ({why}); retrying in {wait_ms} ms"
            );
        }
        StationEvent::Agent(event) => agent_event(event)?,
    }
    Ok(())
}

/// The running totals, every few seconds.
pub fn counters(agent: &AgentLoop) {
    let c = agent.counters();
    eprintln!(
        "encap-agent: seen {} filtered out {} dropped {}+{} lost on the uplink {} sent {}",
        c.seen, c.filtered_out, c.dropped_at_source, c.dropped_in_queue, c.lost_on_uplink, c.sent
    );
}
