#!/usr/bin/env bash
# Builds the server binary and the hydrated site (wasm + JS + CSS + public files) with plain
# cargo, wasm-bindgen (the CLI must equal the crate in Cargo.lock) and npm binaryen's wasm-opt
# (Debian's older one silently breaks hydration). Usage: build.sh debug|release
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-debug}"
name=infograph
site=target/site

if [[ "$profile" == release ]]; then
  cargo build --release --bin "$name" --no-default-features --features ssr
  cargo build --lib --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release
  wasm="target/wasm32-unknown-unknown/wasm-release/$name.wasm"
else
  cargo build --bin "$name" --no-default-features --features ssr
  cargo build --lib --target wasm32-unknown-unknown --no-default-features --features hydrate
  wasm="target/wasm32-unknown-unknown/debug/$name.wasm"
fi

# The patched view layer (vendor/README.md) must be the one in use: a leptos upgrade that wanted
# another tachys would leave the patch unused, and the bundle a sixth larger, without a word.
if [[ "$(cargo tree --offline -i tachys --depth 0 2>/dev/null)" != *vendor/tachys* ]]; then
  echo "vendor/tachys is not the tachys in use: refresh it (see vendor/README.md)" >&2
  exit 1
fi

# What follows (split, bindgen, wasm-opt on every part, brotli's best level) takes minutes in
# release, and gives the same site for the same inputs: when none changed since the last build
# (the linker's wasm, the stylesheet, public/, the tools, the profile, this script) the site is
# kept as it is. The digest lives beside the site, not in it (the server serves the site's files).
stamp="$site.stamp"
inputs_digest() {
  {
    echo "$profile"
    sha256sum "$wasm" style/main.css scripts/build.sh .tools/bin/wasm-split-cli
    (cd public && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
    wasm-bindgen --version
    gzip --version | sed -n 1p
    if [[ "$profile" == release ]]; then
      wasm-opt --version
      if command -v brotli >/dev/null; then brotli --version; else echo "no brotli"; fi
    fi
  } | sha256sum | cut -c1-16
}
# One build at a time writes the site (parallel test runs may all call this script).
exec 9>"$site.lock"
flock 9
# The stamp names the site it was written for: a site replaced or removed since is rebuilt.
digest=$(inputs_digest)
built=$(cat "$site/pkg/stem.txt" 2>/dev/null || true)
if [[ -n "$built" && "$(cat "$stamp" 2>/dev/null)" == "$digest $built" && -d "$site/pkg/$(dirname "$built")" ]]; then
  echo "site unchanged: $site kept as built ($profile, $(dirname "$built")); nothing to redo"
  exit 0
fi
rm -f "$stamp"

# Written beside the live site and swapped in at the end, so a server or test reading the site
# meanwhile finds the previous one whole.
next="$site.next"
rm -rf "$next"
out="$next/pkg/build"
mkdir -p "$out"
# The islands marked `#[island(lazy)]` (each page's own) are cut out of the bundle into parts of
# their own, fetched when a page holding one hydrates: every page loads the shared core and its
# own islands, not all of them. The splitter runs on the linker's output (it needs the
# relocations `.cargo/config.toml` asks for) and writes the core, the parts and the JS that
# loads them; wasm-bindgen then binds the core, keeping the exports the parts link against.
# The home page's two islands are one group (`--group`, vendor/README.md): the form's island is
# fetched only when first used, and what either shares with another page's island is placed as
# if one island used it, so the other pages' parts stay as few as with a single island.
split_wasm() { RUST_LOG=error .tools/bin/wasm-split-cli "$wasm" "$1" --out-name "$name" --group create_form_island,gallery_island; }
split_wasm "$out"
# The bundle's name is a hash of its content, so the same source must split the same way every
# time (instances built apart would otherwise serve different names, and every deploy would
# empty every browser's cache). A second run, a fraction of a second, checks it.
split_wasm "$next/split-again"
if ! diff -r -q "$out" "$next/split-again" >/dev/null; then
  echo "warning: wasm-split-cli wrote different parts on two runs of the same wasm: the bundle's hash will differ between builds of the same source" >&2
fi
rm -rf "$next/split-again"
wasm-bindgen --target web --keep-lld-exports --no-demangle --out-dir "$out" --out-name "$name" --no-typescript "$out/$name.wasm"
mv "$out/${name}_bg.wasm" "$out/$name.wasm"
if [[ "$profile" == release ]]; then
  for file in "$out"/*.wasm; do
    # Without the producers and target-features notes (browsers read neither): a part's
    # fixed cost, paid once per part on a page that loads a dozen of them.
    wasm-opt -Oz --strip-producers --strip-target-features --enable-bulk-memory \
      --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
      "$file" -o "$file" 2> >(grep -v "unknown name subsection" >&2)
  done
fi
cp style/main.css "$out/$name.css"
cp -r public/. "$next/"

# The bundle's files live in a directory named for their content, so browsers may keep them for
# a year (`immutable`): a new build is a new directory. The parts name each other relatively, so
# only the directory needs the hash. The server reads `<hash>/<name>` from `pkg/stem.txt` (see
# `api::assets` and `platform::bootstrap`). Names and contents, in an order that does not depend
# on the locale (a shell glob sorts `__wasm_split.js` first in C, after `split_*` in en_US).
hash=$(cd "$out" && find . -maxdepth 1 -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
mv "$out" "$next/pkg/$hash"
out="$next/pkg/$hash"
echo "$hash/$name" > "$next/pkg/stem.txt"

# Precompressed beside the originals: served as is to browsers that accept them, so no CPU is
# spent compressing the wasm per request (and it gets brotli's best level, too slow to do live).
# The debug build (the browser tests') gets gzip only: brotli's best level took a minute of the
# tests on its 2 MB parts, and what it saves is a release figure. `-n`: no file name or time in
# the archive, so the same build gives the same bytes.
for file in "$out"/*.{js,wasm,css}; do
  gzip -9 -n -k -f "$file"
  if [[ "$profile" == release ]] && command -v brotli >/dev/null; then brotli -q 11 -k -f "$file"; fi
done

rm -rf "$site.old"
if [[ -d "$site" ]]; then mv "$site" "$site.old"; fi
mv "$next" "$site"
rm -rf "$site.old"
echo "$digest $hash/$name" > "$stamp"
out="$site/pkg/$hash"

size() { stat -c %s "$1"; }
sum() { local t=0 f; for f in "$@"; do t=$((t + $(size "$f"))); done; echo "$t"; }
shopt -s nullglob # a build without lazy islands has no parts: empty lists, not literal patterns
splits=("$out"/split_*.wasm) chunks=("$out"/chunk_*.wasm) parts=("$out"/{split,chunk}_*.wasm.gz)
shopt -u nullglob
br=$( [[ -f "$out/$name.wasm.br" ]] && size "$out/$name.wasm.br" || echo "-")
echo "built $profile ($hash): core wasm $(size "$out/$name.wasm") bytes raw, $(size "$out/$name.wasm.gz") gzip, $br brotli;" \
  "${#splits[@]} lazy islands and ${#chunks[@]} shared parts, $(sum "${parts[@]}") bytes gzip in all"
