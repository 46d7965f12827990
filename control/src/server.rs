//! Assembling the gRPC server: accounts behind the auth layer, health,
//! reflection (v1 and v1alpha, for grpcurl 1.8), limits, TLS, and a
//! graceful stop.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use std::sync::Arc;

use encap_core::colour::Colouring;
use encap_proto::v1::accounts_server::AccountsServer;
use encap_proto::v1::capture_server::CaptureServer;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::transport::{Identity, Server, ServerTlsConfig};

use crate::accounts::{Accounts, Policy, now};
use crate::api::AccountsService;
use crate::auth::AuthLayer;
use crate::capture::{CaptureService, Hub, Ingest};
use crate::mailer::Mailer;
use crate::passwords::{HashCost, Passwords};
use crate::store::{DatabaseUrl, Store};

/// The largest request accepted: a password of 1,024 four-byte characters
/// plus a name and an email fit many times over.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Everything `encap-control serve` was configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    /// Where agents connect (the uplink protocol, not gRPC).
    pub ingest_listen: SocketAddr,
    pub database: DatabaseUrl,
    pub tls: Option<TlsFiles>,
    pub mailer: Mailer,
    pub policy: Policy,
    pub hash_cost: HashCost,
    /// Password hashes computed at once (each takes a core).
    pub hash_concurrency: usize,
}

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A server that is listening; `stop` shuts it down gracefully.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    pub ingest_addr: SocketAddr,
    pub accounts: Accounts,
    pub hub: Arc<Hub>,
    stop: oneshot::Sender<()>,
    stop_ingest: watch::Sender<bool>,
    ingest: JoinHandle<()>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
    purge: JoinHandle<()>,
}

impl Running {
    /// Stops accepting calls, lets running ones finish, closes the database.
    pub async fn stop(self) -> Result<(), String> {
        let _ = self.stop_ingest.send(true);
        let _ = self.ingest.await;
        // Watch streams never end by themselves: end them, or the graceful stop waits forever.
        self.hub.close_watchers();
        let _ = self.stop.send(());
        self.purge.abort();
        let served = self
            .task
            .await
            .map_err(|e| format!("the server task failed: {e}"))?;
        self.accounts.store().close().await;
        served.map_err(|e| format!("the server failed: {e}"))
    }
}

/// Connects to the database (migrating it), binds the listener and starts serving.
pub async fn start(settings: Settings) -> Result<Running, String> {
    let store = Store::connect(&settings.database)
        .await
        .map_err(|e| format!("database {}: {e}", settings.database))?;
    let passwords = Passwords::new(settings.hash_cost, settings.hash_concurrency)?;
    let accounts = Accounts::new(
        store,
        passwords,
        settings.mailer.clone(),
        settings.policy.clone(),
    );

    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<AccountsServer<AccountsService>>()
        .await;
    let reflection_v1 = reflection()
        .build_v1()
        .map_err(|e| format!("reflection: {e}"))?;
    let reflection_v1alpha = reflection()
        .build_v1alpha()
        .map_err(|e| format!("reflection: {e}"))?;
    let accounts_service = AccountsServer::new(AccountsService::new(accounts.clone()))
        .max_decoding_message_size(MAX_REQUEST_BYTES);
    let hub = Arc::new(Hub::default());
    let capture_service = CaptureServer::new(CaptureService {
        store: accounts.store().clone(),
        hub: Arc::clone(&hub),
    })
    .max_decoding_message_size(MAX_REQUEST_BYTES);
    health.set_serving::<CaptureServer<CaptureService>>().await;

    let mut builder = Server::builder()
        // Watch streams carry many small messages: windows larger than HTTP/2's
        // 64 KiB default keep a live watcher from stalling on flow control.
        .initial_stream_window_size(Some(4 * 1024 * 1024))
        .initial_connection_window_size(Some(16 * 1024 * 1024))
        .timeout(Duration::from_secs(30))
        .concurrency_limit_per_connection(256);
    if let Some(tls) = &settings.tls {
        builder = builder
            .tls_config(ServerTlsConfig::new().identity(identity(tls)?))
            .map_err(|e| format!("TLS: {e}"))?;
    }
    let router = builder
        .layer(AuthLayer::new(accounts.clone()))
        .add_service(accounts_service)
        .add_service(capture_service)
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha);

    let listener = TcpListener::bind(settings.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(router.serve_with_incoming_shutdown(
        TcpListenerStream::new(listener),
        async {
            let _ = stopped.await;
        },
    ));
    let purge = tokio::spawn(purge_expired(accounts.clone()));

    let ingest_listener = TcpListener::bind(settings.ingest_listen)
        .await
        .map_err(|e| {
            format!(
                "cannot listen for agents on {}: {e}",
                settings.ingest_listen
            )
        })?;
    let ingest_addr = ingest_listener
        .local_addr()
        .map_err(|e| format!("cannot read the ingest address: {e}"))?;
    let colours = Colouring::new()
        .map_err(|(name, e)| format!("colouring rule {name:?} does not compile: {e}"))?;
    let ingest = Ingest {
        store: accounts.store().clone(),
        hub: Arc::clone(&hub),
        colours: Arc::new(colours),
    };
    let (stop_ingest, ingest_stopped) = watch::channel(false);
    let ingest = tokio::spawn(crate::capture::ingest::serve(
        ingest_listener,
        ingest,
        ingest_stopped,
    ));
    Ok(Running {
        addr,
        ingest_addr,
        accounts,
        hub,
        stop,
        stop_ingest,
        ingest,
        task,
        purge,
    })
}

fn reflection() -> tonic_reflection::server::Builder<'static> {
    tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(encap_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
}

fn identity(tls: &TlsFiles) -> Result<Identity, String> {
    let read = |path: &PathBuf, what: &str| {
        std::fs::read(path)
            .map_err(|e| format!("cannot read the TLS {what} {}: {e}", path.display()))
    };
    Ok(Identity::from_pem(
        read(&tls.cert, "certificate")?,
        read(&tls.key, "key")?,
    ))
}

/// Deletes expired sessions and codes and stale rate-limit buckets every few minutes.
async fn purge_expired(accounts: Accounts) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        match accounts.store().purge(now(), 24 * 3600).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(rows = n, "purged expired rows"),
            Err(e) => tracing::warn!(error = %e, "purging expired rows failed"),
        }
    }
}
