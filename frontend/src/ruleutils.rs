//! Bound expressions back to SQL text the way PostgreSQL's ruleutils.c prints
//! them for `pg_get_expr`, `pg_get_constraintdef` and `pg_get_indexdef`:
//! implicit casts are hidden except under operators, constants carry a
//! `::type` label unless the parser would give them that type anyway, and in
//! pretty mode (PRETTYFLAG_PAREN) only the parentheses precedence needs are
//! written. (`deparse.rs` is the other direction's helper: raw ASTs to text
//! that parses back to the same tree.)

use oa_ir::datum::Datum;
use oa_ir::expr::{BoolTestKind, CastMethod, ScalarExpr};
use oa_ir::typeio::quote_identifier;
use oa_ir::{ColumnId, Error, Result, SqlType};

/// How ruleutils prints one expression.
pub struct RuleDeparser<'a> {
    /// PRETTYFLAG_PAREN: leave out parentheses precedence makes unnecessary.
    pub pretty: bool,
    /// The text a column reference prints as (already quoted, maybe qualified).
    pub column_name: &'a dyn Fn(ColumnId) -> Option<String>,
    /// A constant's text in its type's output format (reg* types by name).
    pub const_text: &'a dyn Fn(SqlType, &Datum) -> Result<String>,
    /// format_type_with_typemod.
    pub type_name: &'a dyn Fn(SqlType) -> String,
    indent: i32,
}

/// PostgreSQL's node tags, as far as parenthesization cares.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tag {
    Var,
    Const,
    Param,
    Op,
    FuncCall,
    /// A cast function: FuncExpr with COERCE_EXPLICIT_CAST / COERCE_IMPLICIT_CAST.
    FuncCast,
    Relabel,
    CoerceViaIo,
    ArrayCoerce,
    And,
    Or,
    Not,
    NullTest,
    BooleanTest,
    Distinct,
    Case,
    Coalesce,
    NullIf,
    MinMax,
    ScalarArrayOp,
    Array,
    Row,
    Subscript,
    SqlValue,
    SubLink,
    FieldSelect,
}

fn tag(e: &ScalarExpr) -> Tag {
    match e {
        ScalarExpr::Column { .. } => Tag::Var,
        ScalarExpr::Const { .. } => Tag::Const,
        ScalarExpr::Param { .. } => Tag::Param,
        ScalarExpr::Func { func, .. } if func.operator.is_some() => Tag::Op,
        ScalarExpr::Func { .. } => Tag::FuncCall,
        ScalarExpr::Cast { method, .. } => match method {
            CastMethod::Function(_) => Tag::FuncCast,
            CastMethod::Relabel => Tag::Relabel,
            CastMethod::InOut => Tag::CoerceViaIo,
            CastMethod::ArrayElements(_) => Tag::ArrayCoerce,
        },
        ScalarExpr::And(_) => Tag::And,
        ScalarExpr::Or(_) => Tag::Or,
        ScalarExpr::Not(_) => Tag::Not,
        ScalarExpr::DistinctFrom { negated: true, .. } => Tag::Not,
        ScalarExpr::IsNull { .. } => Tag::NullTest,
        ScalarExpr::BoolTest { .. } => Tag::BooleanTest,
        ScalarExpr::DistinctFrom { .. } => Tag::Distinct,
        ScalarExpr::Case { .. } => Tag::Case,
        ScalarExpr::Coalesce { .. } => Tag::Coalesce,
        ScalarExpr::NullIf { .. } => Tag::NullIf,
        ScalarExpr::MinMax { .. } => Tag::MinMax,
        ScalarExpr::ArrayOp { .. } => Tag::ScalarArrayOp,
        ScalarExpr::ArrayCtor { .. } => Tag::Array,
        ScalarExpr::Row { .. } => Tag::Row,
        ScalarExpr::Subscript { .. } | ScalarExpr::ArrayAssign { .. } => Tag::Subscript,
        ScalarExpr::SqlValue { .. } => Tag::SqlValue,
        ScalarExpr::Subquery(_) => Tag::SubLink,
        ScalarExpr::FieldSelect { .. } => Tag::FieldSelect,
    }
}

/// get_simple_binary_op_name: the operator of a binary operator call.
fn binary_op_name(e: &ScalarExpr) -> Option<&str> {
    match e {
        ScalarExpr::Func { func, args } if args.len() == 2 => func.operator.as_deref(),
        _ => None,
    }
}

