//! The e-graph stages (`simplify`, `pushdown`), built on `egg`.
//!
//! The plan is encoded in one language of plan and scalar nodes. Nodes the
//! rules look into are real e-nodes (filters, projections, joins, AND/OR/NOT,
//! strict function calls, columns, boolean constants); everything else is an
//! opaque leaf holding its original IR, moved as a unit. Conjunctions are
//! n-ary (`and` over any number of children), so rules that pick conjuncts
//! apart use custom appliers instead of associativity/commutativity, which
//! would make the e-graph explode. Saturation is bounded by node and
//! iteration limits only (no wall clock), and the runner is driven by hand
//! (egg's `Runner` reads the clock, which wasm32 does not have).

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use egg::{Applier, EGraph, Id, Language, Pattern, PatternAst, RecExpr, Rewrite, SearchMatches, Subst, Symbol, Var, define_language};

use oa_ir::datum::Datum;
use oa_ir::expr::{ColumnId, FuncRef, ScalarExpr};
use oa_ir::plan::{JoinKind, LogicalPlan, PlanColumn};
use oa_ir::types::SqlType;
use oa_ir::{Error, Result};

use crate::OptimizerOptions;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Simplify,
    Pushdown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EGraphReport {
    pub iterations: usize,
    pub nodes: usize,
    pub classes: usize,
    /// "saturated", "node limit" or "iteration limit".
    pub stop_reason: &'static str,
    /// Rules that changed the e-graph, with how many times they fired.
    pub rules_fired: Vec<(String, usize)>,
}

macro_rules! leaf_type {
    ($name:ident, $prefix:literal) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> std::result::Result<Self, ()> {
                s.strip_prefix($prefix).and_then(|n| n.parse().ok()).map($name).ok_or(())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", $prefix, self.0)
            }
        }
    };
}

leaf_type!(Col, "c");
leaf_type!(Opaque, "o");
leaf_type!(Func, "f");
leaf_type!(PlanLeaf, "p");
leaf_type!(NullOf, "n");

define_language! {
    // `Node::Node` is the opaque plan node.
    #[allow(clippy::enum_variant_names)]
    pub enum Node {
        "filter" = Filter([Id; 2]),
        "project" = Project([Id; 3]),
        "join-inner" = JoinInner([Id; 3]),
        "join-left" = JoinLeft([Id; 3]),
        "join-right" = JoinRight([Id; 3]),
        "join-full" = JoinFull([Id; 3]),
        "join-semi" = JoinSemi([Id; 3]),
        "join-anti" = JoinAnti([Id; 3]),
        "join-antina" = JoinAntiNullAware([Id; 3]),
        // An opaque plan node: the template leaf, then its children.
        "node" = Node(Box<[Id]>),
        "list" = List(Box<[Id]>),
        "and" = And(Box<[Id]>),
        "or" = Or(Box<[Id]>),
        "not" = Not(Id),
        "isnull" = IsNull(Id),
        "notnull" = IsNotNull(Id),
        "call" = Call(Box<[Id]>),
        Bool(bool),
        NullOf(NullOf),
        Col(Col),
        Opaque(Opaque),
        Func(Func),
        PlanLeaf(PlanLeaf),
    }
}

/// Side tables for the things leaves refer to.
#[derive(Default)]
pub struct Side {
    col_types: HashMap<u32, SqlType>,
    opaques: Vec<ScalarExpr>,
    funcs: Vec<Arc<FuncRef>>,
    /// Opaque plan templates (children replaced by empty plans), or project/mark outputs.
    plans: Vec<LogicalPlan>,
    proj_cols: Vec<Vec<PlanColumn>>,
    null_types: Vec<SqlType>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    /// Scalar: columns read. Plan: columns output.
    pub cols: Arc<BTreeSet<ColumnId>>,
    pub is_plan: bool,
    /// Contains a volatile call or a subquery: never moved or merged.
    pub pinned: bool,
    /// Known boolean/NULL value of a scalar class.
    pub constant: Option<Option<bool>>,
    pub rows: f64,
}

#[derive(Default)]
pub struct Analysis {
    pub side: Side,
}

type G = EGraph<Node, Analysis>;

impl egg::Analysis<Node> for Analysis {
    type Data = Data;

