//! Operator and function calls: candidate lookup on the search path, the
//! narrowing in `resolve`, polymorphic result types, argument coercion, and
//! PostgreSQL's "does not exist" / "is not unique" errors with their hints.

use std::sync::Arc;

use oa_ir::catalog::{OperatorDesc, ProcDesc};
use oa_ir::expr::{FuncRef, ScalarExpr, Volatility};
use oa_ir::types::{Oid, SqlType, oid};
use oa_ir::{Error, Result, SqlState};

use super::Binder;
use crate::resolve::{CoercionContext, CoercionPath};

/// A function candidate with its effective argument list (defaults dropped,
/// VARIADIC expanded, named arguments reordered to call order).
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub proc: Arc<ProcDesc>,
    pub args: Vec<Oid>,
    /// Position in the declared parameter list of each call argument.
    pub arg_positions: Vec<usize>,
    /// Number of trailing declared parameters filled by defaults.
    pub ndefaults: usize,
    /// Call arguments from this index on are packed into the VARIADIC array.
    pub variadic_from: Option<usize>,
}

pub(crate) enum FuncLookup {
    Func(Candidate),
    /// `typename(x)`: a function-style cast.
    Coercion(Oid),
}

impl<'a> Binder<'a> {
    fn operator_error_name(&self, name: &[String], left: Option<Oid>, right: Oid) -> String {
        let op = name.last().cloned().unwrap_or_default();
        let op = if name.len() > 1 { format!("{}.{op}", name[..name.len() - 1].join(".")) } else { op };
        match left {
            Some(l) => format!("{} {op} {}", self.type_name_oid(l), self.type_name_oid(right)),
            None => format!("{op} {}", self.type_name_oid(right)),
        }
    }

    /// Finds the operator for `left op right` (left None for prefix operators): oper()/left_oper().
    pub fn find_operator(&self, name: &[String], left: Option<Oid>, right: Oid, loc: usize) -> Result<Arc<OperatorDesc>> {
        let (ns, opname) = match name {
            [n] => (None, n.as_str()),
            [s, n] => (Some(self.lookup_namespace(s, loc)?), n.as_str()),
            _ => {
                return Err(Error::new(SqlState::SYNTAX_ERROR, format!("improper qualified name (too many dotted names): {}", name.join(".")))
                    .with_position(loc));
            }
        };
        let kind = if left.is_some() { b'b' } else { b'l' };
        let cands = self.resolver.operator_candidates(ns, opname, kind);
        // binary_oper_exact: an unknown side is assumed to be the other side's
        // type (then its base type, for a domain).
        let exact = |l: Oid, r: Oid| cands.iter().find(|o| o.left == l && o.right == r).cloned();
        match left {
            Some(l) => {
                let (el, er, was_unknown) = if l == oid::UNKNOWN && right != oid::UNKNOWN {
                    (right, right, true)
                } else if right == oid::UNKNOWN && l != oid::UNKNOWN {
                    (l, l, true)
                } else {
                    (l, right, false)
                };
                if let Some(op) = exact(el, er) {
                    return Ok(op);
                }
                if was_unknown {
                    let base = self.resolver.base_type(el);
                    if base != el
                        && let Some(op) = exact(base, base)
                    {
                        return Ok(op);
                    }
                }
            }
            None => {
                if let Some(op) = exact(0, right) {
                    return Ok(op);
                }
            }
        }
        let lt = left;
        let rt = right;
        let inputs: Vec<Oid> = match lt {
            Some(l) => vec![l, rt],
            None => vec![rt],
        };
        let sigs: Vec<Vec<Oid>> = cands.iter().map(|o| if left.is_some() { vec![o.left, o.right] } else { vec![o.right] }).collect();
        let matching: Vec<usize> = (0..cands.len()).filter(|&i| self.resolver.can_coerce_all(&inputs, &sigs[i], CoercionContext::Implicit)).collect();
        let chosen = match matching.len() {
            0 => None,
            1 => Some(matching[0]),
            _ => {
                let sub: Vec<Vec<Oid>> = matching.iter().map(|&i| sigs[i].clone()).collect();
                let best = self.resolver.select_candidate(&inputs, &sub);
                if best.len() == 1 {
                    Some(matching[best[0]])
                } else {
                    return Err(Error::new(
                        SqlState::AMBIGUOUS_FUNCTION,
                        format!("operator is not unique: {}", self.operator_error_name(name, left, right)),
                    )
                    .with_hint("Could not choose a best candidate operator. You might need to add explicit type casts.")
                    .with_position(loc));
                }
            }
        };
        match chosen {
            Some(i) => Ok(cands[i].clone()),
            None => {
                Err(Error::new(SqlState::UNDEFINED_FUNCTION, format!("operator does not exist: {}", self.operator_error_name(name, left, right)))
                    .with_hint(if left.is_some() {
                        "No operator matches the given name and argument types. You might need to add explicit type casts."
                    } else {
                        "No operator matches the given name and argument type. You might need to add an explicit type cast."
                    })
                    .with_position(loc))
            }
        }
    }

