//! Tests against results recorded from PostgreSQL 15.18.
//!
//! `pgref_cases.tsv` holds one case per line: DateStyle, TimeZone,
//! IntervalStyle, an operation, its text arguments, and what PostgreSQL
//! returned (`OK:<text>`, `NULL`, or `ERR:<sqlstate>:<message>` with
//! `|D:<detail>` / `|H:<hint>`). `run_case_at` evaluates the same operation
//! with this module; the operation names mirror the SQL that
//! `tools/record_pgref.py` ran (see `tools/README.md`).

use super::*;

fn fmt_err(e: &Error) -> String {
    let mut s = format!("ERR:{}:{}", e.code, e.message);
    if let Some(d) = &e.detail {
        s.push_str("|D:");
        s.push_str(d);
    }
    if let Some(h) = &e.hint {
        s.push_str("|H:");
        s.push_str(h);
    }
    s
}

/// PostgreSQL's float8out (shortest round-trip digits, exponent form
/// outside 1e-4 ..< 1e15).
fn float8out(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let sci = format!("{:e}", v.abs());
    let (mant, exp) = sci.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if v < 0.0 { "-" } else { "" };
    if !(-4..15).contains(&exp) {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        return format!("{sign}{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let n = digits.len() as i32;
    if exp < 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
    } else if exp + 1 >= n {
        format!("{sign}{digits}{}", "0".repeat((exp + 1 - n) as usize))
    } else {
        let (a, b) = digits.split_at((exp + 1) as usize);
        format!("{sign}{a}.{b}")
    }
}

fn float8in(s: &str) -> Result<f64> {
    let t = s.trim();
    let l = t.to_ascii_lowercase();
    let v = match l.as_str() {
        "nan" => f64::NAN,
        "infinity" | "inf" | "+infinity" | "+inf" => f64::INFINITY,
        "-infinity" | "-inf" => f64::NEG_INFINITY,
        _ => t
            .parse::<f64>()
            .map_err(|_| Error::new(SqlState::INVALID_TEXT_REPRESENTATION, format!("invalid input syntax for type double precision: \"{s}\"")))?,
    };
    Ok(v)
}

fn int4in(s: &str) -> Result<i32> {
    s.trim().parse::<i32>().map_err(|_| Error::new(SqlState::INVALID_TEXT_REPRESENTATION, format!("invalid input syntax for type integer: \"{s}\"")))
}

fn interval_typmod_from(spec: &str) -> Result<i32> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Ok(-1);
    }
    let (fields, prec) = match spec.find('(') {
        Some(i) => (spec[..i].trim(), Some(spec[i + 1..spec.len() - 1].parse::<i32>().unwrap())),
        None => (spec, None),
    };
    use IntervalFields::*;
    let f = match fields {
        "" => None,
        "year" => Some(Year),
        "month" => Some(Month),
        "day" => Some(Day),
        "hour" => Some(Hour),
        "minute" => Some(Minute),
        "second" => Some(Second),
        "year to month" => Some(YearToMonth),
        "day to hour" => Some(DayToHour),
        "day to minute" => Some(DayToMinute),
        "day to second" => Some(DayToSecond),
        "hour to minute" => Some(HourToMinute),
        "hour to second" => Some(HourToSecond),
        "minute to second" => Some(MinuteToSecond),
        other => panic!("bad interval typmod spec {other}"),
    };
    interval_typmod(f, prec)
}

fn prec(spec: &str) -> i32 {
    if spec.is_empty() { -1 } else { spec.parse().unwrap() }
}

/// Evaluates one recorded operation; mirrors gen/run_pg.py's SQL.
fn run_case_at(ds: &str, tz: &str, is: &str, op: &str, a: &[&str], now: i64) -> String {
    let settings = DateStyle::parse_setting(ds).and_then(|ds| Ok((ds, TimeZone::parse_setting(tz)?, IntervalStyle::parse_setting(is)?)));
    let (ds, tz, is) = match settings {
        Ok(s) => s,
        Err(e) => return fmt_err(&e),
    };
    let ctx = ParseContext { date_style: ds, interval_style: is, time_zone: &tz, now };
    let r = eval(&ctx, op, a);
    match r {
        Ok(Some(s)) => format!("OK:{s}"),
        Ok(None) => "NULL".into(),
        Err(e) => fmt_err(&e),
    }
}

