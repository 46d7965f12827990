#!/usr/bin/env bash
# encap read against tshark -r and tcpdump -nr on the same large file.
#   bash scripts/bench-read.sh [FRAMES [ROUNDS]]   (default 1,000,000 frames, 3 rounds; the file is made once)
#
# Two builds of encap are timed: the plain `cargo build --release`, and the
# profile-guided one of scripts/build-pgo.sh (trained on captures that are not
# in the tiled file); both must print the same bytes.
#
# This machine's speed swings from minute to minute, so the tools are timed in
# rounds, side by side: each round runs encap five times (it takes a fifth of
# a second) and each other tool once, with hyperfine, and every ratio is taken
# within a round. The table gives each tool's mean over all rounds, and the
# ratios' median and range over the rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-1000000}
rounds=${2:-3}
file=bench-data/tiled-$frames.pcap
[ -f "$file" ] || python3 scripts/make-tiled.py "$file" "$frames"
cargo build --release -p encap --quiet
bash scripts/build-pgo.sh
encap=target/release/encap
pgo=target/pgo/release/encap
fields=(-e frame.number -e frame.len -e eth.src -e ip.src -e ip.dst -e ip.proto -e tcp.srcport -e tcp.dstport -e udp.dstport -e dns.qry.name)
tf=$(printf ' %s' "${fields[@]}")
export HOME=/tmp   # no personal tshark profile
out=bench-data/read-rounds
rm -rf "$out"; mkdir -p "$out"
# The file in the page cache and each tool's own files loaded, for every tool alike.
cat "$file" >/dev/null
for tool in "$encap read -r" "$pgo read -r" "tcpdump -nr" "tshark -n -r"; do $tool captures/dns.pcap >/dev/null 2>&1; done
# The same output from both builds, or the comparison is void.
for args in "" "-T fields$tf"; do
  cmp -s <($encap read -r "$file" $args) <($pgo read -r "$file" $args) ||
    { echo "bench-read: the PGO build's output differs (read -r $file $args)" >&2; exit 1; }
done
five() { local c="$1"; echo "$c > /dev/null; $c > /dev/null; $c > /dev/null; $c > /dev/null; $c > /dev/null"; }

for r in $(seq "$rounds"); do
  echo "== round $r of $rounds ($frames frames)"
  hyperfine --runs 1 --style basic --export-json "$out/summary-$r.json" \
    -n "encap read" "$(five "$encap read -r $file")" \
    -n "encap read (PGO)" "$(five "$pgo read -r $file")" \
    -n "tcpdump -nr" "tcpdump -nr $file > /dev/null 2>&1" \
    -n "tshark -n -r" "tshark -n -r $file > /dev/null 2>&1" | grep -E '^(Benchmark|  Time)'
  hyperfine --runs 1 --style basic --export-json "$out/fields-$r.json" \
    -n "encap read -T fields" "$(five "$encap read -r $file -T fields$tf")" \
    -n "encap read -T fields (PGO)" "$(five "$pgo read -r $file -T fields$tf")" \
    -n "tshark -T fields" "tshark -n -r $file -T fields$tf > /dev/null 2>&1" | grep -E '^(Benchmark|  Time)'
done

python3 - "$out" "$rounds" "$frames" <<'EOF'
import json, statistics, sys
out, rounds, frames = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def times(kind, r):
    data = json.load(open(f"{out}/{kind}-{r}.json"))
    # encap ran five times in its one timed command.
    return {b["command"]: b["mean"] / (5 if b["command"].startswith("encap") else 1) for b in data["results"]}
rows = {"summary": [times("summary", r) for r in range(1, rounds + 1)],
        "fields": [times("fields", r) for r in range(1, rounds + 1)]}
def line(kind, ours, theirs, target):
    per = [r[theirs] / r[ours] for r in rows[kind]]
    mean = lambda c: statistics.mean(r[c] for r in rows[kind])
    print(f"| {ours} vs {theirs} | {mean(ours):.3f} s | {mean(theirs):.2f} s | "
          f"{statistics.median(per):.1f}× ({min(per):.1f}–{max(per):.1f}×) | {target} |")
print(f"\n{frames:,} frames, {rounds} rounds; encap on {__import__('os').cpu_count()} cores\n")
print("| comparison | encap (mean) | other (mean) | encap is faster by: median of rounds (range) | target |")
print("|---|---|---|---|---|")
for build in ("", " (PGO)"):
    line("summary", "encap read" + build, "tcpdump -nr", "5×")
    line("summary", "encap read" + build, "tshark -n -r", "50×")
    line("fields", "encap read -T fields" + build, "tshark -T fields", "100×")
EOF
