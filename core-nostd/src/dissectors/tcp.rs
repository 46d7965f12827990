//! TCP fields and Info ("32792 → 7001 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 …").

use core::fmt;

use super::{Emit, fields};
use crate::conversation::{TcpAnnotation, analysis};
use crate::field::{Value, Visitor};
use crate::text::{Cursor, Sink, write_dec};
use crate::wire::tcp::{self, TcpOption, TcpPacket};

fields! {
    SRCPORT = "tcp.srcport", "Source Port", DEC;
    DSTPORT = "tcp.dstport", "Destination Port", DEC;
    PORT = "tcp.port", "Source or Destination Port", DEC;
    SEQ_RAW = "tcp.seq_raw", "Sequence Number (raw)", DEC;
    ACK_RAW = "tcp.ack_raw", "Acknowledgment number (raw)", DEC;
    HDR_LEN = "tcp.hdr_len", "Header Length", DEC;
    FLAGS = "tcp.flags", "Flags", HEX16;
    FLAGS_RES = "tcp.flags.res", "Reserved", BOOL;
    FLAGS_NS = "tcp.flags.ns", "Accurate ECN", BOOL;
    FLAGS_CWR = "tcp.flags.cwr", "Congestion Window Reduced", BOOL;
    FLAGS_ECN = "tcp.flags.ecn", "ECN-Echo", BOOL;
    FLAGS_URG = "tcp.flags.urg", "Urgent", BOOL;
    FLAGS_ACK = "tcp.flags.ack", "Acknowledgment", BOOL;
    FLAGS_PUSH = "tcp.flags.push", "Push", BOOL;
    FLAGS_RESET = "tcp.flags.reset", "Reset", BOOL;
    FLAGS_SYN = "tcp.flags.syn", "Syn", BOOL;
    FLAGS_FIN = "tcp.flags.fin", "Fin", BOOL;
    FLAGS_STR = "tcp.flags.str", "TCP Flags", STR, generated;
    WINDOW_SIZE_VALUE = "tcp.window_size_value", "Window", DEC;
    CHECKSUM = "tcp.checksum", "Checksum", HEX16;
    CHECKSUM_STATUS = "tcp.checksum.status", "Checksum Status", DEC, vals(&crate::dissectors::ip::CHECKSUM_STATUS_VALS);
    URGENT_POINTER = "tcp.urgent_pointer", "Urgent Pointer", DEC;
    LEN = "tcp.len", "TCP Segment Len", DEC, generated;
    OPTION_KIND = "tcp.option_kind", "Kind", DEC;
    MSS_VAL = "tcp.options.mss_val", "MSS Value", DEC;
    WSCALE_SHIFT = "tcp.options.wscale.shift", "Shift count", DEC;
    WSCALE_MULTIPLIER = "tcp.options.wscale.multiplier", "Multiplier", DEC;
    SACK_PERM = "tcp.options.sack_perm", "TCP SACK Permitted Option", NONE;
    SACK_LE = "tcp.options.sack_le", "left edge", DEC;
    SACK_RE = "tcp.options.sack_re", "right edge", DEC;
    TSVAL = "tcp.options.timestamp.tsval", "Timestamp value", DEC;
    TSECR = "tcp.options.timestamp.tsecr", "Timestamp echo reply", DEC;
    PAYLOAD = "tcp.payload", "TCP payload", BYTES;
    STREAM = "tcp.stream", "Stream index", DEC, generated;
    SEQ = "tcp.seq", "Sequence Number", DEC;
    NXTSEQ = "tcp.nxtseq", "Next Sequence Number", DEC, generated;
    ACK = "tcp.ack", "Acknowledgment Number", DEC;
    WINDOW_SIZE = "tcp.window_size", "Calculated window size", DEC, generated;
    WINDOW_SIZE_SCALEFACTOR = "tcp.window_size_scalefactor", "Window size scaling factor", DEC, generated;
    ANALYSIS_FLAGS = "tcp.analysis.flags", "TCP Analysis Flags", NONE, generated;
    ANALYSIS_RETRANSMISSION = "tcp.analysis.retransmission", "This frame is a (suspected) retransmission", NONE, generated;
    ANALYSIS_FAST_RETRANSMISSION = "tcp.analysis.fast_retransmission", "This frame is a (suspected) fast retransmission", NONE, generated;
    ANALYSIS_SPURIOUS_RETRANSMISSION = "tcp.analysis.spurious_retransmission", "This frame is a (suspected) spurious retransmission", NONE, generated;
    ANALYSIS_OUT_OF_ORDER = "tcp.analysis.out_of_order", "This frame is a (suspected) out-of-order segment", NONE, generated;
    ANALYSIS_LOST_SEGMENT = "tcp.analysis.lost_segment", "Previous segment(s) not captured (common at capture start)", NONE, generated;
    ANALYSIS_ACK_LOST_SEGMENT = "tcp.analysis.ack_lost_segment", "ACKed segment that wasn't captured (common at capture start)", NONE, generated;
    ANALYSIS_DUPLICATE_ACK = "tcp.analysis.duplicate_ack", "Duplicate ACK", NONE, generated;
    ANALYSIS_DUPLICATE_ACK_NUM = "tcp.analysis.duplicate_ack_num", "Duplicate ACK #", DEC, generated;
    ANALYSIS_DUPLICATE_ACK_FRAME = "tcp.analysis.duplicate_ack_frame", "Duplicate to the ACK in frame", DEC, generated;
    ANALYSIS_ZERO_WINDOW = "tcp.analysis.zero_window", "TCP Zero Window segment", NONE, generated;
    ANALYSIS_ZERO_WINDOW_PROBE = "tcp.analysis.zero_window_probe", "TCP Zero Window Probe", NONE, generated;
    ANALYSIS_WINDOW_FULL = "tcp.analysis.window_full", "TCP window specified by the receiver is now completely full", NONE, generated;
    ANALYSIS_WINDOW_UPDATE = "tcp.analysis.window_update", "TCP window update", NONE, generated;
    ANALYSIS_KEEP_ALIVE = "tcp.analysis.keep_alive", "TCP keep-alive segment", NONE, generated;
    ANALYSIS_KEEP_ALIVE_ACK = "tcp.analysis.keep_alive_ack", "ACK to a TCP keep-alive segment", NONE, generated;
    ANALYSIS_ZERO_WINDOW_PROBE_ACK = "tcp.analysis.zero_window_probe_ack", "ACK to a TCP Zero Window Probe", NONE, generated;
}

