//! Wireshark's meaning of each layer: its fields (`mod hf` per protocol) and
//! its Info column text. The wire views in [`crate::wire`] say where bytes are;
//! these files say what Wireshark calls them.

pub(crate) mod arp;
pub(crate) mod dhcp;
pub(crate) mod dhcpv6;
pub(crate) mod dns;
pub(crate) mod eth;
pub(crate) mod frame;
pub(crate) mod http;
pub(crate) mod icmp;
pub(crate) mod icmpv6;
pub(crate) mod igmp;
pub(crate) mod ip;
pub(crate) mod ipv6;
pub(crate) mod link;
pub(crate) mod partial;
pub(crate) mod stp;
pub(crate) mod tcp;
pub(crate) mod tls;
pub(crate) mod udp;

use crate::dissect::{Dissection, Layer, View};
use crate::field::{Field, FieldDef, Value, Visitor};
use crate::proto::Protocol;

/// Declares a protocol's fields: `mod hf` with one static per field, and `FIELDS`.
macro_rules! fields {
    ($( $id:ident = $abbrev:literal, $name:literal, $kind:expr $(, $gen:ident $(($vals:expr))?)? ;)*) => {
        pub mod hf {
            #[allow(unused_imports)]
            use crate::field::decl::*;
            #[allow(unused_imports)]
            use super::*;
            $( pub static $id: FieldDef = $crate::dissectors::fields!(@def $abbrev, $name, $kind $(, $gen $(($vals))?)?); )*
        }
        /// Every field this protocol declares.
        pub static FIELDS: &[&crate::field::FieldDef] = &[ $( &hf::$id ),* ];
    };
    (@def $abbrev:literal, $name:literal, $kind:expr) => {
        FieldDef::new($abbrev, $crate::dissectors::label($name), $kind)
    };
    (@def $abbrev:literal, $name:literal, $kind:expr, generated) => {
        FieldDef::new($abbrev, $crate::dissectors::label($name), $kind).generated()
    };
    (@def $abbrev:literal, $name:literal, $kind:expr, vals($vals:expr)) => {
        FieldDef::new($abbrev, $crate::dissectors::label($name), $kind).generated().vals($vals)
    };
    (@def $abbrev:literal, $name:literal, $kind:expr, named($namer:expr)) => {
        FieldDef::new($abbrev, $crate::dissectors::label($name), $kind).named($namer)
    };
}
pub(crate) use fields;

/// A field's label, or nothing where no person reads them (see the
/// `display` feature): the filter and the values need only the abbrev.
pub(crate) const fn label(name: &'static str) -> &'static str {
    if cfg!(feature = "display") { name } else { "" }
}

/// Hands fields to a visitor with offsets rebased to the frame.
pub(crate) struct Emit<'v, V> {
    v: &'v mut V,
    base: usize,
}

impl<'v, 'a, V: Visitor<'a>> Emit<'v, V> {
    /// A field at `at` (relative to the layer) spanning `len` bytes.
    #[inline(always)]
    pub fn f(&mut self, def: &'static FieldDef, at: usize, len: usize, value: Value<'a>) {
        if !self.v.wants_field(def) {
            return;
        }
        self.v.field(&Field {
            def,
            offset: self.base + at,
            len,
            value,
            hidden: false,
        });
    }

    /// A field only filters see (like `ip.addr`).
    #[inline(always)]
    pub fn hidden(&mut self, def: &'static FieldDef, at: usize, len: usize, value: Value<'a>) {
        if !self.v.wants_field(def) {
            return;
        }
        self.v.field(&Field {
            def,
            offset: self.base + at,
            len,
            value,
            hidden: true,
        });
    }

    #[inline(always)]
    pub fn uint(&mut self, def: &'static FieldDef, at: usize, len: usize, v: impl Into<u64>) {
        self.f(def, at, len, Value::Uint(v.into()));
    }

    #[inline(always)]
    pub fn bool(&mut self, def: &'static FieldDef, at: usize, len: usize, v: bool) {
        self.f(def, at, len, Value::Bool(v));
    }

    /// Opens a nested subtree (e.g. a DNS query inside DNS).
    pub fn open(&mut self, protocol: crate::proto::Protocol, at: usize, len: usize) {
        self.v.open(protocol, self.base + at, len);
    }

    pub fn close(&mut self) {
        self.v.close();
    }

    pub fn done(&self) -> bool {
        self.v.done()
    }

