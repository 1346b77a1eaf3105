#!/usr/bin/env bash
# One backend's scenarios: health (ceiling), status polling, create, signed webhook ingestion.
# Prints one line per scenario: requests/s, p50, p99, server CPU ms per request.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="$1"
duration="${DURATION:-10s}"
port="${BENCH_PORT:-3400}"
jwks_port=$((port + 1))
work="$(mktemp -d /tmp/infograph-bench.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

if [[ "$backend" == postgres ]]; then
  db_name="bench_$RANDOM$RANDOM"
  psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $db_name" >/dev/null
  db_url="${TEST_POSTGRES_URL%/*}/$db_name"
  sql() { psql "$db_url" -Atc "$1" | tr -d ' '; }
else
  db_url="sqlite://$work/bench.db"
  sql() { sqlite3 "$work/bench.db" "$1"; }
fi

# Jobs stay `processing` during the run: the emulator takes an hour, nothing reconciles.
# The bench signs its webhooks as fal user "bench" (sign_webhooks.py): that is our account here.
python3 -m http.server "$jwks_port" --bind 127.0.0.1 --directory "$work" >/dev/null 2>&1 & pids+=($!)
DATABASE_URL="$db_url" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
  FAL_EMULATOR=true FAL_EMULATOR_DELAY_MS=3600000 RECONCILE_AFTER_SECS=3600 JOB_TIMEOUT_SECS=7200 \
  FAL_JWKS_URL="http://127.0.0.1:$jwks_port/jwks.json" FAL_WEBHOOK_USER_ID=bench SIGNUP_CREDITS=100000000 RUST_LOG=error \
  CREATE_RATE_PER_MINUTE=0 AUTH_RATE_PER_MINUTE=0 \
  target/release/infograph serve >/dev/null & server=$!
pids+=("$server")
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/api/health/" >/dev/null && break; sleep 0.1; done

DATABASE_URL="$db_url" RUST_LOG=error target/release/infograph user add bench@example.com \
  --password password123 --credits 100000000 >/dev/null
token=$(curl -sf -X POST "$base/api/auth/token/" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"password123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
jobs="${BENCH_JOBS:-10000}"
seq $((jobs / 4)) | xargs -P 8 -I{} curl -sf -o /dev/null -X POST "$base/api/infographs/create/" \
  -H "Authorization: Token $token" -H 'content-type: application/json' -d '{"prompt":"bench","number_of_infographs":4}'
for _ in $(seq 600); do [[ "$(sql "SELECT COUNT(*) FROM infographs WHERE status = 'processing'")" == "$jobs" ]] && break; sleep 0.2; done
sql "SELECT id FROM infographs" > "$work/ids.txt"
# 200 signed completions: 100 for the push-latency probe, 100 for wrk (which repeats them).
sql "SELECT id || '|' || fal_request_id FROM infographs LIMIT 200" | python3 bench/sign_webhooks.py "$work"
tail -n 100 "$work/webhooks.txt" > "$work/push.txt"
head -n 100 "$work/webhooks.txt" > "$work/webhooks.head" && mv "$work/webhooks.head" "$work/webhooks.txt"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
hz=$(getconf CLK_TCK)
run() {
  local name="$1" conns="$2" script="$3"
  local before after out rps total p50 p99
  before=$(cpu_ticks)
  out=$(IDS_FILE="$work/ids.txt" WEBHOOKS_FILE="$work/webhooks.txt" TOKEN="$token" \
    wrk -t2 -c"$conns" -d"$duration" --timeout 10s --latency -s "bench/$script" "$base")
  after=$(cpu_ticks)
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '| %-8s | %-24s | %3s | %10s | %9s | %9s | %8s | %s\n' "$backend" "$name" "$conns" "$rps" "$p50" "$p99" \
    "$(python3 -c "print(f'{($after - $before) * 1000 / $hz / max($total, 1):.3f}')")" "${errors:+non-2xx: $errors}"
}
echo "| backend  | scenario                 |  c  |      req/s |       p50 |       p99 | CPU ms/req |"
duration="${SOAK:-60s}" run "$jobs jobs polled every 3 s" 100 poll.lua
echo "|          | peak RSS after the soak: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$server/status") ($(wc -l < "$work/ids.txt") jobs in flight)"
run "bare handler (ceiling)" 64 health.lua
run "status polling" 64 status.lua
run "create (no blog)" 16 create.lua
run "signed webhooks" 16 webhook.lua
echo "|          | push latency, webhook → SSE event (one at a time): $(python3 bench/push_latency.py "$base" "$token" < "$work/push.txt")"
