//! Index keys: plain columns, expressions and partial-index predicates.
//!
//! pg_index.indexprs and pg_index.indpred hold nodeToString() trees in
//! PostgreSQL. We keep SQL text there instead (see `catalog::split_expr_list`
//! for the list format), deparsed from the statement's AST, and bind it again
//! over the table's columns wherever keys are computed — the way CHECK
//! constraints are kept in pg_constraint.conbin. The text is bound once at
//! CREATE INDEX (with the statement's positions, for errors) and once more
//! from the stored form, so the index is built with exactly what later
//! INSERTs and UPDATEs evaluate.

use std::sync::Arc;

use oa_frontend::Catalog;
use oa_grammar::ast::{self, ExprKind as A};
use oa_ir::catalog::{IndexDesc, RelationDesc};
use oa_ir::datum::Datum;
use oa_ir::expr::{CastMethod, ColumnId, ScalarExpr, Volatility};
use oa_ir::io::IoContext;
use oa_ir::types::{Oid, SqlType, oid};
use oa_ir::{Error, Result, SqlState};

use super::Ddl;
use crate::catalog::CatalogView;
use crate::exec::eval::{Expr, SubqueryCatalog, compile, physical_of};
use crate::exec::vector::{Column, Morsel};
use crate::exec::{ExecEnv, Executor, truthy};

/// How one index computes its key from a table row: plain columns are read,
/// expressions evaluated, and a partial index's predicate decides whether the
/// row has an entry at all.
#[derive(Clone)]
pub(crate) struct IndexKeys {
    parts: Vec<KeyPart>,
    predicate: Option<Expr>,
    /// Table attnums the key and the predicate read: an updated row whose
    /// values there are unchanged keeps its key (the expressions are immutable).
    reads: Vec<i16>,
}

#[derive(Clone)]
enum KeyPart {
    /// A table column, by position among the live columns.
    Column(usize),
    Expr(Expr),
}

/// The layout of a table's row as the key expressions see it: live columns as ColumnId(attnum).
fn live_layout(table: &RelationDesc) -> Vec<ColumnId> {
    table.live_columns().map(|c| ColumnId(c.attnum as u32)).collect()
}

/// Binds stored index text over the table's columns. Its errors carry no
/// position: the text is not the statement's.
fn bind_stored(sql: &str, table: &RelationDesc, catalog: &dyn Catalog, ctx: &oa_frontend::BindContext) -> Result<ScalarExpr> {
    oa_frontend::bind_table_expr(sql, table, catalog, ctx).map_err(|mut e| {
        e.position = None;
        e
    })
}

fn missing_expression(index: &IndexDesc) -> Error {
    Error::internal(format!("index \"{}\" lacks the expression of a key column", index.name))
}

impl IndexKeys {
    pub(crate) fn compile(
        table: &RelationDesc,
        index: &IndexDesc,
        catalog: &CatalogView,
        io: &IoContext,
        subs: &mut dyn SubqueryCatalog,
    ) -> Result<IndexKeys> {
        let layout = live_layout(table);
        let ctx = oa_frontend::BindContext { io: io.clone(), param_types: vec![] };
        let mut exprs = index.exprs.iter();
        let mut parts = Vec::with_capacity(index.columns.len());
        let mut reads = Vec::new();
        for a in &index.columns {
            if *a == 0 {
                let sql = exprs.next().ok_or_else(|| missing_expression(index))?;
                let bound = bind_stored(sql, table, catalog, &ctx)?;
                reads.extend(bound.columns().iter().map(|c| c.0 as i16));
                parts.push(KeyPart::Expr(compile(&bound, &layout, subs)?));
            } else {
                let pos = layout
                    .iter()
                    .position(|c| c.0 == *a as u32)
                    .ok_or_else(|| Error::internal(format!("index \"{}\" uses a dropped column", index.name)))?;
                reads.push(*a);
                parts.push(KeyPart::Column(pos));
            }
        }
        let predicate = match &index.predicate {
            Some(sql) => {
                let bound = bind_stored(sql, table, catalog, &ctx)?;
                reads.extend(bound.columns().iter().map(|c| c.0 as i16));
                Some(compile(&bound, &layout, subs)?)
            }
            None => None,
        };
        reads.sort();
        reads.dedup();
        Ok(IndexKeys { parts, predicate, reads })
    }

