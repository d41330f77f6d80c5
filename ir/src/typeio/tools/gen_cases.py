#!/usr/bin/env python3
"""Generates typeio test cases (see record_pgref.py for the format).

usage: gen_cases.py SEED SCALE > cases.tsv
SCALE multiplies the number of random cases (1 for the embedded table).
"""
import random, struct, sys

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
SCALE = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
rnd = random.Random(seed)
out = []


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def add(op, *args):
    out.append("\t".join([op] + [esc(str(a)) for a in args]))


def n(k):
    return max(1, int(k * SCALE))


WS = ["", " ", "  ", "\t", "\n", "\r", "\v", "\f", " \t "]

# ----- integers --------------------------------------------------------------
INT_INPUTS = ["0", "-0", "+0", "1", "-1", " 12 ", "\t12\n", "12 ", " 12", "1 2", "12a", "a12", "a", "", " ", "-", "+",
              "--1", "+-1", "-+1", "0x10", "0X1F", "0o17", "0b101", "1_000", "1e3", "1.0", "1.", ".1", "0012", "-0012",
              "000000000000000000000000000000012", "99999999999x", "x99999999999", "99999999999999999999999", "١٢",
              "12\u00a0", "\u00a012", "1\v", "\f1", "- 1", "+ 1", "1-", "2147483647", "2147483648", "-2147483648",
              "-2147483649", "32767", "32768", "-32768", "-32769", "9223372036854775807", "9223372036854775808",
              "-9223372036854775808", "-9223372036854775809", "4294967295", "4294967296", "-4294967295",
              "18446744073709551615", "18446744073709551616", "-18446744073709551615", "-18446744073709551616",
              "65535", "65536", "  -32768  ", "1\n2", "NaN", "inf"]
for t in ["int2", "int4", "int8", "oid"]:
    for s in INT_INPUTS:
        add("in", t, "", s)
for _ in range(n(150)):
    t = rnd.choice(["int2", "int4", "int8", "oid"])
    bits = rnd.choice([8, 15, 16, 17, 31, 32, 33, 63, 64, 65])
    v = rnd.randint(-(2 ** bits), 2 ** bits)
    s = rnd.choice(WS[:3]) + str(v) + rnd.choice(WS[:3])
    add("in", t, "", s)
for s in ["1 2 3", " 1  2 ", "", "   ", "1,2", "1\t2", "-32768 32767", "32768", "1 x", "1x 2", "-", "+5 -5", "1 2x",
          "99999999999999999999", "-9223372036854775809", "9223372036854775807"]:
    add("in", "int2vector", "", s)
for s in ["1 2 3", " 1  2 ", "", "   ", "1,2", "1\t2", "-1 4294967295", "4294967296", "1 x", "1x 2", "-",
          "-2147483648 -2147483649", "18446744073709551616"]:
    add("in", "oidvector", "", s)

