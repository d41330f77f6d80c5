//! Date/time arithmetic, casts and functions from `date.c` and
//! `timestamp.c`: ± intervals with PostgreSQL's month clamping, differences,
//! `age`, `date_trunc`, `date_bin`, `make_*`, `to_timestamp`, AT TIME ZONE
//! and the cross-type comparisons.

use std::cmp::Ordering;

use super::calendar::*;
use super::format::format_g;
use super::interval::{Itm, interval2itm, itm2interval, justify_hours};
use super::parse::{
    DTK_CENTURY, DTK_DATE_M, DTK_DAY, DTK_DECADE, DTK_HOUR, DTK_MICROSEC, DTK_MILLENNIUM, DTK_MILLISEC, DTK_MINUTE, DTK_MONTH, DTK_QUARTER,
    DTK_SECOND, DTK_WEEK, DTK_YEAR, DTZ, DYNTZ, DtErr, TZ, UNITS, decode_timezone, decode_timezone_abbrev, decode_units, rint, validate_date,
};
use super::timezone::TimeZone;
use super::{Interval, IntervalStyle, date_out_of_range, downcase_truncate, interval_out_of_range, timestamp_out_of_range};
use crate::error::{Error, Result, SqlState};

fn range_err(msg: impl Into<String>) -> Error {
    Error::new(SqlState::DATETIME_VALUE_OUT_OF_RANGE, msg)
}

// ---------------------------------------------------------------------------
// date

/// `date + integer`.
pub fn date_pli(date: i32, days: i32) -> Result<i32> {
    if date_not_finite(date) {
        return Ok(date);
    }
    let result = date.wrapping_add(days);
    if (if days >= 0 { result < date } else { result > date }) || !is_valid_date(result) {
        return Err(date_out_of_range());
    }
    Ok(result)
}

/// `date - integer`.
pub fn date_mii(date: i32, days: i32) -> Result<i32> {
    if date_not_finite(date) {
        return Ok(date);
    }
    let result = date.wrapping_sub(days);
    if (if days >= 0 { result > date } else { result < date }) || !is_valid_date(result) {
        return Err(date_out_of_range());
    }
    Ok(result)
}

/// `date - date` in days.
pub fn date_mi(a: i32, b: i32) -> Result<i32> {
    if date_not_finite(a) || date_not_finite(b) {
        return Err(range_err("cannot subtract infinite dates"));
    }
    Ok(a.wrapping_sub(b))
}

/// `isfinite(date)`.
pub fn date_finite(date: i32) -> bool {
    !date_not_finite(date)
}

/// `isfinite(timestamp[tz])`.
pub fn timestamp_finite(ts: i64) -> bool {
    !timestamp_not_finite(ts)
}

fn date2timestamp_opt_overflow(date: i32) -> std::result::Result<i64, i32> {
    if date == DATE_NOBEGIN {
        return Ok(TIMESTAMP_NOBEGIN);
    }
    if date == DATE_NOEND {
        return Ok(TIMESTAMP_NOEND);
    }
    if date >= TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE {
        return Err(1);
    }
    Ok((date as i64).wrapping_mul(USECS_PER_DAY))
}

/// `date::timestamp`.
pub fn date_timestamp(date: i32) -> Result<i64> {
    date2timestamp_opt_overflow(date).map_err(|_| range_err("date out of range for timestamp"))
}

fn date2timestamptz_opt_overflow(date: i32, tz: &TimeZone) -> std::result::Result<i64, i32> {
    if date == DATE_NOBEGIN {
        return Ok(TIMESTAMP_NOBEGIN);
    }
    if date == DATE_NOEND {
        return Ok(TIMESTAMP_NOEND);
    }
    if date >= TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE {
        return Err(1);
    }
    let (year, mon, mday) = j2date(date + POSTGRES_EPOCH_JDATE);
    let mut tm = Tm { year, mon, mday, ..Default::default() };
    let off = tz.determine_offset(&mut tm);
    let result = (date as i64).wrapping_mul(USECS_PER_DAY).wrapping_add(off as i64 * USECS_PER_SEC);
    if !is_valid_timestamp(result) {
        return Err(if result < MIN_TIMESTAMP { -1 } else { 1 });
    }
    Ok(result)
}

/// `date::timestamptz`: midnight in the session zone.
pub fn date_timestamptz(date: i32, tz: &TimeZone) -> Result<i64> {
    date2timestamptz_opt_overflow(date, tz).map_err(|_| range_err("date out of range for timestamp"))
}

/// `timestamp::date`.
pub fn timestamp_date(ts: i64) -> Result<i32> {
    if ts == TIMESTAMP_NOBEGIN {
        return Ok(DATE_NOBEGIN);
    }
    if ts == TIMESTAMP_NOEND {
        return Ok(DATE_NOEND);
    }
    let (tm, _, _, _) = timestamp2tm(ts, None).ok_or_else(timestamp_out_of_range)?;
    Ok(date2j(tm.year, tm.mon, tm.mday) - POSTGRES_EPOCH_JDATE)
}

/// `timestamptz::date`: the date in the session zone.
pub fn timestamptz_date(ts: i64, tz: &TimeZone) -> Result<i32> {
    if ts == TIMESTAMP_NOBEGIN {
        return Ok(DATE_NOBEGIN);
    }
    if ts == TIMESTAMP_NOEND {
        return Ok(DATE_NOEND);
    }
    let (tm, _, _, _) = timestamp2tm(ts, Some(tz)).ok_or_else(timestamp_out_of_range)?;
    Ok(date2j(tm.year, tm.mon, tm.mday) - POSTGRES_EPOCH_JDATE)
}

/// `date + interval` (a timestamp).
pub fn date_pl_interval(date: i32, span: Interval) -> Result<i64> {
    timestamp_pl_interval(date_timestamp(date)?, span)
}

/// `date - interval` (a timestamp).
pub fn date_mi_interval(date: i32, span: Interval) -> Result<i64> {
    timestamp_mi_interval(date_timestamp(date)?, span)
}

