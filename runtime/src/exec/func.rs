//! The function registry: built-in implementations keyed by PostgreSQL's
//! `pg_proc.prosrc`, so an operator, cast or call resolved through the
//! catalog finds its kernel by name. Hot functions (arithmetic, comparison)
//! have vectorized kernels; the rest run per row over Datums.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use oa_ir::datetime::Interval;
use oa_ir::datum::{Array, Datum};
use oa_ir::io::IoContext;
use oa_ir::numeric::Numeric;
use oa_ir::{Error, Result};

use super::vector::Column;

/// What a function may need besides its arguments.
pub struct FnContext<'a> {
    pub io: &'a IoContext,
    pub session: &'a SessionInfo,
    pub host: &'a mut dyn FnHost,
    /// Type typmod and explicitness for length-coercion casts.
    pub cast_typmod: i32,
    pub cast_explicit: bool,
    /// The argument types as resolved by the binder (for polymorphic and "any" functions).
    pub arg_types: &'a [oa_ir::SqlType],
}

/// What functions with side effects reach through: the session's random
/// state and sequences (which live in storage, outside any transaction).
pub trait FnHost {
    fn random(&mut self) -> &mut crate::builtins::math::PgPrng;
    fn sequence(&mut self, op: SequenceOp) -> Result<Datum>;
    /// current_setting: the value, or None for an unknown name when `missing_ok`.
    fn setting(&mut self, name: &str, missing_ok: bool) -> Result<Option<String>>;
    /// set_config: sets and returns the value as SHOW would print it.
    fn set_setting(&mut self, name: &str, value: Option<&str>, local: bool) -> Result<String>;
    /// Text output of a reg* value (regclass, regtype, …): names from the catalog.
    fn reg_output(&mut self, ty: oa_ir::SqlType, value: &Datum) -> Result<String>;
    /// The statement's view of the catalog (the catalog information functions).
    fn catalog(&self) -> &crate::catalog::CatalogView;
    /// The rows of a pg_catalog relation visible to the statement.
    fn catalog_rows(&mut self, name: &str) -> Result<crate::catalog::CatalogRows>;
    /// The number of 8 KB blocks of a relation file (0 when it has none).
    fn relation_blocks(&mut self, relfilenode: oa_ir::Oid) -> Result<u64>;
    /// The session's configuration parameters (pg_show_all_settings).
    fn settings(&self) -> &crate::settings::Settings;
    /// Identifies the engine (its storage), for engine-wide state such as advisory locks.
    fn storage_key(&self) -> usize;
    /// Whether the statement was cancelled (a blocking lock wait gives up).
    fn cancelled(&self) -> bool;
    /// The reg* input functions at run time (`text::regclass`): the OID a name denotes.
    fn reg_input(&mut self, ty: oa_ir::Oid, text: &str) -> Result<oa_ir::Oid>;
    /// A sequence's state: (last value, is_called).
    fn sequence_state(&mut self, seq: oa_ir::Oid) -> Result<Option<(i64, bool)>>;
}

/// The sequence functions.
#[derive(Clone, Copy, Debug)]
pub enum SequenceOp {
    Nextval(oa_ir::Oid),
    Currval(oa_ir::Oid),
    Lastval,
    Setval { seq: oa_ir::Oid, value: i64, is_called: bool },
}

/// Session facts functions read (current_user, current_schema, …).
#[derive(Clone, Debug, Default)]
pub struct SessionInfo {
    pub user: String,
    pub database: String,
    pub current_schema: Option<String>,
    pub search_path_schemas: Vec<String>,
    pub backend_pid: i32,
    pub statement_timestamp: i64,
    pub transaction_timestamp: i64,
    /// LISTEN/NOTIFY state and function WARNINGs (pg_notify, pg_listening_channels).
    pub side: std::sync::Arc<crate::notify::SessionSide>,
}

