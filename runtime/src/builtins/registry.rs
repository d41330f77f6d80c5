//! Binds built-in implementations to pg_proc.prosrc names. Comparison and
//! arithmetic on the common representations run vectorized; everything else
//! runs per row through the typed adapters in `exec::func`.

use std::cmp::Ordering;
use std::sync::Arc;

use oa_ir::datetime::{self as dt, Interval};
use oa_ir::datum::{Array, Datum, Record, float_cmp};
use oa_ir::numeric::Numeric;
use oa_ir::typeio;
use oa_ir::types::{Oid, oid};
use oa_ir::{Error, Result, SqlState};

use super::{math, pattern, string};
use crate::exec::func::{FnContext, Kernel, Registry, SequenceOp, f0, f1, f2, f3, fc, fd, i, n, s};
use crate::exec::vector::{Bitmap, Column, ColumnData};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn test(self, o: Ordering) -> bool {
        match self {
            Cmp::Eq => o == Ordering::Equal,
            Cmp::Ne => o != Ordering::Equal,
            Cmp::Lt => o == Ordering::Less,
            Cmp::Le => o != Ordering::Greater,
            Cmp::Gt => o == Ordering::Greater,
            Cmp::Ge => o != Ordering::Less,
        }
    }
}

const CMPS: [(Cmp, &str, &str); 6] =
    [(Cmp::Eq, "eq", "eq"), (Cmp::Ne, "ne", "ne"), (Cmp::Lt, "lt", "lt"), (Cmp::Le, "le", "le"), (Cmp::Gt, "gt", "gt"), (Cmp::Ge, "ge", "ge")];

/// How two values compare for a family of comparison functions.
type Comparator = fn(&Datum, &Datum, &FnContext) -> Result<Ordering>;

fn as_f64(d: &Datum) -> f64 {
    match d {
        Datum::Float32(v) => *v as f64,
        Datum::Float64(v) => *v,
        other => other.as_i64().unwrap_or(0) as f64,
    }
}

fn cmp_int(a: &Datum, b: &Datum, _: &FnContext) -> Result<Ordering> {
    Ok(a.as_i64().unwrap_or(0).cmp(&b.as_i64().unwrap_or(0)))
}

fn cmp_float(a: &Datum, b: &Datum, _: &FnContext) -> Result<Ordering> {
    Ok(float_cmp(as_f64(a), as_f64(b)))
}

fn cmp_generic(a: &Datum, b: &Datum, _: &FnContext) -> Result<Ordering> {
    Ok(a.sql_cmp(b))
}

fn cmp_bpchar(a: &Datum, b: &Datum, _: &FnContext) -> Result<Ordering> {
    match (a, b) {
        (Datum::Text(x), Datum::Text(y)) => Ok(typeio::bpchar_cmp(x, y)),
        _ => Ok(a.sql_cmp(b)),
    }
}

fn record_arg(a: &[Datum], k: usize) -> Result<&Record> {
    match a.get(k) {
        Some(Datum::Record(r)) => Ok(r),
        _ => Err(Error::internal("record comparison of a non-record value")),
    }
}

fn record_type_name(t: Oid) -> String {
    typeio::format_type(t, -1, &|_| None)
}

/// The two records' field types at logical column `j`, which must agree.
fn record_column_type(a: &Record, b: &Record, j: usize) -> Result<Oid> {
    let (ta, tb) = (a.types.get(j).copied().unwrap_or(oid::UNKNOWN), b.types.get(j).copied().unwrap_or(oid::UNKNOWN));
    if ta != tb {
        return Err(Error::new(
            SqlState::DATATYPE_MISMATCH,
            format!("cannot compare dissimilar column types {} and {} at record column {}", record_type_name(ta), record_type_name(tb), j + 1),
        ));
    }
    Ok(ta)
}

fn record_count_mismatch() -> Error {
    Error::new(SqlState::DATATYPE_MISMATCH, "cannot compare record types with different numbers of columns")
}

/// Two non-NULL field values of one type, in that type's default btree order.
fn record_field_cmp(t: Oid, x: &Datum, y: &Datum) -> Result<Ordering> {
    Ok(match (x, y) {
        (Datum::Record(p), Datum::Record(q)) => record_compare(p, q)?,
        (Datum::Text(p), Datum::Text(q)) if t == oid::BPCHAR => typeio::bpchar_cmp(p, q),
        _ => x.sql_cmp(y),
    })
}

/// record_eq: field by field, two NULLs equal; the first unequal pair decides
/// (a column-count mismatch is reported only when every shared column matched).
fn record_equal(a: &Record, b: &Record) -> Result<bool> {
    for j in 0..a.fields.len().min(b.fields.len()) {
        let t = record_column_type(a, b, j)?;
        if matches!(t, oid::UNKNOWN | oid::JSON | oid::XML | oid::CSTRING) {
            return Err(Error::new(
                SqlState::UNDEFINED_FUNCTION,
                format!("could not identify an equality operator for type {}", record_type_name(t)),
            ));
        }
        let (x, y) = (&a.fields[j], &b.fields[j]);
        match (x.is_null(), y.is_null()) {
            (true, true) => continue,
            (true, false) | (false, true) => return Ok(false),
            _ => {
                let eq = match (x, y) {
                    (Datum::Record(p), Datum::Record(q)) => record_equal(p, q)?,
                    _ => record_field_cmp(t, x, y)? == Ordering::Equal,
                };
                if !eq {
                    return Ok(false);
                }
            }
        }
    }
    if a.fields.len() != b.fields.len() {
        return Err(record_count_mismatch());
    }
    Ok(true)
}

/// record_cmp: field by field, two NULLs equal and NULL above any value.
fn record_compare(a: &Record, b: &Record) -> Result<Ordering> {
    for j in 0..a.fields.len().min(b.fields.len()) {
        let t = record_column_type(a, b, j)?;
        if matches!(t, oid::UNKNOWN | oid::JSON | oid::XML | oid::CSTRING | oid::XID | oid::CID) {
            return Err(Error::new(
                SqlState::UNDEFINED_FUNCTION,
                format!("could not identify a comparison function for type {}", record_type_name(t)),
            ));
        }
        let (x, y) = (&a.fields[j], &b.fields[j]);
        let o = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => record_field_cmp(t, x, y)?,
        };
        if o != Ordering::Equal {
            return Ok(o);
        }
    }
    if a.fields.len() != b.fields.len() {
        return Err(record_count_mismatch());
    }
    Ok(Ordering::Equal)
}

fn ts_of_date(d: &Datum) -> Result<i64> {
    match d {
        Datum::Int32(v) => dt::date_timestamp(*v),
        Datum::Int64(v) => Ok(*v),
        _ => Ok(0),
    }
}

fn cmp_date_ts(a: &Datum, b: &Datum, _: &FnContext) -> Result<Ordering> {
    Ok(ts_of_date(a)?.cmp(&ts_of_date(b)?))
}

fn tstz_of(d: &Datum, ctx: &FnContext, is_date: bool, is_ts: bool) -> Result<i64> {
    match d {
        Datum::Int32(v) if is_date => dt::date_timestamptz(*v, &ctx.io.time_zone),
        Datum::Int64(v) if is_ts => dt::timestamp_timestamptz(*v, &ctx.io.time_zone),
        Datum::Int64(v) => Ok(*v),
        _ => Ok(0),
    }
}

/// A vectorized comparison: fast loops for same-representation columns,
/// the comparator per row otherwise.
/// `natural` says equal representations compare in their natural order
/// (integers, and text in the C collation), which allows the fast loops.
fn cmp_kernel(op: Cmp, cmp: Comparator, natural: bool) -> Kernel {
    Kernel::Vector(Arc::new(move |cols: &[Column], len: usize, ctx: &mut FnContext| {
        let (a, b) = (&cols[0], &cols[1]);
        let validity = match (&a.validity, &b.validity) {
            (None, None) => None,
            (Some(x), None) | (None, Some(x)) => Some(x.clone()),
            (Some(x), Some(y)) => Some(x.and(y)),
        };
        macro_rules! fast {
            ($x:expr, $y:expr) => {
                (0..len).map(|k| op.test($x[k].cmp(&$y[k]))).collect::<Vec<bool>>()
            };
        }
        let out: Vec<bool> = match (&a.data, &b.data) {
            (ColumnData::I32(x), ColumnData::I32(y)) if natural => fast!(x, y),
            (ColumnData::I64(x), ColumnData::I64(y)) if natural => fast!(x, y),
            (ColumnData::Text(x), ColumnData::Text(y)) if natural => (0..len).map(|k| op.test(x.get(k).cmp(y.get(k)))).collect(),
            (ColumnData::F64(x), ColumnData::F64(y)) => (0..len).map(|k| op.test(float_cmp(x[k], y[k]))).collect(),
            (ColumnData::Numeric(x), ColumnData::Numeric(y)) => (0..len).map(|k| op.test(x[k].cmp_numeric(&y[k]))).collect(),
            _ => {
                let mut v = Vec::with_capacity(len);
                for k in 0..len {
                    if !(a.is_valid(k) && b.is_valid(k)) {
                        v.push(false);
                        continue;
                    }
                    v.push(op.test(cmp(&a.datum(k), &b.datum(k), ctx)?));
                }
                v
            }
        };
        Ok(Column { data: ColumnData::Bool(out), validity })
    }))
}

