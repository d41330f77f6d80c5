//! The report: `<out>/<date>-sf<sf>[-quick].md` with its tables, and two SVG
//! charts beside it (per-query PG/OA ratios, pgbench TPS).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use crate::compare::Ordered;
use crate::harness::{Config, ENGINES, OA, PG_JIT, PG_OFF, QueryResult, Report, Status, fmt_duration, geomean};
use crate::pgbench;
use crate::runner::Phases;

fn ms(v: Option<f64>) -> String {
    match v {
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
        None => "—".into(),
    }
}

fn ratio(v: Option<f64>) -> String {
    match v {
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) if v >= 0.01 => format!("{v:.3}"),
        Some(v) => format!("{v:.2e}"),
        None => "—".into(),
    }
}

fn mb(peak: Option<f64>, growth: Option<f64>) -> String {
    match (peak, growth) {
        (Some(p), Some(g)) => format!("{p:.0} (+{g:.0})"),
        (Some(p), None) => format!("{p:.0}"),
        _ => "—".into(),
    }
}

/// The base name of this run's files.
pub fn base_name(report: &Report, cfg: &Config) -> String {
    format!("{}-sf{}{}", report.date, cfg.sf, if cfg.quick { "-quick" } else { "" })
}

/// Ratios PG/OA of the queries where both ran and OpenAssay's result matched.
pub fn ratios(report: &Report, pg: usize) -> Vec<f64> {
    report.queries.iter().filter_map(|q| q.ratio(pg)).collect()
}

/// Writes the report and its charts; returns the Markdown file's path.
pub fn write(report: &Report, cfg: &Config) -> Result<PathBuf, String> {
    fs::create_dir_all(&cfg.out_dir).map_err(|e| format!("could not create {}: {e}", cfg.out_dir.display()))?;
    let base = base_name(report, cfg);
    let md_path = cfg.out_dir.join(format!("{base}.md"));
    let queries_svg = format!("{base}-queries.svg");
    let pgbench_svg = format!("{base}-pgbench.svg");
    let mut notes = report.notes.clone();
    let have_queries_chart = !report.queries.is_empty();
    if have_queries_chart && let Err(e) = queries_chart(report, &cfg.out_dir.join(&queries_svg)) {
        notes.push(format!("The query chart could not be drawn: {e}"));
    }
    let have_pgbench_chart = report.pgbench.iter().any(|r| r.results.iter().any(|x| x.tps.is_some()));
    if have_pgbench_chart && let Err(e) = pgbench_chart(report, &cfg.out_dir.join(&pgbench_svg)) {
        notes.push(format!("The pgbench chart could not be drawn: {e}"));
    }
    let text = markdown(report, cfg, &notes, have_queries_chart.then_some(queries_svg.as_str()), have_pgbench_chart.then_some(pgbench_svg.as_str()));
    fs::write(&md_path, text).map_err(|e| format!("could not write {}: {e}", md_path.display()))?;
    Ok(md_path)
}

fn status_counts(report: &Report) -> (usize, usize, usize, usize, usize) {
    let (mut ok, mut mismatch, mut failed, mut timeout, mut other) = (0, 0, 0, 0, 0);
    for q in &report.queries {
        match &q.engines[OA].status {
            Status::Ok => ok += 1,
            Status::Mismatch(_) => mismatch += 1,
            Status::Failed(_) => failed += 1,
            Status::Timeout(_) | Status::Hung(_) => timeout += 1,
            Status::NotRun(_) => other += 1,
        }
    }
    (ok, mismatch, failed, timeout, other)
}