    fn make(egraph: &mut G, enode: &Node, _id: Id) -> Data {
        let d = |id: &Id| &egraph[*id].data;
        let side = &egraph.analysis.side;
        let union_cols = |ids: &[Id]| -> Arc<BTreeSet<ColumnId>> {
            let mut s = BTreeSet::new();
            for i in ids {
                s.extend(d(i).cols.iter().copied());
            }
            Arc::new(s)
        };
        let pinned = |ids: &[Id]| ids.iter().any(|i| d(i).pinned);
        let scalar =
            |cols: Arc<BTreeSet<ColumnId>>, pinned: bool, constant: Option<Option<bool>>| Data { cols, is_plan: false, pinned, constant, rows: 0.0 };
        match enode {
            Node::Col(c) => scalar(Arc::new([ColumnId(c.0)].into_iter().collect()), false, None),
            Node::Bool(b) => scalar(Arc::default(), false, Some(Some(*b))),
            Node::NullOf(_) => scalar(Arc::default(), false, Some(None)),
            Node::Opaque(o) => {
                let e = &side.opaques[o.0 as usize];
                scalar(Arc::new(e.columns().into_iter().collect()), e.is_volatile(), None)
            }
            Node::Func(_) | Node::PlanLeaf(_) => scalar(Arc::default(), false, None),
            Node::And(ids) => {
                let c = if ids.iter().any(|i| d(i).constant == Some(Some(false))) {
                    Some(Some(false))
                } else if ids.iter().all(|i| d(i).constant == Some(Some(true))) {
                    Some(Some(true))
                } else {
                    None
                };
                scalar(union_cols(ids), pinned(ids), c)
            }
            Node::Or(ids) => {
                let c = if ids.iter().any(|i| d(i).constant == Some(Some(true))) {
                    Some(Some(true))
                } else if ids.iter().all(|i| d(i).constant == Some(Some(false))) {
                    Some(Some(false))
                } else {
                    None
                };
                scalar(union_cols(ids), pinned(ids), c)
            }
            Node::Not(a) => scalar(d(a).cols.clone(), d(a).pinned, d(a).constant.map(|c| c.map(|b| !b))),
            Node::IsNull(a) => scalar(d(a).cols.clone(), d(a).pinned, d(a).constant.map(|c| Some(c.is_none()))),
            Node::IsNotNull(a) => scalar(d(a).cols.clone(), d(a).pinned, d(a).constant.map(|c| Some(c.is_some()))),
            Node::Call(ids) => {
                // Strict calls (only those are encoded) are NULL when an argument is.
                let args = &ids[1..];
                let c = args.iter().any(|i| d(i).constant == Some(None)).then_some(None);
                scalar(union_cols(args), pinned(args), c)
            }
            Node::List(ids) => scalar(union_cols(ids), pinned(ids), None),
            Node::Filter([p, x]) => Data {
                cols: d(x).cols.clone(),
                is_plan: true,
                pinned: false,
                constant: None,
                rows: d(x).rows * if d(p).constant == Some(Some(true)) { 1.0 } else { 0.33 },
            },
            Node::Project([pl, _, x]) => {
                let PlanLeaf(i) = leaf_plan(egraph, *pl);
                let cols = side.proj_cols[i as usize].iter().map(|c| c.id).collect();
                Data { cols: Arc::new(cols), is_plan: true, pinned: false, constant: None, rows: d(x).rows }
            }
            Node::JoinInner([c, l, r]) | Node::JoinLeft([c, l, r]) | Node::JoinRight([c, l, r]) | Node::JoinFull([c, l, r]) => {
                let sel = if d(c).constant == Some(Some(true)) { 1.0 } else { 0.1 };
                let mut rows = d(l).rows * d(r).rows * sel;
                match enode {
                    Node::JoinLeft(_) => rows = rows.max(d(l).rows),
                    Node::JoinRight(_) => rows = rows.max(d(r).rows),
                    Node::JoinFull(_) => rows = rows.max(d(l).rows + d(r).rows),
                    _ => {}
                }
                Data { cols: union_cols(&[*l, *r]), is_plan: true, pinned: false, constant: None, rows: rows.max(1.0) }
            }
            Node::JoinSemi([_, l, _]) | Node::JoinAnti([_, l, _]) | Node::JoinAntiNullAware([_, l, _]) => {
                Data { cols: d(l).cols.clone(), is_plan: true, pinned: false, constant: None, rows: (d(l).rows * 0.5).max(1.0) }
            }
            Node::Node(ids) => {
                let PlanLeaf(i) = leaf_plan(egraph, ids[0]);
                let template = &side.plans[i as usize];
                let child_rows: f64 = ids[1..].iter().map(|c| d(c).rows).fold(1.0, f64::max);
                let rows = match template {
                    LogicalPlan::Scan { table, .. } => {
                        if table.reltuples >= 0.0 {
                            table.reltuples.max(1.0)
                        } else {
                            1000.0
                        }
                    }
                    LogicalPlan::Values { rows, .. } => rows.len().max(1) as f64,
                    LogicalPlan::Aggregate { group_by, .. } => {
                        if group_by.is_empty() {
                            1.0
                        } else {
                            (child_rows * 0.1).max(1.0)
                        }
                    }
                    _ => child_rows,
                };
                Data { cols: Arc::new(template.output_ids().into_iter().collect()), is_plan: true, pinned: false, constant: None, rows }
            }
        }
    }

