//! A driver for the SMSC LAN9118 Ethernet MAC (the MPS2 boards' NIC) as a
//! smoltcp `phy::Device`: promiscuous receive, one frame at a time through
//! the FIFOs, an interrupt when a frame arrives.
//!
//! Register facts (offsets, bits) are from the LAN9118 datasheet and were
//! checked against QEMU's model: see ../shared/BOARD.md.

use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

use crate::mmio;

/// Where the MAC sits on mps2-an385 and mps2-an386, and its NVIC line.
pub const BASE: usize = 0x4020_0000;
pub const IRQ: u16 = 13;

mod reg {
    pub const RX_DATA_FIFO: usize = 0x00;
    pub const TX_DATA_FIFO: usize = 0x20;
    pub const RX_STATUS_FIFO: usize = 0x40;
    pub const TX_STATUS_FIFO: usize = 0x48;
    pub const ID_REV: usize = 0x50;
    pub const IRQ_CFG: usize = 0x54;
    pub const INT_STS: usize = 0x58;
    pub const INT_EN: usize = 0x5c;
    pub const BYTE_TEST: usize = 0x64;
    pub const FIFO_INT: usize = 0x68;
    pub const TX_CFG: usize = 0x70;
    pub const HW_CFG: usize = 0x74;
    pub const RX_FIFO_INF: usize = 0x7c;
    pub const TX_FIFO_INF: usize = 0x80;
    pub const PMT_CTRL: usize = 0x84;
    pub const FREE_RUN: usize = 0x9c;
    pub const RX_DROP: usize = 0xa0;
    pub const MAC_CSR_CMD: usize = 0xa4;
    pub const MAC_CSR_DATA: usize = 0xa8;
}

mod bits {
    pub const BYTE_TEST_VALUE: u32 = 0x8765_4321;
    pub const CHIP_ID: u32 = 0x0118;
    /// IRQ_CFG: enabled, active high, push-pull (QEMU treats anything else as active low).
    pub const IRQ_EN_HIGH_PUSH_PULL: u32 = 0x111;
    /// INT_STS/INT_EN: RX status FIFO level (a frame is waiting).
    pub const RSFL: u32 = 1 << 3;
    pub const HW_CFG_SRST: u32 = 1;
    pub const PMT_READY: u32 = 1;
    pub const TX_CFG_TX_ON: u32 = 1 << 1;
    pub const CSR_BUSY: u32 = 1 << 31;
    pub const CSR_READ: u32 = 1 << 30;
    pub const MAC_CR_RXEN: u32 = 1 << 2;
    pub const MAC_CR_TXEN: u32 = 1 << 3;
    pub const MAC_CR_PRMS: u32 = 1 << 18;
    pub const MAC_CR_FDPX: u32 = 1 << 20;
    pub const RX_STATUS_ERROR: u32 = 1 << 15;
    pub const TX_CMD_A_FIRST: u32 = 1 << 13;
    pub const TX_CMD_A_LAST: u32 = 1 << 12;
}

/// MAC control and status registers, reached through MAC_CSR_CMD/DATA.
mod csr {
    pub const MAC_CR: u32 = 1;
    pub const ADDRH: u32 = 2;
    pub const ADDRL: u32 = 3;
}

/// An Ethernet frame without its FCS, the most smoltcp hands us.
const FRAME_BYTES: usize = 1514;
/// RX status length includes the 4-byte FCS; read as whole words.
const BUFFER_BYTES: usize = 1520;
/// Bounded waits on the chip (reset, CSR busy): a few ms at most.
const SPINS: u32 = 100_000;

/// Why the MAC could not be brought up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitError {
    /// BYTE_TEST read something else: no LAN9118 at this address.
    NotFound {
        byte_test: u32,
    },
    ResetTimedOut,
    /// Promiscuous receive would not stay set.
    NotPromiscuous {
        mac_cr: u32,
    },
    AlreadyRunning,
}

impl core::fmt::Display for InitError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            InitError::NotFound { byte_test } => write!(
                f,
                "no LAN9118 at {BASE:#010x} (BYTE_TEST reads {byte_test:#010x}, not {:#010x})",
                bits::BYTE_TEST_VALUE
            ),
            InitError::ResetTimedOut => write!(f, "the LAN9118 did not come out of reset"),
            InitError::AlreadyRunning => write!(f, "the LAN9118 driver was started twice"),
            InitError::NotPromiscuous { mac_cr } => {
                write!(
                    f,
                    "the LAN9118 will not receive promiscuously (MAC_CR {mac_cr:#010x})"
                )
            }
        }
    }
}

