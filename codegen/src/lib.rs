//! Cranelift JIT backend: pipelines to native loops.
