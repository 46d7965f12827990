#!/usr/bin/env bash
# filter-oracle.sh — tshark's answer to every filter of filters.txt on every capture.
#
#   bash captures/filter-oracle.sh [FILE...]    (default: every *.pcap and *.pcapng here)
#
# Writes NAME.filters.tsv: one line per filter, "FILTER<TAB>FRAME,FRAME,…" (the frame
# numbers `tshark -n -r NAME -Y FILTER -T fields -e frame.number` prints). Reading is
# deterministic; rerun it when filters.txt or a capture changes (a few minutes: one
# tshark run per filter and capture).
set -euo pipefail
export LC_ALL=C TZ=UTC
HERE=$(cd "$(dirname "$0")" && pwd)
command -v tshark >/dev/null || { echo "filter-oracle.sh: tshark missing (run scripts/setup-deps.sh)" >&2; exit 1; }
EMPTYHOME=$(mktemp -d /tmp/ecap-filters.XXXXXX)
trap 'rm -rf "$EMPTYHOME"' EXIT

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  shopt -s nullglob
  files=("$HERE"/*.pcap "$HERE"/*.pcapng)
fi

for f in "${files[@]}"; do
  base=$(basename "$f"); name=${base%.pcapng}; name=${name%.pcap}
  out="$(dirname "$f")/$name.filters.tsv"
  : >"$out.tmp"
  while IFS= read -r filter; do
    [ -n "$filter" ] || continue
    frames=$(HOME=$EMPTYHOME XDG_CONFIG_HOME=$EMPTYHOME/.config timeout 60 \
      tshark -n -r "$f" -Y "$filter" -T fields -e frame.number 2>"$EMPTYHOME/err" | paste -sd, -) \
      || { echo "filter-oracle.sh: tshark failed on $name with: $filter" >&2; cat "$EMPTYHOME/err" >&2; exit 1; }
    printf '%s\t%s\n' "$filter" "$frames" >>"$out.tmp"
  done <"$HERE/filters.txt"
  mv "$out.tmp" "$out"
  echo "filter-oracle: $name" >&2
done
