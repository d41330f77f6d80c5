//! Tests: the table recorded from PostgreSQL 15.18 (tools/record_pgref.py),
//! hand-written cases, and round-trip properties over random values.

use super::*;
use crate::datum::{Array, ArrayDim};
use crate::error::Error;

fn unesc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('\\') => out.push('\\'),
                Some(o) => {
                    out.push('\\');
                    out.push(o);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n").replace('\r', "\\r")
}

fn fmt_result(r: Result<String>) -> String {
    match r {
        Ok(s) => format!("OK:{}", esc(&s)),
        Err(e) => fmt_err(&e),
    }
}

fn fmt_err(e: &Error) -> String {
    let mut s = format!("ERR:{}:{}", e.code, e.message);
    if let Some(d) = &e.detail {
        s.push_str(&format!("|D:{d}"));
    }
    if let Some(h) = &e.hint {
        s.push_str(&format!("|H:{h}"));
    }
    esc(&s)
}

/// A type as the cases spell it (SQL syntax): (oid, typmod).
fn parse_type(t: &str) -> (Oid, i32) {
    if let Some(elem) = t.strip_suffix("[]") {
        let (e, tm) = parse_type(elem);
        let arr = tables::BUILTIN_TYPES.iter().find(|x| x.2 == e).map(|x| x.0).unwrap_or_else(|| panic!("no array type for {t}"));
        return (arr, tm);
    }
    let (base, tm) = match t.split_once('(') {
        Some((b, rest)) => (b, Some(rest.trim_end_matches(')'))),
        None => (t, None),
    };
    let o = match base {
        "bool" => oid::BOOL,
        "int2" => oid::INT2,
        "int4" => oid::INT4,
        "int8" => oid::INT8,
        "oid" => oid::OID,
        "float4" => oid::FLOAT4,
        "float8" => oid::FLOAT8,
        "numeric" => oid::NUMERIC,
        "text" => oid::TEXT,
        "varchar" => oid::VARCHAR,
        "char" | "bpchar" => oid::BPCHAR,
        "name" => oid::NAME,
        "\"char\"" => oid::CHAR,
        "bytea" => oid::BYTEA,
        "uuid" => oid::UUID,
        "int2vector" => oid::INT2VECTOR,
        "oidvector" => oid::OIDVECTOR,
        _ => panic!("unknown type {t}"),
    };
    let typmod = match (o, tm) {
        (oid::NUMERIC, Some(pm)) => {
            let (p, s) = pm.split_once(',').unwrap_or((pm, "0"));
            Numeric::make_typmod(p.parse().unwrap(), s.parse().unwrap()).unwrap()
        }
        (_, Some(n)) => n.parse::<i32>().unwrap() + 4,
        // `char` alone means char(1).
        (oid::BPCHAR, None) if base == "char" => 5,
        _ => -1,
    };
    (o, typmod)
}

fn settings_of(s: &str) -> IoSettings {
    let mut st = IoSettings::default();
    for kv in s.split(',').filter(|k| !k.is_empty()) {
        if let Some(v) = kv.strip_prefix("efd=") {
            st.extra_float_digits = v.parse().unwrap();
        } else if let Some(v) = kv.strip_prefix("bytea=") {
            st.bytea_output = if v == "escape" { ByteaOutput::Escape } else { ByteaOutput::Hex };
        }
    }
    st
}

/// `'text'::TYPE` in SQL: the input function without typmod, then the
/// explicit length coercion (element by element for arrays).
fn literal(ty: &str, text: &str) -> Result<(Oid, Datum)> {
    let (o, tm) = parse_type(ty);
    let d = input(o, -1, text).expect("type handled")?;
    let elem = builtin_array_elem(o);
    let coerce = |d: Datum| -> Result<Datum> {
        Ok(match (elem.unwrap_or(o), d) {
            (oid::VARCHAR, Datum::Text(s)) => Datum::Text(varchar(&s, tm, true)?),
            (oid::BPCHAR, Datum::Text(s)) => Datum::Text(bpchar(&s, tm, true)?),
            (oid::NUMERIC, Datum::Numeric(n)) => Datum::Numeric(n.apply_typmod(tm)?),
            (_, d) => d,
        })
    };
    let d = match d {
        Datum::Array(mut a) => {
            a.elems = a.elems.into_iter().map(coerce).collect::<Result<_>>()?;
            Datum::Array(a)
        }
        d => coerce(d)?,
    };
    Ok((o, d))
}

fn in_out(ty: &str, settings: &IoSettings, text: &str) -> Result<String> {
    let (o, d) = literal(ty, text)?;
    output(o, &d, settings).expect("type handled")
}

