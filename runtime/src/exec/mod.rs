//! The interpreter: runs pipeline graphs morsel by morsel as a resumable
//! state machine. `Executor::step` does a bounded amount of work and returns,
//! so a caller can stream rows to a client, stop at a portal's row limit,
//! honour cancel and statement_timeout, or yield in the browser.

pub mod agg;
pub mod eval;
pub mod func;
pub mod hash;
mod modify;
mod pgsort;
mod srf;
pub mod vector;
mod window;

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Bound;
use std::sync::Arc;

use oa_ir::datum::Datum;
use oa_ir::expr::{ColumnId, ScalarExpr, SubqueryExpr, SubqueryKind};
use oa_ir::io::IoContext;
use oa_ir::physical::IndexOp;
use oa_ir::pipeline::{Operator, PipelineGraph, SetOpSide, Sink, Source};
use oa_ir::plan::{CTID_ATTNUM, JoinKind, PlanColumn, SetOpKind, SrfCall};
use oa_ir::types::PhysicalType;
use oa_ir::{Error, Result, SqlState};
use oa_storage::{BtreeScan, HeapScan, IndexBatch, RawValue, RelFileNumber, Snapshot, Storage, Transaction, TupleBatch, TupleDesc};

use crate::builtins::math::PgPrng;
use crate::catalog::CatalogView;
use eval::{EvalContext, EvalHost, Expr, SubqueryCatalog, compile, physical_of};
use func::SessionInfo;
pub use modify::{DeferredCheck, run_deferred_checks};
use vector::{Column, ColumnData, MORSEL_ROWS, Morsel};

/// Everything a statement's execution needs from its session, per step.
pub struct ExecEnv<'a> {
    pub storage: &'a Arc<Storage>,
    pub txn: &'a mut Transaction,
    pub snapshot: &'a Snapshot,
    pub catalog: &'a CatalogView,
    pub io: &'a IoContext,
    pub session: &'a SessionInfo,
    pub random: &'a mut PgPrng,
    pub sequences: &'a mut crate::sequence::SequenceSession,
    /// The session's configuration parameters (current_setting, set_config).
    pub settings: &'a mut crate::settings::Settings,
    /// Inside BEGIN … COMMIT (set_config's is_local needs one).
    pub in_transaction_block: bool,
    pub params: &'a [Datum],
    /// Constraint checks queued until the end of the statement or the transaction.
    pub deferred: &'a mut Vec<DeferredCheck>,
    pub cancel: &'a std::sync::atomic::AtomicBool,
}

/// What one step produced.
#[derive(Debug)]
pub enum Step {
    /// Rows for the client.
    Rows(Morsel),
    /// Work was done; call again.
    Continue,
    Done,
}

/// The rows of the data-modifying WITH queries of one statement, by CTE id:
/// shared by the executor and every nested one (subqueries, LATERAL, recursion).
type CteStore = Arc<std::sync::Mutex<HashMap<u32, Vec<Morsel>>>>;

/// Shared state between pipelines.
enum State {
    Empty,
    Rows { morsels: Vec<Morsel>, next: usize },
    Hash(Box<HashTable>),
    Agg(Box<AggTable>),
    Sort(Box<SortBuffer>),
    Distinct { seen: HashSet<Vec<Datum>>, rows: Vec<Morsel> },
    SetOp(Box<SetOpTable>),
}

/// The build side of a hash join.
struct HashTable {
    rows: Morsel,
    keys: Vec<Column>,
    map: HashMap<u64, Vec<u32>>,
    matched: Vec<bool>,
    has_null_key: bool,
}

/// Inputs of a DISTINCT/ORDER BY aggregate call: (sort keys, arguments) per row.
type AggBuffer = Vec<(Vec<Datum>, Vec<Datum>)>;

struct AggTable {
    groups: HashMap<Vec<Datum>, usize>,
    keys: Vec<Vec<Datum>>,
    states: Vec<Vec<agg::AggState>>,
    /// Per group and aggregate: buffered inputs for DISTINCT/ORDER BY aggregates.
    buffered: Vec<Vec<AggBuffer>>,
}

struct SortBuffer {
    rows: Morsel,
    keys: Vec<Vec<Datum>>,
}

struct SetOpTable {
    /// By key (bpchar trimmed): left count, right count, first position.
    counts: HashMap<Vec<Datum>, (usize, usize, usize)>,
    /// Distinct rows as first seen, with their keys.
    order: Vec<(Vec<Datum>, Vec<Datum>)>,
}

/// A compiled operator with its run-time state.
enum Op {
    Filter(Expr),
    Project(Vec<Expr>),
    HashProbe {
        state: usize,
        kind: JoinKind,
        keys: Vec<Expr>,
        residual: Option<Expr>,
        mark: bool,
        build_types: Vec<PhysicalType>,
    },
    NestedLoop {
        state: usize,
        kind: JoinKind,
        condition: Expr,
        mark: bool,
        inner_types: Vec<PhysicalType>,
        matched: Vec<bool>,
    },
    /// LATERAL: the inner graph runs per outer row with `params` (id, position) bound.
    Apply {
        kind: JoinKind,
        inner: Box<PipelineGraph>,
        params: Vec<(ColumnId, usize)>,
        condition: Expr,
        mark: bool,
        inner_types: Vec<PhysicalType>,
    },
    Limit {
        limit: Option<u64>,
        offset: u64,
        seen: u64,
        emitted: u64,
    },
    DistinctOn {
        on: Vec<Expr>,
        last: Option<Vec<Datum>>,
    },
    Modify(Box<modify::ModifyOp>),
}

enum SourceState {
    Scan(Box<ScanState>),
    Rows(VecDeque<Morsel>),
    State { state: usize },
    WorkTable(u32),
    Recursive(Box<RecursiveState>),
}

struct ScanState {
    access: ScanAccess,
    batch: TupleBatch,
    desc: TupleDesc,
    /// The `tableoid` system column's value.
    table_oid: oa_ir::Oid,
    columns: Vec<(i16, PhysicalType)>,
    filter: Option<Expr>,
    done: bool,
}

enum ScanAccess {
    Heap(HeapScan),
    Index(Box<IndexScanState>),
}

/// An index scan: bounds from the index conditions (evaluated when the scan
/// starts, so parameters and outer columns are known), then heap fetches.
struct IndexScanState {
    heap: RelFileNumber,
    index: RelFileNumber,
    quals: Vec<(IndexOp, Expr)>,
    /// The index conditions again, on fetched rows: a heap slot may have
    /// been reused since the entry pointing at it was made.
    recheck: Expr,
    scan: Option<BtreeScan>,
    entries: IndexBatch,
    done: bool,
}

struct RecursiveState {
    id: u32,
    all: bool,
    recursive: PipelineGraph,
    seen: HashSet<Vec<Datum>>,
    phase: RecPhase,
    width: usize,
}

enum RecPhase {
    Base(Box<Executor>),
    Iterate { current: Option<Box<Executor>>, produced: Vec<Morsel> },
    Done,
}

struct Running {
    source: SourceState,
    ops: Vec<Op>,
    sink: CompiledSink,
    finished_source: bool,
}

enum CompiledSink {
    Output,
    HashBuild {
        state: usize,
        keys: Vec<Expr>,
    },
    Materialize {
        state: usize,
    },
    Aggregate {
        state: usize,
        group_by: Vec<Expr>,
        bpchar: Vec<bool>,
        aggs: Vec<CompiledAgg>,
    },
    Sort {
        state: usize,
        keys: Vec<(Expr, bool, bool)>,
        limit: Option<Expr>,
        offset: Option<Expr>,
        with_ties: bool,
    },
    /// `bpchar`: which columns compare without trailing spaces.
    Distinct {
        state: usize,
        bpchar: Vec<bool>,
    },
    SetOp {
        state: usize,
        op: SetOpKind,
        all: bool,
        side: SetOpSide,
        bpchar: Vec<bool>,
    },
    Cte {
        id: u32,
    },
    /// Keeps the rows like Materialize, then computes the window functions.
    Window {
        state: usize,
        window: Box<window::CompiledWindow>,
    },
}

struct CompiledAgg {
    kind: agg::AggKind,
    ret: oa_ir::SqlType,
    args: Vec<Expr>,
    filter: Option<Expr>,
    distinct: bool,
    order: Vec<(Expr, bool, bool)>,
}

/// Subqueries of expressions: compiled lazily, uncorrelated results cached.
#[derive(Default)]
struct Subqueries {
    defs: Vec<SubqueryExpr>,
    graphs: Vec<Option<PipelineGraph>>,
    cache: Vec<Option<Datum>>,
    /// The statement's WITH query results, for subqueries that read them.
    ctes: CteStore,
}

impl SubqueryCatalog for Subqueries {
    fn add_subquery(&mut self, s: &SubqueryExpr) -> Result<usize> {
        self.defs.push(s.clone());
        self.graphs.push(None);
        self.cache.push(None);
        Ok(self.defs.len() - 1)
    }
}

pub struct Executor {
    graph: PipelineGraph,
    states: Vec<State>,
    next_pipeline: usize,
    running: Option<Running>,
    output: VecDeque<Morsel>,
    subqueries: Subqueries,
    /// Rows of the recursive CTEs' previous iteration, by work-table id.
    worktables: HashMap<u32, Vec<Morsel>>,
    /// Values of enclosing rows' columns (correlated subqueries).
    outer: HashMap<ColumnId, Datum>,
    /// Rows of the data-modifying WITH queries (shared with nested executors).
    ctes: CteStore,
    /// Whether the running pipeline's writes count towards `rows_affected`
    /// (a WITH query's do not: the command tag is the main statement's).
    counting: bool,
    pub rows_affected: u64,
    done: bool,
}

impl Executor {
    pub fn new(graph: PipelineGraph) -> Executor {
        let states = (0..graph.num_states).map(|_| State::Empty).collect();
        let ctes = CteStore::default();
        Executor {
            graph,
            states,
            next_pipeline: 0,
            running: None,
            output: VecDeque::new(),
            subqueries: Subqueries { ctes: ctes.clone(), ..Subqueries::default() },
            worktables: HashMap::new(),
            outer: HashMap::new(),
            ctes,
            counting: true,
            rows_affected: 0,
            done: false,
        }
    }

