//! `date_part` (float8) and `EXTRACT` (numeric, returned as PostgreSQL's
//! decimal text, e.g. `"5.000000"`, `"Infinity"`) for every date/time type,
//! with PostgreSQL's per-type unit support and errors.

use super::calendar::*;
use super::interval::interval2itm;
use super::parse::*;
use super::timezone::TimeZone;
use super::{Interval, date_timestamp, downcase_truncate, timestamp_out_of_range};
use crate::error::{Error, Result, SqlState};

const TS_TYPE: &str = "timestamp without time zone";
const TSTZ_TYPE: &str = "timestamp with time zone";

/// One extracted value in both of PostgreSQL's result types.
enum Part {
    Int(i64),
    /// The numeric text and the float8 PostgreSQL computes separately.
    Num(String, f64),
    Infinite(bool),
    Null,
}

impl Part {
    fn float(self) -> Option<f64> {
        match self {
            Part::Int(v) => Some(v as f64),
            Part::Num(_, f) => Some(f),
            Part::Infinite(neg) => Some(if neg { f64::NEG_INFINITY } else { f64::INFINITY }),
            Part::Null => None,
        }
    }

    fn numeric(self) -> Option<String> {
        match self {
            Part::Int(v) => Some(v.to_string()),
            Part::Num(s, _) => Some(s),
            Part::Infinite(neg) => Some(if neg { "-Infinity".into() } else { "Infinity".into() }),
            Part::Null => None,
        }
    }
}

/// `int64_div_fast_to_numeric(val, scale)` as text: val / 10^scale with
/// exactly `scale` fraction digits.
fn div_fast(val: i128, scale: u32) -> String {
    let p = 10i128.pow(scale);
    let neg = val < 0;
    let a = val.unsigned_abs();
    let ip = a / p as u128;
    let fp = a % p as u128;
    let sign = if neg { "-" } else { "" };
    if scale == 0 { format!("{sign}{ip}") } else { format!("{sign}{ip}.{fp:0width$}", width = scale as usize) }
}

/// `numeric_round(numeric_div(val, 1000000), 6)` as text, reproducing the
/// intermediate rounding to `select_div_scale`'s result scale.
fn numeric_div_million(val: i128) -> String {
    let (w1, f1) = nbase_weight(val.unsigned_abs());
    let (w2, f2) = nbase_weight(1_000_000);
    let mut qweight = w1 - w2;
    if f1 <= f2 {
        qweight -= 1;
    }
    let rscale = (16 - qweight * 4).clamp(0, 1000);
    if rscale >= 6 {
        return div_fast(val, 6);
    }
    let unit = 10i128.pow((6 - rscale) as u32);
    let q = val.abs() / unit + i128::from(val.abs() % unit * 2 >= unit);
    div_fast(q * unit * val.signum(), 6)
}

/// Base-10000 (weight, first digit) of a non-negative integer, as
/// PostgreSQL's numeric stores it.
fn nbase_weight(v: u128) -> (i32, u128) {
    if v == 0 {
        return (0, 0);
    }
    let mut weight = 0;
    let mut x = v;
    while x >= 10000 {
        x /= 10000;
        weight += 1;
    }
    (weight, x)
}