/// What the driver saw go wrong, running totals.
#[derive(Debug, Default, Clone, Copy)]
pub struct Faults {
    /// Frames the MAC flagged bad or too long, discarded.
    pub rx_errors: u64,
    /// Frames the MAC's own counter says it dropped (always 0 under QEMU).
    pub rx_dropped: u64,
    /// Frames smoltcp gave us while the TX FIFO was full.
    pub tx_dropped: u64,
}

pub struct Lan9118 {
    mac: [u8; 6],
    /// Statics, not fields: the driver is moved into smoltcp's interface
    /// by value, and 3 KiB moved is 3 KiB more stack at each move.
    rx: &'static mut [u8; BUFFER_BYTES],
    tx: &'static mut [u8; BUFFER_BYTES],
    faults: Faults,
}

fn read(offset: usize) -> u32 {
    mmio::read(BASE + offset)
}

fn write(offset: usize, value: u32) {
    mmio::write(BASE + offset, value);
}

fn wait_until(mut done: impl FnMut() -> bool) -> bool {
    (0..SPINS).any(|_| done())
}

fn csr_read(register: u32) -> u32 {
    write(reg::MAC_CSR_CMD, bits::CSR_BUSY | bits::CSR_READ | register);
    wait_until(|| read(reg::MAC_CSR_CMD) & bits::CSR_BUSY == 0);
    read(reg::MAC_CSR_DATA)
}

fn csr_write(register: u32, value: u32) {
    write(reg::MAC_CSR_DATA, value);
    write(reg::MAC_CSR_CMD, bits::CSR_BUSY | register);
    wait_until(|| read(reg::MAC_CSR_CMD) & bits::CSR_BUSY == 0);
}

/// The MAC's 25 MHz free-running counter (wraps every ~172 s).
pub fn free_run() -> u32 {
    read(reg::FREE_RUN)
}

/// Called from the interrupt: the frame waiting is noted, the line released.
pub fn acknowledge_interrupt() {
    write(reg::INT_STS, bits::RSFL);
}

impl Lan9118 {
    /// Resets the chip and starts receiving everything on the wire; `mac`
    /// replaces the address the chip loaded from its EEPROM.
    pub fn init(mac: Option<[u8; 6]>) -> Result<Lan9118, InitError> {
        let byte_test = read(reg::BYTE_TEST);
        if byte_test != bits::BYTE_TEST_VALUE || read(reg::ID_REV) >> 16 != bits::CHIP_ID {
            return Err(InitError::NotFound { byte_test });
        }
        write(reg::HW_CFG, bits::HW_CFG_SRST);
        if !wait_until(|| {
            read(reg::HW_CFG) & bits::HW_CFG_SRST == 0 && read(reg::PMT_CTRL) & bits::PMT_READY != 0
        }) {
            return Err(InitError::ResetTimedOut);
        }
        if let Some(m) = mac {
            csr_write(csr::ADDRL, u32::from_le_bytes([m[0], m[1], m[2], m[3]]));
            csr_write(csr::ADDRH, u32::from_le_bytes([m[4], m[5], 0, 0]));
        }
        let low = csr_read(csr::ADDRL).to_le_bytes();
        let high = csr_read(csr::ADDRH).to_le_bytes();
        let mac = [low[0], low[1], low[2], low[3], high[0], high[1]];

        // Promiscuous: the agent captures the segment, not just its own traffic.
        let control = bits::MAC_CR_RXEN | bits::MAC_CR_TXEN | bits::MAC_CR_PRMS | bits::MAC_CR_FDPX;
        csr_write(csr::MAC_CR, control);
        let mac_cr = csr_read(csr::MAC_CR);
        if mac_cr & bits::MAC_CR_PRMS == 0 {
            return Err(InitError::NotPromiscuous { mac_cr });
        }
        write(reg::TX_CFG, bits::TX_CFG_TX_ON);
        // Interrupt as soon as one RX status is waiting.
        write(reg::FIFO_INT, read(reg::FIFO_INT) & !0xff);
        write(reg::INT_STS, u32::MAX);
        write(reg::INT_EN, bits::RSFL);
        write(reg::IRQ_CFG, bits::IRQ_EN_HIGH_PUSH_PULL);
        // `init` runs once; a second driver would be a bug, said plainly.
        let (Some(rx), Some(tx)) = (
            cortex_m::singleton!(: [u8; BUFFER_BYTES] = [0; BUFFER_BYTES]),
            cortex_m::singleton!(: [u8; BUFFER_BYTES] = [0; BUFFER_BYTES]),
        ) else {
            return Err(InitError::AlreadyRunning);
        };
        Ok(Lan9118 {
            mac,
            rx,
            tx,
            faults: Faults::default(),
        })
    }

