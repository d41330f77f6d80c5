//! Time zones exactly as PostgreSQL 15 sees them: the IANA database read the
//! way `src/timezone/localtime.c` reads it (including its footer-rule
//! extension to 2000 transitions and the 400-year extrapolation), POSIX
//! specifications such as `PST8PDT`-style strings or `<+03>-3`, the
//! `TimeZone` setting's extra forms, and the `Default` abbreviation set.
//!
//! The zone data is embedded (`tzdata.bin`, generated from the system
//! zoneinfo PostgreSQL itself uses) so this works without a filesystem.

use std::fmt;
use std::sync::Arc;

use super::abbrevs::DEFAULT_ABBREVS;
use super::calendar::{POSTGRES_EPOCH_JDATE, SECS_PER_DAY, Tm, UNIX_EPOCH_JDATE, date2j, is_valid_julian};
use crate::error::{Error, Result, SqlState};

const TZ_MAX_TIMES: usize = 2000;
const TZ_MAX_TYPES: usize = 256;
const TZ_MAX_CHARS: usize = 50;
const TZ_STRLEN_MAX: usize = 255;
const CHARS_CAPACITY: usize = 512;
const YEARSPERREPEAT: i64 = 400;
const AVGSECSPERYEAR: i64 = 31_556_952;
const SECSPERREPEAT: i64 = YEARSPERREPEAT * AVGSECSPERYEAR;
const EPOCH_YEAR: i32 = 1970;
const SECSPERHOUR: i32 = 3600;
const TZDEFRULESTRING: &[u8] = b",M3.2.0,M11.1.0";
const YEAR_LENGTHS: [i32; 2] = [365, 366];
const MON_LENGTHS: [[i32; 12]; 2] = [[31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]];

static TZDATA: &[u8] = include_bytes!("tzdata.bin");

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct TtInfo {
    utoff: i32,
    isdst: bool,
    desigidx: usize,
    ttisstd: bool,
    ttisut: bool,
}

/// PostgreSQL's `struct state` for one loaded zone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ZoneState {
    ats: Vec<i64>,
    types: Vec<u8>,
    ttis: Vec<TtInfo>,
    chars: Vec<u8>,
    goback: bool,
    goahead: bool,
    defaulttype: usize,
}

/// The offset in force at some instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LocalTime<'a> {
    /// Seconds east of UTC.
    pub utoff: i32,
    pub isdst: bool,
    pub abbrev: &'a str,
}

/// Result of `pg_next_dst_boundary`.
enum Boundary {
    Fail,
    None { before_gmtoff: i32, before_isdst: bool },
    Some { before_gmtoff: i32, before_isdst: bool, boundary: i64, after_gmtoff: i32, after_isdst: bool },
}

/// A session time zone (PostgreSQL's `pg_tz`): its canonical name, as `SHOW
/// TimeZone` prints it, and its rules. Cheap to clone.
#[derive(Clone)]
pub struct TimeZone {
    name: Arc<str>,
    state: Arc<ZoneState>,
}

impl fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TimeZone").field(&&*self.name).finish()
    }
}

impl PartialEq for TimeZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for TimeZone {}

/// A `timezone_abbreviations` entry: a fixed offset (seconds east, DST
/// flag) or a zone whose meaning of the abbreviation depends on the date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Abbrev {
    Fixed { offset: i32, dst: bool },
    Dynamic(&'static str),
}

/// A fixed-offset abbreviation (offset in seconds east of UTC).
pub(crate) const fn fixed(offset: i32, dst: bool) -> Abbrev {
    Abbrev::Fixed { offset, dst }
}

/// An abbreviation whose meaning comes from a zone's history.
pub(crate) const fn dynamic(zone: &'static str) -> Abbrev {
    Abbrev::Dynamic(zone)
}

/// Length PostgreSQL truncates date/time tokens to when matching.
pub(crate) const TOKMAXLEN: usize = 10;

/// `strncmp(a, b, TOKMAXLEN)` on NUL-free strings.
pub(crate) fn tokcmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let a = &a[..a.len().min(TOKMAXLEN)];
    let b = &b[..b.len().min(TOKMAXLEN)];
    a.cmp(b)
}

/// Looks up a lower-cased token in the `Default` abbreviation set.
pub(crate) fn lookup_abbrev(lowtoken: &str) -> Option<Abbrev> {
    DEFAULT_ABBREVS.binary_search_by(|(tok, _)| tokcmp(tok.as_bytes(), lowtoken.as_bytes())).ok().map(|i| DEFAULT_ABBREVS[i].1)
}

impl TimeZone {
    /// `UTC`, from the zone database (abbreviation "UTC").
    pub fn utc() -> TimeZone {
        TimeZone::load("UTC").unwrap_or_else(TimeZone::gmt)
    }

    /// `GMT`, PostgreSQL's built-in zone (never read from the database).
    pub fn gmt() -> TimeZone {
        let state = tzparse(b"GMT", true).unwrap_or_default();
        TimeZone { name: Arc::from("GMT"), state: Arc::new(state) }
    }

