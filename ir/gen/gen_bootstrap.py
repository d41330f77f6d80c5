#!/usr/bin/env python3
"""Generates ir/bootstrap/postgres.bootstrap from PostgreSQL 15's postgres.bki.

OpenAssay keeps pg_catalog as real heap relations; their built-in rows must be
exactly PostgreSQL's, so they are taken from the bki file initdb feeds to the
bootstrap backend rather than written by hand.

usage:
  gen_bootstrap.py [BKI [CONSTRAINTS_SQL]] > ir/bootstrap/postgres.bootstrap
      BKI defaults to /usr/share/postgresql/15/postgres.bki; CONSTRAINTS_SQL
      to system_constraints.sql next to it (genbki writes both; initdb runs
      the latter to turn some declared indexes into primary keys).
  gen_bootstrap.py --check PORT [DATA]
      Compares DATA (default: ../bootstrap/postgres.bootstrap next to this
      script) with a running PostgreSQL 15 cluster on 127.0.0.1:PORT (user
      postgres, database template1, via psql) and prints a report. Exit
      status 1 if anything differs that is not explained by initdb's later
      steps (see EXPECTED_DIFFS).

Output is deterministic: catalogs, columns, rows and indexes in bki order.
Every `insert` is kept, including the pg_class and pg_attribute rows the bki
carries for the four `bootstrap` catalogs themselves; the pg_class,
pg_attribute and rowtype pg_type rows of the other catalogs are not in the
bki (the bootstrap backend makes them from `create`), so not here either.

Placeholders. initdb (bootstrap_template1 in src/bin/initdb/initdb.c)
replaces these tokens before the backend reads the bki; we substitute the
values a default 64-bit initdb with `-U postgres -E UTF8 --locale=C` would:
  NAMEDATALEN      64
  SIZEOF_POINTER   8
  ALIGNOF_POINTER  d      (initdb: "d" when sizeof(Pointer) == 8, else "i")
  FLOAT8PASSBYVAL  t      (initdb writes "true"; "t" is the same bool as
                           boolout prints it, like every other bool here)
  POSTGRES         postgres   (bootstrap superuser name)
  ENCODING         6      (UTF8's encoding id)
  LC_COLLATE       C
  LC_CTYPE         C
  ICU_LOCALE       NULL   (initdb writes _null_ unless the provider is ICU)
  LOCALE_PROVIDER  c      (libc)
PGUID (older releases' superuser OID) does not occur in the 15 bki. initdb's
replace_token works on raw substrings; we replace whole bare tokens and check
that each placeholder occurs nowhere else. Any other bare token that looks
like a placeholder (upper case with an underscore) aborts generation.

The bki's values are bare tokens, single-quoted strings ('' for a quote,
DeescapeQuotedString's backslash escapes) or _null_. They are kept in the
type's text input format as the bki has them, which is also what the type's
output function prints (--check verifies this), with two exceptions: regproc columns hold numeric OIDs or - (regprocin
accepts both; regprocout would print a function name), and array literals are
respelled as array_out prints them ('{a, b}' becomes '{a,b}').

Output format (UTF-8 text, one record per line, fields separated by TAB):
  catalog NAME OID ROWTYPE_OID|- FLAGS      FLAGS: comma list of bootstrap,
                                            shared, or -
  column NAME TYPE null|notnull             in attnum order
  index NAME OID unique|nonunique primary|- METHOD COL:OPCLASS[,COL:OPCLASS]
  toast TOAST_OID TOAST_INDEX_OID
  rows N                                    then exactly N row lines
Row fields: \\N is NULL; backslash escapes \\\\ \\t \\n \\r (COPY text style).
Lines starting with # are comments.
"""
import os
import re
import subprocess
import sys

DEFAULT_BKI = "/usr/share/postgresql/15/postgres.bki"

PLACEHOLDERS = {
    "NAMEDATALEN": "64",
    "SIZEOF_POINTER": "8",
    "ALIGNOF_POINTER": "d",
    "FLOAT8PASSBYVAL": "t",
    "POSTGRES": "postgres",
    "ENCODING": "6",
    "LC_COLLATE": "C",
    "LC_CTYPE": "C",
    "ICU_LOCALE": None,
    "LOCALE_PROVIDER": "c",
}