/// The analysis flags: their fields and Info tags, in the order tshark's Info shows
/// them (it prepends each tag, so this is its checking order reversed).
static ANALYSIS: [(u16, &crate::field::FieldDef, &str); 14] = [
    (
        analysis::ZERO_WINDOW_PROBE_ACK,
        &hf::ANALYSIS_ZERO_WINDOW_PROBE_ACK,
        "[TCP ZeroWindowProbeAck] ",
    ),
    (
        analysis::ZERO_WINDOW,
        &hf::ANALYSIS_ZERO_WINDOW,
        "[TCP ZeroWindow] ",
    ),
    (
        analysis::ZERO_WINDOW_PROBE,
        &hf::ANALYSIS_ZERO_WINDOW_PROBE,
        "[TCP ZeroWindowProbe] ",
    ),
    (analysis::DUPLICATE_ACK, &hf::ANALYSIS_DUPLICATE_ACK, ""),
    (
        analysis::KEEP_ALIVE_ACK,
        &hf::ANALYSIS_KEEP_ALIVE_ACK,
        "[TCP Keep-Alive ACK] ",
    ),
    (
        analysis::KEEP_ALIVE,
        &hf::ANALYSIS_KEEP_ALIVE,
        "[TCP Keep-Alive] ",
    ),
    (
        analysis::WINDOW_FULL,
        &hf::ANALYSIS_WINDOW_FULL,
        "[TCP Window Full] ",
    ),
    (
        analysis::WINDOW_UPDATE,
        &hf::ANALYSIS_WINDOW_UPDATE,
        "[TCP Window Update] ",
    ),
    (
        analysis::ACK_LOST_SEGMENT,
        &hf::ANALYSIS_ACK_LOST_SEGMENT,
        "[TCP ACKed unseen segment] ",
    ),
    (
        analysis::LOST_SEGMENT,
        &hf::ANALYSIS_LOST_SEGMENT,
        "[TCP Previous segment not captured] ",
    ),
    (
        analysis::OUT_OF_ORDER,
        &hf::ANALYSIS_OUT_OF_ORDER,
        "[TCP Out-Of-Order] ",
    ),
    (
        analysis::SPURIOUS_RETRANSMISSION,
        &hf::ANALYSIS_SPURIOUS_RETRANSMISSION,
        "[TCP Spurious Retransmission] ",
    ),
    (
        analysis::FAST_RETRANSMISSION,
        &hf::ANALYSIS_FAST_RETRANSMISSION,
        "[TCP Fast Retransmission] ",
    ),
    (
        analysis::RETRANSMISSION,
        &hf::ANALYSIS_RETRANSMISSION,
        "[TCP Retransmission] ",
    ),
];

