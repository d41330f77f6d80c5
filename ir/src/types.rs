//! SQL types as PostgreSQL identifies them: a pg_type OID plus a typmod,
//! and the physical representation the engine stores each type in.

/// A PostgreSQL object identifier.
pub type Oid = u32;

/// A SQL type: pg_type OID and type modifier (-1 when none), encoded as PostgreSQL does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SqlType {
    pub oid: Oid,
    pub typmod: i32,
}

impl SqlType {
    pub const fn new(oid: Oid) -> Self {
        SqlType { oid, typmod: -1 }
    }

    pub const fn with_typmod(oid: Oid, typmod: i32) -> Self {
        SqlType { oid, typmod }
    }

    pub const BOOL: SqlType = SqlType::new(oid::BOOL);
    pub const INT2: SqlType = SqlType::new(oid::INT2);
    pub const INT4: SqlType = SqlType::new(oid::INT4);
    pub const INT8: SqlType = SqlType::new(oid::INT8);
    pub const FLOAT4: SqlType = SqlType::new(oid::FLOAT4);
    pub const FLOAT8: SqlType = SqlType::new(oid::FLOAT8);
    pub const NUMERIC: SqlType = SqlType::new(oid::NUMERIC);
    pub const TEXT: SqlType = SqlType::new(oid::TEXT);
    pub const UNKNOWN: SqlType = SqlType::new(oid::UNKNOWN);
    pub const OID: SqlType = SqlType::new(oid::OID);
    pub const NAME: SqlType = SqlType::new(oid::NAME);
    pub const DATE: SqlType = SqlType::new(oid::DATE);
    pub const INTERVAL: SqlType = SqlType::new(oid::INTERVAL);
    pub const TIMESTAMP: SqlType = SqlType::new(oid::TIMESTAMP);
    pub const TIMESTAMPTZ: SqlType = SqlType::new(oid::TIMESTAMPTZ);
    pub const RECORD: SqlType = SqlType::new(oid::RECORD);
    pub const VOID: SqlType = SqlType::new(oid::VOID);
}

/// Anonymous record types whose fields are known (PostgreSQL's typmod
/// registry for RECORD, assign_record_type_typmod): `RECORD` with a typmod
/// of 0 or more names a function's OUT parameters or a row's columns, so
/// `(expr).field` can be bound. Process-wide and append-only.
pub mod records {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};

    use super::{SqlType, oid};

    /// Field names and types of one record type.
    pub type Fields = Arc<[(String, SqlType)]>;

    #[derive(Default)]
    struct Registry {
        types: Vec<Fields>,
        by_fields: HashMap<Vec<(String, SqlType)>, i32>,
    }

    fn registry() -> &'static Mutex<Registry> {
        static R: OnceLock<Mutex<Registry>> = OnceLock::new();
        R.get_or_init(Default::default)
    }

    /// The record type with these fields (the same typmod for the same fields).
    pub fn register(fields: Vec<(String, SqlType)>) -> SqlType {
        let mut r = registry().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = r.by_fields.get(&fields) {
            return SqlType::with_typmod(oid::RECORD, *t);
        }
        let t = r.types.len() as i32;
        r.types.push(fields.clone().into());
        r.by_fields.insert(fields, t);
        SqlType::with_typmod(oid::RECORD, t)
    }

    /// The fields of a registered record type.
    pub fn fields(ty: SqlType) -> Option<Fields> {
        if ty.oid != oid::RECORD || ty.typmod < 0 {
            return None;
        }
        registry().lock().unwrap_or_else(|e| e.into_inner()).types.get(ty.typmod as usize).cloned()
    }
}

