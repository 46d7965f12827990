//! DNS messages: header, questions, resource records and compressed names.
//!
//! Compression pointers may only jump strictly backwards, below every byte
//! read so far for that name, so no byte is read twice and no name can loop.

use core::fmt;

use super::bytes::{be16, be32};
use super::error::{Error, ErrorKind, LenSource, Result, need};
use crate::proto::Protocol;

mod field {
    use crate::wire::field::{Field, Rest};
    pub const ID: Field = 0..2;
    pub const FLAGS: Field = 2..4;
    pub const QDCOUNT: Field = 4..6;
    pub const ANCOUNT: Field = 6..8;
    pub const NSCOUNT: Field = 8..10;
    pub const ARCOUNT: Field = 10..12;
    pub const BODY: Rest = 12..;
}

pub const HEADER_LEN: usize = field::BODY.start;

/// The longest name on the wire (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 255;

pub const FLAG_RESPONSE: u16 = 0x8000;

pub const TYPE_A: u16 = 1;
pub const TYPE_NS: u16 = 2;
pub const TYPE_CNAME: u16 = 5;
pub const TYPE_SOA: u16 = 6;
pub const TYPE_PTR: u16 = 12;
pub const TYPE_MX: u16 = 15;
pub const TYPE_TXT: u16 = 16;
pub const TYPE_AAAA: u16 = 28;
pub const TYPE_SRV: u16 = 33;
pub const TYPE_OPT: u16 = 41;

/// A read-only view of a DNS message.
#[derive(Debug, Clone, Copy)]
pub struct DnsPacket<'a> {
    msg: &'a [u8],
}

impl<'a> DnsPacket<'a> {
    /// Checks the 12-byte header; records are checked as they are read.
    pub fn new_checked(msg: &'a [u8]) -> Result<Self> {
        need(Protocol::Dns, msg, HEADER_LEN)?;
        Ok(DnsPacket { msg })
    }