/// What tshark shows of the conversation for a header it gave up on: the stream,
/// and the sequence number (relative when the header length was bogus; raw, with
/// the raw ACK and the window, when the options ran past the segment).
pub(crate) fn visit_cut_conversation<'a, V: Visitor<'a>>(
    a: &TcpAnnotation,
    bytes: &[u8],
    error: &crate::wire::Error,
    e: &mut Emit<'_, V>,
) {
    e.uint(&hf::STREAM, 0, 0, a.stream);
    if error.is_truncation() {
        e.uint(&hf::SEQ, 4, 4, crate::wire::bytes::be32(bytes, 4..8));
        e.uint(&hf::ACK, 8, 4, crate::wire::bytes::be32(bytes, 8..12));
        e.uint(&hf::WINDOW_SIZE, 14, 2, a.window);
    } else {
        e.uint(&hf::SEQ, 4, 4, a.rel_seq);
    }
}

/// Fields the conversation table adds to a tracked segment.
pub(crate) fn visit_conversation<'a, V: Visitor<'a>>(a: &TcpAnnotation, e: &mut Emit<'_, V>) {
    e.uint(&hf::STREAM, 0, 0, a.stream);
    e.uint(&hf::SEQ, 4, 4, a.rel_seq);
    e.uint(&hf::NXTSEQ, 4, 4, a.nxtseq);
    e.uint(&hf::ACK, 8, 4, a.rel_ack);
    e.uint(&hf::WINDOW_SIZE, 14, 2, a.window);
    if let Some(scale) = a.scale {
        e.f(
            &hf::WINDOW_SIZE_SCALEFACTOR,
            14,
            2,
            Value::Int(scale.into()),
        );
    }
    if a.analysis == 0 {
        return;
    }
    e.f(&hf::ANALYSIS_FLAGS, 0, 0, Value::Text("1"));
    for (bit, def, _) in ANALYSIS.iter() {
        if a.has(*bit) {
            e.f(def, 0, 0, Value::None);
        }
    }
    if let Some((frame, count)) = a.dup_ack {
        e.uint(&hf::ANALYSIS_DUPLICATE_ACK_NUM, 0, 0, count);
        e.uint(&hf::ANALYSIS_DUPLICATE_ACK_FRAME, 0, 0, frame);
    }
}