fn eval(ctx: &ParseContext, op: &str, a: &[&str]) -> Result<Option<String>> {
    let ds = &ctx.date_style;
    let tz = ctx.time_zone;
    let is = ctx.interval_style;
    let date = |s: &str| date_in(s, -1, ctx);
    let ts = |s: &str| timestamp_in(s, -1, ctx);
    let tstz = |s: &str| timestamptz_in(s, -1, ctx);
    let time = |s: &str| time_in(s, -1, ctx);
    let iv = |s: &str| interval_in(s, -1, ctx);
    let dout = |d: i32| Ok(Some(date_out(d, ds)));
    let tsout = |t: i64| timestamp_out(t, ds).map(Some);
    let tstzout = |t: i64| timestamptz_out(t, ds, tz).map(Some);
    let ivout = |v: Interval| Ok(Some(interval_out(v, is)));
    let fout = |v: Option<f64>| Ok(v.map(float8out));
    let cmp = |o: std::cmp::Ordering| Ok(Some((o as i32).to_string()));
    match op {
        "date" => dout(date(a[0])?),
        "time" => Ok(Some(time_out(time_in(a[1], prec(a[0]), ctx)?))),
        "timestamp" => tsout(timestamp_in(a[1], prec(a[0]), ctx)?),
        "timestamptz" => tstzout(timestamptz_in(a[1], prec(a[0]), ctx)?),
        "interval" => {
            let typmod = interval_typmod_from(a[0])?;
            ivout(interval_in(a[1], typmod, ctx)?)
        }
        "date_pli" => dout(date_pli(date(a[0])?, int4in(a[1])?)?),
        "date_mii" => dout(date_mii(date(a[0])?, int4in(a[1])?)?),
        "date_mi" => Ok(Some(date_mi(date(a[0])?, date(a[1])?)?.to_string())),
        "date_pl_iv" => tsout(date_pl_interval(date(a[0])?, iv(a[1])?)?),
        "date_mi_iv" => tsout(date_mi_interval(date(a[0])?, iv(a[1])?)?),
        "date_pl_time" => tsout(datetime_timestamp(date(a[0])?, time(a[1])?)?),
        "ts_pl_iv" => tsout(timestamp_pl_interval(ts(a[0])?, iv(a[1])?)?),
        "ts_mi_iv" => tsout(timestamp_mi_interval(ts(a[0])?, iv(a[1])?)?),
        "tstz_pl_iv" => tstzout(timestamptz_pl_interval(tstz(a[0])?, iv(a[1])?, tz)?),
        "tstz_mi_iv" => tstzout(timestamptz_mi_interval(tstz(a[0])?, iv(a[1])?, tz)?),
        "ts_mi_ts" => ivout(timestamp_mi(ts(a[0])?, ts(a[1])?)?),
        "tstz_mi_tstz" => ivout(timestamp_mi(tstz(a[0])?, tstz(a[1])?)?),
        "iv_pl" => ivout(interval_pl(iv(a[0])?, iv(a[1])?)?),
        "iv_mi" => ivout(interval_mi(iv(a[0])?, iv(a[1])?)?),
        "iv_mul" => {
            let v = iv(a[0])?;
            ivout(interval_mul(v, float8in(a[1])?)?)
        }
        "iv_div" => {
            let v = iv(a[0])?;
            ivout(interval_div(v, float8in(a[1])?)?)
        }
        "iv_um" => ivout(interval_um(iv(a[0])?)?),
        "iv_cmp" => cmp(interval_cmp(iv(a[0])?, iv(a[1])?)),
        "justify_days" => ivout(justify_days(iv(a[0])?)?),
        "justify_hours" => ivout(justify_hours(iv(a[0])?)?),
        "justify_interval" => ivout(justify_interval(iv(a[0])?)?),
        "age_ts" => ivout(timestamp_age(ts(a[0])?, ts(a[1])?)?),
        "age_tstz" => ivout(timestamptz_age(tstz(a[0])?, tstz(a[1])?, tz)?),
        "trunc_ts" => tsout(timestamp_trunc(a[0], ts(a[1])?)?),
        "trunc_tstz" => tstzout(timestamptz_trunc(a[0], tstz(a[1])?, tz)?),
        "trunc_tstz_zone" => tstzout(timestamptz_trunc_zone(a[0], tstz(a[1])?, a[2])?),
        "trunc_iv" => ivout(interval_trunc(a[0], iv(a[1])?)?),
        "bin_ts" => {
            let s = iv(a[0])?;
            tsout(timestamp_bin(s, ts(a[1])?, ts(a[2])?)?)
        }
        "bin_tstz" => {
            let s = iv(a[0])?;
            tstzout(timestamptz_bin(s, tstz(a[1])?, tstz(a[2])?)?)
        }
        "part_date" => fout(date_part(a[0], date(a[1])?)?),
        "part_ts" => fout(timestamp_part(a[0], ts(a[1])?)?),
        "part_tstz" => fout(timestamptz_part(a[0], tstz(a[1])?, tz)?),
        "part_time" => fout(Some(time_part(a[0], time(a[1])?)?)),
        "part_iv" => fout(Some(interval_part(a[0], iv(a[1])?)?)),
        "ext_date" => extract_date(a[0], date(a[1])?),
        "ext_ts" => extract_timestamp(a[0], ts(a[1])?),
        "ext_tstz" => extract_timestamptz(a[0], tstz(a[1])?, tz),
        "ext_time" => extract_time(a[0], time(a[1])?).map(Some),
        "ext_iv" => extract_interval(a[0], iv(a[1])?).map(Some),
        "make_date" => dout(make_date(int4in(a[0])?, int4in(a[1])?, int4in(a[2])?)?),
        "make_time" => Ok(Some(time_out(make_time(int4in(a[0])?, int4in(a[1])?, float8in(a[2])?)?))),
        "make_timestamp" => tsout(make_timestamp(int4in(a[0])?, int4in(a[1])?, int4in(a[2])?, int4in(a[3])?, int4in(a[4])?, float8in(a[5])?)?),
        "make_timestamptz" => {
            tstzout(make_timestamptz(int4in(a[0])?, int4in(a[1])?, int4in(a[2])?, int4in(a[3])?, int4in(a[4])?, float8in(a[5])?, tz)?)
        }
        "make_timestamptz_z" => {
            tstzout(make_timestamptz_at_timezone(int4in(a[0])?, int4in(a[1])?, int4in(a[2])?, int4in(a[3])?, int4in(a[4])?, float8in(a[5])?, a[6])?)
        }
        "make_interval" => {
            ivout(make_interval(int4in(a[0])?, int4in(a[1])?, int4in(a[2])?, int4in(a[3])?, int4in(a[4])?, int4in(a[5])?, float8in(a[6])?)?)
        }
        "to_timestamp" => tstzout(to_timestamp(float8in(a[0])?)?),
        "ts_at_zone" => tstzout(timestamp_zone(a[0], ts(a[1])?)?),
        "tstz_at_zone" => tsout(timestamptz_zone(a[0], tstz(a[1])?)?),
        "ts_at_izone" => {
            let z = iv(a[0])?;
            tstzout(timestamp_izone(z, ts(a[1])?, is)?)
        }
        "tstz_at_izone" => {
            let z = iv(a[0])?;
            tsout(timestamptz_izone(z, tstz(a[1])?, is)?)
        }
        "ts2date" => dout(timestamp_date(ts(a[0])?)?),
        "tstz2date" => dout(timestamptz_date(tstz(a[0])?, tz)?),
        "date2ts" => tsout(date_timestamp(date(a[0])?)?),
        "date2tstz" => tstzout(date_timestamptz(date(a[0])?, tz)?),
        "ts2tstz" => tstzout(timestamp_timestamptz(ts(a[0])?, tz)?),
        "tstz2ts" => tsout(timestamptz_timestamp(tstz(a[0])?, tz)?),
        "ts2time" => Ok(timestamp_time(ts(a[0])?)?.map(time_out)),
        "tstz2time" => Ok(timestamptz_time(tstz(a[0])?, tz)?.map(time_out)),
        "time2iv" => ivout(time_interval(time(a[0])?)),
        "iv2time" => Ok(Some(time_out(interval_time(iv(a[0])?)))),
        "time_mi_time" => ivout(time_mi_time(time(a[0])?, time(a[1])?)),
        "time_pl_iv" => Ok(Some(time_out(time_pl_interval(time(a[0])?, iv(a[1])?)))),
        "time_mi_iv" => Ok(Some(time_out(time_mi_interval(time(a[0])?, iv(a[1])?)))),
        "isfinite_date" => Ok(Some(if date_finite(date(a[0])?) { "true" } else { "false" }.into())),
        "isfinite_ts" => Ok(Some(if timestamp_finite(ts(a[0])?) { "true" } else { "false" }.into())),
        "date_cmp_ts" => cmp(date_cmp_timestamp(date(a[0])?, ts(a[1])?)),
        "date_cmp_tstz" => cmp(date_cmp_timestamptz(date(a[0])?, tstz(a[1])?, tz)),
        "ts_cmp_tstz" => cmp(timestamp_cmp_timestamptz(ts(a[0])?, tstz(a[1])?, tz)),
        "age_today_ts" => ivout(timestamp_age_today(ts(a[0])?, ctx.now, tz)?),
        "age_today_tstz" => ivout(timestamptz_age_today(tstz(a[0])?, ctx.now, tz)?),
        "current_date" => dout(current_date(ctx.now, tz)?),
        "localtimestamp" => tsout(local_timestamp(ctx.now, tz, -1)?),
        "localtimestamp3" => tsout(local_timestamp(ctx.now, tz, 3)?),
        "localtime" => Ok(Some(time_out(local_time(ctx.now, tz, -1)?))),
        "localtime0" => Ok(Some(time_out(local_time(ctx.now, tz, 0)?))),
        "current_timestamp1" => tstzout(current_timestamp(ctx.now, 1)?),
        "overlaps" => {
            let v = |s: &str| {
                if s == "\\N" { Ok(None) } else { ts(s).map(Some) }
            };
            Ok(overlaps_timestamp(v(a[0])?, v(a[1])?, v(a[2])?, v(a[3])?).map(|b| b.to_string()))
        }
        "series_ts" | "series_tstz" => {
            let step = iv(a[2])?;
            let it = if op == "series_ts" {
                generate_series_timestamp(ts(a[0])?, ts(a[1])?, step)?
            } else {
                generate_series_timestamptz(tstz(a[0])?, tstz(a[1])?, step, tz)?
            };
            let mut out = Vec::new();
            for v in it {
                let v = v?;
                out.push(if op == "series_ts" { timestamp_out(v, ds)? } else { timestamptz_out(v, ds, tz)? });
            }
            Ok((!out.is_empty()).then(|| out.join(",")))
        }
        "settz" => Ok(Some(TimeZone::parse_setting(a[0])?.name().to_string())),
        "setds" => Ok(Some(ds.apply_setting(a[0])?.to_setting_string())),
        "setis" => Ok(Some(IntervalStyle::parse_setting(a[0])?.to_setting_string().to_string())),
        "typmod_iv" => Ok(Some(format!("interval{}", interval_typmod_out(int4in(a[0])?)?))),
        other => panic!("unknown op {other}"),
    }
}