# ----- floats ----------------------------------------------------------------
FLOAT_INPUTS = ["0", "-0", "+0", "0.0", "-0.0", "1", "-1", "1.5", " 1.5 ", "\t1.5\n", "1e5", "1E5", "1e+5", "1e-5",
                "1.e5", ".5", "5.", ".", "-.", "e5", "1e", "1e+", "1e-", "1.5e", "1ee5", "1e5e5", "1.2.3", "--1",
                "+-1", "- 1", "1 2", "NaN", "nan", "NAN", "-NaN", "+nan", " nan ", "nan(123)", "nan(abc_DEF)",
                "nan()", "nan(", "nan(1 2)", "nanx", "Infinity", "infinity", "-Infinity", "+Infinity", "inf", "INF",
                "-inf", "+inf", "infinit", "infinityx", " -Infinity ", "Inf inity", "0x10", "0X10", "0x1p-3",
                "0X1.8P1", "0x1.8p", "0x", "0x.", "0x.8", "0xg", "-0x10", "0x1p1023", "0x1p1024", "0x1.fffffffffffffp1023",
                "0x1.fffffffffffff8p1023", "0x1p-1074", "0x1p-1075", "0x1.8p-1075", "0x1p-1076", "0x0p0", "-0x0",
                "0x1p-126", "0x1p-149", "0x1p-150", "0x1.8p-150", "0x1p127", "0x1p128", "0x1.fffffep127",
                "0x1.ffffffp127", "0x123456789abcdef0123p0", "0x.000000000000000000000001p100", "1e400", "-1e400",
                "1e-400", "-1e-400", "1e308", "1.7976931348623157e308", "1.7976931348623158e308",
                "1.7976931348623159e308", "2e308", "1e-320", "4.9e-324", "5e-324", "2.5e-324", "2.4703282292062328e-324",
                "2.4703282292062327e-324", "1e-323", "3.4028235e38", "3.4028236e38", "3.40282357e38", "3.4028234664e38",
                "1e38", "1e39", "-1e39", "1e-45", "1.4e-45", "7e-46", "7.1e-46", "1e-46", "1.17549435e-38",
                "0e-999999", "0e99999999999999999999", "1e99999999999999999999", "1e-99999999999999999999",
                "123456789012345678901234567890", "0.000000000000000000000000000001", "1" + "0" * 400, "0." + "0" * 400 + "1",
                "12345678901234567890123456789012345678901234567890e-20", "1.00000000000000011102230246251565404236316680908203125",
                "1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
                "9007199254740993", "9007199254740992.5", "0.1", "0.2", "0.3", "100", "1e15", "1e16", "1e17",
                "123456789012345678", "1e-4", "1e-5", "0.0001", "0.00001", "123456", "1234567", "1e6", "999999.5",
                "1.5\u00a0", "１", "1,5", "1_000.5", "$1", "\u00a01"]
for t in ["float4", "float8"]:
    for s in FLOAT_INPUTS:
        add("in", t, "", s)
    for s in rnd.sample(FLOAT_INPUTS, 40):
        add("in", t, "efd=0", s)


def f8hex(v):
    return struct.pack(">d", v).hex()


def f4hex(v):
    return struct.pack(">f", v).hex()


special64 = [0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1.0, -1.0, 0.1, 0.5, 1e15, 1e15 - 1, 999999999999999.9,
             1e16, 1e-4, 1e-5, 0.0001, 0.00001, 9.999e-5, 123456789012345680.0, 1e100, 1e-100, 1.5e-7, 5e-324,
             2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308, 2.0 ** 53, 2.0 ** 53 + 2,
             2.0 ** 63, 100.0, 12345.678, 1 / 3, 2 / 3, 1e22, 1e23, 9007199254740991.0, 4503599627370496.5,
             562949953421312.25, 562949953421312.75, 562949953421313.25]
special32 = [0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1.0, 0.1, 0.5, 1e6, 999999.0, 1e5, 123456.0, 1234567.0,
             1e-4, 1e-5, 3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38, 16777216.0, 16777217.0,
             1048576.25, 1048576.75, 131072.125, 1e10, 1 / 3, 2.0 ** 24 - 1]
EFDS = [1, 0, -1, 2, 3, -15, -14, -5, -10]
for v in special64:
    for e in EFDS:
        add("f8out", e, f8hex(v))
for v in special32:
    for e in EFDS:
        add("f4out", e, f4hex(struct.unpack(">f", struct.pack(">f", v))[0]))


def rand64():
    r = rnd.random()
    if r < 0.5:
        return rnd.getrandbits(64).to_bytes(8, "big").hex()
    if r < 0.6:
        return f8hex(float(rnd.randint(-10 ** rnd.randint(1, 20), 10 ** rnd.randint(1, 20))))
    if r < 0.75:
        return f8hex(float("%d.%de%d" % (rnd.randint(0, 999), rnd.randint(0, 999), rnd.randint(-30, 30))))
    if r < 0.9:
        # Values with a short dyadic fraction near the digit cut: where
        # shortest-digit ties between two candidates happen.
        t = rnd.randint(1, 12)
        e = rnd.randint(40, 55) - t
        v = (rnd.randint(2 ** e, 2 ** (e + 1)) + rnd.randrange(1, 2 ** t, 2) / 2 ** t) * rnd.choice([1, -1])
        return f8hex(v)
    return f8hex(rnd.choice(special64) * rnd.choice([1, 10, 0.1, 2, 0.5, 1 + 2 ** -52, 1 - 2 ** -53]))


