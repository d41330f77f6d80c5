//! `openassay`: until the wire protocol lands, a line-oriented SQL shell on
//! stdin/stdout over an in-memory engine, printing results the way psql's
//! aligned format does.

use std::io::{BufRead, Write};

fn main() {
    let engine = match oa_runtime::Engine::new_in_memory() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("openassay: could not start: {}", e.message);
            std::process::exit(1);
        }
    };
    let mut session = engine.connect("postgres", "postgres");
    let stdin = std::io::stdin();
    let interactive = std::env::args().all(|a| a != "--quiet");
    let mut buffer = String::new();
    let prompt = |continued: bool| {
        if interactive {
            print!("{}", if continued { "openassay-# " } else { "openassay=# " });
            let _ = std::io::stdout().flush();
        }
    };
    prompt(false);
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        buffer.push_str(&line);
        buffer.push('\n');
        if !oa_server::statement_complete(&buffer) {
            prompt(true);
            continue;
        }
        let sql = std::mem::take(&mut buffer);
        let result = session.execute_each(&sql, |o| print!("{}", oa_server::format_outcome(&o)));
        for n in session.take_notices() {
            eprintln!("{}:  {}", n.severity, n.message);
        }
        if let Err(e) = result {
            eprint!("{}", oa_server::format_error(&e, &sql));
        }
        prompt(false);
    }
}
