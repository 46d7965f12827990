//! The agent loop: frames in, uplink bytes out, the service's orders in.

use alloc::string::String;
use alloc::vec::Vec;

use encap_core::{Frame, LinkType};
use encap_proto::batch::RecordHead;
use encap_proto::uplink::{self as wire, agent_message, service_message};

use crate::batch::Batcher;
use crate::counters::Counters;
use crate::edge::EdgeFilter;
use crate::framing::{self, Decoder, FrameError};
use crate::outbox::Outbox;

/// Who the agent is and how much it may hold.
#[derive(Debug, Clone)]
pub struct Config {
    pub name: String,
    pub token: String,
    /// e.g. "encap-agent 0.1.0 (linux)".
    pub software: String,
    pub link_type: u32,
    /// Bytes kept of each frame.
    pub snap_len: u32,
    /// A batch is sent at this many frames…
    pub batch_frames: usize,
    /// …or this many bytes…
    pub batch_bytes: usize,
    /// …or when its first frame has waited this long.
    pub linger_ms: u64,
    /// Bytes of batches held while the service is slow or away; beyond, frames are dropped and counted.
    pub queue_bytes: usize,
    pub counters_every_ms: u64,
    /// The largest message accepted from the service.
    pub max_service_message: usize,
    /// Every batch reserves `batch_bytes` at once, never grown (for a small
    /// heap: see [`Batcher::full_buffers`]); otherwise about the last batch's size.
    pub full_batch_buffers: bool,
}

impl Config {
    /// Defaults for a host: batches of 256 frames or 256 KiB, 20 ms linger, 16 MiB queue.
    pub fn new(name: String, token: String, software: String, link_type: u32) -> Self {
        Config {
            name,
            token,
            software,
            link_type,
            snap_len: 65_535,
            batch_frames: 256,
            batch_bytes: 256 * 1024,
            linger_ms: 20,
            queue_bytes: 16 * 1024 * 1024,
            counters_every_ms: 1_000,
            max_service_message: 64 * 1024,
            full_batch_buffers: false,
        }
    }
}

/// Where the uplink stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Disconnected,
    /// Connected; Hello sent or being sent, Welcome awaited.
    Greeting,
    Ready,
    /// The service said no; `retry` says whether reconnecting can help.
    Refused {
        reason: String,
        retry: bool,
    },
}

/// What the service said, for the embedding program's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Welcomed,
    Refused {
        reason: String,
        retry: bool,
    },
    /// A filter was applied (`error` empty) or could not be.
    Filter(wire::FilterStatus),
    SnapLen(u32),
}

impl core::fmt::Display for Event {
    /// One line for the log (the Linux agent's stderr, the board's UART).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Event::Welcomed => write!(f, "welcomed"),
            Event::Refused {
                reason,
                retry: false,
            } => write!(f, "the service refused this agent: {reason}"),
            Event::Refused {
                reason,
                retry: true,
            } => write!(f, "the service refused this agent for now: {reason}"),
            Event::Filter(status) if status.error.is_empty() && status.filter.is_empty() => {
                write!(f, "edge filter: every frame")
            }
            Event::Filter(status) if status.error.is_empty() => {
                write!(f, "edge filter: {}", status.filter)
            }
            Event::Filter(status) => write!(
                f,
                "cannot apply the filter \"{}\" (column {}: {}); sending every frame",
                status.filter, status.column, status.error
            ),
            Event::SnapLen(n) => write!(f, "snap length {n}"),
        }
    }
}

#[derive(Debug)]
pub struct AgentLoop {
    config: Config,
    edge: EdgeFilter,
    batcher: Batcher,
    outbox: Outbox,
    decoder: Decoder,
    counters: Counters,
    phase: Phase,
    /// Hello's bytes and how many are written.
    hello: Option<(Vec<u8>, usize)>,
    last_sequence: u64,
    last_counters_ms: u64,
    /// Bytes sent of frames the edge filter drops (the service's choice).
    context_bytes: u32,
    /// The service's clock in its last Welcome (Unix µs).
    service_time_us: Option<u64>,
}

