//! The colouring computes every rule at once, as bits; on every frame of
//! `captures/`, and on each frame cut short at many lengths, it must name the
//! rule that trying the rules one by one names.

mod common;

use encap_core::colour::{Colouring, DEFAULT_RULES};
use encap_core::filter::Filter;
use encap_core::{Dissection, Frame, dissect};

fn one_by_one(rules: &[Filter], d: &Dissection<'_>) -> Option<&'static str> {
    let i = rules.iter().position(|f| f.matches(d))?;
    Some(DEFAULT_RULES[i].name)
}

#[test]
fn colouring_bits_agree_with_the_rules_one_by_one() {
    let colouring = Colouring::new().unwrap();
    let rules: Vec<Filter> = DEFAULT_RULES
        .iter()
        .map(|r| Filter::compile_lenient(r.filter).unwrap())
        .collect();
    let (mut frames, mut cut, mut named) = (0usize, 0usize, 0usize);
    common::each_record(|pcap, n, meta, buf, conversations| {
        let frame = |len: usize| Frame {
            data: &buf[..len],
            orig_len: meta.orig_len,
            link_type: meta.link_type,
            number: n,
            timestamp: meta.timestamp,
        };
        // Tracked, so the analysis flags ("Bad TCP") are there.
        let mut d = dissect(frame(buf.len()));
        conversations.track(&mut d);
        let got = colouring.classify(&d).map(|r| r.name);
        assert_eq!(got, one_by_one(&rules, &d), "{} frame {n}", pcap.display());
        frames += 1;
        named += usize::from(got.is_some());
        // Cut short, most frames stop inside a header the rules read.
        for len in (0..buf.len()).step_by(3) {
            let d = dissect(frame(len));
            assert_eq!(
                colouring.classify(&d).map(|r| r.name),
                one_by_one(&rules, &d),
                "{} frame {n} cut to {len} bytes",
                pcap.display()
            );
            cut += 1;
        }
    });
    println!("colour bits: {frames} frames and {cut} cut copies agree; {named} frames coloured");
    assert!(frames > 500 && cut > 10_000);
}
