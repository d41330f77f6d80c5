//! PostgreSQL 15's date/time types — `date`, `time`, `timestamp`,
//! `timestamptz` and `interval` — ported from `datetime.c`, `date.c`,
//! `timestamp.c` and the tz library so that input, output, errors and
//! arithmetic match PostgreSQL byte for byte.
//!
//! Values are PostgreSQL's own integers (so generated code can work on them
//! directly):
//! - `date`: `i32` days since 2000-01-01; `i32::MIN`/`i32::MAX` are
//!   `-infinity`/`infinity`.
//! - `time`: `i64` microseconds since midnight (0 ..= 86 400 000 000).
//! - `timestamp`/`timestamptz`: `i64` microseconds since 2000-01-01 00:00
//!   (timestamptz in UTC); `i64::MIN`/`i64::MAX` are the infinities.
//! - `interval`: [`Interval`].
//!
//! Session settings (DateStyle, IntervalStyle, TimeZone, transaction time)
//! are passed in explicitly; nothing here reads a clock or global state.

mod abbrevs;
mod arith;
mod calendar;
mod extract;
mod format;
mod interval;
mod parse;
mod timezone;

#[cfg(test)]
mod tests;

use crate::error::{Error, Result, SqlState};

pub use arith::*;
pub use calendar::{
    DATE_NOBEGIN, DATE_NOEND, END_TIMESTAMP, MIN_TIMESTAMP, POSTGRES_EPOCH_JDATE, TIMESTAMP_NOBEGIN, TIMESTAMP_NOEND, UNIX_EPOCH_JDATE,
    USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC, date2j, is_valid_date, is_valid_timestamp, j2date,
};
pub use extract::*;
pub use interval::{
    IntervalFields, interval_cmp, interval_div, interval_hash_key, interval_in, interval_mi, interval_mul, interval_out, interval_pl, interval_scale,
    interval_typmod, interval_typmod_out, interval_typmod_warning, interval_um, justify_days, justify_hours, justify_interval, make_interval,
};
pub use timezone::{TimeZone, zone_names};

use calendar::*;
use parse::*;

/// PostgreSQL's `interval`: months, days and microseconds, kept separate
/// because their lengths vary. The derived `PartialEq`/`Hash` compare the
/// fields; SQL equality (`'1 mon' = '30 days'`) is [`interval_cmp`] /
/// [`interval_hash_key`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Interval {
    pub months: i32,
    pub days: i32,
    pub micros: i64,
}

/// DateStyle's output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutputStyle {
    Iso,
    Postgres,
    Sql,
    German,
}

/// DateStyle's field order, for input and for the SQL/Postgres outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateOrder {
    Mdy,
    Dmy,
    Ymd,
}

/// The `DateStyle` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateStyle {
    pub style: OutputStyle,
    pub order: DateOrder,
}

impl Default for DateStyle {
    /// PostgreSQL's built-in default, `ISO, MDY`.
    fn default() -> Self {
        DateStyle { style: OutputStyle::Iso, order: DateOrder::Mdy }
    }
}

/// SplitIdentifierString's whitespace.
fn scanner_isspace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// PostgreSQL's `SplitIdentifierString` on ',' (unquoted names are
/// lower-cased and truncated to 63 bytes); `None` on a syntax error.
fn split_identifier_string(raw: &str) -> Option<Vec<String>> {
    let s = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() && scanner_isspace(s[i]) {
        i += 1;
    }
    if i >= s.len() {
        return Some(out);
    }
    loop {
        let name: Vec<u8>;
        if s[i] == b'"' {
            let mut buf = Vec::new();
            let mut j = i + 1;
            loop {
                let rel = s[j..].iter().position(|&c| c == b'"')?;
                buf.extend_from_slice(&s[j..j + rel]);
                let q = j + rel;
                if s.get(q + 1) == Some(&b'"') {
                    buf.push(b'"');
                    j = q + 2;
                } else {
                    i = q + 1;
                    break;
                }
            }
            name = buf;
        } else {
            let start = i;
            while i < s.len() && s[i] != b',' && !scanner_isspace(s[i]) {
                i += 1;
            }
            if start == i {
                return None;
            }
            name = s[start..i].to_ascii_lowercase();
        }
        while i < s.len() && scanner_isspace(s[i]) {
            i += 1;
        }
        let done;
        if i < s.len() && s[i] == b',' {
            i += 1;
            while i < s.len() && scanner_isspace(s[i]) {
                i += 1;
            }
            done = false;
        } else if i >= s.len() {
            done = true;
        } else {
            return None;
        }
        out.push(truncate_identifier(&String::from_utf8_lossy(&name)));
        if done {
            return Some(out);
        }
    }
}

