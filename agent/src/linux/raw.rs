//! `--iface`: an existing interface read through smoltcp's raw socket
//! (AF_PACKET, every protocol, both directions). The uplink does not use
//! this socket: it runs over the host's stack.

use std::os::unix::io::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};

use smoltcp::phy::{Device, Medium, RawSocket, RxToken, wait};
use smoltcp::time::{Duration, Instant};

use super::source::{Captured, REOPEN_AFTER, wall_clock};
use super::sturdy::Sturdy;

pub fn open(interface: &str) -> Result<RawSocket, String> {
    if !std::path::Path::new("/sys/class/net")
        .join(interface)
        .exists()
    {
        return Err(format!("--iface {interface}: no such interface"));
    }
    RawSocket::new(interface, Medium::Ethernet)
        .map_err(|e| format!("--iface {interface}: {e} (capturing needs root or CAP_NET_RAW)"))
}

/// Reads until the loop goes away. A read error (the interface went down)
/// is reported, and reading goes on once the interface is back.
pub fn capture(
    socket: RawSocket,
    tx: SyncSender<Captured>,
    dropped: Arc<AtomicU64>,
) -> Result<(), String> {
    let fd = socket.as_raw_fd();
    // Frames longer than the MTU (offloads) arrive cut to this.
    let buffer = socket.capabilities().max_transmission_unit;
    let (mut socket, failures) = Sturdy::new(socket);
    let mut full = 0u64;
    loop {
        let _ = wait(fd, Some(Duration::from_millis(200)));
        loop {
            let failed = failures.total();
            let read = socket
                .receive(Instant::from_millis(0))
                .map(|(rx, _)| rx.consume(<[u8]>::to_vec));
            let Some(data) = read else {
                if failures.total() > failed {
                    eprintln!("encap-agent: the interface went away; reading again shortly");
                    std::thread::sleep(REOPEN_AFTER);
                }
                break;
            };
            let original_length = original_length(&data, buffer);
            let frame = Captured::one(wall_clock(), original_length, data);
            match tx.try_send(frame) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    full += 1;
                    dropped.store(full, Ordering::Relaxed);
                }
                Err(TrySendError::Disconnected(_)) => return Ok(()),
            }
        }
    }
}

/// The frame's length on the wire: a frame that filled the buffer was cut,
/// and its IP header still says how long it was.
fn original_length(data: &[u8], buffer: usize) -> u32 {
    let captured = u32::try_from(data.len()).unwrap_or(u32::MAX);
    if data.len() < buffer {
        return captured;
    }
    let ethertype = data.get(12..14).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let ip_length = match ethertype {
        Some(0x0800) => data
            .get(16..18)
            .map(|b| u32::from(u16::from_be_bytes([b[0], b[1]]))),
        Some(0x86dd) => data
            .get(18..20)
            .map(|b| 40 + u32::from(u16::from_be_bytes([b[0], b[1]]))),
        _ => None,
    };
    ip_length.map_or(captured, |ip| captured.max(14 + ip))
}

#[cfg(test)]
mod tests {
    use super::original_length;

    #[test]
    fn a_cut_frame_takes_its_length_from_the_ip_header() {
        let mut frame = vec![0u8; 1514];
        frame[12..14].copy_from_slice(&[0x08, 0x00]);
        frame[16..18].copy_from_slice(&9000u16.to_be_bytes());
        assert_eq!(original_length(&frame, 1514), 9014);
        assert_eq!(original_length(&frame[..100], 1514), 100);
        frame[12..14].copy_from_slice(&[0x86, 0xdd]);
        frame[18..20].copy_from_slice(&3000u16.to_be_bytes());
        assert_eq!(original_length(&frame, 1514), 3054);
    }
}
