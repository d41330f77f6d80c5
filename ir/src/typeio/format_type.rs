//! format_type (format_type.c): a type's name as PostgreSQL prints it in
//! error messages, psql and pg_dump — SQL-standard spellings for the
//! built-in types, typmods (`numeric(10,2)`, `timestamp(3) with time
//! zone`), `[]` for arrays, quoted and schema-qualified names otherwise.

use super::tables::{BUILTIN_TYPES, QUOTED_KEYWORDS, TypmodOut};
use crate::error::{Error, Result};
use crate::numeric::Numeric;
use crate::types::{Oid, VARHDRSZ, oid};

/// What format_type needs to know about a type that is not built in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeDesc {
    /// pg_type.typname.
    pub name: String,
    /// The name of its schema.
    pub namespace: String,
    /// For a true array type (typsubscript = array_subscript_handler and
    /// not plain storage), its element type: it prints as `elem[]`.
    pub array_elem: Option<Oid>,
}

/// format_type_extended's flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormatTypeFlags {
    /// FORMAT_TYPE_TYPEMOD_GIVEN: print the typmod (which may still be -1:
    /// then `bpchar` and `"bit"` print as such, not as `character` / `bit`,
    /// which would mean length 1).
    pub typemod_given: bool,
    /// FORMAT_TYPE_ALLOW_INVALID: `-` for OID 0, `???` for an unknown OID.
    pub allow_invalid: bool,
    /// FORMAT_TYPE_FORCE_QUALIFY: qualify every non-special name.
    pub force_qualify: bool,
}

fn builtin(type_oid: Oid) -> Option<&'static (Oid, &'static str, Oid, u8, TypmodOut)> {
    BUILTIN_TYPES.binary_search_by_key(&type_oid, |t| t.0).ok().map(|i| &BUILTIN_TYPES[i])
}

/// pg_type.typname of a built-in type.
pub fn builtin_type_name(type_oid: Oid) -> Option<&'static str> {
    builtin(type_oid).map(|t| t.1)
}

/// The element type of a built-in true array type (`_int4` → int4).
pub fn builtin_array_elem(type_oid: Oid) -> Option<Oid> {
    builtin(type_oid).map(|t| t.2).filter(|&e| e != 0)
}

/// pg_type.typdelim of a built-in type (`,` except `;` for box).
pub fn builtin_type_delim(type_oid: Oid) -> Option<u8> {
    builtin(type_oid).map(|t| t.3)
}

/// quote_identifier: double quotes unless the name is all lower-case
/// letters, digits and underscores, does not start with a digit, and is not
/// a keyword other than an unreserved one; embedded quotes are doubled.
pub fn quote_identifier(ident: &str) -> String {
    let b = ident.as_bytes();
    let mut safe = b.first().is_some_and(|&c| c.is_ascii_lowercase() || c == b'_');
    safe &= b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_');
    if safe && QUOTED_KEYWORDS.binary_search(&ident).is_ok() {
        safe = false;
    }
    if safe {
        return ident.to_string();
    }
    let mut out = String::with_capacity(ident.len() + 2);
    out.push('"');
    for ch in ident.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
    out
}

/// The typmod decoration a built-in typmodout function prints.
fn typmod_out(kind: TypmodOut, typmod: i32) -> Result<String> {
    Ok(match kind {
        TypmodOut::None => format!("({typmod})"),
        TypmodOut::Bpchar | TypmodOut::Varchar => {
            if typmod > VARHDRSZ {
                format!("({})", typmod - VARHDRSZ)
            } else {
                String::new()
            }
        }
        TypmodOut::Numeric => Numeric::format_typmod(typmod),
        TypmodOut::Interval => crate::datetime::interval_typmod_out(typmod)?,
        TypmodOut::Bit | TypmodOut::Varbit => {
            if typmod >= 0 {
                format!("({typmod})")
            } else {
                String::new()
            }
        }
        TypmodOut::Time | TypmodOut::Timestamp => time_typmod(typmod, " without time zone"),
        TypmodOut::Timetz | TypmodOut::Timestamptz => time_typmod(typmod, " with time zone"),
    })
}

/// anytime_typmodout / anytimestamp_typmodout.
fn time_typmod(typmod: i32, tz: &str) -> String {
    if typmod >= 0 { format!("({typmod}){tz}") } else { tz.to_string() }
}

