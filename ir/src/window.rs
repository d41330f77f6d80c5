//! Window functions: what one WindowAgg node computes (PostgreSQL's
//! WindowClause with the WindowFuncs that use it). The node's input arrives
//! sorted by the partition keys, then the ORDER BY keys; each call sees the
//! rows of its partition and, for the frame-aware ones, the frame.

use std::sync::Arc;

use crate::expr::{AggRef, ColumnId, ScalarExpr, SortKey};
use crate::plan::PlanColumn;
use crate::types::SqlType;

/// The built-in window functions (pg_proc.prokind = 'w'), by prosrc.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WindowBuiltin {
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    Ntile,
    Lag,
    Lead,
    FirstValue,
    LastValue,
    NthValue,
}

impl WindowBuiltin {
    /// The function implemented by `prosrc` (window_lag_with_offset → Lag, …).
    pub fn from_prosrc(prosrc: &str) -> Option<WindowBuiltin> {
        Some(match prosrc {
            "window_row_number" => WindowBuiltin::RowNumber,
            "window_rank" => WindowBuiltin::Rank,
            "window_dense_rank" => WindowBuiltin::DenseRank,
            "window_percent_rank" => WindowBuiltin::PercentRank,
            "window_cume_dist" => WindowBuiltin::CumeDist,
            "window_ntile" => WindowBuiltin::Ntile,
            "window_lag" | "window_lag_with_offset" | "window_lag_with_offset_and_default" => WindowBuiltin::Lag,
            "window_lead" | "window_lead_with_offset" | "window_lead_with_offset_and_default" => WindowBuiltin::Lead,
            "window_first_value" => WindowBuiltin::FirstValue,
            "window_last_value" => WindowBuiltin::LastValue,
            "window_nth_value" => WindowBuiltin::NthValue,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum WindowFunc {
    Builtin(WindowBuiltin),
    /// An ordinary aggregate over the frame.
    Aggregate(Arc<AggRef>),
}

/// One window function call (WindowFunc).
#[derive(Clone, Debug, PartialEq)]
pub struct WindowCall {
    pub func: WindowFunc,
    /// The function's name, for EXPLAIN.
    pub name: String,
    pub args: Vec<ScalarExpr>,
    /// `count(*)`: printed with a star.
    pub star: bool,
    /// FILTER (WHERE …) of an aggregate.
    pub filter: Option<ScalarExpr>,
    pub ret_type: SqlType,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameMode {
    Rows,
    Range,
    Groups,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameExclusion {
    NoOthers,
    CurrentRow,
    Group,
    Ties,
}

/// A RANGE offset bound: the rows whose `key` lies within `bound` of the current row.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeOffset {
    /// The ORDER BY key in the type the comparison is made in (int8 for
    /// integer keys, timestamp for dates, …), per row.
    pub key: ScalarExpr,
    /// The current row's key plus or minus the offset (in_range's `base ± offset`), per row.
    pub bound: ScalarExpr,
    /// TRUE when the offset is negative (or NaN): in_range's error.
    pub negative: ScalarExpr,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FrameBound {
    UnboundedPreceding,
    /// `offset PRECEDING`: an int8 row/group count for ROWS and GROUPS, the
    /// offset value for RANGE (with `range` set).
    Preceding {
        offset: ScalarExpr,
        range: Option<Box<RangeOffset>>,
    },
    CurrentRow,
    Following {
        offset: ScalarExpr,
        range: Option<Box<RangeOffset>>,
    },
    UnboundedFollowing,
}

impl FrameBound {
    fn expressions(&self) -> Vec<&ScalarExpr> {
        match self {
            FrameBound::Preceding { offset, range } | FrameBound::Following { offset, range } => {
                let mut v = vec![offset];
                if let Some(r) = range {
                    v.extend([&r.key, &r.bound, &r.negative]);
                }
                v
            }
            _ => vec![],
        }
    }

    fn expressions_mut(&mut self) -> Vec<&mut ScalarExpr> {
        match self {
            FrameBound::Preceding { offset, range } | FrameBound::Following { offset, range } => {
                let mut v = vec![offset];
                if let Some(r) = range {
                    let r = &mut **r;
                    v.extend([&mut r.key, &mut r.bound, &mut r.negative]);
                }
                v
            }
            _ => vec![],
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct WindowFrame {
    pub mode: FrameMode,
    pub start: FrameBound,
    pub end: FrameBound,
    pub exclusion: FrameExclusion,
}

impl WindowFrame {
    /// RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW.
    pub fn default_frame() -> WindowFrame {
        WindowFrame {
            mode: FrameMode::Range,
            start: FrameBound::UnboundedPreceding,
            end: FrameBound::CurrentRow,
            exclusion: FrameExclusion::NoOthers,
        }
    }
}

/// PARTITION BY, ORDER BY and frame of one WindowAgg node.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowSpec {
    pub partition_by: Vec<ScalarExpr>,
    pub order_by: Vec<SortKey>,
    pub frame: WindowFrame,
}

impl WindowSpec {
    /// The keys the input must be sorted by: partition keys, then ORDER BY
    /// keys not already among them.
    pub fn sort_keys(&self) -> Vec<SortKey> {
        let mut keys: Vec<SortKey> = self.partition_by.iter().map(|e| SortKey::new(e.clone(), false, None)).collect();
        for k in &self.order_by {
            if !keys.iter().any(|x| x.expr == k.expr) {
                keys.push(k.clone());
            }
        }
        keys
    }
}

/// Every expression of a window node: spec first, then each call's arguments and filter.
pub fn expressions<'a>(spec: &'a WindowSpec, funcs: &'a [(PlanColumn, WindowCall)]) -> Vec<&'a ScalarExpr> {
    let mut v: Vec<&ScalarExpr> = spec.partition_by.iter().collect();
    v.extend(spec.order_by.iter().map(|k| &k.expr));
    v.extend(spec.frame.start.expressions());
    v.extend(spec.frame.end.expressions());
    for (_, f) in funcs {
        v.extend(f.args.iter());
        v.extend(f.filter.iter());
    }
    v
}

pub fn expressions_mut<'a>(spec: &'a mut WindowSpec, funcs: &'a mut [(PlanColumn, WindowCall)]) -> Vec<&'a mut ScalarExpr> {
    let mut v: Vec<&mut ScalarExpr> = spec.partition_by.iter_mut().collect();
    v.extend(spec.order_by.iter_mut().map(|k| &mut k.expr));
    v.extend(spec.frame.start.expressions_mut());
    v.extend(spec.frame.end.expressions_mut());
    for (_, f) in funcs.iter_mut() {
        v.extend(f.args.iter_mut());
        v.extend(f.filter.iter_mut());
    }
    v
}

/// The node's output: the input's columns, then one per call.
pub fn output(input: Vec<PlanColumn>, funcs: &[(PlanColumn, WindowCall)]) -> Vec<PlanColumn> {
    let mut v = input;
    v.extend(funcs.iter().map(|(c, _)| c.clone()));
    v
}

pub fn output_ids(funcs: &[(PlanColumn, WindowCall)]) -> impl Iterator<Item = ColumnId> + '_ {
    funcs.iter().map(|(c, _)| c.id)
}
