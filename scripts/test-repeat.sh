#!/usr/bin/env bash
# Runs the suites again and again to find tests that pass by luck (not part of `make test`):
# the Rust tests on SQLite and on PostgreSQL RUST_RUNS times, Playwright E2E_RUNS times, each run
# from nothing (a fresh database, a fresh server). Stops at the first failure and says which run.
# Usage: test-repeat.sh [RUST_RUNS (default 5)] [E2E_RUNS (default 3)]
set -euo pipefail
cd "$(dirname "$0")/.."
rust_runs="${1:-5}" e2e_runs="${2:-3}"

scripts/rust-tests.sh build
for i in $(seq 1 "$rust_runs"); do
  echo "== Rust, SQLite, run $i of $rust_runs"
  scripts/rust-tests.sh sqlite --status-level fail
  echo "== Rust, PostgreSQL, run $i of $rust_runs"
  scripts/rust-tests.sh postgres --status-level fail
done
if (( e2e_runs > 0 )); then
  scripts/build.sh debug
  for i in $(seq 1 "$e2e_runs"); do
    echo "== Playwright, run $i of $e2e_runs"
    (cd end2end && npx playwright test --reporter=dot)
  done
fi
echo "all $rust_runs Rust runs (both databases) and $e2e_runs Playwright runs passed"
