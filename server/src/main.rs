//! `openassay`: the PostgreSQL wire-protocol server, or with `--shell` a
//! SQL shell on stdin/stdout.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use oa_server::auth::{AuthMethod, PasswordFile};
use oa_server::log;
use oa_server::server::{ServerConfig, serve};

const USAGE: &str = "\
openassay: a PostgreSQL 15-compatible database server.

Usage:
  openassay [OPTION]...
  openassay --shell [--quiet]

Options:
  -D, --data-dir DIR       data directory (default ./openassay-data; storage is in memory for now)
      --listen ADDR        address to listen on (default 127.0.0.1)
  -p, --port N             port to listen on (default 5432)
      --auth METHOD        trust (default) or scram
      --password-file F    user:password lines for --auth scram
      --shell              run a SQL shell on stdin/stdout instead of the server
      --quiet              with --shell: no prompts
      --help, --version
";

struct Args {
    data_dir: PathBuf,
    listen: String,
    port: u16,
    auth: String,
    password_file: Option<PathBuf>,
    shell: bool,
    quiet: bool,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut a = Args {
        data_dir: PathBuf::from("./openassay-data"),
        listen: "127.0.0.1".into(),
        port: 5432,
        auth: "trust".into(),
        password_file: None,
        shell: false,
        quiet: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| inline.clone().or_else(|| it.next()).ok_or_else(|| format!("option {name} requires a value"));
        match flag.as_str() {
            "-D" | "--data-dir" => a.data_dir = PathBuf::from(value(&flag)?),
            "--listen" => a.listen = value(&flag)?,
            "-p" | "--port" => {
                let v = value(&flag)?;
                a.port = v.parse().map_err(|_| format!("invalid port \"{v}\""))?;
            }
            "--auth" => a.auth = value(&flag)?,
            "--password-file" => a.password_file = Some(PathBuf::from(value(&flag)?)),
            "--shell" => a.shell = true,
            "--quiet" => a.quiet = true,
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(None);
            }
            "-V" | "--version" => {
                println!("openassay (OpenAssay) {} — PostgreSQL 15.18 compatible", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            other => return Err(format!("unrecognized option \"{other}\"\nTry \"openassay --help\" for more information.")),
        }
    }
    Ok(Some(a))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("openassay: {e}");
            return ExitCode::from(2);
        }
    };
    if args.shell {
        return match oa_server::shell::run(!args.quiet) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("openassay: could not start: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match run_server(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::fatal(e);
            ExitCode::FAILURE
        }
    }
}

fn run_server(args: Args) -> Result<(), String> {
    let auth = match args.auth.as_str() {
        "trust" => AuthMethod::Trust,
        "scram" | "scram-sha-256" => {
            let path = args.password_file.as_ref().ok_or("--auth scram needs --password-file")?;
            AuthMethod::Scram(Arc::new(PasswordFile::load(path)?))
        }
        other => return Err(format!("unsupported authentication method \"{other}\" (trust or scram)")),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| format!("could not start the runtime: {e}"))?;
    runtime.block_on(async move {
        let addrs: Vec<SocketAddr> = match args.listen.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, args.port)],
            Err(_) => {
                let host = if args.listen == "*" { "0.0.0.0" } else { args.listen.as_str() };
                tokio::net::lookup_host((host, args.port)).await.map_err(|e| format!("could not resolve \"{}\": {e}", args.listen))?.collect()
            }
        };
        let mut listener = None;
        let mut last_error = String::from("no address to listen on");
        for addr in &addrs {
            match tokio::net::TcpListener::bind(addr).await {
                Ok(l) => {
                    listener = Some(l);
                    break;
                }
                Err(e) => last_error = format!("could not bind {} address \"{}\": {e}", if addr.is_ipv4() { "IPv4" } else { "IPv6" }, addr.ip()),
            }
        }
        let listener = listener.ok_or(last_error)?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;

        log::log(format!("starting {}", oa_runtime::version_string()));
        log::log(format!("data directory \"{}\": storage is in memory for now, nothing outlives the process", args.data_dir.display()));
        let engine = oa_runtime::Engine::new_in_memory().map_err(|e| format!("could not start the engine: {}", e.message))?;
        if matches!(auth, AuthMethod::Trust) && !local.ip().is_loopback() {
            log::warning(format!("trust authentication on non-loopback address \"{}\": anyone who can connect is a superuser", local.ip()));
        }
        log::log(format!("listening on {} address \"{}\", port {}", if local.is_ipv4() { "IPv4" } else { "IPv6" }, local.ip(), local.port()));
        log::log("database system is ready to accept connections");
        serve(listener, engine, ServerConfig { auth }, shutdown_signal()).await;
        log::log("database system is shut down");
        Ok(())
    })
}

/// SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(e) => {
                log::warning(format!("could not install the SIGTERM handler: {e}"));
                let _ = tokio::signal::ctrl_c().await;
                log::log("received interrupt; shutting down");
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => log::log("received SIGINT; shutting down"),
            _ = term.recv() => log::log("received SIGTERM; shutting down"),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        log::log("received interrupt; shutting down");
    }
}
