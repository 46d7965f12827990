//! Any text as a display filter: compiling (strict and lenient) and printing the
//! error must neither panic nor hang.
#![no_main]

use encap_core::filter::Filter;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Ok(text) = core::str::from_utf8(input) else {
        return;
    };
    for result in [Filter::compile(text), Filter::compile_lenient(text)] {
        match result {
            Ok(f) => assert!(f.terms() <= encap_core::filter::MAX_NODES),
            Err(e) => {
                let message = e.to_string();
                assert!(!message.is_empty());
                assert!(e.at <= text.len());
            }
        }
    }
});