/// Truncates to NAMEDATALEN-1 (63) bytes on a character boundary.
pub(crate) fn truncate_identifier(s: &str) -> String {
    let mut end = s.len().min(63);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// `downcase_truncate_identifier`: ASCII lower-casing plus truncation.
pub(crate) fn downcase_truncate(s: &str) -> String {
    truncate_identifier(&s.to_ascii_lowercase())
}

impl DateStyle {
    /// Parses a value for `SET DateStyle`, starting from the default
    /// `ISO, MDY` (PostgreSQL starts from the current value; see
    /// [`DateStyle::apply_setting`]).
    pub fn parse_setting(value: &str) -> Result<DateStyle> {
        DateStyle::default().apply_setting(value)
    }

    /// `check_datestyle`: applies `value` on top of this (current) setting.
    pub fn apply_setting(&self, value: &str) -> Result<DateStyle> {
        let invalid = || Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("invalid value for parameter \"DateStyle\": \"{value}\""));
        let Some(elems) = split_identifier_string(value) else {
            return Err(invalid().with_detail("List syntax is invalid."));
        };
        let mut style = self.style;
        let mut order = self.order;
        let mut have_style = false;
        let mut have_order = false;
        let mut ok = true;
        for tok in &elems {
            let t = tok.to_ascii_lowercase();
            let mut set_style = |s: OutputStyle, have_style: &mut bool| {
                if *have_style && style != s {
                    ok = false;
                }
                style = s;
                *have_style = true;
            };
            if t == "iso" {
                set_style(OutputStyle::Iso, &mut have_style);
            } else if t == "sql" {
                set_style(OutputStyle::Sql, &mut have_style);
            } else if t.starts_with("postgres") {
                set_style(OutputStyle::Postgres, &mut have_style);
            } else if t == "german" {
                set_style(OutputStyle::German, &mut have_style);
                if !have_order {
                    order = DateOrder::Dmy;
                }
            } else if t == "ymd" || t == "dmy" || t.starts_with("euro") || t == "mdy" || t == "us" || t.starts_with("noneuro") {
                let o = if t == "ymd" {
                    DateOrder::Ymd
                } else if t == "dmy" || t.starts_with("euro") {
                    DateOrder::Dmy
                } else {
                    DateOrder::Mdy
                };
                if have_order && order != o {
                    ok = false;
                }
                order = o;
                have_order = true;
            } else if t == "default" {
                let d = DateStyle::default();
                if !have_style {
                    style = d.style;
                }
                if !have_order {
                    order = d.order;
                }
            } else {
                return Err(invalid().with_detail(format!("Unrecognized key word: \"{tok}\".")));
            }
        }
        if !ok {
            return Err(invalid().with_detail("Conflicting \"datestyle\" specifications."));
        }
        Ok(DateStyle { style, order })
    }

    /// What `SHOW DateStyle` prints, e.g. `ISO, MDY`.
    pub fn to_setting_string(&self) -> String {
        let s = match self.style {
            OutputStyle::Iso => "ISO",
            OutputStyle::Sql => "SQL",
            OutputStyle::German => "German",
            OutputStyle::Postgres => "Postgres",
        };
        let o = match self.order {
            DateOrder::Ymd => "YMD",
            DateOrder::Dmy => "DMY",
            DateOrder::Mdy => "MDY",
        };
        format!("{s}, {o}")
    }
}

/// The `IntervalStyle` setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum IntervalStyle {
    #[default]
    Postgres,
    PostgresVerbose,
    SqlStandard,
    Iso8601,
}

