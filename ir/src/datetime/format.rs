//! Date/time output: PostgreSQL's `EncodeDateOnly`, `EncodeTimeOnly`,
//! `EncodeDateTime` and `EncodeTimezone` for every DateStyle.

use std::fmt::Write;

use super::calendar::*;
use super::{DateOrder, DateStyle, OutputStyle};

const MAX_TIME_PRECISION: i32 = 6;
const MAXTZLEN: usize = 10;

fn zeropad(out: &mut String, value: i64, width: usize) {
    let _ = write!(out, "{:0width$}", value, width = width);
}

/// `AppendSeconds`: seconds plus up to `precision` fraction digits without
/// trailing zeros; signs are stripped.
pub(crate) fn append_seconds(out: &mut String, sec: i32, fsec: i32, precision: i32, fillzeros: bool) {
    let s = (sec as i64).abs();
    if fillzeros {
        zeropad(out, s, 2);
    } else {
        let _ = write!(out, "{s}");
    }
    if fsec != 0 {
        let mut value = (fsec as i64).abs();
        let mut digits = vec![b'0'; precision.max(0) as usize];
        let mut end = precision.max(0) as usize;
        let mut gotnonzero = false;
        let mut p = precision;
        while p > 0 {
            p -= 1;
            let oldval = value;
            value /= 10;
            let remainder = oldval - value * 10;
            if remainder != 0 {
                gotnonzero = true;
            }
            if gotnonzero {
                digits[p as usize] = b'0' + remainder as u8;
            } else {
                end = p as usize;
            }
        }
        out.push('.');
        if value != 0 {
            let _ = write!(out, "{}", (fsec as i64).abs());
            return;
        }
        out.push_str(std::str::from_utf8(&digits[..end]).unwrap_or(""));
    }
}

fn year_field(tm: &Tm) -> i64 {
    if tm.year > 0 { tm.year as i64 } else { -(tm.year as i64 - 1) }
}

/// `EncodeTimezone`: "+hh", "+hh:mm" or "+hh:mm:ss" (tz is seconds west).
pub(crate) fn encode_timezone(out: &mut String, tz: i32) {
    let mut sec = (tz as i64).abs();
    let mut min = sec / 60;
    sec -= min * 60;
    let hour = min / 60;
    min -= hour * 60;
    out.push(if tz <= 0 { '+' } else { '-' });
    if sec != 0 {
        zeropad(out, hour, 2);
        out.push(':');
        zeropad(out, min, 2);
        out.push(':');
        zeropad(out, sec, 2);
    } else if min != 0 {
        zeropad(out, hour, 2);
        out.push(':');
        zeropad(out, min, 2);
    } else {
        zeropad(out, hour, 2);
    }
}

/// `EncodeDateOnly`.
pub(crate) fn encode_date_only(tm: &Tm, style: &DateStyle) -> String {
    let mut out = String::with_capacity(16);
    let dmy = style.order == DateOrder::Dmy;
    match style.style {
        OutputStyle::Iso => {
            zeropad(&mut out, year_field(tm), 4);
            out.push('-');
            zeropad(&mut out, tm.mon as i64, 2);
            out.push('-');
            zeropad(&mut out, tm.mday as i64, 2);
        }
        OutputStyle::Sql => {
            if dmy {
                zeropad(&mut out, tm.mday as i64, 2);
                out.push('/');
                zeropad(&mut out, tm.mon as i64, 2);
            } else {
                zeropad(&mut out, tm.mon as i64, 2);
                out.push('/');
                zeropad(&mut out, tm.mday as i64, 2);
            }
            out.push('/');
            zeropad(&mut out, year_field(tm), 4);
        }
        OutputStyle::German => {
            zeropad(&mut out, tm.mday as i64, 2);
            out.push('.');
            zeropad(&mut out, tm.mon as i64, 2);
            out.push('.');
            zeropad(&mut out, year_field(tm), 4);
        }
        OutputStyle::Postgres => {
            if dmy {
                zeropad(&mut out, tm.mday as i64, 2);
                out.push('-');
                zeropad(&mut out, tm.mon as i64, 2);
            } else {
                zeropad(&mut out, tm.mon as i64, 2);
                out.push('-');
                zeropad(&mut out, tm.mday as i64, 2);
            }
            out.push('-');
            zeropad(&mut out, year_field(tm), 4);
        }
    }
    if tm.year <= 0 {
        out.push_str(" BC");
    }
    out
}

/// `EncodeTimeOnly` without zone (the `time` type).
pub(crate) fn encode_time_only(tm: &Tm, fsec: i32) -> String {
    let mut out = String::with_capacity(15);
    zeropad(&mut out, tm.hour as i64, 2);
    out.push(':');
    zeropad(&mut out, tm.min as i64, 2);
    out.push(':');
    append_seconds(&mut out, tm.sec, fsec, MAX_TIME_PRECISION, true);
    out
}