/// An explicit cast FROM → TO of the value read as FROM, PostgreSQL style.
fn cast(from: &str, to: &str, settings: &IoSettings, text: &str) -> Result<String> {
    let (fo, v) = literal(from, text)?;
    let (to_oid, ttm) = parse_type(to);
    let out = match (&v, to_oid) {
        (Datum::Float64(f), oid::INT2) => Datum::Int16(float8_to_int2(*f)?),
        (Datum::Float64(f), oid::INT4) => Datum::Int32(float8_to_int4(*f)?),
        (Datum::Float64(f), oid::INT8) => Datum::Int64(float8_to_int8(*f)?),
        (Datum::Float64(f), oid::FLOAT4) => Datum::Float32(float8_to_float4(*f)?),
        (Datum::Float64(f), oid::NUMERIC) => Datum::Numeric(float8_to_numeric(*f)),
        (Datum::Float32(f), oid::INT2) => Datum::Int16(float4_to_int2(*f)?),
        (Datum::Float32(f), oid::INT4) => Datum::Int32(float4_to_int4(*f)?),
        (Datum::Float32(f), oid::INT8) => Datum::Int64(float4_to_int8(*f)?),
        (Datum::Float32(f), oid::FLOAT8) => Datum::Float64(float4_to_float8(*f)),
        (Datum::Float32(f), oid::NUMERIC) => Datum::Numeric(float4_to_numeric(*f)),
        (Datum::Int16(_) | Datum::Int32(_) | Datum::Int64(_), _) if matches!(to_oid, oid::FLOAT4 | oid::FLOAT8 | oid::NUMERIC) => {
            let i = v.as_i64().unwrap();
            match to_oid {
                oid::FLOAT4 => Datum::Float32(int_to_float4(i)),
                oid::FLOAT8 => Datum::Float64(int_to_float8(i)),
                _ => Datum::Numeric(int_to_numeric(i)),
            }
        }
        (Datum::Int16(_) | Datum::Int32(_) | Datum::Int64(_), oid::INT2 | oid::INT4 | oid::INT8 | oid::OID) => {
            let i = v.as_i64().unwrap();
            match (fo, to_oid) {
                (oid::INT2, oid::INT4) => Datum::Int32(int2_to_int4(i as i16)),
                (oid::INT2, oid::INT8) => Datum::Int64(int2_to_int8(i as i16)),
                (oid::INT4, oid::INT8) => Datum::Int64(int4_to_int8(i as i32)),
                (oid::INT4, oid::INT2) => Datum::Int16(int4_to_int2(i as i32)?),
                (oid::INT8, oid::INT2) => Datum::Int16(int8_to_int2(i)?),
                (oid::INT8, oid::INT4) => Datum::Int32(int8_to_int4(i)?),
                (oid::INT8, oid::OID) => Datum::Oid(int8_to_oid(i)?),
                // int2 → oid goes through int4, a binary coercion.
                (_, oid::OID) => Datum::Oid(i as i32 as u32),
                _ => unreachable!(),
            }
        }
        (Datum::Int32(i), oid::BOOL) => Datum::Bool(int4_to_bool(*i)),
        (Datum::Int32(i), oid::CHAR) => Datum::Char(int4_to_char(*i)?),
        (Datum::Int16(_) | Datum::Int64(_), oid::BOOL | oid::CHAR) => {
            return Err(Error::internal("no such cast"));
        }
        (Datum::Bool(b), oid::INT4) => Datum::Int32(bool_to_int4(*b)),
        (Datum::Oid(o), oid::INT8) => Datum::Int64(oid_to_int8(*o)),
        (Datum::Oid(o), oid::INT4) => Datum::Int32(*o as i32),
        (Datum::Numeric(n), _) => match to_oid {
            oid::INT2 => Datum::Int16(numeric_to_int2(n)?),
            oid::INT4 => Datum::Int32(numeric_to_int4(n)?),
            oid::INT8 => Datum::Int64(numeric_to_int8(n)?),
            oid::FLOAT4 => Datum::Float32(numeric_to_float4(n)?),
            _ => Datum::Float64(numeric_to_float8(n)?),
        },
        (Datum::Char(c), oid::INT4) => Datum::Int32(char_to_int4(*c)),
        (Datum::Char(c), oid::TEXT) => Datum::Text(char_to_text(*c)),
        (Datum::Text(s), oid::CHAR) => Datum::Char(text_to_char(s)),
        (Datum::Text(s), _) if to_oid != oid::TEXT || fo == oid::BPCHAR => {
            // The text-like types: bpchar loses its padding on the way.
            let s = if fo == oid::BPCHAR { bpchar_to_text(s) } else { s.as_str() };
            Datum::Text(match to_oid {
                oid::VARCHAR => varchar(s, ttm, true)?,
                oid::BPCHAR => bpchar(if fo == oid::BPCHAR { v.as_str().unwrap() } else { s }, ttm, true)?,
                oid::NAME if fo == oid::BPCHAR => bpchar_to_name(v.as_str().unwrap()).to_string(),
                oid::NAME => text_to_name(s).to_string(),
                _ => s.to_string(),
            })
        }
        (_, oid::TEXT) => {
            return output(fo, &v, settings).expect("type handled");
        }
        _ => panic!("no cast {from} -> {to}"),
    };
    output(to_oid, &out, settings).expect("type handled")
}