impl IntervalStyle {
    /// Parses a value for `SET IntervalStyle` (case-insensitive).
    pub fn parse_setting(value: &str) -> Result<IntervalStyle> {
        match value.to_ascii_lowercase().as_str() {
            "postgres" => Ok(IntervalStyle::Postgres),
            "postgres_verbose" => Ok(IntervalStyle::PostgresVerbose),
            "sql_standard" => Ok(IntervalStyle::SqlStandard),
            "iso_8601" => Ok(IntervalStyle::Iso8601),
            _ => Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("invalid value for parameter \"intervalstyle\": \"{value}\""))
                .with_hint("Available values: postgres, postgres_verbose, sql_standard, iso_8601.")),
        }
    }

    /// What `SHOW IntervalStyle` prints.
    pub fn to_setting_string(&self) -> &'static str {
        match self {
            IntervalStyle::Postgres => "postgres",
            IntervalStyle::PostgresVerbose => "postgres_verbose",
            IntervalStyle::SqlStandard => "sql_standard",
            IntervalStyle::Iso8601 => "iso_8601",
        }
    }
}

/// Everything date/time input depends on besides the text itself.
#[derive(Clone, Copy, Debug)]
pub struct ParseContext<'a> {
    pub date_style: DateStyle,
    /// Only `sql_standard` changes interval input (a leading sign applies
    /// to every field).
    pub interval_style: IntervalStyle,
    pub time_zone: &'a TimeZone,
    /// Transaction start time (µs since 2000-01-01 UTC), for 'now',
    /// 'today', 'tomorrow' and 'yesterday'.
    pub now: i64,
}

