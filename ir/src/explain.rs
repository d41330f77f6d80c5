//! EXPLAIN's text format: physical plans printed the way PostgreSQL 15's
//! `EXPLAIN (FORMAT TEXT)` prints its own plans (explain.c), with
//! expressions deparsed as ruleutils.c deparses them, so that clients and
//! tests written against PostgreSQL see familiar output.
//!
//! PostgreSQL has no separate projection or filter nodes: the target list
//! and quals live on the node that evaluates them. So `Project` and `Filter`
//! are folded into the node below them here, and a few of our operators are
//! spelled as the node combination PostgreSQL would use (a hash join's build
//! side under a "Hash" node, ORDER BY … LIMIT as "Limit" over "Sort", EXCEPT
//! as "HashSetOp" over "Append" over "Subquery Scan"s).
//!
//! Costs are our own rough estimates, not PostgreSQL's.

use std::collections::{HashMap, HashSet};

use crate::datum::Datum;
use crate::expr::{AggCall, BoolTestKind, CastMethod, ColumnId, FuncRef, ScalarExpr, SortKey, SubqueryExpr, SubqueryKind, Volatility};
use crate::io::IoContext;
use crate::physical::PhysicalPlan;
use crate::plan::{JoinKind, LogicalPlan, PlanColumn, SetOpKind, SrfCall};
use crate::typeio::{FormatTypeFlags, builtin_array_elem, builtin_type_delim, format_type_extended, quote_identifier};
use crate::types::{Oid, SqlType, oid};
use crate::window::WindowCall;

/// The EXPLAIN options that change the text format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExplainOptions {
    /// COSTS: append `(cost=… rows=… width=…)` to every node line.
    pub costs: bool,
    /// VERBOSE: `Output:` lines, schema-qualified relation names, qualified columns in quals.
    pub verbose: bool,
}

/// EXPLAIN's text format: one line per output row of EXPLAIN. Subqueries
/// show the obvious operator for each of their nodes.
pub fn explain_text(plan: &PhysicalPlan, options: &ExplainOptions, io: &IoContext) -> Vec<String> {
    explain_text_with(plan, options, io, &|p| Ok(display_plan(p))).unwrap_or_default()
}

/// Like `explain_text`, with subqueries shown as `plan_subquery` plans them
/// (the runtime passes the optimizer it runs them with).
pub fn explain_text_with(
    plan: &PhysicalPlan,
    options: &ExplainOptions,
    io: &IoContext,
    plan_subquery: &dyn Fn(&LogicalPlan) -> crate::Result<PhysicalPlan>,
) -> crate::Result<Vec<String>> {
    let subplans = display_subplans(plan, plan_subquery)?;
    let mut ex = Explainer::new(options, io, &subplans);
    ex.assign_refnames(plan);
    for (_, sub) in &subplans {
        ex.assign_refnames(sub);
    }
    // PostgreSQL qualifies column names once the range table has more than one entry.
    let rtable_size = count_range_table(plan) + subplans.iter().map(|(_, p)| count_range_table(p)).sum::<usize>();
    ex.many_relations = rtable_size > 1;
    let root = ex.build_level(plan);
    let mut lines = Vec::new();
    ex.render(&root, 0, None, &mut lines);
    Ok(lines)
}

/// Guards recursion through column definitions (a malformed plan could loop).
const MAX_DEPTH: u32 = 200;

/// What a column id stands for when an expression mentions it.
#[derive(Clone, Debug)]
enum Def<'a> {
    /// A relation column: `refname.colname`.
    Base { qualifier: String, name: String },
    /// Same value as another column (set operation outputs, recursive unions).
    Alias(ColumnId),
    /// Computed by the display node `node` (a folded projection, a grouping expression, a one-row VALUES).
    Expr { expr: &'a ScalarExpr, node: usize },
    /// An aggregate computed by the display node `node`.
    Agg { call: &'a AggCall, node: usize },
    /// A window function computed by the WindowAgg display node `node`.
    Window { call: &'a WindowCall, node: usize },
}

/// An entry of a node's `Output:` list.
#[derive(Clone, Debug)]
enum Item<'a> {
    Expr(&'a ScalarExpr),
    Col(ColumnId),
    /// Preformatted (set operation flags, subquery scan columns).
    Text(String),
}

/// What a sort or grouping key refers to.
#[derive(Clone, Debug)]
enum KeyTerm<'a> {
    Expr(&'a ScalarExpr),
    Col(ColumnId),
}

/// How a sort or grouping key is printed.
#[derive(Clone, Debug)]
struct Key<'a> {
    term: KeyTerm<'a>,
    /// The display node whose target list the key expression is taken from.
    node: usize,
    /// Parenthesize a non-column expression: it is a reference into a child's target list.
    wrap: bool,
    /// (descending, nulls first) for sort keys; None for grouping keys.
    order: Option<(bool, bool)>,
}

/// A detail line under a node.
#[derive(Clone, Debug)]
enum Detail<'a> {
    /// A qual list, printed as one AND; `scan` quals are qualified only under
    /// VERBOSE, except columns of relations other than `relation` (a table
    /// scan's refname): the outer row's values a parameterized scan reads.
    Qual {
        label: &'static str,
        exprs: Vec<&'a ScalarExpr>,
        scan: bool,
        relation: Option<String>,
    },
    HashCond(Vec<(&'a ScalarExpr, &'a ScalarExpr)>),
    Keys {
        label: &'static str,
        keys: Vec<Key<'a>>,
    },
    /// VERBOSE's "Function Call:" of a function scan.
    FunctionCall {
        func: &'a FuncRef,
        args: &'a [ScalarExpr],
    },
    Text(String),
}

#[derive(Clone, Copy, Debug, Default)]
struct Estimate {
    startup: f64,
    total: f64,
    rows: f64,
    width: f64,
}

/// One line of EXPLAIN output plus everything printed under it.
#[derive(Debug)]
struct Node<'a> {
    id: usize,
    name: String,
    output: Vec<Item<'a>>,
    /// PostgreSQL prints no target list for Append, Recursive Union and ModifyTable without RETURNING.
    show_output: bool,
    /// Whether the node computes its own target list (it can evaluate expressions).
    projects: bool,
    details: Vec<Detail<'a>>,
    init_plans: Vec<(String, Node<'a>)>,
    children: Vec<Node<'a>>,
    sub_plans: Vec<(String, Node<'a>)>,
    /// Expressions this node evaluates, for finding subqueries.
    exprs: Vec<&'a ScalarExpr>,
    /// Its subqueries have been numbered (nodes made by `build` are; helper nodes like Hash not yet).
    discovered: bool,
    /// The query level it belongs to.
    level: usize,
    est: Estimate,
}

impl<'a> Node<'a> {
    fn new(id: usize, name: impl Into<String>) -> Self {
        Node {
            id,
            name: name.into(),
            output: Vec::new(),
            show_output: true,
            projects: false,
            details: Vec::new(),
            init_plans: Vec::new(),
            children: Vec::new(),
            sub_plans: Vec::new(),
            exprs: Vec::new(),
            discovered: false,
            level: 0,
            est: Estimate::default(),
        }
    }
}

/// Deparsing context: the display node the expression belongs to and whether columns are qualified.
#[derive(Clone, Copy, Debug)]
struct Cx {
    node: usize,
    prefix: bool,
    /// The query level of the node being printed: columns of outer levels are always qualified.
    level: usize,
    /// In a table scan's quals, its refname (`name_key`): other relations' columns are qualified.
    relation: Option<u64>,
}

fn name_key(name: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut h);
    h.finish()
}

struct Explainer<'a> {
    options: ExplainOptions,
    io: &'a IoContext,
    /// Physical stand-ins for the plans of subquery expressions, by SubqueryExpr address.
    subplans: HashMap<usize, &'a PhysicalPlan>,
    defs: HashMap<ColumnId, Def<'a>>,
    /// The query level (main query, or a subquery's plan) each column is defined in.
    def_levels: HashMap<ColumnId, usize>,
    /// The query level being built.
    level: usize,
    levels: usize,
    /// Range-table names (made unique as select_rtable_names_for_explain does), by plan node address.
    refnames: HashMap<usize, String>,
    used_refnames: HashSet<String>,
    /// How each subquery expression prints: `$0`, `(SubPlan 1)`, `(hashed SubPlan 1)`.
    subrefs: HashMap<usize, String>,
    /// InitPlans found while building each query level (innermost last).
    init_stack: Vec<Vec<(String, Node<'a>)>>,
    many_relations: bool,
    next_id: usize,
    next_plan_no: usize,
    next_param: usize,
}

fn addr<T>(x: &T) -> usize {
    x as *const T as usize
}

impl<'a> Explainer<'a> {
    fn new(options: &ExplainOptions, io: &'a IoContext, subplans: &'a [(usize, PhysicalPlan)]) -> Self {
        Explainer {
            options: *options,
            io,
            subplans: subplans.iter().map(|(k, p)| (*k, p)).collect(),
            defs: HashMap::new(),
            def_levels: HashMap::new(),
            level: 0,
            levels: 0,
            refnames: HashMap::new(),
            used_refnames: HashSet::new(),
            subrefs: HashMap::new(),
            init_stack: Vec::new(),
            many_relations: false,
            next_id: 0,
            next_plan_no: 0,
            next_param: 0,
        }
    }

    fn define(&mut self, id: ColumnId, def: Def<'a>) {
        self.defs.insert(id, def);
        self.def_levels.insert(id, self.level);
    }

