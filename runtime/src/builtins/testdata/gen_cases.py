#!/usr/bin/env python3
"""Records expected results for the builtins' tests from a PostgreSQL 15.

usage: gen_cases.py PORT     (after: pgref.sh start PORT; psql -f pg_eval.sql)

Writes string.tsv, pattern.tsv and math.tsv beside this script. Each line is
    func <TAB> arg... <TAB> => <TAB> OK <TAB> result
 or func <TAB> arg... <TAB> => <TAB> ERR <TAB> sqlstate <TAB> message <TAB> hint <TAB> detail
with COPY text escaping (\\N is NULL). `func` is the Rust function (prosrc)
name; the tests in each module dispatch on it.
"""
import itertools
import os
import subprocess
import sys

PORT = sys.argv[1] if len(sys.argv) > 1 else "55446"
HERE = os.path.dirname(os.path.abspath(__file__))


def lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    return "(" + repr(v) + ")"


def esc(v):
    if v is None:
        return "\\N"
    return (str(v).replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


class Area:
    def __init__(self, name):
        self.name = name
        self.cases = []  # (func, args, sql)

    def add(self, func, template, kind, *args):
        """template uses {0}, {1}... for SQL literals of args."""
        expr = template.format(*[lit(a) for a in args])
        if kind == "text":
            sql = f"select ({expr})::text"
        elif kind == "arr":
            sql = f"select arrenc(({expr})::text[])"
        elif kind == "srf_arr":
            sql = f"select string_agg(arrenc(r), chr(30) order by n) from {expr} with ordinality t(r, n)"
        elif kind == "srf_text":
            sql = f"select arrenc(array_agg(r order by n)) from {expr} with ordinality t(r, n)"
        elif kind == "raw":
            sql = expr
        else:
            raise ValueError(kind)
        self.cases.append((func, [None if a is None else str(a) for a in args], sql))

    def record(self):
        values = ",\n".join(
            f"({i}, {lit(sql)})" for i, (_, _, sql) in enumerate(self.cases))
        q = (f"copy (select v.id, e.* from (values {values}) v(id, q), "
             f"lateral ev(v.q) e order by v.id) to stdout")
        out = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", PORT, "-U", "postgres", "-X", "-q",
             "-v", "ON_ERROR_STOP=1", "-f", "-"],
            input=q, capture_output=True, text=True, check=True).stdout
        rows = {}
        for line in out.split("\n"):
            if not line:
                continue
            f = line.split("\t")
            rows[int(f[0])] = f[1:]
        with open(os.path.join(HERE, self.name + ".tsv"), "w") as fh:
            for i, (func, args, _) in enumerate(self.cases):
                r = rows[i]
                if r[0] == "OK":
                    res = [r[0], r[1]]
                else:
                    res = r
                fh.write("\t".join([func] + [esc(a) for a in args] + ["=>"] + res) + "\n")
        print(self.name, len(self.cases))


TEXTS = ["", "a", "abc", "hello world", "  padded  ", "héllo wörld", "ÀÉÎõü", "ß",
         "straße", "日本語テキスト", "a,b,,c", ",a,b,", "Hello_World-42", "tab\tnew\nline",
         "İstanbul", "ǅemal", "ᾳ ᾀ", "back\\slash", "quo'te", 'dou"ble', "%_\\", "AbC",
         "MiXeD cAsE wOrDs", "123abc", "a-b_c d.e", "🙂 emoji", "Ω≈ç√", "xxxx", "ÿ", "ǈ"]
SHORT = ["", "a", "abc", "héllo", "日本語", "  x ", "🙂ab"]
INTS = [-2147483648, -10, -3, -2, -1, 0, 1, 2, 3, 4, 6, 10, 2147483647]