def die(msg):
    sys.exit(f"gen_bootstrap: {msg}")


# ---------------------------------------------------------------- bki lexer

# Mirrors PostgreSQL 15's bootscanner.l: `id` is [-A-Za-z0-9_]+, `sid` is a
# single-quoted string with '' for a quote, de-escaped by DeescapeQuotedString
# (which also understands C-style backslash escapes), comments are lines
# starting with #, and ( ) , = are punctuation.
TOKEN_RE = re.compile(r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>^\#[^\n]*)
  | (?P<id>[-A-Za-z0-9_]+)
  | (?P<sid>'(?:[^']|'')*')
  | (?P<punct>[(),=])
""", re.X | re.M)

ID, SID, NULL, PUNCT = "id", "sid", "null", "punct"


def deescape_quoted(s):
    """DeescapeQuotedString from guc-file.l, which bootscanner.l uses."""
    body = s[1:-1]
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            i += 1
            c = body[i]
            simple = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
            if c in simple:
                out.append(simple[c])
            elif c in "01234567":
                j = i
                while j < len(body) and j < i + 3 and body[j] in "01234567":
                    j += 1
                out.append(chr(int(body[i:j], 8)))
                i = j - 1
            else:
                out.append(c)
        elif c == "'" and i + 1 < len(body) and body[i + 1] == "'":
            out.append("'")
            i += 1
        else:
            out.append(c)
        i += 1
    return "".join(out)


def tokenize(text):
    toks = []
    pos = 0
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            line = text.count("\n", 0, pos) + 1
            die(f"bki line {line}: unexpected character {text[pos]!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        val = m.group()
        if kind == "id":
            toks.append((NULL, None) if val == "_null_" else (ID, val))
        elif kind == "sid":
            toks.append((SID, deescape_quoted(val)))
        else:
            toks.append((PUNCT, val))
    return toks


def substitute(text, toks):
    """Replaces initdb's placeholders in bare tokens (see module docstring)."""
    out = []
    used = {}
    for kind, val in toks:
        if kind == ID and val in PLACEHOLDERS:
            used[val] = used.get(val, 0) + 1
            sub = PLACEHOLDERS[val]
            out.append((NULL, None) if sub is None else (SID, sub))
            continue
        if kind == ID and re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+", val):
            die(f"unknown placeholder-like token {val!r}; teach PLACEHOLDERS about it")
        out.append((kind, val))
    for name in PLACEHOLDERS:
        raw = text.count(name)
        if raw != used.get(name, 0):
            die(f"placeholder {name} occurs {raw} times as a substring but "
                f"{used.get(name, 0)} times as a token; initdb would replace differently")
    return out


# --------------------------------------------------------------- bki parser

class Catalog:
    def __init__(self, name, oid, rowtype, bootstrap, shared):
        self.name, self.oid, self.rowtype = name, oid, rowtype
        self.bootstrap, self.shared = bootstrap, shared
        self.columns = []   # [name, type, nullness] nullness: None|"notnull"|"null"
        self.rows = []
        self.indexes = []   # (name, oid, unique, method, [(col, opclass)])
        self.toast = None


class Parser:
    def __init__(self, toks):
        self.toks, self.i = toks, 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def next(self):
        t = self.peek()
        if t[0] is None:
            die("unexpected end of bki")
        self.i += 1
        return t

    def ident(self):
        kind, val = self.next()
        if kind not in (ID, SID):
            die(f"expected identifier, got {val!r}")
        return val

    def oid(self):
        val = self.ident()
        if not val.isdigit():
            die(f"expected OID, got {val!r}")
        return int(val)

    def expect(self, word):
        kind, val = self.next()
        if val != word or kind == SID:
            die(f"expected {word!r}, got {val!r}")

    def accept(self, word):
        kind, val = self.peek()
        if kind in (ID, PUNCT) and val == word:
            self.i += 1
            return True
        return False


