//! Resource usage per query phase, reported as PostgreSQL's ShowUsage does
//! (`log_parser_stats`, `log_planner_stats`, `log_executor_stats`,
//! `log_statement_stats`): a LOG message titled by the phase whose DETAIL is
//! the "! system usage stats" block. This is how the time a statement spends
//! in parse, bind, optimize, compile and execute reaches a client (the
//! benchmark harness reads it from both engines the same way).

use crate::session::Notice;
use oa_ir::SqlState;

/// getrusage(2) figures plus wall-clock time, at one moment.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    /// Wall clock, microseconds.
    wall: i64,
    user: i64,
    system: i64,
    max_rss_kb: i64,
    blocks_in: i64,
    blocks_out: i64,
    major_faults: i64,
    minor_faults: i64,
    swaps: i64,
    signals: i64,
    msgs_rcvd: i64,
    msgs_sent: i64,
    voluntary_cs: i64,
    involuntary_cs: i64,
}

impl Usage {
    /// Now, for the calling thread: a session runs on one thread, which is
    /// what PostgreSQL's per-process RUSAGE_SELF measures for its backend.
    pub fn now(wall: i64) -> Usage {
        let mut u = rusage();
        u.wall = wall;
        u
    }

    /// The LOG notice PostgreSQL's ShowUsage(title) sends: usage since
    /// `start`, then the thread's totals in brackets.
    pub fn report(&self, title: &str, start: &Usage) -> Notice {
        let secs = |us: i64| format!("{}.{:06}", us / 1_000_000, us % 1_000_000);
        let d = |f: fn(&Usage) -> i64| f(self) - f(start);
        let detail = format!(
            "! system usage stats:\n\
             !\t{} s user, {} s system, {} s elapsed\n\
             !\t[{} s user, {} s system total]\n\
             !\t{} kB max resident size\n\
             !\t{}/{} [{}/{}] filesystem blocks in/out\n\
             !\t{}/{} [{}/{}] page faults/reclaims, {} [{}] swaps\n\
             !\t{} [{}] signals rcvd, {}/{} [{}/{}] messages rcvd/sent\n\
             !\t{}/{} [{}/{}] voluntary/involuntary context switches",
            secs(d(|u| u.user)),
            secs(d(|u| u.system)),
            secs(d(|u| u.wall).max(0)),
            secs(self.user),
            secs(self.system),
            self.max_rss_kb,
            d(|u| u.blocks_in),
            d(|u| u.blocks_out),
            self.blocks_in,
            self.blocks_out,
            d(|u| u.major_faults),
            d(|u| u.minor_faults),
            self.major_faults,
            self.minor_faults,
            d(|u| u.swaps),
            self.swaps,
            d(|u| u.signals),
            self.signals,
            d(|u| u.msgs_rcvd),
            d(|u| u.msgs_sent),
            self.msgs_rcvd,
            self.msgs_sent,
            d(|u| u.voluntary_cs),
            d(|u| u.involuntary_cs),
            self.voluntary_cs,
            self.involuntary_cs,
        );
        Notice { severity: "LOG", code: SqlState::SUCCESSFUL_COMPLETION, message: title.to_string(), detail: Some(detail) }
    }
}

#[cfg(target_os = "linux")]
fn rusage() -> Usage {
    // SAFETY: getrusage only writes the struct it is given.
    let mut r: libc::rusage = unsafe { std::mem::zeroed() };
    let mut max_rss: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe {
        libc::getrusage(libc::RUSAGE_THREAD, &mut r);
        libc::getrusage(libc::RUSAGE_SELF, &mut max_rss);
    }
    let us = |t: libc::timeval| t.tv_sec * 1_000_000 + t.tv_usec;
    Usage {
        wall: 0,
        user: us(r.ru_utime),
        system: us(r.ru_stime),
        max_rss_kb: max_rss.ru_maxrss,
        blocks_in: r.ru_inblock,
        blocks_out: r.ru_oublock,
        major_faults: r.ru_majflt,
        minor_faults: r.ru_minflt,
        swaps: r.ru_nswap,
        signals: r.ru_nsignals,
        msgs_rcvd: r.ru_msgrcv,
        msgs_sent: r.ru_msgsnd,
        voluntary_cs: r.ru_nvcsw,
        involuntary_cs: r.ru_nivcsw,
    }
}

/// Elsewhere (wasm32, other systems) only the wall clock is measured.
#[cfg(not(target_os = "linux"))]
fn rusage() -> Usage {
    Usage::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_has_postgresql_layout() {
        let a = Usage::now(1_000_000);
        let mut x = 0u64;
        for i in 0..1_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        std::hint::black_box(x);
        let b = Usage::now(1_250_000);
        let n = b.report("PLANNER STATISTICS", &a);
        assert_eq!((n.severity, n.message.as_str()), ("LOG", "PLANNER STATISTICS"));
        let detail = n.detail.unwrap();
        let lines: Vec<&str> = detail.lines().collect();
        assert_eq!(lines.len(), 8);
        assert_eq!(lines[0], "! system usage stats:");
        assert!(lines[1].starts_with("!\t") && lines[1].ends_with(" s system, 0.250000 s elapsed"), "{}", lines[1]);
        assert!(lines[7].ends_with("voluntary/involuntary context switches"));
    }
}
