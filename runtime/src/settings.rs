//! Run-time configuration parameters (PostgreSQL's GUCs) as one table:
//! names, defaults, value checks and display follow guc.c, so SET, SHOW,
//! RESET and `current_setting` answer as PostgreSQL does.

use std::collections::BTreeMap;
use std::sync::Arc;

use oa_ir::datetime::{DateStyle, IntervalStyle, TimeZone};
use oa_ir::io::IoContext;
use oa_ir::{Error, Result, SqlState};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Bool,
    /// Integer with bounds and an optional unit (memory in kB, time in ms).
    Int {
        min: i64,
        max: i64,
        unit: Unit,
    },
    Real {
        min: f64,
        max: f64,
    },
    Enum(&'static [&'static str]),
    String,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Unit {
    None,
    Kb,
    Ms,
}

/// One parameter's definition.
struct Def {
    name: &'static str,
    kind: Kind,
    default: &'static str,
    /// Set at server start (or compiled in): SET fails with 55P02.
    read_only: bool,
    /// PGC_SUSET: only superusers may SET it (every session's user is one).
    superuser: bool,
}

const fn def(name: &'static str, kind: Kind, default: &'static str) -> Def {
    Def { name, kind, default, read_only: false, superuser: false }
}

const fn fixed(name: &'static str, kind: Kind, default: &'static str) -> Def {
    Def { name, kind, default, read_only: true, superuser: false }
}

const fn suset(name: &'static str, kind: Kind, default: &'static str) -> Def {
    Def { name, kind, default, read_only: false, superuser: true }
}

/// The per-phase usage reports (usage.rs); log_statement_stats excludes the others.
const PHASE_STATS: [&str; 3] = ["log_parser_stats", "log_planner_stats", "log_executor_stats"];

const ON_OFF: Kind = Kind::Bool;
const MEM: Kind = Kind::Int { min: 64, max: i32::MAX as i64, unit: Unit::Kb };
const MS: Kind = Kind::Int { min: 0, max: i32::MAX as i64, unit: Unit::Ms };
const ISOLATION: Kind = Kind::Enum(&["serializable", "repeatable read", "read committed", "read uncommitted"]);
const MESSAGE_LEVEL: Kind = Kind::Enum(&["debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error"]);

