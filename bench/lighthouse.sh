#!/usr/bin/env bash
# Lighthouse (npm lighthouse@12.2.3, mobile emulation with simulated throttling, Debian's
# Chromium) on the release build, loopback only: the landing page signed out, a signed-in gallery
# with 12 infographs, and the viewer. Prints each page's four scores, LCP, TBT, CLS and bytes
# transferred, plus the wasm's sizes and what the gallery adds after the sign-in page. Each page
# is audited RUNS times (default 3; on a shared 2-core machine one run's blocking time can be
# double the next's): the row is the run with the median performance score, and a line under it
# lists every run's score and blocking time. About 2 minutes a run. Usage: bench/lighthouse.sh
# [out dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
[[ -x target/release/infograph && -f target/site/pkg/stem.txt ]] || make build
if [[ ! -x .tools/lighthouse/node_modules/.bin/lighthouse ]]; then
  mkdir -p .tools/lighthouse
  npm install --silent --no-audit --no-fund --prefix .tools/lighthouse -E lighthouse@12.2.3 >/dev/null
fi
lighthouse=.tools/lighthouse/node_modules/.bin/lighthouse

port=3291
base="http://127.0.0.1:$port"
data=$(mktemp -d)
export DATABASE_URL="sqlite://$data/bench.db" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
  FAL_EMULATOR=true FAL_EMULATOR_DELAY_MS=200 CREATE_RATE_PER_MINUTE=0 AUTH_RATE_PER_MINUTE=0 RUST_LOG=warn
email=lighthouse@bench.local password=lighthouse-password
target/release/infograph user add "$email" --password "$password" --credits 100 --if-missing >/dev/null
target/release/infograph serve >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "$base/api/health/" >/dev/null && break; sleep 0.1; done

# A session cookie (the sign-in form's server function) and an API token for the setup.
cookie=$(curl -sf -D - -o /dev/null -H "Origin: $base" --data-urlencode "email=$email" --data-urlencode "password=$password" \
  "$base/sfn/sign_in" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -1)
