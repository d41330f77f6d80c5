//! Typed scalar expressions. Columns are referenced by query-unique ids, never
//! by position, so plans can be rearranged freely by the optimizer; positions
//! are assigned only when the runtime builds an executor for a pipeline.

use std::fmt;
use std::sync::Arc;

use crate::datum::Datum;
use crate::plan::LogicalPlan;
use crate::types::{Oid, SqlType};

/// A column of some plan node, unique within one query.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ColumnId(pub u32);

impl fmt::Debug for ColumnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// pg_proc.provolatile
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Volatility {
    Immutable,
    Stable,
    Volatile,
}

impl Volatility {
    pub fn from_char(c: u8) -> Self {
        match c {
            b'i' => Volatility::Immutable,
            b's' => Volatility::Stable,
            _ => Volatility::Volatile,
        }
    }
}

/// A resolved function (or the function behind an operator or cast).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncRef {
    pub oid: Oid,
    /// pg_proc.proname, for EXPLAIN and errors.
    pub name: String,
    /// pg_proc.prosrc: the built-in implementation's name.
    pub prosrc: String,
    /// Argument types as resolved at the call site (after coercion).
    pub arg_types: Vec<SqlType>,
    pub ret_type: SqlType,
    pub strict: bool,
    pub volatility: Volatility,
    pub retset: bool,
    /// The operator this call came from, for EXPLAIN (`a + b` rather than `int4pl(a, b)`).
    pub operator: Option<String>,
}

/// The SQL-standard functions with special syntax (gram.y's SQLValueFunction).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SqlValueKind {
    CurrentDate,
    CurrentTime,
    CurrentTimestamp,
    LocalTime,
    LocalTimestamp,
    CurrentRole,
    CurrentUser,
    User,
    SessionUser,
    CurrentCatalog,
    CurrentSchema,
}

