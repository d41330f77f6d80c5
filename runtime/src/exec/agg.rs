//! Aggregate functions, implemented natively and chosen by the aggregate's
//! transition and final functions (pg_aggregate.aggtransfn/aggfinalfn), with
//! PostgreSQL's result types, overflow errors and NULL rules.

use std::collections::HashSet;

use oa_ir::datetime::{Interval, interval_div, interval_pl};
use oa_ir::datum::{Array, Datum};
use oa_ir::expr::AggRef;
use oa_ir::numeric::{Numeric, NumericSum};
use oa_ir::types::{SqlType, oid};
use oa_ir::{Error, Result, SqlState};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggKind {
    CountStar,
    Count,
    /// sum(int2/int4) → int8
    SumInt,
    /// sum(int8) → numeric
    SumInt8,
    SumFloat4,
    SumFloat8,
    SumNumeric,
    SumInterval,
    /// avg(int2/int4/int8) → numeric
    AvgInt,
    AvgFloat,
    AvgNumeric,
    AvgInterval,
    Min,
    Max,
    BoolAnd,
    BoolOr,
    BitAnd,
    BitOr,
    BitXor,
    StringAgg,
    /// string_agg(bytea, bytea)
    StringAggBytes,
    /// regr_count(y, x): rows where both are not NULL.
    RegrCount,
    /// The two-variable float8 family (corr, covar_*, regr_*), by final function.
    Regr(RegrKind),
    ArrayAgg,
    /// float variance family: (final fn kind)
    FloatVar(VarKind),
    /// exact (numeric) variance family over ints and numerics
    NumericVar(VarKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegrKind {
    Sxx,
    Syy,
    Sxy,
    AvgX,
    AvgY,
    R2,
    Slope,
    Intercept,
    CovarPop,
    CovarSamp,
    Corr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    VarSamp,
    VarPop,
    StddevSamp,
    StddevPop,
}

impl AggKind {
    pub fn of(a: &AggRef) -> Result<AggKind> {
        let var = |f: &str| -> Option<VarKind> {
            Some(if f.ends_with("var_samp") {
                VarKind::VarSamp
            } else if f.ends_with("var_pop") {
                VarKind::VarPop
            } else if f.ends_with("stddev_samp") {
                VarKind::StddevSamp
            } else if f.ends_with("stddev_pop") {
                VarKind::StddevPop
            } else {
                return None;
            })
        };
        Ok(match (a.transfn.as_str(), a.finalfn.as_str()) {
            ("int8inc", _) => AggKind::CountStar,
            ("int8inc_any", _) => AggKind::Count,
            ("int4_sum" | "int2_sum", _) => AggKind::SumInt,
            ("int8_avg_accum", "numeric_poly_sum") => AggKind::SumInt8,
            ("float4pl", _) => AggKind::SumFloat4,
            ("float8pl", _) => AggKind::SumFloat8,
            ("numeric_avg_accum", "numeric_sum") => AggKind::SumNumeric,
            ("interval_pl", _) => AggKind::SumInterval,
            ("int4_avg_accum" | "int2_avg_accum", _) | ("int8_avg_accum", "numeric_poly_avg") => AggKind::AvgInt,
            ("float4_accum" | "float8_accum", "float8_avg") => AggKind::AvgFloat,
            ("numeric_avg_accum", "numeric_avg") => AggKind::AvgNumeric,
            ("interval_accum", "interval_avg") => AggKind::AvgInterval,
            ("booland_statefunc", _) => AggKind::BoolAnd,
            ("boolor_statefunc", _) => AggKind::BoolOr,
            ("int2and" | "int4and" | "int8and", _) => AggKind::BitAnd,
            ("int2or" | "int4or" | "int8or", _) => AggKind::BitOr,
            ("int2xor" | "int4xor" | "int8xor", _) => AggKind::BitXor,
            ("string_agg_transfn", _) => AggKind::StringAgg,
            ("bytea_string_agg_transfn", _) => AggKind::StringAggBytes,
            ("int8inc_float8_float8", _) => AggKind::RegrCount,
            ("float8_regr_accum", f) => AggKind::Regr(match f {
                "float8_regr_sxx" => RegrKind::Sxx,
                "float8_regr_syy" => RegrKind::Syy,
                "float8_regr_sxy" => RegrKind::Sxy,
                "float8_regr_avgx" => RegrKind::AvgX,
                "float8_regr_avgy" => RegrKind::AvgY,
                "float8_regr_r2" => RegrKind::R2,
                "float8_regr_slope" => RegrKind::Slope,
                "float8_regr_intercept" => RegrKind::Intercept,
                "float8_covar_pop" => RegrKind::CovarPop,
                "float8_covar_samp" => RegrKind::CovarSamp,
                "float8_corr" => RegrKind::Corr,
                _ => return Err(Error::feature_not_supported(format!("aggregate function {} is not supported yet", a.name))),
            }),
            ("array_agg_transfn", _) => AggKind::ArrayAgg,
            ("float4_accum" | "float8_accum", f) if var(f).is_some() => AggKind::FloatVar(var(f).unwrap_or(VarKind::VarSamp)),
            ("int2_accum" | "int4_accum" | "int8_accum" | "numeric_accum", f) if var(f).is_some() => {
                AggKind::NumericVar(var(f).unwrap_or(VarKind::VarSamp))
            }
            (t, _) if t.ends_with("smaller") => AggKind::Min,
            (t, _) if t.ends_with("larger") => AggKind::Max,
            _ => return Err(Error::feature_not_supported(format!("aggregate function {} is not supported yet", a.name))),
        })
    }
}

/// The running state of one aggregate for one group.
#[derive(Clone, Debug)]
pub enum AggState {
    Count(i64),
    Int {
        sum: i64,
        any: bool,
    },
    Int128 {
        sum: i128,
        count: i64,
    },
    Float4 {
        sum: f32,
        any: bool,
    },
    Float8 {
        sum: f64,
        any: bool,
    },
    /// Youngs-Cramer: N, Sx, Sxx
    FloatAcc {
        n: f64,
        sx: f64,
        sxx: f64,
    },
    Numeric(NumericSum),
    Interval {
        sum: Interval,
        count: i64,
    },
    Value(Datum),
    Bool(Option<bool>),
    Str {
        buf: Option<String>,
    },
    Bytes {
        buf: Option<Vec<u8>>,
    },
    /// float8_regr_accum: N, Sx, Sxx, Sy, Syy, Sxy
    Regr {
        n: f64,
        sx: f64,
        sxx: f64,
        sy: f64,
        syy: f64,
        sxy: f64,
    },
    Array(Vec<Datum>),
}

pub fn init_state(kind: AggKind) -> AggState {
    match kind {
        AggKind::CountStar | AggKind::Count | AggKind::RegrCount => AggState::Count(0),
        AggKind::Regr(_) => AggState::Regr { n: 0.0, sx: 0.0, sxx: 0.0, sy: 0.0, syy: 0.0, sxy: 0.0 },
        AggKind::StringAggBytes => AggState::Bytes { buf: None },
        AggKind::SumInt => AggState::Int { sum: 0, any: false },
        AggKind::SumInt8 | AggKind::AvgInt => AggState::Int128 { sum: 0, count: 0 },
        AggKind::SumFloat4 => AggState::Float4 { sum: 0.0, any: false },
        AggKind::SumFloat8 => AggState::Float8 { sum: 0.0, any: false },
        AggKind::AvgFloat | AggKind::FloatVar(_) => AggState::FloatAcc { n: 0.0, sx: 0.0, sxx: 0.0 },
        AggKind::SumNumeric | AggKind::AvgNumeric => AggState::Numeric(NumericSum::new()),
        AggKind::NumericVar(_) => AggState::Numeric(NumericSum::with_squares()),
        AggKind::SumInterval | AggKind::AvgInterval => AggState::Interval { sum: Interval::default(), count: 0 },
        AggKind::Min | AggKind::Max | AggKind::BitAnd | AggKind::BitOr | AggKind::BitXor => AggState::Value(Datum::Null),
        AggKind::BoolAnd | AggKind::BoolOr => AggState::Bool(None),
        AggKind::StringAgg => AggState::Str { buf: None },
        AggKind::ArrayAgg => AggState::Array(Vec::new()),
    }
}

fn overflow(what: &str) -> Error {
    Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, format!("{what} out of range"))
}

fn float_overflow() -> Error {
    Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow")
}

fn as_numeric(d: &Datum) -> Result<Numeric> {
    Ok(match d {
        Datum::Int16(v) => Numeric::from_i64(*v as i64),
        Datum::Int32(v) => Numeric::from_i64(*v as i64),
        Datum::Int64(v) => Numeric::from_i64(*v),
        Datum::Numeric(n) => n.clone(),
        other => return Err(Error::internal(format!("numeric aggregate over {other:?}"))),
    })
}

fn as_f64(d: &Datum) -> f64 {
    match d {
        Datum::Float32(v) => *v as f64,
        Datum::Float64(v) => *v,
        Datum::Int16(v) => *v as f64,
        Datum::Int32(v) => *v as f64,
        Datum::Int64(v) => *v as f64,
        _ => 0.0,
    }
}

/// Feeds one input row (aggregate arguments) into the state. `args` are
/// already filtered by FILTER; strict aggregates skip NULL inputs.
pub fn advance(kind: AggKind, state: &mut AggState, args: &[Datum], ret: SqlType) -> Result<()> {
    let first = args.first().unwrap_or(&Datum::Null);
    if !matches!(kind, AggKind::CountStar | AggKind::ArrayAgg | AggKind::StringAgg | AggKind::StringAggBytes) && first.is_null() {
        return Ok(());
    }
    // The two-argument float8 aggregates are strict in both arguments.
    if matches!(kind, AggKind::RegrCount | AggKind::Regr(_)) && args.iter().any(Datum::is_null) {
        return Ok(());
    }
    match (kind, state) {
        (AggKind::CountStar | AggKind::Count | AggKind::RegrCount, AggState::Count(n)) => *n += 1,
        (AggKind::Regr(_), AggState::Regr { n, sx, sxx, sy, syy, sxy }) => {
            // float8_regr_accum: arguments are (Y, X).
            let y = as_f64(first);
            let x = args.get(1).map_or(0.0, as_f64);
            let old_n = *n;
            let nn = old_n + 1.0;
            let (nsx, nsy) = (*sx + x, *sy + y);
            let (mut nsxx, mut nsyy, mut nsxy) = (*sxx, *syy, *sxy);
            if old_n > 0.0 {
                let tmp_x = x * nn - nsx;
                let tmp_y = y * nn - nsy;
                let scale = 1.0 / (nn * old_n);
                nsxx += tmp_x * tmp_x * scale;
                nsyy += tmp_y * tmp_y * scale;
                nsxy += tmp_x * tmp_y * scale;
                if (nsx.is_infinite() || nsxx.is_infinite()) && !sx.is_infinite() && !x.is_infinite()
                    || (nsy.is_infinite() || nsyy.is_infinite()) && !sy.is_infinite() && !y.is_infinite()
                    || nsxy.is_infinite() && !sx.is_infinite() && !x.is_infinite() && !sy.is_infinite() && !y.is_infinite()
                {
                    return Err(float_overflow());
                }
            } else {
                if x.is_nan() || x.is_infinite() {
                    nsxx = f64::NAN;
                    nsxy = f64::NAN;
                }
                if y.is_nan() || y.is_infinite() {
                    nsyy = f64::NAN;
                    nsxy = f64::NAN;
                }
            }
            (*n, *sx, *sxx, *sy, *syy, *sxy) = (nn, nsx, nsxx, nsy, nsyy, nsxy);
        }
        (AggKind::StringAggBytes, AggState::Bytes { buf }) => {
            if let Datum::Bytes(v) = first {
                match buf {
                    None => *buf = Some(v.clone()),
                    Some(b) => {
                        if let Some(Datum::Bytes(d)) = args.get(1) {
                            b.extend_from_slice(d);
                        }
                        b.extend_from_slice(v);
                    }
                }
            }
        }
        (AggKind::SumInt, AggState::Int { sum, any }) => {
            let v = first.as_i64().unwrap_or(0);
            *sum = sum.checked_add(v).ok_or_else(|| overflow("bigint"))?;
            *any = true;
        }
        (AggKind::SumInt8 | AggKind::AvgInt, AggState::Int128 { sum, count }) => {
            *sum += first.as_i64().unwrap_or(0) as i128;
            *count += 1;
        }
        (AggKind::SumFloat4, AggState::Float4 { sum, any }) => {
            let v = as_f64(first) as f32;
            let r = *sum + v;
            if r.is_infinite() && !sum.is_infinite() && !v.is_infinite() {
                return Err(float_overflow());
            }
            *sum = r;
            *any = true;
        }
        (AggKind::SumFloat8, AggState::Float8 { sum, any }) => {
            let v = as_f64(first);
            let r = *sum + v;
            if r.is_infinite() && !sum.is_infinite() && !v.is_infinite() {
                return Err(float_overflow());
            }
            *sum = r;
            *any = true;
        }
        (AggKind::AvgFloat | AggKind::FloatVar(_), AggState::FloatAcc { n, sx, sxx }) => {
            // float8_accum (Youngs-Cramer), with PostgreSQL's overflow checks.
            let x = as_f64(first);
            let nn = *n + 1.0;
            let new_sx = *sx + x;
            let mut new_sxx = *sxx;
            if *n > 0.0 {
                let tmp = x * nn - new_sx;
                new_sxx += tmp * tmp / (nn * *n);
                if (new_sx.is_infinite() || new_sxx.is_infinite()) && !sx.is_infinite() && !x.is_infinite() {
                    return Err(float_overflow());
                }
            } else if x.is_nan() || x.is_infinite() {
                new_sxx = f64::NAN;
            }
            *n = nn;
            *sx = new_sx;
            *sxx = new_sxx;
        }
        (AggKind::SumNumeric | AggKind::AvgNumeric | AggKind::NumericVar(_), AggState::Numeric(s)) => match first {
            Datum::Int16(_) | Datum::Int32(_) | Datum::Int64(_) => s.add_i64(first.as_i64().unwrap_or(0)),
            d => s.add(&as_numeric(d)?),
        },
        (AggKind::SumInterval | AggKind::AvgInterval, AggState::Interval { sum, count }) => {
            if let Datum::Interval(v) = first {
                *sum = interval_pl(*sum, *v)?;
                *count += 1;
            }
        }
        (AggKind::Min | AggKind::Max, AggState::Value(cur)) => {
            if cur.is_null() {
                *cur = first.clone();
            } else {
                let ord = if ret.oid == oid::BPCHAR {
                    match (first, &*cur) {
                        (Datum::Text(a), Datum::Text(b)) => oa_ir::typeio::bpchar_cmp(a, b),
                        _ => first.sql_cmp(cur),
                    }
                } else {
                    first.sql_cmp(cur)
                };
                let better = if kind == AggKind::Min { ord.is_lt() } else { ord.is_gt() };
                if better {
                    *cur = first.clone();
                }
            }
        }
        (AggKind::BitAnd | AggKind::BitOr | AggKind::BitXor, AggState::Value(cur)) => {
            fn op<T: std::ops::BitAnd<Output = T> + std::ops::BitOr<Output = T> + std::ops::BitXor<Output = T>>(kind: AggKind, a: T, b: T) -> T {
                match kind {
                    AggKind::BitAnd => a & b,
                    AggKind::BitOr => a | b,
                    _ => a ^ b,
                }
            }
            *cur = match (&*cur, first) {
                (Datum::Null, v) => v.clone(),
                (Datum::Int16(a), Datum::Int16(b)) => Datum::Int16(op(kind, *a, *b)),
                (Datum::Int32(a), Datum::Int32(b)) => Datum::Int32(op(kind, *a, *b)),
                (Datum::Int64(a), Datum::Int64(b)) => Datum::Int64(op(kind, *a, *b)),
                (c, _) => c.clone(),
            };
        }
        (AggKind::BoolAnd, AggState::Bool(b)) => *b = Some(b.unwrap_or(true) && first.as_bool().unwrap_or(false)),
        (AggKind::BoolOr, AggState::Bool(b)) => *b = Some(b.unwrap_or(false) || first.as_bool().unwrap_or(false)),
        (AggKind::StringAgg, AggState::Str { buf }) => {
            if let Datum::Text(v) = first {
                match buf {
                    None => *buf = Some(v.clone()),
                    Some(s) => {
                        if let Some(Datum::Text(d)) = args.get(1) {
                            s.push_str(d);
                        }
                        s.push_str(v);
                    }
                }
            }
        }
        (AggKind::ArrayAgg, AggState::Array(v)) => v.push(first.clone()),
        (k, s) => return Err(Error::internal(format!("aggregate state {s:?} does not fit {k:?}"))),
    }
    Ok(())
}

/// The aggregate's result for a group.
pub fn finish(kind: AggKind, state: &AggState, ret: SqlType) -> Result<Datum> {
    Ok(match (kind, state) {
        (AggKind::CountStar | AggKind::Count | AggKind::RegrCount, AggState::Count(n)) => Datum::Int64(*n),
        (AggKind::Regr(k), AggState::Regr { n, sx, sxx, sy, syy, sxy }) => regr_final(k, *n, *sx, *sxx, *sy, *syy, *sxy),
        (AggKind::StringAggBytes, AggState::Bytes { buf }) => buf.clone().map(Datum::Bytes).unwrap_or(Datum::Null),
        (AggKind::SumInt, AggState::Int { sum, any }) => {
            if *any {
                Datum::Int64(*sum)
            } else {
                Datum::Null
            }
        }
        (AggKind::SumInt8, AggState::Int128 { sum, count }) => {
            if *count == 0 {
                Datum::Null
            } else {
                Datum::Numeric(Numeric::from_i128(*sum))
            }
        }
        (AggKind::AvgInt, AggState::Int128 { sum, count }) => {
            if *count == 0 {
                Datum::Null
            } else {
                Datum::Numeric(Numeric::from_i128(*sum).div(&Numeric::from_i64(*count))?)
            }
        }
        (AggKind::SumFloat4, AggState::Float4 { sum, any }) => {
            if *any {
                Datum::Float32(*sum)
            } else {
                Datum::Null
            }
        }
        (AggKind::SumFloat8, AggState::Float8 { sum, any }) => {
            if *any {
                Datum::Float64(*sum)
            } else {
                Datum::Null
            }
        }
        (AggKind::AvgFloat, AggState::FloatAcc { n, sx, .. }) => {
            if *n == 0.0 {
                Datum::Null
            } else {
                Datum::Float64(sx / n)
            }
        }
        (AggKind::FloatVar(v), AggState::FloatAcc { n, sxx, .. }) => {
            let samp = matches!(v, VarKind::VarSamp | VarKind::StddevSamp);
            if *n == 0.0 || (samp && *n <= 1.0) {
                Datum::Null
            } else {
                let var = if samp { sxx / (n - 1.0) } else { sxx / n };
                let r = if matches!(v, VarKind::StddevSamp | VarKind::StddevPop) { var.sqrt() } else { var };
                Datum::Float64(r)
            }
        }
        (AggKind::SumNumeric, AggState::Numeric(s)) => {
            if s.count() == 0 {
                Datum::Null
            } else {
                Datum::Numeric(s.sum()?)
            }
        }
        (AggKind::AvgNumeric, AggState::Numeric(s)) => {
            if s.count() == 0 {
                Datum::Null
            } else {
                Datum::Numeric(s.avg()?)
            }
        }
        (AggKind::NumericVar(v), AggState::Numeric(s)) => {
            let r = match v {
                VarKind::VarSamp => s.var_samp()?,
                VarKind::VarPop => s.var_pop()?,
                VarKind::StddevSamp => s.stddev_samp()?,
                VarKind::StddevPop => s.stddev_pop()?,
            };
            r.map(Datum::Numeric).unwrap_or(Datum::Null)
        }
        (AggKind::SumInterval, AggState::Interval { sum, count }) => {
            if *count == 0 {
                Datum::Null
            } else {
                Datum::Interval(*sum)
            }
        }
        (AggKind::AvgInterval, AggState::Interval { sum, count }) => {
            if *count == 0 {
                Datum::Null
            } else {
                Datum::Interval(interval_div(*sum, *count as f64)?)
            }
        }
        (AggKind::Min | AggKind::Max | AggKind::BitAnd | AggKind::BitOr | AggKind::BitXor, AggState::Value(v)) => v.clone(),
        (AggKind::BoolAnd | AggKind::BoolOr, AggState::Bool(b)) => b.map(Datum::Bool).unwrap_or(Datum::Null),
        (AggKind::StringAgg, AggState::Str { buf }) => buf.clone().map(Datum::Text).unwrap_or(Datum::Null),
        (AggKind::ArrayAgg, AggState::Array(v)) => {
            if v.is_empty() {
                Datum::Null
            } else {
                let elem = oa_ir::typeio::builtin_array_elem(ret.oid).unwrap_or(oid::TEXT);
                Datum::Array(Box::new(Array::from_elems(elem, v.clone())))
            }
        }
        (k, s) => return Err(Error::internal(format!("aggregate state {s:?} does not fit {k:?}"))),
    })
}

/// The final functions of float8_regr_accum's state (float.c), NULL where
/// PostgreSQL's are.
fn regr_final(k: RegrKind, n: f64, sx: f64, sxx: f64, sy: f64, syy: f64, sxy: f64) -> Datum {
    let v = match k {
        _ if n < 1.0 => None,
        RegrKind::Sxx => Some(sxx),
        RegrKind::Syy => Some(syy),
        RegrKind::Sxy => Some(sxy),
        RegrKind::AvgX => Some(sx / n),
        RegrKind::AvgY => Some(sy / n),
        RegrKind::CovarPop => Some(sxy / n),
        RegrKind::CovarSamp => (n >= 2.0).then(|| sxy / (n - 1.0)),
        RegrKind::Corr => (sxx != 0.0 && syy != 0.0).then(|| sxy / (sxx * syy).sqrt()),
        RegrKind::R2 if sxx == 0.0 => None,
        RegrKind::R2 if syy == 0.0 => Some(1.0),
        RegrKind::R2 => Some((sxy * sxy) / (sxx * syy)),
        RegrKind::Slope => (sxx != 0.0).then(|| sxy / sxx),
        RegrKind::Intercept => (sxx != 0.0).then(|| (sy - sx * sxy / sxx) / n),
    };
    v.map(Datum::Float64).unwrap_or(Datum::Null)
}

/// DISTINCT inside an aggregate: remembers argument tuples already fed.
#[derive(Default, Clone, Debug)]
pub struct DistinctSet(HashSet<Vec<Datum>>);

impl DistinctSet {
    pub fn first_time(&mut self, args: &[Datum]) -> bool {
        self.0.insert(args.to_vec())
    }
}
