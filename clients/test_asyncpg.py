"""asyncpg: prepared statements, type introspection, pool reset."""
import asyncio
import datetime
import decimal
import sys

import asyncpg

port = int(sys.argv[1])


async def main():
    conn = await asyncpg.connect(host="127.0.0.1", port=port, user="postgres", database="postgres")
    await conn.execute("DROP TABLE IF EXISTS ap")
    await conn.execute("CREATE TABLE ap (id int PRIMARY KEY, name text, at timestamptz, n numeric, tags text[])")
    stmt = await conn.prepare("INSERT INTO ap VALUES ($1, $2, $3, $4, $5)")
    at = datetime.datetime(2021, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
    await stmt.fetch(1, "a", at, decimal.Decimal("1.25"), ["x", "y"])
    await conn.executemany("INSERT INTO ap (id, name) VALUES ($1, $2)", [(2, "b"), (3, None)])
    rows = await conn.fetch("SELECT id, name, at, n, tags FROM ap WHERE id <= $1 ORDER BY id", 2)
    assert [tuple(r) for r in rows] == [(1, "a", at, decimal.Decimal("1.25"), ["x", "y"]), (2, "b", None, None, None)], rows
    assert await conn.fetchval("SELECT count(*) FROM ap WHERE name IS NULL") == 1
    try:
        await conn.execute("INSERT INTO ap (id) VALUES (1)")
        raise AssertionError("no error")
    except asyncpg.UniqueViolationError as e:
        assert e.sqlstate == "23505" and e.detail == "Key (id)=(1) already exists."
    async with conn.transaction():
        await conn.execute("DELETE FROM ap")
        assert await conn.fetchval("SELECT count(*) FROM ap") == 0
        await conn.execute("SAVEPOINT s")  # nested transaction()s use savepoints too
        await conn.execute("RELEASE s")
    # What asyncpg's pool runs when a connection is returned.
    await conn.execute("SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;")
    await conn.execute("DROP TABLE ap")
    await conn.close()
    pool = await asyncpg.create_pool(host="127.0.0.1", port=port, user="postgres", database="postgres", min_size=2, max_size=2)
    async with pool.acquire() as c:
        assert await c.fetchval("SELECT $1::int + 1", 41) == 42
    await pool.close()
    print("asyncpg ok")


asyncio.run(main())
