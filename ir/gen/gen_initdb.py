#!/usr/bin/env python3
"""Generates ir/bootstrap/initdb.bootstrap: the catalog rows PostgreSQL 15's
initdb adds after the bootstrap step by running system_views.sql and
information_schema.sql (the system views, the information_schema schema, its
domains and support functions), the databases initdb creates, and the
schemas with the privileges initdb grants on them.

usage:
  gen_initdb.py PORT [SQL_DIR] > ir/bootstrap/initdb.bootstrap
      PORT: a freshly initdb'ed PostgreSQL 15 on 127.0.0.1 (user postgres,
      trust), e.g. ../shared/tools/pgref.sh start PORT. SQL_DIR defaults to
      /usr/share/postgresql/15.

The rows are read from that cluster (OIDs included: initdb assigns the same
ones on every run of a given release) in the column order of our catalog
definitions (ir/bootstrap/postgres.bootstrap), in each column type's text
format, reg* columns as numeric OIDs (as in postgres.bootstrap). Where our
catalogs store text instead of node trees, the text is ours:
  pg_rewrite.ev_action   the view's query as written in system_views.sql /
                         information_schema.sql (what CREATE VIEW stores);
                         ev_qual is '<>'
  pg_proc.prosrc         for a function with a SQL-standard body (RETURN
                         expr), `SELECT expr` with the expression as
                         information_schema.sql writes it, so the binder can
                         inline it; prosqlbody is NULL
Other pg_node_tree and anyarray columns are NULL. Not included: the
information_schema tables (sql_features, …), pg_depend, pg_init_privs and
pg_description rows, and the domains' CHECK constraints.

Output format (UTF-8, TAB-separated, # comments):
  rows CATALOG N       N rows follow, appended to CATALOG's built-in rows
  replace CATALOG N    N rows follow, replacing CATALOG's built-in rows
Row fields as in postgres.bootstrap: \\N is NULL, COPY text escapes.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BOOTSTRAP = os.path.join(HERE, "..", "bootstrap", "postgres.bootstrap")
REG_TYPES = {"regproc", "regprocedure", "regoper", "regoperator", "regclass", "regtype", "regconfig", "regdictionary",
             "regnamespace", "regrole", "regcollation"}
NODE_TYPES = {"pg_node_tree", "anyarray"}


def die(msg):
    sys.stderr.write(f"gen_initdb.py: {msg}\n")
    sys.exit(1)


def catalog_columns():
    """Our column lists: {catalog: [(name, type)]}."""
    cols, cur = {}, None
    with open(BOOTSTRAP, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[0] == "catalog":
                cur = p[1]
                cols[cur] = []
            elif p[0] == "column":
                cols[cur].append((p[1], p[2]))
    return cols


def psql(port, query, copy=True):
    q = f"COPY ({query}) TO STDOUT" if copy else query
    cmd = ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-X", "-q", "-A", "-t",
           "-v", "ON_ERROR_STOP=1", "-f", "-"]
    res = subprocess.run(cmd, input=q + ";\n", capture_output=True, text=True, encoding="utf-8")
    if res.returncode != 0:
        die(f"psql failed: {res.stderr.strip()}\nquery: {query}")
    return [line for line in res.stdout.split("\n") if line]


def split_statements(text):
    """Top-level statements of a SQL script (quotes, dollar quotes, comments, BEGIN ATOMIC … END)."""
    out, cur, i, n = [], [], 0, len(text)
    atomic = False
    while i < n:
        c = text[i]
        if text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            cur.append(" ")
            continue
        if c == "'":
            j = i + 1
            while j < n:
                if text[j] == "'" and text[j + 1:j + 2] == "'":
                    j += 2
                elif text[j] == "'":
                    break
                else:
                    j += 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        m = re.match(r"\$[A-Za-z_]*\$", text[i:])
        if m:
            tag = m.group(0)
            j = text.find(tag, i + len(tag))
            cur.append(text[i:j + len(tag)])
            i = j + len(tag)
            continue
        if re.match(r"BEGIN\s+ATOMIC\b", text[i:], re.I) and not re.match(r"\w", text[i - 1:i]):
            atomic = True
        if atomic and re.match(r"END\s*;", text[i:], re.I) and not re.match(r"\w", text[i - 1:i]):
            m = re.match(r"END\s*;", text[i:], re.I)
            cur.append("END")
            i += m.end()
            out.append("".join(cur).strip())
            cur, atomic = [], False
            continue
        if c == ";" and not atomic:
            out.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return [s for s in out if s]


def view_queries(sql_dir):
    """{(schema, view): query text} from the two scripts, last definition winning."""
    views = {}
    for fname, schema in (("system_views.sql", "pg_catalog"), ("information_schema.sql", "information_schema")):
        with open(os.path.join(sql_dir, fname), encoding="utf-8") as f:
            text = f.read()
        for stmt in split_statements(text):
            m = re.match(r"CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(\w+)\s*(?:WITH\s*\([^)]*\)\s*)?AS\s+(.*)$", stmt, re.S | re.I)
            if m:
                views[(schema, m.group(1))] = m.group(2).strip()
    return views


def function_bodies(sql_dir):
    """{name: expr} for information_schema.sql's functions with a RETURN body."""
    bodies = {}
    with open(os.path.join(sql_dir, "information_schema.sql"), encoding="utf-8") as f:
        text = f.read()
    for stmt in split_statements(text):
        m = re.match(r"CREATE\s+FUNCTION\s+(\w+)\s*\(.*?\bRETURN\b(.*)$", stmt, re.S | re.I)
        if m and "BEGIN ATOMIC" not in stmt.upper():
            bodies[m.group(1)] = " ".join(m.group(2).split())
    return bodies


