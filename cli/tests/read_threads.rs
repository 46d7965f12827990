//! `encap read --threads N` reads and tracks blocks of frames on one lock and
//! formats them on N threads: whatever N, the output must be byte for byte
//! the same, in every format, with filters, counts, `-w`, and a file that
//! breaks half way.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use encap::capture::{CaptureReader, PcapWriter};

fn captures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../captures")
}

/// A pcap of the Ethernet captures repeated `times` over: many blocks, and
/// conversations that span them.
fn tiled(path: &Path, times: usize) -> usize {
    let mut frames = Vec::new();
    for name in [
        "http.pcap",
        "dns.pcap",
        "icmp.pcap",
        "tls.pcap",
        "ipv6.pcap",
    ] {
        let file = BufReader::new(File::open(captures().join(name)).unwrap());
        let mut reader = CaptureReader::open(file).unwrap();
        let mut buf = Vec::new();
        while let Some(meta) = reader.next_record(&mut buf).unwrap() {
            assert_eq!(meta.link_type, encap_core::LinkType::ETHERNET, "{name}");
            frames.push((meta, buf.clone()));
        }
    }
    let mut w = PcapWriter::new(std::io::BufWriter::new(File::create(path).unwrap()));
    w.start(encap_core::LinkType::ETHERNET).unwrap();
    for _ in 0..times {
        for (meta, data) in &frames {
            w.write(meta, data).unwrap();
        }
    }
    w.finish().unwrap();
    frames.len() * times
}

fn encap(args: &[&str], threads: usize) -> Output {
    Command::new(env!("CARGO_BIN_EXE_encap"))
        .args(args)
        .args(["--threads", &threads.to_string()])
        .output()
        .expect("run encap")
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("encap-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

#[test]
fn every_thread_count_prints_the_same() {
    let dir = temp_dir("threads");
    let file = dir.0.join("tiled.pcap");
    let frames = tiled(&file, 16);
    assert!(frames > 5000, "{frames} frames: too few blocks");
    let f = file.to_str().unwrap();
    let runs: &[&[&str]] = &[
        &["read", "-r", f],
        &["read", "-r", f, "--color", "always"],
        &["read", "-r", f, "-V", "-x", "-c", "3000"],
        &[
            "read",
            "-r",
            f,
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "ip.src",
            "-e",
            "tcp.analysis.flags",
            "-e",
            "http.host",
            "-E",
            "header=y",
        ],
        &["read", "-r", f, "-T", "json", "-c", "2500"],
        &["read", "-r", f, "-T", "ek", "-Y", "dns"],
        &["read", "-r", f, "-T", "json", "-Y", "frame.number == 0"],
        &[
            "read",
            "-r",
            f,
            "-Y",
            "tcp.analysis.flags || icmp",
            "-c",
            "4097",
        ],
    ];
    for args in runs {
        let one = encap(args, 1);
        assert!(
            one.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&one.stderr)
        );
        assert!(!one.stdout.is_empty(), "{args:?}: nothing printed");
        for threads in [2, 3] {
            let many = encap(args, threads);
            assert!(many.status.success(), "{args:?} on {threads} threads");
            assert!(
                many.stdout == one.stdout,
                "{args:?}: {threads} threads print differently from one"
            );
        }
    }
}

#[test]
fn written_frames_and_a_broken_file_are_the_same_on_any_thread_count() {
    let dir = temp_dir("threads-broken");
    let file = dir.0.join("tiled.pcap");
    tiled(&file, 8);
    // Cut inside a record, far past the first blocks.
    let bytes = std::fs::read(&file).unwrap();
    let cut = dir.0.join("cut.pcap");
    std::fs::write(&cut, bytes.get(..bytes.len() * 2 / 3 + 5).unwrap()).unwrap();
    let mut outputs = Vec::new();
    for threads in [1, 2, 3] {
        let out = dir.0.join(format!("out-{threads}.pcap"));
        let o = encap(
            &[
                "read",
                "-r",
                cut.to_str().unwrap(),
                "-Y",
                "tcp",
                "-w",
                out.to_str().unwrap(),
            ],
            threads,
        );
        assert!(!o.status.success(), "a broken file must fail");
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(err.contains("after frame"), "{err}");
        outputs.push((o.stdout, err, std::fs::read(&out).unwrap()));
    }
    let first = outputs.first().unwrap();
    assert!(first.2.len() > 24, "-w kept no frame");
    for (i, o) in outputs.iter().enumerate().skip(1) {
        assert!(o == first, "thread count {} differs from one", i + 1);
    }
}
