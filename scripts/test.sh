#!/usr/bin/env bash
# Runs every test: Rust unit + integration tests, then Playwright in Debian's headless Chromium
# against a freshly built debug server. Usage: test.sh [rust|e2e] (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
start=$(date +%s)
# Each stage says when it starts; the summary at the end says how long each took (the figures
# in the tests' documentation come from it).
stages=() last=$start last_name=""
# Run by `make test`: the time make spent before this script is the tools' (install-tools.sh).
if [[ "$(ps -o comm= -p "$PPID" 2>/dev/null)" == make ]]; then
  stages+=("$(printf '%5d s  %s' "$(ps -o etimes= -p "$PPID" | tr -d ' ')" "Tools (make test-tools)")")
fi
stage() {
  local now; now=$(date +%s)
  if [[ -n "$last_name" ]]; then stages+=("$(printf '%5d s  %s' $((now - last)) "$last_name")"); fi
  last=$now last_name="$1"
  if [[ -n "$1" ]]; then echo "== $1"; fi
}

if [[ "$what" == all || "$what" == rust ]]; then
  stage "Import circles between modules (there must be none)"
  python3 scripts/import-cycles.py app/src --quiet
  stage "Vendored crates are the published ones plus their patches (vendor/README.md)"
  scripts/verify-vendor.sh
  stage "The vendored bundle splitter's own tests (vendor/README.md)"
  # The profile, features and target directory `install-tools.sh` built the tool with, so its
  # compiled dependencies are reused rather than built again for the tests.
  cargo test --locked --release --features build-binary --manifest-path vendor/wasm_split_cli_support/Cargo.toml --target-dir target/wasm-split-cli --lib
  stage "Rust tests: compile once for both databases"
  scripts/rust-tests.sh build
  # The archive runs without cargo, so the browser tests' build (mostly the wasm, one core) goes
  # on meanwhile; its output is shown when it is waited for.
  if [[ "$what" == all ]]; then
    mkdir -p target/test-logs
    scripts/build.sh debug > target/test-logs/build-debug.log 2>&1 & build_pid=$!
    # Stopped if the tests stop first. `|| true`: errexit holds inside a trap, and a build that
    # has already ended leaves nothing to kill.
    trap '{ pkill -P "$build_pid"; kill "$build_pid"; } 2>/dev/null || true' EXIT
  fi
  stage "Rust tests (SQLite)"
  scripts/rust-tests.sh sqlite
  stage "Rust tests (PostgreSQL: the tests that open a database)"
  scripts/rust-tests.sh postgres
fi

if [[ "$what" == all || "$what" == e2e ]]; then
  stage "Build (debug) for the browser tests"
  if [[ -n "${build_pid:-}" ]]; then
    wait "$build_pid" || { cat target/test-logs/build-debug.log; exit 1; }
    trap - EXIT
    tail -n 3 target/test-logs/build-debug.log
  else
    scripts/build.sh debug
  fi
  # Once, on SQLite: the HTTP contract is the same on both databases. What differed (PostgreSQL
  # refusing NUL in text) has its own tests on both (`manage::odd_ids_and_control_characters…`).
  stage "API fuzz (schemathesis, from /api/openapi.json)"
  scripts/fuzz-api.sh
  stage "Playwright"
  (cd end2end && npx playwright test)
fi
stage ""
printf '%s\n' "== Time per stage" "${stages[@]}"
echo "tests finished in $(( $(date +%s) - start )) s"
