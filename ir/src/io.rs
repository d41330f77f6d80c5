//! Text input and output of values by SQL type: the typinput/typoutput
//! functions of the built-in types, dispatched on the type OID. The binder
//! uses `input` to turn literals into constants; the runtime uses both for
//! casts through text and for the wire.

use std::sync::Arc;

use crate::datetime::{self, DateStyle, IntervalStyle, ParseContext, TimeZone};
use crate::datum::Datum;
use crate::error::{Error, Result, SqlState};
use crate::numeric::Numeric;
use crate::typeio;
use crate::types::{Oid, SqlType, oid};

/// Session settings that change how values are read and printed.
#[derive(Clone, Debug)]
pub struct IoContext {
    pub date_style: DateStyle,
    pub interval_style: IntervalStyle,
    pub time_zone: Arc<TimeZone>,
    /// The transaction timestamp ('now'), µs since 2000-01-01 UTC.
    pub now: i64,
    pub extra_float_digits: i32,
    /// bytea_output = escape
    pub bytea_escape: bool,
}

impl Default for IoContext {
    fn default() -> Self {
        IoContext {
            date_style: DateStyle::default(),
            interval_style: IntervalStyle::default(),
            time_zone: Arc::new(TimeZone::utc()),
            now: 0,
            extra_float_digits: 1,
            bytea_escape: false,
        }
    }
}

impl IoContext {
    fn parse_context(&self) -> ParseContext<'_> {
        ParseContext { date_style: self.date_style, interval_style: self.interval_style, time_zone: &self.time_zone, now: self.now }
    }
}

/// Element type lookup for array I/O: the runtime and binder pass the catalog's answer.
pub type ElemTypeOf<'a> = &'a dyn Fn(Oid) -> Option<(Oid, u8)>;

/// typinput: text → value of `ty` (typmod applied as the input function does).
pub fn input(ty: SqlType, text: &str, ctx: &IoContext, elem_of: ElemTypeOf<'_>) -> Result<Datum> {
    let t = ty.typmod;
    Ok(match ty.oid {
        oid::BOOL => Datum::Bool(typeio::boolin(text)?),
        oid::INT2 => Datum::Int16(typeio::int2in(text)?),
        oid::INT4 => Datum::Int32(typeio::int4in(text)?),
        oid::INT8 => Datum::Int64(typeio::int8in(text)?),
        oid::FLOAT4 => Datum::Float32(typeio::float4in(text)?),
        oid::FLOAT8 => Datum::Float64(typeio::float8in(text)?),
        oid::NUMERIC => Datum::Numeric(Numeric::parse_with_typmod(text, t)?),
        oid::OID
        | oid::XID
        | oid::CID
        | oid::REGPROC
        | oid::REGPROCEDURE
        | oid::REGOPER
        | oid::REGOPERATOR
        | oid::REGCLASS
        | oid::REGTYPE
        | oid::REGROLE
        | oid::REGNAMESPACE
        | oid::REGCONFIG
        | oid::REGDICTIONARY
        | oid::REGCOLLATION => Datum::Oid(typeio::oidin(text)?),
        oid::TEXT | oid::UNKNOWN | oid::CSTRING | oid::XML | oid::PG_NODE_TREE | oid::REFCURSOR => Datum::Text(text.to_string()),
        oid::JSON => Datum::Text(typeio::json_in(text)?),
        oid::VARCHAR => Datum::Text(typeio::varcharin(text, t)?),
        oid::BPCHAR => Datum::Text(typeio::bpcharin(text, t)?),
        oid::NAME => Datum::Text(typeio::namein(text)),
        oid::CHAR => Datum::Char(typeio::charin(text)),
        oid::BYTEA => Datum::Bytes(typeio::byteain(text)?),
        oid::UUID => Datum::Bytes(typeio::uuid_in(text)?.to_vec()),
        oid::DATE => Datum::Int32(datetime::date_in(text, t, &ctx.parse_context())?),
        oid::TIME => Datum::Int64(datetime::time_in(text, t, &ctx.parse_context())?),
        oid::TIMESTAMP => Datum::Int64(datetime::timestamp_in(text, t, &ctx.parse_context())?),
        oid::TIMESTAMPTZ => Datum::Int64(datetime::timestamptz_in(text, t, &ctx.parse_context())?),
        oid::INTERVAL => Datum::Interval(datetime::interval_in(text, t, &ctx.parse_context())?),
        oid::INT2VECTOR | oid::OIDVECTOR => Datum::Text(text.to_string()),
        oid::RECORD => return Err(Error::feature_not_supported("input of anonymous composite types is not implemented")),
        other => match elem_of(other) {
            Some((elem, delim)) => {
                let elem_ty = SqlType::with_typmod(elem, t);
                let arr = typeio::array_in(text, elem, t, &mut |s| input(elem_ty, s, ctx, elem_of), delim)?;
                Datum::Array(Box::new(arr))
            }
            None => {
                return Err(Error::feature_not_supported(format!("input of values of type {other} is not supported yet")));
            }
        },
    })
}

