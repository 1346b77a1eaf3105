#!/usr/bin/env bash
# The proofreader's precision and recall on a labelled set the tests build themselves: pictures
# the fal emulator draws from outlines in eight languages, in every layout, clean and with
# `[emulator:typo]`'s injected misspelling and changed number (app/src/server/proofread/labelled.rs),
# plus the comparison's own set of read-backs with one injected problem each (compare/tests).
# No network, a few seconds. Usage: bench/proofread.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test -q -p app --no-default-features --features ssr --lib -- proofread::labelled proofread::compare::tests::labelled --nocapture 2>&1 \
  | grep -oE "(proofread bench|labelled set):.*"
