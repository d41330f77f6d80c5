// Smoke test of the browser build through wasm-bindgen's Node glue (see
// wasm/src/lib.rs for the API). Plain Node 20 ESM, no packages:
//   node wasm/smoke.mjs [wasm/dist/node]
// Prints each check, the module's size and timings; exits non-zero on any
// mismatch.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { gzipSync } from "node:zlib";

const dist = path.resolve(process.argv[2] || "wasm/dist/node");
const require = createRequire(import.meta.url);

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
  if (ok) {
    passed++;
  } else {
    failed++;
    if (detail !== undefined) console.log(`     got: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
  }
}
const same = (name, got, want) => check(name, isDeepStrictEqual(got, want), got);
const rowsOf = (r) => r?.results?.at(-1)?.rows;

// Loading the glue reads, compiles and instantiates the module.
const t0 = performance.now();
const oa = require(path.join(dist, "oa_wasm.js"));
const loadMs = performance.now() - t0;

check("exports Database, Session, version", ["Database", "Session", "version"].every((n) => typeof oa[n] === "function"), Object.keys(oa));
check("version()", /^PostgreSQL 15\.\d+ \(OpenAssay /.test(oa.version()), oa.version());

const t1 = performance.now();
const db = new oa.Database();
const openMs = performance.now() - t1;
const s1 = db.connect();
const t2 = performance.now();
const first = s1.execute("SELECT 1");
const firstMs = performance.now() - t2;
same("first query: SELECT 1", first, {
  results: [{ tag: "SELECT 1", columns: [{ name: "?column?", type: "int4", typeOid: 23 }], rows: [["1"]] }],
  error: null,
  notices: [],
});

const t3 = performance.now();
const dml = s1.execute("CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1,'x'),(2,NULL); SELECT a, b, a * 1.5 AS c FROM t ORDER BY a DESC");
const dmlMs = performance.now() - t3;
same("CREATE/INSERT/SELECT: results, tags, columns, types, rows", dml, {
  results: [
    { tag: "CREATE TABLE" },
    { tag: "INSERT 0 2" },
    {
      tag: "SELECT 2",
      columns: [
        { name: "a", type: "int4", typeOid: 23 },
        { name: "b", type: "text", typeOid: 25 },
        { name: "c", type: "numeric", typeOid: 1700 },
      ],
      rows: [
        ["2", null, "3.0"],
        ["1", "x", "1.5"],
      ],
    },
  ],
  error: null,
  notices: [],
});

same("SELECT 1/0 -> 22012", s1.execute("SELECT 1/0"), { results: [], error: { code: "22012", message: "division by zero" }, notices: [] });
// Positions are 1-based characters (é is two bytes in UTF-8).
same("syntax error at end of input, with its position", s1.execute("SELECT 'é' +").error, { code: "42601", message: "syntax error at end of input", position: 13 });
same('syntax error at or near "FORM", with its position', s1.execute("SELECT * FORM t").error, { code: "42601", message: 'syntax error at or near "FORM"', position: 10 });
same("42P01 with its position", s1.execute("SELECT * FROM nope").error, { code: "42P01", message: 'relation "nope" does not exist', position: 15 });
// The statements before an error are reported, and rolled back with it.
const partial = s1.execute("INSERT INTO t VALUES (9, 'z'); SELECT 1/0");
same("statements before an error", [partial.results, partial.error?.code], [[{ tag: "INSERT 0 1" }], "22012"]);
same("... rolled back with the implicit transaction", rowsOf(s1.execute("SELECT count(*) FROM t")), [["2"]]);
same("notices", s1.execute("DROP TABLE IF EXISTS nope").notices, [{ severity: "NOTICE", code: "00000", message: 'table "nope" does not exist, skipping' }]);
const escaped = s1.execute("SELECT E'q\"b\\\\s\\nnl\\u2028' AS \"we\"\"ird\"");
same("escaping of names and values", [escaped.results?.[0]?.columns?.[0]?.name, rowsOf(escaped)], ['we"ird', [['q"b\\s\nnl\u2028']]]);
check("executeJson", JSON.parse(s1.executeJson("SELECT 1")).results[0].rows[0][0] === "1");

// The clock is the host's Date.now().
const hostNow = Date.now();
const epoch = Number(rowsOf(s1.execute("SELECT extract(epoch FROM now())"))?.[0]?.[0]);
check("now() is close to Date.now()", Math.abs(epoch * 1000 - hostNow) < 60_000, `${epoch} vs ${hostNow / 1000}`);
const realNow = Date.now;
Date.now = () => Date.UTC(2001, 1, 3, 4, 5, 6, 789);
let pinned;
try {
  pinned = s1.execute("SELECT now()::text, extract(epoch FROM now())");
} finally {
  Date.now = realNow;
}
same("now() follows Date.now()", rowsOf(pinned), [["2001-02-03 04:05:06.789+00", "981173106.789000"]]);

// Several sessions on one database: MVCC between them.
const s2 = db.connect();
same("session 1: BEGIN; INSERT", s1.execute("BEGIN; INSERT INTO t VALUES (3, 'y')").results, [{ tag: "BEGIN" }, { tag: "INSERT 0 1" }]);
check("session 1 is in a transaction block", s1.transactionStatus === "T", s1.transactionStatus);
same("session 2 does not see the uncommitted row", rowsOf(s2.execute("SELECT count(*) FROM t")), [["2"]]);
same("session 1: COMMIT", s1.execute("COMMIT").results, [{ tag: "COMMIT" }]);
same("session 2 sees the committed row", rowsOf(s2.execute("SELECT a, b FROM t WHERE a = 3")), [["3", "y"]]);
s2.close();
same("a closed session -> 08003", [s2.execute("SELECT 1").error?.code, s2.transactionStatus], ["08003", ""]);
const other = new oa.Database().connect();
same("databases are independent", other.execute("SELECT * FROM t").error?.code, "42P01");

// A panic (an engine bug) is contained: XX000, and only its database is lost.
const pdb = new oa.Database();
const [p1, p2] = [pdb.connect(), pdb.connect()];
const boom = p1.__panicForTest("boom");
check(
  "a panic -> XX000 with its message",
  boom.error?.code === "XX000" && /^internal error: boom at wasm\/src\/lib\.rs:\d+:\d+$/.test(boom.error.message) && /open a new Database/.test(boom.error.hint),
  boom,
);
check("... the database reports its failure", /^boom at /.test(pdb.failure ?? ""), pdb.failure);
const after = p2.execute("SELECT 1").error;
check("... its other sessions answer XX000", after?.code === "XX000" && after.message.startsWith("the database is unusable after an internal error (boom at "), after);
let thrown;
try {
  pdb.connect();
} catch (e) {
  thrown = e;
}
check("... connect() throws an Error with the SQLSTATE", thrown instanceof Error && thrown.code === "XX000", thrown);
same("... other databases keep working", rowsOf(s1.execute("SELECT count(*) FROM t")), [["3"]]);
const boom2 = new oa.Database().connect().__panicForTest("boom again");
check("a second panic is contained too", boom2.error?.code === "XX000" && boom2.error.message.startsWith("internal error: boom again at "), boom2);

// Running out of stack is contained like a panic (or is a clean 54001 error):
// JavaScript's stack (V8's RangeError) or the module's own shadow stack
// (a trap), after which the shadow stack pointer must have been put back.
const deep = new oa.Database().connect().execute(`SELECT ${"1+".repeat(5000)}1`);
check(
  "an expression nested too deep -> an error, not a crash",
  deep.error?.code === "54001" || (deep.error?.code === "XX000" && deep.error.message.startsWith("internal error: stack depth limit exceeded")),
  deep.error,
);
same("... other databases keep working", rowsOf(s1.execute("SELECT count(*) FROM t")), [["3"]]);
const overflow = new oa.Database().connect().__overflowForTest();
check(
  "the shadow stack overflowing -> XX000",
  overflow.error?.code === "XX000" && overflow.error.message === "internal error: stack depth limit exceeded (RuntimeError: memory access out of bounds)",
  overflow,
);
same("... other databases keep working", rowsOf(s1.execute("SELECT count(*) FROM t")), [["3"]]);
same("... and new ones too", rowsOf(new oa.Database().connect().execute("SELECT 42")), [["42"]]);

// COPY FROM STDIN with the client's data.
const enc = new TextEncoder();
same("copyFrom loads rows", s1.copyFrom("COPY t FROM STDIN (FORMAT csv)", enc.encode("10,ten\n11,\n")), { results: [{ tag: "COPY 2" }], error: null, notices: [] });
same("... as COPY does", rowsOf(s1.execute("SELECT a, b FROM t WHERE a >= 10 ORDER BY a")), [["10", "ten"], ["11", null]]);
same("copyFrom: bad data -> PostgreSQL's error", s1.copyFrom("COPY t FROM STDIN", enc.encode("x\ty\n")).error?.code, "22P02");
same("copyFrom of other statements -> 08P01", s1.copyFrom("SELECT 1", new Uint8Array()).error?.code, "08P01");
same("copyFrom: a syntax error, with its position", s1.copyFrom("COPY t FRM STDIN", new Uint8Array()).error, { code: "42601", message: 'syntax error at or near "FRM"', position: 8 });
s1.execute("DELETE FROM t WHERE a >= 10");

// Saving and loading: an image of the committed state; damage is refused.
s1.execute("CREATE UNIQUE INDEX t_b ON t (b); CREATE SEQUENCE sq; SELECT nextval('sq')");
const pending = db.connect();
pending.execute("BEGIN; INSERT INTO t VALUES (100, 'uncommitted')");
const t4 = performance.now();
const image = db.save();
const saveMs = performance.now() - t4;
check("save() returns a Uint8Array", image instanceof Uint8Array && image.length > 8192, image?.constructor?.name);
const t5 = performance.now();
const restored = oa.Database.load(image);
const loadMs2 = performance.now() - t5;
const r1 = restored.connect();
same("a loaded database has the saved rows", rowsOf(r1.execute("SELECT a, b FROM t ORDER BY a")), [["1", "x"], ["2", null], ["3", "y"]]);
same("... but not an open transaction's", rowsOf(r1.execute("SELECT count(*) FROM t WHERE a = 100")), [["0"]]);
same("... its unique index", r1.execute("INSERT INTO t VALUES (5, 'y')").error?.code, "23505");
same("... its sequence", rowsOf(r1.execute("SELECT nextval('sq')")), [["2"]]);
same("... and takes new writes", rowsOf(r1.execute("INSERT INTO t VALUES (4, 'w'); SELECT count(*) FROM t")), [["4"]]);
same("the saved database is unchanged", rowsOf(s1.execute("SELECT count(*) FROM t")), [["3"]]);
pending.close();
const loadError = (bytes) => {
  try {
    oa.Database.load(bytes);
  } catch (e) {
    return [e instanceof Error, e.code, e.message];
  }
};
same("load() of other bytes throws XX001", loadError(new Uint8Array([80, 71, 68, 77, 80])), [true, "XX001", "not an OpenAssay database image"]);
const damaged = image.slice();
damaged[image.length - 100] ^= 1;
const damage = loadError(damaged);
check("load() of a damaged image throws XX001", damage?.[1] === "XX001" && /^invalid page in block \d+ of relation \d+$/.test(damage[2]), damage);
restored.free();

s1.close();
db.free();

// The browser build (an ES module) next to it, instantiated from bytes.
const webDir = path.join(dist, "..", "web");
if (existsSync(path.join(webDir, "oa_wasm.js"))) {
  const web = await import(pathToFileURL(path.join(webDir, "oa_wasm.js")).href);
  web.initSync({ module: readFileSync(path.join(webDir, "oa_wasm_bg.wasm")) });
  same("the web build answers too", rowsOf(new web.Database().connect().execute("SELECT 'web'")), [["web"]]);
}

const wasmBytes = readFileSync(path.join(dist, "oa_wasm_bg.wasm"));
const glueBytes = readFileSync(path.join(dist, "oa_wasm.js"));
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const mib = (n) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
console.log(`\n${path.relative(process.cwd(), dist)}/oa_wasm_bg.wasm: ${mib(wasmBytes.length)} raw, ${mib(gzipSync(wasmBytes, { level: 9 }).length)} gzip -9`);
console.log(`glue oa_wasm.js: ${kib(glueBytes.length)} raw, ${kib(gzipSync(glueBytes, { level: 9 }).length)} gzip -9`);
console.log(`module load (read + compile + instantiate): ${loadMs.toFixed(1)} ms`);
console.log(`new Database() (bootstraps the catalog): ${openMs.toFixed(1)} ms`);
console.log(`first query (SELECT 1): ${firstMs.toFixed(1)} ms`);
console.log(`load to first result: ${(loadMs + openMs + firstMs).toFixed(1)} ms (browser goal: <= 100 ms)`);
console.log(`CREATE TABLE; INSERT; SELECT: ${dmlMs.toFixed(1)} ms`);
console.log(`save(): ${saveMs.toFixed(1)} ms, ${mib(image.length)} image (${mib(gzipSync(image).length)} gzip); Database.load(): ${loadMs2.toFixed(1)} ms`);
console.log(`process RSS at the end: ${mib(process.memoryUsage().rss)}`);
console.log(`smoke: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