fn markdown(report: &Report, cfg: &Config, notes: &[String], queries_svg: Option<&str>, pgbench_svg: Option<&str>) -> String {
    let mut s = String::new();
    let quick = if cfg.quick { " (quick)" } else { "" };
    let _ = writeln!(s, "# OpenAssay vs PostgreSQL 15: TPC-H SF {} and pgbench{quick}\n", cfg.sf);
    let _ = writeln!(s, "{} · `{}` · {:.0} s in all\n", report.date, cfg.command_line, report.elapsed_secs);

    // Summary.
    let _ = writeln!(s, "## Summary\n");
    if !report.queries.is_empty() {
        let (ok, mismatch, failed, timeout, other) = status_counts(report);
        let _ = writeln!(
            s,
            "- TPC-H: {} queries attempted; OpenAssay: **{ok} ran with results equal to PostgreSQL's**, {mismatch} mismatched, {failed} failed with an error, {timeout} timed out{}.",
            report.queries.len(),
            if other > 0 { format!(", {other} not run") } else { String::new() }
        );
        for (pg, name) in [(PG_OFF, "jit=off"), (PG_JIT, "default JIT")] {
            let r = ratios(report, pg);
            if let Some(g) = geomean(&r) {
                let _ = writeln!(
                    s,
                    "- Geometric mean of PG/OA wall time against PostgreSQL with {name}: **{}** over {} queries (below 1: OpenAssay is slower; it takes {:.1}× PostgreSQL's time).",
                    ratio(Some(g)),
                    r.len(),
                    1.0 / g
                );
            }
        }
    }
    for row in report.pgbench.iter().filter(|r| r.spec.clients == 1 && r.spec.mode == "prepared") {
        let (p, o) = (&row.results[0], &row.results[1]);
        let _ = writeln!(
            s,
            "- pgbench scale {} {}, 1 client, prepared: PostgreSQL {} TPS, OpenAssay {} TPS (PG/OA {}).",
            row.scale,
            row.spec.script,
            ms(p.tps),
            ms(o.tps),
            ratio(p.tps.zip(o.tps).map(|(a, b)| a / b))
        );
    }
    let _ = writeln!(s);

    // Machine, versions, settings.
    let _ = writeln!(s, "## Machine and versions\n");
    for m in &report.machine {
        let _ = writeln!(s, "- {m}");
    }
    for (k, v) in report.versions.iter().chain(&report.settings) {
        let _ = writeln!(s, "- {k}: {v}");
    }
    if report.generate_secs > 0.0 {
        let _ = writeln!(s, "- Data: `tpchgen` 4 (dbgen's data), CSV, generated in-process in {:.1} s", report.generate_secs);
    }
    let _ = writeln!(s);

    if !report.load.is_empty() {
        let _ = writeln!(s, "## Load\n");
        let _ = writeln!(
            s,
            "`COPY … FROM STDIN (FORMAT csv)` over the wire into tables that already have their primary keys; then the extra index and ANALYZE. Times in ms.\n"
        );
        let _ = writeln!(s, "| step | rows | PostgreSQL | OpenAssay | PG/OA |");
        let _ = writeln!(s, "|---|---:|---:|---:|---:|");
        let fmt = |r: &Result<f64, String>| match r {
            Ok(v) => ms(Some(*v)),
            Err(e) => format!("error: {}", e.replace('|', "\\|")),
        };
        let (mut pt, mut ot) = (0.0, 0.0);
        for step in &report.load {
            let rows = step.rows[0].or(step.rows[1]).map(|r| r.to_string()).unwrap_or_default();
            let rows = match (step.rows[0], step.rows[1]) {
                (Some(a), Some(b)) if a != b => format!("{a} (OA: {b})"),
                _ => rows,
            };
            let both = step.ms[0].as_ref().ok().zip(step.ms[1].as_ref().ok());
            if let Some((a, b)) = both {
                pt += a;
                ot += b;
            }
            let _ = writeln!(s, "| {} | {rows} | {} | {} | {} |", step.name, fmt(&step.ms[0]), fmt(&step.ms[1]), ratio(both.map(|(a, b)| a / b)));
        }
        let _ = writeln!(s, "| **total** (steps both finished) | | {} | {} | {} |\n", ms(Some(pt)), ms(Some(ot)), ratio((ot > 0.0).then(|| pt / ot)));
    }

    if !report.queries.is_empty() {
        queries_section(&mut s, report, cfg, queries_svg);
    }
    if !report.pgbench.is_empty() || !report.pgbench_init.is_empty() {
        pgbench_section(&mut s, report, pgbench_svg);
    }
    method_section(&mut s, report, cfg);
    if !notes.is_empty() {
        let _ = writeln!(s, "## Notes\n");
        for n in notes {
            let _ = writeln!(s, "- {n}");
        }
        let _ = writeln!(s);
    }
    s
}