def select_list(cols, overrides):
    out = []
    for name, typ in cols:
        if name in overrides:
            out.append(overrides[name])
        elif typ in REG_TYPES:
            out.append(f"{name}::oid")
        elif typ in NODE_TYPES:
            out.append("NULL")
        else:
            out.append(name)
    return ", ".join(out)


def sql_lit(s):
    return "'" + s.replace("'", "''") + "'"


def main(argv):
    if len(argv) < 2:
        die("usage: gen_initdb.py PORT [SQL_DIR]")
    port, sql_dir = argv[1], (argv[2] if len(argv) > 2 else "/usr/share/postgresql/15")
    cols = catalog_columns()
    queries = view_queries(sql_dir)
    views = [tuple(r.split("\t")) for r in psql(port, """
        SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'v' AND c.oid < 16384 AND n.nspname IN ('pg_catalog', 'information_schema') ORDER BY c.oid""")]
    missing = [f"{s}.{v}" for _, s, v in views if (s, v) not in queries]
    if missing:
        die(f"no definition found for {missing}")
    view_oids = ",".join(o for o, _, _ in views)
    is_ns = "(SELECT oid FROM pg_namespace WHERE nspname = 'information_schema')"
    out = sys.stdout
    out.write("# @generated by ir/gen/gen_initdb.py from a PostgreSQL 15 cluster and its system_views.sql /\n")
    out.write("# information_schema.sql. Do not edit.\n")

    def emit(kind, catalog, query, overrides=None):
        rows = psql(port, f"SELECT {select_list(cols[catalog], overrides or {})} FROM {catalog} {query}")
        out.write(f"{kind}\t{catalog}\t{len(rows)}\n")
        for r in rows:
            if len(r.split("\t")) != len(cols[catalog]):
                die(f"{catalog}: row width mismatch: {r}")
            out.write(r + "\n")

    # template1 keeps the bki's xid fields; template0 and postgres are initdb's.
    emit("replace", "pg_database", "ORDER BY oid", {"datfrozenxid": "'0'::xid", "datminmxid": "'1'::xid"})
    # The bki's schemas get initdb's ACLs; information_schema is new.
    emit("replace", "pg_namespace", "WHERE oid < 16384 ORDER BY oid")
    # Rowtypes of the views, their array types, and information_schema's domains and their arrays.
    emit("rows", "pg_type", f"""WHERE typrelid IN ({view_oids})
        OR typelem IN (SELECT oid FROM pg_type WHERE typrelid IN ({view_oids}))
        OR (typnamespace = {is_ns} AND typtype = 'd')
        OR typelem IN (SELECT oid FROM pg_type WHERE typnamespace = {is_ns} AND typtype = 'd') ORDER BY oid""")
    emit("rows", "pg_class", f"WHERE oid IN ({view_oids}) ORDER BY oid")
    emit("rows", "pg_attribute", f"WHERE attrelid IN ({view_oids}) ORDER BY attrelid, attnum")
    # The views' _RETURN rules, with the query text as ev_action.
    rules = psql(port, f"SELECT r.oid, n.nspname, c.relname FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class "
                       f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE r.ev_class IN ({view_oids}) AND r.rulename = '_RETURN' ORDER BY r.oid")
    cases = " ".join(f"WHEN {o} THEN {sql_lit(queries[(s, v)])}" for o, s, v in (r.split("\t") for r in rules))
    emit("rows", "pg_rewrite", f"WHERE ev_class IN ({view_oids}) AND rulename = '_RETURN' ORDER BY oid",
         {"ev_action": f"CASE oid {cases} END", "ev_qual": "'<>'"})
    bodies = function_bodies(sql_dir)
    cases = " ".join(f"WHEN {sql_lit(k)} THEN {sql_lit('SELECT ' + v)}" for k, v in sorted(bodies.items()))
    emit("rows", "pg_proc", f"WHERE pronamespace = {is_ns} ORDER BY oid", {"prosrc": f"CASE proname {cases} ELSE prosrc END"})


if __name__ == "__main__":
    main(sys.argv)
