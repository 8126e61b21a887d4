//! Schema migrations as the app layer sees them: which exist, which are applied, and
//! why applying them failed.

use std::fmt;

use time::OffsetDateTime;

/// One migration, named as `0001_foundation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MigrationId {
    /// Its number; migrations run in this order, each exactly once.
    pub version: i64,
    /// Its short name.
    pub name: &'static str,
}

impl fmt::Display for MigrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}_{}", self.version, self.name)
    }
}

/// A migration recorded as applied in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    /// Its number.
    pub version: i64,
    /// Its name as recorded.
    pub name: String,
    /// When it was applied.
    pub applied_at: OffsetDateTime,
}

/// The schema of a database compared with what this binary knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    /// Recorded as applied, in order.
    pub applied: Vec<AppliedMigration>,
    /// Known to this binary and not applied yet.
    pub pending: Vec<MigrationId>,
    /// Applied, but unknown to this binary: the database was migrated by a newer isms.
    pub unknown: Vec<i64>,
}

impl SchemaStatus {
    /// True when the schema is exactly what this binary expects.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty()
    }

    /// The highest applied version (0 for an empty database).
    pub fn version(&self) -> i64 {
        self.applied.iter().map(|m| m.version).max().unwrap_or(0)
    }
}

/// Why migrating stopped. In every case nothing of the failing migration was kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrateError {
    /// A migration's SQL failed; its transaction was rolled back.
    #[error("migration {migration} failed and was rolled back: {cause}")]
    Failed {
        /// The migration that failed.
        migration: MigrationId,
        /// The database's reason.
        cause: String,
    },
    /// An applied migration's text differs from the one in this binary.
    #[error(
        "migration {migration} was changed after it was applied to this database (checksum mismatch); applied migrations must never be edited"
    )]
    Changed {
        /// The migration whose text differs.
        migration: MigrationId,
    },
    /// The database carries migrations this binary does not know.
    #[error(
        "the database has migration {version} ({name}) which this isms binary does not know: it was upgraded by a newer isms; run that version or newer"
    )]
    Newer {
        /// The unknown version.
        version: i64,
        /// Its recorded name.
        name: String,
    },
    /// The database could not be reached.
    #[error("cannot migrate: the database is unavailable: {0}")]
    Unavailable(String),
}
