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

rm -rf "$site"
mkdir -p "$site/pkg"
wasm-bindgen --target web --out-dir "$site/pkg" --out-name "$name" --no-typescript "$wasm"
mv "$site/pkg/${name}_bg.wasm" "$site/pkg/$name.wasm"
if [[ "$profile" == release ]]; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals "$site/pkg/$name.wasm" -o "$site/pkg/$name.wasm"
fi
cp style/main.css "$site/pkg/$name.css"
cp -r public/. "$site/"

# Content-hashed names, so browsers may keep them for a year (`immutable`): a new build is a new
# name. The server reads the stem from `pkg/stem.txt` (see `api::assets`).
hash=$(cat "$site/pkg/$name.js" "$site/pkg/$name.wasm" "$site/pkg/$name.css" | sha256sum | cut -c1-16)
stem="$name.$hash"
for ext in js wasm css; do mv "$site/pkg/$name.$ext" "$site/pkg/$stem.$ext"; done
echo "$stem" > "$site/pkg/stem.txt"

# Precompressed beside the originals: served as is to browsers that accept them, so no CPU is
# spent compressing the wasm per request (and it gets brotli's best level, too slow to do live).
for file in "$site/pkg/$stem".{js,wasm,css}; do
  gzip -9 -k -f "$file"
  if command -v brotli >/dev/null; then brotli -q 11 -k -f "$file"; fi
done
raw=$(stat -c %s "$site/pkg/$stem.wasm")
gz=$(stat -c %s "$site/pkg/$stem.wasm.gz")
br=$( [[ -f "$site/pkg/$stem.wasm.br" ]] && stat -c %s "$site/pkg/$stem.wasm.br" || echo "-")
echo "built $profile: wasm $raw bytes raw, $gz bytes gzip, $br bytes brotli ($stem)"
