#!/usr/bin/env bash
# Installs every Debian package fundtrail needs to build, test and benchmark.
# Idempotent and non-interactive: packages already present are left alone.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libboost-dev nlohmann-json3-dev libcurl4-openssl-dev libsqlite3-dev sqlite3
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libcli11-dev libssl-dev
  libbenchmark-dev libzstd-dev
  python3 python3-networkx
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

# Node.js and npm fetch the Ethereum node the EVM tests run (anvil, an npm package). Debian ships npm as its
# own package; a nodejs from elsewhere (NodeSource) brings npm along, so only ask apt when npm is missing.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present" >&2
else
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install-deps: done" >&2
fi

# anvil (Foundry's Ethereum node) at the version pinned in tools/evm/package-lock.json, for the EVM ingestion
# tests; installed into tools/evm/node_modules (git-ignored), not system-wide.
evm_dir="$(cd "$(dirname "$0")" && pwd)/evm"
anvil="$evm_dir/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
if [ ! -x "$anvil" ] || ! grep -q '"version": "1.7.1"' "$evm_dir/node_modules/@foundry-rs/anvil-linux-amd64/package.json" 2>/dev/null; then
  echo "install-deps: installing anvil from npm into tools/evm" >&2
  (cd "$evm_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
"$anvil" --version | head -1 >&2
