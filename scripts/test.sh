#!/usr/bin/env bash
# Sets up and runs every test: formatting, lints, unit and integration tests
# (the tshark differential test among them), the no_std builds for Cortex-M,
# tshark's reading of the committed captures, the control service against
# SQLite and a private MariaDB server, grpcurl and SMTP end to end, the live
# agents on namespaced segments, the profile-guided build of encap against
# the plain one, the board firmware under QEMU, and a fuzzing smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# What the tests might leave behind, to compare at the end: temporary
# directories and network namespaces (MariaDB's goes with the exit trap).
leftovers() { { ls -d /tmp/encap-* /tmp/ecap* 2>/dev/null; ip netns list 2>/dev/null; } | sort; }
before=$(leftovers)

step "setup"
bash scripts/setup-deps.sh
export CARGO_INCREMENTAL=0

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

step "no_std core for Cortex-M (no allocator exists there: the core cannot allocate), and the agent loop with its smoltcp host (no_std + alloc)"
cargo build -p encap-core --no-default-features --target thumbv7em-none-eabihf
cargo build -p encap-core --no-default-features --target thumbv7m-none-eabi
cargo build -p encap-core --no-default-features --features display --target thumbv7m-none-eabi
cargo build -p encap-core --no-default-features --features fields --target thumbv7m-none-eabi
cargo build -p encap-agent --lib --no-default-features --features net --target thumbv7m-none-eabi

step "the board firmware (thumbv7m, its own workspace): lints and a release build"
(cd agent/board && cargo fmt -- --check && cargo clippy --release --quiet -- -D warnings && cargo build --release --quiet)

step "captures: tshark's reading is the committed one"
bash captures/oracle.sh --check

step "the edge build's filters (no field visitor, as on the board) against the full build's"
bash scripts/edge-filters.sh

step "a private MariaDB server for the store tests"
mariadb_dir=$(mktemp -d /tmp/encap-mariadb.$$.XXXX)
trap 'bash scripts/mariadb.sh stop "$mariadb_dir"' EXIT
mariadb_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ENCAP_TEST_MYSQL_URL=$(bash scripts/mariadb.sh start "$mariadb_dir" "$mariadb_port")
export ENCAP_TEST_MYSQL_URL
echo "MariaDB $(mariadbd --version | awk '{print $3}') on 127.0.0.1:$mariadb_port"

step "tests"
cargo test --workspace -- --nocapture 2>&1 | grep -v '^running 0 tests$' \
  | tee target/test-output.txt | grep -E '^(test result|tshark agreement|filter agreement|  known difference)|FAILED|panicked' || true
if grep -qE 'FAILED|panicked|error(\[|:)' target/test-output.txt; then
  echo "tests failed; see target/test-output.txt" >&2
  exit 1
fi

step "control service end to end (grpcurl, SMTP, encap, TLS)"
bash scripts/test-control.sh | tee target/test-control.txt
control_passed=$(sed -nE 's/^control service: ([0-9]+) passed.*/\1/p' target/test-control.txt)

step "live capture end to end (agent --read and --pcap, tshark, a service restart)"
cargo build --quiet -p encap -p encap-control -p encap-agent
bash hil-tests/live.sh | tee target/test-live.txt
live_passed=$(sed -nE 's/^live capture: ([0-9]+) passed.*/\1/p' target/test-live.txt)

step "the profile-guided build (scripts/build-pgo.sh) prints what the plain build prints"
bash scripts/check-pgo.sh | tee target/test-pgo.txt
pgo_passed=$(sed -nE 's/^pgo: ([0-9]+) passed.*/\1/p' target/test-pgo.txt)

step "the agent's smoltcp modes on a segment (--tap static and DHCP, --iface, links down and up)"
bash hil-tests/segment.sh | tee target/test-segment.txt
segment_passed=$(sed -nE 's/^segment: ([0-9]+) passed.*/\1/p' target/test-segment.txt)

step "the firmware on an emulated board (QEMU mps2-an385 on a TAP): fields vs tshark, the filter on the board, a service restart, budgets"
timeout 600 bash hil-tests/board.sh | tee target/test-board.txt
board_passed=$(sed -nE 's/^board: ([0-9]+) passed.*/\1/p' target/test-board.txt)

step "fuzz smoke (${ENCAP_FUZZ_SECONDS:-60} s)"
if [ "${ENCAP_SKIP_FUZZ:-0}" = 1 ]; then
  echo "skipped (ENCAP_SKIP_FUZZ=1)"
else
  bash scripts/fuzz.sh dissect "${ENCAP_FUZZ_SECONDS:-60}"
  bash scripts/fuzz.sh filter_parse 20
  bash scripts/fuzz.sh filter_eval 20
fi

step "nothing left behind (temporary directories, network namespaces)"
left=$(comm -13 <(echo "$before") <(leftovers) | grep -vF "$mariadb_dir" || true)
if [ -n "$left" ]; then
  echo "the tests left these behind:" >&2
  echo "$left" >&2
  exit 1
fi
echo "none"

passed=$(grep -E '^test result' target/test-output.txt | sed -E 's/.* ([0-9]+) passed.*/\1/' | awk '{s+=$1} END {print s+0}')
echo
echo "all checks: $((passed + control_passed + live_passed + pgo_passed + segment_passed + board_passed)) passed, 0 failed"
