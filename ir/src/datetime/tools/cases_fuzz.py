#!/usr/bin/env python3
"""Random date/time inputs built from PostgreSQL's token vocabulary."""
import random, sys


def zone_names():
    """Every TZif file name under /usr/share/zoneinfo (as PostgreSQL sees them)."""
    import os
    base = "/usr/share/zoneinfo"
    out = []
    for root, dirs, files in os.walk(base):
        rel = os.path.relpath(root, base)
        if rel.split(os.sep)[0] in ("right", "posix"):
            continue
        for f in files:
            p = os.path.normpath(os.path.join(rel, f))
            with open(os.path.join(root, f), "rb") as fh:
                if fh.read(4) == b"TZif" and p != "localtime":
                    out.append(p)
    return sorted(out)

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
random.seed(seed)
zones = zone_names()
nums = lambda: str(random.choice([0, 1, 2, 7, 9, 10, 12, 13, 24, 29, 30, 31, 32, 59, 60, 61, 99, 100, 366, 367, 1999, 2000, 2001,
                                   2024, 10000, 99999, 123456, 20011225, 19990108, 2451187, 2147483647, 2147483648,
                                   9223372036854775807, 99999999999999999999, random.randint(0, 99999)]))
words = ["jan", "January", "feb", "mar", "Apr", "MAY", "june", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "december",
         "mon", "tuesday", "wed", "thurs", "fri", "sat", "sun", "am", "pm", "AD", "BC", "bc", "at", "on", "t", "T", "z", "Z",
         "zulu", "allballs", "epoch", "infinity", "-infinity", "+infinity", "J", "j", "julian", "y", "m", "d", "h", "mm", "s",
         "dst", "DST", "PST", "PDT", "EST", "EDT", "CET", "CEST", "MSK", "msk", "UTC", "GMT", "ut", "lmt", "nzdt", "ist", "xyz",
         "ago", "@", "year", "years", "mon", "mons", "month", "day", "days", "hour", "hours", "min", "minute", "sec", "second",
         "seconds", "ms", "msec", "millisecond", "microseconds", "us", "usec", "week", "weeks", "decade", "century",
         "millennium", "millennia", "centuries", "qtr", "quarter", "doy", "dow", "isodow", "isoyear", "timezone",
         "P", "PT", "p", "W", "H", "M", "S", "D", "Y", "yrs", "hrs", "mins", "secs"]
seps = [" ", " ", " ", "-", "/", ".", ":", ",", "", "+", "-", "  ", "T", "'", "(", ")", "_", ";", "\u00e9", "\x01"]
def tok():
    r = random.random()
    if r < 0.45: return nums()
    if r < 0.75: return random.choice(words)
    if r < 0.82: return random.choice(zones)
    if r < 0.9: return random.choice(["+", "-"]) + random.choice(["05", "0530", "05:30", "5", "15", "16", "05:30:15", "1:2:3", "12:60"])
    return random.choice(["12:34", "12:34:56", "12:34:56.789", "24:00", "23:59:60", "1:2", "99:99", ".5", "1.5", "0.000001",
                          "1999-01-08", "08-Jan-1999", "1999.008", "1/8/1999", "99-01-08", "010203", "20011225T040506",
                          "1-2", "+1-2", "-1-2", "04:05:06.789-07", "1e3", "P1Y2M3DT4H5M6S", "P0001-02-03T04:05:06",
                          "PT1.5H", "P1.5Y", "P1W", "P00010203T040506", "2147483647:00", "1:2:3.4567895", "1.0000005"])
out = []
S = [("ISO, MDY", "UTC", "postgres"), ("Postgres, DMY", "America/New_York", "sql_standard"),
     ("SQL, YMD", "Europe/Moscow", "iso_8601"), ("German, MDY", "Asia/Kathmandu", "postgres_verbose")]
typmods = {"date": [None], "time": ["", "", "0", "3"], "timestamp": ["", "", "0", "2"], "timestamptz": ["", "", "1", "6"],
           "interval": ["", "", "", "year", "month", "day", "hour", "minute", "second", "year to month", "day to hour",
                        "day to minute", "day to second", "hour to minute", "hour to second", "minute to second",
                        "(0)", "second(2)", "day to second(3)", "minute to second(1)"]}
for i in range(n):
    k = random.randint(1, 6)
    s = ""
    for j in range(k):
        if j: s += random.choice(seps)
        s += tok()
    if random.random() < 0.1: s = " " + s
    if random.random() < 0.1: s = s + " "
    s = s.replace("\t", " ")
    ds, tz, ist = random.choice(S)
    ty = random.choice(["date", "time", "timestamp", "timestamptz", "timestamptz", "interval", "interval"])
    tm = random.choice(typmods[ty])
    if tm is None:
        out.append("\t".join([ds, tz, ist, ty, s]))
    else:
        out.append("\t".join([ds, tz, ist, ty, tm, s]))
print("\n".join(out))
