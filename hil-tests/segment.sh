#!/usr/bin/env bash
# The agent's smoltcp modes on a real segment (scripts/segment.sh: a bridge
# used as a hub in a namespace, a client and a server namespace, TAPs).
#   A. --tap with a static address: the agent is a host on the segment, its
#      uplink runs over smoltcp TCP on the same TAP; a watcher's fields equal
#      tshark's capture of that TAP (minus the uplink itself).
#   B. --iface (smoltcp raw socket) on the client's bridge port: fields equal
#      tshark's capture of the same port.
#   C. --tap with DHCP: the agent leases an address and comes online.
#   D. the TAP and the bridge port are set down and up: both agents go on,
#      watchers get frames again.
# Run as root after building: bash hil-tests/segment.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source hil-tests/lib.sh
source scripts/segment.sh
hil_start segment
cleanup() {
  set +e
  hil_stop_pids
  segment_down
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
on_fail() { [ -n "$seg_ns" ] && ip netns exec "$seg_ns" ss -tn; }

segment_up "es$P" "$work" tap0 tap1 || fail "the segment did not come up"
# Backgrounded commands use `ip netns exec` directly: it execs, so $! is the
# program's pid (a function would leave a subshell's pid there).
in_seg() { ip netns exec "$seg_ns" "$@"; }
port=50051 ingest=50052
export ENCAP_SERVER=http://127.0.0.1:$port ENCAP_CONFIG_DIR=$work/config ENCAP_DATA_DIR=$work/data
ip netns exec "$seg_ns" "$bin/encap-control" serve --listen "127.0.0.1:$port" --ingest-listen "198.51.100.1:$ingest" --auto-confirm \
  >"$work/control.log" 2>&1 &
pids+=($!)
wait_for 10 "the service" in_seg python3 -c "import socket; socket.create_connection(('198.51.100.1',$ingest),0.2)"
tok_tap=$(in_seg "$bin/encap-control" agents add tap-agent 2>/dev/null)
tok_iface=$(in_seg "$bin/encap-control" agents add iface-agent 2>/dev/null)
tok_dhcp=$(in_seg "$bin/encap-control" agents add dhcp-agent 2>/dev/null)
printf 'watcher password\n' | in_seg "$bin/encap" register --name watcher --email watcher@example.org --password-stdin >/dev/null
printf 'watcher password\n' | in_seg "$bin/encap" login watcher --password-stdin >/dev/null

ip netns exec "$seg_ns" "$bin/encap-agent" --name tap-agent --token "$tok_tap" --tap tap0 --address 198.51.100.9/24 \
  --service "198.51.100.1:$ingest" >"$work/agent-tap.log" 2>&1 &
pids+=($!)
ip netns exec "$seg_ns" "$bin/encap-agent" --name iface-agent --token "$tok_iface" --iface vc0 \
  --service "198.51.100.1:$ingest" >"$work/agent-iface.log" 2>&1 &
pids+=($!)
ip netns exec "$seg_ns" "$bin/encap-agent" --name dhcp-agent --token "$tok_dhcp" --tap tap1 \
  --service "198.51.100.1:$ingest" >"$work/agent-dhcp.log" 2>&1 &
pids+=($!)
wait_for 15 "the --tap agent" grep -q welcomed "$work/agent-tap.log"
wait_for 15 "the --iface agent" grep -q welcomed "$work/agent-iface.log"
ok "service on the segment; --tap and --iface agents welcomed"

# --- A and B: the same traffic, watched through both agents and captured by tshark.
filter=$segment_filter fields=("${segment_fields[@]}")
ip netns exec "$seg_ns" tshark -n -i tap0 -f "not tcp port $ingest" -w "$work/tap0.pcap" >"$work/tshark-tap.log" 2>&1 &
ts_tap=$!; pids+=($ts_tap)
ip netns exec "$seg_ns" tshark -n -i vc0 -w "$work/vc0.pcap" >"$work/tshark-vc0.log" 2>&1 &
ts_vc0=$!; pids+=($ts_vc0)
ip netns exec "$seg_ns" "$bin/encap" watch --agent tap-agent -Y "$filter" -T fields "${fields[@]}" >"$work/tap.tsv" 2>"$work/watch-tap.log" &
w_tap=$!; pids+=($w_tap)
ip netns exec "$seg_ns" "$bin/encap" watch --agent iface-agent -Y "$filter" -T fields "${fields[@]}" >"$work/iface.tsv" 2>"$work/watch-iface.log" &
w_iface=$!; pids+=($w_iface)
wait_for 10 "tshark on tap0" grep -q "Capturing on" "$work/tshark-tap.log"
wait_for 10 "tshark on vc0" grep -q "Capturing on" "$work/tshark-vc0.log"
wait_for 10 "the filter at the --tap agent's edge" grep -q "edge filter: ($filter)" "$work/agent-tap.log"
wait_for 10 "the filter at the --iface agent's edge" grep -q "edge filter: ($filter)" "$work/agent-iface.log"
sleep 1  # dumpcap says "Capturing on" a moment before it captures
for _ in 1 2 3; do segment_traffic; done
sleep 1
kill -INT "$w_tap" "$w_iface" "$ts_tap" "$ts_vc0"
wait "$w_tap" "$w_iface" "$ts_tap" "$ts_vc0" 2>/dev/null || true
for mode in tap iface; do
  pcap=$work/tap0.pcap; [ $mode = iface ] && pcap=$work/vc0.pcap
  n=$(same_as_tshark "--$mode" "$pcap" "$work/$mode.tsv" "$work/watch-$mode.log")
  ok "--$mode: $n frames of ping, DNS, HTTP and TLS watched live, every field equal to tshark's capture"
done
grep -q "connected to 198.51.100.1:$ingest" "$work/agent-tap.log" || fail "the --tap uplink did not run over smoltcp"

# --- C. DHCP.
wait_for 20 "a DHCP lease" grep -q 'address 198.51.100.1[0-5][0-9]/24' "$work/agent-dhcp.log"
wait_for 10 "the DHCP agent's welcome" grep -q welcomed "$work/agent-dhcp.log"
in_seg "$bin/encap" agents >"$work/agents.txt" || fail "encap agents"
grep -Eq '^dhcp-agent +online +198\.51\.100\.1[0-5][0-9]:' "$work/agents.txt" \
  || fail "dhcp-agent is not online from its leased address: $(cat "$work/agents.txt")"
ok "--tap with DHCP: $(grep -o 'address [0-9./]*' "$work/agent-dhcp.log" | head -1) leased, online from it"

# --- D. links down and up.
flap_and_watch() {  # flap_and_watch DEVICE AGENT LOG
  local device=$1 agent=$2 log=$3
  ip -n "$seg_ns" link set "$device" down
  ip netns exec "$cli_ns" ping -c 2 -i 0.2 -W 1 198.51.100.2 >/dev/null 2>&1 || true
  sleep 1
  ip -n "$seg_ns" link set "$device" up
  wait_for 10 "the segment to carry ping again" ip netns exec "$cli_ns" ping -c 1 -W 1 198.51.100.2
  # Frames queued while the link was down may still arrive: the pings that
  # count are told apart by their size (77 bytes of data: 119-byte frames).
  ip netns exec "$seg_ns" timeout 30 "$bin/encap" watch --agent "$agent" -Y 'icmp.type == 8 && frame.len == 119' -c 3 -T fields -e icmp.seq \
    >"$work/after-$device.tsv" 2>/dev/null &
  local w=$!; pids+=($w)
  wait_for 10 "the new filter at $agent" grep -q 'edge filter: (icmp.type == 8 && frame.len == 119)' "$log"
  ip netns exec "$cli_ns" ping -c 3 -s 77 -i 0.3 -W 1 198.51.100.2 >/dev/null 2>&1 || fail "ping after $device came back"
  wait "$w" || fail "the watcher after $device came back exited with $?"
  [ "$(tr '\n' ' ' <"$work/after-$device.tsv")" = "1 2 3 " ] \
    || fail "after $device came back the watcher got: $(cat "$work/after-$device.tsv")"
}
flap_and_watch tap0 tap-agent "$work/agent-tap.log"
flap_and_watch vc0 iface-agent "$work/agent-iface.log"
for p in "${pids[@]:1:3}"; do kill -0 "$p" || fail "an agent died when its link went down"; done
ok "tap0 and vc0 set down and up: both agents went on, watchers got frames again"

echo "segment: $passed passed, 0 failed"