/// The argument of a cast node.
fn cast_arg(e: &ScalarExpr) -> Option<&ScalarExpr> {
    match e {
        ScalarExpr::Cast { arg, .. } => Some(arg),
        _ => None,
    }
}

/// isSimpleNode: whether `node` needs no parentheses as a child of `parent`.
fn is_simple(node: &ScalarExpr, parent: &ScalarExpr, pretty: bool) -> bool {
    match tag(node) {
        Tag::Var | Tag::Const | Tag::Param => true,
        Tag::Subscript
        | Tag::Array
        | Tag::Row
        | Tag::Coalesce
        | Tag::MinMax
        | Tag::SqlValue
        | Tag::NullIf
        | Tag::FuncCall
        | Tag::FuncCast
        | Tag::Case => true,
        Tag::Relabel | Tag::CoerceViaIo | Tag::ArrayCoerce => cast_arg(node).is_some_and(|a| is_simple(a, node, pretty)),
        Tag::Op if pretty && tag(parent) == Tag::Op => {
            let Some(op) = binary_op_name(node) else { return false };
            let lo = |o: &str| o.len() == 1 && "+-".contains(o);
            let hi = |o: &str| o.len() == 1 && "*/%".contains(o);
            if !(lo(op) || hi(op)) {
                return false;
            }
            let Some(pop) = binary_op_name(parent) else { return false };
            if !(lo(pop) || hi(pop)) {
                return false;
            }
            if hi(op) && lo(pop) {
                return true;
            }
            if lo(op) && hi(pop) {
                return false;
            }
            // Same priority: (a - b) - c needs none, a - (b - c) does.
            matches!(parent, ScalarExpr::Func { args, .. } if args.first().is_some_and(|f| std::ptr::eq(f, node)))
        }
        Tag::Op | Tag::SubLink | Tag::NullTest | Tag::BooleanTest | Tag::Distinct => match tag(parent) {
            Tag::FuncCall => true,
            Tag::FuncCast => false,
            Tag::And | Tag::Or | Tag::Not => true,
            Tag::Subscript | Tag::Array | Tag::Row | Tag::Coalesce | Tag::MinMax | Tag::NullIf | Tag::Case => true,
            _ => false,
        },
        Tag::And | Tag::Or | Tag::Not => match tag(parent) {
            Tag::And | Tag::Or | Tag::Not => {
                if !pretty {
                    return false;
                }
                let parent_and_or = matches!(tag(parent), Tag::And | Tag::Or);
                match tag(node) {
                    Tag::Not | Tag::And => parent_and_or,
                    _ => tag(parent) == Tag::Or,
                }
            }
            Tag::FuncCall => true,
            Tag::FuncCast => false,
            Tag::Subscript | Tag::Array | Tag::Row | Tag::Coalesce | Tag::MinMax | Tag::NullIf | Tag::Case => true,
            _ => false,
        },
        Tag::ScalarArrayOp => false,
        Tag::FieldSelect => tag(parent) != Tag::FieldSelect,
    }
}

fn unsupported(what: &str) -> Error {
    Error::feature_not_supported(format!("deparsing {what} is not supported yet"))
}

impl<'a> RuleDeparser<'a> {
    pub fn new(
        pretty: bool,
        column_name: &'a dyn Fn(ColumnId) -> Option<String>,
        const_text: &'a dyn Fn(SqlType, &Datum) -> Result<String>,
        type_name: &'a dyn Fn(SqlType) -> String,
    ) -> Self {
        RuleDeparser { pretty, column_name, const_text, type_name, indent: 0 }
    }

    /// deparse_expression_pretty(expr, …, showimplicit = false).
    pub fn deparse(&mut self, e: &ScalarExpr) -> Result<String> {
        self.deparse_at(e, false, 0)
    }

    /// get_rule_expr at an indentation level, showing implicit casts at the top or not.
    pub fn deparse_at(&mut self, e: &ScalarExpr, show_implicit: bool, indent: i32) -> Result<String> {
        let mut out = String::new();
        self.indent = indent;
        self.expr(&mut out, e, show_implicit)?;
        Ok(out)
    }

    /// A constant with its type label always (get_const_expr with showtype 1).
    pub fn labeled_constant(&mut self, value: &Datum, ty: SqlType) -> Result<String> {
        let mut out = String::new();
        self.constant(&mut out, value, ty, 1)?;
        Ok(out)
    }

    /// An index key or similar: `looks_like_function` keys print bare, others in parentheses (pretty only).
    pub fn looks_like_function(e: &ScalarExpr) -> bool {
        matches!(tag(e), Tag::FuncCall | Tag::Coalesce | Tag::NullIf | Tag::MinMax | Tag::SqlValue)
    }

