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

/// Prints the OpenAPI 3.1 document of the JSON API (the same one the server serves at
/// `/api/v1/openapi.json`); needs no workspace.
pub fn openapi(out: &Out) -> Result<ExitCode, CliError> {
    let doc = isms_server::openapi_document();
    // The document is the output in both modes.
    if out.is_json() {
        out.doc(&doc);
    } else {
        out.line(serde_json::to_string_pretty(&doc).unwrap_or_default());
    }
    Ok(ExitCode::SUCCESS)
}