/// `date + time` (a timestamp).
pub fn datetime_timestamp(date: i32, time: i64) -> Result<i64> {
    let mut result = date_timestamp(date)?;
    if !timestamp_not_finite(result) {
        result = result.wrapping_add(time);
        if !is_valid_timestamp(result) {
            return Err(timestamp_out_of_range());
        }
    }
    Ok(result)
}

/// Three-way `date` vs `timestamp` comparison.
pub fn date_cmp_timestamp(date: i32, ts: i64) -> Ordering {
    match date2timestamp_opt_overflow(date) {
        Ok(dt1) => dt1.cmp(&ts),
        Err(_) => {
            if ts == TIMESTAMP_NOEND {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
    }
}

/// Three-way `date` vs `timestamptz` comparison (date at session midnight).
pub fn date_cmp_timestamptz(date: i32, ts: i64, tz: &TimeZone) -> Ordering {
    match date2timestamptz_opt_overflow(date, tz) {
        Ok(dt1) => dt1.cmp(&ts),
        Err(o) if o > 0 => {
            if ts == TIMESTAMP_NOEND {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        Err(_) => {
            if ts == TIMESTAMP_NOBEGIN {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

/// Three-way `timestamp` vs `timestamptz` comparison.
pub fn timestamp_cmp_timestamptz(ts: i64, tstz: i64, tz: &TimeZone) -> Ordering {
    match timestamp2timestamptz_opt_overflow(ts, tz) {
        Ok(Ok(dt1)) => dt1.cmp(&tstz),
        Ok(Err(o)) if o > 0 => {
            if tstz == TIMESTAMP_NOEND {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        Ok(Err(_)) => {
            if tstz == TIMESTAMP_NOBEGIN {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        // Breakdown failure: PostgreSQL raises here.
        Err(_) => ts.cmp(&tstz),
    }
}

// ---------------------------------------------------------------------------
// time

/// `time - time` (an interval).
pub fn time_mi_time(a: i64, b: i64) -> Interval {
    Interval { months: 0, days: 0, micros: a.wrapping_sub(b) }
}

/// `time + interval` (wraps around midnight; months and days ignored).
pub fn time_pl_interval(time: i64, span: Interval) -> i64 {
    let mut result = time.wrapping_add(span.micros);
    result -= result / USECS_PER_DAY * USECS_PER_DAY;
    if result < 0 {
        result += USECS_PER_DAY;
    }
    result
}

/// `time - interval`.
pub fn time_mi_interval(time: i64, span: Interval) -> i64 {
    let mut result = time.wrapping_sub(span.micros);
    result -= result / USECS_PER_DAY * USECS_PER_DAY;
    if result < 0 {
        result += USECS_PER_DAY;
    }
    result
}

/// `time::interval`.
pub fn time_interval(time: i64) -> Interval {
    Interval { months: 0, days: 0, micros: time }
}

/// `interval::time`: the fractional-day part, floored into 0..24h.
pub fn interval_time(span: Interval) -> i64 {
    let mut result = span.micros;
    if result >= USECS_PER_DAY {
        let days = result / USECS_PER_DAY;
        result -= days * USECS_PER_DAY;
    } else if result < 0 {
        let days = (result.wrapping_neg().wrapping_add(USECS_PER_DAY - 1)) / USECS_PER_DAY;
        result = result.wrapping_add(days.wrapping_mul(USECS_PER_DAY));
    }
    result
}

/// `timestamp::time`; `None` (SQL NULL) for infinities.
pub fn timestamp_time(ts: i64) -> Result<Option<i64>> {
    if timestamp_not_finite(ts) {
        return Ok(None);
    }
    let (tm, fsec, _, _) = timestamp2tm(ts, None).ok_or_else(timestamp_out_of_range)?;
    Ok(Some(time2t(tm.hour, tm.min, tm.sec, fsec)))
}

/// `timestamptz::time`: local time in the session zone; `None` for
/// infinities.
pub fn timestamptz_time(ts: i64, tz: &TimeZone) -> Result<Option<i64>> {
    if timestamp_not_finite(ts) {
        return Ok(None);
    }
    let (tm, fsec, _, _) = timestamp2tm(ts, Some(tz)).ok_or_else(timestamp_out_of_range)?;
    Ok(Some(time2t(tm.hour, tm.min, tm.sec, fsec)))
}

/// `float_time_overflows`.
fn float_time_overflows(hour: i32, min: i32, sec: f64) -> bool {
    if !(0..=HOURS_PER_DAY).contains(&hour) || !(0..MINS_PER_HOUR).contains(&min) {
        return true;
    }
    if sec.is_nan() {
        return true;
    }
    let sec = rint(sec * USECS_PER_SEC as f64);
    if sec < 0.0 || sec > (SECS_PER_MINUTE as i64 * USECS_PER_SEC) as f64 {
        return true;
    }
    ((hour * MINS_PER_HOUR + min) * SECS_PER_MINUTE) as i64 * USECS_PER_SEC + sec as i64 > USECS_PER_DAY
}

/// `make_time(hour, min, sec)`.
pub fn make_time(hour: i32, min: i32, sec: f64) -> Result<i64> {
    if float_time_overflows(hour, min, sec) {
        return Err(Error::new(SqlState::DATETIME_FIELD_OVERFLOW, format!("time field value out of range: {hour}:{min:02}:{}", format_g(sec, 2))));
    }
    Ok(((hour * MINS_PER_HOUR + min) * SECS_PER_MINUTE) as i64 * USECS_PER_SEC + rint(sec * USECS_PER_SEC as f64) as i64)
}

// ---------------------------------------------------------------------------
// make_date / make_timestamp / to_timestamp

/// `make_date(year, month, day)`; negative years are BC.
pub fn make_date(year: i32, month: i32, day: i32) -> Result<i32> {
    let mut tm = Tm { year, mon: month, mday: day, ..Default::default() };
    let bc = tm.year < 0;
    if bc {
        tm.year = tm.year.wrapping_neg();
    }
    if validate_date(DTK_DATE_M, false, false, bc, &mut tm).is_err() {
        return Err(Error::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            format!("date field value out of range: {}-{:02}-{:02}", tm.year, tm.mon, tm.mday),
        ));
    }
    let oor = |tm: &Tm| range_err(format!("date out of range: {}-{:02}-{:02}", tm.year, tm.mon, tm.mday));
    if !is_valid_julian(tm.year, tm.mon, tm.mday) {
        return Err(oor(&tm));
    }
    let date = date2j(tm.year, tm.mon, tm.mday) - POSTGRES_EPOCH_JDATE;
    if !is_valid_date(date) {
        return Err(oor(&tm));
    }
    Ok(date)
}

fn make_timestamp_internal(year: i32, month: i32, day: i32, hour: i32, min: i32, sec: f64) -> Result<i64> {
    let mut tm = Tm { year, mon: month, mday: day, ..Default::default() };
    let bc = tm.year < 0;
    if bc {
        tm.year = tm.year.wrapping_neg();
    }
    if validate_date(DTK_DATE_M, false, false, bc, &mut tm).is_err() {
        return Err(Error::new(SqlState::DATETIME_FIELD_OVERFLOW, format!("date field value out of range: {year}-{month:02}-{day:02}")));
    }
    if !is_valid_julian(tm.year, tm.mon, tm.mday) {
        return Err(range_err(format!("date out of range: {year}-{month:02}-{day:02}")));
    }
    let date = (date2j(tm.year, tm.mon, tm.mday) - POSTGRES_EPOCH_JDATE) as i64;
    if float_time_overflows(hour, min, sec) {
        return Err(Error::new(SqlState::DATETIME_FIELD_OVERFLOW, format!("time field value out of range: {hour}:{min:02}:{}", format_g(sec, 2))));
    }
    let time = ((hour * MINS_PER_HOUR + min) * SECS_PER_MINUTE) as i64 * USECS_PER_SEC + rint(sec * USECS_PER_SEC as f64) as i64;
    let oor = || range_err(format!("timestamp out of range: {year}-{month:02}-{day:02} {hour}:{min:02}:{}", format_g(sec, 2)));
    let result = date.wrapping_mul(USECS_PER_DAY).wrapping_add(time);
    if result.wrapping_sub(time) / USECS_PER_DAY != date {
        return Err(oor());
    }
    if (result < 0 && date > 0) || (result > 0 && date < -1) {
        return Err(oor());
    }
    if !is_valid_timestamp(result) {
        return Err(oor());
    }
    Ok(result)
}

/// `make_timestamp(year, month, mday, hour, min, sec)`.
pub fn make_timestamp(year: i32, month: i32, mday: i32, hour: i32, min: i32, sec: f64) -> Result<i64> {
    make_timestamp_internal(year, month, mday, hour, min, sec)
}

/// `make_timestamptz(...)` in the session zone.
pub fn make_timestamptz(year: i32, month: i32, mday: i32, hour: i32, min: i32, sec: f64, session: &TimeZone) -> Result<i64> {
    timestamp_timestamptz(make_timestamp_internal(year, month, mday, hour, min, sec)?, session)
}

/// `make_timestamptz(..., zone)` with an explicit zone.
#[allow(clippy::too_many_arguments)]
pub fn make_timestamptz_at_timezone(year: i32, month: i32, mday: i32, hour: i32, min: i32, sec: f64, zone: &str) -> Result<i64> {
    let timestamp = make_timestamp_internal(year, month, mday, hour, min, sec)?;
    let (mut tm, _, _, _) = timestamp2tm(timestamp, None).ok_or_else(timestamp_out_of_range)?;
    let tz = parse_sane_timezone(&mut tm, zone)?;
    let result = dt2local(timestamp, -tz);
    if !is_valid_timestamp(result) {
        return Err(timestamp_out_of_range());
    }
    Ok(result)
}

/// `parse_sane_timezone`: a zone argument as offset, abbreviation or name.
fn parse_sane_timezone(tm: &mut Tm, zone: &str) -> Result<i32> {
    let tzname = truncate_tzname(zone);
    if tzname.as_bytes().first().is_some_and(|c| c.is_ascii_digit()) {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("invalid input syntax for type numeric time zone: \"{tzname}\""))
            .with_hint("Numeric time zones must have \"-\" or \"+\" as first character."));
    }
    match decode_timezone(tzname.as_bytes()) {
        Ok(tz) => Ok(tz),
        Err(DtErr::TzDispOverflow) => Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("numeric time zone \"{tzname}\" out of range"))),
        Err(DtErr::BadFormat) => {
            let lowzone = downcase_truncate(&tzname);
            let (ty, val, tzp) = abbrev_lookup(&lowzone)?;
            if ty == TZ || ty == DTZ {
                Ok(-val)
            } else if ty == DYNTZ {
                let tzp = tzp.ok_or_else(|| Error::internal("dynamic abbreviation without zone"))?;
                Ok(tzp.determine_abbrev_offset(tm, &tzname))
            } else {
                match TimeZone::load(&tzname) {
                    Some(z) => Ok(z.determine_offset(tm)),
                    None => Err(not_recognized(&tzname)),
                }
            }
        }
        Err(_) => Err(not_recognized(&tzname)),
    }
}

fn not_recognized(name: &str) -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("time zone \"{name}\" not recognized"))
}

/// `text_to_cstring_buffer(zone, tzname, TZ_STRLEN_MAX + 1)`.
fn truncate_tzname(zone: &str) -> String {
    let zone = zone.split('\0').next().unwrap_or("");
    let mut end = zone.len().min(255);
    while !zone.is_char_boundary(end) {
        end -= 1;
    }
    zone[..end].to_string()
}

fn abbrev_lookup(lowzone: &str) -> Result<(i32, i32, Option<TimeZone>)> {
    decode_timezone_abbrev(lowzone.as_bytes()).map_err(|e| match e {
        DtErr::Raise(e) => e,
        _ => Error::internal("unexpected abbreviation lookup failure"),
    })
}

/// `to_timestamp(double precision)`: Unix epoch seconds to timestamptz.
pub fn to_timestamp(seconds: f64) -> Result<i64> {
    if seconds.is_nan() {
        return Err(range_err("timestamp cannot be NaN"));
    }
    if seconds.is_infinite() {
        return Ok(if seconds < 0.0 { TIMESTAMP_NOBEGIN } else { TIMESTAMP_NOEND });
    }
    let lo = SECS_PER_DAY as f64 * (DATETIME_MIN_JULIAN - UNIX_EPOCH_JDATE) as f64;
    let hi = SECS_PER_DAY as f64 * (TIMESTAMP_END_JULIAN - UNIX_EPOCH_JDATE) as f64;
    if seconds < lo || seconds >= hi {
        return Err(range_err(format!("timestamp out of range: \"{}\"", format_g(seconds, 0))));
    }
    let s = seconds - ((POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) as i64 * SECS_PER_DAY) as f64;
    let result = rint(s * USECS_PER_SEC as f64) as i64;
    if !is_valid_timestamp(result) {
        return Err(range_err(format!("timestamp out of range: \"{}\"", format_g(seconds, 0))));
    }
    Ok(result)
}

// ---------------------------------------------------------------------------
// timestamp ± interval

fn add_months(tm: &mut Tm, months: i32) -> Result<()> {
    tm.mon = tm.mon.checked_add(months).ok_or_else(timestamp_out_of_range)?;
    if tm.mon > MONTHS_PER_YEAR {
        tm.year = tm.year.wrapping_add((tm.mon - 1) / MONTHS_PER_YEAR);
        tm.mon = (tm.mon - 1) % MONTHS_PER_YEAR + 1;
    } else if tm.mon < 1 {
        tm.year = tm.year.wrapping_add(tm.mon / MONTHS_PER_YEAR - 1);
        tm.mon = tm.mon % MONTHS_PER_YEAR + MONTHS_PER_YEAR;
    }
    let dim = days_in_month(tm.year, tm.mon);
    if tm.mday > dim {
        tm.mday = dim;
    }
    Ok(())
}

/// `timestamp + interval`: months (clamped to month end), then days, then
/// microseconds.
pub fn timestamp_pl_interval(ts: i64, span: Interval) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    let mut timestamp = ts;
    if span.months != 0 {
        let (mut tm, fsec, _, _) = timestamp2tm(timestamp, None).ok_or_else(timestamp_out_of_range)?;
        add_months(&mut tm, span.months)?;
        timestamp = tm2timestamp(&tm, fsec, None).ok_or_else(timestamp_out_of_range)?;
    }
    if span.days != 0 {
        let (mut tm, fsec, _, _) = timestamp2tm(timestamp, None).ok_or_else(timestamp_out_of_range)?;
        let julian = date2j(tm.year, tm.mon, tm.mday).checked_add(span.days).filter(|j| *j >= 0).ok_or_else(timestamp_out_of_range)?;
        (tm.year, tm.mon, tm.mday) = j2date(julian);
        timestamp = tm2timestamp(&tm, fsec, None).ok_or_else(timestamp_out_of_range)?;
    }
    timestamp = timestamp.checked_add(span.micros).ok_or_else(timestamp_out_of_range)?;
    if !is_valid_timestamp(timestamp) {
        return Err(timestamp_out_of_range());
    }
    Ok(timestamp)
}

fn negate_span(span: Interval) -> Interval {
    Interval { months: span.months.wrapping_neg(), days: span.days.wrapping_neg(), micros: span.micros.wrapping_neg() }
}

/// `timestamp - interval`.
pub fn timestamp_mi_interval(ts: i64, span: Interval) -> Result<i64> {
    timestamp_pl_interval(ts, negate_span(span))
}

/// `timestamptz + interval`: months and days move the local wall clock in
/// `tz` (the session zone), then microseconds are added.
pub fn timestamptz_pl_interval(ts: i64, span: Interval, tz: &TimeZone) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    let mut timestamp = ts;
    if span.months != 0 {
        let (mut tm, fsec, _, _) = timestamp2tm(timestamp, Some(tz)).ok_or_else(timestamp_out_of_range)?;
        add_months(&mut tm, span.months)?;
        let off = tz.determine_offset(&mut tm);
        timestamp = tm2timestamp(&tm, fsec, Some(off)).ok_or_else(timestamp_out_of_range)?;
    }
    if span.days != 0 {
        let (mut tm, fsec, _, _) = timestamp2tm(timestamp, Some(tz)).ok_or_else(timestamp_out_of_range)?;
        let julian = date2j(tm.year, tm.mon, tm.mday).checked_add(span.days).filter(|j| *j >= -1).ok_or_else(timestamp_out_of_range)?;
        (tm.year, tm.mon, tm.mday) = j2date(julian);
        let off = tz.determine_offset(&mut tm);
        timestamp = tm2timestamp(&tm, fsec, Some(off)).ok_or_else(timestamp_out_of_range)?;
    }
    timestamp = timestamp.checked_add(span.micros).ok_or_else(timestamp_out_of_range)?;
    if !is_valid_timestamp(timestamp) {
        return Err(timestamp_out_of_range());
    }
    Ok(timestamp)
}

/// `timestamptz - interval`.
pub fn timestamptz_mi_interval(ts: i64, span: Interval, tz: &TimeZone) -> Result<i64> {
    timestamptz_pl_interval(ts, negate_span(span), tz)
}

/// `timestamp - timestamp` (also timestamptz): microseconds, then
/// `justify_hours` as PostgreSQL does.
pub fn timestamp_mi(a: i64, b: i64) -> Result<Interval> {
    if timestamp_not_finite(a) || timestamp_not_finite(b) {
        return Err(range_err("cannot subtract infinite timestamps"));
    }
    justify_hours(Interval { months: 0, days: 0, micros: a.wrapping_sub(b) })
}

// ---------------------------------------------------------------------------
// timestamp <-> timestamptz, AT TIME ZONE

fn timestamp2timestamptz_opt_overflow(ts: i64, tz: &TimeZone) -> Result<std::result::Result<i64, i32>> {
    if timestamp_not_finite(ts) {
        return Ok(Ok(ts));
    }
    let (mut tm, _, _, _) = timestamp2tm(ts, None).ok_or_else(timestamp_out_of_range)?;
    let off = tz.determine_offset(&mut tm);
    let result = dt2local(ts, -off);
    if is_valid_timestamp(result) {
        Ok(Ok(result))
    } else if result < MIN_TIMESTAMP {
        Ok(Err(-1))
    } else {
        Ok(Err(1))
    }
}

/// `timestamp::timestamptz`: the wall-clock time read in the session zone.
pub fn timestamp_timestamptz(ts: i64, tz: &TimeZone) -> Result<i64> {
    match timestamp2timestamptz_opt_overflow(ts, tz)? {
        Ok(v) => Ok(v),
        Err(_) => Err(timestamp_out_of_range()),
    }
}

/// `timestamptz::timestamp`: the wall-clock time in the session zone.
pub fn timestamptz_timestamp(ts: i64, tz: &TimeZone) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    let (tm, fsec, _, _) = timestamp2tm(ts, Some(tz)).ok_or_else(timestamp_out_of_range)?;
    tm2timestamp(&tm, fsec, None).ok_or_else(timestamp_out_of_range)
}

/// A zone argument of `AT TIME ZONE`, `timezone()` or `date_trunc(.., zone)`
/// resolved once (abbreviation first, then zone name, as PostgreSQL looks
/// them up), so a constant argument is not looked up again for every row.
/// A lookup error is kept and raised only when a finite value needs the
/// zone, because PostgreSQL returns infinite inputs without looking.
#[derive(Clone, Debug)]
pub struct ZoneArg {
    /// The name as given (truncated like PostgreSQL's buffer).
    name: String,
    kind: std::result::Result<ZoneKind, Error>,
}

#[derive(Clone, Debug)]
enum ZoneKind {
    /// Fixed abbreviation: seconds east, plus the equivalent zone.
    Fixed(i32, TimeZone),
    Dynamic(TimeZone),
    Named(TimeZone),
}

impl ZoneArg {
    /// Resolves a zone argument (never fails; see the type's docs).
    pub fn new(zone: &str) -> ZoneArg {
        let name = truncate_tzname(zone);
        let lowzone = downcase_truncate(&name);
        let kind = abbrev_lookup(&lowzone).and_then(|(ty, val, tzp)| {
            if ty == TZ || ty == DTZ {
                let z = TimeZone::from_offset(-(val as i64)).ok_or_else(|| not_recognized(&name))?;
                Ok(ZoneKind::Fixed(val, z))
            } else if ty == DYNTZ {
                tzp.map(ZoneKind::Dynamic).ok_or_else(|| Error::internal("dynamic abbreviation without zone"))
            } else {
                TimeZone::load(&name).map(ZoneKind::Named).ok_or_else(|| not_recognized(&name))
            }
        });
        ZoneArg { name, kind }
    }

    fn kind(&self) -> Result<&ZoneKind> {
        self.kind.as_ref().map_err(Clone::clone)
    }
}

/// `timestamp AT TIME ZONE zone` (result: timestamptz).
pub fn timestamp_zone(zone: &str, ts: i64) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    timestamp_at_zone(&ZoneArg::new(zone), ts)
}

/// [`timestamp_zone`] with a pre-resolved zone.
pub fn timestamp_at_zone(zone: &ZoneArg, ts: i64) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    let result = match zone.kind()? {
        ZoneKind::Fixed(val, _) => dt2local(ts, *val),
        ZoneKind::Dynamic(tzp) => {
            let (mut tm, _, _, _) = timestamp2tm(ts, None).ok_or_else(timestamp_out_of_range)?;
            let tz = -tzp.determine_abbrev_offset(&mut tm, &zone.name);
            dt2local(ts, tz)
        }
        ZoneKind::Named(tzp) => {
            let (mut tm, fsec, _, _) = timestamp2tm(ts, None).ok_or_else(timestamp_out_of_range)?;
            let tz = tzp.determine_offset(&mut tm);
            tm2timestamp(&tm, fsec, Some(tz)).ok_or_else(timestamp_out_of_range)?
        }
    };
    if !is_valid_timestamp(result) {
        return Err(timestamp_out_of_range());
    }
    Ok(result)
}