impl<'a> ParseContext<'a> {
    /// Default styles with the given zone and `now` = 2000-01-01 00:00 UTC.
    pub fn default_for(time_zone: &'a TimeZone) -> ParseContext<'a> {
        ParseContext { date_style: DateStyle::default(), interval_style: IntervalStyle::default(), time_zone, now: 0 }
    }
}

pub(crate) fn timestamp_out_of_range() -> Error {
    Error::new(SqlState::DATETIME_VALUE_OUT_OF_RANGE, "timestamp out of range")
}

pub(crate) fn date_out_of_range() -> Error {
    Error::new(SqlState::DATETIME_VALUE_OUT_OF_RANGE, "date out of range")
}

pub(crate) fn interval_out_of_range() -> Error {
    Error::new(SqlState::DATETIME_VALUE_OUT_OF_RANGE, "interval out of range")
}

/// C strings end at the first NUL; PostgreSQL never sees what follows.
fn cstr(input: &str) -> &str {
    input.split('\0').next().unwrap_or("")
}

/// `GetEpochTime`: 1970-01-01 00:00:00.
fn epoch_tm() -> Tm {
    Tm { year: 1970, mon: 1, mday: 1, ..Default::default() }
}

fn set_epoch_timestamp() -> i64 {
    tm2timestamp(&epoch_tm(), 0, None).unwrap_or(0)
}

// ---------------------------------------------------------------------------
// date

/// `date_in`. `date` has no modifiers; `typmod` is accepted (and ignored,
/// as PostgreSQL does) so every `*_in` has the same shape.
pub fn date_in(input: &str, _typmod: i32, ctx: &ParseContext) -> Result<i32> {
    let text = cstr(input);
    let decoded = parse_date_time(text.as_bytes(), MAXDATELEN + 1)
        .and_then(|mut f| decode_date_time(&mut f, ctx))
        .map_err(|e| date_time_parse_error(e, text, "date"))?;
    let tm = match decoded.dtype {
        DTK_DATE => decoded.tm,
        DTK_EPOCH => epoch_tm(),
        DTK_LATE => return Ok(DATE_NOEND),
        DTK_EARLY => return Ok(DATE_NOBEGIN),
        _ => return Err(date_time_parse_error(DtErr::BadFormat, text, "date")),
    };
    let out_of_range = || Error::new(SqlState::DATETIME_VALUE_OUT_OF_RANGE, format!("date out of range: \"{text}\""));
    if !is_valid_julian(tm.year, tm.mon, tm.mday) {
        return Err(out_of_range());
    }
    let date = date2j(tm.year, tm.mon, tm.mday) - POSTGRES_EPOCH_JDATE;
    if !is_valid_date(date) {
        return Err(out_of_range());
    }
    Ok(date)
}

/// `date_out`.
pub fn date_out(date: i32, style: &DateStyle) -> String {
    if date == DATE_NOBEGIN {
        return "-infinity".into();
    }
    if date == DATE_NOEND {
        return "infinity".into();
    }
    let (year, mon, mday) = j2date(date.wrapping_add(POSTGRES_EPOCH_JDATE));
    format::encode_date_only(&Tm { year, mon, mday, ..Default::default() }, style)
}

// ---------------------------------------------------------------------------
// time

/// `time_in`; `typmod` is the precision (0..=6) or -1.
pub fn time_in(input: &str, typmod: i32, ctx: &ParseContext) -> Result<i64> {
    let text = cstr(input);
    let d = parse_date_time(text.as_bytes(), MAXDATELEN + 1)
        .and_then(|mut f| decode_time_only(&mut f, ctx))
        .map_err(|e| date_time_parse_error(e, text, "time"))?;
    let t = time2t(d.tm.hour, d.tm.min, d.tm.sec, d.fsec);
    Ok(time_scale(t, typmod))
}

/// `time_out`.
pub fn time_out(time: i64) -> String {
    let (hour, min, sec, fsec) = dt2time(time);
    format::encode_time_only(&Tm { hour, min, sec, ..Default::default() }, fsec)
}

/// `AdjustTimeForTypmod` (the `time(p)` cast); other typmods are no-ops.
pub fn time_scale(time: i64, typmod: i32) -> i64 {
    if (0..=6).contains(&typmod) { round_to_precision(time, typmod as usize) } else { time }
}

// ---------------------------------------------------------------------------
// timestamp / timestamptz

/// `AdjustTimestampForTypmod` (the `timestamp(p)` cast).
pub fn timestamp_scale(ts: i64, typmod: i32) -> Result<i64> {
    if timestamp_not_finite(ts) || typmod == -1 || typmod == MAX_TIMESTAMP_PRECISION {
        return Ok(ts);
    }
    if !(0..=MAX_TIMESTAMP_PRECISION).contains(&typmod) {
        return Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("timestamp({typmod}) precision must be between 0 and {MAX_TIMESTAMP_PRECISION}"),
        ));
    }
    Ok(round_to_precision(ts, typmod as usize))
}

fn timestamp_in_common(input: &str, typmod: i32, ctx: &ParseContext, with_tz: bool) -> Result<i64> {
    let text = cstr(input);
    let tyname = if with_tz { "timestamp with time zone" } else { "timestamp" };
    let d = parse_date_time(text.as_bytes(), MAXDATELEN + MAXDATEFIELDS)
        .and_then(|mut f| decode_date_time(&mut f, ctx))
        .map_err(|e| date_time_parse_error(e, text, tyname))?;
    let result = match d.dtype {
        DTK_DATE => tm2timestamp(&d.tm, d.fsec, with_tz.then_some(d.tz))
            .ok_or_else(|| Error::new(SqlState::DATETIME_VALUE_OUT_OF_RANGE, format!("timestamp out of range: \"{text}\"")))?,
        DTK_EPOCH => set_epoch_timestamp(),
        DTK_LATE => TIMESTAMP_NOEND,
        DTK_EARLY => TIMESTAMP_NOBEGIN,
        other => {
            return Err(Error::internal(format!(
                "unexpected dtype {other} while parsing {} \"{text}\"",
                if with_tz { "timestamptz" } else { "timestamp" }
            )));
        }
    };
    timestamp_scale(result, typmod)
}

/// `timestamp_in`; `typmod` is the precision (0..=6) or -1. Zones in the
/// text are accepted and ignored, as PostgreSQL does.
pub fn timestamp_in(input: &str, typmod: i32, ctx: &ParseContext) -> Result<i64> {
    timestamp_in_common(input, typmod, ctx, false)
}