def strings():
    a = Area("string")
    for s in TEXTS:
        a.add("textlen", "length({0}::text)", "text", s)
        a.add("textoctetlen", "octet_length({0}::text)", "text", s)
        a.add("bit_length", "bit_length({0}::text)", "text", s)
        a.add("upper", "upper({0}::text)", "text", s)
        a.add("lower", "lower({0}::text)", "text", s)
        a.add("initcap", "initcap({0}::text)", "text", s)
        a.add("text_reverse", "reverse({0}::text)", "text", s)
        a.add("ascii", "ascii({0}::text)", "text", s)
        a.add("md5_text", "md5({0}::text)", "text", s)
        a.add("quote_ident", "quote_ident({0}::text)", "text", s)
        a.add("quote_literal", "quote_literal({0}::text)", "text", s)
        a.add("quote_nullable", "quote_nullable({0}::text)", "text", s)
        a.add("btrim1", "btrim({0}::text)", "text", s)
        a.add("ltrim1", "ltrim({0}::text)", "text", s)
        a.add("rtrim1", "rtrim({0}::text)", "text", s)
        a.add("bpcharlen", "length({0}::bpchar)", "text", s + "   ")
        a.add("bpcharoctetlen", "octet_length({0}::bpchar)", "text", s + "  ")
    a.add("quote_nullable", "quote_nullable({0}::text)", "text", None)
    for w in ["select", "Select", "user", "name", "_x", "x1", "1x", "a b", "ab$", "int", "between",
              "left", "current_user", "abort", "xmltable", "", "é", "col\"q", "over", "filter",
              "authorization", "binary", "true", "none", "similar", "verbose", "analyze", "type"]:
        a.add("quote_ident", "quote_ident({0}::text)", "text", w)
    for s in SHORT + ["hello world"]:
        for st in [-3, -1, 0, 1, 2, 3, 5, 12, 2147483647, -2147483648]:
            a.add("text_substr_no_len", "substr({0}::text, {1}::int4)", "text", s, st)
            for ln in [-1, 0, 1, 2, 4, 100, 2147483647]:
                a.add("text_substr", "substr({0}::text, {1}::int4, {2}::int4)", "text", s, st, ln)
        for n in INTS:
            a.add("text_left", "left({0}::text, {1}::int4)", "text", s, n)
            a.add("text_right", "right({0}::text, {1}::int4)", "text", s, n)
    for s in ["hello world", "héllo wörld", "", "aaa", "日本語日本"]:
        for sub in ["", "o", "wor", "x", "l", "ö", "aa", "本", "hello world!"]:
            a.add("textpos", "strpos({0}::text, {1}::text)", "text", s, sub)
            a.add("text_starts_with", "starts_with({0}::text, {1}::text)", "text", s, sub)
    for t1, t2 in [("Txxxxas", "hom"), ("abcdef", "XY"), ("héllo", "Ü"), ("", "ab"), ("abc", "")]:
        for sp in [-1, 0, 1, 2, 3, 6, 10, 2147483647]:
            a.add("textoverlay_no_len", "overlay({0}::text placing {1}::text from {2}::int4)", "text", t1, t2, sp)
            for sl in [-2, 0, 1, 2, 4, 20, 2147483647]:
                a.add("textoverlay", "overlay({0}::text placing {1}::text from {2}::int4 for {3}::int4)",
                      "text", t1, t2, sp, sl)
    for s in ["  xyhixy  ", "xyxtrimyyx", "", "abc", "ééaéé", "日本語日"]:
        for chars in ["", " ", "xy", "yx ", "é", "日", "abc", "cba"]:
            a.add("btrim", "btrim({0}::text, {1}::text)", "text", s, chars)
            a.add("ltrim", "ltrim({0}::text, {1}::text)", "text", s, chars)
            a.add("rtrim", "rtrim({0}::text, {1}::text)", "text", s, chars)
    for s in ["hi", "", "héllo", "日本"]:
        for n in [-5, 0, 1, 2, 3, 5, 8, 268435455]:
            for fill in ["", "xy", "é日", " "]:
                a.add("lpad", "lpad({0}::text, {1}::int4, {2}::text)", "text", s, n, fill)
                a.add("rpad", "rpad({0}::text, {1}::int4, {2}::text)", "text", s, n, fill)
            a.add("lpad1", "lpad({0}::text, {1}::int4)", "text", s, n)
            a.add("rpad1", "rpad({0}::text, {1}::int4)", "text", s, n)
    for s in ["ab", "", "é", "xyz"]:
        for n in [-1, 0, 1, 3, 536870910, 2147483647]:
            # Only the sizes that fail (or are empty) are worth sending.
            if s == "" or n <= 3 or len(s.encode()) * n + 4 > 1073741823:
                a.add("repeat", "repeat({0}::text, {1}::int4)", "text", s, n)
    for s, f, t in [("abcdefabc", "abc", "XY"), ("abc", "", "x"), ("", "a", "b"), ("aaaa", "aa", "b"),
                    ("héllo héllo", "é", "e"), ("abc", "abc", ""), ("日本日本", "日", "月"), ("xyz", "q", "r")]:
        a.add("replace_text", "replace({0}::text, {1}::text, {2}::text)", "text", s, f, t)
    for s in ["abc~@~def~@~ghi", "a,b,,c", "", "abc", ",x,", "日,本,語"]:
        for d in ["~@~", ",", "", "x", "abc"]:
            for n in [-4, -3, -2, -1, 0, 1, 2, 3, 4, 2147483647, -2147483648]:
                a.add("split_part", "split_part({0}::text, {1}::text, {2}::int4)", "text", s, d, n)
    for s, f, t in [("12345", "143", "ax"), ("hello", "lo", "01"), ("héllo", "é", "e"), ("abc", "", "x"),
                    ("abc", "abc", ""), ("aaa", "aa", "xy"), ("日本語", "本語", "ab"), ("abcabc", "cba", "CBA")]:
        a.add("translate", "translate({0}::text, {1}::text, {2}::text)", "text", s, f, t)
    for n in [-1, 0, 1, 65, 127, 128, 233, 255, 256, 1000, 8364, 55296, 57343, 57344, 65535, 65536,
              128512, 1114111, 1114112, 2147483647]:
        a.add("chr", "chr({0}::int4)", "text", n)
    for x, y in [("a", "b"), ("", ""), ("é", "日"), ("x", "")]:
        a.add("textcat", "{0}::text || {1}::text", "text", x, y)
    for n in [0, 1, -1, 255, 256, 2147483647, -2147483648, 123456789]:
        a.add("to_hex32", "to_hex({0}::int4)", "text", n)
    for n in [0, 1, -1, 9223372036854775807, -9223372036854775808, 1234567890123]:
        a.add("to_hex64", "to_hex({0}::int8)", "text", n)
    # concat / concat_ws take text arguments here
    for args in [["a", "b"], ["a", None, "c"], [None], [], ["", ""], ["é", None, None, "日"]]:
        tmpl = "concat(" + ", ".join("{%d}::text" % i for i in range(len(args))) + ")"
        if args:
            a.add("text_concat", tmpl, "text", *args)
        for sep in [",", "", None, "--"]:
            tmpl = "concat_ws({0}::text" + "".join(", {%d}::text" % (i + 1) for i in range(len(args))) + ")"
            if args:
                a.add("text_concat_ws", tmpl, "text", sep, *args)
    for s in ["1,2,3", "", "a,,b", ",", "abc", "x|y|z", "日,本", "1,NULL,3"]:
        for d in [",", "", None, "|", "b"]:
            a.add("text_to_array", "string_to_array({0}::text, {1}::text)", "arr", s, d)
            for ns in ["", "NULL", "2", None]:
                a.add("text_to_array_null", "string_to_array({0}::text, {1}::text, {2}::text)", "arr", s, d, ns)
    # array_to_string: the array is passed as one argument, elements joined by
    # \x1f with \N for NULL (the tests split it back).
    for arr in [["a", "b", "c"], ["a", None, "c"], [], [None], ["", ""], ["x,y", "z"]]:
        arrlit = ("ARRAY[" + ",".join(lit(x) for x in arr) + "]::text[]" if arr else "'{{}}'::text[]")
        packed = "\x1f".join("\\N" if x is None else x for x in arr)
        for d in [",", "", "--"]:
            a.add("array_to_text", "array_to_string(" + arrlit + ", {1}::text)", "text", packed, d)
            for ns in ["*", "", None]:
                a.add("array_to_text_null", "array_to_string(" + arrlit + ", {1}::text, {2}::text)",
                      "text", packed, d, ns)
    # format()
    fmts = ["Hello %s", "%s %s", "%%", "%1$s %1$s", "%2$s %1$s", "%I", "%L", "%10s|", "%-10s|", "%*s|",
            "%-*s|", "%*1$s|", "%3$s", "%0$s", "%s %", "%x", "%1$", "%*2$s|%s", "%-5s|%5s|", "%1$-10I|",
            "%é", "no args", "%s%s%s", "%2$*1$s|", "%*3$s", "%*0$s", "%*1s", "%L %L", "%I.%I", "%-%s",
            "%99999999999s", "%1$s %s %s", "%s %1$s %s", "% s", "%1$*2$s", "日%s本"]
    arglists = [[], ["World"], ["a", "b"], [None], ["5", "x"], ["-5", "x"], ["abc", None, "q"],
                ["O'Reilly", "Select"], ["x", "3"], ["2", "ab", "c"], ["bad", "x"], [None, "x"]]
    for f in fmts:
        for args in arglists:
            tmpl = "format({0}::text" + "".join(", {%d}::text" % (i + 1) for i in range(len(args))) + ")"
            a.add("text_format", tmpl, "text", f, *args)
    for f in ["abc", "%%", "%s", ""]:
        a.add("text_format_nv", "format({0}::text)", "text", f)
    # encode / decode
    for data in ["", "a", "ab", "abc", "abcd", "hello world", "é日本", "\\000\\001\\377x", "A" * 57, "B" * 58,
                 "back\\\\slash", "x" * 120]:
        for fmt in ["base64", "hex", "escape", "HEX", "foo"]:
            a.add("binary_encode", "encode({0}::bytea, {1})", "text", data, fmt)
    for s in ["aGVsbG8=", "aGVsbG8", "aGVs bG8=", "aGVsbG8==", "=", "a===", "YQ==", "YWI=", "YWJj",
              "Y*Jj", "aé==", "YWJj\nZGVm", "YQ==YQ==", "", "YW=j"]:
        a.add("binary_decode", "decode({0}::text, {1})", "text", s, "base64")
    for s in ["", "00ff", "00FF", "0", "0g", "61 62", "616", "6é", "\n61\t62\r"]:
        a.add("binary_decode", "decode({0}::text, {1})", "text", s, "hex")
    for s in ["abc", "a\\\\b", "\\001x", "\\377", "\\400", "a\\", "\\x", "\\12", "日本"]:
        a.add("binary_decode", "decode({0}::text, {1})", "text", s, "escape")
    a.add("binary_decode", "decode({0}::text, {1})", "text", "abc", "bogus")
    for data in ["", "abc", "\\000\\377"]:
        a.add("md5_bytea", "md5({0}::bytea)", "text", data)
    return a


