#!/usr/bin/env python3
import random, sys
random.seed(int(sys.argv[1]))
N = int(sys.argv[2])
units = ["microsecond", "millisecond", "second", "minute", "hour", "day", "week", "month", "year", "decade", "century", "millennium", "mon", "yrs", "ms", "us"]
def num():
    r = random.random()
    if r < 0.3: return str(random.randint(-50, 50))
    if r < 0.5: return str(random.choice([2147483647, -2147483648, 2147483648, 9223372036854775807, -9223372036854775808, 178956970, 768614336404, 106751991, 153722867280, 9223372036854]))
    if r < 0.7: return "%s%d.%d" % (random.choice(["", "-"]), random.randint(0, 1000), random.randint(0, 999999999))
    return str(random.randint(-10**6, 10**6))
def iv():
    r = random.random()
    if r < 0.6:
        return " ".join("%s %s" % (num(), random.choice(units)) for _ in range(random.randint(1, 4))) + random.choice(["", "", " ago"])
    if r < 0.75:
        return "%s %d:%02d:%02d.%d" % (num(), random.randint(-30, 30), random.randint(0, 59), random.randint(0, 60), random.randint(0, 999999))
    if r < 0.85:
        return "P%sY%sM%sDT%sH%sM%sS" % tuple(random.choice(["0", "1", "-1", "1.5", "10", "-0.5"]) for _ in range(6))
    return "%s-%d %s" % (random.randint(-100, 100), random.randint(0, 11), random.choice(["", "1 2:3:4", "+5 -6:7", "-1 +2:3"]))
def ts():
    y = random.choice([random.randint(1, 3000), random.randint(1, 294276), 2000, 1970, 4713])
    bc = " BC" if random.random() < 0.1 else ""
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d%s" % (y, random.randint(1, 12), random.randint(1, 28), random.randint(0, 23), random.randint(0, 59), random.randint(0, 59), random.randint(0, 999999), bc)
def fl():
    return random.choice(["0.5", "2", "-3", "1e-7", "1e7", "0.1", "1.0000001", "-0.33333", "86400", "1e15", "3.5e-9", str(random.uniform(-100, 100))])
S = [("ISO, MDY", "UTC", "postgres"), ("Postgres, MDY", "Europe/Dublin", "postgres_verbose"), ("SQL, DMY", "America/Sao_Paulo", "sql_standard"), ("ISO, YMD", "Australia/Adelaide", "iso_8601")]
for _ in range(N):
    ds, tz, ist = random.choice(S)
    op = random.choice(["interval", "iv_pl", "iv_mi", "iv_mul", "iv_div", "justify_interval", "justify_hours", "ts_pl_iv", "tstz_pl_iv", "ts_mi_ts", "tstz_mi_tstz", "age_ts", "age_tstz", "date_pl_iv", "part_iv", "ext_iv", "trunc_iv", "ts_mi_iv", "tstz_mi_iv", "iv_cmp", "bin_ts", "ext_ts", "ext_tstz", "trunc_tstz", "time_pl_iv"])
    if op == "interval": a = [random.choice(["", "", "day to second(2)", "hour to minute", "year", "minute to second", "(1)"]), iv()]
    elif op in ("iv_pl", "iv_mi", "iv_cmp"): a = [iv(), iv()]
    elif op in ("iv_mul", "iv_div"): a = [iv(), fl()]
    elif op.startswith("justify"): a = [iv()]
    elif op in ("ts_pl_iv", "tstz_pl_iv", "ts_mi_iv", "tstz_mi_iv"): a = [ts(), iv()]
    elif op in ("ts_mi_ts", "tstz_mi_tstz", "age_ts", "age_tstz"): a = [ts(), ts()]
    elif op == "date_pl_iv": a = [ts().split()[0], iv()]
    elif op in ("part_iv", "ext_iv", "trunc_iv"): a = [random.choice(units + ["epoch", "quarter"]), iv()]
    elif op == "bin_ts": a = [iv(), ts(), ts()]
    elif op in ("ext_ts", "ext_tstz", "trunc_tstz"): a = [random.choice(units + ["epoch", "julian", "isoyear", "week", "dow", "doy", "timezone"]), ts()]
    elif op == "time_pl_iv": a = ["%02d:%02d:%02d" % (random.randint(0, 23), random.randint(0, 59), random.randint(0, 59)), iv()]
    print("\t".join([ds, tz, ist, op] + a))