fn queries_section(s: &mut String, report: &Report, cfg: &Config, chart: Option<&str>) {
    let duck = report.duck.is_some();
    let _ = writeln!(s, "## TPC-H queries\n");
    let _ = writeln!(
        s,
        "Median wall time in ms of {} timed run{} after a warm-up, the engines interleaved. PG/OA above 1 means OpenAssay is faster.\n",
        cfg.runs,
        if cfg.runs == 1 { "" } else { "s" }
    );
    if let Some(c) = chart {
        let _ = writeln!(s, "![PG/OA per query]({c})\n");
    }
    let _ = write!(s, "| Q | OpenAssay | rows | PG jit=off | PG jit=on | OpenAssay | PG/OA (jit=off) | PG/OA (jit=on) |");
    if duck {
        let _ = write!(s, " DuckDB |");
    }
    let _ = writeln!(s, " OA limit |");
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|{}---:|", if duck { "---:|" } else { "" });
    for q in &report.queries {
        let e = &q.engines;
        let _ = write!(
            s,
            "| Q{} | {} | {} | {} | {} | {} | {} | {} |",
            q.number,
            e[OA].status.label(),
            e[PG_OFF].rows.map(|r| r.to_string()).unwrap_or_default(),
            cell(&e[PG_OFF]),
            cell(&e[PG_JIT]),
            cell(&e[OA]),
            ratio(q.ratio(PG_OFF)),
            ratio(q.ratio(PG_JIT)),
        );
        if duck {
            let d = q.duck.as_ref().map(|d| match &d.error {
                Some(_) => "error".to_string(),
                None => ms(d.median_ms()),
            });
            let _ = write!(s, " {} |", d.unwrap_or_else(|| "—".into()));
        }
        let _ = writeln!(s, " {} |", q.limit.map(fmt_duration).unwrap_or_default());
    }
    let ratios_off = ratios(report, PG_OFF);
    let ratios_jit = ratios(report, PG_JIT);
    let _ = writeln!(
        s,
        "| **geomean** | {} of {} | | | | | **{}** | **{}** |{} |\n",
        ratios_off.len(),
        report.queries.len(),
        ratio(geomean(&ratios_off)),
        ratio(geomean(&ratios_jit)),
        if duck { " |" } else { "" }
    );

    let _ = writeln!(s, "### CPU and memory per query\n");
    let _ = writeln!(
        s,
        "Median CPU ms (utime+stime from /proc, 10 ms ticks) of the backend; peak RSS in MB of the measured process, with its growth during the query in parentheses.\n"
    );
    let _ = writeln!(s, "| Q | PG CPU | OA CPU (session thread) | OA CPU (process) | PG backend peak RSS | OA server peak RSS | rows compared |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---|");
    for q in &report.queries {
        let (p, o) = (&q.engines[PG_OFF], &q.engines[OA]);
        let _ = writeln!(
            s,
            "| Q{} | {} | {} | {} | {} | {} | {} |",
            q.number,
            ms(p.median_cpu_ms()),
            ms(o.median_cpu_ms()),
            ms(o.median_process_cpu_ms()),
            mb(p.peak_rss_mb(), p.rss_growth_mb()),
            mb(o.peak_rss_mb(), o.rss_growth_mb()),
            ordering(&q.ordered),
        );
    }
    let _ = writeln!(s);
    phase_table(s, report);

    // Everything that did not match or did not run.
    let problems: Vec<&QueryResult> = report.queries.iter().filter(|q| q.engines.iter().any(|e| !matches!(e.status, Status::Ok))).collect();
    if !problems.is_empty() {
        let _ = writeln!(s, "### Mismatches, errors and timeouts\n");
        for q in problems {
            for (i, e) in q.engines.iter().enumerate() {
                let detail = match &e.status {
                    Status::Ok => continue,
                    Status::Mismatch(m) => format!("result differs from PostgreSQL's: {m}"),
                    Status::Failed(err) => format!("`{}` {}", err.code, err.message),
                    Status::Timeout(d) => format!(
                        "cancelled after {} (limit: {}× PostgreSQL's warm-up, at least {}, at most {})",
                        fmt_duration(*d),
                        cfg.timeout_factor,
                        fmt_duration(cfg.timeout_floor),
                        fmt_duration(cfg.timeout_cap)
                    ),
                    Status::Hung(d) => format!(
                        "did not end within {} of its cancel request after {}; the server was killed and restarted",
                        fmt_duration(crate::runner::CANCEL_GRACE),
                        fmt_duration(*d)
                    ),
                    Status::NotRun(why) => format!("not run: {why}"),
                };
                let _ = writeln!(
                    s,
                    "- **Q{}** ({}) on {}: {} [rows compared {}]",
                    q.number,
                    q.title,
                    ENGINES[i],
                    detail.replace('\n', " "),
                    ordering(&q.ordered)
                );
            }
        }
        let _ = writeln!(
            s,
            "\nTo reproduce: load the data as above (or run `cargo nextest run -p oa-slt` for SF 0.01) and run the query from `testdata/tpch/tpch.slt` with `psql -h 127.0.0.1 -p PORT -U postgres` against `openassay --port PORT`.\n"
        );
    }
}

