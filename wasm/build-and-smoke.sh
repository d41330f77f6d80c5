#!/usr/bin/env bash
# Builds the browser .wasm (release) and runs the Node smoke test against it.
# For CI: exits non-zero if either step fails. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
wasm="$target_dir/wasm32-unknown-unknown/release/oa_wasm.wasm"

cargo build -p oa-wasm --target wasm32-unknown-unknown --release
node wasm/smoke.mjs "$wasm"