def rand32():
    r = rnd.random()
    if r < 0.5:
        return rnd.getrandbits(32).to_bytes(4, "big").hex()
    if r < 0.6:
        v = float(rnd.randint(-10 ** rnd.randint(1, 9), 10 ** rnd.randint(1, 9)))
    elif r < 0.75:
        v = float("%d.%de%d" % (rnd.randint(0, 999), rnd.randint(0, 999), rnd.randint(-30, 30)))
    else:
        t = rnd.randint(1, 8)
        e = rnd.randint(12, 26) - t
        v = rnd.randint(2 ** e, 2 ** (e + 1)) + rnd.randrange(1, 2 ** t, 2) / 2 ** t
    try:
        return f4hex(v)
    except OverflowError:
        return f4hex(0.0)


# Decimals that lie exactly halfway between two floats: the shortest
# candidate sits on the rounding boundary, which PostgreSQL's Ryu excludes.
from fractions import Fraction
bnd64, bnd32 = [], []
for d in range(1, 1000):
    for p in range(0, 45):
        x = d * 10 ** p
        odd = x >> ((x & -x).bit_length() - 1)
        if odd.bit_length() == 54 and x < 2 ** 1000:
            lo = float(Fraction(x - (x & -x)))
            bnd64 += [lo, float(Fraction(x + (x & -x)))]
        if odd.bit_length() == 25 and x < 2 ** 120:
            bnd32 += [x - (x & -x), x + (x & -x)]
for v in rnd.sample(bnd64, min(len(bnd64), n(300))):
    add("f8out", rnd.choice([1, 1, 2, 3]), f8hex(v))
for v in rnd.sample(bnd32, min(len(bnd32), n(200))):
    add("f4out", rnd.choice([1, 1, 2, 3]), f4hex(float(v)))
for _ in range(n(2000)):
    add("f8out", rnd.choice([1, 1, 1, 0, 0, -1, 2, 3, -3, -7]), rand64())
for _ in range(n(1200)):
    add("f4out", rnd.choice([1, 1, 1, 0, 0, -1, 2, 3, -3, -5]), rand32())

# ----- boolean ---------------------------------------------------------------
for s in ["t", "f", "T", "F", "true", "false", "TRUE", "True", "tru", "tr", "truex", "trUE ", " true", "\ttrue\n",
          "y", "yes", "ye", "YES", "yess", "n", "no", "NO", "nope", "on", "ON", "On", "o", "O", "of", "off", "OFF",
          "offf", "onn", "o ", " o", "1", "0", "01", "10", "11", "00", "2", "-1", "", " ", "t rue", "fa lse",
          "falsE", "fals", "f ", "\vt\f", "yes\n", "\u00a0t"]:
    add("in", "bool", "", s)

# ----- character types -------------------------------------------------------
STRS = ["", "a", "ab", "abc", "abcd", "abc ", "abc  ", "ab  ", "a b c", " abc", "abcd ", "ab c", "é", "éé", "ééé",
        "éééé", "ééé ", "日本語", "日本語x", "日本語 ", "  ", "   ", "    ", "a\t", "abc\t", "x" * 10]
for t in ["varchar(3)", "char(3)", "varchar(1)", "char(1)", "char", "varchar", "bpchar", "text", "char(5)",
          "varchar(5)", "name"]:
    for s in STRS:
        add("in", t, "", s)
for frm in ["text", "varchar", "char(5)", "char(10)"]:
    for to in ["varchar(3)", "char(3)", "char(5)", "varchar(5)", "char(1)", "text", "name", "varchar"]:
        for s in rnd.sample(STRS, 8):
            add("cast", frm, to, "", s)
