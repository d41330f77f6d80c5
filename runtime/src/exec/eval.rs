//! Expression evaluation over morsels. `compile` binds a `ScalarExpr` to a
//! layout (column ids → positions) and to kernels; `Expr::eval` produces a
//! column. Branching constructs (AND/OR, CASE, COALESCE) evaluate each branch
//! only on the rows that reach it, so an expression that can raise (1/x) is
//! never evaluated where PostgreSQL would not evaluate it.

use std::collections::HashMap;

use oa_ir::datum::{Array, Datum, Record};
use oa_ir::expr::{BoolTestKind, CastMethod, ColumnId, FuncRef, ScalarExpr, SqlValueKind};
use oa_ir::io::IoContext;
use oa_ir::types::{Oid, PhysicalType, SqlType, builtin_physical, oid};
use oa_ir::{Error, Result, SqlState};

use super::func::{FnContext, Kernel, SessionInfo, registry};
use super::vector::{Bitmap, Column, ColumnData, Morsel};

/// A compiled scalar expression.
#[derive(Clone, Debug)]
pub enum Expr {
    Input(usize),
    /// A column of an enclosing query row (correlated subquery), with the
    /// representation a NULL takes.
    Outer(ColumnId, PhysicalType),
    /// A constant, with the representation a NULL takes (so NULL::numeric
    /// reaches numeric kernels as a numeric column).
    Const(Datum, PhysicalType),
    /// `$n`, 0-based, with the representation a NULL takes.
    Param(usize, PhysicalType),
    Call {
        name: String,
        kernel: Kernel,
        args: Vec<Expr>,
        strict: bool,
        arg_types: Vec<SqlType>,
    },
    Cast {
        arg: Box<Expr>,
        op: CastOp,
        target: SqlType,
        explicit: bool,
    },
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    IsNull(Box<Expr>, bool),
    BoolTest(Box<Expr>, BoolTestKind),
    DistinctFrom {
        eq: Kernel,
        left: Box<Expr>,
        right: Box<Expr>,
        negated: bool,
    },
    Case {
        whens: Vec<(Expr, Expr)>,
        default: Box<Expr>,
    },
    Coalesce(Vec<Expr>),
    NullIf {
        eq: Kernel,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    MinMax {
        lt: Kernel,
        greatest: bool,
        args: Vec<Expr>,
    },
    ArrayOp {
        op: Kernel,
        strict: bool,
        any: bool,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    ArrayCtor {
        elems: Vec<Expr>,
        elem_type: Oid,
    },
    Subscript {
        base: Box<Expr>,
        lower: Option<Box<Expr>>,
        upper: Option<Box<Expr>>,
        slice: bool,
        /// The element type (int2vector and oidvector values are kept as text).
        elem: SqlType,
    },
    /// `base[subscripts] := value` (array_set_element / array_set_slice);
    /// a NULL base is an empty array of `elem_type`.
    ArrayAssign {
        base: Box<Expr>,
        subscripts: Vec<(Option<Expr>, Option<Expr>)>,
        slice: bool,
        value: Box<Expr>,
        elem_type: Oid,
    },
    /// `ROW(…)`: the fields and the types they were built with.
    Row {
        fields: Vec<Expr>,
        types: Vec<Oid>,
    },
    /// `(record).field`: NULL for a NULL record.
    FieldSelect {
        arg: Box<Expr>,
        field: usize,
    },
    SqlValue {
        kind: SqlValueKind,
        precision: Option<i32>,
    },
    /// A subquery: index into the executor's table, and the values of the
    /// enclosing rows' columns it reads (correlation).
    SubPlan {
        id: usize,
        bindings: Vec<(ColumnId, Expr)>,
    },
}

#[derive(Clone, Debug)]
pub enum CastOp {
    Relabel,
    Func(Kernel, String),
    InOut { from: SqlType },
    Array { elem: Box<CastOp>, elem_target: SqlType },
}

/// Maps a column id to its position in the input morsel.
pub trait Layout {
    fn position(&self, id: ColumnId) -> Option<usize>;
}

impl Layout for [ColumnId] {
    fn position(&self, id: ColumnId) -> Option<usize> {
        self.iter().position(|c| *c == id)
    }
}

impl Layout for Vec<ColumnId> {
    fn position(&self, id: ColumnId) -> Option<usize> {
        self.iter().position(|c| *c == id)
    }
}

/// Subqueries found while compiling: the executor runs them.
pub trait SubqueryCatalog {
    fn add_subquery(&mut self, s: &oa_ir::expr::SubqueryExpr) -> Result<usize>;
}

/// The kernel of a function: SQL-language built-ins (whose prosrc is SQL
/// text) are registered as `oid:NNNN`, the rest by prosrc.
pub fn kernel_for(func: &FuncRef) -> Result<Kernel> {
    let reg = registry();
    reg.get(&format!("oid:{}", func.oid))
        .or_else(|| reg.get(func.prosrc.as_str()))
        .cloned()
        .ok_or_else(|| Error::feature_not_supported(format!("function {} is not supported yet", func.name)))
}

/// Binds an expression to a layout. Columns not in the layout are outer
/// references (correlation), read from the evaluation context.
pub fn compile(e: &ScalarExpr, layout: &dyn Layout, subs: &mut dyn SubqueryCatalog) -> Result<Expr> {
    let c = |x: &ScalarExpr, subs: &mut dyn SubqueryCatalog| compile(x, layout, subs);
    Ok(match e {
        ScalarExpr::Column { id, ty } => match layout.position(*id) {
            Some(p) => Expr::Input(p),
            None => Expr::Outer(*id, physical_of(*ty)),
        },
        ScalarExpr::Const { value, ty } => Expr::Const(value.clone(), if value.is_null() { physical_of(*ty) } else { phys_of(value) }),
        ScalarExpr::Param { index, ty } => Expr::Param((*index as usize).saturating_sub(1), physical_of(*ty)),
        ScalarExpr::Func { func, args } => Expr::Call {
            name: func.name.clone(),
            kernel: kernel_for(func)?,
            args: args.iter().map(|a| c(a, subs)).collect::<Result<_>>()?,
            strict: func.strict,
            arg_types: actual_arg_types(func, args),
        },
        ScalarExpr::Cast { arg, ty, method: CastMethod::Relabel, .. } if is_vector(arg.ty()) && array_elem_type(ty.oid) != 0 => {
            vector_as_array(c(arg, subs)?, arg.ty())
        }
        ScalarExpr::Cast { arg, ty, method, explicit } => {
            Expr::Cast { arg: Box::new(c(arg, subs)?), op: cast_op(method, arg.ty(), *ty)?, target: *ty, explicit: *explicit }
        }
        ScalarExpr::And(v) => Expr::And(v.iter().map(|a| c(a, subs)).collect::<Result<_>>()?),
        ScalarExpr::Or(v) => Expr::Or(v.iter().map(|a| c(a, subs)).collect::<Result<_>>()?),
        ScalarExpr::Not(a) => Expr::Not(Box::new(c(a, subs)?)),
        ScalarExpr::IsNull { arg, negated } => Expr::IsNull(Box::new(c(arg, subs)?), *negated),
        ScalarExpr::BoolTest { arg, kind } => Expr::BoolTest(Box::new(c(arg, subs)?), *kind),
        ScalarExpr::DistinctFrom { eq, left, right, negated } => {
            Expr::DistinctFrom { eq: kernel_for(eq)?, left: Box::new(c(left, subs)?), right: Box::new(c(right, subs)?), negated: *negated }
        }
        ScalarExpr::Case { whens, default, .. } => Expr::Case {
            whens: whens.iter().map(|(w, t)| Ok((c(w, subs)?, c(t, subs)?))).collect::<Result<_>>()?,
            default: Box::new(c(default, subs)?),
        },
        ScalarExpr::Coalesce { args, .. } => Expr::Coalesce(args.iter().map(|a| c(a, subs)).collect::<Result<_>>()?),
        ScalarExpr::NullIf { eq, left, right } => {
            Expr::NullIf { eq: kernel_for(eq)?, left: Box::new(c(left, subs)?), right: Box::new(c(right, subs)?) }
        }
        ScalarExpr::MinMax { greatest, cmp, args, .. } => {
            Expr::MinMax { lt: kernel_for(cmp)?, greatest: *greatest, args: args.iter().map(|a| c(a, subs)).collect::<Result<_>>()? }
        }
        ScalarExpr::ArrayOp { op, any, left, right } => {
            let right = vector_as_array(c(right, subs)?, right.ty());
            Expr::ArrayOp { op: kernel_for(op)?, strict: op.strict, any: *any, left: Box::new(c(left, subs)?), right: Box::new(right) }
        }
        ScalarExpr::ArrayCtor { elems, ty } => {
            let elem_type = array_elem_type(ty.oid);
            Expr::ArrayCtor { elems: elems.iter().map(|a| c(a, subs)).collect::<Result<_>>()?, elem_type }
        }
        ScalarExpr::Subscript { base, lower, upper, slice, ty } => Expr::Subscript {
            base: Box::new(vector_as_array(c(base, subs)?, base.ty())),
            lower: lower.as_ref().map(|x| c(x, subs).map(Box::new)).transpose()?,
            upper: upper.as_ref().map(|x| c(x, subs).map(Box::new)).transpose()?,
            slice: *slice,
            elem: if *slice { SqlType::new(array_elem_type(ty.oid)) } else { *ty },
        },
        ScalarExpr::ArrayAssign { base, subscripts, slice, value, ty } => Expr::ArrayAssign {
            base: Box::new(c(base, subs)?),
            subscripts: subscripts
                .iter()
                .map(|(l, u)| Ok((l.as_ref().map(|x| c(x, subs)).transpose()?, u.as_ref().map(|x| c(x, subs)).transpose()?)))
                .collect::<Result<_>>()?,
            slice: *slice,
            value: Box::new(c(value, subs)?),
            elem_type: array_elem_type(ty.oid),
        },
        ScalarExpr::Row { fields, .. } => {
            Expr::Row { fields: fields.iter().map(|a| c(a, subs)).collect::<Result<_>>()?, types: fields.iter().map(|f| f.ty().oid).collect() }
        }
        ScalarExpr::SqlValue { kind, precision, .. } => Expr::SqlValue { kind: *kind, precision: *precision },
        ScalarExpr::FieldSelect { arg, field, .. } => Expr::FieldSelect { arg: Box::new(c(arg, subs)?), field: *field },
        ScalarExpr::Subquery(s) => {
            let mut free = s.plan.free_columns();
            if let Some(t) = &s.test {
                free.extend(t.columns().into_iter().filter(|c| !s.output.contains(c)));
            }
            free.sort();
            free.dedup();
            let bindings = free
                .into_iter()
                .map(|id| {
                    (
                        id,
                        match layout.position(id) {
                            Some(p) => Expr::Input(p),
                            None => Expr::Outer(id, PhysicalType::Text),
                        },
                    )
                })
                .collect();
            Expr::SubPlan { id: subs.add_subquery(s)?, bindings }
        }
    })
}

fn is_vector(t: SqlType) -> bool {
    matches!(t.oid, oid::INT2VECTOR | oid::OIDVECTOR)
}

/// int2[] for int2vector, oid[] for oidvector, else `t`.
fn vector_array_type(t: SqlType) -> SqlType {
    match t.oid {
        oid::INT2VECTOR => SqlType::new(1005),
        oid::OIDVECTOR => SqlType::new(1028),
        _ => t,
    }
}

/// int2vector and oidvector values are kept as their text (see
/// `oa_ir::typeio`); where they stand for arrays (subscripts, casts to
/// arrays, anyarray arguments, which the binder relabels as int2[] / oid[], ANY/ALL) they
/// become what PostgreSQL stores:
/// one-dimensional int2 / oid arrays with lower bound 0.
pub(crate) fn vector_as_array(e: Expr, ty: SqlType) -> Expr {
    if !is_vector(ty) {
        return e;
    }
    let is_oid = ty.oid == oid::OIDVECTOR;
    let kernel =
        Kernel::Scalar(std::sync::Arc::new(move |a: &[Datum], _: &mut FnContext| vector_datum_as_array(a.first().unwrap_or(&Datum::Null), is_oid)));
    Expr::Cast { arg: Box::new(e), op: CastOp::Func(kernel, "array".into()), target: vector_array_type(ty), explicit: false }
}

/// [`vector_as_array`] on one value.
pub(crate) fn vector_datum_as_array(d: &Datum, is_oid: bool) -> Result<Datum> {
    let Datum::Text(s) = d else { return Ok(d.clone()) };
    let (elem_type, elems): (Oid, Vec<Datum>) = if is_oid {
        (oid::OID, oa_ir::typeio::oidvectorin(s)?.into_iter().map(Datum::Oid).collect())
    } else {
        (oid::INT2, oa_ir::typeio::int2vectorin(s)?.into_iter().map(Datum::Int16).collect())
    };
    let dims = if elems.is_empty() { vec![] } else { vec![oa_ir::datum::ArrayDim { len: elems.len() as i32, lower: 0 }] };
    Ok(Datum::Array(Box::new(Array { elem_type, dims, elems })))
}

/// The argument types a kernel sees: the declared ones, except that
/// pseudo-typed arguments ("any", anyelement, variadic "any" beyond the
/// declared list) take the argument expression's own type, as
/// get_fn_expr_argtype gives a C function in PostgreSQL.
fn actual_arg_types(func: &FuncRef, args: &[ScalarExpr]) -> Vec<SqlType> {
    args.iter()
        .enumerate()
        .map(|(i, a)| match func.arg_types.get(i) {
            Some(t) if !is_pseudo_type(t.oid) => *t,
            _ => a.ty(),
        })
        .collect()
}

/// typtype 'p' types that stand for an argument's actual type.
fn is_pseudo_type(t: Oid) -> bool {
    const ANY: Oid = 2276;
    const ANYARRAY: Oid = 2277;
    const ANYELEMENT: Oid = 2283;
    const ANYNONARRAY: Oid = 2776;
    const ANYENUM: Oid = 3500;
    const ANYRANGE: Oid = 3831;
    const ANYMULTIRANGE: Oid = 4537;
    const ANYCOMPATIBLEMULTIRANGE: Oid = 4538;
    const ANYCOMPATIBLE: Oid = 5077;
    const ANYCOMPATIBLEARRAY: Oid = 5078;
    const ANYCOMPATIBLENONARRAY: Oid = 5079;
    const ANYCOMPATIBLERANGE: Oid = 5080;
    matches!(
        t,
        ANY | ANYARRAY
            | ANYELEMENT
            | ANYNONARRAY
            | ANYENUM
            | ANYRANGE
            | ANYMULTIRANGE
            | ANYCOMPATIBLEMULTIRANGE
            | ANYCOMPATIBLE
            | ANYCOMPATIBLEARRAY
            | ANYCOMPATIBLENONARRAY
            | ANYCOMPATIBLERANGE
    )
}

/// The element type of built-in array types (arrays of user types come later).
pub fn array_elem_type(array: Oid) -> Oid {
    oa_ir::typeio::builtin_array_elem(array).unwrap_or(oid::TEXT)
}

fn cast_op(method: &CastMethod, from: SqlType, to: SqlType) -> Result<CastOp> {
    Ok(match method {
        CastMethod::Relabel => CastOp::Relabel,
        CastMethod::Function(f) => CastOp::Func(kernel_for(f)?, f.name.clone()),
        CastMethod::InOut => CastOp::InOut { from },
        CastMethod::ArrayElements(inner) => {
            let elem_from = SqlType::new(array_elem_type(from.oid));
            let elem_target = SqlType::with_typmod(array_elem_type(to.oid), to.typmod);
            CastOp::Array { elem: Box::new(cast_op(inner, elem_from, elem_target)?), elem_target }
        }
    })
}

/// What evaluation needs from the executor running it: the session's random
/// state, and subqueries (which run nested plans).
pub trait EvalHost: super::func::FnHost {
    /// Evaluates subquery expression `id` with the enclosing rows' columns bound.
    fn run_subquery(&mut self, id: usize, outer: &HashMap<ColumnId, Datum>) -> Result<Datum>;
}

pub struct EvalContext<'a> {
    pub io: &'a IoContext,
    pub session: &'a SessionInfo,
    pub params: &'a [Datum],
    pub outer: &'a HashMap<ColumnId, Datum>,
    pub host: &'a mut dyn EvalHost,
}

impl EvalContext<'_> {
    fn fn_ctx<'b>(&'b mut self, cast_typmod: i32, cast_explicit: bool, arg_types: &'b [SqlType]) -> FnContext<'b> {
        FnContext { io: self.io, session: self.session, host: &mut *self.host, cast_typmod, cast_explicit, arg_types }
    }
}