    fn fresh_id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }

    // ----- range-table names -----

    fn unique_refname(&mut self, name: &str) -> String {
        if self.used_refnames.insert(name.to_string()) {
            return name.to_string();
        }
        for n in 1.. {
            let candidate = format!("{name}_{n}");
            if self.used_refnames.insert(candidate.clone()) {
                return candidate;
            }
        }
        name.to_string()
    }

    /// Names every range-table entry in plan order, the result relation first.
    fn assign_refnames(&mut self, plan: &'a PhysicalPlan) {
        let key = addr(plan);
        match plan {
            PhysicalPlan::Insert { table, .. } => {
                let r = self.unique_refname(&table.name);
                self.refnames.insert(key, r);
            }
            PhysicalPlan::Update { table, input, .. } | PhysicalPlan::Delete { table, input, .. } => {
                // The scanned target table is the result relation's own range-table entry.
                let (scan_key, alias) = match find_target_scan(input, table.oid) {
                    Some(scan @ (PhysicalPlan::SeqScan { alias, .. } | PhysicalPlan::IndexScan { alias, .. })) => (Some(addr(scan)), alias.clone()),
                    _ => (None, table.name.clone()),
                };
                let r = self.unique_refname(&alias);
                if let Some(k) = scan_key {
                    self.refnames.insert(k, r.clone());
                }
                self.refnames.insert(key, r);
            }
            PhysicalPlan::SeqScan { alias, .. } | PhysicalPlan::IndexScan { alias, .. } if !self.refnames.contains_key(&key) => {
                let r = self.unique_refname(alias);
                self.refnames.insert(key, r);
            }
            PhysicalPlan::Values { rows, .. } if rows.len() > 1 => {
                let r = self.unique_refname("*VALUES*");
                self.refnames.insert(key, r);
            }
            PhysicalPlan::FunctionScan { calls, ordinality } => {
                let Some(first) = calls.first() else { return };
                let columns = if calls.len() == 1 { first.columns.as_slice() } else { &[] };
                let r = self.unique_refname(&function_refname(&first.func, columns, ordinality.as_ref()));
                self.refnames.insert(key, r);
            }
            PhysicalPlan::WorkTableScan { .. } => {
                let r = self.unique_refname("worktable");
                self.refnames.insert(key, r);
            }
            PhysicalPlan::CteScan { name, .. } => {
                let r = self.unique_refname(name);
                self.refnames.insert(key, r);
            }
            _ => {}
        }
        // A WITH query's range-table entries come after the main query's.
        if let PhysicalPlan::WithCte { cte, input, .. } = plan {
            self.assign_refnames(input);
            self.assign_refnames(cte);
            return;
        }
        for c in plan.children() {
            self.assign_refnames(c);
        }
    }

    fn refname(&self, plan: &PhysicalPlan, fallback: &str) -> String {
        self.refnames.get(&addr(plan)).cloned().unwrap_or_else(|| fallback.to_string())
    }

    /// ExplainTargetRel: `relname [alias]`, schema-qualified under VERBOSE.
    fn target_rel(&self, namespace: &str, object: &str, refname: &str) -> String {
        let mut s = if self.options.verbose && !namespace.is_empty() {
            format!("{}.{}", quote_identifier(namespace), quote_identifier(object))
        } else {
            quote_identifier(object)
        };
        if refname != object {
            s.push(' ');
            s.push_str(&quote_identifier(refname));
        }
        s
    }

    // ----- building display nodes -----

    /// A query level: its InitPlans hang under its top node.
    fn build_level(&mut self, plan: &'a PhysicalPlan) -> Node<'a> {
        let outer_level = self.level;
        self.levels += 1;
        self.level = self.levels;
        self.init_stack.push(Vec::new());
        let mut root = self.build(plan);
        let mut inits = self.init_stack.pop().unwrap_or_default();
        inits.append(&mut root.init_plans);
        root.init_plans = inits;
        self.level = outer_level;
        root
    }

    /// One display node: Projects and Filters fold into the node that evaluates them.
    fn build(&mut self, plan: &'a PhysicalPlan) -> Node<'a> {
        let id = self.fresh_id();
        let mut items: Option<&'a [(PlanColumn, ScalarExpr)]> = None;
        let mut wrapper_quals: Vec<&'a ScalarExpr> = Vec::new();
        let mut cur = plan;
        let mut guard = 0;
        loop {
            guard += 1;
            match cur {
                PhysicalPlan::Project { input, items: its } if guard < 10_000 => {
                    if items.is_none() {
                        items = Some(its);
                    }
                    for (c, e) in its {
                        if !matches!(e, ScalarExpr::Column { id, .. } if *id == c.id) {
                            self.define(c.id, Def::Expr { expr: e, node: id });
                        }
                    }
                    cur = input;
                }
                PhysicalPlan::Filter { input, predicate } if guard < 10_000 => {
                    wrapper_quals.push(predicate);
                    cur = input;
                }
                _ => break,
            }
        }
        // Quals in evaluation order: the scan's own filter, then the innermost Filter outwards.
        let mut all_quals = Vec::new();
        if let PhysicalPlan::SeqScan { filter: Some(f), .. } | PhysicalPlan::IndexScan { filter: Some(f), .. } = cur {
            conjuncts(f, &mut all_quals);
        }
        for q in wrapper_quals.iter().rev() {
            conjuncts(q, &mut all_quals);
        }
        // Quals mentioning no column are checked once, by a Result node ("One-Time Filter").
        let (one_time, quals): (Vec<&ScalarExpr>, Vec<&ScalarExpr>) = all_quals.into_iter().partition(|e| is_pseudo_constant(e));
        let takes_quals = can_take_quals(cur);
        let needs_result = !one_time.is_empty() || (!quals.is_empty() && !takes_quals);

        let mut node = if !needs_result {
            self.build_core(cur, id, quals)
        } else {
            let always_false = one_time.iter().any(|e| is_false_constant(e));
            let child_id = self.fresh_id();
            let mark = self.init_stack.last().map_or(0, |v| v.len());
            let mut child = self.build_core(cur, child_id, if takes_quals { quals.clone() } else { Vec::new() });
            self.discover_subplans(&mut child);
            let mut result = Node::new(id, "Result");
            result.projects = true;
            result.output = child.output.clone();
            if always_false {
                // PostgreSQL replaces the whole input by a dummy: nothing is scanned.
                result.details.push(Detail::Text("One-Time Filter: false".into()));
                if let Some(level) = self.init_stack.last_mut() {
                    level.truncate(mark);
                }
                result.est = Estimate { startup: 0.0, total: 0.0, rows: 0.0, width: child.est.width };
            } else {
                if !one_time.is_empty() {
                    result.details.push(Detail::Qual { label: "One-Time Filter", exprs: one_time.clone(), scan: false, relation: None });
                }
                let mut rows = child.est.rows;
                if !takes_quals && !quals.is_empty() {
                    rows *= selectivity(&quals);
                    result.details.push(Detail::Qual { label: "Filter", exprs: quals.clone(), scan: false, relation: None });
                }
                result.est = Estimate { startup: child.est.startup, total: child.est.total + rows * 0.01, rows, width: child.est.width };
                result.children.push(child);
            }
            result.exprs.extend(one_time.iter().copied());
            if !takes_quals {
                result.exprs.extend(quals.iter().copied());
            }
            result
        };
        if let Some(its) = items {
            node.output = its.iter().map(|(_, e)| Item::Expr(e)).collect();
            node.exprs.extend(its.iter().map(|(_, e)| e));
            node.est.width = its.iter().map(|(c, _)| type_width(c.ty)).sum();
        }
        self.discover_subplans(&mut node);
        node
    }

    fn cols(plan: &PhysicalPlan) -> Vec<Item<'a>> {
        plan.output().into_iter().map(|c| Item::Col(c.id)).collect()
    }

    /// The display node for a plan node proper, with the quals it was given.
    fn build_core(&mut self, plan: &'a PhysicalPlan, id: usize, quals: Vec<&'a ScalarExpr>) -> Node<'a> {
        let width = output_width(plan);
        let mut node = match plan {
            PhysicalPlan::SeqScan { table, columns, .. } => {
                let refname = self.refname(plan, &table.name);
                for c in columns {
                    self.define(c.id, Def::Base { qualifier: refname.clone(), name: c.name.clone() });
                }
                let mut n = Node::new(id, format!("Seq Scan on {}", self.target_rel(&table.namespace_name, &table.name, &refname)));
                n.projects = true;
                let base = if table.reltuples >= 0.0 { table.reltuples.max(1.0) } else { 1000.0 };
                let rows = base * selectivity(&quals);
                n.est = Estimate { startup: 0.0, total: base / 100.0 + base * (0.01 + 0.0025 * quals.len() as f64), rows, width };
                push_scan_qual(&mut n, "Filter", quals, &refname);
                n
            }
            PhysicalPlan::IndexScan { table, columns, access, .. } => {
                let refname = self.refname(plan, &table.name);
                for c in columns {
                    self.define(c.id, Def::Base { qualifier: refname.clone(), name: c.name.clone() });
                }
                let index = table.indexes.get(access.index);
                let name = index.map_or("?", |i| i.name.as_str());
                let mut n = Node::new(
                    id,
                    format!("Index Scan using {} on {}", quote_identifier(name), self.target_rel(&table.namespace_name, &table.name, &refname)),
                );
                n.projects = true;
                let base = if table.reltuples >= 0.0 { table.reltuples.max(1.0) } else { 1000.0 };
                let conds: Vec<&ScalarExpr> = access.quals.iter().map(|q| &q.cond).collect();
                let unique = index.is_some_and(|i| crate::physical::unique_lookup(i, &access.quals));
                let fetched = if unique { 1.0 } else { (base * selectivity(&conds)).max(1.0) };
                let rows = fetched * selectivity(&quals);
                n.est = Estimate { startup: 0.29, total: 0.29 + fetched * (4.0 + 0.015 + 0.0025 * quals.len() as f64), rows, width };
                push_scan_qual(&mut n, "Index Cond", conds, &refname);
                push_scan_qual(&mut n, "Filter", quals, &refname);
                n
            }
            PhysicalPlan::Values { columns, rows } => {
                if rows.len() == 1 {
                    // A one-row VALUES (and SELECT without FROM) is a Result computing its target list.
                    let row = &rows[0];
                    for (c, e) in columns.iter().zip(row) {
                        self.define(c.id, Def::Expr { expr: e, node: id });
                    }
                    let mut n = Node::new(id, "Result");
                    n.projects = true;
                    n.exprs.extend(row.iter());
                    n.est = Estimate { startup: 0.0, total: 0.01, rows: selectivity(&quals), width };
                    push_qual(&mut n, "Filter", quals, false);
                    n
                } else if rows.is_empty() {
                    for c in columns {
                        self.define(c.id, Def::Base { qualifier: String::new(), name: c.name.clone() });
                    }
                    let mut n = Node::new(id, "Result");
                    n.projects = true;
                    n.details.push(Detail::Text("One-Time Filter: false".into()));
                    n.est = Estimate { startup: 0.0, total: 0.0, rows: 0.0, width };
                    n
                } else {
                    let refname = self.refname(plan, "*VALUES*");
                    // ruleutils names VALUES columns column1, column2, … whatever the alias says.
                    for (i, c) in columns.iter().enumerate() {
                        self.define(c.id, Def::Base { qualifier: refname.clone(), name: format!("column{}", i + 1) });
                    }
                    let mut n = Node::new(id, format!("Values Scan on {}", quote_identifier(&refname)));
                    n.projects = true;
                    n.exprs.extend(rows.iter().flatten());
                    let count = rows.len() as f64;
                    n.est = Estimate { startup: 0.0, total: count * 0.0125, rows: count * selectivity(&quals), width };
                    push_qual(&mut n, "Filter", quals, true);
                    n
                }
            }
            PhysicalPlan::FunctionScan { calls, ordinality } => {
                let Some(SrfCall { func, .. }) = calls.first() else { return Node::new(id, "Function Scan") };
                let refname = self.refname(plan, &func.name);
                for c in SrfCall::scan_columns(calls, ordinality) {
                    self.define(c.id, Def::Base { qualifier: refname.clone(), name: c.name.clone() });
                }
                let namespace = if func.oid < oid::FIRST_NORMAL_OBJECT_ID { "pg_catalog" } else { "public" };
                let mut n = Node::new(id, format!("Function Scan on {}", self.target_rel(namespace, &func.name, &refname)));
                n.projects = true;
                for c in calls {
                    n.exprs.extend(c.args.iter());
                    if self.options.verbose {
                        n.details.push(Detail::FunctionCall { func: &c.func, args: &c.args });
                    }
                }
                let base = calls.iter().map(|c| series_rows(&c.func, &c.args).unwrap_or(1000.0)).fold(0.0, f64::max);
                n.est = Estimate { startup: 0.0, total: base * 0.01, rows: base * selectivity(&quals), width };
                push_qual(&mut n, "Filter", quals, true);
                n
            }
            PhysicalPlan::WorkTableScan { columns, .. } => {
                let refname = self.refname(plan, "worktable");
                for c in columns {
                    self.define(c.id, Def::Base { qualifier: refname.clone(), name: c.name.clone() });
                }
                let mut n = Node::new(id, format!("WorkTable Scan on {}", quote_identifier(&refname)));
                n.projects = true;
                n.est = Estimate { startup: 0.0, total: 1.0, rows: 100.0 * selectivity(&quals), width };
                push_qual(&mut n, "Filter", quals, true);
                n
            }
            PhysicalPlan::CteScan { name, columns, .. } => {
                let refname = self.refname(plan, name);
                for c in columns {
                    self.define(c.id, Def::Base { qualifier: refname.clone(), name: c.name.clone() });
                }
                let mut n = Node::new(id, format!("CTE Scan on {}", self.target_rel("", name, &refname)));
                n.projects = true;
                n.est = Estimate { startup: 0.0, total: 20.0, rows: 1000.0 * selectivity(&quals), width };
                push_qual(&mut n, "Filter", quals, true);
                n
            }
            PhysicalPlan::WithCte { name, cte, input, .. } => {
                // A data-modifying WITH query prints as its own section ("CTE name") under the top node.
                let sub = self.build_level(cte);
                let header = format!("CTE {}", quote_identifier(name));
                let pushed = match self.init_stack.last_mut() {
                    Some(level) => {
                        level.push((header, sub));
                        None
                    }
                    None => Some((header, sub)),
                };
                let mut n = self.build(input);
                if let Some(p) = pushed {
                    n.init_plans.insert(0, p);
                }
                return n;
            }
            PhysicalPlan::Filter { input, predicate } => {
                // Only reached when build() could not fold it (never in practice): a Result with a Filter.
                let child = self.build(input);
                let mut n = Node::new(id, "Result");
                n.projects = true;
                n.exprs.push(predicate);
                let mut exprs = Vec::new();
                conjuncts(predicate, &mut exprs);
                n.est = Estimate { rows: child.est.rows * selectivity(&exprs), ..child.est };
                n.details.push(Detail::Qual { label: "Filter", exprs, scan: false, relation: None });
                n.children.push(child);
                n
            }
            PhysicalPlan::Project { input, items } => {
                // Only reached when build() could not fold it: a Result computing the projection.
                let child = self.build(input);
                for (c, e) in items {
                    if !matches!(e, ScalarExpr::Column { id: i, .. } if *i == c.id) {
                        self.define(c.id, Def::Expr { expr: e, node: id });
                    }
                }
                let mut n = Node::new(id, "Result");
                n.projects = true;
                n.exprs.extend(items.iter().map(|(_, e)| e));
                n.est = Estimate { width, ..child.est };
                n.children.push(child);
                n
            }
            PhysicalPlan::HashJoin { kind, left, right, left_keys, right_keys, residual, mark } => {
                self.define_mark(mark.as_ref());
                let outer = self.build(left);
                let inner = self.build(right);
                let mut hash = Node::new(self.fresh_id(), "Hash");
                hash.output = Self::cols(right);
                hash.est = Estimate { startup: inner.est.total, total: inner.est.total, rows: inner.est.rows, width: inner.est.width };
                hash.children.push(inner);
                let mut n = Node::new(id, format!("Hash {}", join_name(*kind, true)));
                n.projects = true;
                n.exprs.extend(left_keys.iter().chain(right_keys.iter()).chain(residual.iter()));
                n.details.push(Detail::HashCond(left_keys.iter().zip(right_keys.iter()).collect()));
                let mut join_filter = Vec::new();
                if let Some(r) = residual {
                    conjuncts(r, &mut join_filter);
                }
                let (l, r) = (outer.est.rows, hash.est.rows);
                let key_selectivity = 0.005f64.powi(left_keys.len().min(8) as i32);
                let rows = join_rows(*kind, l, r, key_selectivity) * selectivity(&join_filter) * selectivity(&quals);
                n.est = Estimate { startup: hash.est.total, total: outer.est.total + hash.est.total + (l + r) * 0.01 + rows * 0.01, rows, width };
                if !join_filter.is_empty() {
                    n.details.push(Detail::Qual { label: "Join Filter", exprs: join_filter, scan: false, relation: None });
                }
                push_qual(&mut n, "Filter", quals, false);
                n.children.push(outer);
                n.children.push(hash);
                n
            }
            PhysicalPlan::NestedLoopJoin { kind, left, right, condition, mark } => {
                self.define_mark(mark.as_ref());
                let outer = self.build(left);
                let inner = self.build(right);
                let mut n = Node::new(id, join_name(*kind, false));
                n.projects = true;
                n.exprs.push(condition);
                let mut join_filter = Vec::new();
                conjuncts(condition, &mut join_filter);
                let (l, r) = (outer.est.rows, inner.est.rows);
                let rows = join_rows(*kind, l, r, selectivity(&join_filter)) * selectivity(&quals);
                n.est = Estimate { startup: 0.0, total: outer.est.total + inner.est.total + l * r * 0.0025, rows, width };
                if !join_filter.is_empty() {
                    n.details.push(Detail::Qual { label: "Join Filter", exprs: join_filter, scan: false, relation: None });
                }
                push_qual(&mut n, "Filter", quals, false);
                n.children.push(outer);
                n.children.push(inner);
                n
            }
            PhysicalPlan::HashAggregate { input, group_by, aggs } => {
                let child = self.build(input);
                // Grouping expressions are computed by the child: above, they read as `(expr)`.
                for (c, e) in group_by {
                    self.define(c.id, Def::Expr { expr: e, node: child.id });
                }
                for (c, a) in aggs {
                    self.define(c.id, Def::Agg { call: a, node: id });
                }
                let mut n = Node::new(id, if group_by.is_empty() { "Aggregate" } else { "HashAggregate" });
                n.projects = true;
                for (_, a) in aggs {
                    n.exprs.extend(a.args.iter().chain(a.filter.iter()).chain(a.order_by.iter().map(|k| &k.expr)));
                }
                if !group_by.is_empty() {
                    let keys = group_by.iter().map(|(_, e)| group_key(e, &child)).collect();
                    n.details.push(Detail::Keys { label: "Group Key", keys });
                    n.exprs.extend(group_by.iter().map(|(_, e)| e));
                }
                let groups = if group_by.is_empty() { 1.0 } else { child.est.rows.min(200.0) };
                let startup = child.est.total + child.est.rows * 0.0025 * (aggs.len() + group_by.len()) as f64;
                n.est = Estimate { startup, total: startup + groups * 0.01, rows: groups * selectivity(&quals), width };
                push_qual(&mut n, "Filter", quals, false);
                n.children.push(child);
                n
            }
            PhysicalPlan::Sort { input, keys } => {
                let child = self.build(input);
                self.sort_node(id, keys, child, width, Self::cols(plan))
            }
            PhysicalPlan::WindowAgg { input, spec, funcs } => {
                let child = self.build(input);
                for (c, f) in funcs {
                    self.define(c.id, Def::Window { call: f, node: id });
                }
                let mut n = Node::new(id, "WindowAgg");
                n.projects = true;
                n.exprs.extend(crate::window::expressions(spec, funcs));
                let rows = child.est.rows;
                n.est = Estimate { startup: child.est.startup, total: child.est.total + rows * 0.0025 * funcs.len() as f64, rows, width };
                n.children.push(child);
                n
            }
            PhysicalPlan::TopN { input, keys, limit, offset } => {
                let child = self.build(input);
                let sort_id = self.fresh_id();
                let sort = self.sort_node(sort_id, keys, child, width, Self::cols(plan));
                let mut n = Node::new(id, "Limit");
                n.output = Self::cols(plan);
                n.exprs.push(limit);
                n.exprs.extend(offset.iter());
                let rows = limit_rows(sort.est.rows, Some(limit), offset.as_ref());
                n.est = Estimate { startup: sort.est.startup, total: sort.est.startup + rows * 0.01, rows, width };
                n.children.push(sort);
                n
            }
            PhysicalPlan::Limit { input, limit, offset, with_ties } => {
                let child = self.build(input);
                let mut n = Node::new(id, "Limit");
                n.exprs.extend(limit.iter().chain(offset.iter()).chain(with_ties.iter().map(|k| &k.expr)));
                let rows = limit_rows(child.est.rows, limit.as_ref(), offset.as_ref());
                let fraction = if child.est.rows > 0.0 { (rows / child.est.rows).min(1.0) } else { 1.0 };
                n.est =
                    Estimate { startup: child.est.startup, total: child.est.startup + (child.est.total - child.est.startup) * fraction, rows, width };
                n.children.push(child);
                n
            }
            PhysicalPlan::Distinct { input, on } => {
                let child = self.build(input);
                let mut n = if on.is_empty() {
                    // SELECT DISTINCT: PostgreSQL groups by every output column.
                    let mut n = Node::new(id, "HashAggregate");
                    n.projects = true;
                    let keys = Self::col_keys(&input.output(), &child);
                    n.details.push(Detail::Keys { label: "Group Key", keys });
                    n
                } else {
                    // DISTINCT ON: first row of each group of the sorted input.
                    Node::new(id, "Unique")
                };
                n.exprs.extend(on.iter());
                let rows = if on.is_empty() { child.est.rows.min(200.0) } else { (child.est.rows * 0.5).max(1.0) };
                n.est = Estimate { startup: child.est.total, total: child.est.total + rows * 0.01, rows: rows * selectivity(&quals), width };
                push_qual(&mut n, "Filter", quals, false);
                n.children.push(child);
                n
            }
            PhysicalPlan::Append { inputs, .. } => {
                self.alias_columns(plan);
                let mut n = Node::new(id, "Append");
                n.show_output = false;
                for input in inputs {
                    let child = self.build(input);
                    n.est.total += child.est.total;
                    n.est.rows += child.est.rows;
                    n.children.push(child);
                }
                n.est.width = width;
                n
            }
            PhysicalPlan::HashSetOp { op, all, left, right, columns } => self.set_op_node(plan, id, *op, *all, left, right, columns, quals),
            PhysicalPlan::RecursiveUnion { base, recursive, .. } => {
                self.alias_columns(plan);
                let b = self.build(base);
                let r = self.build(recursive);
                let mut n = Node::new(id, "Recursive Union");
                n.show_output = false;
                n.est = Estimate { startup: 0.0, total: b.est.total + r.est.total * 10.0, rows: b.est.rows + r.est.rows * 10.0, width };
                n.children.push(b);
                n.children.push(r);
                n
            }
            PhysicalPlan::Insert { table, input, returning, on_conflict, .. } => {
                let refname = self.refname(plan, &table.name);
                let mut n = self.modify_node(plan, id, "Insert", &table.namespace_name, &table.name, &refname, input, returning, width);
                if let Some(oc) = on_conflict {
                    let action = if oc.update.is_some() { "UPDATE" } else { "NOTHING" };
                    n.details.push(Detail::Text(format!("Conflict Resolution: {action}")));
                    if !oc.arbiters.is_empty() {
                        let names: Vec<&str> =
                            oc.arbiters.iter().filter_map(|o| table.indexes.iter().find(|ix| ix.oid == *o)).map(|ix| ix.name.as_str()).collect();
                        n.details.push(Detail::Text(format!("Conflict Arbiter Indexes: {}", names.join(", "))));
                    }
                    if let Some(u) = &oc.update {
                        self.define(u.existing_ctid, Def::Base { qualifier: refname.clone(), name: "ctid".into() });
                        for (c, (e, x)) in table.live_columns().zip(u.existing.iter().zip(&u.excluded)) {
                            self.define(*e, Def::Base { qualifier: refname.clone(), name: c.name.clone() });
                            self.define(*x, Def::Base { qualifier: "excluded".into(), name: c.name.clone() });
                        }
                        n.exprs.extend(u.values.iter());
                        push_qual(&mut n, "Conflict Filter", u.filter.iter().collect(), false);
                    }
                }
                n
            }
            PhysicalPlan::Update { table, input, returning, .. } => {
                let refname = self.refname(plan, &table.name);
                self.modify_node(plan, id, "Update", &table.namespace_name, &table.name, &refname, input, returning, width)
            }
            PhysicalPlan::Delete { table, input, returning, .. } => {
                let refname = self.refname(plan, &table.name);
                self.modify_node(plan, id, "Delete", &table.namespace_name, &table.name, &refname, input, returning, width)
            }
        };
        if node.output.is_empty() && node.show_output {
            node.output = Self::cols(plan);
        }
        node
    }

    /// A mark join's match flag has no PostgreSQL counterpart (it would be a SubPlan): print its name.
    fn define_mark(&mut self, mark: Option<&PlanColumn>) {
        if let Some(m) = mark {
            self.define(m.id, Def::Base { qualifier: String::new(), name: m.name.clone() });
        }
    }

    fn sort_node(&mut self, id: usize, keys: &'a [SortKey], child: Node<'a>, width: f64, output: Vec<Item<'a>>) -> Node<'a> {
        let mut n = Node::new(id, "Sort");
        n.output = output;
        // A sort's key is a reference into its child's target list.
        let ks =
            keys.iter().map(|k| Key { term: KeyTerm::Expr(&k.expr), node: id, wrap: true, order: Some((k.descending, k.nulls_first)) }).collect();
        n.details.push(Detail::Keys { label: "Sort Key", keys: ks });
        n.exprs.extend(keys.iter().map(|k| &k.expr));
        let rows = child.est.rows;
        let startup = child.est.total + rows * rows.max(2.0).log2() * 0.005;
        n.est = Estimate { startup, total: startup + rows * 0.01, rows, width };
        n.children.push(child);
        n
    }

    /// Group keys for whole output columns (DISTINCT, UNION), read from the child's target list.
    fn col_keys(cols: &[PlanColumn], child: &Node<'a>) -> Vec<Key<'a>> {
        cols.iter().map(|c| Key { term: KeyTerm::Col(c.id), node: child.id, wrap: false, order: None }).collect()
    }

    /// Set-operation outputs are the first input's columns.
    fn alias_columns(&mut self, plan: &'a PhysicalPlan) {
        let first = match plan {
            PhysicalPlan::Append { inputs, .. } => inputs.first(),
            PhysicalPlan::RecursiveUnion { base, .. } => Some(base.as_ref()),
            PhysicalPlan::HashSetOp { left, .. } => Some(left.as_ref()),
            _ => None,
        };
        let Some(first) = first else { return };
        for (mine, theirs) in plan.output().iter().zip(first.output()) {
            if mine.id != theirs.id {
                self.define(mine.id, Def::Alias(theirs.id));
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn set_op_node(
        &mut self,
        plan: &'a PhysicalPlan,
        id: usize,
        op: SetOpKind,
        all: bool,
        left: &'a PhysicalPlan,
        right: &'a PhysicalPlan,
        columns: &'a [PlanColumn],
        quals: Vec<&'a ScalarExpr>,
    ) -> Node<'a> {
        let width = output_width(plan);
        if op == SetOpKind::Union {
            // UNION: HashAggregate over Append (UNION ALL: the Append alone).
            self.alias_columns(plan);
            let l = self.build(left);
            let r = self.build(right);
            let mut append = Node::new(self.fresh_id(), "Append");
            append.show_output = false;
            append.est = Estimate { startup: 0.0, total: l.est.total + r.est.total, rows: l.est.rows + r.est.rows, width };
            append.children.push(l);
            append.children.push(r);
            if all {
                append.id = id;
                return append;
            }
            let mut n = Node::new(id, "HashAggregate");
            n.projects = true;
            n.output = Self::cols(plan);
            let rows = append.est.rows.min(200.0);
            n.est = Estimate { startup: append.est.total, total: append.est.total + rows * 0.01, rows: rows * selectivity(&quals), width };
            n.details.push(Detail::Keys { label: "Group Key", keys: Self::col_keys(&plan.output(), &append) });
            n.children.push(append);
            push_qual(&mut n, "Filter", quals, false);
            return n;
        }
        // INTERSECT / EXCEPT: HashSetOp over an Append of the two inputs, each in a Subquery Scan.
        let mut append = Node::new(self.fresh_id(), "Append");
        append.show_output = false;
        let prefix = self.many_relations;
        for (i, input) in [left, right].into_iter().enumerate() {
            let refname = self.unique_refname(&format!("*SELECT* {}", i + 1));
            if i == 0 {
                for c in columns {
                    self.define(c.id, Def::Base { qualifier: refname.clone(), name: c.name.clone() });
                }
            }
            let child = self.build(input);
            let mut scan = Node::new(self.fresh_id(), format!("Subquery Scan on {}", quote_identifier(&refname)));
            scan.projects = true;
            scan.output = columns
                .iter()
                .map(|c| {
                    let name = quote_identifier(&c.name);
                    Item::Text(if prefix { format!("{}.{name}", quote_identifier(&refname)) } else { name })
                })
                .chain(std::iter::once(Item::Text(i.to_string())))
                .collect();
            scan.est = Estimate { width, ..child.est };
            append.est.total += child.est.total;
            append.est.rows += child.est.rows;
            scan.children.push(child);
            append.children.push(scan);
        }
        append.est.width = width;
        let name = match (op, all) {
            (SetOpKind::Intersect, false) => "HashSetOp Intersect",
            (SetOpKind::Intersect, true) => "HashSetOp Intersect All",
            (_, false) => "HashSetOp Except",
            (_, true) => "HashSetOp Except All",
        };
        let mut n = Node::new(id, name);
        n.output = Self::cols(plan);
        n.output.push(Item::Text("(0)".into()));
        let rows = append.est.rows.min(200.0);
        n.est = Estimate { startup: append.est.total, total: append.est.total + rows * 0.01, rows, width };
        n.children.push(append);
        if !quals.is_empty() {
            // HashSetOp cannot filter: PostgreSQL would put the quals on a node above.
            n.details.push(Detail::Qual { label: "Filter", exprs: quals, scan: false, relation: None });
        }
        n
    }

    #[allow(clippy::too_many_arguments)]
    fn modify_node(
        &mut self,
        plan: &'a PhysicalPlan,
        id: usize,
        verb: &str,
        namespace: &str,
        relname: &str,
        refname: &str,
        input: &'a PhysicalPlan,
        returning: &'a [(PlanColumn, ScalarExpr)],
        width: f64,
    ) -> Node<'a> {
        let child = self.build(input);
        // RETURNING reads the new row: the input's columns are the target table's.
        let new_row: Vec<ColumnId> = match plan {
            PhysicalPlan::Insert { .. } => input.output().iter().map(|c| c.id).collect(),
            PhysicalPlan::Update { values, .. } => values.clone(),
            _ => Vec::new(),
        };
        let names: HashMap<ColumnId, String> = input.output().into_iter().map(|c| (c.id, c.name)).collect();
        for id in new_row {
            if let Some(name) = names.get(&id) {
                self.define(id, Def::Base { qualifier: refname.to_string(), name: name.clone() });
            }
        }
        for (c, e) in returning {
            if !matches!(e, ScalarExpr::Column { id: i, .. } if *i == c.id) {
                self.define(c.id, Def::Expr { expr: e, node: id });
            }
        }
        let mut n = Node::new(id, format!("{verb} on {}", self.target_rel(namespace, relname, refname)));
        n.output = returning.iter().map(|(_, e)| Item::Expr(e)).collect();
        n.show_output = !returning.is_empty();
        n.exprs.extend(returning.iter().map(|(_, e)| e));
        let rows = if returning.is_empty() { 0.0 } else { child.est.rows };
        n.est = Estimate { startup: child.est.startup, total: child.est.total + child.est.rows * 0.01, rows, width };
        n.children.push(child);
        n
    }

    /// Finds the subquery expressions a node evaluates and builds their SubPlan / InitPlan sections.
    fn discover_subplans(&mut self, node: &mut Node<'a>) {
        if node.discovered {
            return;
        }
        node.discovered = true;
        node.level = self.level;
        for child in &mut node.children {
            self.discover_subplans(child);
        }
        let mut found: Vec<&'a SubqueryExpr> = Vec::new();
        for e in &node.exprs {
            collect_subqueries(e, &mut found);
        }
        for s in found {
            let key = addr(s);
            if self.subrefs.contains_key(&key) {
                continue;
            }
            let Some(plan) = self.subplans.get(&key).copied() else {
                continue;
            };
            let correlated = s.plan.is_correlated();
            let init = !correlated && matches!(s.kind, SubqueryKind::Scalar | SubqueryKind::Exists | SubqueryKind::Array);
            // Marked before building so a self-referencing plan cannot recurse forever.
            self.subrefs.insert(key, "(SubPlan)".into());
            let sub = self.build_level(plan);
            self.next_plan_no += 1;
            let no = self.next_plan_no;
            if init {
                let param = self.next_param;
                self.next_param += 1;
                self.subrefs.insert(key, format!("${param}"));
                let header = format!("InitPlan {no} (returns ${param})");
                match self.init_stack.last_mut() {
                    Some(level) => level.push((header, sub)),
                    None => node.init_plans.push((header, sub)),
                }
            } else {
                let hashed = !correlated && s.kind == SubqueryKind::Any;
                let text = if hashed { format!("(hashed SubPlan {no})") } else { format!("(SubPlan {no})") };
                self.subrefs.insert(key, text);
                node.sub_plans.push((format!("SubPlan {no}"), sub));
            }
        }
    }

    // ----- rendering -----

    /// ExplainNode's text layout: `->  ` arrows, children 6 columns right of their parent's text.
    fn render(&self, node: &Node<'a>, indent: usize, header: Option<&str>, out: &mut Vec<String>) {
        let mut indent = indent;
        if let Some(h) = header {
            out.push(format!("{}{h}", spaces(indent)));
            indent += 1;
        }
        let mut line = String::new();
        if indent > 0 {
            line.push_str(&spaces(indent));
            line.push_str("->  ");
            indent += 2;
        }
        line.push_str(&node.name);
        if self.options.costs {
            let e = node.est;
            let rows = if e.rows <= 0.0 { 0.0 } else { e.rows.max(1.0).round() };
            line.push_str(&format!(
                "  (cost={:.2}..{:.2} rows={rows:.0} width={})",
                e.startup.max(0.0),
                e.total.max(e.startup).max(0.0),
                e.width.max(0.0).round() as i64
            ));
        }
        out.push(line);
        indent += 1;
        let pad = spaces(indent);
        let upper = Cx { node: node.id, prefix: self.many_relations || self.options.verbose, level: node.level, relation: None };
        if self.options.verbose && node.show_output && !node.output.is_empty() {
            let is_modify = node.name.starts_with("Insert on ") || node.name.starts_with("Update on ") || node.name.starts_with("Delete on ");
            let cx = Cx { node: node.id, prefix: self.many_relations || is_modify, level: node.level, relation: None };
            let items: Vec<String> = node
                .output
                .iter()
                .map(|i| {
                    let mut s = String::new();
                    match i {
                        Item::Expr(e) => self.expr(e, cx, false, &mut s, 0),
                        Item::Col(c) => self.column(*c, cx, false, &mut s, 0),
                        Item::Text(t) => s.push_str(t),
                    }
                    s
                })
                .collect();
            out.push(format!("{pad}Output: {}", items.join(", ")));
        }
        for d in &node.details {
            match d {
                Detail::Qual { label, exprs, scan, relation } => {
                    let cx =
                        Cx { prefix: if *scan { self.options.verbose } else { upper.prefix }, relation: relation.as_deref().map(name_key), ..upper };
                    if let Some(text) = self.qual(exprs, cx) {
                        out.push(format!("{pad}{label}: {text}"));
                    }
                }
                Detail::HashCond(pairs) => {
                    let parts: Vec<String> = pairs
                        .iter()
                        .map(|(l, r)| {
                            let mut s = String::from("(");
                            self.expr(l, upper, true, &mut s, 0);
                            s.push_str(" = ");
                            self.expr(r, upper, true, &mut s, 0);
                            s.push(')');
                            s
                        })
                        .collect();
                    match parts.len() {
                        0 => {}
                        1 => out.push(format!("{pad}Hash Cond: {}", parts.join(""))),
                        _ => out.push(format!("{pad}Hash Cond: ({})", parts.join(" AND "))),
                    }
                }
                Detail::Keys { label, keys } => {
                    let parts: Vec<String> = keys.iter().map(|k| self.key(k, upper)).collect();
                    if !parts.is_empty() {
                        out.push(format!("{pad}{label}: {}", parts.join(", ")));
                    }
                }
                Detail::FunctionCall { func, args } => {
                    let mut s = String::new();
                    self.call(&func.name, args, Cx { prefix: true, ..upper }, &mut s, 0);
                    out.push(format!("{pad}Function Call: {s}"));
                }
                Detail::Text(t) => out.push(format!("{pad}{t}")),
            }
        }
        for (h, sub) in &node.init_plans {
            self.render(sub, indent, Some(h), out);
        }
        for child in &node.children {
            self.render(child, indent, None, out);
        }
        for (h, sub) in &node.sub_plans {
            self.render(sub, indent, Some(h), out);
        }
    }

    /// show_qual: the list as one implicit AND.
    fn qual(&self, exprs: &[&ScalarExpr], cx: Cx) -> Option<String> {
        let parts: Vec<String> = exprs
            .iter()
            .map(|e| {
                let mut s = String::new();
                self.expr(e, cx, false, &mut s, 0);
                s
            })
            .collect();
        match parts.len() {
            0 => None,
            1 => parts.into_iter().next(),
            _ => Some(format!("({})", parts.join(" AND "))),
        }
    }

    /// show_sort_group_keys: one key, with its ordering when it is not the default.
    fn key(&self, k: &Key<'a>, upper: Cx) -> String {
        let cx = Cx { node: k.node, ..upper };
        let mut s = String::new();
        match k.term {
            KeyTerm::Col(c) => self.column(c, cx, true, &mut s, 0),
            KeyTerm::Expr(e) if k.wrap && !matches!(e, ScalarExpr::Column { .. }) => {
                s.push('(');
                self.expr(e, cx, true, &mut s, 0);
                s.push(')');
            }
            KeyTerm::Expr(e) => self.expr(e, cx, true, &mut s, 0),
        }
        if let Some((descending, nulls_first)) = k.order {
            push_ordering(&mut s, descending, nulls_first);
        }
        s
    }

    // ----- ruleutils: expressions -----

    fn column(&self, id: ColumnId, cx: Cx, implicit: bool, out: &mut String, depth: u32) {
        if depth > MAX_DEPTH {
            out.push_str("?column?");
            return;
        }
        // find_param_referent: an outer query's column is always qualified.
        let cx = if self.def_levels.get(&id).is_some_and(|l| *l != cx.level) { Cx { prefix: true, ..cx } } else { cx };
        match self.defs.get(&id) {
            None => out.push_str("?column?"),
            Some(Def::Base { qualifier, name }) => {
                let foreign = cx.relation.is_some_and(|r| r != name_key(qualifier));
                if (cx.prefix || foreign) && !qualifier.is_empty() {
                    out.push_str(&quote_identifier(qualifier));
                    out.push('.');
                }
                out.push_str(&quote_identifier(name));
            }
            Some(Def::Alias(other)) => self.column(*other, cx, implicit, out, depth + 1),
            Some(Def::Expr { expr, node }) => {
                if let ScalarExpr::Column { id: inner, .. } = expr {
                    return self.column(*inner, cx, implicit, out, depth + 1);
                }
                let inner = Cx { node: *node, ..cx };
                if *node == cx.node {
                    self.expr(expr, inner, implicit, out, depth + 1);
                } else {
                    // get_variable: a non-Var child target-list entry is parenthesized.
                    out.push('(');
                    self.expr(expr, inner, true, out, depth + 1);
                    out.push(')');
                }
            }
            Some(Def::Agg { call, node }) => {
                let inner = Cx { node: *node, ..cx };
                if *node == cx.node {
                    self.agg(call, inner, out, depth + 1);
                } else {
                    out.push('(');
                    self.agg(call, inner, out, depth + 1);
                    out.push(')');
                }
            }
            Some(Def::Window { call, node }) => {
                let inner = Cx { node: *node, ..cx };
                if *node == cx.node {
                    self.window_call(call, inner, out, depth + 1);
                } else {
                    out.push('(');
                    self.window_call(call, inner, out, depth + 1);
                    out.push(')');
                }
            }
        }
    }

    /// get_windowfunc_expr: EXPLAIN has no window clauses to name, so `OVER (?)`.
    fn window_call(&self, call: &WindowCall, cx: Cx, out: &mut String, depth: u32) {
        out.push_str(&quote_identifier(&call.name));
        out.push('(');
        if call.star {
            out.push('*');
        } else {
            self.list(&call.args, cx, out, depth);
        }
        out.push(')');
        if let Some(f) = &call.filter {
            out.push_str(" FILTER (WHERE ");
            self.expr(f, cx, false, out, depth);
            out.push(')');
        }
        out.push_str(" OVER (?)");
    }

    /// get_rule_expr with prettyFlags = 0: every operator and boolean test in parentheses.
    fn expr(&self, e: &ScalarExpr, cx: Cx, implicit: bool, out: &mut String, depth: u32) {
        if depth > MAX_DEPTH {
            out.push_str("...");
            return;
        }
        let d = depth + 1;
        match e {
            ScalarExpr::Column { id, .. } => self.column(*id, cx, implicit, out, d),
            ScalarExpr::Const { value, ty } => self.constant(value, *ty, false, out),
            ScalarExpr::Param { index, .. } => out.push_str(&format!("${index}")),
            ScalarExpr::Func { func, args } => match (&func.operator, args.as_slice()) {
                (Some(op), [l, r]) => {
                    out.push('(');
                    self.expr(l, cx, true, out, d);
                    out.push_str(&format!(" {op} "));
                    self.expr(r, cx, true, out, d);
                    out.push(')');
                }
                (Some(op), [arg]) => {
                    out.push_str(&format!("({op} "));
                    self.expr(arg, cx, true, out, d);
                    out.push(')');
                }
                _ => self.call(&func.name, args, cx, out, d),
            },
            ScalarExpr::Cast { arg, ty, explicit, .. } => {
                if !*explicit && !implicit {
                    // An implicit coercion at the top of an expression is not shown.
                    self.expr(arg, cx, false, out, d);
                } else {
                    self.coercion(arg, *ty, cx, out, d);
                }
            }
            ScalarExpr::And(args) | ScalarExpr::Or(args) => {
                let sep = if matches!(e, ScalarExpr::And(_)) { " AND " } else { " OR " };
                if args.is_empty() {
                    out.push_str(if matches!(e, ScalarExpr::And(_)) { "true" } else { "false" });
                    return;
                }
                out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    self.expr(a, cx, false, out, d);
                }
                out.push(')');
            }
            ScalarExpr::Not(arg) => {
                out.push_str("(NOT ");
                self.expr(arg, cx, false, out, d);
                out.push(')');
            }
            ScalarExpr::IsNull { arg, negated } => {
                out.push('(');
                self.expr(arg, cx, true, out, d);
                out.push_str(if *negated { " IS NOT NULL)" } else { " IS NULL)" });
            }
            ScalarExpr::BoolTest { arg, kind } => {
                out.push('(');
                self.expr(arg, cx, false, out, d);
                out.push_str(match kind {
                    BoolTestKind::IsTrue => " IS TRUE)",
                    BoolTestKind::IsNotTrue => " IS NOT TRUE)",
                    BoolTestKind::IsFalse => " IS FALSE)",
                    BoolTestKind::IsNotFalse => " IS NOT FALSE)",
                    BoolTestKind::IsUnknown => " IS UNKNOWN)",
                    BoolTestKind::IsNotUnknown => " IS NOT UNKNOWN)",
                });
            }
            ScalarExpr::DistinctFrom { left, right, negated, .. } => {
                // IS NOT DISTINCT FROM is NOT over a DistinctExpr in PostgreSQL's trees.
                if *negated {
                    out.push_str("(NOT ");
                }
                out.push('(');
                self.expr(left, cx, true, out, d);
                out.push_str(" IS DISTINCT FROM ");
                self.expr(right, cx, true, out, d);
                out.push(')');
                if *negated {
                    out.push(')');
                }
            }
            ScalarExpr::Case { whens, default, .. } => {
                out.push_str("CASE");
                for (cond, result) in whens {
                    out.push_str(" WHEN ");
                    self.expr(cond, cx, false, out, d);
                    out.push_str(" THEN ");
                    self.expr(result, cx, true, out, d);
                }
                out.push_str(" ELSE ");
                self.expr(default, cx, true, out, d);
                out.push_str(" END");
            }
            ScalarExpr::Coalesce { args, .. } => self.call_like("COALESCE", args, cx, out, d),
            ScalarExpr::NullIf { left, right, .. } => {
                out.push_str("NULLIF(");
                self.expr(left, cx, true, out, d);
                out.push_str(", ");
                self.expr(right, cx, true, out, d);
                out.push(')');
            }
            ScalarExpr::MinMax { greatest, args, .. } => self.call_like(if *greatest { "GREATEST" } else { "LEAST" }, args, cx, out, d),
            ScalarExpr::ArrayOp { op, any, left, right } => {
                out.push('(');
                self.expr(left, cx, true, out, d);
                let opname = op.operator.clone().unwrap_or_else(|| op.name.clone());
                out.push_str(&format!(" {opname} {} (", if *any { "ANY" } else { "ALL" }));
                self.expr(right, cx, true, out, d);
                out.push_str("))");
            }
            ScalarExpr::ArrayCtor { elems, ty } => {
                out.push_str("ARRAY[");
                self.list(elems, cx, out, d);
                out.push(']');
                if elems.is_empty() {
                    out.push_str("::");
                    out.push_str(&type_name(SqlType::new(ty.oid)));
                }
            }
            ScalarExpr::ArrayAssign { base, subscripts, slice, value, .. } => {
                // No SQL spelling: shown as ruleutils shows it, `base[subscripts] := value`,
                // the base in parentheses unless it is a column.
                let plain = matches!(base.as_ref(), ScalarExpr::Column { .. });
                if !plain {
                    out.push('(');
                }
                self.expr(base, cx, true, out, d);
                if !plain {
                    out.push(')');
                }
                for (l, u) in subscripts {
                    out.push('[');
                    if let Some(l) = l {
                        self.expr(l, cx, true, out, d);
                    }
                    if *slice {
                        out.push(':');
                    }
                    if let Some(u) = u {
                        self.expr(u, cx, true, out, d);
                    }
                    out.push(']');
                }
                out.push_str(" := ");
                self.expr(value, cx, true, out, d);
            }
            ScalarExpr::Row { fields, .. } => {
                out.push_str("ROW(");
                self.list(fields, cx, out, d);
                out.push(')');
            }
            ScalarExpr::FieldSelect { arg, name, .. } => {
                out.push('(');
                self.expr(arg, cx, true, out, d);
                out.push_str(").");
                out.push_str(&crate::typeio::quote_identifier(name));
            }
            ScalarExpr::Subscript { base, lower, upper, slice, .. } => {
                let plain = matches!(base.as_ref(), ScalarExpr::Column { .. });
                if !plain {
                    out.push('(');
                }
                self.expr(base, cx, true, out, d);
                if !plain {
                    out.push(')');
                }
                out.push('[');
                if let Some(l) = lower {
                    self.expr(l, cx, true, out, d);
                }
                if *slice {
                    out.push(':');
                    if let Some(u) = upper {
                        self.expr(u, cx, true, out, d);
                    }
                }
                out.push(']');
            }
            ScalarExpr::SqlValue { kind, precision, .. } => {
                out.push_str(kind.keyword());
                if let Some(p) = precision {
                    out.push_str(&format!("({p})"));
                }
            }
            ScalarExpr::Subquery(s) => {
                let text = self.subrefs.get(&addr(s.as_ref())).cloned().unwrap_or_else(|| "(SubPlan)".into());
                out.push_str(&text);
            }
        }
    }

    /// get_coercion_expr: `(arg)::type`, or `'lit'::type` for a bare constant of that type.
    fn coercion(&self, arg: &ScalarExpr, ty: SqlType, cx: Cx, out: &mut String, depth: u32) {
        match arg {
            ScalarExpr::Const { value, ty: cty } if cty.oid == ty.oid && cty.typmod == -1 && !value.is_null() => {
                self.constant(value, *cty, true, out);
            }
            _ => {
                out.push('(');
                self.expr(arg, cx, false, out, depth);
                out.push(')');
            }
        }
        out.push_str("::");
        out.push_str(&type_name(ty));
    }

    fn list(&self, args: &[ScalarExpr], cx: Cx, out: &mut String, depth: u32) {
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.expr(a, cx, true, out, depth);
        }
    }

    fn call(&self, name: &str, args: &[ScalarExpr], cx: Cx, out: &mut String, depth: u32) {
        out.push_str(&quote_identifier(name));
        out.push('(');
        self.list(args, cx, out, depth);
        out.push(')');
    }

    fn call_like(&self, keyword: &str, args: &[ScalarExpr], cx: Cx, out: &mut String, depth: u32) {
        out.push_str(keyword);
        out.push('(');
        self.list(args, cx, out, depth);
        out.push(')');
    }

    /// get_agg_expr: `name([DISTINCT ]args[ ORDER BY …])[ FILTER (WHERE …)]`, `count(*)`.
    fn agg(&self, call: &AggCall, cx: Cx, out: &mut String, depth: u32) {
        out.push_str(&quote_identifier(&call.func.name));
        out.push('(');
        if call.distinct {
            out.push_str("DISTINCT ");
        }
        if call.args.is_empty() {
            out.push('*');
        } else {
            self.list(&call.args, cx, out, depth);
        }
        if !call.order_by.is_empty() {
            out.push_str(" ORDER BY ");
            for (i, k) in call.order_by.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                self.expr(&k.expr, cx, true, out, depth);
                push_ordering(out, k.descending, k.nulls_first);
            }
        }
        out.push(')');
        if let Some(f) = &call.filter {
            out.push_str(" FILTER (WHERE ");
            self.expr(f, cx, false, out, depth);
            out.push(')');
        }
    }

    /// get_const_expr with showtype 0 (or -1 when `bare`): int4 and float-looking numerics
    /// print plain, booleans as true/false, everything else as a quoted literal with its type.
    fn constant(&self, value: &Datum, ty: SqlType, bare: bool, out: &mut String) {
        if value.is_null() {
            out.push_str("NULL");
            if !bare {
                out.push_str("::");
                out.push_str(&type_name(ty));
            }
            return;
        }
        let elem_of = |t: Oid| builtin_array_elem(t).map(|e| (e, builtin_type_delim(e).unwrap_or(b',')));
        let text = crate::io::output(ty, value, self.io, &elem_of).unwrap_or_else(|_| fallback_text(value));
        let mut needlabel = false;
        match ty.oid {
            oid::INT4 => {
                if text.starts_with('-') {
                    push_quoted(out, &text);
                    needlabel = true;
                } else {
                    out.push_str(&text);
                }
            }
            oid::NUMERIC => {
                if text.starts_with(|c: char| c.is_ascii_digit()) && text.contains(['e', 'E', '.']) {
                    out.push_str(&text);
                } else {
                    push_quoted(out, &text);
                    needlabel = true;
                }
                needlabel |= ty.typmod >= 0;
            }
            oid::BOOL => out.push_str(if matches!(value, Datum::Bool(true)) || text == "t" || text == "true" { "true" } else { "false" }),
            oid::UNKNOWN => push_quoted(out, &text),
            _ => {
                push_quoted(out, &text);
                needlabel = true;
            }
        }
        if needlabel && !bare {
            out.push_str("::");
            out.push_str(&type_name(ty));
        }
    }
}

