//! `encap-board-config`: writes a board's deployment settings (name, token,
//! service, address) into a built firmware image, or shows the ones there.
//! The firmware reads them at boot; one image serves every board.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use encap_agent::net::Addressing;
use encap_agent::net::settings::{self, BLOCK_BYTES, MacText, Settings, SettingsError};

const SECTION: &str = ".encap_settings";

#[derive(Debug, Parser)]
#[command(
    name = "encap-board-config",
    version,
    about = "Write an encap board's settings into its firmware image (or show them).",
    after_help = "Examples:\n  encap-board-config encap-board.elf --name board-1 --token TOKEN --service 192.0.2.1:50052 --address dhcp\n  encap-board-config encap-board.elf --name board-1 --token TOKEN --service 192.0.2.1:50052 --address 192.0.2.9/24 -o board-1.elf\n  encap-board-config board-1.elf --show\n\nThe token comes from `encap agents add NAME` or `encap-control agents add NAME`."
)]
struct Args {
    /// The firmware image (ELF) built for the board.
    image: PathBuf,
    /// Print the settings in the image and check them; change nothing.
    #[arg(long, conflicts_with_all = ["name", "token", "service", "address", "gateway", "mac", "output"])]
    show: bool,
    /// The agent's name, as added on the service.
    #[arg(long, required_unless_present = "show")]
    name: Option<String>,
    /// The agent's token.
    #[arg(
        long,
        env = "ENCAP_AGENT_TOKEN",
        hide_env_values = true,
        required_unless_present = "show"
    )]
    token: Option<String>,
    /// The service's ingest address, IPv4:PORT.
    #[arg(long, required_unless_present = "show", value_parser = settings::parse_service)]
    service: Option<std::net::SocketAddrV4>,
    /// The board's address, ADDRESS/PREFIX or "dhcp".
    #[arg(long, value_name = "CIDR|dhcp", default_value = "dhcp", value_parser = settings::parse_addressing)]
    address: Addressing,
    /// With a static --address: the default gateway.
    #[arg(long, value_name = "IP")]
    gateway: Option<Ipv4Addr>,
    /// The board's MAC address (default: the one the MAC loads itself).
    #[arg(long, value_parser = settings::parse_mac)]
    mac: Option<[u8; 6]>,
    /// Write the configured image here instead of changing IMAGE in place.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Where the settings block lies in the ELF file: (file offset, size).
fn find_section(elf: &[u8]) -> Result<(usize, usize), String> {
    let u16_at = |at: usize| {
        elf.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |at: usize| {
        elf.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    if elf.get(..6) != Some(b"\x7fELF\x01\x01".as_slice()) {
        return Err("not a 32-bit little-endian ELF image (the board's firmware is one)".into());
    }
    let short = || String::from("the ELF image is cut short");
    let table = u32_at(0x20).ok_or_else(short)?;
    let entry_size = usize::from(u16_at(0x2e).ok_or_else(short)?);
    let count = usize::from(u16_at(0x30).ok_or_else(short)?);
    let names = usize::from(u16_at(0x32).ok_or_else(short)?);
    let header = |i: usize| table + i * entry_size;
    let names_offset = u32_at(header(names) + 16).ok_or_else(short)?;
    for i in 0..count {
        let name_at = names_offset + u32_at(header(i)).ok_or_else(short)?;
        let name = elf.get(name_at..).unwrap_or_default();
        let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())];
        if name == SECTION.as_bytes() {
            let offset = u32_at(header(i) + 16).ok_or_else(short)?;
            let size = u32_at(header(i) + 20).ok_or_else(short)?;
            if size != BLOCK_BYTES || elf.len() < offset + size {
                return Err(format!(
                    "{SECTION} is {size} bytes, not {BLOCK_BYTES}: firmware and tool differ in version"
                ));
            }
            return Ok((offset, size));
        }
    }
    Err(format!(
        "no {SECTION} section: is this encap's board firmware?"
    ))
}

fn show(settings: &Settings<'_>) {
    println!("name     {}", settings.name);
    println!("token    (set, {} characters)", settings.token.len());
    println!("service  {}", settings.service);
    match settings.addressing {
        Addressing::Dhcp => println!("address  dhcp"),
        Addressing::Static { address, gateway } => {
            println!("address  {address}");
            if let Some(gateway) = gateway {
                println!("gateway  {gateway}");
            }
        }
    }
    match settings.mac {
        Some(mac) => println!("mac      {}", MacText(mac)),
        None => println!("mac      (the MAC's own)"),
    }
}

fn run(args: Args) -> Result<(), String> {
    let path = args.image.display().to_string();
    let mut elf = std::fs::read(&args.image).map_err(|e| format!("{path}: {e}"))?;
    let (offset, size) = find_section(&elf).map_err(|e| format!("{path}: {e}"))?;
    if args.show {
        return match Settings::parse(&elf[offset..offset + size]) {
            Ok(settings) => {
                show(&settings);
                Ok(())
            }
            Err(SettingsError::Missing) => Err(format!(
                "{path}: no settings yet; write them with --name, --token, --service, --address"
            )),
            Err(e) => Err(format!("{path}: {e}")),
        };
    }
    let addressing = args
        .address
        .with_gateway(args.gateway)
        .map_err(|e| format!("--gateway: {e}"))?;
    let (name, token) = (
        args.name.unwrap_or_default(),
        args.token.unwrap_or_default(),
    );
    let settings = Settings {
        name: &name,
        token: &token,
        // clap makes it required without --show.
        service: args.service.ok_or("--service is required")?,
        addressing,
        mac: args.mac,
    };
    let block = settings.encode().map_err(|e| e.to_string())?;
    // What the board will read must be what was asked: parse it back.
    Settings::parse(&block).map_err(|e| format!("the settings do not read back: {e}"))?;
    elf[offset..offset + size].copy_from_slice(&block);
    let out = args.output.unwrap_or(args.image);
    std::fs::write(&out, &elf).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!(
        "encap-board-config: settings for {name} written into {}",
        out.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("encap-board-config: {e}");
            ExitCode::FAILURE
        }
    }
}
