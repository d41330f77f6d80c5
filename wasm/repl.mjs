// The browser build as a line-oriented SQL server, for test harnesses
// (testdata's slt_wasm drives it; see testdata/src/wasm.rs):
//   node wasm/repl.mjs [wasm/dist/node]
// One database, one session. Each input line is a JSON string (one query
// string); each output line is its `ExecuteResult` as JSON (see
// wasm/src/lib.rs). Node 20, no packages.
//
// wasm32 has no files, so a COPY ... FROM '/absolute/path' reads the host's
// file here and runs as COPY ... FROM STDIN with its contents, as psql's
// \copy would; a file that cannot be read answers PostgreSQL's 58P01.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { createInterface } from "node:readline";

const dist = path.resolve(process.argv[2] || "wasm/dist/node");
const { Database } = createRequire(import.meta.url)(path.join(dist, "oa_wasm.js"));
const session = new Database().connect();

const copyFromFile = /^(\s*COPY\s[\s\S]*?\sFROM\s+)'(\/(?:[^']|'')*)'([\s\S]*)$/i;

function run(sql) {
  const copy = copyFromFile.exec(sql);
  if (!copy) return session.executeJson(sql);
  const file = copy[2].replaceAll("''", "'");
  let data;
  try {
    data = readFileSync(file);
  } catch (e) {
    const reason = e.code === "ENOENT" ? "No such file or directory" : e.message;
    const message = `could not open file "${file}" for reading: ${reason}`;
    return JSON.stringify({ results: [], error: { code: "58P01", message }, notices: [] });
  }
  return JSON.stringify(session.copyFrom(`${copy[1]}STDIN${copy[3]}`, data));
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  process.stdout.write(run(JSON.parse(line)) + "\n");
}