/// OIDs of built-in types and objects the engine refers to by name.
/// (From PostgreSQL 15's pg_type.dat / pg_namespace.dat; the catalog holds the rest.)
pub mod oid {
    use super::Oid;
    pub const BOOL: Oid = 16;
    pub const BYTEA: Oid = 17;
    pub const CHAR: Oid = 18;
    pub const NAME: Oid = 19;
    pub const INT8: Oid = 20;
    pub const INT2: Oid = 21;
    pub const INT2VECTOR: Oid = 22;
    pub const INT4: Oid = 23;
    pub const REGPROC: Oid = 24;
    pub const TEXT: Oid = 25;
    pub const OID: Oid = 26;
    pub const TID: Oid = 27;
    pub const XID: Oid = 28;
    pub const CID: Oid = 29;
    pub const OIDVECTOR: Oid = 30;
    pub const JSON: Oid = 114;
    pub const XML: Oid = 142;
    pub const PG_NODE_TREE: Oid = 194;
    pub const FLOAT4: Oid = 700;
    pub const FLOAT8: Oid = 701;
    pub const UNKNOWN: Oid = 705;
    pub const MONEY: Oid = 790;
    pub const ACLITEM: Oid = 1033;
    pub const BPCHAR: Oid = 1042;
    pub const VARCHAR: Oid = 1043;
    pub const DATE: Oid = 1082;
    pub const TIME: Oid = 1083;
    pub const TIMESTAMP: Oid = 1114;
    pub const TIMESTAMPTZ: Oid = 1184;
    pub const INTERVAL: Oid = 1186;
    pub const TIMETZ: Oid = 1266;
    pub const BIT: Oid = 1560;
    pub const VARBIT: Oid = 1562;
    pub const NUMERIC: Oid = 1700;
    pub const REFCURSOR: Oid = 1790;
    pub const REGPROCEDURE: Oid = 2202;
    pub const REGOPER: Oid = 2203;
    pub const REGOPERATOR: Oid = 2204;
    pub const REGCLASS: Oid = 2205;
    pub const REGTYPE: Oid = 2206;
    pub const REGROLE: Oid = 4096;
    pub const REGNAMESPACE: Oid = 4089;
    pub const REGCONFIG: Oid = 3734;
    pub const REGDICTIONARY: Oid = 3769;
    pub const REGCOLLATION: Oid = 4191;
    pub const UUID: Oid = 2950;
    pub const JSONB: Oid = 3802;
    pub const RECORD: Oid = 2249;
    pub const CSTRING: Oid = 2275;
    pub const ANY: Oid = 2276;
    pub const ANYARRAY: Oid = 2277;
    pub const VOID: Oid = 2278;
    pub const TRIGGER: Oid = 2279;
    pub const ANYELEMENT: Oid = 2283;
    pub const ANYNONARRAY: Oid = 2776;
    pub const ANYENUM: Oid = 3500;
    pub const ANYRANGE: Oid = 3831;
    pub const ANYMULTIRANGE: Oid = 4537;
    pub const ANYCOMPATIBLE: Oid = 5077;
    pub const ANYCOMPATIBLEARRAY: Oid = 5078;
    pub const ANYCOMPATIBLENONARRAY: Oid = 5079;
    pub const ANYCOMPATIBLERANGE: Oid = 5080;
    pub const ANYCOMPATIBLEMULTIRANGE: Oid = 4538;
    pub const INTERNAL: Oid = 2281;

    pub const INT4_ARRAY: Oid = 1007;
    pub const RECORD_ARRAY: Oid = 2287;
    pub const TEXT_ARRAY: Oid = 1009;

    pub const PG_CATALOG_NAMESPACE: Oid = 11;
    pub const PG_TOAST_NAMESPACE: Oid = 99;
    pub const PUBLIC_NAMESPACE: Oid = 2200;
    pub const INFORMATION_SCHEMA_NAMESPACE_HINT: Oid = 0;

    pub const BOOTSTRAP_SUPERUSER: Oid = 10;
    pub const TEMPLATE1_DATABASE: Oid = 1;
    pub const DEFAULT_COLLATION: Oid = 100;
    pub const C_COLLATION: Oid = 950;
    pub const BTREE_AM: Oid = 403;
    pub const HEAP_AM: Oid = 2;
    pub const SQL_LANGUAGE: Oid = 14;
    pub const INTERNAL_LANGUAGE: Oid = 12;

    /// The first OID given to user-created objects (FirstNormalObjectId).
    pub const FIRST_NORMAL_OBJECT_ID: Oid = 16384;
}