/// typoutput: value of `ty` → text. NULL has no text form; callers handle it.
pub fn output(ty: SqlType, value: &Datum, ctx: &IoContext, elem_of: ElemTypeOf<'_>) -> Result<String> {
    Ok(match (ty.oid, value) {
        (_, Datum::Null) => return Err(Error::internal("output of a NULL value")),
        (oid::BOOL, Datum::Bool(b)) => typeio::boolout(*b).to_string(),
        (oid::FLOAT4, Datum::Float32(v)) => typeio::float4out(*v, ctx.extra_float_digits),
        (oid::FLOAT8, Datum::Float64(v)) => typeio::float8out(*v, ctx.extra_float_digits),
        (oid::NUMERIC, Datum::Numeric(n)) => n.to_string(),
        (oid::CHAR, Datum::Char(c)) => typeio::charout(*c),
        (oid::BYTEA, Datum::Bytes(b)) => typeio::byteaout(b, if ctx.bytea_escape { typeio::ByteaOutput::Escape } else { typeio::ByteaOutput::Hex }),
        (oid::UUID, Datum::Bytes(b)) => typeio::uuid_out(&<[u8; 16]>::try_from(b.as_slice()).map_err(|_| Error::internal("uuid of wrong length"))?),
        (oid::DATE, Datum::Int32(d)) => datetime::date_out(*d, &ctx.date_style),
        (oid::TIME, Datum::Int64(t)) => datetime::time_out(*t),
        (oid::TIMESTAMP, Datum::Int64(t)) => datetime::timestamp_out(*t, &ctx.date_style)?,
        (oid::TIMESTAMPTZ, Datum::Int64(t)) => datetime::timestamptz_out(*t, &ctx.date_style, &ctx.time_zone)?,
        (oid::INTERVAL, Datum::Interval(i)) => datetime::interval_out(*i, ctx.interval_style),
        (oid::TID, Datum::Int64(t)) => format!("({},{})", (*t as u64) >> 16, (*t as u64) & 0xffff),
        (_, Datum::Int16(v)) => v.to_string(),
        (_, Datum::Int32(v)) => v.to_string(),
        (_, Datum::Int64(v)) => v.to_string(),
        (_, Datum::Oid(v)) => v.to_string(),
        (_, Datum::Text(s)) => s.clone(),
        (_, Datum::Array(a)) => {
            let (elem, delim) = elem_of(ty.oid).unwrap_or((a.elem_type, b','));
            let elem_ty = SqlType::new(elem);
            typeio::array_out(a, &mut |d| output(elem_ty, d, ctx, elem_of), delim)?
        }
        (_, Datum::Record(r)) => record_out(r, ctx, elem_of)?,
        (t, v) => return Err(Error::internal(format!("cannot output {v:?} as type {t}"))),
    })
}

/// record_out: `(f1,f2,…)`, a NULL field as nothing, and a field in double
/// quotes when it is empty or holds a quote, backslash, parenthesis, comma
/// or white space (quotes and backslashes then doubled).
fn record_out(r: &crate::datum::Record, ctx: &IoContext, elem_of: ElemTypeOf<'_>) -> Result<String> {
    let mut out = String::from("(");
    for (i, f) in r.fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if f.is_null() {
            continue;
        }
        let ty = SqlType::new(r.types.get(i).copied().unwrap_or(oid::TEXT));
        let text = output(ty, f, ctx, elem_of)?;
        let quote = text.is_empty()
            || text.bytes().any(|c| matches!(c, b'"' | b'\\' | b'(' | b')' | b',' | b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'));
        if quote {
            out.push('"');
        }
        for ch in text.chars() {
            if ch == '"' || ch == '\\' {
                out.push(ch);
            }
            out.push(ch);
        }
        if quote {
            out.push('"');
        }
    }
    out.push(')');
    Ok(out)
}

/// The error for a value whose text does not parse, as typinput functions word it.
pub fn invalid_input(type_name: &str, text: &str) -> Error {
    Error::new(SqlState::INVALID_TEXT_REPRESENTATION, format!("invalid input syntax for type {type_name}: \"{text}\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datum::Record;

    #[test]
    fn record_out_quotes_as_postgres() {
        let fields =
            ["a b", "\"", "", "x,y", "a\\b", "(p)", "plain"].iter().map(|s| Datum::Text(s.to_string())).chain([Datum::Null, Datum::Int32(-1)]);
        let fields: Vec<Datum> = fields.collect();
        let types = fields.iter().map(|d| if matches!(d, Datum::Int32(_)) { oid::INT4 } else { oid::TEXT }).collect();
        let r = Datum::Record(Box::new(Record::new(types, fields)));
        let text = output(SqlType::RECORD, &r, &IoContext::default(), &|_| None).unwrap();
        assert_eq!(text, r#"("a b","""","","x,y","a\\b","(p)",plain,,-1)"#);
    }
}
