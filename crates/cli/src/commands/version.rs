//! `isms version`

use std::process::ExitCode;

use isms_store_sql::migrations::MIGRATIONS;
use serde_json::json;

use crate::output::{CliError, Out};

/// Prints the version and the schema version this binary migrates to.
pub fn run(out: &Out) -> Result<ExitCode, CliError> {
    let schema = MIGRATIONS.last().map_or(0, |m| m.id.version);
    out.line(format!("isms {} (database schema version {schema})", env!("CARGO_PKG_VERSION")));
    out.doc(&json!({ "name": "isms", "version": env!("CARGO_PKG_VERSION"), "schema_version": schema }));
    Ok(ExitCode::SUCCESS)
}