    fn merge(&mut self, a: &mut Data, b: Data) -> egg::DidMerge {
        let mut changed_a = false;
        if a.constant.is_none() && b.constant.is_some() {
            a.constant = b.constant;
            changed_a = true;
        }
        if b.rows < a.rows {
            a.rows = b.rows;
            changed_a = true;
        }
        egg::DidMerge(changed_a, true)
    }

    fn modify(egraph: &mut G, id: Id) {
        // Constant folding: a class known to be TRUE/FALSE/NULL gets that leaf.
        let data = egraph[id].data.clone();
        if data.is_plan || data.pinned {
            return;
        }
        if let Some(c) = data.constant {
            let leaf = match c {
                Some(b) => Node::Bool(b),
                None => {
                    if egraph[id].nodes.iter().any(|n| matches!(n, Node::NullOf(_))) {
                        return;
                    }
                    // A NULL needs its type when converted back; the class's call gives it.
                    let ty = egraph[id].nodes.iter().find_map(|n| match n {
                        Node::Call(ids) => {
                            let Func(f) = leaf_func(egraph, ids[0]);
                            Some(egraph.analysis.side.funcs[f as usize].ret_type)
                        }
                        _ => None,
                    });
                    let Some(ty) = ty else { return };
                    let idx = egraph.analysis.side.null_types.len() as u32;
                    egraph.analysis.side.null_types.push(ty);
                    Node::NullOf(NullOf(idx))
                }
            };
            let new = egraph.add(leaf);
            egraph.union(id, new);
        }
    }
}

fn leaf_plan(egraph: &G, id: Id) -> PlanLeaf {
    egraph[id].nodes.iter().find_map(|n| if let Node::PlanLeaf(p) = n { Some(*p) } else { None }).unwrap_or(PlanLeaf(0))
}

fn leaf_func(egraph: &G, id: Id) -> Func {
    egraph[id].nodes.iter().find_map(|n| if let Node::Func(f) = n { Some(*f) } else { None }).unwrap_or(Func(0))
}

// ------------------------------------------------------------ encoding

struct Encoder<'g> {
    egraph: &'g mut G,
}

