#!/usr/bin/env bash
# Keeps compiled dependencies between clones on one machine, as hosted CI keeps its caches: a
# clone with no `target/` of its own gets a symlink to a target directory outside it, named by
# what decides whether compiled code can be reused (Cargo.lock, the toolchain, the cargo config
# and the vendored crates the workspace compiles). A clone that already has a real `target/` (a developer's tree) keeps
# it. Nothing here installs anything: every tool is still installed by install-tools.sh.
#
# INFOGRAPH_TARGET_CACHE sets where the caches live (default ~/.cache/infograph); set it to
# `off` for a clone that builds everything from nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

root="${INFOGRAPH_TARGET_CACHE:-$HOME/.cache/infograph}"
[[ "$root" == off ]] && exit 0
[[ -e target && ! -L target ]] && exit 0

# The vendored crates the workspace compiles are those Cargo.toml patches in; the bundle splitter's
# folder is a tool with its own build (install-tools.sh), so changing it keeps this cache.
patched=$(grep -o 'path = "vendor/[^"]*"' Cargo.toml | cut -d'"' -f2 | LC_ALL=C sort)
key=$( { cat Cargo.lock .cargo/config.toml; rustc -vV; find $patched -type f -not -path '*/target/*' | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -c1-16)
cache="$root/target-$key"
mkdir -p "$cache"
if [[ "$(readlink target 2>/dev/null || true)" != "$cache" ]]; then
  rm -f target
  ln -s "$cache" target
  echo "[target] compiled code kept in $cache (Cargo.lock, toolchain and vendor/ unchanged reuse it)"
fi
# Older keys are other lockfiles or toolchains: the two newest stay, the rest would only fill the disk.
find "$root" -maxdepth 1 -name 'target-*' -type d -not -path "$cache" -printf '%T@ %p\n' 2>/dev/null \
  | sort -rn | tail -n +2 | cut -d' ' -f2- | while read -r old; do rm -rf "$old"; done