/// How rows were compared, for the tables.
fn ordering(o: &Ordered) -> String {
    match o {
        Ordered::No => "as a multiset (no ORDER BY)".to_string(),
        Ordered::By(k) => format!(
            "in order of column{} {}",
            if k.len() == 1 { "" } else { "s" },
            k.iter().map(|c| (c + 1).to_string()).collect::<Vec<_>>().join(", ")
        ),
        Ordered::Exact => "in exact order".to_string(),
    }
}

fn cell(e: &crate::harness::EngineRun) -> String {
    match &e.status {
        Status::Ok | Status::Mismatch(_) => ms(e.median_wall_ms()),
        Status::Timeout(_) | Status::Hung(_) => "timeout".into(),
        Status::Failed(_) => "error".into(),
        Status::NotRun(_) => "—".into(),
    }
}

fn pgbench_section(s: &mut String, report: &Report, chart: Option<&str>) {
    let _ = writeln!(s, "## pgbench\n");
    for init in &report.pgbench_init {
        let f = |r: &Result<f64, String>| match r {
            Ok(v) => format!("{v:.1} s"),
            Err(e) => format!("failed: {}", e.replace('\n', " ")),
        };
        let _ = writeln!(s, "- `pgbench -i -s {}`: PostgreSQL {}, OpenAssay {}", init.scale, f(&init.secs[0]), f(&init.secs[1]));
    }
    let _ = writeln!(s);
    if let Some(c) = chart {
        let _ = writeln!(s, "![pgbench TPS]({c})\n");
    }
    let _ = writeln!(s, "Latency percentiles in ms from the per-transaction log (`--log`).\n");
    let _ = writeln!(
        s,
        "| scale | script | clients | mode | PG TPS | OA TPS | PG/OA TPS | PG p50 / p99 | OA p50 / p99 | OA/PG p50 | failed PG / OA | command |"
    );
    let _ = writeln!(s, "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|");
    let mut errors = Vec::new();
    for row in &report.pgbench {
        let (p, o) = (&row.results[0], &row.results[1]);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} / {} | {} / {} | {} | {} / {} | `{}` |",
            row.scale,
            row.spec.script,
            row.spec.clients,
            row.spec.mode,
            ms(p.tps),
            ms(o.tps),
            ratio(p.tps.zip(o.tps).map(|(a, b)| a / b)),
            ms(p.p50_ms),
            ms(p.p99_ms),
            ms(o.p50_ms),
            ms(o.p99_ms),
            ratio(o.p50_ms.zip(p.p50_ms).map(|(a, b)| a / b)),
            p.failed,
            o.failed,
            pgbench::command_line(&row.spec)
        );
        for (engine, r) in [("PostgreSQL", p), ("OpenAssay", o)] {
            if let Some(e) = &r.error {
                errors.push(format!(
                    "scale {} {} c{} {} on {engine}: {}",
                    row.scale,
                    row.spec.script,
                    row.spec.clients,
                    row.spec.mode,
                    e.replace('\n', " ")
                ));
            }
        }
    }
    let _ = writeln!(s);
    if !errors.is_empty() {
        let _ = writeln!(s, "pgbench errors:\n");
        for e in errors {
            let _ = writeln!(s, "- {e}");
        }
        let _ = writeln!(s);
    }
}

