#!/usr/bin/env bash
# Configures and builds fundtrail into build/ (binary: build/bin/fundtrail).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE="${FUNDTRAIL_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build build -j"$(nproc)"
