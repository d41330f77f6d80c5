//! SQL-language functions (prolang 14) and the built-in functions' argument
//! defaults, both of which initdb creates from system_functions.sql rather
//! than postgres.bki: the bki rows only say "see system_functions.sql" and
//! carry no proargdefaults. A SQL function's body is bound in place of the
//! call with the arguments substituted for `$n`, as PostgreSQL's
//! inline_function does; one that cannot be inlined is called through the
//! runtime's `oid:NNNN` kernel.

use std::sync::Arc;

use oa_grammar::ast;
use oa_ir::catalog::ProcDesc;
use oa_ir::expr::{FuncRef, ScalarExpr};
use oa_ir::types::{SqlType, oid};
use oa_ir::{Error, Result};

use super::Binder;
use super::expr::ExprKind;
use super::scope::Scope;
use crate::resolve::CoercionContext;

/// How deeply inlined bodies may nest (a recursive SQL function is called instead).
const MAX_INLINE_DEPTH: u32 = 16;

/// The RETURN expressions of system_functions.sql's scalar SQL functions, by
/// pg_proc OID, written as pg_get_function_sqlbody shows them (qualified).
const SYSTEM_FUNCTION_BODIES: &[(u32, &str)] = &[
    (879, "pg_catalog.lpad($1, $2, ' '::text)"),
    (880, "pg_catalog.rpad($1, $2, ' '::text)"),
    (1176, "(($1 + $2))::timestamp with time zone"),
    (1296, "($2 + $1)"),
    (1298, "($2 + $1)"),
    (1384, "pg_catalog.date_part($1, ($2)::timestamp without time zone)"),
    (1386, "pg_catalog.age((CURRENT_DATE)::timestamp with time zone, $1)"),
    (1426, "pg_catalog.on_ppath($2, $1)"),
    (1481, "pg_catalog.log((10)::numeric, $1)"),
    (1544, "pg_catalog.polygon(12, $1)"),
    (1708, "pg_catalog.round($1, 0)"),
    (1710, "pg_catalog.trunc($1, 0)"),
    (1741, "pg_catalog.log((10)::numeric, $1)"),
    (1810, "(pg_catalog.octet_length($1) * 8)"),
    (1811, "(pg_catalog.octet_length($1) * 8)"),
    (1812, "pg_catalog.length($1)"),
    (1848, "($2 + $1)"),
    (2059, "pg_catalog.age((CURRENT_DATE)::timestamp without time zone, $1)"),
    (2074, "pg_catalog.\"substring\"($1, pg_catalog.similar_to_escape($2, $3))"),
    (2325, "pg_catalog.pg_relation_size($1, 'main'::text)"),
    (2546, "($2 + $1)"),
    (2547, "($2 + $1)"),
    (2548, "($2 + $1)"),
    (2549, "($2 + $1)"),
    (2550, "($2 + $1)"),
    (2631, "($2 + $1)"),
    (
        3935,
        "pg_catalog.pg_sleep(((EXTRACT(epoch FROM (pg_catalog.clock_timestamp() + $1)) - EXTRACT(epoch FROM pg_catalog.clock_timestamp())))::double precision)",
    ),
    (3936, "pg_catalog.pg_sleep(((EXTRACT(epoch FROM $1) - EXTRACT(epoch FROM pg_catalog.clock_timestamp())))::double precision)"),
    (5023, "($2 + $1)"),
];

/// The proargdefaults system_functions.sql gives built-in functions, by OID,
/// for the trailing parameters.
const SYSTEM_FUNCTION_DEFAULTS: &[(u32, &[&str])] = &[
    (1177, &["'{}'::jsonb", "false"]),
    (1179, &["'{}'::jsonb", "false"]),
    (1180, &["'{}'::jsonb", "false"]),
    (1268, &["true"]),
    (2023, &["'{}'::jsonb", "false"]),
    (2030, &["'{}'::jsonb", "false"]),
    (2096, &["0"]),
    (2172, &["false"]),
    (2739, &["true"]),
    (3305, &["true"]),
    (3436, &["true", "60"]),
    (3464, &["0", "0", "0", "0", "0", "0", "0.0"]),
    (3579, &["false"]),
    (3779, &["false", "false"]),
    (3782, &["'{}'::text[]"]),
    (3783, &["'{}'::text[]"]),
    (3784, &["'{}'::text[]"]),
    (3785, &["'{}'::text[]"]),
    (3786, &["false", "false"]),
    (3960, &["false"]),
    (3961, &["false"]),
    (4005, &["'{}'::jsonb", "false"]),
    (4006, &["'{}'::jsonb", "false"]),
    (4007, &["'{}'::jsonb", "false"]),
    (4008, &["'{}'::jsonb", "false"]),
    (4009, &["'{}'::jsonb", "false"]),
    (4350, &["'NFC'::text"]),
    (4351, &["'NFC'::text"]),
    (5054, &["true", "'use_json_null'::text"]),
];

