//! Who is connected and who is watching: the agents' live state, the
//! watchers, and the filter each agent should apply at the edge.
//!
//! Agent sessions deliver packets to watchers themselves (no task in between):
//! each watcher has a bounded queue; a full queue loses the packet, counts it,
//! and tells the watcher in-band once there is room again.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use encap_core::field::FieldDef;
use encap_core::filter::Filter;
use encap_fields::Collector;
use encap_proto::uplink as wire;
use encap_proto::v1::{self as pb, loss::Place, watch_event};
use tokio::sync::{mpsc, watch};
use tonic::Status;

/// Events queued per watcher before it counts as slow.
/// Messages a watcher's queue holds…
pub const WATCHER_QUEUE: usize = 1024;
/// …and packets in them: a stalled watcher holds at most this many summary
/// rows, or an eighth of it with layer trees (each is a few KiB).
pub const WATCHER_QUEUE_FRAMES: u64 = 16_384;

pub type WatchItem = Result<pb::WatchEvent, Status>;

/// One watcher's packets of one batch: built, or (summary rows) already encoded.
#[derive(Debug, Default)]
pub struct Outgoing {
    pub packets: Vec<pb::Packet>,
    /// Packets encoded as `Packets` field 2, one after another…
    pub encoded: Vec<u8>,
    /// …and where each ends in `encoded`.
    pub ends: Vec<usize>,
}

