//! Date/time input: PostgreSQL's `ParseDateTime`, `DecodeDateTime`,
//! `DecodeTimeOnly` and helpers from `datetime.c`, ported statement by
//! statement so that every accepted spelling and every error matches.

use super::ParseContext;
use super::calendar::*;
use super::timezone::{Abbrev, TimeZone, dynamic_zone, lookup_abbrev, tokcmp};
use crate::error::{Error, SqlState};

// Token types (datetime.h).
pub(crate) const RESERV: i32 = 0;
pub(crate) const MONTH: i32 = 1;
pub(crate) const YEAR: i32 = 2;
pub(crate) const DAY: i32 = 3;
pub(crate) const TZ: i32 = 5;
pub(crate) const DTZ: i32 = 6;
pub(crate) const DYNTZ: i32 = 7;
pub(crate) const IGNORE_DTF: i32 = 8;
pub(crate) const AMPM: i32 = 9;
pub(crate) const HOUR: i32 = 10;
pub(crate) const MINUTE: i32 = 11;
pub(crate) const SECOND: i32 = 12;
pub(crate) const MILLISECOND: i32 = 13;
pub(crate) const MICROSECOND: i32 = 14;
pub(crate) const DOY: i32 = 15;
pub(crate) const DOW: i32 = 16;
pub(crate) const UNITS: i32 = 17;
pub(crate) const ADBC: i32 = 18;
pub(crate) const AGO: i32 = 19;
pub(crate) const ISOTIME: i32 = 23;
pub(crate) const WEEK: i32 = 24;
pub(crate) const DECADE: i32 = 25;
pub(crate) const CENTURY: i32 = 26;
pub(crate) const MILLENNIUM: i32 = 27;
pub(crate) const DTZMOD: i32 = 28;
pub(crate) const UNKNOWN_FIELD: i32 = 31;

const AM: i32 = 0;
const PM: i32 = 1;
const HR24: i32 = 2;
const BC: i32 = 1;
const AD: i32 = 0;

// Field types and dtype values.
pub(crate) const DTK_NUMBER: i32 = 0;
pub(crate) const DTK_STRING: i32 = 1;
pub(crate) const DTK_DATE: i32 = 2;
pub(crate) const DTK_TIME: i32 = 3;
pub(crate) const DTK_TZ: i32 = 4;
pub(crate) const DTK_SPECIAL: i32 = 6;
pub(crate) const DTK_EARLY: i32 = 9;
pub(crate) const DTK_LATE: i32 = 10;
pub(crate) const DTK_EPOCH: i32 = 11;
pub(crate) const DTK_NOW: i32 = 12;
pub(crate) const DTK_YESTERDAY: i32 = 13;
pub(crate) const DTK_TODAY: i32 = 14;
pub(crate) const DTK_TOMORROW: i32 = 15;
pub(crate) const DTK_ZULU: i32 = 16;
pub(crate) const DTK_SECOND: i32 = 18;
pub(crate) const DTK_MINUTE: i32 = 19;
pub(crate) const DTK_HOUR: i32 = 20;
pub(crate) const DTK_DAY: i32 = 21;
pub(crate) const DTK_WEEK: i32 = 22;
pub(crate) const DTK_MONTH: i32 = 23;
pub(crate) const DTK_QUARTER: i32 = 24;
pub(crate) const DTK_YEAR: i32 = 25;
pub(crate) const DTK_DECADE: i32 = 26;
pub(crate) const DTK_CENTURY: i32 = 27;
pub(crate) const DTK_MILLENNIUM: i32 = 28;
pub(crate) const DTK_MILLISEC: i32 = 29;
pub(crate) const DTK_MICROSEC: i32 = 30;
pub(crate) const DTK_JULIAN: i32 = 31;
pub(crate) const DTK_DOW: i32 = 32;
pub(crate) const DTK_DOY: i32 = 33;
pub(crate) const DTK_TZ_HOUR: i32 = 34;
pub(crate) const DTK_TZ_MINUTE: i32 = 35;
pub(crate) const DTK_ISOYEAR: i32 = 36;
pub(crate) const DTK_ISODOW: i32 = 37;

pub(crate) const fn dtk_m(t: i32) -> i32 {
    1 << t
}
pub(crate) const DTK_ALL_SECS_M: i32 = dtk_m(SECOND) | dtk_m(MILLISECOND) | dtk_m(MICROSECOND);
pub(crate) const DTK_DATE_M: i32 = dtk_m(YEAR) | dtk_m(MONTH) | dtk_m(DAY);
pub(crate) const DTK_TIME_M: i32 = dtk_m(HOUR) | dtk_m(MINUTE) | DTK_ALL_SECS_M;

pub(crate) const MAXDATELEN: usize = 128;
pub(crate) const MAXDATEFIELDS: usize = 25;
const MAX_TZDISP_HOUR: i32 = 15;

/// PostgreSQL's internal DTERR_* codes plus errors raised directly.
#[derive(Debug)]
pub(crate) enum DtErr {
    BadFormat,
    FieldOverflow,
    MdFieldOverflow,
    IntervalOverflow,
    TzDispOverflow,
    Raise(Error),
}

pub(crate) type DtResult<T> = std::result::Result<T, DtErr>;

/// `DateTimeParseError`: turns a DTERR code into PostgreSQL's message.
pub(crate) fn date_time_parse_error(err: DtErr, input: &str, datatype: &str) -> Error {
    match err {
        DtErr::FieldOverflow => Error::new(SqlState::DATETIME_FIELD_OVERFLOW, format!("date/time field value out of range: \"{input}\"")),
        DtErr::MdFieldOverflow => Error::new(SqlState::DATETIME_FIELD_OVERFLOW, format!("date/time field value out of range: \"{input}\""))
            .with_hint("Perhaps you need a different \"datestyle\" setting."),
        DtErr::IntervalOverflow => Error::new(SqlState::INTERVAL_FIELD_OVERFLOW, format!("interval field value out of range: \"{input}\"")),
        DtErr::TzDispOverflow => {
            Error::new(SqlState::INVALID_TIME_ZONE_DISPLACEMENT_VALUE, format!("time zone displacement out of range: \"{input}\""))
        }
        DtErr::BadFormat => Error::new(SqlState::INVALID_DATETIME_FORMAT, format!("invalid input syntax for type {datatype}: \"{input}\"")),
        DtErr::Raise(e) => e,
    }
}

/// A keyword table entry (`datetkn`).
pub(crate) struct Tkn {
    pub token: &'static str,
    pub ty: i32,
    pub value: i32,
}

const fn t(token: &'static str, ty: i32, value: i32) -> Tkn {
    Tkn { token, ty, value }
}

