//! Loads the cases recorded from PostgreSQL 15 (testdata/*.tsv, written by
//! testdata/gen_cases.py) and checks a module's functions against them.

use oa_ir::{Error, Result};

/// One recorded call: the Rust function name, its arguments as text (None
/// for NULL) and PostgreSQL's answer.
pub struct Case {
    pub line: usize,
    pub func: String,
    pub args: Vec<Option<String>>,
    pub expected: Expected,
}

pub enum Expected {
    Ok(Option<String>),
    Err { code: String, message: String, hint: Option<String>, detail: Option<String> },
}

/// A value computed by the Rust side, compared against PostgreSQL's text.
pub enum Got {
    Text(String),
    F8(f64),
    F4(f32),
    /// Comma-separated float8 values (random() sequences).
    F8List(Vec<f64>),
}

impl From<String> for Got {
    fn from(s: String) -> Got {
        Got::Text(s)
    }
}

impl From<&str> for Got {
    fn from(s: &str) -> Got {
        Got::Text(s.to_string())
    }
}

impl From<bool> for Got {
    fn from(b: bool) -> Got {
        Got::Text(if b { "true" } else { "false" }.to_string())
    }
}

impl From<i16> for Got {
    fn from(v: i16) -> Got {
        Got::Text(v.to_string())
    }
}

impl From<i32> for Got {
    fn from(v: i32) -> Got {
        Got::Text(v.to_string())
    }
}

impl From<i64> for Got {
    fn from(v: i64) -> Got {
        Got::Text(v.to_string())
    }
}

impl From<f64> for Got {
    fn from(v: f64) -> Got {
        Got::F8(v)
    }
}

impl From<f32> for Got {
    fn from(v: f32) -> Got {
        Got::F4(v)
    }
}

/// COPY text unescaping.
fn unescape(f: &str) -> Option<String> {
    if f == "\\N" {
        return None;
    }
    let mut out = String::with_capacity(f.len());
    let mut it = f.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    Some(out)
}

pub fn load(tsv: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for (n, line) in tsv.lines().enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        let arrow = fields.iter().position(|f| *f == "=>").expect("=> separator");
        let args = fields[1..arrow].iter().map(|f| unescape(f)).collect();
        let res = &fields[arrow + 1..];
        let expected = if res[0] == "OK" {
            Expected::Ok(unescape(res[1]))
        } else {
            Expected::Err {
                code: res[1].to_string(),
                message: unescape(res[2]).unwrap_or_default(),
                hint: unescape(res[3]),
                detail: unescape(res[4]),
            }
        };
        cases.push(Case { line: n + 1, func: fields[0].to_string(), args, expected });
    }
    cases
}

impl Case {
    pub fn opt(&self, i: usize) -> Option<&str> {
        self.args[i].as_deref()
    }

    pub fn s(&self, i: usize) -> &str {
        self.opt(i).expect("non-NULL argument")
    }

    pub fn i16(&self, i: usize) -> i16 {
        self.s(i).parse().expect("int2 argument")
    }

    pub fn i32(&self, i: usize) -> i32 {
        self.s(i).parse().expect("int4 argument")
    }

    pub fn i64(&self, i: usize) -> i64 {
        self.s(i).parse().expect("int8 argument")
    }

    pub fn f64(&self, i: usize) -> f64 {
        self.s(i).parse().expect("float8 argument")
    }

    pub fn f32(&self, i: usize) -> f32 {
        self.s(i).parse().expect("float4 argument")
    }

    /// An argument holding a packed text array (elements joined by \x1f).
    pub fn arr(&self, i: usize) -> Vec<Option<String>> {
        let s = self.s(i);
        if s.is_empty() {
            return Vec::new();
        }
        s.split('\u{1f}').map(|e| if e == "\\N" { None } else { Some(e.to_string()) }).collect()
    }
}

/// The encoding pg_eval.sql's arrenc() gives a text[].
pub fn arrenc<S: AsRef<str>>(arr: Option<&[Option<S>]>) -> String {
    let Some(arr) = arr else {
        return "-1:".to_string();
    };
    let elems: Vec<String> = arr
        .iter()
        .map(|e| match e {
            None => "\\N".to_string(),
            Some(s) => s.as_ref().replace('\\', "\\\\").replace('|', "\\|"),
        })
        .collect();
    format!("{}:{}", arr.len(), elems.join("|"))
}

