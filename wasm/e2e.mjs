// End-to-end test of the web console in headless Chromium:
//   node wasm/e2e.mjs [wasm/dist/site]
// Serves the site (wasm/build-site.mjs's output) from a local static server,
// drives Debian's chromium (CHROMIUM overrides /usr/bin/chromium) with
// playwright-core (wasm/package.json), and checks what a user sees: results
// in the grid, an error with its position marked, sessions, EXPLAIN,
// saving to and loading from IndexedDB, TPC-H SF 0.01 loaded and queried
// (results compared with testdata/tpch/tpch.slt's). Measures the time from
// navigation start to the first result and memory after loading SF 0.01;
// writes wasm/dist/e2e-screenshot.png and wasm/dist/e2e-metrics.json.
// Exits non-zero on any failed check.

import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const wasmDir = path.dirname(fileURLToPath(import.meta.url));
const site = path.resolve(process.argv[2] || path.join(wasmDir, "dist/site"));
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
if (!existsSync(path.join(site, "index.html"))) {
  console.error(`e2e: ${site}/index.html missing: run wasm/build-and-smoke.sh first`);
  process.exit(1);
}

let failed = 0;
function check(name, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
  if (!ok) {
    failed++;
    if (detail !== undefined) console.log(`     got: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
  }
}
const same = (name, got, want) => check(name, JSON.stringify(got) === JSON.stringify(want), got);

// The TPC-H queries' expected rows, from the test suite.
const expected = new Map();
for (const record of readFileSync(path.join(wasmDir, "../testdata/tpch/tpch.slt"), "utf8").split(/\n\s*\n/)) {
  const title = /^# (Q\d+):/m.exec(record)?.[1];
  const rows = record.split("\n----\n")[1];
  if (title && rows !== undefined) expected.set(title, rows.split("\n").filter((l) => l !== "").map((l) => l.split("\t")));
}

// A static server that compresses as web servers do (gzip, cached): the
// module is about 5 times smaller on the wire than on disk.
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".sql": "text/plain", ".gz": "application/gzip" };
const gzipped = new Map();
const server = createServer((req, res) => {
  const file = path.join(site, decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/\/$/, "/index.html"));
  if (!file.startsWith(site) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end();
    return;
  }
  const ext = path.extname(file);
  const headers = { "content-type": types[ext] ?? "application/octet-stream", "cache-control": "no-cache" };
  if (ext === ".gz" || !/\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, "content-encoding": "gzip" }).end(gzipped.get(file) ?? gzipSync(readFileSync(file)));
});
// Compressed ahead, as a server would have them, so the first visit does not wait for it.
for (const f of ["index.html", "console.js", "console.css", "idb.js", "oa_wasm.js", "oa_wasm_bg.wasm"]) gzipped.set(path.join(site, f), gzipSync(readFileSync(path.join(site, f))));
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--enable-precise-memory-info"] });
const metrics = { chromium: browser.version() };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));

  // Start-up times (ms from navigation start), on a first visit and again
  // on a reload (HTTP cache, and Chromium's cache of the compiled module).
  const startup = async () => {
    await page.waitForFunction(() => document.body.dataset.ready === "true", null, { timeout: 30_000 });
    return page.evaluate(() => {
      const { scriptStartMs, initMs, openMs, firstResultMs } = window.oaConsole;
      return { scriptStartMs, initMs, openMs, firstResultMs, afterLoadMs: firstResultMs - scriptStartMs - initMs };
    });
  };
  await page.goto(url);
  metrics.firstVisit = await startup();
  check(`first result ${metrics.firstVisit.firstResultMs.toFixed(0)} ms after navigation start`, metrics.firstVisit.firstResultMs > 0);
  check("the version query's result is in the grid", /^PostgreSQL 15\.\d+ \(OpenAssay /.test(await page.textContent("table.grid td")));

  const grid = () =>
    page.evaluate(() => {
      const t = document.querySelectorAll("#output table.grid");
      const last = t[t.length - 1];
      return last && [...last.rows].map((r) => [...r.cells].map((c) => (c.firstChild?.nodeType === 3 ? c.firstChild.data : c.textContent)));
    });
  const runSql = async (sql, keys = "Control+Enter") => {
    await page.fill("#sql", sql);
    await page.press("#sql", keys);
  };

  await runSql("SELECT x, x * 1.5 AS y, NULL::text AS z FROM generate_series(1, 3) x");
  same("Ctrl+Enter runs the query; the grid has its columns and rows", await grid(), [
    ["x", "y", "z"],
    ["1", "1.5", "NULL"],
    ["2", "3.0", "NULL"],
    ["3", "4.5", "NULL"],
  ]);

  await runSql("SELECT 1;\nSELECT * FROM nope");
  same("an error shows its message and SQLSTATE", await page.textContent(".error .message"), 'ERROR:  relation "nope" does not exist');
  check("... its SQLSTATE", (await page.textContent("#output .error")).includes("SQLSTATE 42P01"));
  same("... the position is marked in the SQL", await page.textContent("mark.errpos"), "n");
  check("... at character 25 (line 2, column 15)", (await page.textContent("#output .error")).includes("at character 25 (line 2, column 15)"));
  same("... and selected in the editor", await page.evaluate(() => [document.getElementById("sql").selectionStart, document.activeElement.id]), [24, "sql"]);

  // Sessions share the database; MVCC between them.
  await runSql("CREATE TABLE s (a int); INSERT INTO s VALUES (1), (2)");
  await runSql("BEGIN; INSERT INTO s VALUES (3)");
  await page.click("#new-session");
  same("a second session tab", await page.locator(".tab").count(), 2);
  await runSql("SELECT count(*) FROM s");
  same("session 2 sees session 1's committed rows only", await grid(), [["count"], ["2"]]);
  await page.click('.tab[data-session="1"]');
  check("session 1's tab says it is in a transaction", (await page.textContent('.tab[data-session="1"]')).includes("in transaction"));
  await page.fill("#sql", "SELECT a FROM s");
  await page.click("#explain");
  check("EXPLAIN in a transaction block: the plan, no stages", (await page.$$("pre.plan")).length === 1 && (await page.$$("details.stage")).length === 0);
  check("... and the transaction is left as it was", (await page.textContent('.tab[data-session="1"]')).includes("in transaction"));
  await runSql("COMMIT");

  await page.fill("#sql", "SELECT a FROM s WHERE a > 1 ORDER BY a");
  await page.click("#explain");
  const plans = await page.$$eval("pre.plan", (p) => p.map((x) => x.textContent));
  check("EXPLAIN shows the plan", /Seq Scan on s/.test(plans[0]) && /Sort/.test(plans[0]), plans[0]);
  same("... and the plan after each optimizer stage", await page.$$eval("details.stage summary", (s) => s.map((x) => x.textContent.split(" (")[0])), [
    "1. after decorrelate",
    "2. after simplify",
    "3. after pushdown",
    "4. after join_order",
    "5. after prune",
  ]);
  same("... the last of which is the plan", plans.at(-1), plans[0]);

  // Persistence: IndexedDB.
  await page.click("#save");
  await page.waitForFunction(() => /^Saved /.test(document.getElementById("status").textContent));
  await page.click("#reset");
  await runSql("SELECT * FROM s");
  same("a new database does not have the table", await page.textContent(".error .message"), 'ERROR:  relation "s" does not exist');
  await page.click("#restore");
  await page.waitForFunction(() => /^Loaded /.test(document.getElementById("status").textContent));
  await runSql("SELECT a FROM s ORDER BY a");
  same("the saved database loads back from IndexedDB", await grid(), [["a"], ["1"], ["2"], ["3"]]);

  // TPC-H SF 0.01.
  await page.click("#load-tpch");
  await page.waitForFunction(() => /TPC-H SF 0.01 loaded|failed/.test(document.getElementById("status").textContent), null, { timeout: 300_000 });
  same("TPC-H loads", await page.textContent("#status"), "TPC-H SF 0.01 loaded");
  Object.assign(
    metrics,
    await page.evaluate(() => ({
      tpchLoadMs: window.oaConsole.tpchLoadMs,
      wasmMemoryBytes: window.oaConsole.wasmMemoryBytes(),
      jsHeapUsedBytes: performance.memory?.usedJSHeapSize,
    })),
  );
  const queries = JSON.parse(readFileSync(path.join(site, "tpch/queries.json"), "utf8"));
  for (const q of ["Q1", "Q6", "Q13"]) {
    await runSql(queries.find((x) => x.title.startsWith(`${q}:`)).sql);
    await page.waitForSelector("#output .timing");
    same(`TPC-H ${q}: the grid holds the expected rows`, (await grid())?.slice(1), expected.get(q));
  }
  check("no page or console errors", problems.length === 0, problems);
  await page.screenshot({ path: path.join(wasmDir, "dist/e2e-screenshot.png"), fullPage: false });
  await page.reload();
  metrics.reload = await startup();
} finally {
  await browser.close();
  server.close();
}

const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
console.log(`\nChromium ${metrics.chromium}`);
const ms = (n) => `${n?.toFixed(0)} ms`;
for (const [visit, m] of [["first visit", metrics.firstVisit], ["reload", metrics.reload]]) {
  console.log(
    `${visit}: navigation start to first result ${ms(m.firstResultMs)} = script starts ${ms(m.scriptStartMs)}` +
      ` + module fetch and compile ${ms(m.initMs)} + ${ms(m.afterLoadMs)} from the module loaded (open database ${ms(m.openMs)}, first query)`,
  );
}
console.log(`TPC-H SF 0.01 load (fetch, COPY, ANALYZE): ${(metrics.tpchLoadMs / 1000).toFixed(1)} s`);
console.log(`after SF 0.01: wasm memory ${mib(metrics.wasmMemoryBytes)}, JS heap used ${mib(metrics.jsHeapUsedBytes)}`);
writeFileSync(path.join(wasmDir, "dist/e2e-metrics.json"), JSON.stringify(metrics, null, 1) + "\n");
console.log(`e2e: ${failed === 0 ? "all checks passed" : `${failed} failed`}`);
process.exit(failed === 0 ? 0 : 1);
