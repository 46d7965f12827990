//! `encap-control`: the encap control service.

// Every streamed packet is a handful of small strings made on one thread and
// freed on another; mimalloc takes that at a fraction of glibc's cost.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use encap_control::accounts::{Limits, Policy};
use encap_control::mailer::Mailer;
use encap_control::passwords::HashCost;
use encap_control::server::{self, Settings, TlsFiles};
use encap_control::store::DatabaseUrl;

#[derive(Debug, Parser)]
#[command(
    name = "encap-control",
    version,
    about = "The encap control service: accounts over gRPC"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the gRPC API until SIGINT or SIGTERM.
    ///
    /// Every flag can also be set by the ENCAP_* variable shown with it.
    /// Example: encap-control serve --auto-confirm
    Serve(Box<ServeArgs>),
    /// Add, list or revoke capture agents (run on the service's host, against its database).
    Agents {
        #[command(subcommand)]
        command: AgentsCommand,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Grant or take back the right to add and revoke agents over gRPC
    /// (`encap agents add NAME`). Run on the service's host.
    Admins {
        #[command(subcommand)]
        command: AdminsCommand,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum AdminsCommand {
    /// Make an account an administrator.
    Add {
        /// The account's name or email.
        login: String,
    },
    /// Make an administrator an ordinary account again.
    Remove {
        /// The account's name or email.
        login: String,
    },
    /// List the administrators.
    List,
}

#[derive(Debug, Subcommand)]
enum AgentsCommand {
    /// Add an agent and print its token (shown once; the service keeps only its hash).
    Add {
        /// 1 to 64 letters, digits, '.', '_' or '-'.
        name: String,
    },
    /// List the agents.
    List,
    /// Revoke an agent's token: it is refused from its next connection on.
    Revoke { name: String },
}

#[derive(Debug, Args)]
struct DatabaseArgs {
    /// sqlite:PATH or mysql://USER:PASSWORD@HOST:PORT/DATABASE [default: sqlite:DATA_DIR/encap.db]
    #[arg(
        long,
        env = "ENCAP_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    database_url: Option<String>,
    /// Where the default SQLite database lives [default: $XDG_DATA_HOME/encap or ~/.local/share/encap].
    #[arg(long, env = "ENCAP_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
}

impl DatabaseArgs {
    fn url(self) -> Result<DatabaseUrl, String> {
        match self.database_url {
            Some(url) => url.parse::<DatabaseUrl>(),
            None => {
                let dir = self.data_dir.unwrap_or_else(default_data_dir);
                std::fs::create_dir_all(&dir).map_err(|e| {
                    format!("cannot create the data directory {}: {e}", dir.display())
                })?;
                Ok(DatabaseUrl::Sqlite(format!(
                    "sqlite:{}",
                    dir.join("encap.db").display()
                )))
            }
        }
    }
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "ENCAP_LISTEN", default_value = "127.0.0.1:50051")]
    listen: SocketAddr,
    /// Address and port agents connect to (the uplink protocol).
    #[arg(long, env = "ENCAP_INGEST_LISTEN", default_value = "127.0.0.1:50052")]
    ingest_listen: SocketAddr,
    #[command(flatten)]
    database: DatabaseArgs,
    /// PEM certificate chain; with --tls-key, serve TLS instead of plaintext.
    #[arg(long, env = "ENCAP_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, env = "ENCAP_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Mail confirmation codes through this relay (smtp://HOST[:PORT]); without it they are logged.
    #[arg(long, env = "ENCAP_SMTP_URL")]
    smtp_url: Option<String>,
    /// The sender of confirmation mails.
    #[arg(long, env = "ENCAP_MAIL_FROM", default_value = "encap@localhost")]
    mail_from: String,
    /// Confirm new accounts at once, without a mail (for demos).
    #[arg(long, env = "ENCAP_AUTO_CONFIRM")]
    auto_confirm: bool,
    /// How long a login lasts (e.g. 90s, 30m, 24h, 7d).
    #[arg(long, env = "ENCAP_SESSION_TTL", default_value = "24h", value_parser = seconds)]
    session_ttl: i64,
    /// How long a confirmation code is accepted.
    #[arg(long, env = "ENCAP_CONFIRMATION_TTL", default_value = "24h", value_parser = seconds)]
    confirmation_ttl: i64,
    /// argon2id memory cost in KiB (OWASP's minimum is 19456).
    #[arg(long, env = "ENCAP_ARGON2_MEMORY_KIB", default_value_t = 19_456)]
    argon2_memory_kib: u32,
    /// argon2id iterations.
    #[arg(long, env = "ENCAP_ARGON2_ITERATIONS", default_value_t = 2)]
    argon2_iterations: u32,
    /// argon2id lanes.
    #[arg(long, env = "ENCAP_ARGON2_PARALLELISM", default_value_t = 1)]
    argon2_parallelism: u32,
    /// Password hashes computed at once [default: the number of cores].
    #[arg(long, env = "ENCAP_HASH_CONCURRENCY")]
    hash_concurrency: Option<usize>,
    /// Failed logins allowed per account within --login-failure-window.
    #[arg(long, env = "ENCAP_LOGIN_FAILURES", default_value_t = 10)]
    login_failures: i64,
    #[arg(long, env = "ENCAP_LOGIN_FAILURE_WINDOW", default_value = "15m", value_parser = seconds)]
    login_failure_window: i64,
    /// Calls without a login (register, confirm, login…) allowed per client address within --address-window.
    #[arg(long, env = "ENCAP_ADDRESS_CALLS", default_value_t = 60)]
    address_calls: i64,
    #[arg(long, env = "ENCAP_ADDRESS_WINDOW", default_value = "1m", value_parser = seconds)]
    address_window: i64,
    /// error, warn, info or debug.
    #[arg(long, env = "ENCAP_LOG_LEVEL", default_value = "info")]
    log_level: tracing::Level,
}