impl Outgoing {
    pub fn len(&self) -> usize {
        self.packets.len() + self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps the first `n` packets.
    fn truncate(&mut self, n: usize) {
        self.packets.truncate(n);
        let encoded = n.saturating_sub(self.packets.len());
        if encoded < self.ends.len() {
            let cut = encoded
                .checked_sub(1)
                .and_then(|last| self.ends.get(last))
                .copied()
                .unwrap_or(0);
            self.encoded.truncate(cut);
            self.ends.truncate(encoded);
        }
    }
}

impl From<Vec<pb::Packet>> for Outgoing {
    fn from(packets: Vec<pb::Packet>) -> Self {
        Outgoing {
            packets,
            ..Outgoing::default()
        }
    }
}

/// One Watch stream.
#[derive(Debug)]
pub struct Watcher {
    id: u64,
    /// Agent names; empty = every agent.
    agents: Vec<String>,
    pub filter: Option<Box<Filter>>,
    filter_text: String,
    pub tree: bool,
    pub bytes: bool,
    /// The fields asked for, and their values' buffers.
    pub fields: Option<Mutex<Collector>>,
    limit: u64,
    tx: Mutex<Option<mpsc::Sender<WatchItem>>>,
    delivered: AtomicU64,
    /// Packets in the queue (it is bounded in packets, not only in messages).
    queued: AtomicU64,
    /// Packets lost because the queue was full, per agent, not yet announced.
    lost: Mutex<BTreeMap<String, u64>>,
    /// Loss notices about the agents, not yet delivered.
    pending: Mutex<Vec<pb::Loss>>,
    done: AtomicBool,
}

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn event(kind: watch_event::Kind) -> WatchItem {
    Ok(pb::WatchEvent { kind: Some(kind) })
}

impl Watcher {
    pub fn wants(&self, agent: &str) -> bool {
        !self.is_done() && (self.agents.is_empty() || self.agents.iter().any(|a| a == agent))
    }

    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Relaxed)
    }

    /// Wants the summary row only (no tree, bytes or fields): its packets are
    /// encoded once per frame and copied, not built per watcher.
    pub fn rows_only(&self) -> bool {
        !self.tree && !self.bytes && self.fields.is_none()
    }

    fn try_send(&self, item: WatchItem) -> Result<(), Unsent> {
        let tx = lock(&self.tx);
        let Some(tx) = tx.as_ref() else {
            return Err(Unsent::Closed);
        };
        match tx.try_send(item) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => Err(Unsent::Full),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(Unsent::Closed),
        }
    }

    fn finish(&self) {
        self.done.store(true, Ordering::Relaxed);
        lock(&self.tx).take();
    }

    /// Announces losses first (while there is room), then the packets, in
    /// one message. Returns false once the watcher has all it asked for or
    /// has gone.
    pub fn deliver(&self, agent: &str, mut packets: Outgoing) -> bool {
        if self.is_done() {
            return false;
        }
        if self.limit > 0 {
            let left = self
                .limit
                .saturating_sub(self.delivered.load(Ordering::Relaxed));
            packets.truncate(usize::try_from(left).unwrap_or(usize::MAX));
        }
        let n = packets.len() as u64;
        if n == 0 {
            return true;
        }
        let room = if self.tree {
            WATCHER_QUEUE_FRAMES / 8
        } else {
            WATCHER_QUEUE_FRAMES
        };
        if !self.flush_losses() || self.queued_frames() + n > room {
            self.count_lost(agent, n);
            return true;
        }
        let batch = pb::Packets {
            agent: agent.to_string(),
            encoded_count: packets.ends.len(),
            packets: packets.packets,
            encoded: packets.encoded,
        };
        match self.try_send(event(watch_event::Kind::Packets(batch))) {
            Ok(()) => {
                self.queued.fetch_add(n, Ordering::Relaxed);
                let total = self.delivered.fetch_add(n, Ordering::Relaxed) + n;
                if self.limit > 0 && total >= self.limit {
                    self.finish();
                    return false;
                }
                true
            }
            Err(Unsent::Full) => {
                self.count_lost(agent, n);
                true
            }
            Err(Unsent::Closed) => {
                self.finish();
                false
            }
        }
    }

    /// Packets queued and not yet taken by the stream.
    fn queued_frames(&self) -> u64 {
        self.queued.load(Ordering::Relaxed)
    }

    /// The stream took `n` packets from the queue.
    pub fn taken(&self, n: u64) {
        self.queued
            .fetch_sub(n.min(self.queued_frames()), Ordering::Relaxed);
    }

    fn count_lost(&self, agent: &str, frames: u64) {
        *lock(&self.lost).entry(agent.to_string()).or_insert(0) += frames;
    }

    /// The oldest loss not yet told: notices from upstream first, then this
    /// watcher's own.
    pub fn take_loss(&self) -> Option<pb::Loss> {
        let mut pending = lock(&self.pending);
        if !pending.is_empty() {
            return Some(pending.remove(0));
        }
        drop(pending);
        let (agent, frames) = lock(&self.lost).pop_first()?;
        Some(pb::Loss {
            agent,
            frames,
            place: Place::WatcherQueue as i32,
        })
    }

    /// Queues every loss not yet told; false if the queue filled first.
    fn flush_losses(&self) -> bool {
        while let Some(loss) = self.take_loss() {
            if self
                .try_send(event(watch_event::Kind::Loss(loss.clone())))
                .is_err()
            {
                self.put_back(loss);
                return false;
            }
        }
        true
    }

    fn put_back(&self, loss: pb::Loss) {
        if loss.place == Place::WatcherQueue as i32 {
            *lock(&self.lost).entry(loss.agent).or_insert(0) += loss.frames;
        } else {
            lock(&self.pending).insert(0, loss);
        }
    }

    /// Queues a notice (agent status, or a loss upstream) without losing it.
    fn notify(&self, kind: watch_event::Kind) {
        let loss = match &kind {
            watch_event::Kind::Loss(loss) => Some(loss.clone()),
            _ => None,
        };
        let mut pending = lock(&self.pending);
        if let Some(loss) = &loss
            && !pending.is_empty()
        {
            pending.push(loss.clone());
            return;
        }
        // A status notice to a full queue is superseded by the next one; a loss waits.
        if let (Err(Unsent::Full), Some(loss)) = (self.try_send(event(kind)), loss) {
            pending.push(loss);
        }
    }
}

/// Why an event was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unsent {
    Full,
    Closed,
}