    /// The canonical name, as `SHOW TimeZone` prints it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Loads a zone by name the way `pg_tzset` does: case-insensitively from
    /// the database, else as a POSIX specification. `None` if neither.
    pub fn load(name: &str) -> Option<TimeZone> {
        let name = name.split('\0').next().unwrap_or("");
        if name.len() > TZ_STRLEN_MAX {
            return None;
        }
        let upper = name.to_ascii_uppercase();
        if upper == "GMT" {
            let state = tzparse(upper.as_bytes(), true)?;
            return Some(TimeZone { name: Arc::from(upper.as_str()), state: Arc::new(state) });
        }
        let file = upper.strip_prefix(':').unwrap_or(&upper);
        if let Some((canon, blob)) = find_zone(file)
            && let Some(state) = tzload_blob(blob)
        {
            return Some(TimeZone { name: Arc::from(canon), state: Arc::new(state) });
        }
        if upper.starts_with(':') {
            return None;
        }
        let state = tzparse(upper.as_bytes(), false)?;
        Some(TimeZone { name: Arc::from(upper.as_str()), state: Arc::new(state) })
    }

    /// A fixed offset zone (`pg_tzset_offset`); `gmtoffset` is seconds
    /// *west* of UTC (POSIX sign), the name uses ISO sign, e.g. `<+03>-03`.
    pub fn from_offset(gmtoffset: i64) -> Option<TimeZone> {
        let mut absoffset = gmtoffset.unsigned_abs();
        let mut offsetstr = format!("{:02}", absoffset / 3600);
        absoffset %= 3600;
        if absoffset != 0 {
            offsetstr.push_str(&format!(":{:02}", absoffset / 60));
            absoffset %= 60;
            if absoffset != 0 {
                offsetstr.push_str(&format!(":{absoffset:02}"));
            }
        }
        let tzname = if gmtoffset > 0 { format!("<-{offsetstr}>+{offsetstr}") } else { format!("<+{offsetstr}>-{offsetstr}") };
        TimeZone::load(&tzname)
    }

