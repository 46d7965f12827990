//! `encap read`: dissect a capture file and print it the way tshark does.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use encap_core::tracker::Tracker;
use encap_core::{Frame, dissect};

use crate::capture::{CaptureError, CaptureReader, PcapWriter, RecordMeta};
use crate::output::fields::{self, Collector, FieldsOptions};
use crate::output::layers::render_layers;
use crate::output::{colour, hex, json, line, tree};

/// How each frame is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Fields,
    Json,
    Ek,
}

/// Everything `encap read` was asked to do.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// `-` for standard input.
    pub input: PathBuf,
    pub format: Format,
    pub verbose: bool,
    pub hex: bool,
    pub fields: Vec<String>,
    pub fields_options: FieldsOptions,
    /// Frames read (not shown) stop the run, as tshark's `-c`.
    pub count: Option<u64>,
    pub write: Option<PathBuf>,
    /// A display filter (`-Y`): only matching frames are printed and written.
    pub filter: Option<String>,
    /// Paint summary lines with Wireshark's colouring rules.
    pub color: bool,
    pub progress: bool,
}

/// Why `encap read` stopped; each says what and where.
#[derive(Debug)]
pub enum ReadError {
    Open(PathBuf, io::Error),
    Capture(PathBuf, u64, CaptureError),
    Usage(String),
    Output(io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Open(p, e) => write!(f, "cannot open {}: {e}", p.display()),
            ReadError::Capture(p, 0, e) => write!(f, "{}: {e}", p.display()),
            ReadError::Capture(p, n, e) => {
                write!(f, "{}: after frame {n}: {e}", p.display())
            }
            ReadError::Usage(m) => f.write_str(m),
            ReadError::Output(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// Counts for the caller (and tests).
#[derive(Debug, Default, Clone, Copy)]
pub struct ReadStats {
    pub frames: u64,
    /// Frames that passed the display filter (all, without one).
    pub shown: u64,
    pub malformed: u64,
}

fn open_input(path: &PathBuf) -> Result<(Box<dyn BufRead>, Option<u64>), ReadError> {
    if path.as_os_str() == "-" {
        return Ok((
            Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
            None,
        ));
    }
    let file = File::open(path).map_err(|e| ReadError::Open(path.clone(), e))?;
    let size = file.metadata().ok().map(|m| m.len());
    Ok((Box::new(BufReader::with_capacity(1 << 16, file)), size))
}

/// Runs `encap read`, writing to `out`.
pub fn run(opts: &ReadOptions, out: &mut impl Write) -> Result<ReadStats, ReadError> {
    let defs = match opts.format {
        Format::Fields if opts.fields.is_empty() => {
            return Err(ReadError::Usage(
                "-T fields needs at least one -e FIELD (e.g. -e ip.src)".into(),
            ));
        }
        Format::Fields => fields::resolve(&opts.fields).map_err(ReadError::Usage)?,
        _ if !opts.fields.is_empty() => {
            return Err(ReadError::Usage("-e only applies with -T fields".into()));
        }
        _ => Vec::new(),
    };
    let filter = match &opts.filter {
        Some(text) => Some(compile_filter(text)?),
        None => None,
    };
    let mut collector = Collector::new(defs);
    let (input, size) = open_input(&opts.input)?;
    let mut reader =
        CaptureReader::open(input).map_err(|e| ReadError::Capture(opts.input.clone(), 0, e))?;
    let mut writer = match &opts.write {
        Some(p) => {
            let f = File::create(p).map_err(|e| ReadError::Open(p.clone(), e))?;
            let mut w = PcapWriter::new(BufWriter::new(f));
            if let Some(lt) = reader.link_type() {
                w.start(lt).map_err(ReadError::Output)?;
            }
            Some(w)
        }
        None => None,
    };
    let mut progress = Progress::new(opts.progress, size);
    let mut stats = ReadStats::default();
    let mut buf = Vec::with_capacity(2048);
    let mut text = String::with_capacity(4096);
    let mut first_ts: Option<(i64, u32)> = None;
    let mut json_out = json::JsonOutput::new(opts.format == Format::Ek);
    let mut lines = line::LineFormatter::default();
    let mut conversations = Box::<Tracker>::default();
    let mut line_buf = String::new();

    if opts.format == Format::Fields && opts.fields_options.header {
        fields::write_header(out, &collector.names(), &opts.fields_options)
            .map_err(ReadError::Output)?;
    }
    loop {
        if opts.count.is_some_and(|c| stats.frames >= c) {
            break;
        }
        let meta: RecordMeta = match reader.next_record(&mut buf) {
            Ok(Some(m)) => m,
            Ok(None) => break,
            Err(e) => {
                finish_json(opts.format, &json_out, out)?;
                return Err(ReadError::Capture(opts.input.clone(), stats.frames, e));
            }
        };
        stats.frames += 1;
        let frame = Frame {
            data: &buf,
            orig_len: meta.orig_len,
            link_type: meta.link_type,
            number: stats.frames as u32,
            timestamp: meta.timestamp,
        };
        let mut d = dissect(frame);
        // Every frame feeds the conversations, shown or not (as tshark's one pass).
        conversations.track(&mut d);
        // Times are relative to the first frame read, shown or not (as tshark's).
        let first = *first_ts.get_or_insert(meta.timestamp);
        if d.is_malformed() {
            stats.malformed += 1;
        }
        if filter.as_ref().is_some_and(|f| !f.matches(&d)) {
            progress.tick(reader.position(), stats.frames);
            continue;
        }
        stats.shown += 1;
        text.clear();
        match opts.format {
            Format::Text => {
                let rel = (meta.timestamp.0 - first.0).saturating_mul(1_000_000_000)
                    + i64::from(meta.timestamp.1)
                    - i64::from(first.1);
                if opts.verbose {
                    tree::format_tree(&mut text, &d);
                } else if let Some(rule) = opts.color.then(|| colour::rule_for(&d)).flatten() {
                    line_buf.clear();
                    lines.format(&mut line_buf, &d, rel);
                    colour::paint(&mut text, rule, &line_buf);
                    text.push('\n');
                } else {
                    lines.format(&mut text, &d, rel);
                    text.push('\n');
                }
                if opts.hex {
                    if opts.verbose {
                        text.push('\n');
                    }
                    hex::format_hex(&mut text, frame.data);
                }
                if opts.verbose || opts.hex {
                    text.push('\n');
                }
                out.write_all(text.as_bytes()).map_err(ReadError::Output)?;
            }
            Format::Fields => {
                collector.collect(&d);
                fields::write_line(out, &collector, &opts.fields_options, &mut text)
                    .map_err(ReadError::Output)?;
            }
            Format::Json | Format::Ek => {
                let rendered = render_layers(&d);
                json_out.packet(&mut text, &json::layers_of(&rendered), meta.timestamp);
                out.write_all(text.as_bytes()).map_err(ReadError::Output)?;
            }
        }
        if let Some(w) = writer.as_mut() {
            w.write(&meta, &buf).map_err(ReadError::Output)?;
        }
        progress.tick(reader.position(), stats.frames);
    }
    finish_json(opts.format, &json_out, out)?;
    if let Some(w) = writer {
        w.finish().map_err(ReadError::Output)?;
    }
    out.flush().map_err(ReadError::Output)?;
    progress.done();
    Ok(stats)
}

/// Compiles `-Y`; the error points at the column with a caret under the filter.
pub fn compile_filter(text: &str) -> Result<encap_core::filter::Filter, ReadError> {
    encap_core::filter::Filter::compile(text).map_err(|e| {
        let caret = " ".repeat(text.get(..e.at).map_or(0, |s| s.chars().count()));
        ReadError::Usage(format!("-Y: {e}\n    {text}\n    {caret}^"))
    })
}

fn finish_json(
    format: Format,
    json_out: &json::JsonOutput,
    out: &mut impl Write,
) -> Result<(), ReadError> {
    if matches!(format, Format::Json | Format::Ek) {
        out.write_all(json_out.end().as_bytes())
            .map_err(ReadError::Output)?;
    }
    Ok(())
}

/// A progress bar on stderr, shown only when stderr is a terminal and the
/// output goes elsewhere, for files big enough to wait for.
struct Progress {
    size: Option<u64>,
    enabled: bool,
    last: Instant,
    shown: bool,
}

impl Progress {
    const MIN_SIZE: u64 = 8 << 20;

    fn new(wanted: bool, size: Option<u64>) -> Self {
        let enabled = wanted
            && size.is_some_and(|s| s >= Self::MIN_SIZE)
            && io::stderr().is_terminal()
            && !io::stdout().is_terminal();
        Progress {
            size,
            enabled,
            last: Instant::now(),
            shown: false,
        }
    }

    fn tick(&mut self, position: u64, frames: u64) {
        if !self.enabled
            || !frames.is_multiple_of(4096)
            || self.last.elapsed() < Duration::from_millis(200)
        {
            return;
        }
        self.last = Instant::now();
        let size = self.size.unwrap_or(1).max(1);
        let pct = (position.min(size) * 100 / size) as usize;
        let bar: String = (0..30)
            .map(|i| if i * 100 / 30 < pct { '#' } else { ' ' })
            .collect();
        eprint!("\r[{bar}] {pct:3}%  {frames} frames");
        self.shown = true;
    }

    fn done(&mut self) {
        if self.shown {
            eprint!("\r{:60}\r", "");
        }
    }
}
