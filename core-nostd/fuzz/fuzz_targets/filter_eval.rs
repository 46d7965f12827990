//! A random filter against a random frame: evaluation must neither panic nor
//! hang, and a one-number-test filter's shortcut must answer as the general path.
//! The first byte says how many of the following bytes are the filter text.
#![no_main]

use encap_core::filter::Filter;
use encap_core::{Frame, LinkType, dissect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&n, rest)) = input.split_first() else {
        return;
    };
    let (text, frame) = rest.split_at(usize::from(n).min(rest.len()));
    let Ok(text) = core::str::from_utf8(text) else {
        return;
    };
    let Ok(filter) = Filter::compile(text) else {
        return;
    };
    let d = dissect(Frame::new(frame, LinkType::ETHERNET));
    assert_eq!(filter.matches(&d), filter.matches_general(&d), "{text}");
});
