// The SQL console: one OpenAssay database in this tab (the wasm build, see
// wasm/src/lib.rs for its API), several sessions on it, results grids,
// PostgreSQL's errors with their position marked, EXPLAIN after each
// optimizer stage, sample data, and saving the database in IndexedDB.
// Plain ES modules, no bundler.

import init, { Database, optimizerStages, version } from "./oa_wasm.js";
import { getImage, putImage } from "./idb.js";

const $ = (id) => document.getElementById(id);
const MAX_ROWS = 1000;
const NUMERIC_TYPES = new Set(["int2", "int4", "int8", "float4", "float8", "numeric", "oid", "money"]);
const TPCH_TABLES = ["region", "nation", "part", "supplier", "partsupp", "customer", "orders", "lineitem"];

const STARTER = `CREATE TABLE cities (name text PRIMARY KEY, country text NOT NULL, population int);
CREATE TABLE visits (id serial PRIMARY KEY, city text REFERENCES cities, visited date, rating numeric(2,1));
INSERT INTO cities VALUES ('Lisbon', 'Portugal', 545000), ('Porto', 'Portugal', 232000),
  ('Kyoto', 'Japan', 1464000), ('Osaka', 'Japan', 2752000), ('Oslo', 'Norway', 709000);
INSERT INTO visits (city, visited, rating) VALUES ('Lisbon', '2024-04-02', 4.5), ('Kyoto', '2024-05-11', 5.0),
  ('Porto', '2024-04-05', 4.0), ('Kyoto', '2025-01-20', 4.5), ('Oslo', '2025-02-14', 3.5);`;

const EXAMPLES = [
  ["Visits per country", "SELECT c.country, count(v.id) AS visits, round(avg(v.rating), 2) AS rating\nFROM cities c LEFT JOIN visits v ON v.city = c.name\nGROUP BY c.country\nORDER BY visits DESC, c.country;"],
  ["Window function", "SELECT name, country, population,\n       rank() OVER (PARTITION BY country ORDER BY population DESC) AS rank_in_country\nFROM cities\nORDER BY country, rank_in_country;"],
  ["Recursive CTE", "WITH RECURSIVE fib(n, a, b) AS (\n  SELECT 1, 0::numeric, 1::numeric\n  UNION ALL\n  SELECT n + 1, b, a + b FROM fib WHERE n < 50\n)\nSELECT n, a AS fibonacci FROM fib;"],
  ["An error, with its position", "SELECT name, populaton\nFROM cities;"],
  ["Transactions (try in two sessions)", "BEGIN;\nUPDATE cities SET population = population + 1 WHERE name = 'Oslo';\nSELECT name, population FROM cities WHERE name = 'Oslo';\n-- Other sessions see the old value until COMMIT."],
];

/** Console state; `window.oaConsole` for the end-to-end test. */
const state = {
  db: null,
  sessions: [],
  current: null,
  nextSession: 1,
  /** ms from navigation start to the first result on screen. */
  firstResultMs: null,
  /** ms from navigation start to this script running. */
  scriptStartMs: performance.now(),
  /** ms spent in init() (fetching and compiling the module). */
  initMs: null,
  /** ms to open the first database. */
  openMs: null,
  tpchLoadMs: null,
};
window.oaConsole = state;