    pub fn message(&self) -> &'a [u8] {
        self.msg
    }

    pub fn id(&self) -> u16 {
        be16(self.msg, field::ID)
    }

    pub fn flags(&self) -> u16 {
        be16(self.msg, field::FLAGS)
    }

    pub fn is_response(&self) -> bool {
        self.flags() & FLAG_RESPONSE != 0
    }

    pub fn opcode(&self) -> u8 {
        ((self.flags() >> 11) & 0xf) as u8
    }

    pub fn rcode(&self) -> u8 {
        (self.flags() & 0xf) as u8
    }

    pub fn question_count(&self) -> u16 {
        be16(self.msg, field::QDCOUNT)
    }

    pub fn answer_count(&self) -> u16 {
        be16(self.msg, field::ANCOUNT)
    }

    pub fn authority_count(&self) -> u16 {
        be16(self.msg, field::NSCOUNT)
    }

    pub fn additional_count(&self) -> u16 {
        be16(self.msg, field::ARCOUNT)
    }

    /// True when every question and record reads whole, with no pointer that
    /// fails to go backwards: then [`Self::records`] yields no error. Checked
    /// without building the records, as the walk does for every DNS message;
    /// `false` only means "ask `records` what went wrong".
    pub fn records_whole(&self) -> bool {
        let msg = self.msg;
        let mut at = HEADER_LEN;
        let sections = [
            (self.question_count(), 4),
            (self.answer_count(), 10),
            (self.authority_count(), 10),
            (self.additional_count(), 10),
        ];
        for (count, fixed) in sections {
            // Each record takes at least five bytes, so `count` is bounded by the message.
            for _ in 0..count {
                let Some(name_len) = name_wire_len(msg, at) else {
                    return false;
                };
                at += name_len + fixed;
                if msg.len() < at {
                    return false;
                }
                if fixed == 10 {
                    at += usize::from(be16(msg, at - 2..at));
                    if msg.len() < at {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Every question and record in order, each tagged with its section.
    pub fn records(&self) -> RecordIter<'a> {
        RecordIter {
            msg: self.msg,
            offset: HEADER_LEN,
            counts: [
                self.question_count(),
                self.answer_count(),
                self.authority_count(),
                self.additional_count(),
            ],
            section: 0,
        }
    }
}

/// The four sections of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Question,
    Answer,
    Authority,
    Additional,
}

/// A name inside a message, read lazily (so it can be printed without copying).
#[derive(Debug, Clone, Copy)]
pub struct Name<'a> {
    msg: &'a [u8],
    offset: usize,
    /// A compression pointer did not point backwards: the name is cut there.
    loops: bool,
}

impl<'a> Name<'a> {
    /// Checks the name at `offset` and returns it with its length on the wire
    /// (up to and including the terminating zero or the first pointer).
    pub fn parse(msg: &'a [u8], offset: usize) -> Result<(Name<'a>, usize)> {
        let mut name = Name {
            msg,
            offset,
            loops: false,
        };
        let mut wire_len = None;
        let mut total = 0usize;
        let mut jumps = 0usize;
        for step in name.steps() {
            let step = match step {
                Ok(s) => s,
                // Like Wireshark, keep the record: the pointer's two bytes end the name.
                Err(Error {
                    kind: ErrorKind::DnsPointerLoop { .. },
                    offset: at,
                    ..
                }) => {
                    name.loops = true;
                    wire_len.get_or_insert_with(|| at + 2 - offset);
                    break;
                }
                Err(e) => return Err(e),
            };
            match step {
                Step::Label(label, at) => {
                    total += label.len() + 1;
                    if total > MAX_NAME_LEN {
                        return Err(Error {
                            protocol: Protocol::Dns,
                            offset: at,
                            kind: ErrorKind::DnsNameTooLong,
                        });
                    }
                }
                Step::Jump(at) => {
                    wire_len.get_or_insert_with(|| at + 2 - offset);
                    // Pointers to pointers cost nothing in length; cap them too.
                    jumps += 1;
                    if jumps > MAX_NAME_LEN / 2 {
                        return Err(Error {
                            protocol: Protocol::Dns,
                            offset: at,
                            kind: ErrorKind::DnsNameTooLong,
                        });
                    }
                }
                Step::End(at) => {
                    wire_len.get_or_insert_with(|| at + 1 - offset);
                }
            }
        }
        Ok((name, wire_len.unwrap_or(0)))
    }

    fn steps(&self) -> Steps<'a> {
        Steps {
            msg: self.msg,
            pos: self.offset,
            limit: self.offset,
            done: false,
        }
    }

    /// The labels in order (pointers followed).
    pub fn labels(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.steps()
            .map_while(|s| match s {
                Ok(Step::Label(l, _)) => Some(Some(l)),
                Ok(Step::Jump(_)) => Some(None),
                _ => None,
            })
            .flatten()
    }

    /// True when a compression pointer looped (the name is shown cut there).
    pub fn loops(&self) -> bool {
        self.loops
    }

    pub fn is_root(&self) -> bool {
        self.labels().next().is_none()
    }

    /// Compares with a dotted name, ASCII case-insensitively.
    pub fn eq_ignore_case(&self, dotted: &str) -> bool {
        let mut rest = dotted.as_bytes();
        for label in self.labels() {
            let Some((head, tail)) = rest.split_at_checked(label.len()) else {
                return false;
            };
            if !head.eq_ignore_ascii_case(label) {
                return false;
            }
            rest = match tail {
                [b'.', more @ ..] => more,
                [] => tail,
                _ => return false,
            };
        }
        rest.is_empty()
    }
}

