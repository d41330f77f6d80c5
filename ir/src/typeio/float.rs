//! real and double precision: input (float.c's float4in / float8in over
//! glibc's strtof / strtod, including hexadecimal and `nan(...)` forms),
//! output (the shortest round-trip form of src/common/f2s.c and d2s.c, or
//! `%.*g`), and the casts to and from the integer types, each other and
//! numeric.
//!
//! PostgreSQL's Ryu is built without STRICTLY_SHORTEST: a candidate lying
//! exactly on the rounding interval's boundary is never taken (`1e23`
//! prints as `9.999999999999999e+22`), and exact ties go to the even
//! candidate. Rust's shortest formatting differs in just those two rare
//! situations, which [`shortest_digits`] detects exactly and settles; the
//! `ryu` crate would not help (it is built strictly shortest).

use super::{cstr, invalid_syntax, is_c_space, out_of_range};
use crate::error::{Error, Result, SqlState};
use crate::numeric::Numeric;

// ----- input ---------------------------------------------------------------

/// What glibc's strtod recognised at the start of a string.
enum Scanned {
    /// Nothing: endptr == str.
    None,
    /// A decimal number: the text to convert (sign included).
    Decimal {
        end: usize,
        nonzero: bool,
    },
    /// A hexadecimal number: mantissa digits (without the point), the
    /// number of digits after the point, the binary exponent.
    Hex {
        end: usize,
        neg: bool,
        digits: Vec<u8>,
        frac_digits: i64,
        exp: i64,
    },
    Inf {
        end: usize,
        neg: bool,
    },
    NaN {
        end: usize,
    },
}

/// Scans the longest prefix of `b` that glibc's strtod (C locale) accepts.
fn scan_strtod(b: &[u8]) -> Scanned {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while is_c_space(at(i)) {
        i += 1;
    }
    let mut neg = false;
    if at(i) == b'+' || at(i) == b'-' {
        neg = at(i) == b'-';
        i += 1;
    }
    let lower = |i: usize| at(i).to_ascii_lowercase();
    let matches = |i: usize, word: &[u8]| word.iter().enumerate().all(|(k, &c)| lower(i + k) == c);
    if matches(i, b"inf") {
        let end = if matches(i + 3, b"inity") { i + 8 } else { i + 3 };
        return Scanned::Inf { end, neg };
    }
    if matches(i, b"nan") {
        let mut end = i + 3;
        if at(end) == b'(' {
            let mut j = end + 1;
            while at(j).is_ascii_alphanumeric() || at(j) == b'_' {
                j += 1;
            }
            if at(j) == b')' {
                end = j + 1;
            }
        }
        return Scanned::NaN { end };
    }
    if at(i) == b'0' && lower(i + 1) == b'x' && (at(i + 2).is_ascii_hexdigit() || (at(i + 2) == b'.' && at(i + 3).is_ascii_hexdigit())) {
        let mut j = i + 2;
        let mut digits = Vec::new();
        let mut frac_digits = 0i64;
        while at(j).is_ascii_hexdigit() {
            digits.push(hex_val(at(j)));
            j += 1;
        }
        if at(j) == b'.' {
            j += 1;
            while at(j).is_ascii_hexdigit() {
                digits.push(hex_val(at(j)));
                frac_digits += 1;
                j += 1;
            }
        }
        let mut exp = 0i64;
        if lower(j) == b'p' {
            let mut k = j + 1;
            let mut eneg = false;
            if at(k) == b'+' || at(k) == b'-' {
                eneg = at(k) == b'-';
                k += 1;
            }
            if at(k).is_ascii_digit() {
                while at(k).is_ascii_digit() {
                    exp = (exp * 10 + i64::from(at(k) - b'0')).min(1 << 40);
                    k += 1;
                }
                if eneg {
                    exp = -exp;
                }
                j = k;
            }
        }
        return Scanned::Hex { end: j, neg, digits, frac_digits, exp };
    }
    let mut j = i;
    let mut ndigits = 0;
    let mut nonzero = false;
    while at(j).is_ascii_digit() {
        nonzero |= at(j) != b'0';
        ndigits += 1;
        j += 1;
    }
    if at(j) == b'.' {
        j += 1;
        while at(j).is_ascii_digit() {
            nonzero |= at(j) != b'0';
            ndigits += 1;
            j += 1;
        }
    }
    if ndigits == 0 {
        return Scanned::None;
    }
    if lower(j) == b'e' {
        let mut k = j + 1;
        if at(k) == b'+' || at(k) == b'-' {
            k += 1;
        }
        if at(k).is_ascii_digit() {
            while at(k).is_ascii_digit() {
                k += 1;
            }
            j = k;
        }
    }
    Scanned::Decimal { end: j, nonzero }
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c.wrapping_sub(b'A').wrapping_add(10) & 0xf,
    }
}