    /// True when the visitor wants any of `defs` (to skip a whole block of work).
    #[inline(always)]
    pub fn wants_any(&self, defs: &[&'static FieldDef]) -> bool {
        defs.iter().any(|d| self.v.wants_field(d))
    }
}

/// Walks every layer's fields in frame order.
pub(crate) fn visit<'a, V: Visitor<'a>>(d: &Dissection<'a>, v: &mut V) {
    if v.wants(Protocol::Frame) {
        frame::visit(d, &mut Emit { v, base: 0 });
    }
    for layer in d.layers() {
        if v.done() {
            return;
        }
        if v.wants(layer.protocol) {
            visit_layer(d, layer, v);
        }
    }
    frame::visit_trailer(d, &mut Emit { v, base: 0 });
}

fn visit_layer<'a, V: Visitor<'a>>(d: &Dissection<'a>, layer: &Layer<'a>, v: &mut V) {
    // The ethertype pseudo-layer has no tree of its own.
    if matches!(layer.view, View::Ethertype(_)) {
        return;
    }
    v.open(layer.protocol, layer.offset, layer.len);
    if let (View::Truncated { bytes }, Protocol::Http) = (layer.view, layer.protocol) {
        http::visit_cut_start_line(
            bytes,
            &mut Emit {
                v,
                base: layer.offset,
            },
        );
        v.close();
        return;
    }
    if let (View::Truncated { bytes }, Some(error)) = (layer.view, d.stopped_by()) {
        let header_len = usize::from(bytes.get(12).copied().unwrap_or(0) >> 4) * 4;
        // tshark computes tcp.len from a bogus header length, not from a cut one.
        let segment_len = d
            .ip_end(layer)
            .filter(|_| !error.is_truncation())
            .map(|end| end.saturating_sub(layer.offset + header_len));
        partial::visit(layer.protocol, bytes, error, layer.offset, segment_len, v);
        if let (Protocol::Tcp, Some(a)) = (layer.protocol, d.tcp_annotation()) {
            tcp::visit_cut_conversation(
                a,
                bytes,
                error,
                &mut Emit {
                    v,
                    base: layer.offset,
                },
            );
        }
        v.close();
        return;
    }
    let e = &mut Emit {
        v,
        base: layer.offset,
    };
    match &layer.view {
        View::Eth(eth) => eth::visit(eth, e),
        View::Vlan(tag) => link::visit_vlan(tag, layer.protocol, e),
        View::Llc(llc) => link::visit_llc(llc, e),
        View::Sll(sll) => link::visit_sll(sll, e),
        View::Null(null) => link::visit_null(null, e),
        View::Raw | View::Ethertype(_) => {}
        View::Arp(arp) => arp::visit(arp, e),
        View::Ipv4(ip) => ip::visit(ip, e),
        View::Ipv6(ip) => ipv6::visit(ip, e),
        View::Ipv6Ext(ext) => ipv6::visit_ext(ext, e),
        View::Icmp(p) => {
            icmp::visit(p, e);
            if let Some(frame) = d.echo_request().filter(|_| !layer.in_error) {
                icmp::visit_resp_to(frame, e);
            }
        }
        View::Icmpv6(p) => {
            icmpv6::visit(p, e);
            if let Some(frame) = d.echo_request().filter(|_| !layer.in_error) {
                icmpv6::visit_resp_to(frame, e);
            }
        }
        View::Tcp(tcp) => {
            tcp::visit(tcp, d.segment_len(layer), e);
            if let Some(a) = d.tcp_annotation().filter(|_| !layer.in_error) {
                tcp::visit_conversation(a, e);
            }
        }
        View::Udp(udp) => udp::visit(udp, e),
        View::Dns { packet, over_tcp } => dns::visit(packet, *over_tcp, e),
        View::Dhcp(p) => dhcp::visit(p, e),
        View::Dhcpv6(p) => dhcpv6::visit(p, e),
        View::Http(m) => http::visit(m, e),
        View::HttpContinuation(data) => http::visit_continuation(data, e),
        View::Tls(data) => {
            let session = d.tcp_annotation().and_then(|a| a.tls_session);
            tls::visit(data, session, e)
        }
        View::Data(data) => frame::visit_data(data, e),
        View::Igmp(p) => igmp::visit(p, e),
        View::Stp(b) => stp::visit(b, e),
        View::Truncated { .. } | View::Reassembling => {}
    }
    v.close();
}

/// Every field table, for lookups by abbreviation.
pub(crate) static ALL_FIELDS: &[&[&FieldDef]] = &[
    #[cfg(feature = "display")]
    frame::columns::FIELDS,
    frame::FIELDS,
    eth::FIELDS,
    link::FIELDS,
    arp::FIELDS,
    ip::FIELDS,
    ipv6::FIELDS,
    icmp::FIELDS,
    icmpv6::FIELDS,
    igmp::FIELDS,
    stp::FIELDS,
    tcp::FIELDS,
    udp::FIELDS,
    dns::FIELDS,
    dhcp::FIELDS,
    dhcpv6::FIELDS,
    http::FIELDS,
    tls::FIELDS,
];
