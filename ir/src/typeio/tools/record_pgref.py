#!/usr/bin/env python3
"""Evaluates typeio test cases on a reference PostgreSQL 15 (pgref).

usage: PGREF_PORT=55445 record_pgref.py IN.tsv OUT.tsv
Start the server with /work/shared/tools/pgref.sh start 55445.

A case is  op<TAB>arg...  (backslash escapes \\\\ \\t \\n \\r in fields); the
output repeats the case and appends the result:
  OK:<text>   the value's text (its type's output function, via concat())
  NULL
  ERR:<sqlstate>:<message>[|D:<detail>][|H:<hint>]
Ops (their Rust side is run_case in ../tests.rs):
  in TYPE SETTINGS TEXT          TEXT::TYPE
  cast FROM TO SETTINGS TEXT     (TEXT::FROM)::TO   (an explicit cast)
  assign COLTYPE TEXT            TEXT::text stored into a COLTYPE column
  f8out EFD HEXBITS              the double with these bits, printed
  f4out EFD HEXBITS              the float with these bits, printed
  format_type OID TYPMOD         format_type(OID, TYPMOD)  (TYPMOD may be NULL)
  format_type_user NSP NAME TYPMOD ARRAY   format_type of a type made in SETUP
  array_md LIT...                ARRAY[LIT::int4[], ...]
SETTINGS is a comma list of efd=N and bytea=hex|escape.
"""
import os, struct, subprocess, sys
from decimal import Decimal

SETUP = r'''
set client_min_messages = warning;
create schema if not exists "Odd Schema";
create schema if not exists s2;
do $$ begin
  if not exists (select 1 from pg_type where typname = 'mood') then
    create type public.mood as enum ('a');
    create type "Odd Schema"."My ""Type""" as enum ('a');
    create type s2."select" as enum ('a');
    create type s2.plain as enum ('a');
    create domain public.dom as int4;
    create type public."UPPER" as enum ('a');
    create type public.user as enum ('a');
  end if;
end $$;
create temp table asg (vc3 varchar(3), vc5 varchar(5), bpc3 char(3), bpc5 char(5), bpc1 char, nm name, vc varchar, bpc bpchar);
create or replace function pg_temp.t(settings text, q text) returns text language plpgsql as $f$
declare r text; st text; msg text; det text; hnt text; kv text;
begin
  perform set_config('extra_float_digits', '1', true);
  perform set_config('bytea_output', 'hex', true);
  foreach kv in array string_to_array(settings, ',') loop
    if kv like 'efd=%' then perform set_config('extra_float_digits', substr(kv, 5), true); end if;
    if kv like 'bytea=%' then perform set_config('bytea_output', substr(kv, 7), true); end if;
  end loop;
  execute q into r;
  return coalesce('OK:' || pg_temp.esc(r), 'NULL');
exception when others then
  get stacked diagnostics st = returned_sqlstate, msg = message_text, det = pg_exception_detail, hnt = pg_exception_hint;
  return pg_temp.esc('ERR:' || st || ':' || msg || coalesce('|D:' || nullif(det, ''), '') || coalesce('|H:' || nullif(hnt, ''), ''));
end $f$;
create or replace function pg_temp.esc(s text) returns text language sql immutable as $f$
  select replace(replace(replace(replace(s, E'\\', E'\\\\'), E'\t', E'\\t'), E'\n', E'\\n'), E'\r', E'\\r')
$f$;
'''


def unesc(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(n, "\\" + n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def wrap(expr):
    return "select case when v is null then null else concat(v) end from (select %s as v) s" % expr


def f8(hexbits):
    v = struct.unpack(">d", bytes.fromhex(hexbits))[0]
    return repr(v).replace("inf", "Infinity").replace("nan", "NaN")


def f4(hexbits):
    v = struct.unpack(">f", bytes.fromhex(hexbits))[0]
    if v != v or v in (float("inf"), float("-inf")):
        return repr(v).replace("inf", "Infinity").replace("nan", "NaN")
    return str(Decimal(v)) if v != 0 else repr(v)


def build(op, a):
    """Returns (settings, sql)."""
    if op == "in":
        return a[1], wrap("%s::%s" % (lit(a[2]), a[0]))
    if op == "cast":
        return a[2], wrap("(%s::%s)::%s" % (lit(a[3]), a[0], a[1]))
    if op == "assign":
        return "", ("with s as (insert into asg (%s) values (%s::text) returning %s as v) "
                    "select case when v is null then null else concat(v) end from s") % (a[0], lit(a[1]), a[0])
    if op == "f8out":
        return "efd=" + a[0], wrap("%s::float8" % lit(f8(a[1])))
    if op == "f4out":
        return "efd=" + a[0], wrap("%s::float4" % lit(f4(a[1])))
    if op == "format_type":
        return "", "select format_type(%s, %s)" % (a[0], a[1])
    if op == "format_type_user":
        nsp, name, typmod, arr = a
        col = "typarray" if arr == "1" else "oid"
        return "", ("select format_type((select %s from pg_type where typname = %s and typnamespace = %s::regnamespace), %s)"
                    % (col, lit(name), lit('"' + nsp.replace('"', '""') + '"'), typmod))
    if op == "array_md":
        items = ", ".join("NULL::int4[]" if x == "NULL" else "%s::int4[]" % lit(x) for x in a)
        return "", wrap("ARRAY[%s]" % items)
    raise SystemExit("unknown op " + op)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    rows = [l.rstrip("\n").split("\t") for l in open(src, encoding="utf-8") if l.strip() and not l.startswith("#")]
    sql = [SETUP]
    for r in rows:
        settings, q = build(r[0], [unesc(x) for x in r[1:]])
        tag = "$Q$"
        assert tag not in q
        sql.append("select pg_temp.t(%s, %s%s%s);" % (lit(settings), tag, q, tag))
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", os.environ.get("PGREF_PORT", "55445"), "-U", "postgres", "-X", "-At", "-q",
         "-v", "ON_ERROR_STOP=1"],
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