impl Encoder<'_> {
    fn side(&mut self) -> &mut Side {
        &mut self.egraph.analysis.side
    }

    fn plan(&mut self, plan: LogicalPlan) -> Id {
        match plan {
            LogicalPlan::Filter { input, predicate } => {
                let x = self.plan(*input);
                let p = self.scalar(predicate);
                self.egraph.add(Node::Filter([p, x]))
            }
            LogicalPlan::Project { input, items } => {
                let x = self.plan(*input);
                let (cols, exprs): (Vec<PlanColumn>, Vec<ScalarExpr>) = items.into_iter().unzip();
                let ids: Vec<Id> = exprs.into_iter().map(|e| self.scalar(e)).collect();
                let list = self.egraph.add(Node::List(ids.into()));
                let idx = self.side().proj_cols.len() as u32;
                self.side().proj_cols.push(cols);
                let pl = self.egraph.add(Node::PlanLeaf(PlanLeaf(idx)));
                self.egraph.add(Node::Project([pl, list, x]))
            }
            LogicalPlan::Join { kind, left, right, condition, mark: None } if kind != JoinKind::Mark => {
                let l = self.plan(*left);
                let r = self.plan(*right);
                let c = self.scalar(condition);
                let ids = [c, l, r];
                self.egraph.add(match kind {
                    JoinKind::Inner => Node::JoinInner(ids),
                    JoinKind::Left => Node::JoinLeft(ids),
                    JoinKind::Right => Node::JoinRight(ids),
                    JoinKind::Full => Node::JoinFull(ids),
                    JoinKind::Semi => Node::JoinSemi(ids),
                    JoinKind::Anti => Node::JoinAnti(ids),
                    JoinKind::AntiNullAware | JoinKind::Mark => Node::JoinAntiNullAware(ids),
                })
            }
            mut other => {
                let children: Vec<Id> = other
                    .children_mut()
                    .into_iter()
                    .map(|c| std::mem::replace(c, LogicalPlan::empty()))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .map(|c| self.plan(c))
                    .collect();
                let idx = self.side().plans.len() as u32;
                self.side().plans.push(other);
                let mut ids = vec![self.egraph.add(Node::PlanLeaf(PlanLeaf(idx)))];
                ids.extend(children);
                self.egraph.add(Node::Node(ids.into()))
            }
        }
    }

    fn scalar(&mut self, e: ScalarExpr) -> Id {
        oa_ir::stack::grow(|| self.scalar_node(e))
    }

    fn scalar_node(&mut self, e: ScalarExpr) -> Id {
        match e {
            ScalarExpr::Column { id, ty } => {
                self.side().col_types.insert(id.0, ty);
                self.egraph.add(Node::Col(Col(id.0)))
            }
            ScalarExpr::Const { value: Datum::Bool(b), .. } => self.egraph.add(Node::Bool(b)),
            ScalarExpr::And(v) => {
                let ids: Vec<Id> = v.into_iter().map(|e| self.scalar(e)).collect();
                self.egraph.add(Node::And(ids.into()))
            }
            ScalarExpr::Or(v) => {
                let ids: Vec<Id> = v.into_iter().map(|e| self.scalar(e)).collect();
                self.egraph.add(Node::Or(ids.into()))
            }
            ScalarExpr::Not(a) => {
                let a = self.scalar(*a);
                self.egraph.add(Node::Not(a))
            }
            ScalarExpr::IsNull { arg, negated } => {
                let a = self.scalar(*arg);
                self.egraph.add(if negated { Node::IsNotNull(a) } else { Node::IsNull(a) })
            }
            ScalarExpr::Func { func, args } if func.strict && func.volatility != oa_ir::expr::Volatility::Volatile && !func.retset => {
                let idx = match self.side().funcs.iter().position(|f| Arc::ptr_eq(f, &func) || **f == *func) {
                    Some(i) => i as u32,
                    None => {
                        self.side().funcs.push(func);
                        (self.side().funcs.len() - 1) as u32
                    }
                };
                let mut ids = vec![self.egraph.add(Node::Func(Func(idx)))];
                ids.extend(args.into_iter().map(|a| self.scalar(a)));
                self.egraph.add(Node::Call(ids.into()))
            }
            other => {
                let idx = self.side().opaques.len() as u32;
                self.side().opaques.push(other);
                self.egraph.add(Node::Opaque(Opaque(idx)))
            }
        }
    }
}

// ------------------------------------------------------------ decoding

struct Decoder<'a> {
    expr: &'a RecExpr<Node>,
    side: &'a Side,
}

