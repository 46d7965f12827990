//! `encap read`: dissect a capture file and print it the way tshark does.

mod block;
mod chunks;
mod pipeline;
mod printer;
mod progress;
mod turns;

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::thread;

use crate::capture::{CaptureError, CaptureReader, PcapWriter};
use crate::output::fields::{self, FieldsOptions};
use crate::output::json;
use chunks::{Chunks, Stitch};
use pipeline::{Sink, Source};
use printer::Printer;
use progress::Progress;
use turns::Turns;

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
    /// Threads that format frames (one also reads and tracks them); at least one.
    pub threads: usize,
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

/// The stream to read, the file itself when it is a regular file (to be read
/// at offsets), and its size.
fn open_input(path: &PathBuf) -> Result<(block::Stream, Option<File>, Option<u64>), ReadError> {
    // pcap is read in bulk straight into each block, past this buffer (it must
    // stay smaller than a bulk read); pcapng record by record through it.
    const BUFFER: usize = 64 << 10;
    if path.as_os_str() == "-" {
        return Ok((
            BufReader::with_capacity(BUFFER, Box::new(io::stdin())),
            None,
            None,
        ));
    }
    let file = File::open(path).map_err(|e| ReadError::Open(path.clone(), e))?;
    let meta = file.metadata().ok();
    let at_offsets = meta
        .as_ref()
        .filter(|m| m.is_file())
        .and_then(|_| file.try_clone().ok());
    Ok((
        BufReader::with_capacity(BUFFER, Box::new(file)),
        at_offsets,
        meta.map(|m| m.len()),
    ))
}

/// How many threads `encap read` uses when not told: one a core, at most four
/// (past that the one that reads and tracks is the bottleneck).
pub fn default_threads() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Runs `encap read`, writing to `out`.
pub fn run(opts: &ReadOptions, out: &mut (impl Write + Send)) -> Result<ReadStats, ReadError> {
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
    let (input, file, size) = open_input(&opts.input)?;
    let reader =
        CaptureReader::open(input).map_err(|e| ReadError::Capture(opts.input.clone(), 0, e))?;
    let link_type = reader.link_type();
    // A pcap file is read in chunks by every thread; a pipe or pcapng in order.
    let chunks = file
        .zip(reader.pcap_layout())
        .map(|(file, layout)| Chunks::new(file, layout));
    let writer = match &opts.write {
        Some(p) => {
            let f = File::create(p).map_err(|e| ReadError::Open(p.clone(), e))?;
            let mut w = PcapWriter::new(BufWriter::new(f));
            if let Some(lt) = link_type {
                w.start(lt).map_err(ReadError::Output)?;
            }
            Some(w)
        }
        None => None,
    };
    if opts.format == Format::Fields && opts.fields_options.header {
        let names: Vec<&str> = defs.iter().map(|d| d.abbrev).collect();
        fields::write_header(out, &names, &opts.fields_options).map_err(ReadError::Output)?;
    }

    let source = Mutex::new(match chunks {
        Some(_) => Source::chunked(opts.count),
        None => Source::new(reader, opts.count),
    });
    let stitch = Turns::new(Stitch::new(opts.count));
    let chunked = chunks.as_ref().map(|chunks| pipeline::Chunked {
        chunks,
        stitch: &stitch,
    });
    let tracker = Turns::new(Box::default());
    let sink = Turns::new(Sink::new(
        out,
        writer,
        matches!(opts.format, Format::Json | Format::Ek)
            .then(|| json::JsonOutput::new(opts.format == Format::Ek)),
        Progress::new(opts.progress, size),
    ));
    let printer = || Printer::new(opts, filter.as_ref(), defs.clone());
    thread::scope(|s| {
        for _ in 1..opts.threads.max(1) {
            s.spawn(|| pipeline::work(&source, chunked, &tracker, &sink, printer()));
        }
        pipeline::work(&source, chunked, &tracker, &sink, printer());
    });

    let source = source.into_inner().unwrap_or_else(PoisonError::into_inner);
    let mut sink = sink.into_inner();
    if let Some(e) = sink.failed.take() {
        return Err(ReadError::Output(e));
    }
    if let Some(end) = sink.json.as_ref().map(json::JsonOutput::end) {
        sink.out()
            .write_all(end.as_bytes())
            .map_err(ReadError::Output)?;
    }
    // What was read before a broken record is kept, in the output and in -w.
    if let Some(w) = sink.writer.take() {
        w.finish().map_err(ReadError::Output)?;
    }
    sink.out().flush().map_err(ReadError::Output)?;
    sink.progress.done();
    match source.failed.or(stitch.into_inner().failed) {
        Some((frames, e)) => Err(ReadError::Capture(opts.input.clone(), frames, e)),
        None => Ok(sink.stats),
    }
}

/// Compiles `-Y`; the error points at the column with a caret under the filter.
pub fn compile_filter(text: &str) -> Result<encap_core::filter::Filter, ReadError> {
    encap_core::filter::Filter::compile(text).map_err(|e| {
        let caret = " ".repeat(text.get(..e.at).map_or(0, |s| s.chars().count()));
        ReadError::Usage(format!("-Y: {e}\n    {text}\n    {caret}^"))
    })
}