for col in ["vc3", "vc5", "bpc3", "bpc5", "bpc1", "nm", "vc", "bpc"]:
    for s in STRS:
        add("assign", col, s)
for s in ["a" * 62, "a" * 63, "a" * 64, "a" * 100, "é" * 31, "é" * 32, "é" * 33, "a" + "é" * 31, "a" + "é" * 32,
          "日" * 21, "日" * 22, "a" + "日" * 21, "ab" + "日" * 21, "a" * 62 + "é", "a" * 63 + " ", "a" * 60 + "   x"]:
    add("in", "name", "", s)
    add("cast", "text", "name", "", s)
    add("cast", "char(70)", "name", "", s)
for s in ["a", "ab", "", " ", "\\101", "\\000", "\\001", "\\177", "\\200", "\\377", "\\400", "\\777", "\\8", "\\18",
          "\\1011", "\\10", "é", "日", "\\", "\\\\", "~", "\x7f", "\x01"]:
    add("in", '"char"', "", s)
    add("cast", "text", '"char"', "", s)
    add("cast", '"char"', "int4", "", s)
    add("cast", '"char"', "text", "", s)
for v in ["0", "1", "65", "127", "128", "-1", "-128", "-129", "255", "256", "97"]:
    add("cast", "int4", '"char"', "", v)

# ----- bytea -----------------------------------------------------------------
for s in ["", "abc", "\\x", "\\x00", "\\xdeadbeef", "\\xDEADBEEF", "\\xDeAd", "\\x0", "\\x012", "\\x 01 02",
          "\\x01 02\n03\t04\r", "\\x0 1", "\\x01g2", "\\x01é", "\\xé", "\\xg", "\\X01", "\\\\", "a\\\\b", "\\000",
          "\\001\\002", "\\377", "\\400", "\\38", "\\3", "\\12", "\\", "a\\", "\\a", "\\\\\\", "é", "日本",
          "abc\\141", "\\x\\x", " \\x01", "\\x01 ", "\\x 0", "\\x0g", "\\x\v01", "\x01\x1f~\x7f"]:
    for st in ["bytea=hex", "bytea=escape"]:
        add("in", "bytea", st, s)

