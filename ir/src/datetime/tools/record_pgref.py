#!/usr/bin/env python3
"""Evaluates date/time test cases on a reference PostgreSQL (pgref).

Input: TSV lines  ds<TAB>tz<TAB>is<TAB>op<TAB>arg...
Output: same lines with the result appended as the last column.
Results: "OK:<text>", "NULL", or "ERR:<sqlstate>:<message>[|D:<detail>][|H:<hint>]".
"""
import os, subprocess, sys

NOW = "((extract(epoch from now())*1000000)::int8 - 946684800000000)::text || '|' || "
OPS = {
    # name: SQL expression template over the literal args {0}, {1}, ...
    "date": "({0}::date)::text",
    "time": "({0}::time{P})::text",
    "timestamp": "({0}::timestamp{P})::text",
    "timestamptz": "({0}::timestamptz{P})::text",
    "interval": "({0}::interval{P})::text",
    "date_pli": "({0}::date + {1}::int4)::text",
    "date_mii": "({0}::date - {1}::int4)::text",
    "date_mi": "({0}::date - {1}::date)::text",
    "date_pl_iv": "({0}::date + {1}::interval)::text",
    "date_mi_iv": "({0}::date - {1}::interval)::text",
    "date_pl_time": "({0}::date + {1}::time)::text",
    "ts_pl_iv": "({0}::timestamp + {1}::interval)::text",
    "ts_mi_iv": "({0}::timestamp - {1}::interval)::text",
    "tstz_pl_iv": "({0}::timestamptz + {1}::interval)::text",
    "tstz_mi_iv": "({0}::timestamptz - {1}::interval)::text",
    "ts_mi_ts": "({0}::timestamp - {1}::timestamp)::text",
    "tstz_mi_tstz": "({0}::timestamptz - {1}::timestamptz)::text",
    "iv_pl": "({0}::interval + {1}::interval)::text",
    "iv_mi": "({0}::interval - {1}::interval)::text",
    "iv_mul": "({0}::interval * {1}::float8)::text",
    "iv_div": "({0}::interval / {1}::float8)::text",
    "iv_um": "(- {0}::interval)::text",
    "iv_cmp": "(case when {0}::interval < {1}::interval then -1 when {0}::interval = {1}::interval then 0 else 1 end)::text",
    "justify_days": "justify_days({0}::interval)::text",
    "justify_hours": "justify_hours({0}::interval)::text",
    "justify_interval": "justify_interval({0}::interval)::text",
    "age_ts": "age({0}::timestamp, {1}::timestamp)::text",
    "age_tstz": "age({0}::timestamptz, {1}::timestamptz)::text",
    "trunc_ts": "date_trunc({0}, {1}::timestamp)::text",
    "trunc_tstz": "date_trunc({0}, {1}::timestamptz)::text",
    "trunc_tstz_zone": "date_trunc({0}, {1}::timestamptz, {2})::text",
    "trunc_iv": "date_trunc({0}, {1}::interval)::text",
    "bin_ts": "date_bin({0}::interval, {1}::timestamp, {2}::timestamp)::text",
    "bin_tstz": "date_bin({0}::interval, {1}::timestamptz, {2}::timestamptz)::text",
    "part_date": "date_part({0}, {1}::date)::text",
    "part_ts": "date_part({0}, {1}::timestamp)::text",
    "part_tstz": "date_part({0}, {1}::timestamptz)::text",
    "part_time": "date_part({0}, {1}::time)::text",
    "part_iv": "date_part({0}, {1}::interval)::text",
    "ext_date": "extract({0} from {1}::date)::text",
    "ext_ts": "extract({0} from {1}::timestamp)::text",
    "ext_tstz": "extract({0} from {1}::timestamptz)::text",
    "ext_time": "extract({0} from {1}::time)::text",
    "ext_iv": "extract({0} from {1}::interval)::text",
    "make_date": "make_date({0}::int4, {1}::int4, {2}::int4)::text",
    "make_time": "make_time({0}::int4, {1}::int4, {2}::float8)::text",
    "make_timestamp": "make_timestamp({0}::int4, {1}::int4, {2}::int4, {3}::int4, {4}::int4, {5}::float8)::text",
    "make_timestamptz": "make_timestamptz({0}::int4, {1}::int4, {2}::int4, {3}::int4, {4}::int4, {5}::float8)::text",
    "make_timestamptz_z": "make_timestamptz({0}::int4, {1}::int4, {2}::int4, {3}::int4, {4}::int4, {5}::float8, {6})::text",
    "make_interval": "make_interval({0}::int4, {1}::int4, {2}::int4, {3}::int4, {4}::int4, {5}::int4, {6}::float8)::text",
    "to_timestamp": "to_timestamp({0}::float8)::text",
    "ts_at_zone": "({1}::timestamp at time zone {0})::text",
    "tstz_at_zone": "({1}::timestamptz at time zone {0})::text",
    "ts_at_izone": "({1}::timestamp at time zone {0}::interval)::text",
    "tstz_at_izone": "({1}::timestamptz at time zone {0}::interval)::text",
    "ts2date": "({0}::timestamp::date)::text",
    "tstz2date": "({0}::timestamptz::date)::text",
    "date2ts": "({0}::date::timestamp)::text",
    "date2tstz": "({0}::date::timestamptz)::text",
    "ts2tstz": "({0}::timestamp::timestamptz)::text",
    "tstz2ts": "({0}::timestamptz::timestamp)::text",
    "ts2time": "({0}::timestamp::time)::text",
    "tstz2time": "({0}::timestamptz::time)::text",
    "time2iv": "({0}::time::interval)::text",
    "iv2time": "({0}::interval::time)::text",
    "time_mi_time": "({0}::time - {1}::time)::text",
    "time_pl_iv": "({0}::time + {1}::interval)::text",
    "time_mi_iv": "({0}::time - {1}::interval)::text",
    "isfinite_date": "isfinite({0}::date)::text",
    "isfinite_ts": "isfinite({0}::timestamp)::text",
    "date_cmp_ts": "(case when {0}::date < {1}::timestamp then -1 when {0}::date = {1}::timestamp then 0 else 1 end)::text",
    "date_cmp_tstz": "(case when {0}::date < {1}::timestamptz then -1 when {0}::date = {1}::timestamptz then 0 else 1 end)::text",
    "ts_cmp_tstz": "(case when {0}::timestamp < {1}::timestamptz then -1 when {0}::timestamp = {1}::timestamptz then 0 else 1 end)::text",
    "settz": "set_config('timezone', {0}, true)",
    "setds": "set_config('datestyle', {0}, true)",
    "setis": "set_config('intervalstyle', {0}, true)",
    "typmod_iv": "format_type('interval'::regtype, {0}::int4)",
    "nowf_age_today_ts": NOW + "age({0}::timestamp)::text",
    "nowf_age_today_tstz": NOW + "age({0}::timestamptz)::text",
    "nowf_current_date": NOW + "current_date::text",
    "nowf_localtimestamp": NOW + "localtimestamp::text",
    "nowf_localtimestamp3": NOW + "localtimestamp(3)::text",
    "nowf_localtime": NOW + "localtime::text",
    "nowf_localtime0": NOW + "localtime(0)::text",
    "nowf_current_timestamp1": NOW + "current_timestamp(1)::text",
    "overlaps": "(({0}::timestamp, {1}::timestamp) overlaps ({2}::timestamp, {3}::timestamp))::text",
    "now_date": "((extract(epoch from now())*1000000)::int8 - 946684800000000)::text || '|' || ({0}::date)::text",
    "now_time": "((extract(epoch from now())*1000000)::int8 - 946684800000000)::text || '|' || ({0}::time)::text",
    "now_timestamp": "((extract(epoch from now())*1000000)::int8 - 946684800000000)::text || '|' || ({0}::timestamp)::text",
    "now_timestamptz": "((extract(epoch from now())*1000000)::int8 - 946684800000000)::text || '|' || ({0}::timestamptz)::text",
}