fn add_cmp_family(r: &mut Registry, names: [&'static str; 6], cmp: Comparator) {
    add_family(r, names, cmp, false);
}

/// A family whose same-representation operands compare in natural order.
fn add_natural_family(r: &mut Registry, names: [&'static str; 6], cmp: Comparator) {
    add_family(r, names, cmp, true);
}

fn add_family(r: &mut Registry, names: [&'static str; 6], cmp: Comparator, natural: bool) {
    for (k, (op, _, _)) in CMPS.iter().enumerate() {
        r.add(names[k], cmp_kernel(*op, cmp, natural));
    }
}

/// A vectorized binary kernel over two typed columns with a fallible op.
fn vec2<A, B, R>(
    get_a: fn(&ColumnData) -> Option<&Vec<A>>,
    get_b: fn(&ColumnData) -> Option<&Vec<B>>,
    wrap: fn(Vec<R>) -> ColumnData,
    zero: R,
    f: fn(A, B) -> Result<R>,
    fallback: Kernel,
) -> Kernel
where
    R: Copy + Send + Sync + 'static,
    A: Copy + 'static,
    B: Copy + 'static,
{
    Kernel::Vector(Arc::new(move |cols: &[Column], len: usize, ctx: &mut FnContext| {
        let (a, b) = (&cols[0], &cols[1]);
        let (Some(x), Some(y)) = (get_a(&a.data), get_b(&b.data)) else {
            return per_row(&fallback, cols, len, ctx);
        };
        let validity = match (&a.validity, &b.validity) {
            (None, None) => None,
            (Some(p), None) | (None, Some(p)) => Some(p.clone()),
            (Some(p), Some(q)) => Some(p.and(q)),
        };
        let mut out = Vec::with_capacity(len);
        match &validity {
            None => {
                for k in 0..len {
                    out.push(f(x[k], y[k])?);
                }
            }
            Some(v) => {
                for k in 0..len {
                    out.push(if v.get(k) { f(x[k], y[k])? } else { zero });
                }
            }
        }
        Ok(Column { data: wrap(out), validity })
    }))
}

/// Runs a scalar kernel row by row over columns (strict: NULL in, NULL out).
fn per_row(k: &Kernel, cols: &[Column], len: usize, ctx: &mut FnContext) -> Result<Column> {
    let Kernel::Scalar(f) = k else { return Err(Error::internal("vector fallback must be scalar")) };
    let mut out = Vec::with_capacity(len);
    for row in 0..len {
        let args: Vec<Datum> = cols.iter().map(|c| c.datum(row)).collect();
        if args.iter().any(Datum::is_null) {
            out.push(Datum::Null);
        } else {
            out.push(f(&args, ctx)?);
        }
    }
    Ok(crate::exec::eval::column_from_datums(out))
}

fn i32s(d: &ColumnData) -> Option<&Vec<i32>> {
    if let ColumnData::I32(v) = d { Some(v) } else { None }
}
fn i64s(d: &ColumnData) -> Option<&Vec<i64>> {
    if let ColumnData::I64(v) = d { Some(v) } else { None }
}
fn f64s(d: &ColumnData) -> Option<&Vec<f64>> {
    if let ColumnData::F64(v) = d { Some(v) } else { None }
}

fn num_bin(f: fn(&Numeric, &Numeric) -> Result<Numeric>) -> Kernel {
    Kernel::Vector(Arc::new(move |cols: &[Column], len: usize, _ctx: &mut FnContext| {
        let (a, b) = (&cols[0], &cols[1]);
        let (ColumnData::Numeric(x), ColumnData::Numeric(y)) = (&a.data, &b.data) else {
            // A NULL-only column may arrive in another representation: go row by row.
            let mut out = Vec::with_capacity(len);
            for k in 0..len {
                out.push(match (a.datum(k), b.datum(k)) {
                    (Datum::Numeric(p), Datum::Numeric(q)) => Datum::Numeric(f(&p, &q)?),
                    (Datum::Null, _) | (_, Datum::Null) => Datum::Null,
                    _ => return Err(Error::internal("numeric kernel over non-numeric columns")),
                });
            }
            let mut col = Column::empty(oa_ir::types::PhysicalType::Numeric, len);
            for d in &out {
                col.push_datum(d);
            }
            return Ok(col);
        };
        let validity = match (&a.validity, &b.validity) {
            (None, None) => None,
            (Some(p), None) | (None, Some(p)) => Some(p.clone()),
            (Some(p), Some(q)) => Some(p.and(q)),
        };
        let mut out = Vec::with_capacity(len);
        for k in 0..len {
            if validity.as_ref().is_none_or(|v| v.get(k)) {
                out.push(f(&x[k], &y[k])?);
            } else {
                out.push(Numeric::zero());
            }
        }
        Ok(Column { data: ColumnData::Numeric(out), validity })
    }))
}

fn tz_err() -> Error {
    Error::internal("time zone")
}

fn extract_text(v: Option<String>) -> Result<Datum> {
    match v {
        Some(v) => Ok(Datum::Numeric(Numeric::parse(&v)?)),
        None => Ok(Datum::Null),
    }
}

fn array_dims_text(a: &Array) -> Option<String> {
    if a.dims.is_empty() {
        return None;
    }
    Some(a.dims.iter().map(|d| format!("[{}:{}]", d.lower, d.lower + d.len - 1)).collect())
}

/// Converts any value to text by its type's output function (concat, format).
fn any_text(d: &Datum, ty: oa_ir::SqlType, ctx: &FnContext) -> Result<Option<String>> {
    if d.is_null() {
        return Ok(None);
    }
    let elem_of = |t: oa_ir::Oid| typeio::builtin_array_elem(t).map(|e| (e, b','));
    Ok(Some(oa_ir::io::output(ty, d, ctx.io, &elem_of)?))
}

/// num_nulls / num_nonnulls over their variadic arguments (an explicit
/// VARIADIC array counts its elements).
fn count_variadic_nulls(a: &[Datum], nulls: bool) -> i32 {
    a.iter().filter(|d| d.is_null() == nulls).count() as i32
}

/// OVERLAPS where some ends are intervals (`kinds[i]` true): each interval
/// end becomes its start plus the interval, as the SQL definitions do.
fn overlaps_with_intervals(a: &[Datum], kinds: [bool; 4], add: impl Fn(i64, Interval) -> Result<i64>) -> Result<Datum> {
    let mut v: [Option<i64>; 4] = [None; 4];
    for k in 0..4 {
        v[k] = match (kinds[k], a.get(k)) {
            (true, Some(Datum::Interval(iv))) => match k.checked_sub(1).and_then(|j| v[j]) {
                Some(start) => Some(add(start, *iv)?),
                None => None,
            },
            (_, Some(d)) => d.as_i64(),
            (_, None) => None,
        };
    }
    Ok(dt::overlaps_generic(v[0], v[1], v[2], v[3]).map(Datum::Bool).unwrap_or(Datum::Null))
}

/// The actual type of argument `i` (for "any" arguments).
fn arg_type(c: &FnContext, i: usize) -> oa_ir::SqlType {
    c.arg_types.get(i).copied().unwrap_or(oa_ir::SqlType::TEXT)
}

fn not_distinct(a: &Datum, b: &Datum) -> bool {
    match (a.is_null(), b.is_null()) {
        (true, true) => true,
        (false, false) => a.sql_eq(b),
        _ => false,
    }
}

/// array_position[s]: subscripts of the elements not distinct from the
/// value, from `start` on; one (or NULL) or all of them.
fn array_search(a: &[Datum], start: Option<i64>, all: bool) -> Result<Datum> {
    let Some(Datum::Array(arr)) = a.first() else { return Ok(Datum::Null) };
    if arr.dims.len() > 1 {
        return Err(Error::feature_not_supported("searching for elements in multidimensional arrays is not supported"));
    }
    if a.len() > 2 && start.is_none() {
        return Err(Error::new(SqlState::NULL_VALUE_NOT_ALLOWED, "initial position must not be null"));
    }
    let x = a.get(1).cloned().unwrap_or(Datum::Null);
    let lower = arr.dims.first().map_or(1, |d| d.lower) as i64;
    let from = start.unwrap_or(lower);
    let hits = arr
        .elems
        .iter()
        .enumerate()
        .map(|(k, e)| (lower + k as i64, e))
        .filter(|(sub, e)| *sub >= from && not_distinct(e, &x))
        .map(|(sub, _)| Datum::Int32(sub as i32));
    if all {
        return Ok(Datum::Array(Box::new(Array::from_elems(oid::INT4, hits.collect()))));
    }
    Ok(hits.into_iter().next().unwrap_or(Datum::Null))
}

/// array_remove (drop elements not distinct from a[1]) and array_replace
/// (put a[2] in their place), keeping the lower bound.
fn array_replace(a: &[Datum], replace: bool) -> Result<Datum> {
    let Some(Datum::Array(arr)) = a.first() else { return Ok(Datum::Null) };
    if arr.dims.len() > 1 && !replace {
        return Err(Error::feature_not_supported("removing elements from multidimensional arrays is not supported"));
    }
    let x = a.get(1).cloned().unwrap_or(Datum::Null);
    let mut out = (**arr).clone();
    if replace {
        let to = a.get(2).cloned().unwrap_or(Datum::Null);
        for e in out.elems.iter_mut() {
            if not_distinct(e, &x) {
                *e = to.clone();
            }
        }
        return Ok(Datum::Array(Box::new(out)));
    }
    out.elems.retain(|e| !not_distinct(e, &x));
    match out.dims.first_mut() {
        Some(d) if !out.elems.is_empty() => d.len = out.elems.len() as i32,
        _ => out.dims.clear(),
    }
    Ok(Datum::Array(Box::new(out)))
}

pub fn register(r: &mut Registry) {
    // ---------------------------------------------------------- comparisons
    for p in ["int2", "int4", "int8", "int24", "int42", "int48", "int84", "int28", "int82", "oid"] {
        let names: [&'static str; 6] = CMPS.map(|(_, s, _)| &*Box::leak(format!("{p}{s}").into_boxed_str()));
        add_natural_family(r, names, cmp_int);
    }
    for p in ["float4", "float8", "float48", "float84"] {
        let names: [&'static str; 6] = CMPS.map(|(_, s, _)| &*Box::leak(format!("{p}{s}").into_boxed_str()));
        add_cmp_family(r, names, cmp_float);
    }
    for p in ["numeric_", "date_", "timestamp_", "timestamptz_", "interval_", "time_", "uuid_"] {
        let names: [&'static str; 6] = CMPS.map(|(_, s, _)| &*Box::leak(format!("{p}{s}").into_boxed_str()));
        add_natural_family(r, names, cmp_generic);
    }
    add_natural_family(r, ["texteq", "textne", "text_lt", "text_le", "text_gt", "text_ge"], cmp_generic);
    add_natural_family(r, ["nameeq", "namene", "namelt", "namele", "namegt", "namege"], cmp_generic);
    add_natural_family(r, ["nameeqtext", "namenetext", "namelttext", "nameletext", "namegttext", "namegetext"], cmp_generic);
    add_natural_family(r, ["texteqname", "textnename", "textltname", "textlename", "textgtname", "textgename"], cmp_generic);
    add_cmp_family(r, ["bpchareq", "bpcharne", "bpcharlt", "bpcharle", "bpchargt", "bpcharge"], cmp_bpchar);
    add_natural_family(r, ["booleq", "boolne", "boollt", "boolle", "boolgt", "boolge"], cmp_generic);
    add_natural_family(r, ["chareq", "charne", "charlt", "charle", "chargt", "charge"], cmp_generic);
    add_natural_family(r, ["byteaeq", "byteane", "bytealt", "byteale", "byteagt", "byteage"], cmp_generic);
    add_natural_family(r, ["array_eq", "array_ne", "array_lt", "array_le", "array_gt", "array_ge"], cmp_generic);
    r.add("record_eq", fd(|a| Ok(Datum::Bool(record_equal(record_arg(a, 0)?, record_arg(a, 1)?)?))));
    r.add("record_ne", fd(|a| Ok(Datum::Bool(!record_equal(record_arg(a, 0)?, record_arg(a, 1)?)?))));
    for (op, name) in [(Cmp::Lt, "record_lt"), (Cmp::Le, "record_le"), (Cmp::Gt, "record_gt"), (Cmp::Ge, "record_ge")] {
        r.add(name, fd(move |a| Ok(Datum::Bool(op.test(record_compare(record_arg(a, 0)?, record_arg(a, 1)?)?)))));
    }
    r.add(
        "btrecordcmp",
        fd(|a| {
            Ok(Datum::Int32(match record_compare(record_arg(a, 0)?, record_arg(a, 1)?)? {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            }))
        }),
    );
    add_cmp_family(
        r,
        ["date_eq_timestamp", "date_ne_timestamp", "date_lt_timestamp", "date_le_timestamp", "date_gt_timestamp", "date_ge_timestamp"],
        cmp_date_ts,
    );
    add_cmp_family(
        r,
        ["timestamp_eq_date", "timestamp_ne_date", "timestamp_lt_date", "timestamp_le_date", "timestamp_gt_date", "timestamp_ge_date"],
        cmp_date_ts,
    );
    fn cmp_date_tstz(a: &Datum, b: &Datum, c: &FnContext) -> Result<Ordering> {
        Ok(tstz_of(a, c, true, false)?.cmp(&tstz_of(b, c, false, false)?))
    }
    fn cmp_tstz_date(a: &Datum, b: &Datum, c: &FnContext) -> Result<Ordering> {
        Ok(tstz_of(a, c, false, false)?.cmp(&tstz_of(b, c, true, false)?))
    }
    fn cmp_ts_tstz(a: &Datum, b: &Datum, c: &FnContext) -> Result<Ordering> {
        Ok(tstz_of(a, c, false, true)?.cmp(&tstz_of(b, c, false, false)?))
    }
    fn cmp_tstz_ts(a: &Datum, b: &Datum, c: &FnContext) -> Result<Ordering> {
        Ok(tstz_of(a, c, false, false)?.cmp(&tstz_of(b, c, false, true)?))
    }
    add_cmp_family(
        r,
        ["date_eq_timestamptz", "date_ne_timestamptz", "date_lt_timestamptz", "date_le_timestamptz", "date_gt_timestamptz", "date_ge_timestamptz"],
        cmp_date_tstz,
    );
    add_cmp_family(
        r,
        ["timestamptz_eq_date", "timestamptz_ne_date", "timestamptz_lt_date", "timestamptz_le_date", "timestamptz_gt_date", "timestamptz_ge_date"],
        cmp_tstz_date,
    );
    add_cmp_family(
        r,
        [
            "timestamp_eq_timestamptz",
            "timestamp_ne_timestamptz",
            "timestamp_lt_timestamptz",
            "timestamp_le_timestamptz",
            "timestamp_gt_timestamptz",
            "timestamp_ge_timestamptz",
        ],
        cmp_ts_tstz,
    );
    add_cmp_family(
        r,
        [
            "timestamptz_eq_timestamp",
            "timestamptz_ne_timestamp",
            "timestamptz_lt_timestamp",
            "timestamptz_le_timestamp",
            "timestamptz_gt_timestamp",
            "timestamptz_ge_timestamp",
        ],
        cmp_tstz_ts,
    );

    // ---------------------------------------------------------- integer arithmetic
    macro_rules! int_bin {
        ($($name:ident),*) => { $( r.add(stringify!($name), f2(math::$name)); )* };
    }
    int_bin!(int2pl, int2mi, int2mul, int2div, int2mod, int8pl, int8mi, int8mul, int8div, int8mod);
    int_bin!(int24pl, int24mi, int24mul, int24div, int42pl, int42mi, int42mul, int42div);
    int_bin!(int48pl, int48mi, int48mul, int48div, int84pl, int84mi, int84mul, int84div);
    int_bin!(int28pl, int28mi, int28mul, int28div, int82pl, int82mi, int82mul, int82div);
    int_bin!(int4gcd, int4lcm, int8gcd, int8lcm);
    int_bin!(int2and, int2or, int2xor, int4and, int4or, int4xor, int8and, int8or, int8xor);
    r.add("int4pl", vec2(i32s, i32s, ColumnData::I32, 0, math::int4pl, f2(math::int4pl)));
    r.add("int4mi", vec2(i32s, i32s, ColumnData::I32, 0, math::int4mi, f2(math::int4mi)));
    r.add("int4mul", vec2(i32s, i32s, ColumnData::I32, 0, math::int4mul, f2(math::int4mul)));
    r.add("int4div", f2(math::int4div));
    r.add("int4mod", f2(math::int4mod));
    r.add("int8pl", vec2(i64s, i64s, ColumnData::I64, 0, math::int8pl, f2(math::int8pl)));
    r.add("int8mi", vec2(i64s, i64s, ColumnData::I64, 0, math::int8mi, f2(math::int8mi)));
    r.add("int8mul", vec2(i64s, i64s, ColumnData::I64, 0, math::int8mul, f2(math::int8mul)));
    macro_rules! int_un {
        ($($name:ident),*) => { $( r.add(stringify!($name), f1(math::$name)); )* };
    }
    int_un!(int2um, int4um, int8um, int2abs, int4abs, int8abs, int2up, int4up, int8up, int2not, int4not, int8not);
    int_un!(int4inc, int8inc, int8dec);
    r.add("int4larger", f2(math::int4larger));
    r.add("int4smaller", f2(math::int4smaller));
    r.add("int8larger", f2(math::int8larger));
    r.add("int8smaller", f2(math::int8smaller));
    r.add("int2larger", f2(math::int2larger));
    r.add("int2smaller", f2(math::int2smaller));
    r.add("int2shl", f2(math::int2shl));
    r.add("int2shr", f2(math::int2shr));
    r.add("int4shl", f2(math::int4shl));
    r.add("int4shr", f2(math::int4shr));
    r.add("int8shl", f2(math::int8shl));
    r.add("int8shr", f2(math::int8shr));

    // ---------------------------------------------------------- float arithmetic
    r.add("float8pl", vec2(f64s, f64s, ColumnData::F64, 0.0, math::float8pl, f2(math::float8pl)));
    r.add("float8mi", vec2(f64s, f64s, ColumnData::F64, 0.0, math::float8mi, f2(math::float8mi)));
    r.add("float8mul", vec2(f64s, f64s, ColumnData::F64, 0.0, math::float8mul, f2(math::float8mul)));
    r.add("float8div", vec2(f64s, f64s, ColumnData::F64, 0.0, math::float8div, f2(math::float8div)));
    macro_rules! float_bin {
        ($($name:ident),*) => { $( r.add(stringify!($name), f2(math::$name)); )* };
    }
    float_bin!(float4pl, float4mi, float4mul, float4div, float48pl, float48mi, float48mul, float48div, float84pl, float84mi, float84mul, float84div);
    r.add("float4um", f1(math::float4um));
    r.add("float4up", f1(math::float4up));
    r.add("float4abs", f1(math::float4abs));
    r.add("float8um", f1(math::float8um));
    r.add("float8up", f1(math::float8up));
    r.add("float8abs", f1(math::float8abs));
    r.add("float8larger", f2(math::float8larger));
    r.add("float8smaller", f2(math::float8smaller));
    r.add("float4larger", f2(math::float4larger));
    r.add("float4smaller", f2(math::float4smaller));
    macro_rules! dfun1 {
        ($($name:ident),*) => { $( r.add(stringify!($name), f1(math::$name)); )* };
    }
    dfun1!(dround, dceil, dfloor, dsign, dtrunc, dsqrt, dcbrt, dexp, dlog1, dlog10, dacos, dasin, datan, dcos, dcot, dsin, dtan);
    dfun1!(dacosd, dasind, datand, dcosd, dcotd, dsind, dtand, degrees, radians, dsinh, dcosh, dtanh, dasinh, dacosh, datanh);
    r.add("dpow", f2(math::dpow));
    r.add("datan2", f2(math::datan2));
    r.add("datan2d", f2(math::datan2d));
    r.add("dpi", f0(math::dpi));
    r.add("drandom", fc(|_, c| Ok(Datum::Float64(math::drandom(c.host.random())))));
    r.add(
        "setseed",
        fc(|a, c| {
            math::setseed(c.host.random(), i(a, 0)?)?;
            Ok(Datum::Null)
        }),
    );
    r.add("width_bucket_float8", fd(|a| Ok(Datum::Int32(math::width_bucket_float8(i(a, 0)?, i(a, 1)?, i(a, 2)?, i(a, 3)?)?))));

    // ---------------------------------------------------------- numeric
    r.add("numeric_add", num_bin(Numeric::add));
    r.add("numeric_sub", num_bin(Numeric::sub));
    r.add("numeric_mul", num_bin(Numeric::mul));
    r.add("numeric_div", num_bin(Numeric::div));
    r.add("numeric_mod", fd(|a| Ok(Datum::Numeric(n(a, 0)?.modulo(n(a, 1)?)?))));
    r.add("numeric_div_trunc", fd(|a| Ok(Datum::Numeric(n(a, 0)?.div_trunc(n(a, 1)?)?))));
    r.add("numeric_uminus", fd(|a| Ok(Datum::Numeric(n(a, 0)?.neg()))));
    r.add("numeric_uplus", fd(|a| Ok(Datum::Numeric(n(a, 0)?.clone()))));
    r.add("numeric_abs", fd(|a| Ok(Datum::Numeric(n(a, 0)?.abs()))));
    r.add("numeric_sign", fd(|a| Ok(Datum::Numeric(n(a, 0)?.sign()))));
    r.add("numeric_round", fd(|a| Ok(Datum::Numeric(n(a, 0)?.round(i(a, 1)?)?))));
    r.add("numeric_trunc", fd(|a| Ok(Datum::Numeric(n(a, 0)?.trunc(i(a, 1)?)))));
    r.add("numeric_ceil", fd(|a| Ok(Datum::Numeric(n(a, 0)?.ceil()?))));
    r.add("numeric_floor", fd(|a| Ok(Datum::Numeric(n(a, 0)?.floor()?))));
    r.add("numeric_sqrt", fd(|a| Ok(Datum::Numeric(n(a, 0)?.sqrt()?))));
    r.add("numeric_exp", fd(|a| Ok(Datum::Numeric(n(a, 0)?.exp()?))));
    r.add("numeric_ln", fd(|a| Ok(Datum::Numeric(n(a, 0)?.ln()?))));
    r.add("numeric_log", fd(|a| Ok(Datum::Numeric(Numeric::log(n(a, 0)?, n(a, 1)?)?))));
    r.add("numeric_power", fd(|a| Ok(Datum::Numeric(n(a, 0)?.power(n(a, 1)?)?))));
    r.add("numeric_larger", fd(|a| Ok(Datum::Numeric(if n(a, 0)? >= n(a, 1)? { n(a, 0)?.clone() } else { n(a, 1)?.clone() }))));
    r.add("numeric_smaller", fd(|a| Ok(Datum::Numeric(if n(a, 0)? <= n(a, 1)? { n(a, 0)?.clone() } else { n(a, 1)?.clone() }))));
    r.add("numeric_gcd", fd(|a| Ok(Datum::Numeric(n(a, 0)?.gcd(n(a, 1)?)?))));
    r.add("numeric_lcm", fd(|a| Ok(Datum::Numeric(n(a, 0)?.lcm(n(a, 1)?)?))));
    r.add("numeric_scale", fd(|a| Ok(n(a, 0)?.scale().map(Datum::Int32).unwrap_or(Datum::Null))));
    r.add("numeric_min_scale", fd(|a| Ok(n(a, 0)?.min_scale().map(Datum::Int32).unwrap_or(Datum::Null))));
    r.add("numeric_trim_scale", fd(|a| Ok(Datum::Numeric(n(a, 0)?.trim_scale()))));
    r.add("numeric_fac", f1(|v: i64| Numeric::factorial(v)));
    // round(numeric) and trunc(numeric) are SQL functions in pg_proc.
    r.add("oid:1708", fd(|a| Ok(Datum::Numeric(n(a, 0)?.round(0)?))));
    r.add("oid:1710", fd(|a| Ok(Datum::Numeric(n(a, 0)?.trunc(0)))));
    r.add("oid:1741", fd(|a| Ok(Datum::Numeric(n(a, 0)?.log10()?))));
    r.add("oid:1481", fd(|a| Ok(Datum::Numeric(n(a, 0)?.log10()?))));
    r.add("width_bucket_numeric", fd(|a| Ok(Datum::Int32(math::width_bucket_numeric(n(a, 0)?, n(a, 1)?, n(a, 2)?, i(a, 3)?)?))));

    // ---------------------------------------------------------- casts
    r.add("int48", f1(|v: i32| v as i64));
    r.add("int84", f1(math::int84));
    r.add("int28", f1(|v: i16| v as i64));
    r.add("int82", f1(math::int82));
    r.add("i2toi4", f1(|v: i16| v as i32));
    r.add("i4toi2", f1(math::i4toi2));
    r.add("i4tod", f1(|v: i32| v as f64));
    r.add("i4tof", f1(|v: i32| v as f32));
    r.add("i2tod", f1(|v: i16| v as f64));
    r.add("i2tof", f1(|v: i16| v as f32));
    r.add("i8tod", f1(|v: i64| v as f64));
    r.add("i8tof", f1(|v: i64| v as f32));
    r.add("dtoi2", f1(math::dtoi2));
    r.add("dtoi4", f1(math::dtoi4));
    r.add("dtoi8", f1(math::dtoi8));
    r.add("ftoi2", f1(math::ftoi2));
    r.add("ftoi4", f1(math::ftoi4));
    r.add("ftoi8", f1(math::ftoi8));
    r.add("ftod", f1(|v: f32| v as f64));
    r.add("dtof", f1(math::dtof));
    r.add(
        "oidtoi8",
        fd(|a| match a.first() {
            Some(Datum::Oid(o)) => Ok(Datum::Int64(*o as i64)),
            _ => Err(Error::internal("oid argument expected")),
        }),
    );
    r.add("i8tooid", f1(|v: i64| u32::try_from(v).map_err(|_| Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "OID out of range"))));
    r.add("int4_numeric", f1(|v: i32| Numeric::from_i64(v as i64)));
    r.add("int2_numeric", f1(|v: i16| Numeric::from_i64(v as i64)));
    r.add("int8_numeric", f1(|v: i64| Numeric::from_i64(v)));
    r.add("float8_numeric", f1(|v: f64| typeio::float8_to_numeric(v)));
    r.add("float4_numeric", f1(|v: f32| typeio::float4_to_numeric(v)));
    r.add("numeric_int4", fd(|a| Ok(Datum::Int32(n(a, 0)?.to_i32()?))));
    r.add("numeric_int2", fd(|a| Ok(Datum::Int16(n(a, 0)?.to_i16()?))));
    r.add("numeric_int8", fd(|a| Ok(Datum::Int64(n(a, 0)?.to_i64()?))));
    r.add("numeric_float8", fd(|a| Ok(Datum::Float64(typeio::numeric_to_float8(n(a, 0)?)?))));
    r.add("numeric_float4", fd(|a| Ok(Datum::Float32(typeio::numeric_to_float4(n(a, 0)?)?))));
    // Length coercions: (value, typmod, is_explicit).
    r.add("numeric", fd(|a| Ok(Datum::Numeric(n(a, 0)?.apply_typmod(i(a, 1)?)?))));
    r.add("varchar", fd(|a| Ok(Datum::Text(typeio::varchar(s(a, 0)?, i(a, 1)?, i::<bool>(a, 2).unwrap_or(false))?))));
    r.add("bpchar", fd(|a| Ok(Datum::Text(typeio::bpchar(s(a, 0)?, i(a, 1)?, i::<bool>(a, 2).unwrap_or(false))?))));
    r.add("timestamp_scale", fd(|a| Ok(Datum::Int64(dt::timestamp_scale(i(a, 0)?, i(a, 1)?)?))));
    r.add("timestamptz_scale", fd(|a| Ok(Datum::Int64(dt::timestamp_scale(i(a, 0)?, i(a, 1)?)?))));
    r.add("time_scale", fd(|a| Ok(Datum::Int64(dt::time_scale(i(a, 0)?, i(a, 1)?)))));
    r.add("interval_scale", fd(|a| Ok(Datum::Interval(dt::interval_scale(i(a, 0)?, i(a, 1)?)?))));
    r.add("rtrim1", fd(|a| Ok(Datum::Text(string::rtrim1(s(a, 0)?)))));
    r.add("name_text", fd(|a| Ok(Datum::Text(s(a, 0)?.to_string()))));
    r.add("text_name", fd(|a| Ok(Datum::Text(typeio::text_to_name(s(a, 0)?).to_string()))));
    r.add("name_bpchar", fd(|a| Ok(Datum::Text(s(a, 0)?.to_string()))));
    r.add("bpchar_name", fd(|a| Ok(Datum::Text(typeio::bpchar_to_name(s(a, 0)?).to_string()))));
    r.add("char_text", fd(|a| Ok(Datum::Text(typeio::char_to_text(i(a, 0)?)))));
    r.add("text_char", fd(|a| Ok(Datum::Char(typeio::text_to_char(s(a, 0)?)))));
    r.add("char_bpchar", fd(|a| Ok(Datum::Text(typeio::char_to_text(i(a, 0)?)))));
    r.add("chartoi4", f1(typeio::char_to_int4));
    r.add("i4tochar", f1(typeio::int4_to_char));
    r.add("int4_bool", f1(typeio::int4_to_bool));
    r.add("bool_int4", f1(typeio::bool_to_int4));
    r.add("date_timestamp", f1(dt::date_timestamp));
    r.add("timestamp_date", f1(dt::timestamp_date));
    r.add("date_timestamptz", fc(|a, c| Ok(Datum::Int64(dt::date_timestamptz(i(a, 0)?, &c.io.time_zone)?))));
    r.add("timestamptz_date", fc(|a, c| Ok(Datum::Int32(dt::timestamptz_date(i(a, 0)?, &c.io.time_zone)?))));
    r.add("timestamp_timestamptz", fc(|a, c| Ok(Datum::Int64(dt::timestamp_timestamptz(i(a, 0)?, &c.io.time_zone)?))));
    r.add("timestamptz_timestamp", fc(|a, c| Ok(Datum::Int64(dt::timestamptz_timestamp(i(a, 0)?, &c.io.time_zone)?))));
    r.add("timestamp_time", fd(|a| Ok(dt::timestamp_time(i(a, 0)?)?.map(Datum::Int64).unwrap_or(Datum::Null))));
    r.add("timestamptz_time", fc(|a, c| Ok(dt::timestamptz_time(i(a, 0)?, &c.io.time_zone)?.map(Datum::Int64).unwrap_or(Datum::Null))));
    r.add("interval_time", fd(|a| Ok(Datum::Int64(dt::interval_time(i(a, 0)?)))));
    r.add("time_interval", fd(|a| Ok(Datum::Interval(dt::time_interval(i(a, 0)?)))));

    // ---------------------------------------------------------- date/time
    r.add("date_pli", f2(dt::date_pli));
    r.add("date_mii", f2(dt::date_mii));
    // integer + date and the other commuted operators are SQL functions in pg_proc.
    r.add("oid:2550", f2(|d: i32, v: i32| dt::date_pli(v, d)));
    r.add("date_mi", f2(dt::date_mi));
    r.add("date_pl_interval", f2(|d: i32, v: Interval| dt::date_pl_interval(d, v)));
    r.add("date_mi_interval", f2(|d: i32, v: Interval| dt::date_mi_interval(d, v)));
    r.add("datetime_timestamp", f2(dt::datetime_timestamp));
    r.add("oid:1296", f2(|t: i64, d: i32| dt::datetime_timestamp(d, t)));
    r.add("oid:1176", fc(|a, c| Ok(Datum::Int64(dt::timestamp_timestamptz(dt::datetime_timestamp(i(a, 0)?, i(a, 1)?)?, &c.io.time_zone)?))));
    r.add("timestamp_pl_interval", f2(|t: i64, v: Interval| dt::timestamp_pl_interval(t, v)));
    r.add("timestamp_mi_interval", f2(|t: i64, v: Interval| dt::timestamp_mi_interval(t, v)));
    r.add("oid:2548", f2(|v: Interval, t: i64| dt::timestamp_pl_interval(t, v)));
    r.add("oid:2546", f2(|v: Interval, d: i32| dt::date_pl_interval(d, v)));
    r.add("oid:2549", fc(|a, c| Ok(Datum::Int64(dt::timestamptz_pl_interval(i(a, 1)?, i(a, 0)?, &c.io.time_zone)?))));
    r.add("oid:1848", f2(|v: Interval, t: i64| dt::time_pl_interval(t, v)));
    // age(timestamp) / age(timestamptz): against midnight today.
    r.add("oid:2059", fc(|a, c| Ok(Datum::Interval(dt::timestamp_age_today(i(a, 0)?, c.session.transaction_timestamp, &c.io.time_zone)?))));
    r.add("oid:1386", fc(|a, c| Ok(Datum::Interval(dt::timestamptz_age_today(i(a, 0)?, c.session.transaction_timestamp, &c.io.time_zone)?))));
    // (s1, e1) OVERLAPS (s2, e2): not strict, NULLs follow the SQL rules.
    let opt_i64 = |d: Option<&Datum>| d.and_then(Datum::as_i64);
    r.add(
        "overlaps_timestamp",
        fd(move |a| {
            Ok(dt::overlaps_timestamp(opt_i64(a.first()), opt_i64(a.get(1)), opt_i64(a.get(2)), opt_i64(a.get(3)))
                .map(Datum::Bool)
                .unwrap_or(Datum::Null))
        }),
    );
    r.add(
        "overlaps_time",
        fd(move |a| {
            Ok(dt::overlaps_generic(opt_i64(a.first()), opt_i64(a.get(1)), opt_i64(a.get(2)), opt_i64(a.get(3)))
                .map(Datum::Bool)
                .unwrap_or(Datum::Null))
        }),
    );
    // The SQL-language variants with an interval for an end: (s, s + interval).
    for (oid_key, ts_kinds) in
        [("oid:2042", [false, true, false, true]), ("oid:2043", [false, false, false, true]), ("oid:2044", [false, true, false, false])]
    {
        r.add(oid_key, fc(move |a, _c| overlaps_with_intervals(a, ts_kinds, dt::timestamp_pl_interval)));
    }
    for (oid_key, ts_kinds) in
        [("oid:1305", [false, true, false, true]), ("oid:1306", [false, false, false, true]), ("oid:1307", [false, true, false, false])]
    {
        r.add(
            oid_key,
            fc(move |a, c| {
                let tz = c.io.time_zone.clone();
                overlaps_with_intervals(a, ts_kinds, move |t, v| dt::timestamptz_pl_interval(t, v, &tz))
            }),
        );
    }
    for (oid_key, ts_kinds) in
        [("oid:1309", [false, true, false, true]), ("oid:1310", [false, false, false, true]), ("oid:1311", [false, true, false, false])]
    {
        r.add(oid_key, fc(move |a, _c| overlaps_with_intervals(a, ts_kinds, |t, v| Ok(dt::time_pl_interval(t, v)))));
    }
    r.add(
        "make_timestamptz",
        fc(|a, c| Ok(Datum::Int64(dt::make_timestamptz(i(a, 0)?, i(a, 1)?, i(a, 2)?, i(a, 3)?, i(a, 4)?, i(a, 5)?, &c.io.time_zone)?))),
    );
    r.add("make_interval", fd(|a| Ok(Datum::Interval(dt::make_interval(i(a, 0)?, i(a, 1)?, i(a, 2)?, i(a, 3)?, i(a, 4)?, i(a, 5)?, i(a, 6)?)?))));
    r.add("make_timestamp", fd(|a| Ok(Datum::Int64(dt::make_timestamp(i(a, 0)?, i(a, 1)?, i(a, 2)?, i(a, 3)?, i(a, 4)?, i(a, 5)?)?))));
    r.add("timestamptz_pl_interval", fc(|a, c| Ok(Datum::Int64(dt::timestamptz_pl_interval(i(a, 0)?, i(a, 1)?, &c.io.time_zone)?))));
    r.add("timestamptz_mi_interval", fc(|a, c| Ok(Datum::Int64(dt::timestamptz_mi_interval(i(a, 0)?, i(a, 1)?, &c.io.time_zone)?))));
    r.add("timestamp_mi", f2(dt::timestamp_mi));
    r.add("interval_pl", f2(dt::interval_pl));
    r.add("interval_mi", f2(dt::interval_mi));
    r.add("interval_mul", f2(dt::interval_mul));
    r.add("mul_d_interval", f2(|f: f64, v: Interval| dt::interval_mul(v, f)));
    r.add("interval_div", f2(dt::interval_div));
    r.add("interval_um", f1(dt::interval_um));
    r.add("interval_larger", f2(|a: Interval, b: Interval| if dt::interval_cmp(a, b).is_ge() { a } else { b }));
    r.add("interval_smaller", f2(|a: Interval, b: Interval| if dt::interval_cmp(a, b).is_le() { a } else { b }));
    r.add("time_mi_time", f2(dt::time_mi_time));
    r.add("time_pl_interval", f2(dt::time_pl_interval));
    r.add("time_mi_interval", f2(dt::time_mi_interval));
    r.add("interval_justify_days", f1(dt::justify_days));
    r.add("interval_justify_hours", f1(dt::justify_hours));
    r.add("interval_justify_interval", f1(dt::justify_interval));
    r.add("date_finite", f1(dt::date_finite));
    r.add("timestamp_finite", f1(dt::timestamp_finite));
    r.add("interval_finite", f1(dt::interval_finite));
    r.add("timestamp_age", f2(dt::timestamp_age));
    r.add("timestamptz_age", fc(|a, c| Ok(Datum::Interval(dt::timestamptz_age(i(a, 0)?, i(a, 1)?, &c.io.time_zone)?))));
    r.add("timestamp_trunc", fd(|a| Ok(Datum::Int64(dt::timestamp_trunc(s(a, 0)?, i(a, 1)?)?))));
    r.add("timestamptz_trunc", fc(|a, c| Ok(Datum::Int64(dt::timestamptz_trunc(s(a, 0)?, i(a, 1)?, &c.io.time_zone)?))));
    r.add("timestamptz_trunc_zone", fd(|a| Ok(Datum::Int64(dt::timestamptz_trunc_zone(s(a, 0)?, i(a, 1)?, s(a, 2)?)?))));
    r.add("interval_trunc", fd(|a| Ok(Datum::Interval(dt::interval_trunc(s(a, 0)?, i(a, 1)?)?))));
    r.add("timestamp_zone", fd(|a| Ok(Datum::Int64(dt::timestamp_zone(s(a, 0)?, i(a, 1)?)?))));
    r.add("timestamptz_zone", fd(|a| Ok(Datum::Int64(dt::timestamptz_zone(s(a, 0)?, i(a, 1)?)?))));
    r.add("timestamp_izone", fc(|a, c| Ok(Datum::Int64(dt::timestamp_izone(i(a, 0)?, i(a, 1)?, c.io.interval_style)?))));
    r.add("timestamptz_izone", fc(|a, c| Ok(Datum::Int64(dt::timestamptz_izone(i(a, 0)?, i(a, 1)?, c.io.interval_style)?))));
    r.add("make_date", f3(dt::make_date));
    r.add("make_time", f3(dt::make_time));
    r.add("float8_timestamptz", f1(dt::to_timestamp));
    r.add("now", fc(|_, c| Ok(Datum::Int64(c.session.transaction_timestamp))));
    r.add("statement_timestamp", fc(|_, c| Ok(Datum::Int64(c.session.statement_timestamp))));
    r.add("clock_timestamp", fc(|_, c| Ok(Datum::Int64(c.session.statement_timestamp))));
    r.add("extract_date", fd(|a| extract_text(dt::extract_date(s(a, 0)?, i(a, 1)?)?)));
    r.add("extract_timestamp", fd(|a| extract_text(dt::extract_timestamp(s(a, 0)?, i(a, 1)?)?)));
    r.add("extract_timestamptz", fc(|a, c| extract_text(dt::extract_timestamptz(s(a, 0)?, i(a, 1)?, &c.io.time_zone)?)));
    r.add("extract_interval", fd(|a| extract_text(Some(dt::extract_interval(s(a, 0)?, i(a, 1)?)?))));
    r.add("extract_time", fd(|a| extract_text(Some(dt::extract_time(s(a, 0)?, i(a, 1)?)?))));
    r.add("timestamp_part", fd(|a| Ok(dt::timestamp_part(s(a, 0)?, i(a, 1)?)?.map(Datum::Float64).unwrap_or(Datum::Null))));
    r.add("timestamptz_part", fc(|a, c| Ok(dt::timestamptz_part(s(a, 0)?, i(a, 1)?, &c.io.time_zone)?.map(Datum::Float64).unwrap_or(Datum::Null))));
    r.add("interval_part", fd(|a| Ok(Datum::Float64(dt::interval_part(s(a, 0)?, i(a, 1)?)?))));
    r.add("time_part", fd(|a| Ok(Datum::Float64(dt::time_part(s(a, 0)?, i(a, 1)?)?))));
    // date_part(text, date) is a SQL function over timestamp.
    r.add("oid:1384", fd(|a| Ok(dt::date_part(s(a, 0)?, i(a, 1)?)?.map(Datum::Float64).unwrap_or(Datum::Null))));
    r.add("date_larger", f2(|a: i32, b: i32| a.max(b)));
    r.add("date_smaller", f2(|a: i32, b: i32| a.min(b)));
    r.add("timestamp_larger", f2(|a: i64, b: i64| a.max(b)));
    r.add("timestamp_smaller", f2(|a: i64, b: i64| a.min(b)));

    // ---------------------------------------------------------- text
    r.add("textcat", fd(|a| Ok(Datum::Text(string::textcat(s(a, 0)?, s(a, 1)?)))));
    r.add("textlen", fd(|a| Ok(Datum::Int32(string::textlen(s(a, 0)?)))));
    r.add("textoctetlen", fd(|a| Ok(Datum::Int32(string::textoctetlen(s(a, 0)?)))));
    r.add("bpcharlen", fd(|a| Ok(Datum::Int32(string::bpcharlen(s(a, 0)?)))));
    r.add("bpcharoctetlen", fd(|a| Ok(Datum::Int32(string::bpcharoctetlen(s(a, 0)?)))));
    r.add("upper", fd(|a| Ok(Datum::Text(string::upper(s(a, 0)?)))));
    r.add("lower", fd(|a| Ok(Datum::Text(string::lower(s(a, 0)?)))));
    r.add("initcap", fd(|a| Ok(Datum::Text(string::initcap(s(a, 0)?)))));
    r.add("text_substr", fd(|a| Ok(Datum::Text(string::text_substr(s(a, 0)?, i(a, 1)?, i(a, 2)?)?))));
    r.add("text_substr_no_len", fd(|a| Ok(Datum::Text(string::text_substr_no_len(s(a, 0)?, i(a, 1)?)))));
    r.add("textoverlay", fd(|a| Ok(Datum::Text(string::textoverlay(s(a, 0)?, s(a, 1)?, i(a, 2)?, i(a, 3)?)?))));
    r.add("textoverlay_no_len", fd(|a| Ok(Datum::Text(string::textoverlay_no_len(s(a, 0)?, s(a, 1)?, i(a, 2)?)?))));
    r.add("textpos", fd(|a| Ok(Datum::Int32(string::textpos(s(a, 0)?, s(a, 1)?)))));
    r.add("text_left", fd(|a| Ok(Datum::Text(string::text_left(s(a, 0)?, i(a, 1)?)))));
    r.add("text_right", fd(|a| Ok(Datum::Text(string::text_right(s(a, 0)?, i(a, 1)?)))));
    r.add("text_starts_with", fd(|a| Ok(Datum::Bool(string::text_starts_with(s(a, 0)?, s(a, 1)?)))));
    r.add("btrim", fd(|a| Ok(Datum::Text(string::btrim(s(a, 0)?, s(a, 1)?)))));
    r.add("btrim1", fd(|a| Ok(Datum::Text(string::btrim1(s(a, 0)?)))));
    r.add("ltrim", fd(|a| Ok(Datum::Text(string::ltrim(s(a, 0)?, s(a, 1)?)))));
    r.add("ltrim1", fd(|a| Ok(Datum::Text(string::ltrim1(s(a, 0)?)))));
    r.add("rtrim", fd(|a| Ok(Datum::Text(string::rtrim(s(a, 0)?, s(a, 1)?)))));
    r.add("lpad", fd(|a| Ok(Datum::Text(string::lpad(s(a, 0)?, i(a, 1)?, s(a, 2)?)?))));
    r.add("rpad", fd(|a| Ok(Datum::Text(string::rpad(s(a, 0)?, i(a, 1)?, s(a, 2)?)?))));
    r.add("repeat", fd(|a| Ok(Datum::Text(string::repeat(s(a, 0)?, i(a, 1)?)?))));
    r.add("text_reverse", fd(|a| Ok(Datum::Text(string::text_reverse(s(a, 0)?)))));
    r.add("replace_text", fd(|a| Ok(Datum::Text(string::replace_text(s(a, 0)?, s(a, 1)?, s(a, 2)?)))));
    r.add("split_part", fd(|a| Ok(Datum::Text(string::split_part(s(a, 0)?, s(a, 1)?, i(a, 2)?)?))));
    r.add("translate", fd(|a| Ok(Datum::Text(string::translate(s(a, 0)?, s(a, 1)?, s(a, 2)?)))));
    r.add("ascii", fd(|a| Ok(Datum::Int32(string::ascii(s(a, 0)?)))));
    r.add("chr", f1(string::chr));
    r.add("quote_ident", fd(|a| Ok(Datum::Text(string::quote_ident(s(a, 0)?)))));
    r.add("quote_literal", fd(|a| Ok(Datum::Text(string::quote_literal(s(a, 0)?)))));
    r.add("md5_text", fd(|a| Ok(Datum::Text(string::md5_text(s(a, 0)?)))));
    r.add("to_hex32", f1(string::to_hex32));
    r.add("to_hex64", f1(string::to_hex64));
    r.add("text_larger", fd(|a| Ok(Datum::Text(if s(a, 0)? >= s(a, 1)? { s(a, 0)? } else { s(a, 1)? }.to_string()))));
    r.add("text_smaller", fd(|a| Ok(Datum::Text(if s(a, 0)? <= s(a, 1)? { s(a, 0)? } else { s(a, 1)? }.to_string()))));
    r.add("bpchar_larger", fd(|a| Ok(Datum::Text(if typeio::bpchar_cmp(s(a, 0)?, s(a, 1)?).is_ge() { s(a, 0)? } else { s(a, 1)? }.to_string()))));
    r.add("bpchar_smaller", fd(|a| Ok(Datum::Text(if typeio::bpchar_cmp(s(a, 0)?, s(a, 1)?).is_le() { s(a, 0)? } else { s(a, 1)? }.to_string()))));
    r.add(
        "text_concat",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let texts: Vec<Option<String>> = a
                .iter()
                .zip(c.arg_types.iter().chain(std::iter::repeat(&oa_ir::SqlType::TEXT)))
                .map(|(d, t)| any_text(d, *t, c))
                .collect::<Result<_>>()?;
            let refs: Vec<Option<&str>> = texts.iter().map(|t| t.as_deref()).collect();
            Ok(Datum::Text(string::text_concat(&refs)))
        })),
    );
    r.add(
        "text_concat_ws",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let sep = a.first().and_then(|d| d.as_str()).map(str::to_string);
            let texts: Vec<Option<String>> = a.iter().zip(c.arg_types.iter()).skip(1).map(|(d, t)| any_text(d, *t, c)).collect::<Result<_>>()?;
            let refs: Vec<Option<&str>> = texts.iter().map(|t| t.as_deref()).collect();
            Ok(string::text_concat_ws(sep.as_deref(), &refs).map(Datum::Text).unwrap_or(Datum::Null))
        })),
    );
    r.add(
        "text_format",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let Some(fmt) = a.first().and_then(|d| d.as_str()).map(str::to_string) else { return Ok(Datum::Null) };
            let texts: Vec<Option<String>> = a.iter().zip(c.arg_types.iter()).skip(1).map(|(d, t)| any_text(d, *t, c)).collect::<Result<_>>()?;
            let refs: Vec<Option<&str>> = texts.iter().map(|t| t.as_deref()).collect();
            Ok(Datum::Text(string::text_format(&fmt, &refs)?))
        })),
    );
    // format(NULL) is NULL (format is not strict).
    r.add(
        "text_format_nv",
        fd(|a| match a.first() {
            Some(Datum::Text(f)) => Ok(Datum::Text(string::text_format_nv(f)?)),
            _ => Ok(Datum::Null),
        }),
    );
    r.add("booltext", f1(|b: bool| if b { "true" } else { "false" }.to_string()));
    // text || anynonarray and anynonarray || text: the other operand's output text.
    r.add(
        "oid:2003",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let other = any_text(&a.get(1).cloned().unwrap_or(Datum::Null), arg_type(c, 1), c)?;
            Ok(Datum::Text(string::textcat(s(a, 0)?, other.as_deref().unwrap_or(""))))
        })),
    );
    r.add(
        "oid:2004",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let other = any_text(&a.first().cloned().unwrap_or(Datum::Null), arg_type(c, 0), c)?;
            Ok(Datum::Text(string::textcat(other.as_deref().unwrap_or(""), s(a, 1)?)))
        })),
    );
    r.add("quote_nullable", fd(|a| Ok(Datum::Text(string::quote_nullable(a.first().and_then(|d| d.as_str()))))));
    r.add(
        "oid:1290",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let t = any_text(&a.first().cloned().unwrap_or(Datum::Null), arg_type(c, 0), c)?;
            Ok(Datum::Text(string::quote_nullable(t.as_deref())))
        })),
    );
    r.add(
        "oid:1285",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let t = any_text(&a.first().cloned().unwrap_or(Datum::Null), arg_type(c, 0), c)?;
            Ok(t.map(|t| Datum::Text(string::quote_literal(&t))).unwrap_or(Datum::Null))
        })),
    );
    r.add("oid:879", fd(|a| Ok(Datum::Text(string::lpad1(s(a, 0)?, i(a, 1)?)?))));
    r.add("oid:880", fd(|a| Ok(Datum::Text(string::rpad1(s(a, 0)?, i(a, 1)?)?))));
    r.add("oid:1811", fd(|a| Ok(Datum::Int32(string::bit_length(s(a, 0)?)))));
    r.add("oid:1810", fd(|a| Ok(Datum::Int32((i::<&[u8]>(a, 0)?.len() as i32).saturating_mul(8)))));

    // ---------------------------------------------------------- bytea
    r.add("byteaoctetlen", fd(|a| Ok(Datum::Int32(i::<&[u8]>(a, 0)?.len() as i32))));
    r.add("byteacat", fd(|a| Ok(Datum::Bytes([i::<&[u8]>(a, 0)?, i::<&[u8]>(a, 1)?].concat()))));
    r.add("bytea_substr", fd(|a| Ok(Datum::Bytes(string::bytea_substr(i(a, 0)?, i(a, 1)?, Some(i(a, 2)?))?))));
    r.add("bytea_substr_no_len", fd(|a| Ok(Datum::Bytes(string::bytea_substr(i(a, 0)?, i(a, 1)?, None)?))));
    r.add("byteapos", fd(|a| Ok(Datum::Int32(string::byteapos(i(a, 0)?, i(a, 1)?)))));
    r.add("byteaGetByte", fd(|a| Ok(Datum::Int32(string::bytea_get_byte(i(a, 0)?, i(a, 1)?)?))));
    r.add("byteaSetByte", fd(|a| Ok(Datum::Bytes(string::bytea_set_byte(i(a, 0)?, i(a, 1)?, i(a, 2)?)?))));
    r.add("md5_bytea", fd(|a| Ok(Datum::Text(string::md5_bytea(i(a, 0)?)))));
    r.add("binary_encode", fd(|a| Ok(Datum::Text(string::binary_encode(i(a, 0)?, s(a, 1)?)?))));
    r.add("binary_decode", fd(|a| Ok(Datum::Bytes(string::binary_decode(s(a, 0)?, s(a, 1)?)?))));
    r.add("pg_convert_to", fd(|a| Ok(Datum::Bytes(string::convert_to(s(a, 0)?, s(a, 1)?)?))));
    r.add("pg_convert_from", fd(|a| Ok(Datum::Text(string::convert_from(i(a, 0)?, s(a, 1)?)?))));
    r.add("byteaoverlay", fd(|a| Ok(Datum::Bytes(string::bytea_overlay(i(a, 0)?, i(a, 1)?, i(a, 2)?, Some(i(a, 3)?))?))));
    r.add("byteaoverlay_no_len", fd(|a| Ok(Datum::Bytes(string::bytea_overlay(i(a, 0)?, i(a, 1)?, i(a, 2)?, None)?))));
    r.add("byteatrim", fd(|a| Ok(Datum::Bytes(string::bytea_trim(i(a, 0)?, i(a, 1)?, true, true)))));
    r.add("bytealtrim", fd(|a| Ok(Datum::Bytes(string::bytea_trim(i(a, 0)?, i(a, 1)?, true, false)))));
    r.add("byteartrim", fd(|a| Ok(Datum::Bytes(string::bytea_trim(i(a, 0)?, i(a, 1)?, false, true)))));

    // ---------------------------------------------------------- variadic "any" counters
    r.add("pg_num_nulls", fd(|a| Ok(Datum::Int32(count_variadic_nulls(a, true)))));
    r.add("pg_num_nonnulls", fd(|a| Ok(Datum::Int32(count_variadic_nulls(a, false)))));

    // ---------------------------------------------------------- patterns
    r.add("textlike", fd(|a| Ok(Datum::Bool(pattern::textlike(s(a, 0)?, s(a, 1)?)?))));
    r.add("textnlike", fd(|a| Ok(Datum::Bool(pattern::textnlike(s(a, 0)?, s(a, 1)?)?))));
    r.add("texticlike", fd(|a| Ok(Datum::Bool(pattern::texticlike(s(a, 0)?, s(a, 1)?)?))));
    r.add("texticnlike", fd(|a| Ok(Datum::Bool(pattern::texticnlike(s(a, 0)?, s(a, 1)?)?))));
    r.add("bpcharlike", fd(|a| Ok(Datum::Bool(pattern::textlike(s(a, 0)?, s(a, 1)?)?))));
    r.add("bpcharnlike", fd(|a| Ok(Datum::Bool(pattern::textnlike(s(a, 0)?, s(a, 1)?)?))));
    r.add("namelike", fd(|a| Ok(Datum::Bool(pattern::textlike(s(a, 0)?, s(a, 1)?)?))));
    r.add("namenlike", fd(|a| Ok(Datum::Bool(pattern::textnlike(s(a, 0)?, s(a, 1)?)?))));
    r.add("nameiclike", fd(|a| Ok(Datum::Bool(pattern::texticlike(s(a, 0)?, s(a, 1)?)?))));
    r.add("nameicnlike", fd(|a| Ok(Datum::Bool(pattern::texticnlike(s(a, 0)?, s(a, 1)?)?))));
    r.add("like_escape", fd(|a| Ok(Datum::Text(pattern::like_escape(s(a, 0)?, s(a, 1)?)?))));
    r.add("similar_to_escape_1", fd(|a| Ok(Datum::Text(pattern::similar_to_escape_1(s(a, 0)?)?))));
    r.add("similar_to_escape_2", fd(|a| Ok(Datum::Text(pattern::similar_to_escape_2(s(a, 0)?, s(a, 1)?)?))));
    r.add("textregexeq", fd(|a| Ok(Datum::Bool(pattern::textregexeq(s(a, 0)?, s(a, 1)?)?))));
    r.add("textregexne", fd(|a| Ok(Datum::Bool(pattern::textregexne(s(a, 0)?, s(a, 1)?)?))));
    r.add("texticregexeq", fd(|a| Ok(Datum::Bool(pattern::texticregexeq(s(a, 0)?, s(a, 1)?)?))));
    r.add("texticregexne", fd(|a| Ok(Datum::Bool(pattern::texticregexne(s(a, 0)?, s(a, 1)?)?))));
    r.add("nameregexeq", fd(|a| Ok(Datum::Bool(pattern::textregexeq(s(a, 0)?, s(a, 1)?)?))));
    r.add("nameregexne", fd(|a| Ok(Datum::Bool(pattern::textregexne(s(a, 0)?, s(a, 1)?)?))));
    r.add("bpcharregexeq", fd(|a| Ok(Datum::Bool(pattern::textregexeq(s(a, 0)?, s(a, 1)?)?))));
    r.add("textregexsubstr", fd(|a| Ok(pattern::textregexsubstr(s(a, 0)?, s(a, 1)?)?.map(Datum::Text).unwrap_or(Datum::Null))));
    r.add("textregexreplace_noopt", fd(|a| Ok(Datum::Text(pattern::textregexreplace_noopt(s(a, 0)?, s(a, 1)?, s(a, 2)?)?))));
    r.add("textregexreplace", fd(|a| Ok(Datum::Text(pattern::textregexreplace(s(a, 0)?, s(a, 1)?, s(a, 2)?, s(a, 3)?)?))));
    r.add("oid:2074", fd(|a| Ok(pattern::similar_substring(s(a, 0)?, s(a, 1)?, s(a, 2)?)?.map(Datum::Text).unwrap_or(Datum::Null))));
    let text_array = |v: Vec<Option<String>>| {
        Datum::Array(Box::new(Array::from_elems(oid::TEXT, v.into_iter().map(|x| x.map(Datum::Text).unwrap_or(Datum::Null)).collect())))
    };
    r.add("regexp_match", fd(move |a| Ok(pattern::regexp_match(s(a, 0)?, s(a, 1)?, s(a, 2)?)?.map(text_array).unwrap_or(Datum::Null))));
    r.add("regexp_match_no_flags", fd(move |a| Ok(pattern::regexp_match_no_flags(s(a, 0)?, s(a, 1)?)?.map(text_array).unwrap_or(Datum::Null))));
    r.add(
        "regexp_split_to_array",
        fd(move |a| Ok(text_array(pattern::regexp_split_to_array(s(a, 0)?, s(a, 1)?, s(a, 2)?)?.into_iter().map(Some).collect()))),
    );
    r.add(
        "regexp_split_to_array_no_flags",
        fd(move |a| Ok(text_array(pattern::regexp_split_to_array_no_flags(s(a, 0)?, s(a, 1)?)?.into_iter().map(Some).collect()))),
    );
    // string_to_array is not strict: a NULL string gives NULL, a NULL delimiter splits into characters.
    r.add(
        "text_to_array",
        fd(move |a| match a.first() {
            Some(Datum::Text(t)) => Ok(text_array(string::text_to_array(t, a.get(1).and_then(|d| d.as_str())))),
            _ => Ok(Datum::Null),
        }),
    );
    r.add(
        "text_to_array_null",
        fd(move |a| match a.first() {
            Some(Datum::Text(t)) => {
                Ok(text_array(string::text_to_array_null(t, a.get(1).and_then(|d| d.as_str()), a.get(2).and_then(|d| d.as_str()))))
            }
            _ => Ok(Datum::Null),
        }),
    );

    // ---------------------------------------------------------- arrays
    r.add(
        "array_length",
        fd(|a| {
            let arr: &Array = i(a, 0)?;
            let d: i32 = i(a, 1)?;
            Ok(arr.dims.get((d - 1).max(0) as usize).filter(|_| d >= 1).map(|x| Datum::Int32(x.len)).unwrap_or(Datum::Null))
        }),
    );
    r.add(
        "array_lower",
        fd(|a| {
            let arr: &Array = i(a, 0)?;
            let d: i32 = i(a, 1)?;
            Ok(arr.dims.get((d - 1).max(0) as usize).filter(|_| d >= 1).map(|x| Datum::Int32(x.lower)).unwrap_or(Datum::Null))
        }),
    );
    r.add(
        "array_upper",
        fd(|a| {
            let arr: &Array = i(a, 0)?;
            let d: i32 = i(a, 1)?;
            Ok(arr.dims.get((d - 1).max(0) as usize).filter(|_| d >= 1).map(|x| Datum::Int32(x.lower + x.len - 1)).unwrap_or(Datum::Null))
        }),
    );
    r.add(
        "array_ndims",
        fd(|a| {
            let arr: &Array = i(a, 0)?;
            Ok(if arr.dims.is_empty() { Datum::Null } else { Datum::Int32(arr.dims.len() as i32) })
        }),
    );
    r.add("array_dims", fd(|a| Ok(array_dims_text(i(a, 0)?).map(Datum::Text).unwrap_or(Datum::Null))));
    r.add("array_cardinality", fd(|a| Ok(Datum::Int32(i::<&Array>(a, 0)?.elems.len() as i32))));
    r.add(
        "array_append",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let elem = typeio::builtin_array_elem(c.arg_types.first().map_or(0, |t| t.oid)).unwrap_or(oid::TEXT);
            let mut v = match a.first() {
                Some(Datum::Array(x)) => x.elems.clone(),
                _ => vec![],
            };
            v.push(a.get(1).cloned().unwrap_or(Datum::Null));
            Ok(Datum::Array(Box::new(Array::from_elems(elem, v))))
        })),
    );
    r.add(
        "array_prepend",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let elem = typeio::builtin_array_elem(c.arg_types.get(1).map_or(0, |t| t.oid)).unwrap_or(oid::TEXT);
            let mut v = vec![a.first().cloned().unwrap_or(Datum::Null)];
            if let Some(Datum::Array(x)) = a.get(1) {
                v.extend(x.elems.iter().cloned());
            }
            Ok(Datum::Array(Box::new(Array::from_elems(elem, v))))
        })),
    );
    r.add(
        "array_cat",
        Kernel::Scalar(Arc::new(|a: &[Datum], _c: &mut FnContext| {
            let (x, y) = (a.first(), a.get(1));
            match (x, y) {
                (Some(Datum::Array(p)), Some(Datum::Array(q))) => {
                    let mut v = p.elems.clone();
                    v.extend(q.elems.iter().cloned());
                    Ok(Datum::Array(Box::new(Array::from_elems(p.elem_type, v))))
                }
                (Some(Datum::Array(p)), _) => Ok(Datum::Array(p.clone())),
                (_, Some(Datum::Array(q))) => Ok(Datum::Array(q.clone())),
                _ => Ok(Datum::Null),
            }
        })),
    );
    // The array searches compare with IS NOT DISTINCT FROM: a NULL finds NULLs.
    r.add("array_position", fd(|a| array_search(a, None, false)));
    r.add("array_position_start", fd(|a| array_search(a, a.get(2).and_then(Datum::as_i64), false)));
    r.add("array_positions", fd(|a| array_search(a, None, true)));
    r.add(
        "trim_array",
        fd(|a| {
            let arr: &Array = i(a, 0)?;
            let n: i32 = i(a, 1)?;
            let len = arr.dims.first().map_or(0, |d| d.len);
            if arr.dims.len() > 1 {
                return Err(Error::feature_not_supported("trimming elements of multidimensional arrays is not supported"));
            }
            if n < 0 || n > len {
                return Err(Error::new(SqlState::ARRAY_SUBSCRIPT_ERROR, "number of elements to trim must be between 0 and the array's length"));
            }
            let mut out = arr.clone();
            out.elems.truncate((len - n) as usize);
            match out.dims.first_mut() {
                Some(d) if !out.elems.is_empty() => d.len = out.elems.len() as i32,
                _ => out.dims.clear(),
            }
            Ok(Datum::Array(Box::new(out)))
        }),
    );
    r.add("array_remove", Kernel::Scalar(Arc::new(|a: &[Datum], _c: &mut FnContext| array_replace(a, false))));
    r.add("array_replace", Kernel::Scalar(Arc::new(|a: &[Datum], _c: &mut FnContext| array_replace(a, true))));
    r.add(
        "array_to_text",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let Some(Datum::Array(arr)) = a.first() else { return Ok(Datum::Null) };
            let delim = a.get(1).and_then(|d| d.as_str()).unwrap_or(",");
            let ety = oa_ir::SqlType::new(arr.elem_type);
            let elems: Vec<Option<String>> = arr.elems.iter().map(|e| any_text(e, ety, c)).collect::<Result<_>>()?;
            Ok(Datum::Text(string::array_to_text(&elems, delim)))
        })),
    );
    r.add(
        "array_to_text_null",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let Some(Datum::Array(arr)) = a.first() else { return Ok(Datum::Null) };
            // Not strict only for the NULL replacement: a NULL delimiter gives NULL.
            let Some(delim) = a.get(1).and_then(|d| d.as_str()) else { return Ok(Datum::Null) };
            let null_text = a.get(2).and_then(|d| d.as_str());
            let ety = oa_ir::SqlType::new(arr.elem_type);
            let elems: Vec<Option<String>> = arr.elems.iter().map(|e| any_text(e, ety, c)).collect::<Result<_>>()?;
            Ok(Datum::Text(string::array_to_text_null(&elems, delim, null_text)))
        })),
    );
    r.add(
        "arraycontains",
        fd(|a| {
            let (x, y): (&Array, &Array) = (i(a, 0)?, i(a, 1)?);
            Ok(Datum::Bool(y.elems.iter().all(|e| !e.is_null() && x.elems.iter().any(|f| f.sql_eq(e)))))
        }),
    );
    r.add(
        "arraycontained",
        fd(|a| {
            let (x, y): (&Array, &Array) = (i(a, 0)?, i(a, 1)?);
            Ok(Datum::Bool(x.elems.iter().all(|e| !e.is_null() && y.elems.iter().any(|f| f.sql_eq(e)))))
        }),
    );
    r.add(
        "arrayoverlap",
        fd(|a| {
            let (x, y): (&Array, &Array) = (i(a, 0)?, i(a, 1)?);
            Ok(Datum::Bool(x.elems.iter().any(|e| !e.is_null() && y.elems.iter().any(|f| f.sql_eq(e)))))
        }),
    );

    // ---------------------------------------------------------- bool, misc
    r.add("boolle", cmp_kernel(Cmp::Le, cmp_generic, true));
    r.add("booland_statefunc", f2(|a: bool, b: bool| a && b));
    r.add("boolor_statefunc", f2(|a: bool, b: bool| a || b));
    r.add("current_database", fc(|_, c| Ok(Datum::Text(c.session.database.clone()))));
    r.add("current_user", fc(|_, c| Ok(Datum::Text(c.session.user.clone()))));
    r.add("session_user", fc(|_, c| Ok(Datum::Text(c.session.user.clone()))));
    r.add("current_schema", fc(|_, c| Ok(c.session.current_schema.clone().map(Datum::Text).unwrap_or(Datum::Null))));
    r.add("pg_backend_pid", fc(|_, c| Ok(Datum::Int32(c.session.backend_pid))));
    // Sequences: state lives in storage, reached through the host.
    r.add("nextval_oid", fc(|a, c| c.host.sequence(SequenceOp::Nextval(i(a, 0)?))));
    r.add("currval_oid", fc(|a, c| c.host.sequence(SequenceOp::Currval(i(a, 0)?))));
    r.add("lastval", fc(|_, c| c.host.sequence(SequenceOp::Lastval)));
    r.add("setval_oid", fc(|a, c| c.host.sequence(SequenceOp::Setval { seq: i(a, 0)?, value: i(a, 1)?, is_called: true })));
    r.add("setval3_oid", fc(|a, c| c.host.sequence(SequenceOp::Setval { seq: i(a, 0)?, value: i(a, 1)?, is_called: i(a, 2)? })));
    // Configuration parameters: the session's settings through the host.
    r.add("show_config_by_name", fc(|a, c| Ok(c.host.setting(s(a, 0)?, false)?.map(Datum::Text).unwrap_or(Datum::Null))));
    r.add("show_config_by_name_missing_ok", fc(|a, c| Ok(c.host.setting(s(a, 0)?, i(a, 1)?)?.map(Datum::Text).unwrap_or(Datum::Null))));
    r.add(
        "set_config_by_name",
        fc(|a, c| {
            let name = match a.first() {
                Some(Datum::Text(n)) => n.clone(),
                _ => return Err(oa_ir::Error::new(oa_ir::SqlState::NULL_VALUE_NOT_ALLOWED, "SET requires parameter name")),
            };
            let value = match a.get(1) {
                Some(Datum::Text(v)) => Some(v.clone()),
                _ => None,
            };
            let local = matches!(a.get(2), Some(Datum::Bool(true)));
            Ok(Datum::Text(c.host.set_setting(&name, value.as_deref(), local)?))
        }),
    );
    r.add("pgsql_version", f0(crate::version_string));
    r.add("pg_typeof", fc(|_, c| Ok(Datum::Oid(c.arg_types.first().map_or(0, |t| t.oid)))));
    super::catalog_fns::register(r);
    super::json::register(r);
    let _ = tz_err;
    let _ = Bitmap::all_valid;
    let _ = SqlState::INTERNAL_ERROR;
}