impl SqlValueKind {
    /// The keyword that writes it (deparsed views and EXPLAIN print it so).
    pub fn keyword(self) -> &'static str {
        match self {
            SqlValueKind::CurrentDate => "CURRENT_DATE",
            SqlValueKind::CurrentTime => "CURRENT_TIME",
            SqlValueKind::CurrentTimestamp => "CURRENT_TIMESTAMP",
            SqlValueKind::LocalTime => "LOCALTIME",
            SqlValueKind::LocalTimestamp => "LOCALTIMESTAMP",
            SqlValueKind::CurrentRole => "CURRENT_ROLE",
            SqlValueKind::CurrentUser => "CURRENT_USER",
            SqlValueKind::User => "USER",
            SqlValueKind::SessionUser => "SESSION_USER",
            SqlValueKind::CurrentCatalog => "CURRENT_CATALOG",
            SqlValueKind::CurrentSchema => "CURRENT_SCHEMA",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoolTestKind {
    IsTrue,
    IsNotTrue,
    IsFalse,
    IsNotFalse,
    IsUnknown,
    IsNotUnknown,
}

/// How a cast is carried out (pg_cast.castmethod).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CastMethod {
    /// Binary-compatible: the value is reinterpreted (RelabelType).
    Relabel,
    /// Through a cast function.
    Function(Arc<FuncRef>),
    /// Output as text, then input as the target type (CoerceViaIO).
    InOut,
    /// Apply an element cast to every element of an array (ArrayCoerceExpr).
    ArrayElements(Box<CastMethod>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubqueryKind {
    Exists,
    /// `test op ANY (subquery)`, also IN.
    Any,
    /// `test op ALL (subquery)`.
    All,
    /// A scalar subquery: at most one row (21000 otherwise).
    Scalar,
    /// `ARRAY(subquery)`.
    Array,
}

/// A subquery inside an expression, before decorrelation.
#[derive(Clone, Debug, PartialEq)]
pub struct SubqueryExpr {
    pub kind: SubqueryKind,
    pub plan: Box<LogicalPlan>,
    /// For ANY/ALL: the comparison, with `Column(subquery output)` on its right.
    pub test: Option<ScalarExpr>,
    /// The subquery's output column(s).
    pub output: Vec<ColumnId>,
    pub ty: SqlType,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ScalarExpr {
    Column {
        id: ColumnId,
        ty: SqlType,
    },
    Const {
        value: Datum,
        ty: SqlType,
    },
    /// `$n`, 1-based.
    Param {
        index: u32,
        ty: SqlType,
    },
    Func {
        func: Arc<FuncRef>,
        args: Vec<ScalarExpr>,
    },
    Cast {
        arg: Box<ScalarExpr>,
        ty: SqlType,
        method: CastMethod,
        explicit: bool,
    },
    And(Vec<ScalarExpr>),
    Or(Vec<ScalarExpr>),
    Not(Box<ScalarExpr>),
    IsNull {
        arg: Box<ScalarExpr>,
        negated: bool,
    },
    BoolTest {
        arg: Box<ScalarExpr>,
        kind: BoolTestKind,
    },
    /// `a IS [NOT] DISTINCT FROM b`, using the `=` function of their types.
    DistinctFrom {
        eq: Arc<FuncRef>,
        left: Box<ScalarExpr>,
        right: Box<ScalarExpr>,
        negated: bool,
    },
    /// Searched CASE (a simple CASE is rewritten into one by the binder).
    Case {
        whens: Vec<(ScalarExpr, ScalarExpr)>,
        default: Box<ScalarExpr>,
        ty: SqlType,
    },
    Coalesce {
        args: Vec<ScalarExpr>,
        ty: SqlType,
    },
    NullIf {
        eq: Arc<FuncRef>,
        left: Box<ScalarExpr>,
        right: Box<ScalarExpr>,
    },
    /// GREATEST/LEAST with the type's `<` comparison.
    MinMax {
        greatest: bool,
        cmp: Arc<FuncRef>,
        args: Vec<ScalarExpr>,
        ty: SqlType,
    },
    /// `left op ANY/ALL (array)`.
    ArrayOp {
        op: Arc<FuncRef>,
        any: bool,
        left: Box<ScalarExpr>,
        right: Box<ScalarExpr>,
    },
    /// `ARRAY[...]`
    ArrayCtor {
        elems: Vec<ScalarExpr>,
        ty: SqlType,
    },
    /// Assignment to array elements (UPDATE … SET a[i] = v): `base` with the
    /// element, or for `slice` the slice, at `subscripts` replaced by `value`
    /// (array_set_element / array_set_slice). Each subscript is (lower,
    /// upper); an element subscript has only an upper one.
    ArrayAssign {
        base: Box<ScalarExpr>,
        subscripts: Vec<(Option<ScalarExpr>, Option<ScalarExpr>)>,
        slice: bool,
        value: Box<ScalarExpr>,
        ty: SqlType,
    },
    /// `ROW(a, b, …)`: a value of the anonymous record type.
    Row {
        fields: Vec<ScalarExpr>,
        ty: SqlType,
    },
    /// `arr[i]` / `arr[lo:hi]`
    Subscript {
        base: Box<ScalarExpr>,
        lower: Option<Box<ScalarExpr>>,
        upper: Option<Box<ScalarExpr>>,
        slice: bool,
        ty: SqlType,
    },
    SqlValue {
        kind: SqlValueKind,
        precision: Option<i32>,
        ty: SqlType,
    },
    Subquery(Box<SubqueryExpr>),
    /// `(arg).field`: field `field` (0-based) of a composite or record value.
    FieldSelect {
        arg: Box<ScalarExpr>,
        field: usize,
        /// The field's name, for EXPLAIN and the decompilers.
        name: String,
        ty: SqlType,
    },
}

impl ScalarExpr {
    pub fn ty(&self) -> SqlType {
        match self {
            ScalarExpr::Column { ty, .. }
            | ScalarExpr::Const { ty, .. }
            | ScalarExpr::Param { ty, .. }
            | ScalarExpr::Cast { ty, .. }
            | ScalarExpr::Case { ty, .. }
            | ScalarExpr::Coalesce { ty, .. }
            | ScalarExpr::MinMax { ty, .. }
            | ScalarExpr::ArrayCtor { ty, .. }
            | ScalarExpr::Row { ty, .. }
            | ScalarExpr::ArrayAssign { ty, .. }
            | ScalarExpr::Subscript { ty, .. }
            | ScalarExpr::FieldSelect { ty, .. }
            | ScalarExpr::SqlValue { ty, .. } => *ty,
            ScalarExpr::Func { func, .. } => func.ret_type,
            ScalarExpr::NullIf { left, .. } => left.ty(),
            ScalarExpr::Subquery(s) => s.ty,
            ScalarExpr::And(_)
            | ScalarExpr::Or(_)
            | ScalarExpr::Not(_)
            | ScalarExpr::IsNull { .. }
            | ScalarExpr::BoolTest { .. }
            | ScalarExpr::DistinctFrom { .. }
            | ScalarExpr::ArrayOp { .. } => SqlType::BOOL,
        }
    }

    pub fn column(id: ColumnId, ty: SqlType) -> Self {
        ScalarExpr::Column { id, ty }
    }

    pub fn constant(value: Datum, ty: SqlType) -> Self {
        ScalarExpr::Const { value, ty }
    }

    pub fn null(ty: SqlType) -> Self {
        ScalarExpr::Const { value: Datum::Null, ty }
    }

    pub fn bool(b: bool) -> Self {
        ScalarExpr::Const { value: Datum::Bool(b), ty: SqlType::BOOL }
    }

    pub fn is_const(&self) -> bool {
        matches!(self, ScalarExpr::Const { .. })
    }

    pub fn as_const(&self) -> Option<&Datum> {
        match self {
            ScalarExpr::Const { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Direct children, in evaluation order (subquery plans are not entered).
    pub fn children(&self) -> Vec<&ScalarExpr> {
        use ScalarExpr::*;
        match self {
            Column { .. } | Const { .. } | Param { .. } | SqlValue { .. } => vec![],
            Func { args, .. } | And(args) | Or(args) | Coalesce { args, .. } | MinMax { args, .. } => args.iter().collect(),
            ArrayCtor { elems, .. } | Row { fields: elems, .. } => elems.iter().collect(),
            Cast { arg, .. } | Not(arg) | IsNull { arg, .. } | BoolTest { arg, .. } | FieldSelect { arg, .. } => vec![arg],
            DistinctFrom { left, right, .. } | NullIf { left, right, .. } | ArrayOp { left, right, .. } => vec![left, right],
            Case { whens, default, .. } => {
                let mut v: Vec<&ScalarExpr> = whens.iter().flat_map(|(c, r)| [c, r]).collect();
                v.push(default);
                v
            }
            Subscript { base, lower, upper, .. } => {
                let mut v = vec![base.as_ref()];
                v.extend(lower.as_deref());
                v.extend(upper.as_deref());
                v
            }
            ArrayAssign { base, subscripts, value, .. } => {
                let mut v = vec![base.as_ref()];
                for (l, u) in subscripts {
                    v.extend(l.iter());
                    v.extend(u.iter());
                }
                v.push(value);
                v
            }
            Subquery(s) => s.test.iter().collect(),
        }
    }

    pub fn children_mut(&mut self) -> Vec<&mut ScalarExpr> {
        use ScalarExpr::*;
        match self {
            Column { .. } | Const { .. } | Param { .. } | SqlValue { .. } => vec![],
            Func { args, .. } | And(args) | Or(args) | Coalesce { args, .. } | MinMax { args, .. } => args.iter_mut().collect(),
            ArrayCtor { elems, .. } | Row { fields: elems, .. } => elems.iter_mut().collect(),
            Cast { arg, .. } | Not(arg) | IsNull { arg, .. } | BoolTest { arg, .. } | FieldSelect { arg, .. } => vec![arg],
            DistinctFrom { left, right, .. } | NullIf { left, right, .. } | ArrayOp { left, right, .. } => vec![left, right],
            Case { whens, default, .. } => {
                let mut v: Vec<&mut ScalarExpr> = whens.iter_mut().flat_map(|(c, r)| [c, r]).collect();
                v.push(default);
                v
            }
            Subscript { base, lower, upper, .. } => {
                let mut v = vec![base.as_mut()];
                if let Some(l) = lower {
                    v.push(l);
                }
                if let Some(u) = upper {
                    v.push(u);
                }
                v
            }
            ArrayAssign { base, subscripts, value, .. } => {
                let mut v = vec![base.as_mut()];
                for (l, u) in subscripts {
                    v.extend(l.iter_mut());
                    v.extend(u.iter_mut());
                }
                v.push(value);
                v
            }
            Subquery(s) => s.test.iter_mut().collect(),
        }
    }

    /// Visits every expression node, pre-order (not entering subquery plans).
    pub fn walk(&self, f: &mut dyn FnMut(&ScalarExpr)) {
        f(self);
        for c in self.children() {
            c.walk(f);
        }
    }

    /// Rewrites bottom-up: `f` sees each node after its children were rewritten.
    pub fn rewrite(self, f: &mut dyn FnMut(ScalarExpr) -> ScalarExpr) -> ScalarExpr {
        let mut e = self;
        for c in e.children_mut() {
            let taken = std::mem::replace(c, ScalarExpr::null(SqlType::UNKNOWN));
            *c = taken.rewrite(f);
        }
        f(e)
    }

    /// Columns this expression reads, including those referenced from inside subqueries
    /// (correlation) — the latter via `plan.free_columns()`.
    pub fn columns_into(&self, out: &mut Vec<ColumnId>) {
        self.walk(&mut |e| match e {
            ScalarExpr::Column { id, .. } => out.push(*id),
            ScalarExpr::Subquery(s) => s.plan.free_columns_into(out),
            _ => {}
        });
    }

    pub fn columns(&self) -> Vec<ColumnId> {
        let mut v = Vec::new();
        self.columns_into(&mut v);
        v.sort();
        v.dedup();
        v
    }

    pub fn contains_subquery(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e, ScalarExpr::Subquery(_)));
        found
    }

    /// True if evaluating this may have side effects or differ between calls (random(), nextval()).
    pub fn is_volatile(&self) -> bool {
        let mut v = false;
        self.walk(&mut |e| {
            if let ScalarExpr::Func { func, .. } = e {
                v |= func.volatility == Volatility::Volatile;
            }
            if let ScalarExpr::Cast { method: CastMethod::Function(func), .. } = e {
                v |= func.volatility == Volatility::Volatile;
            }
            if matches!(e, ScalarExpr::Subquery(_)) {
                v = true;
            }
        });
        v
    }

    /// Splits a conjunction into its parts.
    pub fn into_conjuncts(self) -> Vec<ScalarExpr> {
        match self {
            ScalarExpr::And(v) => v.into_iter().flat_map(|e| e.into_conjuncts()).collect(),
            ScalarExpr::Const { value: Datum::Bool(true), .. } => vec![],
            e => vec![e],
        }
    }

    /// Joins conjuncts back together (TRUE when empty).
    pub fn conjunction(mut parts: Vec<ScalarExpr>) -> ScalarExpr {
        match parts.len() {
            0 => ScalarExpr::bool(true),
            1 => parts.pop().unwrap_or_else(|| ScalarExpr::bool(true)),
            _ => ScalarExpr::And(parts),
        }
    }

    /// Renames columns through `map` (used when a plan is copied with fresh ids).
    pub fn remap_columns(self, map: &dyn Fn(ColumnId) -> Option<ColumnId>) -> ScalarExpr {
        self.rewrite(&mut |e| match e {
            ScalarExpr::Column { id, ty } => ScalarExpr::Column { id: map(id).unwrap_or(id), ty },
            ScalarExpr::Subquery(mut s) => {
                let plan = std::mem::replace(&mut *s.plan, LogicalPlan::empty());
                *s.plan = plan.remap_columns(map);
                s.output = s.output.iter().map(|c| map(*c).unwrap_or(*c)).collect();
                ScalarExpr::Subquery(s)
            }
            e => e,
        })
    }
}

/// An aggregate call inside an Aggregate node.
#[derive(Clone, Debug, PartialEq)]
pub struct AggCall {
    pub func: Arc<AggRef>,
    pub args: Vec<ScalarExpr>,
    pub distinct: bool,
    pub filter: Option<ScalarExpr>,
    pub order_by: Vec<SortKey>,
}

/// A resolved aggregate function: pg_proc + pg_aggregate.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AggRef {
    pub oid: Oid,
    pub name: String,
    pub arg_types: Vec<SqlType>,
    pub ret_type: SqlType,
    /// pg_aggregate.aggtransfn's prosrc, which names the native implementation.
    pub transfn: String,
    /// pg_aggregate.aggfinalfn's prosrc ("" when none).
    pub finalfn: String,
    pub trans_type: SqlType,
    /// pg_aggregate.agginitval
    pub init_value: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub expr: ScalarExpr,
    pub descending: bool,
    pub nulls_first: bool,
}

impl SortKey {
    pub fn new(expr: ScalarExpr, descending: bool, nulls_first: Option<bool>) -> Self {
        // PostgreSQL's default: NULLS LAST for ASC, NULLS FIRST for DESC.
        SortKey { expr, descending, nulls_first: nulls_first.unwrap_or(descending) }
    }
}
