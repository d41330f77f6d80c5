//! PostgreSQL 15's built-in catalog contents: every catalog initdb's bootstrap
//! step creates, with its columns, declared indexes and toast tables, and the
//! rows the bki file inserts.
//!
//! The data is generated from `postgres.bki` by `ir/gen/gen_bootstrap.py`
//! (see its docstring for the format and the initdb placeholder values) and
//! embedded in the binary; [`load`] parses it without copying field text.
//!
//! Not included, because the bki does not contain them: the `pg_class`,
//! `pg_attribute` and rowtype `pg_type` rows of the non-bootstrap catalogs
//! (the bootstrap backend derives them from the column definitions), and the
//! rows initdb adds afterwards by running SQL (system_views.sql,
//! system_functions.sql, collations, ...).

use std::borrow::Cow;

/// The generated data; see `ir/gen/gen_bootstrap.py`.
static DATA: &str = include_str!("../bootstrap/postgres.bootstrap");

/// The rows initdb adds after bootstrap (system views, information_schema,
/// databases); see `ir/gen/gen_initdb.py`.
static INITDB: &str = include_str!("../bootstrap/initdb.bootstrap");

/// All catalogs in bki order (pg_proc, pg_type, pg_attribute, pg_class, ...).
#[derive(Debug)]
pub struct BootstrapData {
    pub catalogs: Vec<CatalogDef>,
}

impl BootstrapData {
    pub fn catalog(&self, name: &str) -> Option<&CatalogDef> {
        self.catalogs.iter().find(|c| c.name == name)
    }
}

/// One catalog as the bki's `create` declares it, plus its rows.
#[derive(Debug)]
pub struct CatalogDef {
    pub name: &'static str,
    /// The relation OID (`pg_class.oid`).
    pub oid: u32,
    /// `rowtype_oid`; `None` when the bki lets the backend assign one.
    pub rowtype_oid: Option<u32>,
    /// `shared_relation`: one copy for the whole cluster (pg_database, ...).
    pub shared: bool,
    /// `bootstrap`: pg_proc, pg_type, pg_attribute and pg_class, whose own
    /// pg_class/pg_attribute rows are ordinary inserts in the bki.
    pub bootstrap: bool,
    pub columns: Vec<ColumnDef>,
    /// Field text in the column type's input format; `None` is NULL. Every
    /// row has exactly `columns.len()` fields.
    pub rows: Vec<Vec<Option<Cow<'static, str>>>>,
    pub indexes: Vec<IndexDef>,
    /// `declare toast`: (toast table OID, toast index OID).
    pub toast: Option<(u32, u32)>,
}