/// The representation of a value, from the value itself.
fn phys_of(d: &Datum) -> PhysicalType {
    d.physical_type().unwrap_or(PhysicalType::Text)
}

/// Builds a column from per-row Datums (all of one representation, NULLs anywhere).
pub fn column_from_datums(values: Vec<Datum>) -> Column {
    let phys = values.iter().find(|d| !d.is_null()).map(phys_of).unwrap_or(PhysicalType::Bool);
    let mut col = Column::empty(phys, values.len());
    for v in &values {
        col.push_datum(v);
    }
    col
}

impl Expr {
    /// Evaluates for every row of the morsel.
    pub fn eval(&self, m: &Morsel, ctx: &mut EvalContext) -> Result<Column> {
        oa_ir::stack::grow(|| self.eval_morsel(m, ctx))
    }

    fn eval_morsel(&self, m: &Morsel, ctx: &mut EvalContext) -> Result<Column> {
        match self {
            Expr::Input(p) => m.columns.get(*p).cloned().ok_or_else(|| Error::internal(format!("input column {p} missing"))),
            Expr::Const(d, t) => Ok(Column::repeat(d, if d.is_null() { *t } else { phys_of(d) }, m.len)),
            Expr::Param(i, t) => {
                let d = ctx
                    .params
                    .get(*i)
                    .cloned()
                    .ok_or_else(|| Error::new(SqlState::UNDEFINED_PARAMETER, format!("there is no parameter ${}", i + 1)))?;
                Ok(Column::repeat(&d, if d.is_null() { *t } else { phys_of(&d) }, m.len))
            }
            Expr::Outer(id, t) => {
                let d = ctx.outer.get(id).cloned().ok_or_else(|| Error::internal(format!("unbound correlated column {id:?}")))?;
                Ok(Column::repeat(&d, if d.is_null() { *t } else { phys_of(&d) }, m.len))
            }
            Expr::Call { kernel: Kernel::Vector(f), args, arg_types, .. } => {
                let cols = args.iter().map(|a| a.eval(m, ctx)).collect::<Result<Vec<_>>>()?;
                let mut fc = ctx.fn_ctx(-1, false, arg_types);
                f(&cols, m.len, &mut fc)
            }
            Expr::And(parts) => self.eval_bool_chain(parts, true, m, ctx),
            Expr::Or(parts) => self.eval_bool_chain(parts, false, m, ctx),
            Expr::Not(a) => {
                let c = a.eval(m, ctx)?;
                let ColumnData::Bool(v) = &c.data else { return self.eval_rows(m, ctx) };
                Ok(Column { data: ColumnData::Bool(v.iter().map(|b| !b).collect()), validity: c.validity.clone() })
            }
            Expr::IsNull(a, negated) => {
                let c = a.eval(m, ctx)?;
                let v: Vec<bool> = match &c.data {
                    // Row values: IS NULL when every field is, IS NOT NULL when none is.
                    ColumnData::Datum(values) => {
                        (0..m.len).map(|i| is_null_test(if c.is_valid(i) { &values[i] } else { &Datum::Null }, *negated)).collect()
                    }
                    _ => (0..m.len).map(|i| c.is_valid(i) == *negated).collect(),
                };
                Ok(Column::new(ColumnData::Bool(v)))
            }
            Expr::Case { whens, default } => self.eval_case(whens, default, m, ctx),
            Expr::Coalesce(args) => self.eval_coalesce(args, m, ctx),
            _ => self.eval_rows(m, ctx),
        }
    }