fn izone_check(zone: Interval, style: IntervalStyle) -> Result<()> {
    if zone.months != 0 || zone.days != 0 {
        return Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("interval time zone \"{}\" must not include months or days", super::interval::interval_out(zone, style)),
        ));
    }
    Ok(())
}

/// `timestamp AT TIME ZONE interval` (result: timestamptz); `style` is the
/// session IntervalStyle, used only in the months/days error message.
pub fn timestamp_izone(zone: Interval, ts: i64, style: IntervalStyle) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    izone_check(zone, style)?;
    let tz = (zone.micros / USECS_PER_SEC) as i32;
    let result = dt2local(ts, tz);
    if !is_valid_timestamp(result) {
        return Err(timestamp_out_of_range());
    }
    Ok(result)
}

/// `timestamptz AT TIME ZONE zone` (result: timestamp).
pub fn timestamptz_zone(zone: &str, ts: i64) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    timestamptz_at_zone(&ZoneArg::new(zone), ts)
}

/// [`timestamptz_zone`] with a pre-resolved zone.
pub fn timestamptz_at_zone(zone: &ZoneArg, ts: i64) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    let result = match zone.kind()? {
        ZoneKind::Fixed(val, _) => dt2local(ts, -*val),
        ZoneKind::Dynamic(tzp) => {
            let tz = tzp.determine_abbrev_offset_ts(ts, &zone.name)?;
            dt2local(ts, tz)
        }
        ZoneKind::Named(tzp) => {
            let (tm, fsec, _, _) = timestamp2tm(ts, Some(tzp)).ok_or_else(timestamp_out_of_range)?;
            tm2timestamp(&tm, fsec, None).ok_or_else(timestamp_out_of_range)?
        }
    };
    if !is_valid_timestamp(result) {
        return Err(timestamp_out_of_range());
    }
    Ok(result)
}

