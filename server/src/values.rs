//! Values on the wire: type lengths for RowDescription, parameters from
//! their text or binary form, and results in binary format.
//!
//! A query's rows come from the runtime as values (`Portal::fetch_datums`):
//! a column requested in binary is written from the value with PostgreSQL's
//! send format, one in text with the type's output function. Utility
//! statements (SHOW, EXPLAIN, EXECUTE) produce text only; a column of theirs
//! requested in binary is read back with the type's input function under the
//! session's settings and then sent.

use bytes::{BufMut, BytesMut};
use oa_ir::datetime::Interval;
use oa_ir::io::IoContext;
use oa_ir::numeric::Numeric;
use oa_ir::types::{Oid, SqlType, oid};
use oa_ir::{Array, ArrayDim, Datum, Error, Result, SqlState};

/// pg_type.typlen of a type (-1 when unknown: user types are varlena or enums).
pub fn type_len(type_oid: Oid) -> i16 {
    if let Some(t) = oa_runtime::catalog::builtin().types.get(&type_oid) {
        return t.len;
    }
    -1
}

/// The element type of a built-in array type, with its delimiter.
pub fn elem_of(type_oid: Oid) -> Option<(Oid, u8)> {
    let t = oa_runtime::catalog::builtin().types.get(&type_oid)?;
    (t.elem != 0 && t.len == -1).then_some((t.elem, b','))
}

/// Types whose values are their text, in both formats.
fn is_textual(type_oid: Oid) -> bool {
    matches!(
        type_oid,
        oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME | oid::UNKNOWN | oid::JSON | oid::XML | oid::CSTRING | oid::REFCURSOR | oid::PG_NODE_TREE
    )
}

/// User-defined types (enums, mostly) travel as their text in both formats.
fn is_user_type(type_oid: Oid) -> bool {
    type_oid >= oid::FIRST_NORMAL_OBJECT_ID
}

fn binary_unsupported(type_oid: Oid, what: &str) -> Error {
    Error::feature_not_supported(format!("binary {what} of type {type_oid} is not supported yet"))
}

// ------------------------------------------------------------ parameters

/// A parameter value from Bind: `format` 0 is text, 1 binary.
pub fn param_datum(ty: SqlType, format: i16, data: &[u8], io: &IoContext, index: usize) -> Result<Datum> {
    match format {
        0 => {
            let text = std::str::from_utf8(data).map_err(|e| {
                let at = e.valid_up_to();
                Error::new(SqlState::CHARACTER_NOT_IN_REPERTOIRE, format!("invalid byte sequence for encoding \"UTF8\": 0x{:02x}", data[at]))
            })?;
            text_param(ty, text, io)
        }
        1 => binary_to_datum(ty.oid, data).map_err(|e| {
            if e.code == SqlState::FEATURE_NOT_SUPPORTED {
                e
            } else {
                Error::new(SqlState::INVALID_BINARY_REPRESENTATION, format!("incorrect binary data format in bind parameter {}", index + 1))
            }
        }),
        other => Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("unsupported format code: {other}"))),
    }
}

fn text_param(ty: SqlType, text: &str, io: &IoContext) -> Result<Datum> {
    if is_textual(ty.oid) || is_user_type(ty.oid) || ty.oid == oid::JSONB {
        return Ok(Datum::Text(text.to_string()));
    }
    oa_ir::io::input(ty, text, io, &elem_of)
}

