//! The agent loop against a scripted service, on frames of captures/.

use encap_agent::agent::Event;
use encap_agent::framing::{Decoder, encode};
use encap_agent::{AgentLoop, Config, Phase};
use encap_proto::uplink::{self as wire, agent_message, service_message};

/// (timestamp, original length, bytes) of every frame of a pcap in captures/.
fn frames(name: &str) -> Vec<((i64, u32), u32, Vec<u8>)> {
    let path = format!("{}/../captures/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut cap = pcap::Capture::from_file(&path).unwrap();
    let mut out = Vec::new();
    while let Ok(p) = cap.next_packet() {
        let ts = (p.header.ts.tv_sec, (p.header.ts.tv_usec * 1000) as u32);
        out.push((ts, p.header.len, p.data.to_vec()));
    }
    out
}

fn config(queue_bytes: usize) -> Config {
    Config {
        queue_bytes,
        ..Config::new("edge-1".into(), "t".repeat(64), "test".into(), 1)
    }
}

fn service(kind: service_message::Kind) -> Vec<u8> {
    encode(&wire::ServiceMessage { kind: Some(kind) })
}

/// Writes everything the agent has to send and decodes it as the service would.
fn drain(agent: &mut AgentLoop) -> Vec<agent_message::Kind> {
    let mut decoder = Decoder::new(1 << 24);
    while let Some(bytes) = agent.transmit() {
        // Short writes, as a busy socket makes them.
        let n = bytes.len().min(1000);
        decoder.push(&bytes[..n]);
        agent.sent(n);
    }
    let mut out = Vec::new();
    while let Some(m) = decoder.next_message::<wire::AgentMessage>().unwrap() {
        out.push(m.kind.unwrap());
    }
    out
}

fn welcome(agent: &mut AgentLoop, filter: &str) -> Vec<Event> {
    welcome_with_context(agent, filter, 0)
}

fn welcome_with_context(agent: &mut AgentLoop, filter: &str, context_bytes: u32) -> Vec<Event> {
    agent
        .received(&service(service_message::Kind::Welcome(wire::Welcome {
            version: wire::Version::Version1 as i32,
            filter: filter.into(),
            context_bytes,
            unix_time_us: SERVICE_CLOCK_US,
        })))
        .unwrap()
}

/// The service's clock in Welcome (a board stamps frames from it).
const SERVICE_CLOCK_US: u64 = 1_700_000_000_123_456;

#[test]
fn the_service_clock_in_welcome_is_kept_for_agents_without_one() {
    let mut agent = AgentLoop::new(Config::new("a".into(), "t".into(), "test".into(), 1));
    assert_eq!(agent.service_time_us(), None);
    welcome_with_context(&mut agent, "", 0);
    assert_eq!(agent.service_time_us(), Some(SERVICE_CLOCK_US));
}

#[test]
fn frames_the_filter_drops_go_up_as_cut_context_records() {
    let mut agent = AgentLoop::new(config(1 << 20));
    agent.connected();
    drain(&mut agent);
    welcome_with_context(&mut agent, "icmp.type == 8", 64);
    let all = frames("icmp.pcap");
    for (i, (ts, len, data)) in all.iter().enumerate() {
        agent.offer(*ts, *len, data, i as u64);
    }
    agent.flush();
    let mut records = Vec::new();
    for kind in drain(&mut agent) {
        if let agent_message::Kind::Batch(b) = kind {
            records.extend(b.records);
        }
    }
    // Every frame, in order; the dropped ones cut and marked.
    assert_eq!(records.len(), all.len());
    let filter = encap_core::filter::Filter::compile("icmp.type == 8").unwrap();
    let mut matching = 0;
    for (record, frame) in records.iter().zip(&all) {
        let d = encap_core::dissect(encap_core::Frame::new(&frame.2, encap_core::LinkType(1)));
        if filter.matches(&d) {
            matching += 1;
            assert!(!record.context);
            assert_eq!(record.data, frame.2);
        } else {
            assert!(record.context);
            assert_eq!(record.data, frame.2[..frame.2.len().min(64)]);
            assert_eq!(record.original_length, frame.1);
        }
    }
    let c = agent.counters();
    assert_eq!(c.filtered_out, (all.len() - matching) as u64);
    assert_eq!(
        c.sent, matching as u64,
        "context records are not counted as sent frames"
    );
}

#[test]
fn hello_welcome_filter_at_the_edge_and_counters() {
    let mut agent = AgentLoop::new(config(1 << 20));
    agent.connected();
    let sent = drain(&mut agent);
    let [agent_message::Kind::Hello(hello)] = &sent[..] else {
        panic!("{sent:?}")
    };
    assert_eq!(
        (hello.agent_name.as_str(), hello.link_type, hello.version),
        ("edge-1", 1, 1)
    );
    assert_eq!(agent.transmit(), None, "nothing but Hello before Welcome");

    let events = welcome(&mut agent, "icmp.type == 8");
    assert_eq!(events[0], Event::Welcomed);
    assert!(matches!(&events[1], Event::Filter(s) if s.error.is_empty()));
    assert_eq!(agent.phase(), &Phase::Ready);

    let all = frames("icmp.pcap");
    for (i, (ts, len, data)) in all.iter().enumerate() {
        agent.offer(*ts, *len, data, i as u64);
    }
    agent.flush();
    agent.poll(10_000);
    let sent = drain(&mut agent);
    let mut records = Vec::new();
    let mut counters = None;
    for kind in sent {
        match kind {
            agent_message::Kind::Batch(b) => records.extend(b.records),
            agent_message::Kind::Counters(c) => counters = Some(c),
            agent_message::Kind::FilterStatus(s) => assert_eq!(s.filter, "icmp.type == 8"),
            other => panic!("{other:?}"),
        }
    }
    // Exactly the frames the core's filter matches, in order, with their sequence numbers.
    let filter = encap_core::filter::Filter::compile("icmp.type == 8").unwrap();
    let requests: Vec<u64> = all
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            let frame = encap_core::Frame::new(&f.2, encap_core::LinkType(1));
            filter.matches(&encap_core::dissect(frame))
        })
        .map(|(i, _)| i as u64 + 1)
        .collect();
    assert!(!requests.is_empty());
    assert_eq!(
        records.iter().map(|r| r.sequence).collect::<Vec<_>>(),
        requests
    );
    assert_eq!(records[0].data, all[requests[0] as usize - 1].2);
    let c = counters.unwrap();
    assert_eq!(c.seen, all.len() as u64);
    assert_eq!(c.filtered_out, (all.len() - requests.len()) as u64);
    assert_eq!(agent.counters().sent, requests.len() as u64);
}