fn method_section(s: &mut String, report: &Report, cfg: &Config) {
    let _ = writeln!(s, "## Method\n");
    let _ = writeln!(
        s,
        "- Both servers run on this machine in this run, started and stopped by `oa-bench`: a throwaway PostgreSQL cluster and an `openassay` server, each on its own port and data directory."
    );
    let _ = writeln!(
        s,
        "- Each query runs once as a warm-up, then {} timed run{}, in the order PG jit=off, PG jit=on, OpenAssay for each round, over the simple query protocol with rows in text form; the time is the client's (send to last row received).",
        cfg.runs,
        if cfg.runs == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        s,
        "- Results: every OpenAssay run (and PostgreSQL with JIT) is compared with PostgreSQL jit=off's warm-up result: column types equal, values equal as text (numeric, text, char, dates exactly as PostgreSQL prints them), float4/float8 within {:e} relative, and rows in order only as far as the top-level ORDER BY defines it (ties compare as multisets).",
        crate::compare::FLOAT_TOLERANCE
    );
    let _ = writeln!(
        s,
        "- OpenAssay's time limit per query: {}× PostgreSQL's (jit=off) warm-up time, at least {}, at most {}; past it the query is cancelled and reported as a timeout (its ratio is then worse than the limit and left out of the geometric mean).",
        cfg.timeout_factor,
        fmt_duration(cfg.timeout_floor),
        fmt_duration(cfg.timeout_cap)
    );
    for (engine, note) in &report.cpu_notes {
        let _ = writeln!(s, "- CPU of {engine}: {note}.");
    }
    let _ = writeln!(
        s,
        "- Peak RSS: VmHWM of the measured process after resetting it through /proc/PID/clear_refs before each run; for PostgreSQL the backend (shared buffers it touched count), for OpenAssay the whole server (the in-memory database included)."
    );
    let _ = writeln!(
        s,
        "- Data: TPC-H from `tpchgen` at SF {} (dbgen's data); queries and their validation parameters from `testdata/tpch/tpch.slt`.\n",
        cfg.sf
    );
}