/// Storing TEXT into a column: the assignment (implicit) length coercion.
fn assign(col: &str, text: &str) -> Result<String> {
    let (o, tm) = match col {
        "vc3" => (oid::VARCHAR, 7),
        "vc5" => (oid::VARCHAR, 9),
        "bpc3" => (oid::BPCHAR, 7),
        "bpc5" => (oid::BPCHAR, 9),
        "bpc1" => (oid::BPCHAR, 5),
        "nm" => (oid::NAME, -1),
        "vc" => (oid::VARCHAR, -1),
        "bpc" => (oid::BPCHAR, -1),
        _ => panic!("column {col}"),
    };
    Ok(match o {
        oid::VARCHAR => varchar(text, tm, false)?,
        oid::BPCHAR => bpchar(text, tm, false)?,
        _ => text_to_name(text).to_string(),
    })
}

fn hex_u64(h: &str) -> u64 {
    u64::from_str_radix(h, 16).unwrap()
}

fn resolve_user(o: Oid) -> Option<TypeDesc> {
    let t = |n: &str, s: &str, e: Option<Oid>| Some(TypeDesc { name: n.into(), namespace: s.into(), array_elem: e });
    match o {
        1_000_001 => t("mood", "public", None),
        1_000_002 => t("My \"Type\"", "Odd Schema", None),
        1_000_003 => t("select", "s2", None),
        1_000_004 => t("plain", "s2", None),
        1_000_005 => t("dom", "public", None),
        1_000_006 => t("UPPER", "public", None),
        1_000_007 => t("user", "public", None),
        o if (2_000_001..=2_000_007).contains(&o) => {
            let elem = o - 1_000_000;
            let d = resolve_user(elem)?;
            t(&format!("_{}", d.name), &d.namespace, Some(elem))
        }
        _ => None,
    }
}

fn user_oid(nsp: &str, name: &str) -> Oid {
    (1_000_001..=1_000_007).find(|&o| resolve_user(o).is_some_and(|d| d.name == name && d.namespace == nsp)).unwrap()
}

/// Runs one recorded case; returns the result in the table's notation.
fn run_case(op: &str, a: &[String]) -> String {
    match op {
        "in" => fmt_result(in_out(&a[0], &settings_of(&a[1]), &a[2])),
        "cast" => fmt_result(cast(&a[0], &a[1], &settings_of(&a[2]), &a[3])),
        "assign" => fmt_result(assign(&a[0], &a[1])),
        "f8out" => fmt_result(Ok(float8out(f64::from_bits(hex_u64(&a[1])), a[0].parse().unwrap()))),
        "f4out" => fmt_result(Ok(float4out(f32::from_bits(hex_u64(&a[1]) as u32), a[0].parse().unwrap()))),
        "format_type" => {
            let o: Oid = a[0].parse().unwrap();
            if a[1] == "NULL" {
                // format_type(oid, NULL): no typmod, unknown OIDs allowed.
                let flags = FormatTypeFlags { allow_invalid: true, ..Default::default() };
                fmt_result(format_type_extended(o, -1, flags, &|_| None))
            } else {
                let flags = FormatTypeFlags { allow_invalid: true, typemod_given: true, ..Default::default() };
                fmt_result(format_type_extended(o, a[1].parse().unwrap(), flags, &|_| None))
            }
        }
        "format_type_user" => {
            let mut o = user_oid(&a[0], &a[1]);
            if a[3] == "1" {
                o += 1_000_000;
            }
            let flags = FormatTypeFlags { allow_invalid: true, typemod_given: a[2] != "NULL", ..Default::default() };
            let tm = a[2].parse().unwrap_or(-1);
            fmt_result(format_type_extended(o, tm, flags, &resolve_user))
        }
        "array_md" => {
            let items: Result<Vec<Datum>> =
                a.iter().map(|x| if x == "NULL" { Ok(Datum::Null) } else { input(oid::INT4_ARRAY, -1, x).unwrap() }).collect();
            fmt_result(items.and_then(|items| {
                let arr = array_construct_md(oid::INT4, &items)?;
                output(oid::INT4_ARRAY, &Datum::Array(Box::new(arr)), &IoSettings::default()).unwrap()
            }))
        }
        _ => panic!("unknown op {op}"),
    }
}

fn check_table(data: &str) -> (usize, Vec<String>) {
    let mut n = 0;
    let mut bad = Vec::new();
    for line in data.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let (op, expected) = (cols[0], cols[cols.len() - 1]);
        let args: Vec<String> = cols[1..cols.len() - 1].iter().map(|s| unesc(s)).collect();
        let got = std::panic::catch_unwind(|| run_case(op, &args)).unwrap_or_else(|_| "PANIC".to_string());
        n += 1;
        if got != expected {
            bad.push(format!("{line}\n    got: {got}"));
        }
    }
    (n, bad)
}