/// The Group Key for a grouping expression, read from the child's target list.
fn group_key<'a>(e: &'a ScalarExpr, child: &Node<'a>) -> Key<'a> {
    Key { term: KeyTerm::Expr(e), node: child.id, wrap: !child.projects, order: None }
}

/// " DESC", " NULLS FIRST" / " NULLS LAST" when not the direction's default.
fn push_ordering(s: &mut String, descending: bool, nulls_first: bool) {
    if descending {
        s.push_str(" DESC");
        if !nulls_first {
            s.push_str(" NULLS LAST");
        }
    } else if nulls_first {
        s.push_str(" NULLS FIRST");
    }
}

fn push_qual<'a>(n: &mut Node<'a>, label: &'static str, quals: Vec<&'a ScalarExpr>, scan: bool) {
    if !quals.is_empty() {
        n.exprs.extend(quals.iter().copied());
        n.details.push(Detail::Qual { label, exprs: quals, scan, relation: None });
    }
}

/// A table scan's quals: its own columns unqualified (unless VERBOSE), other relations' qualified.
fn push_scan_qual<'a>(n: &mut Node<'a>, label: &'static str, quals: Vec<&'a ScalarExpr>, refname: &str) {
    if !quals.is_empty() {
        n.exprs.extend(quals.iter().copied());
        n.details.push(Detail::Qual { label, exprs: quals, scan: true, relation: Some(refname.to_string()) });
    }
}

