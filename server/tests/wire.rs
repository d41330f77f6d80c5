//! The wire server end to end: tokio-postgres for what drivers do, and a
//! raw socket client for what they never send (malformed messages) and what
//! they do not expose (ReadyForQuery status, ParameterStatus).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use oa_server::auth::{AuthMethod, PasswordFile};
use oa_server::server::{BackgroundServer, ServerConfig};
use tokio_postgres::error::{ErrorPosition, SqlState};
use tokio_postgres::types::{FromSql, Type};
use tokio_postgres::{AsyncMessage, Client, Config, NoTls, SimpleQueryMessage};

fn start(auth: AuthMethod) -> BackgroundServer {
    oa_server::log::set_quiet(true);
    let engine = oa_runtime::Engine::new_in_memory().expect("engine");
    BackgroundServer::start(engine, "127.0.0.1:0".parse().expect("address"), ServerConfig { auth }).expect("server")
}

/// One trust server shared by the tests of this binary.
fn addr() -> SocketAddr {
    static SERVER: OnceLock<BackgroundServer> = OnceLock::new();
    SERVER.get_or_init(|| start(AuthMethod::Trust)).addr
}

fn config(addr: SocketAddr) -> Config {
    let mut c = Config::new();
    c.host("127.0.0.1").port(addr.port()).user("postgres").dbname("postgres").connect_timeout(Duration::from_secs(10));
    c
}

/// A client whose connection task forwards NOTICE/WARNING messages.
async fn connect_with(
    config: Config,
) -> Result<(Client, tokio::sync::mpsc::UnboundedReceiver<tokio_postgres::error::DbError>), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(m) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match m {
                Ok(AsyncMessage::Notice(n)) => {
                    let _ = tx.send(n);
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    Ok((client, rx))
}

async fn connect() -> Client {
    connect_with(config(addr())).await.expect("connect").0
}

fn code(e: &tokio_postgres::Error) -> SqlState {
    e.code().cloned().unwrap_or_else(|| panic!("not a database error: {e:?}"))
}

fn rows(messages: &[SimpleQueryMessage]) -> Vec<Vec<Option<String>>> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect()),
            _ => None,
        })
        .collect()
}

fn completions(messages: &[SimpleQueryMessage]) -> Vec<u64> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::CommandComplete(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// A value's wire bytes, whatever its type.
struct Raw(Vec<u8>);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw.to_vec()))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

// ------------------------------------------------------------ simple query

#[tokio::test]
async fn simple_query_runs_multi_statement_strings() {
    let client = connect().await;
    let m = client.simple_query("select 1 as a, 'x' as b; select 2 union all select 3; create table sq_t(a int)").await.unwrap();
    assert_eq!(rows(&m), vec![vec![Some("1".into()), Some("x".into())], vec![Some("2".into())], vec![Some("3".into())]]);
    assert_eq!(completions(&m), vec![1, 2, 0]);
    let SimpleQueryMessage::RowDescription(cols) = &m[0] else { panic!("{:?}", m[0]) };
    assert_eq!(cols.iter().map(|c| c.name()).collect::<Vec<_>>(), vec!["a", "b"]);
    // tokio-postgres reports EmptyQueryResponse as CommandComplete(0).
    assert_eq!(completions(&client.simple_query("").await.unwrap()), vec![0]);
    assert_eq!(completions(&client.simple_query(" ; -- nothing").await.unwrap()), vec![0]);

    // One implicit transaction per query string: the failure undoes the CREATE.
    let e = client.simple_query("create table sq_gone(a int); insert into sq_gone values (1); select 1/0").await.unwrap_err();
    assert_eq!(code(&e), SqlState::DIVISION_BY_ZERO);
    let e = client.simple_query("select * from sq_gone").await.unwrap_err();
    assert_eq!(code(&e), SqlState::UNDEFINED_TABLE);
    let m = client.simple_query("select null::int, ''").await.unwrap();
    assert_eq!(rows(&m), vec![vec![None, Some(String::new())]]);
}

// ------------------------------------------------------------ extended query

#[tokio::test]
async fn extended_query_binds_parameters() {
    let client = connect().await;
    let row = client.query_one("select $1::int4 + 1, $2::text || 'y'", &[&41i32, &"x"]).await.unwrap();
    assert_eq!(row.get::<_, i32>(0), 42);
    assert_eq!(row.get::<_, String>(1), "xy");

    // Parameter types inferred from use.
    let stmt = client.prepare("select $1 + 1, $2 || 'b'").await.unwrap();
    assert_eq!(stmt.params(), &[Type::INT4, Type::TEXT]);
    assert_eq!(stmt.columns().iter().map(|c| c.type_().clone()).collect::<Vec<_>>(), vec![Type::INT4, Type::TEXT]);
    let row = client.query_one(&stmt, &[&1i32, &"a"]).await.unwrap();
    assert_eq!((row.get::<_, i32>(0), row.get::<_, String>(1)), (2, "ab".to_string()));

    client
        .batch_execute("create table ext_t(id int8 primary key, name text, score float8, ok bool, data bytea, small int2, v varchar(5))")
        .await
        .unwrap();
    let insert = client.prepare("insert into ext_t values ($1, $2, $3, $4, $5, $6, $7)").await.unwrap();
    assert_eq!(insert.params(), &[Type::INT8, Type::TEXT, Type::FLOAT8, Type::BOOL, Type::BYTEA, Type::INT2, Type::VARCHAR]);
    assert!(insert.columns().is_empty());
    for (id, name) in [(1i64, Some("a")), (2, None)] {
        let n = client.execute(&insert, &[&id, &name, &0.1f64, &true, &vec![0u8, 255], &7i16, &"abc"]).await.unwrap();
        assert_eq!(n, 1);
    }
    let rows = client.query("select id, name, score, ok, data, small, v from ext_t where id >= $1 order by id", &[&1i64]).await.unwrap();
    assert_eq!(rows.len(), 2);
    let r = &rows[0];
    assert_eq!(r.get::<_, i64>(0), 1);
    assert_eq!(r.get::<_, Option<String>>(1).as_deref(), Some("a"));
    assert_eq!(r.get::<_, f64>(2), 0.1);
    assert!(r.get::<_, bool>(3));
    assert_eq!(r.get::<_, Vec<u8>>(4), vec![0, 255]);
    assert_eq!(r.get::<_, i16>(5), 7);
    assert_eq!(r.get::<_, String>(6), "abc");
    assert_eq!(rows[1].get::<_, Option<String>>(1), None);
    assert_eq!(rows[0].columns()[0].type_(), &Type::INT8);

    // UPDATE/DELETE counts and RETURNING through Execute.
    assert_eq!(client.execute("update ext_t set score = score * $1", &[&2.0f64]).await.unwrap(), 2);
    let returned = client.query("delete from ext_t where id = $1 returning name", &[&1i64]).await.unwrap();
    assert_eq!(returned[0].get::<_, String>(0), "a");

    // Utility statements through the extended protocol, SHOW with a row.
    let shown = client.query("show extra_float_digits", &[]).await.unwrap();
    assert_eq!(shown[0].get::<_, String>(0), "1");
    assert_eq!(client.execute("set search_path = public", &[]).await.unwrap(), 0);
}

