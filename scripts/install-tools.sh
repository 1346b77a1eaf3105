#!/usr/bin/env bash
# Installs, idempotently, what building (and with --test, testing) needs. Every tool is checked
# before it is installed. Nothing is downloaded from outside the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132
# The splitter that cuts the bundle into lazily loaded parts (`#[island(lazy)]`): the published
# 0.2.3 with one option added (vendor/README.md), built from vendor/. Its version must read what
# the wasm_split_helpers crate in Cargo.lock writes (both are 0.2).
WASM_SPLIT_SOURCE=vendor/wasm_split_cli_support
want_test=false
[[ "${1:-}" == "--test" ]] && want_test=true

log() { printf '\033[1;34m[tools]\033[0m %s\n' "$*"; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
apt_updated=false
apt_install() {
  if ! $apt_updated; then as_root apt-get update -qq; apt_updated=true; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

command -v cargo >/dev/null || { echo "cargo is required (rustup)"; exit 1; }

if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must equal the wasm-bindgen crate in Cargo.lock exactly. No --locked: its lockfile pins
# a crate the registry lacks.
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# Rebuilt whenever the vendored source changes (its digest is kept beside the binary).
split_digest=$(find "$WASM_SPLIT_SOURCE" -type f -not -path '*/target/*' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
if [[ ! -x .tools/bin/wasm-split-cli || "$(cat .tools/wasm-split.digest 2>/dev/null)" != "$split_digest" ]]; then
  log "building wasm-split-cli from $WASM_SPLIT_SOURCE (about a minute)"
  cargo install --locked --path "$WASM_SPLIT_SOURCE" --features build-binary --root .tools --target-dir target/wasm-split-cli --force
  echo "$split_digest" > .tools/wasm-split.digest
fi

# wasm-opt from npm's binaryen: Debian's older one silently breaks hydration.
if [[ ! -x .tools/node_modules/.bin/wasm-opt ]] || ! .tools/node_modules/.bin/wasm-opt --version | grep -q "version $BINARYEN_VERSION"; then
  command -v npm >/dev/null || apt_install nodejs npm
  log "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
  mkdir -p .tools
  npm install --silent --no-audit --no-fund --prefix .tools "binaryen@$BINARYEN_VERSION" >/dev/null
fi

# brotli precompresses the site's assets at build time (gzip is always there).
if ! command -v brotli >/dev/null; then
  log "installing Debian brotli"
  apt_install brotli
fi

if $want_test; then
  # The Rust tests are compiled once and run on both databases by cargo-nextest (scripts/rust-tests.sh).
  if ! cargo nextest --version >/dev/null 2>&1; then
    log "installing cargo-nextest (crates.io)"
    cargo install --locked cargo-nextest
  fi
  if [[ ! -x /usr/bin/chromium ]]; then
    log "installing Debian chromium"
    apt_install chromium
  fi
  if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    log "installing PostgreSQL"
    apt_install postgresql
  fi
  # The reverse-proxy tests run Debian's nginx with deploy/nginx.conf and a certificate made by
  # openssl (app/tests/api/proxy.rs); the unit's test reads deploy/infograph.service with
  # systemd-analyze. The tests start their own nginx: the package's service, if a running
  # systemd started it, is stopped and disabled again.
  if [[ ! -x /usr/sbin/nginx ]] && ! command -v nginx >/dev/null; then
    log "installing Debian nginx-light"
    apt_install nginx-light
    if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
      as_root systemctl disable --now nginx
    fi
  fi
  command -v openssl >/dev/null || { log "installing Debian openssl"; apt_install openssl; }
  command -v systemd-analyze >/dev/null || { log "installing Debian systemd (systemd-analyze)"; apt_install systemd; }
  # Python test tools from PyPI into a venv of the project's own: the real servers the storage
  # and email tests start (moto's S3, aiosmtpd) and the API fuzzer (schemathesis); reinstalled
  # only when scripts/requirements-test.txt changes.
  want="$(sha256sum scripts/requirements-test.txt | cut -d' ' -f1)"
  if [[ "$(cat .tools/venv/.requirements-test.sha 2>/dev/null || true)" != "$want" ]]; then
    command -v python3 >/dev/null || apt_install python3
    python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
    log "installing Python test tools (moto[server], aiosmtpd, schemathesis) into .tools/venv"
    mkdir -p .tools
    [[ -x .tools/venv/bin/pip ]] || python3 -m venv .tools/venv
    .tools/venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
    echo "$want" > .tools/venv/.requirements-test.sha
  fi
  lock="$(sha256sum end2end/package-lock.json | cut -d' ' -f1)"
  if [[ "$(cat end2end/node_modules/.lock.sha 2>/dev/null || true)" != "$lock" ]]; then
    log "installing Playwright and axe (npm ci; the browser comes from Debian)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
    echo "$lock" > end2end/node_modules/.lock.sha
  fi
fi
