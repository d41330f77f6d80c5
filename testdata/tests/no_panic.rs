//! Nothing in PostgreSQL's regression suite may panic the lexer, parser,
//! binder or optimizer: every statement is parsed, then bound and optimized
//! against a database that starts with the built-in catalog only; DDL is
//! executed as it comes, so later statements see the tables the suite
//! created. Errors are fine; panics fail the test with their statements.

use std::panic::{AssertUnwindSafe, catch_unwind};

use oa_slt::regress::{default_suite_dir, split_suite};

#[test]
fn regression_suite_never_panics_the_front_half() {
    let dir = default_suite_dir();
    let files = split_suite(&dir).unwrap_or_else(|e| panic!("reading the suite at {}: {e}", dir.display()));
    let engine = oa_runtime::Engine::new_in_memory().expect("engine");
    let mut session = engine.connect("postgres", "regression");
    // Panics are caught and counted; keep the default hook from printing each one.
    std::panic::set_hook(Box::new(|_| {}));
    let (mut statements, mut parsed, mut planned) = (0usize, 0usize, 0usize);
    let mut panics = Vec::new();
    // OA_NO_PANIC_TRACE=1 names each statement before it runs (to find a crash).
    let trace = std::env::var_os("OA_NO_PANIC_TRACE").is_some();
    for f in &files {
        for st in &f.statements {
            statements += 1;
            if trace {
                eprintln!("{}:{}", st.file, st.line);
            }
            let parse = catch_unwind(|| oa_grammar::parse(&st.sql));
            let Ok(parse) = parse else {
                panics.push(format!("{}:{} (parse): {}", st.file, st.line, st.sql.lines().next().unwrap_or("")));
                continue;
            };
            let Ok(raws) = parse else { continue };
            parsed += 1;
            for raw in raws {
                if is_ddl(&raw.stmt) {
                    let text = st.sql.get(raw.start..raw.end).unwrap_or(&st.sql);
                    if catch_unwind(AssertUnwindSafe(|| session.execute(text))).is_err() {
                        panics.push(format!("{}:{} (DDL): {}", st.file, st.line, st.sql.lines().next().unwrap_or("")));
                    }
                    continue;
                }
                let r = catch_unwind(AssertUnwindSafe(|| session.plan(&raw.stmt)));
                match r {
                    Ok(Ok(Some(_))) => planned += 1,
                    Ok(_) => {}
                    Err(_) => panics.push(format!("{}:{} (bind/optimize): {}", st.file, st.line, st.sql.lines().next().unwrap_or(""))),
                }
            }
        }
    }
    let _ = std::panic::take_hook();
    println!("{statements} statements, {parsed} parsed, {planned} bound and optimized, {} panics", panics.len());
    assert!(panics.is_empty(), "{} statements panicked:\n{}", panics.len(), panics.iter().take(50).cloned().collect::<Vec<_>>().join("\n"));
}

fn is_ddl(s: &oa_grammar::ast::Statement) -> bool {
    use oa_grammar::ast::Statement as S;
    matches!(
        s,
        S::CreateTable(_)
            | S::CreateView(_)
            | S::CreateIndex(_)
            | S::CreateSequence(_)
            | S::CreateSchema(_)
            | S::AlterTable(_)
            | S::Drop(_)
            | S::Rename(_)
    )
}