/// The numeric `julian` field: date2j + usecs-of-day / 86 400 000 000,
/// with the result scale `numeric_div` picks (`select_div_scale`).
fn julian_numeric(jd: i64, usecs: i64) -> String {
    let divisor: u128 = 86_400_000_000;
    let (w1, f1) = nbase_weight(usecs as u128);
    let (w2, f2) = nbase_weight(divisor);
    let mut qweight = w1 - w2;
    if f1 <= f2 {
        qweight -= 1;
    }
    let rscale = (16 - qweight * 4).clamp(0, 1000) as usize;
    // Long division to rscale + 1 digits, then round half up.
    let mut rem = usecs as u128;
    let mut digits: Vec<u8> = Vec::with_capacity(rscale + 1);
    let mut ip = rem / divisor;
    rem %= divisor;
    for _ in 0..=rscale {
        rem *= 10;
        digits.push((rem / divisor) as u8);
        rem %= divisor;
    }
    let round = digits.pop().unwrap_or(0) >= 5;
    if round {
        let mut i = digits.len();
        loop {
            if i == 0 {
                ip += 1;
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let whole = jd as i128 + ip as i128;
    let frac: String = digits.iter().map(|d| (b'0' + d) as char).collect();
    if frac.is_empty() { whole.to_string() } else { format!("{whole}.{frac}") }
}

fn not_recognized(lowunits: &str, tyname: &str) -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("unit \"{lowunits}\" not recognized for type {tyname}"))
}

fn not_supported(lowunits: &str, tyname: &str) -> Error {
    Error::new(SqlState::FEATURE_NOT_SUPPORTED, format!("unit \"{lowunits}\" not supported for type {tyname}"))
}

/// Units lookup as `*_part_common` does it: interval units, then keywords.
fn lookup_units(units: &str) -> (String, i32, i32) {
    let lowunits = downcase_truncate(units);
    let (mut ty, mut val) = decode_units(lowunits.as_bytes());
    if ty == UNKNOWN_FIELD {
        (ty, val) = decode_special(lowunits.as_bytes());
    }
    (lowunits, ty, val)
}

fn year_parts(val: i32, year: i32, mon: i32, mday: i32) -> Option<i64> {
    Some(match val {
        DTK_DAY => mday as i64,
        DTK_MONTH => mon as i64,
        DTK_QUARTER => ((mon - 1) / 3 + 1) as i64,
        DTK_WEEK => date2isoweek(year, mon, mday) as i64,
        DTK_YEAR => {
            if year > 0 {
                year as i64
            } else {
                year as i64 - 1
            }
        }
        DTK_DECADE => {
            if year >= 0 {
                (year / 10) as i64
            } else {
                -((8 - (year - 1)) / 10) as i64
            }
        }
        DTK_CENTURY => {
            if year > 0 {
                ((year + 99) / 100) as i64
            } else {
                -((99 - (year - 1)) / 100) as i64
            }
        }
        DTK_MILLENNIUM => {
            if year > 0 {
                ((year + 999) / 1000) as i64
            } else {
                -((999 - (year - 1)) / 1000) as i64
            }
        }
        DTK_ISOYEAR => {
            let r = date2isoyear(year, mon, mday) as i64;
            if r <= 0 { r - 1 } else { r }
        }
        DTK_DOW | DTK_ISODOW => {
            let r = j2day(date2j(year, mon, mday)) as i64;
            if val == DTK_ISODOW && r == 0 { 7 } else { r }
        }
        DTK_DOY => (date2j(year, mon, mday) - date2j(year, 1, 1) + 1) as i64,
        _ => return None,
    })
}

/// `NonFiniteTimestampTzPart`.
fn non_finite_part(ty: i32, val: i32, lowunits: &str, neg: bool, tyname: &str) -> Result<Part> {
    if ty != UNITS && ty != RESERV {
        return Err(not_recognized(lowunits, tyname));
    }
    match val {
        DTK_MICROSEC | DTK_MILLISEC | DTK_SECOND | DTK_MINUTE | DTK_HOUR | DTK_DAY | DTK_MONTH | DTK_QUARTER | DTK_WEEK | DTK_DOW | DTK_ISODOW
        | DTK_DOY | DTK_TZ | DTK_TZ_MINUTE | DTK_TZ_HOUR => Ok(Part::Null),
        DTK_YEAR | DTK_DECADE | DTK_CENTURY | DTK_MILLENNIUM | DTK_JULIAN | DTK_ISOYEAR | DTK_EPOCH => Ok(Part::Infinite(neg)),
        _ => Err(not_supported(lowunits, tyname)),
    }
}

fn timestamp_part_common(units: &str, ts: i64, tz: Option<&TimeZone>) -> Result<Part> {
    let tyname = if tz.is_some() { TSTZ_TYPE } else { TS_TYPE };
    let (lowunits, ty, val) = lookup_units(units);
    if timestamp_not_finite(ts) {
        return non_finite_part(ty, val, &lowunits, ts == TIMESTAMP_NOBEGIN, tyname);
    }
    if ty == UNITS {
        let (tm, fsec, off, _) = timestamp2tm(ts, tz).ok_or_else(timestamp_out_of_range)?;
        let secs_us = tm.sec as i64 * 1_000_000 + fsec as i64;
        return Ok(match val {
            DTK_TZ if tz.is_some() => Part::Int(-off as i64),
            DTK_TZ_MINUTE if tz.is_some() => Part::Int(((-off / SECS_PER_MINUTE) % MINS_PER_HOUR) as i64),
            DTK_TZ_HOUR if tz.is_some() => Part::Int((-off / SECS_PER_HOUR) as i64),
            DTK_MICROSEC => Part::Int(secs_us),
            DTK_MILLISEC => Part::Num(div_fast(secs_us as i128, 3), tm.sec as f64 * 1000.0 + fsec as f64 / 1000.0),
            DTK_SECOND => Part::Num(div_fast(secs_us as i128, 6), tm.sec as f64 + fsec as f64 / 1_000_000.0),
            DTK_MINUTE => Part::Int(tm.min as i64),
            DTK_HOUR => Part::Int(tm.hour as i64),
            DTK_JULIAN => {
                let jd = date2j(tm.year, tm.mon, tm.mday);
                let secs = ((tm.hour * MINS_PER_HOUR) + tm.min) * SECS_PER_MINUTE + tm.sec;
                let us = secs as i64 * 1_000_000 + fsec as i64;
                let f = jd as f64 + (secs as f64 + fsec as f64 / 1_000_000.0) / SECS_PER_DAY as f64;
                Part::Num(julian_numeric(jd as i64, us), f)
            }
            _ => match year_parts(val, tm.year, tm.mon, tm.mday) {
                Some(v) => Part::Int(v),
                None => return Err(not_supported(&lowunits, tyname)),
            },
        });
    }
    if ty == RESERV {
        if val == DTK_EPOCH {
            let epoch = super::set_epoch_timestamp();
            let diff = ts as i128 - epoch as i128;
            return Ok(if ts < i64::MAX.wrapping_add(epoch) {
                Part::Num(div_fast(diff, 6), (ts - epoch) as f64 / 1_000_000.0)
            } else {
                // PostgreSQL's slow path divides in numeric at the scale
                // select_div_scale picks, then rounds to 6 places.
                Part::Num(numeric_div_million(diff), (ts as f64 - epoch as f64) / 1_000_000.0)
            });
        }
        return Err(not_supported(&lowunits, tyname));
    }
    Err(not_recognized(&lowunits, tyname))
}

/// `date_part(units, timestamp)`; `None` is SQL NULL.
pub fn timestamp_part(units: &str, ts: i64) -> Result<Option<f64>> {
    Ok(timestamp_part_common(units, ts, None)?.float())
}

/// `EXTRACT(units FROM timestamp)` as numeric text; `None` is SQL NULL.
pub fn extract_timestamp(units: &str, ts: i64) -> Result<Option<String>> {
    Ok(timestamp_part_common(units, ts, None)?.numeric())
}

/// `date_part(units, timestamptz)`, fields in the session zone `tz`.
pub fn timestamptz_part(units: &str, ts: i64, tz: &TimeZone) -> Result<Option<f64>> {
    Ok(timestamp_part_common(units, ts, Some(tz))?.float())
}

/// `EXTRACT(units FROM timestamptz)` as numeric text.
pub fn extract_timestamptz(units: &str, ts: i64, tz: &TimeZone) -> Result<Option<String>> {
    Ok(timestamp_part_common(units, ts, Some(tz))?.numeric())
}

/// `date_part(units, date)`: PostgreSQL casts the date to timestamp.
pub fn date_part(units: &str, date: i32) -> Result<Option<f64>> {
    timestamp_part(units, date_timestamp(date)?)
}

/// `EXTRACT(units FROM date)` as numeric text (`extract_date`).
pub fn extract_date(units: &str, date: i32) -> Result<Option<String>> {
    let (lowunits, ty, val) = lookup_units(units);
    if date_not_finite(date) && (ty == UNITS || ty == RESERV) {
        return match val {
            DTK_DAY | DTK_MONTH | DTK_QUARTER | DTK_WEEK | DTK_DOW | DTK_ISODOW | DTK_DOY => Ok(None),
            DTK_YEAR | DTK_DECADE | DTK_CENTURY | DTK_MILLENNIUM | DTK_JULIAN | DTK_ISOYEAR | DTK_EPOCH => {
                Ok(Some(if date == DATE_NOBEGIN { "-Infinity" } else { "Infinity" }.into()))
            }
            _ => Err(not_supported(&lowunits, "date")),
        };
    }
    if ty == UNITS {
        let (year, mon, mday) = j2date(date.wrapping_add(POSTGRES_EPOCH_JDATE));
        let v = match val {
            DTK_JULIAN => date as i64 + POSTGRES_EPOCH_JDATE as i64,
            _ => match year_parts(val, year, mon, mday) {
                Some(v) => v,
                None => return Err(not_supported(&lowunits, "date")),
            },
        };
        return Ok(Some(v.to_string()));
    }
    if ty == RESERV {
        if val == DTK_EPOCH {
            let v = (date as i64 + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) as i64) * SECS_PER_DAY;
            return Ok(Some(v.to_string()));
        }
        return Err(not_supported(&lowunits, "date"));
    }
    Err(not_recognized(&lowunits, "date"))
}

