#!/usr/bin/env bash
# The board firmware's budgets: flash <= 128 KiB, RAM (statics + measured
# stack peak; the heap's arena is a static) <= 48 KiB.
#
#   bash scripts/board-budget.sh
#       builds the firmware and runs hil-tests/board.sh (as root), which boots
#       it on a segment with real traffic and prints this table at the end
#   bash scripts/board-budget.sh --report FIRMWARE.elf UART.log
#       the table from an image and a board's UART log (its last "ram:" line)
set -euo pipefail
cd "$(dirname "$0")/.."

flash_budget=$((128 * 1024)) ram_budget=$((48 * 1024))

if [ "${1:-}" != --report ]; then
  (cd agent/board && cargo build --release --quiet)
  cargo build --quiet -p encap -p encap-control -p encap-agent
  exec bash hil-tests/board.sh
fi
firmware=$2 log=$3

# Flash: every allocated section placed below RAM, plus .data's initial values.
flash=$(python3 - "$firmware" <<'EOF'
import struct, sys
elf = open(sys.argv[1], "rb").read()
table, = struct.unpack_from("<I", elf, 0x20)
entry, count, names = struct.unpack_from("<HHH", elf, 0x2E)
headers = [struct.unpack_from("<10I", elf, table + i * entry) for i in range(count)]
strings = headers[names][4]
def name(h):
    start = strings + h[0]
    return elf[start:elf.index(b"\0", start)].decode()
SHF_ALLOC, NOBITS = 2, 8
print(sum(h[5] for h in headers
          if h[2] & SHF_ALLOC and h[1] != NOBITS and (h[3] < 0x20000000 or name(h) == ".data")))
EOF
)
ram_line=$(grep "encap-board: ram:" "$log" | tail -1)
[ -n "$ram_line" ] || { echo "board-budget: no \"ram:\" report in $log" >&2; exit 1; }
# "ram: statics S B (heap arena A B, peak P B in use), stack peak K B, total T B"
read -r statics arena heap_peak stack total < <(sed -E \
  's/.*statics ([0-9]+) B \(heap arena ([0-9]+) B, peak ([0-9]+) B in use\), stack peak ([0-9]+) B, total ([0-9]+) B.*/\1 \2 \3 \4 \5/' \
  <<<"$ram_line")

kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
verdict() {  # verdict USED LIMIT
  if [ "$1" -le "$2" ]; then echo "within"; else echo "OVER by $(kib $(($1 - $2)))"; fi
}
printf '%-6s %-11s %-9s %s\n' budget used limit verdict
printf '%-6s %-11s %-9s %s\n' flash "$(kib "$flash")" "$(kib $flash_budget)" "$(verdict "$flash" $flash_budget)"
printf '%-6s %-11s %-9s %s\n' RAM "$(kib "$total")" "$(kib $ram_budget)" "$(verdict "$total" $ram_budget)"
echo "  RAM: statics $(kib "$statics") (of which the heap's arena $(kib "$arena"), its peak use $(kib "$heap_peak")), stack peak $(kib "$stack")"