#[tokio::test]
async fn binary_results_match_postgres_send_formats() {
    let client = connect().await;
    let r = client
        .query_one(
            "select date '2000-01-02', timestamp '2000-01-01 00:00:01', 1.50::numeric, -12345.678::numeric, interval '1 day 2 hours', \
             '00000000-0000-0000-0000-0000000000ff'::uuid, timestamptz '2000-01-01 00:00:00+00', 'NaN'::numeric",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, Raw>(0).0, 1i32.to_be_bytes());
    assert_eq!(r.get::<_, Raw>(1).0, 1_000_000i64.to_be_bytes());
    assert_eq!(r.get::<_, Raw>(2).0, [0, 2, 0, 0, 0, 0, 0, 2, 0, 1, 0x13, 0x88]);
    assert_eq!(r.get::<_, Raw>(3).0, [0, 3, 0, 1, 0x40, 0, 0, 3, 0, 1, 0x09, 0x29, 0x1a, 0x7c]);
    let mut interval = 7_200_000_000i64.to_be_bytes().to_vec();
    interval.extend_from_slice(&1i32.to_be_bytes());
    interval.extend_from_slice(&0i32.to_be_bytes());
    assert_eq!(r.get::<_, Raw>(4).0, interval);
    assert_eq!(r.get::<_, Raw>(5).0.last(), Some(&0xff));
    assert_eq!(r.get::<_, Raw>(6).0, 0i64.to_be_bytes());
    assert_eq!(r.get::<_, Raw>(7).0, [0, 0, 0, 0, 0xC0, 0, 0, 0]);

    // Arrays both ways, floats exactly.
    let r = client
        .query_one("select $1::int4[], array['a', null, 'c'], 0.1::float8, 1e300::float8 * 10, $2::float4", &[&vec![1i32, 2, 3], &1.5f32])
        .await
        .unwrap();
    assert_eq!(r.get::<_, Vec<i32>>(0), vec![1, 2, 3]);
    assert_eq!(r.get::<_, Vec<Option<String>>>(1), vec![Some("a".into()), None, Some("c".into())]);
    assert_eq!(r.get::<_, f64>(2), 0.1);
    assert_eq!(r.get::<_, f64>(3), 1e301);
    assert_eq!(r.get::<_, f32>(4), 1.5);
}