fn time_part_common(units: &str, time: i64) -> Result<Part> {
    const TYNAME: &str = "time without time zone";
    let (lowunits, ty, val) = lookup_units(units);
    if ty == UNITS {
        let (hour, min, sec, fsec) = dt2time(time);
        let secs_us = sec as i64 * 1_000_000 + fsec as i64;
        return Ok(match val {
            DTK_MICROSEC => Part::Int(secs_us),
            DTK_MILLISEC => Part::Num(div_fast(secs_us as i128, 3), sec as f64 * 1000.0 + fsec as f64 / 1000.0),
            DTK_SECOND => Part::Num(div_fast(secs_us as i128, 6), sec as f64 + fsec as f64 / 1_000_000.0),
            DTK_MINUTE => Part::Int(min as i64),
            DTK_HOUR => Part::Int(hour as i64),
            _ => return Err(not_supported(&lowunits, TYNAME)),
        });
    }
    if ty == RESERV && val == DTK_EPOCH {
        return Ok(Part::Num(div_fast(time as i128, 6), time as f64 / 1_000_000.0));
    }
    Err(not_recognized(&lowunits, TYNAME))
}

/// `date_part(units, time)`.
pub fn time_part(units: &str, time: i64) -> Result<f64> {
    Ok(time_part_common(units, time)?.float().unwrap_or(0.0))
}

