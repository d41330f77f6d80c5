//! Execution backends. The interpreter is one; codegen's Cranelift JIT will
//! be another, taking over pipelines it can compile. Both run the same
//! pipeline graphs and share the runtime's row layouts and helpers.

use oa_ir::Result;
use oa_ir::pipeline::PipelineGraph;

use crate::exec::{ExecEnv, Executor, Step};

/// A backend turns a pipeline graph into a resumable execution.
pub trait Backend: Send + Sync {
    fn name(&self) -> &'static str;
    fn start(&self, graph: PipelineGraph) -> Result<Box<dyn Execution>>;
}

/// A running query: stepped a morsel at a time until `Step::Done`.
pub trait Execution {
    fn step(&mut self, env: &mut ExecEnv) -> Result<Step>;
    /// Rows inserted, updated or deleted so far.
    fn rows_affected(&self) -> u64;
}

/// The interpreter: columnar morsels through the pipeline operators.
pub struct Interpreter;

impl Backend for Interpreter {
    fn name(&self) -> &'static str {
        "interpreter"
    }

    fn start(&self, graph: PipelineGraph) -> Result<Box<dyn Execution>> {
        Ok(Box::new(Executor::new(graph)))
    }
}

impl Execution for Executor {
    fn step(&mut self, env: &mut ExecEnv) -> Result<Step> {
        Executor::step(self, env)
    }

    fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}
