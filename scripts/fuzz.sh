#!/usr/bin/env bash
# Fuzzes a target of core-nostd/fuzz, seeded from the frames in captures/.
#   bash scripts/fuzz.sh dissect 60        # a one-minute smoke (targets: dissect, filter_parse, filter_eval)
#   bash scripts/fuzz.sh dissect 3600      # an hour; crashes land in core-nostd/fuzz/artifacts/
set -euo pipefail
cd "$(dirname "$0")/../core-nostd/fuzz"
target=${1:-dissect}
seconds=${2:-60}
python3 seed-from-captures.py ../../captures "corpus/$target" "$target" >/dev/null
cargo +nightly fuzz run "$target" "corpus/$target" -- \
  -max_total_time="$seconds" -max_len=4096 -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 2>&1 \
  | grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+== ERROR|SUMMARY|Done)' || true
# libFuzzer exits non-zero on a crash, a timeout or running out of memory.
test "${PIPESTATUS[0]}" -eq 0