/// The parameters OpenAssay knows, with PostgreSQL 15's defaults as the
/// reference cluster reports them.
static DEFS: &[Def] = &[
    def("application_name", Kind::String, ""),
    fixed("block_size", Kind::Int { min: 8192, max: 8192, unit: Unit::None }, "8192"),
    def("bytea_output", Kind::Enum(&["escape", "hex"]), "hex"),
    def("client_encoding", Kind::String, "UTF8"),
    def("client_min_messages", MESSAGE_LEVEL, "notice"),
    def("cpu_index_tuple_cost", Kind::Real { min: 0.0, max: f64::MAX }, "0.005"),
    def("cpu_operator_cost", Kind::Real { min: 0.0, max: f64::MAX }, "0.0025"),
    def("cpu_tuple_cost", Kind::Real { min: 0.0, max: f64::MAX }, "0.01"),
    fixed("data_checksums", ON_OFF, "off"),
    def("DateStyle", Kind::String, "ISO, MDY"),
    // A string naming an access method in PostgreSQL; heap is the only one.
    def("default_table_access_method", Kind::Enum(&["heap"]), "heap"),
    def("default_transaction_isolation", ISOLATION, "read committed"),
    def("default_transaction_read_only", ON_OFF, "off"),
    def("enable_hashagg", ON_OFF, "on"),
    def("enable_hashjoin", ON_OFF, "on"),
    def("enable_indexscan", ON_OFF, "on"),
    def("enable_memoize", ON_OFF, "on"),
    def("enable_mergejoin", ON_OFF, "on"),
    def("enable_nestloop", ON_OFF, "on"),
    def("enable_seqscan", ON_OFF, "on"),
    def("enable_sort", ON_OFF, "on"),
    def("extra_float_digits", Kind::Int { min: -15, max: 3, unit: Unit::None }, "1"),
    def("idle_in_transaction_session_timeout", MS, "0"),
    fixed("integer_datetimes", ON_OFF, "on"),
    def("IntervalStyle", Kind::Enum(&["postgres", "postgres_verbose", "sql_standard", "iso_8601"]), "postgres"),
    fixed("is_superuser", ON_OFF, "on"),
    def("jit", ON_OFF, "on"),
    fixed("lc_collate", Kind::String, "C.UTF-8"),
    fixed("lc_ctype", Kind::String, "C.UTF-8"),
    def("lc_messages", Kind::String, "C.UTF-8"),
    def("lc_monetary", Kind::String, "C.UTF-8"),
    def("lc_numeric", Kind::String, "C.UTF-8"),
    def("lc_time", Kind::String, "C.UTF-8"),
    def("lock_timeout", MS, "0"),
    suset("log_executor_stats", ON_OFF, "off"),
    suset("log_parser_stats", ON_OFF, "off"),
    suset("log_planner_stats", ON_OFF, "off"),
    suset("log_statement_stats", ON_OFF, "off"),
    def("maintenance_work_mem", MEM, "64MB"),
    fixed("max_function_args", Kind::Int { min: 100, max: 100, unit: Unit::None }, "100"),
    fixed("max_identifier_length", Kind::Int { min: 63, max: 63, unit: Unit::None }, "63"),
    fixed("max_index_keys", Kind::Int { min: 32, max: 32, unit: Unit::None }, "32"),
    def("max_parallel_workers_per_gather", Kind::Int { min: 0, max: 1024, unit: Unit::None }, "2"),
    def("random_page_cost", Kind::Real { min: 0.0, max: f64::MAX }, "4"),
    def("search_path", Kind::String, "\"$user\", public"),
    def("seq_page_cost", Kind::Real { min: 0.0, max: f64::MAX }, "1"),
    fixed("server_encoding", Kind::String, "UTF8"),
    fixed("server_version", Kind::String, "15.18"),
    fixed("server_version_num", Kind::Int { min: 150018, max: 150018, unit: Unit::None }, "150018"),
    def("standard_conforming_strings", ON_OFF, "on"),
    def("statement_timeout", MS, "0"),
    def("synchronous_commit", Kind::Enum(&["local", "remote_write", "remote_apply", "on", "off"]), "on"),
    def("TimeZone", Kind::String, "UTC"),
    def("timezone_abbreviations", Kind::String, "Default"),
    def("transaction_isolation", ISOLATION, "read committed"),
    def("transaction_read_only", ON_OFF, "off"),
    def("work_mem", MEM, "4MB"),
];

fn find(name: &str) -> Option<&'static Def> {
    DEFS.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// One parameter as pg_settings shows it.
#[derive(Clone, Debug)]
pub struct SettingRow {
    pub name: String,
    /// The value, integers in their base unit.
    pub setting: String,
    pub unit: Option<&'static str>,
    /// bool, integer, real, enum or string.
    pub vartype: &'static str,
    /// internal (fixed) or user.
    pub context: &'static str,
    /// default, client (startup packet) or session (SET).
    pub source: &'static str,
    pub min_val: Option<String>,
    pub max_val: Option<String>,
    pub enumvals: Option<Vec<String>>,
    pub boot_val: String,
    pub reset_val: String,
}

/// A session's parameter values. Values are kept in their display form.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    values: BTreeMap<String, String>,
    /// What RESET returns to when not the built-in default: values from the
    /// connection's startup packet (PostgreSQL's reset_val).
    reset_values: BTreeMap<String, String>,
    /// Custom (`prefix.name`) placeholders, by lower-cased name.
    custom: BTreeMap<String, String>,
    /// Values before the first `SET LOCAL`/`SET` of the current transaction,
    /// to restore at ROLLBACK (or at COMMIT, for SET LOCAL).
    saved: Option<Box<Saved>>,
    local_set: bool,
}

#[derive(Clone, Debug)]
struct Saved {
    at_begin: (BTreeMap<String, String>, BTreeMap<String, String>),
    /// Values SET (not LOCAL) in this transaction, to keep at COMMIT.
    session_values: (BTreeMap<String, String>, BTreeMap<String, String>),
}

impl Settings {
    pub fn new() -> Settings {
        Settings::default()
    }

    /// SHOW: the current value in PostgreSQL's display form.
    pub fn show(&self, name: &str) -> Result<String> {
        if let Some(d) = find(name) {
            return Ok(self.values.get(d.name).cloned().unwrap_or_else(|| self.reset_value(d)));
        }
        let lower = name.to_ascii_lowercase();
        if let Some(v) = self.custom.get(&lower) {
            return Ok(v.clone());
        }
        Err(unrecognized(name))
    }