def parse_bki(toks):
    p = Parser(toks)
    catalogs = {}
    order = []
    current = None
    while p.peek()[0] is not None:
        word = p.ident()
        if word == "create":
            name = p.ident()
            oid = p.oid()
            bootstrap = p.accept("bootstrap")
            shared = p.accept("shared_relation")
            rowtype = p.oid() if p.accept("rowtype_oid") else None
            cat = Catalog(name, oid, rowtype, bootstrap, shared)
            p.expect("(")
            while True:
                col = p.ident()
                p.expect("=")
                typ = p.ident()
                nullness = None
                if p.accept("FORCE"):
                    if p.accept("NOT"):
                        p.expect("NULL")
                        nullness = "notnull"
                    else:
                        # `NULL` lexes as an ordinary id here
                        p.expect("NULL")
                        nullness = "null"
                cat.columns.append([col, typ, nullness])
                if p.accept(")"):
                    break
                p.expect(",")
            if name in catalogs:
                die(f"catalog {name} created twice")
            catalogs[name] = cat
            order.append(name)
            current = cat  # `create ... bootstrap` leaves the relation open
        elif word == "open":
            current = catalogs.get(p.ident()) or die("open of unknown catalog")
        elif word == "close":
            name = p.ident()
            if current is None or current.name != name:
                die(f"close {name} but {current and current.name} is open")
            current = None
        elif word == "insert":
            if current is None:
                die("insert with no open catalog")
            p.expect("(")
            row = []
            while not p.accept(")"):
                if p.accept(","):
                    continue
                kind, val = p.next()
                if kind == PUNCT:
                    die(f"unexpected {val!r} in insert into {current.name}")
                row.append(val)
            if len(row) != len(current.columns):
                die(f"insert into {current.name}: {len(row)} values for "
                    f"{len(current.columns)} columns")
            current.rows.append(row)
        elif word == "declare":
            if p.accept("toast"):
                toast_oid, index_oid = p.oid(), p.oid()
                p.expect("on")
                cat = catalogs.get(p.ident()) or die("toast on unknown catalog")
                cat.toast = (toast_oid, index_oid)
                continue
            unique = p.accept("unique")
            p.expect("index")
            name = p.ident()
            oid = p.oid()
            p.expect("on")
            cat = catalogs.get(p.ident()) or die("index on unknown catalog")
            p.expect("using")
            method = p.ident()
            p.expect("(")
            cols = []
            while True:
                cols.append((p.ident(), p.ident()))
                if p.accept(")"):
                    break
                p.expect(",")
            cat.indexes.append((name, oid, unique, method, cols))
        elif word == "build":
            p.expect("indices")
        else:
            die(f"unknown bki command {word!r}")
    return [catalogs[n] for n in order]


def type_lengths(catalogs):
    """typname -> typlen from the bki's own pg_type rows."""
    pg_type = next(c for c in catalogs if c.name == "pg_type")
    names = [c[0] for c in pg_type.columns]
    iname, ilen = names.index("typname"), names.index("typlen")
    return {r[iname]: int(r[ilen]) for r in pg_type.rows}


def resolve_not_null(catalogs):
    """Applies DefineAttr's (src/backend/bootstrap/bootstrap.c) nullability.

    Without FORCE, a column is NOT NULL when it is fixed-width (or oidvector /
    int2vector, which C code also reads through the struct) and every earlier
    column is NOT NULL -- i.e. it is reachable through the C struct.
    """
    lens = type_lengths(catalogs)
    for cat in catalogs:
        prior_not_null = True
        for col in cat.columns:
            typ, nullness = col[1], col[2]
            if nullness is None:
                # Types missing from pg_type.dat (rowtype arrays such as
                # _pg_statistic) are varlena.
                structish = lens.get(typ, -1) > 0 or typ in ("oidvector", "int2vector")
                nullness = "notnull" if structish and prior_not_null else "null"
            col[2] = nullness
            prior_not_null &= nullness == "notnull"


ARRAY_SPACE = " \t\n\r\v\f"


