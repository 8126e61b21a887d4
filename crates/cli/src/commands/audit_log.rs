//! `isms audit-log ...`: read, export and verify the hash-chained audit trail.

use isms_app::Code;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use isms_app::export::DocFormat;
use isms_app::trail;

use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

/// `isms audit-log` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Re-compute every hash chain; exit 1 when any entry was edited, deleted or reordered.
    Verify(VerifyArgs),
    /// Show the latest entries.
    Show(ShowArgs),
    /// Export the whole trail as CSV or JSON.
    Export(ExportArgs),
}

/// Arguments of `isms audit-log verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Only this organization (default: every organization).
    #[arg(long)]
    org: Option<String>,
}

/// Arguments of `isms audit-log show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    org: super::OrgArg,
    /// How many of the latest entries.
    #[arg(long, default_value_t = 20)]
    limit: u32,
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// CSV, one row per entry.
    Csv,
    /// JSON array of entries.
    Json,
}

/// Arguments of `isms audit-log export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    org: super::OrgArg,
    /// csv or json.
    #[arg(long, value_enum)]
    format: Format,
    /// The file ("-" for standard output).
    #[arg(short = 'o', long = "output", default_value = "-")]
    output: PathBuf,
}

/// Runs an audit-log subcommand.
pub async fn run(config: &Config, command: AuditCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        match command {
            AuditCommand::Verify(args) => {
                isms_app::schema::require_current_schema(cx).await?;
                let orgs = match &args.org {
                    Some(o) => vec![super::resolve_org(cx, &Some(o.clone())).await?],
                    None => isms_app::users::organizations(cx).await?.into_iter().map(|o| o.id).collect(),
                };
                let mut results = Vec::new();
                for org in orgs {
                    results.push(trail::verify_trail(cx, &super::reader(org)).await?);
                }
                out.doc(&results);
                for v in &results {
                    match &v.problem {
                        None => out.line(format!("{}: intact ({} entries)", v.organization, v.entries)),
                        Some(p) => out.line(format!("{}: BROKEN — {p}", v.organization)),
                    }
                }
                let broken = results.iter().filter(|v| !v.intact()).count();
                if broken > 0 {
                    return Err(CliError::check_failed(
                        Code::TrailBroken,
                        format!("{broken} audit trail(s) were tampered with"),
                    ));
                }
            }
            AuditCommand::Show(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let all = trail::whole_trail(cx, &super::reader(org)).await?;
                let latest: Vec<_> = all.iter().rev().take(args.limit as usize).rev().collect();
                out.doc(&latest);
                for e in latest {
                    out.line(format!(
                        "{:>6} {} {:<34} {:<26} {}",
                        e.seq,
                        e.at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                        e.actor.to_stored(),
                        e.action,
                        e.entity_id
                    ));
                }
            }
            AuditCommand::Export(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let format = match args.format {
                    Format::Json => DocFormat::Json,
                    Format::Csv => DocFormat::Csv,
                };
                let (entries, bytes) = trail::export_trail(cx, &super::reader(org), format).await?;
                if args.output.as_os_str() == "-" {
                    use std::io::Write;
                    std::io::stdout()
                        .lock()
                        .write_all(&bytes)
                        .map_err(|e| CliError::error(Code::Export, io_reason(&e)))?;
                } else {
                    std::fs::write(&args.output, &bytes).map_err(|e| {
                        CliError::error(
                            Code::Export,
                            format!("cannot write {}: {}", args.output.display(), io_reason(&e)),
                        )
                    })?;
                    out.line(format!("Wrote {entries} entries to {}.", args.output.display()));
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
