// node-postgres: parameterized queries (extended protocol), types, errors, transactions.
import assert from 'node:assert/strict';
import pg from 'pg';

const port = Number(process.argv[2]);
const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
await client.connect();
await client.query('DROP TABLE IF EXISTS np');
await client.query('CREATE TABLE np (id serial PRIMARY KEY, name text, n numeric, at date, ok boolean, big int8)');
const ins = await client.query('INSERT INTO np (name, n, at, ok, big) VALUES ($1, $2, $3, $4, $5) RETURNING id', ['a', '1.50', '2020-02-29', true, '9007199254740993']);
assert.deepEqual(ins.rows, [{ id: 1 }]);
assert.equal(ins.command, 'INSERT');
assert.equal(ins.rowCount, 1);
// A named statement is parsed once and reused.
for (const name of ['b', 'c']) {
  await client.query({ name: 'ins', text: 'INSERT INTO np (name) VALUES ($1)', values: [name] });
}
const r = await client.query('SELECT id, name, n, ok, big FROM np WHERE id >= $1 ORDER BY id', [1]);
assert.deepEqual(r.rows.map((x) => [x.id, x.name, x.n, x.ok, x.big]), [[1, 'a', '1.50', true, '9007199254740993'], [2, 'b', null, null, null], [3, 'c', null, null, null]]);
assert.deepEqual(r.fields.map((f) => [f.name, f.dataTypeID]), [['id', 23], ['name', 25], ['n', 1700], ['ok', 16], ['big', 20]]);
await assert.rejects(client.query('SELECT 1/$1::int', [0]), (e) => e.code === '22012' && e.message === 'division by zero');
await client.query('BEGIN');
await client.query('DELETE FROM np');
await client.query('ROLLBACK');
assert.equal((await client.query('SELECT count(*)::int AS c FROM np')).rows[0].c, 3);
await assert.rejects(client.query('SELEC 1'), (e) => e.code === '42601' && e.position === '1');
await client.query('DROP TABLE np');
await client.end();
console.log('node-postgres ok');