/// A float format: significand bits (with the hidden bit), the exponent of
/// the least significant bit of the smallest subnormal, the largest
/// exponent of the most significant bit.
struct Format {
    mant_bits: u32,
    min_lsb_exp: i64,
    max_msb_exp: i64,
}

const F64: Format = Format { mant_bits: 53, min_lsb_exp: -1074, max_msb_exp: 1023 };
const F32: Format = Format { mant_bits: 24, min_lsb_exp: -149, max_msb_exp: 127 };

/// Correctly rounded (to nearest, ties to even) value of a hexadecimal
/// float, as (significand, exponent of its lsb), or None on overflow.
/// A zero significand means zero (or underflow to zero).
fn round_hex(digits: &[u8], frac_digits: i64, exp: i64, f: &Format) -> Option<(u64, i64)> {
    // Keep the first 16 significant hex digits (64 bits) plus a sticky bit.
    let first = digits.iter().position(|&d| d != 0)?;
    let sig = &digits[first..];
    let mut m: u64 = 0;
    let mut kept = 0i64;
    let mut sticky = false;
    for &d in sig {
        if kept < 15 {
            m = (m << 4) | u64::from(d);
            kept += 1;
        } else {
            sticky |= d != 0;
        }
    }
    let dropped = sig.len() as i64 - kept;
    // value = (m + sticky) * 2^e2
    let mut e2 = exp.saturating_add(4 * (dropped - frac_digits));
    // Room for rounding: shift m up so it has 63 significant bits.
    let nbits = 64 - i64::from(m.leading_zeros());
    let up = 63 - nbits;
    m <<= up;
    e2 = e2.saturating_sub(up);
    let msb_exp = e2.saturating_add(62);
    let lsb_exp = (msb_exp - i64::from(f.mant_bits) + 1).max(f.min_lsb_exp);
    let drop = lsb_exp.saturating_sub(e2);
    let (mut q, half, rest) = if drop >= 64 {
        // m < 2^63, so the value is below half of the lsb: it rounds to 0.
        (0, false, true)
    } else {
        let d = drop.max(1) as u32;
        let q = m >> d;
        let rem = m & ((1u64 << d) - 1);
        let half = rem >> (d - 1) == 1;
        let rest = sticky || rem & ((1u64 << (d - 1)) - 1) != 0;
        (q, half, rest)
    };
    if half && (rest || q & 1 == 1) {
        q += 1;
    }
    let mut lsb = lsb_exp;
    if q >> f.mant_bits != 0 {
        q >>= 1;
        lsb += 1;
    }
    if lsb + i64::from(f.mant_bits) - 1 > f.max_msb_exp {
        return None;
    }
    Some((q, lsb))
}

fn to_f64(q: u64, lsb: i64) -> f64 {
    if q == 0 {
        0.0
    } else if q >> 52 == 0 {
        f64::from_bits(q)
    } else {
        f64::from_bits((((lsb + 52 + 1023) as u64) << 52) | (q & ((1 << 52) - 1)))
    }
}

fn to_f32(q: u64, lsb: i64) -> f32 {
    if q == 0 {
        0.0
    } else if q >> 23 == 0 {
        f32::from_bits(q as u32)
    } else {
        f32::from_bits(((((lsb + 23 + 127) as u64) << 23) | (q & ((1 << 23) - 1))) as u32)
    }
}

/// The result of strtod/strtof: value, end offset, ERANGE.
fn strto<T: FloatKind>(b: &[u8]) -> Option<(T, usize, bool)> {
    Some(match scan_strtod(b) {
        Scanned::None => return None,
        Scanned::Inf { end, neg } => (if neg { T::NEG_INFINITY } else { T::INFINITY }, end, false),
        Scanned::NaN { end } => (T::NAN, end, false),
        Scanned::Decimal { end, nonzero } => {
            let start = b.iter().position(|&c| !is_c_space(c)).unwrap_or(0);
            let text = std::str::from_utf8(&b[start..end]).unwrap_or("");
            let v = T::parse(text);
            let erange = v.is_infinite() || (v.is_zero() && nonzero);
            (v, end, erange)
        }
        Scanned::Hex { end, neg, digits, frac_digits, exp } => {
            let v = match round_hex(&digits, frac_digits, exp, T::FORMAT) {
                None if digits.iter().all(|&d| d == 0) => (T::ZERO, false),
                None => (T::INFINITY, true),
                Some((q, lsb)) => (T::from_parts(q, lsb), q == 0),
            };
            (if neg { v.0.neg() } else { v.0 }, end, v.1)
        }
    })
}