def canon_array(v):
    """Respells a one-dimensional array literal the way array_out prints it.

    genbki copies array values from the .dat files verbatim, and a few are
    written with spaces after commas ('{a, b}'); array_in accepts that, but
    the catalog then prints '{a,b}'. Element values themselves are kept.
    """
    if v is None:
        return v
    s, i, elems = v, 0, []
    while i < len(s) and s[i] in ARRAY_SPACE:
        i += 1
    if i >= len(s) or s[i] != "{":
        die(f"array value {v!r} does not start with {{")
    i += 1
    while True:
        while i < len(s) and s[i] in ARRAY_SPACE:
            i += 1
        if i < len(s) and s[i] == "}" and not elems:
            i += 1
            break
        if i >= len(s) or s[i] == "{":
            die(f"unsupported array literal {v!r}")
        buf, quoted, was_quoted, last_kept = [], False, False, 0
        while i < len(s):
            c = s[i]
            if c == "\\":
                buf.append(s[i + 1])
                last_kept = len(buf)
                i += 2
                continue
            if c == '"':
                quoted = not quoted
                was_quoted = True
                last_kept = len(buf)
            elif not quoted and c in ",}":
                break
            else:
                buf.append(c)
                if quoted or c not in ARRAY_SPACE:
                    last_kept = len(buf)
            i += 1
        e = "".join(buf[:last_kept])  # unquoted trailing spaces are dropped
        elems.append(None if not was_quoted and e.upper() == "NULL" else e)
        if i >= len(s):
            die(f"unterminated array literal {v!r}")
        i += 1
        if s[i - 1] == "}":
            break
    if s[i:].strip(ARRAY_SPACE):
        die(f"junk after array literal {v!r}")

    def out(e):
        if e is None:
            return "NULL"
        if e == "" or e.upper() == "NULL" or any(c in '{},"\\' + ARRAY_SPACE for c in e):
            return '"' + e.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return e
    return "{" + ",".join(out(e) for e in elems) + "}"


def canonicalize(catalogs):
    for cat in catalogs:
        for j, (_, typ, _) in enumerate(cat.columns):
            if typ.startswith("_"):
                for row in cat.rows:
                    row[j] = canon_array(row[j])


def read_primary_keys(path):
    """Index names that system_constraints.sql turns into primary keys."""
    pks = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"ALTER TABLE (\w+) ADD PRIMARY KEY USING INDEX (\w+);", line)
            if m:
                pks.add(m.group(2))
    return pks


# ------------------------------------------------------------------ output

ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escape(v):
    if v is None:
        return "\\N"
    if any(c in v for c in ESCAPES):
        v = "".join(ESCAPES.get(c, c) for c in v)
    return v


def check_name(s):
    if not re.fullmatch(r"[A-Za-z0-9_]+", s):
        die(f"unexpected character in name {s!r}")
    return s


def emit(catalogs, pks, out):
    w = out.write
    w("# @generated by ir/gen/gen_bootstrap.py from PostgreSQL 15's postgres.bki. Do not edit.\n")
    w("# Placeholders: " + " ".join(
        f"{k}={'NULL' if v is None else v}" for k, v in PLACEHOLDERS.items()) + "\n")
    for cat in catalogs:
        flags = [f for f, on in (("bootstrap", cat.bootstrap), ("shared", cat.shared)) if on]
        w("\t".join(["catalog", check_name(cat.name), str(cat.oid),
                     "-" if cat.rowtype is None else str(cat.rowtype),
                     ",".join(flags) or "-"]) + "\n")
        for name, typ, nullness in cat.columns:
            w(f"column\t{check_name(name)}\t{check_name(typ)}\t{nullness}\n")
        for name, oid, unique, method, cols in cat.indexes:
            spec = ",".join(f"{check_name(c)}:{check_name(o)}" for c, o in cols)
            w("\t".join(["index", check_name(name), str(oid),
                         "unique" if unique else "nonunique",
                         "primary" if name in pks else "-",
                         check_name(method), spec]) + "\n")
        if cat.toast:
            w(f"toast\t{cat.toast[0]}\t{cat.toast[1]}\n")
        w(f"rows\t{len(cat.rows)}\n")
        for row in cat.rows:
            w("\t".join(escape(v) for v in row) + "\n")


def generate(bki_path, constraints_path, out):
    with open(bki_path, encoding="utf-8") as f:
        text = f.read()
    toks = substitute(text, tokenize(text))
    catalogs = parse_bki(toks)
    resolve_not_null(catalogs)
    canonicalize(catalogs)
    pks = read_primary_keys(constraints_path)
    known = {i[0] for c in catalogs for i in c.indexes}
    if not pks <= known:
        die(f"primary keys on undeclared indexes: {sorted(pks - known)}")
    emit(catalogs, pks, out)