    /// Parses a value for `SET TimeZone` (PostgreSQL's `check_timezone`):
    /// `INTERVAL '…'`, a number of hours, or a zone name / POSIX spec.
    pub fn parse_setting(value: &str) -> Result<TimeZone> {
        let invalid = || Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("invalid value for parameter \"TimeZone\": \"{value}\""));
        let new_tz;
        if value.len() >= 8 && value[..8].eq_ignore_ascii_case("interval") {
            let rest = value[8..].trim_start_matches(super::parse::is_c_space);
            let Some(rest) = rest.strip_prefix('\'') else {
                return Err(invalid());
            };
            let Some(end) = rest.find('\'') else {
                return Err(invalid());
            };
            if end + 1 != rest.len() {
                return Err(invalid());
            }
            // The interval parser never consults the zone.
            let gmt = TimeZone::gmt();
            let ctx = super::ParseContext::default_for(&gmt);
            let interval = super::interval::interval_in(&rest[..end], -1, &ctx)?;
            if interval.months != 0 {
                return Err(invalid().with_detail("Cannot specify months in time zone interval."));
            }
            if interval.days != 0 {
                return Err(invalid().with_detail("Cannot specify days in time zone interval."));
            }
            new_tz = TimeZone::from_offset(-(interval.micros / 1_000_000));
        } else if let Some(hours) = super::parse::strtod_full(value) {
            let gmtoffset = -hours * SECS_PER_HOUR_F;
            new_tz = TimeZone::from_offset(f64_to_long(gmtoffset));
        } else {
            let Some(tz) = TimeZone::load(value) else {
                // The leap-second "right/" zones are not embedded; PostgreSQL
                // loads them only to reject them here.
                let upper = value.to_ascii_uppercase();
                if let Some(rest) = upper.strip_prefix("RIGHT/")
                    && find_zone(rest).is_some()
                {
                    return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("time zone \"{value}\" appears to use leap seconds"))
                        .with_detail("PostgreSQL does not support leap seconds."));
                }
                return Err(invalid());
            };
            // pg_tz_acceptable: 2000-01-01 00:00 UTC must land on a whole
            // minute, which also rejects POSIX specs with seconds offsets.
            let t2000 = (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) as i64 * SECS_PER_DAY;
            if (t2000 + tz.localtime(t2000).utoff as i64).rem_euclid(60) != 0 {
                return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("time zone \"{value}\" appears to use leap seconds"))
                    .with_detail("PostgreSQL does not support leap seconds."));
            }
            new_tz = Some(tz);
        }
        new_tz.ok_or_else(|| invalid().with_detail("UTC timezone offset is out of range."))
    }

    /// Offset in seconds east of UTC at a UTC instant (µs since 2000).
    pub fn utc_offset_at_utc(&self, micros: i64) -> i32 {
        let t = micros.div_euclid(1_000_000) + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) as i64 * SECS_PER_DAY;
        self.localtime(t).utoff
    }

    /// Abbreviation in force at a UTC instant (µs since 2000), e.g. "PST".
    pub fn abbrev_at_utc(&self, micros: i64) -> &str {
        let t = micros.div_euclid(1_000_000) + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) as i64 * SECS_PER_DAY;
        self.localtime(t).abbrev
    }

    /// Offset (seconds east) PostgreSQL applies to a local wall-clock
    /// timestamp (µs since 2000, no zone): in a spring-forward gap the
    /// offset before the transition, in a fall-back overlap the later one.
    pub fn utc_offset_for_local(&self, local_micros: i64) -> i32 {
        match super::calendar::timestamp2tm(local_micros, None) {
            Some((mut tm, _, _, _)) => -self.determine_offset(&mut tm),
            None => 0,
        }
    }

    /// Local wall-clock timestamp → UTC timestamptz (µs since 2000), with
    /// PostgreSQL's gap/overlap rules (`timestamp::timestamptz`).
    pub fn local_to_utc(&self, local_micros: i64) -> Result<i64> {
        super::arith::timestamp_timestamptz(local_micros, self)
    }

    /// UTC timestamptz → local wall-clock timestamp (`timestamptz::timestamp`).
    pub fn utc_to_local(&self, utc_micros: i64) -> Result<i64> {
        super::arith::timestamptz_timestamp(utc_micros, self)
    }

    /// The single offset (seconds east) if the zone never changes offset.
    pub(crate) fn fixed_offset(&self) -> Option<i32> {
        let ttis = &self.state.ttis;
        let first = ttis.first()?;
        ttis.iter().all(|t| t.utoff == first.utoff).then_some(first.utoff)
    }

    /// `pg_localtime` for a Unix time in seconds: offset, DST flag, abbrev.
    pub(crate) fn localtime(&self, t: i64) -> LocalTime<'_> {
        let sp = &*self.state;
        let idx = localsub_type(sp, t).unwrap_or(sp.defaulttype);
        let tt = sp.ttis.get(idx).copied().unwrap_or_default();
        LocalTime { utoff: tt.utoff, isdst: tt.isdst, abbrev: cstr_at(&sp.chars, tt.desigidx) }
    }

    /// `DetermineTimeZoneOffset`: the offset (PostgreSQL sign, seconds west)
    /// for a local broken-down time; also sets `tm.isdst`.
    pub(crate) fn determine_offset(&self, tm: &mut Tm) -> i32 {
        self.determine_offset_internal(tm).0
    }

    fn determine_offset_internal(&self, tm: &mut Tm) -> (i32, i64) {
        let overflow = |tm: &mut Tm| {
            tm.isdst = 0;
            (0, 0)
        };
        if !is_valid_julian(tm.year, tm.mon, tm.mday) {
            return overflow(tm);
        }
        let date = date2j(tm.year, tm.mon, tm.mday).wrapping_sub(UNIX_EPOCH_JDATE);
        let day = date as i64 * SECS_PER_DAY;
        let sec = tm.sec.wrapping_add(tm.min.wrapping_add(tm.hour.wrapping_mul(60)).wrapping_mul(60));
        let mytime = day.wrapping_add(sec as i64);
        if mytime < 0 && day > 0 {
            return overflow(tm);
        }
        let prevtime = mytime.wrapping_sub(SECS_PER_DAY);
        if mytime < 0 && prevtime > 0 {
            return overflow(tm);
        }
        match next_dst_boundary(&self.state, prevtime) {
            Boundary::Fail => overflow(tm),
            Boundary::None { before_gmtoff, before_isdst } => {
                tm.isdst = before_isdst as i32;
                (-before_gmtoff, mytime - before_gmtoff as i64)
            }
            Boundary::Some { before_gmtoff, before_isdst, boundary, after_gmtoff, after_isdst } => {
                let beforetime = mytime.wrapping_sub(before_gmtoff as i64);
                if (before_gmtoff > 0 && mytime < 0 && beforetime > 0) || (before_gmtoff <= 0 && mytime > 0 && beforetime < 0) {
                    return overflow(tm);
                }
                let aftertime = mytime.wrapping_sub(after_gmtoff as i64);
                if (after_gmtoff > 0 && mytime < 0 && aftertime > 0) || (after_gmtoff <= 0 && mytime > 0 && aftertime < 0) {
                    return overflow(tm);
                }
                if beforetime < boundary && aftertime < boundary {
                    tm.isdst = before_isdst as i32;
                    return (-before_gmtoff, beforetime);
                }
                if beforetime > boundary && aftertime >= boundary {
                    tm.isdst = after_isdst as i32;
                    return (-after_gmtoff, aftertime);
                }
                if beforetime > aftertime {
                    tm.isdst = before_isdst as i32;
                    return (-before_gmtoff, beforetime);
                }
                tm.isdst = after_isdst as i32;
                (-after_gmtoff, aftertime)
            }
        }
    }

    /// `DetermineTimeZoneAbbrevOffset`: offset (seconds west) of a dynamic
    /// abbreviation at a local time, falling back to the zone's own offset.
    pub(crate) fn determine_abbrev_offset(&self, tm: &mut Tm, abbr: &str) -> i32 {
        let (zone_offset, t) = self.determine_offset_internal(tm);
        if let Some((offset, isdst)) = self.abbrev_offset_internal(t, abbr) {
            tm.isdst = isdst as i32;
            return offset;
        }
        zone_offset
    }

    /// `DetermineTimeZoneAbbrevOffsetTS`: as above, probing at a UTC instant.
    pub(crate) fn determine_abbrev_offset_ts(&self, ts: i64, abbr: &str) -> Result<i32> {
        let t = super::calendar::timestamptz_to_time_t(ts);
        if let Some((offset, _)) = self.abbrev_offset_internal(t, abbr) {
            return Ok(offset);
        }
        let Some((mut tm, _, _, _)) = super::calendar::timestamp2tm(ts, Some(self)) else {
            return Err(super::timestamp_out_of_range());
        };
        Ok(self.determine_offset(&mut tm))
    }

    fn abbrev_offset_internal(&self, t: i64, abbr: &str) -> Option<(i32, bool)> {
        let upabbr = abbr.to_ascii_uppercase();
        let (gmtoff, isdst) = interpret_abbrev(&self.state, upabbr.as_bytes(), t)?;
        Some((-gmtoff, isdst))
    }
}

