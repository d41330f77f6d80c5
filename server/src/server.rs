//! The listener and each connection's socket side: startup packet, SSL
//! refusal, CancelRequest, authentication, then a reader that frames and
//! decodes messages for the session thread (`conn`) and a writer that sends
//! what the session thread produced.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use oa_ir::{Error, SqlState};
use oa_runtime::Engine;
use pgwire::api::auth::sasl::scram::ScramServerAuth;
use pgwire::error::PgWireError;
use pgwire::messages::PgWireBackendMessage as B;
use pgwire::messages::response::{ErrorResponse, SslResponse};
use pgwire::messages::startup::{Authentication, NegotiateProtocolVersion};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinSet;

use crate::auth::AuthMethod;
use crate::conn::{self, CancelRegistry, Input, Output, StartupInfo};
use crate::frontend::{self, Message, ProtocolError, StartupPacket};
use crate::log;

/// How long a client has to finish startup and authentication (authentication_timeout).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long shutdown waits for sessions to end.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// Stack of each session thread: address space only, touched as used. Deep
/// statements (up to `oa_ir::stack::MAX_DEPTH` levels) recurse through every
/// layer; the binder and evaluator also grow onto fresh segments themselves.
const SESSION_STACK: usize = 1024 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub auth: AuthMethod,
}

struct Shared {
    engine: Arc<Engine>,
    config: ServerConfig,
    cancels: Arc<CancelRegistry>,
}

/// Accepts connections until `shutdown` resolves, then ends every session
/// (FATAL 57P01) and waits for them.
pub async fn serve(listener: TcpListener, engine: Arc<Engine>, config: ServerConfig, shutdown: impl Future<Output = ()>) {
    let shared = Arc::new(Shared { engine, config, cancels: Arc::new(CancelRegistry::default()) });
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    tasks.spawn(connection(stream, peer, shared.clone(), stop_rx.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    log::log(format!("could not accept new connection: {e}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(e) = done && e.is_panic() {
                    log::warning("a connection task panicked; other sessions are unaffected");
                }
            }
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drain = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        log::warning("sessions still running after the shutdown grace period; exiting anyway");
    }
}

/// A server on a thread of its own with its own runtime (tests, embedding).
pub struct BackgroundServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundServer {
    pub fn start(engine: Arc<Engine>, addr: SocketAddr, config: ServerConfig) -> std::io::Result<BackgroundServer> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name("openassay-server".into()).spawn(move || {
            runtime.block_on(async move {
                match TcpListener::from_std(listener) {
                    Ok(listener) => {
                        serve(listener, engine, config, async {
                            let _ = stopped.await;
                        })
                        .await
                    }
                    Err(e) => log::fatal(format!("could not listen: {e}")),
                }
            })
        })?;
        Ok(BackgroundServer { addr, stop: Some(stop), thread: Some(thread) })
    }

    /// Shuts down (as SIGTERM does) and waits.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

enum ReadError {
    Protocol(ProtocolError),
    Io(std::io::Error),
}

/// Reads one typed message (`tag`, body) into `buf`'s framing; None at a clean EOF.
async fn read_message<R: AsyncRead + Unpin>(
    rd: &mut R,
    buf: &mut BytesMut,
    limit: fn(u8) -> Option<usize>,
) -> Result<Option<(u8, Bytes)>, ReadError> {
    loop {
        if let Some(&tag) = buf.first() {
            let Some(max) = limit(tag) else {
                return Err(ReadError::Protocol(frontend::invalid_type(tag)));
            };
            if buf.len() >= 5 {
                let len = i32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]);
                if len < 4 || len as usize > max {
                    return Err(ReadError::Protocol(ProtocolError::new("invalid message length")));
                }
                let total = 1 + len as usize;
                if buf.len() >= total {
                    let frame = buf.split_to(total).freeze();
                    return Ok(Some((tag, frame.slice(5..))));
                }
                // Grow as data arrives, not by what the length word claims.
                buf.reserve((total - buf.len()).min(1 << 20));
            }
        }
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(8192);
        }
        let n = rd.read_buf(buf).await.map_err(ReadError::Io)?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(ReadError::Io(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "unexpected EOF within message")))
            };
        }
    }
}