fn same(got: &Got, want: &str) -> bool {
    match got {
        Got::Text(s) => s == want,
        Got::F8(v) => match want.parse::<f64>() {
            Ok(w) => (v.is_nan() && w.is_nan()) || v.to_bits() == w.to_bits(),
            Err(_) => false,
        },
        Got::F4(v) => match want.parse::<f32>() {
            Ok(w) => (v.is_nan() && w.is_nan()) || v.to_bits() == w.to_bits(),
            Err(_) => false,
        },
        Got::F8List(vs) => {
            let ws: Vec<&str> = want.split(',').collect();
            ws.len() == vs.len() && vs.iter().zip(ws).all(|(v, w)| w.parse::<f64>().is_ok_and(|w| w.to_bits() == v.to_bits()))
        }
    }
}

fn show(got: &Got) -> String {
    match got {
        Got::Text(s) => format!("{s:?}"),
        Got::F8(v) => format!("{v:?}"),
        Got::F4(v) => format!("{v:?}f32"),
        Got::F8List(v) => format!("{v:?}"),
    }
}

/// Runs every case through `eval` (None: a function the module does not
/// know) and panics listing the mismatches.
pub fn check(tsv: &str, eval: impl Fn(&Case) -> Option<Result<Option<Got>>>) -> usize {
    check_with(tsv, eval, false)
}

/// `check`, optionally skipping the cases where the Rust side reports
/// 0A000 (a documented unsupported feature).
pub fn check_with(tsv: &str, eval: impl Fn(&Case) -> Option<Result<Option<Got>>>, skip_unsupported: bool) -> usize {
    let cases = load(tsv);
    let mut failures = Vec::new();
    let mut checked = 0;
    for c in &cases {
        let Some(got) = eval(c) else {
            failures.push(format!("line {}: no dispatch for {}", c.line, c.func));
            continue;
        };
        if skip_unsupported && matches!(&got, Err(e) if e.code == oa_ir::SqlState::FEATURE_NOT_SUPPORTED) {
            continue;
        }
        checked += 1;
        let ok = match (&got, &c.expected) {
            (Ok(g), Expected::Ok(w)) => match (g, w) {
                (None, None) => true,
                (Some(g), Some(w)) => same(g, w),
                _ => false,
            },
            (Err(e), Expected::Err { code, message, hint, detail }) => {
                e.code.code() == code && &e.message == message && &e.hint == hint && (detail.is_none() || &e.detail == detail)
            }
            _ => false,
        };
        if !ok {
            let got_s = match &got {
                Ok(Some(g)) => show(g),
                Ok(None) => "NULL".into(),
                Err(Error { code, message, hint, .. }) => format!("ERROR {code} {message:?} hint {hint:?}"),
            };
            let want_s = match &c.expected {
                Expected::Ok(Some(w)) => format!("{w:?}"),
                Expected::Ok(None) => "NULL".into(),
                Expected::Err { code, message, hint, .. } => format!("ERROR {code} {message:?} hint {hint:?}"),
            };
            failures.push(format!("line {}: {}({:?}): got {} want {}", c.line, c.func, c.args, got_s, want_s));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from PostgreSQL:\n{}",
        failures.len(),
        cases.len(),
        failures.iter().take(60).cloned().collect::<Vec<_>>().join("\n")
    );
    checked
}

/// A successful non-NULL result.
pub fn ok<T: Into<Got>>(v: T) -> Option<Result<Option<Got>>> {
    Some(Ok(Some(v.into())))
}

/// A fallible non-NULL result.
pub fn res<T: Into<Got>>(r: Result<T>) -> Option<Result<Option<Got>>> {
    Some(r.map(|v| Some(v.into())))
}

/// A fallible, possibly NULL result.
pub fn res_opt<T: Into<Got>>(r: Result<Option<T>>) -> Option<Result<Option<Got>>> {
    Some(r.map(|v| v.map(Into::into)))
}