/// simple_quote_literal with standard_conforming_strings on: only quotes are doubled.
fn push_quoted(out: &mut String, text: &str) {
    out.push('\'');
    for ch in text.chars() {
        if ch == '\'' {
            out.push('\'');
        }
        out.push(ch);
    }
    out.push('\'');
}

/// A value's text when typoutput cannot print it (a datum not matching its type).
fn fallback_text(value: &Datum) -> String {
    match value {
        Datum::Null => "NULL".into(),
        Datum::Bool(b) => if *b { "t" } else { "f" }.into(),
        Datum::Char(c) => char::from(*c).to_string(),
        Datum::Int16(v) => v.to_string(),
        Datum::Int32(v) => v.to_string(),
        Datum::Int64(v) => v.to_string(),
        Datum::Oid(v) => v.to_string(),
        Datum::Float32(v) => v.to_string(),
        Datum::Float64(v) => v.to_string(),
        Datum::Numeric(n) => n.to_string(),
        Datum::Text(s) => s.clone(),
        Datum::Interval(_) | Datum::Bytes(_) | Datum::Array(_) | Datum::Record(_) => "?".into(),
    }
}

/// format_type_with_typemod: the SQL spelling (`integer`, `character varying(10)`, `integer[]`).
fn type_name(ty: SqlType) -> String {
    let flags = FormatTypeFlags { typemod_given: true, allow_invalid: true, force_qualify: false };
    format_type_extended(ty.oid, ty.typmod, flags, &|_| None).unwrap_or_else(|_| "???".into())
}

