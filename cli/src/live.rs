//! `encap watch` and `encap agents`: live dissection from the service.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use encap_core::LinkType;
use encap_fields::Text;
use encap_proto::packets::SummaryRow;
use encap_proto::rows::{self, PacketRow, RowsEvent, RowsKind};
use encap_proto::v1 as pb;
use encap_proto::v1::capture_client::CaptureClient;
use encap_proto::v1::loss::Place;

use crate::account::{self, Target, authorized, explain, normalize_server, saved_token};
use crate::capture::{PcapWriter, RecordMeta};
use crate::output::fields::{self, FieldsOptions};
use crate::output::json::{JsonLayer, JsonOutput};
use crate::output::{colour, hex, line};
use crate::read::Format;

/// What `encap watch` was asked for.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub agents: Vec<String>,
    pub filter: Option<String>,
    pub format: Format,
    pub verbose: bool,
    pub hex: bool,
    /// `-T fields` with these fields (their values come from the service).
    pub fields: Vec<String>,
    pub fields_options: FieldsOptions,
    pub count: Option<u64>,
    pub write: Option<PathBuf>,
    pub color: bool,
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

async fn client(
    target: &Target,
) -> Result<(CaptureClient<tonic::transport::Channel>, String), String> {
    let (channel, token) = channel(target).await?;
    Ok((CaptureClient::new(channel), token))
}

/// A connection to the service and the saved session token for it.
async fn channel(target: &Target) -> Result<(tonic::transport::Channel, String), String> {
    let server = normalize_server(&target.server)?;
    let token = saved_token(&server)?;
    let channel = account::connect::channel(&server, target.ca_cert.as_deref()).await?;
    Ok((channel, token))
}

pub fn agents(target: &Target) -> Result<(), String> {
    runtime()?.block_on(async {
        let (mut client, token) = client(target).await?;
        let list = client
            .list_agents(authorized(pb::ListAgentsRequest {}, &token)?)
            .await
            .map_err(explain)?
            .into_inner();
        if list.agents.is_empty() {
            println!(
                "no agents yet: add one with encap agents add NAME (an administrator) or encap-control agents add NAME on the service's host"
            );
            return Ok(());
        }
        println!(
            "{:<16} {:<8} {:<22} {:>10} {:>10} {:>8} {:>10}  edge filter",
            "AGENT", "STATE", "ADDRESS", "SEEN", "SENT", "DROPPED", "RECEIVED"
        );
        for a in list.agents {
            let state = if a.online { "online" } else { "offline" };
            let filter = if a.edge_filter.is_empty() {
                "(every frame)"
            } else {
                &a.edge_filter
            };
            println!(
                "{:<16} {:<8} {:<22} {:>10} {:>10} {:>8} {:>10}  {filter}",
                a.name,
                state,
                a.address,
                a.seen,
                a.sent,
                a.dropped_at_source + a.dropped_in_queue + a.lost_on_uplink,
                a.received
            );
        }
        Ok(())
    })
}

/// Prints the new agent's token on stdout (for scripts), how to use it on stderr.
pub fn add_agent(target: &Target, name: &str) -> Result<(), String> {
    runtime()?.block_on(async {
        let (mut client, token) = client(target).await?;
        let added = client
            .add_agent(authorized(pb::AddAgentRequest { name: name.into() }, &token)?)
            .await
            .map_err(explain)?
            .into_inner();
        println!("{}", added.token);
        eprintln!(
            "added agent {name}; start it with: encap-agent --name {name} --token {token} --service HOST:PORT …\n\
             (the token is shown once; the service keeps only its hash)",
            name = added.name,
            token = added.token
        );
        Ok(())
    })
}

pub fn revoke_agent(target: &Target, name: &str) -> Result<(), String> {
    runtime()?.block_on(async {
        let (mut client, token) = client(target).await?;
        client
            .revoke_agent(authorized(
                pb::RevokeAgentRequest { name: name.into() },
                &token,
            )?)
            .await
            .map_err(explain)?;
        eprintln!("revoked agent {name}: it is disconnected and refused from now on");
        Ok(())
    })
}

fn place(p: i32) -> &'static str {
    match Place::try_from(p) {
        Ok(Place::Source) => "at the agent's capture source",
        Ok(Place::AgentQueue) => "in the agent's queue (service slow or away)",
        Ok(Place::Uplink) => "between the agent and the service",
        Ok(Place::WatcherQueue) => "because this terminal read too slowly",
        _ => "somewhere on the way",
    }
}