SETUP = r"""
create or replace function pg_temp.t(ds text, tz text, ist text, q text) returns text language plpgsql as $f$
declare r text; st text; msg text; det text; hnt text;
begin
  perform set_config('datestyle', ds, true);
  perform set_config('timezone', tz, true);
  perform set_config('intervalstyle', ist, true);
  execute q into r;
  return coalesce('OK:' || r, 'NULL');
exception when others then
  get stacked diagnostics st = returned_sqlstate, msg = message_text, det = pg_exception_detail, hnt = pg_exception_hint;
  return 'ERR:' || st || ':' || msg || coalesce('|D:' || nullif(det, ''), '') || coalesce('|H:' || nullif(hnt, ''), '');
end $f$;
"""


def lit(s):
    if s == "\\N":
        return "NULL"
    return "'" + s.replace("'", "''") + "'"


def dollar(s):
    tag = "$Q$"
    assert tag not in s
    return tag + s + tag


def build(op, args):
    tmpl = OPS[op]
    p = ""
    if op in ("time", "timestamp", "timestamptz", "interval"):
        p = args[0]
        args = args[1:]
        if op == "interval" and p:
            p = " " + p if not p.startswith("(") else p
        elif p:
            p = "(" + p + ")"
    q = "select " + tmpl.replace("{P}", p).format(*[lit(a) for a in args])
    return q


def main():
    src, dst = sys.argv[1], sys.argv[2]
    rows = [l.rstrip("\n").split("\t") for l in open(src, encoding="utf-8") if l.strip()]
    sql = [SETUP]
    for r in rows:
        ds, tz, ist, op, *args = r
        q = build(op, args)
        sql.append("select pg_temp.t(%s, %s, %s, %s);" % (lit(ds), lit(tz), lit(ist), dollar(q)))
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", os.environ.get("PGREF_PORT", "55442"), "-U", "postgres", "-X", "-At", "-q", "-v", "ON_ERROR_STOP=1"],
        input="\n".join(sql), capture_output=True, text=True,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        sys.exit(1)
    lines = out.stdout.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    assert len(lines) == len(rows), (len(lines), len(rows), out.stderr[:2000])
    with open(dst, "w", encoding="utf-8") as fh:
        for r, res in zip(rows, lines):
            fh.write("\t".join(r + [res]) + "\n")


main()
