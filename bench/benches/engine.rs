//! `cargo bench -p oa-bench`: the engine's layers on their own, in-process.
//!
//! - `grammar`: lexer and lexer+parser throughput (bytes/s) over the
//!   statements of PostgreSQL's regression suite (`../shared/pg_regress`,
//!   or `$OA_PG_REGRESS`; skipped when absent) that both PostgreSQL's grammar
//!   and ours accept.
//! - `optimizer`: bind + optimize of each TPC-H query (`Session::plan`) over
//!   the SF 0.01 schema with ANALYZE statistics.
//! - `interpreter`: TPC-H Q1 (scan, filter, grouped aggregates over numeric)
//!   and Q6 (scan, filter, one aggregate) run through the embedded
//!   Engine/Session API on in-memory SF 0.01 data.
//! - `storage`: heap tuple insert and sequential scan with deform on 8 KB pages.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use oa_bench::tpch;
use oa_grammar::LexOptions;
use oa_ir::{Datum, PhysicalType};
use oa_runtime::{Engine, Session};
use oa_storage::{MemoryBackend, RelFileNumber, Storage, StorageConfig, TupleBatch, TupleDesc, deform_tuple, form_tuple};

fn regress_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("OA_PG_REGRESS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/pg_regress"));
    dir.join("sql").is_dir().then_some(dir)
}

fn grammar(c: &mut Criterion) {
    let Some(dir) = regress_dir() else {
        eprintln!("grammar: no regression suite at ../shared/pg_regress (set OA_PG_REGRESS): skipped");
        return;
    };
    let statements = match oa_slt::regress::statements(&dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("grammar: could not read {}: {e}: skipped", dir.display());
            return;
        }
    };
    // What both grammars accept, with the default standard_conforming_strings.
    let sqls: Vec<String> = statements
        .into_iter()
        .filter(|s| s.pg_accepts && s.exact && s.std_strings)
        .map(|s| s.sql)
        .filter(|sql| oa_grammar::parse(sql).is_ok())
        .collect();
    let bytes: usize = sqls.iter().map(String::len).sum();
    eprintln!("grammar: {} statements, {:.2} MB", sqls.len(), bytes as f64 / 1e6);
    let mut g = c.benchmark_group("grammar");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("lex", |b| {
        b.iter(|| {
            for sql in &sqls {
                black_box(oa_grammar::lexer::tokenize(sql, LexOptions::default()).ok());
            }
        })
    });
    g.bench_function("lex+parse", |b| {
        b.iter(|| {
            for sql in &sqls {
                black_box(oa_grammar::parse(sql).ok());
            }
        })
    });
    g.finish();
}

/// A session over the TPC-H schema loaded at SF 0.01 (the test suite's
/// data, generated once into /tmp), with the extra index and statistics.
fn tpch_session() -> Session {
    let dir = oa_slt::tpch::default_dir();
    oa_slt::tpch::generate(&dir, oa_slt::tpch::SCALE_FACTOR).expect("generate TPC-H data");
    let engine: Arc<Engine> = Engine::new_in_memory().expect("engine");
    let mut session = engine.connect("postgres", "postgres");
    let w = tpch::workload();
    for ddl in &w.ddl {
        session.execute(ddl).expect("DDL");
    }
    for t in tpch::TABLES {
        session.execute(&format!("COPY {t} FROM '{}' (FORMAT csv)", tpch::csv_path(&dir, t).display())).expect("COPY");
    }
    session.execute(tpch::EXTRA_INDEX).expect("index");
    if let Err(e) = session.execute("ANALYZE") {
        eprintln!("ANALYZE failed ({}): plans without statistics", e.message);
    }
    session
}

