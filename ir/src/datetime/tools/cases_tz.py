#!/usr/bin/env python3
import random, struct, datetime


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

random.seed(11)
zones = zone_names()
out = []
def add(ds, tz, op, *args):
    out.append("\t".join([ds, tz, "postgres", op] + [str(a) for a in args]))
EPOCH = datetime.datetime(1970, 1, 1)
def fmt(secs):
    # proleptic formatting via ordinal arithmetic (python datetime: years 1..9999)
    d = EPOCH + datetime.timedelta(seconds=secs)
    return d.strftime("%Y-%m-%d %H:%M:%S")
def transitions(zone):
    data = open("/usr/share/zoneinfo/" + zone, "rb").read()
    def hdr(o): return struct.unpack(">6l", data[o+20:o+44])
    isut, isstd, leap, timecnt, typecnt, charcnt = hdr(0)
    off = 44 + timecnt*4 + timecnt + typecnt*6 + charcnt + leap*8 + isstd + isut
    isut, isstd, leap, timecnt, typecnt, charcnt = hdr(off)
    p = off + 44
    ats = [struct.unpack(">q", data[p+8*i:p+8*i+8])[0] for i in range(timecnt)]
    p += 8*timecnt
    types = list(data[p:p+timecnt]); p += timecnt
    ttis = [struct.unpack(">lBB", data[p+6*i:p+6*i+6]) for i in range(typecnt)]
    return [(a, ttis[t][0]) for a, t in zip(ats, types)], ttis
for z in zones:
    tr, ttis = transitions(z)
    for _ in range(4):
        s = random.randint(-8000000000, 7000000000)
        ds = random.choice(["ISO, MDY", "Postgres, MDY", "SQL, DMY"])
        add(ds, z, "timestamptz", "", fmt(s) + "+00")
    for y in [2040, 2100, 2500, 3000, 9999]:
        for m in [1, 7]:
            add("Postgres, MDY", z, "timestamptz", "", "%d-%02d-15 12:00:00+00" % (y, m))
            add("ISO, MDY", z, "timestamptz", "", "%d-%02d-15 12:00:00" % (y, m))
    for y in ["100000-07-01 12:00", "294276-07-01 12:00", "4713-11-24 12:00 BC", "1000-07-01 12:00"]:
        add("Postgres, MDY", z, "timestamptz", "", y)
        add("ISO, MDY", z, "timestamptz", "", y + "+00")
    cand = [(a, o) for a, o in tr if -6e9 < a < 7e9]
    prev_off = None
    for i, (a, o) in enumerate(random.sample(cand, min(5, len(cand)))):
        j = tr.index((a, o))
        before = tr[j-1][1] if j > 0 else ttis[0][0]
        for delta in [-5400, -3600, -1800, -1, 0, 1, 1800, 3600, 5400]:
            local = a + before + delta
            add("ISO, MDY", z, "timestamptz", "", fmt(local))
            local2 = a + o + delta
            add("ISO, MDY", z, "timestamptz", "", fmt(local2))
        add("Postgres, MDY", z, "timestamptz", "", fmt(a - 1) + "+00")
        add("Postgres, MDY", z, "timestamptz", "", fmt(a) + "+00")
        add("ISO, MDY", z, "tstz_pl_iv", fmt(a + before - 86400), "1 day")
        add("ISO, MDY", z, "ts_at_zone", z, fmt(a + before + 600))
        add("ISO, MDY", "UTC", "tstz_at_zone", z, fmt(a) + "+00")
        add("ISO, MDY", z, "trunc_tstz", "day", fmt(a) + "+00")
print("\n".join(out))
