//! TCP fields and Info ("32792 → 7001 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 …").

use core::fmt::{self, Write};

use super::{Emit, fields};
use crate::field::{Value, Visitor};
use crate::text::write_dec;
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
    let mut at = tcp::HEADER_LEN;
    let mut rest = t.options();
    for opt in t.option_iter().map_while(Result::ok) {
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
            TcpOption::Sack(blocks, n) => {
                for (i, (le, re)) in blocks.iter().take(usize::from(n)).enumerate() {
                    e.uint(&hf::SACK_LE, at + 2 + i * 8, 4, *le);
                    e.uint(&hf::SACK_RE, at + 6 + i * 8, 4, *re);
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
    if !t.payload().is_empty() {
        e.f(
            &hf::PAYLOAD,
            t.header_len(),
            t.payload().len(),
            Value::Bytes(t.payload()),
        );
    }
}

/// Wireshark's names for the set flags, in its order.
pub(crate) fn write_flag_names(w: &mut dyn Write, flags: u16) -> fmt::Result {
    const NAMES: [(u16, &str); 9] = [
        (tcp::FLG_FIN, "FIN"),
        (tcp::FLG_SYN, "SYN"),
        (tcp::FLG_RST, "RST"),
        (tcp::FLG_PSH, "PSH"),
        (tcp::FLG_ACK, "ACK"),
        (tcp::FLG_URG, "URG"),
        (tcp::FLG_ECE, "ECE"),
        (tcp::FLG_CWR, "CWR"),
        (tcp::FLG_AE, "NS"),
    ];
    let mut first = true;
    for (bit, name) in NAMES {
        if flags & bit != 0 {
            if !first {
                w.write_str(", ")?;
            }
            w.write_str(name)?;
            first = false;
        }
    }
    if first {
        w.write_str("<None>")?;
    }
    Ok(())
}

/// The TCP Info column. Sequence numbers are absolute and the window unscaled:
/// relative numbers need the conversation (see the conversation table).
pub(crate) fn info(t: &TcpPacket<'_>, segment_len: usize, w: &mut dyn Write) -> fmt::Result {
    // The packet list prints this for most frames: numbers go through the fast writers.
    let num = |w: &mut dyn Write, label: &str, v: u64| {
        w.write_str(label)?;
        write_dec(w, v)
    };
    write_dec(w, t.src_port().into())?;
    num(w, " \u{2192} ", t.dst_port().into())?;
    w.write_str(" [")?;
    write_flag_names(w, t.flags())?;
    num(w, "] Seq=", t.seq_number().into())?;
    if t.has(tcp::FLG_ACK) {
        num(w, " Ack=", t.ack_number().into())?;
    }
    num(w, " Win=", t.window_len().into())?;
    num(w, " Len=", segment_len as u64)?;
    if t.has(tcp::FLG_URG) {
        num(w, " Urg=", t.urgent_at().into())?;
    }
    for opt in t.option_iter().map_while(Result::ok) {
        match opt {
            TcpOption::MaxSegmentSize(mss) => num(w, " MSS=", mss.into())?,
            TcpOption::SackPermitted => w.write_str(" SACK_PERM")?,
            TcpOption::Timestamp { tsval, tsecr } => {
                num(w, " TSval=", tsval.into())?;
                num(w, " TSecr=", tsecr.into())?;
            }
            TcpOption::WindowScale(shift) => num(w, " WS=", 1u64 << shift.min(14))?,
            TcpOption::Sack(blocks, n) => {
                for (le, re) in blocks.iter().take(usize::from(n)) {
                    num(w, " SLE=", (*le).into())?;
                    num(w, " SRE=", (*re).into())?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}
