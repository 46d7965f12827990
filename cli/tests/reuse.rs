//! `dissect_into` reuses one dissection's storage for frame after frame (the
//! service's ingest does so per batch). Nothing of an earlier frame may show in
//! a later one: on every frame of `captures/`, in capture order with the
//! trackers, and on copies cut short, every field and column must equal a
//! fresh `dissect`'s.

mod common;

use encap::output::fields::Collector;
use encap_core::field::{Computed, registry};
use encap_core::tracker::Tracker;
use encap_core::{Dissection, Frame, dissect, dissect_into};

/// Every layer as it is stored, every field's values and the four
/// packet-list columns.
fn rendered(d: &Dissection<'_>, collector: &mut Collector) -> Vec<Vec<String>> {
    collector.collect(d);
    let mut all: Vec<Vec<String>> = vec![d.layers().map(|l| format!("{l:?}")).collect()];
    all.extend((0..collector.defs().len()).map(|i| collector.values(i).to_vec()));
    for c in [
        Computed::ColSource,
        Computed::ColDestination,
        Computed::ColProtocol,
        Computed::ColInfo,
    ] {
        let mut s = String::new();
        let _ = d.write_computed(c, &mut encap_core::text::Plain(&mut s));
        all.push(vec![s]);
    }
    all
}

type Record = (std::path::PathBuf, u32, encap::capture::RecordMeta, Vec<u8>);

/// The record's frame, its bytes cut to `cut`.
fn frame(record: &Record, cut: usize) -> Frame<'_> {
    let (_, n, meta, buf) = record;
    Frame {
        data: buf.get(..cut.min(buf.len())).unwrap_or(buf),
        orig_len: meta.orig_len,
        link_type: meta.link_type,
        number: *n,
        timestamp: meta.timestamp,
    }
}

#[test]
fn reused_dissections_equal_fresh_ones() {
    let defs: Vec<_> = registry::all().collect();
    let mut fresh_fields = Collector::new(defs.clone());
    let mut reused_fields = Collector::new(defs);
    let mut records: Vec<Record> = Vec::new();
    common::each_record(|pcap, n, meta, buf, _| {
        records.push((pcap.to_path_buf(), n, *meta, buf.to_vec()));
    });
    // In capture order, tracked: a new capture starts new trackers.
    let (mut fresh_tracker, mut reused_tracker) =
        (Box::<Tracker>::default(), Box::<Tracker>::default());
    let mut reused: Option<Dissection<'_>> = None;
    let mut compared = 0;
    for (i, record) in records.iter().enumerate() {
        if i > 0 && records.get(i - 1).is_some_and(|r| r.0 != record.0) {
            *fresh_tracker = Tracker::default();
            *reused_tracker = Tracker::default();
        }
        let mut fresh = dissect(frame(record, usize::MAX));
        fresh_tracker.track(&mut fresh);
        let d = reused.get_or_insert_with(|| dissect(frame(record, usize::MAX)));
        dissect_into(frame(record, usize::MAX), d);
        reused_tracker.track(d);
        assert_eq!(
            rendered(d, &mut reused_fields),
            rendered(&fresh, &mut fresh_fields),
            "{} frame {}: the reused dissection differs",
            record.0.display(),
            record.1
        );
        compared += 1;
    }

    // Untracked, each frame also cut short after every 7th byte.
    for record in &records {
        for cut in (0..record.3.len()).step_by(7) {
            let fresh = dissect(frame(record, cut));
            let d = reused.get_or_insert_with(|| dissect(frame(record, cut)));
            dissect_into(frame(record, cut), d);
            assert_eq!(
                rendered(d, &mut reused_fields),
                rendered(&fresh, &mut fresh_fields),
                "{} frame {} cut at {cut}: the reused dissection differs",
                record.0.display(),
                record.1
            );
            compared += 1;
        }
    }
    assert!(compared > 10_000, "only {compared} dissections compared");
}

