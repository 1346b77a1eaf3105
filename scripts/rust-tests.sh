#!/usr/bin/env bash
# The Rust tests, compiled once and run on each database (docs/testing.md):
#   rust-tests.sh build      compile every test binary into one archive (cargo-nextest)
#   rust-tests.sh sqlite     run the archive: every test, on SQLite
#   rust-tests.sh postgres   run the archive's tests that open a database on a throwaway PostgreSQL
# Running the archive needs no cargo (so no build lock): a build may go on meanwhile.
# Which tests run where, and how many at once: .config/nextest.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
archive=target/nextest/tests.tar.zst
run() { cargo nextest run --archive-file "$archive" --workspace-remap . --hide-progress-bar "$@"; }

case "${1:-}" in
  build)
    mkdir -p "$(dirname "$archive")"
    cargo nextest archive --workspace --no-default-features --features ssr --archive-file "$archive" ;;
  sqlite) shift; run "$@" ;;
  postgres) shift; scripts/with-postgres.sh "$0" sqlite --profile postgres "$@" ;;
  *) echo "usage: $0 build|sqlite|postgres [nextest options]" >&2; exit 2 ;;
esac
