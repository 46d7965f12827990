//! encap-agent on a Cortex-M3 board (QEMU's mps2-an385): the same agent
//! loop and smoltcp station as the Linux `--tap` agent, on the board's
//! LAN9118 MAC, with its settings read from a block in flash.

#![no_std]
#![no_main]
#![deny(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

extern crate alloc;

mod clock;
mod heap;
mod lan9118;
mod memory;
mod mmio;
mod settings;
mod uart;

use alloc::string::String;
use core::fmt::Display;

use cortex_m::peripheral::{NVIC, SCB};
use cortex_m_rt::{ExceptionFrame, entry, exception};
use encap_agent::agent::Event;
use encap_agent::net::settings::{MacText, SettingsError};
use encap_agent::net::{Settings, Station, StationConfig, StationEvent};
use encap_agent::{AgentLoop, Config};

use clock::Clock;
use lan9118::Lan9118;

const SOFTWARE: &str = concat!(
    "encap-board ",
    env!("CARGO_PKG_VERSION"),
    " (mps2-an385, lan9118)"
);
const ETHERNET: u32 = 1;
const REPORT_EVERY_MS: u64 = 5_000;
const SOURCE_DROPS_EVERY_MS: u64 = 500;

#[entry]
fn main() -> ! {
    uart::init();
    heap::init();
    log!("{SOFTWARE}");
    let Some(core) = cortex_m::Peripherals::take() else {
        halt("the core peripherals were already taken");
    };
    let block = settings::block();
    let settings = match Settings::parse(&block) {
        Ok(settings) => settings,
        Err(SettingsError::Missing) => halt(
            "no settings in this image: write them with `encap-board-config FIRMWARE.elf --name NAME --token TOKEN --service IP:PORT [--address CIDR|dhcp]` (see the README)",
        ),
        Err(error) => halt(format_args!(
            "{error} (rewrite them with encap-board-config)"
        )),
    };
    let mac = match Lan9118::init(settings.mac) {
        Ok(mac) => mac,
        Err(error) => halt(error),
    };
    let mut clock = Clock::start(core.SYST);
    let station_config = StationConfig {
        mac: mac.mac(),
        addressing: settings.addressing,
        service: settings.service,
        seed: seed(mac.mac()),
        // Small on purpose: the uplink is paced by the MAC, not by the buffer.
        tcp_buffer_bytes: 2048,
        copies: 4,
    };
    log!(
        "agent {} on mac {}, service {}",
        settings.name,
        MacText(mac.mac()),
        settings.service
    );
    let mut agent = AgentLoop::new(board_config(&settings));
    let mut station = Station::new(mac, &station_config, clock.now_ms());
    enable_mac_interrupt();
    run(&mut agent, &mut station, &mut clock, settings.service)
}

/// The agent loop's limits sized for 48 KiB of RAM.
fn board_config(settings: &Settings<'_>) -> Config {
    let mut config = Config::new(
        String::from(settings.name),
        String::from(settings.token),
        String::from(SOFTWARE),
        ETHERNET,
    );
    config.snap_len = 1514;
    config.batch_frames = 16;
    // A batch fits the TCP buffer whole, and the queue holds two: with
    // 3 KiB batches it held one, and a second due while the first was
    // still being written was lost whole (8-12 frames, host busy).
    config.batch_bytes = 2 * 1024;
    config.linger_ms = 50;
    config.queue_bytes = 6 * 1024;
    config.full_batch_buffers = true;
    config.max_service_message = 2 * 1024;
    config
}

fn run(
    agent: &mut AgentLoop,
    station: &mut Station<Lan9118>,
    clock: &mut Clock,
    service: core::net::SocketAddrV4,
) -> ! {
    let mut next_report_ms = REPORT_EVERY_MS;
    let mut next_drops_ms = 0;
    loop {
        let now_ms = clock.now_ms();
        let events = station.poll(agent, now_ms, || clock.wall());
        for event in events {
            if event == StationEvent::Agent(Event::Welcomed)
                && let Some(unix_us) = agent.service_time_us()
            {
                let now_us = clock.now_us();
                clock.set_unix_time(unix_us, now_us);
            }
            log!("{}", event.describe(service));
        }
        if now_ms >= next_drops_ms {
            next_drops_ms = now_ms + SOURCE_DROPS_EVERY_MS;
            let faults = station.device().faults();
            agent.set_dropped_at_source(
                faults.rx_errors + faults.rx_dropped + station.copies_overflowed(),
            );
        }
        if now_ms >= next_report_ms {
            next_report_ms = now_ms + REPORT_EVERY_MS;
            report(agent, station);
        }
        sleep_unless_busy(station, now_ms);
    }
}

fn report(agent: &AgentLoop, station: &Station<Lan9118>) {
    let faults = station.device().faults();
    log!(
        "{} (mac: {} bad, {} dropped, {} not sent)",
        agent.counters(),
        faults.rx_errors,
        faults.rx_dropped,
        faults.tx_dropped
    );
    log!("{}", memory::Usage::now());
}

/// Waits for a frame or the next SysTick, unless there is work now. The
/// check and the WFI run with interrupts masked, so a frame arriving in
/// between still wakes the core (WFI wakes on a pending interrupt).
#[allow(unsafe_code)]
fn sleep_unless_busy(station: &mut Station<Lan9118>, now_ms: u64) {
    cortex_m::interrupt::disable();
    if !station.device().rx_waiting() && station.poll_delay_ms(now_ms) > 0 {
        cortex_m::asm::wfi();
    }
    // SAFETY: interrupts were on before; no critical section spans this.
    unsafe { cortex_m::interrupt::enable() };
}

/// Different on every boot (ports, sequence numbers): the free-running
/// counter's low bits after the MAC reset depend on host timing under QEMU
/// and on the oscillator on silicon.
fn seed(mac: [u8; 6]) -> u64 {
    let a = u64::from(lan9118::free_run());
    let b = u64::from(cortex_m::peripheral::SYST::get_current());
    let m = u64::from_le_bytes([mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], 0, 0]);
    (a << 32 | b) ^ m.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15
}

#[derive(Debug, Clone, Copy)]
struct MacLine;

// SAFETY: 13 is the LAN9118's line on mps2-an385/an386, a valid IRQ number.
#[allow(unsafe_code)]
unsafe impl cortex_m::interrupt::InterruptNumber for MacLine {
    fn number(self) -> u16 {
        lan9118::IRQ
    }
}

#[allow(unsafe_code)]
fn enable_mac_interrupt() {
    // SAFETY: the handler (DefaultHandler) only acknowledges the MAC; no
    // critical section relies on this line being masked.
    unsafe { NVIC::unmask(MacLine) };
}

/// Says why the firmware cannot go on, then sleeps (a reset would only say
/// it again).
fn halt(why: impl Display) -> ! {
    log!("stopped: {why}");
    loop {
        cortex_m::asm::wfi();
    }
}

#[exception]
fn SysTick() {
    // Only wakes the main loop.
}

#[allow(unsafe_code)]
#[exception]
unsafe fn DefaultHandler(irq: i16) {
    if irq == lan9118::IRQ as i16 {
        lan9118::acknowledge_interrupt();
    }
}

#[allow(unsafe_code)]
#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    log!("hard fault at pc {:#010x}; resetting", frame.pc());
    SCB::sys_reset()
}

/// Nothing here should panic (the core never does; the rest denies
/// unwrap); if something does, the board restarts. The message is not
/// printed: its formatting and every panic site's location would cost a
/// third of the flash budget.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    log!("panic; resetting");
    SCB::sys_reset()
}
