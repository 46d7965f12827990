#!/usr/bin/env bash
# encap read against tshark -r and tcpdump -nr on the same large file (hyperfine).
#   bash scripts/bench-read.sh [FRAMES]      (default 1,000,000; the file is made once)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-1000000}
file=bench-data/tiled-$frames.pcap
[ -f "$file" ] || python3 scripts/make-tiled.py "$file" "$frames"
cargo build --release -p encap --quiet
encap=target/release/encap
fields=(-e frame.number -e frame.len -e eth.src -e ip.src -e ip.dst -e ip.proto -e tcp.srcport -e tcp.dstport -e udp.dstport -e dns.qry.name)
tf=$(printf ' %s' "${fields[@]}")
export HOME=/tmp   # no personal tshark profile

echo "== one-line summaries ($frames frames)"
hyperfine --warmup 1 --runs 3 --style basic --export-markdown bench-data/summary.md \
  -n "encap read" "$encap read -r $file > /dev/null" \
  -n "tcpdump -nr" "tcpdump -nr $file > /dev/null 2>&1" \
  -n "tshark -n -r" "tshark -n -r $file > /dev/null 2>&1"

echo "== -T fields with 10 fields ($frames frames)"
hyperfine --warmup 1 --runs 3 --style basic --export-markdown bench-data/fields.md \
  -n "encap read -T fields" "$encap read -r $file -T fields$tf > /dev/null" \
  -n "tshark -T fields" "tshark -n -r $file -T fields$tf > /dev/null 2>&1"