impl Decoder<'_> {
    fn plan(&self, id: Id) -> Result<LogicalPlan> {
        let join = |kind: JoinKind, [c, l, r]: &[Id; 3]| -> Result<LogicalPlan> {
            Ok(LogicalPlan::Join { kind, left: Box::new(self.plan(*l)?), right: Box::new(self.plan(*r)?), condition: self.scalar(*c)?, mark: None })
        };
        match &self.expr[id] {
            Node::Filter([p, x]) => {
                let predicate = self.scalar(*p)?;
                let input = self.plan(*x)?;
                if predicate == ScalarExpr::bool(true) {
                    return Ok(input);
                }
                Ok(LogicalPlan::Filter { input: Box::new(input), predicate })
            }
            Node::Project([pl, list, x]) => {
                let Node::PlanLeaf(PlanLeaf(i)) = &self.expr[*pl] else { return Err(Error::internal("project without columns")) };
                let Node::List(items) = &self.expr[*list] else { return Err(Error::internal("project without items")) };
                let cols = &self.side.proj_cols[*i as usize];
                let items = cols.iter().cloned().zip(items.iter().map(|e| self.scalar(*e)).collect::<Result<Vec<_>>>()?).collect();
                Ok(LogicalPlan::Project { input: Box::new(self.plan(*x)?), items })
            }
            Node::JoinInner(ids) => join(JoinKind::Inner, ids),
            Node::JoinLeft(ids) => join(JoinKind::Left, ids),
            Node::JoinRight(ids) => join(JoinKind::Right, ids),
            Node::JoinFull(ids) => join(JoinKind::Full, ids),
            Node::JoinSemi(ids) => join(JoinKind::Semi, ids),
            Node::JoinAnti(ids) => join(JoinKind::Anti, ids),
            Node::JoinAntiNullAware(ids) => join(JoinKind::AntiNullAware, ids),
            Node::Node(ids) => {
                let Node::PlanLeaf(PlanLeaf(i)) = &self.expr[ids[0]] else { return Err(Error::internal("plan node without template")) };
                let mut plan = self.side.plans[*i as usize].clone();
                let children: Vec<LogicalPlan> = ids[1..].iter().map(|c| self.plan(*c)).collect::<Result<_>>()?;
                for (slot, c) in plan.children_mut().into_iter().zip(children) {
                    *slot = c;
                }
                Ok(plan)
            }
            other => Err(Error::internal(format!("scalar node {other:?} where a plan was expected"))),
        }
    }

    fn scalar(&self, id: Id) -> Result<ScalarExpr> {
        oa_ir::stack::grow(|| self.scalar_node(id))
    }

    fn scalar_node(&self, id: Id) -> Result<ScalarExpr> {
        Ok(match &self.expr[id] {
            Node::Col(Col(c)) => ScalarExpr::Column { id: ColumnId(*c), ty: self.side.col_types.get(c).copied().unwrap_or(SqlType::UNKNOWN) },
            Node::Bool(b) => ScalarExpr::bool(*b),
            Node::NullOf(NullOf(i)) => ScalarExpr::null(self.side.null_types[*i as usize]),
            Node::Opaque(Opaque(i)) => self.side.opaques[*i as usize].clone(),
            Node::And(ids) => flatten_and(ids.iter().map(|i| self.scalar(*i)).collect::<Result<Vec<_>>>()?),
            Node::Or(ids) => {
                let v = ids.iter().map(|i| self.scalar(*i)).collect::<Result<Vec<_>>>()?;
                if v.len() == 1 { v.into_iter().next().unwrap_or_else(|| ScalarExpr::bool(false)) } else { ScalarExpr::Or(v) }
            }
            Node::Not(a) => ScalarExpr::Not(Box::new(self.scalar(*a)?)),
            Node::IsNull(a) => ScalarExpr::IsNull { arg: Box::new(self.scalar(*a)?), negated: false },
            Node::IsNotNull(a) => ScalarExpr::IsNull { arg: Box::new(self.scalar(*a)?), negated: true },
            Node::Call(ids) => {
                let Node::Func(Func(f)) = &self.expr[ids[0]] else { return Err(Error::internal("call without function")) };
                ScalarExpr::Func {
                    func: self.side.funcs[*f as usize].clone(),
                    args: ids[1..].iter().map(|i| self.scalar(*i)).collect::<Result<_>>()?,
                }
            }
            other => return Err(Error::internal(format!("plan node {other:?} where a scalar was expected"))),
        })
    }
}

fn flatten_and(v: Vec<ScalarExpr>) -> ScalarExpr {
    let mut parts = Vec::new();
    for e in v {
        match e {
            ScalarExpr::And(inner) => parts.extend(inner),
            ScalarExpr::Const { value: Datum::Bool(true), .. } => {}
            e => {
                if !parts.contains(&e) {
                    parts.push(e)
                }
            }
        }
    }
    ScalarExpr::conjunction(parts)
}

// ------------------------------------------------------------ rules

