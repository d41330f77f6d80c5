//! Applying coercions to bound expressions (coerce_type, coerce_type_typmod,
//! coerce_to_target_type): unknown literals become constants of the target
//! type through its input function, parameters take the type they are used as.

use std::sync::Arc;

use oa_ir::datum::Datum;
use oa_ir::expr::{CastMethod, FuncRef, ScalarExpr, Volatility};
use oa_ir::types::{Oid, SqlType, oid};
use oa_ir::{Error, Result, SqlState};

use super::Binder;
use crate::resolve::{CoercionContext, CoercionPath};

impl<'a> Binder<'a> {
    /// coerce_type: converts `e` to `target` (typmod applied separately), or errors
    /// with `cannot cast type X to Y` when there is no pathway.
    pub fn coerce_to(&mut self, e: ScalarExpr, target: SqlType, ctx: CoercionContext, loc: usize) -> Result<ScalarExpr> {
        let target = self.domain_base(target);
        let source = e.ty().oid;
        if source == target.oid && target.oid != oid::UNKNOWN {
            return Ok(e);
        }
        if target.oid == oid::ANY || crate::resolve::is_polymorphic(target.oid) {
            return Ok(e);
        }
        match e {
            ScalarExpr::Const { value, ty } if ty.oid == oid::UNKNOWN => self.unknown_literal(value, target, loc),
            ScalarExpr::Param { index, ty } if ty.oid == oid::UNKNOWN => {
                if let Some(slot) = self.params.get_mut(index as usize - 1) {
                    *slot = SqlType::new(target.oid);
                }
                Ok(ScalarExpr::Param { index, ty: SqlType::new(target.oid) })
            }
            e => self.coerce_by_pathway(e, target, ctx, loc),
        }
    }

    fn coerce_by_pathway(&mut self, e: ScalarExpr, target: SqlType, ctx: CoercionContext, loc: usize) -> Result<ScalarExpr> {
        let source = e.ty().oid;
        let explicit = ctx == CoercionContext::Explicit;
        let target_ty = SqlType::new(target.oid);
        if source == oid::UNKNOWN {
            // An unknown-typed column (a set-operation branch's literal, say)
            // converts through the target type's input function, as the
            // literal itself would have.
            return Ok(ScalarExpr::Cast { arg: Box::new(e), ty: target_ty, method: CastMethod::InOut, explicit });
        }
        match self.resolver.coercion_pathway(target.oid, source, ctx) {
            CoercionPath::None => Err(Error::new(
                SqlState::CANNOT_COERCE,
                format!("cannot cast type {} to {}", self.type_name_oid(source), self.type_name_oid(target.oid)),
            )
            .with_position(loc)),
            CoercionPath::Relabel => Ok(ScalarExpr::Cast { arg: Box::new(e), ty: target_ty, method: CastMethod::Relabel, explicit }),
            CoercionPath::CoerceViaIo => Ok(ScalarExpr::Cast { arg: Box::new(e), ty: target_ty, method: CastMethod::InOut, explicit }),
            CoercionPath::Func(f) => {
                let func = self.cast_func_ref(f, source, target.oid, loc)?;
                Ok(ScalarExpr::Cast { arg: Box::new(e), ty: target_ty, method: CastMethod::Function(func), explicit })
            }
            CoercionPath::ArrayCoerce => {
                let (se, te) = (self.resolver.elem_type(source), self.resolver.elem_type(target.oid));
                let (Some(se), Some(te)) = (se, te) else {
                    return Err(Error::internal("array coercion between non-array types"));
                };
                let method = match self.resolver.coercion_pathway(te, se, ctx) {
                    CoercionPath::Relabel => CastMethod::Relabel,
                    CoercionPath::CoerceViaIo => CastMethod::InOut,
                    CoercionPath::Func(f) => CastMethod::Function(self.cast_func_ref(f, se, te, loc)?),
                    _ => return Err(Error::feature_not_supported("nested array coercion is not supported yet").with_position(loc)),
                };
                Ok(ScalarExpr::Cast { arg: Box::new(e), ty: target_ty, method: CastMethod::ArrayElements(Box::new(method)), explicit })
            }
        }
    }

