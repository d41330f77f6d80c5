//! WindowAgg (PostgreSQL's nodeWindowAgg.c): a pipeline breaker. The sink
//! keeps every input row (they arrive sorted by partition keys, then ORDER BY
//! keys); when the input is done, each partition is walked once per call.
//!
//! Frames follow nodeWindowAgg's rules: ROWS counts rows, RANGE compares the
//! ORDER BY value (peers share a frame end at CURRENT ROW; offsets through
//! in_range's `base ± offset`), GROUPS counts peer groups; EXCLUDE removes the
//! current row, its peer group or its ties. Aggregates advance incrementally
//! while the frame start stays at the partition start, and are recomputed
//! for each distinct frame otherwise.

use oa_ir::datum::Datum;
use oa_ir::expr::ColumnId;
use oa_ir::plan::PlanColumn;
use oa_ir::window::{FrameBound, FrameExclusion, FrameMode, WindowBuiltin, WindowCall, WindowFunc, WindowSpec};
use oa_ir::{Error, Result, SqlState};

use super::eval::{Expr, compile, physical_of};
use super::vector::Morsel;
use super::{ExecEnv, Executor, State, Subqueries, agg, column_of, compare_keys, compile_key, concat};

pub(super) struct CompiledWindow {
    partition: Vec<Expr>,
    order: Vec<Expr>,
    /// (descending, nulls first) of each ORDER BY key.
    dirs: Vec<(bool, bool)>,
    mode: FrameMode,
    start: Bound,
    end: Bound,
    exclusion: FrameExclusion,
    calls: Vec<Call>,
}

enum Bound {
    UnboundedPreceding,
    CurrentRow,
    UnboundedFollowing,
    Offset { preceding: bool, offset: Box<Expr>, range: Option<Box<RangeExprs>> },
}

struct RangeExprs {
    key: Expr,
    bound: Expr,
    negative: Expr,
}

enum Kind {
    Builtin(WindowBuiltin),
    Agg(agg::AggKind),
}

struct Call {
    kind: Kind,
    ret: oa_ir::SqlType,
    args: Vec<Expr>,
    filter: Option<Expr>,
}

pub(super) fn compile_window(
    spec: &WindowSpec,
    funcs: &[(PlanColumn, WindowCall)],
    layout: &[ColumnId],
    subs: &mut Subqueries,
) -> Result<CompiledWindow> {
    let layout_v = layout.to_vec();
    let bound = |b: &FrameBound, subs: &mut Subqueries| -> Result<Bound> {
        Ok(match b {
            FrameBound::UnboundedPreceding => Bound::UnboundedPreceding,
            FrameBound::CurrentRow => Bound::CurrentRow,
            FrameBound::UnboundedFollowing => Bound::UnboundedFollowing,
            FrameBound::Preceding { offset, range } | FrameBound::Following { offset, range } => Bound::Offset {
                preceding: matches!(b, FrameBound::Preceding { .. }),
                offset: Box::new(compile(offset, &layout_v, subs)?),
                range: match range {
                    Some(r) => Some(Box::new(RangeExprs {
                        key: compile(&r.key, &layout_v, subs)?,
                        bound: compile(&r.bound, &layout_v, subs)?,
                        negative: compile(&r.negative, &layout_v, subs)?,
                    })),
                    None => None,
                },
            },
        })
    };
    let start = bound(&spec.frame.start, subs)?;
    let end = bound(&spec.frame.end, subs)?;
    let mut calls = Vec::new();
    for (_, f) in funcs {
        let kind = match &f.func {
            WindowFunc::Builtin(b) => Kind::Builtin(*b),
            WindowFunc::Aggregate(a) => Kind::Agg(agg::AggKind::of(a)?),
        };
        calls.push(Call {
            kind,
            ret: f.ret_type,
            args: f.args.iter().map(|a| compile(a, &layout_v, subs)).collect::<Result<_>>()?,
            filter: f.filter.as_ref().map(|x| compile(x, &layout_v, subs)).transpose()?,
        });
    }
    Ok(CompiledWindow {
        partition: spec.partition_by.iter().map(|e| compile_key(e, layout, subs)).collect::<Result<_>>()?,
        order: spec.order_by.iter().map(|k| compile_key(&k.expr, layout, subs)).collect::<Result<_>>()?,
        dirs: spec.order_by.iter().map(|k| (k.descending, k.nulls_first)).collect(),
        mode: spec.frame.mode,
        start,
        end,
        exclusion: spec.frame.exclusion,
        calls,
    })
}