/// f32 and f64 alike, for the shared input code.
trait FloatKind: Copy {
    const INFINITY: Self;
    const NEG_INFINITY: Self;
    const NAN: Self;
    const ZERO: Self;
    const FORMAT: &'static Format;
    fn parse(s: &str) -> Self;
    fn is_infinite(self) -> bool;
    fn is_zero(self) -> bool;
    fn neg(self) -> Self;
    fn from_parts(q: u64, lsb: i64) -> Self;
}

impl FloatKind for f64 {
    const INFINITY: f64 = f64::INFINITY;
    const NEG_INFINITY: f64 = f64::NEG_INFINITY;
    const NAN: f64 = f64::NAN;
    const ZERO: f64 = 0.0;
    const FORMAT: &'static Format = &F64;
    fn parse(s: &str) -> f64 {
        s.parse().unwrap_or(f64::NAN)
    }
    fn is_infinite(self) -> bool {
        f64::is_infinite(self)
    }
    fn is_zero(self) -> bool {
        self == 0.0
    }
    fn neg(self) -> f64 {
        -self
    }
    fn from_parts(q: u64, lsb: i64) -> f64 {
        to_f64(q, lsb)
    }
}

impl FloatKind for f32 {
    const INFINITY: f32 = f32::INFINITY;
    const NEG_INFINITY: f32 = f32::NEG_INFINITY;
    const NAN: f32 = f32::NAN;
    const ZERO: f32 = 0.0;
    const FORMAT: &'static Format = &F32;
    fn parse(s: &str) -> f32 {
        s.parse().unwrap_or(f32::NAN)
    }
    fn is_infinite(self) -> bool {
        f32::is_infinite(self)
    }
    fn is_zero(self) -> bool {
        self == 0.0
    }
    fn neg(self) -> f32 {
        -self
    }
    fn from_parts(q: u64, lsb: i64) -> f32 {
        to_f32(q, lsb)
    }
}

/// Skips trailing whitespace from `end`; true when nothing else follows.
fn only_space_after(b: &[u8], end: usize) -> bool {
    b.get(end..).is_some_and(|rest| rest.iter().all(|&c| is_c_space(c)))
}

/// float8in (float8in_internal): leading and trailing whitespace, strtod's
/// syntax; a value that overflows, or underflows to zero, is an error naming
/// only the number itself.
pub fn float8in(s: &str) -> Result<f64> {
    let s = cstr(s);
    let b = s.as_bytes();
    let start = b.iter().position(|&c| !is_c_space(c)).unwrap_or(b.len());
    let Some((v, end, erange)) = strto::<f64>(&b[start..]) else {
        return Err(invalid_syntax("double precision", s));
    };
    let end = start + end;
    if erange {
        return Err(Error::new(
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            format!("\"{}\" is out of range for type double precision", String::from_utf8_lossy(&b[start..end])),
        ));
    }
    if !only_space_after(b, end) {
        return Err(invalid_syntax("double precision", s));
    }
    Ok(v)
}

/// float4in: as float8in with strtof (rounding straight to single
/// precision); the range error quotes the whole input.
pub fn float4in(s: &str) -> Result<f32> {
    let s = cstr(s);
    let b = s.as_bytes();
    let start = b.iter().position(|&c| !is_c_space(c)).unwrap_or(b.len());
    let Some((v, end, erange)) = strto::<f32>(&b[start..]) else {
        return Err(invalid_syntax("real", s));
    };
    if erange {
        return Err(Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, format!("\"{s}\" is out of range for type real")));
    }
    if !only_space_after(b, start + end) {
        return Err(invalid_syntax("real", s));
    }
    Ok(v)
}

// ----- output --------------------------------------------------------------

