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
raw=$(stat -c %s "$site/pkg/$name.wasm")
gz=$(gzip -9 -c "$site/pkg/$name.wasm" | wc -c)
echo "built $profile: wasm $raw bytes raw, $gz bytes gzip"
