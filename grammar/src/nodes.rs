//! Node builders the grammar actions call, mirroring gram.y's helper
//! functions (makeAndExpr, insertSelectOptions, …) so actions stay one line.

use crate::SyntaxError;
use crate::ast::*;

pub type GResult<T> = Result<T, lalrpop_util::ParseError<usize, crate::lexer::Tok, SyntaxError>>;

pub fn user_error<T>(e: SyntaxError) -> GResult<T> {
    Err(lalrpop_util::ParseError::User { error: e })
}

pub fn op(name: &str) -> QualifiedName {
    vec![name.to_string()]
}

pub fn binary(name: &str, left: Expr, right: Expr, loc: usize) -> Expr {
    Expr::new(ExprKind::BinaryOp { op: op(name), left: Box::new(left), right: Box::new(right) }, loc)
}

pub fn qbinary(op: QualifiedName, left: Expr, right: Expr, loc: usize) -> Expr {
    Expr::new(ExprKind::BinaryOp { op, left: Box::new(left), right: Box::new(right) }, loc)
}

pub fn prefix(op: QualifiedName, arg: Expr, loc: usize) -> Expr {
    Expr::new(ExprKind::UnaryOp { op, arg: Box::new(arg) }, loc)
}

/// Unary minus folds into numeric literals, as gram.y's doNegate does, so
/// `-2147483648` is an int4 and `-1.5` a single constant.
pub fn negate(arg: Expr, loc: usize) -> Expr {
    match arg.kind {
        ExprKind::Literal(Literal::Integer(v)) if v != i32::MIN => {
            Expr::new(ExprKind::Literal(Literal::Integer(-v)), loc)
        }
        ExprKind::Literal(Literal::Numeric(ref s)) => {
            let text = match s.strip_prefix('-') {
                Some(pos) => pos.to_string(),
                None => format!("-{s}"),
            };
            // -2147483648 is written as a numeric token but fits int4.
            let kind = match text.parse::<i32>() {
                Ok(v) if !text.contains(['.', 'e', 'E']) => Literal::Integer(v),
                _ => Literal::Numeric(text),
            };
            Expr::new(ExprKind::Literal(kind), loc)
        }
        _ => prefix(op("-"), arg, loc),
    }
}

/// Flattens `a AND b AND c` into one node, like makeAndExpr.
pub fn and(left: Expr, right: Expr, loc: usize) -> Expr {
    bool_chain(BoolOp::And, left, right, loc)
}

pub fn or(left: Expr, right: Expr, loc: usize) -> Expr {
    bool_chain(BoolOp::Or, left, right, loc)
}

fn bool_chain(want: BoolOp, left: Expr, right: Expr, loc: usize) -> Expr {
    match left.kind {
        ExprKind::Bool { op, mut args } if op == want => {
            args.push(right);
            Expr::new(ExprKind::Bool { op, args }, left.loc)
        }
        kind => {
            let left = Expr::new(kind, left.loc);
            Expr::new(ExprKind::Bool { op: want, args: vec![left, right] }, loc)
        }
    }
}

pub fn not(arg: Expr, loc: usize) -> Expr {
    Expr::new(ExprKind::Bool { op: BoolOp::Not, args: vec![arg] }, loc)
}

pub fn literal(l: Literal, loc: usize) -> Expr {
    Expr::new(ExprKind::Literal(l), loc)
}

pub fn string(s: &str, loc: usize) -> Expr {
    literal(Literal::String(s.to_string()), loc)
}

pub fn cast(arg: Expr, type_name: TypeName, loc: usize) -> Expr {
    Expr::new(ExprKind::Cast { arg: Box::new(arg), type_name }, loc)
}

/// A call the grammar writes for SQL syntax (EXTRACT, TRIM, …): pg_catalog-qualified.
pub fn sql_syntax_func(name: &str, args: Vec<Expr>, loc: usize) -> Expr {
    let mut call = FuncCall::new(vec!["pg_catalog".into(), name.into()], args);
    call.sql_syntax = true;
    Expr::new(ExprKind::Func(Box::new(call)), loc)
}

pub fn column_ref(first: String, path: Vec<Indirection>, loc: usize) -> Expr {
    // Leading `.name`/`.*` parts belong to the column reference; a subscript starts indirection.
    let mut fields = vec![ColumnField::Name(first)];
    let mut rest = Vec::new();
    for item in path {
        if !rest.is_empty() {
            rest.push(item);
            continue;
        }
        match item {
            Indirection::Field(n) => fields.push(ColumnField::Name(n)),
            Indirection::Star => fields.push(ColumnField::Star),
            sub => rest.push(sub),
        }
    }
    let base = Expr::new(ExprKind::ColumnRef(fields), loc);
    if rest.is_empty() { base } else { Expr::new(ExprKind::Indirection { base: Box::new(base), path: rest }, loc) }
}

