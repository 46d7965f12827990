//! The frame pseudo-protocol, `data`, and Wireshark's `_ws.*` items.

use super::{Emit, fields};
use crate::dissect::{Dissection, Severity};
use crate::field::{Computed, Value, Visitor};
use crate::proto::Protocol;

fields! {
    NUMBER = "frame.number", "Frame Number", DEC;
    LEN = "frame.len", "Frame Length", DEC;
    CAP_LEN = "frame.cap_len", "Capture Length", DEC;
    PROTOCOLS = "frame.protocols", "Protocols in frame", STR;
    // Filled by whoever applies the colouring rules (see `colour::Colouring`).
    COLORING_RULE_NAME = "frame.coloring_rule.name", "Coloring Rule Name", STR, generated;
    DATA = "data.data", "Data", BYTES;
    DATA_LEN = "data.len", "Length", DEC, generated;
    MALFORMED = "_ws.malformed", "Malformed Packet", NONE;
}

/// The summary columns, as hidden fields filters can test.
#[cfg(feature = "display")]
pub mod columns {
    use super::super::fields;
    fields! {
        COL_PROTOCOL = "_ws.col.Protocol", "Protocol", STR;
        COL_INFO = "_ws.col.Info", "Info", STR;
        COL_SOURCE = "_ws.col.Source", "Source", STR;
        COL_DESTINATION = "_ws.col.Destination", "Destination", STR;
    }
}

pub(crate) fn visit<'a, V: Visitor<'a>>(d: &Dissection<'a>, e: &mut Emit<'_, V>) {
    let frame = d.frame();
    let cap = frame.data.len();
    e.open(Protocol::Frame, 0, cap);
    e.uint(&hf::NUMBER, 0, 0, frame.number);
    e.uint(&hf::LEN, 0, 0, frame.orig_len);
    e.uint(&hf::CAP_LEN, 0, 0, cap as u64);
    e.f(&hf::PROTOCOLS, 0, 0, Value::Computed(Computed::Protocols));
    #[cfg(feature = "display")]
    {
        use columns::hf;
        e.hidden(
            &hf::COL_PROTOCOL,
            0,
            0,
            Value::Computed(Computed::ColProtocol),
        );
        e.hidden(&hf::COL_INFO, 0, 0, Value::Computed(Computed::ColInfo));
        e.hidden(&hf::COL_SOURCE, 0, 0, Value::Computed(Computed::ColSource));
        e.hidden(
            &hf::COL_DESTINATION,
            0,
            0,
            Value::Computed(Computed::ColDestination),
        );
    }
    e.close();
}

/// Items after the last layer: tshark's malformed markers. An exception adds the
/// "[Malformed Packet: P]" item and its expert note; a note alone adds the note.
pub(crate) fn visit_trailer<'a, V: Visitor<'a>>(d: &Dissection<'a>, e: &mut Emit<'_, V>) {
    for expert in d.experts() {
        let at = expert.error.offset;
        match expert.severity {
            Severity::Exception => {
                e.f(
                    &hf::MALFORMED,
                    at,
                    0,
                    Value::Malformed(expert.error.protocol),
                );
                e.f(&hf::MALFORMED, at, 0, Value::Text("_ws.malformed"));
            }
            Severity::Malformed => e.f(&hf::MALFORMED, at, 0, Value::Text("_ws.malformed")),
            _ => {}
        }
    }
}

pub(crate) fn visit_data<'a, V: Visitor<'a>>(data: &'a [u8], e: &mut Emit<'_, V>) {
    e.f(&hf::DATA, 0, data.len(), Value::Bytes(data));
    e.uint(&hf::DATA_LEN, 0, 0, data.len() as u64);
}