/// `timestamptz AT TIME ZONE interval` (result: timestamp); `style` as for
/// [`timestamp_izone`].
pub fn timestamptz_izone(zone: Interval, ts: i64, style: IntervalStyle) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    izone_check(zone, style)?;
    let tz = -(zone.micros / USECS_PER_SEC) as i32;
    let result = dt2local(ts, tz);
    if !is_valid_timestamp(result) {
        return Err(timestamp_out_of_range());
    }
    Ok(result)
}

// ---------------------------------------------------------------------------
// age

fn age_common(dt1: i64, dt2: i64, tm1: Tm, fsec1: i32, tm2: Tm, fsec2: i32) -> Result<Interval> {
    let mut tm = Itm {
        usec: fsec1.wrapping_sub(fsec2),
        sec: tm1.sec.wrapping_sub(tm2.sec),
        min: tm1.min.wrapping_sub(tm2.min),
        hour: (tm1.hour.wrapping_sub(tm2.hour)) as i64,
        mday: tm1.mday.wrapping_sub(tm2.mday),
        mon: tm1.mon.wrapping_sub(tm2.mon),
        year: tm1.year.wrapping_sub(tm2.year),
    };
    let flip = |tm: &mut Itm| {
        tm.usec = tm.usec.wrapping_neg();
        tm.sec = tm.sec.wrapping_neg();
        tm.min = tm.min.wrapping_neg();
        tm.hour = tm.hour.wrapping_neg();
        tm.mday = tm.mday.wrapping_neg();
        tm.mon = tm.mon.wrapping_neg();
        tm.year = tm.year.wrapping_neg();
    };
    if dt1 < dt2 {
        flip(&mut tm);
    }
    while tm.usec < 0 {
        tm.usec += USECS_PER_SEC as i32;
        tm.sec -= 1;
    }
    while tm.sec < 0 {
        tm.sec += SECS_PER_MINUTE;
        tm.min -= 1;
    }
    while tm.min < 0 {
        tm.min += MINS_PER_HOUR;
        tm.hour -= 1;
    }
    while tm.hour < 0 {
        tm.hour += HOURS_PER_DAY as i64;
        tm.mday -= 1;
    }
    while tm.mday < 0 {
        if dt1 < dt2 {
            tm.mday += days_in_month(tm1.year, tm1.mon);
        } else {
            tm.mday += days_in_month(tm2.year, tm2.mon);
        }
        tm.mon -= 1;
    }
    while tm.mon < 0 {
        tm.mon += MONTHS_PER_YEAR;
        tm.year = tm.year.wrapping_sub(1);
    }
    if dt1 < dt2 {
        flip(&mut tm);
    }
    itm2interval(&tm).ok_or_else(interval_out_of_range)
}

