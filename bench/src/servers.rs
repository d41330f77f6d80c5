//! The two servers under test, each on its own port and data directory:
//! a throwaway PostgreSQL cluster (as `../shared/tools/pgref.sh` makes one:
//! as the unprivileged user `pgref` when run as root, trust auth, fsync off)
//! and an `openassay` process. Both are stopped when dropped, and by
//! [`stop_all`] from the SIGINT/SIGTERM handler, so neither outlives the
//! harness, whether it ends, fails or is interrupted.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The user that owns the PostgreSQL cluster when the harness runs as root.
const PG_USER: &str = "pgref";

type Cleanup = Box<dyn FnOnce() + Send>;

static CLEANUPS: Mutex<Vec<(u64, Cleanup)>> = Mutex::new(Vec::new());
static NEXT_CLEANUP: AtomicU64 = AtomicU64::new(1);
/// Held while cleanups run, so that the main thread's `stop_all` waits for
/// the signal handler's (and the process does not exit halfway through).
static CLEANING: Mutex<()> = Mutex::new(());
/// Set by the signal handler: no server may start after it.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether a signal asked the run to stop.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn check_not_interrupted() -> Result<(), String> {
    if INTERRUPTED.load(Ordering::SeqCst) { Err("interrupted".into()) } else { Ok(()) }
}

fn register(f: Cleanup) -> u64 {
    let id = NEXT_CLEANUP.fetch_add(1, Ordering::Relaxed);
    let _cleaning = CLEANING.lock().unwrap_or_else(|e| e.into_inner());
    if INTERRUPTED.load(Ordering::SeqCst) {
        // The handler has run already: nobody else will stop this one.
        f();
    } else {
        CLEANUPS.lock().unwrap_or_else(|e| e.into_inner()).push((id, f));
    }
    id
}

/// Runs one registered cleanup, once.
fn run_cleanup(id: u64) {
    let _cleaning = CLEANING.lock().unwrap_or_else(|e| e.into_inner());
    let f = {
        let mut list = CLEANUPS.lock().unwrap_or_else(|e| e.into_inner());
        list.iter().position(|(i, _)| *i == id).map(|p| list.remove(p).1)
    };
    if let Some(f) = f {
        f();
    }
}

/// Removes `dir` when the run ends, also on a signal (after the servers
/// that use it have stopped, when registered before them).
pub fn remove_on_exit(dir: &Path) {
    let dir = dir.to_path_buf();
    register(Box::new(move || {
        let _ = fs::remove_dir_all(&dir);
    }));
}

/// Stops every server still running (the signal handler's work).
pub fn stop_all() {
    let _cleaning = CLEANING.lock().unwrap_or_else(|e| e.into_inner());
    let all: Vec<(u64, Cleanup)> = std::mem::take(&mut *CLEANUPS.lock().unwrap_or_else(|e| e.into_inner()));
    for (_, f) in all.into_iter().rev() {
        f();
    }
}

/// Stops the servers and exits on SIGINT, SIGTERM or SIGHUP.
pub fn install_signal_handler() -> Result<(), String> {
    ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        eprintln!("\noa-bench: interrupted; stopping the servers");
        stop_all();
        std::process::exit(130);
    })
    .map_err(|e| format!("could not install the signal handler: {e}"))
}

/// A port nobody listens on right now.
pub fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("could not find a free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn is_root() -> bool {
    // /proc/self/status: "Uid:\treal\teffective\t…"
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("Uid:").map(|v| v.split_whitespace().nth(1) == Some("0"))))
        .unwrap_or(false)
}

fn run(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| format!("{what}: could not run: {e}"))?;
    if !out.status.success() {
        return Err(format!("{what} failed ({}): {}{}", out.status, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A shell command, as `pgref` when we are root (PostgreSQL refuses root).
fn as_pg_user(script: &str) -> Command {
    if is_root() {
        let mut c = Command::new("su");
        c.args([PG_USER, "-s", "/bin/sh", "-c", script]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", script]);
        c
    }
}

/// PostgreSQL's bin directory: 15 if installed, else the newest.
pub fn find_pg_bin(explicit: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    let fifteen = PathBuf::from("/usr/lib/postgresql/15/bin");
    if fifteen.join("postgres").is_file() {
        return Ok(fifteen);
    }
    let mut found: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "no PostgreSQL server found (apt-get install postgresql-15)".to_string())?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, p): &(u32, PathBuf)| p.join("postgres").is_file())
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p).ok_or_else(|| "no PostgreSQL server found (apt-get install postgresql-15)".to_string())
}

/// A throwaway PostgreSQL cluster.
pub struct PgServer {
    pub port: u16,
    pub dir: PathBuf,
    pub bin: PathBuf,
    /// `postgres --version`.
    pub version: String,
    cleanup: u64,
}

