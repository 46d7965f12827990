#!/usr/bin/env bash
# The agent firmware on an emulated board (QEMU mps2-an385, LAN9118 MAC) on
# a real segment (scripts/segment.sh), the service on the host side of the
# board's TAP.
#   A. settings: an image without them, and one with a damaged block, say
#      so on the UART and stop.
#   B. the board is an agent: a watcher's fields equal tshark's capture of
#      the board's TAP over paced ping, DNS, HTTP and TLS; nothing lost.
#   C. the watcher's filter is applied on the board: its counters say only
#      matching frames were sent.
#   D. the service is restarted: the board reconnects, streaming resumes.
# Each step has a time limit (wait_for, timeout) and prints "ok: …"; the
# last line is the success marker. Run as root after building the firmware:
#   (cd agent/board && cargo build --release) && bash hil-tests/board.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source hil-tests/lib.sh
source scripts/segment.sh
hil_start board
firmware=$PWD/target/thumbv7m-none-eabi/release/encap-board
[ -f "$firmware" ] || { echo "board: build the firmware first: (cd agent/board && cargo build --release)" >&2; exit 1; }
[ -x "$bin/encap-board-config" ] || { echo "board: build first: cargo build -p encap-agent" >&2; exit 1; }
cleanup() {
  set +e
  hil_stop_pids
  segment_down
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- A. settings missing or damaged: a clear report, no network needed.
timeout 10 qemu-system-arm -M mps2-an385 -nographic -nic none -kernel "$firmware" >"$work/unset.log" 2>&1 &
pids+=($!)
wait_for 10 "the unconfigured board's report" grep -q "stopped: no settings in this image" "$work/unset.log"
"$bin/encap-board-config" "$firmware" --name b --token t --service 198.51.100.1:50052 -o "$work/damaged.elf" 2>/dev/null
python3 - "$work/damaged.elf" <<'EOF'
import sys
path = sys.argv[1]
image = bytearray(open(path, "rb").read())
at = image.find(b"name=b\n")
image[at + 5] = ord("c")  # the text no longer matches its crc
open(path, "wb").write(image)
EOF
timeout 10 qemu-system-arm -M mps2-an385 -nographic -nic none -kernel "$work/damaged.elf" >"$work/damaged.log" 2>&1 &
pids+=($!)
wait_for 10 "the damaged settings' report" grep -q "stopped: the settings block is damaged" "$work/damaged.log"
! "$bin/encap-board-config" "$work/damaged.elf" --show >/dev/null 2>&1 || fail "encap-board-config --show took a damaged block"
ok "no settings and damaged settings are reported on the UART; the board stops"

# --- the segment, the service, the board.
segment_up "eb$P" "$work" tb0 || fail "the segment did not come up"
in_seg() { ip netns exec "$seg_ns" "$@"; }
port=50051 ingest=50052
export ENCAP_SERVER=http://127.0.0.1:$port ENCAP_CONFIG_DIR=$work/config ENCAP_DATA_DIR=$work/data
start_service() {
  ip netns exec "$seg_ns" "$bin/encap-control" serve --listen "127.0.0.1:$port" --ingest-listen "198.51.100.1:$ingest" \
    --auto-confirm >>"$work/control.log" 2>&1 &
  service=$!; pids+=($service)
  wait_for 10 "the service" in_seg python3 -c "import socket; socket.create_connection(('198.51.100.1',$ingest),0.2)"
}
start_service
token=$(in_seg "$bin/encap-control" agents add board 2>/dev/null)
printf 'watcher password\n' | in_seg "$bin/encap" register --name watcher --email watcher@example.org --password-stdin >/dev/null
printf 'watcher password\n' | in_seg "$bin/encap" login watcher --password-stdin >/dev/null
"$bin/encap-board-config" "$firmware" --name board --token "$token" --service "198.51.100.1:$ingest" \
  --address 198.51.100.20/24 -o "$work/board.elf" 2>/dev/null
# The whole run is bounded; QEMU's NIC is the TAP on the segment, nothing else.
ip netns exec "$seg_ns" timeout 600 qemu-system-arm -M mps2-an385 -nographic -kernel "$work/board.elf" \
  -nic tap,ifname=tb0,script=no,downscript=no >"$work/board.log" 2>&1 &
qemu=$!; pids+=($qemu)
wait_for 15 "the board's welcome" grep -q "encap-board: welcomed" "$work/board.log"
ok "the board booted, connected over smoltcp on its MAC and was welcomed"

# --- B. fields against tshark. The emulated MAC holds ~6 frames and drops
# the rest silently (BOARD.md), so traffic is paced: one exchange at a time.
filter=$segment_filter fields=("${segment_fields[@]}")
ip netns exec "$seg_ns" tshark -n -i tb0 -f "not tcp port $ingest" -w "$work/tb0.pcap" >"$work/tshark.log" 2>&1 &
ts=$!; pids+=($ts)
ip netns exec "$seg_ns" "$bin/encap" watch --agent board -Y "$filter" -T fields "${fields[@]}" >"$work/board.tsv" 2>"$work/watch.log" &
w=$!; pids+=($w)
wait_for 10 "tshark on tb0" grep -q "Capturing on" "$work/tshark.log"
wait_for 10 "the filter on the board" grep -q "edge filter: ($filter)" "$work/board.log"
sleep 1
ip netns exec "$cli_ns" ping -c 3 -i 0.2 -W 1 198.51.100.20 >/dev/null || fail "the board does not answer ping"
for _ in 1 2 3; do segment_traffic; sleep 0.3; done
sleep 2
kill -INT "$w" "$ts"
wait "$w" "$ts" 2>/dev/null || true
n=$(same_as_tshark "the board" "$work/tb0.pcap" "$work/board.tsv" "$work/watch.log")
ok "$n frames of ping (to the board too), DNS, HTTP and TLS dissected on the board, every field equal to tshark's"

# --- C. the filter runs on the board: what it sent is what matched.
agent_row() { in_seg "$bin/encap" agents | awk '$1 == "board"'; }
counters_before=$(agent_row)
ip netns exec "$seg_ns" timeout 30 "$bin/encap" watch --agent board -Y 'icmp.type == 8 && frame.len == 119' -c 4 \
  -T fields -e icmp.seq >"$work/filtered.tsv" 2>/dev/null &
w=$!; pids+=($w)
wait_for 10 "the new filter on the board" grep -q "edge filter: (icmp.type == 8 && frame.len == 119)" "$work/board.log"
sleep 1.5  # one counters report (every second) with the filter in place
before=$(agent_row)
for _ in 1 2; do segment_traffic; sleep 0.3; done
ip netns exec "$cli_ns" ping -c 4 -s 77 -i 0.3 -W 1 198.51.100.2 >/dev/null || fail "ping with the filter in place"
wait "$w" || fail "the filtered watcher exited with $?"
[ "$(tr '\n' ' ' <"$work/filtered.tsv")" = "1 2 3 4 " ] || fail "the filtered watcher got: $(cat "$work/filtered.tsv")"
sleep 1.5
after=$(agent_row)
# encap agents: NAME STATE ADDRESS SEEN SENT DROPPED RECEIVED FILTER
read -r _ _ _ seen0 sent0 _ <<<"$before"
read -r _ _ _ seen1 sent1 _ <<<"$after"
seen=$((seen1 - seen0)) sent=$((sent1 - sent0))
[ "$sent" -eq 4 ] || fail "the board sent $sent frames while 4 matched (seen $seen): before '$before', after '$after'"
[ "$seen" -ge 30 ] || fail "the board saw only $seen frames of the traffic"
grep -q "filtered out" "$work/board.log" || fail "no counters report on the UART"
ok "the filter ran on the board: $seen frames seen, $sent sent (the 4 that matched)"

# --- C2. a filter on a field the board's edge build does not read (icmp.seq):
# the board says so and sends every frame; the service still filters.
ip netns exec "$seg_ns" timeout 30 "$bin/encap" watch --agent board -Y 'icmp.seq == 2 && icmp.type == 8' -c 1 \
  -T fields -e icmp.seq -e icmp.type >"$work/refused.tsv" 2>/dev/null &
w=$!; pids+=($w)
wait_for 10 "the board to refuse the filter" grep -q 'cannot apply the filter "(icmp.seq == 2 && icmp.type == 8)".*not read by this build.*sending every frame' "$work/board.log"
ip netns exec "$cli_ns" ping -c 3 -i 0.3 -W 1 198.51.100.2 >/dev/null || fail "ping with the filter the board cannot apply"
wait "$w" || fail "the watcher of a filter the board cannot apply exited with $?"
[ "$(cat "$work/refused.tsv")" = "$(printf '2\t8')" ] || fail "that watcher got: $(cat "$work/refused.tsv")"
ok "a filter on a field the board does not read: the board said so and sent every frame, the service filtered"

# --- D. the service restarted: the board reconnects, streaming resumes.
said_times() { [ "$(grep -c "$1" "$work/board.log")" -ge "$2" ]; }  # said_times TEXT N
kill "$service"; wait "$service" 2>/dev/null || true
wait_for 20 "the board to notice" grep -q "the connection to 198.51.100.1:$ingest broke" "$work/board.log"
start_service
wait_for 30 "the board's second welcome" said_times 'encap-board: welcomed' 2
ip netns exec "$seg_ns" timeout 30 "$bin/encap" watch --agent board -Y 'icmp.type == 8 && frame.len == 119' -c 3 \
  -T fields -e icmp.seq >"$work/after.tsv" 2>/dev/null &
w=$!; pids+=($w)
wait_for 10 "the filter after the restart" said_times 'edge filter: (icmp.type == 8 && frame.len == 119)' 2
ip netns exec "$cli_ns" ping -c 3 -s 77 -i 0.3 -W 1 198.51.100.2 >/dev/null || fail "ping after the restart"
wait "$w" || fail "the watcher after the restart exited with $?"
[ "$(tr '\n' ' ' <"$work/after.tsv")" = "1 2 3 " ] || fail "after the restart the watcher got: $(cat "$work/after.tsv")"
ok "the service restarted: the board reconnected and streaming resumed"

# --- the budgets: flash from the image, RAM as the board measures it.
wait_for 15 "a memory report after the traffic" grep -q "encap-board: ram:" "$work/board.log"
bash scripts/board-budget.sh --report "$firmware" "$work/board.log" | tee "$work/budget.txt"
grep -q "^flash .* within" "$work/budget.txt" || fail "flash over budget: $(cat "$work/budget.txt")"
grep -q "^RAM .* within" "$work/budget.txt" || fail "RAM over budget: $(cat "$work/budget.txt")"
ok "flash within 128 KiB and RAM within 48 KiB: $(awk '$1 == "flash" || $1 == "RAM" { printf "%s %s %s; ", $1, $2, $3 }' "$work/budget.txt")"

echo "board: $passed passed, 0 failed"
