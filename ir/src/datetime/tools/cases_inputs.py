#!/usr/bin/env python3
"""Generates date/time test cases (TSV: ds, tz, is, op, args...)."""
import re, sys, random

import os
REG = os.environ.get("PG_REGRESS_SQL", "postgresql-15.18/src/test/regress/sql") + "/"
random.seed(42)


def literals(path):
    s = open(path, encoding="utf-8").read()
    out = []
    for m in re.finditer(r"'((?:[^']|'')*)'", s):
        v = m.group(1).replace("''", "'")
        if "\n" in v or "\t" in v or len(v) > 80:
            continue
        out.append(v)
    return out


SKIP = re.compile(r"now|today|tomorrow|yesterday|current|\\", re.I)
cases = []


def add(op, *args, ds="ISO, MDY", tz="UTC", ist="postgres"):
    cases.append((ds, tz, ist, op) + tuple(str(a) for a in args))


lits = []
for f in ["date.sql", "time.sql", "timestamp.sql", "timestamptz.sql", "interval.sql", "horology.sql", "timetz.sql"]:
    for v in literals(REG + f):
        if not SKIP.search(v) and v not in lits:
            lits.append(v)

settings = [
    ("ISO, MDY", "UTC", "postgres"),
    ("Postgres, MDY", "PST8PDT", "postgres_verbose"),
    ("SQL, DMY", "Europe/Berlin", "sql_standard"),
    ("German, YMD", "America/New_York", "iso_8601"),
]
for v in lits:
    for i, (ds, tz, ist) in enumerate(settings):
        if i > 1 and random.random() < 0.5:
            continue
        add("date", v, ds=ds, tz=tz, ist=ist)
        add("timestamp", "", v, ds=ds, tz=tz, ist=ist)
        add("timestamptz", "", v, ds=ds, tz=tz, ist=ist)
        add("time", "", v, ds=ds, tz=tz, ist=ist)
        add("interval", "", v, ds=ds, tz=tz, ist=ist)

for line in open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else []:
    line = line.rstrip("\n")
    if line and not line.startswith("#"):
        cases.append(tuple(line.split("\t")))

for c in cases:
    print("\t".join(c))
