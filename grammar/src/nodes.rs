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
        ExprKind::Literal(Literal::Integer(v)) if v != i32::MIN => Expr::new(ExprKind::Literal(Literal::Integer(-v)), loc),
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

/// `ColId indirection` used as a qualified name: only `.name` parts allowed
/// (gram.y's check_qualified_name / check_func_name, which report the token
/// after the name, the parser's lookahead; `end` is where the name ends).
pub fn qualified(first: String, path: Vec<Indirection>, loc: usize, end: usize, sql: &str) -> GResult<QualifiedName> {
    let mut names = vec![first];
    for item in path {
        match item {
            Indirection::Field(n) => names.push(n),
            _ => return user_error(syntax_error_after(sql, end)),
        }
    }
    if names.len() > 3 {
        let dotted = names.join(".");
        return user_error(SyntaxError::plain(format!("improper qualified name (too many dotted names): {dotted}"), loc));
    }
    Ok(names)
}

/// `syntax error at or near "<the token starting after end>"`, as parser_yyerror
/// reports errors raised while the parser looks at the next token.
pub fn syntax_error_after(sql: &str, end: usize) -> SyntaxError {
    let rest = sql.get(end..).unwrap_or("");
    match crate::lexer::tokenize(rest, crate::LexOptions::default()).ok().and_then(|t| t.first().cloned()) {
        Some((s, _, e)) => SyntaxError::near("syntax error", sql, end + s, end + e),
        None => SyntaxError::near("syntax error", sql, sql.len(), sql.len()),
    }
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
            Some(old) => {
                LimitClause { limit: limit.limit.or(old.limit), offset: limit.offset.or(old.offset), with_ties: limit.with_ties || old.with_ties }
            }
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
    Expr::new(ExprKind::Like { kind, arg: Box::new(arg), pattern: Box::new(pattern), escape: escape.map(Box::new), negated }, loc)
}

pub fn in_expr(arg: Expr, list: Result<Vec<Expr>, SelectStmt>, negated: bool, loc: usize) -> Expr {
    match list {
        Ok(list) => Expr::new(ExprKind::InList { arg: Box::new(arg), list, negated }, loc),
        Err(query) => {
            // `x NOT IN (subquery)` is NOT (x = ANY (subquery)), as gram.y builds it.
            let sub =
                Expr::new(ExprKind::SubLink { kind: SubLinkKind::Any, test: Some(Box::new(arg)), op: Some(op("=")), query: Box::new(query) }, loc);
            if negated { not(sub, loc) } else { sub }
        }
    }
}

/// One word of gram.y's ConstraintAttributeSpec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintAttrBit {
    Deferrable(bool),
    InitiallyDeferred(bool),
    NotValid,
    NoInherit,
}

pub fn table_constraint(name: Option<String>, elem: (TableConstraintKind, Vec<ConstraintAttrBit>), loc: usize) -> TableConstraint {
    let (mut kind, attrs) = elem;
    let mut deferrable = None;
    let mut initially_deferred = None;
    let mut not_valid = false;
    for a in attrs {
        match a {
            ConstraintAttrBit::Deferrable(d) => deferrable = Some(d),
            ConstraintAttrBit::InitiallyDeferred(i) => initially_deferred = Some(i),
            ConstraintAttrBit::NotValid => not_valid = true,
            ConstraintAttrBit::NoInherit => {
                if let TableConstraintKind::Check { no_inherit, .. } = &mut kind {
                    *no_inherit = true;
                }
            }
        }
    }
    TableConstraint { name, kind, deferrable, initially_deferred, not_valid, loc }
}

/// A type name as a definition value (`WITH (opt = word)`): its dotted name.
pub fn type_name_text(t: &TypeName) -> String {
    match t.names.as_slice() {
        [schema, name] if schema == "pg_catalog" && t.typmods.is_empty() => name.clone(),
        names => names.join("."),
    }
}

/// `name.attr%TYPE` in a function signature.
pub fn pct_type(first: String, attrs: Vec<String>, setof: bool, loc: usize) -> TypeName {
    let mut names = vec![first];
    names.extend(attrs);
    TypeName { names, typmods: vec![], array_bounds: vec![], setof, pct_type: true, loc }
}

/// INCLUDE columns of CREATE INDEX: expressions are rejected as DefineIndex does.
pub fn index_include(elems: Vec<IndexElem>) -> GResult<Vec<String>> {
    elems
        .into_iter()
        .map(|e| match e.column {
            Some(c) => Ok(c),
            None => user_error(SyntaxError::new("0A000", "expressions are not supported in included columns", Some(e.expr.loc))),
        })
        .collect()
}

pub fn view_stmt(or_replace: bool, persistence: Persistence, mut v: CreateViewStmt) -> Statement {
    v.or_replace = or_replace;
    v.persistence = persistence;
    Statement::CreateView(Box::new(v))
}

pub fn alter_table(object: ObjectKind, target: (bool, usize, RangeVar), commands: Vec<AlterTableCmd>) -> Statement {
    let (if_exists, _, table) = target;
    Statement::AlterTable(Box::new(AlterTableStmt { table, if_exists, object, commands }))
}