/// `datetktbl`: date/time keywords, strictly sorted.
static DATETKTBL: &[Tkn] = &[
    t("-infinity", RESERV, DTK_EARLY),
    t("ad", ADBC, AD),
    t("allballs", RESERV, DTK_ZULU),
    t("am", AMPM, AM),
    t("apr", MONTH, 4),
    t("april", MONTH, 4),
    t("at", IGNORE_DTF, 0),
    t("aug", MONTH, 8),
    t("august", MONTH, 8),
    t("bc", ADBC, BC),
    t("d", UNITS, DTK_DAY),
    t("dec", MONTH, 12),
    t("december", MONTH, 12),
    t("dow", UNITS, DTK_DOW),
    t("doy", UNITS, DTK_DOY),
    t("dst", DTZMOD, SECS_PER_HOUR),
    t("epoch", RESERV, DTK_EPOCH),
    t("feb", MONTH, 2),
    t("february", MONTH, 2),
    t("fri", DOW, 5),
    t("friday", DOW, 5),
    t("h", UNITS, DTK_HOUR),
    t("infinity", RESERV, DTK_LATE),
    t("isodow", UNITS, DTK_ISODOW),
    t("isoyear", UNITS, DTK_ISOYEAR),
    t("j", UNITS, DTK_JULIAN),
    t("jan", MONTH, 1),
    t("january", MONTH, 1),
    t("jd", UNITS, DTK_JULIAN),
    t("jul", MONTH, 7),
    t("julian", UNITS, DTK_JULIAN),
    t("july", MONTH, 7),
    t("jun", MONTH, 6),
    t("june", MONTH, 6),
    t("m", UNITS, DTK_MONTH),
    t("mar", MONTH, 3),
    t("march", MONTH, 3),
    t("may", MONTH, 5),
    t("mm", UNITS, DTK_MINUTE),
    t("mon", DOW, 1),
    t("monday", DOW, 1),
    t("nov", MONTH, 11),
    t("november", MONTH, 11),
    t("now", RESERV, DTK_NOW),
    t("oct", MONTH, 10),
    t("october", MONTH, 10),
    t("on", IGNORE_DTF, 0),
    t("pm", AMPM, PM),
    t("s", UNITS, DTK_SECOND),
    t("sat", DOW, 6),
    t("saturday", DOW, 6),
    t("sep", MONTH, 9),
    t("sept", MONTH, 9),
    t("september", MONTH, 9),
    t("sun", DOW, 0),
    t("sunday", DOW, 0),
    t("t", ISOTIME, DTK_TIME),
    t("thu", DOW, 4),
    t("thur", DOW, 4),
    t("thurs", DOW, 4),
    t("thursday", DOW, 4),
    t("today", RESERV, DTK_TODAY),
    t("tomorrow", RESERV, DTK_TOMORROW),
    t("tue", DOW, 2),
    t("tues", DOW, 2),
    t("tuesday", DOW, 2),
    t("wed", DOW, 3),
    t("wednesday", DOW, 3),
    t("weds", DOW, 3),
    t("y", UNITS, DTK_YEAR),
    t("yesterday", RESERV, DTK_YESTERDAY),
];

/// `deltatktbl`: interval units and other unit keywords, strictly sorted.
static DELTATKTBL: &[Tkn] = &[
    t("@", IGNORE_DTF, 0),
    t("ago", AGO, 0),
    t("c", UNITS, DTK_CENTURY),
    t("cent", UNITS, DTK_CENTURY),
    t("centuries", UNITS, DTK_CENTURY),
    t("century", UNITS, DTK_CENTURY),
    t("d", UNITS, DTK_DAY),
    t("day", UNITS, DTK_DAY),
    t("days", UNITS, DTK_DAY),
    t("dec", UNITS, DTK_DECADE),
    t("decade", UNITS, DTK_DECADE),
    t("decades", UNITS, DTK_DECADE),
    t("decs", UNITS, DTK_DECADE),
    t("h", UNITS, DTK_HOUR),
    t("hour", UNITS, DTK_HOUR),
    t("hours", UNITS, DTK_HOUR),
    t("hr", UNITS, DTK_HOUR),
    t("hrs", UNITS, DTK_HOUR),
    t("m", UNITS, DTK_MINUTE),
    t("microsecon", UNITS, DTK_MICROSEC),
    t("mil", UNITS, DTK_MILLENNIUM),
    t("millennia", UNITS, DTK_MILLENNIUM),
    t("millennium", UNITS, DTK_MILLENNIUM),
    t("millisecon", UNITS, DTK_MILLISEC),
    t("mils", UNITS, DTK_MILLENNIUM),
    t("min", UNITS, DTK_MINUTE),
    t("mins", UNITS, DTK_MINUTE),
    t("minute", UNITS, DTK_MINUTE),
    t("minutes", UNITS, DTK_MINUTE),
    t("mon", UNITS, DTK_MONTH),
    t("mons", UNITS, DTK_MONTH),
    t("month", UNITS, DTK_MONTH),
    t("months", UNITS, DTK_MONTH),
    t("ms", UNITS, DTK_MILLISEC),
    t("msec", UNITS, DTK_MILLISEC),
    t("msecond", UNITS, DTK_MILLISEC),
    t("mseconds", UNITS, DTK_MILLISEC),
    t("msecs", UNITS, DTK_MILLISEC),
    t("qtr", UNITS, DTK_QUARTER),
    t("quarter", UNITS, DTK_QUARTER),
    t("s", UNITS, DTK_SECOND),
    t("sec", UNITS, DTK_SECOND),
    t("second", UNITS, DTK_SECOND),
    t("seconds", UNITS, DTK_SECOND),
    t("secs", UNITS, DTK_SECOND),
    t("timezone", UNITS, DTK_TZ),
    t("timezone_h", UNITS, DTK_TZ_HOUR),
    t("timezone_m", UNITS, DTK_TZ_MINUTE),
    t("us", UNITS, DTK_MICROSEC),
    t("usec", UNITS, DTK_MICROSEC),
    t("usecond", UNITS, DTK_MICROSEC),
    t("useconds", UNITS, DTK_MICROSEC),
    t("usecs", UNITS, DTK_MICROSEC),
    t("w", UNITS, DTK_WEEK),
    t("week", UNITS, DTK_WEEK),
    t("weeks", UNITS, DTK_WEEK),
    t("y", UNITS, DTK_YEAR),
    t("year", UNITS, DTK_YEAR),
    t("years", UNITS, DTK_YEAR),
    t("yr", UNITS, DTK_YEAR),
    t("yrs", UNITS, DTK_YEAR),
];

