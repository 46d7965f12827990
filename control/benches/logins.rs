//! Login load: logins/s and latency at concurrency 1, 8 and 64, on SQLite and
//! (when ENCAP_BENCH_MYSQL_URL names a server) MariaDB, with WhoAmI latency
//! measured during the storm. A table, not a pass/fail.
//!
//!     bash scripts/bench-logins.sh        (starts a private MariaDB)
//!     cargo bench -p encap-control --bench logins   (SQLite only)

use std::time::{Duration, Instant};

use encap_control::accounts::{Limits, Policy};
use encap_control::mailer::Mailer;
use encap_control::passwords::HashCost;
use encap_control::server::{self, Settings};
use encap_control::store::DatabaseUrl;
use encap_proto::v1 as pb;
use encap_proto::v1::accounts_client::AccountsClient;
use tonic::Request;
use tonic::transport::Channel;

const USERS: usize = 64;
const PASSWORD: &str = "load test password";
/// How long each concurrency level runs.
const ROUND: Duration = Duration::from_secs(6);
/// WhoAmI calls per second during a storm.
const WHOAMI_EVERY: Duration = Duration::from_millis(10);

struct Round {
    concurrency: usize,
    logins_per_s: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
    whoami_p50: Duration,
    whoami_p99: Duration,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn round(client: &AccountsClient<Channel>, token: &str, concurrency: usize) -> Round {
    let deadline = Instant::now() + ROUND;
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let mut c = client.clone();
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            let mut i = w;
            while Instant::now() < deadline {
                let request = pb::LoginRequest {
                    login: format!("user{}", i % USERS),
                    password: PASSWORD.into(),
                };
                let t = Instant::now();
                match c.login(request).await {
                    Ok(_) => lat.push(t.elapsed()),
                    Err(_) => errors += 1,
                }
                i += concurrency;
            }
            (lat, errors)
        }));
    }
    let mut c = client.clone();
    let token = token.to_string();
    let prober = tokio::spawn(async move {
        let mut lat = Vec::new();
        let mut tick = tokio::time::interval(WHOAMI_EVERY);
        while Instant::now() < deadline {
            tick.tick().await;
            let mut request = Request::new(pb::WhoAmIRequest {});
            request
                .metadata_mut()
                .insert("authorization", format!("Bearer {token}").parse().unwrap());
            let t = Instant::now();
            if c.who_am_i(request).await.is_ok() {
                lat.push(t.elapsed());
            }
        }
        lat
    });
    let started = Instant::now();
    let mut all = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (lat, e) = w.await.unwrap();
        all.extend(lat);
        errors += e;
    }
    let elapsed = started.elapsed();
    let mut whoami = prober.await.unwrap();
    all.sort();
    whoami.sort();
    Round {
        concurrency,
        logins_per_s: all.len() as f64 / elapsed.as_secs_f64(),
        p50: percentile(&all, 0.50),
        p99: percentile(&all, 0.99),
        errors,
        whoami_p50: percentile(&whoami, 0.50),
        whoami_p99: percentile(&whoami, 0.99),
    }
}

async fn backend(name: &str, database: DatabaseUrl) -> Vec<Round> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        ingest_listen: "127.0.0.1:0".parse().unwrap(),
        database,
        tls: None,
        mailer: Mailer::Log,
        policy: Policy {
            auto_confirm: true,
            limits: Limits {
                address_calls: i64::MAX / 2,
                ..Limits::default()
            },
            ..Policy::default()
        },
        hash_cost: HashCost::default(),
        hash_concurrency: cores,
    };
    let running = server::start(settings).await.unwrap();
    let client = AccountsClient::connect(format!("http://{}", running.addr))
        .await
        .unwrap();
    for i in 0..USERS {
        let mut c = client.clone();
        c.register(pb::RegisterRequest {
            name: format!("user{i}"),
            email: format!("user{i}@example.org"),
            password: PASSWORD.into(),
        })
        .await
        .unwrap();
    }
    let token = client
        .clone()
        .login(pb::LoginRequest {
            login: "user0".into(),
            password: PASSWORD.into(),
        })
        .await
        .unwrap()
        .into_inner()
        .token;
    let mut rounds = Vec::new();
    for concurrency in [1, 8, 64] {
        let r = round(&client, &token, concurrency).await;
        eprintln!("{name}: concurrency {concurrency} done");
        rounds.push(r);
    }
    running.stop().await.unwrap();
    rounds
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // A login costs one verification: that sets the ceiling.
    let verify_ms = {
        let p = encap_control::passwords::Passwords::new(HashCost::default(), 1).unwrap();
        let phc = runtime.block_on(p.hash(PASSWORD.into())).unwrap();
        let n = 20;
        let t = Instant::now();
        for _ in 0..n {
            runtime
                .block_on(p.verify(Some(phc.clone()), PASSWORD.into()))
                .unwrap();
        }
        t.elapsed().as_secs_f64() * 1000.0 / f64::from(n)
    };
    let ceiling = cores as f64 * 1000.0 / verify_ms;
    let dir = std::env::temp_dir().join(format!("encap-bench-logins-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut results = vec![(
        "SQLite",
        runtime.block_on(backend(
            "SQLite",
            DatabaseUrl::Sqlite(format!("sqlite:{}", dir.join("bench.db").display())),
        )),
    )];
    match std::env::var("ENCAP_BENCH_MYSQL_URL") {
        Ok(url) => {
            let url: DatabaseUrl = url.parse().unwrap();
            results.push(("MariaDB", runtime.block_on(backend("MariaDB", url))));
        }
        Err(_) => eprintln!(
            "ENCAP_BENCH_MYSQL_URL is not set: MariaDB skipped (scripts/bench-logins.sh sets it)"
        ),
    }
    let _ = std::fs::remove_dir_all(&dir);

    println!();
    println!(
        "argon2id m=19456 KiB t=2 p=1: {verify_ms:.1} ms a verification; {cores} cores → ceiling {ceiling:.0} logins/s"
    );
    println!();
    println!(
        "| backend | concurrency | logins/s | of ceiling | p50 ms | p99 ms | errors | WhoAmI p50 ms | WhoAmI p99 ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (name, rounds) in &results {
        for r in rounds {
            println!(
                "| {name} | {} | {:.1} | {:.0} % | {} | {} | {} | {} | {} |",
                r.concurrency,
                r.logins_per_s,
                100.0 * r.logins_per_s / ceiling,
                ms(r.p50),
                ms(r.p99),
                r.errors,
                ms(r.whoami_p50),
                ms(r.whoami_p99),
            );
        }
    }
}