/// The SQL text of a function's argument defaults (pronargdefaults of them,
/// for the trailing parameters).
pub(crate) fn arg_defaults(p: &ProcDesc) -> Vec<String> {
    if !p.arg_defaults.is_empty() && p.arg_defaults.iter().all(|d| !d.is_empty()) {
        return p.arg_defaults.clone();
    }
    SYSTEM_FUNCTION_DEFAULTS.iter().find(|(o, _)| *o == p.oid).map(|(_, d)| d.iter().map(|s| s.to_string()).collect()).unwrap_or_default()
}

/// The body of a SQL function as one expression over `$n`, when it is a
/// plain `SELECT expr` (or a system_functions.sql RETURN).
fn inlinable_body(p: &ProcDesc) -> Option<ast::Expr> {
    if let Some((_, body)) = SYSTEM_FUNCTION_BODIES.iter().find(|(o, _)| *o == p.oid) {
        return oa_grammar::parse_expr(body).ok();
    }
    let stmts = oa_grammar::parse(&p.prosrc).ok()?;
    let [stmt] = stmts.as_slice() else { return None };
    let ast::Statement::Select(sel) = &stmt.stmt else { return None };
    if sel.with.is_some() || !sel.order_by.is_empty() || sel.limit.is_some() || !sel.locking.is_empty() {
        return None;
    }
    let ast::SetExpr::Select(core) = &sel.body else { return None };
    if !core.from.is_empty()
        || core.where_clause.is_some()
        || core.group_by.is_some()
        || core.having.is_some()
        || core.distinct.is_some()
        || core.into.is_some()
        || !core.windows.is_empty()
    {
        return None;
    }
    let [ast::ResTarget::Expr { expr, .. }] = core.targets.as_slice() else { return None };
    Some(expr.clone())
}

impl<'a> Binder<'a> {
    /// The call of a resolved function with coerced arguments: a SQL
    /// function's body is inlined, anything else becomes a call.
    pub fn finish_call(&mut self, proc: &ProcDesc, func: Arc<FuncRef>, args: Vec<ScalarExpr>) -> Result<ScalarExpr> {
        if proc.language != oid::SQL_LANGUAGE || proc.retset || proc.kind != b'f' {
            return Ok(ScalarExpr::Func { func, args });
        }
        if self.inline_depth < MAX_INLINE_DEPTH
            && let Some(body) = inlinable_body(proc)
            && let Ok(e) = self.inline_body(&body, &args, func.ret_type)
        {
            return Ok(e);
        }
        // Not inlinable: the runtime knows some SQL functions by OID.
        let mut f = (*func).clone();
        f.prosrc = format!("oid:{}", proc.oid);
        Ok(ScalarExpr::Func { func: Arc::new(f), args })
    }

    /// Binds a SQL function body with `$n` standing for the call's arguments,
    /// coerced to the function's result type.
    fn inline_body(&mut self, body: &ast::Expr, args: &[ScalarExpr], ret: SqlType) -> Result<ScalarExpr> {
        let saved = self.sql_fn_args.replace(args.to_vec());
        self.inline_depth += 1;
        let scope = Scope::new(None);
        let bound = self.bind_expr(body, &scope, ExprKind::Other);
        self.inline_depth -= 1;
        self.sql_fn_args = saved;
        let bound = bound?;
        if bound.ty().oid == ret.oid {
            return Ok(bound);
        }
        if !self.resolver.can_coerce(bound.ty().oid, ret.oid, CoercionContext::Assignment) {
            return Err(Error::internal("inlined body does not return the function's type"));
        }
        self.coerce_to(bound, ret, CoercionContext::Assignment, 0)
    }

    /// `$n` inside an inlined SQL function body: the call's n-th argument.
    pub(crate) fn sql_fn_param(&self, n: i32) -> Option<Result<ScalarExpr>> {
        let args = self.sql_fn_args.as_ref()?;
        Some(
            usize::try_from(n)
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| args.get(i).cloned())
                .ok_or_else(|| Error::internal(format!("SQL function body refers to missing parameter ${n}"))),
        )
    }
}