    /// AND/OR with SQL's three-valued logic; each later operand is evaluated
    /// only on rows the earlier ones left undecided.
    fn eval_bool_chain(&self, parts: &[Expr], is_and: bool, m: &Morsel, ctx: &mut EvalContext) -> Result<Column> {
        let n = m.len;
        // decided[i]: Some(value) once a row's result is known.
        let mut result = vec![is_and; n];
        let mut unknown = vec![false; n];
        let mut undecided: Vec<usize> = (0..n).collect();
        for p in parts {
            if undecided.is_empty() {
                break;
            }
            let sub = if undecided.len() == n { m.clone() } else { m.gather(&undecided) };
            let c = p.eval(&sub, ctx)?;
            let mut still = Vec::with_capacity(undecided.len());
            for (k, &row) in undecided.iter().enumerate() {
                if !c.is_valid(k) {
                    unknown[row] = true;
                    still.push(row);
                    continue;
                }
                let b = match &c.data {
                    ColumnData::Bool(v) => v[k],
                    _ => return Err(Error::internal("boolean operand is not boolean")),
                };
                if b != is_and {
                    // FALSE decides AND, TRUE decides OR.
                    result[row] = b;
                    unknown[row] = false;
                } else {
                    still.push(row);
                }
            }
            undecided = still;
        }
        let mut validity = Bitmap::all_valid(n);
        let mut any_null = false;
        for row in undecided {
            if unknown[row] {
                validity.set(row, false);
                any_null = true;
            }
        }
        Ok(Column { data: ColumnData::Bool(result), validity: any_null.then_some(validity) })
    }