/// `segment_len` is the payload length by IP's length fields (it differs from the
/// bytes there when the snap length cut the frame); `None` for a bare header.
pub(crate) fn visit<'a, V: Visitor<'a>>(
    t: &TcpPacket<'a>,
    segment_len: Option<usize>,
    e: &mut Emit<'_, V>,
) {
    e.uint(&hf::SRCPORT, 0, 2, t.src_port());
    e.hidden(&hf::PORT, 0, 2, Value::Uint(t.src_port().into()));
    e.uint(&hf::DSTPORT, 2, 2, t.dst_port());
    e.hidden(&hf::PORT, 2, 2, Value::Uint(t.dst_port().into()));
    if let Some(len) = segment_len {
        e.uint(&hf::LEN, 12, 1, len as u64);
    }
    e.uint(&hf::SEQ_RAW, 4, 4, t.seq_number());
    e.uint(&hf::ACK_RAW, 8, 4, t.ack_number());
    e.uint(&hf::HDR_LEN, 12, 1, t.header_len() as u64);
    let flags = t.flags();
    e.uint(&hf::FLAGS, 12, 2, flags);
    let bits = [
        (&hf::FLAGS_RES, 0xe00),
        (&hf::FLAGS_NS, tcp::FLG_AE),
        (&hf::FLAGS_CWR, tcp::FLG_CWR),
        (&hf::FLAGS_ECN, tcp::FLG_ECE),
        (&hf::FLAGS_URG, tcp::FLG_URG),
        (&hf::FLAGS_ACK, tcp::FLG_ACK),
        (&hf::FLAGS_PUSH, tcp::FLG_PSH),
        (&hf::FLAGS_RESET, tcp::FLG_RST),
        (&hf::FLAGS_SYN, tcp::FLG_SYN),
        (&hf::FLAGS_FIN, tcp::FLG_FIN),
    ];
    for (def, mask) in bits {
        e.bool(def, 12, 2, flags & mask != 0);
    }
    e.f(&hf::FLAGS_STR, 12, 2, Value::TcpFlagsStr(flags));
    e.uint(&hf::WINDOW_SIZE_VALUE, 14, 2, t.window_len());
    e.uint(&hf::CHECKSUM, 16, 2, t.checksum());
    e.uint(
        &hf::CHECKSUM_STATUS,
        16,
        2,
        crate::dissectors::ip::CHECKSUM_UNVERIFIED,
    );
    e.uint(&hf::URGENT_POINTER, 18, 2, t.urgent_at());
    let option_fields = [
        &hf::OPTION_KIND,
        &hf::MSS_VAL,
        &hf::WSCALE_SHIFT,
        &hf::WSCALE_MULTIPLIER,
        &hf::SACK_PERM,
        &hf::SACK_LE,
        &hf::SACK_RE,
        &hf::TSVAL,
        &hf::TSECR,
    ];
    if !t.options().is_empty() && e.wants_any(&option_fields) {
        visit_options(t, e);
    }
    if !t.payload().is_empty() {
        e.f(
            &hf::PAYLOAD,
            t.header_len(),
            t.payload().len(),
            Value::Bytes(t.payload()),
        );
    }
}

fn visit_options<'a, V: Visitor<'a>>(t: &TcpPacket<'a>, e: &mut Emit<'_, V>) {
    let mut at = tcp::HEADER_LEN;
    let mut rest = t.options();
    for opt in t.options_read() {
        let len = match opt {
            TcpOption::EndOfList | TcpOption::NoOperation => 1,
            _ => usize::from(rest.get(1).copied().unwrap_or(2)),
        };
        e.uint(&hf::OPTION_KIND, at, 1, rest.first().copied().unwrap_or(0));
        match opt {
            TcpOption::MaxSegmentSize(mss) => e.uint(&hf::MSS_VAL, at + 2, 2, mss),
            TcpOption::WindowScale(shift) => {
                e.uint(&hf::WSCALE_SHIFT, at + 2, 1, shift);
                e.uint(&hf::WSCALE_MULTIPLIER, at + 2, 1, 1u64 << shift.min(14));
            }
            TcpOption::SackPermitted => e.f(&hf::SACK_PERM, at, 2, Value::None),
            TcpOption::Sack(blocks) => {
                for (i, (le, re)) in blocks.iter().enumerate() {
                    e.uint(&hf::SACK_LE, at + 2 + i * 8, 4, le);
                    e.uint(&hf::SACK_RE, at + 6 + i * 8, 4, re);
                }
            }
            TcpOption::Timestamp { tsval, tsecr } => {
                e.uint(&hf::TSVAL, at + 2, 4, tsval);
                e.uint(&hf::TSECR, at + 6, 4, tsecr);
            }
            _ => {}
        }
        at += len;
        rest = rest.get(len..).unwrap_or(&[]);
    }
}