/// An agent's live state.
#[derive(Debug)]
struct AgentLive {
    online: bool,
    address: String,
    software: String,
    edge_filter: String,
    counters: wire::Counters,
    received: u64,
    last_seen: i64,
    /// The filter the agent should apply; its session sends changes.
    push: watch::Sender<String>,
}

#[derive(Debug, Default)]
struct State {
    agents: BTreeMap<String, AgentLive>,
    watchers: Vec<Arc<Watcher>>,
    next_id: u64,
}

#[derive(Debug, Default)]
pub struct Hub {
    state: Mutex<State>,
}

/// What ListAgents reports of a connected (or once connected) agent.
#[derive(Debug, Clone, Default)]
pub struct AgentView {
    pub online: bool,
    pub address: String,
    pub software: String,
    pub edge_filter: String,
    pub counters: wire::Counters,
    pub received: u64,
    pub last_seen: i64,
}

/// Removes its watcher from the hub when the Watch stream is dropped.
#[derive(Debug)]
pub struct WatcherGuard {
    hub: Arc<Hub>,
    watcher: Arc<Watcher>,
}

impl WatcherGuard {
    pub fn watcher(&self) -> &Watcher {
        &self.watcher
    }
}

impl Drop for WatcherGuard {
    fn drop(&mut self) {
        self.watcher.finish();
        self.hub.remove_watcher(self.watcher.id);
    }
}

/// The watch request, validated.
#[derive(Debug)]
pub struct WatchSpec {
    pub agents: Vec<String>,
    pub filter: Option<Box<Filter>>,
    pub filter_text: String,
    pub tree: bool,
    pub bytes: bool,
    pub fields: Vec<&'static FieldDef>,
    pub limit: u64,
}

impl Hub {
    /// Registers a watcher and tells it which of its agents are online.
    pub fn add_watcher(
        self: &Arc<Self>,
        spec: WatchSpec,
        tx: mpsc::Sender<WatchItem>,
    ) -> WatcherGuard {
        let mut state = lock(&self.state);
        state.next_id += 1;
        let watcher = Arc::new(Watcher {
            id: state.next_id,
            agents: spec.agents,
            filter: spec.filter,
            filter_text: spec.filter_text,
            tree: spec.tree,
            bytes: spec.bytes,
            fields: (!spec.fields.is_empty()).then(|| Mutex::new(Collector::new(spec.fields))),
            limit: spec.limit,
            tx: Mutex::new(Some(tx)),
            delivered: AtomicU64::new(0),
            queued: AtomicU64::new(0),
            lost: Mutex::new(BTreeMap::new()),
            pending: Mutex::new(Vec::new()),
            done: AtomicBool::new(false),
        });
        for (name, live) in &state.agents {
            if watcher.wants(name) {
                watcher.notify(watch_event::Kind::Agent(pb::AgentStatus {
                    agent: name.clone(),
                    online: live.online,
                    address: live.address.clone(),
                }));
            }
        }
        state.watchers.push(Arc::clone(&watcher));
        push_down(&mut state);
        WatcherGuard {
            hub: Arc::clone(self),
            watcher,
        }
    }

    /// Ends every Watch stream (the service is stopping).
    pub fn close_watchers(&self) {
        let state = lock(&self.state);
        for w in &state.watchers {
            w.finish();
        }
    }

    fn remove_watcher(&self, id: u64) {
        let mut state = lock(&self.state);
        state.watchers.retain(|w| w.id != id);
        push_down(&mut state);
    }

    /// The watchers of `agent` now.
    pub fn watchers_of(&self, agent: &str) -> Vec<Arc<Watcher>> {
        let state = lock(&self.state);
        state
            .watchers
            .iter()
            .filter(|w| w.wants(agent))
            .cloned()
            .collect()
    }