/// A value in PostgreSQL's binary (send/recv) format.
pub fn binary_to_datum(type_oid: Oid, data: &[u8]) -> Result<Datum> {
    let bad = || Error::new(SqlState::INVALID_BINARY_REPRESENTATION, "incorrect binary data format");
    let fixed = |n: usize| if data.len() == n { Ok(()) } else { Err(bad()) };
    Ok(match type_oid {
        oid::BOOL => {
            fixed(1)?;
            Datum::Bool(data[0] != 0)
        }
        oid::CHAR => {
            fixed(1)?;
            Datum::Char(data[0])
        }
        oid::INT2 => {
            fixed(2)?;
            Datum::Int16(i16::from_be_bytes([data[0], data[1]]))
        }
        oid::INT4 | oid::DATE => {
            fixed(4)?;
            Datum::Int32(i32::from_be_bytes(data.try_into().map_err(|_| bad())?))
        }
        oid::INT8 | oid::TIME | oid::TIMESTAMP | oid::TIMESTAMPTZ => {
            fixed(8)?;
            Datum::Int64(i64::from_be_bytes(data.try_into().map_err(|_| bad())?))
        }
        oid::OID
        | oid::XID
        | oid::CID
        | oid::REGPROC
        | oid::REGCLASS
        | oid::REGTYPE
        | oid::REGNAMESPACE
        | oid::REGROLE
        | oid::REGPROCEDURE
        | oid::REGOPER
        | oid::REGOPERATOR => {
            fixed(4)?;
            Datum::Oid(u32::from_be_bytes(data.try_into().map_err(|_| bad())?))
        }
        oid::FLOAT4 => {
            fixed(4)?;
            Datum::Float32(f32::from_bits(u32::from_be_bytes(data.try_into().map_err(|_| bad())?)))
        }
        oid::FLOAT8 => {
            fixed(8)?;
            Datum::Float64(f64::from_bits(u64::from_be_bytes(data.try_into().map_err(|_| bad())?)))
        }
        oid::BYTEA => Datum::Bytes(data.to_vec()),
        oid::UUID => {
            fixed(16)?;
            Datum::Bytes(data.to_vec())
        }
        oid::INTERVAL => {
            fixed(16)?;
            let micros = i64::from_be_bytes(data[0..8].try_into().map_err(|_| bad())?);
            let days = i32::from_be_bytes(data[8..12].try_into().map_err(|_| bad())?);
            let months = i32::from_be_bytes(data[12..16].try_into().map_err(|_| bad())?);
            Datum::Interval(Interval { months, days, micros })
        }
        oid::NUMERIC => Datum::Numeric(Numeric::parse(&numeric_binary_to_text(data).ok_or_else(bad)?)?),
        oid::JSONB => match data.split_first() {
            Some((1, rest)) => Datum::Text(String::from_utf8(rest.to_vec()).map_err(|_| bad())?),
            _ => return Err(bad()),
        },
        t if is_textual(t) || is_user_type(t) => Datum::Text(String::from_utf8(data.to_vec()).map_err(|_| bad())?),
        t => match elem_of(t) {
            Some((elem, _)) => Datum::Array(Box::new(binary_to_array(elem, data).ok_or_else(bad)??)),
            None => return Err(binary_unsupported(t, "input")),
        },
    })
}

fn binary_to_array(elem: Oid, data: &[u8]) -> Option<Result<Array>> {
    let mut r = data;
    fn i32_(r: &mut &[u8]) -> Option<i32> {
        let (head, rest) = r.split_first_chunk::<4>()?;
        *r = rest;
        Some(i32::from_be_bytes(*head))
    }
    let ndim = i32_(&mut r)?;
    let _flags = i32_(&mut r)?;
    let elem_type = i32_(&mut r)? as u32;
    if !(0..=6).contains(&ndim) || (elem_type != elem && ndim > 0) {
        return None;
    }
    let mut dims = Vec::new();
    let mut count: usize = 1;
    for _ in 0..ndim {
        let len = i32_(&mut r)?;
        let lower = i32_(&mut r)?;
        if len < 0 {
            return None;
        }
        count = count.checked_mul(len as usize)?;
        dims.push(ArrayDim { len, lower });
    }
    if ndim == 0 {
        count = 0;
    }
    let mut elems = Vec::with_capacity(count.min(data.len() / 4));
    for _ in 0..count {
        let len = i32_(&mut r)?;
        if len == -1 {
            elems.push(Datum::Null);
            continue;
        }
        if len < 0 || r.len() < len as usize {
            return None;
        }
        let (v, rest) = r.split_at(len as usize);
        r = rest;
        match binary_to_datum(elem, v) {
            Ok(d) => elems.push(d),
            Err(e) => return Some(Err(e)),
        }
    }
    if !r.is_empty() {
        return None;
    }
    Some(Ok(Array { elem_type: elem, dims, elems }))
}

// ------------------------------------------------------------ results

/// Appends the binary form of a value whose text output is `text`.
pub fn text_to_binary(type_oid: Oid, text: &str, io: &IoContext, out: &mut BytesMut) -> Result<()> {
    if is_textual(type_oid) || is_user_type(type_oid) {
        out.put_slice(text.as_bytes());
        return Ok(());
    }
    match type_oid {
        oid::VOID => Ok(()),
        oid::JSONB => {
            out.put_u8(1);
            out.put_slice(text.as_bytes());
            Ok(())
        }
        oid::NUMERIC => numeric_text_to_binary(text, out),
        // reg* types print names; their binary form is the OID, which the text no longer has.
        oid::REGPROC | oid::REGCLASS | oid::REGTYPE | oid::REGNAMESPACE | oid::REGROLE | oid::REGPROCEDURE | oid::REGOPER | oid::REGOPERATOR => {
            Err(binary_unsupported(type_oid, "output"))
        }
        _ => {
            let d = oa_ir::io::input(SqlType::new(type_oid), text, io, &elem_of)?;
            datum_to_binary(type_oid, &d, out)
        }
    }
}

