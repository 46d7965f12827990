//! `encap`: read captures like tshark (and, later, watch live dissection).

// Every streamed packet is a handful of small strings made on one thread and
// freed on another; mimalloc takes that at a fraction of glibc's cost.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use encap::account::{self, AccountCommand, PasswordFrom, Target};
use encap::output::fields::FieldsOptions;
use encap::read::{self, Format, ReadOptions};

#[derive(Parser, Debug)]
#[command(
    name = "encap",
    version,
    about = "Dissect packets the way Wireshark does, from capture files or live from capture agents through the encap service.",
    after_help = "Examples:\n  encap read -r capture.pcap\n  encap read -r capture.pcapng -V -c 3\n  encap read -r capture.pcap -Y 'tcp.port == 443 && tcp.analysis.flags'\n  encap read -r capture.pcap -T fields -e ip.src -e dns.qry.name -E header=y\n  encap fields | grep ^dns.\n  encap register --name alice --email alice@example.org && encap confirm CODE\n  encap login alice && encap whoami\n  encap watch -Y 'dns || http' --agent edge-1"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Read a pcap or pcapng file and print one line per frame (tshark's -r).
    Read(ReadArgs),
    /// List the fields encap knows, with their Wireshark abbreviations.
    Fields,
    /// Create an account on the encap service (a confirmation code is mailed).
    Register {
        /// Login name: 1 to 64 letters, digits, '.', '_' or '-'.
        #[arg(long)]
        name: String,
        /// Where the confirmation code goes.
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input instead of asking.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Confirm your account with the code from the confirmation mail.
    Confirm {
        /// The code, e.g. 7KQ2-9XMD-4TRA (case and dashes do not matter).
        code: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Ask for a new confirmation code.
    Resend {
        /// The email address you registered with.
        email: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Log in; the session token is kept in ~/.config/encap/sessions (mode 0600).
    Login {
        /// Your name or email.
        login: String,
        /// Read the password from the first line of standard input instead of asking.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// End the session and forget its token.
    Logout {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Show the account you are logged in as.
    Whoami {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Watch live dissection from the service's agents (Ctrl-C ends it).
    Watch(WatchArgs),
    /// List the capture agents, online or not, with their counters; add or
    /// revoke one (administrators).
    Agents {
        #[command(subcommand)]
        command: Option<AgentsCommand>,
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(Subcommand, Debug)]
enum AgentsCommand {
    /// List the agents (the same as `encap agents`).
    List {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Add an agent and print its token for `encap-agent --token` (administrators;
    /// the token is shown once, the service keeps only its hash).
    Add {
        /// 1 to 64 letters, digits, '.', '_' or '-'.
        name: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Revoke an agent's token: a connected agent is disconnected and refused
    /// from then on (administrators).
    Revoke {
        name: String,
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(clap::Args, Debug)]
struct WatchArgs {
    /// Watch only this agent (repeatable); without it, every agent.
    #[arg(long = "agent", value_name = "NAME")]
    agents: Vec<String>,
    /// Show only frames matching this display filter; the agents apply it too.
    #[arg(short = 'Y', value_name = "FILTER")]
    filter: Option<String>,
    /// Print the layer tree of each frame (dissected by the service).
    #[arg(short = 'V')]
    verbose: bool,
    /// Print each frame's bytes as a hex dump.
    #[arg(short = 'x')]
    hex: bool,
    /// Output format: text, fields (with -e; values computed by the service),
    /// json (an array, as tshark -T json) or ek (newline-delimited, for bulk indexing).
    #[arg(short = 'T', value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// A field to print with -T fields (repeatable).
    #[arg(short = 'e', value_name = "FIELD")]
    fields: Vec<String>,
    /// -T fields options, as for encap read.
    #[arg(short = 'E', value_name = "KEY=VALUE")]
    fields_options: Vec<String>,
    /// Stop after this many frames.
    #[arg(short = 'c', value_name = "N")]
    count: Option<u64>,
    /// Also write the frames to this pcap file (complete even after Ctrl-C).
    #[arg(short = 'w', value_name = "OUT")]
    write: Option<PathBuf>,
    /// Colour the lines: auto (on a terminal), always or never.
    #[arg(long = "color", value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(clap::Args, Debug)]
struct ServerArgs {
    /// The encap service: http://HOST:PORT, or https://HOST:PORT for TLS.
    #[arg(long, env = "ENCAP_SERVER", default_value = encap::account::DEFAULT_SERVER)]
    server: String,
    /// A PEM CA certificate to trust for an https:// server (e.g. a self-signed one).
    #[arg(long, env = "ENCAP_CA_CERT", value_name = "PEM")]
    ca_cert: Option<PathBuf>,
}

impl ServerArgs {
    fn target(self) -> Target {
        Target {
            server: self.server,
            ca_cert: self.ca_cert,
        }
    }
}

fn password_from(stdin: bool) -> PasswordFrom {
    if stdin {
        PasswordFrom::Stdin
    } else {
        PasswordFrom::Prompt
    }
}

#[derive(clap::Args, Debug)]
struct ReadArgs {
    /// The capture file to read (pcap or pcapng); `-` reads standard input.
    #[arg(short = 'r', long = "read-file", value_name = "FILE")]
    file: PathBuf,
    /// Accepted for tshark compatibility: encap never resolves names.
    #[arg(short = 'n')]
    no_resolve: bool,
    /// Print the layer tree of each frame.
    #[arg(short = 'V')]
    verbose: bool,
    /// Print each frame's bytes as a hex dump.
    #[arg(short = 'x')]
    hex: bool,
    /// Output format.
    #[arg(short = 'T', value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// A field to print with -T fields (repeatable), e.g. -e ip.src.
    #[arg(short = 'e', value_name = "FIELD")]
    fields: Vec<String>,
    /// -T fields options: header=y|n, separator=/t|/s|C, occurrence=f|l|a|N, aggregator=C, quote=d|s|n.
    #[arg(short = 'E', value_name = "KEY=VALUE")]
    fields_options: Vec<String>,
    /// Stop after reading this many frames (shown or not, as tshark's -c).
    #[arg(short = 'c', value_name = "N")]
    count: Option<u64>,
    /// Also write the frames shown (all, or those -Y matches) to this pcap file.
    #[arg(short = 'w', value_name = "OUT")]
    write: Option<PathBuf>,
    /// Show only frames matching this display filter (Wireshark syntax), e.g. 'dns || tcp.port == 80'.
    #[arg(short = 'Y', value_name = "FILTER")]
    filter: Option<String>,
    /// Colour the lines: auto (on a terminal), always or never.
    #[arg(long = "color", value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Never show the progress bar.
    #[arg(long = "no-progress")]
    no_progress: bool,
    /// Threads that format frames (default: one a core, at most 4); the output
    /// is the same with any number.
    #[arg(long = "threads", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: Option<u16>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Fields,
    Json,
    Ek,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Text => Format::Text,
            OutputFormat::Fields => Format::Fields,
            OutputFormat::Json => Format::Json,
            OutputFormat::Ek => Format::Ek,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Read(args) => run_read(args),
        Command::Fields => list_fields(),
        Command::Register {
            name,
            email,
            password_stdin,
            server,
        } => account::run(
            &server.target(),
            AccountCommand::Register {
                name,
                email,
                password: password_from(password_stdin),
            },
        ),
        Command::Confirm { code, server } => {
            account::run(&server.target(), AccountCommand::Confirm { code })
        }
        Command::Resend { email, server } => {
            account::run(&server.target(), AccountCommand::Resend { email })
        }
        Command::Login {
            login,
            password_stdin,
            server,
        } => account::run(
            &server.target(),
            AccountCommand::Login {
                login,
                password: password_from(password_stdin),
            },
        ),
        Command::Logout { server } => account::run(&server.target(), AccountCommand::Logout),
        Command::Whoami { server } => account::run(&server.target(), AccountCommand::WhoAmI),
        Command::Watch(args) => run_watch(args),
        Command::Agents { command, server } => match command {
            None => encap::live::agents(&server.target()),
            Some(AgentsCommand::List { server }) => encap::live::agents(&server.target()),
            Some(AgentsCommand::Add { name, server }) => {
                encap::live::add_agent(&server.target(), &name)
            }
            Some(AgentsCommand::Revoke { name, server }) => {
                encap::live::revoke_agent(&server.target(), &name)
            }
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("encap: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn color_on(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

fn run_watch(args: WatchArgs) -> Result<(), String> {
    let mut fields_options = FieldsOptions::default();
    for spec in &args.fields_options {
        fields_options.set(spec)?;
    }
    match (args.format, args.fields.is_empty()) {
        (OutputFormat::Fields, true) => {
            return Err("-T fields needs at least one -e FIELD (e.g. -e ip.src)".into());
        }
        (OutputFormat::Text | OutputFormat::Json | OutputFormat::Ek, false) => {
            return Err("-e only applies with -T fields".into());
        }
        _ => {}
    }
    let opts = encap::live::WatchOptions {
        agents: args.agents,
        filter: args.filter,
        format: Format::from(args.format),
        verbose: args.verbose,
        hex: args.hex,
        fields: args.fields,
        fields_options,
        count: args.count,
        write: args.write,
        color: color_on(args.color),
    };
    encap::live::watch(&args.server.target(), opts)
}

fn run_read(args: ReadArgs) -> Result<(), String> {
    let _ = args.no_resolve;
    let color = color_on(args.color);
    let mut fields_options = FieldsOptions::default();
    for spec in &args.fields_options {
        fields_options.set(spec)?;
    }
    let opts = ReadOptions {
        input: args.file,
        format: Format::from(args.format),
        verbose: args.verbose,
        hex: args.hex,
        fields: args.fields,
        fields_options,
        count: args.count,
        write: args.write,
        filter: args.filter,
        color,
        progress: !args.no_progress,
        threads: args.threads.map_or_else(read::default_threads, usize::from),
    };
    // Unlocked: whichever thread's block is next writes it.
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout());
    match read::run(&opts, &mut out) {
        Ok(_) => Ok(()),
        // A closed pipe (`| head`) is a normal way to stop reading.
        Err(read::ReadError::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            let _ = out.flush();
            Err(e.to_string())
        }
    }
}

fn list_fields() -> Result<(), String> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    for f in encap_core::field::registry::all() {
        let kind = format!("{:?}", f.kind);
        if writeln!(out, "{:<45} {:<16} {}", f.abbrev, kind, f.name).is_err() {
            return Ok(());
        }
    }
    out.flush().ok();
    Ok(())
}