pub fn rename(object: ObjectKind, target: (bool, usize, RangeVar), subname: Option<String>, new_name: String) -> Statement {
    let (if_exists, _, rel) = target;
    Statement::Rename(Box::new(RenameStmt { object, target: rel.name, if_exists, subname, new_name }))
}

/// DROP of the object kinds OpenAssay builds; any other kind is named as unsupported.
pub fn drop(kind: (ObjectKind, &str), names: Vec<QualifiedName>, if_exists: bool, cascade: bool, concurrently: bool, loc: usize) -> Statement {
    match kind.0 {
        ObjectKind::Table
        | ObjectKind::Sequence
        | ObjectKind::View
        | ObjectKind::MaterializedView
        | ObjectKind::Index
        | ObjectKind::ForeignTable
        | ObjectKind::Type
        | ObjectKind::Domain
        | ObjectKind::Schema => Statement::Drop(Box::new(DropStmt { kind: kind.0, names, if_exists, cascade, concurrently, loc })),
        _ => unsupported(&format!("DROP {}", kind.1), loc),
    }
}

/// COMMENT ON the object kinds OpenAssay builds; any other kind is named as unsupported.
pub fn comment(kind: (ObjectKind, &str), target: QualifiedName, comment: Option<String>, loc: usize) -> Statement {
    match kind.0 {
        ObjectKind::Table | ObjectKind::Column | ObjectKind::View | ObjectKind::Index | ObjectKind::Sequence | ObjectKind::Schema => {
            Statement::Comment(Box::new(CommentStmt { object: kind.0, target, comment }))
        }
        _ => unsupported(&format!("COMMENT ON {}", kind.1), loc),
    }
}

/// `x op ANY/SOME/ALL (subquery)`.
pub fn sublink(kind: SubLinkKind, left: Expr, op: QualifiedName, query: SelectStmt, loc: usize) -> Expr {
    Expr::new(ExprKind::SubLink { kind, test: Some(Box::new(left)), op: Some(op), query: Box::new(query) }, loc)
}

/// `x op ANY/SOME/ALL (array)`.
pub fn any_all(kind: SubLinkKind, left: Expr, op: QualifiedName, right: Expr, loc: usize) -> Expr {
    Expr::new(ExprKind::AnyAll { op, all: kind == SubLinkKind::All, left: Box::new(left), right: Box::new(right) }, loc)
}

/// `row OVERLAPS row` → pg_catalog.overlaps(a, b, c, d), checking both rows have two fields.
pub fn overlaps(left: Vec<Expr>, right: Vec<Expr>, (left_loc, loc, right_loc): (usize, usize, usize)) -> GResult<Expr> {
    if left.len() != 2 {
        return user_error(SyntaxError::plain("wrong number of parameters on left side of OVERLAPS expression", left_loc));
    }
    if right.len() != 2 {
        return user_error(SyntaxError::plain("wrong number of parameters on right side of OVERLAPS expression", right_loc));
    }
    let mut args = left;
    args.extend(right);
    Ok(sql_syntax_func("overlaps", args, loc))
}

/// XML expressions and XMLTABLE parse, but have no AST node yet.
pub fn xml_unsupported<T>(loc: usize) -> GResult<T> {
    user_error(SyntaxError::unsupported("XML functions", loc))
}

/// What follows `ALTER <relation kind> [IF EXISTS] name` in the forms all relation kinds share.
pub enum AlterRelationTail {
    Commands(Vec<AlterTableCmd>),
    Rename(String),
    /// RENAME [COLUMN] a TO b, with the position of the word after RENAME.
    RenameColumn(usize, String, String),
    /// SET SCHEMA name, with the position of SCHEMA.
    SetSchema(usize, String),
}

/// Builds the relation forms of ALTER; the forms gram.y does not have for
/// this relation kind fail with the syntax error PostgreSQL reports.
pub fn alter_relation(kind: ObjectKind, target: (bool, usize, RangeVar), tail: AlterRelationTail, sql: &str) -> GResult<Statement> {
    let no_rename_column = matches!(kind, ObjectKind::Index | ObjectKind::Sequence);
    Ok(match tail {
        AlterRelationTail::Commands(c) => alter_table(kind, target, c),
        AlterRelationTail::Rename(n) => rename(kind, target, None, n),
        AlterRelationTail::RenameColumn(at, _, _) if no_rename_column => {
            return user_error(SyntaxError::near_token("syntax error", sql, at));
        }
        AlterRelationTail::RenameColumn(_, s, n) => rename(ObjectKind::Column, target, Some(s), n),
        AlterRelationTail::SetSchema(at, _) if kind == ObjectKind::Index => {
            return user_error(SyntaxError::near_token("syntax error", sql, at));
        }
        AlterRelationTail::SetSchema(_, new_schema) => {
            let (if_exists, _, rel) = target;
            Statement::AlterObjectSchema(Box::new(AlterObjectSchemaStmt { object: kind, target: rel.name, if_exists, new_schema, loc: rel.loc }))
        }
    })
}

/// A form gram.y has only without IF EXISTS: a syntax error at `at` otherwise.
pub fn no_if_exists(target: (bool, usize, RangeVar), at: usize, sql: &str) -> GResult<(bool, usize, RangeVar)> {
    if target.0 {
        return user_error(SyntaxError::near_token("syntax error", sql, at));
    }
    Ok(target)
}
