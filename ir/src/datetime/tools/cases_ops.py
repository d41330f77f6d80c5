#!/usr/bin/env python3
"""Generates function/arithmetic cases (TSV) for run_pg.py."""
import random, itertools
random.seed(7)
out = []
def add(op, *args, ds="ISO, MDY", tz="UTC", ist="postgres"):
    out.append("\t".join((ds, tz, ist, op) + tuple(str(a) for a in args)))

S = [("ISO, MDY", "UTC", "postgres"), ("Postgres, DMY", "America/New_York", "postgres_verbose"),
     ("SQL, MDY", "Europe/London", "sql_standard"), ("German, DMY", "Asia/Kolkata", "iso_8601"),
     ("ISO, YMD", "Australia/Lord_Howe", "postgres"), ("ISO, MDY", "PST8PDT", "postgres")]
dates = ["2000-01-01", "2000-02-29", "2001-01-31", "1999-12-31", "2024-03-10", "2024-11-03", "0001-01-01",
         "4713-11-24 BC", "5874897-12-31", "294276-12-31", "infinity", "-infinity", "1970-01-01", "2038-01-19",
         "1582-10-10", "2020-12-31", "2021-01-03", "2008-12-29", "2010-01-03", "0044-03-15 BC", "1900-02-28",
         "10000-01-01", "2000-12-31"]
tss = ["2000-01-01 00:00:00", "2000-02-29 12:34:56.789012", "2001-01-31 23:59:59.999999", "1999-12-31 24:00:00",
       "2024-03-10 02:30:00", "2024-11-03 01:30:00", "2024-03-31 02:30:00", "2024-10-27 02:30:00", "0001-01-01 00:00:00",
       "4713-11-24 00:00:00 BC", "294276-12-31 23:59:59.999999", "infinity", "-infinity", "1970-01-01 00:00:00",
       "2038-01-19 03:14:07", "1883-11-18 12:00:00", "1800-06-01 10:00", "2100-07-04 12:00", "2500-03-14 02:30:00",
       "2020-12-31 23:59:59.5", "2021-01-03 12:00", "2008-12-29 00:00", "1000-01-01 00:00", "0010-06-15 08:30 BC"]
tstzs = tss + ["2000-01-01 00:00:00+05:30", "2024-03-10 12:00 America/New_York", "2024-06-30 23:59:59.123-07",
               "1910-01-01 00:00 Europe/Amsterdam", "2014-10-26 01:30 Europe/Moscow", "2000-01-01 12:00 PST",
               "2000-07-01 12:00 EDT", "2000-01-01 12:00 MSK"]
ivs = ["1 day", "1 mon", "1 year", "-1 mon", "1 mon -1 day", "25 hours", "-25 hours", "1 day -1 sec",
       "1 year 2 mons 3 days 04:05:06.789", "0", "-1 year -2 mons +3 days -04:05:06", "30 days", "31 days",
       "1.5 mons", "0.5 years", "1 mon 29 days 23:59:59.999999", "2147483647 days", "-2147483648 days",
       "178956970 years 7 mons", "-178956970 years -8 mons", "2562047788 hours", "1 week", "00:00:00.000001",
       "-00:00:00.5", "12 mons", "360 days", "8760 hours", "P1Y2M3DT4H5M6.5S", "1 century", "1000 years"]
times = ["00:00", "12:34:56.789", "23:59:59.999999", "24:00:00", "01:02:03", "13:00", "00:00:00.5"]
units = ["microseconds", "milliseconds", "second", "minute", "hour", "day", "week", "month", "quarter", "year",
         "decade", "century", "millennium", "epoch", "dow", "isodow", "doy", "isoyear", "julian", "timezone",
         "timezone_hour", "timezone_minute", "foo", "us", "ms", "s", "MiNuTe", "days", "yrs", "now", "jan"]
zones = ["UTC", "America/New_York", "EST", "PST", "MSK", "Europe/Berlin", "+03", "-05:30", "foo", "Asia/Tokyo",
         "utc+3", "<+03>-3", "Australia/Lord_Howe", "EST5EDT", "CET", "LMT", "Z", "zulu", "10", "+16", "America/Sao_Paulo"]