def patterns():
    a = Area("pattern")
    strs = ["abc", "ABC", "", "a%c", "a_c", "héllo", "HÉLLO", "a\\b", "abcabc", "日本語", "xyz", "%", "_",
            "ab\\", "İ", "ß", "straße"]
    pats = ["abc", "a%", "%c", "%b%", "a_c", "_", "%", "", "a\\%c", "a\\_c", "\\", "abc\\", "%\\",
            "h_llo", "%LLO", "h%o", "%é%", "%\\\\%", "_%_", "%%%", "__", "___", "日%", "%本_", "ab%\\",
            "a\\bc", "a\\\\b", "%ss%", "i%", "İ%", "%a%b%c%"]
    for s in strs:
        for p in pats:
            a.add("textlike", "{0}::text like {1}::text", "text", s, p)
            a.add("texticlike", "{0}::text ilike {1}::text", "text", s, p)
    for p in ["a%b", "a#%b", "##", "#", "a\\b", "%#_", "ab#", "#a", "日#本", "\\\\"]:
        for e in ["#", "", "\\", "日", "ab"]:
            a.add("like_escape", "like_escape({0}::text, {1}::text)", "text", p, e)
    for s, p, e in [("a%b", "a#%b", "#"), ("a\\b", "a\\b", ""), ("axb", "a#%b", "#"), ("a_b", "a$_b", "$"),
                    ("a$b", "a$$b", "$"), ("ab", "a$", "$")]:
        a.add("textlike_esc", "{0}::text like {1}::text escape {2}::text", "text", s, p, e)
    sim = ["abc", "a%", "%(b|d)%", "a_c", "(a|b)*c", "[a-c]+", "a.c", "a\\%c", "%#\"b#\"%", "a*",
           "ab?c", "a{2}", "a$", "^a", "a|b", "[^a]bc", "%[[:alpha:]]%", "a\\.c", "(ab)+", "a#.c",
           "%\\", "\\%", "x%\"y", "[%]", "[\\]", "a+", ".*", "%é%"]
    for p in sim:
        for e in [None, "#", "", "é"]:
            if e is None:
                a.add("similar_to_escape_1", "similar_to_escape({0}::text)", "text", p)
            else:
                a.add("similar_to_escape_2", "similar_to_escape({0}::text, {1}::text)", "text", p, e)
        for s in ["abc", "a.c", "aac", "a%c", "xbx", "bcd", "aa", "a", "", "Abc", "\\", "é"]:
            a.add("similar_to", "{0}::text similar to {1}::text", "text", s, p)
    a.add("similar_to_escape_2", "similar_to_escape({0}::text, {1}::text)", "text", "a", "ab")
    a.add("similar_to_escape_1", "similar_to_escape({0}::text)", "text", "a#\"b#\"c#\"d")
    a.add("similar_to_escape_2", "similar_to_escape({0}::text, {1}::text)", "text", "a#\"b#\"c#\"d", "#")
    for s, p, e in [("abcdef", "a#\"bcd#\"ef", "#"), ("abcdef", "%#\"c%#\"", "#"), ("abcdef", "#\"%#\"", "#"),
                    ("abcdef", "a#\"x#\"%", "#"), ("abcdef", "%#\"b_d#\"%", "#"), ("abc", "abc", "#"),
                    ("Thomas", "%#\"o_a#\"_", "#"), ("abcdef", "%#\"(b|c)+#\"%", "#"),
                    ("abcdefg", "a#\"%#\"g", "#"), ("abcxbcx", "%#\"b%#\"x", "#")]:
        a.add("similar_substring", "substring({0}::text similar {1}::text escape {2}::text)", "text", s, p, e)
    # regex operators
    rx = ["abc", "^a", "c$", "a.c", "a|x", "[a-c]+", "[^a]", "\\d+", "\\w+", "\\s", "\\D", "(a)(b)?",
          "^$", "", "A", "(?i)A", "a{2}", "a{1,2}", "a*?", "\\mh", "o\\M", "\\yw", "\\Y", "[[:alpha:]]+",
          "[[:digit:]]", "[[:upper:]]", "[[:space:]]", "[[:punct:]]", "é", "[é-ü]", "\\u00e9", "\\x41",
          "\\101", "a\\.c", "(?x) a b c # comment", "***=a.c", "***:a.c", "(?q)a.c", "(?e)a\\d",
          "(?b)a\\(b\\)", "[[:<:]]w", "o[[:>:]]", "\\Aab", "bc\\Z", ".", "a\\b", "\\B", "[\\d]", "[\\w-]",
          "x+", "(", ")", "[", "a**", "a{2,1}", "\\", "\\1", "(a)\\1", "(?=a)", "\\q", "[[:foo:]]",
          "[z-a]", "(?z)", "a{256}", "a{1", "日本", "本.", "[[.hyphen.]]", "[]a]", "\\n", "a\nb", "(?n)^b",
          "(?s).", "(?p)a.b", "(?w)^b", "\\e", "[[=a=]]", "(?:ab)+", "a|b|c", "(a|ab)(c|bcd)",
          "x{0}", "\\0", "\\cA", "b{,2}", "a{x", "}", "(?i)É", "(?i)[a-c]", "(?i)ß", "\\W+", "\\S+"]
    subjects = ["abc", "ABC", "a.c", "", "xyz 123", "hello world", "héllo wörld", "日本語", "aabbcc",
                "a\nb", "A\\B", "\u0001"]
    for p in rx:
        for s in subjects:
            a.add("textregexeq", "{0}::text ~ {1}::text", "text", s, p)
            a.add("texticregexeq", "{0}::text ~* {1}::text", "text", s, p)
    for p in rx[:60]:
        for s in ["abc", "hello world", "xyz 123 abc 45", "aabbcc", "héllo wörld", ""]:
            a.add("textregexsubstr", "substring({0}::text from {1}::text)", "text", s, p)
            a.add("regexp_match_no_flags", "regexp_match({0}::text, {1}::text)", "arr", s, p)
            a.add("regexp_matches", "regexp_matches({0}::text, {1}::text, 'g')", "srf_arr", s, p, "g")
            a.cases[-1] = ("regexp_matches", [s, p, "g"], a.cases[-1][2].replace("'g'", "'g'"))
            a.add("regexp_split_to_array_no_flags", "regexp_split_to_array({0}::text, {1}::text)", "arr", s, p)
            a.add("textregexreplace", "regexp_replace({0}::text, {1}::text, {2}::text, 'g')", "text", s, p, "<\\&>")
            a.cases[-1] = ("textregexreplace", [s, p, "<\\&>", "g"], a.cases[-1][2])
            a.add("regexp_count_no_start", "regexp_count({0}::text, {1}::text)", "text", s, p)
    rx2 = ["[a-c-e]", "[[:word:]]+", "[[:ascii:]]+", "[^\\d]+", "\\d{2,3}", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)",
           "x?y??", "(?i)[[:lower:]]+", "[a-z]*?$", ".*?b", "(ab|a)(bc|c)", "a{0,}", "a{,}", "\\.", "\\^",
           "a\\$", "\\{", "\\}", "[{}]+", "[\\]]", "[]]", "[\\\\]", "[a\\-z]+", "\\t", "[\\t ]+",
           "(?x)[ ]", "(?x)a\\ b", "(?x)a#b\nb", "(?t)a b", "[.]", "(?n)a$", "(?w).b", "(?p)^b", "(?i)STRASSE",
           "ǅ", "(?i)ǆ", "\\Ua", "\\U0001F642", "[\\U0001F642]+", "🙂+", "(?e)a{2}", "(?e)(a|b)+", "(?e)a\\.",
           "(?b)a*", "(?b)*a", "(?b)^*a", "(?b)a\\{2\\}", "(?b)a\\{2", "(?b)\\(a\\)", "(?b)a+", "(?b)a|b",
           "(?b)a$b", "(?b)^a", "(?b)a^", "(?q)[a]", "(?ix)A B", "a$b", "a^b", "^^a", "a$$", "(^a)", "(a$)",
           "a|^b", "[^[:alpha:]]+", "[[:alpha:][:digit:]]+", "[[:xdigit:]]+", "[[:blank:]]", "[[:cntrl:]]",
           "[[:print:]]+", "[[:graph:]]+", "[^]]+", "[-a]+", "[a-]+", "\\W", "\\S+\\s", "(?:a|b)*?c",
           "a{2,3}?", "(a+)(a*)", "(a*?)(a+)", "(.)(.)?(.)?", "\\m\\w+\\M", "\\y\\w", "b\\Y",
           "[[:<:]]", "\\Z", "\\A", "(\\w)\\s(\\w)", "\\x7b", "\\x{7b}", "\\u007B", "\\173", "\\08",
           "\\18", "\\cJ", "\\v", "\\f", "\\r", "\\a", "[\\x41-\\x43]+", "[\\101-\\103]+",
           "(((a)))", "((a)|(b))+", "(a)|b", "(?:)", "(a||b)", "a{1,1}?", "a{3}", "a{0}b", "(ab){0,2}c"]
    subjects2 = ["a{2}", "A  B", "a b", "x.y", "{}", "[]", "\t x", "🙂🙂", "STRASSE", "aaab", "ab^c", "a$b",
                 "a*b", "Straße", "abcabc", "ǅǆǄ", "a-z]", "AB12cd", "a\nb\nc"]
    for p in rx2:
        for s in subjects2 + ["abc", ""]:
            a.add("textregexeq", "{0}::text ~ {1}::text", "text", s, p)
            a.add("texticregexeq", "{0}::text ~* {1}::text", "text", s, p)
            a.add("regexp_match_no_flags", "regexp_match({0}::text, {1}::text)", "arr", s, p)
    for s, p in [("abc01234xyz", "(.*?)(\\d+)(.*)"), ("XY1234Z", "Y*?([0-9]{1,3})"),
                 ("XY1234Z", "Y*([0-9]{1,3})"), ("abcd", "(a|ab)(c|bcd)(d*)"), ("foobarbequebaz", "(bar)(beque)"),
                 ("foobarbequebaz", "^(bar)?(beque)"), ("abc", "(a)|(b)"), ("xaaay", "a*?"), ("xaaay", "a+?"),
                 ("xaaay", "a+?y"), ("abcabc", "(abc){2}"), ("aaa", "(a*)*"), ("aaa", "(a*)+"),
                 ("ab", "(a|ab)(b*)"), ("abab", "(ab|a)(bab)?"), ("xyz", "x(y)?z"), ("xz", "x(y)?z"),
                 ("the quick brown fox", "(\\w+)\\s+(\\w+)$"), ("aXbXb", "a.*?b"), ("aXbXb", "a.*b"),
                 ("abcd", "a(b|bc)d?"), ("abcd", "(a|abc)(d|bcd)?")]:
        a.add("regexp_match_no_flags", "regexp_match({0}::text, {1}::text)", "arr", s, p)
        a.add("textregexsubstr", "substring({0}::text from {1}::text)", "text", s, p)
    flagsets = ["", "g", "i", "gi", "n", "x", "q", "e", "b", "c", "ic", "ci", "p", "w", "s", "t", "m", "z", "gz", "1"]
    for fl in flagsets:
        for s, p, r in [("Hello World", "o", "0"), ("Hello World", "L+", "_"), ("a.b.c", ".", "-"),
                        ("line1\nline2", "^l", "L"), ("abc", "(b)", "[\\1\\1]"), ("abc", "b", "\\&\\&\\\\"),
                        ("aaa", "a*", "X"), ("héllo", "[é]", "e"), ("abc", "", "-"), ("a b c", " a b ", "Z")]:
            a.add("textregexreplace", "regexp_replace({0}::text, {1}::text, {2}::text, {3}::text)", "text", s, p, r, fl)
            a.add("regexp_match", "regexp_match({0}::text, {1}::text, {2}::text)", "arr", s, p, fl)
            a.add("regexp_matches", "regexp_matches({0}::text, {1}::text, {2}::text)", "srf_arr", s, p, fl)
            a.add("regexp_split_to_array", "regexp_split_to_array({0}::text, {1}::text, {2}::text)", "arr", s, p, fl)
            a.add("regexp_split_to_table", "regexp_split_to_table({0}::text, {1}::text, {2}::text)", "srf_text", s, p, fl)
            a.add("regexp_like", "regexp_like({0}::text, {1}::text, {2}::text)", "text", s, p, fl)
            a.add("regexp_count", "regexp_count({0}::text, {1}::text, 1, {2}::text)", "text", s, p, fl)
            a.cases[-1] = ("regexp_count", [s, p, "1", fl], a.cases[-1][2])
    for s, p, r in [("abcabcabc", "b", "X"), ("aaa", "a*", "-"), ("héllo wörld", "[öé]", "_"), ("abc", "x*", "-"),
                    ("a1b22c333", "\\d+", "#")]:
        a.add("textregexreplace_noopt", "regexp_replace({0}::text, {1}::text, {2}::text)", "text", s, p, r)
        for st in [-1, 0, 1, 2, 3, 4, 5, 10]:
            a.add("textregexreplace_extended_no_n", "regexp_replace({0}::text, {1}::text, {2}::text, {3}::int4)",
                  "text", s, p, r, st)
            for n in [-1, 0, 1, 2, 3]:
                a.add("textregexreplace_extended_no_flags",
                      "regexp_replace({0}::text, {1}::text, {2}::text, {3}::int4, {4}::int4)", "text", s, p, r, st, n)
                a.add("textregexreplace_extended",
                      "regexp_replace({0}::text, {1}::text, {2}::text, {3}::int4, {4}::int4, {5}::text)", "text",
                      s, p, r, st, n, "i")
            a.add("regexp_count_no_flags", "regexp_count({0}::text, {1}::text, {2}::int4)", "text", s, p, st)
            a.add("regexp_instr_no_n", "regexp_instr({0}::text, {1}::text, {2}::int4)", "text", s, p, st)
            a.add("regexp_substr_no_n", "regexp_substr({0}::text, {1}::text, {2}::int4)", "text", s, p, st)
    for s, p in [("abcabcabc", "a(b)(c)"), ("1a2b33c", "(\\d+)([a-z])?"), ("héllo wörld", "(ö|é)(\\w)"),
                 ("aaa", "a*"), ("xyz", "q")]:
        for st in [1, 2, 4, 0]:
            for n in [1, 2, 3, 0]:
                for sub in [0, 1, 2, 3, -1]:
                    for eo in [0, 1, 2]:
                        a.add("regexp_instr",
                              "regexp_instr({0}::text, {1}::text, {2}::int4, {3}::int4, {4}::int4, {5}::text, {6}::int4)",
                              "text", s, p, st, n, eo, "", sub)
                    a.add("regexp_substr",
                          "regexp_substr({0}::text, {1}::text, {2}::int4, {3}::int4, {4}::text, {5}::int4)",
                          "text", s, p, st, n, "", sub)
                a.add("regexp_instr_no_endoption", "regexp_instr({0}::text, {1}::text, {2}::int4, {3}::int4)",
                      "text", s, p, st, n)
                a.add("regexp_substr_no_flags", "regexp_substr({0}::text, {1}::text, {2}::int4, {3}::int4)",
                      "text", s, p, st, n)
        a.add("regexp_instr_no_start", "regexp_instr({0}::text, {1}::text)", "text", s, p)
        a.add("regexp_substr_no_start", "regexp_substr({0}::text, {1}::text)", "text", s, p)
        a.add("regexp_instr", "regexp_instr({0}::text, {1}::text, 1, 1, 0, 'g', 0)", "text", s, p)
        a.cases[-1] = ("regexp_instr", [s, p, "1", "1", "0", "g", "0"], a.cases[-1][2])
        a.add("regexp_substr", "regexp_substr({0}::text, {1}::text, 1, 1, 'g', 0)", "text", s, p)
        a.cases[-1] = ("regexp_substr", [s, p, "1", "1", "g", "0"], a.cases[-1][2])
    regress(a)
    return a