/// The conjuncts of a scalar class: the children of its first `and` node, or itself.
/// A class can contain an `and` that refers back to it (`and(p, false)` folds into
/// the `false` class), so classes already being expanded count as atoms.
fn conjuncts(egraph: &G, id: Id) -> Vec<Id> {
    fn walk(egraph: &G, id: Id, open: &mut Vec<Id>, out: &mut Vec<Id>) {
        let id = egraph.find(id);
        match egraph[id].data.constant {
            Some(Some(true)) => return,
            Some(_) => return out.push(id),
            None => {}
        }
        let and = egraph[id].nodes.iter().find_map(|n| match n {
            Node::And(ids) if !open.contains(&id) => Some(ids),
            _ => None,
        });
        match and {
            Some(ids) => {
                open.push(id);
                for c in ids.iter() {
                    walk(egraph, *c, open, out);
                }
                open.pop();
            }
            None => out.push(id),
        }
    }
    let mut out = Vec::new();
    walk(egraph, id, &mut Vec::new(), &mut out);
    out
}

fn conjunction(egraph: &mut G, mut ids: Vec<Id>) -> Id {
    ids.dedup();
    match ids.len() {
        0 => egraph.add(Node::Bool(true)),
        1 => ids[0],
        _ => egraph.add(Node::And(ids.into())),
    }
}

fn subset(egraph: &G, scalar: Id, plan: Id) -> bool {
    let s = &egraph[scalar].data;
    !s.pinned && s.cols.is_subset(&egraph[plan].data.cols)
}

fn var(s: &str) -> Var {
    s.parse().unwrap_or_else(|_| Var::from(Symbol::from(s)))
}

/// A custom applier: gets the matched substitution, returns the class to union with.
struct Custom<F: Fn(&mut G, Id, &Subst) -> Option<Id>>(F);

impl<F: Fn(&mut G, Id, &Subst) -> Option<Id>> Applier<Node, Analysis> for Custom<F> {
    fn apply_one(&self, egraph: &mut G, eclass: Id, subst: &Subst, _ast: Option<&PatternAst<Node>>, _rule: Symbol) -> Vec<Id> {
        match (self.0)(egraph, eclass, subst) {
            Some(new) => {
                if egraph.union(eclass, new) {
                    vec![eclass]
                } else {
                    vec![]
                }
            }
            None => vec![],
        }
    }
}

fn pat(s: &str) -> Pattern<Node> {
    s.parse().unwrap_or_else(|e| panic!("bad pattern {s}: {e}"))
}

fn rule<F>(name: &str, searcher: &str, f: F) -> Rewrite<Node, Analysis>
where
    F: Fn(&mut G, Id, &Subst) -> Option<Id> + Send + Sync + 'static,
{
    Rewrite::new(name, pat(searcher), Custom(f)).unwrap_or_else(|e| panic!("bad rule {name}: {e}"))
}

/// Splits conjuncts of `cond` into those over `left` only, over `right` only, and the rest.
fn partition(egraph: &G, cond: Id, left: Id, right: Id) -> (Vec<Id>, Vec<Id>, Vec<Id>) {
    let (mut l, mut r, mut rest) = (vec![], vec![], vec![]);
    for c in conjuncts(egraph, cond) {
        if egraph[c].data.cols.is_empty() || egraph[c].data.pinned {
            rest.push(c);
        } else if subset(egraph, c, left) {
            l.push(c);
        } else if subset(egraph, c, right) {
            r.push(c);
        } else {
            rest.push(c);
        }
    }
    (l, r, rest)
}

fn filter(egraph: &mut G, preds: Vec<Id>, input: Id) -> Id {
    if preds.is_empty() {
        return input;
    }
    let p = conjunction(egraph, preds);
    egraph.add(Node::Filter([p, input]))
}

fn simplify_rules() -> Vec<Rewrite<Node, Analysis>> {
    vec![
        rule("not-not", "(not (not ?a))", |eg, _, s| Some(eg.find(s[var("?a")]))),
        rule("filter-true", "(filter true ?x)", |eg, _, s| Some(eg.find(s[var("?x")]))),
    ]
}

