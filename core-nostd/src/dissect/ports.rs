//! Which application a transport's ports carry, by tshark's default port
//! tables: the lower port's protocol if it has one, else the higher one's.
//!
//! Every well-known port below has a slot of its own in a small table (a
//! multiply and the top bits of the product), so a frame's ports are two
//! loads and compares. A search of the lists was a tree of branches on the
//! port, which a stream of mixed traffic keeps mispredicting.

use crate::wire::http;

/// What a transport carries, decided by port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum App {
    Dns,
    Dhcp,
    Dhcpv6,
    Http,
    Tls,
    Data,
}

/// TCP ports on which TLS is dissected (tshark's defaults that matter here).
const TLS_TCP_PORTS: [u16; 13] = [
    443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 5061, 8883,
];
const DNS_PORT: u16 = 53;
const DHCP_PORTS: [u16; 2] = [67, 68];
const DHCPV6_PORTS: [u16; 2] = [546, 547];

/// The application on a TCP segment between these ports.
#[inline]
pub(crate) fn app_for_tcp(src: u16, dst: u16) -> App {
    by_ports(src, dst, |slot| slot.tcp)
}

/// The application on a UDP datagram between these ports.
#[inline]
pub(crate) fn app_for_udp(src: u16, dst: u16) -> App {
    by_ports(src, dst, |slot| slot.udp)
}

/// The lower port's application if it has one, else the higher one's.
#[inline(always)]
fn by_ports(src: u16, dst: u16, app: impl Fn(Slot) -> App) -> App {
    let of = |port: u16| {
        let slot = slot(port);
        if slot.port == port {
            app(slot)
        } else {
            App::Data
        }
    };
    let (low, high) = (of(src.min(dst)), of(src.max(dst)));
    if low == App::Data { high } else { low }
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    port: u16,
    tcp: App,
    udp: App,
}

impl Slot {
    /// An empty slot names port 0 and carries data: a port 0 that hashes
    /// here is data either way.
    const EMPTY: Slot = Slot {
        port: 0,
        tcp: App::Data,
        udp: App::Data,
    };
}

const SLOT_BITS: u32 = 6;
/// Found by search: it gives each port above a slot of its own (`build`
/// refuses to compile a table where two ports meet).
const MULTIPLIER: u32 = 0x31fe_c1ff;

const fn slot_index(port: u16) -> usize {
    ((port as u32).wrapping_mul(MULTIPLIER) >> (32 - SLOT_BITS)) as usize
}

#[inline(always)]
fn slot(port: u16) -> Slot {
    // The index has SLOT_BITS bits: always in the table.
    SLOTS.get(slot_index(port)).copied().unwrap_or(Slot::EMPTY)
}

static SLOTS: [Slot; 1 << SLOT_BITS] = build();

const fn build() -> [Slot; 1 << SLOT_BITS] {
    let mut slots = [Slot::EMPTY; 1 << SLOT_BITS];
    slots = place(slots, &[DNS_PORT], Some(App::Dns), Some(App::Dns));
    slots = place(slots, &http::DEFAULT_TCP_PORTS, Some(App::Http), None);
    slots = place(slots, &TLS_TCP_PORTS, Some(App::Tls), None);
    slots = place(slots, &DHCP_PORTS, None, Some(App::Dhcp));
    place(slots, &DHCPV6_PORTS, None, Some(App::Dhcpv6))
}

/// `slots` with `ports` given these applications; a port already there (on
/// the other transport) keeps what it has. Run by the compiler only, so an
/// index out of range is a build error.
#[allow(clippy::indexing_slicing)]
const fn place(
    mut slots: [Slot; 1 << SLOT_BITS],
    ports: &[u16],
    tcp: Option<App>,
    udp: Option<App>,
) -> [Slot; 1 << SLOT_BITS] {
    let mut i = 0;
    while i < ports.len() {
        let port = ports[i];
        let at = slot_index(port);
        let mut s = slots[at];
        // Two ports in one slot: a compile-time error, never a wrong answer.
        assert!(s.port == 0 || s.port == port, "port slots collide");
        s.port = port;
        if let Some(app) = tcp {
            s.tcp = app;
        }
        if let Some(app) = udp {
            s.udp = app;
        }
        slots[at] = s;
        i += 1;
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lists searched one by one: what the table must answer.
    fn searched(port: u16, tcp: bool) -> Option<App> {
        match port {
            DNS_PORT => Some(App::Dns),
            p if tcp && http::DEFAULT_TCP_PORTS.contains(&p) => Some(App::Http),
            p if tcp && TLS_TCP_PORTS.contains(&p) => Some(App::Tls),
            p if !tcp && DHCP_PORTS.contains(&p) => Some(App::Dhcp),
            p if !tcp && DHCPV6_PORTS.contains(&p) => Some(App::Dhcpv6),
            _ => None,
        }
    }

    fn by_search(a: u16, b: u16, tcp: bool) -> App {
        let (low, high) = (a.min(b), a.max(b));
        searched(low, tcp)
            .or_else(|| searched(high, tcp))
            .unwrap_or(App::Data)
    }

    #[test]
    fn every_port_gets_what_the_lists_say() {
        for port in 0..=u16::MAX {
            for other in [0, 1, 53, 68, 80, 443, 547, 1024, 8080, 40000, u16::MAX] {
                assert_eq!(app_for_tcp(port, other), by_search(port, other, true));
                assert_eq!(app_for_tcp(other, port), by_search(other, port, true));
                assert_eq!(app_for_udp(port, other), by_search(port, other, false));
                assert_eq!(app_for_udp(other, port), by_search(other, port, false));
            }
        }
    }

    #[test]
    fn the_lower_port_decides_when_both_are_known() {
        assert_eq!(app_for_tcp(443, 80), App::Http);
        assert_eq!(app_for_tcp(53, 443), App::Dns);
        assert_eq!(app_for_udp(547, 67), App::Dhcp);
        assert_eq!(app_for_udp(0, 0), App::Data);
    }
}