for s in S:
    ds, tz, ist = s
    kw = dict(ds=ds, tz=tz, ist=ist)
    for d in dates:
        add("date", d, **kw)
        for n in ["1", "-1", "365", "2147483647", "-2147483648", "0"]:
            add("date_pli", d, n, **kw); add("date_mii", d, n, **kw)
        for iv in random.sample(ivs, 8):
            add("date_pl_iv", d, iv, **kw); add("date_mi_iv", d, iv, **kw)
        add("date_pl_time", d, random.choice(times), **kw)
        add("date_mi", d, random.choice(dates), **kw)
        add("date2ts", d, **kw); add("date2tstz", d, **kw); add("isfinite_date", d, **kw)
        add("date_cmp_ts", d, random.choice(tss), **kw); add("date_cmp_tstz", d, random.choice(tstzs), **kw)
        for u in random.sample(units, 10):
            add("part_date", u, d, **kw); add("ext_date", u, d, **kw)
    for t in tss:
        add("timestamp", "", t, **kw)
        for p in ["0", "3"]:
            add("timestamp", p, t, **kw)
        for iv in random.sample(ivs, 8):
            add("ts_pl_iv", t, iv, **kw); add("ts_mi_iv", t, iv, **kw)
        add("ts_mi_ts", t, random.choice(tss), **kw)
        add("age_ts", t, random.choice(tss), **kw)
        add("ts2date", t, **kw); add("ts2tstz", t, **kw); add("ts2time", t, **kw); add("isfinite_ts", t, **kw)
        add("ts_cmp_tstz", t, random.choice(tstzs), **kw)
        for u in random.sample(units, 10):
            add("part_ts", u, t, **kw); add("ext_ts", u, t, **kw); add("trunc_ts", u, t, **kw)
        for z in random.sample(zones, 5):
            add("ts_at_zone", z, t, **kw)
        add("ts_at_izone", random.choice(["05:30", "-08:00", "1 day", "-00:00:01", "15:59:59"]), t, **kw)
        add("bin_ts", random.choice(["15 minutes", "1 day", "7 days", "1 mon", "0", "-1 hour", "1 hour 30 mins"]), t, "2001-01-01", **kw)
    for t in tstzs:
        add("timestamptz", "", t, **kw)
        add("timestamptz", "2", t, **kw)
        for iv in random.sample(ivs, 8):
            add("tstz_pl_iv", t, iv, **kw); add("tstz_mi_iv", t, iv, **kw)
        add("tstz_mi_tstz", t, random.choice(tstzs), **kw)
        add("age_tstz", t, random.choice(tstzs), **kw)
        add("tstz2date", t, **kw); add("tstz2ts", t, **kw); add("tstz2time", t, **kw)
        for u in random.sample(units, 10):
            add("part_tstz", u, t, **kw); add("ext_tstz", u, t, **kw); add("trunc_tstz", u, t, **kw)
        for z in random.sample(zones, 5):
            add("tstz_at_zone", z, t, **kw)
            add("trunc_tstz_zone", random.choice(units[:14]), t, z, **kw)
        add("tstz_at_izone", random.choice(["05:30", "-08:00", "1 mon", "-00:00:01"]), t, **kw)
        add("bin_tstz", random.choice(["15 minutes", "1 day", "7 days", "2 years", "1 hour 30 mins"]), t, "2001-01-01 00:00 UTC", **kw)
    for iv in ivs:
        add("interval", "", iv, **kw)
        for other in random.sample(ivs, 4):
            add("iv_pl", iv, other, **kw); add("iv_mi", iv, other, **kw); add("iv_cmp", iv, other, **kw)
        for f in random.sample(["2", "0.5", "-1", "1.5", "3.14159", "1e10", "0", "NaN", "Infinity", "0.3333333333", "-0.001", "7"], 4):
            add("iv_mul", iv, f, **kw); add("iv_div", iv, f, **kw)
        add("iv_um", iv, **kw); add("justify_days", iv, **kw); add("justify_hours", iv, **kw); add("justify_interval", iv, **kw)
        add("iv2time", iv, **kw)
        for u in random.sample(units, 10):
            add("part_iv", u, iv, **kw); add("ext_iv", u, iv, **kw); add("trunc_iv", u, iv, **kw)
    for t in times:
        add("time", "", t, **kw); add("time", "1", t, **kw)
        add("time2iv", t, **kw)
        add("time_mi_time", t, random.choice(times), **kw)
        for iv in random.sample(ivs, 3):
            add("time_pl_iv", t, iv, **kw); add("time_mi_iv", t, iv, **kw)
        for u in random.sample(units, 8):
            add("part_time", u, t, **kw); add("ext_time", u, t, **kw)

