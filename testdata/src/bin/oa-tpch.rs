//! oa-tpch: writes the TPC-H tables at the test suite's scale factor (0.01)
//! as CSV files, the data `testdata/tpch/tpch.slt` loads. The web console's
//! sample data comes from here (`wasm/build-site.mjs`).
//!
//! usage: oa-tpch DIR

use std::path::PathBuf;
use std::process::ExitCode;

use oa_slt::tpch;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir] = args.as_slice() else {
        eprintln!("usage: oa-tpch DIR");
        return ExitCode::from(2);
    };
    match tpch::generate(&PathBuf::from(dir), tpch::SCALE_FACTOR) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oa-tpch: {dir}: {e}");
            ExitCode::FAILURE
        }
    }
}
