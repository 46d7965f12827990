#!/usr/bin/env bash
# Builds `encap` with profile-guided optimisation (PGO): an instrumented build
# reads captures, LLVM records which branches and calls are hot, and a second
# release build lays the code out for them. Same source, same behaviour
# (bench-read.sh checks that both builds print the same bytes); `encap read`
# spends ~10 % less CPU than the plain `cargo build --release`.
#
#   bash scripts/build-pgo.sh        # -> target/pgo/release/encap
#
# The training reads only captures none of whose frames is in the benchmarks'
# tiled file (make-tiled.py tiles the Ethernet pcaps; these are the SLL, SLL2,
# null, raw IP and pcapng ones, captured in runs of their own): the speed it
# buys is measured on traffic it never saw.
set -euo pipefail
cd "$(dirname "$0")/.."

# llvm-profdata must be the compiler's own LLVM's: rustup's llvm-tools.
rustup component list --installed | grep -q '^llvm-tools' || rustup component add llvm-tools
host=$(rustc -vV | sed -n 's/^host: //p')
profdata=$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata
[ -x "$profdata" ] || { echo "build-pgo: no llvm-profdata at $profdata" >&2; exit 1; }

# Not in the tiled file: pcapng files, and pcaps whose link type is not Ethernet.
held_out() {
  local magic link
  magic=$(od -An -tx4 -N4 "$1" | tr -d ' ')
  case $magic in
    0a0d0d0a) return 0 ;;
    a1b2c3d4 | a1b23c4d) link=$(od -An -tu4 -j20 -N4 "$1" | tr -d ' '); [ "$link" != 1 ] ;;
    *) return 1 ;;
  esac
}

profiles=$PWD/target/pgo-profiles
rm -rf "$profiles"
mkdir -p "$profiles"
RUSTFLAGS="-Cprofile-generate=$profiles" \
  cargo build --release -p encap --quiet --target-dir target/pgo-train
train=target/pgo-train/release/encap

fields=(-e frame.number -e frame.len -e eth.src -e ip.src -e ip.dst -e ip.proto
  -e tcp.srcport -e tcp.dstport -e udp.dstport -e dns.qry.name)
read_files=0
for f in captures/*.pcap captures/*.pcapng; do
  held_out "$f" || continue
  read_files=$((read_files + 1))
  # What users run: summary lines (plain and coloured), the tree, hex, fields, JSON.
  "$train" read -r "$f" >/dev/null
  "$train" read -r "$f" --color always >/dev/null
  "$train" read -r "$f" -V -x >/dev/null
  "$train" read -r "$f" -T fields "${fields[@]}" >/dev/null
  "$train" read -r "$f" -T json >/dev/null
  "$train" read -r "$f" -Y 'tcp or dns' >/dev/null
done
[ "$read_files" -gt 0 ] || { echo "build-pgo: no training captures in captures/" >&2; exit 1; }

"$profdata" merge -o "$profiles/encap.profdata" "$profiles"/*.profraw
# Cargo rebuilds for changed sources, not for a changed profile alone: new
# training captures with the same sources keep the last build.
RUSTFLAGS="-Cprofile-use=$profiles/encap.profdata" \
  cargo build --release -p encap --quiet --target-dir target/pgo
echo "build-pgo: target/pgo/release/encap (trained on $read_files captures)" >&2