fn pushdown_rules() -> Vec<Rewrite<Node, Analysis>> {
    vec![
        rule("filter-merge", "(filter ?p (filter ?q ?x))", |eg, _, s| {
            let (p, q, x) = (s[var("?p")], s[var("?q")], s[var("?x")]);
            let mut all = conjuncts(eg, p);
            all.extend(conjuncts(eg, q));
            Some(filter(eg, all, x))
        }),
        rule("filter-into-inner-join", "(filter ?p (join-inner ?c ?l ?r))", |eg, _, s| {
            let (p, c, l, r) = (s[var("?p")], s[var("?c")], s[var("?l")], s[var("?r")]);
            if eg[p].data.pinned {
                return None;
            }
            let mut all = conjuncts(eg, c);
            all.extend(conjuncts(eg, p));
            let cond = conjunction(eg, all);
            Some(eg.add(Node::JoinInner([cond, l, r])))
        }),
        rule("inner-join-cond-down", "(join-inner ?c ?l ?r)", |eg, _, s| {
            let (c, l, r) = (s[var("?c")], s[var("?l")], s[var("?r")]);
            let (lp, rp, rest) = partition(eg, c, l, r);
            if lp.is_empty() && rp.is_empty() {
                return None;
            }
            let l2 = filter(eg, lp, l);
            let r2 = filter(eg, rp, r);
            let cond = conjunction(eg, rest);
            Some(eg.add(Node::JoinInner([cond, l2, r2])))
        }),
        rule("filter-past-left-join", "(filter ?p (join-left ?c ?l ?r))", |eg, _, s| {
            let (p, c, l, r) = (s[var("?p")], s[var("?c")], s[var("?l")], s[var("?r")]);
            let (lp, _, _) = partition(eg, p, l, r);
            if lp.is_empty() {
                return None;
            }
            let keep: Vec<Id> = conjuncts(eg, p).into_iter().filter(|x| !lp.contains(x)).collect();
            let l2 = filter(eg, lp, l);
            let j = eg.add(Node::JoinLeft([c, l2, r]));
            Some(filter(eg, keep, j))
        }),
        rule("left-join-cond-right", "(join-left ?c ?l ?r)", |eg, _, s| {
            // ON conjuncts over the nullable side only restrict which rows can match.
            let (c, l, r) = (s[var("?c")], s[var("?l")], s[var("?r")]);
            let (_, rp, _) = partition(eg, c, l, r);
            if rp.is_empty() {
                return None;
            }
            let keep: Vec<Id> = conjuncts(eg, c).into_iter().filter(|x| !rp.contains(x)).collect();
            let r2 = filter(eg, rp, r);
            let cond = conjunction(eg, keep);
            Some(eg.add(Node::JoinLeft([cond, l, r2])))
        }),
        rule("filter-past-semi-join", "(filter ?p (join-semi ?c ?l ?r))", |eg, _, s| push_filter_to_left(eg, s, Node::JoinSemi)),
        rule("filter-past-anti-join", "(filter ?p (join-anti ?c ?l ?r))", |eg, _, s| push_filter_to_left(eg, s, Node::JoinAnti)),
        rule("filter-past-antina-join", "(filter ?p (join-antina ?c ?l ?r))", |eg, _, s| push_filter_to_left(eg, s, Node::JoinAntiNullAware)),
        rule("semi-join-cond-down", "(join-semi ?c ?l ?r)", |eg, _, s| {
            // For a semi join both sides' own conjuncts can move down.
            let (c, l, r) = (s[var("?c")], s[var("?l")], s[var("?r")]);
            let (lp, rp, rest) = partition(eg, c, l, r);
            if lp.is_empty() && rp.is_empty() {
                return None;
            }
            let l2 = filter(eg, lp, l);
            let r2 = filter(eg, rp, r);
            let cond = conjunction(eg, rest);
            Some(eg.add(Node::JoinSemi([cond, l2, r2])))
        }),
        rule("anti-join-cond-right", "(join-anti ?c ?l ?r)", |eg, _, s| {
            // Only inner-side conjuncts: a failing outer-side conjunct must still emit the row.
            let (c, l, r) = (s[var("?c")], s[var("?l")], s[var("?r")]);
            let (_, rp, _) = partition(eg, c, l, r);
            if rp.is_empty() {
                return None;
            }
            let keep: Vec<Id> = conjuncts(eg, c).into_iter().filter(|x| !rp.contains(x)).collect();
            let r2 = filter(eg, rp, r);
            let cond = conjunction(eg, keep);
            Some(eg.add(Node::JoinAnti([cond, l, r2])))
        }),
        rule("filter-past-project", "(filter ?p (project ?pl ?items ?x))", |eg, _, s| {
            let (p, pl, items, x) = (s[var("?p")], s[var("?pl")], s[var("?items")], s[var("?x")]);
            let all = conjuncts(eg, p);
            let (down, keep): (Vec<Id>, Vec<Id>) = all.into_iter().partition(|c| subset(eg, *c, x));
            if down.is_empty() {
                return None;
            }
            let x2 = filter(eg, down, x);
            let proj = eg.add(Node::Project([pl, items, x2]));
            Some(filter(eg, keep, proj))
        }),
    ]
}

