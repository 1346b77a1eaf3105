#!/usr/bin/env bash
# Runs "$@" with TEST_POSTGRES_URL pointing at a throwaway PostgreSQL cluster: initialised in a
# temp dir, listening only on a unix socket inside that dir (no TCP port, so two runs can never
# take each other's), stopped and deleted afterwards whatever happens.
# PG_PORT (optional, default 5432) only names the socket file (.s.PGSQL.$PG_PORT); no port is opened.
set -euo pipefail
port="${PG_PORT:-5432}"
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
if ! as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses='' -c max_connections=800 -c fsync=off -c synchronous_commit=off" start >/dev/null; then
  echo "PostgreSQL did not start; its log:" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
fi
# The socket's directory as the URL's host, percent-encoded (libpq, psql and sqlx all read it so),
# which keeps the database name the URL's last path segment for scripts that replace it.
export TEST_POSTGRES_URL="postgres://postgres@${dir//\//%2F}:$port/postgres"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on the unix socket $dir/.s.PGSQL.$port (temp cluster)"
"$@"