def regress(a):
    """Calls with literal arguments taken from PostgreSQL's regex.sql and
    strings.sql regression tests (the files are read when present)."""
    import re
    # shared/ sits beside the repository root.
    base = os.path.join(HERE, "..", "..", "..", "..", "..", "shared", "pg_regress", "sql")
    if not os.path.isdir(base):
        return
    text = ""
    for f in ("regex.sql", "strings.sql"):
        with open(os.path.join(base, f)) as fh:
            text += fh.read()
    lit_re = r"'(?:[^']|'')*'|-?[0-9]+"
    call_re = re.compile(r"(regexp_[a-z_]+|substring)\(((?:%s)(?:, *(?:%s))*)\)" % (lit_re, lit_re))
    names = {
        ("regexp_match", 2): "regexp_match_no_flags", ("regexp_match", 3): "regexp_match",
        ("regexp_matches", 3): "regexp_matches", ("regexp_split_to_array", 2): "regexp_split_to_array_no_flags",
        ("regexp_split_to_array", 3): "regexp_split_to_array", ("regexp_split_to_table", 3): "regexp_split_to_table",
        ("regexp_split_to_table", 2): "regexp_split_to_table_no_flags",
        ("regexp_count", 2): "regexp_count_no_start", ("regexp_count", 3): "regexp_count_no_flags",
        ("regexp_count", 4): "regexp_count", ("regexp_instr", 2): "regexp_instr_no_start",
        ("regexp_instr", 3): "regexp_instr_no_n", ("regexp_instr", 4): "regexp_instr_no_endoption",
        ("regexp_instr", 5): "regexp_instr_no_flags", ("regexp_instr", 6): "regexp_instr_no_subexpr",
        ("regexp_instr", 7): "regexp_instr", ("regexp_like", 2): "regexp_like_no_flags",
        ("regexp_like", 3): "regexp_like", ("regexp_substr", 2): "regexp_substr_no_start",
        ("regexp_substr", 3): "regexp_substr_no_n", ("regexp_substr", 4): "regexp_substr_no_flags",
        ("regexp_substr", 5): "regexp_substr_no_subexpr", ("regexp_substr", 6): "regexp_substr",
        ("substring", 2): "textregexsubstr", ("substring", 3): "similar_substring",
        ("regexp_replace", 3): "textregexreplace_noopt",
        ("regexp_replace", 5): "textregexreplace_extended_no_flags",
        ("regexp_replace", 6): "textregexreplace_extended",
    }
    seen = set()
    for m in call_re.finditer(text):
        fn = m.group(1)
        args = []
        for tok in re.findall(lit_re, m.group(2)):
            args.append(tok[1:-1].replace("''", "'") if tok.startswith("'") else int(tok))
        key = (fn, len(args))
        if fn == "regexp_replace" and len(args) == 4:
            name = "textregexreplace" if isinstance(args[3], str) else "textregexreplace_extended_no_n"
        elif fn == "regexp_matches" and len(args) == 2:
            name = "regexp_matches"
            args.append("")
        else:
            name = names.get(key)
        if name is None or (name, tuple(args)) in seen:
            continue
        if fn == "substring" and isinstance(args[1], int):
            continue
        seen.add((name, tuple(args)))
        types = ["text" if isinstance(x, str) else "int4" for x in args]
        tmpl = fn + "(" + ", ".join("{%d}::%s" % (i, t) for i, t in enumerate(types)) + ")"
        if name in ("regexp_match_no_flags", "regexp_match", "regexp_split_to_array_no_flags",
                    "regexp_split_to_array"):
            kind = "arr"
        elif name == "regexp_matches":
            kind = "srf_arr"
        elif name.startswith("regexp_split_to_table"):
            kind = "srf_text"
        else:
            kind = "text"
        a.add(name, tmpl, kind, *args)
    op_re = re.compile(r"'((?:[^']|'')*)' *(!?~\*?) *'((?:[^']|'')*)'")
    ops = {"~": "textregexeq", "~*": "texticregexeq", "!~": "textregexne", "!~*": "texticregexne"}
    for m in op_re.finditer(text):
        s_, op, p_ = m.group(1).replace("''", "'"), m.group(2), m.group(3).replace("''", "'")
        a.add(ops[op], "{0}::text " + op + " {1}::text", "text", s_, p_)