/// Runs until Ctrl-C or `-c` packets; a pcap being written is complete either way.
pub fn watch(target: &Target, opts: WatchOptions) -> Result<(), String> {
    // Checked here too, so a typo is told before connecting.
    let names: Vec<&str> = fields::resolve(&opts.fields)?
        .iter()
        .map(|d| d.abbrev)
        .collect();
    runtime()?.block_on(async move {
        let (channel, token) = channel(target).await?;
        let request = pb::WatchRequest {
            agents: opts.agents.clone(),
            filter: opts.filter.clone().unwrap_or_default(),
            // json and ek are built from the service's tree.
            tree: opts.verbose || matches!(opts.format, Format::Json | Format::Ek),
            bytes: opts.hex || opts.write.is_some(),
            limit: opts.count.unwrap_or(0),
            fields: opts.fields.clone(),
        };
        // Read with rows left encoded until printed (see encap_proto::rows).
        let mut stream = rows::watch(channel, authorized(request, &token)?)
            .await
            .map_err(explain)?;
        let mut printer = Printer::new(&opts, &names)?;
        let streamed = stream_into(&mut stream, &mut printer).await;
        // Finished even when the stream broke: the pcap and JSON stay whole.
        let finished = printer.finish();
        streamed.and(finished)
    })
}

/// Prints events until the stream ends, Ctrl-C, or an error.
async fn stream_into(
    stream: &mut tonic::Streaming<RowsEvent>,
    printer: &mut Printer<'_>,
) -> Result<(), String> {
    loop {
        // Output is flushed when no event is waiting: a burst costs one
        // write per buffer, a quiet stream shows each line at once.
        let ready = tokio::time::timeout(std::time::Duration::ZERO, stream.message()).await;
        let event = match ready {
            Ok(e) => e.map_err(explain)?,
            Err(_) => {
                printer.flush()?;
                tokio::select! {
                    e = stream.message() => e.map_err(explain)?,
                    _ = tokio::signal::ctrl_c() => None,
                }
            }
        };
        let Some(event) = event else {
            return Ok(());
        };
        match event.kind {
            Some(RowsKind::Packets(batch)) => {
                for encoded in batch.iter() {
                    let encoded = encoded.map_err(|e| format!("the service sent {e}"))?;
                    let row =
                        PacketRow::read(encoded).map_err(|e| format!("the service sent {e}"))?;
                    if row.more || printer.wants_whole() {
                        let whole = PacketRow::decode_whole(encoded).map_err(|e| {
                            format!("the service sent a packet that does not decode: {e}")
                        })?;
                        printer.packet(&whole)?;
                    } else {
                        printer.row(&row)?;
                    }
                }
            }
            Some(RowsKind::Loss(l)) => {
                eprintln!(
                    "encap: {} frame(s) of {} lost {}",
                    l.frames,
                    l.agent,
                    place(l.place)
                );
            }
            Some(RowsKind::Agent(a)) if a.online => {
                eprintln!("encap: agent {} online ({})", a.agent, a.address)
            }
            Some(RowsKind::Agent(a)) => eprintln!("encap: agent {} offline", a.agent),
            None => {}
        }
    }
}

/// The layer tree the service sent, as the JSON writer takes it.
fn json_layers(p: &pb::Packet) -> Vec<JsonLayer<'_>> {
    p.layers
        .iter()
        .map(|l| JsonLayer {
            protocol: &l.protocol,
            fields: l
                .fields
                .iter()
                .map(|f| (f.name.as_str(), f.value.as_str()))
                .collect(),
        })
        .collect()
}

/// A packet's field values as the service computed them.
struct Sent<'p>(&'p pb::Packet);

impl fields::Values for Sent<'_> {
    fn field_count(&self) -> usize {
        self.0.fields.len()
    }

    fn values(&self, i: usize) -> &[String] {
        self.0.fields.get(i).map_or(&[], |f| f.values.as_slice())
    }
}

struct Printer<'o> {
    opts: &'o WatchOptions,
    out: BufWriter<io::Stdout>,
    text: Text,
    /// The summary line before colouring (kept between packets).
    row: Text,
    /// `-T fields`: the values the service sent.
    fields: bool,
    /// `-T json` or `-T ek`.
    json: Option<JsonOutput>,
    pcap: Option<PcapWriter<BufWriter<File>>>,
    pcap_started: bool,
}

impl<'o> Printer<'o> {
    fn new(opts: &'o WatchOptions, field_names: &[&str]) -> Result<Self, String> {
        let pcap = match &opts.write {
            Some(path) => {
                let f = File::create(path)
                    .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                Some(PcapWriter::new(BufWriter::new(f)))
            }
            None => None,
        };
        let mut printer = Printer {
            opts,
            // A burst is written 64 KiB at a time (a pipe's size), not 8.
            out: BufWriter::with_capacity(1 << 16, io::stdout()),
            text: Text::new(),
            row: Text::new(),
            fields: !field_names.is_empty(),
            json: match opts.format {
                Format::Json => Some(JsonOutput::new(false)),
                Format::Ek => Some(JsonOutput::new(true)),
                Format::Text | Format::Fields => None,
            },
            pcap,
            pcap_started: false,
        };
        if printer.fields && opts.fields_options.header {
            fields::write_header(&mut printer.out, field_names, &opts.fields_options)
                .map_err(|e| format!("cannot write: {e}"))?;
        }
        Ok(printer)
    }