#[test]
fn pgref_cases() {
    let (n, bad) = check_table(include_str!("pgref_cases.tsv"));
    assert!(n > 5000, "only {n} cases");
    assert!(bad.is_empty(), "{} of {n} cases differ:\n{}", bad.len(), bad.join("\n"));
}

/// Ad-hoc differential run: `TYPEIO_CASES=file.tsv cargo test pgref_file -- --nocapture`.
#[test]
fn pgref_file() {
    let Ok(path) = std::env::var("TYPEIO_CASES") else {
        return;
    };
    let data = std::fs::read_to_string(path).unwrap();
    let (n, bad) = check_table(&data);
    for b in bad.iter().take(300) {
        println!("{b}");
    }
    println!("{} of {n} differ", bad.len());
}

// ----- hand-written cases --------------------------------------------------

fn err_of<T: std::fmt::Debug>(r: Result<T>) -> (String, String, Option<String>) {
    let e = r.unwrap_err();
    (e.code.to_string(), e.message, e.detail)
}

#[test]
fn integers() {
    assert_eq!(int2in(" -32768 ").unwrap(), i16::MIN);
    assert_eq!(int8in("+9223372036854775807").unwrap(), i64::MAX);
    assert_eq!(err_of(int4in("99999999999x")), ("22003".into(), "value \"99999999999x\" is out of range for type integer".into(), None));
    assert_eq!(err_of(int4in("0x10")), ("22P02".into(), "invalid input syntax for type integer: \"0x10\"".into(), None));
    assert_eq!(int4in("1_000").unwrap_err().code.to_string(), "22P02");
    assert_eq!(oidin("-1").unwrap(), 4294967295);
    assert_eq!(oidin("-2147483648").unwrap(), 2147483648);
    assert_eq!(oidin("-2147483649").unwrap_err().code.to_string(), "22003");
    assert_eq!(int4_to_int2(40000).unwrap_err().message, "smallint out of range");
    assert_eq!(int8_to_oid(-1).unwrap_err().message, "OID out of range");
    assert_eq!(int2vectorin(" 1  -2 3").unwrap(), vec![1, -2, 3]);
    assert_eq!(int2vectorout(&[1, -2, 3]), "1 -2 3");
    assert_eq!(oidvectorin("1 x").unwrap_err().message, "invalid input syntax for type oid: \"x\"");
}

#[test]
fn floats() {
    assert_eq!(float8out(1e23, 1), "9.999999999999999e+22");
    assert_eq!(float8out(1e100, 1), "1e+100");
    assert_eq!(float8out(1.5e-7, 1), "1.5e-07");
    assert_eq!(float8out(123456789012345680.0, 1), "1.2345678901234568e+17");
    assert_eq!(float8out(100000000000000.0, 1), "100000000000000");
    assert_eq!(float8out(1e15, 1), "1e+15");
    assert_eq!(float8out(0.0001, 1), "0.0001");
    assert_eq!(float8out(-0.0, 1), "-0");
    assert_eq!(float8out(2f64.powi(49) + 0.25, 1), "562949953421312.2");
    assert_eq!(float8out(0.1, 0), "0.1");
    assert_eq!(float8out(1.0 / 3.0, 0), "0.333333333333333");
    assert_eq!(float8out(1.0 / 3.0, 3), "0.3333333333333333");
    assert_eq!(float8out(1e-5, 0), "1e-05");
    assert_eq!(float8out(f64::NEG_INFINITY, 0), "-Infinity");
    assert_eq!(float4out(1e6, 1), "1e+06");
    assert_eq!(float4out(123456.0, 1), "123456");
    assert_eq!(float4out(0.1, 0), "0.1");
    assert_eq!(float8in(" -Infinity ").unwrap(), f64::NEG_INFINITY);
    assert!(float8in("nan(abc)").unwrap().is_nan());
    assert_eq!(float8in("0x1.8p1").unwrap(), 3.0);
    assert_eq!(float8in("4.9e-324").unwrap(), 5e-324);
    assert_eq!(err_of(float8in(" 1e400 ")), ("22003".into(), "\"1e400\" is out of range for type double precision".into(), None));
    assert_eq!(float8in("1e-400").unwrap_err().message, "\"1e-400\" is out of range for type double precision");
    assert_eq!(float4in(" 1e39").unwrap_err().message, "\" 1e39\" is out of range for type real");
    assert_eq!(float8in("1.5x").unwrap_err().message, "invalid input syntax for type double precision: \"1.5x\"");
    assert_eq!(float8_to_int4(2.5).unwrap(), 2);
    assert_eq!(float8_to_int4(-3.5).unwrap(), -4);
    assert_eq!(float8_to_int4(f64::NAN).unwrap_err().message, "integer out of range");
    assert_eq!(float8_to_int4(2147483647.5).unwrap_err().message, "integer out of range");
    assert_eq!(float4_to_int8(9.223372e18).unwrap_err().message, "bigint out of range");
    assert_eq!(float8_to_float4(1e300).unwrap_err().message, "value out of range: overflow");
    assert_eq!(float8_to_float4(1e-300).unwrap_err().message, "value out of range: underflow");
    assert_eq!(int_to_float4(16777217), 16777216.0);
}

