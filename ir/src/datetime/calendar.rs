//! Calendar arithmetic shared by every date/time type: PostgreSQL's Julian-day
//! routines, broken-down times and the range constants, ported so that even
//! the out-of-range corners (which PostgreSQL computes with `-fwrapv`
//! wrapping) give the same answers.

use super::timezone::TimeZone;

pub const USECS_PER_DAY: i64 = 86_400_000_000;
pub const USECS_PER_HOUR: i64 = 3_600_000_000;
pub const USECS_PER_MINUTE: i64 = 60_000_000;
pub const USECS_PER_SEC: i64 = 1_000_000;
pub const SECS_PER_DAY: i64 = 86_400;
pub const SECS_PER_HOUR: i32 = 3600;
pub const SECS_PER_MINUTE: i32 = 60;
pub const MINS_PER_HOUR: i32 = 60;
pub const HOURS_PER_DAY: i32 = 24;
pub const MONTHS_PER_YEAR: i32 = 12;
pub const DAYS_PER_MONTH: i32 = 30;

/// Julian day of 1970-01-01 and of 2000-01-01 (the PostgreSQL epoch).
pub const UNIX_EPOCH_JDATE: i32 = 2_440_588;
pub const POSTGRES_EPOCH_JDATE: i32 = 2_451_545;

pub const JULIAN_MINYEAR: i32 = -4713;
pub const JULIAN_MINMONTH: i32 = 11;
pub const JULIAN_MAXYEAR: i32 = 5_874_898;
pub const JULIAN_MAXMONTH: i32 = 6;

pub const DATETIME_MIN_JULIAN: i32 = 0;
pub const DATE_END_JULIAN: i32 = 2_147_483_494;
pub const TIMESTAMP_END_JULIAN: i32 = 109_203_528;
pub const MIN_TIMESTAMP: i64 = -211_813_488_000_000_000;
pub const END_TIMESTAMP: i64 = 9_223_371_331_200_000_000;

/// `date` infinities (DATEVAL_NOBEGIN / DATEVAL_NOEND).
pub const DATE_NOBEGIN: i32 = i32::MIN;
pub const DATE_NOEND: i32 = i32::MAX;
/// `timestamp[tz]` infinities (DT_NOBEGIN / DT_NOEND).
pub const TIMESTAMP_NOBEGIN: i64 = i64::MIN;
pub const TIMESTAMP_NOEND: i64 = i64::MAX;

pub const MAX_TIMESTAMP_PRECISION: i32 = 6;

pub(crate) const DAY_TAB: [[i32; 13]; 2] = [[31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0], [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0]];

pub(crate) const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
pub(crate) const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

pub fn isleap(y: i32) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

pub(crate) fn days_in_month(year: i32, mon: i32) -> i32 {
    let idx = (mon - 1).clamp(0, 11) as usize;
    DAY_TAB[isleap(year) as usize][idx]
}

pub fn is_valid_julian(y: i32, m: i32, _d: i32) -> bool {
    (y > JULIAN_MINYEAR || (y == JULIAN_MINYEAR && m >= JULIAN_MINMONTH)) && (y < JULIAN_MAXYEAR || (y == JULIAN_MAXYEAR && m < JULIAN_MAXMONTH))
}

pub fn is_valid_date(d: i32) -> bool {
    ((DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE)..(DATE_END_JULIAN - POSTGRES_EPOCH_JDATE)).contains(&d)
}

pub fn is_valid_timestamp(t: i64) -> bool {
    (MIN_TIMESTAMP..END_TIMESTAMP).contains(&t)
}

pub fn timestamp_not_finite(t: i64) -> bool {
    t == TIMESTAMP_NOBEGIN || t == TIMESTAMP_NOEND
}

pub fn date_not_finite(d: i32) -> bool {
    d == DATE_NOBEGIN || d == DATE_NOEND
}

/// Julian day number of a proleptic Gregorian date (PostgreSQL's `date2j`,
/// wrapping like the C code does for absurd inputs).
pub fn date2j(year: i32, month: i32, day: i32) -> i32 {
    let (mut year, mut month) = (year, month);
    if month > 2 {
        month = month.wrapping_add(1);
        year = year.wrapping_add(4800);
    } else {
        month = month.wrapping_add(13);
        year = year.wrapping_add(4799);
    }
    let century = year / 100;
    let mut julian = year.wrapping_mul(365).wrapping_sub(32167);
    julian = julian.wrapping_add(year / 4).wrapping_sub(century).wrapping_add(century / 4);
    julian = julian.wrapping_add(7834i32.wrapping_mul(month) / 256).wrapping_add(day);
    julian
}