    /// A FuncRef for a cast function (its extra typmod/explicit arguments are supplied at run time).
    pub fn cast_func_ref(&self, f: Oid, source: Oid, target: Oid, loc: usize) -> Result<Arc<FuncRef>> {
        let p = self.catalog.proc(f).ok_or_else(|| Error::internal(format!("cache lookup failed for function {f}")).with_position(loc))?;
        Ok(Arc::new(FuncRef {
            oid: p.oid,
            name: p.name.clone(),
            prosrc: p.prosrc.clone(),
            arg_types: vec![SqlType::new(source)],
            ret_type: SqlType::new(target),
            strict: p.strict,
            volatility: Volatility::from_char(p.volatility),
            retset: false,
            operator: None,
        }))
    }

    /// An unknown-type literal becomes a constant of the target type right now,
    /// as PostgreSQL's coerce_type does by calling the type's input function.
    fn unknown_literal(&mut self, value: Datum, target: SqlType, loc: usize) -> Result<ScalarExpr> {
        let target = if target.oid == oid::UNKNOWN { SqlType::TEXT } else { target };
        let text = match value {
            Datum::Null => return Ok(ScalarExpr::Const { value: Datum::Null, ty: target }),
            Datum::Text(s) => s,
            other => return Ok(ScalarExpr::Const { value: other, ty: target }),
        };
        let base = self.resolver.base_type(target.oid);
        let desc = self.type_desc(base)?;
        // record's input function exists (record_in) and refuses anonymous records itself.
        if desc.typtype == b'p' && base != oid::RECORD {
            return Err(
                Error::new(SqlState::CANNOT_COERCE, format!("cannot cast type unknown to {}", self.type_name_oid(target.oid))).with_position(loc)
            );
        }
        if let Some(o) = self.reg_input(base, &text, loc)? {
            return Ok(ScalarExpr::Const { value: Datum::Oid(o), ty: target });
        }
        // typinput with the typmod: numeric(5,2) '1.234' rounds right here.
        let input_ty = SqlType::with_typmod(base, target.typmod);
        let elem_of = |t: Oid| self.elem_of(t);
        let value = oa_ir::io::input(input_ty, &text, &self.ctx.io, &elem_of).map_err(|e| e.with_position(loc))?;
        Ok(ScalarExpr::Const { value, ty: SqlType::with_typmod(target.oid, target.typmod) })
    }