/// Reads an untyped startup-phase packet; None at EOF before it starts.
async fn read_startup_packet<R: AsyncRead + Unpin>(rd: &mut R) -> Result<Option<Bytes>, ReadError> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let n = rd.read(&mut len[got..]).await.map_err(ReadError::Io)?;
        if n == 0 {
            return if got == 0 { Ok(None) } else { Err(ReadError::Protocol(ProtocolError::new("incomplete startup packet"))) };
        }
        got += n;
    }
    let len = i32::from_be_bytes(len);
    if !(8..=frontend::STARTUP_PACKET_LIMIT as i32).contains(&len) {
        return Err(ReadError::Protocol(ProtocolError::new("invalid length of startup packet")));
    }
    let mut body = vec![0u8; len as usize - 4];
    rd.read_exact(&mut body).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            ReadError::Protocol(ProtocolError::new("incomplete startup packet"))
        } else {
            ReadError::Io(e)
        }
    })?;
    Ok(Some(Bytes::from(body)))
}

async fn write_message<W: AsyncWrite + Unpin>(wr: &mut W, m: B) -> std::io::Result<()> {
    let mut out = BytesMut::new();
    m.encode(&mut out).map_err(std::io::Error::other)?;
    wr.write_all(&out).await
}

/// Sends a FATAL error and returns its message (for the log line).
async fn reject<W: AsyncWrite + Unpin>(wr: &mut W, e: Error) -> String {
    let _ = write_message(wr, B::ErrorResponse(ErrorResponse::new(conn::error_fields("FATAL", &e)))).await;
    let _ = wr.flush().await;
    e.message
}

/// Why a connection ended before its session started.
enum Ended {
    /// Nothing worth a log line: a cancel request, a client that left.
    Quietly,
    Error(String),
}

async fn connection(mut stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let mut buf = BytesMut::with_capacity(8192);
    let startup = tokio::select! {
        r = tokio::time::timeout(STARTUP_TIMEOUT, handshake(&mut stream, &mut buf, peer, &shared)) => match r {
            Ok(Ok(s)) => s,
            Ok(Err(Ended::Quietly)) => return,
            Ok(Err(Ended::Error(e))) => {
                log::log(format!("connection from {peer}: {e}"));
                return;
            }
            Err(_) => {
                log::log(format!("connection from {peer}: startup or authentication timed out"));
                return;
            }
        },
        _ = stop.changed() => return,
    };

    let (in_tx, in_rx) = mpsc::channel::<Input>(32);
    let (out_tx, mut out_rx) = mpsc::channel::<Output>(16);
    let (flag_tx, flag_rx) = oneshot::channel::<Arc<AtomicBool>>();
    let engine = shared.engine.clone();
    let cancels = shared.cancels.clone();
    let wake = in_tx.downgrade();
    let spawned = std::thread::Builder::new()
        .name(format!("openassay-session-{peer}"))
        .stack_size(SESSION_STACK)
        .spawn(move || conn::run(engine, startup, cancels, in_rx, wake, out_tx, flag_tx));
    if let Err(e) = spawned {
        let msg = reject(&mut stream, Error::new(SqlState::TOO_MANY_CONNECTIONS, format!("could not start a session: {e}"))).await;
        log::log(format!("connection from {peer}: {msg}"));
        return;
    }

    let (mut rd, mut wr) = stream.into_split();
    let writer = tokio::spawn(async move {
        while let Some(o) = out_rx.recv().await {
            match o {
                Output::Data(b) => wr.write_all(&b).await?,
                Output::Close => break,
            }
        }
        let _ = wr.shutdown().await;
        Ok::<(), std::io::Error>(())
    });
    let cancel = flag_rx.await.ok();

    loop {
        tokio::select! {
            r = read_message(&mut rd, &mut buf, frontend::message_limit) => match r {
                Ok(Some((tag, body))) => {
                    let input = match frontend::decode(tag, body) {
                        Ok(m) => Input::Message(m),
                        Err(p) => Input::Fatal(p),
                    };
                    let last = matches!(input, Input::Fatal(_) | Input::Message(Message::Terminate));
                    if in_tx.send(input).await.is_err() || last {
                        break;
                    }
                }
                Ok(None) => break,
                Err(ReadError::Protocol(p)) => {
                    let _ = in_tx.send(Input::Fatal(p)).await;
                    break;
                }
                Err(ReadError::Io(e)) => {
                    log::log(format!("connection from {peer}: could not receive data from client: {e}"));
                    break;
                }
            },
            _ = stop.changed() => {
                if let Some(c) = &cancel {
                    c.store(true, Ordering::Relaxed);
                }
                let _ = in_tx.send(Input::Shutdown).await;
                break;
            }
        }
    }
    drop(in_tx);
    // The session thread finishes what it was given; a shutdown meanwhile cancels it.
    let mut writer = writer;
    let written = tokio::select! {
        w = &mut writer => w,
        _ = stop.changed() => {
            if let Some(c) = &cancel {
                c.store(true, Ordering::Relaxed);
            }
            writer.await
        }
    };
    match written {
        Ok(Err(e)) => log::log(format!("connection from {peer}: could not send data to client: {e}")),
        Err(e) if e.is_panic() => log::warning(format!("connection from {peer}: writer panicked")),
        _ => {}
    }
}

