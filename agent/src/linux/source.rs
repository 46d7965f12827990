//! Frame sources on a thread of their own: a capture file (libpcap reads pcap
//! and pcapng), a live interface through libpcap with a BPF filter, or a live
//! interface through smoltcp's raw socket. Live sources outlive their
//! interface going down: they report it and read again once it is back.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::captured::BLOCK_FRAMES;
pub use super::captured::Captured;

/// Frames between a live source's thread and the loop.
const CHANNEL_FRAMES: usize = 16_384;

#[derive(Debug, Clone)]
pub enum SourceSpec {
    /// Replay a file, as fast as the uplink takes it or at the recorded pace.
    File { path: PathBuf, pace: bool },
    /// Capture live with libpcap (promiscuous), optionally with a BPF filter.
    Pcap {
        interface: String,
        bpf: Option<String>,
        snap_len: u32,
    },
    /// Capture live through smoltcp's raw (AF_PACKET) socket.
    Iface { interface: String },
}

/// A running source.
#[derive(Debug)]
pub struct Source {
    pub frames: Receiver<Captured>,
    pub link_type: u32,
    /// Frames lost before the loop: the kernel's drops plus a full channel.
    pub dropped: Arc<AtomicU64>,
    thread: Option<JoinHandle<Result<(), String>>>,
}

/// Now, as a capture timestamp.
pub fn wall_clock() -> (i64, u32) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (
        i64::try_from(now.as_secs()).unwrap_or(i64::MAX),
        now.subsec_nanos(),
    )
}

fn timestamp(header: &pcap::PacketHeader) -> (i64, u32) {
    let micros = header.ts.tv_usec.clamp(0, 999_999);
    (header.ts.tv_sec, u32::try_from(micros * 1000).unwrap_or(0))
}

/// Capture time from `first` to `ts` (zero if time went backwards).
fn since(first: (i64, u32), ts: (i64, u32)) -> Duration {
    let nanos = i128::from(ts.0 - first.0) * 1_000_000_000 + i128::from(ts.1) - i128::from(first.1);
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(0))
}

impl Source {
    /// After the channel closed: how the source thread ended.
    pub fn outcome(&mut self) -> Result<(), String> {
        match self.thread.take().map(JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_)) => Err("the capture thread failed".into()),
        }
    }

    pub fn start(spec: &SourceSpec) -> Result<Source, String> {
        let dropped = Arc::new(AtomicU64::new(0));
        match spec.clone() {
            SourceSpec::File { path, pace } => {
                // A file sends blocks: the same number of frames in flight.
                let (tx, frames) = sync_channel(CHANNEL_FRAMES / BLOCK_FRAMES);
                let capture = pcap::Capture::from_file(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let link_type = capture.get_datalink().0 as u32;
                let thread = std::thread::spawn(move || replay(capture, tx, pace));
                Ok(Source {
                    frames,
                    link_type,
                    dropped,
                    thread: Some(thread),
                })
            }
            SourceSpec::Pcap {
                interface,
                bpf,
                snap_len,
            } => {
                let (tx, frames) = sync_channel(CHANNEL_FRAMES);
                let capture = open_live(&interface, bpf.as_deref(), snap_len)?;
                let link_type = capture.get_datalink().0 as u32;
                let counter = Arc::clone(&dropped);
                let thread = std::thread::spawn(move || {
                    live(capture, tx, counter, || {
                        open_live(&interface, bpf.as_deref(), snap_len)
                    })
                });
                Ok(Source {
                    frames,
                    link_type,
                    dropped,
                    thread: Some(thread),
                })
            }
            SourceSpec::Iface { interface } => {
                let (tx, frames) = sync_channel(CHANNEL_FRAMES);
                // smoltcp's raw socket stays on the thread that opened it.
                let (opened_tx, opened) = sync_channel(1);
                let counter = Arc::clone(&dropped);
                let thread = std::thread::spawn(move || {
                    let socket = super::raw::open(&interface);
                    let _ = opened_tx.send(socket.as_ref().map(|_| ()).map_err(Clone::clone));
                    super::raw::capture(socket?, tx, counter)
                });
                opened
                    .recv()
                    .map_err(|_| "the capture thread failed".to_string())??;
                Ok(Source {
                    frames,
                    link_type: 1,
                    dropped,
                    thread: Some(thread),
                })
            }
        }
    }
}

fn replay(
    mut capture: pcap::Capture<pcap::Offline>,
    tx: SyncSender<Captured>,
    pace: bool,
) -> Result<(), String> {
    let started = Instant::now();
    let mut first: Option<(i64, u32)> = None;
    let mut block = Captured::block();
    // A file can wait: the sends block rather than drop.
    let send = |block: &mut Captured| tx.send(std::mem::replace(block, Captured::block())).is_ok();
    loop {
        let packet = match capture.next_packet() {
            Ok(p) => p,
            Err(pcap::Error::NoMorePackets) => break,
            Err(e) => {
                // The loop hears of the error after the frames read before it.
                if !block.is_empty() {
                    send(&mut block);
                }
                return Err(format!("reading the file: {e}"));
            }
        };
        let ts = timestamp(packet.header);
        if pace {
            // At the recorded pace a frame goes when its time comes; frames
            // whose time has already come (a sleep is coarser than a busy
            // link's gaps) go together, as a block, sent when the next frame
            // must wait (a file's next read takes no time).
            let first = *first.get_or_insert(ts);
            let due = since(first, ts);
            if due > started.elapsed() {
                if !block.is_empty() && !send(&mut block) {
                    return Ok(());
                }
                // After the send, which may have waited for room.
                std::thread::sleep(due.saturating_sub(started.elapsed()));
            }
        }
        if (block.is_full() || !block.fits(packet.data.len())) && !send(&mut block) {
            return Ok(());
        }
        block.push(ts, packet.header.len, packet.data);
    }
    if !block.is_empty() {
        send(&mut block);
    }
    Ok(())
}

