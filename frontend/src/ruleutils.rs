//! Bound expressions back to SQL text the way PostgreSQL's ruleutils.c prints
//! them for `pg_get_expr`, `pg_get_constraintdef` and `pg_get_indexdef`:
//! implicit casts are hidden except under operators, constants carry a
//! `::type` label unless the parser would give them that type anyway, and in
//! pretty mode (PRETTYFLAG_PAREN) only the parentheses precedence needs are
//! written. (`deparse.rs` is the other direction's helper: raw ASTs to text
//! that parses back to the same tree.)

use oa_ir::datum::Datum;
use oa_ir::expr::{BoolTestKind, CastMethod, ScalarExpr, SqlValueKind};
use oa_ir::typeio::quote_identifier;
use oa_ir::{ColumnId, Error, Result, SqlType};

/// How ruleutils prints one expression.
pub struct RuleDeparser<'a> {
    /// PRETTYFLAG_PAREN: leave out parentheses precedence makes unnecessary.
    pub pretty: bool,
    /// The name a column reference prints as.
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
        let mut out = String::new();
        self.indent = 0;
        self.expr(&mut out, e, false)?;
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
                out.push_str(&quote_identifier(&name));
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
                let name = match kind {
                    SqlValueKind::CurrentDate => "CURRENT_DATE",
                    SqlValueKind::CurrentTime => "CURRENT_TIME",
                    SqlValueKind::CurrentTimestamp => "CURRENT_TIMESTAMP",
                    SqlValueKind::LocalTime => "LOCALTIME",
                    SqlValueKind::LocalTimestamp => "LOCALTIMESTAMP",
                    SqlValueKind::CurrentRole => "CURRENT_ROLE",
                    SqlValueKind::CurrentUser => "CURRENT_USER",
                    SqlValueKind::User => "USER",
                    SqlValueKind::SessionUser => "SESSION_USER",
                    SqlValueKind::CurrentCatalog => "CURRENT_CATALOG",
                    SqlValueKind::CurrentSchema => "CURRENT_SCHEMA",
                };
                out.push_str(name);
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
