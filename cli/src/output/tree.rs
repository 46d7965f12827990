//! `-V`: the layer tree with each field's label and value.

use std::fmt::Write as _;

use encap_core::Dissection;
use encap_core::dissect::View;
use encap_core::proto::Protocol;
use encap_fields::Text;

use super::layers::render_layers;

/// Appends the tree for `d`, one protocol header line and its fields indented.
pub fn format_tree(out: &mut Text, d: &Dissection<'_>) {
    let frame = d.frame();
    for layer in render_layers(d) {
        match layer.protocol {
            Protocol::Frame if layer.len > 0 || layer.fields.len() > 1 => {
                let _ = writeln!(
                    out,
                    "Frame {}: {} bytes on wire ({} bits), {} bytes captured ({} bits)",
                    frame.number,
                    frame.orig_len,
                    u64::from(frame.orig_len) * 8,
                    frame.data.len(),
                    frame.data.len() * 8
                );
            }
            Protocol::Frame => {}
            p => {
                out.push_str(p.long_name());
                header_detail(out, d, layer.offset);
                let _ = writeln!(
                    out,
                    " [bytes {}..{}]",
                    layer.offset,
                    layer.offset + layer.len
                );
            }
        }
        for f in &layer.fields {
            let (open, close) = if f.generated { ("[", "]") } else { ("", "") };
            let _ = writeln!(out, "    {open}{}: {}{close}", f.name, f.shown);
        }
    }
    for e in d.experts() {
        let _ = writeln!(out, "[Expert: {e}]");
    }
}

/// The summary Wireshark puts after a protocol's name ("Src: …, Dst: …").
fn header_detail(out: &mut Text, d: &Dissection<'_>, offset: usize) {
    let Some(layer) = d.layers().find(|l| l.offset == offset && l.len > 0) else {
        return;
    };
    let _ = match layer.view {
        View::Eth(e) => write!(out, ", Src: {}, Dst: {}", e.src(), e.dst()),
        View::Ipv4(ip) => write!(out, ", Src: {}, Dst: {}", ip.src_addr(), ip.dst_addr()),
        View::Ipv6(ip) => write!(out, ", Src: {}, Dst: {}", ip.src_addr(), ip.dst_addr()),
        View::Tcp(t) => write!(
            out,
            ", Src Port: {}, Dst Port: {}, Len: {}",
            t.src_port(),
            t.dst_port(),
            t.payload().len()
        ),
        View::Udp(u) => write!(
            out,
            ", Src Port: {}, Dst Port: {}",
            u.src_port(),
            u.dst_port()
        ),
        _ => Ok(()),
    };
}