/// How values of a type are represented in memory and in tuples. Several SQL
/// types share one representation (int4 and date are both `Int32`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhysicalType {
    Bool,
    /// `"char"`: one byte.
    Char,
    Int16,
    Int32,
    Int64,
    /// oid and the reg* types.
    Oid,
    Float32,
    Float64,
    Numeric,
    Interval,
    /// Variable-length text in the database encoding (text, varchar, bpchar, name, …).
    Text,
    /// Variable-length bytes (bytea and types without a native representation yet).
    Bytes,
    /// An array of any element type (PostgreSQL's array varlena).
    Array,
}

impl PhysicalType {
    /// Byte width in a tuple, or None for variable-length representations.
    pub fn fixed_width(self) -> Option<usize> {
        match self {
            PhysicalType::Bool | PhysicalType::Char => Some(1),
            PhysicalType::Int16 => Some(2),
            PhysicalType::Int32 | PhysicalType::Oid | PhysicalType::Float32 => Some(4),
            PhysicalType::Int64 | PhysicalType::Float64 => Some(8),
            PhysicalType::Interval => Some(16),
            PhysicalType::Numeric | PhysicalType::Text | PhysicalType::Bytes | PhysicalType::Array => None,
        }
    }

    /// Alignment in a tuple, as PostgreSQL's typalign would give.
    pub fn align(self) -> usize {
        match self {
            PhysicalType::Bool | PhysicalType::Char => 1,
            PhysicalType::Int16 => 2,
            PhysicalType::Int64 | PhysicalType::Float64 | PhysicalType::Interval => 8,
            _ => 4,
        }
    }
}

/// The representation of a built-in scalar type, by OID. Types the engine does
/// not know natively (and arrays, handled by the caller via typelem) return None.
pub fn builtin_physical(type_oid: Oid) -> Option<PhysicalType> {
    use PhysicalType as P;
    Some(match type_oid {
        oid::BOOL => P::Bool,
        oid::CHAR => P::Char,
        oid::INT2 => P::Int16,
        oid::INT4 | oid::DATE => P::Int32,
        // tid packs (block << 16) | offset.
        oid::INT8 | oid::TIME | oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::MONEY | oid::TID => P::Int64,
        oid::OID
        | oid::REGPROC
        | oid::REGPROCEDURE
        | oid::REGOPER
        | oid::REGOPERATOR
        | oid::REGCLASS
        | oid::REGTYPE
        | oid::REGROLE
        | oid::REGNAMESPACE
        | oid::REGCONFIG
        | oid::REGDICTIONARY
        | oid::REGCOLLATION
        | oid::XID
        | oid::CID => P::Oid,
        oid::FLOAT4 => P::Float32,
        oid::FLOAT8 => P::Float64,
        oid::NUMERIC => P::Numeric,
        oid::INTERVAL => P::Interval,
        oid::TEXT
        | oid::VARCHAR
        | oid::BPCHAR
        | oid::NAME
        | oid::UNKNOWN
        | oid::CSTRING
        | oid::JSON
        | oid::XML
        | oid::PG_NODE_TREE
        | oid::JSONB
        | oid::REFCURSOR
        | oid::INT2VECTOR
        | oid::OIDVECTOR
        | oid::ACLITEM
        | oid::BIT
        | oid::VARBIT
        | oid::TIMETZ => P::Text,
        oid::BYTEA | oid::UUID => P::Bytes,
        _ => return None,
    })
}

/// Typmod helpers for the character types: PostgreSQL stores length + VARHDRSZ.
pub const VARHDRSZ: i32 = 4;

pub fn char_length_from_typmod(typmod: i32) -> Option<usize> {
    (typmod >= VARHDRSZ).then(|| (typmod - VARHDRSZ) as usize)
}

/// The OID alias types whose text form names a catalog object (regclass, regtype, …).
pub fn is_reg_type(type_oid: Oid) -> bool {
    matches!(
        type_oid,
        oid::REGPROC
            | oid::REGPROCEDURE
            | oid::REGOPER
            | oid::REGOPERATOR
            | oid::REGCLASS
            | oid::REGTYPE
            | oid::REGROLE
            | oid::REGNAMESPACE
            | oid::REGCONFIG
            | oid::REGDICTIONARY
            | oid::REGCOLLATION
    )
}