fn spaces(indent: usize) -> String {
    " ".repeat(indent * 2)
}

/// " Join" node names: "Hash Join" / "Nested Loop" for inner joins, "… Left Join" and so on.
fn join_name(kind: JoinKind, hash: bool) -> String {
    let suffix = match kind {
        JoinKind::Inner => "",
        // A mark join keeps every outer row, as a left join does.
        JoinKind::Left | JoinKind::Mark => " Left Join",
        JoinKind::Right => " Right Join",
        JoinKind::Full => " Full Join",
        JoinKind::Semi => " Semi Join",
        JoinKind::Anti | JoinKind::AntiNullAware => " Anti Join",
    };
    match (hash, suffix.is_empty()) {
        (true, true) => "Join".into(),
        (true, false) => suffix.trim_start().into(),
        (false, _) => format!("Nested Loop{suffix}"),
    }
}

/// Flattens an implicit-AND qual list (dropping constant TRUE), as PostgreSQL's qual lists are flat.
fn conjuncts<'a>(e: &'a ScalarExpr, out: &mut Vec<&'a ScalarExpr>) {
    match e {
        ScalarExpr::And(parts) => {
            for p in parts {
                conjuncts(p, out);
            }
        }
        ScalarExpr::Const { value: Datum::Bool(true), .. } => {}
        e => out.push(e),
    }
}

/// Mentions no column and calls nothing volatile: PostgreSQL evaluates it once ("One-Time Filter").
fn is_pseudo_constant(e: &ScalarExpr) -> bool {
    if !e.columns().is_empty() {
        return false;
    }
    let mut volatile = false;
    e.walk(&mut |x| match x {
        ScalarExpr::Func { func, .. } => volatile |= func.volatility == Volatility::Volatile,
        ScalarExpr::Cast { method: CastMethod::Function(f), .. } => volatile |= f.volatility == Volatility::Volatile,
        _ => {}
    });
    !volatile
}

fn is_false_constant(e: &ScalarExpr) -> bool {
    matches!(e, ScalarExpr::Const { value: Datum::Bool(false) | Datum::Null, .. })
}

/// Whether PostgreSQL's equivalent node evaluates quals itself (so a Filter folds into it).
fn can_take_quals(plan: &PhysicalPlan) -> bool {
    match plan {
        PhysicalPlan::SeqScan { .. }
        | PhysicalPlan::IndexScan { .. }
        | PhysicalPlan::Values { .. }
        | PhysicalPlan::FunctionScan { .. }
        | PhysicalPlan::WorkTableScan { .. }
        | PhysicalPlan::HashJoin { .. }
        | PhysicalPlan::NestedLoopJoin { .. }
        | PhysicalPlan::HashAggregate { .. } => true,
        PhysicalPlan::Distinct { on, .. } => on.is_empty(),
        PhysicalPlan::HashSetOp { op: SetOpKind::Union, all: false, .. } => true,
        _ => false,
    }
}

/// The scan of the table an UPDATE/DELETE modifies.
fn find_target_scan(plan: &PhysicalPlan, table: Oid) -> Option<&PhysicalPlan> {
    if let PhysicalPlan::SeqScan { table: t, .. } | PhysicalPlan::IndexScan { table: t, .. } = plan
        && t.oid == table
    {
        return Some(plan);
    }
    plan.children().into_iter().find_map(|c| find_target_scan(c, table))
}

/// A function RTE's name: its alias if the single output column suggests one, else the function name.
fn function_refname(func: &FuncRef, columns: &[PlanColumn], ordinality: Option<&PlanColumn>) -> String {
    match (columns, ordinality) {
        ([only], None) if !only.name.is_empty() && only.name != "?column?" => only.name.clone(),
        _ => func.name.clone(),
    }
}

/// Range-table entries PostgreSQL would have for this plan (for deciding whether to qualify columns).
fn count_range_table(plan: &PhysicalPlan) -> usize {
    let own = match plan {
        PhysicalPlan::SeqScan { .. }
        | PhysicalPlan::IndexScan { .. }
        | PhysicalPlan::FunctionScan { .. }
        | PhysicalPlan::WorkTableScan { .. }
        | PhysicalPlan::CteScan { .. } => 1,
        // ON CONFLICT DO UPDATE adds the EXCLUDED entry.
        PhysicalPlan::Insert { on_conflict, .. } => 1 + usize::from(on_conflict.as_ref().is_some_and(|c| c.update.is_some())),
        PhysicalPlan::Values { rows, .. } => usize::from(rows.len() > 1),
        PhysicalPlan::HashSetOp { .. } | PhysicalPlan::RecursiveUnion { .. } => 2,
        PhysicalPlan::Append { inputs, .. } => inputs.len(),
        _ => 0,
    };
    own + plan.children().into_iter().map(count_range_table).sum::<usize>()
}

fn collect_subqueries<'a>(e: &'a ScalarExpr, out: &mut Vec<&'a SubqueryExpr>) {
    if let ScalarExpr::Subquery(s) = e {
        out.push(s);
    }
    for c in e.children() {
        collect_subqueries(c, out);
    }
}

fn plan_subqueries<'a>(plan: &'a PhysicalPlan, out: &mut Vec<&'a SubqueryExpr>) {
    for e in plan.expressions() {
        collect_subqueries(e, out);
    }
    for c in plan.children() {
        plan_subqueries(c, out);
    }
}

/// Physical stand-ins for every subquery's logical plan (nested ones included), keyed by the
/// address of their SubqueryExpr, so they print as SubPlan / InitPlan sections.
fn display_subplans(
    plan: &PhysicalPlan,
    plan_subquery: &dyn Fn(&LogicalPlan) -> crate::Result<PhysicalPlan>,
) -> crate::Result<Vec<(usize, PhysicalPlan)>> {
    let mut found = Vec::new();
    plan_subqueries(plan, &mut found);
    let mut out: Vec<(usize, PhysicalPlan)> = found.iter().map(|s| Ok((addr(*s), plan_subquery(&s.plan)?))).collect::<crate::Result<_>>()?;
    let mut i = 0;
    while i < out.len() && out.len() < 10_000 {
        let more: Vec<(usize, PhysicalPlan)> = {
            let mut f = Vec::new();
            plan_subqueries(&out[i].1, &mut f);
            f.iter().map(|s| Ok((addr(*s), plan_subquery(&s.plan)?))).collect::<crate::Result<Vec<_>>>()?
        };
        out.extend(more);
        i += 1;
    }
    Ok(out)
}

/// The obvious physical operator for each logical node (subqueries are planned by the
/// runtime; this is only for showing their shape).
fn display_plan(plan: &LogicalPlan) -> PhysicalPlan {
    let b = |p: &LogicalPlan| Box::new(display_plan(p));
    match plan {
        LogicalPlan::Scan { table, alias, columns } => {
            PhysicalPlan::SeqScan { table: table.clone(), alias: alias.clone(), columns: columns.clone(), filter: None }
        }
        LogicalPlan::Values { columns, rows } => PhysicalPlan::Values { columns: columns.clone(), rows: rows.clone() },
        LogicalPlan::Filter { input, predicate } => match input.as_ref() {
            LogicalPlan::Scan { table, alias, columns } => {
                PhysicalPlan::SeqScan { table: table.clone(), alias: alias.clone(), columns: columns.clone(), filter: Some(predicate.clone()) }
            }
            other => PhysicalPlan::Filter { input: b(other), predicate: predicate.clone() },
        },
        LogicalPlan::Project { input, items } => PhysicalPlan::Project { input: b(input), items: items.clone() },
        LogicalPlan::Join { kind, left, right, condition, mark } => {
            PhysicalPlan::NestedLoopJoin { kind: *kind, left: b(left), right: b(right), condition: condition.clone(), mark: mark.clone() }
        }
        LogicalPlan::Aggregate { input, group_by, aggs } => {
            PhysicalPlan::HashAggregate { input: b(input), group_by: group_by.clone(), aggs: aggs.clone() }
        }
        LogicalPlan::Sort { input, keys } => PhysicalPlan::Sort { input: b(input), keys: keys.clone() },
        LogicalPlan::Window { input, spec, funcs } => PhysicalPlan::WindowAgg { input: b(input), spec: spec.clone(), funcs: funcs.clone() },
        LogicalPlan::Limit { input, limit, offset, with_ties } => {
            PhysicalPlan::Limit { input: b(input), limit: limit.clone(), offset: offset.clone(), with_ties: with_ties.clone() }
        }
        LogicalPlan::Distinct { input, on } => PhysicalPlan::Distinct { input: b(input), on: on.clone() },
        LogicalPlan::SetOp { op: SetOpKind::Union, all: true, left, right, columns } => {
            PhysicalPlan::Append { inputs: vec![display_plan(left), display_plan(right)], columns: columns.clone() }
        }
        LogicalPlan::SetOp { op, all, left, right, columns } => {
            PhysicalPlan::HashSetOp { op: *op, all: *all, left: b(left), right: b(right), columns: columns.clone() }
        }
        LogicalPlan::RecursiveUnion { id, all, base, recursive, columns } => {
            PhysicalPlan::RecursiveUnion { id: *id, all: *all, base: b(base), recursive: b(recursive), columns: columns.clone() }
        }
        LogicalPlan::WorkTable { id, columns } => PhysicalPlan::WorkTableScan { id: *id, columns: columns.clone() },
        LogicalPlan::CteScan { id, name, columns } => PhysicalPlan::CteScan { id: *id, name: name.clone(), columns: columns.clone() },
        LogicalPlan::WithCte { id, name, deferred, cte, input } => {
            PhysicalPlan::WithCte { id: *id, name: name.clone(), deferred: *deferred, cte: b(cte), input: b(input) }
        }
        LogicalPlan::FunctionScan { calls, ordinality } => PhysicalPlan::FunctionScan { calls: calls.clone(), ordinality: ordinality.clone() },
        LogicalPlan::Insert { table, input, target_attnums, returning, on_conflict } => PhysicalPlan::Insert {
            table: table.clone(),
            input: b(input),
            target_attnums: target_attnums.clone(),
            returning: returning.clone(),
            on_conflict: on_conflict.clone(),
        },
        LogicalPlan::Update { table, input, ctid, values, assigned, returning } => PhysicalPlan::Update {
            table: table.clone(),
            input: b(input),
            ctid: *ctid,
            values: values.clone(),
            assigned: assigned.clone(),
            returning: returning.clone(),
        },
        LogicalPlan::Delete { table, input, ctid, old_values, returning } => {
            PhysicalPlan::Delete { table: table.clone(), input: b(input), ctid: *ctid, old_values: old_values.clone(), returning: returning.clone() }
        }
    }
}

// ----- rough estimates -----

/// PostgreSQL's default selectivities: 0.005 for equality and IS NULL, 1/3 otherwise.
fn selectivity(quals: &[&ScalarExpr]) -> f64 {
    quals
        .iter()
        .map(|q| match q {
            ScalarExpr::Func { func, .. } if func.operator.as_deref() == Some("=") => 0.005,
            ScalarExpr::IsNull { negated: false, .. } => 0.005,
            ScalarExpr::IsNull { negated: true, .. } => 0.995,
            _ => 1.0 / 3.0,
        })
        .product()
}

