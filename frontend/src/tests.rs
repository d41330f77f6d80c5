//! Binder tests over the built-in catalog: operator and function
//! resolution, SQL-function inlining, row comparisons.

use oa_ir::expr::ScalarExpr;
use oa_ir::types::{SqlType, oid};
use oa_ir::{Error, SqlState};

use crate::testcat::catalog;
use crate::{BindContext, bind_standalone_expr};

fn bind(sql: &str) -> Result<ScalarExpr, Error> {
    let e = oa_grammar::parse_expr(sql).map_err(|e| Error::internal(e.message))?;
    bind_standalone_expr(&e, None, catalog(), &BindContext::default())
}

fn err(sql: &str) -> (SqlState, String) {
    let e = bind(sql).expect_err(sql);
    (e.code, e.message)
}

fn ty(sql: &str) -> SqlType {
    bind(sql).unwrap_or_else(|e| panic!("{sql}: {}", e.message)).ty()
}

#[test]
fn mismatched_operators_do_not_exist() {
    // Range/multirange operators must not make these ambiguous.
    for (sql, msg) in [
        ("1 = 'a'::text", "operator does not exist: integer = text"),
        ("'1'::text + 1", "operator does not exist: text + integer"),
        ("interval '1 day' * interval '1 day'", "operator does not exist: interval * interval"),
        ("date '2001-01-01' + date '2001-01-01'", "operator does not exist: date + date"),
        ("date '2001-01-01' * 2", "operator does not exist: date * integer"),
    ] {
        assert_eq!(err(sql), (SqlState::UNDEFINED_FUNCTION, msg.to_string()), "{sql}");
    }
}

#[test]
fn ambiguous_unknowns_stay_ambiguous() {
    assert_eq!(err("'2001-01-01' - '2000-01-01'"), (SqlState::AMBIGUOUS_FUNCTION, "operator is not unique: unknown - unknown".to_string()));
}

#[test]
fn array_operators_resolve_polymorphically() {
    assert_eq!(ty("ARRAY[1, 2] = '{1,2}'"), SqlType::BOOL);
    assert_eq!(ty("ARRAY[1, 2] @> ARRAY[2]"), SqlType::BOOL);
    assert_eq!(ty("ARRAY[1, 2] < ARRAY[3]"), SqlType::BOOL);
    assert_eq!(ty("ARRAY[1, 2] || 3").oid, oid::INT4_ARRAY);
    // The unknown literal takes the array type of the other side.
    let ScalarExpr::Func { args, .. } = bind("ARRAY[1] @> '{6}'").unwrap() else { panic!("not a call") };
    assert_eq!(args[1].ty().oid, oid::INT4_ARRAY);
}

#[test]
fn unnest_of_an_array_is_unique() {
    let e = oa_grammar::parse_expr("unnest(ARRAY[1])").unwrap();
    // Outside a select list an SRF is rejected, but not as ambiguous.
    let got = bind_standalone_expr(&e, None, catalog(), &BindContext::default()).expect_err("srf");
    assert_ne!(got.code, SqlState::AMBIGUOUS_FUNCTION);
}

#[test]
fn sql_functions_are_inlined() {
    // round(numeric) is `round($1, 0)` from system_functions.sql.
    let ScalarExpr::Func { func, args } = bind("round(2.5)").unwrap() else { panic!("not a call") };
    assert_eq!(func.prosrc, "numeric_round");
    assert_eq!(args.len(), 2);
    // textanycat's body is `$1 || $2::text`.
    let ScalarExpr::Func { func, .. } = bind("'n=' || 42").unwrap() else { panic!("not a call") };
    assert_eq!(func.prosrc, "textcat");
    // integer + date is date + integer.
    let ScalarExpr::Func { func, .. } = bind("1 + date '2001-01-01'").unwrap() else { panic!("not a call") };
    assert_eq!(func.prosrc, "date_pli");
}

#[test]
fn named_arguments_take_defaults() {
    let ScalarExpr::Func { func, args } = bind("make_interval(years => 1, days => 2)").unwrap() else { panic!("not a call") };
    assert_eq!(func.prosrc, "make_interval");
    assert_eq!(args.len(), 7);
    assert_eq!(args[6].ty(), SqlType::FLOAT8);
}

#[test]
fn row_comparisons_expand() {
    assert!(matches!(bind("(1, 2) = (1, 3)").unwrap(), ScalarExpr::And(_)));
    assert!(matches!(bind("(1, 2) <> (1, 3)").unwrap(), ScalarExpr::Or(_)));
    assert!(matches!(bind("(1, 2) < (1, 3)").unwrap(), ScalarExpr::Or(_)));
    assert!(matches!(bind("(1, NULL) IS NULL").unwrap(), ScalarExpr::And(_)));
    assert_eq!(err("(1, 2) = (1, 2, 3)").1, "unequal number of entries in row expressions");
}

#[test]
fn case_resolves_the_else_branch_first() {
    assert_eq!(
        err("CASE WHEN true THEN 1 ELSE true END"),
        (SqlState::DATATYPE_MISMATCH, "CASE types boolean and integer cannot be matched".to_string())
    );
}

#[test]
fn explicit_casts_truncate() {
    // The literal is read without the typmod; the length coercion applies after.
    let e = bind("'abc'::varchar(2)").unwrap();
    assert_eq!(e.ty(), SqlType::with_typmod(oid::VARCHAR, 6));
    assert!(matches!(e, ScalarExpr::Cast { explicit: true, .. }));
}