function status(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;

// ---------------------------------------------------------------- sessions

function openSession() {
  const s = { id: state.nextSession++, session: state.db.connect(), sql: "", output: el("div") };
  state.sessions.push(s);
  switchTo(s);
  return s;
}

function closeSession(s) {
  s.session.free();
  state.sessions = state.sessions.filter((x) => x !== s);
  if (state.sessions.length === 0) openSession();
  else if (state.current === s) switchTo(state.sessions.at(-1));
  else renderTabs();
}

function switchTo(s) {
  if (state.current) state.current.sql = $("sql").value;
  state.current = s;
  $("sql").value = s.sql;
  $("output").replaceChildren(s.output);
  renderTabs();
}

function renderTabs() {
  const statusText = { I: "", T: "in transaction", E: "failed transaction" };
  $("session-tabs").replaceChildren(
    ...state.sessions.map((s) =>
      el(
        "button",
        { class: "tab", role: "tab", "aria-selected": String(s === state.current), "data-session": s.id, onclick: () => switchTo(s) },
        `Session ${s.id}`,
        el("span", { class: "state" }, statusText[s.session.transactionStatus] ?? ""),
        state.sessions.length > 1
          ? el("span", { class: "close", title: "Close the session (rolls back its transaction)", onclick: (e) => (e.stopPropagation(), closeSession(s)) }, "×")
          : null,
      ),
    ),
  );
}

/** Replaces the database (and its sessions) with `db`. */
function useDatabase(db) {
  for (const s of state.sessions) s.session.free();
  state.db?.free();
  state.db = db;
  state.sessions = [];
  state.current = null;
  openSession();
}

// ---------------------------------------------------------------- results

function renderGrid(result) {
  const numeric = result.columns.map((c) => NUMERIC_TYPES.has(c.type));
  const head = el("tr", {}, ...result.columns.map((c) => el("th", {}, c.name, el("span", { class: "type" }, c.type))));
  const rows = result.rows.slice(0, MAX_ROWS).map((row) =>
    el(
      "tr",
      {},
      ...row.map((v, i) => (v === null ? el("td", { class: "null" }, "NULL") : el("td", numeric[i] ? { class: "num" } : {}, v))),
    ),
  );
  const more = result.rows.length > MAX_ROWS ? `, showing the first ${MAX_ROWS}` : "";
  return el("div", { class: "result" }, el("table", { class: "grid" }, el("thead", {}, head), el("tbody", {}, ...rows)), el("div", { class: "tag" }, result.tag + more));
}

/** UTF-16 offset of the 1-based character (code point) position `pos` in `text`. */
function utf16Offset(text, pos) {
  let offset = 0;
  let chars = 0;
  for (const ch of text) {
    if (++chars >= pos) break;
    offset += ch.length;
  }
  return Math.min(offset, text.length);
}

/** The error box; `sql` is the text the position counts in. */
function renderError(error, sql) {
  const box = el("div", { class: "error", role: "alert" }, el("div", { class: "message" }, `ERROR:  ${error.message}`), el("div", { class: "field muted" }, `SQLSTATE ${error.code}`));
  if (error.detail) box.append(el("div", { class: "field" }, `DETAIL:  ${error.detail}`));
  if (error.hint) box.append(el("div", { class: "field" }, `HINT:  ${error.hint}`));
  if (error.position && sql !== undefined) {
    const at = utf16Offset(sql, error.position);
    const before = sql.slice(0, at);
    const line = before.split("\n").length;
    const column = Array.from(before.slice(before.lastIndexOf("\n") + 1)).length + 1;
    // Past the end (a syntax error at end of input) marks a space after it.
    const ch = at < sql.length ? String.fromCodePoint(sql.codePointAt(at)) : " ";
    box.append(
      el("div", { class: "field" }, `at character ${error.position} (line ${line}, column ${column})`),
      el("pre", { class: "where" }, before, el("mark", { class: "errpos" }, ch), sql.slice(at + ch.length)),
    );
  }
  return box;
}

function renderNotices(notices) {
  return notices.map((n) => el("div", { class: "notice" }, `${n.severity}:  ${n.message}`));
}

function showOutput(...nodes) {
  state.current.output.replaceChildren(...nodes);
}

/** Selects the error's character in the editor (`base`: where `sql` starts in it). */
function markInEditor(error, sql, base) {
  if (!error?.position) return;
  const at = base + utf16Offset(sql, error.position);
  const editor = $("sql");
  editor.focus();
  editor.setSelectionRange(at, Math.min(at + 1, editor.value.length));
}

/** The statement(s) to run: the selection if there is one, else everything. */
function editorSql() {
  const editor = $("sql");
  const { selectionStart: a, selectionEnd: b, value } = editor;
  return a !== b ? { sql: value.slice(a, b), base: a } : { sql: value, base: 0 };
}

function run() {
  const { sql, base } = editorSql();
  if (!sql.trim()) return;
  const t = performance.now();
  const r = state.current.session.execute(sql);
  const ms = performance.now() - t;
  const nodes = [...renderNotices(r.notices)];
  for (const result of r.results) nodes.push(result.columns ? renderGrid(result) : el("div", { class: "tag" }, result.tag));
  if (r.error) nodes.push(renderError(r.error, sql));
  nodes.push(el("div", { class: "timing" }, `${ms.toFixed(1)} ms`));
  showOutput(...nodes);
  renderTabs();
  if (r.error) markInEditor(r.error, sql, base);
  if (state.firstResultMs === null) state.firstResultMs = performance.now();
  status(r.error ? `Error ${r.error.code}` : `OK, ${ms.toFixed(1)} ms`, !!r.error);
  return r;
}

// ---------------------------------------------------------------- EXPLAIN

/**
 * EXPLAIN of the statement as planned, then after each optimizer stage:
 * the stages after it are switched off (openassay.disabled_stages), so each
 * plan is what physical planning makes of the stage's output.
 */
function explain() {
  const session = state.current.session;
  const { sql: text, base } = editorSql();
  const stmt = text.trim().replace(/;\s*$/, "");
  if (!stmt) return;
  const lead = text.indexOf(stmt);
  const prefix = /^explain\b/i.test(stmt) ? "" : "EXPLAIN ";
  const sql = prefix + stmt;
  const planText = (r) => r.results.at(-1)?.rows?.map((row) => row[0]).join("\n");
  const full = session.execute(sql);
  if (full.error) {
    const error = { ...full.error, position: full.error.position && full.error.position - prefix.length };
    showOutput(renderError(error, stmt));
    markInEditor(error, stmt, base + lead);
    status(`Error ${full.error.code}`, true);
    return;
  }
  const nodes = [el("h3", {}, "Plan"), el("pre", { class: "plan" }, planText(full))];
  // Inside a transaction block the stages' SETs, and a stage's error, would
  // be the user's transaction's: then only the plan is shown.
  if (prefix && session.transactionStatus !== "I") {
    nodes.push(el("div", { class: "tag" }, "The plan after each optimizer stage is shown outside a transaction block."));
  } else if (prefix) {
    const stages = optimizerStages();
    const saved = session.execute("SHOW openassay.disabled_stages");
    const restore = saved.error ? "RESET openassay.disabled_stages" : `SET openassay.disabled_stages = '${saved.results[0].rows[0][0].replaceAll("'", "''")}'`;
    nodes.push(el("h3", {}, "After each optimizer stage"));
    let previous = null;
    stages.forEach((stage, i) => {
      const off = stages.slice(i + 1).join(",");
      const r = session.execute(`SET openassay.disabled_stages = '${off}'; ${sql}`);
      const body = r.error ? renderError(r.error) : el("pre", { class: "plan" }, planText(r));
      const same = !r.error && planText(r) === previous;
      if (!r.error) previous = planText(r);
      // Stages that changed the plan (or failed) are shown open.
      const summary = el("summary", {}, `${i + 1}. after ${stage}`, same ? el("span", { class: "unchanged" }, " (plan unchanged)") : null);
      nodes.push(el("details", same ? { class: "stage" } : { class: "stage", open: "" }, summary, body));
    });
    session.execute(restore);
  }
  showOutput(...nodes);
  status("EXPLAIN");
}

// ---------------------------------------------------------------- sample data

function loadStarter() {
  const r = state.current.session.execute(STARTER);
  showOutput(...r.results.map((x) => el("div", { class: "tag" }, x.tag)), ...(r.error ? [renderError(r.error, STARTER)] : []));
  status(r.error ? `Error ${r.error.code}` : "Starter tables loaded: cities, visits");
}

async function fetchBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${res.statusText}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  // Servers that send .gz with Content-Encoding: gzip have inflated it already.
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
}