    fn reset_value(&self, d: &Def) -> String {
        self.reset_values.get(d.name).cloned().unwrap_or_else(|| d.default.to_string())
    }

    /// A startup-packet parameter: the session's value and what RESET returns to.
    pub fn set_startup(&mut self, name: &str, value: &str) -> Result<()> {
        self.set(name, value, false, false)?;
        if let Some(d) = find(name) {
            let v = self.values.remove(d.name).unwrap_or_else(|| d.default.to_string());
            self.reset_values.insert(d.name.to_string(), v);
        }
        Ok(())
    }

    /// The value or None for an unknown parameter (`current_setting(name, true)`).
    pub fn get(&self, name: &str) -> Option<String> {
        self.show(name).ok()
    }

    /// The canonical spelling of a parameter's name (SHOW's column header).
    pub fn canonical_name(name: &str) -> String {
        find(name).map(|d| d.name.to_ascii_lowercase()).unwrap_or_else(|| name.to_ascii_lowercase())
    }

    /// SET name = value (value as the user wrote it, list items joined by ", ").
    pub fn set(&mut self, name: &str, value: &str, local: bool, in_transaction: bool) -> Result<()> {
        let (key, shown) = match find(name) {
            Some(d) => {
                if d.read_only {
                    return Err(Error::new(SqlState::CANT_CHANGE_RUNTIME_PARAM, format!("parameter \"{}\" cannot be changed", d.name)));
                }
                let shown = self.check(d, value)?;
                self.check_stats_exclusion(d.name, &shown)?;
                (d.name.to_string(), shown)
            }
            None => {
                if !name.contains('.') {
                    return Err(unrecognized(name));
                }
                (name.to_ascii_lowercase(), value.to_string())
            }
        };
        if in_transaction {
            self.remember();
        }
        if local && !in_transaction {
            // SET LOCAL outside a transaction block has no effect (PostgreSQL warns).
            return Ok(());
        }
        self.put(&key, shown.clone(), find(name).is_none());
        if let Some(saved) = &mut self.saved {
            if local {
                self.local_set = true;
            } else {
                let target = if find(name).is_none() { &mut saved.session_values.1 } else { &mut saved.session_values.0 };
                target.insert(key, shown);
            }
        }
        Ok(())
    }

    /// RESET name / SET name TO DEFAULT.
    pub fn reset(&mut self, name: &str, in_transaction: bool) -> Result<()> {
        let d = match find(name) {
            Some(d) => d,
            None if name.contains('.') => {
                if in_transaction {
                    self.remember();
                }
                self.custom.remove(&name.to_ascii_lowercase());
                return Ok(());
            }
            None => return Err(unrecognized(name)),
        };
        if d.read_only {
            return Err(Error::new(SqlState::CANT_CHANGE_RUNTIME_PARAM, format!("parameter \"{}\" cannot be changed", d.name)));
        }
        if in_transaction {
            self.remember();
        }
        self.values.remove(d.name);
        let reset = self.reset_value(d);
        if let Some(saved) = &mut self.saved {
            saved.session_values.0.insert(d.name.to_string(), reset);
        }
        Ok(())
    }

    pub fn reset_all(&mut self, in_transaction: bool) {
        if in_transaction {
            self.remember();
        }
        self.values.retain(|k, _| find(k).is_some_and(|d| d.read_only));
        let resets: Vec<(String, String)> = DEFS.iter().filter(|d| !d.read_only).map(|d| (d.name.to_string(), self.reset_value(d))).collect();
        if let Some(saved) = &mut self.saved {
            saved.session_values.0.extend(resets);
        }
    }

    fn remember(&mut self) {
        if self.saved.is_none() {
            self.saved = Some(Box::new(Saved { at_begin: (self.values.clone(), self.custom.clone()), session_values: Default::default() }));
        }
    }

    fn put(&mut self, key: &str, value: String, custom: bool) {
        if custom {
            self.custom.insert(key.to_string(), value);
        } else {
            self.values.insert(key.to_string(), value);
        }
    }