fn datebsearch(key: &[u8], table: &'static [Tkn]) -> Option<&'static Tkn> {
    table.binary_search_by(|tk| tokcmp(tk.token.as_bytes(), key)).ok().map(|i| &table[i])
}

/// `DecodeSpecial`: (type, value) of a lower-cased date keyword.
pub(crate) fn decode_special(lowtoken: &[u8]) -> (i32, i32) {
    match datebsearch(lowtoken, DATETKTBL) {
        Some(tk) => (tk.ty, tk.value),
        None => (UNKNOWN_FIELD, 0),
    }
}

/// `DecodeUnits`: (type, value) of a lower-cased unit keyword.
pub(crate) fn decode_units(lowtoken: &[u8]) -> (i32, i32) {
    match datebsearch(lowtoken, DELTATKTBL) {
        Some(tk) => (tk.ty, tk.value),
        None => (UNKNOWN_FIELD, 0),
    }
}

/// `DecodeTimezoneAbbrev`: (type, offset seconds east, zone for DYNTZ).
pub(crate) fn decode_timezone_abbrev(lowtoken: &[u8]) -> DtResult<(i32, i32, Option<TimeZone>)> {
    let Ok(s) = std::str::from_utf8(lowtoken) else {
        return Ok((UNKNOWN_FIELD, 0, None));
    };
    match lookup_abbrev(s) {
        None => Ok((UNKNOWN_FIELD, 0, None)),
        Some(Abbrev::Fixed { offset, dst }) => Ok((if dst { DTZ } else { TZ }, offset, None)),
        Some(Abbrev::Dynamic(zone)) => {
            let tz = dynamic_zone(zone).map_err(DtErr::Raise)?;
            Ok((DYNTZ, 0, Some(tz)))
        }
    }
}

// ---------------------------------------------------------------------------
// C library emulation

/// C `isspace` in the "C" locale.
pub(crate) fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

fn isspace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn ispunct(c: u8) -> bool {
    c.is_ascii_punctuation()
}

pub(crate) fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// C `strtol(s + start, &end, 10)` on a NUL-terminated view: returns
/// (value, end index, ERANGE). `end == start` when no digits were found.
pub(crate) fn strtol(s: &[u8], start: usize) -> (i64, usize, bool) {
    let mut i = start;
    while isspace(at(s, i)) {
        i += 1;
    }
    let mut neg = false;
    if at(s, i) == b'+' || at(s, i) == b'-' {
        neg = at(s, i) == b'-';
        i += 1;
    }
    if !at(s, i).is_ascii_digit() {
        return (0, start, false);
    }
    let mut acc: i128 = 0;
    let mut overflow = false;
    while at(s, i).is_ascii_digit() {
        if !overflow {
            acc = acc * 10 + (at(s, i) - b'0') as i128;
            if acc > i64::MAX as i128 + 1 {
                overflow = true;
            }
        }
        i += 1;
    }
    if neg {
        acc = -acc;
    }
    if overflow || acc > i64::MAX as i128 {
        return (i64::MAX, i, true);
    }
    if acc < i64::MIN as i128 {
        return (i64::MIN, i, true);
    }
    (acc as i64, i, false)
}

/// PostgreSQL's `strtoint`: `strtol` plus ERANGE when it doesn't fit `int`.
pub(crate) fn strtoint(s: &[u8], start: usize) -> (i32, usize, bool) {
    let (v, end, erange) = strtol(s, start);
    let iv = v as i32;
    (iv, end, erange || iv as i64 != v)
}

/// C `atoi`: `(int) strtol(s, NULL, 10)`.
fn atoi(s: &[u8]) -> i32 {
    strtol(s, 0).0 as i32
}

/// C `strtod` on a NUL-terminated view: (value, end index, ERANGE).
pub(crate) fn strtod(s: &[u8], start: usize) -> (f64, usize, bool) {
    let mut i = start;
    while isspace(at(s, i)) {
        i += 1;
    }
    let sign_at = i;
    let mut neg = false;
    if at(s, i) == b'+' || at(s, i) == b'-' {
        neg = at(s, i) == b'-';
        i += 1;
    }
    let rest = &s[i.min(s.len())..];
    let lower = |n: usize| -> Vec<u8> { rest.iter().take(n).map(|c| c.to_ascii_lowercase()).collect() };
    let apply = |v: f64| if neg { -v } else { v };
    if lower(8) == b"infinity" {
        return (apply(f64::INFINITY), i + 8, false);
    }
    if lower(3) == b"inf" {
        return (apply(f64::INFINITY), i + 3, false);
    }
    if lower(3) == b"nan" {
        let mut end = i + 3;
        if at(s, end) == b'(' {
            let mut j = end + 1;
            while at(s, j).is_ascii_alphanumeric() || at(s, j) == b'_' {
                j += 1;
            }
            if at(s, j) == b')' {
                end = j + 1;
            }
        }
        return (f64::NAN, end, false);
    }
    if at(s, i) == b'0' && (at(s, i + 1) | 0x20) == b'x' {
        let mut j = i + 2;
        let mut mant: f64 = 0.0;
        let mut digits = 0;
        let mut exp: i64 = 0;
        while at(s, j).is_ascii_hexdigit() {
            mant = mant * 16.0 + (at(s, j) as char).to_digit(16).unwrap_or(0) as f64;
            digits += 1;
            j += 1;
        }
        if at(s, j) == b'.' {
            j += 1;
            while at(s, j).is_ascii_hexdigit() {
                mant = mant * 16.0 + (at(s, j) as char).to_digit(16).unwrap_or(0) as f64;
                exp -= 4;
                digits += 1;
                j += 1;
            }
        }
        if digits == 0 {
            // "0x" with no hex digits parses as just "0".
            return (apply(0.0), i + 1, false);
        }
        if (at(s, j) | 0x20) == b'p' {
            let (e, end, _) = strtol(s, j + 1);
            if end != j + 1 && !isspace(at(s, j + 1)) {
                exp = exp.saturating_add(e);
                j = end;
            }
        }
        let v = mant * 2f64.powi(exp.clamp(-2000, 2000) as i32);
        return (apply(v), j, v.is_infinite() || (v == 0.0 && mant != 0.0));
    }
    let mut j = i;
    let mut ndigits = 0;
    let mut nonzero = false;
    while at(s, j).is_ascii_digit() {
        nonzero |= at(s, j) != b'0';
        j += 1;
        ndigits += 1;
    }
    if at(s, j) == b'.' {
        j += 1;
        while at(s, j).is_ascii_digit() {
            nonzero |= at(s, j) != b'0';
            j += 1;
            ndigits += 1;
        }
    }
    if ndigits == 0 {
        return (0.0, start, false);
    }
    if (at(s, j) | 0x20) == b'e' {
        let mut k = j + 1;
        if at(s, k) == b'+' || at(s, k) == b'-' {
            k += 1;
        }
        if at(s, k).is_ascii_digit() {
            while at(s, k).is_ascii_digit() {
                k += 1;
            }
            j = k;
        }
    }
    let text = std::str::from_utf8(&s[sign_at..j]).unwrap_or("0");
    let v: f64 = text.parse().unwrap_or(0.0);
    let erange = v.is_infinite() || (v == 0.0 && nonzero) || (v != 0.0 && v.abs() < f64::MIN_POSITIVE);
    (v, j, erange)
}

/// The whole string as a C double, or `None` (used by `SET TimeZone`).
pub(crate) fn strtod_full(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (v, end, _) = strtod(b, 0);
    (end != 0 && end == b.len()).then_some(v)
}

/// C `rint`: round half to even.
pub(crate) fn rint(x: f64) -> f64 {
    x.round_ties_even()
}

/// C's `(int) x` for doubles as x86-64 computes it: out-of-range and NaN
/// give INT_MIN (the "integer indefinite" value).
pub(crate) fn f2i(x: f64) -> i32 {
    if x.is_nan() || x >= 2147483648.0 || x <= -2147483649.0 { i32::MIN } else { x as i32 }
}

/// C's `(int64) x` for doubles as x86-64 computes it.
pub(crate) fn f2i64(x: f64) -> i64 {
    if x.is_nan() || !(-9223372036854775808.0..9223372036854775808.0).contains(&x) { i64::MIN } else { x as i64 }
}

// ---------------------------------------------------------------------------
// Tokenizer

/// One token of date/time input (lower-cased where PostgreSQL lowercases).
pub(crate) struct Fields {
    pub field: Vec<Vec<u8>>,
    pub ftype: Vec<i32>,
}

/// `ParseDateTime`: splits input into typed fields. `buflen` is the size of
/// the caller's work buffer in PostgreSQL, which bounds accepted input.
pub(crate) fn parse_date_time(input: &[u8], buflen: usize) -> DtResult<Fields> {
    let s = input;
    let mut cp = 0usize;
    let mut used = 0usize;
    let mut out = Fields { field: Vec::new(), ftype: Vec::new() };
    macro_rules! append {
        ($buf:expr, $c:expr) => {{
            if used + 1 >= buflen {
                return Err(DtErr::BadFormat);
            }
            $buf.push($c);
            used += 1;
        }};
    }
    while at(s, cp) != 0 {
        if isspace(at(s, cp)) {
            cp += 1;
            continue;
        }
        if out.field.len() >= MAXDATEFIELDS {
            return Err(DtErr::BadFormat);
        }
        let mut buf: Vec<u8> = Vec::new();
        let ftype;
        let c = at(s, cp);
        if c.is_ascii_digit() {
            append!(buf, c);
            cp += 1;
            while at(s, cp).is_ascii_digit() {
                append!(buf, at(s, cp));
                cp += 1;
            }
            if at(s, cp) == b':' {
                ftype = DTK_TIME;
                append!(buf, b':');
                cp += 1;
                while at(s, cp).is_ascii_digit() || at(s, cp) == b':' || at(s, cp) == b'.' {
                    append!(buf, at(s, cp));
                    cp += 1;
                }
            } else if at(s, cp) == b'-' || at(s, cp) == b'/' || at(s, cp) == b'.' {
                let delim = at(s, cp);
                append!(buf, delim);
                cp += 1;
                if at(s, cp).is_ascii_digit() {
                    let mut ft = if delim == b'.' { DTK_NUMBER } else { DTK_DATE };
                    while at(s, cp).is_ascii_digit() {
                        append!(buf, at(s, cp));
                        cp += 1;
                    }
                    if at(s, cp) == delim {
                        ft = DTK_DATE;
                        append!(buf, delim);
                        cp += 1;
                        while at(s, cp).is_ascii_digit() || at(s, cp) == delim {
                            append!(buf, at(s, cp));
                            cp += 1;
                        }
                    }
                    ftype = ft;
                } else {
                    ftype = DTK_DATE;
                    while at(s, cp).is_ascii_alphanumeric() || at(s, cp) == delim {
                        append!(buf, at(s, cp).to_ascii_lowercase());
                        cp += 1;
                    }
                }
            } else {
                ftype = DTK_NUMBER;
            }
        } else if c == b'.' {
            append!(buf, c);
            cp += 1;
            while at(s, cp).is_ascii_digit() {
                append!(buf, at(s, cp));
                cp += 1;
            }
            ftype = DTK_NUMBER;
        } else if c.is_ascii_alphabetic() {
            let mut ft = DTK_STRING;
            append!(buf, c.to_ascii_lowercase());
            cp += 1;
            while at(s, cp).is_ascii_alphabetic() {
                append!(buf, at(s, cp).to_ascii_lowercase());
                cp += 1;
            }
            let n = at(s, cp);
            // A date with embedded text, or a zone name such as "Etc/GMT+3"
            // unless what we have is a keyword.
            let is_date = n == b'-' || n == b'/' || n == b'.' || ((n == b'+' || n.is_ascii_digit()) && datebsearch(&buf, DATETKTBL).is_none());
            if is_date {
                ft = DTK_DATE;
                loop {
                    append!(buf, at(s, cp).to_ascii_lowercase());
                    cp += 1;
                    let n = at(s, cp);
                    if !(n == b'+' || n == b'-' || n == b'/' || n == b'_' || n == b'.' || n == b':' || n.is_ascii_alphanumeric()) {
                        break;
                    }
                }
            }
            ftype = ft;
        } else if c == b'+' || c == b'-' {
            append!(buf, c);
            cp += 1;
            while isspace(at(s, cp)) {
                cp += 1;
            }
            let n = at(s, cp);
            if n.is_ascii_digit() {
                ftype = DTK_TZ;
                append!(buf, n);
                cp += 1;
                while at(s, cp).is_ascii_digit() || at(s, cp) == b':' || at(s, cp) == b'.' || at(s, cp) == b'-' {
                    append!(buf, at(s, cp));
                    cp += 1;
                }
            } else if n.is_ascii_alphabetic() {
                ftype = DTK_SPECIAL;
                append!(buf, n.to_ascii_lowercase());
                cp += 1;
                while at(s, cp).is_ascii_alphabetic() {
                    append!(buf, at(s, cp).to_ascii_lowercase());
                    cp += 1;
                }
            } else {
                return Err(DtErr::BadFormat);
            }
        } else if ispunct(c) {
            cp += 1;
            continue;
        } else {
            return Err(DtErr::BadFormat);
        }
        used += 1; // the NUL terminator
        out.field.push(buf);
        out.ftype.push(ftype);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Field decoders

/// `ParseFraction`: ".digits" to a double.
pub(crate) fn parse_fraction(s: &[u8], start: usize) -> DtResult<f64> {
    if at(s, start + 1) == 0 {
        return Ok(0.0);
    }
    let (v, end, erange) = strtod(s, start);
    if at(s, end) != 0 || erange {
        return Err(DtErr::BadFormat);
    }
    Ok(v)
}

/// `ParseFractionalSecond`: ".digits" to microseconds.
fn parse_fractional_second(s: &[u8], start: usize) -> DtResult<i32> {
    let frac = parse_fraction(s, start)?;
    Ok(f2i(rint(frac * 1_000_000.0)))
}

/// Output of the date/time decoders.
pub(crate) struct Decoded {
    pub dtype: i32,
    pub tm: Tm,
    pub fsec: i32,
    pub tz: i32,
}

/// `time_overflows`.
pub(crate) fn time_overflows(hour: i32, min: i32, sec: i32, fsec: i32) -> bool {
    if !(0..=HOURS_PER_DAY).contains(&hour)
        || !(0..MINS_PER_HOUR).contains(&min)
        || !(0..=SECS_PER_MINUTE).contains(&sec)
        || fsec < 0
        || fsec as i64 > USECS_PER_SEC
    {
        return true;
    }
    time2t(hour, min, sec, fsec) > USECS_PER_DAY
}

/// `GetCurrentTimeUsec`: transaction time broken down in the session zone.
fn current_time_usec(ctx: &ParseContext) -> DtResult<(Tm, i32, i32)> {
    match timestamp2tm(ctx.now, Some(ctx.time_zone)) {
        Some((tm, fsec, tz, _)) => Ok((tm, fsec, tz)),
        None => Err(DtErr::Raise(super::timestamp_out_of_range())),
    }
}

/// `DecodeDateTime`.
pub(crate) fn decode_date_time(f: &mut Fields, ctx: &ParseContext) -> DtResult<Decoded> {
    let nf = f.field.len();
    let mut fmask = 0i32;
    let mut tmask: i32;
    let mut ptype = 0i32;
    let mut mer = HR24;
    let mut have_text_month = false;
    let mut isjulian = false;
    let mut is2digits = false;
    let mut bc = false;
    let mut named_tz: Option<TimeZone> = None;
    let mut abbrev_tz: Option<TimeZone> = None;
    let mut abbrev: Vec<u8> = Vec::new();
    let mut dtype = DTK_DATE;
    let mut tm = Tm { isdst: -1, ..Default::default() };
    let mut fsec = 0i32;
    let mut tz = 0i32;
    let date_order = ctx.date_style.order;

    for i in 0..nf {
        let field: &[u8] = &f.field[i];
        match f.ftype[i] {
            DTK_DATE => {
                if ptype == DTK_JULIAN {
                    let (val, cp, erange) = strtoint(field, 0);
                    if erange || val < 0 {
                        return Err(DtErr::FieldOverflow);
                    }
                    (tm.year, tm.mon, tm.mday) = j2date(val);
                    isjulian = true;
                    tz = decode_timezone(&field[cp..])?;
                    tmask = DTK_DATE_M | DTK_TIME_M | dtk_m(TZ);
                    ptype = 0;
                } else if ptype != 0 || (fmask & (dtk_m(MONTH) | dtk_m(DAY))) == (dtk_m(MONTH) | dtk_m(DAY)) {
                    if at(field, 0).is_ascii_digit() || ptype != 0 {
                        if ptype != 0 {
                            if ptype != DTK_TIME {
                                return Err(DtErr::BadFormat);
                            }
                            ptype = 0;
                        }
                        if (fmask & DTK_TIME_M) == DTK_TIME_M {
                            return Err(DtErr::BadFormat);
                        }
                        let Some(cp) = field.iter().position(|&c| c == b'-') else {
                            return Err(DtErr::BadFormat);
                        };
                        tz = decode_timezone(&field[cp..])?;
                        let head = &field[..cp];
                        let (m, _) = decode_number_field(head, fmask, &mut tm, &mut fsec, &mut is2digits)?;
                        tmask = m | dtk_m(TZ);
                    } else {
                        let name = String::from_utf8_lossy(field).into_owned();
                        match TimeZone::load(&name) {
                            Some(z) => named_tz = Some(z),
                            None => {
                                return Err(DtErr::Raise(Error::new(
                                    SqlState::INVALID_PARAMETER_VALUE,
                                    format!("time zone \"{name}\" not recognized"),
                                )));
                            }
                        }
                        tmask = dtk_m(TZ);
                    }
                } else {
                    tmask = decode_date(field, fmask, &mut is2digits, &mut tm, date_order)?;
                }
            }
            DTK_TIME => {
                if ptype != 0 {
                    if ptype != DTK_TIME {
                        return Err(DtErr::BadFormat);
                    }
                    ptype = 0;
                }
                tmask = decode_time(field, fmask, INTERVAL_FULL_RANGE, &mut tm, &mut fsec)?;
                if time_overflows(tm.hour, tm.min, tm.sec, fsec) {
                    return Err(DtErr::FieldOverflow);
                }
            }
            DTK_TZ => {
                tz = decode_timezone(field)?;
                tmask = dtk_m(TZ);
            }
            DTK_NUMBER => {
                if ptype != 0 {
                    let (val, cp, erange) = strtoint(field, 0);
                    if erange {
                        return Err(DtErr::FieldOverflow);
                    }
                    if at(field, cp) == b'.' {
                        if !matches!(ptype, DTK_JULIAN | DTK_TIME | DTK_SECOND) {
                            return Err(DtErr::BadFormat);
                        }
                    } else if at(field, cp) != 0 {
                        return Err(DtErr::BadFormat);
                    }
                    tmask = decode_labeled_number(ptype, val, field, cp, fmask, &mut tm, &mut fsec, &mut tz, &mut isjulian, &mut is2digits)?;
                    ptype = 0;
                    dtype = DTK_DATE;
                } else {
                    let flen = field.len();
                    let dot = field.iter().position(|&c| c == b'.');
                    if dot.is_some() && (fmask & DTK_DATE_M) == 0 {
                        tmask = decode_date(field, fmask, &mut is2digits, &mut tm, date_order)?;
                    } else if dot.is_some_and(|d| d > 2) {
                        // Run-together date or time with a fraction.
                        let (m, _) = decode_number_field(field, fmask, &mut tm, &mut fsec, &mut is2digits)?;
                        tmask = m;
                    } else if flen >= 6 && ((fmask & DTK_DATE_M) == 0 || (fmask & DTK_TIME_M) == 0) {
                        let (m, _) = decode_number_field(field, fmask, &mut tm, &mut fsec, &mut is2digits)?;
                        tmask = m;
                    } else {
                        tmask = decode_number(field, have_text_month, fmask, &mut tm, &mut fsec, &mut is2digits, date_order)?;
                    }
                }
            }
            DTK_STRING | DTK_SPECIAL => {
                let (mut ty, mut val, mut valtz) = decode_timezone_abbrev(field)?;
                if ty == UNKNOWN_FIELD {
                    (ty, val) = decode_special(field);
                    valtz = None;
                }
                if ty == IGNORE_DTF {
                    continue;
                }
                tmask = dtk_m(ty);
                match ty {
                    RESERV => match val {
                        DTK_NOW => {
                            tmask = DTK_DATE_M | DTK_TIME_M | dtk_m(TZ);
                            dtype = DTK_DATE;
                            let (ctm, cfsec, ctz) = current_time_usec(ctx)?;
                            tm = ctm;
                            fsec = cfsec;
                            tz = ctz;
                        }
                        DTK_YESTERDAY | DTK_TODAY | DTK_TOMORROW => {
                            tmask = DTK_DATE_M;
                            dtype = DTK_DATE;
                            let (cur, _, _) = current_time_usec(ctx)?;
                            let delta = match val {
                                DTK_YESTERDAY => -1,
                                DTK_TOMORROW => 1,
                                _ => 0,
                            };
                            (tm.year, tm.mon, tm.mday) = j2date(date2j(cur.year, cur.mon, cur.mday).wrapping_add(delta));
                        }
                        DTK_ZULU => {
                            tmask = DTK_TIME_M | dtk_m(TZ);
                            dtype = DTK_DATE;
                            tm.hour = 0;
                            tm.min = 0;
                            tm.sec = 0;
                            tz = 0;
                        }
                        _ => dtype = val,
                    },
                    MONTH => {
                        if (fmask & dtk_m(MONTH)) != 0 && !have_text_month && (fmask & dtk_m(DAY)) == 0 && tm.mon >= 1 && tm.mon <= 31 {
                            tm.mday = tm.mon;
                            tmask = dtk_m(DAY);
                        }
                        have_text_month = true;
                        tm.mon = val;
                    }
                    DTZMOD => {
                        tmask |= dtk_m(DTZ);
                        tm.isdst = 1;
                        tz = tz.wrapping_sub(val);
                    }
                    DTZ => {
                        tmask |= dtk_m(TZ);
                        tm.isdst = 1;
                        tz = -val;
                    }
                    TZ => {
                        tm.isdst = 0;
                        tz = -val;
                    }
                    DYNTZ => {
                        tmask |= dtk_m(TZ);
                        abbrev_tz = valtz;
                        abbrev = field.to_vec();
                    }
                    AMPM => mer = val,
                    ADBC => bc = val == BC,
                    DOW => tm.wday = val,
                    UNITS => {
                        tmask = 0;
                        ptype = val;
                    }
                    ISOTIME => {
                        tmask = 0;
                        if (fmask & DTK_DATE_M) != DTK_DATE_M {
                            return Err(DtErr::BadFormat);
                        }
                        if i >= nf - 1 || (f.ftype[i + 1] != DTK_NUMBER && f.ftype[i + 1] != DTK_TIME && f.ftype[i + 1] != DTK_DATE) {
                            return Err(DtErr::BadFormat);
                        }
                        ptype = val;
                    }
                    UNKNOWN_FIELD => {
                        let name = String::from_utf8_lossy(field).into_owned();
                        match TimeZone::load(&name) {
                            Some(z) => named_tz = Some(z),
                            None => return Err(DtErr::BadFormat),
                        }
                        tmask = dtk_m(TZ);
                    }
                    _ => return Err(DtErr::BadFormat),
                }
            }
            _ => return Err(DtErr::BadFormat),
        }
        if tmask & fmask != 0 {
            return Err(DtErr::BadFormat);
        }
        fmask |= tmask;
    }

    validate_date(fmask, isjulian, is2digits, bc, &mut tm)?;

    if mer != HR24 && tm.hour > HOURS_PER_DAY / 2 {
        return Err(DtErr::FieldOverflow);
    }
    if mer == AM && tm.hour == HOURS_PER_DAY / 2 {
        tm.hour = 0;
    } else if mer == PM && tm.hour != HOURS_PER_DAY / 2 {
        tm.hour += HOURS_PER_DAY / 2;
    }

    if dtype == DTK_DATE {
        if (fmask & DTK_DATE_M) != DTK_DATE_M {
            // Time only ("return 1"): every caller treats it as bad format.
            return Err(DtErr::BadFormat);
        }
        if let Some(z) = &named_tz {
            if fmask & dtk_m(DTZMOD) != 0 {
                return Err(DtErr::BadFormat);
            }
            tz = z.determine_offset(&mut tm);
        }
        if let Some(z) = &abbrev_tz {
            if fmask & dtk_m(DTZMOD) != 0 {
                return Err(DtErr::BadFormat);
            }
            tz = z.determine_abbrev_offset(&mut tm, &String::from_utf8_lossy(&abbrev));
        }
        if fmask & dtk_m(TZ) == 0 {
            if fmask & dtk_m(DTZMOD) != 0 {
                return Err(DtErr::BadFormat);
            }
            tz = ctx.time_zone.determine_offset(&mut tm);
        }
    }
    Ok(Decoded { dtype, tm, fsec, tz })
}

/// The `ptype != 0` branch of DTK_NUMBER: a value after a unit label such
/// as `y2001`, `j2451187` or ISO `T` time.
#[allow(clippy::too_many_arguments)]
fn decode_labeled_number(
    ptype: i32,
    val: i32,
    field: &[u8],
    cp: usize,
    fmask: i32,
    tm: &mut Tm,
    fsec: &mut i32,
    tz: &mut i32,
    isjulian: &mut bool,
    is2digits: &mut bool,
) -> DtResult<i32> {
    let tmask;
    match ptype {
        DTK_YEAR => {
            tm.year = val;
            tmask = dtk_m(YEAR);
        }
        DTK_MONTH => {
            if (fmask & dtk_m(MONTH)) != 0 && (fmask & dtk_m(HOUR)) != 0 {
                tm.min = val;
                tmask = dtk_m(MINUTE);
            } else {
                tm.mon = val;
                tmask = dtk_m(MONTH);
            }
        }
        DTK_DAY => {
            tm.mday = val;
            tmask = dtk_m(DAY);
        }
        DTK_HOUR => {
            tm.hour = val;
            tmask = dtk_m(HOUR);
        }
        DTK_MINUTE => {
            tm.min = val;
            tmask = dtk_m(MINUTE);
        }
        DTK_SECOND => {
            tm.sec = val;
            if at(field, cp) == b'.' {
                *fsec = parse_fractional_second(field, cp)?;
                tmask = DTK_ALL_SECS_M;
            } else {
                tmask = dtk_m(SECOND);
            }
        }
        DTK_TZ => {
            *tz = decode_timezone(field)?;
            tmask = dtk_m(TZ);
        }
        DTK_JULIAN => {
            if val < 0 {
                return Err(DtErr::FieldOverflow);
            }
            let mut m = DTK_DATE_M;
            (tm.year, tm.mon, tm.mday) = j2date(val);
            *isjulian = true;
            if at(field, cp) == b'.' {
                let mut time = parse_fraction(field, cp)?;
                time *= USECS_PER_DAY as f64;
                let (h, mi, s, fs) = dt2time(f2i64(time));
                (tm.hour, tm.min, tm.sec, *fsec) = (h, mi, s, fs);
                m |= DTK_TIME_M;
            }
            tmask = m;
        }
        DTK_TIME => {
            let (m, _) = decode_number_field(field, fmask | DTK_DATE_M, tm, fsec, is2digits)?;
            if m != DTK_TIME_M {
                return Err(DtErr::BadFormat);
            }
            tmask = m;
        }
        _ => return Err(DtErr::BadFormat),
    }
    Ok(tmask)
}

/// `DecodeTimeOnly`.
pub(crate) fn decode_time_only(f: &mut Fields, ctx: &ParseContext) -> DtResult<Decoded> {
    let nf = f.field.len();
    let mut fmask = 0i32;
    let mut tmask: i32;
    let mut ptype = 0i32;
    let mut isjulian = false;
    let mut is2digits = false;
    let mut bc = false;
    let mut mer = HR24;
    let mut named_tz: Option<TimeZone> = None;
    let mut abbrev_tz: Option<TimeZone> = None;
    let mut abbrev: Vec<u8> = Vec::new();
    let mut dtype = DTK_TIME;
    let mut tm = Tm { isdst: -1, ..Default::default() };
    let mut fsec = 0i32;
    let mut tz = 0i32;
    let date_order = ctx.date_style.order;

    for i in 0..nf {
        let field: &[u8] = &f.field[i];
        match f.ftype[i] {
            DTK_DATE => {
                if i == 0 && nf >= 2 && (f.ftype[nf - 1] == DTK_DATE || f.ftype[1] == DTK_TIME) {
                    tmask = decode_date(field, fmask, &mut is2digits, &mut tm, date_order)?;
                } else if at(field, 0).is_ascii_digit() {
                    if (fmask & DTK_TIME_M) == DTK_TIME_M {
                        return Err(DtErr::BadFormat);
                    }
                    let Some(cp) = field.iter().position(|&c| c == b'-') else {
                        return Err(DtErr::BadFormat);
                    };
                    tz = decode_timezone(&field[cp..])?;
                    let (m, ft) = decode_number_field(&field[..cp], fmask | DTK_DATE_M, &mut tm, &mut fsec, &mut is2digits)?;
                    f.ftype[i] = ft;
                    tmask = m | dtk_m(TZ);
                } else {
                    let name = String::from_utf8_lossy(field).into_owned();
                    match TimeZone::load(&name) {
                        Some(z) => named_tz = Some(z),
                        None => {
                            return Err(DtErr::Raise(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("time zone \"{name}\" not recognized"))));
                        }
                    }
                    f.ftype[i] = DTK_TZ;
                    tmask = dtk_m(TZ);
                }
            }
            DTK_TIME => {
                tmask = decode_time(field, fmask | DTK_DATE_M, INTERVAL_FULL_RANGE, &mut tm, &mut fsec)?;
            }
            DTK_TZ => {
                tz = decode_timezone(field)?;
                tmask = dtk_m(TZ);
            }
            DTK_NUMBER => {
                if ptype != 0 {
                    let (val, cp, erange) = strtoint(field, 0);
                    if erange {
                        return Err(DtErr::FieldOverflow);
                    }
                    if at(field, cp) == b'.' {
                        if !matches!(ptype, DTK_JULIAN | DTK_TIME | DTK_SECOND) {
                            return Err(DtErr::BadFormat);
                        }
                    } else if at(field, cp) != 0 {
                        return Err(DtErr::BadFormat);
                    }
                    if ptype == DTK_TIME {
                        let (m, ft) = decode_number_field(field, fmask | DTK_DATE_M, &mut tm, &mut fsec, &mut is2digits)?;
                        f.ftype[i] = ft;
                        if m != DTK_TIME_M {
                            return Err(DtErr::BadFormat);
                        }
                        tmask = m;
                    } else {
                        tmask = decode_labeled_number(ptype, val, field, cp, fmask, &mut tm, &mut fsec, &mut tz, &mut isjulian, &mut is2digits)?;
                    }
                    ptype = 0;
                    dtype = DTK_DATE;
                } else {
                    let flen = field.len();
                    let dot = field.iter().position(|&c| c == b'.');
                    if let Some(d) = dot {
                        if i == 0 && nf >= 2 && f.ftype[nf - 1] == DTK_DATE {
                            tmask = decode_date(field, fmask, &mut is2digits, &mut tm, date_order)?;
                        } else if d > 2 {
                            let (m, ft) = decode_number_field(field, fmask | DTK_DATE_M, &mut tm, &mut fsec, &mut is2digits)?;
                            f.ftype[i] = ft;
                            tmask = m;
                        } else {
                            return Err(DtErr::BadFormat);
                        }
                    } else if flen > 4 {
                        let (m, ft) = decode_number_field(field, fmask | DTK_DATE_M, &mut tm, &mut fsec, &mut is2digits)?;
                        f.ftype[i] = ft;
                        tmask = m;
                    } else {
                        tmask = decode_number(field, false, fmask | DTK_DATE_M, &mut tm, &mut fsec, &mut is2digits, date_order)?;
                    }
                }
            }
            DTK_STRING | DTK_SPECIAL => {
                let (mut ty, mut val, mut valtz) = decode_timezone_abbrev(field)?;
                if ty == UNKNOWN_FIELD {
                    (ty, val) = decode_special(field);
                    valtz = None;
                }
                if ty == IGNORE_DTF {
                    continue;
                }
                tmask = dtk_m(ty);
                match ty {
                    RESERV => match val {
                        DTK_NOW => {
                            tmask = DTK_TIME_M;
                            dtype = DTK_TIME;
                            let (ctm, cfsec, _) = current_time_usec(ctx)?;
                            // GetCurrentTimeUsec overwrites the whole struct.
                            tm = ctm;
                            fsec = cfsec;
                        }
                        DTK_ZULU => {
                            tmask = DTK_TIME_M | dtk_m(TZ);
                            dtype = DTK_TIME;
                            tm.hour = 0;
                            tm.min = 0;
                            tm.sec = 0;
                            tm.isdst = 0;
                        }
                        _ => return Err(DtErr::BadFormat),
                    },
                    DTZMOD => {
                        tmask |= dtk_m(DTZ);
                        tm.isdst = 1;
                        tz = tz.wrapping_sub(val);
                    }
                    DTZ => {
                        tmask |= dtk_m(TZ);
                        tm.isdst = 1;
                        tz = -val;
                        f.ftype[i] = DTK_TZ;
                    }
                    TZ => {
                        tm.isdst = 0;
                        tz = -val;
                        f.ftype[i] = DTK_TZ;
                    }
                    DYNTZ => {
                        tmask |= dtk_m(TZ);
                        abbrev_tz = valtz;
                        abbrev = field.to_vec();
                        f.ftype[i] = DTK_TZ;
                    }
                    AMPM => mer = val,
                    ADBC => bc = val == BC,
                    UNITS => {
                        tmask = 0;
                        ptype = val;
                    }
                    ISOTIME => {
                        tmask = 0;
                        if i >= nf - 1 || (f.ftype[i + 1] != DTK_NUMBER && f.ftype[i + 1] != DTK_TIME && f.ftype[i + 1] != DTK_DATE) {
                            return Err(DtErr::BadFormat);
                        }
                        ptype = val;
                    }
                    UNKNOWN_FIELD => {
                        let name = String::from_utf8_lossy(field).into_owned();
                        match TimeZone::load(&name) {
                            Some(z) => named_tz = Some(z),
                            None => return Err(DtErr::BadFormat),
                        }
                        tmask = dtk_m(TZ);
                    }
                    _ => return Err(DtErr::BadFormat),
                }
            }
            _ => return Err(DtErr::BadFormat),
        }
        if tmask & fmask != 0 {
            return Err(DtErr::BadFormat);
        }
        fmask |= tmask;
    }

    validate_date(fmask, isjulian, is2digits, bc, &mut tm)?;

    if mer != HR24 && tm.hour > HOURS_PER_DAY / 2 {
        return Err(DtErr::FieldOverflow);
    }
    if mer == AM && tm.hour == HOURS_PER_DAY / 2 {
        tm.hour = 0;
    } else if mer == PM && tm.hour != HOURS_PER_DAY / 2 {
        tm.hour += HOURS_PER_DAY / 2;
    }

    if time_overflows(tm.hour, tm.min, tm.sec, fsec) {
        return Err(DtErr::FieldOverflow);
    }
    if (fmask & DTK_TIME_M) != DTK_TIME_M {
        return Err(DtErr::BadFormat);
    }

    if let Some(z) = &named_tz {
        if fmask & dtk_m(DTZMOD) != 0 {
            return Err(DtErr::BadFormat);
        }
        if let Some(off) = z.fixed_offset() {
            tz = -off;
        } else {
            if (fmask & DTK_DATE_M) != DTK_DATE_M {
                return Err(DtErr::BadFormat);
            }
            tz = z.determine_offset(&mut tm);
        }
    }
    if let Some(z) = &abbrev_tz {
        if fmask & dtk_m(DTZMOD) != 0 {
            return Err(DtErr::BadFormat);
        }
        let mut tmp = date_for_time_only(fmask, &tm, ctx)?;
        tmp.hour = tm.hour;
        tmp.min = tm.min;
        tmp.sec = tm.sec;
        tz = z.determine_abbrev_offset(&mut tmp, &String::from_utf8_lossy(&abbrev));
        tm.isdst = tmp.isdst;
    }
    if fmask & dtk_m(TZ) == 0 {
        if fmask & dtk_m(DTZMOD) != 0 {
            return Err(DtErr::BadFormat);
        }
        let mut tmp = date_for_time_only(fmask, &tm, ctx)?;
        tmp.hour = tm.hour;
        tmp.min = tm.min;
        tmp.sec = tm.sec;
        tz = ctx.time_zone.determine_offset(&mut tmp);
        tm.isdst = tmp.isdst;
    }
    Ok(Decoded { dtype, tm, fsec, tz })
}

/// The date DecodeTimeOnly resolves zone offsets at: the given one or today.
fn date_for_time_only(fmask: i32, tm: &Tm, ctx: &ParseContext) -> DtResult<Tm> {
    if fmask & DTK_DATE_M == 0 {
        let (cur, _, _) = current_time_usec(ctx)?;
        Ok(cur)
    } else {
        if (fmask & DTK_DATE_M) != DTK_DATE_M {
            return Err(DtErr::BadFormat);
        }
        Ok(Tm { year: tm.year, mon: tm.mon, mday: tm.mday, ..Default::default() })
    }
}

/// `DecodeDate`: a date field with delimiters; returns the field mask.
fn decode_date(s: &[u8], fmask: i32, is2digits: &mut bool, tm: &mut Tm, date_order: super::DateOrder) -> DtResult<i32> {
    let mut fmask = fmask;
    let mut tmask = 0;
    let mut fields: Vec<Option<&[u8]>> = Vec::new();
    let mut i = 0usize;
    let mut have_text_month = false;
    while at(s, i) != 0 && fields.len() < MAXDATEFIELDS {
        while at(s, i) != 0 && !at(s, i).is_ascii_alphanumeric() {
            i += 1;
        }
        if at(s, i) == 0 {
            return Err(DtErr::BadFormat);
        }
        let start = i;
        if at(s, i).is_ascii_digit() {
            while at(s, i).is_ascii_digit() {
                i += 1;
            }
        } else if at(s, i).is_ascii_alphabetic() {
            while at(s, i).is_ascii_alphabetic() {
                i += 1;
            }
        }
        fields.push(Some(&s[start..i]));
        if at(s, i) != 0 {
            i += 1;
        }
    }
    for fld in fields.iter_mut() {
        let Some(text) = *fld else { continue };
        if at(text, 0).is_ascii_alphabetic() {
            let (ty, val) = decode_special(text);
            if ty == IGNORE_DTF {
                continue;
            }
            let dmask = dtk_m(ty);
            match ty {
                MONTH => {
                    tm.mon = val;
                    have_text_month = true;
                }
                _ => return Err(DtErr::BadFormat),
            }
            if fmask & dmask != 0 {
                return Err(DtErr::BadFormat);
            }
            fmask |= dmask;
            tmask |= dmask;
            *fld = None;
        }
    }
    for text in fields.iter().flatten() {
        if text.is_empty() {
            return Err(DtErr::BadFormat);
        }
        let mut fsec = 0;
        let dmask = decode_number(text, have_text_month, fmask, tm, &mut fsec, is2digits, date_order)?;
        if fmask & dmask != 0 {
            return Err(DtErr::BadFormat);
        }
        fmask |= dmask;
        tmask |= dmask;
    }
    if (fmask & !(dtk_m(DOY) | dtk_m(TZ))) != DTK_DATE_M {
        return Err(DtErr::BadFormat);
    }
    Ok(tmask)
}

/// `ValidateDate`: year/month/day range checks, BC and day-of-year.
pub(crate) fn validate_date(fmask: i32, isjulian: bool, is2digits: bool, bc: bool, tm: &mut Tm) -> DtResult<()> {
    // A Julian day already produced the right year.
    if fmask & dtk_m(YEAR) != 0 && !isjulian {
        if bc {
            if tm.year <= 0 {
                return Err(DtErr::FieldOverflow);
            }
            tm.year = -(tm.year - 1);
        } else if is2digits {
            if tm.year < 0 {
                return Err(DtErr::FieldOverflow);
            }
            if tm.year < 70 {
                tm.year += 2000;
            } else if tm.year < 100 {
                tm.year += 1900;
            }
        } else if tm.year <= 0 {
            return Err(DtErr::FieldOverflow);
        }
    }
    if fmask & dtk_m(DOY) != 0 {
        (tm.year, tm.mon, tm.mday) = j2date(date2j(tm.year, 1, 1).wrapping_add(tm.yday).wrapping_sub(1));
    }
    if fmask & dtk_m(MONTH) != 0 && (tm.mon < 1 || tm.mon > MONTHS_PER_YEAR) {
        return Err(DtErr::MdFieldOverflow);
    }
    if fmask & dtk_m(DAY) != 0 && (tm.mday < 1 || tm.mday > 31) {
        return Err(DtErr::MdFieldOverflow);
    }
    if (fmask & DTK_DATE_M) == DTK_DATE_M && tm.mday > days_in_month(tm.year, tm.mon) {
        return Err(DtErr::FieldOverflow);
    }
    Ok(())
}

pub(crate) const INTERVAL_FULL_RANGE: i32 = 0x7FFF;

/// `DecodeTimeCommon`: "hh:mm[:ss[.fff]]" → (hour, min, sec, usec).
pub(crate) fn decode_time_common(s: &[u8], range: i32) -> DtResult<(i64, i32, i32, i32)> {
    let mut fsec = 0i32;
    let (hour, cp, erange) = strtol(s, 0);
    let mut hour = hour;
    if erange {
        return Err(DtErr::FieldOverflow);
    }
    if at(s, cp) != b':' {
        return Err(DtErr::BadFormat);
    }
    let (mut min, mut cp, erange) = strtoint(s, cp + 1);
    if erange {
        return Err(DtErr::FieldOverflow);
    }
    let mut sec;
    if at(s, cp) == 0 {
        sec = 0;
        if range == (super::interval::INTERVAL_MASK_MINUTE | super::interval::INTERVAL_MASK_SECOND) {
            if hour > i32::MAX as i64 || hour < i32::MIN as i64 {
                return Err(DtErr::FieldOverflow);
            }
            sec = min;
            min = hour as i32;
            hour = 0;
        }
    } else if at(s, cp) == b'.' {
        fsec = parse_fractional_second(s, cp)?;
        if hour > i32::MAX as i64 || hour < i32::MIN as i64 {
            return Err(DtErr::FieldOverflow);
        }
        sec = min;
        min = hour as i32;
        hour = 0;
    } else if at(s, cp) == b':' {
        let (sv, c2, erange) = strtoint(s, cp + 1);
        if erange {
            return Err(DtErr::FieldOverflow);
        }
        sec = sv;
        cp = c2;
        if at(s, cp) == b'.' {
            fsec = parse_fractional_second(s, cp)?;
        } else if at(s, cp) != 0 {
            return Err(DtErr::BadFormat);
        }
    } else {
        return Err(DtErr::BadFormat);
    }
    if hour < 0 || !(0..=MINS_PER_HOUR - 1).contains(&min) || !(0..=SECS_PER_MINUTE).contains(&sec) || fsec < 0 || fsec as i64 > USECS_PER_SEC {
        return Err(DtErr::FieldOverflow);
    }
    Ok((hour, min, sec, fsec))
}

/// `DecodeTime` (timestamp flavour): returns the field mask.
fn decode_time(s: &[u8], _fmask: i32, range: i32, tm: &mut Tm, fsec: &mut i32) -> DtResult<i32> {
    let (hour, min, sec, usec) = decode_time_common(s, range)?;
    if hour > i32::MAX as i64 {
        return Err(DtErr::FieldOverflow);
    }
    tm.hour = hour as i32;
    tm.min = min;
    tm.sec = sec;
    *fsec = usec;
    Ok(DTK_TIME_M)
}

/// `DecodeNumber`: a plain number interpreted by context; returns the mask.
fn decode_number(
    s: &[u8],
    have_text_month: bool,
    fmask: i32,
    tm: &mut Tm,
    fsec: &mut i32,
    is2digits: &mut bool,
    date_order: super::DateOrder,
) -> DtResult<i32> {
    use super::DateOrder;
    let flen = s.len();
    let (val, cp, erange) = strtoint(s, 0);
    if erange {
        return Err(DtErr::FieldOverflow);
    }
    if cp == 0 {
        return Err(DtErr::BadFormat);
    }
    if at(s, cp) == b'.' {
        if cp > 2 {
            let (m, _) = decode_number_field(s, fmask | DTK_DATE_M, tm, fsec, is2digits)?;
            return Ok(m);
        }
        *fsec = parse_fractional_second(s, cp)?;
    } else if at(s, cp) != 0 {
        return Err(DtErr::BadFormat);
    }
    if flen == 3 && (fmask & DTK_DATE_M) == dtk_m(YEAR) && (1..=366).contains(&val) {
        tm.yday = val;
        return Ok(dtk_m(DOY) | dtk_m(MONTH) | dtk_m(DAY));
    }
    let tmask;
    match fmask & DTK_DATE_M {
        0 => {
            if flen >= 3 || date_order == DateOrder::Ymd {
                tmask = dtk_m(YEAR);
                tm.year = val;
            } else if date_order == DateOrder::Dmy {
                tmask = dtk_m(DAY);
                tm.mday = val;
            } else {
                tmask = dtk_m(MONTH);
                tm.mon = val;
            }
        }
        x if x == dtk_m(YEAR) => {
            tmask = dtk_m(MONTH);
            tm.mon = val;
        }
        x if x == dtk_m(MONTH) => {
            if have_text_month {
                if flen >= 3 || date_order == DateOrder::Ymd {
                    tmask = dtk_m(YEAR);
                    tm.year = val;
                } else {
                    tmask = dtk_m(DAY);
                    tm.mday = val;
                }
            } else {
                tmask = dtk_m(DAY);
                tm.mday = val;
            }
        }
        x if x == dtk_m(YEAR) | dtk_m(MONTH) => {
            if have_text_month {
                if flen >= 3 && *is2digits {
                    tmask = dtk_m(DAY);
                    tm.mday = tm.year;
                    tm.year = val;
                    *is2digits = false;
                } else {
                    tmask = dtk_m(DAY);
                    tm.mday = val;
                }
            } else {
                tmask = dtk_m(DAY);
                tm.mday = val;
            }
        }
        x if x == dtk_m(DAY) => {
            tmask = dtk_m(MONTH);
            tm.mon = val;
        }
        x if x == dtk_m(MONTH) | dtk_m(DAY) => {
            tmask = dtk_m(YEAR);
            tm.year = val;
        }
        x if x == DTK_DATE_M => {
            let (m, _) = decode_number_field(s, fmask, tm, fsec, is2digits)?;
            return Ok(m);
        }
        _ => return Err(DtErr::BadFormat),
    }
    if tmask == dtk_m(YEAR) {
        *is2digits = flen <= 2;
    }
    Ok(tmask)
}

/// `DecodeNumberField`: run-together date or time digits; returns the
/// field mask and DTK_DATE/DTK_TIME.
fn decode_number_field(s: &[u8], fmask: i32, tm: &mut Tm, fsec: &mut i32, is2digits: &mut bool) -> DtResult<(i32, i32)> {
    let mut s: &[u8] = s;
    if let Some(dot) = s.iter().position(|&c| c == b'.') {
        if at(s, dot + 1) == 0 {
            *fsec = 0;
        } else {
            let (frac, _, erange) = strtod(s, dot);
            if erange {
                return Err(DtErr::BadFormat);
            }
            *fsec = f2i(rint(frac * 1_000_000.0));
        }
        s = &s[..dot];
    } else if (fmask & DTK_DATE_M) != DTK_DATE_M && s.len() >= 6 {
        let len = s.len();
        tm.mday = atoi(&s[len - 2..]);
        tm.mon = atoi(&s[len - 4..len - 2]);
        tm.year = atoi(&s[..len - 4]);
        if len - 4 == 2 {
            *is2digits = true;
        }
        return Ok((DTK_DATE_M, DTK_DATE));
    }
    let len = s.len();
    if (fmask & DTK_TIME_M) != DTK_TIME_M {
        if len == 6 {
            tm.sec = atoi(&s[4..]);
            tm.min = atoi(&s[2..4]);
            tm.hour = atoi(&s[..2]);
            return Ok((DTK_TIME_M, DTK_TIME));
        } else if len == 4 {
            tm.sec = 0;
            tm.min = atoi(&s[2..4]);
            tm.hour = atoi(&s[..2]);
            return Ok((DTK_TIME_M, DTK_TIME));
        }
    }
    Err(DtErr::BadFormat)
}

/// `DecodeTimezone`: "+hh[:mm[:ss]]" or "+hhmm" → seconds west of UTC.
pub(crate) fn decode_timezone(s: &[u8]) -> DtResult<i32> {
    let sign = at(s, 0);
    if sign != b'+' && sign != b'-' {
        return Err(DtErr::BadFormat);
    }
    let (mut hr, mut cp, erange) = strtoint(s, 1);
    if erange {
        return Err(DtErr::TzDispOverflow);
    }
    let min;
    let mut sec = 0;
    if at(s, cp) == b':' {
        let (m, c2, erange) = strtoint(s, cp + 1);
        if erange {
            return Err(DtErr::TzDispOverflow);
        }
        min = m;
        cp = c2;
        if at(s, cp) == b':' {
            let (sv, c3, erange) = strtoint(s, cp + 1);
            if erange {
                return Err(DtErr::TzDispOverflow);
            }
            sec = sv;
            cp = c3;
        }
    } else if at(s, cp) == 0 && s.len() > 3 {
        min = hr % 100;
        hr /= 100;
    } else {
        min = 0;
    }
    if !(0..=MAX_TZDISP_HOUR).contains(&hr) {
        return Err(DtErr::TzDispOverflow);
    }
    if !(0..MINS_PER_HOUR).contains(&min) {
        return Err(DtErr::TzDispOverflow);
    }
    if !(0..SECS_PER_MINUTE).contains(&sec) {
        return Err(DtErr::TzDispOverflow);
    }
    let mut tz = (hr * MINS_PER_HOUR + min) * SECS_PER_MINUTE + sec;
    if sign == b'-' {
        tz = -tz;
    }
    if at(s, cp) != 0 {
        return Err(DtErr::BadFormat);
    }
    Ok(-tz)
}