    /// The key computations of every index of `table`, in `table.indexes` order.
    pub(crate) fn for_table(table: &RelationDesc, catalog: &CatalogView, io: &IoContext, subs: &mut dyn SubqueryCatalog) -> Result<Vec<IndexKeys>> {
        table.indexes.iter().map(|ix| IndexKeys::compile(table, ix, catalog, io, subs)).collect()
    }

    /// The key of each row of `rows` (the table's live columns in attnum
    /// order); None for the rows a partial index leaves out.
    pub(crate) fn keys(&self, rows: &Morsel, exec: &mut Executor, env: &mut ExecEnv) -> Result<Vec<Option<Vec<Datum>>>> {
        let keep = match &self.predicate {
            Some(p) => {
                let res = exec.with_ctx(env, |ctx| p.eval(rows, ctx))?;
                Some(truthy(&res))
            }
            None => None,
        };
        let mut computed: Vec<Option<Column>> = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            computed.push(match part {
                KeyPart::Column(_) => None,
                KeyPart::Expr(e) => Some(exec.with_ctx(env, |ctx| e.eval(rows, ctx))?),
            });
        }
        let mut out = Vec::with_capacity(rows.len);
        for i in 0..rows.len {
            if keep.as_ref().is_some_and(|k| !k.get(i).copied().unwrap_or(false)) {
                out.push(None);
                continue;
            }
            let key = self
                .parts
                .iter()
                .zip(&computed)
                .map(|(part, col)| match (part, col) {
                    (_, Some(c)) => c.datum(i),
                    (KeyPart::Column(pos), None) => rows.columns.get(*pos).map_or(Datum::Null, |c| c.datum(i)),
                    (KeyPart::Expr(_), None) => Datum::Null,
                })
                .collect();
            out.push(Some(key));
        }
        Ok(out)
    }

    /// Whether an update from `old` to `new` (full rows) leaves the index entry as it was.
    pub(crate) fn unchanged(&self, old: &[Datum], new: &[Datum]) -> bool {
        self.reads.iter().all(|a| old.get((*a - 1) as usize) == new.get((*a - 1) as usize))
    }
}

/// Index key expressions cannot contain subqueries: the compiler is never asked for one.
pub(crate) struct NoSubqueries;

impl SubqueryCatalog for NoSubqueries {
    fn add_subquery(&mut self, _: &oa_ir::expr::SubqueryExpr) -> Result<usize> {
        Err(Error::feature_not_supported("cannot use subquery in index expression"))
    }
}

/// A morsel of the live columns (in attnum order) of full table rows.
pub(crate) fn live_morsel(table: &RelationDesc, rows: &[Vec<Datum>]) -> Morsel {
    let columns = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.dropped)
        .map(|(i, c)| {
            let mut col = Column::empty(physical_of(c.ty), rows.len());
            for r in rows {
                col.push_datum(r.get(i).unwrap_or(&Datum::Null));
            }
            col
        })
        .collect();
    Morsel::new(columns, rows.len())
}

/// The key columns of an index as PostgreSQL names them in messages
/// (pg_get_indexdef_columns): a column's name, or the expression as ruleutils
/// prints it, parenthesized unless it looks like a function call; with each
/// column's type.
pub(crate) fn index_columns(table: &RelationDesc, index: &IndexDesc, catalog: &CatalogView, io: &IoContext) -> Result<Vec<(String, SqlType)>> {
    let ctx = oa_frontend::BindContext { io: io.clone(), param_types: vec![] };
    let mut exprs = index.exprs.iter();
    let mut out = Vec::with_capacity(index.columns.len());
    for a in &index.columns {
        if *a != 0 {
            let col = table.column_by_attnum(*a);
            out.push((col.map(|c| c.name.clone()).unwrap_or_default(), col.map_or(SqlType::TEXT, |c| c.ty)));
            continue;
        }
        let sql = exprs.next().ok_or_else(|| missing_expression(index))?;
        let bound = bind_stored(sql, table, catalog, &ctx)?;
        out.push((index_expr_text(table, &bound, io), bound.ty()));
    }
    Ok(out)
}

/// An index expression as BuildIndexValueDescription shows it. EXPLAIN's
/// printer is PostgreSQL's ruleutils without pretty-printing; the pretty
/// form also drops the parentheses around a cast column (`b::text`).
pub(crate) fn index_expr_text(table: &RelationDesc, e: &ScalarExpr, io: &IoContext) -> String {
    let text = unparenthesize_cast_columns(&ruleutils_text(table, e, io));
    // looks_like_function: calls in function syntax go bare, everything else in parentheses.
    let function_like = match e {
        ScalarExpr::Func { func, .. } => func.operator.is_none(),
        ScalarExpr::Coalesce { .. } | ScalarExpr::NullIf { .. } | ScalarExpr::MinMax { .. } | ScalarExpr::SqlValue { .. } => true,
        _ => false,
    };
    if function_like || wholly_parenthesized(&text) { text } else { format!("({text})") }
}