/// format_type as used in error messages and by psql: `typmod` -1 means
/// none (format_type_be); otherwise it is printed (FORMAT_TYPE_TYPEMOD_GIVEN).
/// Unknown OIDs print as `???` (OID 0 as `-`), as the SQL function does,
/// and so does a typmod the type's typmodout rejects.
/// `resolve` gives (typname, schema name) for types that are not built in;
/// names outside pg_catalog and public are qualified.
pub fn format_type(type_oid: Oid, typmod: i32, resolve: &dyn Fn(Oid) -> Option<(String, String)>) -> String {
    let flags = FormatTypeFlags { typemod_given: typmod >= 0, allow_invalid: true, force_qualify: false };
    let resolve = |o: Oid| resolve(o).map(|(name, namespace)| TypeDesc { name, namespace, array_elem: None });
    format_type_extended(type_oid, typmod, flags, &resolve).unwrap_or_else(|_| "???".to_string())
}

/// format_type_extended. Fails as PostgreSQL does: "cache lookup failed
/// for type N" (XX000) for an unknown OID without `allow_invalid`, and the
/// typmodout function's error for a malformed typmod. Built-in types are
/// known without `resolve`; a type is visible (printed unqualified) when its
/// schema is pg_catalog or public.
pub fn format_type_extended(type_oid: Oid, typmod: i32, flags: FormatTypeFlags, resolve: &dyn Fn(Oid) -> Option<TypeDesc>) -> Result<String> {
    if type_oid == 0 && flags.allow_invalid {
        return Ok("-".to_string());
    }
    let lookup = |o: Oid| -> Option<(TypeDesc, TypmodOut)> {
        match builtin(o) {
            Some(&(_, name, elem, _, tm)) => {
                Some((TypeDesc { name: name.to_string(), namespace: "pg_catalog".to_string(), array_elem: (elem != 0).then_some(elem) }, tm))
            }
            None => resolve(o).map(|d| (d, TypmodOut::None)),
        }
    };
    let invalid = |s: &str| {
        if flags.allow_invalid { Ok(s.to_string()) } else { Err(Error::internal(format!("cache lookup failed for type {type_oid}"))) }
    };
    let Some((mut desc, mut tm)) = lookup(type_oid) else {
        return invalid("???");
    };
    let mut type_oid = type_oid;
    let is_array = desc.array_elem.is_some();
    if let Some(elem) = desc.array_elem {
        let Some((d, t)) = lookup(elem) else {
            return invalid("???[]");
        };
        desc = d;
        tm = t;
        type_oid = elem;
    }
    let with_typemod = flags.typemod_given && typmod >= 0;
    let print = |name: &str| -> Result<String> { Ok(format!("{name}{}", typmod_out(tm, typmod)?)) };
    let special = match type_oid {
        oid::BIT => {
            if with_typemod {
                Some(print("bit")?)
            } else if flags.typemod_given {
                None
            } else {
                Some("bit".to_string())
            }
        }
        oid::BOOL => Some("boolean".to_string()),
        oid::BPCHAR => {
            if with_typemod {
                Some(print("character")?)
            } else if flags.typemod_given {
                None
            } else {
                Some("character".to_string())
            }
        }
        oid::FLOAT4 => Some("real".to_string()),
        oid::FLOAT8 => Some("double precision".to_string()),
        oid::INT2 => Some("smallint".to_string()),
        oid::INT4 => Some("integer".to_string()),
        oid::INT8 => Some("bigint".to_string()),
        oid::NUMERIC => Some(if with_typemod { print("numeric")? } else { "numeric".to_string() }),
        oid::INTERVAL => Some(if with_typemod { print("interval")? } else { "interval".to_string() }),
        oid::TIME => Some(if with_typemod { print("time")? } else { "time without time zone".to_string() }),
        oid::TIMETZ => Some(if with_typemod { print("time")? } else { "time with time zone".to_string() }),
        oid::TIMESTAMP => Some(if with_typemod { print("timestamp")? } else { "timestamp without time zone".to_string() }),
        oid::TIMESTAMPTZ => Some(if with_typemod { print("timestamp")? } else { "timestamp with time zone".to_string() }),
        oid::VARBIT => Some(if with_typemod { print("bit varying")? } else { "bit varying".to_string() }),
        oid::VARCHAR => Some(if with_typemod { print("character varying")? } else { "character varying".to_string() }),
        _ => None,
    };
    let mut buf = match special {
        Some(s) => s,
        None => {
            let visible = matches!(desc.namespace.as_str(), "pg_catalog" | "public");
            let name = if visible && !flags.force_qualify {
                quote_identifier(&desc.name)
            } else {
                format!("{}.{}", quote_identifier(&desc.namespace), quote_identifier(&desc.name))
            };
            if with_typemod { print(&name)? } else { name }
        }
    };
    if is_array {
        buf.push_str("[]");
    }
    Ok(buf)
}
