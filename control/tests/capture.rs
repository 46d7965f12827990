//! Live capture through the real service: the real agent loop (encap-agent's
//! library) on a TCP connection, watchers through the generated client.

mod common;

use std::time::Duration;

use encap_agent::agent::Event;
use encap_agent::{AgentLoop, Config, Phase};
use encap_control::accounts::{Policy, now};
use encap_control::mailer::Mailer;
use encap_control::passwords::HashCost;
use encap_control::secrets;
use encap_control::server::{self, Running, Settings};
use encap_core::filter::Filter;
use encap_core::tracker::Tracker;
use encap_core::{Frame, LinkType, dissect};
use encap_proto::v1 as pb;
use encap_proto::v1::accounts_client::AccountsClient;
use encap_proto::v1::capture_client::CaptureClient;
use encap_proto::v1::loss::Place;
use encap_proto::v1::watch_event::Kind;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tonic::transport::Channel;
use tonic::{Code, Request, Streaming};

type Captured = ((i64, u32), u32, Vec<u8>);

fn frames(name: &str) -> Vec<Captured> {
    let path = format!("{}/../captures/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut cap = pcap::Capture::from_file(&path).unwrap();
    let mut out = Vec::new();
    while let Ok(p) = cap.next_packet() {
        let ts = (p.header.ts.tv_sec, (p.header.ts.tv_usec * 1000) as u32);
        out.push((ts, p.header.len, p.data.to_vec()));
    }
    out
}

struct Service {
    running: Running,
    token: String,
    /// Removed with the service.
    _database: common::Sqlite,
}

async fn start(name: &str) -> Service {
    let database = common::fresh_sqlite(name);
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        ingest_listen: "127.0.0.1:0".parse().unwrap(),
        database: database.url(),
        tls: None,
        mailer: Mailer::Log,
        policy: Policy {
            auto_confirm: true,
            ..Policy::default()
        },
        hash_cost: HashCost {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        },
        hash_concurrency: 2,
    };
    let running = server::start(settings).await.unwrap();
    let mut accounts = AccountsClient::connect(format!("http://{}", running.addr))
        .await
        .unwrap();
    accounts
        .register(pb::RegisterRequest {
            name: "watcher".into(),
            email: "watcher@example.org".into(),
            password: "watcher password".into(),
        })
        .await
        .unwrap();
    let token = accounts
        .login(pb::LoginRequest {
            login: "watcher".into(),
            password: "watcher password".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .token;
    Service {
        running,
        token,
        _database: database,
    }
}

impl Service {
    async fn add_agent(&self, name: &str) -> String {
        let token = secrets::new_token().unwrap();
        let store = self.running.accounts.store();
        store
            .add_agent(name, &secrets::digest(&token), now())
            .await
            .unwrap();
        token
    }

    async fn capture(&self) -> CaptureClient<Channel> {
        CaptureClient::connect(format!("http://{}", self.running.addr))
            .await
            .unwrap()
    }

    fn authorized<T>(&self, message: T) -> Request<T> {
        let mut r = Request::new(message);
        r.metadata_mut().insert(
            "authorization",
            format!("Bearer {}", self.token).parse().unwrap(),
        );
        r
    }

    async fn watch(&self, request: pb::WatchRequest) -> Streaming<pb::WatchEvent> {
        let mut client = self.capture().await;
        client
            .watch(self.authorized(request))
            .await
            .unwrap()
            .into_inner()
    }
}

/// The agent loop on a real connection to the ingest listener.
struct Agent {
    inner: AgentLoop,
    stream: TcpStream,
    events: Vec<Event>,
}

impl Agent {
    async fn connect(s: &Service, name: &str, token: &str) -> Agent {
        let config = Config::new(name.into(), token.into(), "test agent".into(), 1);
        let mut inner = AgentLoop::new(config);
        let stream = TcpStream::connect(s.running.ingest_addr).await.unwrap();
        inner.connected();
        Agent {
            inner,
            stream,
            events: Vec::new(),
        }
    }

    /// Writes what is pending and reads for up to `wait`.
    async fn pump(&mut self, wait: Duration) -> bool {
        while let Some(bytes) = self.inner.transmit() {
            let n = bytes.len();
            if self.stream.write_all(bytes).await.is_err() {
                return false;
            }
            self.inner.sent(n);
        }
        let mut buf = vec![0u8; 65536];
        match tokio::time::timeout(wait, self.stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => false,
            Ok(Ok(n)) => {
                self.events.extend(self.inner.received(&buf[..n]).unwrap());
                true
            }
            Err(_) => true,
        }
    }

    async fn until(&mut self, what: &str, done: impl Fn(&Agent) -> bool) {
        for _ in 0..200 {
            if done(self) {
                return;
            }
            if !self.pump(Duration::from_millis(20)).await && !done(self) {
                panic!("connection closed before {what}: {:?}", self.events);
            }
        }
        panic!("timed out waiting for {what}: {:?}", self.events);
    }

    async fn send_all(&mut self, frames: &[Captured]) {
        for (i, (ts, len, data)) in frames.iter().enumerate() {
            self.inner.offer(*ts, *len, data, i as u64);
            if i % 64 == 0 {
                self.pump(Duration::ZERO).await;
            }
        }
        self.inner.flush();
        self.inner.push_counters();
        self.until("everything sent", |a| a.inner.is_idle()).await;
    }
}

/// The next event, with a time limit.
async fn next(stream: &mut Streaming<pb::WatchEvent>) -> Option<Kind> {
    tokio::time::timeout(Duration::from_secs(10), stream.message())
        .await
        .expect("no event within 10 s")
        .unwrap()
        .map(|e| e.kind.unwrap())
}

#[tokio::test]
async fn agents_must_present_a_valid_token() {
    let s = start("capture-tokens").await;
    let token = s.add_agent("edge-1").await;
    let refusals = [
        (
            "edge-1",
            "0".repeat(64),
            "unknown agent name or wrong token",
        ),
        ("nobody", token.clone(), "unknown agent name or wrong token"),
    ];
    for (name, token, reason) in refusals {
        let mut a = Agent::connect(&s, name, &token).await;
        a.until("a refusal", |a| {
            matches!(a.inner.phase(), Phase::Refused { .. })
        })
        .await;
        assert!(
            matches!(a.inner.phase(), Phase::Refused { reason: r, retry: false } if r == reason)
        );
    }
    let store = s.running.accounts.store();
    assert!(store.revoke_agent("edge-1", now()).await.unwrap());
    let mut a = Agent::connect(&s, "edge-1", &token).await;
    a.until("a refusal", |a| {
        matches!(a.inner.phase(), Phase::Refused { .. })
    })
    .await;
    assert!(matches!(a.inner.phase(), Phase::Refused { reason, .. } if reason.contains("revoked")));
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn administrators_add_and_revoke_agents_over_grpc() {
    let s = start("capture-admins").await;
    let mut capture = s.capture().await;
    let add = |name: &str| s.authorized(pb::AddAgentRequest { name: name.into() });

    let denied = capture.add_agent(add("edge-9")).await.unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    assert!(
        denied
            .message()
            .contains("encap-control admins add watcher"),
        "{denied:?}"
    );

    // Granted on the service's host; the session already open sees it.
    let store = s.running.accounts.store();
    let granted = store.set_admin("watcher", true).await.unwrap().unwrap();
    assert!(granted.admin);
    assert!(store.set_admin("nobody", true).await.unwrap().is_none());
    let mut accounts = AccountsClient::connect(format!("http://{}", s.running.addr))
        .await
        .unwrap();
    let me = accounts
        .who_am_i(s.authorized(pb::WhoAmIRequest {}))
        .await
        .unwrap()
        .into_inner();
    assert!(me.user.unwrap().admin);

    let bad = capture.add_agent(add("edge 9")).await.unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert!(bad.message().starts_with("agent name contains"), "{bad:?}");

    let added = capture.add_agent(add("edge-9")).await.unwrap().into_inner();
    assert_eq!(added.name, "edge-9");
    assert!(secrets::is_token_shaped(&added.token));
    let stored = store.agent("edge-9").await.unwrap().unwrap();
    assert_eq!(stored.token_hash, secrets::digest(&added.token));
    let again = capture.add_agent(add("edge-9")).await.unwrap_err();
    assert_eq!(again.code(), Code::AlreadyExists);

    // The token works, and revoking disconnects the agent at once.
    let mut watch = s.watch(pb::WatchRequest::default()).await;
    let mut agent = Agent::connect(&s, "edge-9", &added.token).await;
    agent
        .until("welcome", |a| a.events.contains(&Event::Welcomed))
        .await;
    let Some(Kind::Agent(online)) = next(&mut watch).await else {
        panic!()
    };
    assert!(online.online);
    let revoke = |name: &str| s.authorized(pb::RevokeAgentRequest { name: name.into() });
    capture.revoke_agent(revoke("edge-9")).await.unwrap();
    agent
        .until("a refusal", |a| {
            matches!(a.inner.phase(), Phase::Refused { .. })
        })
        .await;
    assert!(matches!(
        agent.inner.phase(),
        Phase::Refused { reason, retry: false } if reason.contains("revoked")
    ));
    let Some(Kind::Agent(offline)) = next(&mut watch).await else {
        panic!()
    };
    assert!(!offline.online && offline.agent == "edge-9");
    let listed = capture
        .list_agents(s.authorized(pb::ListAgentsRequest {}))
        .await
        .unwrap()
        .into_inner();
    assert!(listed.agents.iter().all(|a| a.name != "edge-9"));
    let gone = capture.revoke_agent(revoke("edge-9")).await.unwrap_err();
    assert_eq!(gone.code(), Code::NotFound);

    // Taken back: denied again.
    store.set_admin("watcher@example.org", false).await.unwrap();
    let denied = capture.add_agent(add("edge-10")).await.unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn watchers_get_exactly_their_frames_dissected_like_encap_read() {
    let s = start("capture-filter").await;
    let token = s.add_agent("edge-1").await;
    let filter = "dns || icmp";
    let mut watch = s
        .watch(pb::WatchRequest {
            filter: filter.into(),
            tree: true,
            bytes: true,
            ..Default::default()
        })
        .await;
    let mut agent = Agent::connect(&s, "edge-1", &token).await;
    agent
        .until("the pushed filter", |a| a.inner.filter() == "(dns || icmp)")
        .await;
    let Some(Kind::Agent(status)) = next(&mut watch).await else {
        panic!()
    };
    assert!(status.online && status.agent == "edge-1");

    let mut all = frames("dns.pcap");
    all.extend(frames("http.pcap"));
    all.extend(frames("icmp.pcap"));
    agent.send_all(&all).await;

    // What encap read sees in the frames the agent let through (the edge
    // filter looks at each frame alone; the service tracks what it receives).
    let f = Filter::compile(filter).unwrap();
    let mut tracker = Box::<Tracker>::default();
    let mut expected = Vec::new();
    let mut passed_edge = 0;
    for (i, (ts, len, data)) in all.iter().enumerate() {
        let frame = Frame {
            data,
            orig_len: *len,
            link_type: LinkType(1),
            number: i as u32 + 1,
            timestamp: *ts,
        };
        if !f.matches(&dissect(frame)) {
            continue;
        }
        passed_edge += 1;
        let mut d = dissect(frame);
        tracker.track(&mut d);
        if f.matches(&d) {
            let mut info = String::new();
            let _ = d.write_computed(
                encap_core::field::Computed::ColInfo,
                &mut encap_core::text::Plain(&mut info),
            );
            expected.push((i as u64 + 1, info, data.clone()));
        }
    }
    assert!(
        expected.len() > 3 && expected.len() < all.len(),
        "{} of {}",
        expected.len(),
        all.len()
    );
    let mut got = Vec::new();
    while got.len() < expected.len() {
        match next(&mut watch).await {
            Some(Kind::Packets(b)) => got.extend(b.packets),
            other => panic!("{other:?}"),
        }
    }
    for (p, (sequence, info, data)) in got.iter().zip(&expected) {
        assert_eq!(p.sequence, *sequence);
        assert_eq!(&p.summary.as_ref().unwrap().info, info);
        assert_eq!(&p.data, data);
        assert!(
            p.layers.iter().any(|l| l.protocol == "eth"),
            "{:?}",
            p.layers
        );
    }
    // The agent filtered at the edge and said so.
    let c = agent.inner.counters();
    assert_eq!(
        (c.seen, c.filtered_out, c.sent),
        (
            all.len() as u64,
            (all.len() - passed_edge) as u64,
            passed_edge as u64
        )
    );
    let mut client = s.capture().await;
    let list = client
        .list_agents(s.authorized(pb::ListAgentsRequest {}))
        .await
        .unwrap()
        .into_inner();
    let a = &list.agents[0];
    assert_eq!(
        (a.name.as_str(), a.online, a.edge_filter.as_str()),
        ("edge-1", true, "(dns || icmp)")
    );
    assert_eq!((a.seen, a.received), (all.len() as u64, passed_edge as u64));

    // The agent goes away: the watcher is told.
    drop(agent);
    assert!(matches!(next(&mut watch).await, Some(Kind::Agent(st)) if !st.online));
    // A graceful stop ends the Watch streams (instead of waiting on them forever).
    s.running.stop().await.unwrap();
    assert!(next(&mut watch).await.is_none());
}

#[tokio::test]
async fn a_watcher_that_stops_reading_loses_counted_frames_and_slows_nobody() {
    let s = start("capture-slow").await;
    let token = s.add_agent("edge-1").await;
    // Big messages, so that HTTP/2's windows cannot absorb them all.
    let mut slow = s
        .watch(pb::WatchRequest {
            tree: true,
            bytes: true,
            ..Default::default()
        })
        .await;
    let mut fast = s.watch(pb::WatchRequest::default()).await;
    let mut agent = Agent::connect(&s, "edge-1", &token).await;
    agent
        .until("welcome", |a| a.inner.phase() == &Phase::Ready)
        .await;
    let one = frames("http.pcap");
    let mut all = Vec::new();
    // More than the queue (16,384 packets) and HTTP/2's windows hold.
    while all.len() < 40_000 {
        all.extend(one.iter().cloned());
    }
    let total = all.len() as u64;
    let reader = tokio::spawn(async move {
        let mut packets = 0u64;
        while packets < total {
            match next(&mut fast).await {
                Some(Kind::Packets(b)) => packets += b.packets.len() as u64,
                Some(Kind::Loss(l)) => panic!("the fast watcher lost {l:?}"),
                _ => {}
            }
        }
        packets
    });
    agent.send_all(&all).await;
    assert_eq!(reader.await.unwrap(), total);
    // The slow one now reads: what was queued, then how much was lost.
    let mut packets = 0u64;
    let mut lost = 0u64;
    while packets + lost < total {
        match next(&mut slow).await {
            Some(Kind::Packets(b)) => packets += b.packets.len() as u64,
            Some(Kind::Loss(l)) => {
                assert_eq!(
                    (l.place, l.agent.as_str()),
                    (Place::WatcherQueue as i32, "edge-1")
                );
                lost += l.frames;
            }
            Some(Kind::Agent(_)) => {}
            None => break,
        }
    }
    assert!(lost > 0, "nothing was lost: {packets}");
    assert_eq!(packets + lost, all.len() as u64);
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn watch_requests_are_checked() {
    let s = start("capture-errors").await;
    s.add_agent("edge-1").await;
    let mut client = s.capture().await;
    let bad = client
        .watch(s.authorized(pb::WatchRequest {
            filter: "ip.srcx == 1".into(),
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert!(
        bad.message()
            .contains("\"ip.srcx\" is neither a field nor a protocol name"),
        "{}",
        bad.message()
    );
    let unknown = client
        .watch(s.authorized(pb::WatchRequest {
            agents: vec!["nope".into()],
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    let anonymous = client.watch(pb::WatchRequest::default()).await.unwrap_err();
    assert_eq!(anonymous.code(), Code::Unauthenticated);
    let anonymous = client
        .list_agents(pb::ListAgentsRequest {})
        .await
        .unwrap_err();
    assert_eq!(anonymous.code(), Code::Unauthenticated);
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn a_limit_ends_the_stream() {
    let s = start("capture-limit").await;
    let token = s.add_agent("edge-1").await;
    let mut watch = s
        .watch(pb::WatchRequest {
            limit: 5,
            ..Default::default()
        })
        .await;
    let mut agent = Agent::connect(&s, "edge-1", &token).await;
    agent
        .until("welcome", |a| a.inner.phase() == &Phase::Ready)
        .await;
    agent.send_all(&frames("dns.pcap")).await;
    let mut packets = 0;
    while let Some(kind) = next(&mut watch).await {
        if let Kind::Packets(b) = kind {
            packets += b.packets.len();
        }
    }
    assert_eq!(packets, 5);
    s.running.stop().await.unwrap();
}
