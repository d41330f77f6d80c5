//! The `interval` type: input in every PostgreSQL syntax (`DecodeInterval`,
//! `DecodeISO8601Interval`), typmods, output in the four IntervalStyles, and
//! interval arithmetic with PostgreSQL 15's overflow rules.

use std::cmp::Ordering;
use std::fmt::Write;

use super::calendar::*;
use super::format::append_seconds;
use super::parse::*;
use super::{Interval, IntervalStyle, ParseContext, interval_out_of_range};
use crate::error::{Error, Result, SqlState};

pub(crate) const INTERVAL_MASK_MONTH: i32 = 1 << MONTH;
pub(crate) const INTERVAL_MASK_YEAR: i32 = 1 << YEAR;
pub(crate) const INTERVAL_MASK_DAY: i32 = 1 << DAY;
pub(crate) const INTERVAL_MASK_HOUR: i32 = 1 << HOUR;
pub(crate) const INTERVAL_MASK_MINUTE: i32 = 1 << MINUTE;
pub(crate) const INTERVAL_MASK_SECOND: i32 = 1 << SECOND;
const INTERVAL_FULL_PRECISION: i32 = 0xFFFF;
const MAX_INTERVAL_PRECISION: i32 = 6;

/// The field restriction of an interval type (`INTERVAL DAY TO MINUTE`…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntervalFields {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    YearToMonth,
    DayToHour,
    DayToMinute,
    DayToSecond,
    HourToMinute,
    HourToSecond,
    MinuteToSecond,
}

impl IntervalFields {
    /// PostgreSQL's range bitmask for these fields.
    pub fn mask(self) -> i32 {
        use IntervalFields::*;
        match self {
            Year => INTERVAL_MASK_YEAR,
            Month => INTERVAL_MASK_MONTH,
            Day => INTERVAL_MASK_DAY,
            Hour => INTERVAL_MASK_HOUR,
            Minute => INTERVAL_MASK_MINUTE,
            Second => INTERVAL_MASK_SECOND,
            YearToMonth => INTERVAL_MASK_YEAR | INTERVAL_MASK_MONTH,
            DayToHour => INTERVAL_MASK_DAY | INTERVAL_MASK_HOUR,
            DayToMinute => INTERVAL_MASK_DAY | INTERVAL_MASK_HOUR | INTERVAL_MASK_MINUTE,
            DayToSecond => INTERVAL_MASK_DAY | INTERVAL_MASK_HOUR | INTERVAL_MASK_MINUTE | INTERVAL_MASK_SECOND,
            HourToMinute => INTERVAL_MASK_HOUR | INTERVAL_MASK_MINUTE,
            HourToSecond => INTERVAL_MASK_HOUR | INTERVAL_MASK_MINUTE | INTERVAL_MASK_SECOND,
            MinuteToSecond => INTERVAL_MASK_MINUTE | INTERVAL_MASK_SECOND,
        }
    }

    /// The words `format_type` prints after "interval", e.g. " day to minute".
    pub fn sql_words(self) -> &'static str {
        use IntervalFields::*;
        match self {
            Year => " year",
            Month => " month",
            Day => " day",
            Hour => " hour",
            Minute => " minute",
            Second => " second",
            YearToMonth => " year to month",
            DayToHour => " day to hour",
            DayToMinute => " day to minute",
            DayToSecond => " day to second",
            HourToMinute => " hour to minute",
            HourToSecond => " hour to second",
            MinuteToSecond => " minute to second",
        }
    }

    fn from_mask(mask: i32) -> Option<IntervalFields> {
        use IntervalFields::*;
        [Year, Month, Day, Hour, Minute, Second, YearToMonth, DayToHour, DayToMinute, DayToSecond, HourToMinute, HourToSecond, MinuteToSecond]
            .into_iter()
            .find(|f| f.mask() == mask)
    }
}

/// `intervaltypmodin`: the typmod for `INTERVAL [fields] [(precision)]`.
/// A precision above 6 is reduced to 6 (PostgreSQL also warns; see
/// [`interval_typmod_warning`]).
pub fn interval_typmod(fields: Option<IntervalFields>, precision: Option<i32>) -> Result<i32> {
    let range = fields.map_or(INTERVAL_FULL_RANGE, IntervalFields::mask);
    match precision {
        None => Ok(if range != INTERVAL_FULL_RANGE { (range << 16) | INTERVAL_FULL_PRECISION } else { -1 }),
        Some(p) if p < 0 => Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("INTERVAL({p}) precision must not be negative"))),
        Some(p) => Ok((range << 16) | p.min(MAX_INTERVAL_PRECISION)),
    }
}

/// The WARNING PostgreSQL emits when an interval precision is reduced.
pub fn interval_typmod_warning(precision: i32) -> Option<String> {
    (precision > MAX_INTERVAL_PRECISION).then(|| format!("INTERVAL({precision}) precision reduced to maximum allowed, {MAX_INTERVAL_PRECISION}"))
}

