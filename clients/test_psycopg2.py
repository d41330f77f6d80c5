"""psycopg2 against a server: CRUD, typed parameters, COPY, errors, transactions."""
import datetime
import decimal
import io
import sys

import psycopg2
import psycopg2.errors

port = int(sys.argv[1])
conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
cur = conn.cursor()
cur.execute("DROP TABLE IF EXISTS p2")
cur.execute(
    "CREATE TABLE p2 (id serial PRIMARY KEY, name text NOT NULL, price numeric(10,2), "
    "born date, seen timestamp, ok boolean, data bytea, score float8)"
)
row = ("ann", decimal.Decimal("12.50"), datetime.date(2001, 2, 3), datetime.datetime(2020, 1, 2, 3, 4, 5, 600000), True, b"\x00\xff", 1.5)
cur.execute("INSERT INTO p2 (name, price, born, seen, ok, data, score) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id", row)
assert cur.fetchone() == (1,)
cur.executemany("INSERT INTO p2 (name, price) VALUES (%s, %s)", [("bob", None), ("o'hara", decimal.Decimal("0.1"))])
assert cur.rowcount == 2  # executemany adds up the counts
cur.execute("SELECT name, price, born, seen, ok, data, score FROM p2 WHERE id = %s", (1,))
got = cur.fetchone()
assert got[:5] == row[:5] and bytes(got[5]) == row[5] and got[6] == row[6], got
cur.execute("SELECT name FROM p2 WHERE price IS NULL OR name LIKE %s ORDER BY id", ("o%",))
assert cur.fetchall() == [("bob",), ("o'hara",)]
cur.execute("UPDATE p2 SET price = price * 2 WHERE price IS NOT NULL")
assert cur.rowcount == 2
conn.commit()

# COPY both ways.
cur.copy_expert("COPY p2 (name, price) FROM STDIN WITH (FORMAT csv)", io.StringIO("cat,3.25\ndog,\n"))
out = io.StringIO()
cur.copy_expert("COPY (SELECT name, price FROM p2 WHERE id > 3 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)", out)
assert out.getvalue() == "name,price\ncat,3.25\ndog,\n", out.getvalue()
conn.commit()

# Errors carry SQLSTATE and fields; the transaction must be rolled back.
try:
    cur.execute("INSERT INTO p2 (id, name) VALUES (1, 'dup')")
    raise AssertionError("no error")
except psycopg2.errors.UniqueViolation as e:
    assert e.pgcode == "23505" and e.diag.constraint_name in (None, "p2_pkey")
    assert e.diag.message_detail == "Key (id)=(1) already exists.", e.diag.message_detail
try:
    cur.execute("SELECT 1")
    raise AssertionError("no error")
except psycopg2.errors.InFailedSqlTransaction:
    pass
conn.rollback()
try:
    cur.execute("SELECT nosuch FROM p2")
except psycopg2.errors.UndefinedColumn as e:
    assert e.diag.statement_position == "8", e.diag.statement_position
conn.rollback()
cur.execute("SELECT count(*) FROM p2")
assert cur.fetchone() == (5,)
conn.commit()
conn.autocommit = True
cur.execute("DROP TABLE p2")
print("psycopg2 ok")