/// Wireshark's names for the set flags, in its order.
pub(crate) fn write_flag_names<W: Sink + ?Sized>(w: &mut W, flags: u16) -> fmt::Result {
    w.push_with(|room: &mut [u8; FLAG_NAMES_ROOM]| flag_names_into(room, flags))
}

/// Room for the longest flag names: nine names and eight ", " (42 bytes).
const FLAG_NAMES_ROOM: usize = 48;

/// Writes the flag names at the start of `room`; returns how many bytes.
#[inline]
fn flag_names_into(room: &mut [u8; FLAG_NAMES_ROOM], flags: u16) -> usize {
    // Most segments carry one of a few sets: their text is a constant.
    let common: &[u8] = match flags & 0x1ff {
        0 => b"<None>",
        0x010 => b"ACK",
        0x018 => b"PSH, ACK",
        0x002 => b"SYN",
        0x012 => b"SYN, ACK",
        0x011 => b"FIN, ACK",
        0x019 => b"FIN, PSH, ACK",
        0x004 => b"RST",
        0x014 => b"RST, ACK",
        _ => return flag_list_into(room, flags),
    };
    let mut c = Cursor::new(room);
    c.put(common);
    c.len()
}

/// The names of the set flags joined with ", " (nothing when none is set).
fn flag_list_into(room: &mut [u8; FLAG_NAMES_ROOM], flags: u16) -> usize {
    // Each name padded to three bytes, with its length.
    const NAMES: [(u16, [u8; 3], usize); 9] = [
        (tcp::FLG_FIN, *b"FIN", 3),
        (tcp::FLG_SYN, *b"SYN", 3),
        (tcp::FLG_RST, *b"RST", 3),
        (tcp::FLG_PSH, *b"PSH", 3),
        (tcp::FLG_ACK, *b"ACK", 3),
        (tcp::FLG_URG, *b"URG", 3),
        (tcp::FLG_ECE, *b"ECE", 3),
        (tcp::FLG_CWR, *b"CWR", 3),
        (tcp::FLG_AE, *b"NS ", 2),
    ];
    let mut len = 0;
    for (bit, name, name_len) in NAMES {
        if flags & bit == 0 {
            continue;
        }
        if len > 0
            && let Some(comma) = room.get_mut(len..len + 2)
        {
            comma.copy_from_slice(b", ");
            len += 2;
        }
        if let Some(dst) = room.get_mut(len..len + 3) {
            dst.copy_from_slice(&name);
            len += name_len;
        }
    }
    len
}

/// The TCP Info column. Sequence numbers are absolute and the window unscaled:
/// relative numbers need the conversation (see the conversation table).
pub(crate) fn info<W: Sink + ?Sized>(
    t: &TcpPacket<'_>,
    segment_len: usize,
    conv: Option<&TcpAnnotation>,
    w: &mut W,
) -> fmt::Result {
    if let Some(a) = conv.filter(|a| a.analysis != 0) {
        for (bit, _, tag) in ANALYSIS.iter() {
            if !a.has(*bit) {
                continue;
            }
            match a.dup_ack {
                Some((frame, count)) if *bit == analysis::DUPLICATE_ACK => {
                    w.write_str("[TCP Dup ACK ")?;
                    write_dec(w, frame.into())?;
                    w.write_char('#')?;
                    write_dec(w, count.into())?;
                    w.write_str("] ")?;
                }
                _ => w.write_str(tag)?,
            }
        }
    }
    // Relative numbers and the scaled window come from the conversation.
    let (seq, ack, win) = match conv {
        Some(a) => (
            u64::from(a.rel_seq),
            u64::from(a.rel_ack),
            u64::from(a.window),
        ),
        None => (
            t.seq_number().into(),
            t.ack_number().into(),
            t.window_len().into(),
        ),
    };
    write_dec(w, t.src_port().into())?;
    w.write_str(" \u{2192} ")?;
    // The rest is ASCII, and most frames print it: one room for all of it,
    // checked once.
    w.push_with(|room: &mut [u8; INFO_ROOM]| {
        let mut c = Cursor::new(room);
        c.dec(t.dst_port().into());
        c.put(b" [");
        c.with(|names| flag_names_into(names, t.flags()));
        c.put(b"] Seq=");
        c.dec(seq);
        if t.has(tcp::FLG_ACK) {
            c.put(b" Ack=");
            c.dec(ack);
        }
        c.put(b" Win=");
        c.dec(win);
        c.put(b" Len=");
        c.dec(segment_len as u64);
        if t.has(tcp::FLG_URG) {
            c.put(b" Urg=");
            c.dec(t.urgent_at().into());
        }
        for opt in t.options_read() {
            match opt {
                TcpOption::MaxSegmentSize(mss) => {
                    c.put(b" MSS=");
                    c.dec(mss.into());
                }
                TcpOption::SackPermitted => c.put(b" SACK_PERM"),
                TcpOption::Timestamp { tsval, tsecr } => {
                    c.put(b" TSval=");
                    c.dec(tsval.into());
                    c.put(b" TSecr=");
                    c.dec(tsecr.into());
                }
                TcpOption::WindowScale(shift) => {
                    c.put(b" WS=");
                    c.dec(1u64 << shift.min(14));
                }
                TcpOption::Sack(blocks) => {
                    for (le, re) in blocks.iter() {
                        c.put(b" SLE=");
                        c.dec(le.into());
                        c.put(b" SRE=");
                        c.dec(re.into());
                    }
                }
                _ => {}
            }
        }
        c.len()
    })
}

