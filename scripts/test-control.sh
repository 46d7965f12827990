#!/usr/bin/env bash
# The control service from outside, as users meet it: grpcurl (list, describe,
# Register, Confirm, Login, WhoAmI, health), a real SMTP server receiving the
# confirmation mail whose code confirms the account, the `encap` account
# commands, TLS, and a graceful stop on SIGTERM.
#   bash scripts/test-control.sh      (after scripts/setup-tools.sh; builds debug binaries)
set -euo pipefail
# grep -q stops reading at its first match: the writer then dies of SIGPIPE and
# pipefail fails the check. `has` reads everything.
has() { grep "$@" >/dev/null; }
cd "$(dirname "$0")/.."
root=$PWD
grpcurl=$root/target/tools/bin/grpcurl
python=$root/target/tools/venv/bin/python
[ -x "$grpcurl" ] && [ -x "$python" ] || bash scripts/setup-tools.sh
cargo build --quiet -p encap -p encap-control
encap=$root/target/debug/encap
control=$root/target/debug/encap-control

work=$(mktemp -d /tmp/encap-control-test.$$.XXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; [ -f "$work/control.log" ] && tail -20 "$work/control.log" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 100); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "nothing listens on port $1"
}
# The code in the newest mail of the sink.
mailed_code() {
  for _ in $(seq 100); do
    local n; n=$(ls "$work/mail" 2>/dev/null | wc -l)
    if [ "$n" -ge "$1" ]; then
      grep -ao 'encap confirm [0-9A-Z-]*' "$(ls -d "$work"/mail/* | sort | sed -n "${1}p")" | head -1 | awk '{print $3}'
      return 0
    fi
    sleep 0.1
  done
  fail "mail $1 never arrived"
}

smtp_port=$(free_port)
"$python" scripts/smtp-sink.py "$work/mail" "$smtp_port" >"$work/smtp.log" 2>&1 &
pids+=($!)
wait_port "$smtp_port"

port=$(free_port)
addr=127.0.0.1:$port
"$control" serve --listen "$addr" --data-dir "$work/data" --smtp-url "smtp://127.0.0.1:$smtp_port" \
  --mail-from encap@example.org >"$work/control.log" 2>&1 &
control_pid=$!
pids+=($control_pid)
wait_port "$port"

# --- grpcurl, by reflection only (no .proto at hand)
g() { "$grpcurl" -plaintext "$@"; }
g "$addr" list >"$work/list"
for s in encap.v1.Accounts encap.v1.Capture grpc.health.v1.Health grpc.reflection.v1alpha.ServerReflection; do
  grep -qx "$s" "$work/list" || fail "grpcurl list lacks $s: $(cat "$work/list")"
done
ok "grpcurl list: $(tr '\n' ' ' <"$work/list")"
g "$addr" describe encap.v1.Accounts | has 'rpc WhoAmI' || fail "describe encap.v1.Accounts"
g "$addr" describe encap.v1.LoginRequest | has "The account's name or its email address" \
  || fail "describe does not show the .proto comments"
