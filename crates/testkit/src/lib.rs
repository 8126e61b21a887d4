//! isms-testkit: what tests need to run against real databases.
//!
//! [`TestDb::run`] gives a test body a fresh, empty database on the engine it asks for
//! and removes it afterwards, even when the body panics. PostgreSQL databases are
//! created on the server named by `ISMS_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) under a unique name and dropped after
//! the test. An unreachable PostgreSQL fails the test; it never skips it.

#![expect(clippy::panic, clippy::expect_used, reason = "test support: failing loudly is its job")]

mod s3server;
pub use s3server::{S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3Server};

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

pub use isms_store::Engine;
use isms_store_sql::{ConnectOptions, SqlStore, connect, sqlite_url_for_file};
use sqlx::Connection;

/// The variable naming the PostgreSQL server tests create their databases on.
pub const POSTGRES_URL_VAR: &str = "ISMS_TEST_POSTGRES_URL";

/// The server used when [`POSTGRES_URL_VAR`] is not set.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A fresh database for one test.
#[derive(Debug, Clone)]
pub struct TestDb {
    /// The store on it, not yet migrated.
    pub store: Arc<SqlStore>,
    /// Its URL, for starting `isms` processes on the same database.
    pub url: String,
    /// The directory a SQLite database lives in (also usable as a data directory).
    pub dir: PathBuf,
}

/// The admin URL of the PostgreSQL server tests use.
pub fn postgres_server_url() -> String {
    std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// A fresh, empty PostgreSQL database; returns its name and URL. Panics, naming the
/// server and the variable, when the server cannot be reached.
pub async fn create_postgres_database() -> (String, String) {
    let server = postgres_server_url();
    let mut admin = sqlx::PgConnection::connect(&server).await.unwrap_or_else(|e| {
        panic!("PostgreSQL tests need a server: cannot connect to {server} (set {POSTGRES_URL_VAR}): {e}")
    });
    let name = format!("isms_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name} on {server}: {e}"));
    let _ = admin.close().await;
    let mut url = url::Url::parse(&server).expect("the PostgreSQL test URL is a URL");
    url.set_path(&name);
    (name, url.to_string())
}

/// Drops a database made by [`create_postgres_database`], disconnecting its users.
pub async fn drop_postgres_database(name: &str) {
    let server = postgres_server_url();
    if let Ok(mut admin) = sqlx::PgConnection::connect(&server).await {
        let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await;
        let _ = admin.close().await;
    }
}

/// Removes a test database when the test is done with it.
#[derive(Debug)]
pub struct Cleanup {
    store: Arc<SqlStore>,
    pg_name: Option<String>,
    _dir: tempfile::TempDir,
}

impl Cleanup {
    /// Closes the store and drops the database.
    pub async fn finish(self) {
        isms_store::Store::close(&*self.store).await;
        if let Some(name) = &self.pg_name {
            drop_postgres_database(name).await;
        }
    }
}

impl TestDb {
    /// A fresh, empty database of the given engine, and what removes it.
    pub async fn create(engine: Engine) -> (TestDb, Cleanup) {
        let tmp = tempfile::tempdir().expect("a temporary directory");
        let (url, pg_name) = match engine {
            Engine::Sqlite => (sqlite_url_for_file(&tmp.path().join("isms.db")), None),
            Engine::Postgres => {
                let (name, url) = create_postgres_database().await;
                (url, Some(name))
            }
        };
        let store = connect(&url, &ConnectOptions::default())
            .await
            .unwrap_or_else(|e| panic!("cannot open the test database: {e}"));
        let db = TestDb { store: store.clone(), url, dir: tmp.path().to_owned() };
        (db, Cleanup { store, pg_name, _dir: tmp })
    }

    /// Runs `body` on a fresh database of the given engine, then removes the database.
    /// A panic in the body is re-raised after the clean-up.
    pub async fn run<F, Fut>(engine: Engine, body: F)
    where
        F: FnOnce(TestDb) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (db, cleanup) = TestDb::create(engine).await;
        let outcome = tokio::spawn(body(db)).await;
        cleanup.finish().await;
        if let Err(e) = outcome {
            match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("test task failed: {e}"),
            }
        }
    }
}

/// Expands each `async fn name(db: TestDb) { ... }` into `sqlite::name` and
/// `postgres::name` tests, each on a fresh database. The PostgreSQL ones are ignored
/// unless run with `--include-ignored` (as `.ci/run` does).
#[macro_export]
macro_rules! both_engines {
    ($(async fn $name:ident($db:ident: TestDb) $body:block)*) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::TestDb::run($crate::Engine::Sqlite, |$db: $crate::TestDb| async move $body).await;
                }
            )*
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test]
                #[ignore = "needs PostgreSQL: .ci/run runs it (cargo test -- --include-ignored, ISMS_TEST_POSTGRES_URL)"]
                async fn $name() {
                    $crate::TestDb::run($crate::Engine::Postgres, |$db: $crate::TestDb| async move $body).await;
                }
            )*
        }
    };
}
