#!/usr/bin/env bash
# The main job, until live streaming exists: build encap and read a capture of
# real traffic the way tshark would, then show the same frames as fields and a tree.
set -euo pipefail
cd "$(dirname "$0")/.."
ENCAP_SKIP_FUZZ=1 bash scripts/setup-deps.sh
cargo build --release -p encap --quiet
encap=target/release/encap
capture=${1:-captures/mixed.pcapng}

echo "== encap read -r $capture"
"$encap" read -r "$capture"
echo
echo "== encap read -r $capture -T fields -e frame.number -e ip.src -e dns.qry.name -e http.host -E header=y -c 12"
"$encap" read -r "$capture" -T fields -e frame.number -e ip.src -e dns.qry.name -e http.host -E header=y -c 12
echo
echo "== encap read -r captures/dns.pcap -V -c 4 (the layer tree of frame 4)"
"$encap" read -r captures/dns.pcap -V -c 4 | tail -n +1 | sed -n '/^Frame 4/,$p'
