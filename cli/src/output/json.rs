//! `-T json` (an array of packets) and `-T ek` (newline-delimited, for bulk indexing),
//! shaped like tshark's: layers keyed by protocol, fields by abbreviation, values as strings.

use std::fmt::Write as _;

use encap_fields::Text;

use super::layers::RenderedLayer;

fn escape(out: &mut Text, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// One layer as JSON shows it: the protocol's short name and its fields in
/// order, as (filter name, value). From a local dissection or from the tree
/// the service sent.
#[derive(Debug, Clone, Default)]
pub struct JsonLayer<'a> {
    pub protocol: &'a str,
    pub fields: Vec<(&'a str, &'a str)>,
}

/// The layers of a frame dissected here.
pub fn layers_of(rendered: &[RenderedLayer]) -> Vec<JsonLayer<'_>> {
    rendered
        .iter()
        .map(|l| JsonLayer {
            protocol: l.protocol.short_name(),
            fields: l
                .fields
                .iter()
                .map(|f| (f.abbrev, f.value.as_str()))
                .collect(),
        })
        .collect()
}

/// Groups repeated keys: one value stays a string, several become an array.
fn write_fields(out: &mut Text, layer: &JsonLayer<'_>, key: impl Fn(&str) -> String) {
    let mut order: Vec<&str> = Vec::new();
    for (abbrev, _) in &layer.fields {
        if !order.contains(abbrev) {
            order.push(abbrev);
        }
    }
    out.push('{');
    for (i, abbrev) in order.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        escape(out, &key(abbrev));
        out.push(':');
        let values: Vec<&str> = layer
            .fields
            .iter()
            .filter(|(a, _)| a == abbrev)
            .map(|(_, v)| *v)
            .collect();
        if let [one] = values.as_slice() {
            escape(out, one);
        } else {
            out.push('[');
            for (j, v) in values.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                escape(out, v);
            }
            out.push(']');
        }
    }
    out.push('}');
}

/// Layers as a JSON object; a protocol seen twice (inside an ICMP error) becomes an array.
fn write_layers(out: &mut Text, layers: &[JsonLayer<'_>], ek: bool) {
    let mut names: Vec<&str> = Vec::new();
    for l in layers {
        if !names.contains(&l.protocol) {
            names.push(l.protocol);
        }
    }
    out.push('{');
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        escape(out, name);
        out.push(':');
        let same: Vec<&JsonLayer<'_>> = layers.iter().filter(|l| l.protocol == *name).collect();
        let key = |abbrev: &str| {
            if ek {
                format!("{}_{}", name, abbrev.replace('.', "_"))
            } else {
                abbrev.to_string()
            }
        };
        if let [one] = same.as_slice() {
            write_fields(out, one, key);
        } else {
            out.push('[');
            for (j, l) in same.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                write_fields(out, l, key);
            }
            out.push(']');
        }
    }
    out.push('}');
}

/// One element of the `-T json` array (without the separating comma).
fn format_json(out: &mut Text, layers: &[JsonLayer<'_>], timestamp: (i64, u32)) {
    let _ = write!(
        out,
        "  {{\"_index\":\"packets-{}\",\"_type\":\"doc\",\"_score\":null,\"_source\":{{\"layers\":",
        date_of(timestamp.0)
    );
    write_layers(out, layers, false);
    out.push_str("}}");
}

/// The two lines `-T ek` writes per packet.
fn format_ek(out: &mut Text, layers: &[JsonLayer<'_>], timestamp: (i64, u32)) {
    let (secs, nanos) = timestamp;
    let millis = secs.saturating_mul(1000) + i64::from(nanos / 1_000_000);
    let _ = write!(
        out,
        "{{\"index\":{{\"_index\":\"packets-{}\",\"_type\":\"doc\"}}}}\n{{\"timestamp\":\"{millis}\",\"layers\":",
        date_of(secs)
    );
    write_layers(out, layers, true);
    out.push_str("}\n");
}

/// `-T json` or `-T ek` as a stream of packets: the JSON array opens with the
/// first packet and closes at the end; ek has no framing.
#[derive(Debug)]
pub struct JsonOutput {
    ek: bool,
    started: bool,
}

impl JsonOutput {
    pub fn new(ek: bool) -> Self {
        JsonOutput { ek, started: false }
    }

    /// Appends one packet (for json, preceded by "[" or ",").
    pub fn packet(&mut self, out: &mut Text, layers: &[JsonLayer<'_>], timestamp: (i64, u32)) {
        if self.ek {
            return format_ek(out, layers, timestamp);
        }
        out.push_str(if self.started { ",\n" } else { "[\n" });
        self.started = true;
        format_json(out, layers, timestamp);
    }

    /// Appends one packet as if others came before it (for json, after ",\n"):
    /// for text formatted apart from the output, which [`join`](Self::join) mends.
    pub fn later_packet(&self, out: &mut Text, layers: &[JsonLayer<'_>], timestamp: (i64, u32)) {
        if self.ek {
            return format_ek(out, layers, timestamp);
        }
        out.push_str(",\n");
        format_json(out, layers, timestamp);
    }

    /// The next part of the output for `text` of packets from
    /// [`later_packet`](Self::later_packet): the array's opening replaces the
    /// first packet's separator.
    pub fn join<'t>(&mut self, text: &'t [u8]) -> (&'static str, &'t [u8]) {
        if self.ek || self.started || text.is_empty() {
            return ("", text);
        }
        self.started = true;
        ("[\n", text.strip_prefix(b",\n").unwrap_or(text))
    }

    /// What ends the output: for json the array's close ("[]" when no packet came).
    pub fn end(&self) -> &'static str {
        match (self.ek, self.started) {
            (true, _) => "",
            (false, true) => "\n]\n",
            (false, false) => "[]\n",
        }
    }
}

/// "YYYY-MM-DD" of a Unix time (UTC), for the index name.
pub fn date_of(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    // Civil-from-days (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::date_of(0), "1970-01-01");
        assert_eq!(super::date_of(1_795_251_040), "2026-11-21");
    }
}