/// `encap read` tracks frames on one thread and formats them on others: a
/// fresh dissection given the tracked one's `tracked()` must equal it.
#[test]
fn replayed_tracking_equals_tracking() {
    let defs: Vec<_> = registry::all().collect();
    let mut tracked_fields = Collector::new(defs.clone());
    let mut replayed_fields = Collector::new(defs);
    let (mut compared, mut annotated, mut echoes, mut differ_untracked) = (0, 0, 0, 0);
    let mut last_capture = std::path::PathBuf::new();
    let mut tracker = Box::<Tracker>::default();
    let mut records: Vec<Record> = Vec::new();
    common::each_record(|pcap, n, meta, buf, _| {
        records.push((pcap.to_path_buf(), n, *meta, buf.to_vec()));
    });
    for record in &records {
        if record.0 != last_capture {
            *tracker = Tracker::default();
            last_capture = record.0.clone();
        }
        let mut tracked = dissect(frame(record, usize::MAX));
        tracker.track(&mut tracked);
        let mut replayed = dissect(frame(record, usize::MAX));
        let untracked = rendered(&replayed, &mut replayed_fields);
        replayed.replay(tracked.tracked());
        let want = rendered(&tracked, &mut tracked_fields);
        assert_eq!(
            rendered(&replayed, &mut replayed_fields),
            want,
            "{} frame {}: the replayed dissection differs",
            record.0.display(),
            record.1
        );
        assert_eq!(format!("{replayed:?}"), format!("{tracked:?}"));
        annotated += usize::from(tracked.tcp_annotation().is_some());
        echoes += usize::from(tracked.echo_request().is_some());
        differ_untracked += usize::from(untracked != want);
        compared += 1;
    }
    assert!(compared > 500, "only {compared} frames compared");
    assert!(
        annotated > 100 && echoes > 5 && differ_untracked > 50,
        "the captures should exercise tracking: {annotated} annotated, {echoes} echo replies, \
         {differ_untracked} differ untracked"
    );
}

/// `encap read` reads the trackers' clues from a walk that stops short
/// (`Clues::of_frame`): on every frame of `captures/`, whole and cut short
/// after every 5th byte, they must equal the clues of the whole walk.
#[test]
fn clues_from_a_short_walk_equal_the_whole_walks() {
    use encap_core::tracker::Clues;
    let mut records: Vec<Record> = Vec::new();
    common::each_record(|pcap, n, meta, buf, _| {
        records.push((pcap.to_path_buf(), n, *meta, buf.to_vec()));
    });
    let mut scratch: Option<Dissection<'_>> = None;
    let (mut compared, mut with_segment, mut with_echo, mut json) = (0, 0, 0, 0);
    let no_clues = Clues::of(&dissect(frame(&records[0], 0)));
    for record in &records {
        let cuts = (0..record.3.len()).step_by(5).chain([usize::MAX]);
        for cut in cuts {
            let whole_walk = dissect(frame(record, cut));
            // The protocol column looks for a JSON body among the last layers
            // only (`summary::Row`): the walk pushes nothing after one.
            let json_last = whole_walk
                .layers()
                .next_back()
                .is_some_and(|l| l.protocol == encap_core::Protocol::Json);
            assert_eq!(whole_walk.has(encap_core::Protocol::Json), json_last);
            json += usize::from(json_last);
            let whole = Clues::of(&whole_walk);
            let d = scratch.get_or_insert_with(|| dissect(frame(record, cut)));
            let short = Clues::of_frame(frame(record, cut), d);
            assert_eq!(
                short,
                whole,
                "{} frame {} cut at {cut}: the short walk's clues differ",
                record.0.display(),
                record.1
            );
            compared += 1;
            if cut == usize::MAX && whole != no_clues {
                let text = format!("{whole:?}");
                with_segment += usize::from(text.contains("tcp: Some"));
                with_echo += usize::from(text.contains("echo: Some"));
            }
        }
    }
    assert!(compared > 30_000, "only {compared} frames compared");
    assert!(
        with_segment > 300 && with_echo > 20 && json > 0,
        "{with_segment} {with_echo} {json}"
    );
}

