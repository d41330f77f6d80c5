#!/usr/bin/env python3
"""Prints LALRPOP skeletons for productions of PostgreSQL's gram.y.

The statements OpenAssay parses but does not build (the "statements parsed,
not built" section of sql.lalrpop) were first translated with this script,
then edited by hand where LALRPOP needs it (conflicts gram.y resolves with
%prec, shared prefixes, typed results). Use it the same way to add gram.y
productions: translate, paste, check with lalrpop2bison.py, adjust.

usage: python3 grammar/gen/gram2lalrpop.py path/to/gram.y RULE... [+HELPER...]

RULEs are emitted as `Statement` nonterminals whose alternatives build
`unsupported("<leading keywords>", l)`; `+HELPER` rules and every gram.y rule
they reach that sql.lalrpop does not already have are emitted with type `()`.
gram.y names become CamelCase (`func_args` -> `FuncArgs`); a name whose
CamelCase form already exists in sql.lalrpop, or that MAP below lists, is
referenced instead of emitted. `%prec` annotations are kept as comments:
each one marks a conflict to settle by hand.

gram.y: src/backend/parser/gram.y of PostgreSQL 15 (e.g. from the source
tarball; the `search` corpus also has postgres/postgres).
"""
import os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))

# gram.y tokens that are not keywords.
TOKENS = {
    "'('": '"("', "')'": '")"', "','": '","', "';'": '";"', "'.'": '"."', "'['": '"["', "']'": '"]"', "':'": '":"',
    "'+'": '"+"', "'-'": '"-"', "'*'": '"*"', "'/'": '"/"', "'%'": '"%"', "'^'": '"^"', "'<'": '"<"', "'>'": '">"',
    "'='": '"="', "Op": "OP", "TYPECAST": '"::"', "DOT_DOT": '".."', "COLON_EQUALS": '":="', "EQUALS_GREATER": '"=>"',
    "LESS_EQUALS": '"<="', "GREATER_EQUALS": '">="', "NOT_EQUALS": '"<>"', "XCONST": "BCONST",
    "IDENT": "IDENT", "SCONST": "SCONST", "ICONST": "ICONST", "FCONST": "FCONST", "BCONST": "BCONST", "PARAM": "PARAM",
    "NOT_LA": "NOT_LA", "NULLS_LA": "NULLS_LA", "WITH_LA": "WITH_LA",
}

# gram.y nonterminals with a different name (or an optional form) in sql.lalrpop.
MAP = {
    "a_expr": "AExpr", "b_expr": "BExpr", "c_expr": "CExpr", "columnref": "ColumnRef",
    "type_function_name": "TypeFunctionName", "name": "Name", "attr_name": "AttrName", "any_name": "AnyName",
    "qualified_name": "QualifiedName", "func_name": "FuncName", "name_list": "NameList", "columnList": "ColumnListItems",
    "columnElem": "ColId", "Sconst": "SCONST", "Iconst": "ICONST", "stmt": "Stmt", "select_no_parens": "SelectNoParens",
    "select_with_parens": "SelectWithParens", "expr_list": "ExprList", "func_arg_list": "FuncArgList",
    "where_clause": "WhereClause?", "opt_sort_clause": "SortClause?", "func_expr_windowless": "FuncExprWindowless",
    "columnDef": "ColumnDef", "OptTableElementList": "Comma<TableElement>", "OnCommitOption": "OnCommitOption?",
    "OptTableSpace": "OptTablespace", "opt_name_list": "OptNameListParens", "opt_drop_behavior": "DropBehavior",
    "index_params": "Comma1<IndexElem>", "qual_all_Op": "QualAllOp", "all_Op": "AllOp", "qual_Op": "QualOp",
    "opt_nulls_order": "NullsOrder?", "opt_asc_desc": "AscDesc?", "func_arg_expr": "FuncArgExpr",
    "ColQualList": "ColQual*", "ColConstraint": "ColQual", "opt_boolean_or_string": "OptBooleanOrString",
    "NonReservedWord_or_Sconst": "NonReservedWordOrSconst", "var_list": "Comma1<VarValue>",
    "explain_option_list": "Comma1<GenericOption>", "OptSeqOptList": "SeqOption*", "SeqOptList": "SeqOption+",
    "SeqOptElem": "SeqOption", "OptParenthesizedSeqOptList": '("(" SeqOption+ ")")?', "type_list": "Comma1<Typename>",
    "from_clause": "FromClause?", "from_list": "Comma1<TableRef>", "insert_column_list": "Comma1<InsertColumnItem>",
    "insert_column_item": "InsertColumnItem", "returning_clause": "ReturningClause?", "opt_with_clause": "WithClause?",
    "opt_alias_clause": "AliasClause?", "opt_c_include": "OptInclude", "OptConsTableSpace": "OptUsingIndexTablespace",
    "opt_unique_null_treatment": "OptNullsDistinct", "access_method_clause": "AccessMethodClause",
    "opt_transaction": "TransactionKw?", "opt_transaction_chain": "OptChain", "opt_nowait": "NOWAIT?",
    "opt_verbose": "VERBOSE?", "opt_analyze": "AnalyzeKw?", "analyze_keyword": "AnalyzeKw", "opt_array_bounds": "ArrayBounds?",
    "Numeric": "NumericType", "opt_table": "TABLE?", "opt_if_not_exists": "(IF NOT EXISTS)?", "opt_column": "COLUMN?",
    "create_generic_options": "CreateGenericOptions?", "reserved_keyword": "ReservedKeyword",
    "type_func_name_keyword": "TypeFuncNameKeyword", "unreserved_keyword": "UnreservedKeyword",
    "col_name_keyword": "ColNameKeyword", "set_rest": "SetRest", "set_rest_more": "SetRestMore",
    "TableFuncElementList": "Comma1<TableFuncElement>", "where_or_current_clause": "WhereOrCurrentClause?",
    "relation_expr_opt_alias": "RelationExpr RelationAlias?", "def_arg": "DefinitionArg", "def_list": "Comma1<DefElemItem>",
    "def_elem": "DefElemItem", "reloption_list": "Comma1<RelOption>", "reloption_elem": "RelOption",
    "opt_reloptions": "OptReloptions", "column_compression": "ColumnCompression", "opt_column_compression": "ColumnCompression?",
    "table_access_method_clause": "TableAccessMethodClause", "part_elem": "PartElem", "OptSchemaEltList": "SchemaStmt*",
    "schema_stmt": "SchemaStmt", "opt_include": "OptIndexInclude", "opt_by": "BY?", "opt_no_inherit": "NoInherit",
    "ExclusionConstraintElem": "ExclusionElem", "ExclusionConstraintList": "Comma1<ExclusionElem>",
    "OptWhereClause": '(WHERE "(" AExpr ")")?', "opt_set_data": "SetData?", "alter_table_cmds": "AlterTableCmds",
    "any_name_list": "AnyNameList", "type_name_list": "TypeNameList", "opt_unique": "UNIQUE?", "OptNoLog": "UNLOGGED?",
    "opt_check_option": "ViewCheckOption?", "opt_index_name": "Name?",
}
# gram.y names whose CamelCase form would clash with a different sql.lalrpop nonterminal.
RENAME = {"opt_with": "OptWithKw"}


