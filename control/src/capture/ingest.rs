//! The agents' uplink listener: Hello and its token checked, then batches
//! re-dissected with the same core (one conversation tracker per agent) and
//! handed to the watchers; the edge filter follows the watchers.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use encap_core::colour::Colouring;
use encap_core::tracker::Tracker;
use encap_core::{Dissection, Frame, LinkType, dissect, dissect_into};
use encap_fields::Collector;
use encap_proto::batch::RecordHead;
use encap_proto::packets::{PacketHead, encode_summary_packet};
use encap_proto::uplink::{self as wire, agent_message, service_message};
use encap_proto::v1 as pb;
use prost::Message;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::hub::{Hub, Outgoing, Watcher, lock};
use super::incoming::{self, Batch, Incoming};
use super::render;
use crate::accounts::now;
use crate::secrets;
use crate::store::Store;

/// How long an agent has to say Hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// What every agent session shares.
#[derive(Debug, Clone)]
pub struct Ingest {
    pub store: Store,
    pub hub: Arc<Hub>,
    pub colours: Arc<Colouring>,
}

/// Accepts agents until `stop` turns true.
pub async fn serve(listener: TcpListener, ingest: Ingest, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let ingest = ingest.clone();
                    let stop = stop.clone();
                    tokio::spawn(async move {
                        if let Err(e) = session(stream, peer, ingest, stop).await {
                            tracing::info!(%peer, reason = %e, "agent connection closed");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accepting an agent failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = stop.changed() => return,
        }
    }
}

async fn send(
    w: &mut (impl AsyncWriteExt + Unpin),
    kind: service_message::Kind,
) -> Result<(), String> {
    let bytes = wire::ServiceMessage { kind: Some(kind) }.encode_length_delimited_to_vec();
    w.write_all(&bytes)
        .await
        .map_err(|e| format!("writing: {e}"))
}

async fn refuse(w: &mut (impl AsyncWriteExt + Unpin), reason: &str, retry: bool) -> String {
    let refused = wire::Refused {
        reason: reason.to_string(),
        retry,
    };
    let _ = send(w, service_message::Kind::Refused(refused)).await;
    let _ = w.shutdown().await;
    format!("refused: {reason}")
}

async fn session(
    stream: TcpStream,
    peer: SocketAddr,
    ingest: Ingest,
    mut stop: watch::Receiver<bool>,
) -> Result<(), String> {
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::with_capacity(256 * 1024, read);
    let first = tokio::time::timeout(HELLO_TIMEOUT, incoming::read(&mut read))
        .await
        .map_err(|_| "no Hello within 10 s".to_string())??;
    let hello = match first {
        None => return Err("closed before saying Hello".into()),
        Some(Incoming::Other(wire::AgentMessage {
            kind: Some(agent_message::Kind::Hello(hello)),
        })) => hello,
        Some(_) => return Err(refuse(&mut write, "the first message must be Hello", false).await),
    };
    if hello.version != wire::Version::Version1 as i32 {
        let reason = format!(
            "this service speaks uplink version 1 and the agent speaks {}: use an agent of the same release",
            hello.version
        );
        return Err(refuse(&mut write, &reason, false).await);
    }
    let name = hello.agent_name.clone();
    match ingest.store.agent(&name).await {
        Ok(Some(agent)) if agent.revoked_at.is_some() => {
            return Err(refuse(&mut write, "this agent's token was revoked", false).await);
        }
        Ok(Some(agent)) if agent.token_hash == secrets::digest(&hello.agent_token) => {}
        Ok(_) => {
            return Err(refuse(&mut write, "unknown agent name or wrong token", false).await);
        }
        Err(e) => {
            tracing::error!(error = %e, "looking up an agent failed");
            return Err(refuse(&mut write, "the service cannot check tokens now", true).await);
        }
    }
    let mut push = match ingest
        .hub
        .agent_online(&name, &peer.to_string(), &hello.software, now())
    {
        Ok(push) => push,
        Err(other) => {
            let reason = format!("an agent named {name} is already connected from {other}");
            return Err(refuse(&mut write, &reason, true).await);
        }
    };
    tracing::info!(agent = %name, %peer, software = %hello.software, "agent online");
    let welcome = wire::Welcome {
        version: wire::Version::Version1 as i32,
        filter: push.borrow_and_update().clone(),
        context_bytes: CONTEXT_BYTES,
        unix_time_us: unix_time_us(),
    };
    // Reading a message is not cancel-safe, so it has a task of its own and
    // the loop below selects on its channel.
    let (messages_tx, mut messages) = tokio::sync::mpsc::channel(4);
    let reader = tokio::spawn(async move {
        loop {
            let message = incoming::read(&mut read).await;
            let end = !matches!(message, Ok(Some(_)));
            if messages_tx.send(message).await.is_err() || end {
                return;
            }
        }
    });
    let result = async {
        send(&mut write, service_message::Kind::Welcome(welcome)).await?;
        let mut dissector = Redissector::new(&name, LinkType(hello.link_type), &ingest);
        loop {
            tokio::select! {
                message = messages.recv() => {
                    match message.transpose()? {
                        None | Some(None) => return Ok(()),
                        Some(Some(m)) => dissector.handle(m),
                    }
                }
                changed = push.changed() => {
                    if changed.is_err() {
                        // The hub let go of this agent: it was revoked.
                        let _ = refuse(&mut write, "this agent's token was revoked", false).await;
                        return Ok(());
                    }
                    let filter = push.borrow_and_update().clone();
                    let order = wire::SetFilter { filter, context_bytes: CONTEXT_BYTES };
                    send(&mut write, service_message::Kind::SetFilter(order)).await?;
                }
                _ = stop.changed() => {
                    let _ = refuse(&mut write, "the service is shutting down", true).await;
                    return Ok(());
                }
            }
        }
    }
    .await;
    reader.abort();
    ingest.hub.agent_offline(&name, now());
    tracing::info!(agent = %name, %peer, "agent offline");
    result
}

/// One agent's frames through the core, in capture order.
/// The watcher's fields of `d`, with the agent's conversation state behind them.
fn field_values(collector: &Mutex<Collector>, d: &Dissection<'_>) -> Vec<pb::FieldValues> {
    let mut c = lock(collector);
    c.collect(d);
    (0..c.defs().len())
        .map(|i| pb::FieldValues {
            values: c.values(i).to_vec(),
        })
        .collect()
}

/// The service's clock for Welcome (agents without one stamp frames from it).
fn unix_time_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// Bytes of each frame an edge filter drops that the agent still sends:
/// enough for Ethernet, IPv6 with options and TCP with options, so the
/// trackers see every conversation whole.
const CONTEXT_BYTES: u32 = 128;

struct Redissector<'s> {
    agent: &'s str,
    link_type: LinkType,
    ingest: &'s Ingest,
    tracker: Box<Tracker>,
    first: Option<(i64, u32)>,
    /// The row of the frame at hand (its buffers serve every frame).
    row: render::Row,
}