/// float8out with the session's extra_float_digits.
pub fn float8out(v: f64, extra_float_digits: i32) -> String {
    if extra_float_digits > 0 {
        if let Some(s) = special(v.is_nan(), v.is_infinite(), v == 0.0, v.is_sign_negative()) {
            return s.to_string();
        }
        let bits = v.to_bits();
        let field = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1 << 52) - 1);
        let bin = if field == 0 {
            Binary { sig: frac, exp: -1074, lower_closer: false }
        } else {
            Binary { sig: frac | (1 << 52), exp: field - 1075, lower_closer: frac == 0 && field > 1 }
        };
        let a = v.abs();
        let (digits, exp) =
            shortest_digits(&bin, 17, &format!("{a:e}"), &|l| format!("{:.*e}", l - 1, a), &|s| s.parse::<f64>().is_ok_and(|p| p == a));
        return to_chars(v < 0.0, &digits, exp, 15);
    }
    format_g(v, 15 + extra_float_digits)
}

/// float4out with the session's extra_float_digits.
pub fn float4out(v: f32, extra_float_digits: i32) -> String {
    if extra_float_digits > 0 {
        if let Some(s) = special(v.is_nan(), v.is_infinite(), v == 0.0, v.is_sign_negative()) {
            return s.to_string();
        }
        let bits = v.to_bits();
        let field = ((bits >> 23) & 0xff) as i32;
        let frac = u64::from(bits & ((1 << 23) - 1));
        let bin = if field == 0 {
            Binary { sig: frac, exp: -149, lower_closer: false }
        } else {
            Binary { sig: frac | (1 << 23), exp: field - 150, lower_closer: frac == 0 && field > 1 }
        };
        let a = v.abs();
        let (digits, exp) =
            shortest_digits(&bin, 9, &format!("{a:e}"), &|l| format!("{:.*e}", l - 1, a), &|s| s.parse::<f32>().is_ok_and(|p| p == a));
        return to_chars(v < 0.0, &digits, exp, 6);
    }
    format_g(f64::from(v), 6 + extra_float_digits)
}

/// copy_special_str: NaN, [-]Infinity, [-]0.
fn special(nan: bool, inf: bool, zero: bool, neg: bool) -> Option<&'static str> {
    Some(match (nan, inf, zero, neg) {
        (true, ..) => "NaN",
        (_, true, _, false) => "Infinity",
        (_, true, _, true) => "-Infinity",
        (_, _, true, false) => "0",
        (_, _, true, true) => "-0",
        _ => return None,
    })
}

/// A finite positive float as `sig × 2^exp`; `lower_closer` when the next
/// float down is half as far as the next one up (a power of two).
struct Binary {
    sig: u64,
    exp: i32,
    lower_closer: bool,
}

/// Whether `d × 10^q == m × 2^e` exactly.
fn dec_eq_bin(mut d: u128, q: i32, mut m: u128, mut e: i32) -> bool {
    if d == 0 || m == 0 {
        return d == m;
    }
    let tz = m.trailing_zeros();
    m >>= tz;
    e += tz as i32;
    let tz = d.trailing_zeros();
    d >>= tz;
    if q + tz as i32 != e {
        return false;
    }
    // Both odd now: d × 5^q == m.
    let pow5 = |k: i32| 5u128.checked_pow(k.unsigned_abs());
    if q >= 0 { pow5(q).and_then(|p| d.checked_mul(p)) == Some(m) } else { pow5(q).and_then(|p| m.checked_mul(p)) == Some(d) }
}

impl Binary {
    /// Whether `d × 10^q` is exactly halfway to a neighbouring float: the
    /// rounding interval's (excluded) boundary.
    fn on_boundary(&self, d: u128, q: i32) -> bool {
        let s = u128::from(self.sig);
        dec_eq_bin(d, q, 2 * s + 1, self.exp - 1)
            || if self.lower_closer { dec_eq_bin(d, q, 4 * s - 1, self.exp - 2) } else { dec_eq_bin(d, q, 2 * s - 1, self.exp - 1) }
    }

    /// Whether the value is exactly halfway between `d × 10^q` and one of
    /// its neighbours `(d ± 1) × 10^q`.
    fn is_tie(&self, d: u128, q: i32) -> bool {
        if d == 0 {
            return false;
        }
        let s = u128::from(self.sig);
        dec_eq_bin(2 * d - 1, q, s, self.exp + 1) || dec_eq_bin(2 * d + 1, q, s, self.exp + 1)
    }
}

/// Parses `d.ddde±x` into (digits without trailing zeros, decimal exponent
/// of the first digit).
fn parse_e(s: &str) -> (Vec<u8>, i32) {
    let (mant, e) = s.split_once('e').unwrap_or((s, "0"));
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, e.parse().unwrap_or(0))
}