    fn eval_case(&self, whens: &[(Expr, Expr)], default: &Expr, m: &Morsel, ctx: &mut EvalContext) -> Result<Column> {
        let n = m.len;
        let mut out: Vec<Datum> = vec![Datum::Null; n];
        let mut remaining: Vec<usize> = (0..n).collect();
        for (cond, result) in whens {
            if remaining.is_empty() {
                break;
            }
            let sub = m.gather(&remaining);
            let c = cond.eval(&sub, ctx)?;
            let mut hit = Vec::new();
            let mut miss = Vec::new();
            for (k, &row) in remaining.iter().enumerate() {
                let t = c.is_valid(k) && matches!(&c.data, ColumnData::Bool(v) if v[k]);
                if t { hit.push(row) } else { miss.push(row) }
            }
            if !hit.is_empty() {
                let r = result.eval(&m.gather(&hit), ctx)?;
                for (k, &row) in hit.iter().enumerate() {
                    out[row] = r.datum(k);
                }
            }
            remaining = miss;
        }
        if !remaining.is_empty() {
            let r = default.eval(&m.gather(&remaining), ctx)?;
            for (k, &row) in remaining.iter().enumerate() {
                out[row] = r.datum(k);
            }
        }
        Ok(column_from_datums(out))
    }

    fn eval_coalesce(&self, args: &[Expr], m: &Morsel, ctx: &mut EvalContext) -> Result<Column> {
        let n = m.len;
        let mut out: Vec<Datum> = vec![Datum::Null; n];
        let mut remaining: Vec<usize> = (0..n).collect();
        for a in args {
            if remaining.is_empty() {
                break;
            }
            let c = a.eval(&m.gather(&remaining), ctx)?;
            let mut still = Vec::new();
            for (k, &row) in remaining.iter().enumerate() {
                if c.is_valid(k) {
                    out[row] = c.datum(k);
                } else {
                    still.push(row);
                }
            }
            remaining = still;
        }
        Ok(column_from_datums(out))
    }

