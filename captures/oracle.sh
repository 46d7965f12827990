#!/usr/bin/env bash
# oracle.sh — regenerate tshark's reading of every capture in this folder.
#
#   bash captures/oracle.sh [FILE...]     (default: every *.pcap and *.pcapng here)
#   bash captures/oracle.sh --check       read them again and fail if any committed
#                                         reading differs from what tshark says now
#
# For each capture NAME.pcap / NAME.pcapng it writes
#   NAME.tshark.tsv  tshark -T fields of every field in fields.txt (header line,
#                    tab separated, all occurrences joined with ",")
#   NAME.tshark.txt  the plain one-line-per-frame packet list
# Reading is deterministic: the files only change when a capture changes.
# tshark runs with an empty HOME so no personal preferences or profiles apply,
# and with --color, without which frame.coloring_rule.name stays empty
# (--color adds no escape codes to -T fields output).
set -euo pipefail
export LC_ALL=C TZ=UTC
HERE=$(cd "$(dirname "$0")" && pwd)
command -v tshark >/dev/null || { echo "oracle.sh: tshark missing (run scripts/setup-deps.sh)" >&2; exit 1; }
EMPTYHOME=$(mktemp -d /tmp/ecap-oracle.XXXXXX)
trap 'rm -rf "$EMPTYHOME"' EXIT

args=()
while read -r f; do
  [ -n "$f" ] && args+=(-e "$f")
done <"$HERE/fields.txt"

check=0
if [ "${1:-}" = --check ]; then
  check=1
  shift
fi
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  shopt -s nullglob
  files=("$HERE"/*.pcap "$HERE"/*.pcapng)
fi

for f in "${files[@]}"; do
  base=$(basename "$f"); name=${base%.pcapng}; name=${name%.pcap}
  dir=$(dirname "$f")
  if [ $check = 1 ]; then
    dir=$EMPTYHOME/out
    mkdir -p "$dir"
  fi
  HOME=$EMPTYHOME XDG_CONFIG_HOME=$EMPTYHOME/.config timeout 120 \
    tshark -n -r "$f" --color -T fields -E header=y -E separator=/t -E occurrence=a -E aggregator=, \
    "${args[@]}" >"$dir/$name.tshark.tsv" 2>"$EMPTYHOME/err" \
    || { cat "$EMPTYHOME/err" >&2; exit 1; }
  HOME=$EMPTYHOME XDG_CONFIG_HOME=$EMPTYHOME/.config timeout 120 \
    tshark -n -r "$f" >"$dir/$name.tshark.txt" 2>"$EMPTYHOME/err" \
    || { cat "$EMPTYHOME/err" >&2; exit 1; }
  if [ $check = 1 ]; then
    for ext in tsv txt; do
      if ! cmp -s "$dir/$name.tshark.$ext" "$HERE/$name.tshark.$ext"; then
        echo "oracle: $name.tshark.$ext differs from tshark's reading now:" >&2
        diff "$HERE/$name.tshark.$ext" "$dir/$name.tshark.$ext" | head -5 >&2
        exit 1
      fi
    done
  fi
  echo "oracle: $name ($(($(wc -l <"$dir/$name.tshark.tsv") - 1)) frames)" >&2
done
