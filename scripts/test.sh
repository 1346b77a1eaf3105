#!/usr/bin/env bash
# Runs every test: Rust unit + integration tests, then Playwright in Debian's headless Chromium
# against a freshly built debug server. Usage: test.sh [rust|e2e] (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
start=$(date +%s)

if [[ "$what" == all || "$what" == rust ]]; then
  echo "== Import circles between modules (there must be none)"
  python3 scripts/import-cycles.py app/src --quiet
  echo "== The vendored bundle splitter's own tests (vendor/README.md)"
  cargo test --locked --manifest-path vendor/wasm_split_cli_support/Cargo.toml --target-dir target/wasm-split-cli --lib
  echo "== Rust tests (SQLite)"
  cargo test --workspace --no-default-features --features ssr --no-fail-fast
  echo "== Rust tests (PostgreSQL)"
  scripts/with-postgres.sh cargo test --workspace --no-default-features --features ssr --no-fail-fast
fi

if [[ "$what" == all || "$what" == e2e ]]; then
  echo "== Build (debug) for the browser tests"
  scripts/build.sh debug
  echo "== API fuzz (schemathesis, from /api/openapi.json)"
  scripts/fuzz-api.sh
  scripts/with-postgres.sh scripts/fuzz-api.sh
  echo "== Playwright"
  (cd end2end && npx playwright test)
fi
echo "tests finished in $(( $(date +%s) - start )) s"
