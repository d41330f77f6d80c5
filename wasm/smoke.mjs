// Smoke test of the browser build through its C ABI (see wasm/src/lib.rs).
// Plain Node 20 ESM, no packages:
//   node wasm/smoke.mjs [path/to/oa_wasm.wasm]
// The default path honours CARGO_TARGET_DIR. Prints a short report; exits
// non-zero on any mismatch.

import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { isDeepStrictEqual } from "node:util";

const targetDir = process.env.CARGO_TARGET_DIR || "target";
const wasmPath = process.argv[2] || `${targetDir}/wasm32-unknown-unknown/release/oa_wasm.wasm`;

let failures = 0;
function check(name, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
  if (!ok) {
    failures++;
    if (detail !== undefined) console.log(`     ${detail}`);
  }
}

const bytes = await readFile(wasmPath);
const t0 = performance.now();
const module = await WebAssembly.compile(bytes);
const importObject = { env: { oa_host_now_ms: () => Date.now() } };
// The ABI imports only env.oa_host_now_ms. Anything else must be dead code:
// stub it with functions that throw, and report it.
const foreign = WebAssembly.Module.imports(module).filter((i) => !(i.module === "env" && i.name === "oa_host_now_ms"));
for (const i of foreign) {
  if (i.kind !== "function") throw new Error(`cannot stub import ${i.module}.${i.name} (${i.kind})`);
  (importObject[i.module] ??= {})[i.name] = () => {
    throw new Error(`the module called the unexpected import ${i.module}.${i.name}`);
  };
}
const instance = await WebAssembly.instantiate(module, importObject);
const instantiateMs = performance.now() - t0;
const abi = instance.exports;
if (foreign.length > 0) {
  const modules = [...new Set(foreign.map((i) => i.module))].join(", ");
  console.log(`WARN ${foreign.length} import(s) besides env.oa_host_now_ms (from ${modules}); stubbed with throwing functions`);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function resultText(ptr) {
  // Views over memory.buffer go stale when memory grows: make them right before use.
  return decoder.decode(new Uint8Array(abi.memory.buffer, ptr, abi.oa_result_len()));
}

// A call into the module; a trap (Rust panic) or a throwing import becomes
// {ok:false, trap}, with whatever the panic hook left in the result buffer.
function guard(f) {
  try {
    return f();
  } catch (e) {
    let after = "";
    try {
      after = resultText(abi.oa_result_ptr());
    } catch {}
    const frames = (e.stack || "").split("\n").filter((l) => l.includes("wasm-function")).slice(0, 12).map((l) => l.trim().replace(/ \(wasm:.*\)$/, ""));
    return { ok: false, trap: `${e.constructor.name}: ${e.message}`, result: after, frames };
  }
}

function describe(r) {
  if (r?.trap) return `trapped: ${r.trap}\n     result buffer: ${r.result}\n       ${r.frames.join("\n       ")}`;
  return JSON.stringify(r);
}

function execute(handle, sql) {
  const sqlBytes = encoder.encode(sql);
  const ptr = abi.oa_alloc(sqlBytes.length);
  if (sqlBytes.length > 0 && ptr === 0) throw new Error("oa_alloc failed");
  new Uint8Array(abi.memory.buffer, ptr, sqlBytes.length).set(sqlBytes);
  try {
    return guard(() => JSON.parse(resultText(abi.oa_execute(handle, ptr, sqlBytes.length))));
  } finally {
    abi.oa_free(ptr, sqlBytes.length);
  }
}

const exportNames = ["memory", "oa_alloc", "oa_free", "oa_open", "oa_execute", "oa_result_len", "oa_result_ptr", "oa_close"];
check("exports present", exportNames.every((e) => e in abi), `missing: ${exportNames.filter((e) => !(e in abi))}`);

const t1 = performance.now();
const handle = guard(() => abi.oa_open());
const openMs = performance.now() - t1;
const opened = guard(() => JSON.parse(resultText(abi.oa_result_ptr())));
check("oa_open returns a handle", typeof handle === "number" && handle !== 0 && opened.ok === true && opened.handle === handle, typeof handle === "number" ? describe(opened) : describe(handle));

const t2 = performance.now();
const dml = execute(handle, "CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1,'x'),(2,NULL); SELECT a, b FROM t ORDER BY a DESC");
const dmlMs = performance.now() - t2;
const last = dml.results?.at(-1);
check("CREATE/INSERT/SELECT ok", dml.ok === true && dml.results.length === 3, describe(dml));
check("tags", isDeepStrictEqual(dml.results?.map((r) => r.tag), ["CREATE TABLE", "INSERT 0 2", "SELECT 2"]), JSON.stringify(dml.results?.map((r) => r.tag)));
check("columns a int4, b text", isDeepStrictEqual(last?.columns, [{ name: "a", type: "int4" }, { name: "b", type: "text" }]), JSON.stringify(last?.columns));
check('rows [["2",null],["1","x"]]', isDeepStrictEqual(last?.rows, [["2", null], ["1", "x"]]), JSON.stringify(last?.rows));

const div = execute(handle, "SELECT 1/0");
check("SELECT 1/0 -> 22012 division by zero", div.ok === false && div.code === "22012" && div.message === "division by zero", describe(div));

// Position is in characters, 1-based (é is two bytes).
const syntax = execute(handle, "SELECT 'é' +");
check("syntax error -> 42601 at character 13", syntax.ok === false && syntax.code === "42601" && syntax.position === 13, describe(syntax));

const escaped = execute(handle, "SELECT E'q\"b\\\\s\\nnl\\u2028' AS \"we\"\"ird\"");
check(
  "JSON escaping",
  escaped.ok === true && isDeepStrictEqual(escaped.results[0].rows, [['q"b\\s\nnl\u2028']]) && escaped.results[0].columns[0].name === 'we"ird',
  describe(escaped),
);

const year = execute(handle, "SELECT extract(year FROM now())::int");
const hostYear = new Date().getUTCFullYear();
const gotYear = Number(year.results?.[0]?.rows?.[0]?.[0]);
check(`now() follows Date.now() (year ${hostYear})`, year.ok === true && Math.abs(gotYear - hostYear) <= 1, describe(year));

const second = guard(() => abi.oa_open());
const shared = execute(second, "SELECT count(*) FROM t");
check("a second session shares the engine", second !== handle && isDeepStrictEqual(shared.results?.[0]?.rows, [["2"]]), describe(shared));
guard(() => abi.oa_close(second));
const closed = execute(second, "SELECT 1");
check("a closed handle -> 08003", closed.ok === false && closed.code === "08003", describe(closed));
guard(() => abi.oa_close(handle));

const mib = (n) => (n / 1024 / 1024).toFixed(1);
console.log(`\n${wasmPath}: ${mib(bytes.length)} MiB; linear memory now ${mib(abi.memory.buffer.byteLength)} MiB`);
console.log(`compile + instantiate: ${instantiateMs.toFixed(1)} ms`);
console.log(`oa_open, first call (creates the engine, bootstraps the catalog): ${openMs.toFixed(1)} ms (browser goal < 100 ms)`);
console.log(`CREATE TABLE; INSERT; SELECT: ${dmlMs.toFixed(1)} ms`);
console.log(failures === 0 ? "smoke: all checks passed" : `smoke: ${failures} check(s) FAILED`);
process.exit(failures === 0 ? 0 : 1);
