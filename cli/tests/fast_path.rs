//! The filter fast path reads some fields straight from the views; on every frame
//! of `captures/` its values must equal the visitor's, occurrence for occurrence.

mod common;

use encap::output::fields::Collector;
use encap_core::field::{Field, registry, render};
use encap_core::filter::fast_values;
use encap_core::{Frame, dissect};

#[test]
fn fast_path_equals_the_visitor() {
    let defs: Vec<_> = registry::all().collect();
    let mut collector = Collector::new(defs.clone());
    let (mut frames, mut checked) = (0usize, 0usize);
    common::each_record(|pcap, n, meta, buf, conversations| {
        let mut d = dissect(Frame {
            data: buf,
            orig_len: meta.orig_len,
            link_type: meta.link_type,
            number: n,
            timestamp: meta.timestamp,
        });
        conversations.track(&mut d);
        collector.collect(&d);
        frames += 1;
        for (i, def) in defs.iter().enumerate() {
            let mut fast = Vec::new();
            let used = fast_values(def, &d, &mut |value| {
                let mut s = String::new();
                let field = Field {
                    def,
                    offset: 0,
                    len: 0,
                    value,
                    hidden: false,
                };
                let _ = render(&field, &d, &mut s);
                fast.push(s);
            });
            if !used {
                continue;
            }
            checked += 1;
            let visited = collector.values(i).to_vec();
            assert_eq!(
                fast,
                visited,
                "{} frame {n} {}: fast path differs from the visitor",
                pcap.display(),
                def.abbrev
            );
        }
    });
    println!("fast path: {checked} field values checked over {frames} frames");
    assert!(checked > 10_000);
}