/// The writers write into a `Text` (bytes lent in place), a `TextBuf` (the
/// board's) and any `fmt::Write` through `Plain` (a char at a time): on every
/// frame of `captures/`, tracked, the columns and every field's text must be
/// the same in all three.
#[test]
fn every_sink_writes_the_same_text() {
    use encap_core::field::{Field, Visitor, render};
    use encap_core::text::{Plain, TextBuf};
    use encap_fields::Text;
    struct AllFields<'a>(Vec<Field<'a>>);
    impl<'a> Visitor<'a> for AllFields<'a> {
        fn field(&mut self, field: &Field<'a>) {
            self.0.push(*field);
        }
    }
    let mut records: Vec<Record> = Vec::new();
    common::each_record(|pcap, n, meta, buf, _| {
        records.push((pcap.to_path_buf(), n, *meta, buf.to_vec()));
    });
    let mut last_capture = std::path::PathBuf::new();
    let mut tracker = Box::<Tracker>::default();
    // One text for all frames, as `encap read` keeps (its IPv6 addresses too).
    let mut text = Text::new();
    let (mut compared, mut non_ascii) = (0, 0);
    for record in &records {
        if record.0 != last_capture {
            *tracker = Tracker::default();
            last_capture = record.0.clone();
        }
        let mut d = dissect(frame(record, usize::MAX));
        tracker.track(&mut d);
        for c in [
            Computed::ColSource,
            Computed::ColDestination,
            Computed::ColProtocol,
            Computed::ColInfo,
            Computed::Protocols,
        ] {
            let mut plain = String::new();
            let _ = d.write_computed(c, &mut Plain(&mut plain));
            text.clear();
            let _ = d.write_computed(c, &mut text);
            let mut small = TextBuf::<512>::new();
            let _ = d.write_computed(c, &mut small);
            let at = format!("{} frame {} {c:?}", record.0.display(), record.1);
            assert_eq!(text.as_str(), plain, "{at}: Text");
            if !small.overflowed() {
                assert_eq!(small.as_str(), plain, "{at}: TextBuf");
            }
            non_ascii += usize::from(!plain.is_ascii());
        }
        let mut fields = AllFields(Vec::new());
        d.visit(&mut fields);
        assert!(!fields.0.is_empty());
        for field in &fields.0 {
            let mut plain = String::new();
            let _ = render(field, &d, &mut Plain(&mut plain));
            text.clear();
            let _ = render(field, &d, &mut text);
            let at = format!(
                "{} frame {} {}",
                record.0.display(),
                record.1,
                field.def.abbrev
            );
            assert_eq!(text.as_str(), plain, "{at}");
        }
        compared += 1;
    }
    assert!(compared > 500, "only {compared} frames compared");
    assert!(
        non_ascii > 100,
        "the arrows of TCP's Info should be here: {non_ascii}"
    );
}

/// `encap read`'s row writes its columns in fixed-size chunks, with fast
/// paths for the common cases (an IPv4 pair laid out in two stores, times
/// under 1000 s, counted frame numbers). On every frame of `captures/`,
/// tracked, in order, the row must be its columns laid out plainly as
/// tshark does: number right in 5, time `%10.6f`, source right in 12,
/// destination left in 12.
#[test]
fn rows_are_their_columns_laid_out() {
    use encap::output::line::Rows;
    use encap_fields::Text;
    let mut rows = Rows::default();
    let (mut first, mut last_pcap) = ((0i64, 0u32), std::path::PathBuf::new());
    let mut checked = 0;
    common::each_record(|pcap, n, meta, buf, tracker| {
        if pcap != last_pcap {
            (first, last_pcap) = (meta.timestamp, pcap.to_path_buf());
        }
        let frame = Frame {
            data: buf,
            orig_len: meta.orig_len,
            link_type: meta.link_type,
            number: n,
            timestamp: meta.timestamp,
        };
        let mut d = dissect(frame);
        tracker.track(&mut d);
        let rel = (meta.timestamp.0 - first.0) * 1_000_000_000 + i64::from(meta.timestamp.1)
            - i64::from(first.1);
        let mut row = Text::new();
        rows.format(&mut row, &d, rel);
        let column = |c| {
            let mut s = String::new();
            let _ = d.write_computed(c, &mut encap_core::text::Plain(&mut s));
            s
        };
        let micros = (rel.unsigned_abs() + 500) / 1000;
        let sign = if rel < 0 && micros != 0 { "-" } else { "" };
        let time = format!("{sign}{}.{:06}", micros / 1_000_000, micros % 1_000_000);
        let want = format!(
            "{n:>5} {time:>10} {:>12} \u{2192} {:<12} {} {} {}",
            column(Computed::ColSource),
            column(Computed::ColDestination),
            column(Computed::ColProtocol),
            meta.orig_len,
            column(Computed::ColInfo),
        );
        assert_eq!(row.as_str(), want, "{} frame {n}", pcap.display());
        checked += 1;
    });
    assert!(checked > 1000, "{checked}");
}