    fn paren_open(&self, out: &mut String) {
        if !self.pretty {
            out.push('(');
        }
    }

    fn paren_close(&self, out: &mut String) {
        if !self.pretty {
            out.push(')');
        }
    }

    /// get_rule_expr_paren.
    fn child(&mut self, out: &mut String, node: &ScalarExpr, show_implicit: bool, parent: &ScalarExpr) -> Result<()> {
        let need = self.pretty && !is_simple(node, parent, self.pretty);
        if need {
            out.push('(');
        }
        self.expr(out, node, show_implicit)?;
        if need {
            out.push(')');
        }
        Ok(())
    }

    /// appendContextKeyword with PRETTYFLAG_INDENT (always on for these functions).
    fn keyword(&mut self, out: &mut String, s: &str, before: i32, after: i32, plus: i32) {
        self.indent += before;
        while out.ends_with(' ') {
            out.pop();
        }
        out.push('\n');
        let n = self.indent.max(0) + plus;
        out.extend(std::iter::repeat_n(' ', n as usize));
        out.push_str(s);
        self.indent = (self.indent + after).max(0);
    }

    fn list(&mut self, out: &mut String, items: &[ScalarExpr]) -> Result<()> {
        for (i, a) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.expr(out, a, true)?;
        }
        Ok(())
    }

    /// get_rule_expr.
    fn expr(&mut self, out: &mut String, e: &ScalarExpr, show_implicit: bool) -> Result<()> {
        match e {
            ScalarExpr::Column { id, .. } => {
                let name = (self.column_name)(*id).ok_or_else(|| Error::internal("column of a stored expression not found"))?;
                out.push_str(&name);
            }
            ScalarExpr::Const { value, ty } => self.constant(out, value, *ty, 0)?,
            ScalarExpr::Param { index, .. } => out.push_str(&format!("${index}")),
            ScalarExpr::Func { func, args } => {
                if let Some(op) = &func.operator {
                    self.paren_open(out);
                    match args.as_slice() {
                        [l, r] => {
                            self.child(out, l, true, e)?;
                            out.push_str(&format!(" {op} "));
                            self.child(out, r, true, e)?;
                        }
                        [a] => {
                            out.push_str(&format!("{op} "));
                            self.child(out, a, true, e)?;
                        }
                        _ => return Err(Error::internal("operator call without one or two arguments")),
                    }
                    self.paren_close(out);
                } else {
                    out.push_str(&quote_identifier(&func.name));
                    out.push('(');
                    self.list(out, args)?;
                    out.push(')');
                }
            }
            ScalarExpr::Cast { arg, ty, explicit, .. } => {
                if !*explicit && !show_implicit {
                    return self.child(out, arg, false, e);
                }
                // get_coercion_expr: a constant of the result type prints bare, then ::type.
                match &**arg {
                    ScalarExpr::Const { value, ty: cty } if cty.oid == ty.oid && cty.typmod < 0 => self.constant(out, value, *cty, -1)?,
                    _ => {
                        self.paren_open(out);
                        self.child(out, arg, false, e)?;
                        self.paren_close(out);
                    }
                }
                out.push_str("::");
                out.push_str(&(self.type_name)(*ty));
            }
            ScalarExpr::And(args) | ScalarExpr::Or(args) => {
                let word = if matches!(e, ScalarExpr::And(_)) { " AND " } else { " OR " };
                self.paren_open(out);
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(word);
                    }
                    self.child(out, a, false, e)?;
                }
                self.paren_close(out);
            }
            ScalarExpr::Not(a) => {
                self.paren_open(out);
                out.push_str("NOT ");
                self.child(out, a, false, e)?;
                self.paren_close(out);
            }
            ScalarExpr::IsNull { arg, negated } => {
                self.paren_open(out);
                self.child(out, arg, true, e)?;
                out.push_str(if *negated { " IS NOT NULL" } else { " IS NULL" });
                self.paren_close(out);
            }
            ScalarExpr::BoolTest { arg, kind } => {
                self.paren_open(out);
                self.child(out, arg, false, e)?;
                out.push_str(match kind {
                    BoolTestKind::IsTrue => " IS TRUE",
                    BoolTestKind::IsNotTrue => " IS NOT TRUE",
                    BoolTestKind::IsFalse => " IS FALSE",
                    BoolTestKind::IsNotFalse => " IS NOT FALSE",
                    BoolTestKind::IsUnknown => " IS UNKNOWN",
                    BoolTestKind::IsNotUnknown => " IS NOT UNKNOWN",
                });
                self.paren_close(out);
            }
            ScalarExpr::DistinctFrom { left, right, negated, eq } => {
                if *negated {
                    // PostgreSQL keeps IS NOT DISTINCT FROM as NOT over a DistinctExpr.
                    let inner = ScalarExpr::DistinctFrom { eq: eq.clone(), left: left.clone(), right: right.clone(), negated: false };
                    self.paren_open(out);
                    out.push_str("NOT ");
                    self.child(out, &inner, false, e)?;
                    self.paren_close(out);
                } else {
                    self.paren_open(out);
                    self.child(out, left, true, e)?;
                    out.push_str(" IS DISTINCT FROM ");
                    self.child(out, right, true, e)?;
                    self.paren_close(out);
                }
            }
            ScalarExpr::Case { whens, default, .. } => {
                self.keyword(out, "CASE", 0, 4, 0);
                for (w, r) in whens {
                    self.keyword(out, "WHEN ", 0, 0, 0);
                    self.expr(out, w, false)?;
                    out.push_str(" THEN ");
                    self.expr(out, r, true)?;
                }
                self.keyword(out, "ELSE ", 0, 0, 0);
                self.expr(out, default, true)?;
                self.keyword(out, "END", -4, 0, 0);
            }
            ScalarExpr::Coalesce { args, .. } => {
                out.push_str("COALESCE(");
                self.list(out, args)?;
                out.push(')');
            }
            ScalarExpr::NullIf { left, right, .. } => {
                out.push_str("NULLIF(");
                self.expr(out, left, true)?;
                out.push_str(", ");
                self.expr(out, right, true)?;
                out.push(')');
            }
            ScalarExpr::MinMax { greatest, args, .. } => {
                out.push_str(if *greatest { "GREATEST(" } else { "LEAST(" });
                self.list(out, args)?;
                out.push(')');
            }
            ScalarExpr::ArrayOp { op, any, left, right } => {
                self.paren_open(out);
                self.child(out, left, true, e)?;
                let name = op.operator.clone().unwrap_or_else(|| op.name.clone());
                out.push_str(&format!(" {name} {} (", if *any { "ANY" } else { "ALL" }));
                self.child(out, right, true, e)?;
                out.push(')');
                self.paren_close(out);
            }
            ScalarExpr::ArrayCtor { elems, .. } => {
                out.push_str("ARRAY[");
                self.list(out, elems)?;
                out.push(']');
            }
            ScalarExpr::Row { fields, .. } => {
                out.push_str("ROW(");
                self.list(out, fields)?;
                out.push(')');
            }
            ScalarExpr::Subscript { base, lower, upper, slice, .. } => {
                let parens = !matches!(**base, ScalarExpr::Column { .. });
                if parens {
                    out.push('(');
                }
                self.expr(out, base, show_implicit)?;
                if parens {
                    out.push(')');
                }
                out.push('[');
                if let Some(l) = lower {
                    self.expr(out, l, false)?;
                }
                if *slice {
                    out.push(':');
                }
                if let Some(u) = upper {
                    self.expr(out, u, false)?;
                }
                out.push(']');
            }
            ScalarExpr::SqlValue { kind, precision, .. } => {
                out.push_str(kind.keyword());
                if let Some(p) = precision {
                    out.push_str(&format!("({p})"));
                }
            }
            ScalarExpr::FieldSelect { arg, name, .. } => {
                // get_rule_expr_paren with a FieldSelect parent: anything but a plain column gets parentheses.
                out.push('(');
                self.expr(out, arg, true)?;
                out.push_str(").");
                out.push_str(&quote_identifier(name));
            }
            ScalarExpr::ArrayAssign { .. } => return Err(unsupported("array assignment")),
            ScalarExpr::Subquery(_) => return Err(unsupported("a subquery")),
        }
        Ok(())
    }

    /// get_const_expr: `showtype` -1 never labels, 0 labels unless the
    /// literal reads back as the same type, 1 always labels.
    fn constant(&mut self, out: &mut String, value: &Datum, ty: SqlType, showtype: i32) -> Result<()> {
        use oa_ir::types::oid;
        if value.is_null() {
            out.push_str("NULL");
            if showtype >= 0 {
                out.push_str("::");
                out.push_str(&(self.type_name)(ty));
            }
            return Ok(());
        }
        let text = (self.const_text)(ty, value)?;
        let mut need_label = false;
        let mut is_float = false;
        match ty.oid {
            oid::INT4 => {
                if text.starts_with('-') {
                    out.push_str(&format!("'{text}'"));
                    need_label = true;
                } else {
                    out.push_str(&text);
                }
            }
            oid::NUMERIC => {
                if text.starts_with(|c: char| c.is_ascii_digit()) && text.contains(['e', 'E', '.']) {
                    out.push_str(&text);
                    is_float = true;
                } else {
                    out.push_str(&format!("'{text}'"));
                    need_label = true;
                }
            }
            oid::BOOL => out.push_str(if text == "t" || text == "true" { "true" } else { "false" }),
            _ => {
                out.push('\'');
                for ch in text.chars() {
                    if ch == '\'' {
                        out.push('\'');
                    }
                    out.push(ch);
                }
                out.push('\'');
            }
        }
        if showtype < 0 {
            return Ok(());
        }
        match ty.oid {
            oid::BOOL | oid::UNKNOWN => need_label = false,
            oid::INT4 => {}
            oid::NUMERIC => need_label |= !is_float || ty.typmod >= 0,
            _ => need_label = true,
        }
        if need_label || showtype > 0 {
            out.push_str("::");
            out.push_str(&(self.type_name)(ty));
        }
        Ok(())
    }
}