    /// A nested executor (subquery, LATERAL side, recursive term) reading this statement's WITH results.
    fn nested(graph: PipelineGraph, ctes: &CteStore) -> Executor {
        let mut e = Executor::new(graph);
        e.ctes = ctes.clone();
        e.subqueries.ctes = ctes.clone();
        e
    }

    pub fn output_columns(&self) -> &[PlanColumn] {
        &self.graph.output
    }

    /// Runs until the next rows are ready or the query finished.
    pub fn step(&mut self, env: &mut ExecEnv) -> Result<Step> {
        if let Some(m) = self.output.pop_front() {
            return Ok(Step::Rows(m));
        }
        if self.done {
            return Ok(Step::Done);
        }
        if env.cancel.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(Error::new(SqlState::QUERY_CANCELED, "canceling statement due to user request"));
        }
        if self.running.is_none() {
            if self.next_pipeline >= self.graph.pipelines.len() {
                self.done = true;
                return Ok(Step::Done);
            }
            let idx = self.next_pipeline;
            self.next_pipeline += 1;
            let running = self.start_pipeline(idx, env)?;
            self.running = Some(running);
        }
        self.advance(env)?;
        Ok(match self.output.pop_front() {
            Some(m) => Step::Rows(m),
            None => Step::Continue,
        })
    }

    /// Runs to completion, collecting every output morsel.
    pub fn run_all(&mut self, env: &mut ExecEnv) -> Result<Vec<Morsel>> {
        let mut out = Vec::new();
        loop {
            match self.step(env)? {
                Step::Rows(m) => out.push(m),
                Step::Continue => {}
                Step::Done => return Ok(out),
            }
        }
    }

    fn layout_of(cols: &[PlanColumn]) -> Vec<ColumnId> {
        cols.iter().map(|c| c.id).collect()
    }

    fn start_pipeline(&mut self, idx: usize, env: &mut ExecEnv) -> Result<Running> {
        let p = self.graph.pipelines[idx].clone();
        self.counting = !matches!(p.sink, Sink::Cte { .. });
        let subs = &mut self.subqueries;
        let (source, mut layout) = match &p.source {
            Source::Scan { table, columns, filter, index } => {
                let desc = TupleDesc::new(table.live_columns().map(|c| physical_of(c.ty)).collect::<Vec<_>>());
                // Tuples store every attribute, dropped ones included: build the full layout.
                let full = TupleDesc::new(table.columns.iter().map(|c| physical_of(c.ty)).collect::<Vec<_>>());
                let _ = desc;
                let layout: Vec<ColumnId> = columns.iter().map(|c| c.id).collect();
                let filter = match filter {
                    Some(f) => Some(compile(f, &layout, subs)?),
                    None => None,
                };
                let access = match index {
                    None => ScanAccess::Heap(env.storage.scan(RelFileNumber(table.relfilenode), env.snapshot)?),
                    Some(ix) => {
                        let desc = table.indexes.get(ix.index).ok_or_else(|| Error::internal("index scan of a missing index"))?;
                        let empty: Vec<ColumnId> = vec![];
                        let quals = ix.quals.iter().map(|q| Ok((q.op, compile(&q.value, &empty, subs)?))).collect::<Result<_>>()?;
                        let conds = ScalarExpr::conjunction(ix.quals.iter().map(|q| q.cond.clone()).collect());
                        ScanAccess::Index(Box::new(IndexScanState {
                            heap: RelFileNumber(table.relfilenode),
                            index: RelFileNumber(desc.relfilenode),
                            quals,
                            recheck: compile(&conds, &layout, subs)?,
                            scan: None,
                            entries: IndexBatch::default(),
                            done: false,
                        }))
                    }
                };
                (
                    SourceState::Scan(Box::new(ScanState {
                        access,
                        batch: TupleBatch::new(),
                        desc: full,
                        table_oid: table.oid,
                        columns: columns.iter().map(|c| (c.attnum, physical_of(c.ty))).collect(),
                        filter,
                        done: false,
                    })),
                    layout,
                )
            }
            Source::Values { columns, rows } => {
                let layout = Self::layout_of(columns);
                let m = self.values_morsel(columns, rows, env)?;
                (SourceState::Rows(m.chunks().into()), layout)
            }
            Source::Function { calls, ordinality } => {
                let layout = Self::layout_of(&SrfCall::scan_columns(calls, ordinality));
                let m = self.function_morsel(calls, ordinality.is_some(), env)?;
                (SourceState::Rows(m.chunks().into()), layout)
            }
            Source::WorkTable { id, columns } => (SourceState::WorkTable(*id), Self::layout_of(columns)),
            Source::State { state, columns } => (SourceState::State { state: *state }, Self::layout_of(columns)),
            Source::Cte { id, columns } => {
                let rows = {
                    let store = self.ctes.lock().map_err(|_| Error::internal("WITH query results unavailable"))?;
                    store.get(id).cloned().ok_or_else(|| Error::internal(format!("WITH query {id} has not run")))?
                };
                (SourceState::Rows(rows.into()), Self::layout_of(columns))
            }
            Source::Recursive { id, all, base, recursive, columns } => {
                let mut base_exec = Executor::nested((**base).clone(), &self.ctes);
                base_exec.outer = self.outer.clone();
                (
                    SourceState::Recursive(Box::new(RecursiveState {
                        id: *id,
                        all: *all,
                        recursive: (**recursive).clone(),
                        seen: HashSet::new(),
                        phase: RecPhase::Base(Box::new(base_exec)),
                        width: columns.len(),
                    })),
                    Self::layout_of(columns),
                )
            }
        };
        let mut ops = Vec::new();
        for op in &p.operators {
            let (compiled, out_layout) = self.compile_op(op, &layout, env)?;
            ops.push(compiled);
            layout = out_layout;
        }
        let subs = &mut self.subqueries;
        let sink = match &p.sink {
            Sink::Output => CompiledSink::Output,
            Sink::HashBuild { state, keys } => {
                CompiledSink::HashBuild { state: *state, keys: keys.iter().map(|k| compile_key(k, &layout, subs)).collect::<Result<_>>()? }
            }
            Sink::Materialize { state } => CompiledSink::Materialize { state: *state },
            Sink::Aggregate { state, group_by, aggs } => {
                let mut compiled = Vec::new();
                for (_, a) in aggs {
                    compiled.push(CompiledAgg {
                        kind: agg::AggKind::of(&a.func)?,
                        ret: a.func.ret_type,
                        args: a.args.iter().map(|x| compile(x, &layout, subs)).collect::<Result<_>>()?,
                        filter: a.filter.as_ref().map(|f| compile(f, &layout, subs)).transpose()?,
                        distinct: a.distinct,
                        order: a
                            .order_by
                            .iter()
                            .map(|k| Ok((compile(&k.expr, &layout, subs)?, k.descending, k.nulls_first)))
                            .collect::<Result<_>>()?,
                    });
                }
                CompiledSink::Aggregate {
                    state: *state,
                    group_by: group_by.iter().map(|(_, e)| compile(e, &layout, subs)).collect::<Result<_>>()?,
                    bpchar: group_by.iter().map(|(c, _)| is_bpchar(c.ty)).collect(),
                    aggs: compiled,
                }
            }
            Sink::Sort { state, keys, limit, offset, with_ties } => CompiledSink::Sort {
                state: *state,
                keys: keys.iter().map(|k| Ok((compile_key(&k.expr, &layout, subs)?, k.descending, k.nulls_first))).collect::<Result<_>>()?,
                limit: limit.as_ref().map(|l| compile(l, &layout, subs)).transpose()?,
                offset: offset.as_ref().map(|l| compile(l, &layout, subs)).transpose()?,
                with_ties: *with_ties,
            },
            Sink::Distinct { state } => CompiledSink::Distinct { state: *state, bpchar: self.state_bpchar(*state) },
            Sink::SetOp { state, op, all, side } => {
                CompiledSink::SetOp { state: *state, op: *op, all: *all, side: *side, bpchar: self.state_bpchar(*state) }
            }
            Sink::Cte { id } => CompiledSink::Cte { id: *id },
            Sink::Window { state, spec, funcs } => {
                CompiledSink::Window { state: *state, window: Box::new(window::compile_window(spec, funcs, &layout, subs)?) }
            }
        };
        self.init_sink_state(&sink);
        Ok(Running { source, ops, sink, finished_source: false })
    }

    fn init_sink_state(&mut self, sink: &CompiledSink) {
        match sink {
            CompiledSink::HashBuild { state, .. } => {
                self.states[*state] = State::Hash(Box::new(HashTable {
                    rows: Morsel::default(),
                    keys: vec![],
                    map: HashMap::new(),
                    matched: vec![],
                    has_null_key: false,
                }))
            }
            CompiledSink::Window { state, .. } => self.states[*state] = State::Rows { morsels: vec![], next: 0 },
            CompiledSink::Materialize { state } => {
                if !matches!(self.states[*state], State::Rows { .. }) {
                    self.states[*state] = State::Rows { morsels: vec![], next: 0 };
                }
            }
            CompiledSink::Aggregate { state, .. } => {
                self.states[*state] = State::Agg(Box::new(AggTable { groups: HashMap::new(), keys: vec![], states: vec![], buffered: vec![] }))
            }
            CompiledSink::Sort { state, .. } => self.states[*state] = State::Sort(Box::new(SortBuffer { rows: Morsel::default(), keys: vec![] })),
            CompiledSink::Distinct { state, .. } => self.states[*state] = State::Distinct { seen: HashSet::new(), rows: vec![] },
            CompiledSink::SetOp { state, side, .. } => {
                if *side == SetOpSide::Left || !matches!(self.states[*state], State::SetOp(_)) {
                    self.states[*state] = State::SetOp(Box::new(SetOpTable { counts: HashMap::new(), order: vec![] }));
                }
            }
            CompiledSink::Cte { id } => {
                if let Ok(mut store) = self.ctes.lock() {
                    store.insert(*id, Vec::new());
                }
            }
            CompiledSink::Output => {}
        }
    }

    fn compile_op(&mut self, op: &Operator, layout: &[ColumnId], env: &mut ExecEnv) -> Result<(Op, Vec<ColumnId>)> {
        let layout_v: Vec<ColumnId> = layout.to_vec();
        let subs = &mut self.subqueries;
        Ok(match op {
            Operator::Filter { predicate } => (Op::Filter(compile(predicate, &layout_v, subs)?), layout_v),
            Operator::Project { items } => {
                let exprs = items.iter().map(|(_, e)| compile(e, &layout_v, subs)).collect::<Result<_>>()?;
                (Op::Project(exprs), items.iter().map(|(c, _)| c.id).collect())
            }
            Operator::HashProbe { state, kind, keys, residual, mark, build_columns } => {
                let mut joined = layout_v.clone();
                joined.extend(build_columns.iter().map(|c| c.id));
                let op = Op::HashProbe {
                    state: *state,
                    kind: *kind,
                    keys: keys.iter().map(|k| compile_key(k, &layout_v, subs)).collect::<Result<_>>()?,
                    residual: residual.as_ref().map(|r| compile(r, &joined, subs)).transpose()?,
                    mark: mark.is_some(),
                    build_types: build_columns.iter().map(|c| physical_of(c.ty)).collect(),
                };
                let mut out = layout_v.clone();
                if kind.outputs_right() {
                    out.extend(build_columns.iter().map(|c| c.id));
                }
                out.extend(mark.iter().map(|c| c.id));
                (op, out)
            }
            Operator::NestedLoop { state, kind, condition, mark, inner_columns } => {
                let mut joined = layout_v.clone();
                joined.extend(inner_columns.iter().map(|c| c.id));
                let op = Op::NestedLoop {
                    state: *state,
                    kind: *kind,
                    condition: compile(condition, &joined, subs)?,
                    mark: mark.is_some(),
                    inner_types: inner_columns.iter().map(|c| physical_of(c.ty)).collect(),
                    matched: vec![],
                };
                let mut out = layout_v.clone();
                if kind.outputs_right() {
                    out.extend(inner_columns.iter().map(|c| c.id));
                }
                out.extend(mark.iter().map(|c| c.id));
                (op, out)
            }
            Operator::Apply { kind, inner, params, condition, mark, inner_columns } => {
                if matches!(kind, JoinKind::Right | JoinKind::Full) {
                    return Err(Error::internal("a LATERAL reference under a RIGHT or FULL join"));
                }
                let mut joined = layout_v.clone();
                joined.extend(inner_columns.iter().map(|c| c.id));
                let params = params
                    .iter()
                    .map(|id| {
                        layout_v
                            .iter()
                            .position(|c| c == id)
                            .map(|p| (*id, p))
                            .ok_or_else(|| Error::internal(format!("LATERAL parameter {id:?} not in the outer row")))
                    })
                    .collect::<Result<_>>()?;
                let op = Op::Apply {
                    kind: *kind,
                    inner: inner.clone(),
                    params,
                    condition: compile(condition, &joined, subs)?,
                    mark: mark.is_some(),
                    inner_types: inner_columns.iter().map(|c| physical_of(c.ty)).collect(),
                };
                let mut out = layout_v.clone();
                if kind.outputs_right() {
                    out.extend(inner_columns.iter().map(|c| c.id));
                }
                out.extend(mark.iter().map(|c| c.id));
                (op, out)
            }
            Operator::Limit { limit, offset } => {
                let empty: Vec<ColumnId> = vec![];
                let limit = limit.as_ref().map(|e| compile(e, &empty, subs)).transpose()?;
                let offset = offset.as_ref().map(|e| compile(e, &empty, subs)).transpose()?;
                let l = match &limit {
                    Some(e) => self.eval_const_int(e, env, "LIMIT")?,
                    None => None,
                };
                let o = match &offset {
                    Some(e) => self.eval_const_int(e, env, "OFFSET")?.unwrap_or(0),
                    None => 0,
                };
                (Op::Limit { limit: l, offset: o, seen: 0, emitted: 0 }, layout_v)
            }
            Operator::DistinctOn { on } => {
                (Op::DistinctOn { on: on.iter().map(|e| compile_key(e, &layout_v, subs)).collect::<Result<_>>()?, last: None }, layout_v)
            }
            Operator::Insert { .. } | Operator::Update { .. } | Operator::Delete { .. } => {
                let (m, out) = modify::ModifyOp::compile(op, &layout_v, subs)?;
                (Op::Modify(Box::new(m)), out)
            }
        })
    }

    /// Runs `f` with an evaluation context whose host is this executor.
    pub(crate) fn with_ctx<T>(&mut self, env: &mut ExecEnv, f: impl FnOnce(&mut EvalContext) -> Result<T>) -> Result<T> {
        let outer = std::mem::take(&mut self.outer);
        let (io, session, params) = (env.io, env.session, env.params);
        let result = {
            let mut host = Host { subs: &mut self.subqueries, env };
            let mut ctx = EvalContext { io, session, params, outer: &outer, host: &mut host };
            f(&mut ctx)
        };
        self.outer = outer;
        result
    }

    fn values_morsel(&mut self, columns: &[PlanColumn], rows: &[Vec<ScalarExpr>], env: &mut ExecEnv) -> Result<Morsel> {
        let mut out: Vec<Column> = columns.iter().map(|c| Column::empty(physical_of(c.ty), rows.len())).collect();
        let compiled: Vec<Vec<Expr>> = {
            let subs = &mut self.subqueries;
            let empty: Vec<ColumnId> = vec![];
            rows.iter().map(|r| r.iter().map(|e| compile(e, &empty, subs)).collect::<Result<Vec<_>>>()).collect::<Result<_>>()?
        };
        let one = Morsel::new(vec![], 1);
        for r in &compiled {
            let vals = self.with_ctx(env, |ctx| r.iter().map(|e| e.eval_row(&one, 0, ctx)).collect::<Result<Vec<_>>>())?;
            for (c, v) in out.iter_mut().zip(&vals) {
                c.push_datum(v);
            }
        }
        Ok(Morsel::new(out, rows.len()))
    }

    /// Runs a function scan's functions (all their rows at once) and lays
    /// their results side by side, the shorter ones padded with NULLs
    /// (ExecMakeTableFunctionResult per function, then FunctionNext).
    fn function_morsel(&mut self, calls: &[SrfCall], ordinality: bool, env: &mut ExecEnv) -> Result<Morsel> {
        let mut results = Vec::with_capacity(calls.len());
        for call in calls {
            let compiled: Vec<Expr> = {
                let subs = &mut self.subqueries;
                let empty: Vec<ColumnId> = vec![];
                call.args.iter().map(|e| compile(e, &empty, subs)).collect::<Result<_>>()?
            };
            let one = Morsel::new(vec![], 1);
            let vals = self.with_ctx(env, |ctx| compiled.iter().map(|e| e.eval_row(&one, 0, ctx)).collect::<Result<Vec<_>>>())?;
            results.push(srf::call(&call.func, &vals, env)?);
        }
        let n = results.iter().map(Vec::len).max().unwrap_or(0);
        let mut cols: Vec<Column> = Vec::new();
        for (call, rows) in calls.iter().zip(&results) {
            let (func, columns) = (&call.func, &call.columns);
            // A record of OUT parameters in FROM: one column per field.
            let expand = oa_ir::types::records::fields(func.ret_type).is_some() && !(columns.len() == 1 && columns[0].ty == func.ret_type);
            let mut own: Vec<Column> = columns.iter().map(|c| Column::empty(physical_of(c.ty), n)).collect();
            for i in 0..n {
                match rows.get(i) {
                    Some(Datum::Record(rec)) if expand => {
                        for (j, c) in own.iter_mut().enumerate() {
                            c.push_datum(rec.fields.get(j).unwrap_or(&Datum::Null));
                        }
                    }
                    Some(r) if !expand => own[0].push_datum(r),
                    _ => own.iter_mut().for_each(|c| c.push_datum(&Datum::Null)),
                }
            }
            cols.extend(own);
        }
        if ordinality {
            cols.push(Column::new(ColumnData::I64((1..=n as i64).collect())));
        }
        Ok(Morsel::new(cols, n))
    }

    /// Pulls one morsel from the running pipeline's source and pushes it through.
    fn advance(&mut self, env: &mut ExecEnv) -> Result<()> {
        let Some(mut running) = self.running.take() else { return Ok(()) };
        let result = self.advance_running(&mut running, env);
        match result {
            Ok(true) => {
                self.running = None;
                Ok(())
            }
            Ok(false) => {
                self.running = Some(running);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Returns true when the pipeline finished.
    fn advance_running(&mut self, r: &mut Running, env: &mut ExecEnv) -> Result<bool> {
        if !r.finished_source {
            match self.next_source_morsel(&mut r.source, env)? {
                Some(m) => {
                    let stop = self.push_through(r, 0, m, env)?;
                    if stop {
                        r.finished_source = true;
                    } else {
                        return Ok(false);
                    }
                }
                None => r.finished_source = true,
            }
        }
        // Source exhausted: operators flush (unmatched join rows), then the sink finishes.
        for i in 0..r.ops.len() {
            if let Some(extra) = self.finish_op(r, i, env)? {
                self.push_through(r, i + 1, extra, env)?;
            }
        }
        self.finish_sink(&r.sink, env)?;
        Ok(true)
    }

    /// Pushes a morsel through operators `from..` into the sink. Returns true
    /// when no more input is wanted (a LIMIT is satisfied).
    fn push_through(&mut self, r: &mut Running, from: usize, m: Morsel, env: &mut ExecEnv) -> Result<bool> {
        let mut m = m;
        let mut stop = false;
        for i in from..r.ops.len() {
            if m.len == 0 && !matches!(r.ops[i], Op::Modify(_)) {
                return Ok(stop);
            }
            let (out, s) = self.run_op(&mut r.ops[i], m, env)?;
            stop |= s;
            m = out;
        }
        self.sink(&r.sink, m, env)?;
        Ok(stop)
    }

    fn next_source_morsel(&mut self, source: &mut SourceState, env: &mut ExecEnv) -> Result<Option<Morsel>> {
        match source {
            SourceState::Scan(st) => loop {
                let ScanState { access, batch, desc, columns, filter, done, table_oid } = &mut **st;
                if *done {
                    return Ok(None);
                }
                let more = match access {
                    ScanAccess::Heap(scan) => scan.next_page(batch)?,
                    ScanAccess::Index(ix) => self.next_index_batch(ix, batch, env)?,
                };
                if !more {
                    *done = true;
                    return Ok(None);
                }
                if batch.is_empty() {
                    continue;
                }
                let mut m = deform_batch(batch, desc, columns, *table_oid)?;
                if let ScanAccess::Index(ix) = access {
                    let keep = self.with_ctx(env, |ctx| ix.recheck.eval(&m, ctx))?;
                    m = m.filter(&truthy(&keep));
                }
                let m = match filter {
                    Some(f) => {
                        let f = f.clone();
                        let keep = self.with_ctx(env, |ctx| f.eval(&m, ctx))?;
                        m.filter(&truthy(&keep))
                    }
                    None => m,
                };
                if m.len > 0 {
                    return Ok(Some(m));
                }
            },
            SourceState::Rows(q) => Ok(q.pop_front()),
            SourceState::State { state } => match &mut self.states[*state] {
                State::Rows { morsels, next } => {
                    if *next < morsels.len() {
                        *next += 1;
                        Ok(Some(morsels[*next - 1].clone()))
                    } else {
                        Ok(None)
                    }
                }
                _ => Ok(None),
            },
            SourceState::WorkTable(id) => {
                let rows = self.worktables.get_mut(id);
                Ok(rows.and_then(|v| if v.is_empty() { None } else { Some(v.remove(0)) }))
            }
            SourceState::Recursive(rs) => self.next_recursive(rs, env),
        }
    }

    /// The visible heap tuples of the next leaf page's entries in range;
    /// false when the scan is over.
    fn next_index_batch(&mut self, ix: &mut IndexScanState, batch: &mut TupleBatch, env: &mut ExecEnv) -> Result<bool> {
        if ix.done {
            return Ok(false);
        }
        if ix.scan.is_none() {
            let one = Morsel::new(vec![], 1);
            let values = self.with_ctx(env, |ctx| ix.quals.iter().map(|(_, e)| e.eval_row(&one, 0, ctx)).collect::<Result<Vec<_>>>())?;
            // The operators are strict: a NULL comparand selects nothing.
            if values.iter().any(Datum::is_null) {
                ix.done = true;
                return Ok(false);
            }
            let (lower, upper) = index_bounds(ix.quals.iter().map(|(op, _)| *op).zip(values));
            ix.scan = Some(env.storage.btree_search(ix.index, lower.as_ref().map(Vec::as_slice), upper.as_ref().map(Vec::as_slice))?);
        }
        let scan = ix.scan.as_mut().ok_or_else(|| Error::internal("index scan not started"))?;
        if !scan.next_batch(&mut ix.entries)? {
            ix.done = true;
            return Ok(false);
        }
        batch.clear();
        env.storage.fetch_batch(ix.heap, ix.entries.tids(), env.snapshot, batch)?;
        Ok(true)
    }

    fn next_recursive(&mut self, rs: &mut RecursiveState, env: &mut ExecEnv) -> Result<Option<Morsel>> {
        loop {
            match &mut rs.phase {
                RecPhase::Base(exec) => match exec.step(env)? {
                    Step::Rows(m) => {
                        let m = dedup(m, rs.all, &mut rs.seen);
                        if m.len > 0 {
                            let produced = vec![m.clone()];
                            if let RecPhase::Base(_) = rs.phase {
                                // accumulate into the next work table
                            }
                            self.pending_worktable(rs.id).push(m.clone());
                            let _ = produced;
                            return Ok(Some(m));
                        }
                    }
                    Step::Continue => {}
                    Step::Done => {
                        let wt = std::mem::take(self.pending_worktable(rs.id));
                        rs.phase = RecPhase::Iterate { current: None, produced: wt };
                    }
                },
                RecPhase::Iterate { current, produced } => {
                    if current.is_none() {
                        if produced.is_empty() {
                            rs.phase = RecPhase::Done;
                            continue;
                        }
                        // The previous iteration's rows become the work table.
                        self.worktables.insert(rs.id, std::mem::take(produced));
                        let mut e = Executor::nested(rs.recursive.clone(), &self.ctes);
                        e.outer = self.outer.clone();
                        e.worktables = std::mem::take(&mut self.worktables);
                        *current = Some(Box::new(e));
                    }
                    let Some(exec) = current.as_mut() else { continue };
                    match exec.step(env)? {
                        Step::Rows(m) => {
                            let m = dedup(m, rs.all, &mut rs.seen);
                            if m.len > 0 {
                                produced.push(m.clone());
                                return Ok(Some(m));
                            }
                        }
                        Step::Continue => {}
                        Step::Done => {
                            if let Some(e) = current.take() {
                                self.worktables = e.worktables;
                            }
                        }
                    }
                }
                RecPhase::Done => {
                    let _ = rs.width;
                    return Ok(None);
                }
            }
        }
    }

    fn pending_worktable(&mut self, id: u32) -> &mut Vec<Morsel> {
        self.worktables.entry(u32::MAX - id).or_default()
    }

    fn run_op(&mut self, op: &mut Op, m: Morsel, env: &mut ExecEnv) -> Result<(Morsel, bool)> {
        match op {
            Op::Filter(e) => {
                let e = e.clone();
                let keep = self.with_ctx(env, |ctx| e.eval(&m, ctx))?;
                Ok((m.filter(&truthy(&keep)), false))
            }
            Op::Project(exprs) => {
                let exprs = exprs.clone();
                let cols = self.with_ctx(env, |ctx| exprs.iter().map(|e| e.eval(&m, ctx)).collect::<Result<Vec<_>>>())?;
                Ok((Morsel::new(cols, m.len), false))
            }
            Op::HashProbe { state, kind, keys, residual, mark, build_types } => {
                let keys = keys.clone();
                let residual = residual.clone();
                let key_cols = self.with_ctx(env, |ctx| keys.iter().map(|k| k.eval(&m, ctx)).collect::<Result<Vec<_>>>())?;
                let out = self.probe(*state, *kind, &m, &key_cols, residual.as_ref(), *mark, build_types, env)?;
                Ok((out, false))
            }
            Op::NestedLoop { state, kind, condition, mark, inner_types, matched } => {
                let condition = condition.clone();
                let out = self.nested_loop(*state, *kind, &m, &condition, *mark, inner_types, matched, env)?;
                Ok((out, false))
            }
            Op::Apply { kind, inner, params, condition, mark, inner_types } => {
                let (kind, mark) = (*kind, *mark);
                let (inner, params, condition, inner_types) = (inner.clone(), params.clone(), condition.clone(), inner_types.clone());
                let out = self.apply(kind, &inner, &params, &m, &condition, mark, &inner_types, env)?;
                Ok((out, false))
            }
            Op::Limit { limit, offset, seen, emitted } => {
                let mut keep = vec![false; m.len];
                for k in keep.iter_mut() {
                    *seen += 1;
                    if *seen > *offset && limit.is_none_or(|l| *emitted < l) {
                        *k = true;
                        *emitted += 1;
                    }
                }
                let done = limit.is_some_and(|l| *emitted >= l);
                Ok((m.filter(&keep), done))
            }
            Op::DistinctOn { on, last } => {
                let on = on.clone();
                let cols = self.with_ctx(env, |ctx| on.iter().map(|e| e.eval(&m, ctx)).collect::<Result<Vec<_>>>())?;
                let mut keep = vec![false; m.len];
                for (i, k) in keep.iter_mut().enumerate() {
                    let key: Vec<Datum> = cols.iter().map(|c| c.datum(i)).collect();
                    if last.as_ref() != Some(&key) {
                        *k = true;
                        *last = Some(key);
                    }
                }
                Ok((m.filter(&keep), false))
            }
            Op::Modify(op) => {
                let out = op.run(&m, self, env)?;
                let n = op.take_count();
                if self.counting {
                    self.rows_affected += n;
                }
                Ok((out, false))
            }
        }
    }

    fn finish_op(&mut self, r: &mut Running, i: usize, env: &mut ExecEnv) -> Result<Option<Morsel>> {
        let _ = env;
        let (before, rest) = r.ops.split_at_mut(i);
        match &mut rest[0] {
            Op::HashProbe { state, kind: JoinKind::Right | JoinKind::Full, build_types, .. } => {
                let State::Hash(h) = &self.states[*state] else { return Ok(None) };
                let idx: Vec<usize> = (0..h.rows.len).filter(|i| !h.matched[*i]).collect();
                if idx.is_empty() {
                    return Ok(None);
                }
                let build = h.rows.gather(&idx);
                // Probe-side columns are NULL: their types come from the operator's input layout.
                let probe_types = probe_types_for(before, &self.graph.pipelines[self.next_pipeline - 1], build_types.len());
                let mut cols: Vec<Column> = probe_types.iter().map(|t| null_column(*t, idx.len())).collect();
                cols.extend(build.columns);
                Ok(Some(Morsel::new(cols, idx.len())))
            }
            Op::NestedLoop { state, kind: JoinKind::Right | JoinKind::Full, matched, .. } => {
                let State::Rows { morsels, .. } = &self.states[*state] else { return Ok(None) };
                let inner = concat(morsels)?;
                let idx: Vec<usize> = (0..inner.len).filter(|i| !matched.get(*i).copied().unwrap_or(false)).collect();
                if idx.is_empty() {
                    return Ok(None);
                }
                let build = inner.gather(&idx);
                let probe_types = probe_types_for(before, &self.graph.pipelines[self.next_pipeline - 1], build.columns.len());
                let mut cols: Vec<Column> = probe_types.iter().map(|t| null_column(*t, idx.len())).collect();
                cols.extend(build.columns);
                Ok(Some(Morsel::new(cols, idx.len())))
            }
            Op::Modify(op) => {
                let out = op.finish(self, env)?;
                let n = op.take_count();
                if self.counting {
                    self.rows_affected += n;
                }
                Ok(out)
            }
            _ => Ok(None),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn probe(
        &mut self,
        state: usize,
        kind: JoinKind,
        m: &Morsel,
        keys: &[Column],
        residual: Option<&Expr>,
        mark: bool,
        build_types: &[PhysicalType],
        env: &mut ExecEnv,
    ) -> Result<Morsel> {
        let hashes = hash::hash_rows(keys, m.len);
        let (pairs, build_empty, build_has_null) = {
            let State::Hash(h) = &self.states[state] else { return Err(Error::internal("hash join without a build side")) };
            let mut pairs: Vec<(usize, usize)> = Vec::new();
            for (i, hv) in hashes.iter().enumerate() {
                if keys.iter().any(|k| !k.is_valid(i)) {
                    continue;
                }
                if let Some(cands) = h.map.get(hv) {
                    for &b in cands {
                        if hash::keys_equal(keys, i, &h.keys, b as usize, false) {
                            pairs.push((i, b as usize));
                        }
                    }
                }
            }
            (pairs, h.rows.len == 0, h.has_null_key)
        };
        // Residual condition on the candidate pairs.
        let pairs = match residual {
            None => pairs,
            Some(r) => {
                if pairs.is_empty() {
                    pairs
                } else {
                    let joined = self.joined_morsel(state, m, &pairs)?;
                    let r = r.clone();
                    let ok = self.with_ctx(env, |ctx| r.eval(&joined, ctx))?;
                    let t = truthy(&ok);
                    pairs.into_iter().zip(t).filter(|(_, k)| *k).map(|(p, _)| p).collect()
                }
            }
        };
        let mut matched_probe = vec![false; m.len];
        for (p, _) in &pairs {
            matched_probe[*p] = true;
        }
        if matches!(kind, JoinKind::Right | JoinKind::Full)
            && let State::Hash(h) = &mut self.states[state]
        {
            for (_, b) in &pairs {
                h.matched[*b] = true;
            }
        }
        // An empty build side has no columns at all: give joined rows the full width.
        let joined_full = |this: &Self, pairs: &[(usize, usize)]| -> Result<Morsel> {
            let mut joined = this.joined_morsel(state, m, pairs)?;
            while joined.columns.len() < m.columns.len() + build_types.len() {
                let t = build_types[joined.columns.len() - m.columns.len()];
                joined.columns.push(Column::empty(t, 0));
            }
            Ok(joined)
        };
        Ok(match kind {
            JoinKind::Inner | JoinKind::Right => joined_full(self, &pairs)?,
            JoinKind::Left | JoinKind::Full => {
                let joined = joined_full(self, &pairs)?;
                let unmatched: Vec<usize> = (0..m.len).filter(|i| !matched_probe[*i]).collect();
                if unmatched.is_empty() {
                    joined
                } else {
                    let mut extra = m.gather(&unmatched);
                    for t in build_types {
                        extra.columns.push(null_column(*t, unmatched.len()));
                    }
                    let mut out = joined;
                    out.extend(&extra)?;
                    out
                }
            }
            JoinKind::Semi => m.filter(&matched_probe),
            JoinKind::Anti => {
                let keep: Vec<bool> = matched_probe.iter().map(|b| !b).collect();
                m.filter(&keep)
            }
            JoinKind::AntiNullAware => {
                // NOT IN: an empty subquery accepts everything; otherwise a NULL
                // key, a match, or any NULL in the subquery rejects the row.
                let keep: Vec<bool> =
                    (0..m.len).map(|i| build_empty || (!matched_probe[i] && !build_has_null && keys.iter().all(|k| k.is_valid(i)))).collect();
                m.filter(&keep)
            }
            JoinKind::Mark => {
                let mut col = Column::empty(PhysicalType::Bool, m.len);
                for (i, matched) in matched_probe.iter().enumerate() {
                    if *matched {
                        col.push_datum(&Datum::Bool(true));
                    } else if !build_empty && (build_has_null || keys.iter().any(|k| !k.is_valid(i))) {
                        col.push_null();
                    } else {
                        col.push_datum(&Datum::Bool(false));
                    }
                }
                let _ = mark;
                let mut out = m.clone();
                out.columns.push(col);
                out
            }
        })
    }

    fn joined_morsel(&self, state: usize, m: &Morsel, pairs: &[(usize, usize)]) -> Result<Morsel> {
        let State::Hash(h) = &self.states[state] else { return Err(Error::internal("hash join without a build side")) };
        let pi: Vec<usize> = pairs.iter().map(|p| p.0).collect();
        let bi: Vec<usize> = pairs.iter().map(|p| p.1).collect();
        let mut out = m.gather(&pi);
        out.columns.extend(h.rows.gather(&bi).columns);
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn nested_loop(
        &mut self,
        state: usize,
        kind: JoinKind,
        m: &Morsel,
        cond: &Expr,
        mark: bool,
        inner_types: &[PhysicalType],
        matched: &mut Vec<bool>,
        env: &mut ExecEnv,
    ) -> Result<Morsel> {
        let inner = match &self.states[state] {
            State::Rows { morsels, .. } => concat(morsels)?,
            _ => return Err(Error::internal("nested loop without an inner side")),
        };
        self.join_with(&inner, kind, m, cond, mark, inner_types, matched, env)
    }

    /// LATERAL: runs the inner graph once per row of `m` with that row's
    /// `params` bound as outer values, joining each row with its own rows.
    #[allow(clippy::too_many_arguments)]
    fn apply(
        &mut self,
        kind: JoinKind,
        inner: &PipelineGraph,
        params: &[(ColumnId, usize)],
        m: &Morsel,
        cond: &Expr,
        mark: bool,
        inner_types: &[PhysicalType],
        env: &mut ExecEnv,
    ) -> Result<Morsel> {
        let mut out: Option<Morsel> = None;
        for i in 0..m.len {
            let mut exec = Executor::nested(inner.clone(), &self.ctes);
            exec.outer = self.outer.clone();
            for (id, pos) in params {
                let v = m.columns.get(*pos).map(|c| c.datum(i)).ok_or_else(|| Error::internal(format!("input column {pos} missing")))?;
                exec.outer.insert(*id, v);
            }
            let rows = concat(&exec.run_all(env)?)?;
            let row = m.gather(&[i]);
            let mut matched = Vec::new();
            let part = self.join_with(&rows, kind, &row, cond, mark, inner_types, &mut matched, env)?;
            match &mut out {
                None => out = Some(part),
                Some(o) => o.extend(&part)?,
            }
        }
        Ok(out.unwrap_or_else(|| {
            // No outer rows: an empty morsel of the join's layout.
            let mut cols: Vec<Column> = m.columns.iter().map(|c| c.gather(&[])).collect();
            if kind.outputs_right() {
                cols.extend(inner_types.iter().map(|t| Column::empty(*t, 0)));
            }
            if mark {
                cols.push(Column::empty(PhysicalType::Bool, 0));
            }
            Morsel::new(cols, 0)
        }))
    }

    /// Joins `m` with every row of `inner`, testing `cond` on each pair.
    #[allow(clippy::too_many_arguments)]
    fn join_with(
        &mut self,
        inner: &Morsel,
        kind: JoinKind,
        m: &Morsel,
        cond: &Expr,
        mark: bool,
        inner_types: &[PhysicalType],
        matched: &mut Vec<bool>,
        env: &mut ExecEnv,
    ) -> Result<Morsel> {
        // An empty inner side may carry no columns at all: give it the join's layout.
        let padded;
        let inner = if inner.columns.len() == inner_types.len() {
            inner
        } else {
            padded = Morsel::new(inner_types.iter().map(|t| Column::empty(*t, 0)).collect(), 0);
            &padded
        };
        if matched.len() < inner.len {
            matched.resize(inner.len, false);
        }
        let mut match_state: Vec<Option<bool>> = vec![Some(false); m.len];
        let mut out_pairs: Vec<(usize, usize)> = Vec::new();
        // Pairs in chunks so a large cross product stays bounded per evaluation.
        let chunk = (MORSEL_ROWS * 4 / inner.len.max(1)).max(1);
        let mut start = 0;
        while start < m.len {
            let end = (start + chunk).min(m.len);
            let mut pi = Vec::new();
            let mut bi = Vec::new();
            for i in start..end {
                for b in 0..inner.len {
                    pi.push(i);
                    bi.push(b);
                }
            }
            start = end;
            if pi.is_empty() {
                continue;
            }
            let mut joined = m.gather(&pi);
            joined.columns.extend(inner.gather(&bi).columns);
            let cond = cond.clone();
            let c = self.with_ctx(env, |ctx| cond.eval(&joined, ctx))?;
            for (k, (p, b)) in pi.iter().zip(&bi).enumerate() {
                let v = if c.is_valid(k) { matches!(&c.data, ColumnData::Bool(x) if x[k]) } else { false };
                if v {
                    out_pairs.push((*p, *b));
                    match_state[*p] = Some(true);
                    matched[*b] = true;
                } else if !c.is_valid(k) && match_state[*p] == Some(false) {
                    match_state[*p] = None;
                }
            }
        }
        let gather_pairs = |pairs: &[(usize, usize)]| -> Morsel {
            let pi: Vec<usize> = pairs.iter().map(|p| p.0).collect();
            let bi: Vec<usize> = pairs.iter().map(|p| p.1).collect();
            let mut out = m.gather(&pi);
            out.columns.extend(inner.gather(&bi).columns);
            out
        };
        Ok(match kind {
            JoinKind::Inner | JoinKind::Right => gather_pairs(&out_pairs),
            JoinKind::Left | JoinKind::Full => {
                let mut out = gather_pairs(&out_pairs);
                let unmatched: Vec<usize> = (0..m.len).filter(|i| match_state[*i] != Some(true)).collect();
                if !unmatched.is_empty() {
                    let mut extra = m.gather(&unmatched);
                    for t in inner_types {
                        extra.columns.push(null_column(*t, unmatched.len()));
                    }
                    if out.len == 0 && out.columns.is_empty() {
                        out = extra;
                    } else {
                        out.extend(&extra)?;
                    }
                }
                out
            }
            JoinKind::Semi => m.filter(&match_state.iter().map(|s| *s == Some(true)).collect::<Vec<_>>()),
            JoinKind::Anti => m.filter(&match_state.iter().map(|s| *s != Some(true)).collect::<Vec<_>>()),
            JoinKind::AntiNullAware => {
                let keep: Vec<bool> = match_state.iter().map(|s| inner.len == 0 || *s == Some(false)).collect();
                m.filter(&keep)
            }
            JoinKind::Mark => {
                let mut col = Column::empty(PhysicalType::Bool, m.len);
                for s in &match_state {
                    match s {
                        Some(b) => col.push_datum(&Datum::Bool(*b)),
                        None => col.push_null(),
                    }
                }
                let _ = mark;
                let mut out = m.clone();
                out.columns.push(col);
                out
            }
        })
    }

    fn sink(&mut self, sink: &CompiledSink, m: Morsel, env: &mut ExecEnv) -> Result<()> {
        match sink {
            CompiledSink::Output => {
                if m.len > 0 || !m.columns.is_empty() {
                    for c in m.chunks() {
                        if c.len > 0 {
                            self.output.push_back(c);
                        }
                    }
                }
            }
            CompiledSink::Materialize { state } | CompiledSink::Window { state, .. } => {
                if let State::Rows { morsels, .. } = &mut self.states[*state] {
                    morsels.push(m);
                }
            }
            CompiledSink::Cte { id } => {
                if m.len > 0 {
                    let mut store = self.ctes.lock().map_err(|_| Error::internal("WITH query results unavailable"))?;
                    store.entry(*id).or_default().push(m);
                }
            }
            CompiledSink::HashBuild { state, keys } => {
                let keys = keys.clone();
                let cols = self.with_ctx(env, |ctx| keys.iter().map(|k| k.eval(&m, ctx)).collect::<Result<Vec<_>>>())?;
                if let State::Hash(h) = &mut self.states[*state] {
                    if h.keys.is_empty() {
                        h.keys = cols;
                    } else {
                        for (a, b) in h.keys.iter_mut().zip(&cols) {
                            a.extend(b)?;
                        }
                    }
                    h.rows.extend(&m)?;
                }
            }
            CompiledSink::Aggregate { state, group_by, bpchar, aggs } => self.aggregate_morsel(*state, group_by, bpchar, aggs, &m, env)?,
            CompiledSink::Sort { state, keys, .. } => {
                let exprs: Vec<Expr> = keys.iter().map(|k| k.0.clone()).collect();
                let cols = self.with_ctx(env, |ctx| exprs.iter().map(|k| k.eval(&m, ctx)).collect::<Result<Vec<_>>>())?;
                if let State::Sort(s) = &mut self.states[*state] {
                    for i in 0..m.len {
                        s.keys.push(cols.iter().map(|c| c.datum(i)).collect());
                    }
                    s.rows.extend(&m)?;
                }
            }
            CompiledSink::Distinct { state, bpchar } => {
                if let State::Distinct { seen, rows } = &mut self.states[*state] {
                    let mut keep = vec![false; m.len];
                    for (i, k) in keep.iter_mut().enumerate() {
                        *k = seen.insert(key_of(m.row(i), bpchar));
                    }
                    rows.push(m.filter(&keep));
                }
            }
            CompiledSink::SetOp { state, side, bpchar, .. } => {
                if let State::SetOp(t) = &mut self.states[*state] {
                    for i in 0..m.len {
                        let row = m.row(i);
                        let key = key_of(row.clone(), bpchar);
                        let n = t.order.len();
                        let e = t.counts.entry(key.clone()).or_insert((0, 0, n));
                        if e.2 == n && e.0 == 0 && e.1 == 0 {
                            t.order.push((key, row));
                        }
                        match side {
                            SetOpSide::Left => e.0 += 1,
                            SetOpSide::Right => e.1 += 1,
                        }
                    }
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn aggregate_morsel(
        &mut self,
        state: usize,
        group_by: &[Expr],
        bpchar: &[bool],
        aggs: &[CompiledAgg],
        m: &Morsel,
        env: &mut ExecEnv,
    ) -> Result<()> {
        let group_exprs: Vec<Expr> = group_by.to_vec();
        let key_cols = self.with_ctx(env, |ctx| group_exprs.iter().map(|e| e.eval(m, ctx)).collect::<Result<Vec<_>>>())?;
        let mut arg_cols = Vec::new();
        for a in aggs {
            let exprs: Vec<Expr> = a.args.clone();
            let filter = a.filter.clone();
            let order: Vec<Expr> = a.order.iter().map(|o| o.0.clone()).collect();
            let (args, f, o) = self.with_ctx(env, |ctx| {
                let args = exprs.iter().map(|e| e.eval(m, ctx)).collect::<Result<Vec<_>>>()?;
                let f = match &filter {
                    Some(fe) => Some(truthy(&fe.eval(m, ctx)?)),
                    None => None,
                };
                let o = order.iter().map(|e| e.eval(m, ctx)).collect::<Result<Vec<_>>>()?;
                Ok((args, f, o))
            })?;
            arg_cols.push((args, f, o));
        }
        let State::Agg(t) = &mut self.states[state] else { return Err(Error::internal("aggregate state missing")) };
        for row in 0..m.len {
            let key: Vec<Datum> = key_cols.iter().map(|c| c.datum(row)).collect();
            // Groups by the key (bpchar trimmed); the group shows its first row's values.
            let lookup = key_of(key.clone(), bpchar);
            let g = match t.groups.get(&lookup) {
                Some(g) => *g,
                None => {
                    let g = t.keys.len();
                    t.groups.insert(lookup, g);
                    t.keys.push(key);
                    t.states.push(aggs.iter().map(|a| agg::init_state(a.kind)).collect());
                    t.buffered.push(aggs.iter().map(|_| Vec::new()).collect());
                    g
                }
            };
            for (ai, a) in aggs.iter().enumerate() {
                let (args, f, o) = &arg_cols[ai];
                if let Some(f) = f
                    && !f[row]
                {
                    continue;
                }
                let vals: Vec<Datum> = args.iter().map(|c| c.datum(row)).collect();
                if a.distinct || !a.order.is_empty() {
                    let okeys: Vec<Datum> = o.iter().map(|c| c.datum(row)).collect();
                    t.buffered[g][ai].push((okeys, vals));
                } else {
                    agg::advance(a.kind, &mut t.states[g][ai], &vals, a.ret)?;
                }
            }
        }
        Ok(())
    }

    fn finish_sink(&mut self, sink: &CompiledSink, env: &mut ExecEnv) -> Result<()> {
        let _ = env;
        match sink {
            CompiledSink::HashBuild { state, .. } => {
                if let State::Hash(h) = &mut self.states[*state] {
                    let hashes = hash::hash_rows(&h.keys, h.rows.len);
                    for (i, hv) in hashes.iter().enumerate() {
                        if h.keys.iter().any(|k| !k.is_valid(i)) {
                            h.has_null_key = true;
                            continue;
                        }
                        h.map.entry(*hv).or_default().push(i as u32);
                    }
                    h.matched = vec![false; h.rows.len];
                }
            }
            CompiledSink::Aggregate { state, group_by, aggs, .. } => {
                let State::Agg(t) = std::mem::replace(&mut self.states[*state], State::Empty) else { return Ok(()) };
                let mut t = *t;
                // A plain aggregate (no GROUP BY) yields one row even over no input.
                if group_by.is_empty() && t.keys.is_empty() {
                    t.keys.push(vec![]);
                    t.states.push(aggs.iter().map(|a| agg::init_state(a.kind)).collect());
                    t.buffered.push(aggs.iter().map(|_| Vec::new()).collect());
                }
                for (g, states) in t.states.iter_mut().enumerate() {
                    for (ai, a) in aggs.iter().enumerate() {
                        let mut buf = std::mem::take(&mut t.buffered[g][ai]);
                        if buf.is_empty() {
                            continue;
                        }
                        if !a.order.is_empty() {
                            let dirs: Vec<(bool, bool)> = a.order.iter().map(|o| (o.1, o.2)).collect();
                            buf.sort_by(|x, y| compare_keys(&x.0, &y.0, &dirs));
                        }
                        let mut seen = agg::DistinctSet::default();
                        for (_, vals) in buf {
                            if a.distinct && (vals.iter().any(|v| v.is_null() && a.kind != agg::AggKind::ArrayAgg) || !seen.first_time(&vals)) {
                                continue;
                            }
                            agg::advance(a.kind, &mut states[ai], &vals, a.ret)?;
                        }
                    }
                }
                let ncols = group_by.len() + aggs.len();
                let mut cols: Vec<Vec<Datum>> = vec![Vec::with_capacity(t.keys.len()); ncols];
                for (g, key) in t.keys.iter().enumerate() {
                    for (i, k) in key.iter().enumerate() {
                        cols[i].push(k.clone());
                    }
                    for (ai, a) in aggs.iter().enumerate() {
                        cols[group_by.len() + ai].push(agg::finish(a.kind, &t.states[g][ai], a.ret)?);
                    }
                }
                let types = self.state_output_types(*state);
                let n = t.keys.len();
                let columns = cols.into_iter().enumerate().map(|(i, v)| column_of(v, types.get(i).copied())).collect();
                self.states[*state] = State::Rows { morsels: Morsel::new(columns, n).chunks(), next: 0 };
            }
            CompiledSink::Sort { state, keys, limit, offset, with_ties } => {
                let State::Sort(s) = std::mem::replace(&mut self.states[*state], State::Empty) else { return Ok(()) };
                let dirs: Vec<(bool, bool)> = keys.iter().map(|k| (k.1, k.2)).collect();
                let mut idx: Vec<usize> = (0..s.rows.len).collect();
                // PostgreSQL's own quicksort, so rows with equal keys come out in its order.
                pgsort::pg_qsort(&mut idx, &mut |a, b| compare_keys(&s.keys[*a], &s.keys[*b], &dirs));
                let lim = match limit {
                    Some(e) => self.eval_const_int(e, env, "LIMIT")?,
                    None => None,
                };
                let off = match offset {
                    Some(e) => self.eval_const_int(e, env, "OFFSET")?.unwrap_or(0) as usize,
                    None => 0,
                };
                let mut chosen: Vec<usize> = idx.iter().skip(off).copied().collect();
                if let Some(l) = lim {
                    let l = l as usize;
                    if chosen.len() > l {
                        let mut end = l;
                        if *with_ties && l > 0 {
                            let last = chosen[l - 1];
                            while end < chosen.len() && compare_keys(&s.keys[chosen[end]], &s.keys[last], &dirs).is_eq() {
                                end += 1;
                            }
                        }
                        chosen.truncate(end);
                    }
                }
                let sorted = s.rows.gather(&chosen);
                self.states[*state] = State::Rows { morsels: sorted.chunks(), next: 0 };
            }
            CompiledSink::Window { state, window } => self.finish_window(*state, window, env)?,
            CompiledSink::Distinct { state, .. } => {
                let State::Distinct { rows, .. } = std::mem::replace(&mut self.states[*state], State::Empty) else { return Ok(()) };
                self.states[*state] = State::Rows { morsels: rows, next: 0 };
            }
            CompiledSink::SetOp { state, op, all, side: SetOpSide::Right, .. } => {
                let State::SetOp(t) = std::mem::replace(&mut self.states[*state], State::Empty) else { return Ok(()) };
                let types = self.state_output_types(*state);
                let mut rows: Vec<Vec<Datum>> = Vec::new();
                for (key, row) in &t.order {
                    let Some(&(l, r, _)) = t.counts.get(key) else { continue };
                    let copies = match (op, all) {
                        (SetOpKind::Union, false) => 1,
                        (SetOpKind::Union, true) => l + r,
                        (SetOpKind::Intersect, false) => usize::from(l > 0 && r > 0),
                        (SetOpKind::Intersect, true) => l.min(r),
                        (SetOpKind::Except, false) => usize::from(l > 0 && r == 0),
                        (SetOpKind::Except, true) => l.saturating_sub(r),
                    };
                    for _ in 0..copies {
                        rows.push(row.clone());
                    }
                }
                self.states[*state] = State::Rows { morsels: rows_to_morsel(rows, &types).chunks(), next: 0 };
            }
            _ => {}
        }
        Ok(())
    }

    fn eval_const_int(&mut self, e: &Expr, env: &mut ExecEnv, what: &str) -> Result<Option<u64>> {
        let e = e.clone();
        let one = Morsel::new(vec![], 1);
        let v = self.with_ctx(env, |ctx| e.eval_row(&one, 0, ctx))?;
        match v.as_i64() {
            None => Ok(None),
            Some(n) if n < 0 => Err(Error::new(
                if what == "LIMIT" { SqlState::INVALID_ROW_COUNT_IN_LIMIT_CLAUSE } else { SqlState::INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE },
                format!("{what} must not be negative"),
            )),
            Some(n) => Ok(Some(n as u64)),
        }
    }

    /// Which columns of a state's rows are bpchar, from the pipeline that reads it.
    fn state_bpchar(&self, state: usize) -> Vec<bool> {
        for p in &self.graph.pipelines {
            if let Source::State { state: s, columns } = &p.source
                && *s == state
            {
                return columns.iter().map(|c| is_bpchar(c.ty)).collect();
            }
        }
        vec![]
    }

    /// Physical types of the rows a state holds, from the pipeline that reads it.
    fn state_output_types(&self, state: usize) -> Vec<PhysicalType> {
        for p in &self.graph.pipelines {
            if let Source::State { state: s, columns } = &p.source
                && *s == state
            {
                return columns.iter().map(|c| physical_of(c.ty)).collect();
            }
        }
        vec![]
    }
}

/// bpchar compares and hashes without trailing spaces (bpchareq, hashbpchar).
fn is_bpchar(ty: oa_ir::SqlType) -> bool {
    ty.oid == oa_ir::types::oid::BPCHAR
}

/// A row's key for hashing and equality: bpchar values without trailing spaces.
fn key_of(mut row: Vec<Datum>, bpchar: &[bool]) -> Vec<Datum> {
    for (d, b) in row.iter_mut().zip(bpchar) {
        if *b && let Datum::Text(t) = d {
            let n = t.trim_end_matches(' ').len();
            t.truncate(n);
        }
    }
    row
}

/// Compiles a key expression (hash join, sort, DISTINCT ON): a bpchar key
/// is compared without its trailing spaces, so it is trimmed here.
fn compile_key(e: &ScalarExpr, layout: &[ColumnId], subs: &mut Subqueries) -> Result<Expr> {
    let compiled = compile(e, &layout.to_vec(), subs)?;
    if !is_bpchar(e.ty()) {
        return Ok(compiled);
    }
    let trim = func::Kernel::Scalar(Arc::new(|a: &[Datum], _: &mut func::FnContext| {
        Ok(match a.first() {
            Some(Datum::Text(t)) => Datum::Text(t.trim_end_matches(' ').to_string()),
            Some(d) => d.clone(),
            None => Datum::Null,
        })
    }));
    Ok(Expr::Call { name: "bpchar key".into(), kernel: trim, args: vec![compiled], strict: true, arg_types: vec![e.ty()] })
}

/// Physical types of the probe side entering operator i (for NULL padding).
fn probe_types_for(_ops: &[Op], pipeline: &oa_ir::pipeline::Pipeline, _build_width: usize) -> Vec<PhysicalType> {
    // The layout entering the join: the source's columns transformed by earlier operators.
    let mut types: Vec<PhysicalType> = match &pipeline.source {
        Source::Scan { columns, .. } => columns.iter().map(|c| physical_of(c.ty)).collect(),
        Source::Values { columns, .. }
        | Source::WorkTable { columns, .. }
        | Source::State { columns, .. }
        | Source::Cte { columns, .. }
        | Source::Recursive { columns, .. } => columns.iter().map(|c| physical_of(c.ty)).collect(),
        Source::Function { calls, ordinality } => SrfCall::scan_columns(calls, ordinality).iter().map(|c| physical_of(c.ty)).collect(),
    };
    for op in pipeline.operators.iter().take(_ops.len()) {
        match op {
            Operator::Project { items } => types = items.iter().map(|(c, _)| physical_of(c.ty)).collect(),
            Operator::HashProbe { kind, mark, build_columns, .. } | Operator::NestedLoop { kind, mark, inner_columns: build_columns, .. } => {
                if kind.outputs_right() {
                    types.extend(build_columns.iter().map(|c| physical_of(c.ty)));
                }
                if mark.is_some() {
                    types.push(PhysicalType::Bool);
                }
            }
            Operator::Insert { returning, .. } | Operator::Update { returning, .. } | Operator::Delete { returning, .. } => {
                types = returning.iter().map(|(c, _)| physical_of(c.ty)).collect();
            }
            _ => {}
        }
    }
    types
}

fn null_column(t: PhysicalType, n: usize) -> Column {
    let mut c = Column::empty(t, n);
    for _ in 0..n {
        c.push_null();
    }
    c
}

fn concat(morsels: &[Morsel]) -> Result<Morsel> {
    let mut out = Morsel::default();
    for m in morsels {
        out.extend(m)?;
    }
    Ok(out)
}

fn column_of(values: Vec<Datum>, phys: Option<PhysicalType>) -> Column {
    let phys = phys.or_else(|| values.iter().find_map(|v| v.physical_type())).unwrap_or(PhysicalType::Bool);
    let mut c = Column::empty(phys, values.len());
    for v in &values {
        c.push_datum(v);
    }
    c
}

fn rows_to_morsel(rows: Vec<Vec<Datum>>, types: &[PhysicalType]) -> Morsel {
    let n = rows.len();
    let width = types.len().max(rows.first().map_or(0, |r| r.len()));
    let mut cols: Vec<Vec<Datum>> = vec![Vec::with_capacity(n); width];
    for r in rows {
        for (i, v) in r.into_iter().enumerate() {
            if i < width {
                cols[i].push(v);
            }
        }
    }
    Morsel::new(cols.into_iter().enumerate().map(|(i, v)| column_of(v, types.get(i).copied())).collect(), n)
}

/// Deforms a page of tuples into a morsel of the requested attributes.
/// B-tree bounds from index conditions in key order: equalities fix a key
/// prefix, then the next key may have a lower and an upper bound.
fn index_bounds(quals: impl Iterator<Item = (IndexOp, Datum)>) -> (Bound<Vec<Datum>>, Bound<Vec<Datum>>) {
    let mut prefix = Vec::new();
    let (mut lower, mut upper) = (None, None);
    for (op, v) in quals {
        match op {
            IndexOp::Eq => prefix.push(v),
            IndexOp::Gt => lower = Some((v, false)),
            IndexOp::Ge => lower = Some((v, true)),
            IndexOp::Lt => upper = Some((v, false)),
            IndexOp::Le => upper = Some((v, true)),
        }
    }
    let bound = |b: Option<(Datum, bool)>| match b {
        Some((v, inclusive)) => {
            let mut key = prefix.clone();
            key.push(v);
            if inclusive { Bound::Included(key) } else { Bound::Excluded(key) }
        }
        None if prefix.is_empty() => Bound::Unbounded,
        None => Bound::Included(prefix.clone()),
    };
    (bound(lower), bound(upper))
}

fn deform_batch(batch: &TupleBatch, desc: &TupleDesc, columns: &[(i16, PhysicalType)], table_oid: oa_ir::Oid) -> Result<Morsel> {
    let n = batch.len();
    let mut cols: Vec<Column> = columns.iter().map(|(_, t)| Column::empty(*t, n)).collect();
    // attnum → output position (attnums are 1-based).
    let natts = desc.natts();
    let mut pos_of_att: Vec<Option<usize>> = vec![None; natts + 1];
    let mut ctid_pos = None;
    let mut tableoid_pos = None;
    for (i, (attnum, _)) in columns.iter().enumerate() {
        if *attnum == CTID_ATTNUM {
            ctid_pos = Some(i);
        } else if *attnum == oa_ir::plan::TABLEOID_ATTNUM {
            tableoid_pos = Some(i);
        } else if *attnum > 0 && (*attnum as usize) <= natts {
            pos_of_att[*attnum as usize] = Some(i);
        }
    }
    let mut filled = vec![false; columns.len()];
    for (tid, t) in batch.iter() {
        filled.iter_mut().for_each(|f| *f = false);
        oa_storage::deform_into(desc, t, |att, v| {
            if let Some(Some(p)) = pos_of_att.get(att + 1) {
                push_raw(&mut cols[*p], v);
                filled[*p] = true;
            }
        })?;
        for (p, f) in filled.iter().enumerate() {
            if !*f && Some(p) != ctid_pos && Some(p) != tableoid_pos {
                // Attributes added after the tuple was written read as NULL.
                cols[p].push_null();
            }
        }
        if let Some(p) = ctid_pos {
            cols[p].push_datum(&Datum::Int64(((tid.block as i64) << 16) | tid.offset as i64));
        }
        if let Some(p) = tableoid_pos {
            cols[p].push_datum(&Datum::Oid(table_oid));
        }
    }
    Ok(Morsel::new(cols, n))
}

fn push_raw(c: &mut Column, v: RawValue<'_>) {
    match (&mut c.data, v) {
        (_, RawValue::Null) => c.push_null(),
        (ColumnData::Bool(d), RawValue::Bool(x)) => {
            d.push(x);
            push_valid(c);
        }
        (ColumnData::I32(d), RawValue::Int32(x)) => {
            d.push(x);
            push_valid(c);
        }
        (ColumnData::I64(d), RawValue::Int64(x)) => {
            d.push(x);
            push_valid(c);
        }
        (ColumnData::Text(d), RawValue::Text(x)) => {
            d.push(x.as_bytes());
            push_valid(c);
        }
        (_, v) => match v.to_datum() {
            Ok(d) => c.push_datum(&d),
            Err(_) => c.push_null(),
        },
    }
}

fn push_valid(c: &mut Column) {
    if let Some(b) = &mut c.validity {
        b.push(true);
    }
}

/// Which rows of a boolean column are TRUE (NULL and FALSE are not).
pub fn truthy(c: &Column) -> Vec<bool> {
    match &c.data {
        ColumnData::Bool(v) => v.iter().enumerate().map(|(i, b)| *b && c.is_valid(i)).collect(),
        _ => vec![false; c.len()],
    }
}

/// Compares sort keys with per-key (descending, nulls_first).
pub fn compare_keys(a: &[Datum], b: &[Datum], dirs: &[(bool, bool)]) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    for ((x, y), (desc, nulls_first)) in a.iter().zip(b).zip(dirs) {
        let o = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if *nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if *nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            _ => {
                let o = x.sql_cmp(y);
                if *desc { o.reverse() } else { o }
            }
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

fn dedup(m: Morsel, all: bool, seen: &mut HashSet<Vec<Datum>>) -> Morsel {
    if all {
        return m;
    }
    let keep: Vec<bool> = (0..m.len).map(|i| seen.insert(m.row(i))).collect();
    m.filter(&keep)
}

/// The evaluation host: random state from the session, subqueries run as nested executors.
struct Host<'s, 'e, 'a> {
    subs: &'s mut Subqueries,
    env: &'e mut ExecEnv<'a>,
}

impl func::FnHost for Host<'_, '_, '_> {
    fn random(&mut self) -> &mut PgPrng {
        self.env.random
    }

    fn sequence(&mut self, op: func::SequenceOp) -> Result<Datum> {
        crate::sequence::apply(op, self.env.storage, self.env.catalog, self.env.sequences)
    }

    fn setting(&mut self, name: &str, missing_ok: bool) -> Result<Option<String>> {
        match self.env.settings.show(name) {
            Ok(v) => Ok(Some(v)),
            Err(_) if missing_ok => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn set_setting(&mut self, name: &str, value: Option<&str>, local: bool) -> Result<String> {
        let block = self.env.in_transaction_block;
        match value {
            Some(v) => self.env.settings.set(name, v, local, block)?,
            None => self.env.settings.reset(name, block)?,
        }
        self.env.settings.show(name)
    }

    fn reg_output(&mut self, ty: oa_ir::SqlType, value: &Datum) -> Result<String> {
        let catalog = self.env.catalog;
        if let Datum::Oid(o) = value
            && oa_ir::types::is_reg_type(ty.oid)
            && !matches!(ty.oid, oa_ir::types::oid::REGCONFIG | oa_ir::types::oid::REGDICTIONARY | oa_ir::types::oid::REGCOLLATION)
        {
            return Ok(crate::builtins::catalog_fns::reg_text(catalog, ty.oid, *o));
        }
        let elem_of = |t: oa_ir::Oid| oa_frontend::Catalog::type_by_oid(catalog, t).filter(|d| d.elem != 0 && d.len == -1).map(|d| (d.elem, b','));
        crate::session::output_value(ty, value, self.env.io, catalog, &elem_of)
    }

    fn catalog(&self) -> &CatalogView {
        self.env.catalog
    }

    fn catalog_rows(&mut self, name: &str) -> Result<crate::catalog::CatalogRows> {
        crate::catalog::scan_catalog(self.env.storage, self.env.snapshot, name)
    }

    fn relation_blocks(&mut self, relfilenode: oa_ir::Oid) -> Result<u64> {
        let rel = RelFileNumber(relfilenode);
        if relfilenode == 0 || !self.env.storage.relation_exists(rel) {
            return Ok(0);
        }
        Ok(self.env.storage.nblocks(rel)? as u64)
    }

    fn settings(&self) -> &crate::settings::Settings {
        self.env.settings
    }

    fn storage_key(&self) -> usize {
        Arc::as_ptr(self.env.storage) as usize
    }

    fn cancelled(&self) -> bool {
        self.env.cancel.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn reg_input(&mut self, ty: oa_ir::Oid, text: &str) -> Result<oa_ir::Oid> {
        let ctx = oa_frontend::BindContext { io: self.env.io.clone(), param_types: vec![] };
        // Raised at run time: no position in the statement.
        let found = oa_frontend::reg_input(ty, text, self.env.catalog, &ctx).map_err(|mut e| {
            e.position = None;
            e
        })?;
        match found {
            Some(o) => Ok(o),
            None => text
                .trim()
                .parse()
                .map_err(|_| Error::new(SqlState::INVALID_TEXT_REPRESENTATION, format!("invalid input syntax for type oid: \"{text}\""))),
        }
    }

    fn sequence_state(&mut self, seq: oa_ir::Oid) -> Result<Option<(i64, bool)>> {
        match self.env.catalog.user.relations.get(&seq) {
            Some(r) if r.kind == oa_ir::catalog::RelKind::Sequence => Ok(Some(crate::sequence::read_state(self.env.storage, r.relfilenode)?)),
            _ => Ok(None),
        }
    }
}

impl EvalHost for Host<'_, '_, '_> {
    fn run_subquery(&mut self, id: usize, outer: &HashMap<ColumnId, Datum>) -> Result<Datum> {
        self.subs.evaluate(id, outer, self.env)
    }
}

impl Subqueries {
    /// Evaluates subquery expression `id` for one set of outer values.
    fn evaluate(&mut self, id: usize, outer: &HashMap<ColumnId, Datum>, env: &mut ExecEnv) -> Result<Datum> {
        let def = self.defs.get(id).cloned().ok_or_else(|| Error::internal("unknown subquery"))?;
        let correlated = def.plan.is_correlated() || def.test.as_ref().is_some_and(|t| t.columns().iter().any(|c| !def.output.contains(c)));
        if !correlated && let Some(Some(v)) = self.cache.get(id) {
            return Ok(v.clone());
        }
        if self.graphs[id].is_none() {
            let optimized = oa_optimizer::optimize((*def.plan).clone(), env.catalog, &oa_optimizer::OptimizerOptions::default())?;
            self.graphs[id] = Some(oa_ir::pipeline::build_pipelines(&optimized.plan));
        }
        let graph = self.graphs[id].clone().ok_or_else(|| Error::internal("subquery not planned"))?;
        let mut exec = Executor::nested(graph, &self.ctes);
        exec.outer = outer.clone();
        // EXISTS needs one row; the others read everything (a scalar needs to see a second row to raise 21000).
        let mut rows = Morsel::default();
        loop {
            match exec.step(env)? {
                Step::Rows(m) => {
                    rows.extend(&m)?;
                    if def.kind == SubqueryKind::Exists || (def.kind == SubqueryKind::Scalar && rows.len > 1) {
                        break;
                    }
                }
                Step::Continue => {}
                Step::Done => break,
            }
        }
        let value = match def.kind {
            SubqueryKind::Exists => Datum::Bool(rows.len > 0),
            SubqueryKind::Scalar => match rows.len {
                0 => Datum::Null,
                1 => rows.columns.first().map(|c| c.datum(0)).unwrap_or(Datum::Null),
                _ => return Err(Error::new(SqlState::CARDINALITY_VIOLATION, "more than one row returned by a subquery used as an expression")),
            },
            SubqueryKind::Array => {
                let elems: Vec<Datum> = (0..rows.len).map(|i| rows.columns.first().map(|c| c.datum(i)).unwrap_or(Datum::Null)).collect();
                let elem = oa_ir::typeio::builtin_array_elem(def.ty.oid).unwrap_or(oa_ir::types::oid::TEXT);
                Datum::Array(Box::new(oa_ir::datum::Array::from_elems(elem, elems)))
            }
            // Over no rows ANY is false and ALL true, whatever the test.
            SubqueryKind::Any | SubqueryKind::All if rows.len == 0 => Datum::Bool(def.kind == SubqueryKind::All),
            SubqueryKind::Any | SubqueryKind::All => {
                let test = def.test.clone().ok_or_else(|| Error::internal("ANY/ALL without a test"))?;
                let layout: Vec<ColumnId> = def.output.clone();
                let compiled = compile(&test, &layout, self)?;
                let (io, session, params) = (env.io, env.session, env.params);
                let col = {
                    let mut host = Host { subs: self, env };
                    let mut ctx = EvalContext { io, session, params, outer, host: &mut host };
                    compiled.eval(&rows, &mut ctx)?
                };
                // ANY: TRUE if any TRUE, else NULL if any NULL, else FALSE. ALL mirrors it.
                let any = def.kind == SubqueryKind::Any;
                let mut saw_null = false;
                let mut decided = None;
                for i in 0..rows.len {
                    if !col.is_valid(i) {
                        saw_null = true;
                        continue;
                    }
                    let b = matches!(&col.data, ColumnData::Bool(v) if v[i]);
                    if b == any {
                        decided = Some(any);
                        break;
                    }
                }
                match decided {
                    Some(v) => Datum::Bool(v),
                    None if saw_null => Datum::Null,
                    None => Datum::Bool(!any),
                }
            }
        };
        if !correlated && let Some(slot) = self.cache.get_mut(id) {
            *slot = Some(value.clone());
        }
        Ok(value)
    }
}

/// Evaluates an expression that reads no table (EXECUTE parameters, DEFAULTs
/// computed by DDL, SET values): one row, no input columns.
pub fn evaluate_scalar(e: &ScalarExpr, env: &mut ExecEnv) -> Result<Datum> {
    let mut subs = Subqueries::default();
    let layout: Vec<ColumnId> = Vec::new();
    let compiled = compile(e, &layout, &mut subs)?;
    let m = Morsel::new(Vec::new(), 1);
    let outer = HashMap::new();
    let (io, session, params) = (env.io, env.session, env.params);
    let mut host = Host { subs: &mut subs, env };
    let mut ctx = EvalContext { io, session, params, outer: &outer, host: &mut host };
    compiled.eval_row(&m, 0, &mut ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bpchar_keys_ignore_trailing_spaces() {
        let a = key_of(vec![Datum::Text("x  ".into()), Datum::Text("y ".into())], &[true, false]);
        let b = key_of(vec![Datum::Text("x".into()), Datum::Text("y ".into())], &[true, false]);
        assert_eq!(a, b);
        let c = key_of(vec![Datum::Text("x".into()), Datum::Text("y".into())], &[true, false]);
        assert_ne!(a, c);
    }
}
