#!/usr/bin/env bash
# Checks that each vendor/<crate> folder is the crate published on crates.io with
# vendor/<crate>.patch applied, nothing more and nothing less (vendor/README.md says why each
# patch exists and when it goes).
#
# Usage: scripts/verify-vendor.sh [--write-patch] [CRATE...]   (default: every folder in vendor/)
#   --write-patch  regenerate vendor/<crate>.patch from the folder (after an intended change to
#                  it), then check again.
#
# The published source is taken from cargo's download cache when it holds it (cargo checked its
# digest), else downloaded from static.crates.io and checked against the digest in the crates.io
# index. Name and version are read from the folder's Cargo.toml.
#
# Files cargo adds when packaging or unpacking are not source: `.cargo-ok` (the unpack marker) is
# never compared; `.cargo_vcs_info.json` and `Cargo.lock` are compared only when the folder keeps
# them (a path dependency does not need them).
set -euo pipefail
cd "$(dirname "$0")/.."

write_patch=false
crates=()
for arg in "$@"; do
  case "$arg" in
    --write-patch) write_patch=true ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option: $arg" >&2; exit 2 ;;
    *) arg="${arg%/}"; crates+=("${arg#vendor/}") ;;
  esac
done
if [[ ${#crates[@]} -eq 0 ]]; then
  for dir in vendor/*/; do crates+=("$(basename "$dir")"); done
fi

for tool in curl diff patch python3 tar; do
  command -v "$tool" >/dev/null || { echo "verify-vendor.sh needs $tool on PATH" >&2; exit 1; }
done

work="$(mktemp -d /tmp/verify-vendor.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# The value of `key = "…"` in the [package] table of a Cargo.toml.
package_field() {
  awk -v key="$2" '
    /^\[/ { in_package = ($0 == "[package]") }
    in_package && $1 == key && $2 == "=" { gsub(/"/, "", $3); print $3; exit }
  ' "$1"
}

# The crates.io index's sha256 of one published version.
index_checksum() {
  local name="$1" version="$2" prefix
  case ${#name} in
    1) prefix="1" ;;
    2) prefix="2" ;;
    3) prefix="3/${name:0:1}" ;;
    *) prefix="${name:0:2}/${name:2:2}" ;;
  esac
  curl -fsSL "https://index.crates.io/$prefix/$(tr 'A-Z' 'a-z' <<<"$name")" | python3 -c '
import json, sys
version = sys.argv[1]
for line in sys.stdin:
    entry = json.loads(line)
    if entry["vers"] == version:
        print(entry["cksum"])
' "$version"
}

# The "Exit." items of CRATE's section in vendor/README.md: which upstream release lets each
# part of its patch go, printed with every check so that it is read when the upgrade comes.
exit_plans() {
  awk -v crate="## \`$1\`" '
    /^## / { in_crate = (index($0, crate) == 1) }
    in_crate && /^- \*\*Exit\.\*\*/ { item = 1; sub(/^- \*\*Exit\.\*\* */, ""); text = $0; next }
    item && /^  / { sub(/^ +/, ""); text = text " " $0; next }
    item { print "     exit: " text; item = 0 }
  ' vendor/README.md
}

# Puts the published .crate of NAME VERSION at PATH.
fetch_crate() {
  local name="$1" version="$2" out="$3" cached want got
  cached="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$name-$version.crate" 2>/dev/null | head -n 1 || true)"
  if [[ -n "$cached" ]]; then
    cp "$cached" "$out"
    return
  fi
  curl -fsSL -o "$out" "https://static.crates.io/crates/$name/$name-$version.crate"
  want="$(index_checksum "$name" "$version")"
  got="$(sha256sum "$out" | cut -d' ' -f1)"
  if [[ -z "$want" || "$want" != "$got" ]]; then
    echo "$name $version: the download's sha256 ($got) is not the index's (${want:-none found})" >&2
    return 1
  fi
}

# Unpacks NAME VERSION into DIR, without the packaging files the vendor folder FOLDER lacks.
published_source() {
  local name="$1" version="$2" folder="$3" dir="$4" file
  fetch_crate "$name" "$version" "$work/$name.crate"
  mkdir -p "$dir"
  tar -xzf "$work/$name.crate" -C "$dir" --strip-components=1
  for file in .cargo_vcs_info.json Cargo.lock; do
    [[ -e "$folder/$file" ]] || rm -f "$dir/$file"
  done
}

# A unified diff from the published source (a/) to the vendor folder (b/), with no timestamps,
# so the same folders always give the same patch.
folder_patch() {
  local base="$1" folder="$2"
  mkdir -p "$work/p"
  rm -rf "$work/p/a" "$work/p/b"
  cp -a "$base" "$work/p/a"
  cp -a "$folder" "$work/p/b"
  (cd "$work/p" && diff -ruN -x .cargo-ok -x target a b || true) \
    | sed -E -e '/^diff -ruN /d' -e 's/^(---|\+\+\+) ([^\t]+)\t.*$/\1 \2/'
}

failed=()
for crate in "${crates[@]}"; do
  folder="vendor/$crate"
  patch_file="vendor/$crate.patch"
  [[ -f "$folder/Cargo.toml" ]] || { echo "$folder: no Cargo.toml" >&2; failed+=("$crate"); continue; }
  name="$(package_field "$folder/Cargo.toml" name)"
  version="$(package_field "$folder/Cargo.toml" version)"
  base="$work/$crate-published"
  published_source "$name" "$version" "$folder" "$base"

  if $write_patch; then
    folder_patch "$base" "$folder" > "$work/new.patch"
    if grep -q '^Binary files ' "$work/new.patch"; then
      echo "$folder: binary files differ from the published crate; a patch cannot hold them" >&2
      failed+=("$crate"); continue
    fi
    cp "$work/new.patch" "$patch_file"
    echo "$patch_file: regenerated from $folder ($(grep -c '^+++ ' "$patch_file" || true) files)"
  fi

  # Published + patch, compared with the folder.
  expected="$work/$crate-expected"
  cp -a "$base" "$expected"
  if [[ -f "$patch_file" ]] && ! patch -p1 -E -s --no-backup-if-mismatch -d "$expected" < "$patch_file" > "$work/patch.log" 2>&1; then
    echo "FAIL $crate $version: $patch_file does not apply to the published crate:" >&2
    sed 's/^/  /' "$work/patch.log" >&2
    failed+=("$crate"); continue
  fi
  if diff -r -q -x .cargo-ok -x target "$expected" "$folder" > "$work/summary" 2>&1; then
    echo "ok   $crate $version = crates.io + $patch_file"
    exit_plans "$crate"
    continue
  fi
  echo "FAIL $crate $version: $folder is not the published crate + $patch_file" >&2
  sed -e "s#$expected#(published + patch)#g" -e 's/^/  /' "$work/summary" >&2
  echo "  what the folder has beyond published + patch (first 80 lines):" >&2
  (diff -ruN -x .cargo-ok -x target "$expected" "$folder" || true) \
    | sed -e "s#$expected#(published + patch)#g" -e 's/^/    /' | head -n 80 >&2
  if command -v git >/dev/null && [[ -n "$(git status --porcelain -- "$folder" 2>/dev/null)" ]]; then
    echo "  (the folder has uncommitted changes: git diff --stat -- $folder)" >&2
  fi
  echo "  If the change to $folder is intended, regenerate its patch and review it:" >&2
  echo "    scripts/verify-vendor.sh --write-patch $crate && git diff -- $patch_file" >&2
  failed+=("$crate")
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "vendor/ check failed for: ${failed[*]}" >&2
  exit 1
fi
