#!/usr/bin/env bash
# Loopback benchmarks of the release build, on SQLite (WAL) and on a throwaway PostgreSQL.
# Bounded: every load run lasts $DURATION (default 10s); the whole script takes about 3 minutes.
# Usage: bench/run.sh            (or: make bench)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x target/release/infograph ]] || make build
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
python3 -c 'import cryptography' 2>/dev/null || pip install --quiet cryptography
echo "# $(date -u +%F) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
wasm=target/site/pkg/$(cat target/site/pkg/stem.txt 2>/dev/null || echo infograph).wasm
[[ -f "$wasm" ]] && echo "release wasm: $(stat -c %s "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip"
bench/scenarios.sh sqlite
scripts/with-postgres.sh bench/scenarios.sh postgres
bench/lighthouse.sh
bench/proofread.sh
