//! Set-returning functions in FROM: generate_series, generate_subscripts,
//! unnest, and the text splitters, by prosrc.

use oa_ir::datetime::{generate_series_timestamp, generate_series_timestamptz};
use oa_ir::datum::Datum;
use oa_ir::expr::FuncRef;
use oa_ir::numeric::Numeric;
use oa_ir::{Error, Result, SqlState};

use super::ExecEnv;
use crate::builtins::{pattern, string};

fn step_zero() -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, "step size cannot equal zero")
}

/// Rows of a set-returning function call (one value per row).
pub fn call(func: &FuncRef, args: &[Datum], env: &mut ExecEnv) -> Result<Vec<Datum>> {
    // Strict functions return no rows for NULL input.
    if func.strict && args.iter().any(Datum::is_null) {
        return Ok(vec![]);
    }
    let int = |i: usize| args.get(i).and_then(|d| d.as_i64()).unwrap_or(0);
    Ok(match func.prosrc.as_str() {
        "generate_series_int4" | "generate_series_step_int4" | "generate_series_int8" | "generate_series_step_int8" => {
            let (start, stop) = (int(0), int(1));
            let step = if args.len() > 2 { int(2) } else { 1 };
            if step == 0 {
                return Err(step_zero());
            }
            let is4 = func.prosrc.ends_with("int4");
            let mut out = Vec::new();
            let mut v = start;
            while (step > 0 && v <= stop) || (step < 0 && v >= stop) {
                out.push(if is4 { Datum::Int32(v as i32) } else { Datum::Int64(v) });
                match v.checked_add(step) {
                    Some(n) if !is4 || i32::try_from(n).is_ok() => v = n,
                    _ => break,
                }
                if out.len() > 100_000_000 {
                    return Err(Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, "generate_series produces too many rows"));
                }
            }
            out
        }
        "generate_series_numeric" | "generate_series_step_numeric" => {
            let num = |i: usize| match args.get(i) {
                Some(Datum::Numeric(n)) => Ok(n.clone()),
                _ => Err(Error::internal("numeric argument expected")),
            };
            let (start, stop) = (num(0)?, num(1)?);
            let step = if args.len() > 2 { num(2)? } else { Numeric::from_i64(1) };
            for (what, v) in [("start", &start), ("stop", &stop), ("step size", &step)] {
                if v.is_nan() {
                    return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("{what} value cannot be NaN")));
                }
                if v.is_infinite() {
                    return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("{what} value cannot be infinity")));
                }
            }
            if step.is_zero() {
                return Err(step_zero());
            }
            let mut out = Vec::new();
            let mut v = start;
            let up = step.signum() > 0;
            while (up && v <= stop) || (!up && v >= stop) {
                out.push(Datum::Numeric(v.clone()));
                v = v.add(&step)?;
            }
            out
        }
        "generate_series_timestamp" | "generate_series_timestamptz" => {
            let ts = |i: usize| match args.get(i) {
                Some(Datum::Int64(v)) => *v,
                _ => 0,
            };
            let Some(Datum::Interval(step)) = args.get(2) else { return Err(Error::internal("interval step expected")) };
            let iter: Box<dyn Iterator<Item = Result<i64>>> = if func.prosrc == "generate_series_timestamp" {
                Box::new(generate_series_timestamp(ts(0), ts(1), *step)?)
            } else {
                Box::new(generate_series_timestamptz(ts(0), ts(1), *step, &env.io.time_zone)?)
            };
            iter.map(|r| r.map(Datum::Int64)).collect::<Result<Vec<_>>>()?
        }
        // generate_subscripts(array, dim [, reverse]): the subscripts of one dimension.
        "generate_subscripts" | "generate_subscripts_nodir" => {
            let Some(Datum::Array(a)) = args.first() else { return Ok(vec![]) };
            let reverse = matches!(args.get(2), Some(Datum::Bool(true)));
            let dim = int(1);
            match usize::try_from(dim - 1).ok().and_then(|d| a.dims.get(d)).filter(|_| dim >= 1) {
                None => vec![],
                Some(d) => {
                    let subs: Vec<Datum> = (d.lower..d.lower.saturating_add(d.len)).map(Datum::Int32).collect();
                    if reverse { subs.into_iter().rev().collect() } else { subs }
                }
            }
        }
        "array_unnest" => match args.first() {
            Some(Datum::Array(a)) => a.elems.clone(),
            _ => vec![],
        },
        "regexp_split_to_table" | "regexp_split_to_table_no_flags" => {
            let s = |i: usize| args.get(i).and_then(|d| d.as_str()).unwrap_or("");
            let parts =
                if args.len() > 2 { pattern::regexp_split_to_table(s(0), s(1), s(2))? } else { pattern::regexp_split_to_table_no_flags(s(0), s(1))? };
            parts.into_iter().map(Datum::Text).collect()
        }
        "text_to_table" | "text_to_table_null" => {
            let s = args.first().and_then(|d| d.as_str()).unwrap_or("");
            let delim = args.get(1).and_then(|d| d.as_str());
            let parts = if func.prosrc == "text_to_table" {
                string::text_to_table(s, delim)
            } else {
                string::text_to_table_null(s, delim, args.get(2).and_then(|d| d.as_str()))
            };
            parts.into_iter().map(|p| p.map(Datum::Text).unwrap_or(Datum::Null)).collect()
        }
        // No relation is a partition: a table outside a partition tree has no ancestors.
        "pg_partition_ancestors" => vec![],
        "pg_listening_channels" => env.session.side.listening().into_iter().map(Datum::Text).collect(),
        "show_all_settings" => env
            .settings
            .rows()
            .into_iter()
            .map(|s| {
                let t = |v: &str| Datum::Text(v.to_string());
                let opt = |v: Option<String>| v.map(Datum::Text).unwrap_or(Datum::Null);
                record(
                    func,
                    &[
                        ("name", t(&s.name)),
                        ("setting", t(&s.setting)),
                        ("unit", s.unit.map(t).unwrap_or(Datum::Null)),
                        ("vartype", t(s.vartype)),
                        ("context", t(s.context)),
                        ("source", t(s.source)),
                        ("min_val", opt(s.min_val)),
                        ("max_val", opt(s.max_val)),
                        (
                            "enumvals",
                            s.enumvals
                                .map(|v| {
                                    Datum::Array(Box::new(oa_ir::datum::Array::from_elems(
                                        oa_ir::types::oid::TEXT,
                                        v.into_iter().map(Datum::Text).collect(),
                                    )))
                                })
                                .unwrap_or(Datum::Null),
                        ),
                        ("boot_val", t(&s.boot_val)),
                        ("reset_val", t(&s.reset_val)),
                        ("pending_restart", Datum::Bool(false)),
                    ],
                )
            })
            .collect(),
        // This session only: other sessions' activity is not shared yet.
        "pg_stat_get_activity" => {
            let pid = args.first().and_then(|d| d.as_i64());
            if pid.is_some_and(|p| p != env.session.backend_pid as i64) {
                return Ok(vec![]);
            }
            let s = env.session;
            let named = |catalog: &str, col: &str, name: &str| -> Result<Datum> {
                let rows = crate::catalog::scan_catalog(env.storage, env.snapshot, catalog)?;
                Ok(rows
                    .iter()
                    .find(|(r, c)| c.get(col).and_then(|i| r.get(*i)).and_then(|d| d.as_str()) == Some(name))
                    .and_then(|(r, c)| c.get("oid").and_then(|i| r.get(*i)).cloned())
                    .unwrap_or(Datum::Null))
            };
            let datid = named("pg_database", "datname", &s.database)?;
            let usesysid = named("pg_authid", "rolname", &s.user)?;
            let app = env.settings.get("application_name").unwrap_or_default();
            vec![record(
                func,
                &[
                    ("datid", datid),
                    ("pid", Datum::Int32(s.backend_pid)),
                    ("usesysid", usesysid),
                    ("application_name", Datum::Text(app)),
                    ("state", Datum::Text("active".into())),
                    ("query", Datum::Text(String::new())),
                    ("xact_start", Datum::Int64(s.transaction_timestamp)),
                    ("query_start", Datum::Int64(s.statement_timestamp)),
                    ("state_change", Datum::Int64(s.statement_timestamp)),
                    ("backend_type", Datum::Text("client backend".into())),
                    ("ssl", Datum::Bool(false)),
                    ("gss_auth", Datum::Bool(false)),
                    ("gss_enc", Datum::Bool(false)),
                ],
            )]
        }
        "pg_get_keywords" => oa_grammar::keywords::KEYWORDS
            .iter()
            .map(|(word, _, cat, bare)| {
                use oa_grammar::keywords::KwCategory as K;
                let (code, desc) = match cat {
                    K::Unreserved => ('U', "unreserved"),
                    K::ColName => ('C', "unreserved (cannot be function or type name)"),
                    K::TypeFuncName => ('T', "reserved (can be function or type name)"),
                    K::Reserved => ('R', "reserved"),
                };
                record(
                    func,
                    &[
                        ("word", Datum::Text(word.to_string())),
                        ("catcode", Datum::Char(code as u8)),
                        ("barelabel", Datum::Bool(*bare)),
                        ("catdesc", Datum::Text(desc.into())),
                        ("baredesc", Datum::Text(if *bare { "can be bare label" } else { "requires AS" }.into())),
                    ],
                )
            })
            .collect(),
        "aclexplode" => {
            let Some(Datum::Array(acl)) = args.first() else { return Ok(vec![]) };
            let roles = crate::catalog::scan_catalog(env.storage, env.snapshot, "pg_authid")?;
            let role = |name: &str| -> Datum {
                if name.is_empty() {
                    return Datum::Oid(0);
                }
                roles
                    .iter()
                    .find(|(r, c)| c.get("rolname").and_then(|i| r.get(*i)).and_then(|d| d.as_str()) == Some(name))
                    .and_then(|(r, c)| c.get("oid").and_then(|i| r.get(*i)).cloned())
                    .unwrap_or(Datum::Null)
            };
            let mut out = Vec::new();
            for item in &acl.elems {
                let Some(text) = item.as_str() else { continue };
                let Some((grantee, rest)) = text.split_once('=') else { continue };
                let (privs, grantor) = rest.split_once('/').unwrap_or((rest, ""));
                let mut chars = privs.chars().peekable();
                while let Some(p) = chars.next() {
                    let grantable = chars.peek() == Some(&'*');
                    if grantable {
                        chars.next();
                    }
                    let name = match p {
                        'r' => "SELECT",
                        'w' => "UPDATE",
                        'a' => "INSERT",
                        'd' => "DELETE",
                        'D' => "TRUNCATE",
                        'x' => "REFERENCES",
                        't' => "TRIGGER",
                        'X' => "EXECUTE",
                        'U' => "USAGE",
                        'C' => "CREATE",
                        'T' => "TEMPORARY",
                        'c' => "CONNECT",
                        's' => "SET",
                        'A' => "ALTER SYSTEM",
                        _ => continue,
                    };
                    out.push(record(
                        func,
                        &[
                            ("grantor", role(grantor)),
                            ("grantee", role(grantee)),
                            ("privilege_type", Datum::Text(name.into())),
                            ("is_grantable", Datum::Bool(grantable)),
                        ],
                    ));
                }
            }
            out
        }
        // Nothing to report: no locks table, prepared transactions, replication,
        // extensions, cursors, progress, shared memory or configuration files here.
        "pg_lock_status"
        | "pg_prepared_xact"
        | "pg_get_replication_slots"
        | "pg_stat_get_wal_senders"
        | "pg_stat_get_subscription"
        | "pg_show_replication_origin_status"
        | "pg_cursor"
        | "pg_available_extensions"
        | "pg_available_extension_versions"
        | "pg_prepared_statement"
        | "pg_get_shmem_allocations"
        | "pg_get_backend_memory_contexts"
        | "pg_hba_file_rules"
        | "pg_ident_file_mappings"
        | "show_all_file_settings"
        | "pg_stat_get_progress_info"
        | "pg_options_to_table"
        | "pg_stat_get_wal_receiver"
        | "pg_stat_get_recovery_prefetch"
        | "pg_stat_get_slru" => vec![],
        // information_schema._pg_expandarray: each element with its 1-based position.
        _ if func.name == "_pg_expandarray" => {
            let Some(Datum::Array(a)) = args.first() else { return Ok(vec![]) };
            a.elems.iter().enumerate().map(|(i, e)| record(func, &[("x", e.clone()), ("n", Datum::Int32(i as i32 + 1))])).collect()
        }
        _ => return Err(Error::feature_not_supported(format!("set-returning function {} is not supported yet", func.name))),
    })
}

/// One row of a function with OUT parameters: the named fields, NULL for the rest.
fn record(func: &FuncRef, values: &[(&str, Datum)]) -> Datum {
    let fields = oa_ir::types::records::fields(func.ret_type).unwrap_or_else(|| std::sync::Arc::from(Vec::new()));
    let types = fields.iter().map(|(_, t)| t.oid).collect();
    let data = fields.iter().map(|(n, _)| values.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or(Datum::Null)).collect();
    Datum::Record(Box::new(oa_ir::datum::Record::new(types, data)))
}