    /// Row-at-a-time evaluation for everything without a vectorized path.
    fn eval_rows(&self, m: &Morsel, ctx: &mut EvalContext) -> Result<Column> {
        let mut out = Vec::with_capacity(m.len);
        for i in 0..m.len {
            out.push(self.eval_row(m, i, ctx)?);
        }
        Ok(column_from_datums(out))
    }

    /// Evaluates for one row of the morsel.
    pub fn eval_row(&self, m: &Morsel, row: usize, ctx: &mut EvalContext) -> Result<Datum> {
        oa_ir::stack::grow(|| self.eval_one_row(m, row, ctx))
    }

    fn eval_one_row(&self, m: &Morsel, row: usize, ctx: &mut EvalContext) -> Result<Datum> {
        match self {
            Expr::Input(p) => Ok(m.columns.get(*p).map(|c| c.datum(row)).unwrap_or(Datum::Null)),
            Expr::Const(d, _) => Ok(d.clone()),
            Expr::Param(i, _) => {
                ctx.params.get(*i).cloned().ok_or_else(|| Error::new(SqlState::UNDEFINED_PARAMETER, format!("there is no parameter ${}", i + 1)))
            }
            Expr::Outer(id, _) => ctx.outer.get(id).cloned().ok_or_else(|| Error::internal(format!("unbound correlated column {id:?}"))),
            Expr::Call { kernel, args, strict, arg_types, .. } => {
                let vals = args.iter().map(|a| a.eval_row(m, row, ctx)).collect::<Result<Vec<_>>>()?;
                call_typed(kernel, &vals, *strict, ctx, -1, false, arg_types)
            }
            Expr::Cast { arg, op, target, explicit } => {
                let v = arg.eval_row(m, row, ctx)?;
                cast_value(v, op, *target, *explicit, ctx)
            }
            Expr::And(parts) => {
                let mut null = false;
                for p in parts {
                    match p.eval_row(m, row, ctx)? {
                        Datum::Bool(false) => return Ok(Datum::Bool(false)),
                        Datum::Null => null = true,
                        _ => {}
                    }
                }
                Ok(if null { Datum::Null } else { Datum::Bool(true) })
            }
            Expr::Or(parts) => {
                let mut null = false;
                for p in parts {
                    match p.eval_row(m, row, ctx)? {
                        Datum::Bool(true) => return Ok(Datum::Bool(true)),
                        Datum::Null => null = true,
                        _ => {}
                    }
                }
                Ok(if null { Datum::Null } else { Datum::Bool(false) })
            }
            Expr::Not(a) => Ok(match a.eval_row(m, row, ctx)? {
                Datum::Bool(b) => Datum::Bool(!b),
                _ => Datum::Null,
            }),
            Expr::IsNull(a, negated) => {
                let v = a.eval_row(m, row, ctx)?;
                Ok(Datum::Bool(is_null_test(&v, *negated)))
            }
            Expr::BoolTest(a, kind) => {
                let v = a.eval_row(m, row, ctx)?;
                let b = match v {
                    Datum::Bool(b) => Some(b),
                    _ => None,
                };
                Ok(Datum::Bool(match kind {
                    BoolTestKind::IsTrue => b == Some(true),
                    BoolTestKind::IsNotTrue => b != Some(true),
                    BoolTestKind::IsFalse => b == Some(false),
                    BoolTestKind::IsNotFalse => b != Some(false),
                    BoolTestKind::IsUnknown => b.is_none(),
                    BoolTestKind::IsNotUnknown => b.is_some(),
                }))
            }
            Expr::DistinctFrom { eq, left, right, negated } => {
                let l = left.eval_row(m, row, ctx)?;
                let r = right.eval_row(m, row, ctx)?;
                let distinct = match (l.is_null(), r.is_null()) {
                    (true, true) => false,
                    (true, false) | (false, true) => true,
                    _ => call(eq, &[l, r], true, ctx, -1, false)? != Datum::Bool(true),
                };
                Ok(Datum::Bool(distinct != *negated))
            }
            Expr::Case { whens, default } => {
                for (c, r) in whens {
                    if c.eval_row(m, row, ctx)? == Datum::Bool(true) {
                        return r.eval_row(m, row, ctx);
                    }
                }
                default.eval_row(m, row, ctx)
            }
            Expr::Coalesce(args) => {
                for a in args {
                    let v = a.eval_row(m, row, ctx)?;
                    if !v.is_null() {
                        return Ok(v);
                    }
                }
                Ok(Datum::Null)
            }
            Expr::NullIf { eq, left, right } => {
                let l = left.eval_row(m, row, ctx)?;
                let r = right.eval_row(m, row, ctx)?;
                if !l.is_null() && !r.is_null() && call(eq, &[l.clone(), r], true, ctx, -1, false)? == Datum::Bool(true) {
                    return Ok(Datum::Null);
                }
                Ok(l)
            }
            Expr::MinMax { lt, greatest, args } => {
                let mut best = Datum::Null;
                for a in args {
                    let v = a.eval_row(m, row, ctx)?;
                    if v.is_null() {
                        continue;
                    }
                    if best.is_null() {
                        best = v;
                        continue;
                    }
                    let less = call(lt, &[v.clone(), best.clone()], true, ctx, -1, false)? == Datum::Bool(true);
                    let more = call(lt, &[best.clone(), v.clone()], true, ctx, -1, false)? == Datum::Bool(true);
                    if (*greatest && more) || (!*greatest && less) {
                        best = v;
                    }
                }
                Ok(best)
            }
            Expr::ArrayOp { op, strict, any, left, right } => {
                let l = left.eval_row(m, row, ctx)?;
                let r = right.eval_row(m, row, ctx)?;
                let Datum::Array(arr) = r else { return Ok(Datum::Null) };
                // ScalarArrayOpExpr: ANY is true if any TRUE, else NULL if any NULL, else FALSE.
                let mut saw_null = false;
                if arr.elems.is_empty() {
                    return Ok(Datum::Bool(!*any));
                }
                if l.is_null() && *strict {
                    return Ok(Datum::Null);
                }
                for e in &arr.elems {
                    let res = call(op, &[l.clone(), e.clone()], *strict, ctx, -1, false)?;
                    match res {
                        Datum::Bool(b) if b == *any => return Ok(Datum::Bool(*any)),
                        Datum::Bool(_) => {}
                        _ => saw_null = true,
                    }
                }
                Ok(if saw_null { Datum::Null } else { Datum::Bool(!*any) })
            }
            Expr::ArrayCtor { elems, elem_type } => {
                let vals = elems.iter().map(|e| e.eval_row(m, row, ctx)).collect::<Result<Vec<_>>>()?;
                Ok(Datum::Array(Box::new(Array::from_elems(*elem_type, vals))))
            }
            Expr::Subscript { base, lower, upper, slice, elem } => {
                let b = match base.eval_row(m, row, ctx)? {
                    Datum::Text(t) => vector_array(&t, *elem),
                    b => b,
                };
                let lo = match lower {
                    Some(l) => Some(l.eval_row(m, row, ctx)?),
                    None => None,
                };
                let hi = match upper {
                    Some(u) => Some(u.eval_row(m, row, ctx)?),
                    None => None,
                };
                subscript(b, lo, hi, *slice)
            }
            Expr::ArrayAssign { base, subscripts, slice, value, elem_type } => {
                let b = base.eval_row(m, row, ctx)?;
                let mut bounds = Vec::with_capacity(subscripts.len());
                for (l, u) in subscripts {
                    let one = |e: &Option<Expr>, ctx: &mut EvalContext| -> Result<Option<i32>> {
                        let Some(e) = e else { return Ok(None) };
                        match e.eval_row(m, row, ctx)? {
                            Datum::Null => Err(Error::new(SqlState::NULL_VALUE_NOT_ALLOWED, "array subscript in assignment must not be null")),
                            d => Ok(Some(d.as_i64().unwrap_or(0) as i32)),
                        }
                    };
                    let lo = one(l, ctx)?;
                    let hi = one(u, ctx)?;
                    bounds.push((lo, hi));
                }
                let v = value.eval_row(m, row, ctx)?;
                array_assign(b, &bounds, *slice, v, *elem_type)
            }
            Expr::Row { fields, types } => {
                let vals = fields.iter().map(|e| e.eval_row(m, row, ctx)).collect::<Result<Vec<_>>>()?;
                Ok(Datum::Record(Box::new(Record::new(types.clone(), vals))))
            }
            Expr::SqlValue { kind, precision } => sql_value(*kind, *precision, ctx),
            Expr::FieldSelect { arg, field } => match arg.eval_row(m, row, ctx)? {
                Datum::Record(r) => Ok(r.fields.get(*field).cloned().unwrap_or(Datum::Null)),
                _ => Ok(Datum::Null),
            },
            Expr::SubPlan { id, bindings } => {
                let mut outer = ctx.outer.clone();
                for (cid, e) in bindings {
                    let v = e.eval_row(m, row, ctx)?;
                    outer.insert(*cid, v);
                }
                ctx.host.run_subquery(*id, &outer)
            }
        }
    }
}