#[tokio::test]
async fn portals_return_rows_in_batches() {
    let mut client = connect().await;
    client.batch_execute("create table portal_t(a int); insert into portal_t values (1), (2), (3), (4), (5)").await.unwrap();
    let tx = client.transaction().await.unwrap();
    let stmt = tx.prepare("select a from portal_t where a > $1 order by a").await.unwrap();
    let portal = tx.bind(&stmt, &[&0i32]).await.unwrap();
    let mut seen = Vec::new();
    loop {
        let batch = tx.query_portal(&portal, 2).await.unwrap();
        assert!(batch.len() <= 2);
        if batch.is_empty() {
            break;
        }
        seen.extend(batch.iter().map(|r| r.get::<_, i32>(0)));
    }
    assert_eq!(seen, vec![1, 2, 3, 4, 5]);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn binary_results_come_from_the_values() {
    let client = connect().await;
    // Exact whatever extra_float_digits says: no round trip through the text.
    client.batch_execute("set extra_float_digits = 0").await.unwrap();
    let r = client.query_one("select 1/3::float8, 'pg_class'::regclass, 2::float4 / 3::float4", &[]).await.unwrap();
    assert_eq!(r.get::<_, f64>(0), 1.0 / 3.0);
    assert_eq!(r.get::<_, Raw>(1).0, 1259u32.to_be_bytes());
    assert_eq!(r.get::<_, f32>(2), 2.0f32 / 3.0);
    client.batch_execute("reset extra_float_digits").await.unwrap();
}

#[tokio::test]
async fn startup_options_are_what_reset_returns_to() {
    let mut c = config(addr());
    c.options("-c DateStyle=SQL,\\ DMY -c search_path=pg_catalog").application_name("resettest");
    let (client, _) = connect_with(c).await.unwrap();
    let show = |m: &[SimpleQueryMessage]| rows(m).into_iter().map(|r| r[0].clone().unwrap()).collect::<Vec<_>>();
    let m = client.simple_query("set datestyle = 'ISO, MDY'; set application_name = 'x'; show datestyle; show application_name").await.unwrap();
    assert_eq!(show(&m), vec!["ISO, MDY", "x"]);
    let m = client.simple_query("reset datestyle; reset application_name; show datestyle; show application_name").await.unwrap();
    assert_eq!(show(&m), vec!["SQL, DMY", "resettest"]);
    let m = client.simple_query("set search_path = public; reset all; show search_path; show datestyle").await.unwrap();
    assert_eq!(show(&m), vec!["pg_catalog", "SQL, DMY"]);
    let m = client.simple_query("set datestyle = 'German'; discard all; show datestyle").await.unwrap();
    assert_eq!(show(&m), vec!["SQL, DMY"]);
    // Through the extended protocol too.
    client.execute("set datestyle = 'Postgres'", &[]).await.unwrap();
    client.execute("reset datestyle", &[]).await.unwrap();
    assert_eq!(client.query_one("show datestyle", &[]).await.unwrap().get::<_, String>(0), "SQL, DMY");
}

// ------------------------------------------------------------ errors, transactions, notices

#[tokio::test]
async fn errors_carry_sqlstate_and_position() {
    let client = connect().await;
    let e = client.simple_query("SELECT * FRM t").await.unwrap_err();
    let db = e.as_db_error().unwrap();
    assert_eq!(db.code(), &SqlState::SYNTAX_ERROR);
    assert_eq!(db.message(), "syntax error at or near \"FRM\"");
    assert_eq!(db.position(), Some(&ErrorPosition::Original(10)));
    assert_eq!(db.severity(), "ERROR");

    // Positions count characters, not bytes.
    let e = client.simple_query("select 'é', nosuch").await.unwrap_err();
    assert_eq!(code(&e), SqlState::UNDEFINED_COLUMN);
    assert_eq!(e.as_db_error().unwrap().position(), Some(&ErrorPosition::Original(13)));

    // Extended protocol: errors at Parse, and at Execute.
    let e = client.prepare("select * from no_such_table").await.unwrap_err();
    assert_eq!(code(&e), SqlState::UNDEFINED_TABLE);
    assert_eq!(e.as_db_error().unwrap().position(), Some(&ErrorPosition::Original(15)));
    let e = client.prepare("select 1; select 2").await.unwrap_err();
    assert_eq!(code(&e), SqlState::SYNTAX_ERROR);
    let e = client.query("select 1 / $1", &[&0i32]).await.unwrap_err();
    assert_eq!(code(&e), SqlState::DIVISION_BY_ZERO);
    let e = client.query("select $1::int4", &[&"x"]).await.unwrap_err();
    assert!(e.to_string().contains("error serializing parameter"), "{e}");
    let e = client.simple_query("select 'x'::int4").await.unwrap_err();
    assert_eq!(code(&e), SqlState::INVALID_TEXT_REPRESENTATION);
    // The session is fine afterwards.
    assert_eq!(client.query_one("select 1", &[]).await.unwrap().get::<_, i32>(0), 1);
}

#[tokio::test]
async fn failed_statements_end_or_fail_their_transaction() {
    let client = connect().await;
    let other = connect().await;
    client.batch_execute("create table fail_t(a int)").await.unwrap();
    // Autocommit: a failed Execute does not leave its transaction open.
    assert!(client.execute("insert into fail_t values (1 / $1)", &[&0i32]).await.is_err());
    client.execute("insert into fail_t values ($1)", &[&1i32]).await.unwrap();
    let n: i64 = other.query_one("select count(*) from fail_t", &[]).await.unwrap().get(0);
    assert_eq!(n, 1);

    // Inside BEGIN: the block fails until ROLLBACK.
    client.batch_execute("begin").await.unwrap();
    client.execute("insert into fail_t values ($1)", &[&2i32]).await.unwrap();
    assert_eq!(code(&client.query("select 1/0", &[]).await.unwrap_err()), SqlState::DIVISION_BY_ZERO);
    assert_eq!(code(&client.query("select 1", &[]).await.unwrap_err()), SqlState::IN_FAILED_SQL_TRANSACTION);
    assert_eq!(code(&client.simple_query("select 1").await.unwrap_err()), SqlState::IN_FAILED_SQL_TRANSACTION);
    client.batch_execute("rollback").await.unwrap();
    let n: i64 = client.query_one("select count(*) from fail_t", &[]).await.unwrap().get(0);
    assert_eq!(n, 1);
}

#[tokio::test]
async fn notices_reach_the_client() {
    let (client, mut notices) = connect_with(config(addr())).await.unwrap();
    client.simple_query("rollback").await.unwrap();
    let n = notices.recv().await.unwrap();
    assert_eq!((n.severity(), n.code(), n.message()), ("WARNING", &SqlState::NO_ACTIVE_SQL_TRANSACTION, "there is no transaction in progress"));
    client.execute("drop table if exists notice_nope", &[]).await.unwrap();
    let n = notices.recv().await.unwrap();
    assert_eq!((n.severity(), n.message()), ("NOTICE", "table \"notice_nope\" does not exist, skipping"));
    // client_min_messages filters.
    client.batch_execute("set client_min_messages = error").await.unwrap();
    client.batch_execute("rollback").await.unwrap();
    client.batch_execute("set client_min_messages = notice").await.unwrap();
    client.batch_execute("commit").await.unwrap();
    let n = notices.recv().await.unwrap();
    assert_eq!(n.message(), "there is no transaction in progress");
    assert!(notices.try_recv().is_err());
}

/// log_*_stats: one LOG report per phase, in PostgreSQL's order and format
/// (plus OpenAssay's COMPILE report), sent only when client_min_messages allows.
#[tokio::test]
async fn phase_usage_reports_reach_the_client() {
    let (client, mut notices) = connect_with(config(addr())).await.unwrap();
    client.batch_execute("set log_parser_stats = on; set log_planner_stats = on; set log_executor_stats = on").await.unwrap();
    client.simple_query("select 1").await.unwrap();
    assert!(notices.try_recv().is_err(), "LOG is below client_min_messages = notice");
    client.batch_execute("set client_min_messages = log").await.unwrap();
    while notices.try_recv().is_ok() {}
    client.simple_query("select count(*) from generate_series(1, 1000)").await.unwrap();
    let mut titles = Vec::new();
    while let Ok(n) = notices.try_recv() {
        assert_eq!((n.severity(), n.code()), ("LOG", &SqlState::SUCCESSFUL_COMPLETION));
        let detail = n.detail().unwrap();
        assert!(detail.starts_with("! system usage stats:\n!\t"), "{detail}");
        assert!(detail.lines().nth(1).unwrap().ends_with(" s elapsed"), "{detail}");
        titles.push(n.message().to_string());
    }
    assert_eq!(
        titles,
        ["PARSER STATISTICS", "PARSE ANALYSIS STATISTICS", "REWRITER STATISTICS", "PLANNER STATISTICS", "COMPILE STATISTICS", "EXECUTOR STATISTICS"]
    );
    client.batch_execute("reset log_parser_stats; reset log_planner_stats; reset log_executor_stats; set log_statement_stats = on").await.unwrap();
    while notices.try_recv().is_ok() {}
    client.simple_query("select 1; select 2").await.unwrap();
    let n = notices.recv().await.unwrap();
    assert_eq!(n.message(), "QUERY STATISTICS");
    assert!(notices.try_recv().is_err());
}

#[tokio::test]
async fn startup_parameters_become_settings() {
    let mut c = config(addr());
    c.options("-c DateStyle=SQL,\\ DMY --extra-float-digits=0").application_name("wiretest");
    let (client, _) = connect_with(c).await.unwrap();
    let m = client.simple_query("show datestyle; show extra_float_digits; show application_name").await.unwrap();
    assert_eq!(rows(&m), vec![vec![Some("SQL, DMY".into())], vec![Some("0".into())], vec![Some("wiretest".into())]]);

    let mut bad = config(addr());
    bad.options("-c DateStyle=nonsense");
    let Err(e) = connect_with(bad).await else { panic!("a bad DateStyle is refused") };
    assert_eq!(code(&e), SqlState::INVALID_PARAMETER_VALUE);
    let mut unknown = config(addr());
    unknown.options("-c no_such_setting=1");
    assert_eq!(code(&connect_with(unknown).await.err().unwrap()), SqlState::UNDEFINED_OBJECT);
}

// ------------------------------------------------------------ concurrency, cancel, shutdown

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_queries_do_not_stall_other_sessions_and_can_be_cancelled() {
    let slow = connect().await;
    slow.batch_execute("create table slow_t as select g from generate_series(1, 250) g").await.unwrap();
    let cancel = slow.cancel_token();
    let running = tokio::spawn(async move { slow.simple_query("select count(*) from slow_t a, slow_t b, slow_t c").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let quick = connect().await;
    assert_eq!(quick.query_one("select 1", &[]).await.unwrap().get::<_, i32>(0), 1);
    // The quick session answered while the slow one is still running.
    assert!(!running.is_finished());
    cancel.cancel_query(NoTls).await.unwrap();
    let e = tokio::time::timeout(Duration::from_secs(30), running).await.unwrap().unwrap().unwrap_err();
    assert_eq!(code(&e), SqlState::QUERY_CANCELED);
}

#[tokio::test]
async fn shutdown_ends_sessions_with_57p01() {
    let server = start(AuthMethod::Trust);
    let mut raw = RawClient::connect(server.addr, &[]);
    let stopper = std::thread::spawn(move || server.stop());
    let (tag, body) = raw.read().expect("a FATAL before the connection closes");
    assert_eq!(tag, b'E');
    let f = fields(&body);
    assert_eq!((f[&b'S'].as_str(), f[&b'C'].as_str()), ("FATAL", "57P01"));
    assert!(raw.read().is_none());
    stopper.join().unwrap();
}

// ------------------------------------------------------------ authentication

#[tokio::test]
async fn scram_authentication() {
    let file = PasswordFile::parse("alice:s3cret\n").unwrap();
    let server = start(AuthMethod::Scram(Arc::new(file)));
    let mut good = config(server.addr);
    good.user("alice").password("s3cret");
    let (client, _) = connect_with(good).await.unwrap();
    assert_eq!(client.query_one("select current_user::text", &[]).await.unwrap().get::<_, String>(0), "alice");
    for (user, password) in [("alice", "wrong"), ("mallory", "s3cret")] {
        let mut bad = config(server.addr);
        bad.user(user).password(password);
        let Err(e) = connect_with(bad).await else { panic!("{user} is refused") };
        assert_eq!(code(&e), SqlState::INVALID_PASSWORD);
        assert_eq!(e.as_db_error().unwrap().message(), format!("password authentication failed for user \"{user}\""));
    }
}

// ------------------------------------------------------------ raw protocol

/// A blocking client speaking the protocol by hand.
struct RawClient {
    s: TcpStream,
}

fn fields(body: &[u8]) -> HashMap<u8, String> {
    let mut out = HashMap::new();
    let mut rest = body;
    while let Some((&code, tail)) = rest.split_first() {
        if code == 0 {
            break;
        }
        let end = tail.iter().position(|b| *b == 0).unwrap();
        out.insert(code, String::from_utf8_lossy(&tail[..end]).into_owned());
        rest = &tail[end + 1..];
    }
    out
}

fn cstr(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

impl RawClient {
    fn open(addr: SocketAddr) -> RawClient {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        RawClient { s }
    }

    /// Connects and reads through the first ReadyForQuery.
    fn connect(addr: SocketAddr, extra: &[(&str, &str)]) -> RawClient {
        let mut c = RawClient::open(addr);
        let mut body = 196608i32.to_be_bytes().to_vec();
        for (k, v) in [("user", "postgres"), ("database", "postgres")].iter().chain(extra) {
            body.extend(cstr(k));
            body.extend(cstr(v));
        }
        body.push(0);
        let mut packet = ((body.len() + 4) as i32).to_be_bytes().to_vec();
        packet.extend(body);
        c.s.write_all(&packet).unwrap();
        c.until_ready();
        c
    }

    fn send(&mut self, tag: u8, body: &[u8]) {
        let mut m = vec![tag];
        m.extend(((body.len() + 4) as i32).to_be_bytes());
        m.extend_from_slice(body);
        self.s.write_all(&m).unwrap();
    }

    fn read(&mut self) -> Option<(u8, Vec<u8>)> {
        let mut head = [0u8; 5];
        if self.s.read_exact(&mut head).is_err() {
            return None;
        }
        let len = i32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let mut body = vec![0u8; len - 4];
        self.s.read_exact(&mut body).ok()?;
        Some((head[0], body))
    }

    fn until_ready(&mut self) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        while let Some(m) = self.read() {
            let done = m.0 == b'Z';
            out.push(m);
            if done {
                break;
            }
        }
        out
    }

    fn query(&mut self, sql: &str) -> Vec<(u8, Vec<u8>)> {
        self.send(b'Q', &cstr(sql));
        self.until_ready()
    }

    fn parse(&mut self, name: &str, sql: &str) {
        let mut body = cstr(name);
        body.extend(cstr(sql));
        body.extend([0, 0]);
        self.send(b'P', &body);
    }

    /// Bind without parameters; `binary` asks for every column in binary.
    fn bind(&mut self, portal: &str, statement: &str, binary: bool) {
        let mut body = cstr(portal);
        body.extend(cstr(statement));
        body.extend([0, 0, 0, 0]);
        if binary {
            body.extend([0, 1, 0, 1]);
        } else {
            body.extend([0, 0]);
        }
        self.send(b'B', &body);
    }

    fn execute(&mut self, portal: &str, max_rows: i32) {
        let mut body = cstr(portal);
        body.extend(max_rows.to_be_bytes());
        self.send(b'E', &body);
    }

    /// Parse, Bind and Execute of the unnamed statement and portal.
    fn run(&mut self, sql: &str) {
        self.parse("", sql);
        self.bind("", "", false);
        self.execute("", 0);
    }

    /// Reads through the first message whose type is in `last`.
    fn until(&mut self, last: &[u8]) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        while let Some(m) = self.read() {
            let done = last.contains(&m.0);
            out.push(m);
            if done {
                break;
            }
        }
        out
    }

    /// The single value of a one-row, one-column query.
    fn value(&mut self, sql: &str) -> String {
        let m = self.query(sql);
        let row = &m.iter().find(|(t, _)| *t == b'D').unwrap_or_else(|| panic!("no row in {m:?}")).1;
        let len = i32::from_be_bytes(row[2..6].try_into().unwrap()) as usize;
        String::from_utf8(row[6..6 + len].to_vec()).unwrap()
    }
}

fn tags(messages: &[(u8, Vec<u8>)]) -> String {
    messages.iter().map(|(t, _)| *t as char).collect()
}

/// CommandComplete's tag.
fn command_tag(body: &[u8]) -> &str {
    std::str::from_utf8(&body[..body.len() - 1]).unwrap()
}

fn status(messages: &[(u8, Vec<u8>)]) -> u8 {
    let (tag, body) = messages.last().unwrap();
    assert_eq!(*tag, b'Z');
    body[0]
}

fn parameter_statuses(messages: &[(u8, Vec<u8>)]) -> HashMap<String, String> {
    messages
        .iter()
        .filter(|(t, _)| *t == b'S')
        .map(|(_, b)| {
            let parts: Vec<&[u8]> = b.split(|c| *c == 0).collect();
            (String::from_utf8_lossy(parts[0]).into_owned(), String::from_utf8_lossy(parts[1]).into_owned())
        })
        .collect()
}

#[test]
fn startup_reports_parameters_and_set_reports_changes() {
    let mut c = RawClient::open(addr());
    // SSLRequest is refused with 'N'; the client goes on in plain text.
    c.s.write_all(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]).unwrap();
    let mut answer = [0u8; 1];
    c.s.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"N");
    let mut body = 196608i32.to_be_bytes().to_vec();
    body.extend(cstr("user"));
    body.extend(cstr("postgres"));
    body.push(0);
    let mut packet = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    packet.extend(body);
    c.s.write_all(&packet).unwrap();
    let startup = c.until_ready();
    assert_eq!(startup[0], (b'R', 0i32.to_be_bytes().to_vec()));
    let params = parameter_statuses(&startup);
    for (k, v) in [
        ("server_version", "15.18"),
        ("server_encoding", "UTF8"),
        ("client_encoding", "UTF8"),
        ("DateStyle", "ISO, MDY"),
        ("TimeZone", "UTC"),
        ("IntervalStyle", "postgres"),
        ("integer_datetimes", "on"),
        ("standard_conforming_strings", "on"),
        ("is_superuser", "on"),
        ("session_authorization", "postgres"),
        ("application_name", ""),
    ] {
        assert_eq!(params.get(k).map(String::as_str), Some(v), "{k}");
    }
    assert!(startup.iter().any(|(t, b)| *t == b'K' && b.len() == 8));
    assert_eq!(status(&startup), b'I');

    let m = c.query("SET DateStyle = 'SQL, DMY'; SET TimeZone = 'Europe/Paris'");
    let changed = parameter_statuses(&m);
    assert_eq!(changed.get("DateStyle").map(String::as_str), Some("SQL, DMY"));
    assert_eq!(changed.get("TimeZone").map(String::as_str), Some("Europe/Paris"));
    assert_eq!(changed.len(), 2);
    assert!(parameter_statuses(&c.query("select 1")).is_empty());
}

