#!/usr/bin/env bash
# Quick start (2): install what is needed, build, run the whole test suite (unit + integration).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
