//! Text input/output and casts of PostgreSQL 15's base types, exact to
//! PostgreSQL byte for byte: results, error messages, SQLSTATEs, details.
//!
//! Each `*in` function is PostgreSQL's type input function (`int4in`,
//! `float8in`, `array_in`, ...) and returns the typed value; each `*out`
//! returns the text PostgreSQL prints. Casts are the pg_cast functions
//! (`int84`, `dtoi4`, `bpchar`, ...) under descriptive names. [`input`] and
//! [`output`] dispatch on a type OID for the types covered here, numeric,
//! and arrays of them (date/time types need session settings and live in
//! [`crate::datetime`]).
//!
//! Inputs are treated as C strings: PostgreSQL text never contains NUL, so
//! anything after a NUL byte is ignored, as the C code would.
//!
//! Ported from `src/backend/utils/adt/{int.c, int8.c, numutils.c, oid.c,
//! float.c, bool.c, varchar.c, varlena.c, name.c, char.c, uuid.c,
//! arrayfuncs.c, format_type.c}` and `src/common/{d2s.c, f2s.c}`.
//!
//! Representations chosen here:
//! - `uuid`: [`Datum::Bytes`] of the 16 bytes (bytewise order is
//!   PostgreSQL's `uuid_cmp`); [`uuid_in`] / [`uuid_out`] work on `[u8; 16]`.
//! - `int2vector` / `oidvector`: [`Datum::Text`] holding the canonical
//!   output; [`int2vectorin`] / [`oidvectorin`] give the numbers.
//! - `bpchar`: the padded string, as PostgreSQL stores it.

mod array;
mod boolean;
mod bytea;
mod chars;
mod float;
mod format_type;
mod int;
mod json;
mod tables;
mod uuid;

#[cfg(test)]
mod tests;

pub use array::{
    MAX_ARRAY_SIZE, MAXDIM, array_construct_md, array_in, array_out, array_set_element, array_set_slice, int2vectorin, int2vectorout, oidvectorin,
    oidvectorout,
};
pub use boolean::{bool_to_int4, boolin, boolout, int4_to_bool, parse_bool};
pub use bytea::{ByteaOutput, byteain, byteaout};
pub use chars::{
    NAMEDATALEN, bpchar, bpchar_cmp, bpchar_length, bpchar_to_name, bpchar_to_text, bpchar_true_len, bpcharin, char_to_int4, char_to_text, charin,
    charout, int4_to_char, namein, text_to_char, text_to_name, textin, textout, varchar, varcharin,
};
pub use float::{
    float4_to_float8, float4_to_int2, float4_to_int4, float4_to_int8, float4_to_numeric, float4in, float4out, float8_to_float4, float8_to_int2,
    float8_to_int4, float8_to_int8, float8_to_numeric, float8in, float8out, int_to_float4, int_to_float8, numeric_to_float4, numeric_to_float8,
};
pub use format_type::{
    FormatTypeFlags, TypeDesc, builtin_array_elem, builtin_type_delim, builtin_type_name, format_type, format_type_extended, quote_identifier,
};
pub use int::{
    int_to_numeric, int2_to_int4, int2_to_int8, int2in, int2out, int4_to_int2, int4_to_int8, int4in, int4out, int8_to_int2, int8_to_int4,
    int8_to_oid, int8in, int8out, numeric_to_int2, numeric_to_int4, numeric_to_int8, oid_to_int8, oidin, oidout,
};
pub use json::{escape_json, is_valid_json_number, json_in};
pub use uuid::{uuid_in, uuid_out};

use crate::datum::Datum;
use crate::error::{Error, Result, SqlState};
use crate::numeric::Numeric;
use crate::types::{Oid, oid};

/// The session settings that change how values print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoSettings {
    /// `extra_float_digits` (-15 ..= 3, default 1): above 0 floats print
    /// their shortest round-trip form; otherwise `%.*g` with
    /// DBL_DIG/FLT_DIG + this many digits.
    pub extra_float_digits: i32,
    /// `bytea_output` (default hex).
    pub bytea_output: ByteaOutput,
}

impl Default for IoSettings {
    fn default() -> Self {
        IoSettings { extra_float_digits: 1, bytea_output: ByteaOutput::Hex }
    }
}

/// Whether [`input`] / [`output`] implement this (non-array) type.
fn is_scalar_handled(type_oid: Oid) -> bool {
    matches!(
        type_oid,
        oid::BOOL
            | oid::INT2
            | oid::INT4
            | oid::INT8
            | oid::OID
            | oid::FLOAT4
            | oid::FLOAT8
            | oid::NUMERIC
            | oid::TEXT
            | oid::UNKNOWN
            | oid::CSTRING
            | oid::VARCHAR
            | oid::BPCHAR
            | oid::NAME
            | oid::CHAR
            | oid::BYTEA
            | oid::UUID
            | oid::INT2VECTOR
            | oid::OIDVECTOR
    )
}

/// The element type of a built-in array type whose element [`input`]
/// handles.
fn handled_array_elem(type_oid: Oid) -> Option<Oid> {
    builtin_array_elem(type_oid).filter(|&e| is_scalar_handled(e))
}

