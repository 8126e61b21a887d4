//! What differs between SQLite and PostgreSQL, in one place.

use isms_store::Engine;

/// The SQL dialect of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite 3 (bundled).
    Sqlite,
    /// PostgreSQL 13 or newer.
    Postgres,
}

/// Key of the PostgreSQL advisory lock that serializes migrations between processes
/// ("isms" in ASCII, then "mig").
const MIGRATION_LOCK_KEY: i64 = 0x6973_6d73_006d_6967;

impl Dialect {
    /// The engine this dialect speaks to.
    pub fn engine(self) -> Engine {
        match self {
            Dialect::Sqlite => Engine::Sqlite,
            Dialect::Postgres => Engine::Postgres,
        }
    }

    /// Starts a read transaction: a consistent snapshot that cannot write.
    pub fn begin_read(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN DEFERRED",
            Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        }
    }

    /// Starts a write transaction. SQLite takes the write lock up front (waiting up to
    /// the busy timeout) so that two writers never deadlock upgrading a read lock.
    pub fn begin_write(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }

    /// Suffix that locks the selected rows until the transaction ends. SQLite's write
    /// transactions already exclude every other writer.
    pub fn for_update(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }

    /// Takes the next number of a per-organization counter (`$1` org, `$2` counter,
    /// `$3` the least acceptable number), returning it as `last`.
    pub fn take_number(self) -> &'static str {
        match self {
            Dialect::Sqlite => {
                "INSERT INTO id_counters (org_id, kind, last) VALUES ($1, $2, $3) \
                 ON CONFLICT (org_id, kind) DO UPDATE SET last = MAX(id_counters.last + 1, excluded.last) \
                 RETURNING last"
            }
            Dialect::Postgres => {
                "INSERT INTO id_counters (org_id, kind, last) VALUES ($1, $2, $3) \
                 ON CONFLICT (org_id, kind) DO UPDATE SET last = GREATEST(id_counters.last + 1, excluded.last) \
                 RETURNING last"
            }
        }
    }

    /// Statement run first in every migration transaction so that concurrent
    /// processes migrate one after the other (SQLite: `BEGIN IMMEDIATE` suffices).
    pub fn migration_lock(self) -> Option<String> {
        match self {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some(format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")),
        }
    }

    /// A query returning one row when the named table exists in the current schema.
    pub fn table_exists(self) -> &'static str {
        match self {
            Dialect::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1",
            Dialect::Postgres => {
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
            }
        }
    }

    /// A query listing `(table, column)` pairs of the current schema, for the schema
    /// parity check between engines.
    pub fn columns(self) -> &'static str {
        match self {
            Dialect::Sqlite => {
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.name"
            }
            Dialect::Postgres => {
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() ORDER BY table_name, column_name"
            }
        }
    }
}
