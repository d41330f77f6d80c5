//! The json constructors of `src/backend/utils/adt/json.c`: json_build_object,
//! json_build_array, to_json, array_to_json. A value becomes JSON by its
//! type's category (datum_to_json): booleans and numbers bare (numbers that
//! are not valid JSON numbers, like NaN, quoted), dates and timestamps in
//! ISO 8601 ("XSD") form, json as it is, arrays as nested JSON arrays, and
//! everything else as its output text in a JSON string.

use std::sync::Arc;

use oa_ir::datetime::{self as dt, DateStyle, OutputStyle};
use oa_ir::datum::{Array, Datum};
use oa_ir::io::IoContext;
use oa_ir::typeio;
use oa_ir::types::{Oid, oid};
use oa_ir::{Error, Result, SqlState, SqlType};

use crate::exec::func::{FnContext, Kernel, Registry};

/// json_categorize_type's categories.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Category {
    Bool,
    Numeric,
    Date,
    Timestamp,
    TimestampTz,
    Json,
    Array,
    Composite,
    Other,
}

fn categorize(ty: Oid, value: &Datum) -> Category {
    match ty {
        oid::BOOL => Category::Bool,
        oid::INT2 | oid::INT4 | oid::INT8 | oid::FLOAT4 | oid::FLOAT8 | oid::NUMERIC => Category::Numeric,
        oid::DATE => Category::Date,
        oid::TIMESTAMP => Category::Timestamp,
        oid::TIMESTAMPTZ => Category::TimestampTz,
        oid::JSON | oid::JSONB => Category::Json,
        oid::RECORD => Category::Composite,
        _ => match value {
            Datum::Array(_) => Category::Array,
            Datum::Record(_) => Category::Composite,
            _ if typeio::builtin_array_elem(ty).is_some() => Category::Array,
            _ => Category::Other,
        },
    }
}

fn output_text(ty: Oid, d: &Datum, io: &IoContext) -> Result<String> {
    let elem_of = |t: Oid| typeio::builtin_array_elem(t).map(|e| (e, b','));
    oa_ir::io::output(SqlType::new(ty), d, io, &elem_of)
}

/// JsonEncodeDateTime: ISO 8601 with a `T` between date and time and the
/// zone as ±hh:mm (USE_XSD_DATES), whatever DateStyle says.
fn encode_datetime(cat: Category, d: &Datum, io: &IoContext) -> Result<String> {
    let iso = DateStyle { style: OutputStyle::Iso, order: io.date_style.order };
    let v = match d {
        Datum::Int32(x) => *x as i64,
        Datum::Int64(x) => *x,
        _ => return Err(Error::internal("date/time value of an unexpected representation")),
    };
    Ok(match cat {
        Category::Date => dt::date_out(v as i32, &iso),
        Category::Timestamp => dt::timestamp_out(v, &iso)?.replacen(' ', "T", 1),
        _ => {
            let s = dt::timestamptz_out(v, &iso, &io.time_zone)?;
            if s.ends_with("infinity") {
                return Ok(s);
            }
            let s = s.replacen(' ', "T", 1);
            // The zone follows the time: +hh, +hh:mm or +hh:mm:ss; XSD wants at least +hh:mm.
            let t = s.find('T').unwrap_or(0);
            match s[t..].find(['+', '-']).map(|i| i + t) {
                Some(z) => {
                    let end = s[z..].find(' ').map_or(s.len(), |i| i + z);
                    if s[z..end].contains(':') { s } else { format!("{}:00{}", &s[..end], &s[end..]) }
                }
                None => s,
            }
        }
    })
}

/// datum_to_json: appends `d` (of type `ty`) as JSON; `key` when it is an
/// object key (always a string, and only a scalar).
fn datum_to_json(out: &mut String, d: &Datum, ty: Oid, key: bool, io: &IoContext) -> Result<()> {
    if d.is_null() {
        out.push_str("null");
        return Ok(());
    }
    let cat = categorize(ty, d);
    if key && matches!(cat, Category::Array | Category::Composite | Category::Json) {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "key value must be scalar, not array, composite, or json"));
    }
    match cat {
        Category::Bool => {
            let b = if matches!(d, Datum::Bool(true)) { "true" } else { "false" };
            if key { typeio::escape_json(out, b) } else { out.push_str(b) }
        }
        Category::Numeric => {
            let s = output_text(ty, d, io)?;
            if !key && typeio::is_valid_json_number(&s) { out.push_str(&s) } else { typeio::escape_json(out, &s) }
        }
        Category::Date | Category::Timestamp | Category::TimestampTz => {
            out.push('"');
            out.push_str(&encode_datetime(cat, d, io)?);
            out.push('"');
        }
        Category::Json => match d {
            Datum::Text(s) => out.push_str(s),
            _ => return Err(Error::internal("json value of an unexpected representation")),
        },
        Category::Array => match d {
            Datum::Array(a) => array_to_json(out, a, false, io)?,
            _ => return Err(Error::internal("array value of an unexpected representation")),
        },
        Category::Composite => return Err(Error::feature_not_supported("conversion of composite values to json is not supported yet")),
        Category::Other => typeio::escape_json(out, &output_text(ty, d, io)?),
    }
    Ok(())
}