/// `intervaltypmodout`: e.g. " day to second(3)"; empty for -1.
pub fn interval_typmod_out(typmod: i32) -> Result<String> {
    if typmod < 0 {
        return Ok(String::new());
    }
    let range = (typmod >> 16) & 0x7FFF;
    let precision = typmod & 0xFFFF;
    let fields = if range == INTERVAL_FULL_RANGE {
        ""
    } else {
        match IntervalFields::from_mask(range) {
            Some(f) => f.sql_words(),
            None => {
                return Err(Error::internal(format!("invalid INTERVAL typmod: 0x{typmod:x}")));
            }
        }
    };
    Ok(if precision != INTERVAL_FULL_PRECISION { format!("{fields}({precision})") } else { fields.to_string() })
}

/// PostgreSQL's `pg_itm_in`: interval fields being accumulated by input.
#[derive(Default)]
struct ItmIn {
    usec: i64,
    mday: i32,
    mon: i32,
    year: i32,
}

fn adjust_fract_microseconds(frac: f64, scale: i64, itm: &mut ItmIn) -> bool {
    if frac == 0.0 {
        return true;
    }
    let mut frac = frac * scale as f64;
    let mut usec = f2i64(frac);
    frac -= usec as f64;
    if frac > 0.5 {
        usec += 1;
    } else if frac < -0.5 {
        usec -= 1;
    }
    match itm.usec.checked_add(usec) {
        Some(v) => {
            itm.usec = v;
            true
        }
        None => false,
    }
}

fn adjust_fract_days(frac: f64, scale: i32, itm: &mut ItmIn) -> bool {
    if frac == 0.0 {
        return true;
    }
    let mut frac = frac * scale as f64;
    let extra_days = f2i(frac);
    match itm.mday.checked_add(extra_days) {
        Some(v) => itm.mday = v,
        None => return false,
    }
    frac -= extra_days as f64;
    adjust_fract_microseconds(frac, USECS_PER_DAY, itm)
}

fn adjust_fract_years(frac: f64, scale: i32, itm: &mut ItmIn) -> bool {
    let extra_months = f2i(rint(frac * scale as f64 * MONTHS_PER_YEAR as f64));
    match itm.mon.checked_add(extra_months) {
        Some(v) => {
            itm.mon = v;
            true
        }
        None => false,
    }
}

fn adjust_microseconds(val: i64, fval: f64, scale: i64, itm: &mut ItmIn) -> bool {
    match val.checked_mul(scale).and_then(|p| itm.usec.checked_add(p)) {
        Some(v) => itm.usec = v,
        None => return false,
    }
    adjust_fract_microseconds(fval, scale, itm)
}

fn adjust_days(val: i64, scale: i32, itm: &mut ItmIn) -> bool {
    let Ok(v) = i32::try_from(val) else {
        return false;
    };
    match v.checked_mul(scale).and_then(|d| itm.mday.checked_add(d)) {
        Some(d) => {
            itm.mday = d;
            true
        }
        None => false,
    }
}

fn adjust_months(val: i64, itm: &mut ItmIn) -> bool {
    let Ok(v) = i32::try_from(val) else {
        return false;
    };
    match itm.mon.checked_add(v) {
        Some(m) => {
            itm.mon = m;
            true
        }
        None => false,
    }
}

fn adjust_years(val: i64, scale: i32, itm: &mut ItmIn) -> bool {
    let Ok(v) = i32::try_from(val) else {
        return false;
    };
    match v.checked_mul(scale).and_then(|y| itm.year.checked_add(y)) {
        Some(y) => {
            itm.year = y;
            true
        }
        None => false,
    }
}

/// `DecodeTimeForInterval`.
fn decode_time_for_interval(s: &[u8], range: i32, itm: &mut ItmIn) -> DtResult<()> {
    let (hour, min, sec, usec) = decode_time_common(s, range)?;
    let total = (usec as i64)
        .checked_add(hour.checked_mul(USECS_PER_HOUR).ok_or(DtErr::FieldOverflow)?)
        .and_then(|v| v.checked_add(min as i64 * USECS_PER_MINUTE))
        .and_then(|v| v.checked_add(sec as i64 * USECS_PER_SEC))
        .ok_or(DtErr::FieldOverflow)?;
    itm.usec = total;
    Ok(())
}