/// `v IS NULL` (or IS NOT NULL when `negated`). A row value IS NULL when
/// all its fields are NULL and IS NOT NULL when none is (ExecEvalRowNull),
/// so for rows the two tests are not each other's negation.
pub fn is_null_test(v: &Datum, negated: bool) -> bool {
    match v {
        Datum::Null => !negated,
        Datum::Record(r) if negated => r.fields.iter().all(|f| !f.is_null()),
        Datum::Record(r) => r.fields.iter().all(Datum::is_null),
        _ => negated,
    }
}

/// Calls a kernel on one row's arguments.
pub fn call(kernel: &Kernel, args: &[Datum], strict: bool, ctx: &mut EvalContext, cast_typmod: i32, cast_explicit: bool) -> Result<Datum> {
    call_typed(kernel, args, strict, ctx, cast_typmod, cast_explicit, &[])
}

/// Calls a kernel that may look at its argument types (polymorphic and "any" functions).
pub fn call_typed(
    kernel: &Kernel,
    args: &[Datum],
    strict: bool,
    ctx: &mut EvalContext,
    cast_typmod: i32,
    cast_explicit: bool,
    arg_types: &[SqlType],
) -> Result<Datum> {
    if strict && args.iter().any(|a| a.is_null()) {
        return Ok(Datum::Null);
    }
    match kernel {
        Kernel::Scalar(f) => {
            let mut fc = ctx.fn_ctx(cast_typmod, cast_explicit, arg_types);
            f(args, &mut fc)
        }
        Kernel::Vector(f) => {
            let cols: Vec<Column> = args.iter().map(|a| Column::repeat(a, phys_of(a), 1)).collect();
            let mut fc = ctx.fn_ctx(cast_typmod, cast_explicit, arg_types);
            Ok(f(&cols, 1, &mut fc)?.datum(0))
        }
    }
}

