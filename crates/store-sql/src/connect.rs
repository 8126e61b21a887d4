//! Opening a store from a database URL: the engine is chosen by the URL's scheme.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use isms_store::{
    AppliedMigration, Engine, MigrateError, MigrationId, ReadTx, SchemaStatus, Store, StoreError, StoreResult, WriteTx,
};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

use crate::codec::{err, instant_to_text, text_to_instant};
use crate::dialect::Dialect;
use crate::migrations::{
    CREATE_BOOKKEEPING, INSERT_APPLIED, MIGRATIONS, Migration, applied_at, check_recorded, recorded, unavailable,
};
use crate::nesting::Nesting;
use crate::tx::{Held, OpenTx, SqlTx};

/// Pool settings.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Most connections held open at once.
    pub max_connections: u32,
    /// How long to wait for the database when connecting or for a free connection.
    pub acquire_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self { max_connections: 10, acquire_timeout: Duration::from_secs(10) }
    }
}

/// Why a store could not be opened. Messages name the database without its password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// The text is not a URL at all.
    #[error("database URL {url:?} is not a valid URL: {reason}")]
    InvalidUrl {
        /// The URL, password removed.
        url: String,
        /// The parser's reason.
        reason: String,
    },
    /// A URL for an engine we do not support.
    #[error(
        "database URL scheme {scheme:?} is not supported: use sqlite:// (the embedded default) or postgres:// (PostgreSQL)"
    )]
    UnsupportedScheme {
        /// The scheme given.
        scheme: String,
    },
    /// The SQLite file's directory does not exist.
    #[error("cannot open the SQLite database {path}: the directory {dir} does not exist")]
    MissingDirectory {
        /// The database file.
        path: String,
        /// Its missing directory.
        dir: String,
    },
    /// The engine refused or could not be reached.
    #[error("cannot connect to {engine} at {location}: {cause}")]
    Unreachable {
        /// Which engine.
        engine: Engine,
        /// The URL, password removed.
        location: String,
        /// The driver's reason.
        cause: String,
    },
}

/// Removes the password from a database URL, for messages, logs and `isms config show`.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("*****"));
            url.to_string()
        }
        Ok(_) => raw.to_owned(),
        Err(_) => raw.split_once('@').map_or_else(|| raw.to_owned(), |(_, host)| format!("*****@{host}")),
    }
}

/// The `sqlite://` URL of a database file, created when missing.
pub fn sqlite_url_for_file(path: &Path) -> String {
    let mut encoded = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => encoded.push_str("%25"),
            '?' => encoded.push_str("%3F"),
            '#' => encoded.push_str("%23"),
            c => encoded.push(c),
        }
    }
    format!("sqlite://{encoded}?mode=rwc")
}

/// Opens the store a database URL names and checks that it answers.
pub async fn connect(url: &str, options: &ConnectOptions) -> Result<Arc<SqlStore>, ConnectError> {
    install_default_drivers();
    let location = redact_url(url);
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase()).ok_or_else(|| ConnectError::InvalidUrl {
        url: location.clone(),
        reason: "it has no scheme such as sqlite:// or postgres://".into(),
    })?;
    let dialect = match scheme.as_str() {
        "sqlite" => Dialect::Sqlite,
        "postgres" | "postgresql" => Dialect::Postgres,
        _ => return Err(ConnectError::UnsupportedScheme { scheme }),
    };
    let pool_options =
        AnyPoolOptions::new().max_connections(options.max_connections.max(1)).acquire_timeout(options.acquire_timeout);
    let (pool, url, location) = match dialect {
        Dialect::Sqlite => {
            let url = with_create_mode(url);
            let file = check_sqlite_directory(&url)?;
            let pool = pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    // FULL: a commit is on disk before it is acknowledged, so a power loss
                    // or an OS crash keeps every acknowledged write (NORMAL in WAL mode
                    // may drop the last ones). Its cost is in docs/performance.md.
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    Ok(())
                })
            });
            (pool, url, file)
        }
        Dialect::Postgres => {
            url::Url::parse(url)
                .map_err(|e| ConnectError::InvalidUrl { url: location.clone(), reason: e.to_string() })?;
            (pool_options, url.to_owned(), location)
        }
    };
    let unreachable = |e: &sqlx::Error| ConnectError::Unreachable {
        engine: dialect.engine(),
        location: location.clone(),
        cause: describe_connect_error(e),
    };
    // One direct attempt first: the pool retries until its timeout and then reports
    // only "timed out", hiding the real reason (refused, unknown host, bad password).
    let first = tokio::time::timeout(options.acquire_timeout, AnyConnection::connect(&url)).await;
    match first {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
        }
        Ok(Err(e)) => return Err(unreachable(&e)),
        Err(_) => return Err(unreachable(&sqlx::Error::PoolTimedOut)),
    }
    let pool = pool.connect(&url).await.map_err(|e| unreachable(&e))?;
    let writers = (dialect.engine() == Engine::Sqlite).then(|| Arc::new(tokio::sync::Semaphore::new(1)));
    Ok(Arc::new(SqlStore { pool, dialect, location, writers, nesting: Arc::default() }))
}

