#!/usr/bin/env bash
# Runs the client acceptance tests against a server on 127.0.0.1:PORT.
# Installs the clients from the registries on first use into a cache directory
# (OA_CLIENTS_CACHE, default $CARGO_TARGET_DIR/clients or target/clients).
# usage: clients/run.sh PORT [TEST ...]   (tests: psycopg2 psycopg3 asyncpg sqlalchemy django node_pg pgbench psql jdbc sqlsmith)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=$1; shift
tests=("$@"); [ ${#tests[@]} -gt 0 ] || tests=(psycopg2 psycopg3 asyncpg sqlalchemy django node_pg pgbench psql jdbc sqlsmith)
cache=${OA_CLIENTS_CACHE:-${CARGO_TARGET_DIR:-$here/../target}/clients}
mkdir -p "$cache"

# Parallel runs (nextest) install once: the first takes the lock.
install_lock() { exec 9>"$cache/.install-lock"; flock 9; }

python_env() {
  install_lock
  if [ ! -x "$cache/venv/bin/python" ] || ! "$cache/venv/bin/python" -c "import psycopg2, psycopg, asyncpg, sqlalchemy, django" 2>/dev/null; then
    python3 -m venv "$cache/venv"
    "$cache/venv/bin/pip" install -q -r "$here/requirements.txt"
  fi
}
node_env() {
  install_lock
  if [ ! -d "$cache/node/node_modules/pg" ]; then
    mkdir -p "$cache/node"
    (cd "$cache/node" && npm install --silent --no-audit --no-fund "pg@8" >/dev/null)
  fi
}

fail=0
for t in "${tests[@]}"; do
  case $t in
    psycopg2|psycopg3|asyncpg|sqlalchemy|django) python_env; cmd=("$cache/venv/bin/python" "$here/test_$t.py" "$port") ;;
    node_pg) node_env; cp "$here/test_node_pg.mjs" "$cache/node/"; cmd=(node "$cache/node/test_node_pg.mjs" "$port") ;;
    pgbench) cmd=("$here/test_pgbench.sh" "$port") ;;
    psql) cmd=("$here/test_psql.sh" "$port") ;;
    jdbc) cmd=("$here/test_jdbc.sh" "$port") ;;
    sqlsmith) cmd=("$here/test_sqlsmith.sh" "$port") ;;
    *) echo "unknown client test $t" >&2; exit 2 ;;
  esac
  if "${cmd[@]}"; then echo "ok   $t"; else echo "FAIL $t"; fail=1; fi
done
exit $fail