pub fn indirect(base: Expr, path: Vec<Indirection>) -> Expr {
    if path.is_empty() {
        return base;
    }
    let loc = base.loc;
    Expr::new(ExprKind::Indirection { base: Box::new(base), path }, loc)
}

/// `ColId indirection` used as a qualified name: only `.name` parts allowed.
pub fn qualified(first: String, path: Vec<Indirection>, loc: usize, sql: &str) -> GResult<QualifiedName> {
    let mut names = vec![first];
    for item in path {
        match item {
            Indirection::Field(n) => names.push(n),
            _ => return user_error(SyntaxError::near_token("syntax error", sql, loc)),
        }
    }
    if names.len() > 3 {
        let dotted = names.join(".");
        return user_error(SyntaxError::plain(format!("improper qualified name (too many dotted names): {dotted}"), loc));
    }
    Ok(names)
}

pub fn range_var(name: QualifiedName, loc: usize) -> RangeVar {
    RangeVar { name, inh: true, loc }
}

/// Attaches ORDER BY / LIMIT / locking / WITH to a select, as insertSelectOptions does.
pub fn select_options(
    mut stmt: SelectStmt,
    order_by: Option<Vec<SortBy>>,
    locking: Vec<LockingClause>,
    limit: Option<LimitClause>,
    with: Option<WithClause>,
    sql: &str,
    loc: usize,
) -> GResult<SelectStmt> {
    if let Some(order_by) = order_by {
        if !stmt.order_by.is_empty() {
            return user_error(SyntaxError::plain("multiple ORDER BY clauses not allowed", order_by.first().map_or(loc, |s| s.loc)));
        }
        stmt.order_by = order_by;
    }
    stmt.locking.extend(locking);
    if let Some(limit) = limit {
        if let Some(old) = &stmt.limit {
            if limit.offset.is_some() && old.offset.is_some() {
                return user_error(SyntaxError::plain("multiple OFFSET clauses not allowed", loc));
            }
            if limit.limit.is_some() && old.limit.is_some() {
                return user_error(SyntaxError::plain("multiple LIMIT clauses not allowed", loc));
            }
        }
        if limit.with_ties && limit.limit.is_some() && stmt.order_by.is_empty() {
            let _ = sql;
            return user_error(SyntaxError::plain("WITH TIES cannot be specified without ORDER BY clause", loc));
        }
        let merged = match stmt.limit.take() {
            Some(old) => LimitClause {
                limit: limit.limit.or(old.limit),
                offset: limit.offset.or(old.offset),
                with_ties: limit.with_ties || old.with_ties,
            },
            None => limit,
        };
        stmt.limit = Some(merged);
    }
    if let Some(with) = with {
        if stmt.with.is_some() {
            return user_error(SyntaxError::plain("multiple WITH clauses not allowed", with.loc));
        }
        stmt.with = Some(with);
    }
    Ok(stmt)
}

/// A parenthesized or bare select clause as a statement to attach options to.
pub fn into_stmt(body: SetExpr, loc: usize) -> SelectStmt {
    match body {
        SetExpr::Query(q) => *q,
        other => SelectStmt::simple(other, loc),
    }
}

/// A select used as an operand of a set operation or FROM item.
pub fn as_set_expr(stmt: SelectStmt) -> SetExpr {
    if stmt.with.is_none() && stmt.order_by.is_empty() && stmt.limit.is_none() && stmt.locking.is_empty() {
        match stmt.body {
            // Keep parenthesized set operations distinct so `(a UNION b) INTERSECT c` keeps its shape.
            b @ (SetExpr::Select(_) | SetExpr::Values(_)) => b,
            b => SetExpr::Query(Box::new(SelectStmt::simple(b, stmt.loc))),
        }
    } else {
        SetExpr::Query(Box::new(stmt))
    }
}

pub fn set_op(op: SetOp, all: bool, left: SetExpr, right: SetExpr, loc: usize) -> SetExpr {
    SetExpr::SetOp { op, all, left: Box::new(left), right: Box::new(right), loc }
}

pub fn sort_by(expr: Expr, dir: SortDir, nulls: Option<NullsOrder>) -> SortBy {
    let loc = expr.loc;
    SortBy { expr, dir, nulls, loc }
}