/// An expression over `table` as ruleutils prints it without pretty-printing
/// (pg_get_expr, pg_get_indexdef): EXPLAIN's printer, which is that.
fn ruleutils_text(table: &RelationDesc, e: &ScalarExpr, io: &IoContext) -> String {
    let columns = table
        .live_columns()
        .map(|c| oa_ir::plan::ScanColumn { id: ColumnId(c.attnum as u32), attnum: c.attnum, ty: c.ty, name: c.name.clone() })
        .collect();
    // As `e IS TRUE`: a filter EXPLAIN neither splits at ANDs nor prints with implicit casts at the top.
    let filter = ScalarExpr::BoolTest { arg: Box::new(e.clone()), kind: oa_ir::expr::BoolTestKind::IsTrue };
    let plan = oa_ir::physical::PhysicalPlan::SeqScan { table: Arc::new(table.clone()), alias: table.name.clone(), columns, filter: Some(filter) };
    let lines = oa_ir::explain::explain_text(&plan, &oa_ir::explain::ExplainOptions { costs: false, verbose: false }, io);
    lines
        .iter()
        .find_map(|l| {
            let l = l.trim_start();
            let qual = l.strip_prefix("Filter: ").or_else(|| l.strip_prefix("One-Time Filter: "))?;
            qual.strip_prefix('(')?.strip_suffix(" IS TRUE)")
        })
        .unwrap_or("?")
        .to_string()
}

/// The text ALTER COLUMN TYPE rebuilds an index expression from: PostgreSQL
/// re-parses pg_get_indexdef's output taken before the type changes, which
/// spells out implicit casts (`lower((b)::text)`). That is ruleutils' form of
/// the expression over `table` as it is, used when it binds back to the same
/// expression; otherwise the stored text is kept.
pub(crate) fn rebuild_text(d: &Ddl, table: &RelationDesc, sql: &str) -> Result<String> {
    let bound = bind_stored(sql, table, &*d.catalog, &d.ctx)?;
    let printed = ruleutils_text(table, &bound, &d.ctx.io);
    // Spelled-out casts are explicit once parsed again; what they compute is the same.
    let implicit = |e: ScalarExpr| {
        e.rewrite(&mut |n| match n {
            ScalarExpr::Cast { arg, ty, method, .. } => ScalarExpr::Cast { arg, ty, method, explicit: false },
            other => other,
        })
    };
    let same = oa_frontend::bind_table_expr(&printed, table, &*d.catalog, &d.ctx).is_ok_and(|again| implicit(again) == implicit(bound));
    Ok(if same { printed } else { sql.to_string() })
}