#[test]
fn a_bad_filter_is_reported_and_everything_goes_up() {
    let mut agent = AgentLoop::new(config(1 << 20));
    agent.connected();
    drain(&mut agent);
    welcome(&mut agent, "");
    let events = agent
        .received(&service(service_message::Kind::SetFilter(
            wire::SetFilter {
                filter: "ip.srcx == 1".into(),
                context_bytes: 0,
            },
        )))
        .unwrap();
    let [Event::Filter(status)] = &events[..] else {
        panic!("{events:?}")
    };
    assert!(status.error.contains("ip.srcx"), "{status:?}");
    assert_eq!(status.column, 1);
    for (i, (ts, len, data)) in frames("dns.pcap").iter().enumerate() {
        agent.offer(*ts, *len, data, i as u64);
    }
    agent.flush();
    assert_eq!(agent.counters().filtered_out, 0);
}

#[test]
fn while_away_the_queue_holds_what_fits_and_counts_the_rest() {
    let all = frames("http.pcap");
    let mut agent = AgentLoop::new(Config {
        batch_frames: 4,
        ..config(4096)
    });
    for (i, (ts, len, data)) in all.iter().enumerate() {
        agent.offer(*ts, *len, data, i as u64);
    }
    agent.flush();
    let c = agent.counters();
    assert!(c.dropped_in_queue > 0, "{c:?}");
    // Reconnected: Hello, then the held batches, then a broken connection mid-batch.
    agent.connected();
    drain(&mut agent);
    welcome(&mut agent, "");
    let first = agent.transmit().unwrap().len();
    agent.sent(first / 2);
    agent.disconnected();
    let lost = agent.counters().lost_on_uplink;
    assert!(lost > 0 && lost <= 4);
    assert_eq!(
        agent.counters().dropped_in_queue,
        c.dropped_in_queue,
        "counted apart"
    );
    agent.connected();
    drain(&mut agent);
    welcome(&mut agent, "");
    drain(&mut agent);
    let c = agent.counters();
    assert_eq!(c.seen, all.len() as u64);
    assert_eq!(
        c.sent + c.dropped_in_queue + c.lost_on_uplink + c.filtered_out,
        c.seen,
        "{c:?}"
    );
}

#[test]
fn refusals_and_garbage() {
    let mut agent = AgentLoop::new(config(1 << 20));
    agent.connected();
    drain(&mut agent);
    let events = agent
        .received(&service(service_message::Kind::Refused(wire::Refused {
            reason: "unknown agent token".into(),
            retry: false,
        })))
        .unwrap();
    assert!(matches!(&events[0], Event::Refused { retry: false, .. }));
    agent.disconnected();
    assert!(matches!(agent.phase(), Phase::Refused { .. }));
    let mut agent = AgentLoop::new(config(1 << 20));
    agent.connected();
    assert!(agent.received(&[0xff; 12]).is_err());
}

#[test]
fn a_source_that_waits_for_room_never_loses_a_frame() {
    let mut agent = AgentLoop::new(Config {
        batch_frames: 1_000,
        batch_bytes: 4 * 1024,
        snap_len: 2_048,
        ..config(64 * 1024)
    });
    agent.connected();
    drain(&mut agent);
    welcome(&mut agent, "");
    drain(&mut agent);
    let all = frames("http.pcap");
    let mut offered = 0u64;
    let mut waits = 0;
    // Many times the queue's size, drained only when the agent says it is full.
    for (ts, len, data) in all.iter().cycle().take(5_000) {
        if !agent.has_room() {
            waits += 1;
            drain(&mut agent);
        }
        agent.offer(*ts, *len, data, offered);
        offered += 1;
    }
    agent.flush();
    drain(&mut agent);
    let c = agent.counters();
    assert!(waits > 5, "the queue never filled: {waits}");
    assert_eq!(c.dropped_in_queue, 0, "{c:?}");
    assert_eq!(c.sent, offered);
}