g "$addr" describe grpc.health.v1.Health | has 'rpc Check' || fail "describe grpc.health.v1.Health"
ok "grpcurl describe shows methods and comments"
[ "$(g -d '{"service":"encap.v1.Accounts"}' "$addr" grpc.health.v1.Health/Check | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = SERVING ] \
  || fail "health check"
ok "grpcurl health check: SERVING"

g -d '{"name":"Zoë","email":"Zoe@Example.org","password":"pässwörd 🔑 1"}' "$addr" encap.v1.Accounts/Register >"$work/reg.json"
grep -q '"email": "zoe@example.org"' "$work/reg.json" || fail "Register: $(cat "$work/reg.json")"
code=$(mailed_code 1)
grep -q 'X-Envelope-To: zoe@example.org' "$work/mail/0001.eml" || fail "mail went to the wrong address"
ok "Register mailed code $code through a real SMTP server"
g -d '{"login":"zoë","password":"pässwörd 🔑 1"}' "$addr" encap.v1.Accounts/Login >"$work/unconfirmed" 2>&1 && fail "login before confirming worked"
grep -q 'FailedPrecondition' "$work/unconfirmed" || fail "unconfirmed login: $(cat "$work/unconfirmed")"
g -d "{\"code\":\"$code\"}" "$addr" encap.v1.Accounts/Confirm | has '"confirmed": true' || fail "Confirm"
ok "Confirm with the mailed code"
token=$(g -d '{"login":"ZOË","password":"pässwörd 🔑 1"}' "$addr" encap.v1.Accounts/Login | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
[ ${#token} -eq 64 ] || fail "Login token: $token"
g -H "authorization: Bearer $token" "$addr" encap.v1.Accounts/WhoAmI | has '"name": "Zoë"' || fail "WhoAmI"
ok "Login and WhoAmI with the token"
g "$addr" encap.v1.Accounts/WhoAmI >"$work/noauth" 2>&1 && fail "WhoAmI without a token worked"
grep -q 'Code: Unauthenticated' "$work/noauth" || fail "WhoAmI without token: $(cat "$work/noauth")"
g -d '{"name":"x y","email":"a@b.c","password":"12345678"}' "$addr" encap.v1.Accounts/Register >"$work/bad" 2>&1 && fail "bad name accepted"
grep -q 'Message: name contains a space' "$work/bad" || fail "bad name: $(cat "$work/bad")"
ok "errors are status codes with sentences"

# --- the encap client
export ENCAP_SERVER=http://$addr ENCAP_CONFIG_DIR=$work/config
printf 'bobs password\n' | "$encap" register --name bob --email bob@example.org --password-stdin >"$work/out" \
  || fail "encap register: $(cat "$work/out")"
grep -q 'confirmation code is on its way' "$work/out" || fail "encap register said: $(cat "$work/out")"
mailed_code 2 >/dev/null
"$encap" resend bob@example.org >/dev/null
code=$(mailed_code 3)
"$encap" confirm "$code" | has 'confirmed bob' || fail "encap confirm"
ok "encap register, resend and confirm"
if printf 'wrong password\n' | "$encap" login bob --password-stdin 2>"$work/err"; then fail "wrong password logged in"; fi
grep -qx 'encap: wrong name, email or password' "$work/err" || fail "wrong password said: $(cat "$work/err")"
printf 'bobs password\n' | "$encap" login bob --password-stdin | has "logged in to http://$addr as bob" \
  || fail "encap login"
[ "$(stat -c %a "$work/config/sessions")" = 600 ] || fail "sessions file mode $(stat -c %a "$work/config/sessions")"
"$encap" whoami | has '^bob <bob@example.org>, registered' || fail "encap whoami: $("$encap" whoami 2>&1)"
ok "encap login (token file 0600) and whoami"
"$encap" logout | has 'logged out bob' || fail "encap logout"
if "$encap" whoami 2>"$work/err"; then fail "whoami after logout"; fi
grep -q 'not logged in' "$work/err" || fail "whoami after logout said: $(cat "$work/err")"
if "$encap" whoami --server http://127.0.0.1:1 2>"$work/err"; then fail "whoami against nothing"; fi
grep -q 'cannot reach the encap service at http://127.0.0.1:1' "$work/err" || fail "unreachable said: $(cat "$work/err")"
ok "encap logout; clear errors when logged out or unreachable"

# --- nothing secret in the database file
python3 - "$work/data/encap.db" <<'PY' || fail "database check"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
users = [r[0] for r in db.execute("select name from users order by id")]
assert users == ["Zoë", "bob"], users
for (h,) in db.execute("select password_hash from users"):
    assert h.startswith("$argon2id$v=19$m=19456,t=2,p=1$"), h
raw = open(sys.argv[1], "rb").read()
for secret in [b"bobs password", "pässwörd 🔑 1".encode()]:
    assert secret not in raw
PY
for f in "$work"/data/encap.db*; do
  ! grep -qa -e 'bobs password' -e "$token" "$f" || fail "a secret is in $f in clear"
done
! grep -qa -e 'bobs password' -e "$token" "$work/control.log" || fail "a secret is in the log"
ok "the database holds exactly Zoë and bob, argon2id hashes, no secret in clear (nor in the log)"

# --- graceful stop
kill -TERM "$control_pid"
wait "$control_pid" || fail "encap-control exited with $? on SIGTERM"
grep -q 'stopped' "$work/control.log" || fail "no graceful stop in the log"
ok "SIGTERM stops the service gracefully (exit 0)"

# --- TLS with a certificate from a private CA
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=encap test CA" \
  -keyout "$work/ca-key.pem" -out "$work/ca.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$work/key.pem" -out "$work/req.pem" >/dev/null 2>&1
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$work/ext"
openssl x509 -req -in "$work/req.pem" -CA "$work/ca.pem" -CAkey "$work/ca-key.pem" -CAcreateserial -days 1 \
  -extfile "$work/ext" -out "$work/cert.pem" >/dev/null 2>&1
tport=$(free_port)
"$control" serve --listen "127.0.0.1:$tport" --data-dir "$work/data" --auto-confirm \
  --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" >"$work/control.log" 2>&1 &
pids+=($!)
wait_port "$tport"
"$grpcurl" -cacert "$work/ca.pem" "localhost:$tport" list | has -x encap.v1.Accounts || fail "grpcurl over TLS"
printf 'carols password\n' | "$encap" register --server "https://localhost:$tport" --ca-cert "$work/ca.pem" \
  --name carol --email carol@example.org --password-stdin | has 'registered carol' || fail "encap over TLS"
printf 'carols password\n' | "$encap" login carol --server "https://localhost:$tport" --ca-cert "$work/ca.pem" \
  --password-stdin | has 'as carol' || fail "encap login over TLS (auto-confirmed)"
if "$encap" whoami --server "https://localhost:$tport" 2>"$work/err"; then fail "TLS without trusting the certificate"; fi
grep -q 'certificate' "$work/err" || fail "untrusted certificate said: $(cat "$work/err")"
ok "TLS: grpcurl and encap with --ca-cert; an untrusted certificate is refused"

echo "control service: $passed passed, 0 failed"
