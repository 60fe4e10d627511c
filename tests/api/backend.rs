//! Which store the suite runs against: SQLite (`tests/api`) or PostgreSQL (`tests/api_postgres`,
//! the same test files), and a fresh store for each test.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::BACKEND;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the PostgreSQL half finds a server it may create databases on (`.ci/postgres-up`).
pub const POSTGRES_URL_VAR: &str = "FACTORY_TEST_POSTGRES_URL";

/// The `FACTORY_DATABASE_URL` for the store of the data dir `dir`: `None` (the SQLite file in
/// `dir`) or a PostgreSQL database created for `dir` on first use, so restarts find it again.
pub fn store_url(dir: &Path) -> Option<String> {
    if BACKEND == Backend::Sqlite {
        return None;
    }
    static DATABASES: OnceLock<Mutex<HashMap<PathBuf, String>>> = OnceLock::new();
    let mut databases = DATABASES.get_or_init(Mutex::default).lock().unwrap();
    let url = databases
        .entry(dir.to_owned())
        .or_insert_with(|| create_database(&server_url()));
    Some(url.clone())
}

/// The server's URL, or the end of this test binary: without a server the PostgreSQL half is
/// skipped as a whole, saying why, rather than failing or quietly testing SQLite again.
fn server_url() -> String {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => {
            // Straight to the file descriptor: the test harness captures `eprintln!`.
            let _ = writeln!(
                std::io::stderr().lock(),
                "\nPostgreSQL half skipped: {POSTGRES_URL_VAR} is not set, so there is no PostgreSQL \
                 server to test against (.ci/run starts one; `eval $(.ci/postgres-up)` does it by hand)."
            );
            std::process::exit(0);
        }
    }
}

/// Creates an empty database on the server and returns its URL. Runs on a thread of its own so
/// that both synchronous and async tests can call it.
fn create_database(server: &str) -> String {
    let name = format!("factory_test_{}", uuid::Uuid::new_v4().simple());
    let server = server.to_owned();
    let create = format!("CREATE DATABASE {name}");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (client, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {POSTGRES_URL_VAR}: {e}"));
            let driver = tokio::spawn(connection);
            client.batch_execute(&create).await.expect("test database created");
            drop(client);
            let _ = driver.await;
        });
        with_database(&server, &name)
    })
    .join()
    .expect("database creation thread")
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// Runs one statement on a test's store behind the factory's back (a corrupt row, a poisoned
/// table), `sqlite` or `postgres` as the suite's store needs; the number of rows it changed.
pub async fn run_sql(config: &pizza_factory::config::Config, sqlite: &str, postgres: &str) -> u64 {
    match BACKEND {
        Backend::Sqlite => {
            let conn = rusqlite::Connection::open(config.sqlite_path()).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
            conn.execute(sqlite, []).unwrap() as u64
        }
        Backend::Postgres => {
            let url = config.database_url.clone().unwrap();
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            let driver = tokio::spawn(connection);
            let changed = client.execute(postgres, &[]).await.unwrap();
            drop(client);
            let _ = driver.await;
            changed
        }
    }
}
