//! isms-store-tests: one conformance suite for the store port, every test run on
//! SQLite and on PostgreSQL.
//!
//! The `both_engines!` macro expands each test body into `sqlite::<name>` and
//! `postgres::<name>`. PostgreSQL tests are `#[ignore]`d by default so that
//! `cargo test` works on a machine without PostgreSQL; `.ci/run` runs them with
//! `--include-ignored`, and there an unreachable server fails them.

#[cfg(test)]
mod conformance;