/// Bars of PG/OA per query (log scale), for both PostgreSQL runs.
fn queries_chart(report: &Report, path: &Path) -> Result<(), String> {
    let qs = &report.queries;
    let n = qs.len();
    let all: Vec<f64> = qs.iter().flat_map(|q| [q.ratio(PG_OFF), q.ratio(PG_JIT)]).flatten().collect();
    let lo = all.iter().copied().fold(1.0f64, f64::min) / 2.0;
    let hi = all.iter().copied().fold(1.0f64, f64::max) * 2.0;
    let root = SVGBackend::new(path, ((60 * n as u32 + 240).max(720), 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .caption("TPC-H: PostgreSQL time / OpenAssay time (above 1: OpenAssay faster)", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), (lo..hi).log_scale())
        .map_err(|e| e.to_string())?;
    let numbers: Vec<u32> = qs.iter().map(|q| q.number).collect();
    let label = move |x: &f64| {
        let k = x.round();
        if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < numbers.len() { format!("Q{}", numbers[k as usize]) } else { String::new() }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n + 1)
        .x_label_formatter(&label)
        .y_desc("PG / OA (log scale)")
        .y_label_formatter(&|v| ratio(Some(*v)))
        .draw()
        .map_err(|e| e.to_string())?;
    let blue = RGBColor(52, 101, 164);
    let orange = RGBColor(230, 145, 56);
    for (pg, color, offset, name) in [(PG_OFF, blue, -0.38, "vs PG jit=off"), (PG_JIT, orange, 0.0, "vs PG jit=on")] {
        let bars: Vec<Rectangle<(f64, f64)>> = qs
            .iter()
            .enumerate()
            .filter_map(|(i, q)| q.ratio(pg).map(|r| Rectangle::new([(i as f64 + offset, lo), (i as f64 + offset + 0.38, r)], color.filled())))
            .collect();
        chart
            .draw_series(bars)
            .map_err(|e| e.to_string())?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
    }
    // Queries without a ratio: say why at the bottom of their slot.
    let missing: Vec<Text<'_, (f64, f64), String>> = qs
        .iter()
        .enumerate()
        .filter(|(_, q)| q.ratio(PG_OFF).is_none())
        .map(|(i, q)| {
            let word = match &q.engines[OA].status {
                Status::Mismatch(_) => "MISMATCH",
                Status::Failed(_) => "error",
                Status::Timeout(_) | Status::Hung(_) => "timeout",
                _ => "n/a",
            };
            Text::new(word.to_string(), (i as f64 - 0.35, lo * 1.15), ("sans-serif", 11).into_font().color(&RED))
        })
        .collect();
    chart.draw_series(missing).map_err(|e| e.to_string())?;
    chart
        .draw_series(std::iter::once(PathElement::new(vec![(-0.5, 1.0), (n as f64 - 0.5, 1.0)], BLACK.stroke_width(1))))
        .map_err(|e| e.to_string())?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

/// Bars of TPS per pgbench configuration (log scale), both engines.
fn pgbench_chart(report: &Report, path: &Path) -> Result<(), String> {
    let rows = &report.pgbench;
    let n = rows.len();
    let all: Vec<f64> = rows.iter().flat_map(|r| r.results.iter().filter_map(|x| x.tps)).filter(|t| *t > 0.0).collect();
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min).min(1.0) / 2.0;
    let hi = all.iter().copied().fold(1.0f64, f64::max) * 2.0;
    let root = SVGBackend::new(path, ((90 * n as u32 + 240).max(720), 520)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .caption("pgbench: transactions per second", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(60)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), (lo..hi).log_scale())
        .map_err(|e| e.to_string())?;
    let names: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}{} c{} {}",
                if report.pgbench_init.len() > 1 { format!("s{} ", r.scale) } else { String::new() },
                if r.spec.script == "select-only" { "S" } else { "TPC-B" },
                r.spec.clients,
                &r.spec.mode[..4]
            )
        })
        .collect();
    let label = move |x: &f64| {
        let k = x.round();
        if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < names.len() { names[k as usize].clone() } else { String::new() }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n + 1)
        .x_label_formatter(&label)
        .y_desc("TPS (log scale)")
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(|e| e.to_string())?;
    let blue = RGBColor(52, 101, 164);
    let green = RGBColor(78, 154, 6);
    for (i, color, offset, name) in [(0usize, blue, -0.38, "PostgreSQL"), (1, green, 0.0, "OpenAssay")] {
        let bars: Vec<Rectangle<(f64, f64)>> = rows
            .iter()
            .enumerate()
            .filter_map(|(k, r)| {
                r.results[i]
                    .tps
                    .filter(|t| *t > 0.0)
                    .map(|t| Rectangle::new([(k as f64 + offset, lo), (k as f64 + offset + 0.38, t)], color.filled()))
            })
            .collect();
        chart
            .draw_series(bars)
            .map_err(|e| e.to_string())?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

/// Where each engine's time goes, from its own log_*_stats reports.
fn phase_table(s: &mut String, report: &Report) {
    let _ = writeln!(s, "### Phases\n");
    let _ = writeln!(
        s,
        "Elapsed ms per phase from one extra run with `log_parser_stats`, `log_planner_stats` and `log_executor_stats` on, as each server reports them (LOG messages, PostgreSQL's ShowUsage format). bind = parse analysis + rewriting; OpenAssay's compile (pipelines and the backend's code) has a report of its own, PostgreSQL counts its JIT in execute; PostgreSQL with jit=off. OpenAssay's backend: the interpreter (the only one so far).\n"
    );
    let _ = writeln!(s, "| Q | PG parse | PG bind | PG plan | PG execute | OA parse | OA bind | OA optimize | OA compile | OA execute |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let f = |v: f64| format!("{v:.2}");
    for q in &report.queries {
        let cells = |p: &Option<Phases>, compile: bool| match p {
            Some(p) => {
                let mut v = vec![f(p.parse), f(p.bind), f(p.optimize)];
                if compile {
                    v.push(p.compile.map(f).unwrap_or_else(|| "n/a".into()));
                }
                v.push(f(p.execute));
                v.join(" | ")
            }
            None => vec!["–"; if compile { 5 } else { 4 }].join(" | "),
        };
        let _ = writeln!(s, "| Q{} | {} | {} |", q.number, cells(&q.engines[PG_OFF].phases, false), cells(&q.engines[OA].phases, true));
    }
    let _ = writeln!(s);
}