impl Name<'_> {
    /// Writes the dotted name as Wireshark prints it: `<Root>` for the root,
    /// and non-printable bytes as `\ddd`.
    pub fn write_to<W: crate::text::Sink + ?Sized>(&self, w: &mut W) -> fmt::Result {
        let mut first = true;
        for label in self.labels() {
            if !first {
                w.write_char('.')?;
            }
            first = false;
            let printable = |b: &u8| b.is_ascii_graphic() || *b == b' ';
            // A label is 63 bytes at most, and mostly printable: one copy.
            if label.len() <= 64 && label.iter().all(printable) {
                w.push_with(|room: &mut [u8; 64]| {
                    if let Some(dst) = room.get_mut(..label.len()) {
                        dst.copy_from_slice(label);
                    }
                    label.len()
                })?;
                continue;
            }
            for &b in label {
                if printable(&b) {
                    w.write_char(char::from(b))?;
                } else {
                    for c in ['\\', digit(b / 100), digit(b / 10 % 10), digit(b % 10)] {
                        w.write_char(c)?;
                    }
                }
            }
        }
        if first {
            w.write_str("<Root>")?;
        }
        Ok(())
    }
}

fn digit(d: u8) -> char {
    char::from(b'0' + d % 10)
}

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// The wire length of the name at `offset` when [`Name::parse`] reads it
/// without error and without a looping pointer; `None` otherwise.
fn name_wire_len(msg: &[u8], offset: usize) -> Option<usize> {
    let (mut pos, mut limit) = (offset, offset);
    let (mut total, mut jumps) = (0usize, 0usize);
    let mut wire_len = None;
    loop {
        let len = *msg.get(pos)?;
        match len & 0xc0 {
            0x00 if len == 0 => return Some(wire_len.unwrap_or_else(|| pos + 1 - offset)),
            0x00 => {
                pos += 1 + usize::from(len);
                total += usize::from(len) + 1;
                if pos > msg.len() || total > MAX_NAME_LEN {
                    return None;
                }
            }
            0xc0 => {
                let target = usize::from(be16(msg, pos..pos + 2) & 0x3fff);
                jumps += 1;
                if msg.len() < pos + 2 || target >= limit || jumps > MAX_NAME_LEN / 2 {
                    return None;
                }
                wire_len.get_or_insert_with(|| pos + 2 - offset);
                (pos, limit) = (target, target);
            }
            _ => return None,
        }
    }
}

enum Step<'a> {
    Label(&'a [u8], usize),
    Jump(usize),
    End(usize),
}

struct Steps<'a> {
    msg: &'a [u8],
    pos: usize,
    /// Every byte at or above this was already read for this name.
    limit: usize,
    done: bool,
}

impl<'a> Steps<'a> {
    fn fail(&mut self, err: Error) -> Option<Result<Step<'a>>> {
        self.done = true;
        Some(Err(err))
    }
}

impl<'a> Iterator for Steps<'a> {
    type Item = Result<Step<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let at = self.pos;
        let Some(&len) = self.msg.get(at) else {
            let have = self.msg.len();
            return self.fail(
                Error::truncated(Protocol::Dns, at + 1, have, LenSource::DnsRecord).add_offset(0),
            );
        };
        match len & 0xc0 {
            0x00 if len == 0 => {
                self.done = true;
                Some(Ok(Step::End(at)))
            }
            0x00 => {
                let end = at + 1 + usize::from(len);
                match self.msg.get(at + 1..end) {
                    Some(label) => {
                        self.pos = end;
                        Some(Ok(Step::Label(label, at)))
                    }
                    None => {
                        let have = self.msg.len();
                        self.fail(Error::truncated(
                            Protocol::Dns,
                            end,
                            have,
                            LenSource::DnsRecord,
                        ))
                    }
                }
            }
            0xc0 => {
                let target = usize::from(be16(self.msg, at..at + 2) & 0x3fff);
                if self.msg.len() < at + 2 {
                    let have = self.msg.len();
                    return self.fail(Error::truncated(
                        Protocol::Dns,
                        at + 2,
                        have,
                        LenSource::DnsRecord,
                    ));
                }
                // Only strictly backwards, below everything read: this can never loop.
                if target >= self.limit {
                    return self.fail(Error {
                        protocol: Protocol::Dns,
                        offset: at,
                        kind: ErrorKind::DnsPointerLoop {
                            target: target as u16,
                        },
                    });
                }
                self.limit = target;
                self.pos = target;
                Some(Ok(Step::Jump(at)))
            }
            _ => self.fail(Error::bad_value(
                Protocol::Dns,
                at,
                "label type",
                u32::from(len >> 6),
                "0 or 3",
            )),
        }
    }
}