/// "90", "90s", "15m", "24h", "7d" → seconds.
fn seconds(text: &str) -> Result<i64, String> {
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "{text:?}: expected a number with s, m, h or d, like 30m"
            ));
        }
    };
    let n: i64 = digits
        .parse()
        .map_err(|_| format!("{text:?}: expected a number with s, m, h or d, like 30m"))?;
    match n.checked_mul(scale) {
        Some(s) if s > 0 => Ok(s),
        _ => Err(format!(
            "{text:?}: must be more than 0 and less than forever"
        )),
    }
}

fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("encap");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".local/share/encap"),
        None => PathBuf::from("encap-data"),
    }
}

fn settings(args: ServeArgs) -> Result<Settings, String> {
    let database = args.database.url()?;
    let mailer = match &args.smtp_url {
        Some(url) => Mailer::smtp(url, &args.mail_from)?,
        None => Mailer::Log,
    };
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        _ => None,
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(Settings {
        listen: args.listen,
        ingest_listen: args.ingest_listen,
        database,
        tls,
        mailer,
        policy: Policy {
            auto_confirm: args.auto_confirm,
            session_ttl: args.session_ttl,
            code_ttl: args.confirmation_ttl,
            limits: Limits {
                account_failures: args.login_failures,
                account_window: args.login_failure_window,
                address_calls: args.address_calls,
                address_window: args.address_window,
                ..Limits::default()
            },
        },
        hash_cost: HashCost {
            memory_kib: args.argon2_memory_kib,
            iterations: args.argon2_iterations,
            parallelism: args.argon2_parallelism,
        },
        hash_concurrency: args.hash_concurrency.unwrap_or(cores),
    })
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    tracing_subscriber::fmt()
        .with_max_level(args.log_level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let settings = settings(args)?;
    let tls = settings.tls.is_some();
    let database = settings.database.to_string();
    let running = server::start(settings).await?;
    tracing::info!(ingest = %running.ingest_addr, "agents connect here");
    tracing::info!(
        addr = %running.addr,
        tls,
        %database,
        "encap-control serving (grpcurl {}{} list)",
        if tls { "" } else { "-plaintext " },
        running.addr
    );
    shutdown_signal().await?;
    tracing::info!("stopping: letting running calls finish");
    running.stop().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn open_store(database: DatabaseArgs) -> Result<encap_control::store::Store, String> {
    let url = database.url()?;
    encap_control::store::Store::connect(&url)
        .await
        .map_err(|e| format!("database {url}: {e}"))
}

async fn agents(command: AgentsCommand, database: DatabaseArgs) -> Result<(), String> {
    use encap_control::{accounts::now, agents};
    let store = open_store(database).await?;
    let result = match command {
        AgentsCommand::Add { name } => match agents::add(&store, &name, now()).await {
            Ok(added) => {
                println!("{}", added.token);
                eprintln!(
                    "added agent {name}; start it with: encap-agent --name {name} --token {token} …\n\
                     (the token is shown once; the service keeps only its hash)",
                    name = added.name,
                    token = added.token
                );
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        },
        AgentsCommand::List => match store.agents().await {
            Ok(list) => {
                for a in list {
                    let state = if a.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    println!("{}\t{state}", a.name);
                }
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        },
        AgentsCommand::Revoke { name } => match agents::revoke(&store, &name, now()).await {
            Ok(()) => {
                eprintln!(
                    "revoked agent {name}; a running service disconnects it when an admin \
                     revokes over gRPC, otherwise at its next connection"
                );
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        },
    };
    store.close().await;
    result
}

/// Makes the account with this name or email an administrator or not.
async fn set_admin(
    store: &encap_control::store::Store,
    login: &str,
    admin: bool,
) -> Result<encap_control::store::User, String> {
    let key = login.trim().to_lowercase();
    match store.set_admin(&key, admin).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(format!("no account has the name or email {key:?}")),
        Err(e) => Err(e.to_string()),
    }
}

async fn admins(command: AdminsCommand, database: DatabaseArgs) -> Result<(), String> {
    let store = open_store(database).await?;
    let result = match command {
        AdminsCommand::Add { login } => set_admin(&store, &login, true).await.map(|u| {
            eprintln!(
                "{} is an administrator: encap agents add NAME works for them now",
                u.name
            )
        }),
        AdminsCommand::Remove { login } => set_admin(&store, &login, false)
            .await
            .map(|u| eprintln!("{} is no longer an administrator", u.name)),
        AdminsCommand::List => match store.users().await {
            Ok(users) => {
                for u in users.into_iter().filter(|u| u.admin) {
                    println!("{}\t{}", u.name, u.email);
                }
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        },
    };
    store.close().await;
    result
}

async fn shutdown_signal() -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).map_err(|e| format!("SIGTERM handler: {e}"))?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| format!("SIGINT handler: {e}"))?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("encap-control: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::Serve(args) => runtime.block_on(serve(*args)),
        Command::Agents { command, database } => runtime.block_on(agents(command, database)),
        Command::Admins { command, database } => runtime.block_on(admins(command, database)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("encap-control: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        assert_eq!(super::seconds("90"), Ok(90));
        assert_eq!(super::seconds("15m"), Ok(900));
        assert_eq!(super::seconds("24h"), Ok(86_400));
        assert_eq!(super::seconds("7d"), Ok(604_800));
        assert!(super::seconds("0s").is_err());
        assert!(super::seconds("1w").unwrap_err().contains("s, m, h or d"));
        assert!(super::seconds("").is_err());
    }
}