    fn packet(&mut self, p: &pb::Packet) -> Result<(), String> {
        let timestamp = p
            .timestamp
            .map_or((0, 0), |t| (t.seconds, u32::try_from(t.nanos).unwrap_or(0)));
        if let Some(w) = &mut self.pcap {
            if !self.pcap_started {
                w.start(LinkType(p.link_type))
                    .map_err(|e| format!("cannot write the pcap: {e}"))?;
                self.pcap_started = true;
            }
            let meta = RecordMeta {
                link_type: LinkType(p.link_type),
                orig_len: p.original_length,
                timestamp,
            };
            w.write(&meta, &p.data)
                .map_err(|e| format!("cannot write the pcap: {e}"))?;
        }
        self.text.clear();
        if self.fields {
            fields::write_line(
                &mut self.out,
                &Sent(p),
                &self.opts.fields_options,
                &mut self.text,
            )
            .map_err(|e| format!("cannot write: {e}"))?;
            return Ok(());
        }
        if let Some(json) = &mut self.json {
            json.packet(&mut self.text, &json_layers(p), timestamp);
            return self
                .out
                .write_all(self.text.as_bytes())
                .map_err(|e| format!("cannot write: {e}"));
        }
        let none = pb::Summary::default();
        let s = p.summary.as_ref().unwrap_or(&none);
        self.summary_line(
            p.number,
            p.relative_time,
            &SummaryRow {
                source: &s.source,
                destination: &s.destination,
                protocol: &s.protocol,
                length: s.length,
                info: &s.info,
                colour_rule: &s.colour_rule,
                foreground: s.foreground,
                background: s.background,
            },
        );
        if self.opts.verbose {
            for layer in &p.layers {
                self.text.push_str(&format!(
                    "{} [bytes {}..{}]\n",
                    layer.protocol,
                    layer.offset,
                    layer.offset + layer.length
                ));
                for f in &layer.fields {
                    let (open, close) = if f.generated { ("[", "]") } else { ("", "") };
                    self.text
                        .push_str(&format!("    {open}{}: {}{close}\n", f.label, f.value));
                }
            }
        }
        if self.opts.hex {
            hex::format_hex(&mut self.text, &p.data);
        }
        if self.opts.verbose || self.opts.hex {
            self.text.push('\n');
        }
        self.out
            .write_all(self.text.as_bytes())
            .map_err(|e| format!("cannot write: {e}"))
    }

    /// True when a packet's row is not all that is printed or written.
    fn wants_whole(&self) -> bool {
        self.fields
            || self.json.is_some()
            || self.pcap.is_some()
            || self.opts.verbose
            || self.opts.hex
    }

    /// A packet of which only the row is printed, read in place.
    fn row(&mut self, p: &PacketRow<'_>) -> Result<(), String> {
        self.text.clear();
        self.summary_line(p.head.number, p.head.relative_time, &p.row);
        self.out
            .write_all(self.text.as_bytes())
            .map_err(|e| format!("cannot write: {e}"))
    }

    /// Appends the packet-list line, coloured as the service said.
    fn summary_line(&mut self, number: u64, relative_time: f64, r: &SummaryRow<'_>) {
        let rel = (relative_time * 1e9) as i64;
        let coloured = self.opts.color && !r.colour_rule.is_empty();
        // A plain line goes straight into the output text; a coloured one is
        // laid out first, then painted.
        let target = if coloured {
            self.row.clear();
            &mut self.row
        } else {
            &mut self.text
        };
        line::format_columns(
            target,
            number,
            rel,
            r.source,
            r.destination,
            r.protocol,
            r.length,
            r.info,
        );
        if coloured {
            let rgb = |c: u32| ((c >> 16) as u8, (c >> 8) as u8, c as u8);
            colour::paint_rgb(
                &mut self.text,
                rgb(r.foreground),
                rgb(r.background),
                &self.row,
            );
        }
        self.text.push('\n');
    }

    fn flush(&mut self) -> Result<(), String> {
        self.out.flush().map_err(|e| format!("cannot write: {e}"))
    }

    fn finish(mut self) -> Result<(), String> {
        if let Some(json) = &self.json {
            self.out
                .write_all(json.end().as_bytes())
                .map_err(|e| format!("cannot write: {e}"))?;
        }
        self.flush()?;
        if let Some(w) = self.pcap {
            let mut inner = w
                .finish()
                .map_err(|e| format!("cannot write the pcap: {e}"))?;
            inner
                .flush()
                .map_err(|e| format!("cannot write the pcap: {e}"))?;
        }
        Ok(())
    }
}
