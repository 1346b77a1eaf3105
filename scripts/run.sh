#!/usr/bin/env bash
# Starts Infograph locally: SQLite under data/, the built-in fal emulator, and a demo account.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-release}"
bin="target/$profile/infograph"
export DATABASE_URL="${DATABASE_URL:-sqlite://data/infograph.db}"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
demo_email="${DEMO_EMAIL:-demo@infograph.local}"
demo_password="${DEMO_PASSWORD:-demo-password}"
admin_email="${ADMIN_EMAIL:-admin@infograph.local}"
admin_password="${ADMIN_PASSWORD:-admin-password}"

"$bin" user add "$demo_email" --password "$demo_password" --credits 50 --if-missing
"$bin" user add "$admin_email" --password "$admin_password" --credits 0 --admin --if-missing
echo
echo "  Infograph: http://$LEPTOS_SITE_ADDR"
echo "  Demo login: $demo_email / $demo_password"
echo "  Admin login (dashboard at /admin): $admin_email / $admin_password"
echo "  API reference: http://$LEPTOS_SITE_ADDR/api/docs/"
[[ -z "${FAL_KEY:-}" ]] && echo "  fal: built-in emulator (set FAL_KEY for the real fal.ai)"
echo
exec "$bin" serve
