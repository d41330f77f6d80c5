//! The browser build (`wasm/dist/node`, made by `wasm/build-and-smoke.sh`)
//! as a [`Database`]: a Node child process running `wasm/repl.mjs`, one
//! JSON line per query string each way. `tests/slt_wasm.rs` runs every
//! `.slt` file through it, so the wasm32 engine is held to the same
//! expectations as the native one.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::Value;

use crate::{Database, DbError, Output};

/// The repository's `wasm/` directory.
pub fn wasm_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../wasm")
}

/// The Node build's glue, if it has been built.
pub fn node_build() -> Option<PathBuf> {
    let dist = wasm_dir().join("dist/node");
    dist.join("oa_wasm.js").is_file().then_some(dist)
}

/// A fresh wasm database with one session, in its own Node process.
pub struct WasmDb {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl WasmDb {
    /// Starts `node wasm/repl.mjs <dist>` (`OA_NODE` names another node).
    pub fn spawn(dist: &Path) -> Result<WasmDb, String> {
        let node = std::env::var("OA_NODE").unwrap_or_else(|_| "node".into());
        let mut child = Command::new(&node)
            .arg(wasm_dir().join("repl.mjs"))
            .arg(dist)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("could not start {node}: {e}"))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("node's pipes are missing".into());
        };
        Ok(WasmDb { child, stdin, stdout: BufReader::new(stdout) })
    }

    fn request(&mut self, sql: &str) -> Result<Value, String> {
        let mut line = serde_json::to_string(sql).map_err(|e| e.to_string())?;
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).and_then(|()| self.stdin.flush()).map_err(|e| format!("writing to node: {e}"))?;
        let mut reply = String::new();
        match self.stdout.read_line(&mut reply) {
            Ok(0) => Err(format!("node exited ({})", self.child.wait().map(|s| s.to_string()).unwrap_or_default())),
            Ok(_) => serde_json::from_str(&reply).map_err(|e| format!("bad reply from node ({e}): {reply}")),
            Err(e) => Err(format!("reading from node: {e}")),
        }
    }
}

impl Drop for WasmDb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Database for WasmDb {
    /// The last statement's result, as `tests/slt.rs` takes it from the
    /// native session.
    fn run(&mut self, sql: &str) -> Result<Output, DbError> {
        let reply = self.request(sql).map_err(DbError::client)?;
        if let Some(e) = reply.get("error").filter(|e| !e.is_null()) {
            let field = |f: &str| e.get(f).and_then(Value::as_str).unwrap_or_default().to_string();
            return Err(DbError { sqlstate: field("code"), message: field("message") });
        }
        let Some(last) = reply.get("results").and_then(Value::as_array).and_then(|r| r.last()) else {
            return Ok(Output::Command { tag: String::new() });
        };
        let bad = || DbError::client(format!("malformed result from node: {last}"));
        let tag = last.get("tag").and_then(Value::as_str).ok_or_else(bad)?.to_string();
        let Some(columns) = last.get("columns").and_then(Value::as_array) else {
            return Ok(Output::Command { tag });
        };
        let types = columns.iter().map(|c| c.get("type").and_then(Value::as_str).map(String::from)).collect::<Option<Vec<_>>>().ok_or_else(bad)?;
        let rows = last
            .get("rows")
            .and_then(Value::as_array)
            .ok_or_else(bad)?
            .iter()
            .map(|row| row.as_array()?.iter().map(|v| if v.is_null() { Some(None) } else { v.as_str().map(|s| Some(s.to_string())) }).collect())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(bad)?;
        Ok(Output::Rows { types, rows })
    }
}
