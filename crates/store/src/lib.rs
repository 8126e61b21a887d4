//! isms-store: the persistence port.
//!
//! The app layer talks to storage only through these traits. A [`Store`] hands out
//! transactions: [`ReadTx`] for reading, [`WriteTx`] for changing. Only a `WriteTx`
//! can commit; dropping one without committing rolls it back, so a use case that
//! returns early on an error never leaves half its work behind.
//!
//! Repository traits are split by capability (`OrgRead`, `OrgWrite`, ...). Every
//! method on organization data takes the [`OrgId`](isms_domain::OrgId) whose rows it
//! may touch. No database library's types appear here: adapters convert their errors
//! into [`StoreError`].

mod blob;
mod error;
mod migration;
mod repo;

pub use blob::{Blob, BlobError, BlobReader, BlobState, BlobStore, is_address};
pub use error::{StoreError, StoreResult};
pub use migration::{AppliedMigration, MigrateError, MigrationId, SchemaStatus};
pub use repo::{
    CheckRead, CheckWrite, ControlRead, ControlWrite, FrameworkRead, FrameworkWrite, InvitationRead, InvitationWrite,
    JobRead, JobWrite, OrgRead, OrgWrite, RegisterRead, RegisterWrite, ReviewRead, ReviewWrite, SessionRead,
    SessionWrite, SoaRead, SoaWrite, TokenRead, TokenWrite, TrailRead, TrailWrite, UserRead, UserWrite, WorkspaceRead,
    WorkspaceWrite,
};

use std::fmt;

use async_trait::async_trait;

/// The database engine behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded default: one file in the data directory.
    Sqlite,
    /// For several `isms serve` replicas on one database.
    Postgres,
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        })
    }
}

/// A database holding one isms installation.
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug {
    /// Which engine this is.
    fn engine(&self) -> Engine;

    /// Where the data lives, with any password removed (for messages and logs).
    fn location(&self) -> &str;

    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Applies every pending migration, each in its own transaction. Safe to call from
    /// several processes at once. Returns the migrations this call applied.
    async fn migrate(&self) -> Result<Vec<MigrationId>, MigrateError>;

    /// Which migrations are applied and which are pending, without changing anything.
    async fn schema_status(&self) -> StoreResult<SchemaStatus>;

    /// Starts a read-only transaction.
    async fn read(&self) -> StoreResult<Box<dyn ReadTx>>;

    /// Starts a read-write transaction.
    async fn write(&self) -> StoreResult<Box<dyn WriteTx>>;

    /// Closes every connection; in-flight transactions finish first.
    async fn close(&self);
}

/// Everything that can be read inside one transaction.
pub trait ReadTx:
    WorkspaceRead
    + OrgRead
    + UserRead
    + TrailRead
    + FrameworkRead
    + ControlRead
    + SoaRead
    + ReviewRead
    + RegisterRead
    + SessionRead
    + TokenRead
    + InvitationRead
    + JobRead
    + CheckRead
    + Send
{
}

/// Everything that can be read and written inside one transaction.
#[async_trait]
pub trait WriteTx:
    ReadTx
    + WorkspaceWrite
    + OrgWrite
    + UserWrite
    + TrailWrite
    + FrameworkWrite
    + ControlWrite
    + SoaWrite
    + ReviewWrite
    + RegisterWrite
    + SessionWrite
    + TokenWrite
    + InvitationWrite
    + JobWrite
    + CheckWrite
{
    /// Makes every change of this transaction durable, or none of them.
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}
