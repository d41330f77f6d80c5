//! `openassay --shell`: a line-oriented SQL shell on stdin/stdout over an
//! in-memory engine, printing results the way psql's aligned format does.

use std::io::{BufRead, Write};

/// Runs the shell until end of input; `prompt` prints psql-like prompts.
pub fn run(prompt: bool) -> Result<(), String> {
    let engine = oa_runtime::Engine::new_in_memory().map_err(|e| e.message)?;
    let mut session = engine.connect("postgres", "postgres");
    let stdin = std::io::stdin();
    let mut buffer = String::new();
    let show_prompt = |continued: bool| {
        if prompt {
            print!("{}", if continued { "openassay-# " } else { "openassay=# " });
            let _ = std::io::stdout().flush();
        }
    };
    show_prompt(false);
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        buffer.push_str(&line);
        buffer.push('\n');
        if !crate::statement_complete(&buffer) {
            show_prompt(true);
            continue;
        }
        let sql = std::mem::take(&mut buffer);
        let result = session.execute_each(&sql, |o| print!("{}", crate::format_outcome(&o)));
        for n in session.take_notices() {
            eprintln!("{}:  {}", n.severity, n.message);
        }
        if let Err(e) = result {
            eprint!("{}", crate::format_error(&e, &sql));
        }
        show_prompt(false);
    }
    Ok(())
}
