#!/usr/bin/env bash
# Starts Infograph locally: SQLite under data/, and, without FAL_KEY, the built-in fal emulator
# (asked for explicitly: the server itself never falls back to it) with a demo account and an
# admin whose password is generated and printed on the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-release}"
bin="target/$profile/infograph"
export DATABASE_URL="${DATABASE_URL:-sqlite://data/infograph.db}"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
demo_email="${DEMO_EMAIL:-demo@infograph.local}"
admin_email="${ADMIN_EMAIL:-admin@infograph.local}"

echo
if [[ -z "${FAL_KEY:-}" ]]; then
  # Emulator mode: nothing real to spend, so a demo account with a known password is harmless.
  export FAL_EMULATOR=true
  "$bin" user add "$demo_email" --password demo-password --credits 50 --if-missing
  "$bin" user add "$admin_email" --generate-password --credits 0 --admin --if-missing
  echo "  Infograph: http://$LEPTOS_SITE_ADDR  (fal: built-in emulator; set FAL_KEY for the real fal.ai)"
  echo "  Demo login: $demo_email / demo-password"
  echo "  Admin login (dashboard at /admin): $admin_email, with the password printed when it was created"
  echo "    (forgot it? infograph user add someone@example.com --admin --generate-password)"
else
  echo "  Infograph: http://$LEPTOS_SITE_ADDR  (fal.ai; no demo accounts)"
  echo "  Create an admin with: $bin user add you@example.com --admin --generate-password"
fi
echo "  API reference: http://$LEPTOS_SITE_ADDR/api/docs/"
echo
exec "$bin" serve