/// Appends the send format of a result value of type `type_oid`. `text` is
/// its output text: what textual and user-defined types send, and the way
/// in for a value whose form here has no binary encoding of its own.
pub fn datum_send(type_oid: Oid, d: &Datum, text: impl Fn() -> Result<Option<String>>, io: &IoContext, out: &mut BytesMut) -> Result<()> {
    if is_textual(type_oid) || is_user_type(type_oid) || type_oid == oid::JSONB {
        if type_oid == oid::JSONB {
            out.put_u8(1);
        }
        match d {
            Datum::Text(s) if is_textual(type_oid) => out.put_slice(s.as_bytes()),
            _ => out.put_slice(text()?.unwrap_or_default().as_bytes()),
        }
        return Ok(());
    }
    let at = out.len();
    if datum_to_binary(type_oid, d, out).is_ok() {
        return Ok(());
    }
    out.truncate(at);
    text_to_binary(type_oid, &text()?.unwrap_or_default(), io, out)
}

/// Appends PostgreSQL's send format of a value.
pub fn datum_to_binary(type_oid: Oid, d: &Datum, out: &mut BytesMut) -> Result<()> {
    match (type_oid, d) {
        (_, Datum::Null) => return Err(Error::internal("binary output of a NULL value")),
        (oid::BOOL, Datum::Bool(b)) => out.put_u8(*b as u8),
        (oid::CHAR, Datum::Char(c)) => out.put_u8(*c),
        (oid::INT2, Datum::Int16(v)) => out.put_i16(*v),
        (oid::INT4 | oid::DATE, Datum::Int32(v)) => out.put_i32(*v),
        (oid::INT8 | oid::TIME | oid::TIMESTAMP | oid::TIMESTAMPTZ, Datum::Int64(v)) => out.put_i64(*v),
        (
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
            | oid::REGCOLLATION,
            Datum::Oid(v),
        ) => out.put_u32(*v),
        // void_send: nothing.
        (oid::VOID, _) => {}
        (oid::FLOAT4, Datum::Float32(v)) => out.put_u32(v.to_bits()),
        (oid::FLOAT8, Datum::Float64(v)) => out.put_u64(v.to_bits()),
        (oid::BYTEA | oid::UUID, Datum::Bytes(b)) => out.put_slice(b),
        (oid::INTERVAL, Datum::Interval(i)) => {
            out.put_i64(i.micros);
            out.put_i32(i.days);
            out.put_i32(i.months);
        }
        (oid::NUMERIC, Datum::Numeric(n)) => numeric_text_to_binary(&n.to_string(), out)?,
        (oid::JSONB, Datum::Text(s)) => {
            out.put_u8(1);
            out.put_slice(s.as_bytes());
        }
        (t, Datum::Text(s)) if is_textual(t) || is_user_type(t) => out.put_slice(s.as_bytes()),
        (_, Datum::Array(a)) => {
            let elem = a.elem_type;
            out.put_i32(a.dims.len() as i32);
            out.put_i32(a.elems.iter().any(|e| e.is_null()) as i32);
            out.put_u32(elem);
            for dim in &a.dims {
                out.put_i32(dim.len);
                out.put_i32(dim.lower);
            }
            for e in &a.elems {
                if e.is_null() {
                    out.put_i32(-1);
                    continue;
                }
                let at = out.len();
                out.put_i32(0);
                datum_to_binary(elem, e, out)?;
                let len = (out.len() - at - 4) as i32;
                out[at..at + 4].copy_from_slice(&len.to_be_bytes());
            }
        }
        (t, _) => return Err(binary_unsupported(t, "output")),
    }
    Ok(())
}

const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;
const NUMERIC_PINF: u16 = 0xD000;
const NUMERIC_NINF: u16 = 0xF000;

/// numeric_send from numeric_out's text: base-10000 digits, weight, sign, dscale.
pub fn numeric_text_to_binary(text: &str, out: &mut BytesMut) -> Result<()> {
    let special = |out: &mut BytesMut, sign: u16| {
        out.put_i16(0);
        out.put_i16(0);
        out.put_u16(sign);
        out.put_u16(0);
    };
    match text {
        "NaN" => {
            special(out, NUMERIC_NAN);
            return Ok(());
        }
        "Infinity" => {
            special(out, NUMERIC_PINF);
            return Ok(());
        }
        "-Infinity" => {
            special(out, NUMERIC_NINF);
            return Ok(());
        }
        _ => {}
    }
    let (neg, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(Error::internal(format!("unexpected numeric text \"{text}\"")));
    }
    let dscale = frac.len();
    let int = int.trim_start_matches('0');
    let mut digits_text = "0".repeat((4 - int.len() % 4) % 4);
    digits_text.push_str(int);
    let int_groups = digits_text.len() / 4;
    digits_text.push_str(frac);
    digits_text.push_str(&"0".repeat((4 - frac.len() % 4) % 4));
    let mut digits: Vec<i16> = digits_text.as_bytes().chunks(4).map(|c| c.iter().fold(0i16, |acc, d| acc * 10 + (d - b'0') as i16)).collect();
    let mut weight = int_groups as i32 - 1;
    let leading = digits.iter().take_while(|d| **d == 0).count();
    digits.drain(..leading);
    weight -= leading as i32;
    while digits.last() == Some(&0) {
        digits.pop();
    }
    let sign = if digits.is_empty() {
        weight = 0;
        NUMERIC_POS
    } else if neg {
        NUMERIC_NEG
    } else {
        NUMERIC_POS
    };
    out.put_i16(digits.len() as i16);
    out.put_i16(weight as i16);
    out.put_u16(sign);
    out.put_u16(dscale as u16);
    for d in digits {
        out.put_i16(d);
    }
    Ok(())
}

