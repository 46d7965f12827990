#!/usr/bin/env bash
# The main job: live, coloured dissection in this terminal.
#
# Builds a capture segment out of network namespaces (scripts/segment.sh: a
# bridge used as a hub, a client, a server with DNS, HTTP and TLS), starts
# the service on SQLite with an auto-confirmed demo user, starts an agent as a
# smoltcp host on a TAP of that segment (its uplink runs over the same TAP),
# makes real traffic (ping, dig, curl, openssl s_client) and runs `encap
# watch` until Ctrl-C; then removes everything it created.
#   bash scripts/demo.sh                      (as root)
#   ENCAP_DEMO_SECONDS=20 bash scripts/demo.sh   (stop by itself)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (it creates a namespace and captures)" >&2; exit 1; }
ENCAP_SKIP_FUZZ=1 bash scripts/setup-deps.sh
echo "demo: building encap, encap-control and encap-agent (release)…"
cargo build --release --quiet -p encap -p encap-control -p encap-agent
bin=$PWD/target/release

source scripts/segment.sh
P=$$
work=$(mktemp -d /tmp/encap-demo.$P.XXXX)
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  segment_down
  rm -rf "$work"
  echo "demo: cleaned up (namespaces $seg_ns $srv_ns $cli_ns, processes, $work)" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

segment_up "edemo$P" "$work" tap0
in_seg() { ip netns exec "$seg_ns" "$@"; }

# The service inside the segment's namespace: gRPC on its loopback, the
# agents' ingest on the bridge (198.51.100.1).
port=50051 ingest=50052
export ENCAP_SERVER=http://127.0.0.1:$port ENCAP_CONFIG_DIR=$work/config ENCAP_DATA_DIR=$work/data
ip netns exec "$seg_ns" "$bin/encap-control" serve --listen "127.0.0.1:$port" \
  --ingest-listen "198.51.100.1:$ingest" --auto-confirm >"$work/control.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  in_seg python3 -c "import socket; socket.create_connection(('198.51.100.1',$ingest),0.2)" 2>/dev/null && break
  sleep 0.1
done
token=$(in_seg "$bin/encap-control" agents add demo-tap 2>/dev/null)
printf 'demo password\n' | in_seg "$bin/encap" register --name demo --email demo@example.org --password-stdin >/dev/null
printf 'demo password\n' | in_seg "$bin/encap" login demo --password-stdin >/dev/null
ip netns exec "$seg_ns" "$bin/encap-agent" --name demo-tap --token "$token" --tap tap0 \
  --address 198.51.100.9/24 --service "198.51.100.1:$ingest" >"$work/agent.log" 2>&1 &
pids+=($!)

# Real traffic across the segment, once a second (bounded: an hour at most);
# the agent answers ping too: it is a host on the segment.
(
  for _ in $(seq 3600); do
    segment_traffic
    ip netns exec "$cli_ns" ping -c 1 -W 1 198.51.100.9 >/dev/null 2>&1
    sleep 1
  done
) &
pids+=($!)

echo "demo: service $ENCAP_SERVER in namespace $seg_ns, agent demo-tap at 198.51.100.9 on tap0, logged in as demo."
echo "demo: streaming live dissection; Ctrl-C ends it."
echo
watch=(ip netns exec "$seg_ns" "$bin/encap" watch --color always)
if [ -n "${ENCAP_DEMO_SECONDS:-}" ]; then
  timeout --foreground -s INT "$ENCAP_DEMO_SECONDS" "${watch[@]}" || true
else
  "${watch[@]}" || true
fi