fn join_rows(kind: JoinKind, l: f64, r: f64, sel: f64) -> f64 {
    let matched = (l * r * sel).max(1.0);
    match kind {
        JoinKind::Inner => matched,
        JoinKind::Left => matched.max(l),
        JoinKind::Right => matched.max(r),
        JoinKind::Full => matched.max(l + r),
        JoinKind::Semi | JoinKind::Anti | JoinKind::AntiNullAware => (l * 0.5).max(1.0),
        JoinKind::Mark => l,
    }
}

fn limit_rows(input: f64, limit: Option<&ScalarExpr>, offset: Option<&ScalarExpr>) -> f64 {
    let n = |e: Option<&ScalarExpr>| e.and_then(|e| e.as_const()).and_then(|d| d.as_i64()).map(|v| v.max(0) as f64);
    let after_offset = (input - n(offset).unwrap_or(0.0)).max(0.0);
    match n(limit) {
        Some(l) => l.min(after_offset),
        None => after_offset,
    }
}

/// generate_series with constant integer bounds: its exact row count (as PostgreSQL's support function knows).
fn series_rows(func: &FuncRef, args: &[ScalarExpr]) -> Option<f64> {
    if func.name != "generate_series" {
        return None;
    }
    let n = |i: usize| args.get(i).and_then(|e| e.as_const()).and_then(|d| d.as_i64());
    let (start, stop) = (n(0)?, n(1)?);
    let step = if args.len() > 2 { n(2)? } else { 1 };
    if step == 0 {
        return None;
    }
    let count = (stop as f64 - start as f64) / step as f64 + 1.0;
    Some(count.floor().max(0.0))
}

/// Average width in bytes (get_typavgwidth's guesses; 32 for variable-length types).
fn type_width(ty: SqlType) -> f64 {
    match ty.oid {
        oid::BOOL | oid::CHAR => 1.0,
        oid::INT2 => 2.0,
        oid::INT4 | oid::DATE | oid::FLOAT4 | oid::OID | oid::XID | oid::CID | oid::REGCLASS | oid::REGPROC | oid::REGTYPE => 4.0,
        oid::TID => 6.0,
        oid::INT8 | oid::FLOAT8 | oid::TIME | oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::MONEY => 8.0,
        oid::TIMETZ => 12.0,
        oid::INTERVAL | oid::UUID => 16.0,
        oid::NAME => 64.0,
        oid::VARCHAR | oid::BPCHAR if ty.typmod > 4 => f64::from((ty.typmod - 4).min(32)),
        _ => 32.0,
    }
}

fn output_width(plan: &PhysicalPlan) -> f64 {
    plan.output().iter().map(|c| type_width(c.ty)).sum()
}

#[cfg(test)]
mod tests {
    //! Expected text captured from PostgreSQL 15.18 with EXPLAIN (COSTS OFF [, VERBOSE]) for the
    //! equivalent query over `t(a int, b int, name text, n numeric, big bigint, v varchar(10),
    //! d date, flag bool)` and `u(a int, b int, c text)`.

    use std::sync::Arc;

    use super::*;
    use crate::catalog::{ColumnDesc, RelKind, RelationDesc};
    use crate::expr::{AggRef, FuncRef, SubqueryExpr};
    use crate::numeric::Numeric;
    use crate::plan::LogicalPlan;
    use crate::plan::ScanColumn;

    /// Hands out query-unique column ids.
    struct Ids(u32);

    impl Ids {
        fn next(&mut self) -> ColumnId {
            self.0 += 1;
            ColumnId(self.0)
        }

        fn col(&mut self, name: &str, ty: SqlType) -> PlanColumn {
            PlanColumn { id: self.next(), ty, name: name.into() }
        }
    }

    const T_COLS: [(&str, SqlType); 8] = [
        ("a", SqlType::INT4),
        ("b", SqlType::INT4),
        ("name", SqlType::TEXT),
        ("n", SqlType::NUMERIC),
        ("big", SqlType::INT8),
        ("v", SqlType::with_typmod(oid::VARCHAR, 14)),
        ("d", SqlType::DATE),
        ("flag", SqlType::BOOL),
    ];
    const U_COLS: [(&str, SqlType); 3] = [("a", SqlType::INT4), ("b", SqlType::INT4), ("c", SqlType::TEXT)];

    fn relation(oid: Oid, name: &str, cols: &[(&str, SqlType)]) -> Arc<RelationDesc> {
        Arc::new(RelationDesc {
            oid,
            name: name.into(),
            namespace: oid::PUBLIC_NAMESPACE,
            namespace_name: "public".into(),
            kind: RelKind::Table,
            relfilenode: oid,
            reltype: 0,
            persistence: b'p',
            columns: cols
                .iter()
                .enumerate()
                .map(|(i, (n, ty))| ColumnDesc {
                    attnum: i as i16 + 1,
                    name: (*n).into(),
                    ty: *ty,
                    not_null: false,
                    default: None,
                    identity: 0,
                    generated: 0,
                    dropped: false,
                })
                .collect(),
            indexes: vec![],
            constraints: vec![],
            referenced_by: vec![],
            view_query: None,
            reltuples: 1000.0,
        })
    }

    /// A scan of `t` (oid 16384) or `u` (oid 16385) and its columns by name.
    struct Rel {
        plan: PhysicalPlan,
        cols: Vec<ScalarExpr>,
        names: Vec<&'static str>,
    }

    impl Rel {
        fn c(&self, name: &str) -> ScalarExpr {
            let i = self.names.iter().position(|n| *n == name).unwrap_or(0);
            self.cols[i].clone()
        }

        fn filtered(mut self, f: ScalarExpr) -> Self {
            if let PhysicalPlan::SeqScan { filter, .. } = &mut self.plan {
                *filter = Some(f);
            }
            self
        }

        /// The scan with `f` applied while scanning.
        fn clone_filtered(&self, f: ScalarExpr) -> PhysicalPlan {
            let mut plan = self.plan.clone();
            if let PhysicalPlan::SeqScan { filter, .. } = &mut plan {
                *filter = Some(f);
            }
            plan
        }

        fn logical(&self) -> LogicalPlan {
            match &self.plan {
                PhysicalPlan::SeqScan { table, alias, columns, .. } => {
                    LogicalPlan::Scan { table: table.clone(), alias: alias.clone(), columns: columns.clone() }
                }
                _ => LogicalPlan::empty(),
            }
        }
    }

