#!/usr/bin/env bash
# Everything CI checks of the browser build, from a clean checkout:
#   1. installs what is missing: Debian's chromium and npm (apt-get), the npm
#      tools pinned in wasm/package-lock.json (npm ci: wasm-opt, playwright-core)
#   2. wasm/build-and-smoke.sh: the module, the Node smoke test, the console site
#   3. oa-wasm's unit tests compiled to wasm32 and run in Node
#      (wasm-bindgen-test-runner, installed with wasm-bindgen's CLI), and the
#      testdata/ slt suite under wasm (cargo nextest, test slt_wasm; a
#      missing build fails here instead of being skipped)
#   4. node wasm/e2e.mjs: the console in headless Chromium (screenshot and
#      metrics in wasm/dist/)
# Exits non-zero if any step fails. Honours CARGO_TARGET_DIR and CHROMIUM.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=()
[ -n "${CHROMIUM:-}" ] || command -v chromium >/dev/null || pkgs+=(chromium)
command -v npm >/dev/null || pkgs+=(npm)
if [ ${#pkgs[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"
fi
(cd wasm && npm ci --no-audit --no-fund)

wasm/build-and-smoke.sh
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test -p oa-wasm --target wasm32-unknown-unknown
OA_SLT_WASM_REQUIRED=1 cargo nextest run -p oa-slt --test slt_wasm
node wasm/e2e.mjs