    /// An agent connected; returns the filter channel for its session, or the
    /// address it is already connected from.
    pub fn agent_online(
        &self,
        name: &str,
        address: &str,
        software: &str,
        now: i64,
    ) -> Result<watch::Receiver<String>, String> {
        let mut state = lock(&self.state);
        if let Some(live) = state.agents.get(name).filter(|l| l.online) {
            return Err(live.address.clone());
        }
        let (push, receiver) = watch::channel(String::new());
        state.agents.insert(
            name.to_string(),
            AgentLive {
                online: true,
                address: address.to_string(),
                software: software.to_string(),
                edge_filter: String::new(),
                counters: wire::Counters::default(),
                received: 0,
                last_seen: now,
                push,
            },
        );
        push_down(&mut state);
        announce(&state, name, true, address);
        Ok(receiver)
    }

    pub fn agent_offline(&self, name: &str, now: i64) {
        let mut state = lock(&self.state);
        let Some(live) = state.agents.get_mut(name) else {
            return;
        };
        live.online = false;
        live.last_seen = now;
        announce(&state, name, false, "");
    }

    /// A revoked agent leaves the list; dropping its filter channel ends its
    /// session, which tells the agent why.
    pub fn agent_revoked(&self, name: &str) {
        let mut state = lock(&self.state);
        if state.agents.remove(name).is_some_and(|live| live.online) {
            announce(&state, name, false, "");
        }
    }

    /// New running totals from an agent: growth in its drops is told to its
    /// watchers as loss at the source, in the agent's queue or on the uplink.
    pub fn agent_counters(&self, name: &str, counters: wire::Counters, now: i64) {
        let mut state = lock(&self.state);
        let Some(live) = state.agents.get_mut(name) else {
            return;
        };
        let source = counters
            .dropped_at_source
            .saturating_sub(live.counters.dropped_at_source);
        let queue = counters
            .dropped_in_queue
            .saturating_sub(live.counters.dropped_in_queue);
        let uplink = counters
            .lost_on_uplink
            .saturating_sub(live.counters.lost_on_uplink);
        live.counters = counters;
        live.last_seen = now;
        let losses = [
            (source, Place::Source),
            (queue, Place::AgentQueue),
            (uplink, Place::Uplink),
        ];
        for (frames, place) in losses {
            if frames > 0 {
                self.tell_loss(&state, name, frames, place);
            }
        }
    }

    fn tell_loss(&self, state: &State, name: &str, frames: u64, place: Place) {
        for w in state.watchers.iter().filter(|w| w.wants(name)) {
            w.notify(watch_event::Kind::Loss(pb::Loss {
                agent: name.to_string(),
                frames,
                place: place as i32,
            }));
        }
    }

    pub fn agent_received(&self, name: &str, frames: u64, now: i64) {
        let mut state = lock(&self.state);
        if let Some(live) = state.agents.get_mut(name) {
            live.received += frames;
            live.last_seen = now;
        }
    }

    pub fn agent_edge_filter(&self, name: &str, applied: &str) {
        let mut state = lock(&self.state);
        if let Some(live) = state.agents.get_mut(name) {
            live.edge_filter = applied.to_string();
        }
    }

    pub fn agent_view(&self, name: &str) -> Option<AgentView> {
        let state = lock(&self.state);
        state.agents.get(name).map(|l| AgentView {
            online: l.online,
            address: l.address.clone(),
            software: l.software.clone(),
            edge_filter: l.edge_filter.clone(),
            counters: l.counters,
            received: l.received,
            last_seen: l.last_seen,
        })
    }
}

fn announce(state: &State, name: &str, online: bool, address: &str) {
    for w in state.watchers.iter().filter(|w| w.wants(name)) {
        w.notify(watch_event::Kind::Agent(pb::AgentStatus {
            agent: name.to_string(),
            online,
            address: address.to_string(),
        }));
    }
}

/// Sets each online agent's edge filter to the disjunction of its watchers'
/// filters: everything when one of them wants everything or needs the whole
/// capture (`Filter::reads_history`), or when the disjunction will not compile.
fn push_down(state: &mut State) {
    let State {
        agents, watchers, ..
    } = state;
    for (name, live) in agents.iter_mut().filter(|(_, l)| l.online) {
        let mine: Vec<&Arc<Watcher>> = watchers.iter().filter(|w| w.wants(name)).collect();
        let wanted = edge_filter(&mine);
        live.push.send_if_modified(|current| {
            let changed = *current != wanted;
            if changed {
                current.clone_from(&wanted);
            }
            changed
        });
    }
}

