#!/usr/bin/env bash
# Quick start (1): install what is needed, build, import the bundled offline demo case into a fresh
# SQLite file and trace the seller's wallet to the cash-out. No network, no server.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh >&2  # build progress is not the demo's output: stdout carries only the result
db="${FUNDTRAIL_DEMO_DB:-build/demo.db}"
rm -f "$db" "$db-wal" "$db-shm" "$db.graph" "$db.labels"
seller=$(python3 -c 'import json; print(json.load(open("data/demo/roles.json"))["seller_tron"])')
build/bin/fundtrail --db "$db" import data/demo/transfers.csv
echo
build/bin/fundtrail --db "$db" trace "$seller" --hops 6
