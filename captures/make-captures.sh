#!/usr/bin/env bash
# make-captures.sh — regenerate the real-traffic captures in this folder.
#
# Run as root:  bash captures/make-captures.sh [NAME...]
#   NAME is one of: icmp dns http tls dhcp tcp-faults ipv6 snaplen any mixed
#   (default: all of them). Then run captures/oracle.sh.
#
# Rules kept here (see README.md):
#  * traffic only inside network namespaces / veth pairs / TUN devices this
#    script creates, all named with the script's PID ("ec<PID>...");
#  * addresses only from 192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32
#    (plus the link-local / multicast the kernel uses by itself);
#  * every process started is killed by PID and every namespace removed in
#    the EXIT trap; every tool that could hang runs under `timeout`;
#    every wait loop is bounded.
set -euo pipefail
export LC_ALL=C
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

HERE=$(cd "$(dirname "$0")" && pwd)
P=$$
PFX="ec$P"                      # prefix of every namespace and link we create
TMP=$(mktemp -d "/tmp/ecap$P.XXXXXX")
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
NSLIST=()
PIDS=()
LASTPID=

[ "$(id -u)" = 0 ] || { echo "make-captures.sh: must run as root" >&2; exit 1; }
for t in ip tcpdump dumpcap dnsmasq dig curl openssl dhclient ping timeout; do
  command -v "$t" >/dev/null || { echo "make-captures.sh: missing $t (run scripts/setup-deps.sh)" >&2; exit 1; }
done

