#!/usr/bin/env python3
"""Checks grammar/src/sql.lalrpop for LR conflicts in about a second.

LALRPOP explains conflicts well but slowly on a grammar this size (minutes).
This script translates the grammar's productions (not its actions) into a
bison file and lets bison report conflicts, with counterexamples. Inline
symbols are expanded into the productions that use them, as LALRPOP does:
`T?`, `T*`, parenthesized groups and `#[inline]` nonterminals and macros.

usage: python3 grammar/gen/lalrpop2bison.py [--counterexamples] [grammar.lalrpop]
Exit status 0 when the grammar is conflict-free.
"""
import os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def strip_comments(text):
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1]); i = j + 1
        elif c == "'" and i + 2 < n and (text[i + 2] == "'" or (text[i + 1] == "\\" and text[i + 3] == "'")):
            j = text.index("'", i + 2 if text[i + 1] != "\\" else i + 3)
            out.append(text[i:j + 1]); i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            out.append(c); i += 1
    return "".join(out)


def matching(text, i):
    """Index just past the bracket group opening at text[i]."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    stack = [pairs[text[i]]]
    j = i + 1
    while stack:
        c = text[j]
        if c == '"':
            j += 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
        elif c == "'" and j + 2 < len(text) and (text[j + 2] == "'" or (text[j + 1] == "\\" and text[j + 3] == "'")):
            j = text.index("'", j + 2 if text[j + 1] != "\\" else j + 3)
        elif c in pairs:
            stack.append(pairs[c])
        elif c == stack[-1]:
            stack.pop()
        j += 1
    return j


def split_top(text, sep):
    parts, depth, cur, i = [], 0, [], 0
    while i < len(text):
        c = text[i]
        if c in "{([":
            j = matching(text, i)
            cur.append(text[i:j]); i = j; continue
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1]); i = j + 1; continue
        if text.startswith(sep, i):
            parts.append("".join(cur)); cur = []; i += len(sep); continue
        cur.append(c); i += 1
    parts.append("".join(cur))
    return parts


def parse(text):
    text = strip_comments(text)
    ext = text.index("extern")
    ext_end = matching(text, text.index("{", ext))
    terminals = re.findall(r'^\s*("[^"]+"|[A-Z_][A-Z_0-9]*)\s*=>', text[ext:ext_end], re.M)
    body = text[ext_end:]
    rules, macros, inline = {}, {}, set()
    pos = 0
    head = re.compile(r'^(pub\s+)?([A-Za-z_]\w*)(<([^>]*)>)?\s*:[^=]*?=(?!>)\s*', re.M)
    while True:
        m = head.search(body, pos)
        if not m:
            break
        name, params = m.group(2), m.group(4)
        if body[:m.start()].rstrip().endswith("#[inline]"):
            inline.add(name)
        i = m.end()
        if body[i] == "{":
            j = matching(body, i)
            alts = [a for a in split_top(body[i + 1:j - 1], ",") if a.strip()]
            pos = body.index(";", j) + 1
        else:
            j = i
            depth_text = body[i:]
            k = 0
            while True:
                c = depth_text[k]
                if c in "{([":
                    k = matching(depth_text, k); continue
                if c == ";":
                    break
                k += 1
            alts = [depth_text[:k]]
            pos = i + k + 1
        alts = [split_top(a, "=>")[0] for a in alts]
        if params:
            macros[name] = ([p.strip() for p in params.split(",")], alts)
        else:
            rules[name] = alts
    return terminals, rules, macros, inline


TOKEN = re.compile(r'\s*(<|>|\(|\)|\?|\*|\+|"[^"]*"|@[LR]|[A-Za-z_]\w*:|[A-Za-z_]\w*|,)')


class Converter:
    def __init__(self, terminals, rules, macros, inline=()):
        self.inline = set(inline)
        self.terminals = terminals
        self.rules = rules
        self.macros = macros
        self.out = {}
        self.names = {}
        self.lit = {}
        self.counter = 0

    def term(self, t):
        if t.startswith('"'):
            if t not in self.lit:
                self.lit[t] = f"T_{len(self.lit)}"
            return self.lit[t]
        return t

    def fresh(self, base, alts):
        # Groups, `?` and `*` are inline in LALRPOP: no reduction of their own.
        key = (base, tuple(tuple(a) for a in alts))
        if key not in self.names:
            self.counter += 1
            n = f"{base}_{self.counter}"
            self.names[key] = n
            self.out[n] = alts
            self.inline.add(n)
        return self.names[key]

    def seq(self, text, env):
        toks = [t for t in TOKEN.findall(text)]
        syms, i = [], 0

        def atom(i):
            t = toks[i]
            if t == "(":
                depth, j = 1, i + 1
                while depth:
                    depth += {"(": 1, ")": -1}.get(toks[j], 0)
                    j += 1
                inner = self.seq_toks(toks[i + 1:j - 1], env)
                return self.fresh("grp", [inner]), j
            if t == "<":
                depth, j = 1, i + 1
                while depth:
                    depth += {"<": 1, ">": -1}.get(toks[j], 0)
                    j += 1
                inner = [x for x in toks[i + 1:j - 1] if not x.endswith(":")]
                if inner and inner[0] in ("@L", "@R"):
                    return None, j
                return self.seq_toks(inner, env), j
            if t in ("@L", "@R"):
                return None, i + 1
            if t in env:
                return env[t], i + 1
            if t in self.macros and i + 1 < len(toks) and toks[i + 1] == "<":
                depth, j = 1, i + 2
                while depth:
                    depth += {"<": 1, ">": -1}.get(toks[j], 0)
                    j += 1
                args = [self.seq_toks(a, env) for a in self.split_args(toks[i + 2:j - 1])]
                return self.instantiate(t, args), j
            return self.term(t), i + 1

        return self.seq_toks(toks, env)

    def split_args(self, toks):
        parts, cur, depth = [], [], 0
        for t in toks:
            if t in "(<":
                depth += 1
            if t in ")>":
                depth -= 1
            if t == "," and depth == 0:
                parts.append(cur); cur = []
            else:
                cur.append(t)
        parts.append(cur)
        return parts

    def seq_toks(self, toks, env):
        syms, i = [], 0
        while i < len(toks):
            t = toks[i]
            if t == "(":
                depth, j = 1, i + 1
                while depth:
                    depth += {"(": 1, ")": -1}.get(toks[j], 0)
                    j += 1
                inner = self.seq_toks(toks[i + 1:j - 1], env)
                sym = self.fresh("grp", [inner])
                i = j
            elif t == "<":
                depth, j = 1, i + 1
                while depth:
                    depth += {"<": 1, ">": -1}.get(toks[j], 0)
                    j += 1
                inner = [x for x in toks[i + 1:j - 1] if not x.endswith(":")]
                i = j
                if inner in (["@L"], ["@R"]):
                    continue
                part = self.seq_toks(inner, env)
                if len(part) == 1:
                    sym = part[0]
                else:
                    sym = self.fresh("grp", [part])
            elif t in ("@L", "@R"):
                i += 1
                continue
            elif t in self.macros and i + 1 < len(toks) and toks[i + 1] == "<":
                depth, j = 1, i + 2
                while depth:
                    depth += {"<": 1, ">": -1}.get(toks[j], 0)
                    j += 1
                args = [self.seq_toks(a, env) for a in self.split_args(toks[i + 2:j - 1])]
                sym = self.instantiate(t, args)
                i = j
            elif t in env:
                sym = env[t]
                i += 1
            else:
                sym = self.term(t)
                i += 1
            while i < len(toks) and toks[i] in ("?", "*", "+"):
                op = toks[i]
                if op == "?":
                    sym = self.fresh("opt", [[], [sym]])
                elif op == "*":
                    p = f"plus_{sym}"
                    self.out[p] = [[sym], [p, sym]]
                    n = f"star_{sym}"
                    self.out[n] = [[], [p]]
                    self.inline.add(n)
                    sym = n
                else:
                    n = f"plus_{sym}"
                    self.out[n] = [[sym], [n, sym]]
                    sym = n
                i += 1
            if isinstance(sym, list):
                syms.extend(sym)
            else:
                syms.append(sym)
        return syms

    def instantiate(self, name, args):
        params, alts = self.macros[name]
        argnames = ["_".join(a) for a in args]
        n = f"{name}_{'_'.join(argnames)}"
        if n in self.out:
            return n
        self.out[n] = []
        env = {p: (a[0] if len(a) == 1 else self.fresh("grp", [a])) for p, a in zip(params, args)}
        self.out[n] = [self.seq(a, env) for a in alts]
        if name in self.inline:
            self.inline.add(n)
        return n

    def run(self):
        for name, alts in self.rules.items():
            self.out[name] = [self.seq(a, {}) for a in alts]
        self.expand_inline()
        return self.out

    def expand_inline(self):
        """Substitutes inline nonterminals into the productions that use them, as LALRPOP does."""
        memo = {}

        def expand(name, stack=()):
            if name in memo:
                return memo[name]
            result = []
            for alt in self.out[name]:
                seqs = [[]]
                for sym in alt:
                    if sym in self.inline and sym in self.out and sym not in stack:
                        subs = expand(sym, stack + (sym,))
                        seqs = [a + b for a in seqs for b in subs]
                    else:
                        seqs = [a + [sym] for a in seqs]
                result.extend(seqs)
            memo[name] = result
            return result

        for name in list(self.out):
            self.out[name] = expand(name)
        for name in list(self.out):
            if name in self.inline:
                del self.out[name]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = args[0] if args else os.path.join(HERE, "..", "src", "sql.lalrpop")
    terminals, rules, macros, inline = parse(open(path).read())
    conv = Converter(terminals, rules, macros, inline)
    out = conv.run()
    tokens = [t for t in terminals if not t.startswith('"')] + list(conv.lit.values())
    lines = ["%token " + " ".join(sorted(set(tokens))), "%start Multi", "%%"]
    for name, alts in out.items():
        lines.append(f"{name}:")
        lines.append("    " + "\n  | ".join(" ".join(a) if a else "%empty" for a in alts))
        lines.append("  ;")
    with tempfile.TemporaryDirectory() as d:
        y = os.path.join(d, "g.y")
        open(y, "w").write("\n".join(lines) + "\n")
        cmd = ["bison", "-o", os.path.join(d, "g.c"), "-Wall", "-Wno-other", y]
        if "--counterexamples" in sys.argv:
            cmd.insert(1, "-Wcounterexamples")
        if "--report" in sys.argv:
            cmd.insert(1, "--report=state")
        r = subprocess.run(cmd, capture_output=True, text=True)
        msg = r.stderr
        for lit, t in conv.lit.items():
            msg = re.sub(rf"\b{t}\b", lit, msg)
        print(msg, end="")
        if "--keep" in sys.argv:
            import shutil
            shutil.copy(y, "/tmp/g.y")
            if os.path.exists(os.path.join(d, "g.output")):
                shutil.copy(os.path.join(d, "g.output"), "/tmp/g.output")
        conflicts = "conflict" in msg
    sys.exit(1 if conflicts or r.returncode else 0)


if __name__ == "__main__":
    main()
