#!/usr/bin/env bash
# Runs "$@" with TEST_POSTGRES_URL pointing at a throwaway PostgreSQL cluster: initialised in a
# temp dir, listening on a loopback port only, stopped and deleted afterwards whatever happens.
set -euo pipefail
port="${PG_PORT:-55432}"
initdb_bin="$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)"
[[ -x "$initdb_bin" ]] || { echo "PostgreSQL is not installed (scripts/install-tools.sh --test installs it)"; exit 1; }
bindir="$(dirname "$(readlink -f "$initdb_bin")")"
dir="$(mktemp -d /tmp/infograph-pg.XXXXXX)"
# PostgreSQL refuses to run as root: run the server as the postgres user.
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[[ $(id -u) -eq 0 ]] && chown postgres "$dir"
cleanup() {
  as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
as_pg "$bindir/initdb" -D "$dir/data" --auth=trust -U postgres -E UTF8 >/dev/null
as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=800 -c fsync=off -c synchronous_commit=off" start >/dev/null
export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (temp cluster $dir)"
"$@"