impl PgServer {
    pub fn start(bin: &Path, port: u16, dir: &Path) -> Result<PgServer, String> {
        check_not_interrupted()?;
        let version = run(Command::new(bin.join("postgres")).arg("--version"), "postgres --version")?.trim().to_string();
        if is_root() && Command::new("id").arg(PG_USER).stdout(Stdio::null()).stderr(Stdio::null()).status().map(|s| !s.success()).unwrap_or(true) {
            run(Command::new("useradd").args(["--system", "--no-create-home", PG_USER]), "useradd")?;
        }
        if dir.exists() {
            fs::remove_dir_all(dir).map_err(|e| format!("could not remove the old {}: {e}", dir.display()))?;
        }
        fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        if is_root() {
            run(Command::new("chown").args([PG_USER, &dir.display().to_string()]), "chown")?;
        }
        let d = dir.display();
        let b = bin.display();
        run(&mut as_pg_user(&format!("{b}/initdb -D '{d}' -U postgres --auth=trust --no-sync --locale=C.UTF-8 --encoding=UTF8")), "initdb")?;
        // From here on the cluster exists: stop it and remove it on any exit.
        let (stop_bin, stop_dir) = (bin.to_path_buf(), dir.to_path_buf());
        let cleanup = register(Box::new(move || {
            let _ = as_pg_user(&format!("{}/pg_ctl -D '{}' -m fast -w stop", stop_bin.display(), stop_dir.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let _ = fs::remove_dir_all(&stop_dir);
        }));
        let server = PgServer { port, dir: dir.to_path_buf(), bin: bin.to_path_buf(), version, cleanup };
        run(
            &mut as_pg_user(&format!(
                "{b}/pg_ctl -D '{d}' -l '{d}/log' -w -t 60 -o \"-p {port} -k '{d}' -c listen_addresses=127.0.0.1 -c fsync=off\" start"
            )),
            "pg_ctl start",
        )
        .map_err(|e| format!("{e}\n{}", fs::read_to_string(dir.join("log")).unwrap_or_default()))?;
        Ok(server)
    }

    /// The postmaster's pid.
    pub fn postmaster_pid(&self) -> Option<u32> {
        fs::read_to_string(self.dir.join("postmaster.pid")).ok()?.lines().next()?.trim().parse().ok()
    }

    pub fn conninfo(&self) -> String {
        format!("host=127.0.0.1 port={} user=postgres dbname=postgres connect_timeout=10", self.port)
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        run_cleanup(self.cleanup);
    }
}

/// An `openassay` server process (in-memory storage).
pub struct OaServer {
    pub port: u16,
    pub pid: u32,
    pub bin: PathBuf,
    pub log: PathBuf,
    child: Arc<Mutex<Child>>,
    cleanup: u64,
}

/// The `openassay` binary: the one given, or the one next to this executable
/// (cargo puts both in the same target/<profile>/).
pub fn find_openassay(explicit: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(p) = explicit {
        return if p.is_file() { Ok(p.to_path_buf()) } else { Err(format!("{} does not exist", p.display())) };
    }
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let sibling = me.parent().map(|d| d.join("openassay"));
    // Benches and tests run from target/<profile>/deps.
    let uncle = me.parent().and_then(|d| d.parent()).map(|d| d.join("openassay"));
    [sibling, uncle].into_iter().flatten().find(|p| p.is_file()).ok_or_else(|| {
        format!(
            "no openassay binary next to {}: build it with `cargo build --release -p oa-server --bin openassay` or pass --openassay PATH",
            me.display()
        )
    })
}

impl OaServer {
    pub fn start(bin: &Path, port: u16, dir: &Path) -> Result<OaServer, String> {
        check_not_interrupted()?;
        fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        let log = dir.join("openassay.log");
        let log_file = fs::File::create(&log).map_err(|e| format!("could not create {}: {e}", log.display()))?;
        let err_file = log_file.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(bin)
            .args(["--port", &port.to_string(), "--data-dir", &dir.display().to_string()])
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(err_file)
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", bin.display()))?;
        let pid = child.id();
        let child = Arc::new(Mutex::new(child));
        let c = child.clone();
        let cleanup = register(Box::new(move || {
            let mut child = c.lock().unwrap_or_else(|e| e.into_inner());
            // SIGTERM first (a clean shutdown), SIGKILL if it lingers.
            let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).stderr(Stdio::null()).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }));
        let server = OaServer { port, pid, bin: bin.to_path_buf(), log, child, cleanup };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.lock().unwrap_or_else(|e| e.into_inner()).try_wait() {
                return Err(format!("openassay exited at start ({status}): {}", fs::read_to_string(&server.log).unwrap_or_default()));
            }
            if Instant::now() > deadline {
                return Err("openassay did not accept connections within 30 s".into());
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn conninfo(&self) -> String {
        format!("host=127.0.0.1 port={} user=postgres dbname=postgres connect_timeout=10", self.port)
    }

    /// Whether the process is still running.
    pub fn is_running(&self) -> bool {
        matches!(self.child.lock().unwrap_or_else(|e| e.into_inner()).try_wait(), Ok(None))
    }

    /// A handle that kills the process at once (for a query that does not
    /// answer its cancel request).
    pub fn killer(&self) -> Arc<dyn Fn() + Send + Sync> {
        let c = self.child.clone();
        Arc::new(move || {
            let mut child = c.lock().unwrap_or_else(|e| e.into_inner());
            let _ = child.kill();
            let _ = child.wait();
        })
    }
}

impl Drop for OaServer {
    fn drop(&mut self) {
        run_cleanup(self.cleanup);
    }
}