fn push_filter_to_left(eg: &mut G, s: &Subst, make: fn([Id; 3]) -> Node) -> Option<Id> {
    let (p, c, l, r) = (s[var("?p")], s[var("?c")], s[var("?l")], s[var("?r")]);
    let down: Vec<Id> = conjuncts(eg, p).into_iter().filter(|x| subset(eg, *x, l)).collect();
    if down.is_empty() {
        return None;
    }
    let keep: Vec<Id> = conjuncts(eg, p).into_iter().filter(|x| !down.contains(x)).collect();
    let l2 = filter(eg, down, l);
    let j = eg.add(make([c, l2, r]));
    Some(filter(eg, keep, j))
}

/// Extraction cost: every plan node costs the rows it consumes; a join the
/// product of its inputs. Filters therefore want to sit as low as possible.
struct PlanCost<'a> {
    egraph: &'a G,
}

impl egg::CostFunction<Node> for PlanCost<'_> {
    type Cost = f64;

    fn cost<C>(&mut self, enode: &Node, mut costs: C) -> f64
    where
        C: FnMut(Id) -> f64,
    {
        let rows = |id: Id| self.egraph[id].data.rows;
        let own = match enode {
            Node::Filter([_, x]) => rows(*x) + 1.0,
            Node::JoinInner([_, l, r])
            | Node::JoinLeft([_, l, r])
            | Node::JoinRight([_, l, r])
            | Node::JoinFull([_, l, r])
            | Node::JoinSemi([_, l, r])
            | Node::JoinAnti([_, l, r])
            | Node::JoinAntiNullAware([_, l, r]) => rows(*l) * rows(*r),
            Node::Project([_, _, x]) => rows(*x),
            // Shorter conjunctions win among equivalent predicates.
            Node::And(ids) => ids.len() as f64 * 0.01,
            _ => 0.001,
        };
        enode.fold(own, |sum, id| sum + costs(id))
    }
}

/// Runs one e-graph stage over the plan.
pub fn run_stage(plan: LogicalPlan, stage: Stage, options: &OptimizerOptions) -> Result<(LogicalPlan, EGraphReport)> {
    let mut egraph: G = EGraph::new(Analysis::default());
    let root = Encoder { egraph: &mut egraph }.plan(plan);
    egraph.rebuild();
    let rules = match stage {
        Stage::Simplify => simplify_rules(),
        Stage::Pushdown => pushdown_rules(),
    };
    let mut fired: Vec<(String, usize)> = Vec::new();
    let mut stop_reason = "iteration limit";
    let mut iterations = 0;
    for _ in 0..options.iteration_limit {
        iterations += 1;
        let before = (egraph.total_number_of_nodes(), egraph.number_of_classes());
        let matches: Vec<Vec<SearchMatches<Node>>> = rules.iter().map(|r| r.search(&egraph)).collect();
        for (r, m) in rules.iter().zip(matches) {
            let changed = r.apply(&mut egraph, &m).len();
            if changed > 0 {
                match fired.iter_mut().find(|(n, _)| n == r.name.as_str()) {
                    Some(e) => e.1 += changed,
                    None => fired.push((r.name.to_string(), changed)),
                }
            }
        }
        egraph.rebuild();
        if egraph.total_number_of_nodes() > options.node_limit {
            stop_reason = "node limit";
            break;
        }
        if (egraph.total_number_of_nodes(), egraph.number_of_classes()) == before {
            stop_reason = "saturated";
            break;
        }
    }
    let report =
        EGraphReport { iterations, nodes: egraph.total_number_of_nodes(), classes: egraph.number_of_classes(), stop_reason, rules_fired: fired };
    let extractor = egg::Extractor::new(&egraph, PlanCost { egraph: &egraph });
    let (_, best) = extractor.find_best(root);
    let root_id = Id::from(best.as_ref().len() - 1);
    let plan = Decoder { expr: &best, side: &egraph.analysis.side }.plan(root_id)?;
    Ok((plan, report))
}