# ----- uuid ------------------------------------------------------------------
U = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
for s in [U, U.upper(), "{" + U + "}", U.replace("-", ""), "a0eebc999c0b4ef8bb6d6bb9bd380a11",
          "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}", "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11",
          "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111", "{" + U, U + "}",
          " " + U, U + " ", "a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11", "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
          "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1-", "a0eebc999c0b4ef8bb6d6bb9bd380a1-1", "-a0eebc999c0b4ef8bb6d6bb9bd380a11",
          "", "{}", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
          "a0eebc999c0b4ef8bb6d6bb9bd380a11-", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\n"]:
    add("in", "uuid", "", s)

# ----- arrays ----------------------------------------------------------------
ARR = ["{}", "{ }", " {} ", "{1,2,3}", "{ 1 , 2 , 3 }", "{1,2,3", "{1,2,3}}", "{1,2,3} x", "1,2,3", "", " ", "{",
       "}", "{,}", "{1,,2}", "{,1}", "{1,}", "{{1,2},{3,4}}", "{{1,2},{3}}", "{{1},{2,3}}", "{{1,2},3}",
       "{1,{2,3}}", "{{}}", "{{},{}}", "{{1}}", "{{{1}}}", "{{{{{{1}}}}}}", "{{{{{{{1}}}}}}}", "{NULL}", "{null}",
       "{NULL,1}", "{\"NULL\"}", "{\"1\"}", "{\"1\",\"2\"}", "{\"1\" ,2}", "{\"1\"2}", "{1\"2\"}", "{\\1}",
       "{1\\2}", "{\\}", "{1\\", "{\"1}", "{\"}", "{\"\"}", "{a}", "[1:2]={1,2}", "[0:1]={1,2}", "[1:3]={1,2}",
       "[2]={1,2}", "[1:2][1:1]={{1},{2}}", "[1:2][1:2]={{1,2},{3,4}}", "[-1:0]={1,2}", "[1:1]={}", "[1:0]={}",
       "[2:1]={1}", "[1:2]{1,2}", "[1:2]=1,2", "[1:2]= {1,2}", " [1:2] = {1,2}", "[1:2] ={1,2}", "[a]={1}", "[1:]={1}",
       "[:1]={1}", "[1:2={1,2}", "[]={}", "[1]={1}", "[+1:+2]={1,2}", "[1-:2]={1,2}", "[1:2]", "[1:2]=",
       "[1][1][1][1][1][1][1]={{{{{{{1}}}}}}}", "[2147483647:2147483647]={1}", "[2147483646:2147483647]={1,2}",
       "[-2147483648:-2147483648]={1}", "[1:99999999999]={1}", "[99999999999:99999999999]={1}",
       "[1:2147483647]={1}", "{1 2}", "{1, 2 }", "{ \"a b\" }", "{1}x", "{1} ", "{1}\n", "\n{1}", "{{1,2} ,{3,4}}",
       "{{1,2}, {3,4} }", "{{1,2},{3,4}", "{{1,2}{3,4}}", "{{1,2},,{3,4}}", "{1,2,3,4,5,6,7,8,9,10}",
       "{0,-1,2147483647,-2147483648}", "{2147483648}", "{x}", "{1,x}", "{x,1,", "{\"a\\\"b\"}", "{a\"b}",
       "{\"\\\\\"}", "{'a'}", "{\"a\" \"b\"}", "{ \"a\" , \"b\" }", "{{\"a\"}}", "{\"{\"}", "{\"}\"}", "{\"a,b\"}",
       "{a\\,b}", "{a\\ }", "{ \\ a}", "{NULL ,\"NULL\", nULl, NULLx}", "{{NULL}}", "{{1,NULL},{NULL,2}}"]
for t in ["int4[]", "text[]"]:
    for s in ARR:
        add("in", t, "", s)
for s in ["{abc,abcd}", "{\"ab  \",abc}", "{a,ab,\"\"}", "{éé,ééé,éééé}"]:
    for t in ["varchar(3)[]", "char(3)[]", "char(2)[]"]:
        add("in", t, "", s)
for s in ["{1.5,NaN,-Infinity,1e300,1e-300,0.1}", "{1,2}", "{x}", "{1e400}", "{-0}"]:
    for e in ["efd=1", "efd=0", "efd=-5"]:
        add("in", "float8[]", e, s)
        add("in", "float4[]", e, s)
for s in ["{\"\\\\x00\",\"\\\\x5c22\",\"\\\\x2022\"}", "{\"\\\\x00\",NULL}", "{abc,\"a\\\\\\\\b\"}", "{\"\\\\x7b7d\"}"]:
    for st in ["bytea=hex", "bytea=escape"]:
        add("in", "bytea[]", st, s)
for s in ["{t,f,NULL}", "{yes,no,on,off}", "{x}", "{\"t\"}"]:
    add("in", "bool[]", "", s)
for s in ["{a,b,\"\\\\101\",\\\\377,\"\"}", "{ab,é}"]:
    add("in", '"char"[]', "", s)
for s in ["{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}", "{x}"]:
    add("in", "uuid[]", "", s)
for s in ["{\"1 2\",\"3\"}", "{\"1 2\", \"x\"}"]:
    add("in", "int2vector[]", "", s)
    add("in", "oidvector[]", "", s)
for s in ["{1,2}", "{1.5,NaN}", "{x}", "{1e1000000}"]:
    add("in", "numeric[]", "", s)
    add("in", "numeric(3,1)[]", "", s)
for s in ["{a,\"b c\",\"\",\"NULL\",\"null\",NULLs,\"a\\\\b\",\"q\\\"q\",\"{x}\",\"x,y\",\"a\\tb\"}",
          "{\" a \",\"\\na\",\"é\",\"x\\x\"}"]:
    add("in", "text[]", "", s)
    add("in", "name[]", "", s)
    add("in", "varchar[]", "", s)

# random array soups
ALPH = ["{", "}", ",", "\"", "\\", " ", "1", "a", "NULL", "{1,2}", "{", "}", ",", "2"]
for _ in range(n(600)):
    s = "".join(rnd.choice(ALPH) for _ in range(rnd.randint(1, 12)))
    if rnd.random() < 0.7:
        s = "{" + s
    if rnd.random() < 0.5:
        s = s + "}"
    if rnd.random() < 0.1:
        s = "[%d:%d]=" % (rnd.randint(-2, 2), rnd.randint(-1, 3)) + s
    add("in", rnd.choice(["int4[]", "text[]", "text[]"]), "", s)
# random well-formed multi-dim arrays
for _ in range(n(150)):
    nd = rnd.randint(1, 3)
    dims = [rnd.randint(1, 3) for _ in range(nd)]

    def gen(level):
        if level == nd:
            c = rnd.random()
            if c < 0.1:
                return "NULL"
            if c < 0.2:
                return "\"%s\"" % rnd.choice(["", " ", "a b", "\\\"", "\\\\", "{", "NULL", ","])
            return rnd.choice(["a", "1", "xyz", "é", "-5", " b ", "\\,"])
        return "{" + ",".join(gen(level + 1) for _ in range(dims[level])) + "}"

    s = gen(0)
    if rnd.random() < 0.3:
        s = "".join("[%d:%d]" % (lb, lb + d - 1) for lb, d in zip([rnd.randint(-3, 3) for _ in dims], dims)) + "=" + s
    add("in", "text[]", "", s)

for items in [["{1,2}", "{3,4}"], ["{1,2}", "{3}"], ["{1,2}", "NULL"], ["NULL", "{1,2}"], ["NULL", "NULL"], ["{}", "{}"],
              ["{}", "{1}"], ["{{1}}", "{{2}}"], ["{{1}}", "{2}"], ["[0:1]={1,2}", "[0:1]={3,4}"], ["[0:1]={1,2}", "{3,4}"],
              ["{{{{{1}}}}}"], ["{{{{{{1}}}}}}"], ["{1,NULL}", "{NULL,2}"], ["{1}"], ["{}"], ["NULL"]]:
    add("array_md", *items)

# ----- casts -----------------------------------------------------------------
FLOATS = ["0", "-0", "0.5", "1.5", "2.5", "-0.5", "-1.5", "-2.5", "0.49999999999999994", "32767", "32767.5", "32766.5",
          "-32768", "-32768.5", "-32767.5", "-32769", "32768", "2147483647", "2147483647.5", "2147483646.5",
          "-2147483648", "-2147483648.5", "-2147483647.5", "2147483648", "-2147483649", "9223372036854775807",
          "9223372036854775296", "9223372036854774784", "-9223372036854775808", "-9223372036854777856",
          "9223372036854775808", "1e19", "-1e19", "NaN", "Infinity", "-Infinity", "1e-300", "123.456", "-123.456",
          "4294967295", "1e38", "3.4028235e38", "3.5e38", "1e-40", "1e-46", "1e308", "1e-320", "16777217", "0.1"]
for frm in ["float8", "float4"]:
    for to in ["int2", "int4", "int8", "float4", "float8", "numeric", "text"]:
        if to == frm:
            continue
        for s in FLOATS:
            add("cast", frm, to, "", s)
INTS = ["0", "1", "-1", "32767", "-32768", "32768", "-32769", "2147483647", "-2147483648", "2147483648", "-2147483649",
        "9223372036854775807", "-9223372036854775808", "16777217", "9007199254740993", "4294967295", "4294967296",
        "123456789", "-123456789012", "1000000000000000000"]
for frm in ["int2", "int4", "int8"]:
    for to in ["int2", "int4", "int8", "float4", "float8", "numeric", "oid", "bool", '"char"', "text"]:
        if to == frm or (to in ("bool", '"char"') and frm != "int4"):
            continue
        for s in INTS:
            add("cast", frm, to, "", s)
for to in ["int2", "int4", "int8", "float4", "float8"]:
    for s in ["0", "1.5", "2.5", "-2.5", "-0.5", "32767.4", "32767.5", "NaN", "Infinity", "-Infinity", "1e400",
              "1e-400", "1e39", "1e-50", "9223372036854775807.5", "123.456", "0.1", "1e308", "1.7976931348623157e308",
              "3.4028235e38", "2147483647.5", "-2147483648.5"]:
        add("cast", "numeric", to, "", s)
for s in ["t", "f"]:
    add("cast", "bool", "int4", "", s)
for s in ["0", "1", "-1", "2"]:
    add("cast", "int4", "bool", "", s)
for s in ["0", "1", "4294967295", "2147483648"]:
    add("cast", "oid", "int8", "", s)
    add("cast", "oid", "int4", "", s)
for s in ["0", "-1", "2147483647"]:
    add("cast", "int4", "oid", "", s)

# ----- format_type -----------------------------------------------------------
FT = [(16, None), (17, None), (18, None), (19, None), (20, None), (21, None), (22, None), (23, None), (24, None),
      (25, None), (26, None), (30, None), (114, None), (142, None), (700, None), (701, None), (705, None), (790, None),
      (1042, None), (1042, -1), (1042, 5), (1042, 4), (1042, 3), (1043, None), (1043, -1), (1043, 9), (1043, 4),
      (1082, None), (1083, None), (1083, 3), (1083, -1), (1114, None), (1114, 0), (1114, 6), (1184, None),
      (1184, 3), (1186, None), (1186, 3), (1186, 0x7fff0003), (1186, (1 << 3 << 16) | 0xffff),
      (1186, ((1 << 3 | 1 << 10) << 16) | 2), (1186, ((1 << 10 | 1 << 11 | 1 << 12) << 16) | 0xffff),
      (1186, ((1 << 1 | 1 << 2) << 16) | 0xffff), (1266, None), (1266, 2), (1560, None), (1560, -1), (1560, 3),
      (1562, None), (1562, 8), (1700, None), (1700, -1), (1700, (10 << 16 | 2) + 4), (1700, (5 << 16) + 4),
      (1700, (3 << 16 | 0x7fe) + 4), (1700, 3), (2950, None), (3802, None), (2276, None), (2277, None),
      (2249, None), (2275, None), (2278, None), (2279, None), (2283, None), (1007, None), (1007, 5), (1009, None),
      (1015, 9), (1014, 5), (1014, None), (1014, -1), (1231, (10 << 16 | 2) + 4), (1185, 3), (1115, None),
      (1187, None), (1000, None), (1001, None), (1002, None), (1005, None), (1028, None), (1006, None),
      (1561, None), (1561, -1), (1020, None), (603, None), (2202, None), (2205, None), (0, None), (0, 5),
      (99999, None), (99999, 1), (1033, None), (3904, None), (3831, None), (4451, None), (1263, None),
      (27, None), (28, None), (29, None), (3614, None), (3615, None), (194, None), (32, None), (3220, None),
      (5069, None), (1790, None), (2970, None), (142, 5), (25, 5), (23, 7), (1000, -1), (1021, None), (1022, None)]
for o, tm in FT:
    add("format_type", o, "NULL" if tm is None else tm)
for nsp, name in [("public", "mood"), ("Odd Schema", 'My "Type"'), ("s2", "select"), ("s2", "plain"), ("public", "dom"),
                  ("public", "UPPER"), ("public", "user")]:
    for tm, arr in [("NULL", "0"), ("NULL", "1"), ("7", "0"), ("-1", "0"), ("3", "1")]:
        add("format_type_user", nsp, name, tm, arr)

sys.stdout.write("\n".join(out) + "\n")