/// PRETTYINDENT_STD, PRETTYINDENT_JOIN, PRETTYINDENT_VAR.
const INDENT_STD: i32 = 8;
const INDENT_JOIN: i32 = 4;
const INDENT_VAR: i32 = 4;

/// What a view's query deparser needs from outside.
pub struct QueryDeparseContext<'a> {
    /// PRETTYFLAG_PAREN (pg_get_viewdef(view, true)).
    pub pretty: bool,
    pub const_text: &'a dyn Fn(SqlType, &Datum) -> Result<String>,
    pub type_name: &'a dyn Fn(SqlType) -> String,
    /// generate_relation_name: the name, qualified when not visible.
    pub relation_name: &'a dyn Fn(&oa_ir::catalog::RelationDesc) -> String,
}

/// A FROM-clause item.
enum FromNode<'p> {
    Relation(String),
    Join { kind: oa_ir::plan::JoinKind, left: Box<FromNode<'p>>, right: Box<FromNode<'p>>, condition: &'p ScalarExpr },
}

/// The text a column stands for, and its attribute name when it is a plain table column (a Var).
type ColumnTexts = std::collections::HashMap<ColumnId, (String, Option<String>)>;

/// Output with appendContextKeyword's indentation.
struct Buf {
    out: String,
    indent: i32,
}