    /// The reg* input functions look names up in the catalog (regclassin,
    /// regtypein, …); a numeric string is an OID and goes through oidin.
    pub(crate) fn reg_input(&mut self, ty: Oid, text: &str, loc: usize) -> Result<Option<Oid>> {
        if !matches!(
            ty,
            oid::REGCLASS | oid::REGTYPE | oid::REGNAMESPACE | oid::REGPROC | oid::REGPROCEDURE | oid::REGOPER | oid::REGOPERATOR | oid::REGROLE
        ) || text.trim().bytes().all(|b| b.is_ascii_digit())
        {
            return Ok(None);
        }
        let at = |e: Error| e.with_position(loc);
        match ty {
            oid::REGPROCEDURE | oid::REGOPERATOR => {
                // name(argtype, …): the function or operator with exactly those argument types.
                let t = text.trim();
                let bad = || at(Error::new(SqlState::INVALID_TEXT_REPRESENTATION, "expected a left parenthesis"));
                let open = t.find('(').ok_or_else(bad)?;
                let inner = t[open + 1..]
                    .strip_suffix(')')
                    .ok_or_else(|| at(Error::new(SqlState::INVALID_TEXT_REPRESENTATION, "expected a right parenthesis")))?;
                let mut types = Vec::new();
                for a in inner.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                    if ty == oid::REGOPERATOR && a.eq_ignore_ascii_case("none") {
                        types.push(0);
                        continue;
                    }
                    let tn = oa_grammar::parse_type_name(a)
                        .map_err(|_| at(Error::new(SqlState::INVALID_TEXT_REPRESENTATION, format!("invalid type name \"{a}\""))))?;
                    types.push(self.resolve_type(&tn).map_err(at)?.oid);
                }
                let name_part = t[..open].trim();
                if ty == oid::REGOPERATOR {
                    let (left, right) = match types.as_slice() {
                        [l, r] => (*l, *r),
                        _ => return Err(at(Error::new(SqlState::UNDEFINED_PARAMETER, "expected two argument types"))),
                    };
                    let found = self.catalog.operators_by_name(name_part).into_iter().find(|o| o.left == left && o.right == right);
                    return found
                        .map(|o| Some(o.oid))
                        .ok_or_else(|| at(Error::new(SqlState::UNDEFINED_FUNCTION, format!("operator does not exist: {text}"))));
                }
                let names = split_name_list(name_part).ok_or_else(|| at(Error::new(SqlState::INVALID_NAME, "invalid name syntax")))?;
                let (ns, name) = self.split_qualified(&names, loc)?;
                let found = self.resolver.function_candidates(ns, name).into_iter().find(|p| p.arg_types == types);
                return found
                    .map(|p| Some(p.oid))
                    .ok_or_else(|| at(Error::new(SqlState::UNDEFINED_FUNCTION, format!("function \"{text}\" does not exist"))));
            }
            oid::REGOPER => {
                let ops = self.catalog.operators_by_name(text.trim());
                return match ops.len() {
                    0 => Err(at(Error::new(SqlState::UNDEFINED_FUNCTION, format!("operator does not exist: {text}")))),
                    1 => Ok(Some(ops[0].oid)),
                    _ => Err(at(Error::new(SqlState::AMBIGUOUS_FUNCTION, format!("more than one operator named {text}")))),
                };
            }
            oid::REGROLE => {
                let names = split_name_list(text).ok_or_else(|| at(Error::new(SqlState::INVALID_NAME, "invalid name syntax")))?;
                if names.len() != 1 {
                    return Err(at(Error::new(SqlState::INVALID_NAME, "invalid name syntax")));
                }
                return self
                    .catalog
                    .role_oid(&names[0])
                    .map(Some)
                    .ok_or_else(|| at(Error::new(SqlState::UNDEFINED_OBJECT, format!("role \"{}\" does not exist", names[0]))));
            }
            _ => {}
        }
        if text == "-" && ty == oid::REGPROC {
            return Ok(Some(0));
        }
        match ty {
            oid::REGTYPE => {
                let t = oa_grammar::parse_type_name(text)
                    .map_err(|_| at(Error::new(SqlState::INVALID_TEXT_REPRESENTATION, format!("invalid type name \"{text}\""))))?;
                Ok(Some(self.resolve_type(&t).map_err(at)?.oid))
            }
            _ => {
                let names = split_name_list(text).ok_or_else(|| at(Error::new(SqlState::INVALID_NAME, "invalid name syntax")))?;
                match ty {
                    oid::REGCLASS => Ok(Some(self.lookup_relation_opts(&names, loc, true)?.oid)),
                    oid::REGNAMESPACE => {
                        if names.len() != 1 {
                            return Err(at(Error::new(SqlState::INVALID_NAME, "invalid name syntax")));
                        }
                        Ok(Some(self.lookup_namespace(&names[0], loc)?))
                    }
                    _ => {
                        let name = names.last().cloned().unwrap_or_default();
                        let procs = self.catalog.procs_by_name(&name);
                        match procs.len() {
                            0 => Err(at(Error::new(SqlState::UNDEFINED_FUNCTION, format!("function \"{text}\" does not exist")))),
                            1 => Ok(Some(procs[0].oid)),
                            _ => Err(at(Error::new(SqlState::AMBIGUOUS_FUNCTION, format!("more than one function named \"{text}\"")))),
                        }
                    }
                }
            }
        }
    }

    /// A domain stands for its base type (with the domain's typmod): values
    /// never carry a domain type, and domain constraints are not checked
    /// (only the built-in information_schema domains exist).
    pub(crate) fn domain_base(&self, t: SqlType) -> SqlType {
        match self.catalog.type_by_oid(t.oid) {
            Some(d) if d.typtype == b'd' && d.basetype != 0 => {
                let base = SqlType::with_typmod(d.basetype, if t.typmod >= 0 { t.typmod } else { d.typmod });
                self.domain_base(base)
            }
            _ => t,
        }
    }

    /// coerce_type_typmod: applies the type's length-coercion function when the
    /// typmod differs (numeric(p,s), varchar(n), timestamp(p), …).
    pub fn coerce_typmod(&mut self, e: ScalarExpr, target: SqlType, explicit: bool, loc: usize) -> Result<ScalarExpr> {
        if target.typmod < 0 || e.ty().typmod == target.typmod {
            return Ok(e);
        }
        let base = self.resolver.base_type(target.oid);
        let Some(cast) = self.catalog.cast(base, base) else {
            return Ok(retype(e, target));
        };
        if cast.method != b'f' || cast.func == 0 {
            return Ok(retype(e, target));
        }
        // A constant can be coerced right away, as the planner would fold it.
        let func = self.cast_func_ref(cast.func, base, base, loc)?;
        Ok(ScalarExpr::Cast {
            arg: Box::new(e),
            ty: target,
            method: CastMethod::Function(Arc::new(FuncRef { ret_type: target, ..(*func).clone() })),
            explicit,
        })
    }

    /// coerce_to_target_type with COERCION_EXPLICIT (CAST and ::).
    pub fn coerce_explicit(&mut self, e: ScalarExpr, target: SqlType, loc: usize) -> Result<ScalarExpr> {
        let target = self.domain_base(target);
        let typmod = self.literal_input_typmod(&e, target);
        let e = self.coerce_to(e, SqlType::with_typmod(target.oid, typmod), CoercionContext::Explicit, loc)?;
        self.coerce_typmod(e, target, true, loc)
    }

    /// The typmod an unknown literal is read with: only interval's input
    /// needs it (its field restrictions); other types get -1 and then their
    /// length coercion, so an explicit cast truncates (coerce_type).
    fn literal_input_typmod(&self, e: &ScalarExpr, target: SqlType) -> i32 {
        let is_literal = matches!(e, ScalarExpr::Const { ty, .. } if ty.oid == oid::UNKNOWN);
        if is_literal && self.resolver.base_type(target.oid) == oid::INTERVAL { target.typmod } else { -1 }
    }

    /// coerce_to_target_type with COERCION_ASSIGNMENT, erroring like
    /// transformAssignedExpr: `column "x" is of type integer but expression is of type text`.
    pub fn coerce_assignment(&mut self, e: ScalarExpr, target: SqlType, column: Option<&str>, loc: usize) -> Result<ScalarExpr> {
        let source = e.ty().oid;
        let is_unknown = source == oid::UNKNOWN;
        if !is_unknown && source != target.oid && !self.resolver.can_coerce(source, target.oid, CoercionContext::Assignment) {
            let msg = match column {
                Some(c) => format!(
                    "column \"{c}\" is of type {} but expression is of type {}",
                    self.type_name(SqlType::new(target.oid)),
                    self.type_name_oid(source)
                ),
                None => {
                    format!("expression is of type {} but should be of type {}", self.type_name_oid(source), self.type_name(SqlType::new(target.oid)))
                }
            };
            return Err(Error::new(SqlState::DATATYPE_MISMATCH, msg)
                .with_hint("You will need to rewrite or cast the expression.")
                .with_position(loc));
        }
        let typmod = self.literal_input_typmod(&e, target);
        let e = self.coerce_to(e, SqlType::with_typmod(target.oid, typmod), CoercionContext::Assignment, loc)?;
        self.coerce_typmod(e, target, false, loc)
    }

    /// Implicit coercion of an argument to its resolved parameter type.
    pub fn coerce_implicit(&mut self, e: ScalarExpr, target: SqlType, loc: usize) -> Result<ScalarExpr> {
        self.coerce_to(e, target, CoercionContext::Implicit, loc)
    }

    /// coerce_to_boolean: for WHERE, HAVING, ON, AND/OR/NOT, CASE WHEN.
    pub fn coerce_to_boolean(&mut self, e: ScalarExpr, construct: &str, loc: usize) -> Result<ScalarExpr> {
        let t = e.ty().oid;
        if t == oid::BOOL {
            return Ok(e);
        }
        if t == oid::UNKNOWN || self.resolver.can_coerce(t, oid::BOOL, CoercionContext::Assignment) {
            return self.coerce_to(e, SqlType::BOOL, CoercionContext::Assignment, loc);
        }
        Err(Error::new(SqlState::DATATYPE_MISMATCH, format!("argument of {construct} must be type boolean, not type {}", self.type_name_oid(t)))
            .with_position(loc))
    }

    /// Left-over unknown literals in a result become text, as PostgreSQL 10+ does.
    pub fn resolve_unknown_to_text(&mut self, e: ScalarExpr) -> Result<ScalarExpr> {
        if e.ty().oid == oid::UNKNOWN { self.coerce_to(e, SqlType::TEXT, CoercionContext::Implicit, 0) } else { Ok(e) }
    }

    /// select_common_type + coerce each: UNION/CASE/VALUES/COALESCE/ARRAY branches.
    pub fn common_type(&self, exprs: &[(&ScalarExpr, usize)], context: &str) -> Result<SqlType> {
        let types: Vec<Oid> = exprs.iter().map(|(e, _)| e.ty().oid).collect();
        match self.resolver.select_common_type_oids(&types) {
            Ok(t) => {
                // Keep a typmod all inputs agree on (select_common_typmod).
                let mut typmod = None;
                for (e, _) in exprs {
                    let ty = e.ty();
                    if ty.oid == oid::UNKNOWN {
                        continue;
                    }
                    match typmod {
                        None => typmod = Some(if ty.oid == t { ty.typmod } else { -1 }),
                        Some(m) if m != ty.typmod || ty.oid != t => typmod = Some(-1),
                        _ => {}
                    }
                }
                Ok(SqlType::with_typmod(t, typmod.unwrap_or(-1)))
            }
            Err((a, b)) => {
                let loc = exprs.iter().find(|(e, _)| self.resolver.base_type(e.ty().oid) == b).map_or(0, |(_, l)| *l);
                Err(Error::new(
                    SqlState::DATATYPE_MISMATCH,
                    format!("{context} types {} and {} cannot be matched", self.type_name_oid(a), self.type_name_oid(b)),
                )
                .with_position(loc))
            }
        }
    }

    /// Coerces to a common type found by `common_type`, with PostgreSQL's
    /// `CASE/WHEN could not convert type X to Y` style error.
    pub fn coerce_to_common(&mut self, e: ScalarExpr, target: SqlType, context: &str, loc: usize) -> Result<ScalarExpr> {
        let source = e.ty().oid;
        if source != oid::UNKNOWN && source != target.oid && !self.resolver.can_coerce(source, target.oid, CoercionContext::Implicit) {
            return Err(Error::new(
                SqlState::CANNOT_COERCE,
                format!("{context} could not convert type {} to {}", self.type_name_oid(source), self.type_name_oid(target.oid)),
            )
            .with_position(loc));
        }
        let e = self.coerce_to(e, SqlType::new(target.oid), CoercionContext::Implicit, loc)?;
        Ok(if e.ty().oid == target.oid && target.typmod >= 0 && e.ty().typmod == target.typmod { e } else { retype_mod(e, target) })
    }
}