fn agent_message(kind: agent_message::Kind) -> Vec<u8> {
    framing::encode(&wire::AgentMessage { kind: Some(kind) })
}

impl AgentLoop {
    pub fn new(config: Config) -> Self {
        AgentLoop {
            edge: EdgeFilter::default(),
            batcher: {
                let batcher =
                    Batcher::new(config.batch_frames, config.batch_bytes, config.linger_ms);
                if config.full_batch_buffers {
                    batcher.full_buffers()
                } else {
                    batcher
                }
            },
            outbox: Outbox::new(config.queue_bytes),
            decoder: Decoder::new(config.max_service_message),
            counters: Counters::default(),
            phase: Phase::Disconnected,
            hello: None,
            last_sequence: 0,
            last_counters_ms: 0,
            context_bytes: 0,
            service_time_us: None,
            config,
        }
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// The service's clock when it welcomed this agent (Unix µs), if it
    /// said: an agent without a wall clock stamps frames from it.
    pub fn service_time_us(&self) -> Option<u64> {
        self.service_time_us
    }

    pub fn filter(&self) -> &str {
        self.edge.text()
    }

    /// The source's own drop count (a running total).
    pub fn set_dropped_at_source(&mut self, total: u64) {
        self.counters.dropped_at_source = total;
    }

    /// One frame from the source.
    pub fn offer(&mut self, timestamp: (i64, u32), original_length: u32, data: &[u8], now_ms: u64) {
        self.last_sequence += 1;
        self.counters.seen += 1;
        let frame = Frame {
            data,
            orig_len: original_length,
            link_type: LinkType(self.config.link_type),
            number: u32::try_from(self.last_sequence).unwrap_or(u32::MAX),
            timestamp,
        };
        let context = !self.edge.matches(frame);
        if context {
            self.counters.filtered_out += 1;
            if self.context_bytes == 0 {
                return;
            }
        }
        let limit = if context {
            self.context_bytes
        } else {
            self.config.snap_len
        };
        let keep = data.len().min(limit as usize);
        let head = RecordHead {
            sequence: self.last_sequence,
            timestamp_seconds: timestamp.0,
            timestamp_nanos: timestamp.1,
            original_length,
            context,
        };
        let data = data.get(..keep).unwrap_or(data);
        if !self.batcher.fits(&head, data) {
            self.flush();
        }
        self.batcher.push(&head, data, now_ms);
        if self.batcher.is_due(now_ms) {
            self.flush();
        }
    }

    /// Sends what is due: a lingering batch, the counters.
    pub fn poll(&mut self, now_ms: u64) {
        if self.batcher.is_due(now_ms) {
            self.flush();
        }
        if self.phase == Phase::Ready
            && now_ms.saturating_sub(self.last_counters_ms) >= self.config.counters_every_ms
        {
            self.last_counters_ms = now_ms;
            let bytes = agent_message(agent_message::Kind::Counters(self.counters.to_wire()));
            // Counters are small and periodic: a full queue just skips one.
            let _ = self.outbox.push(bytes.into(), 0);
        }
    }

    /// Whether the uplink queue has room: a source that can wait (a file)
    /// waits instead of losing frames.
    pub fn has_room(&self) -> bool {
        // Room for the batch being built at its largest (full, plus one
        // more frame and framing), so a waiting source never loses one.
        let largest_batch = self.config.batch_bytes + self.config.snap_len as usize + 1024;
        self.outbox.bytes() + self.batcher.bytes() + largest_batch <= self.config.queue_bytes
    }

    /// Nothing batched and nothing queued.
    pub fn is_idle(&self) -> bool {
        self.batcher.is_empty() && self.outbox.is_empty()
    }

    /// Queues the counters now (e.g. before a clean exit).
    pub fn push_counters(&mut self) {
        let bytes = agent_message(agent_message::Kind::Counters(self.counters.to_wire()));
        self.outbox.push_always(bytes);
    }

    /// Puts the current batch in the queue (or drops it, counted, if full).
    pub fn flush(&mut self) {
        if self.batcher.is_empty() {
            return;
        }
        let frames = self.batcher.frames() as u64;
        if self.outbox.push(self.batcher.take(), frames).is_err() {
            self.counters.dropped_in_queue += frames;
        }
    }

    /// A TCP connection to the service is up: Hello goes first.
    pub fn connected(&mut self) {
        let hello = wire::Hello {
            version: wire::Version::Version1 as i32,
            agent_name: self.config.name.clone(),
            agent_token: self.config.token.clone(),
            software: self.config.software.clone(),
            link_type: self.config.link_type,
            snap_len: self.config.snap_len,
        };
        self.hello = Some((agent_message(agent_message::Kind::Hello(hello)), 0));
        self.decoder.clear();
        self.phase = Phase::Greeting;
    }

    /// The connection broke (or was closed after a refusal).
    pub fn disconnected(&mut self) {
        self.counters.lost_on_uplink += self.outbox.lose_partial();
        self.hello = None;
        self.decoder.clear();
        if !matches!(self.phase, Phase::Refused { .. }) {
            self.phase = Phase::Disconnected;
        }
    }

    /// Bytes to write to the socket now, if any.
    pub fn transmit(&self) -> Option<&[u8]> {
        match self.phase {
            Phase::Greeting => self
                .hello
                .as_ref()
                .and_then(|(b, n)| b.get(*n..))
                .filter(|b| !b.is_empty()),
            Phase::Ready => self.outbox.pending(),
            _ => None,
        }
    }

    /// `n` bytes of `transmit()` were written.
    pub fn sent(&mut self, n: usize) {
        match self.phase {
            Phase::Greeting => {
                if let Some((_, written)) = &mut self.hello {
                    *written += n;
                }
            }
            Phase::Ready => self.counters.sent += self.outbox.advance(n),
            _ => {}
        }
    }

    /// Bytes read from the service; returns what it said. An error means the
    /// stream is broken: close the connection.
    pub fn received(&mut self, bytes: &[u8]) -> Result<Vec<Event>, FrameError> {
        self.decoder.push(bytes);
        let mut events = Vec::new();
        while let Some(message) = self.decoder.next_message::<wire::ServiceMessage>()? {
            let Some(kind) = message.kind else {
                continue;
            };
            match kind {
                service_message::Kind::Welcome(w) => {
                    self.phase = Phase::Ready;
                    events.push(Event::Welcomed);
                    self.context_bytes = w.context_bytes;
                    self.service_time_us = (w.unix_time_us != 0).then_some(w.unix_time_us);
                    events.push(self.apply_filter(&w.filter));
                }
                service_message::Kind::Refused(r) => {
                    self.phase = Phase::Refused {
                        reason: r.reason.clone(),
                        retry: r.retry,
                    };
                    events.push(Event::Refused {
                        reason: r.reason,
                        retry: r.retry,
                    });
                }
                service_message::Kind::SetFilter(f) => {
                    self.context_bytes = f.context_bytes;
                    events.push(self.apply_filter(&f.filter));
                }
                service_message::Kind::SetSnapLen(s) => {
                    if s.snap_len > 0 {
                        self.config.snap_len = s.snap_len;
                    }
                    events.push(Event::SnapLen(self.config.snap_len));
                }
            }
        }
        Ok(events)
    }

    fn apply_filter(&mut self, text: &str) -> Event {
        let status = self.edge.set(text);
        // The answer must reach the service: it is small, so it ignores the bound.
        let bytes = agent_message(agent_message::Kind::FilterStatus(status.clone()));
        self.outbox.push_always(bytes);
        Event::Filter(status)
    }
}