impl Buf {
    fn keyword(&mut self, s: &str, before: i32, after: i32, plus: i32) {
        self.indent += before;
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.out.push('\n');
        let n = self.indent.max(0) + plus;
        self.out.extend(std::iter::repeat_n(' ', n as usize));
        self.out.push_str(s);
        self.indent = (self.indent + after).max(0);
    }
}

/// get_query_def for the SELECT a view stores, as pg_get_viewdef prints it
/// (every column qualified, one target per line). Covers one SELECT over
/// tables and joins with WHERE, GROUP BY, HAVING, DISTINCT, ORDER BY, LIMIT
/// and OFFSET; None for anything else (set operations, WITH, subqueries in
/// FROM or in expressions, functions in FROM), which callers print otherwise.
pub fn deparse_view_query(plan: &oa_ir::plan::LogicalPlan, names: &[String], cx: &QueryDeparseContext) -> Option<String> {
    use oa_ir::plan::LogicalPlan as P;
    let mut p = plan;
    let mut visible: Option<usize> = None;
    if let P::Project { input, items } = p
        && matches!(**input, P::Limit { .. } | P::Sort { .. } | P::Distinct { .. })
        && items.iter().all(|(_, e)| matches!(e, ScalarExpr::Column { .. }))
    {
        visible = Some(items.len());
        p = input;
    }
    let (mut limit, mut offset) = (None, None);
    if let P::Limit { input, limit: l, offset: o, with_ties } = p {
        if !with_ties.is_empty() {
            return None;
        }
        limit = l.as_ref();
        offset = o.as_ref();
        p = input;
    }
    let mut sort: Option<&Vec<oa_ir::expr::SortKey>> = None;
    if let P::Sort { input, keys } = p {
        sort = Some(keys);
        p = input;
    }
    let mut distinct: Option<&Vec<ScalarExpr>> = None;
    if let P::Distinct { input, on } = p {
        distinct = Some(on);
        p = input;
        if !on.is_empty()
            && let P::Sort { input, keys } = p
        {
            sort = Some(keys);
            p = input;
        }
    }
    let P::Project { input, items } = p else { return None };
    p = input;
    let mut having = None;
    if let P::Filter { input, predicate } = p
        && matches!(**input, P::Aggregate { .. })
    {
        having = Some(predicate);
        p = input;
    }
    let mut agg = None;
    if let P::Aggregate { input, group_by, aggs } = p {
        agg = Some((group_by, aggs));
        p = input;
    }
    let mut where_clause = None;
    if let P::Filter { input, predicate } = p {
        where_clause = Some(predicate);
        p = input;
    }
    let mut texts: ColumnTexts = Default::default();
    let from = match p {
        P::Values { columns, rows } if columns.is_empty() && rows.len() == 1 => None,
        other => Some(from_node(other, &mut texts, cx)?),
    };
    let visible = visible.unwrap_or(items.len());
    if names.len() != visible || items.len() < visible {
        return None;
    }
    let mut b = Buf { out: String::new(), indent: 0 };
    // Expressions over the FROM items' columns (and, above the aggregate, its outputs).
    let expr = |texts: &ColumnTexts, e: &ScalarExpr, show_implicit: bool, indent: i32| -> Option<String> {
        let lookup = |id: ColumnId| texts.get(&id).map(|t| t.0.clone());
        let mut d = RuleDeparser::new(cx.pretty, &lookup, cx.const_text, cx.type_name);
        d.deparse_at(e, show_implicit, indent).ok()
    };
    // get_rule_sortgroupclause: constants labelled, plain columns bare, the rest in parentheses.
    let sortgroup = |texts: &ColumnTexts, e: &ScalarExpr, agg_cols: &[ColumnId], indent: i32| -> Option<String> {
        match e {
            ScalarExpr::Const { value, ty } => {
                let none = |_: ColumnId| None;
                RuleDeparser::new(cx.pretty, &none, cx.const_text, cx.type_name).labeled_constant(value, *ty).ok()
            }
            ScalarExpr::Column { id, .. } if texts.get(id).is_some_and(|t| t.1.is_some()) => expr(texts, e, true, indent),
            _ => {
                let function_like = matches!(e, ScalarExpr::Func { func, .. } if func.operator.is_none())
                    || matches!(e, ScalarExpr::Column { id, .. } if agg_cols.contains(id));
                let text = expr(texts, e, true, indent)?;
                Some(if cx.pretty || function_like { format!("({text})") } else { text })
            }
        }
    };
    b.indent += INDENT_STD;
    b.out.push(' ');
    b.out.push_str("SELECT");
    // The aggregate's outputs, for the targets, HAVING and ORDER BY.
    let mut agg_cols = Vec::new();
    let mut group_texts = Vec::new();
    if let Some((group_by, aggs)) = agg {
        for (col, e) in group_by.iter() {
            let t = expr(&texts, e, true, b.indent)?;
            group_texts.push(sortgroup(&texts, e, &[], b.indent)?);
            let attname = match e {
                ScalarExpr::Column { id, .. } => texts.get(id).and_then(|t| t.1.clone()),
                _ => None,
            };
            texts.insert(col.id, (t, attname));
        }
        for (col, call) in aggs.iter() {
            let mut s = format!("{}({}", quote_identifier(&call.func.name), if call.distinct { "DISTINCT " } else { "" });
            if call.args.is_empty() && call.func.name == "count" {
                s.push('*');
            }
            for (i, a) in call.args.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                s.push_str(&expr(&texts, a, true, b.indent)?);
            }
            if !call.order_by.is_empty() {
                s.push_str(" ORDER BY ");
                s.push_str(&order_list(&texts, &call.order_by, &expr, b.indent)?);
            }
            if let Some(f) = &call.filter {
                s.push_str(") FILTER (WHERE ");
                s.push_str(&expr(&texts, f, false, b.indent)?);
            }
            s.push(')');
            texts.insert(col.id, (s, None));
            agg_cols.push(col.id);
        }
    }
    if let Some(on) = distinct {
        if on.is_empty() {
            b.out.push_str(" DISTINCT");
        } else {
            let keys: Option<Vec<String>> = on.iter().map(|k| item_sortgroup(k, items, &texts, &agg_cols, &sortgroup, b.indent)).collect();
            b.out.push_str(&format!(" DISTINCT ON ({})", keys?.join(", ")));
        }
    }
    // get_target_list with wrapColumn 0: every target after the first on its own line.
    for (i, ((_, e), name)) in items.iter().zip(names).enumerate() {
        b.out.push_str(if i == 0 { " " } else { ", " });
        let mut field = expr(&texts, e, true, b.indent)?;
        let attname = match e {
            ScalarExpr::Column { id, .. } => texts.get(id).and_then(|t| t.1.clone()),
            _ => None,
        };
        if attname.as_deref() != Some(name.as_str()) {
            field.push_str(" AS ");
            field.push_str(&quote_identifier(name));
        }
        if field.starts_with('\n') {
            while b.out.ends_with(' ') {
                b.out.pop();
            }
        } else if i > 0 {
            b.keyword("", -INDENT_STD, INDENT_STD, INDENT_VAR);
        }
        b.out.push_str(&field);
    }
    for (col, e) in items.iter() {
        let attname = match e {
            ScalarExpr::Column { id, .. } => texts.get(id).and_then(|t| t.1.clone()),
            _ => None,
        };
        let t = expr(&texts, e, true, b.indent)?;
        texts.insert(col.id, (t, attname));
    }
    if let Some(from) = &from {
        b.keyword(" FROM ", -INDENT_STD, INDENT_STD, 2);
        from_items(&mut b, from, &texts, &expr, cx)?;
    }
    if let Some(w) = where_clause {
        b.keyword(" WHERE ", -INDENT_STD, INDENT_STD, 1);
        let t = expr(&texts, w, false, b.indent)?;
        b.out.push_str(&t);
    }
    if agg.is_some_and(|(g, _)| !g.is_empty()) {
        b.keyword(" GROUP BY ", -INDENT_STD, INDENT_STD, 1);
        b.out.push_str(&group_texts.join(", "));
    }
    if let Some(h) = having {
        b.keyword(" HAVING ", -INDENT_STD, INDENT_STD, 0);
        let t = expr(&texts, h, false, b.indent)?;
        b.out.push_str(&t);
    }
    if let Some(keys) = sort
        && !keys.is_empty()
    {
        b.keyword(" ORDER BY ", -INDENT_STD, INDENT_STD, 1);
        let mut parts = Vec::new();
        for k in keys {
            let mut s = item_sortgroup(&k.expr, items, &texts, &agg_cols, &sortgroup, b.indent)?;
            if k.descending {
                s.push_str(" DESC");
                if !k.nulls_first {
                    s.push_str(" NULLS LAST");
                }
            } else if k.nulls_first {
                s.push_str(" NULLS FIRST");
            }
            parts.push(s);
        }
        b.out.push_str(&parts.join(", "));
    }
    if let Some(o) = offset {
        b.keyword(" OFFSET ", -INDENT_STD, INDENT_STD, 0);
        let t = expr(&texts, o, false, b.indent)?;
        b.out.push_str(&t);
    }
    if let Some(l) = limit {
        b.keyword(" LIMIT ", -INDENT_STD, INDENT_STD, 0);
        if matches!(l, ScalarExpr::Const { value: Datum::Null, .. }) {
            b.out.push_str("ALL");
        } else {
            let t = expr(&texts, l, false, b.indent)?;
            b.out.push_str(&t);
        }
    }
    b.out.push(';');
    Some(b.out)
}