    /// Builds `left op right` (or prefix `op right`) with coerced arguments.
    pub fn make_operator(&mut self, name: &[String], left: Option<ScalarExpr>, right: ScalarExpr, loc: usize) -> Result<ScalarExpr> {
        let op = self.find_operator(name, left.as_ref().map(|l| l.ty().oid), right.ty().oid, loc)?;
        self.apply_operator(&op, left, right, loc)
    }

    pub fn apply_operator(&mut self, op: &OperatorDesc, left: Option<ScalarExpr>, right: ScalarExpr, loc: usize) -> Result<ScalarExpr> {
        let proc = self.catalog.proc(op.code).ok_or_else(|| Error::internal(format!("operator {} has no function", op.oid)).with_position(loc))?;
        let mut inputs = Vec::new();
        let mut declared = Vec::new();
        if let Some(l) = &left {
            inputs.push(l.ty().oid);
            declared.push(op.left);
        }
        inputs.push(right.ty().oid);
        declared.push(op.right);
        let (args_ty, ret) = self.resolver.enforce_generic_type_consistency(&inputs, &declared, op.result).map_err(|e| e.with_position(loc))?;
        let mut args = Vec::new();
        let mut i = 0;
        if let Some(l) = left {
            args.push(self.coerce_implicit(l, SqlType::new(args_ty[i]), loc)?);
            i += 1;
        }
        args.push(self.coerce_implicit(right, SqlType::new(args_ty[i]), loc)?);
        let func = FuncRef {
            oid: proc.oid,
            name: proc.name.clone(),
            prosrc: proc.prosrc.clone(),
            arg_types: args.iter().map(|a| a.ty()).collect(),
            ret_type: SqlType::new(ret),
            strict: proc.strict,
            volatility: Volatility::from_char(proc.volatility),
            retset: proc.retset,
            operator: Some(op.name.clone()),
        };
        self.finish_call(&proc, Arc::new(func), args)
    }

    /// The `=` (or other comparison) operator between two types, as a FuncRef,
    /// with both arguments coerced: for IN lists, CASE, NULLIF, IS DISTINCT FROM.
    pub fn comparison(&mut self, opname: &str, left: ScalarExpr, right: ScalarExpr, loc: usize) -> Result<(Arc<FuncRef>, ScalarExpr, ScalarExpr)> {
        let e = self.make_operator(&[opname.to_string()], Some(left), right, loc)?;
        let ScalarExpr::Func { func, mut args } = e else { return Err(Error::internal("operator did not bind to a call")) };
        if func.ret_type.oid != oid::BOOL {
            return Err(Error::new(
                SqlState::DATATYPE_MISMATCH,
                format!("operator {opname} must return type boolean, not type {}", self.type_name(func.ret_type)),
            )
            .with_position(loc));
        }
        let r = args.pop().unwrap_or_else(|| ScalarExpr::null(SqlType::UNKNOWN));
        let l = args.pop().unwrap_or_else(|| ScalarExpr::null(SqlType::UNKNOWN));
        Ok((func, l, r))
    }