/// A question or a resource record.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    pub section: Section,
    pub name: Name<'a>,
    pub rtype: u16,
    pub class: u16,
    /// Offset of the record's name in the message.
    pub offset: usize,
    /// Length of the whole record on the wire.
    pub len: usize,
    /// TTL (records only; for OPT, the extended rcode and flags).
    pub ttl: u32,
    pub rdata: &'a [u8],
    /// Offset of `rdata` in the message (names in it may point anywhere before it).
    pub rdata_offset: usize,
    msg: &'a [u8],
}

impl<'a> Record<'a> {
    /// The A record's address.
    pub fn a(&self) -> Option<core::net::Ipv4Addr> {
        <[u8; 4]>::try_from(self.rdata)
            .ok()
            .map(core::net::Ipv4Addr::from)
    }

    pub fn aaaa(&self) -> Option<core::net::Ipv6Addr> {
        <[u8; 16]>::try_from(self.rdata)
            .ok()
            .map(core::net::Ipv6Addr::from)
    }

    /// A name inside the rdata, `skip` bytes in (CNAME/NS/PTR: 0, MX: 2, SRV: 6).
    pub fn rdata_name(&self, skip: usize) -> Option<Name<'a>> {
        if self.rdata.len() < skip {
            return None;
        }
        Name::parse(self.msg, self.rdata_offset + skip)
            .ok()
            .map(|(n, _)| n)
    }

    /// The 16-bit value at `at` in the rdata (MX preference, SRV priority/weight/port).
    pub fn rdata_u16(&self, at: usize) -> u16 {
        be16(self.rdata, at..at + 2)
    }

    /// SOA: the name after the primary name server (responsible mailbox), and the five numbers.
    pub fn soa(&self) -> Option<(Name<'a>, Name<'a>, [u32; 5])> {
        let (mname, mlen) = Name::parse(self.msg, self.rdata_offset).ok()?;
        let (rname, rlen) = Name::parse(self.msg, self.rdata_offset + mlen).ok()?;
        let at = mlen + rlen;
        let nums = self.rdata.get(at..at + 20)?;
        let mut out = [0u32; 5];
        for (slot, i) in out.iter_mut().zip(0..) {
            *slot = be32(nums, i * 4..i * 4 + 4);
        }
        Some((mname, rname, out))
    }

    /// TXT's character-strings.
    pub fn txt_strings(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut rest = self.rdata;
        core::iter::from_fn(move || {
            let (&len, tail) = rest.split_first()?;
            let (s, tail) = tail.split_at_checked(usize::from(len))?;
            rest = tail;
            Some(s)
        })
    }
}

/// Iterates questions then records; stops after the first error.
#[derive(Debug, Clone)]
pub struct RecordIter<'a> {
    msg: &'a [u8],
    offset: usize,
    counts: [u16; 4],
    section: usize,
}

impl<'a> RecordIter<'a> {
    /// Where the next record would start.
    pub fn offset(&self) -> usize {
        self.offset
    }

    fn next_record(&mut self, section: Section) -> Result<Record<'a>> {
        let start = self.offset;
        let (name, name_len) = Name::parse(self.msg, start)?;
        let at = start + name_len;
        let fixed = if section == Section::Question { 4 } else { 10 };
        if self.msg.len() < at + fixed {
            return Err(Error::truncated(
                Protocol::Dns,
                at + fixed,
                self.msg.len(),
                LenSource::DnsRecord,
            ));
        }
        let rtype = be16(self.msg, at..at + 2);
        let class = be16(self.msg, at + 2..at + 4);
        let (ttl, rdata, rdata_offset, end) = if section == Section::Question {
            (0, &[][..], at + 4, at + 4)
        } else {
            let rdlen = usize::from(be16(self.msg, at + 8..at + 10));
            let rdata_offset = at + 10;
            let end = rdata_offset + rdlen;
            let rdata = self.msg.get(rdata_offset..end).ok_or(Error::truncated(
                Protocol::Dns,
                end,
                self.msg.len(),
                LenSource::DnsRecord,
            ))?;
            (be32(self.msg, at + 4..at + 8), rdata, rdata_offset, end)
        };
        self.offset = end;
        Ok(Record {
            section,
            name,
            rtype,
            class,
            offset: start,
            len: end - start,
            ttl,
            rdata,
            rdata_offset,
            msg: self.msg,
        })
    }
}

