//! smallint, integer, bigint and oid: input (numutils.c's pg_strtoint*,
//! oid.c's oidin_subr), output, and the casts among them and to numeric.

use super::{cstr, invalid_syntax, is_c_space, out_of_range, value_out_of_range};
use crate::error::Result;
use crate::numeric::Numeric;
use crate::types::Oid;

/// pg_strtoint64 and friends: optional whitespace, sign, at least one
/// digit, optional whitespace. The value accumulates negatively so the most
/// negative value parses; overflow is reported as soon as it happens, before
/// any trailing junk is looked at (as PostgreSQL does).
fn strtoint(s: &str, min: i64, max: i64, type_name: &str) -> Result<i64> {
    let s = cstr(s);
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        neg = b[i] == b'-';
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return Err(invalid_syntax(type_name, s));
    }
    let mut tmp: i64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        let digit = i64::from(b[i] - b'0');
        tmp = match tmp.checked_mul(10).and_then(|t| t.checked_sub(digit)) {
            Some(t) if t >= min => t,
            _ => return Err(value_out_of_range(s, type_name)),
        };
        i += 1;
    }
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    if i < b.len() {
        return Err(invalid_syntax(type_name, s));
    }
    if !neg {
        if tmp < -max {
            return Err(value_out_of_range(s, type_name));
        }
        tmp = -tmp;
    }
    Ok(tmp)
}

/// int2in.
pub fn int2in(s: &str) -> Result<i16> {
    strtoint(s, i16::MIN.into(), i16::MAX.into(), "smallint").map(|v| v as i16)
}

/// int4in.
pub fn int4in(s: &str) -> Result<i32> {
    strtoint(s, i32::MIN.into(), i32::MAX.into(), "integer").map(|v| v as i32)
}

/// int8in.
pub fn int8in(s: &str) -> Result<i64> {
    strtoint(s, i64::MIN, i64::MAX, "bigint")
}

/// int2out.
pub fn int2out(v: i16) -> String {
    v.to_string()
}

/// int4out.
pub fn int4out(v: i32) -> String {
    v.to_string()
}

/// int8out.
pub fn int8out(v: i64) -> String {
    v.to_string()
}

/// C's strtoul(s, &end, 10) on a 64-bit platform: leading whitespace, an
/// optional sign (a minus negates the unsigned result), digits. Returns
/// (value, bytes consumed — 0 when no digits —, ERANGE).
pub(super) fn strtoul(b: &[u8]) -> (u64, usize, bool) {
    let mut i = 0;
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        neg = b[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut v: u64 = 0;
    let mut overflow = false;
    while i < b.len() && b[i].is_ascii_digit() {
        match v.checked_mul(10).and_then(|t| t.checked_add(u64::from(b[i] - b'0'))) {
            Some(t) => v = t,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return (0, 0, false);
    }
    if overflow {
        return (u64::MAX, i, true);
    }
    (if neg { v.wrapping_neg() } else { v }, i, false)
}

/// oidin_subr: strtoul, then the range check that accepts values written
/// with a minus sign down to -2147483648 (they wrap, as in PostgreSQL).
/// Returns the OID and the bytes consumed; `whole` demands that only
/// whitespace follows.
pub(super) fn oidin_subr(s: &str, whole: bool) -> Result<(Oid, usize)> {
    if s.is_empty() {
        return Err(invalid_syntax("oid", s));
    }
    let b = s.as_bytes();
    let (cvt, mut end, erange) = strtoul(b);
    if end == 0 {
        return Err(invalid_syntax("oid", s));
    }
    if erange {
        return Err(value_out_of_range(s, "oid"));
    }
    if whole {
        while end < b.len() && is_c_space(b[end]) {
            end += 1;
        }
        if end < b.len() {
            return Err(invalid_syntax("oid", s));
        }
    }
    let result = cvt as u32;
    if cvt != u64::from(result) && cvt != (result as i32) as i64 as u64 {
        return Err(value_out_of_range(s, "oid"));
    }
    Ok((result, end))
}

/// oidin.
pub fn oidin(s: &str) -> Result<Oid> {
    oidin_subr(cstr(s), true).map(|(o, _)| o)
}

/// oidout.
pub fn oidout(v: Oid) -> String {
    v.to_string()
}

// ----- casts ---------------------------------------------------------------

/// int2 → int4 (i2toi4).
pub fn int2_to_int4(v: i16) -> i32 {
    v.into()
}

/// int2 → int8 (int28).
pub fn int2_to_int8(v: i16) -> i64 {
    v.into()
}

/// int4 → int8 (int48).
pub fn int4_to_int8(v: i32) -> i64 {
    v.into()
}

/// int4 → int2 (i4toi2): `smallint out of range`.
pub fn int4_to_int2(v: i32) -> Result<i16> {
    i16::try_from(v).map_err(|_| out_of_range("smallint out of range"))
}

/// int8 → int4 (int84): `integer out of range`.
pub fn int8_to_int4(v: i64) -> Result<i32> {
    i32::try_from(v).map_err(|_| out_of_range("integer out of range"))
}

/// int8 → int2 (int82): `smallint out of range`.
pub fn int8_to_int2(v: i64) -> Result<i16> {
    i16::try_from(v).map_err(|_| out_of_range("smallint out of range"))
}

/// int8 → oid (i8tooid): `OID out of range`. (int4 → oid and oid → int4
/// are binary coercions in PostgreSQL: `v as u32` / `v as i32`.)
pub fn int8_to_oid(v: i64) -> Result<Oid> {
    u32::try_from(v).map_err(|_| out_of_range("OID out of range"))
}

/// oid → int8 (oidtoi8).
pub fn oid_to_int8(v: Oid) -> i64 {
    v.into()
}

/// int2/int4/int8 → numeric (int2_numeric, int4_numeric, int8_numeric).
pub fn int_to_numeric(v: i64) -> Numeric {
    Numeric::from_i64(v)
}

/// numeric → int2 (rounds half away from zero; `smallint out of range`,
/// `cannot convert NaN to smallint`, ...).
pub fn numeric_to_int2(v: &Numeric) -> Result<i16> {
    v.to_i16()
}

/// numeric → int4.
pub fn numeric_to_int4(v: &Numeric) -> Result<i32> {
    v.to_i32()
}

/// numeric → int8.
pub fn numeric_to_int8(v: &Numeric) -> Result<i64> {
    v.to_i64()
}