fn with_create_mode(url: &str) -> String {
    let has_mode = url.split_once('?').is_some_and(|(_, q)| q.split('&').any(|kv| kv.starts_with("mode=")));
    match (has_mode, url.contains('?')) {
        (true, _) => url.to_owned(),
        (false, true) => format!("{url}&mode=rwc"),
        (false, false) => format!("{url}?mode=rwc"),
    }
}

/// Checks that the SQLite file's directory exists; returns the file path for messages.
fn check_sqlite_directory(url: &str) -> Result<String, ConnectError> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let file = rest.split_once('?').map_or(rest, |(f, _)| f);
    let file = percent_decode(file);
    if file.is_empty() || file == ":memory:" {
        return Ok(file);
    }
    let path = Path::new(&file);
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
            Err(ConnectError::MissingDirectory { path: path.display().to_string(), dir: dir.display().to_string() })
        }
        _ => Ok(file.clone()),
    }
}

/// Decodes the `%XX` escapes [`sqlite_url_for_file`] writes.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn describe_connect_error(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::PoolTimedOut => "no answer within the connection timeout".to_owned(),
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

/// A store on SQLite or PostgreSQL.
#[derive(Debug)]
pub struct SqlStore {
    pool: AnyPool,
    dialect: Dialect,
    location: String,
    /// SQLite has one writer at a time. Writers of this process take turns here, in
    /// arrival order, before `BEGIN IMMEDIATE`, instead of meeting SQLite's busy
    /// handler, which backs off in sleeps of up to 100 ms and serves nobody in order.
    /// (Other processes still meet the busy timeout.) `None` on PostgreSQL.
    writers: Option<Arc<tokio::sync::Semaphore>>,
    /// The tasks holding a transaction, to refuse a second one on the same task.
    nesting: Arc<Nesting>,
}

impl SqlStore {
    /// The dialect this store speaks.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Applies the given migrations (tests pass their own lists; the product uses
    /// [`MIGRATIONS`]).
    pub async fn migrate_with(&self, list: &'static [Migration]) -> Result<Vec<MigrationId>, MigrateError> {
        run_migrations(self, list).await
    }

    /// The status of the schema against the given migrations.
    pub async fn schema_status_with(&self, list: &'static [Migration]) -> StoreResult<SchemaStatus> {
        migration_status(self, list).await
    }

    /// `(table, column)` pairs of the schema, for the parity check between engines.
    pub async fn columns(&self) -> StoreResult<Vec<(String, String)>> {
        sqlx::query_as(self.dialect.columns()).fetch_all(&self.pool).await.map_err(err("schema"))
    }

    /// Runs one SQL statement outside the port (test setup and repair tools only).
    pub async fn execute_raw(&self, sql: &str) -> StoreResult<()> {
        sqlx::raw_sql(sql).execute(&self.pool).await.map(|_| ()).map_err(err("statement"))
    }

    /// Starts a transaction with `statement` (see [`OpenTx`]: cancel-safe). Write
    /// transactions on SQLite first wait for this process's writer turn.
    pub(crate) async fn begin(&self, statement: &'static str, write: bool) -> StoreResult<OpenTx> {
        let nesting = self.nesting.register()?;
        let turn = match (&self.writers, write) {
            (Some(writers), true) => Some(
                writers
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| StoreError::Unavailable("the store is closing".into()))?,
            ),
            _ => None,
        };
        OpenTx::begin(&self.pool, statement, Held { turn, nesting }).await.map_err(|e| match e {
            sqlx::Error::PoolTimedOut => StoreError::Unavailable("no database connection became free in time".into()),
            e => crate::codec::map_err(e, "transaction"),
        })
    }
}

#[async_trait]
impl Store for SqlStore {
    fn engine(&self) -> Engine {
        self.dialect.engine()
    }

