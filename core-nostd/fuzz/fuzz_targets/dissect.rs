//! Any bytes, under any link type encap reads: the walk, every field's
//! rendering and the summary row must neither panic nor hang, and the
//! walk's shortcuts (its fast path, the trackers' quick clues, its deferred
//! checks, a reused dissection) must find what the general walk finds.
#![no_main]

use core::fmt::Write;

use encap_core::field::{Field, Visitor, render};
use encap_core::field::Computed;
use encap_core::text::{Plain, TextBuf};
use encap_core::tracker::Clues;
use encap_core::{Dissection, Frame, LinkType, dissect};
use libfuzzer_sys::fuzz_target;

const LINKS: [LinkType; 7] = [
    LinkType::ETHERNET,
    LinkType::RAW,
    LinkType::IPV4,
    LinkType::IPV6,
    LinkType::NULL,
    LinkType::LINUX_SLL,
    LinkType::LINUX_SLL2,
];

struct RenderAll<'d, 'a> {
    d: &'d Dissection<'a>,
    out: String,
}

impl<'a> Visitor<'a> for RenderAll<'_, 'a> {
    fn field(&mut self, field: &Field<'a>) {
        self.out.clear();
        let _ = render(field, self.d, &mut Plain(&mut self.out));
        // And into a small fixed buffer: writes near its end are cut, never past it.
        let mut small = TextBuf::<24>::new();
        let _ = render(field, self.d, &mut small);
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, data)) = input.split_first() else {
        return;
    };
    let link = LINKS[usize::from(selector) % LINKS.len()];
    // The upper bits pretend a snap length cut the frame.
    let orig_len = data.len() as u32 + u32::from(selector >> 4);
    let frame = Frame {
        data,
        orig_len,
        link_type: link,
        number: 1,
        timestamp: (0, 0),
    };
    let mut d = dissect(frame);
    // The fast path for the common shape walks as the general walk does.
    let general = encap_core::dissect::dissect_general(frame);
    let general_text = format!("{general:?}");
    assert_eq!(format!("{d:?}"), general_text);
    // A dissection reused from another frame (the second half of these bytes,
    // a shape of its own) ends as a fresh one: the fast path keeps the link
    // layers it finds in place.
    let other = Frame {
        data: data.get(data.len() / 2..).unwrap_or_default(),
        ..frame
    };
    let mut reused = dissect(other);
    encap_core::dissect_into(frame, &mut reused);
    assert_eq!(format!("{reused:?}"), general_text);
    // Notes whose checks the walk deferred are those a walk that checked at once made.
    let mut noted = general.clone();
    encap_core::dissect_into_noted(frame, &mut noted);
    assert!(d.experts().eq(noted.experts()));
    assert_eq!(d.experts_dropped(), noted.experts_dropped());
    // The trackers' clues from the short walk are those of the whole one.
    let mut scratch = dissect(frame);
    assert_eq!(Clues::of_frame(frame, &mut scratch), Clues::of(&d));
    // The trackers see the frame three times (a retransmission, a duplicate ACK, an
    // echo reply…), with room for only two conversations and two requests.
    let mut tracker = encap_core::tracker::Tracker::<2, 2>::new();
    for _ in 0..3 {
        tracker.track(&mut d);
    }
    let mut sink = RenderAll { d: &d, out: String::new() };
    d.visit(&mut sink);
    let mut row = String::new();
    for c in [
        Computed::Protocols,
        Computed::ColProtocol,
        Computed::ColInfo,
        Computed::ColSource,
        Computed::ColDestination,
    ] {
        let _ = d.write_computed(c, &mut Plain(&mut row));
    }
    for e in d.experts() {
        let _ = write!(row, "{e}");
    }
});
