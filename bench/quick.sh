#!/usr/bin/env bash
# The benchmark harness's smoke run for CI: builds the openassay server and
# oa-bench, then runs `oa-bench --quick` (TPC-H SF 0.01, 5 queries compared
# row by row with PostgreSQL 15, a short pgbench). It fails on a result that
# differs from PostgreSQL's or when the harness cannot run; it asserts
# nothing about speed. Needs PostgreSQL 15's server binaries and pgbench.
#
# usage: bench/quick.sh [OA-BENCH OPTION]...
#   OA_BENCH_PROFILE=release  build and run optimized (default: dev, which is
#                             quicker to build; the times then mean little)
#   OA_BENCH_OUT=DIR          where the report goes (default TARGET/oa-bench-quick)
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${OA_BENCH_PROFILE:-dev}
target=${CARGO_TARGET_DIR:-target}
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
cargo build --profile "$profile" -p oa-server --bin openassay -p oa-bench --bin oa-bench
exec "$target/$dir/oa-bench" --quick --out "${OA_BENCH_OUT:-$target/oa-bench-quick}" "$@"
