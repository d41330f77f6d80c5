#!/usr/bin/env bash
# Builds the browser module and its web console and runs the Node smoke test:
#   1. cargo build -p oa-wasm --target wasm32-unknown-unknown --profile wasm
#      (the `wasm` profile in the root Cargo.toml: fat LTO, opt-level "s")
#   2. wasm-bindgen's CLI, at the crate's exact version (installed by
#      wasm/install-wasm-bindgen.sh if missing): --target nodejs into
#      wasm/dist/node, --target web (an ES module) into wasm/dist/web
#   3. wasm-opt -Os (npm's binaryen, pinned in wasm/package.json; `npm ci`
#      when missing) over the web module; prints sizes raw, gzip and brotli.
#      It takes minutes (binaryen compiled to JavaScript) and leaves the
#      gzipped size about 4% larger, but the module a third smaller raw,
#      which Chromium compiles in half the time (wasm/README.md)
#   4. node wasm/smoke.mjs wasm/dist/node (it also runs the web module)
#   5. the TPC-H SF 0.01 CSV files (oa-tpch, native) and wasm/build-site.mjs:
#      the console in wasm/dist/site, ready to serve (wasm/serve.sh)
# For CI: exits non-zero if any step fails. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v rustup >/dev/null; then
  rustup target add wasm32-unknown-unknown >/dev/null
fi
wasm/install-wasm-bindgen.sh
[ -x wasm/node_modules/.bin/wasm-opt ] || (cd wasm && npm ci --no-audit --no-fund)

target_dir="${CARGO_TARGET_DIR:-target}"
wasm="$target_dir/wasm32-unknown-unknown/wasm/oa_wasm.wasm"

start=$SECONDS
cargo build -p oa-wasm --target wasm32-unknown-unknown --profile wasm
echo "cargo build (profile wasm): $((SECONDS - start)) s"

rm -rf wasm/dist/node wasm/dist/web
# Node's keeps the name section, so traps show function names; the browser's
# drops it (about 0.25 MB gzipped).
wasm-bindgen --target nodejs --out-dir wasm/dist/node "$wasm"
wasm-bindgen --target web --remove-name-section --out-dir wasm/dist/web "$wasm"
# The browser's glue is an ES module: say so, or Node guesses (and warns)
# when the smoke test loads it.
echo '{ "type": "module" }' >wasm/dist/web/package.json

sizes() {
  node -e 'const z = require("zlib"), b = require("fs").readFileSync(process.argv[1]), m = (n) => (n / 1048576).toFixed(2) + " MiB";
    console.log(`${process.argv[1]}: ${m(b.length)} raw, ${m(z.gzipSync(b, { level: 9 }).length)} gzip -9, ${m(z.brotliCompressSync(b).length)} brotli`)' "$1"
}
web=wasm/dist/web/oa_wasm_bg.wasm
sizes "$web"
start=$SECONDS
wasm/node_modules/.bin/wasm-opt -Os "$web" -o "$web.opt"
mv "$web.opt" "$web"
echo "wasm-opt -Os: $((SECONDS - start)) s"
sizes "$web"

node wasm/smoke.mjs wasm/dist/node

tpch_dir=${OA_TPCH_DIR:-/tmp/oa-tpch-sf0.01}
cargo run -q -p oa-slt --bin oa-tpch -- "$tpch_dir"
node wasm/build-site.mjs "$tpch_dir"