/// Inverse of [`date2j`]; uses unsigned arithmetic exactly as PostgreSQL.
pub fn j2date(jd: i32) -> (i32, i32, i32) {
    let mut julian: u32 = jd as u32;
    julian = julian.wrapping_add(32044);
    let mut quad = julian / 146097;
    let extra = (julian.wrapping_sub(quad.wrapping_mul(146097))).wrapping_mul(4).wrapping_add(3);
    julian = julian.wrapping_add(60).wrapping_add(quad.wrapping_mul(3)).wrapping_add(extra / 146097);
    quad = julian / 1461;
    julian = julian.wrapping_sub(quad.wrapping_mul(1461));
    let mut y: i32 = (julian.wrapping_mul(4) / 1461) as i32;
    julian = (if y != 0 { (julian.wrapping_add(305)) % 365 } else { (julian.wrapping_add(306)) % 366 }).wrapping_add(123);
    y = y.wrapping_add((quad.wrapping_mul(4)) as i32);
    let year = y.wrapping_sub(4800);
    let quad = julian.wrapping_mul(2141) / 65536;
    let day = julian.wrapping_sub(7834u32.wrapping_mul(quad) / 256) as i32;
    let month = ((quad.wrapping_add(10)) % (MONTHS_PER_YEAR as u32) + 1) as i32;
    (year, month, day)
}

/// Day of week, 0 = Sunday.
pub fn j2day(date: i32) -> i32 {
    let mut d = date.wrapping_add(1) % 7;
    if d < 0 {
        d += 7;
    }
    d
}

/// PostgreSQL's `struct pg_tm` (year not 1900-based, month 1-based).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tm {
    pub year: i32,
    pub mon: i32,
    pub mday: i32,
    pub hour: i32,
    pub min: i32,
    pub sec: i32,
    pub isdst: i32,
    pub wday: i32,
    pub yday: i32,
    pub gmtoff: i64,
}

/// Splits microseconds-of-day into h/m/s/µs (`dt2time`).
pub(crate) fn dt2time(jd: i64) -> (i32, i32, i32, i32) {
    let mut time = jd;
    let hour = time / USECS_PER_HOUR;
    time -= hour * USECS_PER_HOUR;
    let min = time / USECS_PER_MINUTE;
    time -= min * USECS_PER_MINUTE;
    let sec = time / USECS_PER_SEC;
    let fsec = time - sec * USECS_PER_SEC;
    (hour as i32, min as i32, sec as i32, fsec as i32)
}

/// `time2t` with the same int arithmetic as C (the hour/min/sec product is
/// computed in 32 bits before widening).
pub(crate) fn time2t(hour: i32, min: i32, sec: i32, fsec: i32) -> i64 {
    let secs = hour.wrapping_mul(MINS_PER_HOUR).wrapping_add(min).wrapping_mul(SECS_PER_MINUTE).wrapping_add(sec);
    (secs as i64).wrapping_mul(USECS_PER_SEC).wrapping_add(fsec as i64)
}

/// Rounds microseconds to `precision` (0..=6) fraction digits, halves away
/// from zero, with PostgreSQL's `-fwrapv` arithmetic (the Adjust*ForTypmod
/// functions).
pub(crate) fn round_to_precision(v: i64, precision: usize) -> i64 {
    const SCALES: [i64; 7] = [1_000_000, 100_000, 10_000, 1000, 100, 10, 1];
    const OFFSETS: [i64; 7] = [500_000, 50_000, 5000, 500, 50, 5, 0];
    let (scale, offset) = (SCALES[precision], OFFSETS[precision]);
    if v >= 0 {
        (v.wrapping_add(offset) / scale).wrapping_mul(scale)
    } else {
        (v.wrapping_neg().wrapping_add(offset) / scale).wrapping_mul(scale).wrapping_neg()
    }
}

/// Shifts a timestamp by a zone offset given in seconds (`dt2local`).
pub(crate) fn dt2local(dt: i64, tz: i32) -> i64 {
    dt.wrapping_sub((tz as i64).wrapping_mul(USECS_PER_SEC))
}