/// numeric_recv to text (then numeric_in).
pub fn numeric_binary_to_text(data: &[u8]) -> Option<String> {
    if data.len() < 8 {
        return None;
    }
    let ndigits = i16::from_be_bytes([data[0], data[1]]);
    let weight = i16::from_be_bytes([data[2], data[3]]) as i32;
    let sign = u16::from_be_bytes([data[4], data[5]]);
    let dscale = u16::from_be_bytes([data[6], data[7]]) as usize;
    if ndigits < 0 || data.len() != 8 + 2 * ndigits as usize || dscale > 0x3fff {
        return None;
    }
    let digits: Vec<i32> = data[8..].chunks(2).map(|c| i16::from_be_bytes([c[0], c[1]]) as i32).collect();
    if digits.iter().any(|d| !(0..10000).contains(d)) {
        return None;
    }
    match sign {
        NUMERIC_NAN => return Some("NaN".into()),
        NUMERIC_PINF => return Some("Infinity".into()),
        NUMERIC_NINF => return Some("-Infinity".into()),
        NUMERIC_POS | NUMERIC_NEG => {}
        _ => return None,
    }
    let digit = |i: i32| if i >= 0 && (i as usize) < digits.len() { digits[i as usize] } else { 0 };
    let mut s = String::new();
    if sign == NUMERIC_NEG {
        s.push('-');
    }
    if weight < 0 {
        s.push('0');
    } else {
        if weight > 1000 {
            return None;
        }
        for i in 0..=weight {
            if i == 0 {
                s.push_str(&digit(0).to_string());
            } else {
                s.push_str(&format!("{:04}", digit(i)));
            }
        }
    }
    if dscale > 0 {
        s.push('.');
        let mut frac = String::new();
        let mut i = weight + 1;
        while frac.len() < dscale {
            frac.push_str(&format!("{:04}", digit(i)));
            i += 1;
        }
        frac.truncate(dscale);
        s.push_str(&frac);
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(text: &str) -> String {
        let mut b = BytesMut::new();
        numeric_text_to_binary(text, &mut b).unwrap();
        numeric_binary_to_text(&b).unwrap()
    }

    #[test]
    fn numeric_binary_matches_postgres() {
        let mut b = BytesMut::new();
        numeric_text_to_binary("-12345.678", &mut b).unwrap();
        // ndigits 3, weight 1, NEG, dscale 3, digits 1 2345 6780
        assert_eq!(&b[..], &[0, 3, 0, 1, 0x40, 0, 0, 3, 0, 1, 0x09, 0x29, 0x1a, 0x7c]);
        let mut z = BytesMut::new();
        numeric_text_to_binary("0.00", &mut z).unwrap();
        assert_eq!(&z[..], &[0, 0, 0, 0, 0, 0, 0, 2]);
        for t in ["0", "1", "-1", "10000", "0.0001", "0.00012", "123456789.000000001", "NaN", "Infinity", "-Infinity", "5.50"] {
            assert_eq!(roundtrip(t), t);
        }
    }

    #[test]
    fn binary_results_from_text() {
        let io = IoContext::default();
        let mut b = BytesMut::new();
        text_to_binary(oid::INT8, "-2", &io, &mut b).unwrap();
        assert_eq!(&b[..], &(-2i64).to_be_bytes());
        b.clear();
        text_to_binary(oid::DATE, "2000-01-02", &io, &mut b).unwrap();
        assert_eq!(&b[..], &1i32.to_be_bytes());
        b.clear();
        text_to_binary(oid::BYTEA, "\\x0aff", &io, &mut b).unwrap();
        assert_eq!(&b[..], &[0x0a, 0xff]);
        b.clear();
        text_to_binary(1007, "{1,NULL}", &io, &mut b).unwrap();
        assert_eq!(binary_to_datum(1007, &b).unwrap(), Datum::Array(Box::new(Array::from_elems(oid::INT4, vec![Datum::Int32(1), Datum::Null]))));
    }
}
