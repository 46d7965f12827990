#!/usr/bin/env bash
# A private MariaDB server for tests and benchmarks: its own data directory,
# socket and port on 127.0.0.1, no systemd. Its user `encap` owns every
# database named encap* (tests make one each).
#   bash scripts/mariadb.sh start DIR PORT   prints the mysql:// URL of database `encap`
#   bash scripts/mariadb.sh stop DIR         stops it (by the PID in DIR) and removes DIR
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }

case "$cmd" in
start)
  port=${3:?usage: $0 start DIR PORT}
  command -v mariadbd >/dev/null || { echo "mariadb.sh: mariadbd is missing (apt-get install mariadb-server)" >&2; exit 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  mariadb-install-db --no-defaults --datadir="$dir/data" --user=root \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 \
    || { cat "$dir/install.log" >&2; exit 1; }
  mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/sock" --port="$port" \
    --bind-address=127.0.0.1 --user=root --pid-file="$dir/pid" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --skip-log-bin --innodb-buffer-pool-size=64M >"$dir/server.log" 2>&1 &
  for _ in $(seq 100); do
    mariadb-admin --socket="$dir/sock" -uroot ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  mariadb-admin --socket="$dir/sock" -uroot ping >/dev/null 2>&1 \
    || { echo "mariadb.sh: the server did not start; its log:" >&2; tail -20 "$dir/server.log" >&2; exit 1; }
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
stop)
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