/// Breaks a timestamp into fields. With `attimezone` the value is UTC and is
/// rotated into that zone: the result also carries the zone offset (`tz`,
/// PostgreSQL's sign: seconds *west* of UTC) and abbreviation.
pub(crate) fn timestamp2tm(dt: i64, attimezone: Option<&TimeZone>) -> Option<(Tm, i32, i32, Option<&str>)> {
    let mut time = dt % USECS_PER_DAY;
    let mut date = dt / USECS_PER_DAY;
    if time < 0 {
        time += USECS_PER_DAY;
        date -= 1;
    }
    date += POSTGRES_EPOCH_JDATE as i64;
    if date < 0 || date > i32::MAX as i64 {
        return None;
    }
    let mut tm = Tm::default();
    (tm.year, tm.mon, tm.mday) = j2date(date as i32);
    let (h, m, s, fsec) = dt2time(time);
    (tm.hour, tm.min, tm.sec) = (h, m, s);
    let Some(zone) = attimezone else {
        tm.isdst = -1;
        return Some((tm, fsec, 0, None));
    };
    let utime = (dt - fsec as i64) / USECS_PER_SEC + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) as i64 * SECS_PER_DAY;
    let lt = zone.localtime(utime);
    let local = utime + lt.utoff as i64;
    let days = local.div_euclid(SECS_PER_DAY);
    let secs = local.rem_euclid(SECS_PER_DAY) as i32;
    (tm.year, tm.mon, tm.mday) = j2date((days + UNIX_EPOCH_JDATE as i64) as i32);
    tm.hour = secs / 3600;
    tm.min = secs / 60 % 60;
    tm.sec = secs % 60;
    tm.isdst = lt.isdst as i32;
    tm.gmtoff = lt.utoff as i64;
    Some((tm, fsec, -lt.utoff, Some(lt.abbrev)))
}

/// Assembles a timestamp from fields; `tz` (seconds west) rotates local time
/// to UTC. `None` means out of range.
pub(crate) fn tm2timestamp(tm: &Tm, fsec: i32, tz: Option<i32>) -> Option<i64> {
    if !is_valid_julian(tm.year, tm.mon, tm.mday) {
        return None;
    }
    let date = (date2j(tm.year, tm.mon, tm.mday) - POSTGRES_EPOCH_JDATE) as i64;
    let time = time2t(tm.hour, tm.min, tm.sec, fsec);
    let mut result = date.wrapping_mul(USECS_PER_DAY).wrapping_add(time);
    if result.wrapping_sub(time) / USECS_PER_DAY != date {
        return None;
    }
    if (result < 0 && date > 0) || (result > 0 && date < -1) {
        return None;
    }
    if let Some(tz) = tz {
        result = dt2local(result, -tz);
    }
    if !is_valid_timestamp(result) {
        return None;
    }
    Some(result)
}

/// First day (Monday) of ISO week `week` of ISO year `year`, as a Julian day.
pub(crate) fn isoweek2j(year: i32, week: i32) -> i32 {
    let day4 = date2j(year, 1, 4);
    let day0 = j2day(day4 - 1);
    (week - 1) * 7 + (day4 - day0)
}

pub(crate) fn isoweek2date(woy: i32, year: i32) -> (i32, i32, i32) {
    j2date(isoweek2j(year, woy))
}

pub(crate) fn date2isoweek(year: i32, mon: i32, mday: i32) -> i32 {
    let dayn = date2j(year, mon, mday);
    let mut day4 = date2j(year, 1, 4);
    let mut day0 = j2day(day4 - 1);
    if dayn < day4 - day0 {
        day4 = date2j(year - 1, 1, 4);
        day0 = j2day(day4 - 1);
    }
    let mut result = (dayn - (day4 - day0)) / 7 + 1;
    if result >= 52 {
        let day4 = date2j(year + 1, 1, 4);
        let day0 = j2day(day4 - 1);
        if dayn >= day4 - day0 {
            result = (dayn - (day4 - day0)) / 7 + 1;
        }
    }
    result
}

pub(crate) fn date2isoyear(year: i32, mon: i32, mday: i32) -> i32 {
    let mut year = year;
    let dayn = date2j(year, mon, mday);
    let mut day4 = date2j(year, 1, 4);
    let mut day0 = j2day(day4 - 1);
    if dayn < day4 - day0 {
        day4 = date2j(year - 1, 1, 4);
        day0 = j2day(day4 - 1);
        year -= 1;
    }
    let result = (dayn - (day4 - day0)) / 7 + 1;
    if result >= 52 {
        let day4 = date2j(year + 1, 1, 4);
        let day0 = j2day(day4 - 1);
        if dayn >= day4 - day0 {
            year += 1;
        }
    }
    year
}

/// PostgreSQL microseconds to Unix seconds (`timestamptz_to_time_t`).
pub(crate) fn timestamptz_to_time_t(t: i64) -> i64 {
    t / USECS_PER_SEC + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) as i64 * SECS_PER_DAY
}