kw = {}
for args in [(2000, 1, 1), (-44, 3, 15), (0, 1, 1), (2001, 2, 29), (2000, 13, 1), (5874897, 12, 31), (5874898, 1, 1),
             (-4713, 11, 24), (-4714, 1, 1), (2024, 2, 29), (1, 1, 0)]:
    add("make_date", *args)
for args in [(0, 0, 0), (23, 59, 59.999999), (24, 0, 0), (24, 0, 0.1), (12, 60, 0), (12, 30, 60), (12, 30, 59.9999999),
             (-1, 0, 0), (1, 2, 3.456789), (1, 2, "NaN"), (1, 2, 1e20), (1, 2, -0.0000001)]:
    add("make_time", *args)
for args in [(2000, 1, 1, 0, 0, 0), (2000, 2, 30, 0, 0, 0), (294276, 12, 31, 23, 59, 59.999999), (294277, 1, 1, 0, 0, 0),
             (-4713, 11, 24, 0, 0, 0), (1999, 12, 31, 24, 0, 0), (2000, 1, 1, 25, 0, 0), (2000, 1, 1, 1, 1, 1.5),
             (-1, 1, 1, 0, 0, 0), (2024, 3, 10, 2, 30, 0)]:
    add("make_timestamp", *args)
    for tz in ["UTC", "America/New_York"]:
        add("make_timestamptz", *args, tz=tz)
    for z in ["UTC", "America/New_York", "EST", "+05", "5", "foo", "+99", "MSK", "-03:30"]:
        add("make_timestamptz_z", *args, z)
for args in [(1, 2, 3, 4, 5, 6, 7.5), (0, 0, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0, "NaN"), (-1, -2, 0, 0, 0, 0, -0.5),
             (2147483647, 0, 0, 0, 0, 0, 0), (0, 0, 0, 0, 2147483647, 0, 0), (0, 0, 0, 0, 0, 0, 1e300)]:
    add("make_interval", *args)
for f in ["0", "1", "-1", "1e10", "1.5", "946684800.123456", "-210866803200", "-210866803201", "9224318016000",
          "9224318015999.999999", "Infinity", "-Infinity", "NaN", "1e20"]:
    for tz in ["UTC", "Asia/Kolkata"]:
        add("to_timestamp", f, tz=tz)
for v in ["UTC", "utc", "america/new_york", "America/New_York", "PST8PDT", "EST5EDT", "foo", "foo+3", "FOO+3BAR",
          "<+03>-3", "3", "-3.5", "+5", "1e1", "interval '+05:30'", "INTERVAL '-8 hours'", "interval '1 day'",
          "interval '1 mon'", "GMT", "gmt", "Etc/GMT+3", "etc/gmt-14", "UTC+3", "  3", "200", "167", "168",
          "Europe/Kyiv", ":America/Chicago", ":UTC", "Factory", "US/Pacific", "America", "EST", "XXX5YYY,M3.2.0,M11.1.0",
          "right/UTC", "posixrules", "0", "-0", "24", "-24", "1.25", "interval 'foo'", "interval '5'", "interval'01:00'"]:
    add("settz", v)
for v in ["ISO", "iso, dmy", "SQL", "Postgres", "German", "German, MDY", "ymd", "euro", "us", "noneuro", "Foo",
          "ISO, SQL", "DMY, YMD", "default", "sql, default", "", "  ISO  ,  YMD  ", "ISO,,DMY", '"ISO"', '"iso", "dmy"',
          "postgresql", "europe", "ISO DMY", "ISO;DMY"]:
    add("setds", v)
for v in ["postgres", "POSTGRES_VERBOSE", "sql_standard", "iso_8601", "iso", "foo", ""]:
    add("setis", v)
for tm in ["-1", "131071", "65536", "2147352575", "262143", "4194303", "7340031", "65539", "196611"]:
    add("typmod_iv", tm)
import sys
print("\n".join(out))