/// Whether `s` is one parenthesized group (`(a + b)`, not `(a) + (b)`).
fn wholly_parenthesized(s: &str) -> bool {
    if !s.starts_with('(') || !s.ends_with(')') {
        return false;
    }
    let mut depth = 0i32;
    let mut quoted = false;
    for (i, ch) in s.char_indices() {
        match ch {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth == 0 && i + 1 < s.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// `(b)::text` → `b::text` outside string literals, as ruleutils' pretty mode prints a cast column.
fn unparenthesize_cast_columns(s: &str) -> String {
    let b = s.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80;
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut quoted = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\'' {
            quoted = !quoted;
        }
        if !quoted && c == b'(' && (i == 0 || !ident(b[i - 1])) && i + 1 < b.len() {
            // An identifier (or a quoted one) and `)::`.
            let mut j = i + 1;
            if b[j] == b'"' {
                j += 1;
                while j < b.len() && b[j] != b'"' {
                    j += 1;
                }
                j += 1;
            } else if !b[j].is_ascii_digit() {
                while j < b.len() && ident(b[j]) {
                    j += 1;
                }
            }
            if j > i + 1 && j <= b.len() && s.is_char_boundary(j) && s[j..].starts_with(")::") {
                out.push_str(&s[i + 1..j]);
                i = j + 1;
                continue;
            }
        }
        let ch = s[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

// ---------------------------------------------------------------- CREATE INDEX

/// Where an expression of CREATE INDEX sits (EXPR_KIND_INDEX_EXPRESSION / _PREDICATE).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum IndexExprKind {
    Expression,
    Predicate,
}

impl IndexExprKind {
    fn plural(self) -> &'static str {
        match self {
            IndexExprKind::Expression => "index expressions",
            IndexExprKind::Predicate => "index predicates",
        }
    }

    fn singular(self) -> &'static str {
        match self {
            IndexExprKind::Expression => "index expression",
            IndexExprKind::Predicate => "index predicate",
        }
    }
}

/// An index expression or predicate after parse analysis: the bound tree and
/// the SQL text stored in pg_index (which binds to the same tree).
pub(crate) struct BoundIndexExpr {
    pub bound: ScalarExpr,
    pub text: String,
}

/// transformExpr for an index expression or predicate over `table`, with
/// PostgreSQL's errors for what cannot appear there.
pub(crate) fn bind_index_expr(d: &Ddl, table: &RelationDesc, e: &ast::Expr, kind: IndexExprKind) -> Result<BoundIndexExpr> {
    if let Some(loc) = find_sublink(e) {
        return Err(Error::feature_not_supported(format!("cannot use subquery in {}", kind.singular())).with_position(loc));
    }
    let bound = oa_frontend::bind_table_ast(e, table, &*d.catalog, &d.ctx).map_err(|mut err| {
        // The binder names no context for a table expression; PostgreSQL names the index's.
        for what in ["aggregate functions", "set-returning functions", "window functions"] {
            if err.message == format!("{what} are not allowed in this context") {
                err.message = format!("{what} are not allowed in {}", kind.plural());
            }
        }
        err
    })?;
    let mut text = oa_frontend::deparse_expr(e)?;
    if kind == IndexExprKind::Predicate && bound.ty().oid != oid::BOOL {
        // transformWhereClause: coerce_to_boolean.
        if bound.ty().oid != oid::UNKNOWN {
            return Err(Error::new(
                SqlState::DATATYPE_MISMATCH,
                format!("argument of WHERE must be type boolean, not type {}", crate::session::format_type(&d.catalog, bound.ty())),
            )
            .with_position(e.loc));
        }
        text = format!("CAST({text} AS boolean)");
    }
    // What later statements bind: the stored text.
    let stored = oa_frontend::bind_table_expr(&text, table, &*d.catalog, &d.ctx)?;
    Ok(BoundIndexExpr { bound: stored, text })
}

/// The position of the first subquery in an expression.
fn find_sublink(e: &ast::Expr) -> Option<usize> {
    let mut children: Vec<&ast::Expr> = Vec::new();
    match &e.kind {
        A::SubLink { .. } => return Some(e.loc),
        A::ColumnRef(_) | A::Param(_) | A::Literal(_) | A::TypedLiteral { .. } | A::SqlValue { .. } | A::Default | A::CurrentOf(_) => {}
        A::Indirection { base, path } => {
            children.push(base);
            for p in path {
                if let ast::Indirection::Subscript { lower, upper, .. } = p {
                    children.extend(lower.as_deref());
                    children.extend(upper.as_deref());
                }
            }
        }
        A::BinaryOp { left, right, .. }
        | A::IsDistinctFrom { left, right, .. }
        | A::AnyAll { left, right, .. }
        | A::NullIf(left, right)
        | A::AtTimeZone { arg: left, zone: right } => {
            children.push(left);
            children.push(right);
        }
        A::UnaryOp { arg, .. }
        | A::IsNull { arg, .. }
        | A::IsBool { arg, .. }
        | A::IsNormalized { arg, .. }
        | A::IsDocument { arg, .. }
        | A::Cast { arg, .. }
        | A::Collate { arg, .. } => children.push(arg),
        A::Bool { args, .. } | A::Coalesce(args) | A::MinMax { args, .. } | A::Row { args, .. } | A::Array(args) | A::Grouping(args) => {
            children.extend(args.iter())
        }
        A::Between { arg, low, high, .. } => children.extend([arg.as_ref(), low.as_ref(), high.as_ref()]),
        A::InList { arg, list, .. } => {
            children.push(arg);
            children.extend(list.iter());
        }
        A::Like { arg, pattern, escape, .. } => {
            children.push(arg);
            children.push(pattern);
            children.extend(escape.as_deref());
        }
        A::Case { arg, whens, default } => {
            children.extend(arg.as_deref());
            for (w, t) in whens {
                children.push(w);
                children.push(t);
            }
            children.extend(default.as_deref());
        }
        A::Func(call) => {
            children.extend(call.args.iter().map(|a| &a.value));
            children.extend(call.filter.as_deref());
            children.extend(call.order_by.iter().map(|s| &s.expr));
        }
    }
    children.into_iter().find_map(find_sublink)
}

/// contain_mutable_functions: whether evaluating `e` calls anything not IMMUTABLE.
pub(crate) fn is_mutable(e: &ScalarExpr, catalog: &CatalogView) -> bool {
    let proc_mutable = |p: Oid| catalog.proc(p).is_none_or(|p| Volatility::from_char(p.volatility) != Volatility::Immutable);
    let io_mutable = |from: Oid, to: Oid| {
        let out = catalog.type_by_oid(from).map(|t| t.output);
        let input = catalog.type_by_oid(to).map(|t| t.input);
        out.is_none_or(proc_mutable) || input.is_none_or(proc_mutable)
    };
    fn cast_mutable(method: &CastMethod, from: Oid, to: Oid, catalog: &CatalogView, io_mutable: &dyn Fn(Oid, Oid) -> bool) -> bool {
        match method {
            CastMethod::Relabel => false,
            CastMethod::Function(f) => f.volatility != Volatility::Immutable,
            CastMethod::InOut => io_mutable(from, to),
            CastMethod::ArrayElements(inner) => {
                let elem = |t: Oid| catalog.type_by_oid(t).map_or(t, |d| if d.elem != 0 { d.elem } else { t });
                cast_mutable(inner, elem(from), elem(to), catalog, io_mutable)
            }
        }
    }
    let mut mutable = false;
    e.walk(&mut |n| {
        mutable |= match n {
            ScalarExpr::Func { func, .. } => func.volatility != Volatility::Immutable,
            ScalarExpr::Cast { arg, ty, method, .. } => cast_mutable(method, arg.ty().oid, ty.oid, catalog, &io_mutable),
            ScalarExpr::DistinctFrom { eq: f, .. }
            | ScalarExpr::NullIf { eq: f, .. }
            | ScalarExpr::MinMax { cmp: f, .. }
            | ScalarExpr::ArrayOp { op: f, .. } => f.volatility != Volatility::Immutable,
            ScalarExpr::SqlValue { .. } | ScalarExpr::Subquery(_) | ScalarExpr::Param { .. } => true,
            _ => false,
        }
    });
    mutable
}

/// FigureIndexColname: an expression column's preliminary name (None: "expr").
pub(crate) fn figure_index_colname(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        A::ColumnRef(f) => match f.last() {
            Some(ast::ColumnField::Name(n)) => Some(n.clone()),
            _ => None,
        },
        A::Indirection { base, path } => match path.last() {
            Some(ast::Indirection::Field(n)) => Some(n.clone()),
            _ => figure_index_colname(base),
        },
        A::Func(call) => call.name.last().cloned(),
        A::Cast { arg, type_name } => figure_index_colname(arg).or_else(|| type_name.names.last().cloned()),
        A::TypedLiteral { type_name, .. } => type_name.names.last().cloned(),
        A::Collate { arg, .. } => figure_index_colname(arg),
        A::Case { default, .. } => default.as_ref().and_then(|d| figure_index_colname(d)).or(Some("case".into())),
        A::Coalesce(_) => Some("coalesce".into()),
        A::NullIf(..) => Some("nullif".into()),
        A::MinMax { op, .. } => Some(
            match op {
                ast::MinMax::Greatest => "greatest",
                ast::MinMax::Least => "least",
            }
            .into(),
        ),
        A::Array(_) => Some("array".into()),
        A::Row { .. } => Some("row".into()),
        A::SqlValue { func, .. } => Some(
            match func {
                ast::SqlValueFunction::CurrentDate => "current_date",
                ast::SqlValueFunction::CurrentTime => "current_time",
                ast::SqlValueFunction::CurrentTimestamp => "current_timestamp",
                ast::SqlValueFunction::LocalTime => "localtime",
                ast::SqlValueFunction::LocalTimestamp => "localtimestamp",
                ast::SqlValueFunction::CurrentRole => "current_role",
                ast::SqlValueFunction::CurrentUser => "current_user",
                ast::SqlValueFunction::User => "user",
                ast::SqlValueFunction::SessionUser => "session_user",
                ast::SqlValueFunction::CurrentCatalog => "current_catalog",
                ast::SqlValueFunction::CurrentSchema => "current_schema",
            }
            .into(),
        ),
        _ => None,
    }
}

/// ChooseIndexColumnNames: later duplicates get a number appended (`lower`, `lower1`).
pub(crate) fn choose_index_column_names(prelim: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(prelim.len());
    for orig in prelim {
        let mut name = orig.clone();
        let mut i = 1;
        while out.contains(&name) {
            let suffix = i.to_string();
            let mut cut = orig.len().min(63 - suffix.len());
            while !orig.is_char_boundary(cut) {
                cut -= 1;
            }
            name = format!("{}{suffix}", &orig[..cut]);
            i += 1;
        }
        out.push(name);
    }
    out
}

/// Indexes of `rel` that a column's removal takes with it: those with the
/// column in their key, their expressions or their predicate.
pub(crate) fn indexes_using_column(d: &Ddl, rel: &RelationDesc, attnum: i16) -> Vec<IndexDesc> {
    rel.indexes
        .iter()
        .filter(|idx| {
            if idx.columns.contains(&attnum) {
                return true;
            }
            let mut texts: Vec<&String> = idx.exprs.iter().collect();
            texts.extend(idx.predicate.as_ref());
            texts.iter().any(|t| {
                // An expression that no longer binds is of no use without the column either.
                oa_frontend::bind_table_expr(t, rel, &*d.catalog, &d.ctx).map_or(true, |b| b.columns().contains(&ColumnId(attnum as u32)))
            })
        })
        .cloned()
        .collect()
}

/// The key column types of an index over `rel` as it is now: the predicate
/// and the expressions bound again, in transformIndexStmt's order.
pub(crate) fn key_types(d: &Ddl, rel: &RelationDesc, index: &IndexDesc) -> Result<Vec<SqlType>> {
    if let Some(p) = &index.predicate {
        bind_stored(p, rel, &*d.catalog, &d.ctx)?;
    }
    let mut exprs = index.exprs.iter();
    let mut out = Vec::with_capacity(index.columns.len());
    for a in &index.columns {
        if *a == 0 {
            let sql = exprs.next().ok_or_else(|| missing_expression(index))?;
            out.push(bind_stored(sql, rel, &*d.catalog, &d.ctx)?.ty());
        } else {
            out.push(rel.column_by_attnum(*a).map_or(SqlType::TEXT, |c| c.ty));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_columns_lose_their_parentheses_outside_literals() {
        assert_eq!(unparenthesize_cast_columns("lower((b)::text)"), "lower(b::text)");
        assert_eq!(unparenthesize_cast_columns("((b)::text || 'z'::text)"), "(b::text || 'z'::text)");
        assert_eq!(unparenthesize_cast_columns("(\"B c\")::text"), "\"B c\"::text");
        assert_eq!(unparenthesize_cast_columns("f(b)::text"), "f(b)::text");
        assert_eq!(unparenthesize_cast_columns("'(b)::text'"), "'(b)::text'");
        assert_eq!(unparenthesize_cast_columns("(1)::text"), "(1)::text");
        assert_eq!(unparenthesize_cast_columns("("), "(");
    }

    #[test]
    fn one_parenthesized_group() {
        assert!(wholly_parenthesized("(a + b)"));
        assert!(wholly_parenthesized("((a + b) * 2)"));
        assert!(!wholly_parenthesized("(a) + (b)"));
        assert!(!wholly_parenthesized("lower(b)"));
        assert!(wholly_parenthesized("(a || ')')"));
    }

    #[test]
    fn index_column_names_are_numbered_when_repeated() {
        let names = |v: &[&str]| choose_index_column_names(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(names(&["expr", "lower", "lower", "expr", "lower"]), ["expr", "lower", "lower1", "expr1", "lower2"]);
        let long = "x".repeat(63);
        let out = names(&[&long, &long]);
        assert_eq!(out[1].len(), 63);
        assert!(out[1].ends_with('1'));
    }

    #[test]
    fn index_column_names_follow_figure_colname() {
        let name = |sql: &str| figure_index_colname(&oa_grammar::parse_expr(sql).unwrap());
        assert_eq!(name("lower(k)").as_deref(), Some("lower"));
        assert_eq!(name("a + b"), None);
        assert_eq!(name("a::text").as_deref(), Some("a"));
        assert_eq!(name("(a + 1)::text").as_deref(), Some("text"));
        assert_eq!(name("coalesce(a, 1)").as_deref(), Some("coalesce"));
        assert_eq!(name("CASE WHEN a THEN 1 END").as_deref(), Some("case"));
    }
}
