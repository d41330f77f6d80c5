//! The catalog as the binder and planner see it: descriptions built from the
//! pg_catalog relations (pg_class, pg_attribute, pg_type, pg_proc, …) by the
//! runtime's catalog cache. Field names follow the catalog columns.

use crate::types::{Oid, SqlType};

/// pg_class.relkind
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RelKind {
    Table,
    Index,
    Sequence,
    View,
    MaterializedView,
    CompositeType,
    ForeignTable,
    PartitionedTable,
    PartitionedIndex,
    Toast,
}

impl RelKind {
    pub fn from_char(c: u8) -> Self {
        match c {
            b'i' => RelKind::Index,
            b'S' => RelKind::Sequence,
            b'v' => RelKind::View,
            b'm' => RelKind::MaterializedView,
            b'c' => RelKind::CompositeType,
            b'f' => RelKind::ForeignTable,
            b'p' => RelKind::PartitionedTable,
            b'I' => RelKind::PartitionedIndex,
            b't' => RelKind::Toast,
            _ => RelKind::Table,
        }
    }

    pub fn as_char(self) -> u8 {
        match self {
            RelKind::Table => b'r',
            RelKind::Index => b'i',
            RelKind::Sequence => b'S',
            RelKind::View => b'v',
            RelKind::MaterializedView => b'm',
            RelKind::CompositeType => b'c',
            RelKind::ForeignTable => b'f',
            RelKind::PartitionedTable => b'p',
            RelKind::PartitionedIndex => b'I',
            RelKind::Toast => b't',
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDesc {
    pub attnum: i16,
    pub name: String,
    pub ty: SqlType,
    pub not_null: bool,
    /// The DEFAULT expression as SQL text (pg_attrdef.adbin holds it).
    pub default: Option<String>,
    /// pg_attribute.attidentity: b'a' (ALWAYS), b'd' (BY DEFAULT) or 0.
    pub identity: u8,
    /// pg_attribute.attgenerated: b's' for stored generated columns, or 0.
    pub generated: u8,
    pub dropped: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IndexDesc {
    pub oid: Oid,
    pub name: String,
    pub relfilenode: u32,
    /// Table attnums of the key columns (pg_index.indkey); 0 marks an
    /// expression column, whose expression is the next one of `exprs`.
    pub columns: Vec<i16>,
    /// The expression columns' expressions as SQL text, in key order (pg_index.indexprs).
    pub exprs: Vec<String>,
    /// A partial index's predicate as SQL text (pg_index.indpred).
    pub predicate: Option<String>,
    pub unique: bool,
    pub primary: bool,
    pub nulls_not_distinct: bool,
}

impl IndexDesc {
    /// Whether every key column is a plain table column and the index is not partial.
    pub fn is_simple(&self) -> bool {
        self.exprs.is_empty() && self.predicate.is_none()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintKind {
    Check {
        expr: String,
    },
    PrimaryKey,
    Unique,
    ForeignKey {
        ref_table: Oid,
        /// Referencing (this table's) attnums and the referenced table's attnums.
        columns: Vec<i16>,
        ref_columns: Vec<i16>,
        /// pg_constraint.confupdtype / confdeltype: a, r, c, n, d
        on_update: u8,
        on_delete: u8,
        /// pg_constraint.confmatchtype: f, p, s
        match_type: u8,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConstraintDesc {
    pub oid: Oid,
    pub name: String,
    pub kind: ConstraintKind,
    /// Key attnums for unique/primary/check-referenced columns (pg_constraint.conkey).
    pub columns: Vec<i16>,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// The index enforcing a unique/primary key constraint.
    pub index: Option<Oid>,
    pub validated: bool,
}

/// A relation: table, view, index, sequence …
#[derive(Clone, Debug, PartialEq)]
pub struct RelationDesc {
    pub oid: Oid,
    pub name: String,
    pub namespace: Oid,
    pub namespace_name: String,
    pub kind: RelKind,
    pub relfilenode: u32,
    /// pg_class.relpersistence: b'p', b'u', b't'
    pub persistence: u8,
    /// All attributes with attnum > 0, dropped ones included (flagged), in attnum order.
    pub columns: Vec<ColumnDesc>,
    pub indexes: Vec<IndexDesc>,
    pub constraints: Vec<ConstraintDesc>,
    /// Foreign keys elsewhere that reference this table.
    pub referenced_by: Vec<(Oid, ConstraintDesc)>,
    /// A view's query, as SQL text.
    pub view_query: Option<String>,
    /// pg_class.reltype: the composite type of its rows (0 when none).
    pub reltype: Oid,
    /// pg_class.reltuples as last set by ANALYZE (-1 = never).
    pub reltuples: f64,
}

impl RelationDesc {
    pub fn live_columns(&self) -> impl Iterator<Item = &ColumnDesc> {
        self.columns.iter().filter(|c| !c.dropped)
    }

    pub fn column(&self, name: &str) -> Option<&ColumnDesc> {
        self.live_columns().find(|c| c.name == name)
    }

    pub fn column_by_attnum(&self, attnum: i16) -> Option<&ColumnDesc> {
        self.columns.iter().find(|c| c.attnum == attnum)
    }

    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.namespace_name, self.name)
    }
}

/// pg_type
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDesc {
    pub oid: Oid,
    pub name: String,
    pub namespace: Oid,
    pub len: i16,
    pub byval: bool,
    /// b'b' base, b'c' composite, b'd' domain, b'e' enum, b'p' pseudo, b'r' range, b'm' multirange
    pub typtype: u8,
    pub category: u8,
    pub preferred: bool,
    pub delim: u8,
    pub relid: Oid,
    /// Element type of an array type (0 when not an array).
    pub elem: Oid,
    /// The array type whose element is this type (0 when none).
    pub array: Oid,
    pub input: Oid,
    pub output: Oid,
    pub receive: Oid,
    pub send: Oid,
    pub modin: Oid,
    pub modout: Oid,
    pub align: u8,
    pub basetype: Oid,
    pub typmod: i32,
    pub notnull: bool,
    pub collation: Oid,
}

impl TypeDesc {
    /// A true array type (get_element_type): varlena with an element type,
    /// in category A, or record[] (a pseudo-type that is still an array).
    pub fn is_array(&self) -> bool {
        self.elem != 0 && self.len == -1 && (self.category == b'A' || self.oid == crate::types::oid::RECORD_ARRAY)
    }
}

/// pg_proc
#[derive(Clone, Debug, PartialEq)]
pub struct ProcDesc {
    pub oid: Oid,
    pub name: String,
    pub namespace: Oid,
    /// b'f' function, b'a' aggregate, b'w' window, b'p' procedure
    pub kind: u8,
    pub arg_types: Vec<Oid>,
    pub arg_names: Vec<String>,
    /// pronargdefaults and the defaults' SQL text (for the trailing arguments).
    pub arg_defaults: Vec<String>,
    pub ret_type: Oid,
    pub retset: bool,
    pub strict: bool,
    pub volatility: u8,
    /// The element type of a VARIADIC parameter (0 when not variadic).
    pub variadic: Oid,
    pub prosrc: String,
    pub language: Oid,
    /// proallargtypes: every parameter's type, OUT ones included (empty when all are IN).
    pub all_arg_types: Vec<Oid>,
    /// proargmodes, one per `all_arg_types` entry: b'i', b'o', b'b' (INOUT), b'v', b't' (TABLE).
    pub arg_modes: Vec<u8>,
}

impl ProcDesc {
    /// The output columns of a function with OUT parameters: (name, type).
    pub fn out_columns(&self) -> Vec<(String, Oid)> {
        if self.arg_modes.is_empty() {
            return vec![];
        }
        self.arg_modes
            .iter()
            .enumerate()
            .filter(|(_, m)| matches!(m, b'o' | b'b' | b't'))
            .map(|(i, _)| (self.arg_names.get(i).cloned().unwrap_or_default(), self.all_arg_types.get(i).copied().unwrap_or(0)))
            .collect()
    }
}

/// pg_operator
#[derive(Clone, Debug, PartialEq)]
pub struct OperatorDesc {
    pub oid: Oid,
    pub name: String,
    pub namespace: Oid,
    /// b'b' infix, b'l' prefix
    pub kind: u8,
    pub left: Oid,
    pub right: Oid,
    pub result: Oid,
    /// The implementing function.
    pub code: Oid,
    pub commutator: Oid,
    pub negator: Oid,
    pub can_hash: bool,
    pub can_merge: bool,
}

/// pg_cast
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CastDesc {
    pub source: Oid,
    pub target: Oid,
    pub func: Oid,
    /// b'e' explicit only, b'a' in assignment, b'i' implicitly
    pub context: u8,
    /// b'f' function, b'b' binary-coercible, b'i' I/O
    pub method: u8,
}

/// pg_aggregate
#[derive(Clone, Debug, PartialEq)]
pub struct AggregateDesc {
    pub fnoid: Oid,
    /// b'n' normal, b'o' ordered-set, b'h' hypothetical-set
    pub kind: u8,
    pub transfn: Oid,
    pub finalfn: Oid,
    pub combinefn: Oid,
    pub transtype: Oid,
    pub initval: Option<String>,
    pub sortop: Oid,
}

/// pg_namespace
#[derive(Clone, Debug, PartialEq)]
pub struct NamespaceDesc {
    pub oid: Oid,
    pub name: String,
}