/// `DecodeInterval`.
fn decode_interval(f: &Fields, range: i32, style: IntervalStyle, itm: &mut ItmIn) -> DtResult<()> {
    let nf = f.field.len();
    let mut force_negative = false;
    let mut is_before = false;
    let mut fmask = 0i32;
    let mut tmask: i32;
    let mut ty = IGNORE_DTF;
    *itm = ItmIn::default();

    if style == IntervalStyle::SqlStandard && nf > 0 && at(&f.field[0], 0) == b'-' {
        force_negative = true;
        for fld in &f.field[1..] {
            if at(fld, 0) == b'-' || at(fld, 0) == b'+' {
                force_negative = false;
                break;
            }
        }
    }

    for i in (0..nf).rev() {
        let field = &f.field[i];
        let mut ftype = f.ftype[i];
        if ftype == DTK_TIME {
            decode_time_for_interval(field, range, itm)?;
            if force_negative && itm.usec > 0 {
                itm.usec = -itm.usec;
            }
            ty = DTK_DAY;
            tmask = DTK_TIME_M;
            if tmask & fmask != 0 {
                return Err(DtErr::BadFormat);
            }
            fmask |= tmask;
            continue;
        }
        if ftype == DTK_TZ {
            if field[1..].contains(&b':') && decode_time_for_interval(&field[1..], range, itm).is_ok() {
                if at(field, 0) == b'-' {
                    if itm.usec == i64::MIN {
                        return Err(DtErr::FieldOverflow);
                    }
                    itm.usec = -itm.usec;
                }
                if force_negative && itm.usec > 0 {
                    itm.usec = -itm.usec;
                }
                ty = DTK_DAY;
                tmask = DTK_TIME_M;
                if tmask & fmask != 0 {
                    return Err(DtErr::BadFormat);
                }
                fmask |= tmask;
                continue;
            }
            ftype = DTK_NUMBER;
        }
        match ftype {
            DTK_DATE | DTK_NUMBER => {
                if ty == IGNORE_DTF {
                    ty = match range {
                        r if r == INTERVAL_MASK_YEAR => DTK_YEAR,
                        r if r == INTERVAL_MASK_MONTH || r == INTERVAL_MASK_YEAR | INTERVAL_MASK_MONTH => DTK_MONTH,
                        r if r == INTERVAL_MASK_DAY => DTK_DAY,
                        r if r == INTERVAL_MASK_HOUR || r == INTERVAL_MASK_DAY | INTERVAL_MASK_HOUR => DTK_HOUR,
                        r if r == INTERVAL_MASK_MINUTE
                            || r == INTERVAL_MASK_HOUR | INTERVAL_MASK_MINUTE
                            || r == INTERVAL_MASK_DAY | INTERVAL_MASK_HOUR | INTERVAL_MASK_MINUTE =>
                        {
                            DTK_MINUTE
                        }
                        _ => DTK_SECOND,
                    };
                }
                let (mut val, cp, erange) = strtol(field, 0);
                if erange {
                    return Err(DtErr::FieldOverflow);
                }
                let mut fval: f64;
                if at(field, cp) == b'-' {
                    let (mut val2, cp2, erange2) = strtoint(field, cp + 1);
                    if erange2 || !(0..MONTHS_PER_YEAR).contains(&val2) {
                        return Err(DtErr::FieldOverflow);
                    }
                    if at(field, cp2) != 0 {
                        return Err(DtErr::BadFormat);
                    }
                    ty = DTK_MONTH;
                    if at(field, 0) == b'-' {
                        val2 = -val2;
                    }
                    val = val.checked_mul(MONTHS_PER_YEAR as i64).and_then(|v| v.checked_add(val2 as i64)).ok_or(DtErr::FieldOverflow)?;
                    fval = 0.0;
                } else if at(field, cp) == b'.' {
                    fval = parse_fraction(field, cp)?;
                    if at(field, 0) == b'-' {
                        fval = -fval;
                    }
                } else if at(field, cp) == 0 {
                    fval = 0.0;
                } else {
                    return Err(DtErr::BadFormat);
                }
                if force_negative {
                    if val > 0 {
                        val = -val;
                    }
                    if fval > 0.0 {
                        fval = -fval;
                    }
                }
                let ok;
                match ty {
                    DTK_MICROSEC => {
                        ok = adjust_microseconds(val, fval, 1, itm);
                        tmask = dtk_m(MICROSECOND);
                    }
                    DTK_MILLISEC => {
                        ok = adjust_microseconds(val, fval, 1000, itm);
                        tmask = dtk_m(MILLISECOND);
                    }
                    DTK_SECOND => {
                        ok = adjust_microseconds(val, fval, USECS_PER_SEC, itm);
                        tmask = if fval == 0.0 { dtk_m(SECOND) } else { DTK_ALL_SECS_M };
                    }
                    DTK_MINUTE => {
                        ok = adjust_microseconds(val, fval, USECS_PER_MINUTE, itm);
                        tmask = dtk_m(MINUTE);
                    }
                    DTK_HOUR => {
                        ok = adjust_microseconds(val, fval, USECS_PER_HOUR, itm);
                        tmask = dtk_m(HOUR);
                        ty = DTK_DAY;
                    }
                    DTK_DAY => {
                        ok = adjust_days(val, 1, itm) && adjust_fract_microseconds(fval, USECS_PER_DAY, itm);
                        tmask = dtk_m(DAY);
                    }
                    DTK_WEEK => {
                        ok = adjust_days(val, 7, itm) && adjust_fract_days(fval, 7, itm);
                        tmask = dtk_m(WEEK);
                    }
                    DTK_MONTH => {
                        ok = adjust_months(val, itm) && adjust_fract_days(fval, DAYS_PER_MONTH, itm);
                        tmask = dtk_m(MONTH);
                    }
                    DTK_YEAR => {
                        ok = adjust_years(val, 1, itm) && adjust_fract_years(fval, 1, itm);
                        tmask = dtk_m(YEAR);
                    }
                    DTK_DECADE => {
                        ok = adjust_years(val, 10, itm) && adjust_fract_years(fval, 10, itm);
                        tmask = dtk_m(DECADE);
                    }
                    DTK_CENTURY => {
                        ok = adjust_years(val, 100, itm) && adjust_fract_years(fval, 100, itm);
                        tmask = dtk_m(CENTURY);
                    }
                    DTK_MILLENNIUM => {
                        ok = adjust_years(val, 1000, itm) && adjust_fract_years(fval, 1000, itm);
                        tmask = dtk_m(MILLENNIUM);
                    }
                    _ => return Err(DtErr::BadFormat),
                }
                if !ok {
                    return Err(DtErr::FieldOverflow);
                }
            }
            DTK_STRING | DTK_SPECIAL => {
                let (t, uval) = decode_units(field);
                if t == IGNORE_DTF {
                    continue;
                }
                tmask = 0;
                match t {
                    UNITS => ty = uval,
                    AGO => {
                        is_before = true;
                        ty = uval;
                    }
                    // deltatktbl has no RESERV entries, so nothing else is valid.
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
    if fmask == 0 {
        return Err(DtErr::BadFormat);
    }
    if is_before {
        if itm.usec == i64::MIN || itm.mday == i32::MIN || itm.mon == i32::MIN || itm.year == i32::MIN {
            return Err(DtErr::FieldOverflow);
        }
        itm.usec = -itm.usec;
        itm.mday = -itm.mday;
        itm.mon = -itm.mon;
        itm.year = -itm.year;
    }
    Ok(())
}

/// `ParseISO8601Number`: (integer part, fraction part, end index).
fn parse_iso8601_number(s: &[u8], start: usize) -> DtResult<(i64, f64, usize)> {
    let c = at(s, start);
    if !(c.is_ascii_digit() || c == b'-' || c == b'.') {
        return Err(DtErr::BadFormat);
    }
    let (val, end, erange) = strtod(s, start);
    if end == start || erange {
        return Err(DtErr::BadFormat);
    }
    if val.is_nan() || !(-1.0e15..=1.0e15).contains(&val) {
        return Err(DtErr::FieldOverflow);
    }
    let ipart = if val >= 0.0 { val.floor() as i64 } else { -((-val).floor() as i64) };
    Ok((ipart, val - ipart as f64, end))
}

fn iso8601_integer_width(s: &[u8], start: usize) -> usize {
    let mut i = start;
    if at(s, i) == b'-' {
        i += 1;
    }
    let mut n = 0;
    while at(s, i + n).is_ascii_digit() {
        n += 1;
    }
    n
}

/// `DecodeISO8601Interval`: `P1Y2M3DT4H5M6S` and the alternative format.
fn decode_iso8601_interval(s: &[u8], itm: &mut ItmIn) -> DtResult<()> {
    *itm = ItmIn::default();
    let mut datepart = true;
    let mut havefield = false;
    if s.len() < 2 || s[0] != b'P' {
        return Err(DtErr::BadFormat);
    }
    let mut i = 1usize;
    let ovf = |ok: bool| {
        if ok { Ok(()) } else { Err(DtErr::FieldOverflow) }
    };
    while at(s, i) != 0 {
        if at(s, i) == b'T' {
            datepart = false;
            havefield = false;
            i += 1;
            continue;
        }
        let fieldstart = i;
        let (val, fval, end) = parse_iso8601_number(s, i)?;
        i = end;
        let unit = at(s, i);
        i += 1;
        if datepart {
            match unit {
                b'Y' => ovf(adjust_years(val, 1, itm) && adjust_fract_years(fval, 1, itm))?,
                b'M' => ovf(adjust_months(val, itm) && adjust_fract_days(fval, DAYS_PER_MONTH, itm))?,
                b'W' => ovf(adjust_days(val, 7, itm) && adjust_fract_days(fval, 7, itm))?,
                b'D' => ovf(adjust_days(val, 1, itm) && adjust_fract_microseconds(fval, USECS_PER_DAY, itm))?,
                b'T' | 0 | b'-' => {
                    if unit != b'-' && iso8601_integer_width(s, fieldstart) == 8 && !havefield {
                        ovf(adjust_years(val / 10000, 1, itm)
                            && adjust_months((val / 100) % 100, itm)
                            && adjust_days(val % 100, 1, itm)
                            && adjust_fract_microseconds(fval, USECS_PER_DAY, itm))?;
                        if unit == 0 {
                            return Ok(());
                        }
                        datepart = false;
                        havefield = false;
                        continue;
                    }
                    if havefield {
                        return Err(DtErr::BadFormat);
                    }
                    ovf(adjust_years(val, 1, itm) && adjust_fract_years(fval, 1, itm))?;
                    if unit == 0 {
                        return Ok(());
                    }
                    if unit == b'T' {
                        datepart = false;
                        havefield = false;
                        continue;
                    }
                    let (val, fval, end) = parse_iso8601_number(s, i)?;
                    i = end;
                    ovf(adjust_months(val, itm) && adjust_fract_days(fval, DAYS_PER_MONTH, itm))?;
                    if at(s, i) == 0 {
                        return Ok(());
                    }
                    if at(s, i) == b'T' {
                        datepart = false;
                        havefield = false;
                        continue;
                    }
                    if at(s, i) != b'-' {
                        return Err(DtErr::BadFormat);
                    }
                    i += 1;
                    let (val, fval, end) = parse_iso8601_number(s, i)?;
                    i = end;
                    ovf(adjust_days(val, 1, itm) && adjust_fract_microseconds(fval, USECS_PER_DAY, itm))?;
                    if at(s, i) == 0 {
                        return Ok(());
                    }
                    if at(s, i) == b'T' {
                        datepart = false;
                        havefield = false;
                        continue;
                    }
                    return Err(DtErr::BadFormat);
                }
                _ => return Err(DtErr::BadFormat),
            }
        } else {
            match unit {
                b'H' => ovf(adjust_microseconds(val, fval, USECS_PER_HOUR, itm))?,
                b'M' => ovf(adjust_microseconds(val, fval, USECS_PER_MINUTE, itm))?,
                b'S' => ovf(adjust_microseconds(val, fval, USECS_PER_SEC, itm))?,
                0 | b':' => {
                    if unit == 0 && iso8601_integer_width(s, fieldstart) == 6 && !havefield {
                        ovf(adjust_microseconds(val / 10000, 0.0, USECS_PER_HOUR, itm)
                            && adjust_microseconds((val / 100) % 100, 0.0, USECS_PER_MINUTE, itm)
                            && adjust_microseconds(val % 100, 0.0, USECS_PER_SEC, itm)
                            && adjust_fract_microseconds(fval, 1, itm))?;
                        return Ok(());
                    }
                    if havefield {
                        return Err(DtErr::BadFormat);
                    }
                    ovf(adjust_microseconds(val, fval, USECS_PER_HOUR, itm))?;
                    if unit == 0 {
                        return Ok(());
                    }
                    let (val, fval, end) = parse_iso8601_number(s, i)?;
                    i = end;
                    ovf(adjust_microseconds(val, fval, USECS_PER_MINUTE, itm))?;
                    if at(s, i) == 0 {
                        return Ok(());
                    }
                    if at(s, i) != b':' {
                        return Err(DtErr::BadFormat);
                    }
                    i += 1;
                    let (val, fval, end) = parse_iso8601_number(s, i)?;
                    i = end;
                    ovf(adjust_microseconds(val, fval, USECS_PER_SEC, itm))?;
                    if at(s, i) == 0 {
                        return Ok(());
                    }
                    return Err(DtErr::BadFormat);
                }
                _ => return Err(DtErr::BadFormat),
            }
        }
        havefield = true;
    }
    Ok(())
}

/// `interval_in`: text to interval, honouring the typmod's field
/// restriction and precision (see [`interval_typmod`]).
pub fn interval_in(input: &str, typmod: i32, ctx: &ParseContext) -> Result<Interval> {
    let text = input.split('\0').next().unwrap_or("");
    let s = text.as_bytes();
    let range = if typmod >= 0 { (typmod >> 16) & 0x7FFF } else { INTERVAL_FULL_RANGE };
    let mut itm = ItmIn::default();
    let mut res = parse_date_time(s, 256).and_then(|f| decode_interval(&f, range, ctx.interval_style, &mut itm));
    if matches!(res, Err(DtErr::BadFormat)) {
        res = decode_iso8601_interval(s, &mut itm);
    }
    if let Err(e) = res {
        let e = match e {
            DtErr::FieldOverflow => DtErr::IntervalOverflow,
            other => other,
        };
        return Err(date_time_parse_error(e, text, "interval"));
    }
    let total_months = itm.year as i64 * MONTHS_PER_YEAR as i64 + itm.mon as i64;
    let Ok(months) = i32::try_from(total_months) else {
        return Err(interval_out_of_range());
    };
    let mut result = Interval { months, days: itm.mday, micros: itm.usec };
    adjust_interval_for_typmod(&mut result, typmod)?;
    Ok(result)
}

/// `AdjustIntervalForTypmod` (also the `interval(p)` / field cast).
pub fn interval_scale(value: Interval, typmod: i32) -> Result<Interval> {
    let mut v = value;
    adjust_interval_for_typmod(&mut v, typmod)?;
    Ok(v)
}

fn adjust_interval_for_typmod(iv: &mut Interval, typmod: i32) -> Result<()> {
    if typmod < 0 {
        return Ok(());
    }
    let range = (typmod >> 16) & 0x7FFF;
    let precision = typmod & 0xFFFF;
    let y = INTERVAL_MASK_YEAR;
    let mo = INTERVAL_MASK_MONTH;
    let d = INTERVAL_MASK_DAY;
    let h = INTERVAL_MASK_HOUR;
    let mi = INTERVAL_MASK_MINUTE;
    let s = INTERVAL_MASK_SECOND;
    // Fields right of the last one allowed are zeroed; SECOND ranges only
    // get the fractional rounding below.
    let seconds = range == s || range == d | h | mi | s || range == h | mi | s || range == mi | s;
    if range == INTERVAL_FULL_RANGE || seconds {
    } else if range == y {
        iv.months = (iv.months / MONTHS_PER_YEAR) * MONTHS_PER_YEAR;
        iv.days = 0;
        iv.micros = 0;
    } else if range == mo || range == y | mo {
        iv.days = 0;
        iv.micros = 0;
    } else if range == d {
        iv.micros = 0;
    } else if range == h || range == d | h {
        iv.micros = (iv.micros / USECS_PER_HOUR) * USECS_PER_HOUR;
    } else if range == mi || range == d | h | mi || range == h | mi {
        iv.micros = (iv.micros / USECS_PER_MINUTE) * USECS_PER_MINUTE;
    } else {
        return Err(Error::internal(format!("unrecognized interval typmod: {typmod}")));
    }
    if precision != INTERVAL_FULL_PRECISION {
        if !(0..=MAX_INTERVAL_PRECISION).contains(&precision) {
            return Err(Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("interval({precision}) precision must be between 0 and {MAX_INTERVAL_PRECISION}"),
            ));
        }
        iv.micros = round_to_precision(iv.micros, precision as usize);
    }
    Ok(())
}

/// PostgreSQL's `pg_itm`: an interval broken into display fields.
pub(crate) struct Itm {
    pub year: i32,
    pub mon: i32,
    pub mday: i32,
    pub hour: i64,
    pub min: i32,
    pub sec: i32,
    pub usec: i32,
}

/// `interval2itm`.
pub(crate) fn interval2itm(span: Interval) -> Itm {
    let mut time = span.micros;
    let hour = time / USECS_PER_HOUR;
    time -= hour * USECS_PER_HOUR;
    let min = time / USECS_PER_MINUTE;
    time -= min * USECS_PER_MINUTE;
    let sec = time / USECS_PER_SEC;
    time -= sec * USECS_PER_SEC;
    Itm {
        year: span.months / MONTHS_PER_YEAR,
        mon: span.months % MONTHS_PER_YEAR,
        mday: span.days,
        hour,
        min: min as i32,
        sec: sec as i32,
        usec: time as i32,
    }
}

/// `itm2interval`; `None` on overflow.
pub(crate) fn itm2interval(itm: &Itm) -> Option<Interval> {
    let total_months = itm.year as i64 * MONTHS_PER_YEAR as i64 + itm.mon as i64;
    let months = i32::try_from(total_months).ok()?;
    let micros = itm
        .hour
        .checked_mul(USECS_PER_HOUR)?
        .checked_add(itm.min as i64 * USECS_PER_MINUTE)?
        .checked_add(itm.sec as i64 * USECS_PER_SEC)?
        .checked_add(itm.usec as i64)?;
    Some(Interval { months, days: itm.mday, micros })
}

fn add_postgres_int_part(out: &mut String, value: i64, units: &str, is_zero: &mut bool, is_before: &mut bool) {
    if value == 0 {
        return;
    }
    let _ = write!(
        out,
        "{}{}{} {}{}",
        if !*is_zero { " " } else { "" },
        if *is_before && value > 0 { "+" } else { "" },
        value,
        units,
        if value != 1 { "s" } else { "" }
    );
    *is_before = value < 0;
    *is_zero = false;
}

fn add_verbose_int_part(out: &mut String, value: i64, units: &str, is_zero: &mut bool, is_before: &mut bool) {
    if value == 0 {
        return;
    }
    let mut value = value;
    if *is_zero {
        *is_before = value < 0;
        value = value.abs();
    } else if *is_before {
        value = -value;
    }
    let _ = write!(out, " {} {}{}", value, units, if value == 1 { "" } else { "s" });
    *is_zero = false;
}

fn add_iso8601_int_part(out: &mut String, value: i64, units: char) {
    if value != 0 {
        let _ = write!(out, "{value}{units}");
    }
}

/// `interval_out` / `EncodeInterval`.
pub fn interval_out(value: Interval, style: IntervalStyle) -> String {
    let itm = interval2itm(value);
    let mut out = String::with_capacity(32);
    let mut year = itm.year as i64;
    let mut mon = itm.mon as i64;
    let mut mday = itm.mday as i64;
    let mut hour = itm.hour;
    let mut min = itm.min as i64;
    let mut sec = itm.sec;
    let mut fsec = itm.usec;
    let mut is_before = false;
    let mut is_zero = true;
    match style {
        IntervalStyle::SqlStandard => {
            let has_negative = year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || fsec < 0;
            let has_positive = year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || fsec > 0;
            let has_year_month = year != 0 || mon != 0;
            let has_day_time = mday != 0 || hour != 0 || min != 0 || sec != 0 || fsec != 0;
            let has_day = mday != 0;
            let sql_standard_value = !((has_negative && has_positive) || (has_year_month && has_day_time));
            if has_negative && sql_standard_value {
                out.push('-');
                year = -year;
                mon = -mon;
                mday = -mday;
                hour = hour.wrapping_neg();
                min = -min;
                sec = -sec;
                fsec = -fsec;
            }
            if !has_negative && !has_positive {
                out.push('0');
            } else if !sql_standard_value {
                let year_sign = if year < 0 || mon < 0 { '-' } else { '+' };
                let day_sign = if mday < 0 { '-' } else { '+' };
                let sec_sign = if hour < 0 || min < 0 || sec < 0 || fsec < 0 { '-' } else { '+' };
                let _ = write!(
                    out,
                    "{}{}-{} {}{} {}{}:{:02}:",
                    year_sign,
                    year.abs(),
                    mon.abs(),
                    day_sign,
                    mday.abs(),
                    sec_sign,
                    hour.unsigned_abs(),
                    min.abs()
                );
                append_seconds(&mut out, sec, fsec, 6, true);
            } else if has_year_month {
                let _ = write!(out, "{year}-{mon}");
            } else if has_day {
                let _ = write!(out, "{mday} {hour}:{min:02}:");
                append_seconds(&mut out, sec, fsec, 6, true);
            } else {
                let _ = write!(out, "{hour}:{min:02}:");
                append_seconds(&mut out, sec, fsec, 6, true);
            }
        }
        IntervalStyle::Iso8601 => {
            if year == 0 && mon == 0 && mday == 0 && hour == 0 && min == 0 && sec == 0 && fsec == 0 {
                return "PT0S".to_string();
            }
            out.push('P');
            add_iso8601_int_part(&mut out, year, 'Y');
            add_iso8601_int_part(&mut out, mon, 'M');
            add_iso8601_int_part(&mut out, mday, 'D');
            if hour != 0 || min != 0 || sec != 0 || fsec != 0 {
                out.push('T');
            }
            add_iso8601_int_part(&mut out, hour, 'H');
            add_iso8601_int_part(&mut out, min, 'M');
            if sec != 0 || fsec != 0 {
                if sec < 0 || fsec < 0 {
                    out.push('-');
                }
                append_seconds(&mut out, sec, fsec, 6, false);
                out.push('S');
            }
        }
        IntervalStyle::Postgres => {
            add_postgres_int_part(&mut out, year, "year", &mut is_zero, &mut is_before);
            add_postgres_int_part(&mut out, mon, "mon", &mut is_zero, &mut is_before);
            add_postgres_int_part(&mut out, mday, "day", &mut is_zero, &mut is_before);
            if is_zero || hour != 0 || min != 0 || sec != 0 || fsec != 0 {
                let minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
                let _ = write!(
                    out,
                    "{}{}{:02}:{:02}:",
                    if is_zero { "" } else { " " },
                    if minus {
                        "-"
                    } else if is_before {
                        "+"
                    } else {
                        ""
                    },
                    hour.unsigned_abs(),
                    min.abs()
                );
                append_seconds(&mut out, sec, fsec, 6, true);
            }
        }
        IntervalStyle::PostgresVerbose => {
            out.push('@');
            add_verbose_int_part(&mut out, year, "year", &mut is_zero, &mut is_before);
            add_verbose_int_part(&mut out, mon, "mon", &mut is_zero, &mut is_before);
            add_verbose_int_part(&mut out, mday, "day", &mut is_zero, &mut is_before);
            add_verbose_int_part(&mut out, hour, "hour", &mut is_zero, &mut is_before);
            add_verbose_int_part(&mut out, min, "min", &mut is_zero, &mut is_before);
            if sec != 0 || fsec != 0 {
                out.push(' ');
                if sec < 0 || (sec == 0 && fsec < 0) {
                    if is_zero {
                        is_before = true;
                    } else if !is_before {
                        out.push('-');
                    }
                } else if is_before {
                    out.push('-');
                }
                append_seconds(&mut out, sec, fsec, 6, false);
                let _ = write!(out, " sec{}", if sec.abs() != 1 || fsec != 0 { "s" } else { "" });
                is_zero = false;
            }
            if is_zero {
                out.push_str(" 0");
            }
            if is_before {
                out.push_str(" ago");
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Arithmetic

/// The 128-bit linear span PostgreSQL compares intervals by (30-day months,
/// 24-hour days).
fn cmp_value(iv: &Interval) -> i128 {
    let days = iv.months as i64 * 30 + iv.days as i64;
    iv.micros as i128 + days as i128 * USECS_PER_DAY as i128
}

/// `interval_cmp`: PostgreSQL's ordering (`'1 mon' = '30 days'`).
pub fn interval_cmp(a: Interval, b: Interval) -> Ordering {
    cmp_value(&a).cmp(&cmp_value(&b))
}

/// The 64-bit key PostgreSQL hashes (`interval_hash`): equal intervals
/// under [`interval_cmp`] give equal keys.
pub fn interval_hash_key(iv: Interval) -> i64 {
    cmp_value(&iv) as i64
}

/// `interval_um`.
pub fn interval_um(iv: Interval) -> Result<Interval> {
    Ok(Interval {
        months: iv.months.checked_neg().ok_or_else(interval_out_of_range)?,
        days: iv.days.checked_neg().ok_or_else(interval_out_of_range)?,
        micros: iv.micros.checked_neg().ok_or_else(interval_out_of_range)?,
    })
}

/// `interval_pl`.
pub fn interval_pl(a: Interval, b: Interval) -> Result<Interval> {
    Ok(Interval {
        months: a.months.checked_add(b.months).ok_or_else(interval_out_of_range)?,
        days: a.days.checked_add(b.days).ok_or_else(interval_out_of_range)?,
        micros: a.micros.checked_add(b.micros).ok_or_else(interval_out_of_range)?,
    })
}

/// `interval_mi`.
pub fn interval_mi(a: Interval, b: Interval) -> Result<Interval> {
    Ok(Interval {
        months: a.months.checked_sub(b.months).ok_or_else(interval_out_of_range)?,
        days: a.days.checked_sub(b.days).ok_or_else(interval_out_of_range)?,
        micros: a.micros.checked_sub(b.micros).ok_or_else(interval_out_of_range)?,
    })
}

fn fits_i32(x: f64) -> bool {
    !x.is_nan() && x >= i32::MIN as f64 && x < -(i32::MIN as f64)
}

fn fits_i64(x: f64) -> bool {
    !x.is_nan() && x >= i64::MIN as f64 && x < -(i64::MIN as f64)
}

fn tsround(x: f64) -> f64 {
    rint(x * 1_000_000.0) / 1_000_000.0
}

/// Shared body of `interval_mul` / `interval_div`: `op` applies the factor.
fn interval_scale_by(span: Interval, op: impl Fn(f64) -> f64) -> Result<Interval> {
    let result_double = op(span.months as f64);
    if !fits_i32(result_double) {
        return Err(interval_out_of_range());
    }
    let month = result_double as i32;
    let result_double = op(span.days as f64);
    if !fits_i32(result_double) {
        return Err(interval_out_of_range());
    }
    let mut day = result_double as i32;
    let mut month_remainder_days = (op(span.months as f64) - month as f64) * DAYS_PER_MONTH as f64;
    month_remainder_days = tsround(month_remainder_days);
    let mut sec_remainder = (op(span.days as f64) - day as f64 + month_remainder_days - f2i(month_remainder_days) as f64) * SECS_PER_DAY as f64;
    sec_remainder = tsround(sec_remainder);
    if sec_remainder.abs() >= SECS_PER_DAY as f64 {
        let whole = f2i(sec_remainder / SECS_PER_DAY as f64);
        day = day.checked_add(whole).ok_or_else(interval_out_of_range)?;
        sec_remainder -= whole as f64 * SECS_PER_DAY as f64;
    }
    day = day.checked_add(f2i(month_remainder_days)).ok_or_else(interval_out_of_range)?;
    let result_double = rint(op(span.micros as f64) + sec_remainder * USECS_PER_SEC as f64);
    if !fits_i64(result_double) {
        return Err(interval_out_of_range());
    }
    Ok(Interval { months: month, days: day, micros: result_double as i64 })
}

/// `interval_mul` (interval * float8, also float8 * interval).
pub fn interval_mul(span: Interval, factor: f64) -> Result<Interval> {
    interval_scale_by(span, |x| x * factor)
}

/// `interval_div`.
pub fn interval_div(span: Interval, factor: f64) -> Result<Interval> {
    if factor == 0.0 {
        return Err(Error::new(SqlState::DIVISION_BY_ZERO, "division by zero"));
    }
    interval_scale_by(span, |x| x / factor)
}

/// `justify_hours`.
pub fn justify_hours(span: Interval) -> Result<Interval> {
    let mut r = span;
    let wholeday = r.micros / USECS_PER_DAY;
    r.micros -= wholeday * USECS_PER_DAY;
    r.days = i32::try_from(r.days as i64 + wholeday).map_err(|_| interval_out_of_range())?;
    if r.days > 0 && r.micros < 0 {
        r.micros += USECS_PER_DAY;
        r.days -= 1;
    } else if r.days < 0 && r.micros > 0 {
        r.micros -= USECS_PER_DAY;
        r.days += 1;
    }
    Ok(r)
}

/// `justify_days`.
pub fn justify_days(span: Interval) -> Result<Interval> {
    let mut r = span;
    let wholemonth = r.days / DAYS_PER_MONTH;
    r.days -= wholemonth * DAYS_PER_MONTH;
    r.months = r.months.checked_add(wholemonth).ok_or_else(interval_out_of_range)?;
    if r.months > 0 && r.days < 0 {
        r.days += DAYS_PER_MONTH;
        r.months -= 1;
    } else if r.months < 0 && r.days > 0 {
        r.days -= DAYS_PER_MONTH;
        r.months += 1;
    }
    Ok(r)
}

/// `justify_interval`.
pub fn justify_interval(span: Interval) -> Result<Interval> {
    let mut r = span;
    if (r.days > 0 && r.micros > 0) || (r.days < 0 && r.micros < 0) {
        let wholemonth = r.days / DAYS_PER_MONTH;
        r.days -= wholemonth * DAYS_PER_MONTH;
        r.months = r.months.checked_add(wholemonth).ok_or_else(interval_out_of_range)?;
    }
    let wholeday = r.micros / USECS_PER_DAY;
    r.micros -= wholeday * USECS_PER_DAY;
    r.days = (r.days as i64 + wholeday) as i32;
    let wholemonth = r.days / DAYS_PER_MONTH;
    r.days -= wholemonth * DAYS_PER_MONTH;
    r.months = r.months.checked_add(wholemonth).ok_or_else(interval_out_of_range)?;
    if r.months > 0 && (r.days < 0 || (r.days == 0 && r.micros < 0)) {
        r.days += DAYS_PER_MONTH;
        r.months -= 1;
    } else if r.months < 0 && (r.days > 0 || (r.days == 0 && r.micros > 0)) {
        r.days -= DAYS_PER_MONTH;
        r.months += 1;
    }
    if r.days > 0 && r.micros < 0 {
        r.micros += USECS_PER_DAY;
        r.days -= 1;
    } else if r.days < 0 && r.micros > 0 {
        r.micros -= USECS_PER_DAY;
        r.days += 1;
    }
    Ok(r)
}

/// `make_interval(years, months, weeks, days, hours, mins, secs)`.
pub fn make_interval(years: i32, months: i32, weeks: i32, days: i32, hours: i32, mins: i32, secs: f64) -> Result<Interval> {
    if secs.is_infinite() || secs.is_nan() {
        return Err(interval_out_of_range());
    }
    // PostgreSQL 15 does these in unchecked int arithmetic (wrapping).
    let month = years.wrapping_mul(MONTHS_PER_YEAR).wrapping_add(months);
    let day = weeks.wrapping_mul(7).wrapping_add(days);
    let secs = rint(secs * USECS_PER_SEC as f64);
    let micros = (hours as i64).wrapping_mul(USECS_PER_HOUR).wrapping_add((mins as i64).wrapping_mul(USECS_PER_MINUTE)).wrapping_add(f2i64(secs));
    Ok(Interval { months: month, days: day, micros })
}