/// `age(timestamp, timestamp)`: symbolic difference in years/months/days.
pub fn timestamp_age(dt1: i64, dt2: i64) -> Result<Interval> {
    let (Some((tm1, f1, _, _)), Some((tm2, f2, _, _))) = (timestamp2tm(dt1, None), timestamp2tm(dt2, None)) else {
        return Err(timestamp_out_of_range());
    };
    age_common(dt1, dt2, tm1, f1, tm2, f2)
}

/// `age(timestamptz, timestamptz)`, fields taken in the session zone.
pub fn timestamptz_age(dt1: i64, dt2: i64, tz: &TimeZone) -> Result<Interval> {
    let (Some((tm1, f1, _, _)), Some((tm2, f2, _, _))) = (timestamp2tm(dt1, Some(tz)), timestamp2tm(dt2, Some(tz))) else {
        return Err(timestamp_out_of_range());
    };
    age_common(dt1, dt2, tm1, f1, tm2, f2)
}

// ---------------------------------------------------------------------------
// date_bin / date_trunc

fn bin_common(stride: Interval, ts: i64, origin: i64) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    if timestamp_not_finite(origin) {
        return Err(range_err("origin out of range"));
    }
    if stride.months != 0 {
        return Err(Error::new(SqlState::FEATURE_NOT_SUPPORTED, "timestamps cannot be binned into intervals containing months or years"));
    }
    let stride_usecs =
        (stride.days as i64).checked_mul(USECS_PER_DAY).and_then(|v| v.checked_add(stride.micros)).ok_or_else(interval_out_of_range)?;
    if stride_usecs <= 0 {
        return Err(range_err("stride must be greater than zero"));
    }
    let tm_diff = ts.checked_sub(origin).ok_or_else(interval_out_of_range)?;
    let tm_modulo = tm_diff % stride_usecs;
    let tm_delta = tm_diff - tm_modulo;
    let mut result = origin.wrapping_add(tm_delta);
    if tm_modulo < 0 {
        result = result.checked_sub(stride_usecs).filter(|r| is_valid_timestamp(*r)).ok_or_else(timestamp_out_of_range)?;
    }
    Ok(result)
}

