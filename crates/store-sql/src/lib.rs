//! isms-store-sql: the SQL adapter of the store port, for SQLite and PostgreSQL.
//!
//! Both engines run through sqlx's `Any` driver, so every query is written once
//! (`$1` placeholders work on both) and the few differences — how a write transaction
//! begins, how rows are locked, how migrations are serialized — live in [`Dialect`].
//! Identifiers and instants are stored as text on both engines (the `Any` driver binds
//! only primitive types), which keeps the schemas identical in meaning and checkable.
//!
//! Each engine has its own migration files with the same numbering
//! (`migrations/sqlite`, `migrations/postgres`), embedded in the binary.

mod checks;
mod codec;
mod connect;
mod controls;
mod dialect;
mod frameworks;
mod jobs;
pub mod migrations;
mod nesting;
mod registers;
mod repo;
mod reviews;
mod sessions;
mod tx;

pub use connect::{ConnectError, ConnectOptions, SqlStore, connect, redact_url, sqlite_url_for_file};
pub use dialect::Dialect;