#[test]
fn booleans() {
    for (s, v) in [("t", true), ("  yes ", true), ("Of", false), ("ON", true), ("0", false), ("tr", true)] {
        assert_eq!(boolin(s).unwrap(), v, "{s}");
    }
    for s in ["o", "o ", "", "truex", "2", "of f"] {
        assert_eq!(boolin(s).unwrap_err().message, format!("invalid input syntax for type boolean: \"{s}\""));
    }
    assert_eq!(boolout(true), "t");
    assert_eq!(bool_to_int4(true), 1);
    assert!(int4_to_bool(-5));
}

#[test]
fn character_types() {
    assert_eq!(bpcharin("ab", 9).unwrap(), "ab   ");
    assert_eq!(bpcharin("abc   ", 7).unwrap(), "abc");
    assert_eq!(err_of(bpcharin("abcd", 7)), ("22001".into(), "value too long for type character(3)".into(), None));
    assert_eq!(bpchar("abcd", 7, true).unwrap(), "abc");
    assert_eq!(bpchar("ééé", 6, true).unwrap(), "éé");
    assert_eq!(bpcharin("éé  ", 6).unwrap(), "éé");
    assert_eq!(varcharin("ééé", 7).unwrap(), "ééé");
    assert_eq!(varcharin("éééé", 7).unwrap_err().message, "value too long for type character varying(3)");
    assert_eq!(varchar("éééé", 7, true).unwrap(), "ééé");
    assert_eq!(varcharin("abcd", -1).unwrap(), "abcd");
    assert_eq!(bpchar_length("ab  "), 2);
    assert_eq!(bpchar_cmp("ab  ", "ab"), std::cmp::Ordering::Equal);
    assert_eq!(bpchar_cmp("ab", "ab\t"), std::cmp::Ordering::Less);
    assert_eq!(bpchar_to_text("a b  "), "a b");
    assert_eq!(namein(&"é".repeat(40)).len(), 62);
    assert_eq!(namein(&"a".repeat(70)).len(), 63);
    assert_eq!(charin("\\101"), b'A');
    assert_eq!(charin("\\777"), 0xff);
    assert_eq!(charin("é"), 0xc3);
    assert_eq!(charin(""), 0);
    assert_eq!(charout(0xc3), "\\303");
    assert_eq!(charout(0), "");
    assert_eq!(char_to_int4(0xff), -1);
    assert_eq!(int4_to_char(128).unwrap_err().message, "\"char\" out of range");
}

