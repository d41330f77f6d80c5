//! Release builds of the browser module drop DWARF at link time: the
//! workspace's `debug = "line-tables-only"` (meant for native profiling)
//! would otherwise more than double the .wasm (about 29 MB of `.debug_*`
//! sections). The `name` section stays, so traps still show function names.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let wasm = std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f.split(',').any(|f| f == "wasm"));
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    if wasm && release {
        println!("cargo::rustc-link-arg-cdylib=--strip-debug");
    }
}