/// `timestamptz_in`: a zone in the text wins, else the session zone.
pub fn timestamptz_in(input: &str, typmod: i32, ctx: &ParseContext) -> Result<i64> {
    timestamp_in_common(input, typmod, ctx, true)
}

/// `timestamp_out`.
pub fn timestamp_out(ts: i64, style: &DateStyle) -> Result<String> {
    if ts == TIMESTAMP_NOBEGIN {
        return Ok("-infinity".into());
    }
    if ts == TIMESTAMP_NOEND {
        return Ok("infinity".into());
    }
    let (tm, fsec, _, _) = timestamp2tm(ts, None).ok_or_else(timestamp_out_of_range)?;
    Ok(format::encode_date_time(&tm, fsec, None, style))
}

/// `timestamptz_out`: shown in `tz` with its offset or abbreviation.
pub fn timestamptz_out(ts: i64, style: &DateStyle, tz: &TimeZone) -> Result<String> {
    if ts == TIMESTAMP_NOBEGIN {
        return Ok("-infinity".into());
    }
    if ts == TIMESTAMP_NOEND {
        return Ok("infinity".into());
    }
    let (tm, fsec, off, abbrev) = timestamp2tm(ts, Some(tz)).ok_or_else(timestamp_out_of_range)?;
    Ok(format::encode_date_time(&tm, fsec, Some((off, abbrev)), style))
}

// ---------------------------------------------------------------------------
// Binary wire format

/// `date_send`: big-endian i32.
pub fn date_send(date: i32) -> [u8; 4] {
    date.to_be_bytes()
}

/// `date_recv`, with PostgreSQL's range check.
pub fn date_recv(buf: &[u8]) -> Result<i32> {
    let v = i32::from_be_bytes(fixed::<4>(buf)?);
    if date_not_finite(v) || is_valid_date(v) { Ok(v) } else { Err(date_out_of_range()) }
}

/// `time_send`: big-endian i64.
pub fn time_send(time: i64) -> [u8; 8] {
    time.to_be_bytes()
}

/// `time_recv`, with range check and typmod rounding.
pub fn time_recv(buf: &[u8], typmod: i32) -> Result<i64> {
    let v = i64::from_be_bytes(fixed::<8>(buf)?);
    if !(0..=USECS_PER_DAY).contains(&v) {
        return Err(Error::new(SqlState::DATETIME_VALUE_OUT_OF_RANGE, "time out of range"));
    }
    Ok(time_scale(v, typmod))
}

/// `timestamp_send` / `timestamptz_send`: big-endian i64.
pub fn timestamp_send(ts: i64) -> [u8; 8] {
    ts.to_be_bytes()
}

/// `timestamp_recv` / `timestamptz_recv`, with range check and typmod.
pub fn timestamp_recv(buf: &[u8], typmod: i32) -> Result<i64> {
    let v = i64::from_be_bytes(fixed::<8>(buf)?);
    if !timestamp_not_finite(v) && (timestamp2tm(v, None).is_none() || !is_valid_timestamp(v)) {
        return Err(timestamp_out_of_range());
    }
    timestamp_scale(v, typmod)
}

/// `interval_send`: i64 micros, i32 days, i32 months, all big-endian.
pub fn interval_send(iv: Interval) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&iv.micros.to_be_bytes());
    out[8..12].copy_from_slice(&iv.days.to_be_bytes());
    out[12..].copy_from_slice(&iv.months.to_be_bytes());
    out
}

/// `interval_recv`, with typmod adjustment.
pub fn interval_recv(buf: &[u8], typmod: i32) -> Result<Interval> {
    let b = fixed::<16>(buf)?;
    let iv = Interval {
        micros: i64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        days: i32::from_be_bytes([b[8], b[9], b[10], b[11]]),
        months: i32::from_be_bytes([b[12], b[13], b[14], b[15]]),
    };
    interval_scale(iv, typmod)
}

fn fixed<const N: usize>(buf: &[u8]) -> Result<[u8; N]> {
    buf.try_into().map_err(|_| Error::new(SqlState::PROTOCOL_VIOLATION, "insufficient data left in message"))
}