/// Room for the longest TCP Info after the source port: the port (5), the
/// flags (42 in brackets), four numbers with labels (up to 10 digits
/// each), the urgent pointer, and 40 bytes of options at most 5 bytes of
/// text a byte (20 SACK_PERMs); 20 bytes more for the last number's digits.
const INFO_ROOM: usize = 5 + 2 + 42 + 6 + 10 + 3 * 15 + 10 + 200 + 20;

#[cfg(test)]
mod test {
    use super::{FLAG_NAMES_ROOM, flag_list_into, flag_names_into};

    /// The longest Info texts (every flag, the largest numbers, the options
    /// that make the most text) fit the room whole.
    #[test]
    fn the_longest_info_fits() {
        extern crate std;
        use std::string::String;
        use std::vec::Vec;
        let sack = [5u8, 34].into_iter().chain([0xff; 32]);
        let worst: [Vec<u8>; 2] = [[4u8, 2].repeat(20), sack.chain([4, 2].repeat(3)).collect()];
        for options in worst {
            let mut seg = Vec::from([0xff, 0xff, 0xff, 0xfe]);
            seg.extend_from_slice(&[0xff; 8]);
            seg.extend_from_slice(&[0xf0 | 0x0f, 0xff, 0xff, 0xff, 0, 0, 0xff, 0xff]);
            seg.extend_from_slice(&options);
            let t = crate::wire::tcp::TcpPacket::new_checked(&seg).unwrap();
            let mut out = crate::text::TextBuf::<1024>::new();
            super::info(&t, 4_294_967_295, None, &mut out).unwrap();
            let mut want = String::from("65535 \u{2192} 65534 [");
            want += "FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NS] Seq=4294967295 Ack=4294967295";
            want += " Win=65535 Len=4294967295 Urg=65535";
            if options[0] == 5 {
                want += &" SLE=4294967295 SRE=4294967295".repeat(4);
                want += &" SACK_PERM".repeat(3);
            } else {
                want += &" SACK_PERM".repeat(20);
            }
            assert_eq!(out.as_str(), want);
        }
    }

    /// The constant texts of the common sets are what the list writes.
    #[test]
    fn common_flag_sets_read_as_their_list() {
        for flags in 0..0x1000u16 {
            let (mut named, mut listed) = ([0; FLAG_NAMES_ROOM], [0; FLAG_NAMES_ROOM]);
            let named_len = flag_names_into(&mut named, flags);
            let listed_len = flag_list_into(&mut listed, flags);
            let (named, listed) = (&named[..named_len], &listed[..listed_len]);
            let want: &[u8] = if listed.is_empty() { b"<None>" } else { listed };
            assert_eq!(named, want, "{flags:#x}");
        }
    }
}