/// Applies a cast to one value.
pub fn cast_value(v: Datum, op: &CastOp, target: SqlType, explicit: bool, ctx: &mut EvalContext) -> Result<Datum> {
    if v.is_null() {
        return Ok(Datum::Null);
    }
    match op {
        // Binary-coercible casts keep the bits; int4 and oid differ only in our Datum tag.
        CastOp::Relabel => Ok(match (physical_of(target), v) {
            (PhysicalType::Oid, Datum::Int32(x)) => Datum::Oid(x as u32),
            (PhysicalType::Int32, Datum::Oid(x)) => Datum::Int32(x as i32),
            (_, v) => v,
        }),
        CastOp::Func(k, _) => {
            let args = [v, Datum::Int32(target.typmod), Datum::Bool(explicit)];
            call(k, &args, true, ctx, target.typmod, explicit)
        }
        CastOp::InOut { from } => {
            let elem_of = |t: Oid| oa_ir::typeio::builtin_array_elem(t).map(|e| (e, b','));
            let text =
                if oa_ir::types::is_reg_type(from.oid) { ctx.host.reg_output(*from, &v)? } else { oa_ir::io::output(*from, &v, ctx.io, &elem_of)? };
            if matches!(
                target.oid,
                oid::REGCLASS | oid::REGTYPE | oid::REGPROC | oid::REGPROCEDURE | oid::REGOPER | oid::REGOPERATOR | oid::REGNAMESPACE | oid::REGROLE
            ) {
                return Ok(Datum::Oid(ctx.host.reg_input(target.oid, &text)?));
            }
            oa_ir::io::input(target, &text, ctx.io, &elem_of)
        }
        CastOp::Array { elem, elem_target } => {
            let v = match v {
                Datum::Text(t) => vector_array(&t, *elem_target),
                v => v,
            };
            let Datum::Array(mut a) = v else { return Err(Error::internal("array cast of a non-array")) };
            let mut out = Vec::with_capacity(a.elems.len());
            for e in std::mem::take(&mut a.elems) {
                out.push(cast_value(e, elem, *elem_target, explicit, ctx)?);
            }
            a.elems = out;
            a.elem_type = elem_target.oid;
            Ok(Datum::Array(a))
        }
    }
}

