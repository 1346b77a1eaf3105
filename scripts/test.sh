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
  stage "The vendored bundle splitter's own tests (vendor/README.md)"
  cargo test --locked --manifest-path vendor/wasm_split_cli_support/Cargo.toml --target-dir target/wasm-split-cli --lib
  # `--tests`: every test target but doctests, of which there are none (rustdoc would compile
  # each crate once more to find that out).
  stage "Rust tests (SQLite)"
  cargo test --workspace --no-default-features --features ssr --no-fail-fast --tests
  stage "Rust tests (PostgreSQL)"
  scripts/with-postgres.sh cargo test --workspace --no-default-features --features ssr --no-fail-fast --tests
fi

if [[ "$what" == all || "$what" == e2e ]]; then
  stage "Build (debug) for the browser tests"
  scripts/build.sh debug
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