/// The type input function of `type_oid` applied to `text` (with the
/// column's typmod, -1 for none), for the types this module and numeric
/// implement and built-in arrays of them. `None` when the type is not one of
/// those (the caller routes date/time and other types).
pub fn input(type_oid: Oid, typmod: i32, text: &str) -> Option<Result<Datum>> {
    let text = cstr(text);
    if !is_scalar_handled(type_oid) {
        let elem = handled_array_elem(type_oid)?;
        let delim = builtin_type_delim(elem).unwrap_or(b',');
        let mut elem_in = |s: &str| input(elem, typmod, s).unwrap_or_else(|| Err(Error::internal("unhandled element type")));
        return Some(array_in(text, elem, typmod, &mut elem_in, delim).map(|a| Datum::Array(Box::new(a))));
    }
    Some(match type_oid {
        oid::BOOL => boolin(text).map(Datum::Bool),
        oid::INT2 => int2in(text).map(Datum::Int16),
        oid::INT4 => int4in(text).map(Datum::Int32),
        oid::INT8 => int8in(text).map(Datum::Int64),
        oid::OID => oidin(text).map(Datum::Oid),
        oid::FLOAT4 => float4in(text).map(Datum::Float32),
        oid::FLOAT8 => float8in(text).map(Datum::Float64),
        oid::NUMERIC => Numeric::parse_with_typmod(text, typmod).map(Datum::Numeric),
        oid::VARCHAR => varcharin(text, typmod).map(Datum::Text),
        oid::BPCHAR => bpcharin(text, typmod).map(Datum::Text),
        oid::NAME => Ok(Datum::Text(namein(text))),
        oid::CHAR => Ok(Datum::Char(charin(text))),
        oid::BYTEA => byteain(text).map(Datum::Bytes),
        oid::UUID => uuid_in(text).map(|u| Datum::Bytes(u.to_vec())),
        oid::INT2VECTOR => int2vectorin(text).map(|v| Datum::Text(int2vectorout(&v))),
        oid::OIDVECTOR => oidvectorin(text).map(|v| Datum::Text(oidvectorout(&v))),
        _ => Ok(Datum::Text(textin(text))),
    })
}

/// The type output function of `type_oid` applied to `value` (not NULL),
/// for the types [`input`] handles. `None` when the type is not one of
/// those.
pub fn output(type_oid: Oid, value: &Datum, settings: &IoSettings) -> Option<Result<String>> {
    if !is_scalar_handled(type_oid) {
        let elem = handled_array_elem(type_oid)?;
        let Datum::Array(a) = value else {
            return Some(Err(mismatch(type_oid, value)));
        };
        let delim = builtin_type_delim(elem).unwrap_or(b',');
        let mut elem_out = |d: &Datum| output(elem, d, settings).unwrap_or_else(|| Err(Error::internal("unhandled element type")));
        return Some(array_out(a, &mut elem_out, delim));
    }
    Some(match (type_oid, value) {
        (oid::BOOL, Datum::Bool(b)) => Ok(boolout(*b).to_string()),
        (oid::INT2, Datum::Int16(v)) => Ok(int2out(*v)),
        (oid::INT4, Datum::Int32(v)) => Ok(int4out(*v)),
        (oid::INT8, Datum::Int64(v)) => Ok(int8out(*v)),
        (oid::OID, Datum::Oid(v)) => Ok(oidout(*v)),
        (oid::FLOAT4, Datum::Float32(v)) => Ok(float4out(*v, settings.extra_float_digits)),
        (oid::FLOAT8, Datum::Float64(v)) => Ok(float8out(*v, settings.extra_float_digits)),
        (oid::NUMERIC, Datum::Numeric(n)) => Ok(n.to_string()),
        (oid::CHAR, Datum::Char(c)) => Ok(charout(*c)),
        (oid::BYTEA, Datum::Bytes(b)) => Ok(byteaout(b, settings.bytea_output)),
        (oid::UUID, Datum::Bytes(b)) => {
            <[u8; 16]>::try_from(b.as_slice()).map(|u| uuid_out(&u)).map_err(|_| Error::internal("uuid datum is not 16 bytes"))
        }
        (oid::TEXT | oid::UNKNOWN | oid::CSTRING | oid::VARCHAR | oid::BPCHAR | oid::NAME | oid::INT2VECTOR | oid::OIDVECTOR, Datum::Text(s)) => {
            Ok(textout(s).to_string())
        }
        _ => Err(mismatch(type_oid, value)),
    })
}

fn mismatch(type_oid: Oid, value: &Datum) -> Error {
    Error::internal(format!("output function of type {type_oid} called on {value:?}"))
}

/// The part of `s` before the first NUL: what a C function would see.
pub(crate) fn cstr(s: &str) -> &str {
    match s.as_bytes().iter().position(|&b| b == 0) {
        Some(i) => &s[..i],
        None => s,
    }
}

/// C's isspace() in the "C" locale, which PostgreSQL's parsers use.
pub(crate) fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// `invalid input syntax for type T: "input"` (22P02).
pub(crate) fn invalid_syntax(type_name: &str, input: &str) -> Error {
    Error::new(SqlState::INVALID_TEXT_REPRESENTATION, format!("invalid input syntax for type {type_name}: \"{input}\""))
}

/// `value "input" is out of range for type T` (22003).
pub(crate) fn value_out_of_range(input: &str, type_name: &str) -> Error {
    Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, format!("value \"{input}\" is out of range for type {type_name}"))
}

/// A 22003 error with a fixed message such as `integer out of range`.
pub(crate) fn out_of_range(message: &str) -> Error {
    Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, message)
}