    fn location(&self) -> &str {
        &self.location
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ()).map_err(err("ping"))
    }

    async fn migrate(&self) -> Result<Vec<MigrationId>, MigrateError> {
        self.migrate_with(MIGRATIONS).await
    }

    async fn schema_status(&self) -> StoreResult<SchemaStatus> {
        self.schema_status_with(MIGRATIONS).await
    }

    async fn read(&self) -> StoreResult<Box<dyn ReadTx>> {
        Ok(Box::new(SqlTx::new(self.begin(self.dialect.begin_read(), false).await?, self.dialect)))
    }

    async fn write(&self) -> StoreResult<Box<dyn WriteTx>> {
        Ok(Box::new(SqlTx::new(self.begin(self.dialect.begin_write(), true).await?, self.dialect)))
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// Applies every pending migration of `list`, in order.
async fn run_migrations(store: &SqlStore, list: &[Migration]) -> Result<Vec<MigrationId>, MigrateError> {
    let dialect = store.dialect();
    let mut applied_now = Vec::new();
    for migration in list {
        let mut tx =
            store.begin(dialect.begin_write(), true).await.map_err(|e| MigrateError::Unavailable(e.to_string()))?;
        if let Some(lock) = dialect.migration_lock() {
            sqlx::query(&lock).execute(&mut *tx).await.map_err(unavailable)?;
        }
        sqlx::query(CREATE_BOOKKEEPING).execute(&mut *tx).await.map_err(unavailable)?;
        let recorded = recorded(&mut tx).await.map_err(unavailable)?;
        check_recorded(&recorded, list, dialect)?;
        if recorded.iter().any(|r| r.version == migration.id.version) {
            tx.rollback().await.map_err(unavailable)?;
            continue;
        }
        let failed = |e: sqlx::Error| MigrateError::Failed {
            migration: migration.id,
            cause: match &e {
                sqlx::Error::Database(db) => db.message().to_owned(),
                other => other.to_string(),
            },
        };
        (&mut *tx).execute(migration.sql(dialect)).await.map_err(failed)?;
        sqlx::query(INSERT_APPLIED)
            .bind(migration.id.version)
            .bind(migration.id.name)
            .bind(migration.checksum(dialect))
            .bind(instant_to_text(applied_at()))
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        tracing::info!(migration = %migration.id, "applied migration");
        applied_now.push(migration.id);
    }
    Ok(applied_now)
}

/// Reads which migrations are applied, without changing anything.
async fn migration_status(store: &SqlStore, list: &[Migration]) -> StoreResult<SchemaStatus> {
    let dialect = store.dialect();
    let mut tx = store.begin(dialect.begin_read(), false).await?;
    let exists = sqlx::query(dialect.table_exists())
        .bind("schema_migrations")
        .fetch_optional(&mut *tx)
        .await
        .map_err(err("schema status"))?
        .is_some();
    let recorded = if exists { recorded(&mut tx).await.map_err(err("schema status"))? } else { Vec::new() };
    let mut applied = Vec::with_capacity(recorded.len());
    for r in &recorded {
        applied.push(AppliedMigration {
            version: r.version,
            name: r.name.clone(),
            applied_at: text_to_instant("schema_migrations.applied_at", &r.applied_at)?,
        });
    }
    let pending = list.iter().filter(|m| !recorded.iter().any(|r| r.version == m.id.version)).map(|m| m.id).collect();
    let unknown =
        recorded.iter().filter(|r| !list.iter().any(|m| m.id.version == r.version)).map(|r| r.version).collect();
    Ok(SchemaStatus { applied, pending, unknown })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(redact_url("postgres://isms:s3cret@db:5432/isms"), "postgres://isms:*****@db:5432/isms");
        assert_eq!(redact_url("postgres://db/isms"), "postgres://db/isms");
        assert_eq!(redact_url("not a url:pw@host"), "*****@host");
    }

    #[test]
    fn sqlite_urls_escape_reserved_characters() {
        assert_eq!(sqlite_url_for_file(Path::new("/d/a?b#c%.db")), "sqlite:///d/a%3Fb%23c%25.db?mode=rwc");
    }

    #[test]
    fn sqlite_locations_are_plain_paths() {
        assert_eq!(check_sqlite_directory("sqlite:///tmp/a%3Fb.db?mode=rwc").unwrap(), "/tmp/a?b.db");
        assert_eq!(check_sqlite_directory("sqlite:///tmp/100%").unwrap(), "/tmp/100%");
        assert_eq!(check_sqlite_directory("sqlite:///tmp/%aé%zz").unwrap(), "/tmp/%aé%zz");
    }

    #[test]
    fn sqlite_urls_get_create_mode_unless_given() {
        assert_eq!(with_create_mode("sqlite:///x.db"), "sqlite:///x.db?mode=rwc");
        assert_eq!(with_create_mode("sqlite:///x.db?cache=shared"), "sqlite:///x.db?cache=shared&mode=rwc");
        assert_eq!(with_create_mode("sqlite:///x.db?mode=ro"), "sqlite:///x.db?mode=ro");
    }
}
