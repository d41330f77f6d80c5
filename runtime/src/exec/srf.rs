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
        _ => return Err(Error::feature_not_supported(format!("set-returning function {} is not supported yet", func.name))),
    })
}