/** TPC-H SF 0.01: the schema and CSV files made by wasm/build-site.mjs (from tpchgen, as the tests use). */
async function loadTpch() {
  const session = state.current.session;
  const t0 = performance.now();
  const fail = (what, r) => {
    showOutput(el("div", {}, what), renderError(r.error));
    status(`TPC-H: ${what} failed`, true);
  };
  const schema = await (await fetch("tpch/schema.sql")).text();
  let r = session.execute(schema);
  if (r.error) return fail("CREATE TABLE", r);
  const log = [];
  for (const table of TPCH_TABLES) {
    status(`TPC-H: loading ${table}…`);
    const bytes = await fetchBytes(`tpch/${table}.csv.gz`);
    r = session.copyFrom(`COPY ${table} FROM STDIN (FORMAT csv)`, bytes);
    if (r.error) return fail(`COPY ${table}`, r);
    log.push(el("div", { class: "tag" }, `${table}: ${r.results[0].tag}`));
    await new Promise((resolve) => setTimeout(resolve));
  }
  r = session.execute("ANALYZE");
  if (r.error) return fail("ANALYZE", r);
  state.tpchLoadMs = performance.now() - t0;
  await addTpchQueries();
  showOutput(...log, el("div", { class: "timing" }, `loaded in ${(state.tpchLoadMs / 1000).toFixed(1)} s; the 22 queries are under Examples`));
  status("TPC-H SF 0.01 loaded");
}

