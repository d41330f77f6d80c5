// Assembles the web console into one static directory, wasm/dist/site:
//   node wasm/build-site.mjs TPCH_CSV_DIR
// - wasm/www/* (the page) and wasm/dist/web's module and glue;
// - boot.oadb.gz: an empty database's image, which the console opens;
// - tpch/: the TPC-H schema and 22 queries, taken from the test suite's
//   testdata/tpch/tpch.slt, and the SF 0.01 tables as gzipped CSV from
//   TPCH_CSV_DIR (written by `cargo run -p oa-slt --bin oa-tpch DIR`), the
//   same data the suite loads. wasm/build-and-smoke.sh runs this.

import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const wasmDir = path.dirname(fileURLToPath(import.meta.url));
const csvDir = process.argv[2];
if (!csvDir) {
  console.error("usage: node wasm/build-site.mjs TPCH_CSV_DIR");
  process.exit(2);
}
const site = path.join(wasmDir, "dist/site");
rmSync(site, { recursive: true, force: true });
mkdirSync(path.join(site, "tpch"), { recursive: true });

for (const f of readdirSync(path.join(wasmDir, "www"))) cpSync(path.join(wasmDir, "www", f), path.join(site, f));
// The module, its glue and the glue's snippets (inline JavaScript of the
// crate, under a hashed directory name), which the page preloads.
for (const f of ["oa_wasm.js", "oa_wasm_bg.wasm", "snippets"]) cpSync(path.join(wasmDir, "dist/web", f), path.join(site, f), { recursive: true });
const snippets = [...readFileSync(path.join(site, "oa_wasm.js"), "utf8").matchAll(/from "\.\/(snippets\/[^"]+)"/g)].map((m) => m[1]);
const html = readFileSync(path.join(site, "index.html"), "utf8");
writeFileSync(path.join(site, "index.html"), html.replace("<!-- snippets -->", snippets.map((s) => `<link rel="modulepreload" href="${s}">`).join("\n")));

// A freshly bootstrapped database as an image (initdb ahead of time, as
// PostgreSQL's template1 is): opening it is a copy, where bootstrapping the
// catalog in the browser would take tens of milliseconds. It is made by the
// Node build of the same module, so its catalog fingerprint matches.
const { Database } = createRequire(import.meta.url)(path.join(wasmDir, "dist/node/oa_wasm.js"));
const boot = new Database();
writeFileSync(path.join(site, "boot.oadb.gz"), gzipSync(boot.save(), { level: 9 }));
boot.free();

// The .slt file's records are separated by blank lines: comment lines, a
// header line, the SQL, then "----" and the expected rows for queries.
const slt = readFileSync(path.join(wasmDir, "../testdata/tpch/tpch.slt"), "utf8");
const schema = [];
const queries = [];
for (const record of slt.split(/\n\s*\n/)) {
  const lines = record.split("\n");
  const comments = lines.filter((l) => l.startsWith("#")).map((l) => l.replace(/^#\s*/, ""));
  const body = lines.filter((l) => !l.startsWith("#"));
  const [header, ...rest] = body;
  const end = rest.indexOf("----");
  const sql = (end < 0 ? rest : rest.slice(0, end)).join("\n").trim();
  if (/^statement ok/.test(header ?? "") && /^CREATE TABLE/i.test(sql)) schema.push(`${sql};`);
  if (/^query /.test(header ?? "")) queries.push({ title: comments.at(-1) ?? `query ${queries.length + 1}`, sql: `${sql};` });
}
if (schema.length !== 8 || queries.length !== 22) {
  console.error(`build-site: expected 8 tables and 22 queries in tpch.slt, found ${schema.length} and ${queries.length}`);
  process.exit(1);
}
writeFileSync(path.join(site, "tpch/schema.sql"), schema.join("\n\n") + "\n");
writeFileSync(path.join(site, "tpch/queries.json"), JSON.stringify(queries, null, 1) + "\n");

let csvBytes = 0;
let gzBytes = 0;
for (const table of ["region", "nation", "part", "supplier", "partsupp", "customer", "orders", "lineitem"]) {
  const csv = readFileSync(path.join(csvDir, `${table}.csv`));
  const gz = gzipSync(csv, { level: 9 });
  writeFileSync(path.join(site, `tpch/${table}.csv.gz`), gz);
  csvBytes += csv.length;
  gzBytes += gz.length;
}
const mib = (n) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
console.log(`site: ${path.relative(process.cwd(), site)} (TPC-H SF 0.01 CSV: ${mib(csvBytes)}, ${mib(gzBytes)} gzipped)`);