    /// End of a transaction: ROLLBACK restores everything; COMMIT keeps plain
    /// SETs and drops SET LOCALs.
    pub fn end_transaction(&mut self, commit: bool) {
        let Some(saved) = self.saved.take() else { return };
        if commit && !self.local_set {
            self.local_set = false;
            return;
        }
        self.values = saved.at_begin.0;
        self.custom = saved.at_begin.1;
        if commit {
            for (k, v) in saved.session_values.0 {
                self.values.insert(k, v);
            }
            for (k, v) in saved.session_values.1 {
                self.custom.insert(k, v);
            }
        }
        self.local_set = false;
    }

    /// Every parameter as pg_settings (pg_show_all_settings) shows it:
    /// integer values in their base unit, with the unit apart.
    pub fn rows(&self) -> Vec<SettingRow> {
        let base = |d: &Def, shown: &str| -> String {
            match d.kind {
                Kind::Int { unit, .. } => parse_int_with_unit(shown, unit).map(|v| v.to_string()).unwrap_or_else(|| shown.to_string()),
                _ => shown.to_string(),
            }
        };
        let mut rows: Vec<SettingRow> = DEFS
            .iter()
            .map(|d| {
                let shown = self.show(d.name).unwrap_or_default();
                let reset = self.reset_value(d);
                let (vartype, unit, min_val, max_val, enumvals) = match d.kind {
                    Kind::Bool => ("bool", None, None, None, None),
                    Kind::Int { min, max, unit } => {
                        ("integer", (unit != Unit::None).then(|| unit_name(unit)), Some(min.to_string()), Some(max.to_string()), None)
                    }
                    Kind::Real { min, max } => ("real", None, Some(format!("{min}")), Some(format!("{max}")), None),
                    Kind::Enum(options) => ("enum", None, None, None, Some(options.iter().map(|o| o.to_string()).collect())),
                    Kind::String => ("string", None, None, None, None),
                };
                SettingRow {
                    name: d.name.to_string(),
                    setting: base(d, &shown),
                    unit,
                    vartype,
                    context: if d.read_only {
                        "internal"
                    } else if d.superuser {
                        "superuser"
                    } else {
                        "user"
                    },
                    source: if self.values.contains_key(d.name) {
                        "session"
                    } else if self.reset_values.contains_key(d.name) {
                        "client"
                    } else {
                        "default"
                    },
                    min_val,
                    max_val,
                    enumvals,
                    boot_val: base(d, d.default),
                    reset_val: base(d, &reset),
                }
            })
            .collect();
        rows.extend(self.custom.iter().map(|(k, v)| SettingRow {
            name: k.clone(),
            setting: v.clone(),
            unit: None,
            vartype: "string",
            context: "user",
            source: "session",
            min_val: None,
            max_val: None,
            enumvals: None,
            boot_val: String::new(),
            reset_val: v.clone(),
        }));
        rows.sort_by_key(|r| r.name.to_ascii_lowercase());
        rows
    }

    /// Every parameter with its value, for SHOW ALL.
    pub fn all(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = DEFS.iter().map(|d| (d.name.to_string(), self.show(d.name).unwrap_or_default())).collect();
        v.extend(self.custom.iter().map(|(k, v)| (k.clone(), v.clone())));
        v.sort_by_key(|a| a.0.to_ascii_lowercase());
        v
    }

    /// Whether a boolean parameter is on.
    /// Read on every statement (the log_*_stats checks): no allocation.
    pub fn on(&self, name: &str) -> bool {
        match find(name) {
            Some(d) => self.values.get(d.name).or_else(|| self.reset_values.get(d.name)).map_or(d.default == "on", |v| v == "on"),
            None => self.custom.get(&name.to_ascii_lowercase()).is_some_and(|v| v == "on"),
        }
    }

