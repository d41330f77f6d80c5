//! Link options of the browser module:
//! - `--export=__stack_pointer`: the shadow stack pointer, which the panic
//!   containment in `src/lib.rs` saves before each guarded call and puts
//!   back after a trap (the abandoned frames never restore it).
//! - Release-like builds (the `wasm` profile inherits from `release`, so cargo
//!   reports PROFILE=release) drop DWARF at link time: debug info from the
//!   precompiled standard library would otherwise inflate the .wasm that
//!   wasm-bindgen's CLI reads. The `name` section stays, so traps still show
//!   function names.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let wasm = std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f.split(',').any(|f| f == "wasm"));
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    if wasm {
        // Every linked target: the cdylib, and tests run by wasm-bindgen-test.
        println!("cargo::rustc-link-arg=--export=__stack_pointer");
    }
    if wasm && release {
        println!("cargo::rustc-link-arg-cdylib=--strip-debug");
    }
}