pub type ScalarFn = Arc<dyn Fn(&[Datum], &mut FnContext) -> Result<Datum> + Send + Sync>;
pub type VectorFn = Arc<dyn Fn(&[Column], usize, &mut FnContext) -> Result<Column> + Send + Sync>;

#[derive(Clone)]
pub enum Kernel {
    /// Called per row with non-null arguments (for strict functions).
    Scalar(ScalarFn),
    /// Called on whole columns; handles NULLs itself.
    Vector(VectorFn),
}

impl std::fmt::Debug for Kernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kernel::Scalar(_) => f.write_str("Kernel::Scalar"),
            Kernel::Vector(_) => f.write_str("Kernel::Vector"),
        }
    }
}

/// Converts a Datum argument into a Rust value.
pub trait FromArg<'a>: Sized {
    fn from_arg(d: &'a Datum) -> Result<Self>;
}

fn arg_error(want: &str, d: &Datum) -> Error {
    Error::internal(format!("function argument: expected {want}, got {d:?}"))
}

macro_rules! from_arg {
    ($t:ty, $variant:ident) => {
        impl<'a> FromArg<'a> for $t {
            fn from_arg(d: &'a Datum) -> Result<Self> {
                match d {
                    Datum::$variant(v) => Ok(*v),
                    other => Err(arg_error(stringify!($t), other)),
                }
            }
        }
    };
}

from_arg!(bool, Bool);
from_arg!(i16, Int16);
from_arg!(i64, Int64);
from_arg!(u32, Oid);
from_arg!(f32, Float32);
from_arg!(f64, Float64);
from_arg!(u8, Char);
from_arg!(Interval, Interval);

impl<'a> FromArg<'a> for i32 {
    fn from_arg(d: &'a Datum) -> Result<Self> {
        match d {
            Datum::Int32(v) => Ok(*v),
            Datum::Int16(v) => Ok(*v as i32),
            other => Err(arg_error("i32", other)),
        }
    }
}

impl<'a> FromArg<'a> for &'a str {
    fn from_arg(d: &'a Datum) -> Result<Self> {
        match d {
            Datum::Text(s) => Ok(s),
            other => Err(arg_error("text", other)),
        }
    }
}

impl<'a> FromArg<'a> for &'a [u8] {
    fn from_arg(d: &'a Datum) -> Result<Self> {
        match d {
            Datum::Bytes(b) => Ok(b),
            Datum::Text(s) => Ok(s.as_bytes()),
            other => Err(arg_error("bytea", other)),
        }
    }
}

impl<'a> FromArg<'a> for &'a Numeric {
    fn from_arg(d: &'a Datum) -> Result<Self> {
        match d {
            Datum::Numeric(n) => Ok(n),
            other => Err(arg_error("numeric", other)),
        }
    }
}

impl<'a> FromArg<'a> for &'a Array {
    fn from_arg(d: &'a Datum) -> Result<Self> {
        match d {
            Datum::Array(a) => Ok(a),
            other => Err(arg_error("array", other)),
        }
    }
}

impl<'a> FromArg<'a> for &'a Datum {
    fn from_arg(d: &'a Datum) -> Result<Self> {
        Ok(d)
    }
}

/// Converts a Rust result into a Datum.
pub trait IntoDatum {
    fn into_datum(self) -> Result<Datum>;
}

macro_rules! into_datum {
    ($t:ty, $variant:ident) => {
        impl IntoDatum for $t {
            fn into_datum(self) -> Result<Datum> {
                Ok(Datum::$variant(self))
            }
        }
    };
}

into_datum!(bool, Bool);
into_datum!(i16, Int16);
into_datum!(i32, Int32);
into_datum!(i64, Int64);
into_datum!(u32, Oid);
into_datum!(f32, Float32);
into_datum!(f64, Float64);
into_datum!(u8, Char);
into_datum!(Interval, Interval);
into_datum!(Numeric, Numeric);
into_datum!(String, Text);
into_datum!(Vec<u8>, Bytes);