#[test]
fn bytea_and_uuid() {
    assert_eq!(byteain("\\x de AD\n0f").unwrap(), vec![0xde, 0xad, 0x0f]);
    assert_eq!(byteain("\\x0 1").unwrap_err().message, "invalid hexadecimal digit: \" \"");
    assert_eq!(byteain("\\x0é").unwrap_err().message, "invalid hexadecimal digit: \"é\"");
    assert_eq!(byteain("\\x012").unwrap_err().message, "invalid hexadecimal data: odd number of digits");
    assert_eq!(byteain("a\\\\b\\001").unwrap(), b"a\\b\x01".to_vec());
    assert_eq!(byteain("\\8").unwrap_err().message, "invalid input syntax for type bytea");
    assert_eq!(byteaout(b"a\\\x01\xff", ByteaOutput::Hex), "\\x615c01ff");
    assert_eq!(byteaout(b"a\\\x01\xff", ByteaOutput::Escape), "a\\\\\\001\\377");
    let u = uuid_in("{A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11}").unwrap();
    assert_eq!(uuid_out(&u), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    assert_eq!(
        uuid_in("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1").unwrap_err().message,
        "invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1\""
    );
}

fn int_array(s: &str) -> Result<Array> {
    array_in(s, oid::INT4, -1, &mut |t| int4in(t).map(Datum::Int32), b',')
}

fn text_array(s: &str) -> Result<Array> {
    array_in(s, oid::TEXT, -1, &mut |t| Ok(Datum::Text(t.to_string())), b',')
}

fn out_text(a: &Array) -> String {
    array_out(a, &mut |d| Ok(d.as_str().unwrap_or_default().to_string()), b',').unwrap()
}

#[test]
fn arrays() {
    let a = int_array("[0:1][2:2]={{1},{NULL}}").unwrap();
    assert_eq!(a.dims, vec![ArrayDim { len: 2, lower: 0 }, ArrayDim { len: 1, lower: 2 }]);
    assert_eq!(a.elems, vec![Datum::Int32(1), Datum::Null]);
    let out = array_out(&a, &mut |d| Ok(int4out(d.as_i64().unwrap() as i32)), b',').unwrap();
    assert_eq!(out, "[0:1][2:2]={{1},{NULL}}");
    assert_eq!(err_of(int_array("  {1,2")), ("22P02".into(), "malformed array literal: \"{1,2\"".into(), Some("Unexpected end of input.".into())));
    assert_eq!(int_array("[1:2]={1,2,3}").unwrap_err().detail.unwrap(), "Specified array dimensions do not match array contents.");
    assert_eq!(int_array("[2:1]={1}").unwrap_err().message, "upper bound cannot be less than lower bound");
    assert_eq!(int_array("{1,x}").unwrap_err().message, "invalid input syntax for type integer: \"x\"");
    let t = text_array(r#"{"",NULL,"NULL",  a b  ,"q\"",\{,x}"#).unwrap();
    assert_eq!(t.elems[0], Datum::Text(String::new()));
    assert_eq!(t.elems[1], Datum::Null);
    assert_eq!(t.elems[3], Datum::Text("a b".into()));
    assert_eq!(out_text(&t), r#"{"",NULL,"NULL","a b","q\"","{",x}"#);
    let boxes = array_in("{1;2}", 603, -1, &mut |t| Ok(Datum::Text(t.into())), b';').unwrap();
    assert_eq!(boxes.elems.len(), 2);
    assert_eq!(out_text(&Array::from_elems(oid::TEXT, vec![])), "{}");
    // ARRAY[ARRAY[..], ..]
    let sub = |s: &str| Datum::Array(Box::new(int_array(s).unwrap()));
    let md = array_construct_md(oid::INT4, &[sub("{1,2}"), sub("{3,4}")]).unwrap();
    assert_eq!(md.dims, vec![ArrayDim { len: 2, lower: 1 }, ArrayDim { len: 2, lower: 1 }]);
    let e = array_construct_md(oid::INT4, &[sub("{1,2}"), Datum::Null]).unwrap_err();
    assert_eq!(e.message, "multidimensional arrays must have array expressions with matching dimensions");
    assert_eq!(e.code.to_string(), "2202E");
    assert!(array_construct_md(oid::INT4, &[Datum::Null, sub("{}")]).unwrap().dims.is_empty());
    // A malformed Array value is an error, not a panic.
    let bad = Array { elem_type: oid::INT4, dims: vec![ArrayDim { len: 3, lower: 1 }], elems: vec![] };
    assert!(array_out(&bad, &mut |_| Ok(String::new()), b',').is_err());
}

#[test]
fn dispatch() {
    let st = IoSettings::default();
    let d = input(oid::INT4_ARRAY, -1, "{1, 2}").unwrap().unwrap();
    assert_eq!(output(oid::INT4_ARRAY, &d, &st).unwrap().unwrap(), "{1,2}");
    let d = input(oid::VARCHAR, 7, "abcd").unwrap();
    assert_eq!(d.unwrap_err().message, "value too long for type character varying(3)");
    let d = input(1015, 7, "{abcd}").unwrap(); // varchar(3)[]: input applies the typmod
    assert_eq!(d.unwrap_err().code.to_string(), "22001");
    assert!(input(oid::DATE, -1, "2000-01-01").is_none());
    assert!(output(oid::INT4, &Datum::Text("x".into()), &st).unwrap().is_err());
    let st0 = IoSettings { extra_float_digits: 0, bytea_output: ByteaOutput::Escape };
    assert_eq!(output(oid::FLOAT8, &Datum::Float64(0.1 + 0.2), &st0).unwrap().unwrap(), "0.3");
    assert_eq!(output(oid::FLOAT8, &Datum::Float64(0.1 + 0.2), &st).unwrap().unwrap(), "0.30000000000000004");
    assert_eq!(output(oid::BYTEA, &Datum::Bytes(vec![0]), &st0).unwrap().unwrap(), "\\000");
}

#[test]
fn format_types() {
    let none = |_: Oid| None;
    assert_eq!(format_type(oid::INT4, -1, &none), "integer");
    assert_eq!(format_type(oid::NUMERIC, Numeric::make_typmod(10, 2).unwrap(), &none), "numeric(10,2)");
    assert_eq!(format_type(oid::VARCHAR, 9, &none), "character varying(5)");
    assert_eq!(format_type(oid::BPCHAR, 5, &none), "character(1)");
    assert_eq!(format_type(oid::BPCHAR, -1, &none), "character");
    assert_eq!(format_type(oid::TIMESTAMP, 3, &none), "timestamp(3) without time zone");
    assert_eq!(format_type(oid::TIMESTAMPTZ, -1, &none), "timestamp with time zone");
    assert_eq!(format_type(oid::CHAR, -1, &none), "\"char\"");
    assert_eq!(format_type(oid::BIT, 3, &none), "bit(3)");
    assert_eq!(format_type(oid::INT4_ARRAY, -1, &none), "integer[]");
    assert_eq!(format_type(oid::ANY, -1, &none), "\"any\"");
    assert_eq!(format_type(123456, -1, &none), "???");
    let res = |o: Oid| (o == 70000).then(|| ("My Type".to_string(), "app".to_string()));
    assert_eq!(format_type(70000, -1, &res), "app.\"My Type\"");
    assert_eq!(format_type(70000, 5, &res), "app.\"My Type\"(5)");
    let res = |o: Oid| (o == 70000).then(|| ("user".to_string(), "public".to_string()));
    assert_eq!(format_type(70000, -1, &res), "\"user\"");
    assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
    assert_eq!(quote_identifier("abc_1"), "abc_1");
    assert_eq!(quote_identifier("1abc"), "\"1abc\"");
    assert_eq!(quote_identifier("text"), "text");
    let flags = FormatTypeFlags::default();
    assert_eq!(format_type_extended(99999, -1, flags, &|_| None).unwrap_err().message, "cache lookup failed for type 99999");
}

// ----- properties ----------------------------------------------------------

/// A tiny deterministic generator (no external crates).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn float_round_trips() {
    let mut r = Rng(0x9e3779b97f4a7c15);
    for i in 0..200_000u64 {
        let bits = match i % 4 {
            0 => r.next(),
            1 => r.next() & 0x000f_ffff_ffff_ffff | (r.below(2047) << 52),
            2 => ((1023 + 45 + r.below(30)) << 52) | (r.below(1 << 20) << 30),
            _ => f64::to_bits((r.below(1 << 53) as f64) * 10f64.powi(r.below(40) as i32 - 20)),
        };
        let v = f64::from_bits(bits);
        let s = float8out(v, 1);
        let back = float8in(&s).unwrap();
        assert!(back.to_bits() == bits || (v.is_nan() && back.is_nan()), "{v:e} -> {s}");
        // extra_float_digits 3 gives the same text; 0 rounds to 15 digits.
        assert_eq!(float8out(v, 3), s);
        let f = f32::from_bits(bits as u32);
        let s = float4out(f, 1);
        let back = float4in(&s).unwrap();
        assert!(back.to_bits() == f.to_bits() || (f.is_nan() && back.is_nan()), "{f:e} -> {s}");
        let g = float8out(v, 0);
        if v.is_finite() {
            let p = float8in(&g).unwrap();
            assert!(p == v || ((p - v) / v).abs() < 1e-14, "{v:e} -> {g}");
        }
    }
}

#[test]
fn other_round_trips() {
    let mut r = Rng(12345);
    for _ in 0..20_000 {
        let v = r.next() as i64;
        assert_eq!(int8in(&int8out(v)).unwrap(), v);
        assert_eq!(int4in(&int4out(v as i32)).unwrap(), v as i32);
        assert_eq!(int2in(&int2out(v as i16)).unwrap(), v as i16);
        assert_eq!(oidin(&oidout(v as u32)).unwrap(), v as u32);
        let bytes: Vec<u8> = (0..r.below(20)).map(|_| r.next() as u8).collect();
        assert_eq!(byteain(&byteaout(&bytes, ByteaOutput::Hex)).unwrap(), bytes);
        assert_eq!(byteain(&byteaout(&bytes, ByteaOutput::Escape)).unwrap(), bytes);
        let mut u = [0u8; 16];
        u.iter_mut().for_each(|b| *b = r.next() as u8);
        assert_eq!(uuid_in(&uuid_out(&u)).unwrap(), u);
        let c = r.next() as u8;
        if c != 0 {
            assert_eq!(charin(&charout(c)), c);
        }
    }
    // Random text arrays: out then in gives the same array back.
    let pieces = ["", " ", "a", "NULL", "null", "\"", "\\", "{", "}", ",", "é", "x y", "\t", ";"];
    for _ in 0..5_000 {
        let ndim = 1 + r.below(3) as usize;
        let dims: Vec<ArrayDim> = (0..ndim).map(|_| ArrayDim { len: 1 + r.below(3) as i32, lower: r.below(5) as i32 - 2 }).collect();
        let n: i32 = dims.iter().map(|d| d.len).product();
        let elems: Vec<Datum> = (0..n)
            .map(|_| {
                if r.below(8) == 0 {
                    Datum::Null
                } else {
                    Datum::Text((0..r.below(3)).map(|_| pieces[r.below(pieces.len() as u64) as usize]).collect())
                }
            })
            .collect();
        let a = Array { elem_type: oid::TEXT, dims, elems };
        let s = out_text(&a);
        assert_eq!(text_array(&s).unwrap(), a, "{s}");
        assert_eq!(out_text(&text_array(&s).unwrap()), s);
    }
}

/// Every input function on random junk: an error or a value, never a panic.
#[test]
fn no_panics_on_junk() {
    let atoms = [
        "",
        " ",
        "\t",
        "0",
        "1",
        "9",
        "-",
        "+",
        ".",
        "e",
        "E",
        "x",
        "X",
        "p",
        "0x",
        "nan",
        "inf",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ":",
        "=",
        ",",
        ";",
        "\"",
        "\\",
        "\\x",
        "\\0",
        "NULL",
        "é",
        "日",
        "\0",
        "99999999999999999999",
        "-2147483648",
        "1e400",
        "1e-400",
        "true",
        "o",
        "-0",
        "a0eebc99",
        "{{",
        "}}",
        "[1:2]",
        "=",
    ];
    let mut r = Rng(777);
    let types: Vec<Oid> = vec![
        oid::BOOL,
        oid::INT2,
        oid::INT4,
        oid::INT8,
        oid::OID,
        oid::FLOAT4,
        oid::FLOAT8,
        oid::NUMERIC,
        oid::TEXT,
        oid::VARCHAR,
        oid::BPCHAR,
        oid::NAME,
        oid::CHAR,
        oid::BYTEA,
        oid::UUID,
        oid::INT2VECTOR,
        oid::OIDVECTOR,
        oid::INT4_ARRAY,
        oid::TEXT_ARRAY,
        1021,
        1022,
        1001,
        1015,
        1014,
        1000,
        2951,
        1020,
    ];
    let st = IoSettings::default();
    for _ in 0..60_000 {
        let s: String = (0..r.below(10)).map(|_| atoms[r.below(atoms.len() as u64) as usize]).collect();
        let t = types[r.below(types.len() as u64) as usize];
        let tm = [-1, 4, 5, 7, 100][r.below(5) as usize];
        if let Some(Ok(d)) = input(t, tm, &s) {
            let out = output(t, &d, &st).unwrap().unwrap();
            // Output reads back to the same value (modulo typmod padding).
            let again = input(t, tm, &out).unwrap().unwrap();
            assert_eq!(output(t, &again, &st).unwrap().unwrap(), out, "{t} {s:?}");
        }
        let _ = float8in(&s);
        let _ = float4in(&s);
        let _ = boolin(&s);
        let _ = byteain(&s);
        let _ = int2vectorin(&s);
        let _ = oidvectorin(&s);
        let _ = bpchar(&s, tm, r.below(2) == 0);
        let _ = varchar(&s, tm, r.below(2) == 0);
    }
}

#[test]
fn subscripted_assignment() {
    let int = |v: i32| Datum::Int32(v);
    let arr = |lower: i32, elems: Vec<Datum>| Array { elem_type: 23, dims: vec![ArrayDim { len: elems.len() as i32, lower }], elems };
    let empty = Array { elem_type: 23, dims: vec![], elems: vec![] };
    // An empty array becomes one element at the subscript.
    assert_eq!(array_set_element(&empty, &[3], int(7)).unwrap(), arr(3, vec![int(7)]));
    // Growing pads with NULLs on either side.
    let a = arr(1, vec![int(1), int(2)]);
    assert_eq!(array_set_element(&a, &[4], int(4)).unwrap(), arr(1, vec![int(1), int(2), Datum::Null, int(4)]));
    assert_eq!(array_set_element(&a, &[-1], int(0)).unwrap(), arr(-1, vec![int(0), Datum::Null, int(1), int(2)]));
    assert_eq!(array_set_element(&a, &[1, 1], int(0)).unwrap_err().message, "wrong number of array subscripts");
    assert_eq!(array_set_element(&a, &[i32::MAX], int(0)).unwrap_err().message, "array size exceeds the maximum allowed (134217727)");
    assert_eq!(array_set_element(&empty, &[i32::MAX], int(0)).unwrap_err().message, "array lower bound is too large: 2147483647");
    // Slices take the source's elements in order; extra ones are ignored.
    let src = arr(1, vec![int(8), int(9), int(10)]);
    assert_eq!(array_set_slice(&a, &[Some(2)], &[Some(3)], &src).unwrap(), arr(1, vec![int(1), int(8), int(9)]));
    assert_eq!(array_set_slice(&a, &[None], &[None], &src).unwrap(), arr(1, vec![int(8), int(9)]));
    assert_eq!(array_set_slice(&a, &[Some(1)], &[Some(4)], &src).unwrap_err().message, "source array too small");
    assert_eq!(array_set_slice(&empty, &[None], &[Some(2)], &src).unwrap_err().message, "array slice subscript must provide both boundaries");
    // Two dimensions: no growing; a missing subscript is the whole dimension.
    let m = Array { elem_type: 23, dims: vec![ArrayDim { len: 2, lower: 1 }, ArrayDim { len: 2, lower: 1 }], elems: (1..=4).map(int).collect() };
    assert_eq!(array_set_element(&m, &[2, 1], int(0)).unwrap().elems, vec![int(1), int(2), int(0), int(4)]);
    assert_eq!(array_set_element(&m, &[3, 1], int(0)).unwrap_err().message, "array subscript out of range");
    assert_eq!(array_set_slice(&m, &[Some(2)], &[Some(2)], &src).unwrap().elems, vec![int(1), int(2), int(8), int(9)]);
}