/// A sort or DISTINCT ON key that names a select-list item: that item's expression.
fn item_sortgroup(
    key: &ScalarExpr,
    items: &[(oa_ir::plan::PlanColumn, ScalarExpr)],
    texts: &ColumnTexts,
    agg_cols: &[ColumnId],
    sortgroup: &SortGroupFn,
    indent: i32,
) -> Option<String> {
    let target = match key {
        ScalarExpr::Column { id, .. } => items.iter().find(|(c, _)| c.id == *id).map(|(_, e)| e),
        _ => None,
    };
    sortgroup(texts, target.unwrap_or(key), agg_cols, indent)
}

type SortGroupFn<'a> = dyn Fn(&ColumnTexts, &ScalarExpr, &[ColumnId], i32) -> Option<String> + 'a;

type ExprFn<'a> = dyn Fn(&ColumnTexts, &ScalarExpr, bool, i32) -> Option<String> + 'a;

fn order_list(texts: &ColumnTexts, keys: &[oa_ir::expr::SortKey], expr: &ExprFn, indent: i32) -> Option<String> {
    let mut parts = Vec::new();
    for k in keys {
        let mut s = expr(texts, &k.expr, true, indent)?;
        if k.descending {
            s.push_str(" DESC");
            if !k.nulls_first {
                s.push_str(" NULLS LAST");
            }
        } else if k.nulls_first {
            s.push_str(" NULLS FIRST");
        }
        parts.push(s);
    }
    Some(parts.join(", "))
}

