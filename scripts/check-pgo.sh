#!/usr/bin/env bash
# The profile-guided build (scripts/build-pgo.sh) against the plain debug
# build: every capture in captures/, in each output mode, must give the same
# bytes on stdout and stderr and the same exit status.
#   bash scripts/check-pgo.sh        # prints "pgo: N passed" last
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-pgo.sh
cargo build --quiet -p encap
plain=target/debug/encap
pgo=target/pgo/release/encap

fields="-e frame.number -e frame.protocols -e ip.src -e ipv6.dst -e tcp.flags.str -e udp.length -e dns.qry.name -e http.host -e tls.handshake.extensions_server_name -e _ws.col.Info"
modes=("" "--color always" "-V -x" "-T fields $fields -E header=y" "-T json" "-T ek" "-Y tcp.analysis.flags||icmp")
passed=0
failed=0
run() { local rc=0; "$@" --no-progress 2>&1 || rc=$?; echo "exit $rc"; }
for f in captures/*.pcap captures/*.pcapng; do
  for mode in "${modes[@]}"; do
    # shellcheck disable=SC2086 # a mode is several arguments
    if cmp -s <(run "$plain" read -r "$f" $mode) <(run "$pgo" read -r "$f" $mode); then
      passed=$((passed + 1))
    else
      echo "pgo: read -r $f $mode: the builds differ" >&2
      failed=$((failed + 1))
    fi
  done
done
echo "pgo: $passed passed, $failed failed"
[ "$failed" = 0 ]