fn open_live(
    interface: &str,
    bpf: Option<&str>,
    snap_len: u32,
) -> Result<pcap::Capture<pcap::Active>, String> {
    let mut capture = pcap::Capture::from_device(interface)
        .and_then(|c| {
            c.promisc(true)
                .snaplen(i32::try_from(snap_len).unwrap_or(i32::MAX))
                .immediate_mode(true)
                .timeout(100)
                .open()
        })
        .map_err(|e| format!("cannot capture on {interface}: {e}"))?;
    if let Some(filter) = bpf {
        capture
            .filter(filter, true)
            .map_err(|e| format!("capture filter {filter:?}: {e}"))?;
    }
    Ok(capture)
}

/// How long a live source waits before opening its interface again.
pub const REOPEN_AFTER: Duration = Duration::from_millis(500);

fn live(
    mut capture: pcap::Capture<pcap::Active>,
    tx: SyncSender<Captured>,
    dropped: Arc<AtomicU64>,
    reopen: impl Fn() -> Result<pcap::Capture<pcap::Active>, String>,
) -> Result<(), String> {
    let mut full = 0u64;
    // Drops of earlier handles (each handle counts from zero).
    let mut before = 0u64;
    let mut current = 0u64;
    loop {
        match capture.next_packet() {
            Ok(packet) => {
                let frame = Captured::one(
                    timestamp(packet.header),
                    packet.header.len,
                    packet.data.to_vec(),
                );
                match tx.try_send(frame) {
                    Ok(()) => {}
                    Err(TrySendError::Full(_)) => full += 1,
                    Err(TrySendError::Disconnected(_)) => return Ok(()),
                }
            }
            Err(pcap::Error::TimeoutExpired) => {}
            Err(e) => {
                // Typically the interface went down: wait until it can be opened again.
                eprintln!("encap-agent: capture stopped ({e}); reopening");
                before += current;
                current = 0;
                capture = loop {
                    std::thread::sleep(REOPEN_AFTER);
                    match reopen() {
                        Ok(c) => break c,
                        Err(e) => eprintln!("encap-agent: {e}; retrying"),
                    }
                };
                eprintln!("encap-agent: capturing again");
            }
        }
        if let Ok(stats) = capture.stats() {
            current = u64::from(stats.dropped) + u64::from(stats.if_dropped);
        }
        dropped.store(before + current + full, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian pcap (microseconds, Ethernet) of 60-byte frames at these times.
    fn pcap_at(times: &[(u32, u32)]) -> Vec<u8> {
        let mut file = Vec::new();
        for word in [0xa1b2_c3d4u32, 0x0004_0002, 0, 0, 65_535, 1] {
            file.extend_from_slice(&word.to_le_bytes());
        }
        for (i, (secs, micros)) in times.iter().enumerate() {
            for word in [*secs, *micros, 60, 60] {
                file.extend_from_slice(&word.to_le_bytes());
            }
            file.extend_from_slice(&[i as u8; 60]);
        }
        file
    }

    #[test]
    fn paced_frames_due_together_go_together_and_none_goes_early() {
        let path = std::env::temp_dir().join(format!("encap-paced-{}.pcap", std::process::id()));
        std::fs::write(&path, pcap_at(&[(10, 0), (10, 0), (10, 0), (10, 150_000)])).unwrap();
        let capture = pcap::Capture::from_file(&path).unwrap();
        let (tx, rx) = sync_channel(8);
        let started = Instant::now();
        let thread = std::thread::spawn(move || replay(capture, tx, true));
        let mut blocks = Vec::new();
        while let Ok(block) = rx.recv() {
            blocks.push((started.elapsed(), block));
        }
        thread.join().unwrap().unwrap();
        std::fs::remove_file(&path).unwrap();
        let sizes: Vec<usize> = blocks
            .iter()
            .map(|(_, b)| (0..).take_while(|i| b.get(*i).is_some()).count())
            .collect();
        // The three frames of the first instant in one block, the late one alone.
        assert_eq!(sizes, [3, 1]);
        assert!(
            blocks[1].0 >= Duration::from_millis(150),
            "{:?}",
            blocks[1].0
        );
        assert_eq!(blocks[1].1.get(0).unwrap().data, &[3u8; 60][..]);
    }

    #[test]
    fn flat_out_frames_go_in_full_blocks() {
        let times = vec![(1, 0); BLOCK_FRAMES + 1];
        let path = std::env::temp_dir().join(format!("encap-flat-{}.pcap", std::process::id()));
        std::fs::write(&path, pcap_at(&times)).unwrap();
        let capture = pcap::Capture::from_file(&path).unwrap();
        let (tx, rx) = sync_channel(8);
        replay(capture, tx, false).unwrap();
        std::fs::remove_file(&path).unwrap();
        let first = rx.recv().unwrap();
        assert!(first.is_full());
        assert!(rx.recv().unwrap().get(0).is_some());
        assert!(rx.recv().is_err());
    }
}
