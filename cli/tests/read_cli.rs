//! `encap read` as a user runs it: the binary, its output and its errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn captures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../captures")
}

fn encap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_encap"))
        .args(args)
        .output()
        .expect("run encap")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 errors")
}

fn capture(name: &str) -> String {
    captures().join(name).to_string_lossy().into_owned()
}

#[test]
fn summary_lines_match_tshark_for_icmp_and_dns_headers() {
    let o = encap(&["read", "-r", &capture("dns.pcap"), "-c", "4"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ours = stdout(&o);
    let tshark = std::fs::read_to_string(captures().join("dns.tshark.txt")).unwrap();
    let first4: Vec<&str> = tshark.lines().take(4).collect();
    assert_eq!(ours.lines().collect::<Vec<_>>(), first4);
}

#[test]
fn count_stops_early_and_fields_print_header() {
    let o = encap(&[
        "read",
        "-r",
        &capture("dns.pcap"),
        "-c",
        "2",
        "-T",
        "fields",
        "-e",
        "frame.number",
        "-e",
        "eth.type",
        "-E",
        "header=y",
        "-E",
        "separator=,",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], "frame.number,eth.type");
    assert!(lines[1].starts_with("1,0x"), "{}", lines[1]);
}

#[test]
fn unknown_field_is_one_clear_sentence() {
    let o = encap(&[
        "read",
        "-r",
        &capture("dns.pcap"),
        "-T",
        "fields",
        "-e",
        "ip.srcx",
    ]);
    assert!(!o.status.success());
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(err.contains("\"ip.srcx\" is not a field"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn bad_files_say_what_and_where() {
    let dir = std::env::temp_dir().join(format!("encap-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let not_pcap = dir.join("notes.txt");
    std::fs::write(&not_pcap, b"hello, this is not a capture").unwrap();
    let o = encap(&["read", "-r", not_pcap.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("not a pcap or pcapng file"),
        "{}",
        stderr(&o)
    );

    // A capture cut in the middle of a record: frames before it are printed, then the error.
    let whole = std::fs::read(captures().join("dns.pcap")).unwrap();
    let cut = dir.join("cut.pcap");
    std::fs::write(&cut, &whole[..whole.len() - 10]).unwrap();
    let o = encap(&["read", "-r", cut.to_str().unwrap()]);
    assert!(!o.status.success());
    let frames = stdout(&o).lines().count();
    let tshark_frames = std::fs::read_to_string(captures().join("dns.tshark.txt"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(frames, tshark_frames - 1);
    let err = stderr(&o);
    assert!(err.contains(&format!("after frame {frames}")), "{err}");
    assert!(
        err.contains("ends in the middle of a record's data"),
        "{err}"
    );

    let o = encap(&["read", "-r", dir.join("missing.pcap").to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("cannot open"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn write_copies_the_frames_read() {
    let dir = std::env::temp_dir().join(format!("encap-w-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("copy.pcap");
    let o = encap(&[
        "read",
        "-r",
        &capture("dns.pcap"),
        "-c",
        "5",
        "-w",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again = encap(&["read", "-r", out.to_str().unwrap()]);
    assert!(again.status.success(), "{}", stderr(&again));
    let first: Vec<String> = stdout(&o).lines().map(|l| l[5..].to_string()).collect();
    let second: Vec<String> = stdout(&again).lines().map(|l| l[5..].to_string()).collect();
    assert_eq!(first.len(), 5);
    assert_eq!(first, second);

    // A pcap holds one link type: mixing them is refused with the reason.
    let mixed = dir.join("mixed.pcap");
    let o = encap(&[
        "read",
        "-r",
        &capture("mixed.pcapng"),
        "-w",
        mixed.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("pcap holds one link type"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn stdin_is_read_with_dash() {
    let file = std::fs::File::open(captures().join("icmp.pcap")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_encap"))
        .args(["read", "-r", "-", "-c", "3"])
        .stdin(Stdio::from(file))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 3);
}

#[test]
fn json_and_ek_are_well_formed() {
    let o = encap(&["read", "-r", &capture("tls.pcap"), "-T", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = stdout(&o);
    assert!(json.trim_start().starts_with('[') && json.trim_end().ends_with(']'));
    let frames = std::fs::read_to_string(captures().join("tls.tshark.txt"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(json.matches("\"_source\"").count(), frames);
    assert!(json.contains("\"tls.handshake.extensions_server_name\":\"www.example.test\""));
    assert_balanced(&json);

    let o = encap(&["read", "-r", &capture("dns.pcap"), "-T", "ek", "-c", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ek = stdout(&o);
    assert_eq!(ek.lines().count(), 6);
    for line in ek.lines() {
        assert!(line.starts_with('{') && line.ends_with('}'), "{line}");
        assert_balanced(line);
    }
}

/// Brackets balance outside strings (a cheap well-formedness check without a JSON parser).
fn assert_balanced(s: &str) {
    let (mut depth, mut in_str, mut escaped) = (0i64, false, false);
    for c in s.chars() {
        match (in_str, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') => in_str = false,
            (false, _, '"') => in_str = true,
            (false, _, '{' | '[') => depth += 1,
            (false, _, '}' | ']') => {
                depth -= 1;
                assert!(depth >= 0, "unbalanced: {s}");
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0);
    assert!(!in_str);
}

#[test]
fn display_filter_selects_frames_and_errors_point_at_the_column() {
    let o = encap(&[
        "read",
        "-r",
        &capture("dns.pcap"),
        "-Y",
        "dns.qry.type == 15",
        "-T",
        "fields",
        "-e",
        "dns.qry.type",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.is_empty());
    assert!(out.lines().all(|l| l == "15"), "{out}");

    let o = encap(&[
        "read",
        "-r",
        &capture("dns.pcap"),
        "-Y",
        "dns && ip.srcx == 1",
    ]);
    assert!(!o.status.success());
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(
        err.contains("\"ip.srcx\" is neither a field nor a protocol name (column 8)"),
        "{err}"
    );
    assert!(err.contains("\n           ^"), "{err}");
}

#[test]
fn verbose_tree_and_hex_dump() {
    let o = encap(&["read", "-r", &capture("dns.pcap"), "-V", "-x", "-c", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("Frame 1: "), "{out}");
    assert!(out.contains("\n0000  "), "{out}");
}

#[test]
fn colours_follow_wiresharks_rules_and_the_flag() {
    let o = encap(&[
        "read",
        "-r",
        &capture("dns.pcap"),
        "-c",
        "3",
        "--color",
        "always",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.matches("\x1b[38;2;").count(), 3, "{out:?}");
    assert!(out.lines().all(|l| l.ends_with("\x1b[0m")), "{out:?}");

    // Piped output (the default `auto`) and `never` stay plain.
    let dns = capture("dns.pcap");
    for args in [vec![], vec!["--color", "never"]] {
        let mut a = vec!["read", "-r", dns.as_str(), "-c", "3"];
        a.extend(args);
        let o = encap(&a);
        assert!(!stdout(&o).contains('\x1b'));
    }

    let o = encap(&[
        "read",
        "-r",
        &capture("tcp-faults.pcap"),
        "-T",
        "fields",
        "-e",
        "frame.coloring_rule.name",
    ]);
    let names = stdout(&o);
    assert!(names.lines().any(|l| l == "TCP SYN/FIN"), "{names}");
    assert!(names.lines().any(|l| l == "ARP"), "{names}");
}

/// A pipe that pauses (a live `tcpdump -w -`): the frames that came are
/// printed without waiting for more.
#[test]
fn a_pipe_that_pauses_is_shown_as_it_comes() {
    use std::io::{BufRead, BufReader, Write};
    let bytes = std::fs::read(captures().join("dns.pcap")).unwrap();
    assert_eq!(bytes[..4], [0xd4, 0xc3, 0xb2, 0xa1], "a little-endian pcap");
    let incl = u32::from_le_bytes(bytes[32..36].try_into().unwrap()) as usize;
    let first = 24 + 16 + incl;
    let mut child = Command::new(env!("CARGO_BIN_EXE_encap"))
        .args(["read", "-r", "-", "--color", "never"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run encap");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&bytes[..first]).unwrap();
    stdin.flush().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let lines = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    let line = rx.recv_timeout(std::time::Duration::from_secs(10));
    // Let encap end whatever happened.
    stdin.write_all(&bytes[first..]).unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    let line = line.expect("the first frame was not printed while the pipe waited");
    assert!(line.trim_start().starts_with("1 "), "{line}");
    assert!(status.success());
    let _ = lines.join();
}
