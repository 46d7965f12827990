#!/usr/bin/env bash
# Installs what the demo and the tests need on a fresh Debian 12 machine (as root).
# Idempotent: each step is skipped when its tool is already there.
set -euo pipefail

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is missing: install a Rust toolchain with rustup (stable >= 1.95, and nightly for fuzzing)" >&2
  exit 1
fi

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
# A C compiler: sqlite, ring and mimalloc build C sources.
have cc        || need_apt+=(gcc libc6-dev)
have tshark    || need_apt+=(tshark)
have tcpdump   || need_apt+=(tcpdump)
have dnsmasq   || need_apt+=(dnsmasq-base)
have dig       || need_apt+=(bind9-dnsutils)
have dhclient  || need_apt+=(isc-dhcp-client)
have hyperfine || need_apt+=(hyperfine)
have ip        || need_apt+=(iproute2)
have ping      || need_apt+=(iputils-ping)
have python3   || need_apt+=(python3)
have openssl   || need_apt+=(openssl)
have curl      || need_apt+=(curl)
dpkg -s libpcap-dev >/dev/null 2>&1 || need_apt+=(libpcap-dev)
have mariadbd  || need_apt+=(mariadb-server)
# The board firmware's emulator (Debian 12's; on machines that carry a newer
# qemu-utils from backports, apt replaces it: see ../shared/BOARD.md).
have qemu-system-arm || need_apt+=(qemu-system-arm)
have readelf   || need_apt+=(binutils)
python3 -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
python3 -c 'import ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

installed_targets=$(rustup target list --installed)
for t in thumbv7em-none-eabihf thumbv7m-none-eabi; do
  grep -qx "$t" <<<"$installed_targets" || rustup target add "$t"
done

# llvm-profdata, for the profile-guided build (scripts/build-pgo.sh).
rustup component list --installed | grep -q '^llvm-tools' || rustup component add llvm-tools

if [ "${ENCAP_SKIP_FUZZ:-0}" != 1 ]; then
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --quiet
fi

# grpcurl and an SMTP sink for the control service's tests (target/tools).
bash "$(dirname "$0")/setup-tools.sh"
