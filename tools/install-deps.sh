#!/usr/bin/env bash
# Installs every Debian package fundtrail needs to build, test and benchmark.
# Idempotent and non-interactive: packages already present are left alone.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libboost-dev nlohmann-json3-dev libcurl4-openssl-dev libsqlite3-dev sqlite3
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libcli11-dev libssl-dev libcrypto++-dev
  libbenchmark-dev libzstd-dev
  python3 python3-networkx
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present" >&2
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done" >&2
