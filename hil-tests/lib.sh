# Shared by the hil tests (source it from the project root): the binaries,
# a work directory, the processes to stop, and ok/fail/wait_for.
#   hil_start NAME   checks root and the debug binaries; sets bin, P, work, pids

hil_start() {
  local name=$1 b
  export LC_ALL=C HOME=${HOME:-/root}
  bin=$PWD/target/debug
  for b in encap encap-control encap-agent; do
    [ -x "$bin/$b" ] || { echo "$name: build first: cargo build -p encap -p encap-control -p encap-agent" >&2; exit 1; }
  done
  [ "$(id -u)" = 0 ] || { echo "$name: must run as root (namespaces, interfaces, capture)" >&2; exit 1; }
  P=$$
  work=$(mktemp -d "/tmp/encap-$name.$P.XXXX")
  pids=()
  passed=0
}

# Stops every process the test started, by PID.
hil_stop_pids() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  return 0
}

ok() { passed=$((passed + 1)); echo "ok: $*"; }

# Says what failed, runs the test's `on_fail` if it has one, shows the logs.
fail() {
  echo "FAIL: $*" >&2
  if declare -F on_fail >/dev/null; then on_fail >&2; fi
  local f
  for f in "$work"/*.log; do [ -s "$f" ] && { echo "== $f" >&2; tail -15 "$f" >&2; }; done
  exit 1
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  for _ in $(seq $((limit * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "timed out after ${limit}s waiting for $what"
}

# same_as_tshark WHO PCAP WATCHED.tsv WATCH.log: tshark's reading of PCAP
# (segment_filter, segment_fields) must equal what a watcher got, with no
# loss notice; prints the number of frames compared.
same_as_tshark() {
  local who=$1 pcap=$2 watched=$3 log=$4 n
  HOME=/tmp tshark -n --color -r "$pcap" -Y "$segment_filter" -T fields "${segment_fields[@]}" >"$watched.tshark" 2>/dev/null
  n=$(wc -l <"$watched.tshark")
  [ "$n" -ge 40 ] || fail "$who: tshark saw only $n matching frames"
  ! grep -q lost "$log" || fail "$who: the watcher was told of losses: $(cat "$log")"
  diff "$watched.tshark" "$watched" >"$watched.diff" \
    || fail "$who: watched fields differ from tshark's: $(head -8 "$watched.diff")"
  echo "$n"
}