impl CatalogDef {
    /// Position of the column named `name` (attnum - 1).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: &'static str,
    /// The type name as the bki spells it: `oid`, `name`, `_oid`, `regproc`, ...
    pub type_name: &'static str,
    /// attnotnull as the bootstrap backend computes it (FORCE [NOT] NULL, or
    /// fixed-width with all earlier columns NOT NULL).
    pub not_null: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDef {
    pub name: &'static str,
    pub oid: u32,
    pub unique: bool,
    /// Made the primary key by system_constraints.sql (`indisprimary`).
    pub primary: bool,
    /// Access method; `btree` for every built-in catalog index.
    pub method: &'static str,
    /// (column, operator class) pairs in key order.
    pub columns: Vec<(&'static str, &'static str)>,
}

/// A hash (FNV-1a) of the embedded catalog data, PostgreSQL's
/// CATALOG_VERSION_NO in effect: a saved database image records it, and an
/// image from a build with other catalog contents is refused.
pub fn fingerprint() -> u64 {
    DATA.bytes().chain(INITDB.bytes()).fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Parses the embedded catalog data.
pub fn load() -> BootstrapData {
    parse(DATA).expect("embedded ir/bootstrap/postgres.bootstrap is malformed; regenerate it with ir/gen/gen_bootstrap.py")
}

/// The built-in catalog contents as initdb leaves them: [`load`] plus the
/// rows of initdb's SQL steps that `initdb.bootstrap` carries.
pub fn load_initdb() -> BootstrapData {
    let mut data = load();
    merge_initdb(&mut data, INITDB).expect("embedded ir/bootstrap/initdb.bootstrap is malformed; regenerate it with ir/gen/gen_initdb.py");
    data
}

/// Adds (`rows CATALOG N`) or substitutes (`replace CATALOG N`) rows in the
/// format gen_initdb.py writes.
fn merge_initdb(data: &mut BootstrapData, text: &'static str) -> Result<(), String> {
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).enumerate();
    while let Some((n, line)) = lines.next() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |what: &str| format!("initdb.bootstrap line {}: {what}: {line:?}", n + 1);
        let f: Vec<&str> = line.split('\t').collect();
        let [tag, name, count] = f.as_slice() else { return Err(bad("expected rows|replace CATALOG N")) };
        let replace = match *tag {
            "rows" => false,
            "replace" => true,
            _ => return Err(bad("unknown record")),
        };
        let count: usize = count.parse().map_err(|_| bad("bad row count"))?;
        let cat = data.catalogs.iter_mut().find(|c| c.name == *name).ok_or_else(|| bad("unknown catalog"))?;
        if replace {
            cat.rows.clear();
        }
        let width = cat.columns.len();
        for _ in 0..count {
            let (n, row) = lines.next().ok_or_else(|| bad("data ends inside rows"))?;
            let fields = parse_row(row, width).ok_or_else(|| format!("initdb.bootstrap line {}: not {width} well-formed fields", n + 1))?;
            cat.rows.push(fields);
        }
    }
    Ok(())
}

/// Parses text in the format gen_bootstrap.py writes. Errors name the line.
fn parse(text: &'static str) -> Result<BootstrapData, String> {
    let mut catalogs: Vec<CatalogDef> = Vec::with_capacity(64);
    // A checkout with CRLF line ends must not leak \r into the last field.
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).enumerate();
    while let Some((n, line)) = lines.next() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |what: &str| format!("postgres.bootstrap line {}: {what}: {line:?}", n + 1);
        let mut f = line.split('\t');
        let tag = f.next().unwrap_or_default();
        let mut field = || f.next().ok_or_else(|| bad("missing field"));
        let to_oid = |s: &str| s.parse::<u32>().map_err(|_| bad("bad OID"));
        let choice = |s: &str, yes: &str, no: &str| {
            if s == yes || s == no { Ok(s == yes) } else { Err(bad(&format!("expected {yes} or {no}"))) }
        };
        if tag == "catalog" {
            let name = field()?;
            let oid = to_oid(field()?)?;
            let rowtype_oid = match field()? {
                "-" => None,
                s => Some(to_oid(s)?),
            };
            let flags = field()?;
            if !flags.split(',').all(|f| matches!(f, "bootstrap" | "shared" | "-")) {
                return Err(bad("unknown catalog flag"));
            }
            catalogs.push(CatalogDef {
                name,
                oid,
                rowtype_oid,
                shared: flags.split(',').any(|f| f == "shared"),
                bootstrap: flags.split(',').any(|f| f == "bootstrap"),
                columns: Vec::new(),
                rows: Vec::new(),
                indexes: Vec::new(),
                toast: None,
            });
        } else {
            let cat = catalogs.last_mut().ok_or_else(|| bad("before any catalog"))?;
            match tag {
                "column" => {
                    let name = field()?;
                    let type_name = field()?;
                    let not_null = choice(field()?, "notnull", "null")?;
                    cat.columns.push(ColumnDef { name, type_name, not_null });
                }
                "index" => {
                    let name = field()?;
                    let oid = to_oid(field()?)?;
                    let unique = choice(field()?, "unique", "nonunique")?;
                    let primary = choice(field()?, "primary", "-")?;
                    let method = field()?;
                    let columns = field()?
                        .split(',')
                        .map(|c| c.split_once(':').ok_or_else(|| bad("index column without opclass")))
                        .collect::<Result<_, _>>()?;
                    cat.indexes.push(IndexDef { name, oid, unique, primary, method, columns });
                }
                "toast" => cat.toast = Some((to_oid(field()?)?, to_oid(field()?)?)),
                "rows" => {
                    let count: usize = field()?.parse().map_err(|_| bad("bad row count"))?;
                    let width = cat.columns.len();
                    cat.rows.reserve_exact(count);
                    for _ in 0..count {
                        let (n, row) = lines.next().ok_or_else(|| bad("data ends inside rows"))?;
                        let fields =
                            parse_row(row, width).ok_or_else(|| format!("postgres.bootstrap line {}: not {width} well-formed fields", n + 1))?;
                        cat.rows.push(fields);
                    }
                }
                _ => return Err(bad("unknown record")),
            }
        }
        if f.next().is_some() {
            return Err(bad("extra fields"));
        }
    }
    Ok(BootstrapData { catalogs })
}