    pub fn mac(&self) -> [u8; 6] {
        self.mac
    }

    pub fn faults(&self) -> Faults {
        self.faults
    }

    /// A frame is waiting in the RX FIFO.
    pub fn rx_waiting(&self) -> bool {
        (read(reg::RX_FIFO_INF) >> 16) & 0xff != 0
    }

    /// Takes the next good frame into `rx`; its length without FCS.
    fn receive_frame(&mut self) -> Option<usize> {
        while self.rx_waiting() {
            let status = read(reg::RX_STATUS_FIFO);
            let length = ((status >> 16) & 0x3fff) as usize;
            let words = length.div_ceil(4);
            let good =
                status & bits::RX_STATUS_ERROR == 0 && (14 + 4..=BUFFER_BYTES).contains(&length);
            if good {
                for chunk in self.rx[..words * 4].chunks_exact_mut(4) {
                    chunk.copy_from_slice(&read(reg::RX_DATA_FIFO).to_le_bytes());
                }
                return Some(length - 4);
            }
            self.faults.rx_errors += 1;
            self.discard(words);
        }
        None
    }

    /// Skips a frame's data by reading it: QEMU's fast-forward (RX_DP_CTRL)
    /// does not give the FIFO space back.
    fn discard(&mut self, words: usize) {
        for _ in 0..words {
            read(reg::RX_DATA_FIFO);
        }
    }

    /// Room in the TX data FIFO for a frame of `length` and its two command words.
    fn tx_room(length: usize) -> bool {
        (read(reg::TX_FIFO_INF) & 0xffff) as usize >= length.div_ceil(4) * 4 + 8
    }
}

/// Empties the TX status FIFO: per-frame TX status is not needed, and a
/// full status FIFO stalls the MAC.
fn drain_tx_status() {
    while (read(reg::TX_FIFO_INF) >> 16) & 0xff != 0 {
        read(reg::TX_STATUS_FIFO);
    }
}

fn send(frame: &[u8]) {
    let length = frame.len() as u32;
    write(
        reg::TX_DATA_FIFO,
        bits::TX_CMD_A_FIRST | bits::TX_CMD_A_LAST | length,
    );
    write(reg::TX_DATA_FIFO, (length << 16) | length);
    for chunk in frame.chunks(4) {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        write(reg::TX_DATA_FIFO, u32::from_le_bytes(word));
    }
}

pub struct Rx<'a>(&'a [u8]);

impl phy::RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(self.0)
    }
}

pub struct Tx<'a> {
    buffer: &'a mut [u8; BUFFER_BYTES],
    faults: &'a mut Faults,
}

impl phy::TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, length: usize, f: F) -> R {
        let length = length.min(FRAME_BYTES);
        drain_tx_status();
        let frame = &mut self.buffer[..length];
        let result = f(frame);
        // `transmit` checked for room; a token from `receive` may find none.
        if Lan9118::tx_room(length) {
            send(frame);
        } else {
            self.faults.tx_dropped += 1;
        }
        result
    }
}

impl Device for Lan9118 {
    type RxToken<'a> = Rx<'a>;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _: Instant) -> Option<(Rx<'_>, Tx<'_>)> {
        let Some(length) = self.receive_frame() else {
            // Clear-on-read on silicon; QEMU always says 0.
            self.faults.rx_dropped += u64::from(read(reg::RX_DROP));
            return None;
        };
        let Lan9118 { rx, tx, faults, .. } = self;
        Some((Rx(&rx[..length]), Tx { buffer: tx, faults }))
    }

    fn transmit(&mut self, _: Instant) -> Option<Tx<'_>> {
        if !Lan9118::tx_room(FRAME_BYTES) {
            return None;
        }
        Some(Tx {
            buffer: self.tx,
            faults: &mut self.faults,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut capabilities = DeviceCapabilities::default();
        capabilities.medium = Medium::Ethernet;
        capabilities.max_transmission_unit = FRAME_BYTES;
        capabilities.max_burst_size = Some(1);
        capabilities
    }
}
