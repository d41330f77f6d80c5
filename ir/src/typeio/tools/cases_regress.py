#!/usr/bin/env python3
"""Harvests input literals from PostgreSQL's regression expected outputs.

usage: cases_regress.py EXPECTED_DIR > cases.tsv   (then record_pgref.py)
Takes  'literal'::type,  type 'literal'  and  INSERT INTO <table> ... VALUES
('literal')  for the tables whose column type is known, for the types
typeio implements, and emits `in` cases (with extra_float_digits 1 and 0
for floats, both bytea_output settings for bytea).
"""
import os, re, sys

D = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/pg_regress/expected"
FILES = ["int2", "int4", "int8", "float4", "float8", "boolean", "text", "varchar", "char", "name", "bytea",
         "arrays", "uuid", "strings", "numeric", "oid", "type_sanity", "select", "insert"]
TYPES = {"int2": "int2", "smallint": "int2", "int4": "int4", "integer": "int4", "int": "int4", "int8": "int8",
         "bigint": "int8", "float4": "float4", "real": "float4", "float8": "float8", "double precision": "float8",
         "bool": "bool", "boolean": "bool", "text": "text", "varchar": "varchar", "character varying": "varchar",
         "char": "char", "character": "char", "bpchar": "bpchar", "name": "name", "bytea": "bytea", "uuid": "uuid",
         "oid": "oid", '"char"': '"char"', "int2vector": "int2vector", "oidvector": "oidvector"}
TABLES = {"int2_tbl": "int2", "int4_tbl": "int4", "int8_tbl": "int8", "float4_tbl": "float4", "float8_tbl": "float8",
          "booltbl1": "bool", "booltbl2": "bool", "booltbl3": "bool", "booltbl4": "bool", "char_tbl": "char(4)",
          "varchar_tbl": "varchar(4)", "name_tbl": "name", "text_tbl": "text", "oid_tbl": "oid", "uuid_tbl": "uuid",
          "guid1": "uuid", "guid2": "uuid"}
tyre = "|".join(sorted((re.escape(t) for t in TYPES), key=len, reverse=True))
LIT = r"'((?:[^']|'')*)'"
seen = set()
out = []


def add(ty, s):
    if "\n" in s or "\t" in s or (ty, s) in seen or len(s) > 200:
        return
    seen.add((ty, s))
    settings = [""]
    if ty.startswith("float"):
        settings = ["", "efd=0"]
    if ty.startswith("bytea"):
        settings = ["bytea=hex", "bytea=escape"]
    for st in settings:
        out.append("\t".join(["in", ty, st, s.replace("\\", "\\\\")]))


for f in FILES:
    p = os.path.join(D, f + ".out")
    if not os.path.exists(p):
        continue
    text = open(p, encoding="utf-8").read()
    for m in re.finditer(LIT + r"::(" + tyre + r")(\(\d+\))?((?:\[\])*)", text):
        ty = TYPES[m.group(2)]
        if m.group(3) and ty in ("char", "varchar"):
            ty += m.group(3)
        add(ty + m.group(4), m.group(1).replace("''", "'"))
    for m in re.finditer(r"\b(" + tyre + r") " + LIT, text, re.I):
        add(TYPES[m.group(1).lower()], m.group(2).replace("''", "'"))
    for m in re.finditer(r"INSERT INTO (\w+)\s*(?:\(f1\))?\s*VALUES\s*\(" + LIT + r"\)", text, re.I):
        ty = TABLES.get(m.group(1).lower())
        if ty:
            add(ty, m.group(2).replace("''", "'"))

sys.stdout.write("\n".join(out) + "\n")