/// The FROM tree: tables (their columns qualified by the name the query uses) and joins.
fn from_node<'p>(p: &'p oa_ir::plan::LogicalPlan, texts: &mut ColumnTexts, cx: &QueryDeparseContext) -> Option<FromNode<'p>> {
    use oa_ir::plan::{JoinKind, LogicalPlan as P};
    match p {
        P::Scan { table, alias, columns } => {
            for c in columns {
                texts.insert(c.id, (format!("{}.{}", quote_identifier(alias), quote_identifier(&c.name)), Some(c.name.clone())));
            }
            let mut text = (cx.relation_name)(table);
            if *alias != table.name {
                text.push(' ');
                text.push_str(&quote_identifier(alias));
            }
            Some(FromNode::Relation(text))
        }
        P::Join { kind, left, right, condition, mark: None }
            if matches!(kind, JoinKind::Inner | JoinKind::Left | JoinKind::Right | JoinKind::Full) =>
        {
            let l = from_node(left, texts, cx)?;
            let r = from_node(right, texts, cx)?;
            Some(FromNode::Join { kind: *kind, left: Box::new(l), right: Box::new(r), condition })
        }
        _ => None,
    }
}

/// get_from_clause: an unconditioned inner join is a comma list.
fn from_items(b: &mut Buf, node: &FromNode, texts: &ColumnTexts, expr: &ExprFn, cx: &QueryDeparseContext) -> Option<()> {
    let mut list = Vec::new();
    flatten_comma(node, &mut list);
    for (i, item) in list.iter().enumerate() {
        if i == 0 {
            from_item(b, item, texts, expr, cx)?;
        } else {
            b.out.push_str(", ");
            let mut sub = Buf { out: String::new(), indent: b.indent };
            from_item(&mut sub, item, texts, expr, cx)?;
            if sub.out.starts_with('\n') {
                while b.out.ends_with(' ') {
                    b.out.pop();
                }
            } else {
                b.keyword("", -INDENT_STD, INDENT_STD, INDENT_VAR);
            }
            b.out.push_str(&sub.out);
        }
    }
    Some(())
}