#[test]
fn ready_for_query_tracks_transaction_status() {
    let mut c = RawClient::connect(addr(), &[]);
    assert_eq!(status(&c.query("begin")), b'T');
    let m = c.query("select 1/0");
    assert_eq!(status(&m), b'E');
    let err = m.iter().find(|(t, _)| *t == b'E').unwrap();
    assert_eq!(fields(&err.1)[&b'C'], "22012");
    let m = c.query("select 1");
    assert_eq!(fields(&m.iter().find(|(t, _)| *t == b'E').unwrap().1)[&b'C'], "25P02");
    assert_eq!(status(&m), b'E');
    assert_eq!(status(&c.query("rollback")), b'I');
    assert_eq!(status(&c.query("begin; select 1")), b'T');
    assert_eq!(status(&c.query("commit")), b'I');
    // An empty query answers EmptyQueryResponse.
    let m = c.query("");
    assert_eq!(m.iter().map(|(t, _)| *t).collect::<Vec<_>>(), vec![b'I', b'Z']);
}

#[test]
fn extended_protocol_errors_skip_to_sync() {
    let mut c = RawClient::connect(addr(), &[]);
    // Bind to a statement that does not exist, then an Execute that must be skipped.
    let mut bind = cstr("");
    bind.extend(cstr("nope"));
    bind.extend([0, 0, 0, 0, 0, 0]);
    c.send(b'B', &bind);
    let mut exec = cstr("");
    exec.extend(0i32.to_be_bytes());
    c.send(b'E', &exec);
    c.send(b'S', &[]);
    let m = c.until_ready();
    assert_eq!(m.iter().map(|(t, _)| *t).collect::<Vec<_>>(), vec![b'E', b'Z']);
    assert_eq!(fields(&m[0].1)[&b'C'], "26000");

    // Wrong parameter count.
    let mut parse = cstr("s1");
    parse.extend(cstr("select $1::int4"));
    parse.extend([0, 0]);
    c.send(b'P', &parse);
    let mut bind = cstr("");
    bind.extend(cstr("s1"));
    bind.extend([0, 0, 0, 0, 0, 0]);
    c.send(b'B', &bind);
    c.send(b'S', &[]);
    let m = c.until_ready();
    assert_eq!(m.iter().map(|(t, _)| *t).collect::<Vec<_>>(), vec![b'1', b'E', b'Z']);
    let f = fields(&m[1].1);
    assert_eq!((f[&b'C'].as_str(), f[&b'M'].as_str()), ("08P01", "bind message supplies 0 parameters, but prepared statement \"s1\" requires 1"));

    // Invalid UTF-8 in a query: an error, and the session goes on.
    let m = c.query("select '\u{e9}'");
    assert_eq!(status(&m), b'I');
    c.send(b'Q', b"select '\xff'\0");
    let m = c.until_ready();
    assert_eq!(fields(&m[0].1)[&b'C'], "22021");
    assert_eq!(status(&c.query("select 1")), b'I');
}