    /// guc.c's check hooks: log_statement_stats (whole statements) and the
    /// per-phase reports cannot be on together.
    fn check_stats_exclusion(&self, name: &str, shown: &str) -> Result<()> {
        if shown != "on" {
            return Ok(());
        }
        let (conflict, detail) = if name == "log_statement_stats" {
            (
                PHASE_STATS.iter().any(|p| self.on(p)),
                "Cannot enable \"log_statement_stats\" when \"log_parser_stats\", \"log_planner_stats\", or \"log_executor_stats\" is true.",
            )
        } else if PHASE_STATS.contains(&name) {
            (self.on("log_statement_stats"), "Cannot enable parameter when \"log_statement_stats\" is true.")
        } else {
            return Ok(());
        };
        if conflict {
            return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("invalid value for parameter \"{name}\": 1")).with_detail(detail));
        }
        Ok(())
    }

    /// Validates `value` for `d` and returns its display form.
    fn check(&self, d: &Def, value: &str) -> Result<String> {
        let invalid = || Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("invalid value for parameter \"{}\": \"{}\"", d.name, value));
        match d.kind {
            Kind::Bool => match parse_bool(value) {
                Some(b) => Ok(if b { "on" } else { "off" }.to_string()),
                None => Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("parameter \"{}\" requires a Boolean value", d.name))),
            },
            Kind::Int { min, max, unit } => {
                let v = parse_int_with_unit(value, unit).ok_or_else(|| {
                    let e = invalid();
                    match unit {
                        Unit::Kb => e.with_hint("Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\"."),
                        Unit::Ms => e.with_hint("Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\"."),
                        Unit::None => e,
                    }
                })?;
                if v < min || v > max {
                    return Err(Error::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        format!("{} {} is outside the valid range for parameter \"{}\" ({} .. {})", v, unit_name(unit), d.name, min, max)
                            .replace("  ", " "),
                    ));
                }
                Ok(show_with_unit(v, unit))
            }
            Kind::Real { min, max } => {
                let v: f64 = value.trim().parse().map_err(|_| invalid())?;
                if v < min || v > max {
                    return Err(Error::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        format!("{v} is outside the valid range for parameter \"{}\" ({min} .. {max})", d.name),
                    ));
                }
                Ok(format!("{v}"))
            }
            Kind::Enum(options) => {
                let lower = value.to_ascii_lowercase();
                match options.iter().find(|o| **o == lower) {
                    Some(o) => Ok(o.to_string()),
                    None => Err(invalid().with_hint(format!("Available values: {}.", options.join(", ")))),
                }
            }
            Kind::String => match d.name {
                "DateStyle" => {
                    let current = DateStyle::parse_setting(&self.show("DateStyle")?)?;
                    Ok(current.apply_setting(value)?.to_setting_string())
                }
                "TimeZone" => {
                    let tz = TimeZone::parse_setting(value)?;
                    Ok(tz.name().to_string())
                }
                // clean_encoding_name: only letters and digits count ('utf-8' is UTF8).
                "client_encoding" => match value.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase().as_str() {
                    "UTF8" | "UNICODE" => Ok("UTF8".to_string()),
                    "SQLASCII" => Ok("SQL_ASCII".to_string()),
                    _ => Err(invalid()),
                },
                _ => Ok(value.to_string()),
            },
        }
    }

    /// The I/O settings values are read and printed with.
    pub fn io_context(&self, now: i64) -> Result<IoContext> {
        Ok(IoContext {
            date_style: DateStyle::parse_setting(&self.show("DateStyle")?)?,
            interval_style: IntervalStyle::parse_setting(&self.show("IntervalStyle")?)?,
            time_zone: Arc::new(TimeZone::parse_setting(&self.show("TimeZone")?)?),
            now,
            extra_float_digits: self.show("extra_float_digits")?.parse().unwrap_or(1),
            bytea_escape: self.show("bytea_output")? == "escape",
        })
    }

    /// statement_timeout in milliseconds (0 = none).
    pub fn statement_timeout_ms(&self) -> i64 {
        self.show("statement_timeout").ok().and_then(|v| parse_int_with_unit(&v, Unit::Ms)).unwrap_or(0)
    }

    /// The schemas of search_path as written (`$user` included).
    pub fn search_path(&self) -> Vec<String> {
        split_list(&self.show("search_path").unwrap_or_default())
    }
}

fn unrecognized(name: &str) -> Error {
    Error::new(SqlState::UNDEFINED_OBJECT, format!("unrecognized configuration parameter \"{}\"", name.to_ascii_lowercase()))
}

/// parse_bool: on/off, true/false, yes/no, 1/0 and unique prefixes.
pub fn parse_bool(v: &str) -> Option<bool> {
    let l = v.trim().to_ascii_lowercase();
    let prefix = |full: &str, min: usize| l.len() >= min && full.starts_with(&l);
    if prefix("true", 1) || prefix("yes", 1) || prefix("on", 2) || l == "1" {
        Some(true)
    } else if prefix("false", 1) || prefix("no", 1) || prefix("off", 2) || l == "0" {
        Some(false)
    } else {
        None
    }
}