fn flatten_comma<'n, 'p>(node: &'n FromNode<'p>, out: &mut Vec<&'n FromNode<'p>>) {
    match node {
        FromNode::Join { kind: oa_ir::plan::JoinKind::Inner, left, right, condition: ScalarExpr::Const { value: Datum::Bool(true), .. } } => {
            flatten_comma(left, out);
            flatten_comma(right, out);
        }
        other => out.push(other),
    }
}

/// get_from_clause_item.
fn from_item(b: &mut Buf, node: &FromNode, texts: &ColumnTexts, expr: &ExprFn, cx: &QueryDeparseContext) -> Option<()> {
    match node {
        FromNode::Relation(t) => b.out.push_str(t),
        FromNode::Join { kind, left, right, condition } => {
            use oa_ir::plan::JoinKind;
            let cross = *kind == JoinKind::Inner && matches!(condition, ScalarExpr::Const { value: Datum::Bool(true), .. });
            if !cx.pretty {
                b.out.push('(');
            }
            from_item(b, left, texts, expr, cx)?;
            let word = match kind {
                JoinKind::Inner if cross => " CROSS JOIN ",
                JoinKind::Inner => " JOIN ",
                JoinKind::Left => " LEFT JOIN ",
                JoinKind::Right => " RIGHT JOIN ",
                _ => " FULL JOIN ",
            };
            b.keyword(word, -INDENT_STD, INDENT_STD, INDENT_JOIN);
            let paren_right = cx.pretty && matches!(**right, FromNode::Join { .. });
            if paren_right {
                b.out.push('(');
            }
            from_item(b, right, texts, expr, cx)?;
            if paren_right {
                b.out.push(')');
            }
            if !cross {
                b.out.push_str(" ON ");
                if !cx.pretty {
                    b.out.push('(');
                }
                let t = expr(texts, condition, false, b.indent)?;
                b.out.push_str(&t);
                if !cx.pretty {
                    b.out.push(')');
                }
            }
            if !cx.pretty {
                b.out.push(')');
            }
        }
    }
    Some(())
}