fn optimizer_and_interpreter(c: &mut Criterion) {
    let mut session = tpch_session();
    let w = tpch::workload();
    let mut g = c.benchmark_group("optimizer");
    g.sample_size(20);
    for q in &w.queries {
        for s in &q.setup {
            session.execute(s).expect("setup");
        }
        let parsed = oa_grammar::parse(&q.sql).expect("TPC-H parses");
        let Some(stmt) = parsed.into_iter().next().map(|r| r.stmt) else { continue };
        match session.plan(&stmt) {
            Ok(_) => {
                g.bench_function(format!("Q{:02}", q.number), |b| b.iter(|| black_box(session.plan(&stmt).ok())));
            }
            Err(e) => eprintln!("optimizer: Q{} does not plan: {}: skipped", q.number, e.message),
        }
        for s in &q.teardown {
            session.execute(s).expect("teardown");
        }
    }
    g.finish();

    let lineitem_rows = 60_175u64;
    let mut g = c.benchmark_group("interpreter");
    g.sample_size(10);
    g.throughput(Throughput::Elements(lineitem_rows));
    for n in [1u32, 6] {
        let Some(q) = w.queries.iter().find(|q| q.number == n) else { continue };
        match session.execute(&q.sql) {
            Ok(_) => {
                g.bench_function(format!("Q{n}"), |b| b.iter(|| black_box(session.execute(&q.sql).ok())));
            }
            Err(e) => eprintln!("interpreter: Q{n} fails: {}: skipped", e.message),
        }
    }
    g.finish();
}

const HEAP: RelFileNumber = RelFileNumber(16384);

fn storage_with_table(pool_pages: usize) -> Arc<Storage> {
    let s = Storage::new(StorageConfig { buffer_pool_pages: pool_pages }, Box::new(MemoryBackend::new())).expect("storage");
    let mut t = s.begin();
    s.create_relation(&mut t, HEAP).expect("create");
    t.commit().expect("commit");
    s
}

fn storage(c: &mut Criterion) {
    const ROWS: i32 = 20_000;
    let desc = TupleDesc::new(vec![PhysicalType::Int32, PhysicalType::Int64, PhysicalType::Text]);
    let tuples: Vec<Vec<u8>> = (0..ROWS)
        .map(|i| form_tuple(&desc, &[Datum::Int32(i), Datum::Int64(i64::from(i) * 7), Datum::Text(format!("row number {i:08}"))]).expect("form"))
        .collect();
    let mut g = c.benchmark_group("storage");
    g.throughput(Throughput::Elements(ROWS as u64));
    g.sample_size(20);
    g.bench_function("heap insert", |b| {
        b.iter_batched(
            || storage_with_table(4096),
            |s| {
                let mut t = s.begin();
                let cid = t.command_id();
                for tup in &tuples {
                    s.insert(HEAP, tup, &mut t, cid).expect("insert");
                }
                t.commit().expect("commit");
                s
            },
            BatchSize::PerIteration,
        )
    });
    let s = storage_with_table(4096);
    let mut t = s.begin();
    let cid = t.command_id();
    for tup in &tuples {
        s.insert(HEAP, tup, &mut t, cid).expect("insert");
    }
    t.commit().expect("commit");
    let reader = s.begin();
    let snapshot = s.snapshot(&reader);
    g.bench_function("heap scan", |b| {
        b.iter(|| {
            let mut scan = s.scan(HEAP, &snapshot).expect("scan");
            let mut batch = TupleBatch::new();
            let mut n = 0usize;
            while scan.next_page(&mut batch).expect("page") {
                n += batch.len();
            }
            black_box(n)
        })
    });
    g.bench_function("heap scan + deform", |b| {
        b.iter(|| {
            let mut scan = s.scan(HEAP, &snapshot).expect("scan");
            let mut batch = TupleBatch::new();
            let mut sum = 0i64;
            while scan.next_page(&mut batch).expect("page") {
                for (_, tup) in batch.iter() {
                    if let Some(Datum::Int64(v)) = deform_tuple(&desc, tup).ok().as_ref().and_then(|values| values.get(1)) {
                        sum += v;
                    }
                }
            }
            black_box(sum)
        })
    });
    g.finish();
    reader.abort();
}

criterion_group!(benches, grammar, optimizer_and_interpreter, storage);
criterion_main!(benches);
