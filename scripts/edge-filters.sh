#!/usr/bin/env bash
# The edge build of encap-core (without `fields`, as on the board) against the
# full build: for every filter of captures/filters.txt and every classic pcap
# of captures/, a filter the edge compiles matches the same frames as the full
# build, or more only where the walk stopped early (the edge sends those and
# the service decides); a filter it refuses names a field it does not read.
#
#   bash scripts/edge-filters.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/encap-edge-filters.XXXX)
trap 'rm -rf "$work"' EXIT
example=target/debug/examples/filter_matches
cargo build --quiet -p encap-core --example filter_matches
cp "$example" "$work/full"
cargo build --quiet -p encap-core --no-default-features --example filter_matches
cp "$example" "$work/edge"
for pcap in captures/*.pcap; do
  name=$(basename "$pcap" .pcap)
  "$work/full" captures/filters.txt "$pcap" >"$work/$name.full"
  "$work/edge" captures/filters.txt "$pcap" >"$work/$name.edge"
done
python3 - "$work" <<'PY'
import glob, os, sys
work = sys.argv[1]
def load(path):
    rows = {}
    for line in open(path):
        key, _, value = line.rstrip("\n").partition("\t")
        rows[key] = value
    return rows
def frames(v):
    return set(v.split(",")) - {""}
same = refused = more = 0
bad = []
for full_path in sorted(glob.glob(os.path.join(work, "*.full"))):
    name = os.path.basename(full_path)[:-5]
    full, edge = load(full_path), load(full_path[:-5] + ".edge")
    stopped = frames(full.pop("stopped"))
    edge.pop("stopped")
    for f, want in full.items():
        got = edge.get(f)
        if got is None:
            bad.append(f"{name}: {f!r} missing from the edge's answers")
        elif got.startswith("error:"):
            if "not read by this build" in got and not want.startswith("error:"):
                refused += 1
            elif got != want:
                bad.append(f"{name}: {f!r}: edge {got!r}, full {want!r}")
        elif want.startswith("error:"):
            bad.append(f"{name}: {f!r} compiles at the edge only")
        elif frames(got) == frames(want):
            same += 1
        elif frames(got) >= frames(want) and frames(got) - frames(want) <= stopped:
            more += 1
        else:
            lost = sorted(frames(want) - frames(got), key=int)
            extra = sorted(frames(got) - frames(want) - stopped, key=int)
            bad.append(f"{name}: {f!r}: edge misses frames {lost[:8]} or adds {extra[:8]}")
print(f"edge filters: {same} identical, {more} matching more only where the walk stopped, "
      f"{refused} refused (fields the edge does not read)")
if bad:
    print("\n".join(bad[:20]))
    sys.exit(1)
PY