    fn scan(ids: &mut Ids, table: &str, alias: &str) -> Rel {
        let (oid, cols): (Oid, &[(&'static str, SqlType)]) = if table == "t" { (16384, &T_COLS) } else { (16385, &U_COLS) };
        let rel = relation(oid, table, cols);
        let columns: Vec<ScanColumn> =
            cols.iter().enumerate().map(|(i, (n, ty))| ScanColumn { id: ids.next(), attnum: i as i16 + 1, ty: *ty, name: (*n).into() }).collect();
        Rel {
            cols: columns.iter().map(|c| ScalarExpr::column(c.id, c.ty)).collect(),
            names: cols.iter().map(|(n, _)| *n).collect(),
            plan: PhysicalPlan::SeqScan { table: rel, alias: alias.into(), columns, filter: None },
        }
    }

    fn func_ref(name: &str, operator: Option<&str>, args: &[&ScalarExpr], ret: SqlType) -> Arc<FuncRef> {
        Arc::new(FuncRef {
            oid: 100,
            name: name.into(),
            prosrc: name.into(),
            arg_types: args.iter().map(|a| a.ty()).collect(),
            ret_type: ret,
            strict: true,
            volatility: Volatility::Immutable,
            retset: false,
            operator: operator.map(String::from),
        })
    }

    fn op(name: &str, l: ScalarExpr, r: ScalarExpr) -> ScalarExpr {
        let ret = if matches!(name, "=" | "<" | ">" | "<=" | ">=" | "<>" | "~~") { SqlType::BOOL } else { l.ty() };
        ScalarExpr::Func { func: func_ref("op", Some(name), &[&l, &r], ret), args: vec![l, r] }
    }

    fn call(name: &str, args: Vec<ScalarExpr>, ret: SqlType) -> ScalarExpr {
        let refs: Vec<&ScalarExpr> = args.iter().collect();
        ScalarExpr::Func { func: func_ref(name, None, &refs, ret), args }
    }

    fn cast(arg: ScalarExpr, ty: SqlType, explicit: bool) -> ScalarExpr {
        ScalarExpr::Cast { arg: Box::new(arg), ty, method: CastMethod::Relabel, explicit }
    }

    fn int(v: i32) -> ScalarExpr {
        ScalarExpr::constant(Datum::Int32(v), SqlType::INT4)
    }

    fn text(s: &str) -> ScalarExpr {
        ScalarExpr::constant(Datum::Text(s.into()), SqlType::TEXT)
    }

    fn numeric(s: &str) -> ScalarExpr {
        ScalarExpr::constant(Numeric::parse(s).map(Datum::Numeric).unwrap_or(Datum::Null), SqlType::NUMERIC)
    }

    fn agg(name: &str, args: Vec<ScalarExpr>, ret: SqlType) -> AggCall {
        AggCall {
            func: Arc::new(AggRef {
                oid: 2100,
                name: name.into(),
                arg_types: args.iter().map(|a| a.ty()).collect(),
                ret_type: ret,
                transfn: String::new(),
                finalfn: String::new(),
                trans_type: ret,
                init_value: None,
            }),
            args,
            distinct: false,
            filter: None,
            order_by: vec![],
        }
    }

    fn hash_join(
        kind: JoinKind,
        left: PhysicalPlan,
        right: PhysicalPlan,
        keys: Vec<(ScalarExpr, ScalarExpr)>,
        residual: Option<ScalarExpr>,
    ) -> PhysicalPlan {
        let (left_keys, right_keys) = keys.into_iter().unzip();
        PhysicalPlan::HashJoin { kind, left: Box::new(left), right: Box::new(right), left_keys, right_keys, residual, mark: None }
    }

    fn explain_with(plan: &PhysicalPlan, costs: bool, verbose: bool) -> Vec<String> {
        explain_text(plan, &ExplainOptions { costs, verbose }, &IoContext::default())
    }

    fn explain(plan: &PhysicalPlan) -> Vec<String> {
        explain_with(plan, false, false)
    }

    fn verbose(plan: &PhysicalPlan) -> Vec<String> {
        explain_with(plan, false, true)
    }

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(String::from).collect()
    }

    #[test]
    fn seq_scan_with_filter() {
        // SELECT * FROM t WHERE a > 1
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let f = op(">", t.c("a"), int(1));
        assert_eq!(explain(&t.filtered(f).plan), lines("Seq Scan on t\n  Filter: (a > 1)"));
    }

    #[test]
    fn nested_operators_and_boolean_tests() {
        // SELECT * FROM t WHERE (a + 1) * 2 > 3 AND b < 2   (PostgreSQL put the cheaper qual first; so does this plan)
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let f = ScalarExpr::And(vec![op("<", t.c("b"), int(2)), op(">", op("*", op("+", t.c("a"), int(1)), int(2)), int(3))]);
        assert_eq!(explain(&t.filtered(f).plan), lines("Seq Scan on t\n  Filter: ((b < 2) AND (((a + 1) * 2) > 3))"));

        // SELECT * FROM t WHERE name = 'abc' OR b IS NULL
        let t = scan(&mut ids, "t", "t");
        let f = ScalarExpr::Or(vec![op("=", t.c("name"), text("abc")), ScalarExpr::IsNull { arg: Box::new(t.c("b")), negated: false }]);
        assert_eq!(explain(&t.filtered(f).plan), lines("Seq Scan on t\n  Filter: ((name = 'abc'::text) OR (b IS NULL))"));

        // NOT flag AND flag IS TRUE AND a IS NOT NULL AND lower(name) = 'abc'
        let t = scan(&mut ids, "t", "t");
        let f = ScalarExpr::And(vec![
            ScalarExpr::Not(Box::new(t.c("flag"))),
            ScalarExpr::BoolTest { arg: Box::new(t.c("flag")), kind: BoolTestKind::IsTrue },
            ScalarExpr::IsNull { arg: Box::new(t.c("a")), negated: true },
            op("=", call("lower", vec![t.c("name")], SqlType::TEXT), text("abc")),
        ]);
        assert_eq!(
            explain(&t.filtered(f).plan),
            lines("Seq Scan on t\n  Filter: ((NOT flag) AND (flag IS TRUE) AND (a IS NOT NULL) AND (lower(name) = 'abc'::text))")
        );
    }

    #[test]
    fn constants_and_casts() {
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let date = crate::io::input(SqlType::DATE, "2020-01-05", &IoContext::default(), &|_| None).unwrap_or(Datum::Null);
        let f = ScalarExpr::And(vec![
            op(">", t.c("n"), numeric("5")),
            op(">", t.c("big"), int(7)),
            op(">", t.c("d"), ScalarExpr::constant(date, SqlType::DATE)),
            op(">", t.c("a"), int(-3)),
            op(">", cast(t.c("big"), SqlType::INT4, true), int(3)),
            op("<", cast(t.c("a"), SqlType::INT8, true), int(7)),
            op(">", cast(t.c("a"), SqlType::NUMERIC, false), numeric("1.5")),
        ]);
        assert_eq!(
            explain(&t.filtered(f).plan),
            lines(
                "Seq Scan on t\n  Filter: ((n > '5'::numeric) AND (big > 7) AND (d > '2020-01-05'::date) AND (a > '-3'::integer) \
                 AND ((big)::integer > 3) AND ((a)::bigint < 7) AND ((a)::numeric > 1.5))"
            )
        );

        // varchar = text compares as text: the implicit relabel shows inside the operator.
        let t = scan(&mut ids, "t", "t");
        let f = op("=", cast(t.c("v"), SqlType::TEXT, false), text("x"));
        assert_eq!(explain(&t.filtered(f).plan), lines("Seq Scan on t\n  Filter: ((v)::text = 'x'::text)"));

        // flag AND n = 1.5 AND name = 'it''s' AND a::float8 = '1.5'::float8
        let t = scan(&mut ids, "t", "t");
        let f = ScalarExpr::And(vec![
            t.c("flag"),
            op("=", t.c("n"), numeric("1.5")),
            op("=", t.c("name"), text("it's")),
            op("=", cast(t.c("a"), SqlType::FLOAT8, true), ScalarExpr::constant(Datum::Float64(1.5), SqlType::FLOAT8)),
        ]);
        assert_eq!(
            explain(&t.filtered(f).plan),
            lines("Seq Scan on t\n  Filter: (flag AND (n = 1.5) AND (name = 'it''s'::text) AND ((a)::double precision = '1.5'::double precision))")
        );

        // CASE WHEN a > 1 THEN 1 END = b, COALESCE, IS NOT DISTINCT FROM
        let t = scan(&mut ids, "t", "t");
        let eq = func_ref("int4eq", Some("="), &[&int(0), &int(0)], SqlType::BOOL);
        let f = ScalarExpr::And(vec![
            ScalarExpr::DistinctFrom { eq, left: Box::new(t.c("a")), right: Box::new(t.c("b")), negated: true },
            op("=", ScalarExpr::Coalesce { args: vec![t.c("name")], ty: SqlType::TEXT }, text("x")),
            op(
                "=",
                ScalarExpr::Case {
                    whens: vec![(op(">", t.c("a"), int(1)), int(1))],
                    default: Box::new(ScalarExpr::null(SqlType::INT4)),
                    ty: SqlType::INT4,
                },
                t.c("b"),
            ),
        ]);
        assert_eq!(
            explain(&t.filtered(f).plan),
            lines(
                "Seq Scan on t\n  Filter: ((NOT (a IS DISTINCT FROM b)) AND (COALESCE(name) = 'x'::text) \
                 AND (CASE WHEN (a > 1) THEN 1 ELSE NULL::integer END = b))"
            )
        );

        // a = ANY ('{1,2,3}'::integer[])
        let t = scan(&mut ids, "t", "t");
        let arr = crate::datum::Array::from_elems(oid::INT4, vec![Datum::Int32(1), Datum::Int32(2), Datum::Int32(3)]);
        let arr = ScalarExpr::constant(Datum::Array(Box::new(arr)), SqlType::new(oid::INT4_ARRAY));
        let eq = func_ref("int4eq", Some("="), &[&int(0), &int(0)], SqlType::BOOL);
        let f = ScalarExpr::ArrayOp { op: eq, any: true, left: Box::new(t.c("a")), right: Box::new(arr) };
        assert_eq!(explain(&t.filtered(f).plan), lines("Seq Scan on t\n  Filter: (a = ANY ('{1,2,3}'::integer[]))"));
    }

    #[test]
    fn hash_join_builds_under_hash() {
        // SELECT * FROM t JOIN u ON t.a = u.b   (PostgreSQL probes with u, builds on t)
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let u = scan(&mut ids, "u", "u");
        let plan = hash_join(JoinKind::Inner, u.plan.clone(), t.plan.clone(), vec![(u.c("b"), t.c("a"))], None);
        assert_eq!(explain(&plan), lines("Hash Join\n  Hash Cond: (u.b = t.a)\n  ->  Seq Scan on u\n  ->  Hash\n        ->  Seq Scan on t"));
    }

    #[test]
    fn left_semi_anti_full_right_hash_joins() {
        // SELECT * FROM t LEFT JOIN u ON t.a = u.a; EXISTS / NOT EXISTS (SELECT 1 FROM u WHERE u.a = t.a); FULL; RIGHT
        for (kind, name) in [
            (JoinKind::Left, "Hash Left Join"),
            (JoinKind::Semi, "Hash Semi Join"),
            (JoinKind::Anti, "Hash Anti Join"),
            (JoinKind::Full, "Hash Full Join"),
            (JoinKind::Right, "Hash Right Join"),
        ] {
            let mut ids = Ids(0);
            let t = scan(&mut ids, "t", "t");
            let u = scan(&mut ids, "u", "u");
            let plan = hash_join(kind, t.plan.clone(), u.plan.clone(), vec![(t.c("a"), u.c("a"))], None);
            let expected = format!("{name}\n  Hash Cond: (t.a = u.a)\n  ->  Seq Scan on t\n  ->  Hash\n        ->  Seq Scan on u");
            assert_eq!(explain(&plan), lines(&expected));
        }
    }

    #[test]
    fn hash_join_filter_and_pushed_down_scan_filter() {
        // SELECT * FROM t JOIN u ON t.a = u.a AND t.b < u.b WHERE t.a > 5
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let u = scan(&mut ids, "u", "u");
        let tf = op(">", t.c("a"), int(5));
        let residual = op("<", t.c("b"), u.c("b"));
        let plan = hash_join(JoinKind::Inner, t.clone_filtered(tf), u.plan.clone(), vec![(t.c("a"), u.c("a"))], Some(residual));
        assert_eq!(
            explain(&plan),
            lines(
                "Hash Join\n  Hash Cond: (t.a = u.a)\n  Join Filter: (t.b < u.b)\n  ->  Seq Scan on t\n        Filter: (a > 5)\n  ->  Hash\n        ->  Seq Scan on u"
            )
        );

        // SELECT * FROM t JOIN u ON t.a = u.a AND t.b = u.b
        let plan = hash_join(JoinKind::Inner, t.plan.clone(), u.plan.clone(), vec![(t.c("a"), u.c("a")), (t.c("b"), u.c("b"))], None);
        assert_eq!(explain(&plan)[1], "  Hash Cond: ((t.a = u.a) AND (t.b = u.b))");
    }

    #[test]
    fn nested_loops() {
        // SELECT * FROM t, u WHERE t.a < u.b
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let u = scan(&mut ids, "u", "u");
        let nl = |kind, condition| PhysicalPlan::NestedLoopJoin {
            kind,
            left: Box::new(t.plan.clone()),
            right: Box::new(u.plan.clone()),
            condition,
            mark: None,
        };
        assert_eq!(
            explain(&nl(JoinKind::Inner, op("<", t.c("a"), u.c("b")))),
            lines("Nested Loop\n  Join Filter: (t.a < u.b)\n  ->  Seq Scan on t\n  ->  Seq Scan on u")
        );
        // SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a)   (empty tables)
        assert_eq!(
            explain(&nl(JoinKind::Semi, op("=", t.c("a"), u.c("a")))),
            lines("Nested Loop Semi Join\n  Join Filter: (t.a = u.a)\n  ->  Seq Scan on t\n  ->  Seq Scan on u")
        );
        // SELECT * FROM t LEFT JOIN u ON t.a = u.b   (empty tables)
        assert_eq!(explain(&nl(JoinKind::Left, op("=", t.c("a"), u.c("b"))))[0], "Nested Loop Left Join");
        // A cross join has no Join Filter.
        assert_eq!(explain(&nl(JoinKind::Inner, ScalarExpr::bool(true))), lines("Nested Loop\n  ->  Seq Scan on t\n  ->  Seq Scan on u"));
    }

    #[test]
    fn aggregates_group_keys_and_having() {
        // SELECT a, count(*), sum(b) FROM t GROUP BY a
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let g = ids.col("a", SqlType::INT4);
        let plan = PhysicalPlan::HashAggregate {
            input: Box::new(t.plan.clone()),
            group_by: vec![(g, t.c("a"))],
            aggs: vec![
                (ids.col("count", SqlType::INT8), agg("count", vec![], SqlType::INT8)),
                (ids.col("sum", SqlType::INT8), agg("sum", vec![t.c("b")], SqlType::INT8)),
            ],
        };
        assert_eq!(explain(&plan), lines("HashAggregate\n  Group Key: a\n  ->  Seq Scan on t"));

        // SELECT count(*) FROM t
        let plan = PhysicalPlan::HashAggregate {
            input: Box::new(t.plan.clone()),
            group_by: vec![],
            aggs: vec![(ids.col("count", SqlType::INT8), agg("count", vec![], SqlType::INT8))],
        };
        assert_eq!(explain(&plan), lines("Aggregate\n  ->  Seq Scan on t"));

        // SELECT b, sum(a) FROM t GROUP BY b HAVING sum(a) > 10
        let sum = ids.col("sum", SqlType::INT8);
        let having = op(">", ScalarExpr::column(sum.id, sum.ty), int(10));
        let plan = PhysicalPlan::Filter {
            input: Box::new(PhysicalPlan::HashAggregate {
                input: Box::new(t.plan.clone()),
                group_by: vec![(ids.col("b", SqlType::INT4), t.c("b"))],
                aggs: vec![(sum, agg("sum", vec![t.c("a")], SqlType::INT8))],
            }),
            predicate: having,
        };
        assert_eq!(explain(&plan), lines("HashAggregate\n  Group Key: b\n  Filter: (sum(a) > 10)\n  ->  Seq Scan on t"));
    }

    #[test]
    fn aggregate_output_and_group_expressions_verbose() {
        // EXPLAIN VERBOSE SELECT b, count(*) FROM t GROUP BY b
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let g = ids.col("b", SqlType::INT4);
        let plan = PhysicalPlan::HashAggregate {
            input: Box::new(t.plan.clone()),
            group_by: vec![(g, t.c("b"))],
            aggs: vec![(ids.col("count", SqlType::INT8), agg("count", vec![], SqlType::INT8))],
        };
        assert_eq!(
            verbose(&plan),
            lines(
                "HashAggregate\n  Output: b, count(*)\n  Group Key: t.b\n  ->  Seq Scan on public.t\n        Output: a, b, name, n, big, v, d, flag"
            )
        );

        // EXPLAIN VERBOSE SELECT a + 1, count(*) FROM t GROUP BY a + 1
        let x = ids.col("?column?", SqlType::INT4);
        let input = PhysicalPlan::Project { input: Box::new(t.plan.clone()), items: vec![(x.clone(), op("+", t.c("a"), int(1)))] };
        let g = ids.col("?column?", SqlType::INT4);
        let plan = PhysicalPlan::HashAggregate {
            input: Box::new(input),
            group_by: vec![(g, ScalarExpr::column(x.id, x.ty))],
            aggs: vec![(ids.col("count", SqlType::INT8), agg("count", vec![], SqlType::INT8))],
        };
        assert_eq!(
            verbose(&plan),
            lines("HashAggregate\n  Output: ((a + 1)), count(*)\n  Group Key: (t.a + 1)\n  ->  Seq Scan on public.t\n        Output: (a + 1)")
        );

        // count(DISTINCT a), sum(b) FILTER (WHERE b > 1), string_agg(name, ',' ORDER BY name DESC)
        let mut count = agg("count", vec![t.c("a")], SqlType::INT8);
        count.distinct = true;
        let mut sum = agg("sum", vec![t.c("b")], SqlType::INT8);
        sum.filter = Some(op(">", t.c("b"), int(1)));
        let mut string_agg = agg("string_agg", vec![t.c("name"), text(",")], SqlType::TEXT);
        string_agg.order_by = vec![SortKey::new(t.c("name"), true, None)];
        let plan = PhysicalPlan::HashAggregate {
            input: Box::new(t.plan.clone()),
            group_by: vec![],
            aggs: vec![
                (ids.col("count", SqlType::INT8), count),
                (ids.col("sum", SqlType::INT8), sum),
                (ids.col("string_agg", SqlType::TEXT), string_agg),
            ],
        };
        assert_eq!(
            verbose(&plan)[..2],
            lines("Aggregate\n  Output: count(DISTINCT a), sum(b) FILTER (WHERE (b > 1)), string_agg(name, ','::text ORDER BY name DESC)")[..]
        );
    }

    #[test]
    fn sort_keys_with_directions() {
        // SELECT * FROM t ORDER BY a DESC NULLS LAST, b
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let plan = PhysicalPlan::Sort {
            input: Box::new(t.plan.clone()),
            keys: vec![SortKey::new(t.c("a"), true, Some(false)), SortKey::new(t.c("b"), false, None)],
        };
        assert_eq!(explain(&plan), lines("Sort\n  Sort Key: a DESC NULLS LAST, b\n  ->  Seq Scan on t"));

        // SELECT a + 1 AS x FROM t ORDER BY x: the key is a reference to the scan's target list.
        let x = ids.col("x", SqlType::INT4);
        let plan = PhysicalPlan::Sort {
            input: Box::new(PhysicalPlan::Project { input: Box::new(t.plan.clone()), items: vec![(x.clone(), op("+", t.c("a"), int(1)))] }),
            keys: vec![SortKey::new(ScalarExpr::column(x.id, x.ty), false, None)],
        };
        assert_eq!(explain(&plan), lines("Sort\n  Sort Key: ((a + 1))\n  ->  Seq Scan on t"));
    }

    #[test]
    fn sort_over_aggregate_over_hash_join() {
        // SELECT t.a, count(*) FROM t JOIN u ON t.a = u.a GROUP BY t.a ORDER BY count(*) DESC
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let u = scan(&mut ids, "u", "u");
        let join = hash_join(JoinKind::Inner, t.plan.clone(), u.plan.clone(), vec![(t.c("a"), u.c("a"))], None);
        let count = ids.col("count", SqlType::INT8);
        let aggregate = PhysicalPlan::HashAggregate {
            input: Box::new(join),
            group_by: vec![(ids.col("a", SqlType::INT4), t.c("a"))],
            aggs: vec![(count.clone(), agg("count", vec![], SqlType::INT8))],
        };
        let plan = PhysicalPlan::Sort { input: Box::new(aggregate), keys: vec![SortKey::new(ScalarExpr::column(count.id, count.ty), true, None)] };
        assert_eq!(
            explain(&plan),
            lines(
                "Sort
  Sort Key: (count(*)) DESC
  ->  HashAggregate
        Group Key: t.a
        ->  Hash Join
              Hash Cond: (t.a = u.a)
              ->  Seq Scan on t
              ->  Hash
                    ->  Seq Scan on u"
            )
        );
    }

    #[test]
    fn limits() {
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        // SELECT * FROM t ORDER BY a NULLS FIRST LIMIT 5
        let plan = PhysicalPlan::TopN {
            input: Box::new(t.plan.clone()),
            keys: vec![SortKey::new(t.c("a"), false, Some(true))],
            limit: ScalarExpr::constant(Datum::Int64(5), SqlType::INT8),
            offset: None,
        };
        assert_eq!(explain(&plan), lines("Limit\n  ->  Sort\n        Sort Key: a NULLS FIRST\n        ->  Seq Scan on t"));
        // SELECT * FROM t WHERE a > 1 LIMIT 3
        let plan = PhysicalPlan::Limit {
            input: Box::new(t.clone_filtered(op(">", t.c("a"), int(1)))),
            limit: Some(ScalarExpr::constant(Datum::Int64(3), SqlType::INT8)),
            offset: None,
            with_ties: vec![],
        };
        assert_eq!(explain(&plan), lines("Limit\n  ->  Seq Scan on t\n        Filter: (a > 1)"));
        // EXPLAIN VERBOSE SELECT * FROM t ORDER BY a LIMIT 3
        let plan = PhysicalPlan::TopN {
            input: Box::new(t.plan.clone()),
            keys: vec![SortKey::new(t.c("a"), false, None)],
            limit: ScalarExpr::constant(Datum::Int64(3), SqlType::INT8),
            offset: None,
        };
        let out = "Output: a, b, name, n, big, v, d, flag";
        assert_eq!(
            verbose(&plan),
            lines(&format!(
                "Limit\n  {out}\n  ->  Sort\n        {out}\n        Sort Key: t.a\n        ->  Seq Scan on public.t\n              {out}"
            ))
        );
    }

    #[test]
    fn values_and_result() {
        let mut ids = Ids(0);
        // VALUES (1, 'a'), (2, 'b')
        let (c1, c2) = (ids.col("column1", SqlType::INT4), ids.col("column2", SqlType::TEXT));
        let values = PhysicalPlan::Values { columns: vec![c1.clone(), c2.clone()], rows: vec![vec![int(1), text("a")], vec![int(2), text("b")]] };
        assert_eq!(explain(&values), lines("Values Scan on \"*VALUES*\""));
        assert_eq!(verbose(&values), lines("Values Scan on \"*VALUES*\"\n  Output: column1, column2"));
        // SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(x, y) WHERE x > 1
        let plan = PhysicalPlan::Filter { input: Box::new(values), predicate: op(">", ScalarExpr::column(c1.id, c1.ty), int(1)) };
        assert_eq!(explain(&plan), lines("Values Scan on \"*VALUES*\"\n  Filter: (column1 > 1)"));
        // SELECT 1, 'x'
        let one_row = PhysicalPlan::Values { columns: vec![], rows: vec![vec![]] };
        let plan = PhysicalPlan::Project {
            input: Box::new(one_row.clone()),
            items: vec![(ids.col("?column?", SqlType::INT4), int(1)), (ids.col("?column?", SqlType::TEXT), text("x"))],
        };
        assert_eq!(explain(&plan), lines("Result"));
        assert_eq!(verbose(&plan), lines("Result\n  Output: 1, 'x'::text"));
        // SELECT * FROM t WHERE false
        let t = scan(&mut ids, "t", "t");
        assert_eq!(explain(&t.clone_filtered(ScalarExpr::bool(false))), lines("Result\n  One-Time Filter: false"));
    }

    #[test]
    fn function_scan() {
        // SELECT * FROM generate_series(1, 10) g WHERE g > 5
        let mut ids = Ids(0);
        let g = ids.col("g", SqlType::INT4);
        let func = func_ref("generate_series", None, &[&int(1), &int(10)], SqlType::INT4);
        let scan = PhysicalPlan::FunctionScan {
            calls: vec![SrfCall { func: func.clone(), args: vec![int(1), int(10)], columns: vec![g.clone()] }],
            ordinality: None,
        };
        let plan = PhysicalPlan::Filter { input: Box::new(scan), predicate: op(">", ScalarExpr::column(g.id, g.ty), int(5)) };
        assert_eq!(explain(&plan), lines("Function Scan on generate_series g\n  Filter: (g > 5)"));
        // EXPLAIN VERBOSE SELECT * FROM generate_series(1,3) g
        let scan = PhysicalPlan::FunctionScan { calls: vec![SrfCall { func, args: vec![int(1), int(3)], columns: vec![g] }], ordinality: None };
        assert_eq!(verbose(&scan), lines("Function Scan on pg_catalog.generate_series g\n  Output: g\n  Function Call: generate_series(1, 3)"));
    }

    #[test]
    fn verbose_scan_output_and_qualified_filter() {
        // EXPLAIN VERBOSE SELECT a, b + 1 FROM t WHERE a > 1
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let items = vec![(ids.col("a", SqlType::INT4), t.c("a")), (ids.col("?column?", SqlType::INT4), op("+", t.c("b"), int(1)))];
        let plan = PhysicalPlan::Project { input: Box::new(t.clone_filtered(op(">", t.c("a"), int(1)))), items };
        assert_eq!(verbose(&plan), lines("Seq Scan on public.t\n  Output: a, (b + 1)\n  Filter: (t.a > 1)"));
    }

    /// `(SELECT max(a) FROM u [WHERE u.b = outer])` as the binder leaves it: a logical plan.
    fn max_of_u(ids: &mut Ids, outer: Option<&ScalarExpr>) -> ScalarExpr {
        let u = scan(ids, "u", "u");
        let input = match outer {
            Some(o) => LogicalPlan::Filter { input: Box::new(u.logical()), predicate: op("=", u.c("b"), o.clone()) },
            None => u.logical(),
        };
        let m = ids.col("max", SqlType::INT4);
        let plan =
            LogicalPlan::Aggregate { input: Box::new(input), group_by: vec![], aggs: vec![(m.clone(), agg("max", vec![u.c("a")], SqlType::INT4))] };
        ScalarExpr::Subquery(Box::new(SubqueryExpr {
            kind: SubqueryKind::Scalar,
            plan: Box::new(plan),
            test: None,
            output: vec![m.id],
            ty: SqlType::INT4,
        }))
    }

    #[test]
    fn init_plan_and_correlated_sub_plan() {
        // SELECT * FROM t WHERE a > (SELECT max(a) FROM u) ORDER BY b
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let f = op(">", t.c("a"), max_of_u(&mut ids, None));
        let plan = PhysicalPlan::Sort { input: Box::new(t.clone_filtered(f)), keys: vec![SortKey::new(t.c("b"), false, None)] };
        assert_eq!(
            explain(&plan),
            lines(
                "Sort
  Sort Key: t.b
  InitPlan 1 (returns $0)
    ->  Aggregate
          ->  Seq Scan on u
  ->  Seq Scan on t
        Filter: (a > $0)"
            )
        );

        // SELECT * FROM t WHERE a > (SELECT max(a) FROM u WHERE u.b = t.b)
        let t = scan(&mut ids, "t", "t");
        let f = op(">", t.c("a"), max_of_u(&mut ids, Some(&t.c("b"))));
        assert_eq!(
            explain(&t.clone_filtered(f)),
            lines(
                "Seq Scan on t
  Filter: (a > (SubPlan 1))
  SubPlan 1
    ->  Aggregate
          ->  Seq Scan on u
                Filter: (b = t.b)"
            )
        );
    }

    #[test]
    fn set_operations() {
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let u = scan(&mut ids, "u", "u");
        let project = |r: &Rel, ids: &mut Ids| {
            let c = ids.col("a", SqlType::INT4);
            PhysicalPlan::Project { input: Box::new(r.plan.clone()), items: vec![(c, r.c("a"))] }
        };
        // SELECT a FROM t EXCEPT SELECT a FROM u
        let (l, r) = (project(&t, &mut ids), project(&u, &mut ids));
        let plan = PhysicalPlan::HashSetOp {
            op: SetOpKind::Except,
            all: false,
            left: Box::new(l.clone()),
            right: Box::new(r.clone()),
            columns: vec![ids.col("a", SqlType::INT4)],
        };
        assert_eq!(
            explain(&plan),
            lines(
                "HashSetOp Except
  ->  Append
        ->  Subquery Scan on \"*SELECT* 1\"
              ->  Seq Scan on t
        ->  Subquery Scan on \"*SELECT* 2\"
              ->  Seq Scan on u"
            )
        );
        // SELECT a FROM t UNION SELECT a FROM u
        let plan = PhysicalPlan::HashSetOp {
            op: SetOpKind::Union,
            all: false,
            left: Box::new(l.clone()),
            right: Box::new(r.clone()),
            columns: vec![ids.col("a", SqlType::INT4)],
        };
        assert_eq!(explain(&plan), lines("HashAggregate\n  Group Key: t.a\n  ->  Append\n        ->  Seq Scan on t\n        ->  Seq Scan on u"));
        // SELECT a FROM t UNION ALL SELECT a FROM u
        let plan = PhysicalPlan::Append { inputs: vec![l, r], columns: vec![ids.col("a", SqlType::INT4)] };
        assert_eq!(explain(&plan), lines("Append\n  ->  Seq Scan on t\n  ->  Seq Scan on u"));
        // SELECT DISTINCT b FROM t
        let plan = PhysicalPlan::Distinct {
            input: Box::new(PhysicalPlan::Project { input: Box::new(t.plan.clone()), items: vec![(ids.col("b", SqlType::INT4), t.c("b"))] }),
            on: vec![],
        };
        assert_eq!(explain(&plan), lines("HashAggregate\n  Group Key: b\n  ->  Seq Scan on t"));
    }

    #[test]
    fn modifications() {
        // DELETE FROM t x WHERE a = 5
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "x");
        let table = relation(16384, "t", &T_COLS);
        let plan = PhysicalPlan::Delete {
            table: table.clone(),
            input: Box::new(t.clone_filtered(op("=", t.c("a"), int(5)))),
            ctid: ColumnId(999),
            old_values: vec![],
            returning: vec![],
        };
        assert_eq!(explain(&plan), lines("Delete on t x\n  ->  Seq Scan on t x\n        Filter: (a = 5)"));
        // INSERT INTO t (a, b) VALUES (1, 2)
        let values = PhysicalPlan::Values { columns: vec![], rows: vec![vec![]] };
        let items = vec![(ids.col("a", SqlType::INT4), int(1)), (ids.col("b", SqlType::INT4), int(2))];
        let a = items[0].0.clone();
        let plan = PhysicalPlan::Insert {
            table: table.clone(),
            input: Box::new(PhysicalPlan::Project { input: Box::new(values.clone()), items: items.clone() }),
            target_attnums: vec![1, 2],
            returning: vec![],
            on_conflict: None,
        };
        assert_eq!(explain(&plan), lines("Insert on t\n  ->  Result"));
        // EXPLAIN VERBOSE INSERT INTO t (a, b) VALUES (1, 2) RETURNING a   (we only insert the listed columns)
        let plan = PhysicalPlan::Insert {
            table,
            input: Box::new(PhysicalPlan::Project { input: Box::new(values), items }),
            target_attnums: vec![1, 2],
            returning: vec![(ids.col("a", SqlType::INT4), ScalarExpr::column(a.id, a.ty))],
            on_conflict: None,
        };
        assert_eq!(verbose(&plan), lines("Insert on public.t\n  Output: t.a\n  ->  Result\n        Output: 1, 2"));
    }

    #[test]
    fn costs_are_appended_with_two_spaces() {
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let out = explain_with(&t.plan, true, false);
        assert_eq!(out.len(), 1);
        assert!(out[0].starts_with("Seq Scan on t  (cost=0.00.."), "{out:?}");
        assert!(out[0].ends_with(" rows=1000 width=95)"), "{out:?}");
    }

    #[test]
    fn malformed_plans_do_not_panic() {
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        // A dangling column, a self-referencing projection, an empty VALUES, an odd constant.
        let dangling = op(">", ScalarExpr::column(ColumnId(12345), SqlType::INT4), ScalarExpr::constant(Datum::Text("x".into()), SqlType::INT4));
        let loop_col = ids.col("loop", SqlType::INT4);
        let plan = PhysicalPlan::Project {
            input: Box::new(PhysicalPlan::Filter { input: Box::new(t.plan.clone()), predicate: dangling }),
            items: vec![(loop_col.clone(), ScalarExpr::column(loop_col.id, loop_col.ty))],
        };
        let out = explain_with(&plan, true, true);
        assert!(out.iter().any(|l| l == "  Filter: (?column? > x)"), "{out:?}");
        let empty = PhysicalPlan::Values { columns: vec![ids.col("x", SqlType::INT4)], rows: vec![] };
        assert_eq!(explain(&empty), lines("Result\n  One-Time Filter: false"));
        let weird = PhysicalPlan::Sort { input: Box::new(PhysicalPlan::Append { inputs: vec![], columns: vec![] }), keys: vec![] };
        assert_eq!(explain(&weird), lines("Sort\n  ->  Append"));
    }

    #[test]
    fn one_time_filter_above_scan() {
        // SELECT * FROM t WHERE now() > '2000-01-01' AND a > 1   (PostgreSQL's date differs, the shape does not)
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let now = Arc::new(FuncRef { volatility: Volatility::Stable, ..(*func_ref("now", None, &[], SqlType::TIMESTAMPTZ)).clone() });
        let f = ScalarExpr::And(vec![
            op(">", ScalarExpr::Func { func: now, args: vec![] }, ScalarExpr::constant(Datum::Int64(0), SqlType::TIMESTAMPTZ)),
            op(">", t.c("a"), int(1)),
        ]);
        assert_eq!(
            explain(&t.clone_filtered(f)),
            lines(
                "Result\n  One-Time Filter: (now() > '2000-01-01 00:00:00+00'::timestamp with time zone)\n  ->  Seq Scan on t\n        Filter: (a > 1)"
            )
        );
    }

    #[test]
    fn verbose_hash_join_outputs() {
        // EXPLAIN VERBOSE SELECT t.a, u.c FROM t JOIN u ON t.a = u.a   (PostgreSQL also prunes scan outputs to used columns)
        let mut ids = Ids(0);
        let t = scan(&mut ids, "t", "t");
        let u = scan(&mut ids, "u", "u");
        let join = hash_join(JoinKind::Inner, t.plan.clone(), u.plan.clone(), vec![(t.c("a"), u.c("a"))], None);
        let plan = PhysicalPlan::Project {
            input: Box::new(join),
            items: vec![(ids.col("a", SqlType::INT4), t.c("a")), (ids.col("c", SqlType::TEXT), u.c("c"))],
        };
        assert_eq!(
            verbose(&plan),
            lines(
                "Hash Join
  Output: t.a, u.c
  Hash Cond: (t.a = u.a)
  ->  Seq Scan on public.t
        Output: t.a, t.b, t.name, t.n, t.big, t.v, t.d, t.flag
  ->  Hash
        Output: u.a, u.b, u.c
        ->  Seq Scan on public.u
              Output: u.a, u.b, u.c"
            )
        );
    }

    #[test]
    fn recursive_union_and_update() {
        // WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r WHERE n < 10) SELECT * FROM r
        // PostgreSQL wraps this in "CTE Scan on r" / "CTE r" and names the work table "r r_1".
        let mut ids = Ids(0);
        let n0 = ids.col("n", SqlType::INT4);
        let base = PhysicalPlan::Project { input: Box::new(PhysicalPlan::Values { columns: vec![], rows: vec![vec![]] }), items: vec![(n0, int(1))] };
        let wn = ids.col("n", SqlType::INT4);
        let n = ScalarExpr::column(wn.id, wn.ty);
        let work = PhysicalPlan::Filter {
            input: Box::new(PhysicalPlan::WorkTableScan { id: 1, columns: vec![wn.clone()] }),
            predicate: op("<", n.clone(), int(10)),
        };
        let recursive = PhysicalPlan::Project { input: Box::new(work), items: vec![(ids.col("?column?", SqlType::INT4), op("+", n, int(1)))] };
        let plan = PhysicalPlan::RecursiveUnion {
            id: 1,
            all: true,
            base: Box::new(base),
            recursive: Box::new(recursive),
            columns: vec![ids.col("n", SqlType::INT4)],
        };
        assert_eq!(explain(&plan), lines("Recursive Union\n  ->  Result\n  ->  WorkTable Scan on worktable\n        Filter: (n < 10)"));

        // EXPLAIN VERBOSE UPDATE t SET b = b + 1 WHERE a = 5 RETURNING b   (PostgreSQL's scan also outputs ctid)
        let t = scan(&mut ids, "t", "t");
        let ctid = ids.col("ctid", SqlType::new(oid::TID));
        let b = ids.col("b", SqlType::INT4);
        let plan = PhysicalPlan::Update {
            table: relation(16384, "t", &T_COLS),
            input: Box::new(PhysicalPlan::Project {
                input: Box::new(t.clone_filtered(op("=", t.c("a"), int(5)))),
                items: vec![(b.clone(), op("+", t.c("b"), int(1)))],
            }),
            ctid: ctid.id,
            values: vec![b.id],
            assigned: vec![2],
            returning: vec![(ids.col("b", SqlType::INT4), ScalarExpr::column(b.id, b.ty))],
        };
        assert_eq!(
            verbose(&plan),
            lines("Update on public.t\n  Output: t.b\n  ->  Seq Scan on public.t\n        Output: (b + 1)\n        Filter: (t.a = 5)")
        );
    }
}