/// Startup packet (after refusing SSL/GSS), protocol version, user, and authentication.
async fn handshake(stream: &mut TcpStream, buf: &mut BytesMut, peer: SocketAddr, shared: &Shared) -> Result<StartupInfo, Ended> {
    let mut negotiated_encryption = false;
    loop {
        let body = match read_startup_packet(stream).await {
            Ok(Some(b)) => b,
            Ok(None) => return Err(Ended::Quietly),
            Err(ReadError::Io(e)) => return Err(Ended::Error(format!("could not receive data from client: {e}"))),
            Err(ReadError::Protocol(p)) => return Err(Ended::Error(reject(stream, Error::new(SqlState::PROTOCOL_VIOLATION, p.0)).await)),
        };
        let packet = match frontend::decode_startup(body) {
            Ok(p) => p,
            Err(p) => return Err(Ended::Error(reject(stream, Error::new(SqlState::PROTOCOL_VIOLATION, p.0)).await)),
        };
        match packet {
            StartupPacket::SslRequest | StartupPacket::GssEncRequest if !negotiated_encryption => {
                negotiated_encryption = true;
                // No TLS or GSS encryption (yet): 'N', and the client goes on in plain text.
                write_message(stream, B::SslResponse(SslResponse::Refuse)).await.map_err(|e| Ended::Error(e.to_string()))?;
            }
            StartupPacket::SslRequest | StartupPacket::GssEncRequest => {
                let e = Error::new(SqlState::PROTOCOL_VIOLATION, "unsupported frontend protocol: repeated encryption request");
                return Err(Ended::Error(reject(stream, e).await));
            }
            StartupPacket::Cancel { pid, key } => {
                if !shared.cancels.cancel(pid, &key) {
                    log::log(format!("connection from {peer}: PID {pid} in cancel request did not match any process"));
                }
                return Err(Ended::Quietly);
            }
            StartupPacket::Startup { major, minor, params } => {
                if major != 3 {
                    let e = Error::new(
                        SqlState::FEATURE_NOT_SUPPORTED,
                        format!("unsupported frontend protocol {major}.{minor}: server supports 3.0 to 3.0"),
                    );
                    return Err(Ended::Error(reject(stream, e).await));
                }
                let unsupported: Vec<String> = params.iter().filter(|(k, _)| k.starts_with("_pq_.")).map(|(k, _)| k.clone()).collect();
                if minor > 0 || !unsupported.is_empty() {
                    write_message(stream, B::NegotiateProtocolVersion(NegotiateProtocolVersion::new(0, unsupported)))
                        .await
                        .map_err(|e| Ended::Error(e.to_string()))?;
                }
                let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
                let Some(user) = get("user") else {
                    let e = Error::new(SqlState::INVALID_AUTHORIZATION_SPECIFICATION, "no PostgreSQL user name specified in startup packet");
                    return Err(Ended::Error(reject(stream, e).await));
                };
                let database = get("database").unwrap_or_else(|| user.clone());
                authenticate(stream, buf, &shared.config.auth, &user).await?;
                write_message(stream, B::Authentication(Authentication::Ok)).await.map_err(|e| Ended::Error(e.to_string()))?;
                return Ok(StartupInfo { user, database, params, peer: peer.to_string() });
            }
        }
    }
}