fn edge_filter(watchers: &[&Arc<Watcher>]) -> String {
    let mut parts = Vec::new();
    for w in watchers {
        match &w.filter {
            Some(f) if !f.reads_history() => parts.push(format!("({})", w.filter_text)),
            _ => return String::new(),
        }
    }
    // Nobody watching: the agent still sends (ListAgents shows it alive), and
    // the service discards. Only a filter that compiles is pushed.
    let joined = parts.join(" || ");
    match Filter::compile(&joined) {
        Ok(_) if !parts.is_empty() => joined,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(agents: &[&str], filter: &str, limit: u64) -> WatchSpec {
        WatchSpec {
            agents: agents.iter().map(|a| a.to_string()).collect(),
            filter: (!filter.is_empty()).then(|| Box::new(Filter::compile(filter).unwrap())),
            filter_text: filter.to_string(),
            tree: false,
            bytes: false,
            fields: Vec::new(),
            limit,
        }
    }

    fn packet(sequence: u64) -> pb::Packet {
        pb::Packet {
            agent: "a".into(),
            sequence,
            ..Default::default()
        }
    }

    #[test]
    fn edge_filters_follow_the_watchers() {
        let hub = Arc::new(Hub::default());
        let push = hub.agent_online("a", "127.0.0.1:1", "test", 0).unwrap();
        assert_eq!(*push.borrow(), "");
        let (tx, _rx1) = mpsc::channel(8);
        let g1 = hub.add_watcher(spec(&["a"], "dns", 0), tx);
        assert_eq!(*push.borrow(), "(dns)");
        let (tx, _rx2) = mpsc::channel(8);
        let g2 = hub.add_watcher(spec(&[], "tcp.port == 80", 0), tx);
        assert_eq!(*push.borrow(), "(dns) || (tcp.port == 80)");
        let (tx, _rx3) = mpsc::channel(8);
        let g3 = hub.add_watcher(spec(&["b"], "", 0), tx);
        assert_eq!(
            *push.borrow(),
            "(dns) || (tcp.port == 80)",
            "another agent's watcher"
        );
        let (tx, _rx4) = mpsc::channel(8);
        let g4 = hub.add_watcher(spec(&["a"], "tcp.analysis.flags", 0), tx);
        assert_eq!(*push.borrow(), "", "needs the whole capture");
        drop(g4);
        assert_eq!(*push.borrow(), "(dns) || (tcp.port == 80)");
        drop((g1, g2, g3));
        assert_eq!(*push.borrow(), "");
        assert!(
            hub.agent_online("a", "127.0.0.1:2", "test", 0).is_err(),
            "already online"
        );
    }

    #[test]
    fn a_slow_watcher_loses_counted_and_is_told() {
        let hub = Arc::new(Hub::default());
        let (tx, mut rx) = mpsc::channel(4);
        let _g = hub.add_watcher(spec(&[], "", 0), tx);
        for seq in 1..=10 {
            let w = hub.watchers_of("a");
            assert!(w[0].deliver("a", vec![packet(seq)].into()));
        }
        let mut got = Vec::new();
        while let Ok(Ok(e)) = rx.try_recv() {
            got.push(e.kind.unwrap());
        }
        assert_eq!(got.len(), 4);
        // Room again: the next delivery first says how many were lost.
        hub.watchers_of("a")[0].deliver("a", vec![packet(11)].into());
        let Ok(Ok(pb::WatchEvent {
            kind: Some(watch_event::Kind::Loss(loss)),
        })) = rx.try_recv()
        else {
            panic!("no loss notice");
        };
        assert_eq!((loss.frames, loss.place), (6, Place::WatcherQueue as i32));
        let Ok(Ok(pb::WatchEvent {
            kind: Some(watch_event::Kind::Packets(batch)),
        })) = rx.try_recv()
        else {
            panic!("no packet");
        };
        assert_eq!(batch.packets[0].sequence, 11);
    }

    #[test]
    fn limits_end_the_stream_and_agent_drops_are_announced() {
        let hub = Arc::new(Hub::default());
        let _push = hub.agent_online("a", "127.0.0.1:1", "test", 0).unwrap();
        let (tx, mut rx) = mpsc::channel(16);
        let _g = hub.add_watcher(spec(&["a"], "", 2), tx);
        let Ok(Ok(first)) = rx.try_recv() else {
            panic!()
        };
        assert!(matches!(first.kind, Some(watch_event::Kind::Agent(ref s)) if s.online));
        let counters = wire::Counters {
            seen: 10,
            dropped_at_source: 3,
            ..Default::default()
        };
        hub.agent_counters("a", counters, 1);
        let Ok(Ok(loss)) = rx.try_recv() else {
            panic!()
        };
        assert!(
            matches!(loss.kind, Some(watch_event::Kind::Loss(ref l)) if l.frames == 3 && l.place == Place::Source as i32)
        );
        // Only the growth is told, each where it happened.
        let counters = wire::Counters {
            seen: 20,
            dropped_at_source: 3,
            lost_on_uplink: 4,
            ..Default::default()
        };
        hub.agent_counters("a", counters, 2);
        let Ok(Ok(loss)) = rx.try_recv() else {
            panic!()
        };
        assert!(
            matches!(loss.kind, Some(watch_event::Kind::Loss(ref l)) if l.frames == 4 && l.place == Place::Uplink as i32),
            "{loss:?}"
        );
        assert!(rx.try_recv().is_err(), "nothing else was lost");
        let w = hub.watchers_of("a");
        assert!(w[0].deliver("a", vec![packet(1)].into()));
        assert!(
            !w[0].deliver("a", vec![packet(2)].into()),
            "the limit is reached"
        );
        assert!(hub.watchers_of("a").is_empty());
        drop(w);
        assert!(rx.try_recv().is_ok() && rx.try_recv().is_ok());
        assert!(matches!(
            rx.try_recv(),
            Err(mpsc::error::TryRecvError::Disconnected)
        ));
    }

    #[test]
    fn a_limit_cuts_encoded_rows_at_a_packet_boundary() {
        use encap_proto::packets::{PacketHead, SummaryRow, encode_summary_packet};
        use prost::Message;
        let hub = Arc::new(Hub::default());
        let _push = hub.agent_online("a", "127.0.0.1:1", "test", 0).unwrap();
        let (tx, mut rx) = mpsc::channel(16);
        let _g = hub.add_watcher(spec(&["a"], "", 3), tx);
        let _online = rx.try_recv();
        let mut out = Outgoing::default();
        for sequence in 1..=5 {
            let head = PacketHead {
                sequence,
                ..PacketHead::default()
            };
            let info = "x".repeat(sequence as usize);
            let row = SummaryRow {
                info: &info,
                ..SummaryRow::default()
            };
            encode_summary_packet(&head, &row, &mut out.encoded);
            out.ends.push(out.encoded.len());
        }
        let w = hub.watchers_of("a");
        assert!(!w[0].deliver("a", out), "the limit is reached");
        let Ok(Ok(event)) = rx.try_recv() else {
            panic!("no packets")
        };
        let Some(watch_event::Kind::Packets(p)) = event.kind else {
            panic!("{event:?}")
        };
        assert_eq!(p.len(), 3);
        let read = pb::Packets::decode(p.encode_to_vec().as_slice()).unwrap();
        let sequences: Vec<u64> = read.packets.iter().map(|p| p.sequence).collect();
        assert_eq!(sequences, [1, 2, 3]);
        assert_eq!(read.packets[2].summary.as_ref().unwrap().info, "xxx");
    }
}