    /// Candidates for a call with `nargs` positional arguments and the given
    /// named ones (FuncnameGetCandidates).
    pub fn call_candidates(&self, ns: Option<Oid>, name: &str, nargs: usize, names: &[Option<String>], explicit_variadic: bool) -> Vec<Candidate> {
        let npositional = names.iter().take_while(|n| n.is_none()).count();
        let mut out = Vec::new();
        for p in self.resolver.function_candidates(ns, name) {
            let pronargs = p.arg_types.len();
            let ndefaults = super::inline::arg_defaults(&p).len().min(pronargs);
            // Named notation: map each named argument to its parameter.
            if names.iter().any(|n| n.is_some()) {
                let mut positions: Vec<usize> = (0..npositional).collect();
                let mut ok = npositional <= pronargs;
                for n in names.iter().skip(npositional).flatten() {
                    match p.arg_names.iter().position(|a| a == n) {
                        Some(i) if !positions.contains(&i) => positions.push(i),
                        _ => ok = false,
                    }
                }
                if !ok {
                    continue;
                }
                // Unsupplied parameters must all have defaults.
                let first_default = pronargs - ndefaults;
                if (0..pronargs).any(|i| !positions.contains(&i) && i < first_default) {
                    continue;
                }
                let args = positions.iter().map(|&i| p.arg_types[i]).collect();
                out.push(Candidate { proc: p.clone(), args, arg_positions: positions, ndefaults: pronargs - nargs, variadic_from: None });
                continue;
            }
            if p.variadic != 0 && !explicit_variadic && pronargs > 0 && pronargs <= nargs {
                // Expanded VARIADIC form (at least one variadic argument): the
                // last parameter repeats its element type.
                let mut args: Vec<Oid> = p.arg_types[..pronargs - 1].to_vec();
                while args.len() < nargs {
                    args.push(p.variadic);
                }
                out.push(Candidate {
                    proc: p.clone(),
                    args,
                    arg_positions: (0..nargs).map(|i| i.min(pronargs - 1)).collect(),
                    ndefaults: 0,
                    variadic_from: Some(pronargs - 1),
                });
                continue;
            }
            if nargs == pronargs || (nargs < pronargs && nargs + ndefaults >= pronargs) {
                out.push(Candidate {
                    proc: p.clone(),
                    args: p.arg_types[..nargs].to_vec(),
                    arg_positions: (0..nargs).collect(),
                    ndefaults: pronargs - nargs,
                    variadic_from: None,
                });
            }
        }
        out
    }