token=$(curl -sf -X POST -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"lighthouse\"}" \
  "$base/api/auth/token/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
printf '{"Cookie": "%s"}' "$cookie" >"$out/headers.json"

# Twelve infographs of mixed shapes, all completed and copied into storage (with thumbnails).
ratios=(16:9 2:3 1:1 4:5 21:9 3:4)
for i in $(seq 0 11); do
  curl -sf -X POST -H "Authorization: Token $token" -H 'Content-Type: application/json' \
    -d "{\"prompt\":\"Lighthouse sample $i: how a bill becomes a law\",\"aspect_ratio\":\"${ratios[$((i % 6))]}\",\"resolution\":\"1K\",\"number_of_infographs\":1}" \
    "$base/api/infographs/create/" >/dev/null
done
for _ in $(seq 300); do
  stored=$(curl -sf -H "Authorization: Token $token" "$base/api/infographs/" |
    python3 -c 'import json,sys; print(sum(1 for i in json.load(sys.stdin)["infographs"] if i.get("thumbnail_url")))')
  [[ "$stored" == 12 ]] && break
  sleep 0.2
done
id=$(curl -sf -H "Authorization: Token $token" "$base/api/infographs/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["infographs"][0]["id"])')

runs=${RUNS:-3}
audit() { # name url [extra lighthouse args]
  local name=$1 url=$2 run
  shift 2
  for run in $(seq "$runs"); do
    CHROME_PATH=/usr/bin/chromium "$lighthouse" "$url" --quiet --output=json --output-path="$out/$name-$run.json" \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage" \
      --only-categories=performance,accessibility,best-practices,seo "$@" >/dev/null 2>&1 || true
  done
  # The median run by performance becomes `$name.json`, the report the row (and later steps) read.
  python3 - "$out" "$name" "$runs" <<'PY'
import json, shutil, sys
out, name, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
reports = []
for run in range(1, runs + 1):
    try:
        reports.append((json.load(open(f"{out}/{name}-{run}.json")), run))
    except (OSError, ValueError):
        print(f"|   run {run} of {name}: no report")
if not reports:
    sys.exit(f"no Lighthouse report for {name}")
reports.sort(key=lambda r: r[0]["categories"]["performance"]["score"] or 0)
_, run = reports[len(reports) // 2]
shutil.copy(f"{out}/{name}-{run}.json", f"{out}/{name}.json")
each = ", ".join(f"{round((r['categories']['performance']['score'] or 0) * 100)} ({r['audits']['total-blocking-time']['displayValue']})"
                 for r, _ in sorted(reports, key=lambda r: r[1]))
with open(f"{out}/{name}.runs", "w") as f:
    f.write(f"|   each run's performance (blocking time): {each}\n" if len(reports) > 1 else "")
PY
  python3 - "$out/$name.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c, a = r["categories"], r["audits"]
score = lambda k: round(c[k]["score"] * 100)
# What the page's islands cost on the wire: the core and the lazy parts it fetched.
wasm = sum(i.get("transferSize", 0) for i in a["network-requests"]["details"]["items"] if i["url"].split("?")[0].endswith(".wasm"))
print(f"| {sys.argv[2]:<8} | {score('performance'):>3} | {score('accessibility'):>3} | {score('best-practices'):>3} | {score('seo'):>3} "
      f"| {a['first-contentful-paint']['displayValue']:>6} | {a['largest-contentful-paint']['displayValue']:>6} "
      f"| {a['total-blocking-time']['displayValue']:>6} | {a['cumulative-layout-shift']['displayValue']:>5} "
      f"| {a['total-byte-weight']['numericValue'] / 1024:>6.0f} KiB | {wasm / 1024:>5.0f} KiB |")
for k in ("performance", "accessibility", "best-practices", "seo"):
    for ref in c[k]["auditRefs"]:
        audit = a[ref["id"]]
        if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 0.9:
            print(f"|   {k}: {ref['id']} ({audit.get('displayValue', audit['score'])})")
PY
  cat "$out/$name.runs"
}

stem=$(cat target/site/pkg/stem.txt)
echo "# $(date -u +%F) lighthouse 12.2.3, mobile, simulated throttling, $(nproc) cores"
parts=$(dirname "target/site/pkg/$stem")
echo "core wasm: $(stat -c %s "target/site/pkg/$stem.wasm") B raw, $(stat -c %s "target/site/pkg/$stem.wasm.gz") B gzip, $(stat -c %s "target/site/pkg/$stem.wasm.br" 2>/dev/null || echo -) B brotli;" \
  "lazy parts: $(cat "$parts"/{split,chunk}_*.wasm.gz 2>/dev/null | wc -c) B gzip in all"
echo "| page     | perf | a11y | b.p. | seo | FCP | LCP | TBT | CLS | transfer | of it wasm |"
echo "|----------|-----:|-----:|-----:|----:|----:|----:|----:|----:|---------:|-----------:|"
audit landing "$base/"
audit signin "$base/signin"
audit gallery "$base/" --extra-headers="$out/headers.json"
audit viewer "$base/i/$id" --extra-headers="$out/headers.json"
# Each audit starts with an empty cache. A first visit reaches the gallery through the sign-in
# page, whose files (the core, its JS, the CSS) are then cached for a year: what the gallery adds.
python3 - "$out" <<'PY'
import json, sys
requests = lambda name: json.load(open(f"{sys.argv[1]}/{name}.json"))["audits"]["network-requests"]["details"]["items"]
cached = {i["url"] for i in requests("signin")}
added = sum(i.get("transferSize", 0) for i in requests("gallery") if i["url"] not in cached)
print(f"gallery after sign-in (its cached files not fetched again): {added} B")
PY
echo "reports: $out"