/// `EXTRACT(units FROM time)` as numeric text.
pub fn extract_time(units: &str, time: i64) -> Result<String> {
    Ok(time_part_common(units, time)?.numeric().unwrap_or_default())
}

fn interval_part_common(units: &str, iv: Interval) -> Result<Part> {
    let (lowunits, ty, val) = lookup_units(units);
    if ty == UNITS {
        let tm = interval2itm(iv);
        let secs_us = tm.sec as i64 * 1_000_000 + tm.usec as i64;
        return Ok(match val {
            DTK_MICROSEC => Part::Int(secs_us),
            DTK_MILLISEC => Part::Num(div_fast(secs_us as i128, 3), tm.sec as f64 * 1000.0 + tm.usec as f64 / 1000.0),
            DTK_SECOND => Part::Num(div_fast(secs_us as i128, 6), tm.sec as f64 + tm.usec as f64 / 1_000_000.0),
            DTK_MINUTE => Part::Int(tm.min as i64),
            DTK_HOUR => Part::Int(tm.hour),
            DTK_DAY => Part::Int(tm.mday as i64),
            DTK_MONTH => Part::Int(tm.mon as i64),
            DTK_QUARTER => Part::Int((tm.mon / 3 + 1) as i64),
            DTK_YEAR => Part::Int(tm.year as i64),
            DTK_DECADE => Part::Int((tm.year / 10) as i64),
            DTK_CENTURY => Part::Int((tm.year / 100) as i64),
            DTK_MILLENNIUM => Part::Int((tm.year / 1000) as i64),
            _ => return Err(not_supported(&lowunits, "interval")),
        });
    }
    if ty == RESERV && val == DTK_EPOCH {
        let secs_from_day_month: i128 =
            (1461 * (iv.months / MONTHS_PER_YEAR) as i128 + 120 * (iv.months % MONTHS_PER_YEAR) as i128 + 4 * iv.days as i128)
                * (SECS_PER_DAY / 4) as i128;
        let total = secs_from_day_month * 1_000_000 + iv.micros as i128;
        let mut f = iv.micros as f64 / 1_000_000.0;
        f += (365.25 * SECS_PER_DAY as f64) * (iv.months / MONTHS_PER_YEAR) as f64;
        f += (DAYS_PER_MONTH as f64 * SECS_PER_DAY as f64) * (iv.months % MONTHS_PER_YEAR) as f64;
        f += SECS_PER_DAY as f64 * iv.days as f64;
        return Ok(Part::Num(div_fast(total, 6), f));
    }
    Err(not_recognized(&lowunits, "interval"))
}

/// `date_part(units, interval)`.
pub fn interval_part(units: &str, iv: Interval) -> Result<f64> {
    Ok(interval_part_common(units, iv)?.float().unwrap_or(0.0))
}

/// `EXTRACT(units FROM interval)` as numeric text.
pub fn extract_interval(units: &str, iv: Interval) -> Result<String> {
    Ok(interval_part_common(units, iv)?.numeric().unwrap_or_default())
}