#[test]
fn malformed_messages_end_only_their_session() {
    let mut bystander = RawClient::connect(addr(), &[]);
    for bad in [
        vec![0x01, 0, 0, 0, 4],                       // unknown message type
        vec![b'Q', 0x7f, 0xff, 0xff, 0xff],           // absurd length
        vec![b'Q', 0, 0, 0, 2],                       // length below 4
        vec![b'B', 0, 0, 0, 10, 0, 0, 0, 0x7f, 0, 0], // counts beyond the body
        vec![b'S', 0, 0, 0, 6, 1, 2],                 // trailing bytes
    ] {
        let mut c = RawClient::connect(addr(), &[]);
        c.s.write_all(&bad).unwrap();
        let (tag, body) = c.read().expect("an ErrorResponse");
        assert_eq!(tag, b'E', "{bad:?}");
        let f = fields(&body);
        assert_eq!((f[&b'S'].as_str(), f[&b'C'].as_str()), ("FATAL", "08P01"), "{bad:?}");
        assert!(c.read().is_none(), "{bad:?}: the connection is closed");
        assert_eq!(status(&bystander.query("select 1")), b'I');
    }
    // Garbage instead of a startup packet.
    let mut c = RawClient::open(addr());
    c.s.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    let (tag, body) = c.read().expect("an ErrorResponse");
    assert_eq!((tag, fields(&body)[&b'C'].as_str()), (b'E', "08P01"));
    assert!(c.read().is_none());
    // A client vanishing mid-message.
    let mut c = RawClient::connect(addr(), &[]);
    c.s.write_all(&[b'Q', 0, 0, 1, 0, b's']).unwrap();
    drop(c);
    // A startup packet without a user.
    let mut c = RawClient::open(addr());
    c.s.write_all(&[0, 0, 0, 9, 0, 3, 0, 0, 0]).unwrap();
    let (_, body) = c.read().unwrap();
    assert_eq!(fields(&body)[&b'C'], "28000");
    assert_eq!(status(&bystander.query("select 2")), b'I');
}