/// Runs every case of a TSV table; returns the mismatches.
fn check_table(data: &str) -> (usize, Vec<String>) {
    let mut n = 0;
    let mut bad = Vec::new();
    for line in data.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let (ds, tz, is, op) = (cols[0], cols[1], cols[2], cols[3]);
        let mut expected = cols[cols.len() - 1].to_string();
        let args = &cols[4..cols.len() - 1];
        let mut now = 0;
        let mut op = op.to_string();
        let mut nargs: Vec<&str> = args.to_vec();
        if let Some(f) = op.strip_prefix("nowf_").map(str::to_string) {
            if let Some((n, rest)) = expected.strip_prefix("OK:").and_then(|r| r.split_once('|')) {
                now = n.parse().unwrap();
                expected = format!("OK:{rest}");
            }
            op = f;
        } else if let Some(ty) = op.strip_prefix("now_").map(str::to_string) {
            // The recorder prefixes PostgreSQL's transaction time; the
            // value itself is cast without a typmod.
            if let Some((n, rest)) = expected.strip_prefix("OK:").and_then(|r| r.split_once('|')) {
                now = n.parse().unwrap();
                expected = format!("OK:{rest}");
            }
            if ty != "date" {
                nargs.insert(0, "");
            }
            op = ty;
        }
        let got = std::panic::catch_unwind(|| run_case_at(ds, tz, is, &op, &nargs, now)).unwrap_or_else(|_| "PANIC".to_string());
        n += 1;
        // float8 results: shortest round-trip digits may legitimately differ
        // in a tie (Ryu vs Rust), so compare the values.
        let same_float = op.starts_with("part_")
            && matches!(
                (got.strip_prefix("OK:").map(float8in), expected.strip_prefix("OK:").map(float8in)),
                (Some(Ok(g)), Some(Ok(e))) if g == e || (g.is_nan() && e.is_nan())
            );
        if got != expected && !same_float {
            bad.push(format!("{line}\n    got: {got}"));
        }
    }
    (n, bad)
}