/// `date_bin(stride, timestamp, origin)`.
pub fn timestamp_bin(stride: Interval, ts: i64, origin: i64) -> Result<i64> {
    bin_common(stride, ts, origin)
}

/// `date_bin(stride, timestamptz, origin)` (zone-independent).
pub fn timestamptz_bin(stride: Interval, ts: i64, origin: i64) -> Result<i64> {
    bin_common(stride, ts, origin)
}

const TS_TYPE: &str = "timestamp without time zone";
const TSTZ_TYPE: &str = "timestamp with time zone";

fn unit_not_recognized(lowunits: &str, tyname: &str) -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("unit \"{lowunits}\" not recognized for type {tyname}"))
}

fn unit_not_supported(lowunits: &str, tyname: &str) -> Error {
    Error::new(SqlState::FEATURE_NOT_SUPPORTED, format!("unit \"{lowunits}\" not supported for type {tyname}"))
}

/// Truncates the broken-down fields in place; returns whether the zone
/// offset must be recomputed (units of a day or more).
fn trunc_fields(val: i32, tm: &mut Tm, fsec: &mut i32, lowunits: &str, tyname: &str) -> Result<bool> {
    let mut redotz = false;
    match val {
        DTK_WEEK => {
            let woy = date2isoweek(tm.year, tm.mon, tm.mday);
            if woy >= 52 && tm.mon == 1 {
                tm.year -= 1;
            }
            if woy <= 1 && tm.mon == MONTHS_PER_YEAR {
                tm.year += 1;
            }
            (tm.year, tm.mon, tm.mday) = isoweek2date(woy, tm.year);
            tm.hour = 0;
            tm.min = 0;
            tm.sec = 0;
            *fsec = 0;
            return Ok(true);
        }
        DTK_MILLENNIUM | DTK_CENTURY | DTK_DECADE | DTK_YEAR | DTK_QUARTER | DTK_MONTH | DTK_DAY | DTK_HOUR | DTK_MINUTE | DTK_SECOND => {
            if val == DTK_MILLENNIUM {
                tm.year = if tm.year > 0 { ((tm.year + 999) / 1000) * 1000 - 999 } else { -((999 - (tm.year - 1)) / 1000) * 1000 + 1 };
            }
            if val == DTK_MILLENNIUM || val == DTK_CENTURY {
                tm.year = if tm.year > 0 { ((tm.year + 99) / 100) * 100 - 99 } else { -((99 - (tm.year - 1)) / 100) * 100 + 1 };
            }
            if val == DTK_DECADE {
                tm.year = if tm.year > 0 { (tm.year / 10) * 10 } else { -((8 - (tm.year - 1)) / 10) * 10 };
            }
            let level = match val {
                DTK_MILLENNIUM | DTK_CENTURY | DTK_DECADE | DTK_YEAR => 0,
                DTK_QUARTER => 1,
                DTK_MONTH => 2,
                DTK_DAY => 3,
                DTK_HOUR => 4,
                DTK_MINUTE => 5,
                _ => 6,
            };
            if level <= 0 {
                tm.mon = 1;
            }
            if level <= 1 {
                tm.mon = 3 * ((tm.mon - 1) / 3) + 1;
            }
            if level <= 2 {
                tm.mday = 1;
            }
            if level <= 3 {
                tm.hour = 0;
                redotz = true;
            }
            if level <= 4 {
                tm.min = 0;
            }
            if level <= 5 {
                tm.sec = 0;
            }
            *fsec = 0;
        }
        DTK_MILLISEC => *fsec = (*fsec / 1000) * 1000,
        DTK_MICROSEC => {}
        _ => return Err(unit_not_supported(lowunits, tyname)),
    }
    Ok(redotz)
}