const SECS_PER_HOUR_F: f64 = 3600.0;

/// C's `(long) x` as x86-64 computes it (LONG_MIN when out of range).
fn f64_to_long(x: f64) -> i64 {
    super::parse::f2i64(x)
}

/// The NUL-terminated string at `idx` of a zone's abbreviation buffer.
fn cstr_at(chars: &[u8], idx: usize) -> &str {
    let tail = chars.get(idx..).unwrap_or(&[]);
    let end = tail.iter().position(|&c| c == 0).unwrap_or(tail.len());
    std::str::from_utf8(&tail[..end]).unwrap_or("")
}

// ---------------------------------------------------------------------------
// Embedded database

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.buf.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn varint(&mut self) -> Option<u64> {
        let mut v: u64 = 0;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            v |= ((b & 0x7f) as u64).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
            shift += 7;
            if shift > 63 {
                return None;
            }
        }
    }
    fn zigzag(&mut self) -> Option<i64> {
        let v = self.varint()?;
        Some(((v >> 1) as i64) ^ -((v & 1) as i64))
    }
    fn u16(&mut self) -> Option<u16> {
        let b = self.bytes(2)?;
        Some(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        let b = self.bytes(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Finds a zone by upper-cased name; returns its canonical spelling and data.
fn find_zone(upper: &str) -> Option<(&'static str, &'static [u8])> {
    let mut r = Reader { buf: TZDATA, pos: 0 };
    if r.bytes(5)? != b"OATZ\x01" {
        return None;
    }
    let nzones = r.u16()? as usize;
    let nnames = r.u16()? as usize;
    let offsets_at = r.pos;
    r.pos += (nzones + 1) * 4;
    let blobs_at = r.pos;
    let mut offr = Reader { buf: TZDATA, pos: offsets_at + nzones * 4 };
    let total = offr.u32()? as usize;
    r.pos = blobs_at + total;
    for _ in 0..nnames {
        let len = r.byte()? as usize;
        let name = r.bytes(len)?;
        let idx = r.u16()? as usize;
        if name.eq_ignore_ascii_case(upper.as_bytes()) {
            let mut o = Reader { buf: TZDATA, pos: offsets_at + idx * 4 };
            let start = o.u32()? as usize;
            let end = o.u32()? as usize;
            let blob = TZDATA.get(blobs_at + start..blobs_at + end)?;
            return Some((std::str::from_utf8(name).ok()?, blob));
        }
    }
    None
}

/// Every zone name in the embedded database (canonical spelling).
pub fn zone_names() -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut r = Reader { buf: TZDATA, pos: 5 };
    let (Some(nzones), Some(nnames)) = (r.u16(), r.u16()) else {
        return out;
    };
    let mut offr = Reader { buf: TZDATA, pos: r.pos + nzones as usize * 4 };
    let Some(total) = offr.u32() else {
        return out;
    };
    r.pos += (nzones as usize + 1) * 4 + total as usize;
    for _ in 0..nnames {
        let Some(len) = r.byte() else { break };
        let Some(name) = r.bytes(len as usize) else {
            break;
        };
        if r.u16().is_none() {
            break;
        }
        if let Ok(s) = std::str::from_utf8(name) {
            out.push(s);
        }
    }
    out
}

/// `tzloadbody` on an embedded zone, with `doextend`.
fn tzload_blob(blob: &[u8]) -> Option<ZoneState> {
    let mut r = Reader { buf: blob, pos: 0 };
    let timecnt = r.varint()? as usize;
    let typecnt = r.varint()? as usize;
    let charcnt = r.varint()? as usize;
    let mut sp = ZoneState::default();
    let mut prev: i64 = 0;
    for i in 0..timecnt {
        let at = if i == 0 { r.zigzag()? } else { prev.checked_add(r.varint()? as i64)? };
        sp.ats.push(at);
        prev = at;
    }
    sp.types = r.bytes(timecnt)?.to_vec();
    for _ in 0..typecnt {
        let utoff = r.zigzag()? as i32;
        let flags = r.byte()?;
        let desigidx = r.byte()? as usize;
        sp.ttis.push(TtInfo { utoff, isdst: flags & 1 != 0, desigidx, ttisstd: flags & 2 != 0, ttisut: flags & 4 != 0 });
    }
    sp.chars = r.bytes(charcnt)?.to_vec();
    let flen = r.varint()? as usize;
    let footer = r.bytes(flen)?;
    if sp.types.iter().any(|&t| t as usize >= typecnt) {
        return None;
    }

    if !footer.is_empty()
        && sp.ttis.len() + 2 <= TZ_MAX_TYPES
        && let Some(mut ts) = tzparse(footer, false)
    {
        let mut gotabbr = 0;
        let mut charcnt = sp.chars.len();
        for i in 0..ts.ttis.len() {
            let tsabbr = cstr_at(&ts.chars, ts.ttis[i].desigidx).as_bytes().to_vec();
            let mut found = None;
            for j in 0..charcnt {
                if cstr_at(&sp.chars, j).as_bytes() == tsabbr.as_slice() {
                    found = Some(j);
                    break;
                }
            }
            match found {
                Some(j) => {
                    ts.ttis[i].desigidx = j;
                    gotabbr += 1;
                }
                None => {
                    let j = charcnt;
                    if j + tsabbr.len() < TZ_MAX_CHARS {
                        sp.chars.truncate(j);
                        sp.chars.extend_from_slice(&tsabbr);
                        sp.chars.push(0);
                        charcnt = j + tsabbr.len() + 1;
                        ts.ttis[i].desigidx = j;
                        gotabbr += 1;
                    }
                }
            }
        }
        if gotabbr == ts.ttis.len() {
            sp.chars.truncate(charcnt);
            while sp.ats.len() > 1 && sp.types[sp.types.len() - 1] == sp.types[sp.types.len() - 2] {
                sp.ats.pop();
                sp.types.pop();
            }
            let mut i = 0;
            while i < ts.ats.len() {
                if sp.ats.is_empty() || sp.ats[sp.ats.len() - 1] < ts.ats[i] {
                    break;
                }
                i += 1;
            }
            let typecnt = sp.ttis.len();
            while i < ts.ats.len() && sp.ats.len() < TZ_MAX_TIMES {
                sp.ats.push(ts.ats[i]);
                sp.types.push((typecnt + ts.types[i] as usize) as u8);
                i += 1;
            }
            sp.ttis.extend_from_slice(&ts.ttis);
        }
    }
    if sp.ttis.is_empty() {
        return None;
    }
    let n = sp.ats.len();
    if n > 1 {
        for i in 1..n {
            // (cheap time test first; both are pure)
            if sp.ats[i].wrapping_sub(sp.ats[0]) == SECSPERREPEAT && typesequiv(&sp, sp.types[i] as usize, sp.types[0] as usize) {
                sp.goback = true;
                break;
            }
        }
        for i in (0..n - 1).rev() {
            if sp.ats[n - 1].wrapping_sub(sp.ats[i]) == SECSPERREPEAT && typesequiv(&sp, sp.types[n - 1] as usize, sp.types[i] as usize) {
                sp.goahead = true;
                break;
            }
        }
    }
    // defaulttype, as inferred by tzloadbody.
    let mut i: isize = if sp.types.contains(&0) { -1 } else { 0 };
    if i < 0 && !sp.ats.is_empty() && sp.ttis[sp.types[0] as usize].isdst {
        i = sp.types[0] as isize;
        loop {
            i -= 1;
            if i < 0 || !sp.ttis[i as usize].isdst {
                break;
            }
        }
    }
    if i < 0 {
        i = first_std_type(&sp) as isize;
    }
    sp.defaulttype = i as usize;
    Some(sp)
}

fn first_std_type(sp: &ZoneState) -> usize {
    sp.ttis.iter().position(|t| !t.isdst).unwrap_or(0)
}

fn typesequiv(sp: &ZoneState, a: usize, b: usize) -> bool {
    let (Some(ap), Some(bp)) = (sp.ttis.get(a), sp.ttis.get(b)) else {
        return false;
    };
    ap.utoff == bp.utoff
        && ap.isdst == bp.isdst
        && ap.ttisstd == bp.ttisstd
        && ap.ttisut == bp.ttisut
        && cstr_at(&sp.chars, ap.desigidx) == cstr_at(&sp.chars, bp.desigidx)
}

// ---------------------------------------------------------------------------
// POSIX TZ strings (tzparse)

#[derive(Clone, Copy)]
enum RuleKind {
    JulianDay,
    DayOfYear,
    MonthNthDayOfWeek,
}

#[derive(Clone, Copy)]
struct Rule {
    kind: RuleKind,
    day: i32,
    week: i32,
    mon: i32,
    time: i32,
}

fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

fn getzname(s: &[u8], mut i: usize) -> usize {
    loop {
        let c = at(s, i);
        if c == 0 || c.is_ascii_digit() || c == b',' || c == b'-' || c == b'+' {
            return i;
        }
        i += 1;
    }
}

fn getqzname(s: &[u8], mut i: usize, delim: u8) -> usize {
    loop {
        let c = at(s, i);
        if c == 0 || c == delim {
            return i;
        }
        i += 1;
    }
}

fn getnum(s: &[u8], mut i: usize, min: i32, max: i32) -> Option<(usize, i32)> {
    let mut c = at(s, i);
    if !c.is_ascii_digit() {
        return None;
    }
    let mut num: i32 = 0;
    loop {
        num = num * 10 + (c - b'0') as i32;
        if num > max {
            return None;
        }
        i += 1;
        c = at(s, i);
        if !c.is_ascii_digit() {
            break;
        }
    }
    if num < min {
        return None;
    }
    Some((i, num))
}

fn getsecs(s: &[u8], i: usize) -> Option<(usize, i32)> {
    let (mut i, num) = getnum(s, i, 0, 24 * 7 - 1)?;
    let mut secs = num * SECSPERHOUR;
    if at(s, i) == b':' {
        let (j, num) = getnum(s, i + 1, 0, 59)?;
        i = j;
        secs += num * 60;
        if at(s, i) == b':' {
            let (j, num) = getnum(s, i + 1, 0, 60)?;
            i = j;
            secs += num;
        }
    }
    Some((i, secs))
}

fn getoffset(s: &[u8], mut i: usize) -> Option<(usize, i32)> {
    let mut neg = false;
    if at(s, i) == b'-' {
        neg = true;
        i += 1;
    } else if at(s, i) == b'+' {
        i += 1;
    }
    let (i, secs) = getsecs(s, i)?;
    Some((i, if neg { -secs } else { secs }))
}

fn getrule(s: &[u8], mut i: usize) -> Option<(usize, Rule)> {
    let mut rule = Rule { kind: RuleKind::JulianDay, day: 0, week: 0, mon: 0, time: 0 };
    let c = at(s, i);
    if c == b'J' {
        rule.kind = RuleKind::JulianDay;
        let (j, d) = getnum(s, i + 1, 1, 365)?;
        i = j;
        rule.day = d;
    } else if c == b'M' {
        rule.kind = RuleKind::MonthNthDayOfWeek;
        let (j, m) = getnum(s, i + 1, 1, 12)?;
        rule.mon = m;
        if at(s, j) != b'.' {
            return None;
        }
        let (j, w) = getnum(s, j + 1, 1, 5)?;
        rule.week = w;
        if at(s, j) != b'.' {
            return None;
        }
        let (j, d) = getnum(s, j + 1, 0, 6)?;
        rule.day = d;
        i = j;
    } else if c.is_ascii_digit() {
        rule.kind = RuleKind::DayOfYear;
        let (j, d) = getnum(s, i, 0, 365)?;
        rule.day = d;
        i = j;
    } else {
        return None;
    }
    if at(s, i) == b'/' {
        let (j, t) = getoffset(s, i + 1)?;
        rule.time = t;
        i = j;
    } else {
        rule.time = 2 * SECSPERHOUR;
    }
    Some((i, rule))
}

fn transtime(year: i32, rule: &Rule, offset: i32) -> i32 {
    let leapyear = super::calendar::isleap(year) as usize;
    let value = match rule.kind {
        RuleKind::JulianDay => {
            let mut v = (rule.day - 1) * 86400;
            if leapyear == 1 && rule.day >= 60 {
                v += 86400;
            }
            v
        }
        RuleKind::DayOfYear => rule.day * 86400,
        RuleKind::MonthNthDayOfWeek => {
            let m1 = (rule.mon + 9) % 12 + 1;
            let yy0 = if rule.mon <= 2 { year - 1 } else { year };
            let yy1 = yy0 / 100;
            let yy2 = yy0 % 100;
            let mut dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7;
            if dow < 0 {
                dow += 7;
            }
            let mut d = rule.day - dow;
            if d < 0 {
                d += 7;
            }
            for _ in 1..rule.week {
                if d + 7 >= MON_LENGTHS[leapyear][(rule.mon - 1) as usize] {
                    break;
                }
                d += 7;
            }
            let mut v = d * 86400;
            for len in &MON_LENGTHS[leapyear][..(rule.mon - 1) as usize] {
                v += len * 86400;
            }
            v
        }
    };
    value + rule.time + offset
}

/// PostgreSQL's `tzparse` (no TZDEFRULES file: US rules are the default).
fn tzparse(name: &[u8], lastditch: bool) -> Option<ZoneState> {
    let s = name;
    let mut i = 0usize;
    let stdname: &[u8];
    let stdoffset: i32;
    if lastditch {
        stdname = s;
        i = s.len();
        stdoffset = 0;
    } else {
        if at(s, i) == b'<' {
            i += 1;
            let start = i;
            i = getqzname(s, i, b'>');
            if at(s, i) != b'>' {
                return None;
            }
            stdname = &s[start..i];
            i += 1;
        } else {
            let start = i;
            i = getzname(s, i);
            stdname = &s[start..i];
        }
        if at(s, i) == 0 {
            return None;
        }
        let (j, off) = getoffset(s, i)?;
        i = j;
        stdoffset = off;
    }
    let mut charcnt = stdname.len() + 1;
    if charcnt > CHARS_CAPACITY {
        return None;
    }
    let mut sp = ZoneState::default();
    let mut dstname: &[u8] = &[];
    if at(s, i) != 0 {
        if at(s, i) == b'<' {
            i += 1;
            let start = i;
            i = getqzname(s, i, b'>');
            if at(s, i) != b'>' {
                return None;
            }
            dstname = &s[start..i];
            i += 1;
        } else {
            let start = i;
            i = getzname(s, i);
            dstname = &s[start..i];
        }
        if dstname.is_empty() {
            return None;
        }
        charcnt += dstname.len() + 1;
        if charcnt > CHARS_CAPACITY {
            return None;
        }
        let dstoffset;
        let c = at(s, i);
        if c != 0 && c != b',' && c != b';' {
            let (j, off) = getoffset(s, i)?;
            i = j;
            dstoffset = off;
        } else {
            dstoffset = stdoffset - SECSPERHOUR;
        }
        let (rs, mut ri): (&[u8], usize) = if at(s, i) == 0 { (TZDEFRULESTRING, 0) } else { (s, i) };
        let c = at(rs, ri);
        if c != b',' && c != b';' {
            return None;
        }
        ri += 1;
        let (j, start) = getrule(rs, ri)?;
        ri = j;
        if at(rs, ri) != b',' {
            return None;
        }
        ri += 1;
        let (j, end) = getrule(rs, ri)?;
        ri = j;
        if at(rs, ri) != 0 {
            return None;
        }
        sp.ttis = vec![
            TtInfo { utoff: -stdoffset, isdst: false, desigidx: 0, ..Default::default() },
            TtInfo { utoff: -dstoffset, isdst: true, desigidx: stdname.len() + 1, ..Default::default() },
        ];
        sp.defaulttype = 0;
        let mut janfirst: i64 = 0;
        let janoffset: i64 = 0;
        let mut yearbeg = EPOCH_YEAR;
        loop {
            let yearsecs = YEAR_LENGTHS[super::calendar::isleap(yearbeg - 1) as usize] as i64 * 86400;
            yearbeg -= 1;
            janfirst -= yearsecs;
            if EPOCH_YEAR - (YEARSPERREPEAT as i32) / 2 >= yearbeg {
                break;
            }
        }
        let mut yearlim = yearbeg + YEARSPERREPEAT as i32 + 1;
        let mut year = yearbeg;
        while year < yearlim {
            let mut starttime = transtime(year, &start, stdoffset);
            let mut endtime = transtime(year, &end, dstoffset);
            let yearsecs = YEAR_LENGTHS[super::calendar::isleap(year) as usize] * 86400;
            let reversed = endtime < starttime;
            if reversed {
                std::mem::swap(&mut starttime, &mut endtime);
            }
            if reversed || (starttime < endtime && (endtime - starttime < yearsecs + (stdoffset - dstoffset))) {
                if TZ_MAX_TIMES - 2 < sp.ats.len() {
                    break;
                }
                sp.ats.push(janfirst + janoffset + starttime as i64);
                sp.types.push(!reversed as u8);
                sp.ats.push(janfirst + janoffset + endtime as i64);
                sp.types.push(reversed as u8);
                yearlim = year + YEARSPERREPEAT as i32 + 1;
            }
            janfirst += janoffset + yearsecs as i64;
            year += 1;
        }
        if sp.ats.is_empty() {
            sp.ttis = vec![sp.ttis[1]];
        } else if (YEARSPERREPEAT as i32) < year - yearbeg {
            sp.goback = true;
            sp.goahead = true;
        }
    } else {
        sp.ttis = vec![TtInfo { utoff: -stdoffset, isdst: false, desigidx: 0, ..Default::default() }];
        sp.defaulttype = 0;
    }
    sp.chars.extend_from_slice(stdname);
    sp.chars.push(0);
    if !dstname.is_empty() {
        sp.chars.extend_from_slice(dstname);
        sp.chars.push(0);
    }
    Some(sp)
}

// ---------------------------------------------------------------------------
// Lookups

/// Index of the ttinfo in force at `t` (`localsub`, including the
/// 400-year extrapolation for goback/goahead zones).
fn localsub_type(sp: &ZoneState, t: i64) -> Option<usize> {
    let n = sp.ats.len();
    if n > 0 && ((sp.goback && t < sp.ats[0]) || (sp.goahead && t > sp.ats[n - 1])) {
        let mut seconds = if t < sp.ats[0] { sp.ats[0].wrapping_sub(t) } else { t.wrapping_sub(sp.ats[n - 1]) };
        seconds = seconds.wrapping_sub(1);
        let years = (seconds / SECSPERREPEAT + 1).wrapping_mul(YEARSPERREPEAT);
        let seconds = years.wrapping_mul(AVGSECSPERYEAR);
        let newt = if t < sp.ats[0] { t.wrapping_add(seconds) } else { t.wrapping_sub(seconds) };
        if newt < sp.ats[0] || newt > sp.ats[n - 1] {
            return None;
        }
        return localsub_type(sp, newt);
    }
    if n == 0 || t < sp.ats[0] {
        return Some(sp.defaulttype);
    }
    let idx = sp.ats.partition_point(|&a| a <= t);
    Some(sp.types[idx - 1] as usize)
}

fn next_dst_boundary(sp: &ZoneState, t: i64) -> Boundary {
    let n = sp.ats.len();
    let tt = |i: usize| sp.ttis.get(i).copied().unwrap_or_default();
    if n == 0 {
        let i = first_std_type(sp);
        return Boundary::None { before_gmtoff: tt(i).utoff, before_isdst: tt(i).isdst };
    }
    if (sp.goback && t < sp.ats[0]) || (sp.goahead && t > sp.ats[n - 1]) {
        let mut seconds = if t < sp.ats[0] { sp.ats[0].wrapping_sub(t) } else { t.wrapping_sub(sp.ats[n - 1]) };
        seconds = seconds.wrapping_sub(1);
        let tcycles = seconds / YEARSPERREPEAT / AVGSECSPERYEAR + 1;
        let seconds = tcycles.wrapping_mul(YEARSPERREPEAT).wrapping_mul(AVGSECSPERYEAR);
        let newt = if t < sp.ats[0] { t.wrapping_add(seconds) } else { t.wrapping_sub(seconds) };
        if newt < sp.ats[0] || newt > sp.ats[n - 1] {
            return Boundary::Fail;
        }
        return match next_dst_boundary(sp, newt) {
            Boundary::Some { before_gmtoff, before_isdst, boundary, after_gmtoff, after_isdst } => Boundary::Some {
                before_gmtoff,
                before_isdst,
                boundary: if t < sp.ats[0] { boundary.wrapping_sub(seconds) } else { boundary.wrapping_add(seconds) },
                after_gmtoff,
                after_isdst,
            },
            other => other,
        };
    }
    if t >= sp.ats[n - 1] {
        let i = sp.types[n - 1] as usize;
        return Boundary::None { before_gmtoff: tt(i).utoff, before_isdst: tt(i).isdst };
    }
    if t < sp.ats[0] {
        let i = first_std_type(sp);
        let j = sp.types[0] as usize;
        return Boundary::Some {
            before_gmtoff: tt(i).utoff,
            before_isdst: tt(i).isdst,
            boundary: sp.ats[0],
            after_gmtoff: tt(j).utoff,
            after_isdst: tt(j).isdst,
        };
    }
    let mut lo = 1usize;
    let mut hi = n - 1;
    while lo < hi {
        let mid = (lo + hi) >> 1;
        if t < sp.ats[mid] {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let b = tt(sp.types[lo - 1] as usize);
    let a = tt(sp.types[lo] as usize);
    Boundary::Some { before_gmtoff: b.utoff, before_isdst: b.isdst, boundary: sp.ats[lo], after_gmtoff: a.utoff, after_isdst: a.isdst }
}

/// `pg_interpret_timezone_abbrev`: the offset (seconds east) and DST flag an
/// upper-cased abbreviation had in this zone at or nearest before `t`.
fn interpret_abbrev(sp: &ZoneState, abbrev: &[u8], t: i64) -> Option<(i32, bool)> {
    let mut abbrind = 0usize;
    let charcnt = sp.chars.len();
    while abbrind < charcnt {
        if cstr_at(&sp.chars, abbrind).as_bytes() == abbrev {
            break;
        }
        while abbrind < charcnt && sp.chars[abbrind] != 0 {
            abbrind += 1;
        }
        abbrind += 1;
    }
    if abbrind >= charcnt {
        return None;
    }
    let cutoff = sp.ats.partition_point(|&a| a <= t);
    for i in (0..cutoff).rev() {
        let tt = sp.ttis.get(sp.types[i] as usize)?;
        if tt.desigidx == abbrind {
            return Some((tt.utoff, tt.isdst));
        }
    }
    for i in cutoff..sp.ats.len() {
        let tt = sp.ttis.get(sp.types[i] as usize)?;
        if tt.desigidx == abbrind {
            return Some((tt.utoff, tt.isdst));
        }
    }
    None
}

/// Resolves a `Default` abbreviation entry's zone (always present).
pub(crate) fn dynamic_zone(zone: &str) -> Result<TimeZone> {
    TimeZone::load(zone).ok_or_else(|| Error::new(SqlState::CONFIG_FILE_ERROR, format!("time zone \"{zone}\" not recognized")))
}