/// An int2vector or oidvector (kept as its text) as the array it is: one
/// dimension with lower bound 0.
fn vector_array(text: &str, elem: SqlType) -> Datum {
    let elems: Vec<Datum> = text
        .split_whitespace()
        .filter_map(|s| s.parse::<i64>().ok())
        .map(|v| match physical_of(elem) {
            PhysicalType::Int16 => Datum::Int16(v as i16),
            PhysicalType::Int32 => Datum::Int32(v as i32),
            PhysicalType::Int64 => Datum::Int64(v),
            _ => Datum::Oid(v as u32),
        })
        .collect();
    let n = elems.len() as i32;
    Datum::Array(Box::new(Array { elem_type: elem.oid, dims: if n > 0 { vec![oa_ir::datum::ArrayDim { len: n, lower: 0 }] } else { vec![] }, elems }))
}

/// Subscripted assignment (arraysubs.c): a NULL array is taken as an empty
/// one; assigning a NULL slice leaves the array as it is.
fn array_assign(base: Datum, bounds: &[(Option<i32>, Option<i32>)], slice: bool, value: Datum, elem_type: Oid) -> Result<Datum> {
    let arr = match base {
        Datum::Array(a) => *a,
        _ => Array { elem_type, dims: vec![], elems: vec![] },
    };
    let out = if slice {
        let src = match value {
            Datum::Array(s) => s,
            _ => return Ok(Datum::Array(Box::new(arr))),
        };
        let lower: Vec<Option<i32>> = bounds.iter().map(|b| b.0).collect();
        let upper: Vec<Option<i32>> = bounds.iter().map(|b| b.1).collect();
        oa_ir::typeio::array_set_slice(&arr, &lower, &upper, &src)?
    } else {
        let indx: Vec<i32> = bounds.iter().map(|b| b.1.unwrap_or(0)).collect();
        oa_ir::typeio::array_set_element(&arr, &indx, value)?
    };
    Ok(Datum::Array(Box::new(out)))
}

/// Array subscripting with PostgreSQL's rules: out-of-range is NULL, slices clamp.
fn subscript(base: Datum, lo: Option<Datum>, hi: Option<Datum>, slice: bool) -> Result<Datum> {
    let Datum::Array(a) = base else { return Ok(Datum::Null) };
    let idx = |d: &Option<Datum>| -> Option<Option<i32>> {
        match d {
            None => Some(None),
            Some(Datum::Int32(v)) => Some(Some(*v)),
            Some(_) => None,
        }
    };
    let (Some(lo), Some(hi)) = (idx(&lo), idx(&hi)) else { return Ok(Datum::Null) };
    if a.dims.len() != 1 {
        return Ok(if slice { Datum::Array(Box::new(Array { elem_type: a.elem_type, dims: vec![], elems: vec![] })) } else { Datum::Null });
    }
    let lower = a.dims[0].lower;
    let upper = lower + a.dims[0].len - 1;
    if !slice {
        let Some(i) = hi else { return Ok(Datum::Null) };
        if i < lower || i > upper {
            return Ok(Datum::Null);
        }
        return Ok(a.elems[(i - lower) as usize].clone());
    }
    let from = lo.unwrap_or(lower).max(lower);
    let to = hi.unwrap_or(upper).min(upper);
    if from > to {
        return Ok(Datum::Array(Box::new(Array { elem_type: a.elem_type, dims: vec![], elems: vec![] })));
    }
    let elems = a.elems[(from - lower) as usize..=(to - lower) as usize].to_vec();
    Ok(Datum::Array(Box::new(Array::from_elems(a.elem_type, elems))))
}

fn sql_value(kind: SqlValueKind, precision: Option<i32>, ctx: &mut EvalContext) -> Result<Datum> {
    let s = ctx.session;
    Ok(match kind {
        SqlValueKind::CurrentDate => Datum::Int32(oa_ir::datetime::current_date(s.transaction_timestamp, &ctx.io.time_zone)?),
        SqlValueKind::CurrentTimestamp => Datum::Int64(oa_ir::datetime::current_timestamp(s.transaction_timestamp, precision.unwrap_or(-1))?),
        SqlValueKind::LocalTimestamp => {
            Datum::Int64(oa_ir::datetime::local_timestamp(s.transaction_timestamp, &ctx.io.time_zone, precision.unwrap_or(-1))?)
        }
        SqlValueKind::LocalTime => Datum::Int64(oa_ir::datetime::local_time(s.transaction_timestamp, &ctx.io.time_zone, precision.unwrap_or(-1))?),
        SqlValueKind::CurrentTime => return Err(Error::feature_not_supported("type time with time zone is not supported yet")),
        SqlValueKind::CurrentRole | SqlValueKind::CurrentUser | SqlValueKind::User | SqlValueKind::SessionUser => Datum::Text(s.user.clone()),
        SqlValueKind::CurrentCatalog => Datum::Text(s.database.clone()),
        SqlValueKind::CurrentSchema => match &s.current_schema {
            Some(n) => Datum::Text(n.clone()),
            None => Datum::Null,
        },
    })
}

/// The physical representation of a SQL type (arrays → Array; records,
/// held as a Datum per row like arrays, → Array; unknown types → Text).
pub fn physical_of(ty: SqlType) -> PhysicalType {
    if ty.oid == oid::RECORD {
        return PhysicalType::Array;
    }
    builtin_physical(ty.oid).unwrap_or(if oa_ir::typeio::builtin_array_elem(ty.oid).is_some() { PhysicalType::Array } else { PhysicalType::Text })
}