impl<'a> Iterator for RecordIter<'a> {
    type Item = Result<Record<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        const SECTIONS: [Section; 4] = [
            Section::Question,
            Section::Answer,
            Section::Authority,
            Section::Additional,
        ];
        loop {
            let (count, section) = (
                self.counts.get_mut(self.section)?,
                *SECTIONS.get(self.section)?,
            );
            if *count == 0 {
                self.section += 1;
                continue;
            }
            *count -= 1;
            let item = self.next_record(section);
            if item.is_err() {
                self.section = SECTIONS.len();
            }
            return Some(item);
        }
    }
}

/// Wireshark's mnemonic for a record type.
pub const fn type_name(t: u16) -> Option<&'static str> {
    Some(match t {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        13 => "HINFO",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        35 => "NAPTR",
        41 => "OPT",
        43 => "DS",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        64 => "SVCB",
        65 => "HTTPS",
        99 => "SPF",
        252 => "AXFR",
        255 => "ANY",
        257 => "CAA",
        _ => return None,
    })
}

/// Wireshark's text for a response code.
pub const fn rcode_name(r: u8) -> Option<&'static str> {
    Some(match r {
        0 => "No error",
        1 => "Format error",
        2 => "Server failure",
        3 => "No such name",
        4 => "Not implemented",
        5 => "Refused",
        6 => "Name exists",
        7 => "RRset exists",
        8 => "RRset does not exist",
        9 => "Not authoritative",
        10 => "Name out of zone",
        _ => return None,
    })
}

/// Wireshark's text for an opcode, as it begins the Info column.
pub const fn opcode_name(op: u8) -> &'static str {
    match op {
        0 => "Standard query",
        1 => "Inverse query",
        2 => "Server status request",
        4 => "Zone change notification",
        5 => "Dynamic update",
        _ => "Unknown operation",
    }
}

#[cfg(test)]
mod test {
    extern crate std;
    use super::*;
    use std::string::ToString;

    // id 0x1234, response, 1 question, 1 answer: a.example A 192.0.2.7 (name compressed).
    static RESPONSE: [u8; 43] = [
        0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, b'a', 7, b'e', b'x', b'a', b'm', b'p',
        b'l', b'e', 0, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7,
    ];

    #[test]
    fn test_parse_response() {
        let p = DnsPacket::new_checked(&RESPONSE).unwrap();
        assert_eq!(p.id(), 0x1234);
        assert!(p.is_response());
        let mut it = p.records();
        let q = it.next().unwrap().unwrap();
        assert_eq!(q.section, Section::Question);
        assert_eq!(q.name.to_string(), "a.example");
        let a = it.next().unwrap().unwrap();
        assert_eq!(a.name.to_string(), "a.example");
        assert_eq!(a.a().unwrap().to_string(), "192.0.2.7");
        assert_eq!(a.ttl, 60);
        assert!(it.next().is_none());
    }

    #[test]
    fn test_pointer_to_itself() {
        let mut msg = RESPONSE;
        msg[28] = 27; // the answer's pointer now points at itself
        let p = DnsPacket::new_checked(&msg).unwrap();
        let mut it = p.records();
        assert!(!it.next().unwrap().unwrap().name.loops());
        // The record is kept (its pointer's two bytes end the name); the name is marked.
        let answer = it.next().unwrap().unwrap();
        assert!(answer.name.loops());
        assert_eq!(answer.a().unwrap().to_string(), "192.0.2.7");
        assert!(it.next().is_none());
    }