async function addTpchQueries() {
  const queries = await (await fetch("tpch/queries.json")).json();
  const group = el("optgroup", { label: "TPC-H" });
  for (const q of queries) group.append(el("option", { value: q.sql }, q.title));
  $("examples").append(group);
}

// ---------------------------------------------------------------- persistence

function download(bytes) {
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  el("a", { href: url, download: "openassay.oadb" }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Runs `f`, reporting an Error (e.g. one `Database.load` throws with a SQLSTATE) in the output. */
async function guarded(what, f) {
  try {
    await f();
  } catch (e) {
    showOutput(renderError({ code: e.code ?? "", message: `${what}: ${e.message}`, detail: e.detail, hint: e.hint }));
    status(`${what} failed`, true);
  }
}

async function save() {
  const bytes = state.db.save();
  const stored = await putImage("default", bytes);
  status(`Saved ${mb(bytes.length)} (${mb(stored)} stored) in this browser`);
}

async function restore() {
  const image = await getImage("default");
  if (!image) return status("Nothing saved in this browser yet");
  useDatabase(Database.load(image.bytes));
  status(`Loaded the database saved ${image.savedAt.toLocaleString()}`);
}

// ---------------------------------------------------------------- start

function wire() {
  $("run").onclick = run;
  $("explain").onclick = explain;
  $("new-session").onclick = openSession;
  $("load-starter").onclick = loadStarter;
  $("load-tpch").onclick = () => guarded("Loading TPC-H", loadTpch);
  $("save").onclick = () => guarded("Save", save);
  $("restore").onclick = () => guarded("Load", restore);
  $("download").onclick = () => guarded("Download", async () => download(state.db.save()));
  $("upload").onchange = (e) =>
    guarded("Open file", async () => {
      const file = e.target.files[0];
      if (!file) return;
      useDatabase(Database.load(new Uint8Array(await file.arrayBuffer())));
      e.target.value = "";
      status(`Opened ${file.name}`);
    });
  $("reset").onclick = () => (useDatabase(emptyDatabase()), status("New empty database"));
  for (const [title, sql] of EXAMPLES) $("examples").append(el("option", { value: sql }, title));
  $("examples").onchange = (e) => {
    if (e.target.value) $("sql").value = e.target.value;
    e.target.value = "";
    $("sql").focus();
  };
  $("sql").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      (e.shiftKey ? explain : run)();
    }
  });
  for (const b of document.querySelectorAll("button")) b.disabled = false;
}

/**
 * An empty database: a copy of boot.oadb.gz (an image of a freshly
 * bootstrapped one, made with this module by wasm/build-site.mjs), which is
 * faster than bootstrapping the catalog here; bootstrapping if that fails.
 */
function emptyDatabase() {
  if (state.bootImage) {
    try {
      return Database.load(state.bootImage);
    } catch (e) {
      console.warn(`boot.oadb.gz: ${e.message}; bootstrapping instead`);
      state.bootImage = null;
    }
  }
  return new Database();
}

async function start() {
  const t = performance.now();
  const boot = fetchBytes("boot.oadb.gz").catch(() => null);
  const wasm = await init();
  state.initMs = performance.now() - t;
  state.wasmMemoryBytes = () => wasm.memory.buffer.byteLength;
  state.bootImage = await boot;
  const initial = $("sql").value;
  const t1 = performance.now();
  useDatabase(emptyDatabase());
  state.openMs = performance.now() - t1;
  $("sql").value = initial;
  $("version").textContent = version();
  wire();
  run();
  document.body.dataset.ready = "true";
}

start().catch((e) => {
  status(`Could not start: ${e.message}`, true);
  console.error(e);
});
