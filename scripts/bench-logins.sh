#!/usr/bin/env bash
# Login load against the control service on SQLite and on a private MariaDB:
# logins/s and p50/p99 at concurrency 1, 8 and 64, WhoAmI latency during the storm.
#   bash scripts/bench-logins.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/encap-bench-mariadb.$$.XXXX)
trap 'bash scripts/mariadb.sh stop "$dir"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ENCAP_BENCH_MYSQL_URL=$(bash scripts/mariadb.sh start "$dir" "$port")
export ENCAP_BENCH_MYSQL_URL
cargo bench -p encap-control --bench logins
