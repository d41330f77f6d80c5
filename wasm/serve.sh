#!/usr/bin/env bash
# Builds the browser build and its console (wasm/build-and-smoke.sh), then
# serves wasm/dist/site on http://127.0.0.1:${PORT:-8080}/ with Python's
# static file server. Honours CARGO_TARGET_DIR; SKIP_BUILD=1 serves the last build.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${SKIP_BUILD:-0}" = 1 ] || wasm/build-and-smoke.sh
port=${PORT:-8080}
echo "serving wasm/dist/site on http://127.0.0.1:$port/"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory wasm/dist/site