impl<'s> Redissector<'s> {
    fn new(agent: &'s str, link_type: LinkType, ingest: &'s Ingest) -> Self {
        Redissector {
            agent,
            link_type,
            ingest,
            tracker: Box::default(),
            first: None,
            row: render::Row::default(),
        }
    }

    fn handle(&mut self, message: Incoming) {
        let message = match message {
            Incoming::Batch(batch) => return self.batch(&batch),
            Incoming::Other(m) => m,
        };
        match message.kind {
            Some(agent_message::Kind::Counters(c)) => {
                self.ingest.hub.agent_counters(self.agent, c, now())
            }
            Some(agent_message::Kind::FilterStatus(s)) => {
                if s.error.is_empty() {
                    self.ingest.hub.agent_edge_filter(self.agent, &s.filter);
                } else {
                    tracing::warn!(agent = %self.agent, filter = %s.filter, error = %s.error, "the agent cannot apply the filter");
                    self.ingest.hub.agent_edge_filter(self.agent, "");
                }
            }
            // A batch always comes as `Incoming::Batch`.
            Some(agent_message::Kind::Hello(_) | agent_message::Kind::Batch(_)) | None => {}
        }
    }

    fn batch(&mut self, batch: &Batch) {
        let watchers = self.ingest.hub.watchers_of(self.agent);
        self.ingest
            .hub
            .agent_received(self.agent, batch.frames, now());
        // Each watcher's packets of this batch, sent as one message. They grow
        // as frames match (a narrow filter keeps few), never reserved for the whole batch:
        // what waits in a slow watcher's queue stays near its size.
        let mut outgoing: Vec<Outgoing> = watchers.iter().map(|_| Outgoing::default()).collect();
        // One dissection's storage serves the whole batch (the records outlive it).
        let mut d: Option<Dissection<'_>> = None;
        // The watchers that take the frame at hand.
        let mut takers: Vec<usize> = Vec::with_capacity(watchers.len());
        // The frame's summary packet, encoded once for every watcher of rows only.
        let mut encoded = Vec::new();
        for (record, data) in batch.records() {
            // Frames keep the agent's numbering, so "request in N" names the
            // frame the agent captured as N.
            let number = record.sequence;
            let timestamp = (record.timestamp_seconds, record.timestamp_nanos);
            // Times are relative to the first frame seen from this agent.
            self.first.get_or_insert(timestamp);
            let frame = Frame {
                data,
                orig_len: record.original_length,
                link_type: self.link_type,
                number: u32::try_from(number).unwrap_or(u32::MAX),
                timestamp,
            };
            let d = match d.as_mut() {
                Some(d) => {
                    dissect_into(frame, d);
                    d
                }
                None => d.insert(dissect(frame)),
            };
            // Every frame feeds the trackers, watched or not.
            self.tracker.track(d);
            if record.context {
                continue;
            }
            takers.clear();
            takers.extend(
                watchers
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| !w.is_done() && w.filter.as_ref().is_none_or(|f| f.matches(d)))
                    .map(|(i, _)| i),
            );
            if takers.is_empty() {
                continue;
            }
            self.row.write(d, &self.ingest.colours);
            encoded.clear();
            let mut layers = None;
            for &i in &takers {
                let (Some(w), Some(out)) = (watchers.get(i), outgoing.get_mut(i)) else {
                    continue;
                };
                if w.rows_only() {
                    if takers.len() == 1 {
                        // The one watcher: straight into its message.
                        let head = self.head(record);
                        encode_summary_packet(&head, &self.row.encodable(), &mut out.encoded);
                    } else {
                        // Encoded once for all of them.
                        if encoded.is_empty() {
                            let head = self.head(record);
                            encode_summary_packet(&head, &self.row.encodable(), &mut encoded);
                        }
                        out.encoded.extend_from_slice(&encoded);
                    }
                    out.ends.push(out.encoded.len());
                } else {
                    out.packets
                        .push(self.packet(w, record, data, d, &mut layers));
                }
            }
        }
        for (w, packets) in watchers.iter().zip(outgoing) {
            if !packets.is_empty() {
                w.deliver(self.agent, packets);
            }
        }
    }

    /// The numbers and times of a packet, as every watcher gets them.
    fn head(&self, record: &RecordHead) -> PacketHead {
        let timestamp = (record.timestamp_seconds, record.timestamp_nanos);
        let first = self.first.unwrap_or(timestamp);
        PacketHead {
            sequence: record.sequence,
            number: record.sequence,
            seconds: timestamp.0,
            nanos: i32::try_from(timestamp.1).unwrap_or(0),
            // Agents send any seconds: the difference must not overflow.
            relative_time: timestamp.0.saturating_sub(first.0) as f64
                + (f64::from(timestamp.1) - f64::from(first.1)) / 1e9,
            original_length: record.original_length,
            link_type: self.link_type.0,
        }
    }

    /// Frame `d` as watcher `w` asked for it (with a tree, bytes or fields).
    fn packet(
        &self,
        w: &Watcher,
        record: &RecordHead,
        data: &[u8],
        d: &Dissection<'_>,
        layers: &mut Option<Vec<pb::Layer>>,
    ) -> pb::Packet {
        let head = self.head(record);
        pb::Packet {
            agent: String::new(),
            sequence: head.sequence,
            number: head.number,
            timestamp: Some(prost_types::Timestamp {
                seconds: head.seconds,
                nanos: head.nanos,
            }),
            relative_time: head.relative_time,
            summary: Some(self.row.to_summary()),
            layers: if w.tree {
                layers.get_or_insert_with(|| render::layers(d)).clone()
            } else {
                Vec::new()
            },
            data: if w.bytes { data.to_vec() } else { Vec::new() },
            original_length: head.original_length,
            link_type: head.link_type,
            fields: w
                .fields
                .as_ref()
                .map_or_else(Vec::new, |c| field_values(c, d)),
        }
    }
}
