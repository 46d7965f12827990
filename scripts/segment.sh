# A capture segment made of network namespaces, for the demo and the live
# tests (source this file; needs root, iproute2, dnsmasq, python3, openssl).
#
#   $seg_ns  a bridge br0 acting as a hub (ageing time 0: every frame goes to
#            every port), TAP devices for agents, 198.51.100.1 on br0 (the
#            service's ingest listens there)
#   $srv_ns  198.51.100.2 behind veth vs: DNS (www.example.test), HTTP on 80,
#            TLS on 443, DHCP for the segment (198.51.100.100-150)
#   $cli_ns  198.51.100.3 behind veth vc: where traffic starts
#
# The bridge's ports are the TAPs and the bridge-side ends of the veths
# (vs0, vc0), so an agent on any of them sees the client and the servers.

segment_up() {  # segment_up PREFIX WORKDIR TAP...
  local prefix=$1 work=$2; shift 2
  seg_ns=${prefix}s srv_ns=${prefix}v cli_ns=${prefix}c
  local ns
  for ns in "$seg_ns" "$srv_ns" "$cli_ns"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  ip -n "$seg_ns" link add br0 type bridge ageing_time 0
  local tap
  for tap in "$@"; do
    ip -n "$seg_ns" tuntap add dev "$tap" mode tap
    ip -n "$seg_ns" link set "$tap" master br0
    ip -n "$seg_ns" link set "$tap" up
  done
  ip -n "$seg_ns" link add vs0 type veth peer name vs netns "$srv_ns"
  ip -n "$seg_ns" link add vc0 type veth peer name vc netns "$cli_ns"
  ip -n "$seg_ns" link set vs0 master br0
  ip -n "$seg_ns" link set vc0 master br0
  ip -n "$seg_ns" link set vs0 up
  ip -n "$seg_ns" link set vc0 up
  ip -n "$seg_ns" addr add 198.51.100.1/24 dev br0
  ip -n "$seg_ns" link set br0 up
  ip -n "$srv_ns" addr add 198.51.100.2/24 dev vs
  ip -n "$srv_ns" link set vs up
  ip -n "$cli_ns" addr add 198.51.100.3/24 dev vc
  ip -n "$cli_ns" link set vc up

  ip netns exec "$srv_ns" dnsmasq -d -C /dev/null --user=root --group=root --pid-file= --no-resolv --no-hosts \
    --interface=vs --bind-interfaces --local=/example.test/ \
    --host-record=www.example.test,198.51.100.2,2001:db8::2 --mx-host=example.test,www.example.test,10 \
    --dhcp-range=198.51.100.100,198.51.100.150,255.255.255.0,10m --dhcp-authoritative \
    --dhcp-leasefile="$work/leases" >"$work/dnsmasq.log" 2>&1 &
  segment_pids+=($!)
  mkdir -p "$work/www" && echo "hello from the encap segment" >"$work/www/index.html"
  ip netns exec "$srv_ns" python3 -m http.server 80 --bind 198.51.100.2 --directory "$work/www" \
    >"$work/http.log" 2>&1 &
  segment_pids+=($!)
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=www.example.test \
    -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
  ip netns exec "$srv_ns" openssl s_server -accept 443 -www -cert "$work/cert.pem" -key "$work/key.pem" \
    -alpn http/1.1 >"$work/tls.log" 2>&1 &
  segment_pids+=($!)
  local _
  for _ in $(seq 100); do
    ip netns exec "$cli_ns" python3 -c "import socket; socket.create_connection(('198.51.100.2',80),0.2); socket.create_connection(('198.51.100.2',443),0.2)" \
      2>/dev/null && return 0
    sleep 0.1
  done
  echo "segment: the servers did not come up" >&2
  return 1
}

# One round of real traffic from the client: ping, DNS, HTTP, TLS.
segment_traffic() {
  ip netns exec "$cli_ns" ping -c 1 -W 1 198.51.100.2 >/dev/null 2>&1
  ip netns exec "$cli_ns" dig +tries=1 +time=1 @198.51.100.2 www.example.test >/dev/null 2>&1
  ip netns exec "$cli_ns" curl -sS --max-time 2 -o /dev/null http://198.51.100.2/ 2>/dev/null
  ip netns exec "$cli_ns" timeout 3 openssl s_client -connect 198.51.100.2:443 -servername www.example.test \
    -alpn http/1.1 </dev/null >/dev/null 2>&1
  return 0
}

segment_down() {
  local p ns
  for p in "${segment_pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${segment_pids[@]}"; do wait "$p" 2>/dev/null; done
  for ns in "$cli_ns" "$srv_ns" "$seg_ns"; do
    [ -n "$ns" ] || continue
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  return 0
}

# What the hil tests watch of segment_traffic, and the fields they compare
# with tshark's.
segment_filter='icmp || dns || tcp.port == 80 || tcp.port == 443'
segment_fields=(-e frame.len -e ip.src -e ip.dst -e icmp.type -e icmp.seq -e dns.qry.name -e dns.a -e tcp.stream
  -e tcp.seq -e tcp.ack -e tcp.len -e tcp.flags -e tcp.analysis.flags -e frame.coloring_rule.name)

segment_pids=()
seg_ns= srv_ns= cli_ns=
