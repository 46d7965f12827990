#!/usr/bin/env bash
# The main job: live, coloured dissection in this terminal.
#
# Starts the service on SQLite with an auto-confirmed demo user, creates a
# network namespace joined to this host by a veth pair, runs DNS, HTTP and TLS
# servers inside it, starts an agent capturing the veth (libpcap), makes real
# traffic across it (ping, dig, curl, openssl s_client) and runs `encap watch`
# until Ctrl-C; then removes everything it created.
#   bash scripts/demo.sh                      (as root)
#   ENCAP_DEMO_SECONDS=20 bash scripts/demo.sh   (stop by itself)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (it creates a namespace and captures)" >&2; exit 1; }
ENCAP_SKIP_FUZZ=1 bash scripts/setup-deps.sh
echo "demo: building encap, encap-control and encap-agent (release)…"
cargo build --release --quiet -p encap -p encap-control -p encap-agent
bin=$PWD/target/release

P=$$
ns=encapdemo$P
veth=edemo$P
work=$(mktemp -d /tmp/encap-demo.$P.XXXX)
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  ip link del "$veth" 2>/dev/null
  rm -rf "$work"
  echo "demo: cleaned up (namespace $ns, veth $veth, processes, $work)" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {  # wait_port HOST PORT [NETNS]
  for _ in $(seq 100); do
    ${3:+ip netns exec "$3"} python3 -c "import socket; socket.create_connection(('$1',$2),0.2)" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "demo: nothing listens on $1:$2" >&2; exit 1
}

# The segment: this host 198.51.100.1, the servers 198.51.100.2.
ip netns add "$ns"
ip link add "$veth" type veth peer name "${veth}p"
ip link set "${veth}p" netns "$ns"
ip addr add 198.51.100.1/24 dev "$veth"; ip link set "$veth" up
ip -n "$ns" addr add 198.51.100.2/24 dev "${veth}p"; ip -n "$ns" link set "${veth}p" up
ip -n "$ns" link set lo up

ip netns exec "$ns" dnsmasq -d -C /dev/null --user=root --group=root --pid-file= --no-resolv --no-hosts \
  --bind-interfaces --listen-address=198.51.100.2 --local=/example.test/ \
  --host-record=www.example.test,198.51.100.2,2001:db8::2 --mx-host=example.test,www.example.test,10 \
  >"$work/dns.log" 2>&1 &
pids+=($!)
mkdir -p "$work/www" && echo "hello from the encap demo" >"$work/www/index.html"
ip netns exec "$ns" python3 -m http.server 80 --bind 198.51.100.2 --directory "$work/www" >"$work/http.log" 2>&1 &
pids+=($!)
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=www.example.test \
  -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
ip netns exec "$ns" openssl s_server -accept 443 -www -cert "$work/cert.pem" -key "$work/key.pem" \
  -alpn http/1.1 >"$work/tls.log" 2>&1 &
pids+=($!)
wait_port 198.51.100.2 80 "$ns"; wait_port 198.51.100.2 443 "$ns"

# The service, a demo user, an agent on the veth.
port=$(free_port); ingest=$(free_port)
export ENCAP_SERVER=http://127.0.0.1:$port ENCAP_CONFIG_DIR=$work/config ENCAP_DATA_DIR=$work/data
"$bin/encap-control" serve --listen "127.0.0.1:$port" --ingest-listen "127.0.0.1:$ingest" --auto-confirm \
  >"$work/control.log" 2>&1 &
pids+=($!)
wait_port 127.0.0.1 "$ingest"
token=$("$bin/encap-control" agents add demo-segment 2>/dev/null)
printf 'demo password\n' | "$bin/encap" register --name demo --email demo@example.org --password-stdin >/dev/null
printf 'demo password\n' | "$bin/encap" login demo --password-stdin >/dev/null
"$bin/encap-agent" --name demo-segment --token "$token" --service "127.0.0.1:$ingest" --pcap "$veth" \
  >"$work/agent.log" 2>&1 &
pids+=($!)

# Real traffic across the segment, once a second (bounded: an hour at most).
(
  for i in $(seq 3600); do
    ping -c 1 -W 1 198.51.100.2 >/dev/null 2>&1
    dig +tries=1 +time=1 @198.51.100.2 www.example.test >/dev/null 2>&1
    curl -sS --max-time 2 -o /dev/null http://198.51.100.2/ 2>/dev/null
    timeout 3 openssl s_client -connect 198.51.100.2:443 -servername www.example.test -alpn http/1.1 \
      </dev/null >/dev/null 2>&1
    sleep 1
  done
) &
pids+=($!)

echo "demo: service $ENCAP_SERVER, agent demo-segment on $veth, logged in as demo."
echo "demo: streaming live dissection; Ctrl-C ends it."
echo
watch=("$bin/encap" watch --color always)
if [ -n "${ENCAP_DEMO_SECONDS:-}" ]; then
  timeout --foreground -s INT "$ENCAP_DEMO_SECONDS" "${watch[@]}" || true
else
  "${watch[@]}" || true
fi