/// Interval typmod list (fields mask, optional precision) as gram.y builds it.
pub fn interval_typmods(fields: i32, precision: Option<i32>, loc: usize) -> Vec<Expr> {
    let mut v = vec![literal(Literal::Integer(fields), loc)];
    if let Some(p) = precision {
        v.push(literal(Literal::Integer(p), loc));
    }
    v
}

pub fn interval_type(typmods: Vec<Expr>, loc: usize) -> TypeName {
    TypeName::system("interval", loc).with_typmods(typmods)
}

/// `GROUP BY cube(a)` / `rollup(a)`: gram.y has dedicated rules; here a plain
/// call named cube or rollup at the top of a GROUP BY item means the same.
pub fn grouping_item(e: Expr) -> GroupingItem {
    if let ExprKind::Func(call) = &e.kind
        && call.name.len() == 1
        && !call.agg_star
        && !call.distinct
        && call.order_by.is_empty()
        && call.filter.is_none()
        && call.over.is_none()
        && call.args.iter().all(|a| a.name.is_none())
    {
        let args = || call.args.iter().map(|a| a.value.clone()).collect::<Vec<_>>();
        match call.name[0].as_str() {
            "cube" => return GroupingItem::Cube(args()),
            "rollup" => return GroupingItem::Rollup(args()),
            _ => {}
        }
    }
    GroupingItem::Expr(e)
}

/// `unbounded PRECEDING`: UNBOUNDED is an unreserved keyword, so the grammar
/// reads it as a column; the unquoted keyword in the text decides.
pub fn frame_bound(e: Expr, preceding: bool, sql: &str) -> FrameBound {
    if let ExprKind::ColumnRef(f) = &e.kind
        && f.len() == 1
        && f[0] == ColumnField::Name("unbounded".into())
        && sql.get(e.loc..e.loc + 9).is_some_and(|t| t.eq_ignore_ascii_case("unbounded"))
    {
        return if preceding { FrameBound::UnboundedPreceding } else { FrameBound::UnboundedFollowing };
    }
    if preceding { FrameBound::Preceding(Box::new(e)) } else { FrameBound::Following(Box::new(e)) }
}

pub fn numeric_value(text: String, negative: bool, loc: usize) -> NumericValue {
    NumericValue { text: if negative { format!("-{text}") } else { text }, loc }
}

/// `TRIM([LEADING|TRAILING|BOTH] [chars] FROM str)` → btrim/ltrim/rtrim(str, chars).
pub fn trim(kind: &str, mut args: Vec<Expr>, loc: usize) -> Expr {
    let name = match kind {
        "leading" => "ltrim",
        "trailing" => "rtrim",
        _ => "btrim",
    };
    args.rotate_left(0);
    sql_syntax_func(name, args, loc)
}

pub fn unsupported(what: &str, loc: usize) -> Statement {
    Statement::Unsupported(UnsupportedStmt { what: what.to_string(), loc })
}

pub fn like(kind: LikeKind, arg: Expr, pattern: Expr, escape: Option<Expr>, negated: bool, loc: usize) -> Expr {
    Expr::new(
        ExprKind::Like { kind, arg: Box::new(arg), pattern: Box::new(pattern), escape: escape.map(Box::new), negated },
        loc,
    )
}

pub fn in_expr(arg: Expr, list: Result<Vec<Expr>, SelectStmt>, negated: bool, loc: usize) -> Expr {
    match list {
        Ok(list) => Expr::new(ExprKind::InList { arg: Box::new(arg), list, negated }, loc),
        Err(query) => {
            // `x NOT IN (subquery)` is NOT (x = ANY (subquery)), as gram.y builds it.
            let sub = Expr::new(
                ExprKind::SubLink { kind: SubLinkKind::Any, test: Some(Box::new(arg)), op: Some(op("=")), query: Box::new(query) },
                loc,
            );
            if negated { not(sub, loc) } else { sub }
        }
    }
}

pub fn table_constraint(
    name: Option<String>,
    elem: (TableConstraintKind, bool),
    attrs: Vec<Option<(Option<bool>, Option<bool>)>>,
    loc: usize,
) -> TableConstraint {
    let mut deferrable = None;
    let mut initially_deferred = None;
    let mut not_valid = elem.1;
    for a in attrs {
        match a {
            Some((d, i)) => {
                deferrable = d.or(deferrable);
                initially_deferred = i.or(initially_deferred);
            }
            None => not_valid = true,
        }
    }
    TableConstraint { name, kind: elem.0, deferrable, initially_deferred, not_valid, loc }
}

pub fn view_stmt(or_replace: bool, persistence: Persistence, mut v: CreateViewStmt) -> Statement {
    v.or_replace = or_replace;
    v.persistence = persistence;
    Statement::CreateView(Box::new(v))
}
