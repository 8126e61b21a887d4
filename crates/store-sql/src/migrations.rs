//! Embedded, numbered, forward-only migrations and the runner that applies them.
//!
//! Each migration runs in its own transaction together with its bookkeeping row, so a
//! failing migration leaves the schema exactly as it was before it, and the error
//! names it. Concurrent runners (two replicas starting at once) are serialized: on
//! PostgreSQL by an advisory lock taken inside each migration transaction, on SQLite
//! by `BEGIN IMMEDIATE`. Each re-checks under the lock whether the migration it is
//! about to apply was applied meanwhile.

use isms_store::{MigrateError, MigrationId};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

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
    migration!(9, "data_versions", "0009_data_versions"),
    migration!(10, "job_runs", "0010_job_runs"),
    migration!(11, "check_results", "0011_check_results"),
    migration!(12, "check_readings", "0012_check_readings"),
    migration!(13, "external_auditors", "0013_external_auditors"),
];

pub(crate) const CREATE_BOOKKEEPING: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";
const SELECT_APPLIED: &str = "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version";
pub(crate) const INSERT_APPLIED: &str =
    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)";

pub(crate) struct Recorded {
    pub(crate) version: i64,
    pub(crate) name: String,
    checksum: String,
    pub(crate) applied_at: String,
}

pub(crate) async fn recorded(conn: &mut AnyConnection) -> Result<Vec<Recorded>, sqlx::Error> {
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
pub(crate) fn check_recorded(recorded: &[Recorded], list: &[Migration], dialect: Dialect) -> Result<(), MigrateError> {
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
pub(crate) fn applied_at() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

#[expect(clippy::needless_pass_by_value, reason = "shaped for .map_err(unavailable)")]
pub(crate) fn unavailable(e: sqlx::Error) -> MigrateError {
    MigrateError::Unavailable(e.to_string())
}