fn unit_name(u: Unit) -> &'static str {
    match u {
        Unit::None => "",
        Unit::Kb => "kB",
        Unit::Ms => "ms",
    }
}

/// Parses an integer setting with an optional unit, into the base unit.
fn parse_int_with_unit(value: &str, unit: Unit) -> Option<i64> {
    let v = value.trim();
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '+' || c == '.')).unwrap_or(v.len());
    let (num, suffix) = (v[..split].trim(), v[split..].trim());
    let n: f64 = num.parse().ok()?;
    let factor: f64 = match (unit, suffix) {
        (_, "") => 1.0,
        (Unit::Kb, "B") => 1.0 / 1024.0,
        (Unit::Kb, "kB") => 1.0,
        (Unit::Kb, "MB") => 1024.0,
        (Unit::Kb, "GB") => 1024.0 * 1024.0,
        (Unit::Kb, "TB") => 1024.0 * 1024.0 * 1024.0,
        (Unit::Ms, "us") => 0.001,
        (Unit::Ms, "ms") => 1.0,
        (Unit::Ms, "s") => 1000.0,
        (Unit::Ms, "min") => 60_000.0,
        (Unit::Ms, "h") => 3_600_000.0,
        (Unit::Ms, "d") => 86_400_000.0,
        _ => return None,
    };
    if suffix.is_empty() && num.contains('.') && unit == Unit::None {
        return None;
    }
    Some((n * factor).round() as i64)
}

/// guc.c's display: the largest unit that divides the value exactly.
fn show_with_unit(v: i64, unit: Unit) -> String {
    let units: &[(&str, i64)] = match unit {
        Unit::None => return v.to_string(),
        Unit::Kb => &[("TB", 1 << 30), ("GB", 1 << 20), ("MB", 1 << 10), ("kB", 1)],
        Unit::Ms => &[("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000), ("ms", 1)],
    };
    if v == 0 {
        return if unit == Unit::Kb { "0kB".to_string() } else { "0".to_string() };
    }
    for (name, size) in units {
        if v % size == 0 {
            return format!("{}{}", v / size, name);
        }
    }
    v.to_string()
}

/// Splits a list setting (`"$user", public`) into its items, unquoting.
pub fn split_list(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(std::mem::take(&mut cur).trim().to_string());
            }
            c if !quoted && c.is_whitespace() => {}
            c if !quoted => cur.extend(c.to_lowercase()),
            c => cur.push(c),
        }
    }
    if !cur.trim().is_empty() || !out.is_empty() {
        out.push(cur.trim().to_string());
    }
    out.retain(|s| !s.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_display_like_guc() {
        assert_eq!(show_with_unit(4096, Unit::Kb), "4MB");
        assert_eq!(show_with_unit(1000, Unit::Ms), "1s");
        assert_eq!(parse_int_with_unit("64kB", Unit::Kb), Some(64));
        assert_eq!(parse_int_with_unit("1min", Unit::Ms), Some(60000));
    }

    #[test]
    fn set_show_reset() {
        let mut s = Settings::new();
        s.set("extra_float_digits", "3", false, false).unwrap();
        assert_eq!(s.show("EXTRA_FLOAT_DIGITS").unwrap(), "3");
        let e = s.set("extra_float_digits", "4", false, false).unwrap_err();
        assert_eq!(e.message, "4 is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)");
        s.reset("extra_float_digits", false).unwrap();
        assert_eq!(s.show("extra_float_digits").unwrap(), "1");
        assert_eq!(s.show("nope").unwrap_err().message, "unrecognized configuration parameter \"nope\"");
        assert_eq!(split_list("\"$user\", public"), vec!["$user", "public"]);
    }

    #[test]
    fn rollback_restores_and_local_is_dropped_at_commit() {
        let mut s = Settings::new();
        s.set("work_mem", "64MB", false, true).unwrap();
        s.end_transaction(false);
        assert_eq!(s.show("work_mem").unwrap(), "4MB");
        s.set("work_mem", "64MB", false, true).unwrap();
        s.set("extra_float_digits", "0", true, true).unwrap();
        s.end_transaction(true);
        assert_eq!(s.show("work_mem").unwrap(), "64MB");
        assert_eq!(s.show("extra_float_digits").unwrap(), "1");
    }
}
