#!/usr/bin/env bash
# sqlsmith (Debian package): reads pg_type, pg_proc, pg_operator, pg_aggregate
# and information_schema, then sends thousands of random queries. Every one
# must get a result or an error, and the server must stay up throughout.
# usage: clients/test_sqlsmith.sh PORT [QUERIES]
set -euo pipefail
port=$1; queries=${2:-1000}
conn="host=127.0.0.1 port=$port user=postgres dbname=postgres"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
psql -X -q -v ON_ERROR_STOP=1 "$conn" <<'SQL'
SET client_min_messages = warning;
DROP VIEW IF EXISTS smith_big;
DROP TABLE IF EXISTS smith_item, smith_order;
CREATE TABLE smith_order (id int PRIMARY KEY, customer text NOT NULL, placed date, total numeric(10,2), rush bool);
CREATE TABLE smith_item (order_id int REFERENCES smith_order, line int, qty int2, price float8, note varchar(20), PRIMARY KEY (order_id, line));
CREATE INDEX ON smith_item (note);
CREATE VIEW smith_big AS SELECT * FROM smith_order WHERE total > 100;
INSERT INTO smith_order SELECT g, 'c' || g % 7, date '2024-01-01' + g, g * 3.5, g % 3 = 0 FROM generate_series(1, 60) g;
INSERT INTO smith_item SELECT g % 60 + 1, g, g % 9, g / 4.0, CASE WHEN g % 5 > 0 THEN 'n' || g END FROM generate_series(1, 200) g;
SQL
# A fixed seed keeps the run reproducible; sqlsmith exits non-zero when the
# connection is lost.
status=0
timeout 600 sqlsmith --target="$conn" --seed=42 --max-queries="$queries" --verbose >"$out/log" 2>&1 || status=$?
if [ $status -ne 0 ]; then
  echo "sqlsmith exited with $status" >&2; tail -20 "$out/log" >&2; exit 1
fi
# sqlsmith prints one character per query ('.' result, 'e' error, 't'
# timeout, 'S' syntax error, 'C' crash): every query was answered.
marks=$(sed -n '/^Generating indexes/,$p' "$out/log" | grep -E '^[.etSC]+$' | tr -d '\n')
[ ${#marks} -ge "$queries" ] || { echo "sqlsmith answered ${#marks} of $queries queries" >&2; tail -20 "$out/log" >&2; exit 1; }
case $marks in *C*) echo "sqlsmith saw a crash" >&2; exit 1;; esac
ok=$(tr -cd '.' <<<"$marks" | wc -c)
# The server still answers (sqlsmith's DML may have changed the data).
[ "$(psql -X -At "$conn" -c 'SELECT 1')" = 1 ] || { echo "server does not answer after sqlsmith" >&2; exit 1; }
psql -X -q "$conn" -c "DROP VIEW smith_big; DROP TABLE smith_item, smith_order"
echo "sqlsmith ok ($queries queries, $ok with a result)"