/// Splits one tab-separated row; `\N` is NULL and fields containing a
/// backslash escape are unescaped into an owned string (none in PostgreSQL
/// 15's data, but the format allows them). Written as a plain index loop
/// because iterator adaptors are slow in unoptimized builds, where this runs
/// for every test.
fn parse_row(line: &'static str, width: usize) -> Option<Vec<Option<Cow<'static, str>>>> {
    let mut out = Vec::with_capacity(width);
    let bytes = line.as_bytes();
    let mut start = 0;
    let mut escaped = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\t' {
            out.push(if escaped { unescape(&line[start..i])? } else { Some(Cow::Borrowed(&line[start..i])) });
            start = i + 1;
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        }
        i += 1;
    }
    out.push(if escaped { unescape(&line[start..])? } else { Some(Cow::Borrowed(&line[start..])) });
    (out.len() == width).then_some(out)
}

/// The slow path of [`parse_row`]: `None` for a bad escape.
fn unescape(s: &str) -> Option<Option<Cow<'static, str>>> {
    if s == "\\N" {
        return Some(None);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\\' => '\\',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            _ => return None,
        });
    }
    Some(Some(Cow::Owned(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(cat: &'a CatalogDef, key: &str, value: &str) -> &'a [Option<Cow<'static, str>>] {
        let k = cat.column_index(key).expect("key column");
        cat.rows.iter().find(|r| r[k].as_deref() == Some(value)).unwrap_or_else(|| panic!("{}: no row with {key} = {value}", cat.name))
    }

    fn get<'a>(cat: &CatalogDef, row: &'a [Option<Cow<'static, str>>], col: &str) -> Option<&'a str> {
        row[cat.column_index(col).expect("column")].as_deref()
    }

    #[test]
    fn row_counts() {
        let data = load();
        let counts: Vec<(&str, usize)> = data.catalogs.iter().filter(|c| !c.rows.is_empty()).map(|c| (c.name, c.rows.len())).collect();
        assert_eq!(
            counts,
            [
                ("pg_proc", 3228),
                ("pg_type", 193),
                ("pg_attribute", 145),
                ("pg_class", 4),
                ("pg_operator", 799),
                ("pg_opfamily", 146),
                ("pg_opclass", 177),
                ("pg_am", 7),
                ("pg_amop", 945),
                ("pg_amproc", 696),
                ("pg_language", 3),
                ("pg_aggregate", 148),
                ("pg_description", 3501),
                ("pg_cast", 229),
                ("pg_namespace", 3),
                ("pg_conversion", 128),
                ("pg_database", 1),
                ("pg_tablespace", 2),
                ("pg_authid", 13),
                ("pg_shdescription", 1),
                ("pg_ts_config", 1),
                ("pg_ts_config_map", 19),
                ("pg_ts_dict", 1),
                ("pg_ts_parser", 1),
                ("pg_ts_template", 4),
                ("pg_collation", 3),
                ("pg_range", 6),
            ]
        );
        assert_eq!(data.catalogs.len(), 64);
        for c in &data.catalogs {
            assert!(c.rows.iter().all(|r| r.len() == c.columns.len()), "{}", c.name);
        }
    }

    #[test]
    fn catalog_definitions() {
        let data = load();
        let proc = data.catalog("pg_proc").unwrap();
        assert_eq!((proc.oid, proc.rowtype_oid, proc.bootstrap, proc.shared), (1255, Some(81), true, false));
        assert_eq!(proc.columns.len(), 30);
        assert_eq!(proc.columns[0], ColumnDef { name: "oid", type_name: "oid", not_null: true });
        let col = |n: &str| proc.columns[proc.column_index(n).unwrap()];
        assert_eq!(col("proargtypes"), ColumnDef { name: "proargtypes", type_name: "oidvector", not_null: true });
        assert_eq!(col("proallargtypes").type_name, "_oid");
        assert!(!col("proallargtypes").not_null);
        assert!(col("prosrc").not_null, "FORCE NOT NULL");
        assert_eq!(proc.toast, Some((2836, 2837)));
        assert_eq!(
            proc.indexes[1],
            IndexDef {
                name: "pg_proc_proname_args_nsp_index",
                oid: 2691,
                unique: true,
                primary: false,
                method: "btree",
                columns: vec![("proname", "name_ops"), ("proargtypes", "oidvector_ops"), ("pronamespace", "oid_ops")],
            }
        );
        assert!(proc.indexes[0].primary);

        let db = data.catalog("pg_database").unwrap();
        assert_eq!((db.oid, db.rowtype_oid, db.shared, db.bootstrap), (1262, Some(1248), true, false));
        let sub = data.catalog("pg_subscription").unwrap();
        let subslotname = sub.columns[sub.column_index("subslotname").unwrap()];
        assert!(!subslotname.not_null, "FORCE NULL");
        let attrdef = data.catalog("pg_attrdef").unwrap();
        assert_eq!((attrdef.rowtype_oid, attrdef.rows.len()), (None, 0));
        let nonunique = data.catalogs.iter().flat_map(|c| &c.indexes).filter(|i| !i.unique).count();
        assert_eq!(nonunique, 13);
        assert_eq!(data.catalogs.iter().map(|c| c.indexes.len()).sum::<usize>(), 122);
        assert_eq!(data.catalogs.iter().filter(|c| c.toast.is_some()).count(), 36);
    }

    #[test]
    fn spot_checks() {
        let data = load();
        let proc = data.catalog("pg_proc").unwrap();
        let boolin = row(proc, "oid", "1242");
        assert_eq!(get(proc, boolin, "proname"), Some("boolin"));
        assert_eq!(get(proc, boolin, "prorettype"), Some("16"));
        assert_eq!(get(proc, boolin, "proargtypes"), Some("2275"));
        assert_eq!(get(proc, boolin, "proallargtypes"), None);
        assert_eq!(get(proc, boolin, "prosupport"), Some("0"));
        assert!(matches!(boolin[1], Some(Cow::Borrowed(_))), "field text is borrowed");
        // Array literals are in array_out's spelling.
        let rm = row(proc, "oid", "6224");
        assert_eq!(get(proc, rm, "proargnames"), Some("{rm_id,rm_name,rm_builtin}"));

        let ty = data.catalog("pg_type").unwrap();
        let int4 = row(ty, "typname", "int4");
        assert_eq!(get(ty, int4, "oid"), Some("23"));
        assert_eq!(get(ty, int4, "typarray"), Some("1007"));
        assert_eq!(get(ty, int4, "typinput"), Some("42"));
        assert_eq!(get(ty, int4, "typmodin"), Some("-"));
        // Placeholders initdb substitutes.
        assert_eq!(get(ty, row(ty, "typname", "name"), "typlen"), Some("64"));
        assert_eq!(get(ty, row(ty, "typname", "int8"), "typbyval"), Some("t"));
        assert_eq!(get(ty, row(ty, "typname", "internal"), "typlen"), Some("8"));
        assert_eq!(get(ty, row(ty, "typname", "internal"), "typalign"), Some("d"));

        let op = data.catalog("pg_operator").unwrap();
        let plus = row(op, "oid", "551");
        assert_eq!(get(op, plus, "oprname"), Some("+"));
        assert_eq!(get(op, plus, "oprleft"), Some("23"));
        assert_eq!(get(op, plus, "oprright"), Some("23"));
        assert_eq!(get(op, plus, "oprcode"), Some("177"));
        let int4pl = row(proc, "oid", "177");
        assert_eq!(get(proc, int4pl, "proname"), Some("int4pl"));

        let authid = data.catalog("pg_authid").unwrap();
        assert_eq!(get(authid, row(authid, "oid", "10"), "rolname"), Some("postgres"));
        let db = data.catalog("pg_database").unwrap();
        let t1 = row(db, "oid", "1");
        assert_eq!(get(db, t1, "datname"), Some("template1"));
        assert_eq!(get(db, t1, "encoding"), Some("6"));
        assert_eq!(get(db, t1, "datlocprovider"), Some("c"));
        assert_eq!(get(db, t1, "datcollate"), Some("C"));
        assert_eq!(get(db, t1, "datctype"), Some("C"));
        assert_eq!(get(db, t1, "daticulocale"), None);

        // Quoted bki values: spaces and doubled quotes.
        let desc = data.catalog("pg_description").unwrap();
        let port = row(desc, "objoid", "2197");
        assert_eq!(get(desc, port, "description"), Some("client's port number for this connection"));
        // Empty strings stay distinct from NULL.
        let att = data.catalog("pg_attribute").unwrap();
        assert_eq!(get(att, &att.rows[0], "attidentity"), Some(""));
        assert_eq!(get(att, &att.rows[0], "attacl"), None);
    }

    #[test]
    fn initdb_rows() {
        let data = load_initdb();
        let count = |n: &str| data.catalog(n).map_or(0, |c| c.rows.len());
        assert_eq!(count("pg_database"), 3);
        assert_eq!(count("pg_namespace"), 4);
        assert_eq!(count("pg_rewrite"), 140);
        let class = data.catalog("pg_class").unwrap();
        let views = class.rows.iter().filter(|r| r[class.column_index("relkind").unwrap()].as_deref() == Some("v")).count();
        assert_eq!(views, 140);
        let db = data.catalog("pg_database").unwrap();
        let postgres = row(db, "datname", "postgres");
        assert_eq!(get(db, postgres, "oid"), Some("5"));
        assert_eq!(get(db, postgres, "datcollate"), Some("C.UTF-8"));
        let ns = data.catalog("pg_namespace").unwrap();
        assert_eq!(get(ns, row(ns, "nspname", "information_schema"), "oid"), Some("13207"));
        let rw = data.catalog("pg_rewrite").unwrap();
        let roles = row(class, "relname", "pg_roles");
        let roles_oid = get(class, roles, "oid").unwrap();
        let rule = row(rw, "ev_class", roles_oid);
        assert!(get(rw, rule, "ev_action").unwrap().starts_with("SELECT"));
    }

    #[test]
    fn escapes_and_errors() {
        let text = "catalog\tt\t1\t-\t-\ncolumn\ta\ttext\tnull\ncolumn\tb\ttext\tnull\nrows\t2\na\\tb\t\\N\n\\\\N\t\n";
        let data = parse(text).unwrap();
        let rows = &data.catalogs[0].rows;
        assert_eq!(rows[0], [Some(Cow::Owned("a\tb".to_string())), None]);
        assert_eq!(rows[1], [Some(Cow::Owned("\\N".to_string())), Some(Cow::Borrowed(""))]);
        assert!(parse("catalog\tt\t1\t-\t-\ncolumn\ta\ttext\tnull\nrows\t1\nx\ty\n").is_err());
        assert!(parse("catalog\tt\t1\t-\t-\nrows\t1\n").is_err());
        assert!(parse("column\ta\ttext\tnull\n").is_err());
        assert!(parse("catalog\tt\t1\t-\t-\ncolumn\ta\ttext\tnull\nrows\t1\n\\q\n").is_err());
    }
}