    #[test]
    fn test_pointer_forward_never_followed() {
        let msg = [
            0u8, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0xc0, 12, 0, 1, 0, 1,
        ];
        let p = DnsPacket::new_checked(&msg).unwrap();
        let q = p.records().next().unwrap().unwrap();
        assert!(q.name.loops());
        assert_eq!(q.name.labels().count(), 0);
    }

    #[test]
    fn test_label_past_end() {
        let p = DnsPacket::new_checked(&RESPONSE[..16]).unwrap();
        assert!(p.records().next().unwrap().unwrap_err().is_truncation());
    }

    #[test]
    fn test_count_larger_than_records() {
        let mut msg = RESPONSE;
        msg[7] = 3;
        let p = DnsPacket::new_checked(&msg).unwrap();
        let results: std::vec::Vec<_> = p.records().collect();
        assert_eq!(results.len(), 3);
        assert!(results[2].is_err());
    }

    #[test]
    fn test_eq_ignore_case() {
        let p = DnsPacket::new_checked(&RESPONSE).unwrap();
        let q = p.records().next().unwrap().unwrap();
        assert!(q.name.eq_ignore_case("A.Example"));
        assert!(!q.name.eq_ignore_case("a.example.com"));
        assert!(!q.name.eq_ignore_case("a"));
    }

    #[test]
    fn test_records_whole_only_when_records_read_whole() {
        // Corrupt one or two bytes of a message many ways: whenever the quick
        // check says "whole", the full read must agree, and an intact message
        // must pass the quick check.
        let ok = |m: &[u8]| {
            let p = DnsPacket::new_checked(m).unwrap();
            p.records().all(|r| r.is_ok_and(|r| !r.name.loops()))
        };
        // www.example A? -> CNAME foo.example (name and rdata compressed) -> A.
        let mut chained = [0u8; 63];
        chained[..12].copy_from_slice(&[0, 1, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]);
        chained[12..29].copy_from_slice(b"\x03www\x07example\x00\x00\x01\x00\x01");
        chained[29..41].copy_from_slice(&[0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6]);
        chained[41..47].copy_from_slice(&[3, b'f', b'o', b'o', 0xc0, 16]);
        chained[47..63].copy_from_slice(&[0xc0, 41, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 9]);
        let bases: [&[u8]; 2] = [&RESPONSE, &chained];
        for base in bases {
            assert!(DnsPacket::new_checked(base).unwrap().records_whole());
        }
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15u64);
        let (mut whole, mut broken) = (0, 0);
        for _ in 0..200_000 {
            let mut msg = [0u8; 63];
            let base = bases[(next() % 2) as usize];
            let msg = &mut msg[..base.len()];
            msg.copy_from_slice(base);
            for _ in 0..1 + next() % 2 {
                let at = HEADER_LEN + (next() as usize) % (msg.len() - HEADER_LEN);
                msg[at] = next() as u8;
            }
            let cut = msg.len() - (next() as usize % 4);
            let m = &msg[..cut];
            let p = DnsPacket::new_checked(m).unwrap();
            if p.records_whole() {
                assert!(ok(m), "quick check passed a broken message: {m:02x?}");
                whole += 1;
            } else {
                broken += 1;
            }
            if ok(m) && !p.records_whole() {
                panic!("quick check refused a whole message: {m:02x?}");
            }
        }
        assert!(
            whole > 1000 && broken > 1000,
            "{whole} whole, {broken} broken"
        );
    }

    #[test]
    fn test_name_escapes_unprintable_bytes_as_three_digits() {
        let msg = [
            0u8, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4, b'a', 7, 200, b' ', 2, b'o', b'k', 0, 0, 1, 0,
            1,
        ];
        let p = DnsPacket::new_checked(&msg).unwrap();
        let q = p.records().next().unwrap().unwrap();
        assert_eq!(q.name.to_string(), "a\\007\\200 .ok");
        let mut generic = std::string::String::new();
        q.name
            .write_to(&mut crate::text::Plain(&mut generic))
            .unwrap();
        assert_eq!(generic, q.name.to_string());
    }
}