# ------------------------------------------------------------ data reader

def unescape(v):
    if v == "\\N":
        return None
    if "\\" not in v:
        return v
    out, i = [], 0
    back = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
    while i < len(v):
        if v[i] == "\\":
            out.append(back[v[i + 1]])
            i += 2
        else:
            out.append(v[i])
            i += 1
    return "".join(out)


def read_data(path):
    """Parses the generated file back (used by --check; mirrors bootstrap.rs)."""
    cats = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        if f[0] == "catalog":
            cats.append({"name": f[1], "oid": int(f[2]),
                         "rowtype": None if f[3] == "-" else int(f[3]),
                         "flags": set(f[4].split(",")) - {"-"},
                         "columns": [], "indexes": [], "toast": None, "rows": []})
        elif f[0] == "column":
            cats[-1]["columns"].append((f[1], f[2], f[3] == "notnull"))
        elif f[0] == "index":
            cats[-1]["indexes"].append({
                "name": f[1], "oid": int(f[2]), "unique": f[3] == "unique",
                "primary": f[4] == "primary", "method": f[5],
                "columns": [tuple(x.split(":")) for x in f[6].split(",")]})
        elif f[0] == "toast":
            cats[-1]["toast"] = (int(f[1]), int(f[2]))
        elif f[0] == "rows":
            n = int(f[1])
            for line in lines[i:i + n]:
                row = [unescape(v) for v in line.split("\t")]
                assert len(row) == len(cats[-1]["columns"]), line
                cats[-1]["rows"].append(row)
            i += n
        else:
            die(f"bad data line {line!r}")
    return cats


# ------------------------------------------------------------------ check

# Differences initdb introduces after bootstrap, by (catalog, column). They
# are reported but do not fail the check.
EXPECTED_DIFFS = {
    ("pg_database", "datfrozenxid"): "initdb VACUUM FREEZEs template1",
    ("pg_database", "datcollate"): "the pgref cluster uses --locale=C.UTF-8; we use C",
    ("pg_database", "datctype"): "the pgref cluster uses --locale=C.UTF-8; we use C",
    ("pg_database", "datcollversion"): "initdb records the libc version of a non-C locale",
    ("pg_database", "datacl"): "initdb's make_template0 revokes CONNECT from PUBLIC",
    ("pg_namespace", "nspacl"): "initdb's setup_privileges GRANTs USAGE ON SCHEMA",
    ("pg_proc", "proacl"): "system_functions.sql REVOKEs EXECUTE FROM public",
    ("pg_class", "relpages"): "VACUUM during initdb",
    ("pg_class", "reltuples"): "VACUUM during initdb",
    ("pg_class", "relallvisible"): "VACUUM during initdb",
    ("pg_class", "relhasindex"): "set when `build indices` builds the declared indexes",
    ("pg_class", "relfrozenxid"): "VACUUM FREEZE during initdb",
    ("pg_class", "reltoastrelid"): "set by `declare toast`",
    ("pg_class", "relacl"): "initdb's setup_privileges GRANTs SELECT on catalogs",
}


def replaced_functions(bki_dir):
    """Names of functions system_functions.sql redefines with CREATE OR REPLACE."""
    path = os.path.join(bki_dir, "system_functions.sql")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return set(re.findall(r'CREATE OR REPLACE FUNCTION\s+(?:pg_catalog\.)?"?(\w+)"?\s*\(',
                          text, re.I))


def psql_copy(port, query):
    cmd = ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d",
           "template1", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
           f"COPY ({query}) TO STDOUT"]
    res = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8")
    if res.returncode != 0:
        die(f"psql failed: {res.stderr.strip()}\nquery: {query}")
    rows = []
    for line in res.stdout.split("\n"):
        if line:
            rows.append([copy_unescape(v) for v in line.split("\t")])
    return rows


def copy_unescape(v):
    if v == "\\N":
        return None
    if "\\" not in v:
        return v
    back = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}
    out, i = [], 0
    while i < len(v):
        if v[i] == "\\":
            out.append(back.get(v[i + 1], v[i + 1]))
            i += 2
        else:
            out.append(v[i])
            i += 1
    return "".join(out)