#[test]
fn pgref_cases() {
    let (n, bad) = check_table(include_str!("pgref_cases.tsv"));
    assert!(bad.is_empty(), "{} of {n} cases differ:\n{}", bad.len(), bad.join("\n"));
}

/// Ad-hoc differential run: `DATETIME_CASES=file.tsv cargo test pgref_file -- --nocapture`.
#[test]
fn pgref_file() {
    let Ok(path) = std::env::var("DATETIME_CASES") else {
        return;
    };
    let data = std::fs::read_to_string(path).unwrap();
    let (n, bad) = check_table(&data);
    for b in bad.iter().take(400) {
        println!("{b}");
    }
    println!("{} of {n} differ", bad.len());
}

/// A tiny deterministic generator (no external crates).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn i64(&mut self) -> i64 {
        match self.next() % 8 {
            0 => [i64::MIN, i64::MAX, i64::MIN + 1, i64::MAX - 1, 0, -1, 1][(self.next() % 7) as usize],
            1 => [END_TIMESTAMP, END_TIMESTAMP - 1, MIN_TIMESTAMP, MIN_TIMESTAMP - 1][(self.next() % 4) as usize],
            2 => (self.next() % 200_000_000_000_000_000) as i64 - 100_000_000_000_000_000,
            3 => (self.next() % 2_000_000_000_000) as i64 - 1_000_000_000_000,
            _ => self.next() as i64,
        }
    }
    fn i32(&mut self) -> i32 {
        match self.next() % 6 {
            0 => [i32::MIN, i32::MAX, i32::MIN + 1, i32::MAX - 1, 0, -1, 1][(self.next() % 7) as usize],
            1 => (self.next() % 20_000) as i32 - 10_000,
            2 => (self.next() % 400) as i32 - 200,
            _ => self.next() as i32,
        }
    }
    fn f64(&mut self) -> f64 {
        match self.next() % 6 {
            0 => [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, 1e300, -1e300, 0.5][(self.next() % 8) as usize],
            1 => (self.next() % 1000) as f64 / 7.0 - 70.0,
            2 => f64::from_bits(self.next()),
            _ => (self.next() as i64) as f64 / 1e6,
        }
    }
    fn interval(&mut self) -> Interval {
        Interval { months: self.i32(), days: self.i32(), micros: self.i64() }
    }
}

