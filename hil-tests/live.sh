#!/usr/bin/env bash
# Live capture end to end with the real binaries: encap-control, encap-agent,
# encap watch, tshark as the reference.
#   A. --read: an agent replays a capture; a watcher's -T fields equal tshark's
#      on the same file (every frame, and with a filter pushed to the edge).
#   B. --pcap: an agent captures a veth whose peer is in a namespace this test
#      makes; ping crosses it; the watcher's ICMP fields equal tshark's capture
#      of the same interface.
#   C. the service is stopped mid-capture and restarted: the agent reconnects
#      and a watcher gets frames again.
#   D. a watcher that stops reading (SIGSTOP) while an agent streams: the other
#      watcher gets every frame, the stopped one gets some and is told the rest
#      were lost; the service's memory stays bounded.
#   E. the service on MariaDB, the database restarted mid-stream: streaming
#      goes on, and afterwards logins and agent connections work again.
# Run as root: bash hil-tests/live.sh   (after cargo build of the three binaries)
set -euo pipefail
cd "$(dirname "$0")/.."
source hil-tests/lib.sh
hil_start live
ns=elv$P
veth=elv$P
cleanup() {
  set +e
  hil_stop_pids
  ip netns del "$ns" 2>/dev/null
  ip link del "$veth" 2>/dev/null
  [ -d "$work/mariadb" ] && bash scripts/mariadb.sh stop "$work/mariadb"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

port=$(free_port); ingest=$(free_port)
export ENCAP_SERVER=http://127.0.0.1:$port ENCAP_CONFIG_DIR=$work/config ENCAP_DATA_DIR=$work/data
start_service() {
  "$bin/encap-control" serve --listen "127.0.0.1:$port" --ingest-listen "127.0.0.1:$ingest" --auto-confirm \
    >>"$work/control.log" 2>&1 &
  service_pid=$!
  pids+=($service_pid)
  wait_for 10 "the service" python3 -c "import socket; socket.create_connection(('127.0.0.1',$ingest),0.2)"
}
start_service
printf 'watcher password\n' | "$bin/encap" register --name watcher --email watcher@example.org --password-stdin >/dev/null
printf 'watcher password\n' | "$bin/encap" login watcher --password-stdin >/dev/null
if "$bin/encap" agents add edge-read >/dev/null 2>"$work/denied.log"; then fail "a non-administrator added an agent"; fi
grep -q 'only administrators may add agents' "$work/denied.log" || fail "no clear refusal: $(cat "$work/denied.log")"
"$bin/encap-control" admins add watcher 2>/dev/null
token_read=$("$bin/encap" agents add edge-read 2>/dev/null) || fail "encap agents add (an administrator)"
token_live=$("$bin/encap" agents add edge-live 2>/dev/null) || fail "encap agents add edge-live"
"$bin/encap" whoami | grep '(administrator)' >/dev/null || fail "whoami does not say administrator"
ok "service up; a watcher logged in, refused agents add, made an administrator, added two agents with encap agents add"

# --- A. --read against tshark on the same file
capture=captures/http.pcap
frames=$(tshark -n -r "$capture" -T fields -e frame.number | wc -l)
fields=(-e frame.number -e ip.src -e ip.dst -e tcp.stream -e tcp.seq -e tcp.analysis.flags -e http.request.method -e frame.coloring_rule.name)
timeout 60 "$bin/encap" watch --agent edge-read -c "$frames" -T fields "${fields[@]}" >"$work/all.tsv" 2>"$work/watch-all.log" &
w_all=$!; pids+=($w_all)
timeout 60 "$bin/encap" watch --agent edge-read -c "$frames" -T json >"$work/all.json" 2>"$work/watch-json.log" &
w_json=$!; pids+=($w_json)
timeout 60 "$bin/encap" watch --agent edge-read -c "$frames" -T ek >"$work/all.ek" 2>"$work/watch-ek.log" &
w_ek=$!; pids+=($w_ek)
timeout 60 "$bin/encap" watch --agent edge-read -c "$frames" --color never >"$work/all.txt" 2>"$work/watch-txt.log" &
w_txt=$!; pids+=($w_txt)
dns_frames=$(tshark -n -r captures/dns.pcap -Y dns -T fields -e frame.number | wc -l)
sleep 1
timeout 60 "$bin/encap-agent" --name edge-read --token "$token_read" --service "127.0.0.1:$ingest" --read "$capture" \
  >"$work/agent-read.log" 2>&1 || fail "agent --read"
wait "$w_all" || fail "encap watch (all frames) exited with $?"
HOME=/tmp tshark -n --color -r "$capture" -T fields "${fields[@]}" >"$work/all.tshark.tsv" 2>/dev/null
diff "$work/all.tshark.tsv" "$work/all.tsv" >"$work/all.diff" || fail "watch -T fields differs from tshark: $(head -5 "$work/all.diff")"
ok "--read: $frames frames watched live, every field equal to tshark's (tcp.stream, seq, analysis, colour rule)"
wait "$w_json" || fail "encap watch -T json exited with $?"
wait "$w_ek" || fail "encap watch -T ek exited with $?"
"$bin/encap" read -r "$capture" -T json >"$work/all.read.json"
"$bin/encap" read -r "$capture" -T ek >"$work/all.read.ek"
python3 -c 'import json,sys; [json.load(open(f)) for f in sys.argv[1:]]' "$work/all.json" || fail "watch -T json is not JSON"
diff "$work/all.read.json" "$work/all.json" >"$work/json.diff" || fail "watch -T json differs from encap read -T json: $(head -4 "$work/json.diff")"
diff "$work/all.read.ek" "$work/all.ek" >"$work/ek.diff" || fail "watch -T ek differs from encap read -T ek: $(head -4 "$work/ek.diff")"
ok "-T json and -T ek live: the same $frames packets, byte for byte, as encap read -T json / -T ek of the file"
wait "$w_txt" || fail "encap watch (summary lines) exited with $?"
"$bin/encap" read -r "$capture" --color never >"$work/all.read.txt"
diff "$work/all.read.txt" "$work/all.txt" >"$work/txt.diff" || fail "watch's summary lines differ from encap read's: $(head -4 "$work/txt.diff")"
ok "summary lines live (rows read in place): the same $frames lines, byte for byte, as encap read of the file"

timeout 60 "$bin/encap" watch --agent edge-read -Y dns -c "$dns_frames" -T fields -e frame.number -e ip.src -e dns.qry.name -e dns.id \
  >"$work/dns.tsv" 2>"$work/watch-dns.log" &
w_dns=$!; pids+=($w_dns)
sleep 1
timeout 60 "$bin/encap-agent" --name edge-read --token "$token_read" --service "127.0.0.1:$ingest" --read captures/dns.pcap \
  >"$work/agent-read2.log" 2>&1 || fail "agent --read (dns)"
wait "$w_dns" || fail "encap watch -Y dns exited with $?"
tshark -n -r captures/dns.pcap -Y dns -T fields -e frame.number -e ip.src -e dns.qry.name -e dns.id >"$work/dns.tshark.tsv" 2>/dev/null
diff "$work/dns.tshark.tsv" "$work/dns.tsv" >/dev/null || fail "watch -Y dns differs from tshark -Y dns"
grep -q 'edge filter: (dns)' "$work/agent-read2.log" || fail "the filter was not pushed to the agent: $(cat "$work/agent-read2.log")"
grep -Eq "done: seen [0-9]+ filtered out [1-9]" "$work/agent-read2.log" || fail "the agent filtered nothing out"
ok "--read with -Y dns: the filter ran at the edge; the $dns_frames matching frames equal tshark -Y dns"

# --- B. --pcap on a veth, ping through it, tshark on the same interface
ip netns add "$ns"
ip link add "$veth" type veth peer name "${veth}p"
ip link set "${veth}p" netns "$ns"
ip addr add 198.51.100.1/24 dev "$veth"; ip link set "$veth" up
ip -n "$ns" addr add 198.51.100.2/24 dev "${veth}p"; ip -n "$ns" link set "${veth}p" up; ip -n "$ns" link set lo up
"$bin/encap-agent" --name edge-live --token "$token_live" --service "127.0.0.1:$ingest" --pcap "$veth" \
  >"$work/agent-live.log" 2>&1 &
agent_pid=$!; pids+=($agent_pid)
wait_for 10 "the live agent" grep -q welcomed "$work/agent-live.log"
tshark -n -i "$veth" -f icmp -w "$work/veth.pcap" >"$work/tshark.log" 2>&1 &
tshark_pid=$!; pids+=($tshark_pid)
wait_for 10 "tshark" grep -q "Capturing on" "$work/tshark.log"
timeout 60 "$bin/encap" watch --agent edge-live -Y icmp -c 20 -T fields -e ip.src -e ip.dst -e icmp.type -e icmp.seq \
  >"$work/icmp.tsv" 2>"$work/watch-icmp.log" &
w_icmp=$!; pids+=($w_icmp)
wait_for 10 "the icmp filter at the edge" grep -q 'edge filter: (icmp)' "$work/agent-live.log"
ping -c 10 -i 0.2 -W 1 198.51.100.2 >/dev/null || fail "ping through the veth"
wait "$w_icmp" || fail "encap watch -Y icmp exited with $?"
sleep 0.5; kill -INT "$tshark_pid"; wait "$tshark_pid" 2>/dev/null || true
tshark -n -r "$work/veth.pcap" -Y icmp -T fields -e ip.src -e ip.dst -e icmp.type -e icmp.seq >"$work/icmp.tshark.tsv" 2>/dev/null
[ "$(wc -l <"$work/icmp.tsv")" = 20 ] || fail "the watcher got $(wc -l <"$work/icmp.tsv") of 20 ICMP frames"
diff "$work/icmp.tshark.tsv" "$work/icmp.tsv" >/dev/null || fail "live ICMP fields differ from tshark's: $(diff "$work/icmp.tshark.tsv" "$work/icmp.tsv" | head -5)"
ok "--pcap on a veth: 20 live ICMP frames, fields equal to tshark's capture of the same interface"

# --- C. the service goes away and comes back
kill -TERM "$service_pid"; wait "$service_pid" 2>/dev/null || true
wait_for 15 "the agent to notice" grep -q 'retrying in' "$work/agent-live.log"
start_service
wait_for 30 "the agent to reconnect" sh -c "[ \$(grep -c welcomed '$work/agent-live.log') -ge 2 ]"
"$bin/encap" agents >"$work/agents.txt" || fail "encap agents"
grep -Eq '^edge-live +online' "$work/agents.txt" || fail "edge-live not online after the restart: $(cat "$work/agents.txt")"
timeout 60 "$bin/encap" watch --agent edge-live -Y 'icmp.type == 8' -c 3 -T fields -e icmp.seq >"$work/again.tsv" 2>/dev/null &
w_again=$!; pids+=($w_again)
wait_for 10 "the new filter at the edge" grep -q 'edge filter: (icmp.type == 8)' "$work/agent-live.log"
ping -c 3 -i 0.2 -W 1 198.51.100.2 >/dev/null || fail "ping after the restart"
wait "$w_again" || fail "watch after the restart exited with $?"
[ "$(tr '\n' ' ' <"$work/again.tsv")" = "1 2 3 " ] || fail "after the restart the watcher got: $(cat "$work/again.tsv")"
ok "service restarted: the agent reconnected with backoff and streaming resumed"

"$bin/encap" agents revoke edge-live 2>/dev/null || fail "encap agents revoke edge-live"
wait_for 10 "the agent to be told it was revoked" grep -q "token was revoked" "$work/agent-live.log"
if wait "$agent_pid"; then fail "the revoked agent exited with success"; fi
"$bin/encap" agents >"$work/agents2.txt"
if grep -q '^edge-live ' "$work/agents2.txt"; then fail "a revoked agent is still listed"; fi
ok "encap agents revoke: the connected agent was disconnected, told why, and is gone from the list"

# --- D. a watcher that stops reading
stream_frames=60000
python3 scripts/make-tiled.py "$work/paced.pcap" "$stream_frames" 25 >/dev/null  # 40,000 frames/s
token_stream=$("$bin/encap-control" agents add edge-stream 2>/dev/null)
timeout 120 "$bin/encap" watch --agent edge-stream -c "$stream_frames" -T fields -e frame.number \
  >"$work/fast.tsv" 2>"$work/watch-fast.log" &
w_fast=$!; pids+=($w_fast)
"$bin/encap" watch --agent edge-stream -V >"$work/stalled.txt" 2>"$work/watch-stalled.log" &
w_stalled=$!; pids+=($w_stalled)
sleep 1
kill -STOP "$w_stalled"
timeout 120 "$bin/encap-agent" --name edge-stream --token "$token_stream" --service "127.0.0.1:$ingest" \
  --read "$work/paced.pcap" --pace >"$work/agent-stream.log" 2>&1 || fail "agent --read --pace"
wait "$w_fast" || fail "the reading watcher exited with $?"
[ "$(wc -l <"$work/fast.tsv")" = "$stream_frames" ] || fail "the reading watcher got $(wc -l <"$work/fast.tsv") of $stream_frames"
[ "$(sort -n "$work/fast.tsv" | uniq | wc -l)" = "$stream_frames" ] || fail "the reading watcher got duplicates"
! grep -q lost "$work/watch-fast.log" || fail "the reading watcher was told of losses: $(cat "$work/watch-fast.log")"
rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$service_pid/status")
kill -CONT "$w_stalled"
# It drains what was queued, then hears of the rest.
for _ in $(seq 300); do
  got=$(grep -Ec '^ *[0-9]+ +[0-9]+\.[0-9]{6} ' "$work/stalled.txt" || true)  # summary lines
  lost=$(sed -nE 's/^encap: ([0-9]+) frame\(s\) of edge-stream lost because this terminal read too slowly/\1/p' "$work/watch-stalled.log" | awk '{s+=$1} END {print s+0}')
  [ $((got + lost)) -ge "$stream_frames" ] && break
  sleep 0.1
done
kill -INT "$w_stalled"; wait "$w_stalled" 2>/dev/null || true
[ "$lost" -gt 0 ] || fail "the stopped watcher lost nothing (got $got): the test did not stall it"
[ $((got + lost)) = "$stream_frames" ] || fail "the stopped watcher: $got got + $lost told lost != $stream_frames"
[ "$rss_kib" -lt $((100 * 1024)) ] || fail "the service grew to $((rss_kib / 1024)) MiB"
ok "a stopped watcher: the other got all $stream_frames frames; it got $got and was told $lost were lost; service peak RSS $((rss_kib / 1024)) MiB"

# --- E. the service on MariaDB; the database restarted mid-stream
db_port=$(free_port); db_grpc=$(free_port); db_ingest=$(free_port)
db_url=$(bash scripts/mariadb.sh start "$work/mariadb" "$db_port") || fail "MariaDB did not start"
db_url=${db_url%/encap}/encap_live
mariadb --socket="$work/mariadb/sock" -uroot -e 'CREATE DATABASE encap_live CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
db_env=(env ENCAP_SERVER="http://127.0.0.1:$db_grpc" ENCAP_DATABASE_URL="$db_url")
"${db_env[@]}" "$bin/encap-control" serve --listen "127.0.0.1:$db_grpc" --ingest-listen "127.0.0.1:$db_ingest" \
  --auto-confirm >>"$work/control-db.log" 2>&1 &
db_service=$!; pids+=($db_service)
wait_for 15 "the service on MariaDB" python3 -c "import socket; socket.create_connection(('127.0.0.1',$db_ingest),0.2)"
token_db=$("${db_env[@]}" "$bin/encap-control" agents add edge-db 2>/dev/null)
printf 'watcher password\n' | "${db_env[@]}" "$bin/encap" register --name dbwatcher --email db@example.org --password-stdin >/dev/null
printf 'watcher password\n' | "${db_env[@]}" "$bin/encap" login dbwatcher --password-stdin >/dev/null
start_db_agent() {
  "$bin/encap-agent" --name edge-db --token "$token_db" --service "127.0.0.1:$db_ingest" --pcap "$veth" \
    >>"$work/agent-db.log" 2>&1 &
  db_agent=$!; pids+=($db_agent)
}
start_db_agent
wait_for 10 "the agent on the MariaDB service" grep -q welcomed "$work/agent-db.log"
timeout 60 "${db_env[@]}" "$bin/encap" watch --agent edge-db -Y 'icmp.type == 8' -c 6 -T fields -e icmp.seq \
  >"$work/db.tsv" 2>"$work/watch-db.log" &
w_db=$!; pids+=($w_db)
wait_for 10 "the filter at edge-db" grep -q 'edge filter: (icmp.type == 8)' "$work/agent-db.log"
ping -c 3 -i 0.2 -W 1 198.51.100.2 >/dev/null || fail "ping (MariaDB up)"
bash scripts/mariadb.sh restart "$work/mariadb" &
restarting=$!
ping -c 3 -i 0.2 -W 1 198.51.100.2 >/dev/null || fail "ping (MariaDB restarting)"
wait "$restarting" || fail "MariaDB did not come back"
wait "$w_db" || fail "the watcher on the MariaDB service exited with $?"
[ "$(tr '\n' ' ' <"$work/db.tsv")" = "1 2 3 1 2 3 " ] || fail "while MariaDB restarted the watcher got: $(cat "$work/db.tsv")"
wait_for 15 "a login after the restart" sh -c "printf 'watcher password\n' | ${db_env[*]} '$bin/encap' login dbwatcher --password-stdin"
"${db_env[@]}" "$bin/encap" whoami >/dev/null || fail "whoami after the MariaDB restart"
kill "$db_agent"; wait "$db_agent" 2>/dev/null || true
start_db_agent
wait_for 15 "the agent's token checked against the restarted database" sh -c "[ \$(grep -c welcomed '$work/agent-db.log') -ge 2 ]"
ok "MariaDB restarted mid-stream: the watcher got all 6 pings, then logins and an agent's token check worked again"

echo "live capture: $passed passed, 0 failed"