def qi(s):
    return '"' + s.replace('"', '""') + '"'


def check(port, data_path):
    cats = read_data(data_path)
    problems = 0
    print(f"# comparing {data_path} with PostgreSQL on port {port}")

    # Relations: OID, rowtype, sharedness.
    rels = {r[0]: r for r in psql_copy(port, """
        SELECT c.relname, c.oid, c.reltype, c.relisshared, c.reltoastrelid,
               coalesce((SELECT i.indexrelid FROM pg_index i
                         WHERE i.indrelid = c.reltoastrelid), 0)
        FROM pg_class c WHERE c.relnamespace = 11 AND c.relkind = 'r'""")}
    names = {c["name"] for c in cats}
    for name in sorted(set(rels) - names):
        print(f"relation {name}: in cluster, not in data")
        problems += 1
    for c in cats:
        r = rels.get(c["name"])
        if r is None:
            print(f"relation {c['name']}: not in cluster")
            problems += 1
            continue
        want = [str(c["oid"]), "t" if "shared" in c["flags"] else "f"]
        if [r[1], r[3]] != want:
            print(f"relation {c['name']}: oid/shared {r[1]},{r[3]} vs {want}")
            problems += 1
        if c["rowtype"] is not None and r[2] != str(c["rowtype"]):
            print(f"relation {c['name']}: rowtype {r[2]} vs {c['rowtype']}")
            problems += 1
        toast = (int(r[4]), int(r[5])) if r[4] != "0" else None
        if toast != c["toast"]:
            print(f"relation {c['name']}: toast {toast} vs {c['toast']}")
            problems += 1

    print(f"relations (OID, rowtype, shared, toast): {len(cats)} compared, "
          f"{problems} differ")

    # Columns: names, types, NOT NULL.
    attrs = {}
    for rel, att, typ, nn in psql_copy(port, """
            SELECT c.relname, a.attname, t.typname, a.attnotnull
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_type t ON t.oid = a.atttypid
            WHERE c.relnamespace = 11 AND c.relkind = 'r' AND a.attnum > 0
              AND NOT a.attisdropped ORDER BY c.relname, a.attnum"""):
        attrs.setdefault(rel, []).append((att, typ, nn == "t"))
    col_bad = 0
    for c in cats:
        if attrs.get(c["name"]) != c["columns"]:
            col_bad += 1
            theirs = attrs.get(c["name"], [])
            for a, b in zip(c["columns"], theirs + [None] * len(c["columns"])):
                if a != b:
                    print(f"column {c['name']}.{a[0]}: data {a} vs cluster {b}")
    print(f"columns (name, type, NOT NULL): {len(cats) - col_bad}/{len(cats)} catalogs identical")
    problems += col_bad

    # Indexes.
    idx = {}
    for rel, name, oid, uniq, prim, am, cols in psql_copy(port, """
            SELECT c.relname, ic.relname, ic.oid, i.indisunique,
                   i.indisprimary, am.amname,
                   (SELECT string_agg(a.attname || ':' || oc.opcname, ',' ORDER BY k.n)
                    FROM unnest(i.indkey::int2[], i.indclass::oid[]) WITH ORDINALITY
                         AS k(attnum, opc, n)
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                    JOIN pg_opclass oc ON oc.oid = k.opc)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_am am ON am.oid = ic.relam
            WHERE c.relnamespace = 11 AND c.relkind = 'r'"""):
        idx.setdefault(rel, {})[name] = (int(oid), uniq == "t", prim == "t", am,
                                         [tuple(x.split(":")) for x in cols.split(",")])
    nidx = 0
    for c in cats:
        theirs = idx.get(c["name"], {})
        for i in c["indexes"]:
            nidx += 1
            mine = (i["oid"], i["unique"], i["primary"], i["method"], i["columns"])
            if theirs.get(i["name"]) != mine:
                print(f"index {i['name']}: data {mine} vs cluster {theirs.get(i['name'])}")
                problems += 1
        extra = set(theirs) - {i["name"] for i in c["indexes"]}
        if extra:
            print(f"indexes on {c['name']} not in data: {sorted(extra)}")
            problems += 1
    print(f"indexes: {nidx} compared")

    # Rows. COPY prints each column with its type's output function (so
    # bool is t/f, unlike bool::text's true/false). regproc prints a name,
    # but the bki holds its input form, an OID or - for 0: compare OIDs.
    replaced = replaced_functions(os.path.dirname(DEFAULT_BKI))
    spelled = []   # (catalog, column, type, data value, cluster value)
    print("rows (catalog: data rows, found in cluster, identical; cluster rows not in bki):")
    for c in cats:
        if not c["rows"]:
            continue
        cols = [col[0] for col in c["columns"]]
        types = [col[1] for col in c["columns"]]
        if "oid" in cols:
            key = ["oid"]
        else:
            key = [k for k, _ in next(i["columns"] for i in c["indexes"] if i["unique"])]
        kpos = [cols.index(k) for k in key]
        sel = ", ".join(f"{qi(n)}::oid" if t == "regproc" else qi(n)
                        for n, t in zip(cols, types))
        theirs = {tuple(r[p] for p in kpos): r
                  for r in psql_copy(port, f"SELECT {sel} FROM pg_catalog.{qi(c['name'])}")}
        found = same = 0
        diffs = {}
        for row in c["rows"]:
            k = tuple(row[p] for p in kpos)
            other = theirs.get(k)
            if other is None:
                diffs.setdefault("(row missing in cluster)", []).append(k)
                continue
            found += 1
            mine = ["0" if t == "regproc" and v == "-" else v for v, t in zip(row, types)]
            bad = [i for i, (a, b) in enumerate(zip(mine, other)) if a != b]
            if not bad:
                same += 1
            for i in bad:
                why = EXPECTED_DIFFS.get((c["name"], cols[i]))
                if c["name"] == "pg_proc" and why is None and \
                        row[cols.index("proname")] in replaced:
                    why = "CREATE OR REPLACE FUNCTION in system_functions.sql"
                if why is None and mine[i] is not None and other[i] is not None:
                    spelled.append((c["name"], cols[i], types[i], mine[i], other[i]))
                diffs.setdefault(cols[i], []).append((why, k, row[i], other[i]))
        extra = len(set(theirs) - {tuple(r[p] for p in kpos) for r in c["rows"]})
        print(f"  {c['name']}: {len(c['rows'])}, {found}, {same}; {extra}")
        for n, lst in sorted(diffs.items()):
            whys = sorted({str(x[0]) for x in lst})
            unexpected = sum(1 for x in lst if x[0] is None)
            problems += unexpected
            print(f"    {n}: {len(lst)} row(s) differ -- "
                  + "; ".join("UNEXPECTED" if w == "None" else w for w in whys))
            for why, k, a, b in lst[:2]:
                print(f"      e.g. key {k}: data {shorten(a)} vs cluster {shorten(b)}")

    # For unexplained differences, ask PostgreSQL whether our text is just
    # another spelling of the cluster's value (typinput then typoutput).
    if spelled:
        print("unexplained differences re-checked through the cluster's typinput:")
        for cat, col, typ, a, b in spelled:
            canon = psql_copy(port, f"SELECT {sql_lit(a)}::{typ}")[0][0]
            verdict = "same value, other spelling" if canon == b else "DIFFERENT VALUE"
            print(f"  {cat}.{col}: {verdict}: {shorten(a)} -> {shorten(canon)}")
    print(f"unexpected differences: {problems}")
    return 1 if problems else 0


def sql_lit(v):
    return "'" + v.replace("'", "''") + "'"


def shorten(v, n=70):
    if v is None:
        return "NULL"
    return repr(v if len(v) <= n else v[:n] + "...")


def main(argv):
    if argv and argv[0] == "--check":
        if len(argv) < 2:
            die("usage: gen_bootstrap.py --check PORT [DATA]")
        here = os.path.dirname(os.path.abspath(__file__))
        data = argv[2] if len(argv) > 2 else os.path.join(here, "..", "bootstrap",
                                                           "postgres.bootstrap")
        return check(int(argv[1]), os.path.normpath(data))
    bki = argv[0] if argv else DEFAULT_BKI
    cons = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(bki),
                                                      "system_constraints.sql")
    sys.stdout.reconfigure(newline="\n")
    generate(bki, cons, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