/// A frame offset, evaluated once (it cannot reference the row).
enum Offset {
    /// ROWS / GROUPS: a count.
    Count(usize),
    /// RANGE: the offset, and per row the ORDER BY key and `key ± offset` (None when it overflowed).
    Range { offset: Datum, keys: Vec<Datum>, bounds: Vec<Option<Datum>> },
}

/// The values of the expressions over every row.
type Columns = Vec<Vec<Datum>>;

impl Executor {
    fn eval_columns(&mut self, env: &mut ExecEnv, exprs: &[Expr], rows: &Morsel) -> Result<Columns> {
        let mut out: Columns = exprs.iter().map(|_| Vec::with_capacity(rows.len)).collect();
        for chunk in rows.clone().chunks() {
            let cols = self.with_ctx(env, |ctx| exprs.iter().map(|e| e.eval(&chunk, ctx)).collect::<Result<Vec<_>>>())?;
            for (o, c) in out.iter_mut().zip(&cols) {
                o.extend((0..chunk.len).map(|i| c.datum(i)));
            }
        }
        Ok(out)
    }

    /// `key ± offset` per row; a row whose sum overflows gets None (in_range treats it as beyond every value).
    fn eval_bounds(&mut self, env: &mut ExecEnv, e: &Expr, rows: &Morsel) -> Result<Vec<Option<Datum>>> {
        let mut out = Vec::with_capacity(rows.len);
        for chunk in rows.clone().chunks() {
            match self.with_ctx(env, |ctx| e.eval(&chunk, ctx)) {
                Ok(c) => out.extend((0..chunk.len).map(|i| Some(c.datum(i)))),
                Err(_) => {
                    for i in 0..chunk.len {
                        match self.with_ctx(env, |ctx| e.eval_row(&chunk, i, ctx)) {
                            Ok(d) => out.push(Some(d)),
                            Err(err) if is_overflow(&err) => out.push(None),
                            Err(err) => return Err(err),
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    fn eval_once(&mut self, env: &mut ExecEnv, e: &Expr) -> Result<Datum> {
        let one = Morsel::new(vec![], 1);
        self.with_ctx(env, |ctx| e.eval_row(&one, 0, ctx))
    }

    fn frame_offset(&mut self, env: &mut ExecEnv, b: &Bound, start: bool, rows: &Morsel) -> Result<Option<Offset>> {
        let Bound::Offset { offset, range, .. } = b else { return Ok(None) };
        let which = if start { "starting" } else { "ending" };
        let v = self.eval_once(env, offset)?;
        if v.is_null() {
            return Err(Error::new(SqlState::NULL_VALUE_NOT_ALLOWED, format!("frame {which} offset must not be null")));
        }
        match range {
            None => {
                let n = v.as_i64().unwrap_or(0);
                if n < 0 {
                    return Err(Error::new(SqlState::INVALID_PRECEDING_OR_FOLLOWING_SIZE, format!("frame {which} offset must not be negative")));
                }
                Ok(Some(Offset::Count(usize::try_from(n).unwrap_or(usize::MAX))))
            }
            Some(r) => {
                let nan = match &v {
                    Datum::Float64(f) => f.is_nan(),
                    Datum::Float32(f) => f.is_nan(),
                    Datum::Numeric(n) => n.is_nan(),
                    _ => false,
                };
                if nan || self.eval_once(env, &r.negative)?.as_bool() == Some(true) {
                    return Err(Error::new(SqlState::INVALID_PRECEDING_OR_FOLLOWING_SIZE, "invalid preceding or following size in window function"));
                }
                let keys = self.eval_columns(env, std::slice::from_ref(&r.key), rows)?.pop().unwrap_or_default();
                let bounds = self.eval_bounds(env, &r.bound, rows)?;
                Ok(Some(Offset::Range { offset: v, keys, bounds }))
            }
        }
    }

    /// Computes the window functions over the rows the sink kept.
    pub(super) fn finish_window(&mut self, state: usize, w: &CompiledWindow, env: &mut ExecEnv) -> Result<()> {
        let State::Rows { morsels, .. } = std::mem::replace(&mut self.states[state], State::Empty) else { return Ok(()) };
        let rows = concat(&morsels)?;
        let n = rows.len;
        let types = self.state_output_types(state);
        let mut results: Vec<Vec<Datum>> = w.calls.iter().map(|_| Vec::with_capacity(n)).collect();
        if n > 0 {
            let part = self.eval_columns(env, &w.partition, &rows)?;
            let order = self.eval_columns(env, &w.order, &rows)?;
            let mut args = Vec::new();
            let mut filters = Vec::new();
            for c in &w.calls {
                args.push(self.eval_columns(env, &c.args, &rows)?);
                filters.push(match &c.filter {
                    Some(f) => Some(self.eval_columns(env, std::slice::from_ref(f), &rows)?.pop().unwrap_or_default()),
                    None => None,
                });
            }
            let start_off = self.frame_offset(env, &w.start, true, &rows)?;
            let end_off = self.frame_offset(env, &w.end, false, &rows)?;
            let ctx = FrameCtx { w, order: &order, start_off: start_off.as_ref(), end_off: end_off.as_ref() };
            let key_at = |cols: &Columns, i: usize| -> Vec<Datum> { cols.iter().map(|c| c[i].clone()).collect() };
            let mut p0 = 0;
            while p0 < n {
                let first = key_at(&part, p0);
                let mut p1 = p0 + 1;
                while p1 < n && key_at(&part, p1).iter().zip(&first).all(|(a, b)| a.is_null() == b.is_null() && a.sql_cmp(b).is_eq()) {
                    p1 += 1;
                }
                let p = Partition::new(&ctx, p0, p1);
                for (ci, c) in w.calls.iter().enumerate() {
                    let vals = p.compute(&ctx, c, &args[ci], filters[ci].as_deref())?;
                    results[ci].extend(vals);
                }
                p0 = p1;
            }
        }
        let mut columns = rows.columns.clone();
        let base = columns.len();
        for (i, (vals, c)) in results.into_iter().zip(&w.calls).enumerate() {
            let phys = types.get(base + i).copied().unwrap_or_else(|| physical_of(c.ret));
            columns.push(column_of(vals, Some(phys)));
        }
        let out = Morsel::new(columns, n);
        self.states[state] = State::Rows { morsels: out.chunks(), next: 0 };
        Ok(())
    }
}

fn is_overflow(e: &Error) -> bool {
    e.code == SqlState::NUMERIC_VALUE_OUT_OF_RANGE || e.code == SqlState::DATETIME_FIELD_OVERFLOW
}

struct FrameCtx<'a> {
    w: &'a CompiledWindow,
    order: &'a Columns,
    start_off: Option<&'a Offset>,
    end_off: Option<&'a Offset>,
}

/// One partition: rows `p0..p1` of the sorted input, and its peer groups.
struct Partition {
    p0: usize,
    n: usize,
    group_of: Vec<usize>,
    group_start: Vec<usize>,
    group_end: Vec<usize>,
}

impl Partition {
    fn new(ctx: &FrameCtx, p0: usize, p1: usize) -> Partition {
        let n = p1 - p0;
        let key = |i: usize| -> Vec<Datum> { ctx.order.iter().map(|c| c[p0 + i].clone()).collect() };
        let mut group_of = Vec::with_capacity(n);
        let mut group_start = vec![0];
        let mut prev = key(0);
        for i in 0..n {
            if i > 0 {
                let k = key(i);
                if !compare_keys(&k, &prev, &ctx.w.dirs).is_eq() {
                    group_start.push(i);
                }
                prev = k;
            }
            group_of.push(group_start.len() - 1);
        }
        let mut group_end: Vec<usize> = group_start[1..].to_vec();
        group_end.push(n);
        Partition { p0, n, group_of, group_start, group_end }
    }

    /// Frame of each row as partition-local [start, end).
    fn frames(&self, ctx: &FrameCtx) -> Vec<(usize, usize)> {
        let w = ctx.w;
        let n = self.n;
        let ngroups = self.group_start.len();
        let count = |o: Option<&Offset>| match o {
            Some(Offset::Count(k)) => *k,
            _ => 0,
        };
        let (ks, ke) = (count(ctx.start_off), count(ctx.end_off));
        let asc = !w.dirs.first().is_some_and(|d| d.0);
        let nulls_first = w.dirs.first().is_some_and(|d| d.1);
        let mut head = 0usize;
        let mut tail = 0usize;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let g = self.group_of[i];
            let start = match (&w.start, w.mode) {
                (Bound::UnboundedPreceding, _) => 0,
                (Bound::UnboundedFollowing, _) => n,
                (Bound::CurrentRow, FrameMode::Rows) => i,
                (Bound::CurrentRow, _) => self.group_start[g],
                (Bound::Offset { preceding, .. }, FrameMode::Rows) => {
                    if *preceding {
                        i.saturating_sub(ks)
                    } else {
                        i.saturating_add(ks).min(n)
                    }
                }
                (Bound::Offset { preceding, .. }, FrameMode::Groups) => {
                    if *preceding {
                        self.group_start[g.saturating_sub(ks)]
                    } else if g.saturating_add(ks) < ngroups {
                        self.group_start[g + ks]
                    } else {
                        n
                    }
                }
                (Bound::Offset { preceding, .. }, FrameMode::Range) => {
                    // update_frameheadpos: the first row at or after the previous head in range.
                    let Some(Offset::Range { offset, keys, bounds }) = ctx.start_off else { return out };
                    let sub = *preceding == asc;
                    let less = !asc;
                    let cur = &keys[self.p0 + i];
                    while head < n {
                        let hv = &keys[self.p0 + head];
                        let stop = if hv.is_null() || cur.is_null() {
                            if nulls_first { !hv.is_null() || cur.is_null() } else { hv.is_null() || !cur.is_null() }
                        } else {
                            in_range(hv, cur, offset, bounds[self.p0 + i].as_ref(), sub, less)
                        };
                        if stop {
                            break;
                        }
                        head += 1;
                    }
                    head
                }
            };
            let end = match (&w.end, w.mode) {
                (Bound::UnboundedFollowing, _) => n,
                (Bound::UnboundedPreceding, _) => 0,
                (Bound::CurrentRow, FrameMode::Rows) => i + 1,
                (Bound::CurrentRow, _) => self.group_end[g],
                (Bound::Offset { preceding, .. }, FrameMode::Rows) => {
                    if *preceding {
                        (i + 1).saturating_sub(ke)
                    } else {
                        i.saturating_add(ke).saturating_add(1).min(n)
                    }
                }
                (Bound::Offset { preceding, .. }, FrameMode::Groups) => {
                    if *preceding {
                        if ke > g { 0 } else { self.group_end[g - ke] }
                    } else {
                        self.group_end[g.saturating_add(ke).min(ngroups - 1)]
                    }
                }
                (Bound::Offset { preceding, .. }, FrameMode::Range) => {
                    // update_frametailpos: advance past every row still in range.
                    let Some(Offset::Range { offset, keys, bounds }) = ctx.end_off else { return out };
                    let sub = *preceding == asc;
                    let less = asc;
                    let cur = &keys[self.p0 + i];
                    while tail < n {
                        let tv = &keys[self.p0 + tail];
                        let stop = if tv.is_null() || cur.is_null() {
                            if nulls_first { !tv.is_null() } else { !cur.is_null() }
                        } else {
                            !in_range(tv, cur, offset, bounds[self.p0 + i].as_ref(), sub, less)
                        };
                        if stop {
                            break;
                        }
                        tail += 1;
                    }
                    tail
                }
            };
            out.push((start, end));
        }
        out
    }

    /// The rows of row `i`'s frame in order, after EXCLUDE, as [start, end) runs.
    fn segments(&self, w: &CompiledWindow, i: usize, (fs, fe): (usize, usize)) -> Vec<(usize, usize)> {
        let g = self.group_of[i];
        let (gs, ge) = (self.group_start[g], self.group_end[g]);
        let segs = match w.exclusion {
            FrameExclusion::NoOthers => vec![(fs, fe)],
            FrameExclusion::CurrentRow => vec![(fs, i.min(fe)), ((i + 1).max(fs), fe)],
            FrameExclusion::Group => vec![(fs, gs.min(fe)), (ge.max(fs), fe)],
            FrameExclusion::Ties => {
                let cur = if fs <= i && i < fe { (i, i + 1) } else { (0, 0) };
                vec![(fs, gs.min(fe)), cur, (ge.max(fs), fe)]
            }
        };
        segs.into_iter().filter(|(s, e)| s < e).collect()
    }

    fn compute(&self, ctx: &FrameCtx, c: &Call, args: &Columns, filter: Option<&[Datum]>) -> Result<Vec<Datum>> {
        let n = self.n;
        let p0 = self.p0;
        let arg = |a: usize, i: usize| -> Datum { args.get(a).map_or(Datum::Null, |col| col[p0 + i].clone()) };
        let mut out = Vec::with_capacity(n);
        match c.kind {
            Kind::Builtin(WindowBuiltin::RowNumber) => out.extend((0..n).map(|i| Datum::Int64(i as i64 + 1))),
            Kind::Builtin(WindowBuiltin::Rank) => out.extend((0..n).map(|i| Datum::Int64(self.group_start[self.group_of[i]] as i64 + 1))),
            Kind::Builtin(WindowBuiltin::DenseRank) => out.extend((0..n).map(|i| Datum::Int64(self.group_of[i] as i64 + 1))),
            Kind::Builtin(WindowBuiltin::PercentRank) => out.extend((0..n).map(|i| {
                let rank = self.group_start[self.group_of[i]] as f64;
                Datum::Float64(if n > 1 { rank / (n - 1) as f64 } else { 0.0 })
            })),
            Kind::Builtin(WindowBuiltin::CumeDist) => out.extend((0..n).map(|i| Datum::Float64(self.group_end[self.group_of[i]] as f64 / n as f64))),
            Kind::Builtin(WindowBuiltin::Ntile) => {
                // window_ntile: the bucket count is read on the first row that has one.
                let (mut ntile, mut per_bucket, mut boundary, mut remainder) = (0i64, 0i64, 0i64, 0i64);
                for i in 0..n {
                    if ntile == 0 {
                        let Some(buckets) = arg(0, i).as_i64() else {
                            out.push(Datum::Null);
                            continue;
                        };
                        if buckets <= 0 {
                            return Err(Error::new(SqlState::INVALID_ARGUMENT_FOR_NTILE, "argument of ntile must be greater than zero"));
                        }
                        ntile = 1;
                        per_bucket = 0;
                        boundary = n as i64 / buckets;
                        if boundary <= 0 {
                            boundary = 1;
                        } else {
                            remainder = n as i64 % buckets;
                            if remainder != 0 {
                                boundary += 1;
                            }
                        }
                    }
                    per_bucket += 1;
                    if boundary < per_bucket {
                        if remainder != 0 && ntile == remainder {
                            remainder = 0;
                            boundary -= 1;
                        }
                        ntile += 1;
                        per_bucket = 1;
                    }
                    out.push(Datum::Int32(ntile as i32));
                }
            }
            Kind::Builtin(b @ (WindowBuiltin::Lag | WindowBuiltin::Lead)) => {
                for i in 0..n {
                    let offset = if c.args.len() > 1 {
                        match arg(1, i).as_i64() {
                            Some(o) => o,
                            None => {
                                out.push(Datum::Null);
                                continue;
                            }
                        }
                    } else {
                        1
                    };
                    let target = if b == WindowBuiltin::Lag { i as i64 - offset } else { i as i64 + offset };
                    if target >= 0 && (target as usize) < n {
                        out.push(arg(0, target as usize));
                    } else if c.args.len() > 2 {
                        out.push(arg(2, i));
                    } else {
                        out.push(Datum::Null);
                    }
                }
            }
            Kind::Builtin(b @ (WindowBuiltin::FirstValue | WindowBuiltin::LastValue | WindowBuiltin::NthValue)) => {
                let frames = self.frames(ctx);
                for (i, f) in frames.into_iter().enumerate() {
                    let segs = self.segments(ctx.w, i, f);
                    let pick = match b {
                        WindowBuiltin::FirstValue => segs.first().map(|s| s.0),
                        WindowBuiltin::LastValue => segs.last().map(|s| s.1 - 1),
                        _ => {
                            let Some(nth) = arg(1, i).as_i64() else {
                                out.push(Datum::Null);
                                continue;
                            };
                            if nth <= 0 {
                                return Err(Error::new(SqlState::INVALID_ARGUMENT_FOR_NTH_VALUE, "argument of nth_value must be greater than zero"));
                            }
                            nth_row(&segs, (nth - 1) as u64)
                        }
                    };
                    out.push(pick.map_or(Datum::Null, |r| arg(0, r)));
                }
            }
            Kind::Agg(kind) => {
                let frames = self.frames(ctx);
                let passes = |r: usize| filter.is_none_or(|f| f[p0 + r].as_bool() == Some(true));
                let advance = |state: &mut agg::AggState, r: usize| -> Result<()> {
                    if !passes(r) {
                        return Ok(());
                    }
                    let vals: Vec<Datum> = (0..c.args.len()).map(|a| arg(a, r)).collect();
                    agg::advance(kind, state, &vals, c.ret)
                };
                let growing = matches!(ctx.w.start, Bound::UnboundedPreceding) && ctx.w.exclusion == FrameExclusion::NoOthers;
                if growing {
                    // The frame only grows: advance the running state to each row's frame end.
                    let mut state = agg::init_state(kind);
                    let mut upto = 0;
                    for (_, fe) in frames {
                        while upto < fe {
                            advance(&mut state, upto)?;
                            upto += 1;
                        }
                        out.push(agg::finish(kind, &state, c.ret)?);
                    }
                } else {
                    let mut last: Option<(Vec<(usize, usize)>, Datum)> = None;
                    for (i, f) in frames.into_iter().enumerate() {
                        let segs = self.segments(ctx.w, i, f);
                        if let Some((prev, v)) = &last
                            && *prev == segs
                        {
                            out.push(v.clone());
                            continue;
                        }
                        let mut state = agg::init_state(kind);
                        for (s, e) in &segs {
                            for r in *s..*e {
                                advance(&mut state, r)?;
                            }
                        }
                        let v = agg::finish(kind, &state, c.ret)?;
                        out.push(v.clone());
                        last = Some((segs, v));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Row `k` (0-based) of the frame's runs.
fn nth_row(segs: &[(usize, usize)], k: u64) -> Option<usize> {
    let mut k = k;
    for (s, e) in segs {
        let len = (e - s) as u64;
        if k < len {
            return Some(s + k as usize);
        }
        k -= len;
    }
    None
}

/// in_range(val, base, offset, sub, less) with `base ± offset` precomputed
/// (None: the sum overflowed, so it lies beyond every value). Floats and
/// numerics follow in_range_float8_float8 / in_range_numeric_numeric:
/// NaN sorts after everything, and an infinite offset from an infinite base
/// of the "wrong" sign includes every value.
fn in_range(val: &Datum, base: &Datum, offset: &Datum, sum: Option<&Datum>, sub: bool, less: bool) -> bool {
    let by_sign = |val_nan: bool, base_nan: bool| -> Option<bool> {
        match (val_nan, base_nan) {
            (true, true) => Some(true),
            (true, false) => Some(!less),
            (false, true) => Some(less),
            _ => None,
        }
    };
    match (val, base, offset) {
        (Datum::Float64(v), Datum::Float64(b), Datum::Float64(o)) => {
            if let Some(r) = by_sign(v.is_nan(), b.is_nan()) {
                return r;
            }
            if o.is_infinite() && b.is_infinite() && (if sub { *b > 0.0 } else { *b < 0.0 }) {
                return true;
            }
            let s = if sub { b - o } else { b + o };
            return if less { v <= &s } else { v >= &s };
        }
        (Datum::Numeric(v), Datum::Numeric(b), Datum::Numeric(o)) => {
            if let Some(r) = by_sign(v.is_nan(), b.is_nan()) {
                return r;
            }
            if o.is_infinite() {
                if b.is_infinite() && (if sub { b.signum() > 0 } else { b.signum() < 0 }) {
                    return true;
                }
                // The sum is infinite, beyond every finite value.
                return if sub { !less || (v.is_infinite() && v.signum() < 0) } else { less || (v.is_infinite() && v.signum() > 0) };
            }
        }
        _ => {}
    }
    match sum {
        None => {
            if sub {
                !less
            } else {
                less
            }
        }
        Some(s) => {
            let o = val.sql_cmp(s);
            if less { o.is_le() } else { o.is_ge() }
        }
    }
}