/// Gives an expression a type with the same OID but another typmod (a RelabelType).
fn retype(e: ScalarExpr, target: SqlType) -> ScalarExpr {
    match e {
        ScalarExpr::Const { value, ty } if ty.oid == target.oid => ScalarExpr::Const { value, ty: target },
        ScalarExpr::Cast { arg, ty, method, explicit } if ty.oid == target.oid => ScalarExpr::Cast { arg, ty: target, method, explicit },
        e if e.ty() == target => e,
        e => ScalarExpr::Cast { arg: Box::new(e), ty: target, method: CastMethod::Relabel, explicit: false },
    }
}

fn retype_mod(e: ScalarExpr, target: SqlType) -> ScalarExpr {
    if e.ty().typmod == target.typmod || target.typmod < 0 { e } else { retype(e, target) }
}

/// stringToQualifiedNameList: `a.b`, `"A".b` → names, downcasing unquoted parts.
pub fn split_name_list(text: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        let mut name = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        name.push('"');
                    }
                    '"' => break,
                    c => name.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' || c.is_whitespace() {
                    break;
                }
                name.push(c);
                chars.next();
            }
            if name.is_empty() {
                return None;
            }
            name = oa_grammar::lexer::fold_identifier(&name);
        }
        out.push(name);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => return Some(out),
            Some('.') => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some(_) => return None,
        }
    }
}
