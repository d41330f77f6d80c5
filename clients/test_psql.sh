#!/usr/bin/env bash
# psql against a server on 127.0.0.1:PORT: a schema built with `psql -f`,
# queries with `psql -c`, and the describe commands (\d, \dt, \d TABLE, \d+,
# \di, \dv, \ds, \dn, \df, \l, \du), each output compared with the one
# PostgreSQL 15 gave, committed under clients/expected/psql/.
#
# usage: clients/test_psql.sh PORT            compare
#        clients/test_psql.sh --record PORT   rewrite the expected files
#
# Record against a fresh PostgreSQL 15 cluster (the test builds its schema in
# the database `postgres` and lists every database and role):
#   ../shared/tools/pgref.sh start 55499 /tmp/pgref-psql && clients/test_psql.sh --record 55499
# Both sides are reached as role `postgres` in database `postgres`, so owner
# and database names agree without any rewriting. The one normalisation:
# psql's error lines name the script file, which is run from a scratch
# directory as `setup.sql`, so they read `psql:setup.sql:LINE:` on both sides.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
record=0
if [ "${1:-}" = --record ]; then record=1; shift; fi
port=${1:?usage: test_psql.sh [--record] PORT}
expected=$here/expected/psql
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# psql's own settings must not come from the environment or ~/.psqlrc (-X).
unset PGOPTIONS PGSERVICE PGDATABASE PGUSER PGHOST PGPORT PGPASSWORD PGTZ PGDATESTYLE PGCLIENTENCODING
export PGCLIENTENCODING=UTF8 LC_ALL=C.UTF-8 LANG=C.UTF-8 PAGER=cat
psql=(psql -X -h 127.0.0.1 -p "$port" -U postgres -d postgres)

cat >"$work/setup.sql" <<'SQL'
CREATE SCHEMA app;
CREATE TABLE customers (
    id serial PRIMARY KEY,
    email varchar(100) NOT NULL UNIQUE,
    name text DEFAULT 'anon',
    created date DEFAULT '2024-01-02',
    score numeric(8,2) CHECK (score >= 0)
);
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    total numeric(10,2) NOT NULL DEFAULT 0,
    note text
);
CREATE TABLE order_lines (
    order_id bigint REFERENCES orders ON UPDATE CASCADE,
    line int,
    sku char(8),
    qty int DEFAULT 1 CHECK (qty > 0),
    PRIMARY KEY (order_id, line)
);
CREATE TABLE app.items (sku char(8) PRIMARY KEY, label varchar(20) DEFAULT 'x' CHECK (label <> ''), price double precision);
ALTER TABLE order_lines ADD CONSTRAINT order_lines_sku_fkey FOREIGN KEY (sku) REFERENCES app.items (sku) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE UNIQUE INDEX customers_lower_email ON customers (lower(email));
CREATE INDEX orders_big ON orders (total) WHERE total > 100;
CREATE VIEW big_orders AS SELECT id, customer_id, total FROM orders WHERE total > 100;
CREATE SEQUENCE ticket_seq START 100;
COMMENT ON TABLE customers IS 'people who buy';
INSERT INTO customers (email, name, score) VALUES ('a@example.com', 'Ann', 10), ('b@example.com', 'Bob', 0.5);
INSERT INTO app.items VALUES ('SKU-1', 'widget', 2.5);
INSERT INTO orders (customer_id, total) VALUES (1, 250), (2, 20);
INSERT INTO order_lines VALUES (1, 1, 'SKU-1', 3);
-- Errors, as psql reports them.
INSERT INTO customers (email) VALUES ('a@example.com');
INSERT INTO orders (customer_id) VALUES (42);
INSERT INTO customers (email, score) VALUES ('c@example.com', -1);
SELECT nosuchcolumn FROM customers;
DROP TABLE customers;
SELECT c.name, count(o.id) AS orders, sum(o.total) AS total
  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
 GROUP BY c.name ORDER BY c.name;
SELECT nextval('ticket_seq'), nextval('ticket_seq');
SELECT * FROM big_orders;
SQL

# name, then psql's arguments, separated by tabs.
T=$'\t'
cases=(
  "setup${T}-f${T}setup.sql"
  "select${T}-c${T}SELECT id, email, name, created, score FROM customers ORDER BY id"
  "multi${T}-c${T}SELECT 1 AS one, 'two'::text AS two${T}-c${T}SELECT NULL::int AS n, true AS t"
  "d${T}-c${T}\\d"
  "dt${T}-c${T}\\dt"
  "dt_app${T}-c${T}\\dt app.*"
  "d_customers${T}-c${T}\\d customers"
  "d_orders${T}-c${T}\\d orders"
  "d_order_lines${T}-c${T}\\d order_lines"
  "d_items${T}-c${T}\\d app.items"
  "dplus_customers${T}-c${T}\\d+ customers"
  "d_big_orders${T}-c${T}\\d big_orders"
  "d_ticket_seq${T}-c${T}\\d ticket_seq"
  "d_orders_pkey${T}-c${T}\\d orders_pkey"
  "di${T}-c${T}\\di"
  "dv${T}-c${T}\\dv"
  "ds${T}-c${T}\\ds"
  "dn${T}-c${T}\\dn"
  "df${T}-c${T}\\df"
  "l${T}-c${T}\\l"
  "du${T}-c${T}\\du"
  "drop_cascade${T}-c${T}CREATE TABLE gone (a int); CREATE VIEW gone_v1 AS SELECT a FROM gone; CREATE VIEW gone_v2 AS SELECT a FROM gone; DROP TABLE gone CASCADE"
)

fail=0
for c in "${cases[@]}"; do
  IFS=$'\t' read -r -a argv <<<"$c"
  name=${argv[0]}
  argv=("${argv[@]:1}")
  out="$work/$name.out"
  (cd "$work" && "${psql[@]}" "${argv[@]}" >"$out" 2>&1) || true
  if [ $record = 1 ]; then
    mkdir -p "$expected"
    cp "$out" "$expected/$name.out"
  elif ! diff -u "$expected/$name.out" "$out" >"$work/$name.diff"; then
    echo "psql $name differs from PostgreSQL:"
    cat "$work/$name.diff"
    fail=1
  fi
done
if [ $record = 1 ]; then
  echo "recorded ${#cases[@]} outputs in $expected"
fi
exit $fail
