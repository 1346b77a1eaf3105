#!/usr/bin/env bash
# Property-based fuzz of the REST API from its own OpenAPI document (schemathesis): starts the
# debug server on a fresh SQLite database, signs up a user for the token, and fails on any 5xx,
# undocumented status code, content type or header, or a body that does not match its schema.
# On PostgreSQL when TEST_POSTGRES_URL is set (scripts/with-postgres.sh): a fresh database there.
# Usage: fuzz-api.sh [max-examples per operation, default 40]
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-40}"
port="${FUZZ_PORT:-3300}"
base="http://127.0.0.1:$port"
st=.tools/venv/bin/schemathesis
[[ -x "$st" ]] || { echo "schemathesis missing: run scripts/install-tools.sh --test"; exit 1; }
dir=$(mktemp -d)
server_pid=
cleanup() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

db_url="sqlite://$dir/fuzz.db"
if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then
  db_name="fuzz_$RANDOM$RANDOM"
  psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $db_name" >/dev/null
  db_url="${TEST_POSTGRES_URL%/*}/$db_name"
fi
echo "fuzzing against ${db_url%%:*}"

# Limits off and credits plenty: the fuzzer should reach the handlers, not the 429s and 402s
# (both are documented and tested elsewhere).
DATABASE_URL="$db_url" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
  SIGNUP_CREDITS=100000 CREATE_RATE_PER_MINUTE=0 AUTH_RATE_PER_MINUTE=0 SIGNUP_RATE_PER_HOUR=0 FAL_EMULATOR_DELAY_MS=200 \
  FAL_EMULATOR=true RUST_LOG=warn target/debug/infograph serve >"$dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -sf "$base/api/health/" >/dev/null && break; sleep 0.1; done
# Confirmed by the operator, with credits: a registered account has none until confirmed.
DATABASE_URL="$db_url" RUST_LOG=warn target/debug/infograph user add fuzz@example.com \
  --password fuzz-password --credits 100000 >/dev/null
token=$(curl -sf -H 'content-type: application/json' \
  -d '{"email":"fuzz@example.com","password":"fuzz-password"}' "$base/api/auth/token/" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

status=0
"$st" run "$base/api/openapi.json" \
  --header "Authorization: Token $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "$examples" --workers 2 --seed 20261125 --generation-database none \
  --request-timeout 10 --no-color || status=$?
if [[ $status -ne 0 ]]; then
  echo "== server log (last 50 lines)"; tail -50 "$dir/server.log"
fi
exit $status