#[test]
fn portals_stream_large_results_in_batches() {
    let mut c = RawClient::connect(addr(), &[]);
    c.parse("", "select g from generate_series(1, 100000) g");
    c.bind("big", "", false);
    let mut total = 0i64;
    let mut expected = 1i64;
    for batch in 0..100 {
        c.execute("big", 1000);
        c.send(b'H', &[]);
        let m = c.until(b"sCE");
        let (first, last) = (m.first().unwrap().0, m.last().unwrap().0);
        assert_eq!((first, last), (if batch == 0 { b'1' } else { b'D' }, b's'), "batch {batch}: {}", tags(&m));
        let rows: Vec<i64> = m
            .iter()
            .filter(|(t, _)| *t == b'D')
            .map(|(_, b)| {
                let len = i32::from_be_bytes(b[2..6].try_into().unwrap()) as usize;
                std::str::from_utf8(&b[6..6 + len]).unwrap().parse().unwrap()
            })
            .collect();
        assert_eq!(rows.len(), 1000);
        for v in rows {
            assert_eq!(v, expected);
            expected += 1;
            total += v;
        }
    }
    assert_eq!(total, 100_000 * 100_001 / 2);
    // Exactly at the end: the next Execute finds no more rows.
    c.execute("big", 1000);
    c.send(b'S', &[]);
    let m = c.until(b"Z");
    assert_eq!(tags(&m), "CZ");
    assert_eq!(command_tag(&m[0].1), "SELECT 0");
    assert_eq!(status(&m), b'I');

    // Rows are computed as they are asked for: the first batch of a query
    // that fails at its last row arrives, and the error with a later batch.
    c.parse("late", "select 1 / (100000 - g) from generate_series(1, 100000) g");
    c.bind("", "late", true);
    c.execute("", 1000);
    c.send(b'H', &[]);
    let m = c.until(b"sCE");
    assert_eq!(tags(&m).matches('D').count(), 1000);
    assert_eq!(m.last().unwrap().0, b's');
    // Binary: int4 from the value.
    assert_eq!(m[2].1, [0, 1, 0, 0, 0, 4, 0, 0, 0, 0]);
    c.execute("", 0);
    c.send(b'S', &[]);
    let m = c.until(b"Z");
    assert_eq!(m.iter().rev().nth(1).unwrap().0, b'E');
    assert_eq!(fields(&m.iter().rev().nth(1).unwrap().1)[&b'C'], "22012");
    // Up to the morsel holding the failing row.
    let streamed = tags(&m).matches('D').count();
    assert!((1000..99_000).contains(&streamed), "{streamed}");
    assert_eq!(status(&m), b'I');
}

#[test]
fn the_implicit_transaction_lasts_until_sync() {
    let mut c = RawClient::connect(addr(), &[]);
    let mut other = RawClient::connect(addr(), &[]);
    c.query("create table sync_t(a int)");

    // Two Executes, one transaction: uncommitted until Sync.
    c.run("insert into sync_t values (1)");
    c.run("insert into sync_t values (2)");
    c.send(b'H', &[]);
    let m: Vec<_> = (0..6).map_while(|_| c.read()).collect();
    assert_eq!(tags(&m), "12C12C", "{m:?}");
    assert_eq!(other.value("select count(*) from sync_t"), "0");
    c.send(b'S', &[]);
    assert_eq!(status(&c.until_ready()), b'I');
    assert_eq!(other.value("select count(*) from sync_t"), "2");

    // An error in the second Execute rolls back the first; the rest is skipped.
    c.run("insert into sync_t values (3)");
    c.run("insert into sync_t values (1 / 0)");
    c.run("insert into sync_t values (4)");
    c.send(b'S', &[]);
    let m = c.until_ready();
    assert_eq!(tags(&m), "12C12EZ");
    assert_eq!(fields(&m[5].1)[&b'C'], "22012");
    assert_eq!(status(&m), b'I');
    assert_eq!(c.value("select count(*) from sync_t"), "2");

    // A modifying statement runs to completion at its first Execute: a
    // Sync after a partial fetch of its RETURNING rows commits all of it.
    c.parse("", "insert into sync_t select g from generate_series(10, 19) g returning a");
    c.bind("", "", false);
    c.execute("", 3);
    c.send(b'S', &[]);
    let m = c.until_ready();
    assert_eq!(tags(&m), "12DDDsZ");
    assert_eq!(other.value("select count(*) from sync_t"), "12");

    // Utility statements share it once a query has opened it.
    c.run("insert into sync_t values (5)");
    c.run("drop table sync_t");
    c.run("select 1 / 0");
    c.send(b'S', &[]);
    let m = c.until_ready();
    assert_eq!(tags(&m), "12C12C12EZ");
    assert_eq!(other.value("select count(*) from sync_t"), "12");

    // A failed transaction block keeps failing across Syncs; portals are gone.
    assert_eq!(status(&c.query("begin")), b'T');
    c.parse("", "select g from generate_series(1, 10) g");
    c.bind("p", "", false);
    c.execute("p", 2);
    c.send(b'S', &[]);
    assert_eq!(tags(&c.until_ready()), "12DDsZ");
    c.run("select 1 / 0");
    c.send(b'S', &[]);
    let m = c.until_ready();
    assert_eq!(tags(&m), "12EZ");
    assert_eq!(status(&m), b'E');
    c.execute("p", 2);
    c.send(b'S', &[]);
    let m = c.until_ready();
    assert_eq!(fields(&m[0].1)[&b'C'], "34000");
    assert_eq!(status(&c.query("rollback")), b'I');
}

#[test]
fn notices_come_before_their_statements_results() {
    let mut c = RawClient::connect(addr(), &[]);
    let m = c.query("drop table if exists notice_a; select 1; drop table if exists notice_b; select 2");
    assert_eq!(tags(&m), "NCTDCNCTDCZ");
    let message = |i: usize| fields(&m[i].1)[&b'M'].clone();
    assert_eq!(message(0), "table \"notice_a\" does not exist, skipping");
    assert_eq!(message(5), "table \"notice_b\" does not exist, skipping");
    assert_eq!(command_tag(&m[1].1), "DROP TABLE");

    // client_min_messages as it is when the notice is raised.
    let m = c.query("set client_min_messages = warning; drop table if exists notice_c; select 1");
    assert_eq!(tags(&m), "CCTDCZ");
    let m = c.query("drop table if exists notice_d; set client_min_messages = notice; drop table if exists notice_e");
    assert_eq!(tags(&m), "CCNCZ");
    assert_eq!(fields(&m[2].1)[&b'M'], "table \"notice_e\" does not exist, skipping");
    // A failing statement's notices come before its error.
    let m = c.query("select 1; drop table if exists notice_f; select 1/0");
    assert_eq!(tags(&m), "TDCNCEZ");
}