F8 = ["0", "-0", "1", "-1", "0.5", "2.5", "-2.5", "3.7", "-3.7", "1e308", "-1e308", "1e-308", "4.9e-324",
      "2", "10", "100", "1e-10", "Infinity", "-Infinity", "NaN", "123456.789", "0.1", "3", "-8", "1e15",
      "45", "90", "30", "180", "270", "360", "-45", "0.25"]
F4 = ["0", "-0", "1", "-1", "2.5", "3.4e38", "-3.4e38", "1e-37", "1e-45", "Infinity", "-Infinity", "NaN",
      "0.1", "7", "1e30"]
I2 = [-32768, -32767, -100, -2, -1, 0, 1, 2, 7, 100, 32767]
I4 = [-2147483648, -2147483647, -100000, -7, -2, -1, 0, 1, 2, 3, 7, 100000, 2147483647]
I8 = [-9223372036854775808, -9223372036854775807, -4294967296, -7, -1, 0, 1, 2, 7, 4294967296,
      9223372036854775807]


def math_cases():
    a = Area("math")
    for t, vals, ops in [("int2", I2, "2"), ("int4", I4, "4"), ("int8", I8, "8")]:
        for x in vals:
            for y in vals:
                for op, name in [("+", "pl"), ("-", "mi"), ("*", "mul"), ("/", "div"), ("%", "mod")]:
                    a.add(f"int{ops}{name}", f"{{0}}::{t} {op} {{1}}::{t}", "text", x, y)
                for op, name in [("&", "and"), ("|", "or"), ("#", "xor")]:
                    a.add(f"int{ops}{name}", f"{{0}}::{t} {op} {{1}}::{t}", "text", x, y)
                if ops != "2":
                    a.add(f"int{ops}gcd", f"gcd({{0}}::{t}, {{1}}::{t})", "text", x, y)
                    a.add(f"int{ops}lcm", f"lcm({{0}}::{t}, {{1}}::{t})", "text", x, y)
            a.add(f"int{ops}um", f"-({{0}}::{t})", "text", x)
            a.add(f"int{ops}abs", f"abs({{0}}::{t})", "text", x)
            a.add(f"int{ops}not", f"~({{0}}::{t})", "text", x)
            for sh in [-1, 0, 1, 3, 15, 16, 31, 32, 33, 63, 64]:
                a.add(f"int{ops}shl", f"{{0}}::{t} << {{1}}::int4", "text", x, sh)
                a.add(f"int{ops}shr", f"{{0}}::{t} >> {{1}}::int4", "text", x, sh)
    for (ta, va, sa), (tb, vb, sb) in [(("int2", I2, "2"), ("int4", I4, "4")), (("int4", I4, "4"), ("int2", I2, "2")),
                                        (("int4", I4, "4"), ("int8", I8, "8")), (("int8", I8, "8"), ("int4", I4, "4")),
                                        (("int2", I2, "2"), ("int8", I8, "8")), (("int8", I8, "8"), ("int2", I2, "2"))]:
        for x in va[::2]:
            for y in vb[::2]:
                for op, name in [("+", "pl"), ("-", "mi"), ("*", "mul"), ("/", "div")]:
                    a.add(f"int{sa}{sb}{name}", f"{{0}}::{ta} {op} {{1}}::{tb}", "text", x, y)
    for x in F8:
        for y in F8[::2]:
            for op, name in [("+", "pl"), ("-", "mi"), ("*", "mul"), ("/", "div")]:
                a.add(f"float8{name}", f"{{0}}::float8 {op} {{1}}::float8", "text", x, y)
            a.add("dpow", "power({0}::float8, {1}::float8)", "text", x, y)
            a.add("datan2", "atan2({0}::float8, {1}::float8)", "text", x, y)
            a.add("datan2d", "atan2d({0}::float8, {1}::float8)", "text", x, y)
        for f in ["dround:round", "dceil:ceil", "dfloor:floor", "dtrunc:trunc", "dsign:sign", "dsqrt:sqrt",
                  "dcbrt:cbrt", "dexp:exp", "dlog1:ln", "dlog10:log", "dacos:acos", "dasin:asin", "datan:atan",
                  "dcos:cos", "dcot:cot", "dsin:sin", "dtan:tan", "dacosd:acosd", "dasind:asind", "datand:atand",
                  "dcosd:cosd", "dcotd:cotd", "dsind:sind", "dtand:tand", "degrees:degrees", "radians:radians",
                  "dsinh:sinh", "dcosh:cosh", "dtanh:tanh", "dasinh:asinh", "dacosh:acosh", "datanh:atanh",
                  "float8abs:abs", "float8um:-", "dtoi2:", "dtoi4:", "dtoi8:", "dtof:"]:
            rs, sqlf = f.split(":")
            if rs == "dtoi2":
                a.add(rs, "({0}::float8)::int2", "text", x)
            elif rs == "dtoi4":
                a.add(rs, "({0}::float8)::int4", "text", x)
            elif rs == "dtoi8":
                a.add(rs, "({0}::float8)::int8", "text", x)
            elif rs == "dtof":
                a.add(rs, "({0}::float8)::float4", "text", x)
            else:
                a.add(rs, f"{sqlf}({{0}}::float8)", "text", x)
    for x in ["-710", "-745", "-740", "709", "710", "1e-320", "-1e-320", "2.2250738585072014e-308"]:
        for f in ["dexp:exp", "dsqrt:sqrt", "dcbrt:cbrt", "dlog1:ln"]:
            rs, sqlf = f.split(":")
            a.add(rs, f"{sqlf}({{0}}::float8)", "text", x)
    for x, y in [("10", "-310"), ("10", "-330"), ("2", "-1074"), ("2", "-1075"), ("10", "309"), ("-2", "1025"),
                 ("-2", "1023"), ("-8", "0.333"), ("0", "-1"), ("0", "0"), ("-1", "Infinity"), ("0.5", "-Infinity"),
                 ("-Infinity", "3"), ("-Infinity", "-3"), ("-Infinity", "2"), ("1", "NaN"), ("NaN", "0"),
                 ("1e-200", "2"), ("1e200", "2"), ("1e-310", "2"), ("1e-320", "0.5"), ("1e-310", "1")]:
        a.add("dpow", "power({0}::float8, {1}::float8)", "text", x, y)
        a.add("float8mul", "{0}::float8 * {1}::float8", "text", x, y)
        a.add("float8div", "{0}::float8 / {1}::float8", "text", x, y)
    for x in F4:
        for y in F4:
            for op, name in [("+", "pl"), ("-", "mi"), ("*", "mul"), ("/", "div")]:
                a.add(f"float4{name}", f"{{0}}::float4 {op} {{1}}::float4", "text", x, y)
        for y in ["0", "1.5", "1e308", "Infinity", "NaN", "1e-300"]:
            for op, name in [("+", "pl"), ("-", "mi"), ("*", "mul"), ("/", "div")]:
                a.add(f"float48{name}", f"{{0}}::float4 {op} {{1}}::float8", "text", x, y)
                a.add(f"float84{name}", f"{{0}}::float8 {op} {{1}}::float4", "text", y, x)
        a.add("float4abs", "abs({0}::float4)", "text", x)
        a.add("float4um", "-({0}::float4)", "text", x)
        a.add("ftoi2", "({0}::float4)::int2", "text", x)
        a.add("ftoi4", "({0}::float4)::int4", "text", x)
        a.add("ftoi8", "({0}::float4)::int8", "text", x)
    for x in ["32767.4", "32767.5", "-32768.5", "-32768.6", "2147483647.4", "2147483647.5", "-2147483648.5",
              "9223372036854775807", "9.223372036854775e18", "-9223372036854775808", "0.5", "1.5", "-0.5"]:
        a.add("dtoi2", "({0}::float8)::int2", "text", x)
        a.add("dtoi4", "({0}::float8)::int4", "text", x)
        a.add("dtoi8", "({0}::float8)::int8", "text", x)
    for x in [-32769, -32768, 0, 32767, 32768, -2147483649, 2147483648, 9223372036854775807]:
        a.add("int82", "({0}::int8)::int2", "text", x)
        a.add("int84", "({0}::int8)::int4", "text", x)
    for op, bs, cnt in itertools.product(["-1", "0", "0.5", "1", "5", "9.99", "10", "11", "NaN", "Infinity",
                                          "-Infinity", "1e308"],
                                         [("0", "10"), ("10", "0"), ("5", "5"), ("0", "Infinity"), ("NaN", "1"),
                                          ("-1e308", "1e308"), ("1e308", "-1e308"), ("0", "1e-300")],
                                         [1, 3, 10, 0, -1, 2147483647]):
        a.add("width_bucket_float8", "width_bucket({0}::float8, {1}::float8, {2}::float8, {3}::int4)", "text",
              op, bs[0], bs[1], cnt)
    for seed in ["0", "0.5", "-0.5", "1", "-1", "0.123456789", "1.5", "-1.01", "NaN", "1e10", "-Infinity"]:
        a.add("setseed", "select rnd({0}::float8, 5)", "raw", seed)
    a.add("dpi", "pi()", "text")
    for x, y in [("2", "10"), ("2", "0.5"), ("0", "-1"), ("-8", "0.5"), ("1.5", "2"), ("10", "-2"), ("NaN", "0"),
                 ("Infinity", "2"), ("2", "Infinity"), ("-2", "3")]:
        a.add("numeric_power", "power({0}::numeric, {1}::numeric)", "text", x, y)
    for x in ["2", "0", "-1", "1.44", "100", "NaN", "Infinity"]:
        a.add("numeric_sqrt", "sqrt({0}::numeric)", "text", x)
        a.add("numeric_ln", "ln({0}::numeric)", "text", x)
        a.add("numeric_exp", "exp({0}::numeric)", "text", x)
    return a


if __name__ == "__main__":
    for area in (strings(), patterns(), math_cases()):
        area.record()