/// `date_trunc(units, timestamp)`.
pub fn timestamp_trunc(units: &str, ts: i64) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    let lowunits = downcase_truncate(units);
    let (ty, val) = decode_units(lowunits.as_bytes());
    if ty != UNITS {
        return Err(unit_not_recognized(&lowunits, TS_TYPE));
    }
    let (mut tm, mut fsec, _, _) = timestamp2tm(ts, None).ok_or_else(timestamp_out_of_range)?;
    trunc_fields(val, &mut tm, &mut fsec, &lowunits, TS_TYPE)?;
    tm2timestamp(&tm, fsec, None).ok_or_else(timestamp_out_of_range)
}

fn timestamptz_trunc_internal(units: &str, ts: i64, tz: &TimeZone) -> Result<i64> {
    let lowunits = downcase_truncate(units);
    let (ty, val) = decode_units(lowunits.as_bytes());
    if ty != UNITS {
        return Err(unit_not_recognized(&lowunits, TSTZ_TYPE));
    }
    let (mut tm, mut fsec, mut off, _) = timestamp2tm(ts, Some(tz)).ok_or_else(timestamp_out_of_range)?;
    if trunc_fields(val, &mut tm, &mut fsec, &lowunits, TSTZ_TYPE)? {
        off = tz.determine_offset(&mut tm);
    }
    tm2timestamp(&tm, fsec, Some(off)).ok_or_else(timestamp_out_of_range)
}

/// `date_trunc(units, timestamptz)` in the session zone.
pub fn timestamptz_trunc(units: &str, ts: i64, tz: &TimeZone) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    timestamptz_trunc_internal(units, ts, tz)
}

/// `date_trunc(units, timestamptz, zone)`.
pub fn timestamptz_trunc_zone(units: &str, ts: i64, zone: &str) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    timestamptz_trunc_at_zone(units, ts, &ZoneArg::new(zone))
}

/// [`timestamptz_trunc_zone`] with a pre-resolved zone.
pub fn timestamptz_trunc_at_zone(units: &str, ts: i64, zone: &ZoneArg) -> Result<i64> {
    if timestamp_not_finite(ts) {
        return Ok(ts);
    }
    let tzp = match zone.kind()? {
        ZoneKind::Fixed(_, z) | ZoneKind::Dynamic(z) | ZoneKind::Named(z) => z,
    };
    timestamptz_trunc_internal(units, ts, tzp)
}

/// `date_trunc(units, interval)`.
pub fn interval_trunc(units: &str, span: Interval) -> Result<Interval> {
    let lowunits = downcase_truncate(units);
    let (ty, val) = decode_units(lowunits.as_bytes());
    if ty != UNITS {
        return Err(unit_not_recognized(&lowunits, "interval"));
    }
    let mut tm = interval2itm(span);
    match val {
        DTK_MILLENNIUM | DTK_CENTURY | DTK_DECADE | DTK_YEAR | DTK_QUARTER | DTK_MONTH | DTK_DAY | DTK_HOUR | DTK_MINUTE | DTK_SECOND => {
            if val == DTK_MILLENNIUM {
                tm.year = (tm.year / 1000) * 1000;
            }
            if matches!(val, DTK_MILLENNIUM | DTK_CENTURY) {
                tm.year = (tm.year / 100) * 100;
            }
            if matches!(val, DTK_MILLENNIUM | DTK_CENTURY | DTK_DECADE) {
                tm.year = (tm.year / 10) * 10;
            }
            let level = match val {
                DTK_MILLENNIUM | DTK_CENTURY | DTK_DECADE | DTK_YEAR => 0,
                DTK_QUARTER => 1,
                DTK_MONTH => 2,
                DTK_DAY => 3,
                DTK_HOUR => 4,
                DTK_MINUTE => 5,
                _ => 6,
            };
            if level <= 0 {
                tm.mon = 0;
            }
            if level <= 1 {
                tm.mon = 3 * (tm.mon / 3);
            }
            if level <= 2 {
                tm.mday = 0;
            }
            if level <= 3 {
                tm.hour = 0;
            }
            if level <= 4 {
                tm.min = 0;
            }
            if level <= 5 {
                tm.sec = 0;
            }
            tm.usec = 0;
        }
        DTK_MILLISEC => tm.usec = (tm.usec / 1000) * 1000,
        DTK_MICROSEC => {}
        _ => {
            let mut e = unit_not_supported(&lowunits, "interval");
            if val == DTK_WEEK {
                e = e.with_detail("Months usually have fractional weeks.");
            }
            return Err(e);
        }
    }
    itm2interval(&tm).ok_or_else(interval_out_of_range)
}

