//! Embedded, numbered, forward-only migrations and the runner that applies them.
//!
//! Each migration runs in its own transaction together with its bookkeeping row, so a
//! failing migration leaves the schema exactly as it was before it, and the error
//! names it. Concurrent runners (two replicas starting at once) are serialized: on
//! PostgreSQL by an advisory lock taken inside each migration transaction, on SQLite
//! by `BEGIN IMMEDIATE`. Each re-checks under the lock whether the migration it is
//! about to apply was applied meanwhile.

use isms_store::{AppliedMigration, MigrateError, MigrationId, SchemaStatus, StoreResult};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Executor, Row};

use crate::codec::{err, instant_to_text, text_to_instant};
use crate::connect::SqlStore;
use crate::dialect::Dialect;

/// One migration: the same number and meaning on both engines, each with its own SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Its number and name.
    pub id: MigrationId,
    /// SQL for SQLite.
    pub sqlite: &'static str,
    /// SQL for PostgreSQL.
    pub postgres: &'static str,
}

impl Migration {
    /// The SQL for one dialect.
    pub fn sql(&self, dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Sqlite => self.sqlite,
            Dialect::Postgres => self.postgres,
        }
    }

    /// SHA-256 of the SQL, recorded when applied so that later edits are caught.
    pub fn checksum(&self, dialect: Dialect) -> String {
        hex::encode(Sha256::digest(self.sql(dialect).as_bytes()))
    }
}

/// `migration!(1, "foundation", "0001_foundation")` embeds
/// `migrations/{sqlite,postgres}/0001_foundation.sql`.
macro_rules! migration {
    ($version:literal, $name:literal, $file:literal) => {
        Migration {
            id: MigrationId { version: $version, name: $name },
            sqlite: include_str!(concat!("../migrations/sqlite/", $file, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $file, ".sql")),
        }
    };
}

/// Every migration of the product, in order. Append only: never edit or remove one
/// that has shipped.
pub static MIGRATIONS: &[Migration] = &[
    migration!(1, "foundation", "0001_foundation"),
    migration!(2, "frameworks", "0002_frameworks"),
    migration!(3, "controls_and_soa", "0003_controls_and_soa"),
    migration!(4, "registers", "0004_registers"),
    migration!(5, "sessions", "0005_sessions"),
    migration!(6, "api_tokens", "0006_api_tokens"),
    migration!(7, "id_counters", "0007_id_counters"),
    migration!(8, "invitations_and_throttling", "0008_invitations_and_throttling"),
];

const CREATE_BOOKKEEPING: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";
const SELECT_APPLIED: &str = "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version";
const INSERT_APPLIED: &str =
    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)";

struct Recorded {
    version: i64,
    name: String,
    checksum: String,
    applied_at: String,
}

async fn recorded(conn: &mut AnyConnection) -> Result<Vec<Recorded>, sqlx::Error> {
    let rows = sqlx::query(SELECT_APPLIED).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(Recorded {
                version: r.try_get(0)?,
                name: r.try_get(1)?,
                checksum: r.try_get(2)?,
                applied_at: r.try_get(3)?,
            })
        })
        .collect()
}

/// Checks the recorded migrations against the known list: unknown versions mean a
/// newer binary migrated this database; a changed checksum means an edited migration.
fn check_recorded(recorded: &[Recorded], list: &[Migration], dialect: Dialect) -> Result<(), MigrateError> {
    for r in recorded {
        match list.iter().find(|m| m.id.version == r.version) {
            None => return Err(MigrateError::Newer { version: r.version, name: r.name.clone() }),
            Some(m) if m.checksum(dialect) != r.checksum => return Err(MigrateError::Changed { migration: m.id }),
            Some(_) => {}
        }
    }
    Ok(())
}

#[expect(
    clippy::disallowed_methods,
    reason = "when the schema changed is bookkeeping of the database itself, not a domain instant"
)]
fn applied_at() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

#[expect(clippy::needless_pass_by_value, reason = "shaped for .map_err(unavailable)")]
fn unavailable(e: sqlx::Error) -> MigrateError {
    MigrateError::Unavailable(e.to_string())
}

/// Applies every pending migration of `list`, in order.
pub(crate) async fn run(store: &SqlStore, list: &[Migration]) -> Result<Vec<MigrationId>, MigrateError> {
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
pub(crate) async fn status(store: &SqlStore, list: &[Migration]) -> StoreResult<SchemaStatus> {
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
