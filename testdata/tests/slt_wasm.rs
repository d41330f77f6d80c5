//! Runs every `.slt` file under `testdata/` against the browser build: the
//! engine compiled to wasm32 (`wasm/dist/node`), in Node, through
//! `oa_slt::wasm::WasmDb`. Same files, same session settings, same
//! expectations as `tests/slt.rs` runs natively, so both builds must return
//! the same results.
//!
//! The wasm build is made by `wasm/build-and-smoke.sh`, not by cargo. Without
//! it every test is reported as ignored (skipped), after a message saying
//! why; `OA_SLT_WASM_REQUIRED=1` (CI) turns that into failures.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libtest_mimic::{Arguments, Failed, Trial};
use oa_slt::wasm::{WasmDb, node_build};
use oa_slt::{Database, SESSION_SETTINGS, TPCH_DIR_VAR, Vars, parse_file, run_file, tpch};

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(root, &mut files);
    files.sort();
    let build = node_build();
    let required = std::env::var_os("OA_SLT_WASM_REQUIRED").is_some_and(|v| v != "0");
    if build.is_none() && !args.list {
        eprintln!(
            "slt_wasm: {} not built: {} .slt files {} (run wasm/build-and-smoke.sh first)",
            oa_slt::wasm::wasm_dir().join("dist/node/oa_wasm.js").display(),
            files.len(),
            if required { "fail, as OA_SLT_WASM_REQUIRED asks" } else { "skipped" }
        );
    }
    let trials = files
        .into_iter()
        .map(|path| {
            let name = path.strip_prefix(root).unwrap_or(&path).display().to_string();
            let skip = build.is_none() && !required;
            let build = build.clone();
            Trial::test(name, move || run(&path, build.as_deref())).with_ignored_flag(skip)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "slt") {
            out.push(path);
        }
    }
}

fn run(path: &Path, build: Option<&Path>) -> Result<(), Failed> {
    let Some(dist) = build else {
        return Err("the wasm build (wasm/dist/node) is missing: run wasm/build-and-smoke.sh".into());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file = parse_file(path, &text).map_err(|e| e.to_string())?;
    let mut db = WasmDb::spawn(dist)?;
    for setting in SESSION_SETTINGS {
        db.run(setting).map_err(|e| format!("session setting {setting:?} failed: {e}"))?;
    }
    let mut vars = Vars::new();
    if text.contains(&format!("${{{TPCH_DIR_VAR}}}")) {
        vars.insert(TPCH_DIR_VAR.to_string(), tpch_dir()?);
    }
    run_file(&file, &mut db, &vars).map_err(|e| e.to_string())?;
    Ok(())
}

/// The TPC-H data directory (the one `tests/slt.rs` uses), generated once per process.
fn tpch_dir() -> Result<String, String> {
    static DIR: OnceLock<Result<String, String>> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tpch::default_dir();
        tpch::generate(&dir, tpch::SCALE_FACTOR)
            .map(|()| dir.display().to_string())
            .map_err(|e| format!("generating TPC-H data in {}: {e}", dir.display()))
    })
    .clone()
}
