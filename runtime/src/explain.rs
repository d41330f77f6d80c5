//! EXPLAIN: binds and optimizes the statement, then prints our physical plan
//! in PostgreSQL's text format.

use oa_grammar::ast::{self, Statement};
use oa_ir::types::oid;
use oa_ir::{Error, Result};

use crate::session::{Field, Outcome, Session};

pub fn explain(session: &mut Session, e: &ast::ExplainStmt, _sql: &str) -> Result<Outcome> {
    let mut options = oa_ir::explain::ExplainOptions { costs: true, verbose: false };
    for o in &e.options {
        let on = match &o.value {
            None => true,
            Some(ast::DefValue::Word(w) | ast::DefValue::String(w)) => crate::settings::parse_bool(w).ok_or_else(|| {
                Error::new(oa_ir::SqlState::INVALID_PARAMETER_VALUE, format!("{} requires a Boolean value", o.name.to_ascii_uppercase()))
                    .with_position(o.loc)
            })?,
            Some(ast::DefValue::Number(n)) => n != "0",
            Some(_) => true,
        };
        match o.name.as_str() {
            "costs" => options.costs = on,
            "verbose" => options.verbose = on,
            "analyze" if on => return Err(Error::feature_not_supported("EXPLAIN ANALYZE is not supported yet").with_position(o.loc)),
            "analyze" | "summary" | "timing" | "buffers" | "settings" | "wal" => {}
            "format" => {
                if !matches!(&o.value, Some(ast::DefValue::Word(w)) if w == "text") {
                    return Err(Error::feature_not_supported("EXPLAIN formats other than TEXT are not supported yet").with_position(o.loc));
                }
            }
            other => {
                return Err(Error::new(oa_ir::SqlState::SYNTAX_ERROR, format!("unrecognized EXPLAIN option \"{other}\"")).with_position(o.loc));
            }
        }
    }
    match &*e.statement {
        Statement::Select(_) | Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => {}
        Statement::Execute(_) | Statement::CreateTableAs(_) => {
            return Err(Error::feature_not_supported("EXPLAIN of this statement is not supported yet"));
        }
        _ => return Err(Error::new(oa_ir::SqlState::SYNTAX_ERROR, "syntax error: EXPLAIN needs a query")),
    }
    let snapshot = session.statement_snapshot()?;
    let catalog = session.catalog_view(&snapshot)?;
    let ctx = session.bind_context(Vec::new())?;
    let bound = oa_frontend::bind_query(&e.statement, &*catalog, &ctx)?;
    let optimized = oa_optimizer::optimize(bound.plan, &*catalog, &session.optimizer_options())?;
    // Subqueries are planned as the executor plans them when they first run.
    let plan_subquery = |p: &oa_ir::LogicalPlan| Ok(oa_optimizer::optimize(p.clone(), &*catalog, &oa_optimizer::OptimizerOptions::default())?.plan);
    let lines = oa_ir::explain::explain_text_with(&optimized.plan, &options, &ctx.io, &plan_subquery)?;
    let field = Field { name: "QUERY PLAN".into(), type_oid: oid::TEXT, typmod: -1, type_name: "text".into(), table_oid: 0, attnum: 0 };
    Ok(Outcome::Rows { fields: vec![field], rows: lines.into_iter().map(|l| vec![Some(l)]).collect(), tag: "EXPLAIN".into() })
}