fn auth_message_limit(tag: u8) -> Option<usize> {
    match tag {
        b'p' => Some(frontend::AUTH_MESSAGE_LIMIT),
        b'X' => Some(frontend::SMALL_MESSAGE_LIMIT),
        _ => None,
    }
}

/// The client's next password-family message, or the end of the connection.
async fn read_auth_message(stream: &mut TcpStream, buf: &mut BytesMut) -> Result<Bytes, Ended> {
    match read_message(stream, buf, auth_message_limit).await {
        Ok(Some((b'p', body))) => Ok(body),
        // psql hangs up to ask for a password, then connects again.
        Ok(Some(_)) | Ok(None) => Err(Ended::Quietly),
        Err(ReadError::Io(_)) => Err(Ended::Quietly),
        Err(ReadError::Protocol(p)) => Err(Ended::Error(reject(stream, Error::new(SqlState::PROTOCOL_VIOLATION, p.0)).await)),
    }
}

async fn authenticate(stream: &mut TcpStream, buf: &mut BytesMut, method: &AuthMethod, user: &str) -> Result<(), Ended> {
    let file = match method {
        AuthMethod::Trust => return Ok(()),
        AuthMethod::Scram(file) => file,
    };
    let io_err = |e: std::io::Error| Ended::Error(e.to_string());
    let failed = || Error::new(SqlState::INVALID_PASSWORD, format!("password authentication failed for user \"{user}\""));
    write_message(stream, B::Authentication(Authentication::SASL(vec!["SCRAM-SHA-256".to_string()]))).await.map_err(io_err)?;
    let body = read_auth_message(stream, buf).await?;
    let (mechanism, first) = match frontend::decode_sasl_initial(body) {
        Ok(x) => x,
        Err(p) => return Err(Ended::Error(reject(stream, Error::new(SqlState::PROTOCOL_VIOLATION, p.0)).await)),
    };
    if mechanism != "SCRAM-SHA-256" {
        let e = Error::new(SqlState::PROTOCOL_VIOLATION, "client selected an invalid SASL authentication mechanism");
        return Err(Ended::Error(reject(stream, e).await));
    }
    let scram = ScramServerAuth::new();
    let (server_first, waiting) = match scram.on_client_first_message_with_secret(&first, file.scram_secret(user)) {
        Ok(x) => x,
        Err(e) => {
            let e = Error::new(SqlState::PROTOCOL_VIOLATION, format!("malformed SCRAM message: {e}"));
            return Err(Ended::Error(reject(stream, e).await));
        }
    };
    write_message(stream, B::Authentication(Authentication::SASLContinue(Bytes::from(server_first)))).await.map_err(io_err)?;
    let last = read_auth_message(stream, buf).await?;
    match waiting.on_client_final_message(&last) {
        Ok(server_final) => {
            write_message(stream, B::Authentication(Authentication::SASLFinal(Bytes::from(server_final)))).await.map_err(io_err)?;
            Ok(())
        }
        Err(PgWireError::InvalidPassword(_)) => Err(Ended::Error(reject(stream, failed()).await)),
        Err(e) => {
            let msg = reject(stream, failed()).await;
            Err(Ended::Error(format!("{msg} ({e})")))
        }
    }
}