#[test]
fn copy_to_and_from_the_client() {
    let mut c = RawClient::connect(addr(), &[]);
    c.query("create table copy_t(a int, b text)");
    c.send(b'Q', &cstr("copy copy_t from stdin"));
    let m = c.until(b"GEZ");
    assert_eq!(tags(&m), "G");
    assert_eq!(m[0].1, [0, 0, 2, 0, 0, 0, 0]);
    // Rows may be split anywhere across CopyData messages.
    c.send(b'd', b"1\tone\n2\t");
    c.send(b'd', b"two\n3\t\\N\n");
    c.send(b'H', &[]);
    c.send(b'c', &[]);
    let m = c.until_ready();
    assert_eq!(tags(&m), "CZ");
    assert_eq!(command_tag(&m[0].1), "COPY 3");
    assert_eq!(status(&m), b'I');

    let m = c.query("copy (select a, b from copy_t order by a) to stdout with (format csv, header)");
    assert_eq!(tags(&m), "HddddcCZ");
    let data: Vec<&[u8]> = m.iter().filter(|(t, _)| *t == b'd').map(|(_, b)| b.as_slice()).collect();
    assert_eq!(data, vec![&b"a,b\n"[..], b"1,one\n", b"2,two\n", b"3,\n"]);
    assert_eq!(command_tag(&m[6].1), "COPY 3");

    // CopyFail and bad data end the COPY with an error; nothing is loaded.
    c.send(b'Q', &cstr("copy copy_t from stdin"));
    c.until(b"G");
    c.send(b'd', b"4\tfour\n");
    c.send(b'f', &cstr("client gave up"));
    let m = c.until_ready();
    assert_eq!(tags(&m), "EZ");
    assert_eq!(fields(&m[0].1)[&b'C'], "57014");
    c.send(b'Q', &cstr("copy copy_t from stdin"));
    c.until(b"G");
    c.send(b'd', b"x\tfive\n");
    c.send(b'c', &[]);
    let m = c.until_ready();
    assert_eq!(tags(&m), "EZ");
    assert_eq!(fields(&m[0].1)[&b'C'], "22P02");
    assert_eq!(c.value("select count(*) from copy_t"), "3");

    // Errors before any data: no CopyInResponse.
    let m = c.query("copy no_such_table from stdin");
    assert_eq!(tags(&m), "EZ");
    assert_eq!(fields(&m[0].1)[&b'C'], "42P01");

    // Through the extended protocol.
    c.run("copy copy_t (a) from stdin");
    c.send(b'H', &[]);
    let m = c.until(b"GE");
    assert_eq!(tags(&m), "12G");
    c.send(b'd', b"10\n11\n");
    c.send(b'c', &[]);
    c.send(b'S', &[]);
    let m = c.until_ready();
    assert_eq!(tags(&m), "CZ");
    assert_eq!(command_tag(&m[0].1), "COPY 2");
    c.run("copy copy_t to stdout");
    c.send(b'S', &[]);
    let m = c.until_ready();
    assert_eq!(tags(&m), "12HdddddcCZ");
    assert_eq!(c.value("select count(*) from copy_t"), "5");
}

// ------------------------------------------------------------ LISTEN / NOTIFY, plan cache

/// The server the LISTEN/NOTIFY and plan-cache tests talk to: ours, or the
/// PostgreSQL on 127.0.0.1:$OA_WIRE_PG_PORT, to check the expectations
/// against PostgreSQL itself (`OA_WIRE_PG_PORT=55432 cargo nextest run -p
/// oa-server --test wire notif prepared`).
fn target_config() -> Config {
    match std::env::var("OA_WIRE_PG_PORT") {
        Ok(port) => {
            let mut c = Config::new();
            c.host("127.0.0.1").port(port.parse().expect("OA_WIRE_PG_PORT")).user("postgres").dbname("postgres");
            c
        }
        Err(_) => config(addr()),
    }
}

