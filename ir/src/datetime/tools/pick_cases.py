#!/usr/bin/env python3
"""Picks a varied subset of recorded cases for the embedded test table."""
import random, re, sys, collections
random.seed(5)
rows = []
for f in sys.argv[2:]:
    rows += [l.rstrip("\n") for l in open(f, encoding="utf-8") if l.strip()]
def kind(r):
    c = r.split("\t")
    res = c[-1]
    if res.startswith("ERR:"):
        msg = re.sub(r'"[^"]*"', '""', res)
        msg = re.sub(r"\d+", "N", msg)
        k = msg[:70]
    elif res.startswith("OK:"):
        k = "OK:" + re.sub(r"\d", "9", res[3:])[:10]
    else:
        k = res
    return (c[3], k)
buckets = collections.defaultdict(list)
for r in rows:
    buckets[kind(r)].append(r)
per = int(sys.argv[1])
out = []
okcount = collections.Counter()
keys = sorted(buckets)
random.shuffle(keys)
for k in keys:
    b = buckets[k]
    random.shuffle(b)
    if k[1].startswith("OK:"):
        if okcount[k[0]] >= 45:
            continue
        okcount[k[0]] += 1
    out += b[:per]
# keep file order stable and readable
seen = set(); final = []
for r in out:
    if r not in seen:
        seen.add(r); final.append(r)
random.shuffle(final)
final.sort(key=lambda r: r.split("\t")[3])
print("\n".join(final))
sys.stderr.write(f"{len(final)} cases from {len(rows)} in {len(buckets)} buckets\n")
