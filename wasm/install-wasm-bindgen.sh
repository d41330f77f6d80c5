#!/usr/bin/env bash
# Installs wasm-bindgen's CLI at exactly the version of the wasm-bindgen crate
# in Cargo.lock (the CLI refuses modules from any other version), unless that
# version is already on PATH. Used by .ci/run and wasm/build-and-smoke.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/^version = "|"$/, ""); print; exit }' Cargo.lock)
if [ -z "$version" ]; then
  echo "install-wasm-bindgen: no wasm-bindgen package in Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $version" ]; then
  exit 0
fi

echo "installing wasm-bindgen-cli $version"
# Without default features: they only add TLS to the test runner's WebDriver
# downloads, which we never use, and cost build time.
args=(wasm-bindgen-cli --version "=$version" --no-default-features)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! cargo install "${args[@]}" --locked 2>&1 | tee "$log"; then
  # The CLI's published lock file can name a dependency version that the
  # registry no longer offers (wasm-bindgen-cli 0.2.130 pins webpki-roots
  # 1.0.11): then resolve afresh. Any other failure is final.
  grep -q "failed to select a version" "$log" || exit 1
  echo "install-wasm-bindgen: its Cargo.lock does not resolve here; installing without --locked" >&2
  cargo install "${args[@]}"
fi
wasm-bindgen --version