/// A client whose connection task forwards notifications (AsyncMessage::Notification).
async fn connect_listening() -> (Client, tokio::sync::mpsc::UnboundedReceiver<tokio_postgres::Notification>) {
    let (client, mut connection) = target_config().connect(NoTls).await.expect("connect");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(m) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match m {
                Ok(AsyncMessage::Notification(n)) => {
                    let _ = tx.send(n);
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    (client, rx)
}

async fn backend_pid(c: &Client) -> i32 {
    c.query_one("SELECT pg_backend_pid()", &[]).await.expect("pg_backend_pid").get(0)
}

/// The next notification: (sender PID, channel, payload).
async fn next_notification(rx: &mut tokio::sync::mpsc::UnboundedReceiver<tokio_postgres::Notification>) -> (i32, String, String) {
    let n = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.expect("a notification within 10 s").expect("connection open");
    (n.process_id(), n.channel().to_string(), n.payload().to_string())
}

#[tokio::test]
async fn notifications_arrive_after_commit_even_while_idle() {
    let (a, mut a_rx) = connect_listening().await;
    let (b, _b_rx) = connect_listening().await;
    let (a_pid, b_pid) = (backend_pid(&a).await, backend_pid(&b).await);
    let n = |pid: i32, payload: &str| (pid, "wire_chan".to_string(), payload.to_string());
    a.batch_execute("LISTEN wire_chan").await.unwrap();

    // `a` sends nothing more: the notification reaches it while it is idle.
    b.batch_execute("NOTIFY wire_chan, 'one'").await.unwrap();
    assert_eq!(next_notification(&mut a_rx).await, n(b_pid, "one"));

    // A rolled-back transaction notifies nobody; a committed one sends each
    // distinct (channel, payload) once, in order, NOTIFY and pg_notify alike.
    b.batch_execute("BEGIN; NOTIFY wire_chan, 'lost'; ROLLBACK").await.unwrap();
    b.batch_execute("BEGIN; NOTIFY wire_chan, 'x'; NOTIFY wire_chan, 'x'; SELECT pg_notify('wire_chan', 'y'); NOTIFY wire_chan, 'x'; COMMIT")
        .await
        .unwrap();
    assert_eq!(next_notification(&mut a_rx).await, n(b_pid, "x"));
    assert_eq!(next_notification(&mut a_rx).await, n(b_pid, "y"));

    // The extended protocol: delivered when Sync commits.
    b.execute("SELECT pg_notify($1, $2)", &[&"wire_chan", &"extended"]).await.unwrap();
    assert_eq!(next_notification(&mut a_rx).await, n(b_pid, "extended"));

    // A listener inside a transaction block gets it only when the block ends.
    a.batch_execute("BEGIN").await.unwrap();
    b.batch_execute("NOTIFY wire_chan, 'later'").await.unwrap();
    assert!(tokio::time::timeout(Duration::from_millis(300), a_rx.recv()).await.is_err(), "delivered inside a transaction block");
    a.batch_execute("COMMIT").await.unwrap();
    assert_eq!(next_notification(&mut a_rx).await, n(b_pid, "later"));

    // A session hears its own notifications, even when LISTEN is in the same transaction.
    a.batch_execute("NOTIFY wire_chan, 'self'").await.unwrap();
    assert_eq!(next_notification(&mut a_rx).await, n(a_pid, "self"));
    a.batch_execute("BEGIN; LISTEN wire_other; NOTIFY wire_other, 'same transaction'; COMMIT").await.unwrap();
    assert_eq!(next_notification(&mut a_rx).await, (a_pid, "wire_other".to_string(), "same transaction".to_string()));

    // After UNLISTEN nothing comes on that channel; a LISTEN rolled back never listened.
    a.batch_execute("UNLISTEN wire_chan").await.unwrap();
    a.batch_execute("BEGIN; LISTEN wire_never; ROLLBACK").await.unwrap();
    b.batch_execute("NOTIFY wire_chan, 'gone'; NOTIFY wire_never, 'never'; NOTIFY wire_other, 'marker'").await.unwrap();
    assert_eq!(next_notification(&mut a_rx).await, (b_pid, "wire_other".to_string(), "marker".to_string()));
    a.batch_execute("UNLISTEN *").await.unwrap();
    b.batch_execute("NOTIFY wire_other, 'unheard'").await.unwrap();
    assert!(tokio::time::timeout(Duration::from_millis(300), a_rx.recv()).await.is_err(), "delivered after UNLISTEN *");

    let e = b.batch_execute(&format!("NOTIFY wire_chan, '{}'", "p".repeat(8000))).await.unwrap_err();
    assert_eq!(code(&e), SqlState::INVALID_PARAMETER_VALUE);
    assert_eq!(e.as_db_error().map(|d| d.message()), Some("payload string too long"));
}

#[tokio::test]
async fn prepared_statements_refuse_a_changed_result_type() {
    let (c, _rx) = connect_listening().await;
    c.batch_execute("DROP TABLE IF EXISTS wire_cp; CREATE TABLE wire_cp (a int); INSERT INTO wire_cp VALUES (1)").await.unwrap();
    let select = c.prepare("SELECT * FROM wire_cp").await.unwrap();
    let insert = c.prepare("INSERT INTO wire_cp VALUES (2)").await.unwrap();
    let returning = c.prepare("INSERT INTO wire_cp VALUES (3) RETURNING a").await.unwrap();
    assert_eq!(c.query(&select, &[]).await.unwrap().len(), 1);
    c.batch_execute("PREPARE wire_p AS SELECT a FROM wire_cp").await.unwrap();

    // SELECT * now has another column: Bind refuses the statement.
    c.batch_execute("ALTER TABLE wire_cp ADD COLUMN b text").await.unwrap();
    let e = c.query(&select, &[]).await.unwrap_err();
    assert_eq!(code(&e), SqlState::FEATURE_NOT_SUPPORTED);
    assert_eq!(e.as_db_error().map(|d| d.message()), Some("cached plan must not change result type"));
    // Those whose result is unchanged run, and the session goes on.
    assert_eq!(c.execute(&insert, &[]).await.unwrap(), 1);
    assert_eq!(c.query(&returning, &[]).await.unwrap().len(), 1);
    assert_eq!(c.simple_query("EXECUTE wire_p").await.map(|m| rows(&m).len()).unwrap(), 3);

    // A column's type changes: PREPARE/EXECUTE and protocol-level statements alike.
    c.batch_execute("ALTER TABLE wire_cp ALTER COLUMN a TYPE bigint").await.unwrap();
    let e = c.simple_query("EXECUTE wire_p").await.unwrap_err();
    assert_eq!(code(&e), SqlState::FEATURE_NOT_SUPPORTED);
    assert_eq!(e.as_db_error().map(|d| d.message()), Some("cached plan must not change result type"));
    let e = c.query(&returning, &[]).await.unwrap_err();
    assert_eq!(code(&e), SqlState::FEATURE_NOT_SUPPORTED);
    // Inside a transaction block the failure fails the block, as any error does.
    c.batch_execute("BEGIN").await.unwrap();
    assert!(c.query(&select, &[]).await.is_err());
    let e = c.simple_query("SELECT 1").await.unwrap_err();
    assert_eq!(code(&e), SqlState::IN_FAILED_SQL_TRANSACTION);
    c.batch_execute("ROLLBACK; DEALLOCATE wire_p; DROP TABLE wire_cp").await.unwrap();
}

#[test]
fn reg_parameters_in_text_are_looked_up_by_name() {
    // As SQLAlchemy sends `CAST(%(param)s AS REGCLASS)` with 'pg_catalog.pg_constraint'.
    let mut c = RawClient::connect(addr(), &[]);
    c.parse("", "SELECT $1::regclass::oid = 2606, $1::regclass");
    for (value, expect) in [("pg_catalog.pg_constraint", Some("t")), ("2606", Some("t")), ("no_such_table", None)] {
        let mut bind = cstr("");
        bind.extend(cstr(""));
        bind.extend([0, 0, 0, 1]);
        bind.extend((value.len() as i32).to_be_bytes());
        bind.extend(value.as_bytes());
        bind.extend([0, 0]);
        c.send(b'B', &bind);
        c.execute("", 0);
        c.send(b'S', &[]);
        let m = c.until_ready();
        match expect {
            Some(v) => {
                let row = &m.iter().find(|(t, _)| *t == b'D').unwrap_or_else(|| panic!("no row in {m:?}")).1;
                let len = i32::from_be_bytes(row[2..6].try_into().unwrap()) as usize;
                assert_eq!(String::from_utf8(row[6..6 + len].to_vec()).unwrap(), v);
                let rest = &row[6 + len..];
                let len2 = i32::from_be_bytes(rest[0..4].try_into().unwrap()) as usize;
                assert_eq!(std::str::from_utf8(&rest[4..4 + len2]).unwrap(), "pg_constraint");
            }
            None => {
                let e = fields(&m.iter().find(|(t, _)| *t == b'E').expect("an error").1);
                assert_eq!((e[&b'C'].as_str(), e[&b'M'].as_str()), ("42P01", "relation \"no_such_table\" does not exist"));
            }
        }
    }
}