# teardown: kill every process we started (by PID) and delete our namespaces
teardown() {
  local pid ns
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  [ ${#PIDS[@]} -gt 0 ] && sleep 0.5
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  for ns in "${NSLIST[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  PIDS=(); NSLIST=()
}
cleanup() {
  local rc=$?
  set +e
  teardown
  # veth peers die with their namespace; remove anything of ours left in the root namespace
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$PFX" || true); do
    ip link del "$l" 2>/dev/null
  done
  if [ "$rc" != 0 ]; then
    echo "make-captures.sh: FAILED (rc=$rc); logs:" >&2
    for f in "$TMP"/*.log; do [ -s "$f" ] && { echo "== $f" >&2; tail -20 "$f" >&2; }; done
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

log() { echo "[make-captures] $*" >&2; }

# ---------------------------------------------------------------- helpers
# mkns N...            : create namespaces $PFX$N with lo up
mkns() { local n; for n in "$@"; do ip netns add "$PFX$n"; NSLIST+=("$PFX$n"); ip -n "$PFX$n" link set lo up; done; }
# veth NSA IFA MACA NSB IFB MACB : a veth pair between two namespaces (links left down)
veth() {
  ip link add "$PFX$2" address "$3" type veth peer name "$PFX$5" address "$6"
  ip link set "$PFX$2" netns "$PFX$1"
  ip link set "$PFX$5" netns "$PFX$4"
}
# X NS CMD... : run a command in namespace NS (bounded)
X() { local n="$PFX$1"; shift; ip netns exec "$n" timeout 30 "$@"; }
# Xq NS CMD... : like X but ignore failure (e.g. ping expecting no answer)
Xq() { X "$@" >/dev/null 2>&1 || true; }
# BG NS LOG CMD... : start a long-running command in NS in the background, remember its PID
BG() {
  local n="$PFX$1" lg="$TMP/$2.log"; shift 2
  ip netns exec "$n" timeout 120 "$@" >>"$lg" 2>&1 &
  LASTPID=$!; PIDS+=("$LASTPID")
}
# stop PID: SIGTERM a background job by PID and reap it
stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# addr NS IF ADDR... : add addresses (IPv6 without DAD) and bring link up
addr() {
  local n=$1 i="$PFX$2" a; shift 2
  for a in "$@"; do
    case $a in *:*) ip -n "$PFX$n" -6 addr add "$a" dev "$i" nodad ;; *) ip -n "$PFX$n" addr add "$a" dev "$i" ;; esac
  done
  ip -n "$PFX$n" link set "$i" up
}
# cap_start NS IF FILE [tcpdump args] : start tcpdump, sets CAPPID
cap_start() {
  local n=$1 i=$2 f=$3; shift 3
  ip netns exec "$PFX$n" timeout 150 tcpdump --immediate-mode -U -Z root -i "$i" -w "$f" "$@" >>"$TMP/tcpdump.log" 2>&1 &
  CAPPID=$!; PIDS+=("$CAPPID")
  sleep 1
}
# cap_stop PID : let the last frames arrive, then SIGINT the capture by PID
cap_stop() { sleep 1; kill -INT "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# wait_ll NS IF : wait (bounded) until the interface has no tentative IPv6 address
wait_ll() {
  local k
  for k in $(seq 1 40); do
    ip -n "$PFX$1" -6 addr show dev "$PFX$2" | grep -q tentative || return 0
    sleep 0.25
  done
}
# wait_port NS PORT : wait (bounded) until something listens on TCP/UDP PORT
wait_port() {
  local k
  for k in $(seq 1 40); do
    ip netns exec "$PFX$1" ss -Hltun "sport = :$2" | grep -q . && return 0
    sleep 0.25
  done
  log "port $2 not listening in $1"; return 1
}
keep() { chmod 644 "$1"; mv -f "$1" "$HERE/$2"; log "wrote $2"; }

# ---------------------------------------------------------------- helper programs
cat >"$TMP/httpd.py" <<'EOF'
# tiny HTTP/1.1 server: GET/HEAD / -> 200, other paths -> 404, POST -> 200 echo.
import http.server, socket, sys, threading, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "encap-test/1.0"
    sys_version = ""
    def _send(self, code, body, ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    def do_GET(self):
        if self.path in ("/", "/index.html"):
            self._send(200, b"<html><body><h1>encap test page</h1></body></html>\n", "text/html")
        else:
            self._send(404, b"not found\n")
    do_HEAD = do_GET
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        self._send(200, b"received " + str(len(body)).encode() + b" bytes\n")
    def log_message(self, *a):
        pass
class S(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()
for port in (80, 8080):
    threading.Thread(target=S(("::", port), H).serve_forever, daemon=True).start()
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 60)
EOF

cat >"$TMP/tunwire.py" <<'EOF'
# Creates TUN device A in netns A and TUN device B in netns B (by setns) and
# relays packets between them: a point-to-point "wire" made of two TUNs.
# usage: tunwire.py /run/netns/A ifA /run/netns/B ifB seconds
import ctypes, fcntl, os, select, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET, TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x40000000, 0x400454CA, 0x0001, 0x1000
def open_tun(nspath, name):
    fd = os.open(nspath, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns " + nspath)
    os.close(fd)
    t = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(t, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return t
a = open_tun(sys.argv[1], sys.argv[2])
b = open_tun(sys.argv[3], sys.argv[4])
peer = {a: b, b: a}
deadline = time.monotonic() + float(sys.argv[5])
while time.monotonic() < deadline:
    r, _, _ = select.select([a, b], [], [], 0.5)
    for fd in r:
        try:
            os.write(peer[fd], os.read(fd, 65535))
        except OSError:
            pass
EOF

cat >"$TMP/tcpsrv.py" <<'EOF'
# TCP server on port 40700: "bulk" -> 6000 bytes then FIN; otherwise echo "ok N".
import socket, sys, threading, time
def handle(c):
    c.settimeout(20)
    try:
        while True:
            d = c.recv(4096)
            if not d:
                break
            if d.startswith(b"bulk"):
                c.sendall((b"0123456789abcdef" * 375))   # 6000 bytes
                c.shutdown(socket.SHUT_WR)
            else:
                c.sendall(b"ok " + str(len(d)).encode() + b"\n")
    except OSError:
        pass
    finally:
        c.close()
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 40700)); s.listen(8); s.settimeout(1)
deadline = time.monotonic() + float(sys.argv[1])
while time.monotonic() < deadline:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    threading.Thread(target=handle, args=(c,), daemon=True).start()
EOF

cat >"$TMP/tcpcli.py" <<'EOF'
# TCP client for tcp-faults: RSTs, bulk transfer with FIN, retransmissions, abortive close.
# usage: tcpcli.py SERVER4 SERVER6 DEV REALMAC
import socket, struct, subprocess, sys, time
srv4, srv6, dev, realmac = sys.argv[1:5]
def refused(host):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.settimeout(3)
    try:
        s.connect((host, 40701))
    except OSError:
        pass
    s.close()
refused(srv4); time.sleep(0.2)
refused(srv6); time.sleep(0.2)
# bulk transfer, server closes first (FIN), then we close
for host in (srv4, srv6):
    s = socket.create_connection((host, 40700), timeout=5)
    s.sendall(b"bulk\n")
    got = 0
    while True:
        d = s.recv(65536)
        if not d:
            break
        got += len(d)
    s.close()
    time.sleep(0.3)
# retransmissions: point the neighbour entry at an unused MAC mid-connection
s = socket.create_connection((srv4, 40700), timeout=10)
s.sendall(b"first message\n"); s.recv(100)
time.sleep(0.2)
subprocess.run(["ip", "neigh", "replace", srv4, "lladdr", "02:00:5e:00:53:ff", "dev", dev, "nud", "permanent"], check=True)
s.sendall(b"second message, retransmitted\n")
time.sleep(1.5)
subprocess.run(["ip", "neigh", "replace", srv4, "lladdr", realmac, "dev", dev, "nud", "reachable"], check=True)
s.recv(100)
s.sendall(b"third message\n"); s.recv(100)
# abortive close: SO_LINGER 0 -> RST
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
time.sleep(0.3)
EOF

cat >"$TMP/v6ext.py" <<'EOF'
# IPv6 extension headers produced by the kernel for a real socket:
# MLD join/leave, UDP with hop-by-hop, destination options, routing header.
import socket, struct, sys, time
dst = sys.argv[1]
g = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
ifidx = socket.if_nametoindex(sys.argv[2])
mreq = socket.inet_pton(socket.AF_INET6, "ff15::1234") + struct.pack("@I", ifidx)
g.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
time.sleep(0.5)
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
# hop-by-hop: next-hdr(filled by kernel) len=0, PadN(4) ... 8 bytes total
hbh = bytes([0, 0, 1, 4, 0, 0, 0, 0])
# destination options: len=0, one unknown-but-skippable option type 0x1e len 2, PadN? -> 8 bytes
dsto = bytes([0, 0, 0x1e, 2, 0xab, 0xcd, 1, 0])
for name, anc in (("hbh", [(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, hbh)]),
                  ("dst", [(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, dsto)]),
                  ("both", [(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, hbh),
                            (socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, dsto)])):
    try:
        u.sendmsg([b"ext-hdr test " + name.encode()], anc, 0, (dst, 9999))
    except OSError as e:
        print("sendmsg", name, e, file=sys.stderr)
    time.sleep(0.1)
# routing header type 0 with one segment (the final destination)
rh0 = bytes([0, 2, 0, 1, 0, 0, 0, 0]) + socket.inet_pton(socket.AF_INET6, dst)
try:
    u.sendmsg([b"ext-hdr test rh0"], [(socket.IPPROTO_IPV6, socket.IPV6_RTHDR, rh0)], 0, (dst, 9999))
except OSError as e:
    print("sendmsg rh0", e, file=sys.stderr)
time.sleep(0.5)
g.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, mreq)
time.sleep(0.5)
EOF

# dnsmasq as a local-only DNS server; $1 = namespace, rest = listen addresses
DNS_RECORDS=(
  --local=/example.test/ --local=/example/ --local=/2.0.192.in-addr.arpa/
  --host-record=www.example.test,192.0.2.80,2001:db8::80
  --host-record=host.example,192.0.2.81,2001:db8::81
  --host-record=mail.example.test,192.0.2.25
  --host-record=ns.example.test,192.0.2.53,2001:db8:53::53
  --address=/wild.test/192.0.2.99
  --cname=alias.example.test,www.example.test
  --mx-host=example.test,mail.example.test,10
  --txt-record=example.test,"v=spf1 -all","encap test record"
  --srv-host=_http._tcp.example.test,www.example.test,80,0,5
  --ptr-record=80.2.0.192.in-addr.arpa,www.example.test
  --auth-soa=2024010101,hostmaster.example.test
)
# start_dns NS AUTHADDR|- LISTENADDR... : plain local answers on LISTENADDRs,
# authoritative mode (SOA/NS, aa bit, authority section) on AUTHADDR
start_dns() {
  local n=$1 auth=$2; shift 2
  local la=() a
  for a in "$@"; do la+=(--listen-address="$a"); done
  [ "$auth" != - ] && la+=(--auth-server=ns.example.test,"$auth" --auth-zone=example.test,192.0.2.0/24,2001:db8::/32)
  BG "$n" dnsmasq dnsmasq -d -C /dev/null --user=root --group=root --pid-file= \
    --no-resolv --no-hosts --no-poll --bind-interfaces "${la[@]}" "${DNS_RECORDS[@]}"
  wait_port "$n" 53
}
start_http() { BG "$1" httpd "$PY" "$TMP/httpd.py" 100; wait_port "$1" 8080; }
DIG() { local n=$1; shift; X "$n" dig +tries=1 +time=2 "$@" >>"$TMP/dig.log" 2>&1 || true; }
CURL() { local n=$1; shift; X "$n" curl -sS --max-time 5 -o /dev/null "$@" >>"$TMP/curl.log" 2>&1 || true; }

# ================================================================ captures

cap_icmp() {
  log "icmp"
  mkns ic ir is
  veth ic c0 02:00:00:00:01:01 ir r0 02:00:00:00:01:02
  veth ir r1 02:00:00:00:02:01 is s0 02:00:00:00:02:02
  addr ic c0 192.0.2.1/25 2001:db8:1::1/64
  addr ir r0 192.0.2.2/25 2001:db8:1::2/64
  addr ir r1 198.51.100.1/24 2001:db8:2::1/64
  addr is s0 198.51.100.2/24 2001:db8:2::2/64
  X ir sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  ip -n "${PFX}ic" route add default via 192.0.2.2
  ip -n "${PFX}ic" -6 route add default via 2001:db8:1::2
  ip -n "${PFX}is" route add default via 198.51.100.1
  ip -n "${PFX}is" -6 route add default via 2001:db8:2::1
  wait_ll ic c0; wait_ll ir r0; wait_ll ir r1; wait_ll is s0
  cap_start ic "${PFX}c0" "$TMP/icmp.pcap"
  Xq ic ping -c 2 -i 0.2 -W 1 192.0.2.2                  # ARP + echo on the link
  Xq ic ping -c 2 -i 0.2 -W 1 198.51.100.2               # routed echo
  Xq ic ping -c 1 -W 1 -s 3000 198.51.100.2              # IPv4 fragments both ways
  Xq ic ping -c 1 -W 1 -t 1 198.51.100.2                 # time exceeded from the router
  Xq ic "$PY" -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"probe", ("198.51.100.2", 33434))'  # port unreachable
  sleep 0.3
  Xq ic ping -6 -c 2 -i 0.2 -W 1 2001:db8:1::2           # NS/NA + echo
  Xq ic ping -6 -c 1 -W 1 fe80::ff:fe00:102%"${PFX}c0"   # link-local echo
  Xq ic ping -6 -c 2 -i 0.2 -W 1 2001:db8:2::2           # routed echo
  Xq ic ping -6 -c 1 -W 1 -s 3000 2001:db8:2::2          # IPv6 fragment headers
  Xq ic ping -6 -c 1 -W 1 -t 1 2001:db8:2::2             # ICMPv6 time exceeded
  Xq ic "$PY" -c 'import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b"probe", ("2001:db8:2::2", 33434))'  # ICMPv6 port unreachable
  sleep 0.3
  # smaller MTU behind the router: "fragmentation needed" and "packet too big"
  ip -n "${PFX}ir" link set "${PFX}r1" mtu 1280
  ip -n "${PFX}is" link set "${PFX}s0" mtu 1280
  Xq ic ping -c 1 -W 1 -M do -s 1400 198.51.100.2
  Xq ic ping -6 -c 1 -W 1 -s 1400 2001:db8:2::2
  Xq ic ping -6 -c 1 -W 1 -s 1400 2001:db8:2::2
  Xq ic ping -c 1 -W 4 198.51.100.3                        # unanswered ARP on the far side -> host unreachable
  cap_stop "$CAPPID"
  keep "$TMP/icmp.pcap" icmp.pcap
}

cap_dns() {
  log "dns"
  mkns dc ds
  veth dc c0 02:00:00:00:53:01 ds s0 02:00:00:00:53:02
  addr ds s0 192.0.2.53/24 192.0.2.54/24 2001:db8:53::53/64
  addr dc c0 192.0.2.10/24 2001:db8:53::10/64
  wait_ll dc c0; wait_ll ds s0
  start_dns ds 192.0.2.54 192.0.2.53 2001:db8:53::53
  cap_start dc "${PFX}c0" "$TMP/dns.pcap"
  local s=@192.0.2.53 au=@192.0.2.54
  DIG dc $s www.example.test A
  DIG dc $s www.example.test AAAA
  DIG dc $s alias.example.test CNAME
  DIG dc $s alias.example.test A
  DIG dc $s -x 192.0.2.80                          # PTR
  DIG dc $s example.test MX
  DIG dc $s example.test TXT
  DIG dc $s _http._tcp.example.test SRV
  DIG dc $s nosuch.example.test A                  # NXDOMAIN
  DIG dc $s anything.wild.test A                   # --address wildcard
  DIG dc $s +noedns host.example A
  DIG dc $s +noedns host.example AAAA
  DIG dc $au example.test NS                       # authoritative server: NS, SOA, aa bit
  DIG dc $au example.test SOA
  DIG dc $au www.example.test A
  DIG dc $au -x 192.0.2.80
  DIG dc $au nosuch.example.test A
  DIG dc $s +tcp host.example A
  DIG dc $s +tcp example.test MX
  DIG dc $s +tcp +noedns nosuch.example.test AAAA
  DIG dc $au +tcp example.test SOA
  DIG dc @2001:db8:53::53 www.example.test AAAA
  DIG dc @2001:db8:53::53 +tcp example.test TXT
  DIG dc @2001:db8:53::53 +noedns -x 192.0.2.80
  cap_stop "$CAPPID"
  keep "$TMP/dns.pcap" dns.pcap
}

cap_http() {
  log "http"
  mkns hc hs
  veth hc c0 02:00:00:00:80:01 hs s0 02:00:00:00:80:02
  addr hs s0 192.0.2.80/24 2001:db8:80::80/64
  addr hc c0 192.0.2.10/24 2001:db8:80::10/64
  wait_ll hc c0; wait_ll hs s0
  start_http hs
  cap_start hc "${PFX}c0" "$TMP/http.pcap"
  CURL hc http://192.0.2.80/ http://192.0.2.80/missing         # 200 + 404 on one keep-alive connection
  CURL hc --resolve www.example.test:8080:192.0.2.80 http://www.example.test:8080/index.html
  CURL hc -I http://192.0.2.80:8080/                            # HEAD
  CURL hc -d 'name=encap&proto=http' http://192.0.2.80/form     # POST form
  CURL hc -g 'http://[2001:db8:80::80]/'
  CURL hc -g 'http://[2001:db8:80::80]:8080/no/such/page?q=1'
  CURL hc -g -H 'Content-Type: application/json' --data '{"a":1,"b":"two"}' 'http://[2001:db8:80::80]:8080/api'
  CURL hc -g -I 'http://[2001:db8:80::80]/missing'
  cap_stop "$CAPPID"
  keep "$TMP/http.pcap" http.pcap
}

cap_tls() {
  log "tls"
  mkns tc ts
  veth tc c0 02:00:00:00:43:01 ts s0 02:00:00:00:43:02
  addr ts s0 192.0.2.43/24 2001:db8:443::43/64
  addr tc c0 192.0.2.10/24 2001:db8:443::10/64
  wait_ll tc c0; wait_ll ts s0
  timeout 30 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=www.example.test -days 30 -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >"$TMP/openssl-req.log" 2>&1
  # the server reads its stdin from a pipe that stays open (no EOF) until killed
  ip netns exec "${PFX}ts" timeout 100 bash -c 'sleep 90 | openssl s_server -accept 443 -naccept 5 -cert "$1" -key "$2" -alpn h2,http/1.1' _ \
    "$TMP/cert.pem" "$TMP/key.pem" >>"$TMP/s_server.log" 2>&1 &
  PIDS+=($!)
  wait_port ts 443
  cap_start tc "${PFX}c0" "$TMP/tls.pcap"
  local v host
  for v in -tls1_2 -tls1_3; do
    for host in 192.0.2.43 '[2001:db8:443::43]'; do
      ( printf 'hello over TLS %s\n' "$v"; sleep 0.5 ) |
        X tc openssl s_client -connect "$host:443" -servername www.example.test -alpn h2,http/1.1 "$v" >>"$TMP/s_client.log" 2>&1 || true
    done
  done
  # one without SNI/ALPN
  ( printf 'plain\n'; sleep 0.5 ) | X tc openssl s_client -connect 192.0.2.43:443 -noservername >>"$TMP/s_client.log" 2>&1 || true
  cap_stop "$CAPPID"
  keep "$TMP/tls.pcap" tls.pcap
}

cap_dhcp() {
  log "dhcp"
  mkns Dc Ds
  veth Dc c0 02:00:00:00:67:01 Ds s0 02:00:00:00:67:02
  addr Ds s0 192.0.2.1/24 2001:db8:d::1/64
  X Ds sysctl -qw net.ipv6.conf.all.forwarding=1
  wait_ll Ds s0
  BG Ds dnsmasq-dhcp dnsmasq -d -C /dev/null --user=root --group=root --pid-file= --port=0 \
    --no-resolv --no-hosts --bind-interfaces --interface="${PFX}s0" \
    --dhcp-leasefile="$TMP/dnsmasq.leases" --dhcp-authoritative --log-dhcp \
    --dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,10m \
    --dhcp-range=2001:db8:d::100,2001:db8:d::1ff,64,10m --enable-ra \
    --dhcp-option=option:router,192.0.2.1 --dhcp-option=option:dns-server,192.0.2.1 \
    --dhcp-option=option:domain-name,example.test \
    --dhcp-option=option6:dns-server,[2001:db8:d::1] --dhcp-option=option6:domain-search,example.test
  sleep 1
  cap_start Ds "${PFX}s0" "$TMP/dhcp.pcap"
  ip -n "${PFX}Dc" link set "${PFX}c0" up        # RS, MLD, DAD from the client
  wait_ll Dc c0
  printf 'send host-name "encap-client";\nrequest subnet-mask, broadcast-address, routers, domain-name-servers, domain-name;\n' >"$TMP/dhclient.conf"
  printf 'send fqdn.fqdn "encap-client.example.test.";\nrequest dhcp6.name-servers, dhcp6.domain-search;\n' >"$TMP/dhclient6.conf"
  local k
  BG Dc dhclient4 dhclient -4 -d -v -1 -cf "$TMP/dhclient.conf" -lf "$TMP/lease4" -pf "$TMP/dhc4.pid" -sf /bin/true "${PFX}c0"
  local d4=$LASTPID
  for k in $(seq 1 60); do grep -q 'fixed-address' "$TMP/lease4" 2>/dev/null && break; sleep 0.25; done
  sleep 0.5; stop "$d4"
  # configure the leased address (the no-op script did not) so the RELEASE can be unicast
  local ip4a
  ip4a=$(sed -n 's/^ *fixed-address \([0-9.]*\);.*/\1/p' "$TMP/lease4" 2>/dev/null | tail -1)
  case $ip4a in 192.0.2.*) ip -n "${PFX}Dc" addr add "$ip4a/24" dev "${PFX}c0" ;; esac
  X Dc dhclient -4 -r -v -cf "$TMP/dhclient.conf" -lf "$TMP/lease4" -pf "$TMP/dhc4r.pid" -sf /bin/true "${PFX}c0" >>"$TMP/dhclient4.log" 2>&1 || true
  BG Dc dhclient6 dhclient -6 -d -v -1 -cf "$TMP/dhclient6.conf" -lf "$TMP/lease6" -pf "$TMP/dhc6.pid" -sf /bin/true "${PFX}c0"
  local d6=$LASTPID
  for k in $(seq 1 60); do grep -q 'iaaddr' "$TMP/lease6" 2>/dev/null && break; sleep 0.25; done
  sleep 0.5; stop "$d6"
  X Dc dhclient -6 -r -v -cf "$TMP/dhclient6.conf" -lf "$TMP/lease6" -pf "$TMP/dhc6r.pid" -sf /bin/true "${PFX}c0" >>"$TMP/dhclient6.log" 2>&1 || true
  # stateless DHCPv6: INFORMATION-REQUEST / REPLY
  BG Dc dhclient6s dhclient -6 -S -d -v -1 -cf "$TMP/dhclient6.conf" -lf "$TMP/lease6s" -pf "$TMP/dhc6s.pid" -sf /bin/true "${PFX}c0"
  local d6s=$LASTPID
  sleep 2; stop "$d6s"
  cap_stop "$CAPPID"
  keep "$TMP/dhcp.pcap" dhcp.pcap
}

cap_tcp_faults() {
  log "tcp-faults"
  mkns fa fb
  veth fa a0 02:00:00:00:f0:01 fb b0 02:00:00:00:f0:02
  addr fa a0 192.0.2.1/24 2001:db8:f::1/64
  addr fb b0 192.0.2.2/24 2001:db8:f::2/64
  wait_ll fa a0; wait_ll fb b0
  BG fb tcpsrv "$PY" "$TMP/tcpsrv.py" 60
  wait_port fb 40700
  cap_start fa "${PFX}a0" "$TMP/tcp-faults.pcap"
  X fa "$PY" "$TMP/tcpcli.py" 192.0.2.2 2001:db8:f::2 "${PFX}a0" 02:00:00:00:f0:02 >>"$TMP/tcpcli.log" 2>&1
  cap_stop "$CAPPID"
  keep "$TMP/tcp-faults.pcap" tcp-faults.pcap
}

cap_ipv6() {
  log "ipv6"
  mkns 6a 6r
  veth 6a a0 02:00:00:00:06:01 6r r0 02:00:00:00:06:02
  addr 6r r0 2001:db8:6::1/64
  X 6r sysctl -qw net.ipv6.conf.all.forwarding=1
  wait_ll 6r r0
  BG 6r dnsmasq-ra dnsmasq -d -C /dev/null --user=root --group=root --pid-file= --port=0 \
    --no-resolv --no-hosts --bind-interfaces --interface="${PFX}r0" --dhcp-leasefile="$TMP/ra.leases" \
    --enable-ra --dhcp-range=2001:db8:6::,ra-only,64,10m
  sleep 1
  cap_start 6r "${PFX}r0" "$TMP/ipv6.pcap"
  ip -n "${PFX}6a" link set "${PFX}a0" up      # DAD NS, MLDv2 (hop-by-hop), RS -> RA, SLAAC
  local k
  for k in $(seq 1 40); do
    ip -n "${PFX}6a" -6 addr show dev "${PFX}a0" scope global | grep -q 2001:db8:6: && break; sleep 0.25
  done
  wait_ll 6a a0
  Xq 6a ping -6 -c 2 -i 0.2 -W 1 2001:db8:6::1          # NS/NA + echo
  Xq 6a ping -6 -c 1 -W 1 -s 3000 2001:db8:6::1         # fragment header
  Xq 6a ping -6 -c 1 -W 1 ff02::1%"${PFX}a0"             # all-nodes multicast echo
  Xq 6a "$PY" "$TMP/v6ext.py" 2001:db8:6::1 "${PFX}a0"   # MLD join/leave, HBH, DST opts, RH0
  cap_stop "$CAPPID"
  keep "$TMP/ipv6.pcap" ipv6.pcap
}

cap_snaplen() {
  log "snaplen"
  mkns nc ns
  veth nc c0 02:00:00:00:96:01 ns s0 02:00:00:00:96:02
  addr ns s0 192.0.2.53/24 2001:db8:96::53/64
  addr nc c0 192.0.2.10/24 2001:db8:96::10/64
  wait_ll nc c0; wait_ll ns s0
  start_dns ns - 192.0.2.53 2001:db8:96::53
  start_http ns
  cap_start nc "${PFX}c0" "$TMP/snaplen.pcap" -s 96
  Xq nc ping -c 2 -i 0.2 -W 1 -s 200 192.0.2.53
  Xq nc ping -6 -c 1 -W 1 2001:db8:96::53
  DIG nc @192.0.2.53 www.example.test A
  DIG nc @192.0.2.53 example.test TXT
  DIG nc @2001:db8:96::53 _http._tcp.example.test SRV
  CURL nc http://192.0.2.53/ http://192.0.2.53/missing
  CURL nc -g -d 'x=1' 'http://[2001:db8:96::53]:8080/post'
  cap_stop "$CAPPID"
  keep "$TMP/snaplen.pcap" snaplen.pcap
}

cap_any() {
  log "any (SLL2 and SLL)"
  mkns ya yb
  veth ya a0 02:00:00:00:a1:01 yb b0 02:00:00:00:a1:02
  addr ya a0 192.0.2.1/24 2001:db8:a1::1/64
  addr yb b0 192.0.2.2/24 2001:db8:a1::2/64
  wait_ll ya a0; wait_ll yb b0
  start_http yb
  ip netns exec "${PFX}ya" timeout 150 tcpdump --immediate-mode -U -Z root -i any -y LINUX_SLL2 -w "$TMP/any-sll2.pcap" >>"$TMP/tcpdump.log" 2>&1 &
  local c2=$!; PIDS+=("$c2")
  cap_start ya any "$TMP/any-sll.pcap" -y LINUX_SLL
  Xq ya ping -c 2 -i 0.2 -W 1 192.0.2.2
  Xq ya ping -c 1 -W 1 192.0.2.1                       # over lo inside the namespace
  Xq ya ping -6 -c 2 -i 0.2 -W 1 2001:db8:a1::2
  Xq ya ping -c 1 -W 1 -s 2000 192.0.2.2               # fragments
  Xq ya "$PY" -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"probe", ("192.0.2.2", 33434))'
  CURL ya http://192.0.2.2/ http://192.0.2.2/missing
  CURL ya -g 'http://[2001:db8:a1::2]:8080/'
  CURL ya http://192.0.2.2:81/                          # RST
  sleep 1; kill -INT "$c2" 2>/dev/null || true
  cap_stop "$CAPPID"; wait "$c2" 2>/dev/null || true
  keep "$TMP/any-sll2.pcap" any-sll2.pcap
  keep "$TMP/any-sll.pcap" any-sll.pcap
}