def load_gram(path):
    """gram.y's rules: {name: [(symbols, prec)]}, actions dropped."""
    text = open(path).read()
    a = text.index("\n%%\n")
    b = text.index("\n%%\n", a + 4)
    body = text[a + 4:b]
    toks, i, n = [], 0, len(body)
    while i < n:
        c = body[i]
        if body.startswith("/*", i):
            i = body.index("*/", i) + 2
        elif c in " \t\r\n":
            i += 1
        elif c == "{":  # an action: skip balanced braces, strings, comments
            depth, j = 0, i
            while True:
                ch = body[j]
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if depth == 0:
                        break
                elif ch in "\"'":
                    j += 1
                    while body[j] != ch:
                        j += 2 if body[j] == "\\" else 1
                elif body.startswith("/*", j):
                    j = body.index("*/", j) + 1
                j += 1
            i = j + 1
        elif c == "'":
            j = body.index("'", i + 1)
            toks.append(body[i:j + 1])
            i = j + 1
        elif c in ":|;":
            toks.append(c)
            i += 1
        else:
            m = re.match(r"%prec|[A-Za-z_][A-Za-z_0-9]*", body[i:])
            if not m:
                raise SystemExit(f"gram.y: unexpected {body[i:i + 30]!r}")
            toks.append(m.group(0))
            i += len(m.group(0))
    rules, k = {}, 0
    while k < len(toks):
        name = toks[k]
        k += 2
        alts, cur, prec = [], [], None
        while True:
            t = toks[k]
            k += 1
            if t == "%prec":
                prec = toks[k]
                k += 1
            elif t == "|":
                alts.append((cur, prec))
                cur, prec = [], None
            elif t == ";":
                alts.append((cur, prec))
                break
            else:
                cur.append(t)
        rules[name] = alts
    return rules


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        raise SystemExit(__doc__)
    rules = load_gram(args[0])
    roots = [a for a in args[1:] if not a.startswith("+")]
    helpers = [a[1:] for a in args[1:] if a.startswith("+")]
    keywords = {line.split()[0].upper() for line in open(os.path.join(HERE, "keywords.txt"))}
    ours = set(re.findall(r"^(?:pub\s+)?([A-Za-z_]\w*)(?:<[^>]*>)?\s*:[^=\n]*=", open(os.path.join(HERE, "..", "src", "sql.lalrpop")).read(), re.M))

    def camel(n):
        if n in RENAME:
            return RENAME[n]
        return n if n[0].isupper() and "_" not in n else "".join(p[:1].upper() + p[1:] for p in n.split("_") if p)

    def term(t):
        if t in TOKENS:
            return TOKENS[t]
        if t.endswith("_P") and t[:-2] in keywords:
            return t[:-2]
        return t if t in keywords else None

    def what(syms):
        words = []
        for s in syms:
            t = term(s)
            if t is None or not t.isalpha() or not t.isupper():
                if s.startswith("opt_") or s in ("OptTemp", "OptNoLog"):
                    continue
                break
            words.append(t)
            if len(words) == 3:
                break
        return " ".join(words)

    out, seen, todo = [], set(), roots + helpers
    while todo:
        n = todo.pop(0)
        if n in seen:
            continue
        seen.add(n)
        if n not in rules:
            raise SystemExit(f"gram.y has no rule {n}")
        root = n in roots
        lines = [f"{camel(n)}: {'Statement' if root else '()'} = {{"]
        for syms, prec in rules[n]:
            parts = []
            for s in syms:
                t = term(s)
                if t:
                    parts.append(t)
                elif s in MAP:
                    parts.append(MAP[s])
                elif camel(s) in ours and s not in roots + helpers:
                    parts.append(camel(s))
                else:
                    parts.append(camel(s))
                    if s not in seen and s not in todo:
                        todo.append(s)
            body = " ".join(parts)
            note = f"  // %prec {prec}" if prec else ""
            if root:
                lines.append(f'    <l:@L> {body} => unsupported("{what(syms)}", l),{note}')
            else:
                lines.append(f"    {body} => (),{note}" if body else f"    => (),{note}")
        lines.append("};")
        out.append("\n".join(lines))
    print("\n\n".join(out))


if __name__ == "__main__":
    main()
