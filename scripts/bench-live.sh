#!/usr/bin/env bash
# Streaming throughput: encap-agent --read on a large file → encap-control →
# 1 watcher, then 10 watchers (summary lines), on loopback, as fast as the
# uplink takes; then 1 watcher with the agent at the file's recorded pace
# (make-tiled.py's: 1,000,000 frames/s), where nothing should be lost. Prints frames/s,
# CPU seconds and peak RSS of each process, the frames each watcher got or was
# told it lost, and `encap read` on the same file for the ratio.
#   bash scripts/bench-live.sh [FRAMES]     (default 1,000,000; as root or not)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-1000000}
file=bench-data/tiled-$frames.pcap
[ -f "$file" ] || python3 scripts/make-tiled.py "$file" "$frames"
cargo build --release --quiet -p encap -p encap-control -p encap-agent
bin=$PWD/target/release
work=$(mktemp -d /tmp/encap-bench-live.$$.XXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# CPU seconds (user+system) and peak RSS (MiB) of a running process.
usage() { awk '{printf "%.2f", ($14+$15)/100}' "/proc/$1/stat"; printf ' '; awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

export ENCAP_CONFIG_DIR=$work/config ENCAP_DATA_DIR=$work/data
# encap read on the same file, the best of three (seconds), for the ratio.
read_s=$(python3 - "$bin/encap" "$file" <<'EOF'
import subprocess, sys, time
best = None
for _ in range(3):
    t = time.monotonic()
    subprocess.run([sys.argv[1], "read", "-r", sys.argv[2]], stdout=subprocess.DEVNULL, check=True)
    best = min(best or 1e9, time.monotonic() - t)
print(f"{best:.3f}")
EOF
)
printf '| run | frames/s through the service | frames/s to the first watcher | agent CPU s / RSS MiB | service CPU s / RSS MiB | service RSS over the run | watcher CPU s / RSS MiB (each) | frames got + told lost, per watcher | first watcher ÷ encap read |\n|---|---|---|---|---|---|---|---|---|\n' >"$work/table"

for run in 1 10 paced; do
  watchers=${run/paced/1}; pace=(); [ "$run" = paced ] && pace=(--pace)
  port=$(free_port); ingest=$(free_port)
  export ENCAP_SERVER=http://127.0.0.1:$port
  rm -rf "$work/data" "$work/config"
  "$bin/encap-control" serve --listen "127.0.0.1:$port" --ingest-listen "127.0.0.1:$ingest" --auto-confirm \
    --log-level warn >"$work/control.log" 2>&1 &
  service=$!; pids+=($service)
  for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$ingest),0.2)" 2>/dev/null && break; sleep 0.1; done
  token=$("$bin/encap-control" agents add bench 2>/dev/null)
  printf 'bench password\n' | "$bin/encap" register --name bench --email bench@example.org --password-stdin >/dev/null
  printf 'bench password\n' | "$bin/encap" login bench --password-stdin >/dev/null
  wpids=()
  for i in $(seq "$watchers"); do
    ( "$bin/encap" watch --color never 2>"$work/w$i.err" | wc -l >"$work/w$i.count" ) &
    pids+=($!)
  done
  sleep 1
  for i in $(seq "$watchers"); do wpids+=($(pgrep -f -n "encap watch --color never")); done
  wpids=($(pgrep -f "$bin/encap watch --color never"))
  # The service's RSS every 50 ms while the frames flow (bounded: 10 minutes at most).
  ( for _ in $(seq 12000); do awk '/VmRSS/ {print $2}' "/proc/$service/status" 2>/dev/null || break; sleep 0.05; done ) >"$work/rss" &
  sampler=$!; pids+=($sampler)
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S %M' -o "$work/agent.time" "$bin/encap-agent" --name bench --token "$token" \
    --service "127.0.0.1:$ingest" --read "$file" ${pace[@]+"${pace[@]}"} 2>"$work/agent.log"
  # Until the service has handed out every frame it received.
  sent=$(sed -nE 's/.*done: seen [0-9]+ filtered out [0-9]+ dropped [0-9]+ sent ([0-9]+).*/\1/p' "$work/agent.log")
  for _ in $(seq 600); do
    got=$(cat "$work"/w*.count 2>/dev/null | wc -l)
    all_idle=1
    for p in "${wpids[@]}"; do
      [ "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" = S ] || all_idle=0
    done
    [ "$all_idle" = 1 ] && break
    sleep 0.1
  done
  sleep 1
  end=$(date +%s.%N)
  svc=$(usage "$service")
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  keep=(); for p in "${pids[@]}"; do [ "$p" = "$sampler" ] || keep+=("$p"); done; pids=("${keep[@]}")
  rss=$(awk 'NR == 1 {first = $1} {last = $1; if ($1 > max) max = $1} END {printf "%.1f → %.1f MiB (max %.1f, %d samples)", first/1024, last/1024, max/1024, NR}' "$work/rss")
  wusage=$(usage "${wpids[0]}")
  for p in "${wpids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  wait_count=0
  for i in $(seq "$watchers"); do
    for _ in $(seq 100); do [ -s "$work/w$i.count" ] && break; sleep 0.1; done
  done
  per=""
  first_got=$(cat "$work/w1.count")
  for i in $(seq "$watchers"); do
    n=$(cat "$work/w$i.count")
    lost=$(sed -nE 's/^encap: ([0-9]+) frame\(s\) of .* lost .*/\1/p' "$work/w$i.err" | awk '{s+=$1} END {print s+0}')
    per="$per $n+$lost"
  done
  read -r au as am <"$work/agent.time"
  rate=$(python3 -c "print(f'{$sent/($end-$start-1):,.0f}')")
  first_rate=$(python3 -c "print($first_got/($end-$start-1))")
  delivered=$(python3 -c "print(f'{$first_rate:,.0f}')")
  ratio=$(python3 -c "print(f'{$first_rate/($frames/$read_s):.2f}×')")
  label="agent → service → $watchers watcher(s)"
  [ "$run" = paced ] && label="agent --pace (1M frames/s recorded) → service → 1 watcher"
  printf '| %s | %s | %s | %.2f / %.1f | %s | %s | %s | %s | %s |\n' "$label" "$rate" "$delivered" \
    "$(echo "$au + $as" | bc)" "$(echo "$am/1024" | bc -l)" "${svc/ / \/ }" "$rss" "${wusage/ / \/ }" "${per# }" "$ratio" >>"$work/table"
  kill "$service"; wait "$service" 2>/dev/null || true
done
echo
echo "$frames frames; encap read on the same file: $read_s s ($(python3 -c "print(f'{$frames/$read_s:,.0f}')") frames/s)"
echo
cat "$work/table"