/// The walk takes the common shape (Ethernet, IPv4 without options or IPv6,
/// TCP or UDP) in one step, and goes on from the network layer when only
/// that has it (`dissect/walker/fast.rs`).
/// On every frame of `captures/`, cut at every length through its headers
/// and with each of its first 80 bytes set to values that break a check (0,
/// 0xff, and its bits flipped), it must give what the layer-by-layer walk gives,
/// and the notes whose checks `dissect` defers must be those found at once.
#[test]
fn the_fast_walk_equals_the_general_walk() {
    use encap_core::dissect::dissect_general;
    let mut records: Vec<Record> = Vec::new();
    common::each_record(|pcap, n, meta, buf, _| {
        records.push((pcap.to_path_buf(), n, *meta, buf.to_vec()));
    });
    let (mut compared, mut fast_shape) = (0, 0);
    let mut check = |f: Frame<'_>, what: &str| {
        let (fast, general) = (dissect(f), dissect_general(f));
        let (fast_text, general_text) = (format!("{fast:?}"), format!("{general:?}"));
        assert!(
            fast_text == general_text,
            "{what}: the walks differ\n{fast_text}\n{general_text}"
        );
        let handed = encap_core::dissect_with(f, |d| format!("{d:?}"));
        assert!(handed == fast_text, "{what}: dissect_with differs");
        // Notes whose checks waited are those a walk that checked at once made.
        let mut noted = general.clone();
        encap_core::dissect_into_noted(f, &mut noted);
        let deferred: Vec<_> = fast.experts().collect();
        let at_once: Vec<_> = noted.experts().collect();
        assert_eq!(deferred, at_once, "{what}: deferred notes differ");
        assert_eq!(fast.experts_dropped(), noted.experts_dropped(), "{what}");
        compared += 1;
    };
    for record in &records {
        let whole = frame(record, usize::MAX);
        let names: Vec<_> = dissect(whole).layers().map(|l| l.protocol).collect();
        use encap_core::Protocol::{Eth, Ethertype, Ip, Ipv6, Tcp, Udp};
        if matches!(names.as_slice(), [Eth, Ethertype, Ip | Ipv6, Tcp | Udp, ..]) {
            fast_shape += 1;
        }
        let at = format!("{} frame {}", record.0.display(), record.1);
        // Every length through the headers, then a few: past them a cut
        // only moves where the payload ends.
        let len = record.3.len();
        let cuts = (0..80)
            .chain((80..len).step_by(17))
            .chain(len.saturating_sub(3)..=len);
        for cut in cuts {
            check(frame(record, cut), &format!("{at} cut at {cut}"));
        }
        let mut bytes = record.3.clone();
        for i in 0..bytes.len().min(80) {
            let was = bytes[i];
            for v in [0, 0xff, !was] {
                bytes[i] = v;
                let f = Frame {
                    data: &bytes,
                    ..whole
                };
                check(f, &format!("{at} byte {i} set to {v:#04x}"));
            }
            bytes[i] = was;
        }
    }
    assert!(
        compared > 100_000 && fast_shape > 300,
        "{compared} {fast_shape}"
    );
}
