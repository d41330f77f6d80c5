"""psycopg 3: server-side prepared statements (after 5 runs), binary results, COPY."""
import decimal
import sys

import psycopg

port = int(sys.argv[1])
with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
    conn.execute("DROP TABLE IF EXISTS p3")
    conn.execute("CREATE TABLE p3 (id int PRIMARY KEY, v text, n numeric)")
    with conn.cursor() as cur:
        for i in range(10):
            cur.execute("INSERT INTO p3 VALUES (%s, %s, %s)", (i, f"v{i}", decimal.Decimal(i) / 4))
        # prepare_threshold (5) reached: the statement is now prepared on the server.
        cur.execute("SELECT v, n FROM p3 WHERE id = %s", (3,))
        assert cur.fetchone() == ("v3", decimal.Decimal("0.75"))
    with conn.cursor(binary=True) as cur:
        cur.execute("SELECT id, v, n FROM p3 WHERE id >= %s ORDER BY id", (8,))
        assert cur.fetchall() == [(8, "v8", decimal.Decimal("2")), (9, "v9", decimal.Decimal("2.25"))]
    with conn.cursor() as cur:
        with cur.copy("COPY p3 (id, v) FROM STDIN") as copy:
            copy.write_row((100, "copied"))
            copy.write_row((101, None))
        cur.execute("SELECT count(*), count(v) FROM p3 WHERE id >= 100")
        assert cur.fetchone() == (2, 1)
        rows = []
        with cur.copy("COPY (SELECT id, v FROM p3 WHERE id >= 100 ORDER BY id) TO STDOUT") as copy:
            for row in copy.rows():
                rows.append(row)
        assert rows == [("100", "copied"), ("101", None)], rows
    try:
        conn.execute("SELECT 1/0")
        raise AssertionError("no error")
    except psycopg.errors.DivisionByZero as e:
        assert e.sqlstate == "22012"
    with conn.transaction():
        conn.execute("DELETE FROM p3 WHERE id >= 100")
    assert conn.execute("SELECT count(*) FROM p3").fetchone() == (10,)
    conn.execute("DROP TABLE p3")
print("psycopg3 ok")