/// `overlaps` for timestamps (SQL's OVERLAPS; `None` = NULL inputs/result).
pub fn overlaps_timestamp(ts1: Option<i64>, te1: Option<i64>, ts2: Option<i64>, te2: Option<i64>) -> Option<bool> {
    overlaps_generic(ts1, te1, ts2, te2)
}

/// The SQL OVERLAPS algorithm over any ordered values (PostgreSQL's
/// `overlaps_timestamp` / `overlaps_time`).
pub fn overlaps_generic<T: Ord + Copy>(ts1: Option<T>, te1: Option<T>, ts2: Option<T>, te2: Option<T>) -> Option<bool> {
    let (mut ts1, mut te1, mut ts2, mut te2) = (ts1, te1, ts2, te2);
    if ts1.is_none() {
        te1?;
        ts1 = te1;
        te1 = None;
    } else if let (Some(a), Some(b)) = (ts1, te1)
        && a > b
    {
        ts1 = Some(b);
        te1 = Some(a);
    }
    if ts2.is_none() {
        te2?;
        ts2 = te2;
        te2 = None;
    } else if let (Some(a), Some(b)) = (ts2, te2)
        && a > b
    {
        ts2 = Some(b);
        te2 = Some(a);
    }
    let (s1, s2) = (ts1?, ts2?);
    if s1 > s2 {
        match te2 {
            None => None,
            Some(e2) => {
                if s1 < e2 {
                    Some(true)
                } else if te1.is_none() {
                    None
                } else {
                    Some(false)
                }
            }
        }
    } else if s1 < s2 {
        match te1 {
            None => None,
            Some(e1) => {
                if s2 < e1 {
                    Some(true)
                } else if te2.is_none() {
                    None
                } else {
                    Some(false)
                }
            }
        }
    } else if te1.is_none() || te2.is_none() {
        None
    } else {
        Some(true)
    }
}

// ---------------------------------------------------------------------------
// CURRENT_DATE & co. (the transaction time comes in as `now`, µs UTC)

/// `CURRENT_DATE`: today's date in the session zone.
pub fn current_date(now: i64, tz: &TimeZone) -> Result<i32> {
    timestamptz_date(now, tz)
}

/// `CURRENT_TIMESTAMP[(p)]` / `now()`; `typmod` -1 for no precision.
pub fn current_timestamp(now: i64, typmod: i32) -> Result<i64> {
    if typmod >= 0 { super::timestamp_scale(now, typmod) } else { Ok(now) }
}

/// `LOCALTIMESTAMP[(p)]`: the wall-clock time in the session zone.
pub fn local_timestamp(now: i64, tz: &TimeZone, typmod: i32) -> Result<i64> {
    let ts = timestamptz_timestamp(now, tz)?;
    if typmod >= 0 { super::timestamp_scale(ts, typmod) } else { Ok(ts) }
}

/// `LOCALTIME[(p)]`: the time of day in the session zone.
pub fn local_time(now: i64, tz: &TimeZone, typmod: i32) -> Result<i64> {
    let (tm, fsec, _, _) = timestamp2tm(now, Some(tz)).ok_or_else(timestamp_out_of_range)?;
    Ok(super::time_scale(time2t(tm.hour, tm.min, tm.sec, fsec), typmod))
}

/// `age(timestamp)`: `age(current_date::timestamp, ts)`.
pub fn timestamp_age_today(ts: i64, now: i64, tz: &TimeZone) -> Result<Interval> {
    let today = date_timestamp(current_date(now, tz)?)?;
    timestamp_age(today, ts)
}

/// `age(timestamptz)`: `age(current_date::timestamptz, ts)`.
pub fn timestamptz_age_today(ts: i64, now: i64, tz: &TimeZone) -> Result<Interval> {
    let today = date_timestamptz(current_date(now, tz)?, tz)?;
    timestamptz_age(today, ts, tz)
}

// ---------------------------------------------------------------------------
// generate_series

/// `generate_series(start, finish, step)` over timestamps (or, with a zone,
/// timestamptz): each item is the current value; the step is added before
/// the value is handed out, so an overflowing step ends the series with an
/// error exactly where PostgreSQL's does.
#[derive(Clone, Debug)]
pub struct TimestampSeries {
    current: i64,
    finish: i64,
    step: Interval,
    step_sign: Ordering,
    zone: Option<TimeZone>,
    done: bool,
}

impl Iterator for TimestampSeries {
    type Item = Result<i64>;

    fn next(&mut self) -> Option<Result<i64>> {
        if self.done {
            return None;
        }
        let result = self.current;
        let more = if self.step_sign == Ordering::Greater { result <= self.finish } else { result >= self.finish };
        if !more {
            self.done = true;
            return None;
        }
        let next = match &self.zone {
            Some(tz) => timestamptz_pl_interval(self.current, self.step, tz),
            None => timestamp_pl_interval(self.current, self.step),
        };
        match next {
            Ok(n) => {
                self.current = n;
                Some(Ok(result))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

fn series(start: i64, finish: i64, step: Interval, zone: Option<TimeZone>) -> Result<TimestampSeries> {
    let step_sign = super::interval::interval_cmp(step, Interval::default());
    if step_sign == Ordering::Equal {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "step size cannot equal zero"));
    }
    Ok(TimestampSeries { current: start, finish, step, step_sign, zone, done: false })
}

/// `generate_series(timestamp, timestamp, interval)`.
pub fn generate_series_timestamp(start: i64, finish: i64, step: Interval) -> Result<TimestampSeries> {
    series(start, finish, step, None)
}

/// `generate_series(timestamptz, timestamptz, interval)`; months and days
/// step in the session zone `tz`.
pub fn generate_series_timestamptz(start: i64, finish: i64, step: Interval, tz: &TimeZone) -> Result<TimestampSeries> {
    series(start, finish, step, Some(tz.clone()))
}

/// `isfinite(interval)`: always true in PostgreSQL 15.
pub fn interval_finite(_span: Interval) -> bool {
    true
}