# mixed traffic over a veth and a TUN wire at once:
#   tun.pcap (raw IP, TUN), mixed.pcapng (dumpcap, two interfaces),
#   and an Ethernet capture that relink.py turns into rawip/rawip4/rawip6/null.
cap_mixed() {
  log "mixed (tun, pcapng, relinked)"
  mkns ma mb
  veth ma a0 02:00:00:00:4d:01 mb b0 02:00:00:00:4d:02
  addr ma a0 192.0.2.1/24 2001:db8:4d::1/64
  addr mb b0 192.0.2.2/24 2001:db8:4d::2/64
  "$PY" "$TMP/tunwire.py" "/run/netns/${PFX}ma" "${PFX}ta" "/run/netns/${PFX}mb" "${PFX}tb" 80 >>"$TMP/tunwire.log" 2>&1 &
  PIDS+=($!)
  local k
  for k in $(seq 1 40); do ip -n "${PFX}mb" link show "${PFX}tb" >/dev/null 2>&1 && break; sleep 0.25; done
  ip -n "${PFX}ma" addr add 198.51.100.1 peer 198.51.100.2 dev "${PFX}ta"
  ip -n "${PFX}mb" addr add 198.51.100.2 peer 198.51.100.1 dev "${PFX}tb"
  ip -n "${PFX}ma" -6 addr add 2001:db8:7::1/64 dev "${PFX}ta" nodad
  ip -n "${PFX}mb" -6 addr add 2001:db8:7::2/64 dev "${PFX}tb" nodad
  ip -n "${PFX}ma" link set "${PFX}ta" up
  ip -n "${PFX}mb" link set "${PFX}tb" up
  wait_ll ma a0; wait_ll mb b0; wait_ll ma ta; wait_ll mb tb
  start_dns mb - 192.0.2.2 2001:db8:4d::2 198.51.100.2 2001:db8:7::2
  start_http mb
  ip netns exec "${PFX}ma" timeout 150 dumpcap -q -i "${PFX}a0" -i "${PFX}ta" -w "$TMP/mixed.pcapng" >>"$TMP/dumpcap.log" 2>&1 &
  local dc=$!; PIDS+=("$dc")
  ip netns exec "${PFX}ma" timeout 150 tcpdump --immediate-mode -U -Z root -i "${PFX}ta" -w "$TMP/tun.pcap" >>"$TMP/tcpdump.log" 2>&1 &
  local tc=$!; PIDS+=("$tc")
  cap_start ma "${PFX}a0" "$TMP/mixed-eth.pcap"
  sleep 1   # dumpcap starts slower
  local a b
  for pair in "192.0.2.2 2001:db8:4d::2" "198.51.100.2 2001:db8:7::2"; do
    read -r a b <<<"$pair"
    Xq ma ping -c 2 -i 0.2 -W 1 "$a"
    Xq ma ping -6 -c 2 -i 0.2 -W 1 "$b"
    Xq ma ping -c 1 -W 1 -s 2000 "$a"
    Xq ma ping -6 -c 1 -W 1 -s 2000 "$b"
    DIG ma @"$a" www.example.test A
    DIG ma @"$b" www.example.test AAAA
    DIG ma @"$a" +tcp example.test MX
    CURL ma "http://$a/" "http://$a/missing"
    CURL ma -g -d 'k=v' "http://[$b]:8080/post"
    Xq ma "$PY" -c 'import socket,sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"probe", (sys.argv[1], 33434))' "$a"
  done
  sleep 1
  kill -INT "$dc" "$tc" 2>/dev/null || true
  cap_stop "$CAPPID"; wait "$dc" "$tc" 2>/dev/null || true
  keep "$TMP/mixed.pcapng" mixed.pcapng
  keep "$TMP/tun.pcap" tun.pcap
  "$PY" "$HERE/relink.py" "$TMP/mixed-eth.pcap" "$HERE/rawip.pcap" 101
  "$PY" "$HERE/relink.py" "$TMP/mixed-eth.pcap" "$HERE/rawip4.pcap" 228
  "$PY" "$HERE/relink.py" "$TMP/mixed-eth.pcap" "$HERE/rawip6.pcap" 229
  "$PY" "$HERE/relink.py" "$TMP/mixed-eth.pcap" "$HERE/null.pcap" 0
  log "wrote rawip.pcap rawip4.pcap rawip6.pcap null.pcap"
}

cap_malformed() {
  log "malformed (crafted)"
  "$PY" "$HERE/craft.py" "$HERE/malformed.pcap"
}

cap_tcp_analysis() {
  log "tcp-analysis (crafted)"
  "$PY" "$HERE/craft-tcp-analysis.py" "$HERE/tcp-analysis.pcap"
}

ALL=(icmp dns http tls dhcp tcp-faults ipv6 snaplen any mixed malformed tcp-analysis)
[ $# -gt 0 ] && ALL=("$@")
for c in "${ALL[@]}"; do
  case $c in
    icmp) cap_icmp ;; dns) cap_dns ;; http) cap_http ;; tls) cap_tls ;; dhcp) cap_dhcp ;;
    tcp-faults) cap_tcp_faults ;; ipv6) cap_ipv6 ;; snaplen) cap_snaplen ;; any) cap_any ;;
    mixed) cap_mixed ;; malformed) cap_malformed ;; tcp-analysis) cap_tcp_analysis ;;
    *) echo "unknown capture $c" >&2; exit 2 ;;
  esac
  teardown
done
log "done"