impl IntoDatum for Datum {
    fn into_datum(self) -> Result<Datum> {
        Ok(self)
    }
}

impl IntoDatum for Array {
    fn into_datum(self) -> Result<Datum> {
        Ok(Datum::Array(Box::new(self)))
    }
}

impl<T: IntoDatum> IntoDatum for Option<T> {
    fn into_datum(self) -> Result<Datum> {
        match self {
            Some(v) => v.into_datum(),
            None => Ok(Datum::Null),
        }
    }
}

impl<T: IntoDatum> IntoDatum for Result<T> {
    fn into_datum(self) -> Result<Datum> {
        self.and_then(IntoDatum::into_datum)
    }
}

fn arg<'a, T: FromArg<'a>>(args: &'a [Datum], i: usize) -> Result<T> {
    match args.get(i) {
        Some(d) => T::from_arg(d),
        None => Err(Error::internal(format!("missing function argument {i}"))),
    }
}

pub fn f0<R: IntoDatum>(f: impl Fn() -> R + Send + Sync + 'static) -> Kernel {
    Kernel::Scalar(Arc::new(move |_, _| f().into_datum()))
}

pub fn f1<A, R>(f: impl Fn(A) -> R + Send + Sync + 'static) -> Kernel
where
    A: for<'a> FromArg<'a>,
    R: IntoDatum,
{
    Kernel::Scalar(Arc::new(move |args, _| f(arg(args, 0)?).into_datum()))
}

/// Two-argument kernels; `&str`/`&Numeric` arguments need the lifetime-generic form.
pub fn f2<A, B, R>(f: impl Fn(A, B) -> R + Send + Sync + 'static) -> Kernel
where
    A: for<'a> FromArg<'a>,
    B: for<'a> FromArg<'a>,
    R: IntoDatum,
{
    Kernel::Scalar(Arc::new(move |args, _| f(arg(args, 0)?, arg(args, 1)?).into_datum()))
}

pub fn f3<A, B, C, R>(f: impl Fn(A, B, C) -> R + Send + Sync + 'static) -> Kernel
where
    A: for<'a> FromArg<'a>,
    B: for<'a> FromArg<'a>,
    C: for<'a> FromArg<'a>,
    R: IntoDatum,
{
    Kernel::Scalar(Arc::new(move |args, _| f(arg(args, 0)?, arg(args, 1)?, arg(args, 2)?).into_datum()))
}

/// A kernel over borrowed arguments (text, numeric): the closure gets the Datum slice.
pub fn fd(f: impl Fn(&[Datum]) -> Result<Datum> + Send + Sync + 'static) -> Kernel {
    Kernel::Scalar(Arc::new(move |args, _| f(args)))
}

/// A kernel that needs the function context (settings, session, random state).
pub fn fc(f: impl Fn(&[Datum], &mut FnContext) -> Result<Datum> + Send + Sync + 'static) -> Kernel {
    Kernel::Scalar(Arc::new(f))
}

pub fn s(args: &[Datum], i: usize) -> Result<&str> {
    arg(args, i)
}

pub fn n(args: &[Datum], i: usize) -> Result<&Numeric> {
    arg(args, i)
}

pub fn i<'a, T: FromArg<'a>>(args: &'a [Datum], idx: usize) -> Result<T> {
    arg(args, idx)
}

/// All built-in kernels by prosrc.
pub struct Registry {
    kernels: HashMap<&'static str, Kernel>,
}

impl Registry {
    pub fn get(&self, prosrc: &str) -> Option<&Kernel> {
        self.kernels.get(prosrc)
    }

    pub fn add(&mut self, name: &'static str, k: Kernel) {
        self.kernels.insert(name, k);
    }

    pub fn len(&self) -> usize {
        self.kernels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kernels.is_empty()
    }
}

pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| {
        let mut r = Registry { kernels: HashMap::new() };
        crate::builtins::register(&mut r);
        r
    })
}
