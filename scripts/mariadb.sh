#!/usr/bin/env bash
# A private MariaDB server for tests and benchmarks: its own data directory,
# socket and port on 127.0.0.1, no systemd. Its user `encap` owns every
# database named encap* (tests make one each).
#   bash scripts/mariadb.sh start DIR PORT   prints the mysql:// URL of database `encap`
#   bash scripts/mariadb.sh restart DIR      stops its server and starts a new one on the same data
#   bash scripts/mariadb.sh stop DIR         stops it (by the PID in DIR) and removes DIR
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR PORT | restart DIR | stop DIR" >&2; exit 2; }

serve() {  # serve DIR PORT: runs mariadbd on DIR's data until it answers
  local dir=$1 port=$2
  mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/sock" --port="$port" \
    --bind-address=127.0.0.1 --user=root --pid-file="$dir/pid" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --skip-log-bin --innodb-buffer-pool-size=64M >>"$dir/server.log" 2>&1 &
  for _ in $(seq 100); do
    mariadb-admin --socket="$dir/sock" -uroot ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  mariadb-admin --socket="$dir/sock" -uroot ping >/dev/null 2>&1 \
    || { echo "mariadb.sh: the server did not start; its log:" >&2; tail -20 "$dir/server.log" >&2; exit 1; }
}

halt() {  # halt DIR: stops DIR's server, by its pid
  local dir=$1 pid
  [ -f "$dir/pid" ] || return 0
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
}

case "$cmd" in
start)
  port=${3:?usage: $0 start DIR PORT}
  command -v mariadbd >/dev/null || { echo "mariadb.sh: mariadbd is missing (apt-get install mariadb-server)" >&2; exit 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  mariadb-install-db --no-defaults --datadir="$dir/data" --user=root \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 \
    || { cat "$dir/install.log" >&2; exit 1; }
  echo "$port" >"$dir/port"
  serve "$dir" "$port"
  password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  mariadb --socket="$dir/sock" -uroot <<SQL
CREATE DATABASE encap CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'encap'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER 'encap'@'localhost' IDENTIFIED BY '$password';
GRANT ALL ON \`encap%\`.* TO 'encap'@'127.0.0.1';
GRANT ALL ON \`encap%\`.* TO 'encap'@'localhost';
SQL
  echo "mysql://encap:$password@127.0.0.1:$port/encap"
  ;;
restart)
  # The same data, a new server process (as after a crash or an upgrade).
  halt "$dir"
  serve "$dir" "$(cat "$dir/port")"
  ;;
stop)
  halt "$dir"
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start DIR PORT | restart DIR | stop DIR" >&2; exit 2 ;;
esac