    /// func_get_detail: picks the function for a call, or detects a function-style cast.
    pub fn lookup_function(
        &self,
        qualified: &[String],
        inputs: &[Oid],
        names: &[Option<String>],
        explicit_variadic: bool,
        arg_is_const: bool,
        loc: usize,
    ) -> Result<FuncLookup> {
        let (ns, name) = self.split_qualified(qualified, loc)?;
        let cands = self.call_candidates(ns, name, inputs.len(), names, explicit_variadic);
        let base: Vec<Oid> = inputs.iter().map(|t| self.resolver.base_type(*t)).collect();
        if let Some(c) = cands.iter().find(|c| c.args == base) {
            return Ok(FuncLookup::Func(c.clone()));
        }
        // A one-argument call named like a type is a cast when the cast is trivial.
        if inputs.len() == 1 && names.iter().all(|n| n.is_none()) {
            let type_found = match ns {
                Some(n) => self.catalog.type_by_name(n, name),
                None => self.catalog.search_path().into_iter().find_map(|n| self.catalog.type_by_name(n, name)),
            };
            if let Some(t) = type_found
                && t.typtype != b'p'
            {
                let source = inputs[0];
                let is_coercion = if source == oid::UNKNOWN && arg_is_const {
                    true
                } else {
                    match self.resolver.coercion_pathway(t.oid, source, CoercionContext::Explicit) {
                        CoercionPath::Relabel => true,
                        CoercionPath::CoerceViaIo => !(source == oid::RECORD && self.resolver.category(t.oid) == crate::resolve::category::STRING),
                        _ => false,
                    }
                };
                if is_coercion {
                    return Ok(FuncLookup::Coercion(t.oid));
                }
            }
        }
        let matching: Vec<&Candidate> = cands.iter().filter(|c| self.resolver.can_coerce_all(inputs, &c.args, CoercionContext::Implicit)).collect();
        let chosen = match matching.len() {
            0 => None,
            1 => Some(matching[0]),
            _ => {
                let sigs: Vec<Vec<Oid>> = matching.iter().map(|c| c.args.clone()).collect();
                let best = self.resolver.select_candidate(inputs, &sigs);
                if best.len() == 1 {
                    Some(matching[best[0]])
                } else {
                    return Err(Error::new(
                        SqlState::AMBIGUOUS_FUNCTION,
                        format!("function {} is not unique", self.func_signature(qualified, inputs, names)),
                    )
                    .with_hint("Could not choose a best candidate function. You might need to add explicit type casts.")
                    .with_position(loc));
                }
            }
        };
        match chosen {
            Some(c) => Ok(FuncLookup::Func(c.clone())),
            None => {
                let hint = "No function matches the given name and argument types. You might need to add explicit type casts.";
                Err(Error::new(SqlState::UNDEFINED_FUNCTION, format!("function {} does not exist", self.func_signature(qualified, inputs, names)))
                    .with_hint(hint)
                    .with_position(loc))
            }
        }
    }

    /// func_signature_string: `name(type, type)`, with `name => type` for named arguments.
    pub fn func_signature(&self, qualified: &[String], inputs: &[Oid], names: &[Option<String>]) -> String {
        let args: Vec<String> = inputs
            .iter()
            .zip(names.iter().chain(std::iter::repeat(&None)))
            .map(|(t, n)| match n {
                Some(n) => format!("{n} => {}", self.type_name_oid(*t)),
                None => self.type_name_oid(*t),
            })
            .collect();
        format!("{}({})", qualified.join("."), args.join(", "))
    }

    /// A FuncRef for a resolved candidate, with polymorphic types resolved.
    pub fn candidate_ref(&self, c: &Candidate, inputs: &[Oid], loc: usize) -> Result<(Arc<FuncRef>, Vec<Oid>)> {
        let p = &c.proc;
        let (args, mut ret_type) = {
            let (args, ret) = self.resolver.enforce_generic_type_consistency(inputs, &c.args, p.ret_type).map_err(|e| e.with_position(loc))?;
            (args, SqlType::new(ret))
        };
        // A record of OUT parameters: a registered record type naming its fields.
        let out = p.out_columns();
        if ret_type.oid == oid::RECORD && !out.is_empty() {
            let mut fields = Vec::with_capacity(out.len());
            for (name, t) in out {
                let (_, t) = self.resolver.enforce_generic_type_consistency(inputs, &c.args, t).map_err(|e| e.with_position(loc))?;
                fields.push((name, SqlType::new(t)));
            }
            ret_type = oa_ir::types::records::register(fields);
        }
        let func = FuncRef {
            oid: p.oid,
            name: p.name.clone(),
            prosrc: p.prosrc.clone(),
            arg_types: args.iter().map(|t| SqlType::new(*t)).collect(),
            ret_type,
            strict: p.strict,
            volatility: Volatility::from_char(p.volatility),
            retset: p.retset,
            operator: None,
        };
        Ok((Arc::new(func), args))
    }
}