fn digits_value(digits: &[u8]) -> u128 {
    digits.iter().fold(0, |acc, &c| acc * 10 + u128::from(c - b'0'))
}

/// The digits PostgreSQL's Ryu (d2d / f2d, built without
/// STRICTLY_SHORTEST) picks: the fewest digits strictly inside the rounding
/// interval, the nearest of those, ties to even. Rust's shortest `{:e}`
/// (`rust_e`) agrees except when its answer lies exactly on the interval's
/// boundary (Rust accepts it for even significands) or the value is exactly
/// halfway between two candidates (Rust rounds up); those rare cases are
/// settled exactly, trying correctly rounded `l`-digit forms from `exact(l)`.
fn shortest_digits(
    bin: &Binary,
    max_digits: usize,
    rust_e: &str,
    exact: &dyn Fn(usize) -> String,
    roundtrips: &dyn Fn(&str) -> bool,
) -> (Vec<u8>, i32) {
    let (digits, exp) = parse_e(rust_e);
    let q = exp - digits.len() as i32 + 1;
    let d = digits_value(&digits);
    if !bin.on_boundary(d, q) && !bin.is_tie(d, q) {
        return (digits, exp);
    }
    let inside = |d: u128, q: i32| d > 0 && !bin.on_boundary(d, q) && roundtrips(&format!("{d}e{q}"));
    for l in digits.len()..=max_digits {
        let (digits, exp) = parse_e(&exact(l));
        let q = exp - l as i32 + 1;
        let mut d = digits_value(&digits);
        for _ in digits.len()..l {
            d *= 10;
        }
        for c in [d, d.wrapping_sub(1), d + 1] {
            if inside(c, q) {
                let mut s = c.to_string().into_bytes();
                let exp = q + s.len() as i32 - 1;
                while s.len() > 1 && s.last() == Some(&b'0') {
                    s.pop();
                }
                return (s, exp);
            }
        }
    }
    (digits, exp)
}

/// to_chars (d2s.c / f2s.c): fixed notation when the decimal exponent is in
/// [-4, fixed_limit), else `d.ddde+XX`.
fn to_chars(neg: bool, digits: &[u8], exp: i32, fixed_limit: i32) -> String {
    let mut out = String::with_capacity(digits.len() + 8);
    if neg {
        out.push('-');
    }
    let n = digits.len() as i32;
    if (-4..fixed_limit).contains(&exp) {
        let nexp = exp + 1;
        if nexp <= 0 {
            out.push_str("0.");
            for _ in 0..-nexp {
                out.push('0');
            }
            push_digits(&mut out, digits);
        } else if n <= nexp {
            push_digits(&mut out, digits);
            for _ in 0..nexp - n {
                out.push('0');
            }
        } else {
            push_digits(&mut out, &digits[..nexp as usize]);
            out.push('.');
            push_digits(&mut out, &digits[nexp as usize..]);
        }
    } else {
        push_digits(&mut out, &digits[..1]);
        if n > 1 {
            out.push('.');
            push_digits(&mut out, &digits[1..]);
        }
        push_exponent(&mut out, exp);
    }
    out
}

fn push_digits(out: &mut String, digits: &[u8]) {
    out.extend(digits.iter().map(|&d| d as char));
}

/// `e+XX` / `e-XXX`: a sign and at least two digits, as printf does.
fn push_exponent(out: &mut String, exp: i32) {
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
}

/// pg_strfromd(buf, 32, precision, v): `%.*g` with precision clamped to
/// 1..=32, "NaN", "[-]Infinity", and "-0" for negative zero.
fn format_g(v: f64, precision: i32) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    let mut out = String::new();
    if v.is_sign_negative() {
        out.push('-');
    }
    let a = v.abs();
    if a.is_infinite() {
        out.push_str("Infinity");
        return out;
    }
    let p = precision.clamp(1, 32);
    if a == 0.0 {
        out.push('0');
        return out;
    }
    let e_form = format!("{:.*e}", (p - 1) as usize, a);
    let (mant, exp) = e_form.split_once('e').unwrap_or((&e_form, "0"));
    let x: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    if x < -4 || x >= p {
        while digits.len() > 1 && digits.last() == Some(&b'0') {
            digits.pop();
        }
        push_digits(&mut out, &digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            push_digits(&mut out, &digits[1..]);
        }
        push_exponent(&mut out, x);
    } else {
        // Style f with precision p - 1 - x: the same p significant digits.
        let int_len = x + 1;
        let (int_part, frac_part): (Vec<u8>, Vec<u8>) = if int_len <= 0 {
            let mut f = vec![b'0'; (-int_len) as usize];
            f.extend_from_slice(&digits);
            (vec![b'0'], f)
        } else {
            let k = (int_len as usize).min(digits.len());
            let mut i = digits[..k].to_vec();
            i.resize(int_len as usize, b'0');
            (i, digits[k..].to_vec())
        };
        push_digits(&mut out, &int_part);
        let mut frac = frac_part;
        while frac.last() == Some(&b'0') {
            frac.pop();
        }
        if !frac.is_empty() {
            out.push('.');
            push_digits(&mut out, &frac);
        }
    }
    out
}