/// Every public function on arbitrary representation values: errors are
/// fine, panics (including arithmetic overflow in debug builds) are not.
#[test]
fn no_panics_on_arbitrary_values() {
    let seed = std::env::var("DATETIME_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x9E37_79B9_7F4A_7C15u64);
    let iters = std::env::var("DATETIME_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(3_000usize);
    let mut r = Rng(seed);
    let zones: Vec<TimeZone> =
        ["UTC", "America/New_York", "Asia/Kathmandu", "<+03>-3", "FOO5BAR"].iter().map(|z| TimeZone::parse_setting(z).unwrap()).collect();
    let units = [
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "millisecond",
        "microsecond",
        "week",
        "quarter",
        "decade",
        "century",
        "millennium",
        "epoch",
        "julian",
        "dow",
        "isodow",
        "doy",
        "isoyear",
        "timezone",
        "timezone_hour",
        "timezone_minute",
        "foo",
    ];
    let styles = [IntervalStyle::Postgres, IntervalStyle::PostgresVerbose, IntervalStyle::SqlStandard, IntervalStyle::Iso8601];
    for i in 0..iters {
        let tz = &zones[i % zones.len()];
        let ds = DateStyle {
            style: [OutputStyle::Iso, OutputStyle::Postgres, OutputStyle::Sql, OutputStyle::German][i % 4],
            order: [DateOrder::Mdy, DateOrder::Dmy, DateOrder::Ymd][i % 3],
        };
        let (a, b, d, t) = (r.i64(), r.i64(), r.i32(), r.i64());
        let (iv, iv2, f) = (r.interval(), r.interval(), r.f64());
        let u = units[i % units.len()];
        let _ = date_out(d, &ds);
        let _ = time_out(t.rem_euclid(USECS_PER_DAY + 1));
        let _ = timestamp_out(a, &ds);
        let _ = timestamptz_out(a, &ds, tz);
        let _ = interval_out(iv, styles[i % 4]);
        let _ = (date_pli(d, r.i32()), date_mii(d, r.i32()), date_mi(d, r.i32()));
        let _ = (date_pl_interval(d, iv), date_mi_interval(d, iv), datetime_timestamp(d, t));
        let _ = (timestamp_pl_interval(a, iv), timestamp_mi_interval(a, iv));
        let _ = (timestamptz_pl_interval(a, iv, tz), timestamptz_mi_interval(a, iv, tz));
        let _ = (timestamp_mi(a, b), timestamp_age(a, b), timestamptz_age(a, b, tz));
        let _ = (interval_pl(iv, iv2), interval_mi(iv, iv2), interval_um(iv));
        let _ = (interval_mul(iv, f), interval_div(iv, f), interval_cmp(iv, iv2), interval_hash_key(iv));
        let _ = (justify_days(iv), justify_hours(iv), justify_interval(iv));
        let _ = (timestamp_trunc(u, a), timestamptz_trunc(u, a, tz), interval_trunc(u, iv));
        let _ = (timestamp_part(u, a), extract_timestamp(u, a), timestamptz_part(u, a, tz));
        let _ = (extract_timestamptz(u, a, tz), date_part(u, d), extract_date(u, d));
        let _ = (time_part(u, t), extract_time(u, t), interval_part(u, iv), extract_interval(u, iv));
        let _ = (timestamp_bin(iv, a, b), timestamptz_bin(iv, a, b));
        let _ = (date_timestamp(d), date_timestamptz(d, tz), timestamp_date(a), timestamptz_date(a, tz));
        let _ = (timestamp_timestamptz(a, tz), timestamptz_timestamp(a, tz));
        let _ = (timestamp_time(a), timestamptz_time(a, tz), interval_time(iv), time_interval(t));
        let _ = (time_pl_interval(t, iv), time_mi_interval(t, iv), time_mi_time(t, b));
        let _ = (timestamp_zone("America/Chicago", a), timestamptz_zone("MSK", a), timestamp_zone("PST", a));
        let _ = (timestamp_izone(iv, a, styles[0]), timestamptz_izone(iv, a, styles[0]));
        let _ = timestamptz_trunc_zone(u, a, "Europe/Paris");
        let _ = (date_cmp_timestamp(d, a), date_cmp_timestamptz(d, a, tz), timestamp_cmp_timestamptz(a, b, tz));
        let _ = (make_date(r.i32(), r.i32(), r.i32()), make_time(r.i32(), r.i32(), f));
        let _ = make_timestamp(r.i32(), r.i32() % 14, r.i32() % 32, r.i32() % 25, r.i32() % 61, f);
        let _ = make_timestamptz(r.i32(), r.i32() % 14, r.i32() % 32, 1, 2, f, tz);
        let _ = make_timestamptz_at_timezone(r.i32() % 3000, 1, 1, 0, 0, f, "Asia/Tokyo");
        let _ = make_interval(r.i32(), r.i32(), r.i32(), r.i32(), r.i32(), r.i32(), f);
        let _ = (to_timestamp(f), timestamp_scale(a, (i % 9) as i32 - 1), time_scale(t, (i % 9) as i32 - 1));
        let _ = (interval_scale(iv, r.i32()), interval_typmod_out(r.i32()));
        let _ = tz.utc_offset_at_utc(a);
        let _ = tz.utc_offset_for_local(a);
        let _ = (timestamp_recv(&a.to_be_bytes(), -1), date_recv(&d.to_be_bytes()));
        let _ = interval_recv(&interval_send(iv), r.i32());
    }
}

#[test]
fn binary_round_trip() {
    let iv = Interval { months: 14, days: -3, micros: 123_456_789 };
    assert_eq!(interval_recv(&interval_send(iv), -1).unwrap(), iv);
    assert_eq!(date_recv(&date_send(-730_120)).unwrap(), -730_120);
    assert_eq!(date_send(1), [0, 0, 0, 1]);
    assert_eq!(time_recv(&time_send(USECS_PER_DAY), -1).unwrap(), USECS_PER_DAY);
    assert!(time_recv(&time_send(USECS_PER_DAY + 1), -1).is_err());
    assert_eq!(timestamp_recv(&timestamp_send(TIMESTAMP_NOEND), -1).unwrap(), TIMESTAMP_NOEND);
    assert!(timestamp_recv(&timestamp_send(END_TIMESTAMP), -1).is_err());
    assert!(date_recv(&[0, 1]).is_err());
}

#[test]
fn interval_equality_and_hash_follow_sql() {
    let gmt = TimeZone::gmt();
    let ctx = ParseContext::default_for(&gmt);
    let a = interval_in("1 mon", -1, &ctx).unwrap();
    let b = interval_in("30 days", -1, &ctx).unwrap();
    let c = interval_in("720 hours", -1, &ctx).unwrap();
    assert_eq!(interval_cmp(a, b), std::cmp::Ordering::Equal);
    assert_eq!(interval_cmp(b, c), std::cmp::Ordering::Equal);
    assert_eq!(interval_hash_key(a), interval_hash_key(c));
    assert_ne!(a, b, "derived PartialEq is field-wise");
}

#[test]
fn settings_round_trip() {
    assert_eq!(DateStyle::parse_setting("sql, dmy").unwrap().to_setting_string(), "SQL, DMY");
    assert_eq!(DateStyle::parse_setting("German").unwrap().to_setting_string(), "German, DMY");
    let ny = TimeZone::parse_setting("america/new_york").unwrap();
    assert_eq!(ny.name(), "America/New_York");
    // 2024-03-10 02:30 does not exist in New York: PostgreSQL uses the
    // offset before the transition (EST); 01:30 on 2024-11-03 is ambiguous
    // and takes the later (EST) reading.
    let ctx = ParseContext::default_for(&ny);
    let t = timestamp_in("2024-03-10 02:30", -1, &ctx).unwrap();
    assert_eq!(ny.utc_offset_for_local(t), -5 * 3600);
    let t = timestamp_in("2024-11-03 01:30", -1, &ctx).unwrap();
    assert_eq!(ny.utc_offset_for_local(t), -5 * 3600);
    let utc = timestamptz_in("2024-07-01 00:00+00", -1, &ctx).unwrap();
    assert_eq!(ny.utc_offset_at_utc(utc), -4 * 3600);
    assert_eq!(ny.abbrev_at_utc(utc), "EDT");
    assert_eq!(TimeZone::parse_setting("-3.5").unwrap().name(), "<-03:30>+03:30");
    assert!(zone_names().contains(&"Europe/Berlin"));
}