/// array_to_json_internal: one JSON array per dimension.
fn array_to_json(out: &mut String, a: &Array, pretty: bool, io: &IoContext) -> Result<()> {
    if a.dims.is_empty() || a.elems.is_empty() {
        out.push_str("[]");
        return Ok(());
    }
    let dims: Vec<usize> = a.dims.iter().map(|d| d.len.max(0) as usize).collect();
    let mut next = 0usize;
    array_dim_to_json(out, a, &dims, 0, &mut next, pretty, io)
}

fn array_dim_to_json(out: &mut String, a: &Array, dims: &[usize], dim: usize, next: &mut usize, pretty: bool, io: &IoContext) -> Result<()> {
    let sep = if pretty { ",\n " } else { "," };
    out.push('[');
    for i in 0..dims[dim] {
        if i > 0 {
            out.push_str(sep);
        }
        if dim + 1 == dims.len() {
            let e = a.elems.get(*next).ok_or_else(|| Error::internal("array has fewer elements than its dimensions say"))?;
            *next += 1;
            datum_to_json(out, e, a.elem_type, false, io)?;
        } else {
            array_dim_to_json(out, a, dims, dim + 1, next, false, io)?;
        }
    }
    out.push(']');
    Ok(())
}

fn arg_type(c: &FnContext, i: usize) -> Oid {
    c.arg_types.get(i).map_or(oid::TEXT, |t| t.oid)
}

fn json_build_object(a: &[Datum], c: &mut FnContext) -> Result<Datum> {
    if !a.len().is_multiple_of(2) {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "argument list must have even number of elements")
            .with_hint("The arguments of json_build_object() must consist of alternating keys and values."));
    }
    let mut out = String::from("{");
    for (i, pair) in a.chunks(2).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if pair[0].is_null() {
            return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("argument {} cannot be null", 2 * i + 1))
                .with_hint("Object keys should be text."));
        }
        datum_to_json(&mut out, &pair[0], arg_type(c, 2 * i), true, c.io)?;
        out.push_str(" : ");
        datum_to_json(&mut out, &pair[1], arg_type(c, 2 * i + 1), false, c.io)?;
    }
    out.push('}');
    Ok(Datum::Text(out))
}

fn json_build_array(a: &[Datum], c: &mut FnContext) -> Result<Datum> {
    let mut out = String::from("[");
    for (i, d) in a.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        datum_to_json(&mut out, d, arg_type(c, i), false, c.io)?;
    }
    out.push(']');
    Ok(Datum::Text(out))
}

fn array_arg(a: &[Datum]) -> Result<&Array> {
    match a.first() {
        Some(Datum::Array(arr)) => Ok(arr),
        _ => Err(Error::internal("array_to_json of a non-array value")),
    }
}

pub fn register(r: &mut Registry) {
    r.add("json_build_object", Kernel::Scalar(Arc::new(json_build_object)));
    r.add("json_build_object_noargs", Kernel::Scalar(Arc::new(|_: &[Datum], _: &mut FnContext| Ok(Datum::Text("{}".into())))));
    r.add("json_build_array", Kernel::Scalar(Arc::new(json_build_array)));
    r.add("json_build_array_noargs", Kernel::Scalar(Arc::new(|_: &[Datum], _: &mut FnContext| Ok(Datum::Text("[]".into())))));
    r.add(
        "to_json",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let mut out = String::new();
            datum_to_json(&mut out, a.first().unwrap_or(&Datum::Null), arg_type(c, 0), false, c.io)?;
            Ok(Datum::Text(out))
        })),
    );
    r.add(
        "array_to_json",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let mut out = String::new();
            array_to_json(&mut out, array_arg(a)?, false, c.io)?;
            Ok(Datum::Text(out))
        })),
    );
    r.add(
        "array_to_json_pretty",
        Kernel::Scalar(Arc::new(|a: &[Datum], c: &mut FnContext| {
            let pretty = matches!(a.get(1), Some(Datum::Bool(true)));
            let mut out = String::new();
            array_to_json(&mut out, array_arg(a)?, pretty, c.io)?;
            Ok(Datum::Text(out))
        })),
    );
}