// ----- casts ---------------------------------------------------------------

/// float8 → int2 (dtoi2): rint (half to even), then the range check;
/// NaN is out of range too.
pub fn float8_to_int2(v: f64) -> Result<i16> {
    let r = v.round_ties_even();
    if r.is_nan() || !(-32768.0..32768.0).contains(&r) {
        return Err(out_of_range("smallint out of range"));
    }
    Ok(r as i16)
}

/// float8 → int4 (dtoi4).
pub fn float8_to_int4(v: f64) -> Result<i32> {
    let r = v.round_ties_even();
    if r.is_nan() || !(-2147483648.0..2147483648.0).contains(&r) {
        return Err(out_of_range("integer out of range"));
    }
    Ok(r as i32)
}

/// float8 → int8 (dtoi8).
pub fn float8_to_int8(v: f64) -> Result<i64> {
    let r = v.round_ties_even();
    if r.is_nan() || !(-9223372036854775808.0..9223372036854775808.0).contains(&r) {
        return Err(out_of_range("bigint out of range"));
    }
    Ok(r as i64)
}

/// float4 → int2 (ftoi2).
pub fn float4_to_int2(v: f32) -> Result<i16> {
    let r = v.round_ties_even();
    if r.is_nan() || !(-32768.0f32..32768.0).contains(&r) {
        return Err(out_of_range("smallint out of range"));
    }
    Ok(r as i16)
}

/// float4 → int4 (ftoi4).
pub fn float4_to_int4(v: f32) -> Result<i32> {
    let r = v.round_ties_even();
    if r.is_nan() || !(-2147483648.0f32..2147483648.0).contains(&r) {
        return Err(out_of_range("integer out of range"));
    }
    Ok(r as i32)
}

/// float4 → int8 (ftoi8).
pub fn float4_to_int8(v: f32) -> Result<i64> {
    let r = v.round_ties_even();
    if r.is_nan() || !(-9223372036854775808.0f32..9223372036854775808.0).contains(&r) {
        return Err(out_of_range("bigint out of range"));
    }
    Ok(r as i64)
}

/// int2/int4/int8 → float8 (i2tod, i4tod, i8tod): nearest double.
pub fn int_to_float8(v: i64) -> f64 {
    v as f64
}

/// int2/int4/int8 → float4 (i2tof, i4tof, i8tof): nearest float.
pub fn int_to_float4(v: i64) -> f32 {
    v as f32
}

/// float4 → float8 (ftod): exact.
pub fn float4_to_float8(v: f32) -> f64 {
    f64::from(v)
}

/// float8 → float4 (dtof): nearest float; a finite value that becomes
/// infinite or a nonzero one that becomes zero is an error.
pub fn float8_to_float4(v: f64) -> Result<f32> {
    let r = v as f32;
    if r.is_infinite() && !v.is_infinite() {
        return Err(out_of_range("value out of range: overflow"));
    }
    if r == 0.0 && v != 0.0 {
        return Err(out_of_range("value out of range: underflow"));
    }
    Ok(r)
}

/// float8 → numeric (float8_numeric: `%.15g`, NaN and infinities kept).
pub fn float8_to_numeric(v: f64) -> Numeric {
    Numeric::from_f64(v)
}

/// float4 → numeric (float4_numeric: `%.6g`).
pub fn float4_to_numeric(v: f32) -> Numeric {
    Numeric::from_f32(v)
}

/// numeric → float8 (numeric_float8, through the text form).
pub fn numeric_to_float8(v: &Numeric) -> Result<f64> {
    v.to_f64()
}

/// numeric → float4 (numeric_float4).
pub fn numeric_to_float4(v: &Numeric) -> Result<f32> {
    v.to_f32()
}
