//! `isms migrate`

use isms_app::Code;
use std::process::ExitCode;

use clap::Args;
use isms_app::schema;
use serde_json::json;

use crate::config::Config;
use crate::output::{CliError, Out};

/// Arguments of `isms migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Change nothing: report applied and pending migrations, and exit 1 when the
    /// schema is not current (for deploy pipelines).
    #[arg(long)]
    check: bool,
}

/// Applies pending migrations, or with `--check` only reports them.
pub async fn run(config: &Config, args: MigrateArgs, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| if args.check { check(cx, out).await } else { apply(cx, out).await }).await
}

async fn apply(cx: &isms_app::Cx, out: &Out) -> Result<ExitCode, CliError> {
    let applied = schema::migrate(cx).await?;
    let status = schema::schema_status(cx).await?;
    let names: Vec<String> = applied.iter().map(ToString::to_string).collect();
    out.doc(&json!({ "applied": names, "schema_version": status.version(), "database": cx.store.location() }));
    if names.is_empty() {
        out.line(format!("The schema is current (version {}); nothing to apply.", status.version()));
    } else {
        for name in &names {
            out.line(format!("applied {name}"));
        }
        out.line(format!("The schema is now at version {}.", status.version()));
    }
    Ok(ExitCode::SUCCESS)
}

async fn check(cx: &isms_app::Cx, out: &Out) -> Result<ExitCode, CliError> {
    let status = schema::schema_status(cx).await?;
    let pending: Vec<String> = status.pending.iter().map(ToString::to_string).collect();
    out.doc(&json!({
        "schema_version": status.version(),
        "applied": status.applied.iter().map(|m| json!({ "version": m.version, "name": m.name, "applied_at": m.applied_at.to_string() })).collect::<Vec<_>>(),
        "pending": pending,
        "unknown": status.unknown,
        "current": status.is_current(),
    }));
    for m in &status.applied {
        out.line(format!("applied  {:04}_{}  ({})", m.version, m.name, m.applied_at.date()));
    }
    for name in &pending {
        out.line(format!("pending  {name}"));
    }
    if !status.unknown.is_empty() {
        return Err(CliError::check_failed(
            Code::SchemaTooNew,
            format!(
                "the database has migrations this binary does not know ({:?}): it was upgraded by a newer isms",
                status.unknown
            ),
        ));
    }
    if !pending.is_empty() {
        return Err(CliError::check_failed(
            Code::SchemaNotCurrent,
            format!("{} migration(s) pending; run `isms migrate`", pending.len()),
        ));
    }
    out.line(format!("The schema is current (version {}).", status.version()));
    Ok(ExitCode::SUCCESS)
}
