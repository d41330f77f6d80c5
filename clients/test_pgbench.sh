#!/usr/bin/env bash
# pgbench: initialize at scale 1, run tpcb-like and select-only in simple and
# extended modes, and check the bank's books balance afterwards.
set -euo pipefail
port=$1
pgbench=$(command -v pgbench || ls /usr/lib/postgresql/15/bin/pgbench)
psql=$(command -v psql || ls /usr/lib/postgresql/15/bin/psql)
args=(-h 127.0.0.1 -p "$port" -U postgres)
"$pgbench" "${args[@]}" -i -s 1 -q postgres >/dev/null 2>&1
for mode in simple extended prepared; do
  "$pgbench" "${args[@]}" -n -t 10 -c 4 -M $mode postgres > /tmp/oa-pgbench.$$ 2>&1 || { cat /tmp/oa-pgbench.$$; exit 1; }
  grep -q "number of failed transactions: 0" /tmp/oa-pgbench.$$ || { cat /tmp/oa-pgbench.$$; exit 1; }
  "$pgbench" "${args[@]}" -n -S -t 25 -c 4 -M $mode postgres > /tmp/oa-pgbench.$$ 2>&1 || { cat /tmp/oa-pgbench.$$; exit 1; }
done
rm -f /tmp/oa-pgbench.$$
# Every transaction moved the same delta through an account, a teller, a branch and the history.
check=$("$psql" "${args[@]}" -X -A -t -c "SELECT (SELECT sum(abalance) FROM pgbench_accounts) = (SELECT sum(delta) FROM pgbench_history) AND (SELECT sum(tbalance) FROM pgbench_tellers) = (SELECT sum(delta) FROM pgbench_history) AND (SELECT count(*) FROM pgbench_history) = 120" postgres)
[ "$check" = t ] || { echo "pgbench books do not balance: $check"; exit 1; }