fn push_tzn(out: &mut String, tzn: &str) {
    out.push(' ');
    let mut n = 0;
    for c in tzn.chars() {
        if n + c.len_utf8() > MAXTZLEN {
            break;
        }
        n += c.len_utf8();
        out.push(c);
    }
}

/// `EncodeDateTime`. `zone` is (tz seconds west, abbreviation) when the
/// value is a timestamptz.
pub(crate) fn encode_date_time(tm: &Tm, fsec: i32, zone: Option<(i32, Option<&str>)>, style: &DateStyle) -> String {
    let mut out = String::with_capacity(32);
    let zone = if tm.isdst < 0 { None } else { zone };
    let dmy = style.order == DateOrder::Dmy;
    let seconds = |out: &mut String| append_seconds(out, tm.sec, fsec, MAX_TIMESTAMP_PRECISION, true);
    match style.style {
        OutputStyle::Iso => {
            zeropad(&mut out, year_field(tm), 4);
            out.push('-');
            zeropad(&mut out, tm.mon as i64, 2);
            out.push('-');
            zeropad(&mut out, tm.mday as i64, 2);
            out.push(' ');
            zeropad(&mut out, tm.hour as i64, 2);
            out.push(':');
            zeropad(&mut out, tm.min as i64, 2);
            out.push(':');
            seconds(&mut out);
            if let Some((tz, _)) = zone {
                encode_timezone(&mut out, tz);
            }
        }
        OutputStyle::Sql | OutputStyle::German => {
            if style.style == OutputStyle::German {
                zeropad(&mut out, tm.mday as i64, 2);
                out.push('.');
                zeropad(&mut out, tm.mon as i64, 2);
                out.push('.');
            } else {
                if dmy {
                    zeropad(&mut out, tm.mday as i64, 2);
                    out.push('/');
                    zeropad(&mut out, tm.mon as i64, 2);
                } else {
                    zeropad(&mut out, tm.mon as i64, 2);
                    out.push('/');
                    zeropad(&mut out, tm.mday as i64, 2);
                }
                out.push('/');
            }
            zeropad(&mut out, year_field(tm), 4);
            out.push(' ');
            zeropad(&mut out, tm.hour as i64, 2);
            out.push(':');
            zeropad(&mut out, tm.min as i64, 2);
            out.push(':');
            seconds(&mut out);
            match zone {
                Some((_, Some(tzn))) => push_tzn(&mut out, tzn),
                Some((tz, None)) => encode_timezone(&mut out, tz),
                None => {}
            }
        }
        OutputStyle::Postgres => {
            let day = date2j(tm.year, tm.mon, tm.mday);
            let wday = j2day(day) as usize;
            out.push_str(&DAYS[wday][..3]);
            out.push(' ');
            let mon = MONTHS[(tm.mon - 1).clamp(0, 11) as usize];
            if dmy {
                zeropad(&mut out, tm.mday as i64, 2);
                out.push(' ');
                out.push_str(mon);
            } else {
                out.push_str(mon);
                out.push(' ');
                zeropad(&mut out, tm.mday as i64, 2);
            }
            out.push(' ');
            zeropad(&mut out, tm.hour as i64, 2);
            out.push(':');
            zeropad(&mut out, tm.min as i64, 2);
            out.push(':');
            seconds(&mut out);
            out.push(' ');
            zeropad(&mut out, year_field(tm), 4);
            match zone {
                Some((_, Some(tzn))) => push_tzn(&mut out, tzn),
                Some((tz, None)) => {
                    out.push(' ');
                    encode_timezone(&mut out, tz);
                }
                None => {}
            }
        }
    }
    if tm.year <= 0 {
        out.push_str(" BC");
    }
    out
}

/// C `printf("%g")`-style formatting (6 significant digits), used in some
/// PostgreSQL error messages; `width` zero-pads like `%0Ng`.
pub(crate) fn format_g(v: f64, width: usize) -> String {
    // PostgreSQL's own snprintf spells the special values this way.
    let body = if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else if v == 0.0 {
        if v.is_sign_negative() { "-0".into() } else { "0".into() }
    } else {
        let prec = 6i32;
        let sci = format!("{:.*e}", (prec - 1) as usize, v);
        let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        if exp < -4 || exp >= prec {
            let mant = strip_zeros(mant);
            format!("{}e{}{:02}", mant, if exp < 0 { '-' } else { '+' }, exp.abs())
        } else {
            let decimals = (prec - 1 - exp).max(0) as usize;
            strip_zeros(&format!("{:.*}", decimals, v))
        }
    };
    if body.len() >= width || !v.is_finite() {
        return body;
    }
    let (sign, digits) = match body.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", body.as_str()),
    };
    format!("{sign}{}{digits}", "0".repeat(width - body.len()))
}

fn strip_zeros(s: &str) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s.to_string() }
}
