#!/usr/bin/env bash
# Sets up and runs every test: formatting, lints, unit and integration tests
# (the tshark differential test among them), the no_std builds for Cortex-M,
# tshark's reading of the committed captures, and a fuzzing smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "setup"
bash scripts/setup-deps.sh
export CARGO_INCREMENTAL=0

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

step "no_std core for Cortex-M (no allocator exists there: the core cannot allocate)"
cargo build -p encap-core --no-default-features --target thumbv7em-none-eabihf
cargo build -p encap-core --no-default-features --target thumbv7m-none-eabi

step "captures: tshark's reading is the committed one"
bash captures/oracle.sh --check

step "tests"
cargo test --workspace -- --nocapture 2>&1 | grep -v '^running 0 tests$' \
  | tee target/test-output.txt | grep -E '^(test result|tshark agreement|filter agreement|  known difference)|FAILED|panicked' || true
if grep -qE 'FAILED|panicked|error(\[|:)' target/test-output.txt; then
  echo "tests failed; see target/test-output.txt" >&2
  exit 1
fi

step "fuzz smoke (${ENCAP_FUZZ_SECONDS:-60} s)"
if [ "${ENCAP_SKIP_FUZZ:-0}" = 1 ]; then
  echo "skipped (ENCAP_SKIP_FUZZ=1)"
else
  bash scripts/fuzz.sh dissect "${ENCAP_FUZZ_SECONDS:-60}"
  bash scripts/fuzz.sh filter_parse 20
  bash scripts/fuzz.sh filter_eval 20
fi

passed=$(grep -E '^test result' target/test-output.txt | sed -E 's/.* ([0-9]+) passed.*/\1/' | awk '{s+=$1} END {print s+0}')
echo
echo "all checks: ${passed} passed, 0 failed"
