//! `isms soa ...`: the Statement of Applicability.

use isms_app::Code;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use isms_app::Cx;
use isms_app::export::DocFormat;
use isms_app::soa::{self, SoaExport, VersionRef};
use isms_domain::review::{ReviewOutcome, ReviewStatus};
use time::format_description::well_known::Rfc3339;

use super::OrgArg;
use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

/// `isms soa` subcommands.
#[derive(Debug, Subcommand)]
pub enum SoaCommand {
    /// Show the SoA: the draft, or an approved version.
    Show(ShowArgs),
    /// List what blocks approval; exits 1 when anything does.
    Validate(OrgArg),
    /// Approve the draft as the next version.
    Approve(ApproveArgs),
    /// List the approved versions.
    Versions(OrgArg),
    /// What changed between two versions (draft, latest, or a number).
    Diff(DiffArgs),
    /// Write the SoA as XLSX, CSV, Markdown or JSON.
    Export(ExportArgs),
    /// Record a review of the SoA (restarts its yearly review cycle).
    Review(ReviewArgs),
}

/// Arguments of `isms soa show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    org: OrgArg,
    /// draft (default), latest, or a version number.
    #[arg(long, default_value = "draft")]
    version: String,
}

/// Arguments of `isms soa approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    #[command(flatten)]
    org: OrgArg,
    /// The approver's e-mail: an owner or ISMS manager of the organization.
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: String,
    /// The approval comment.
    #[arg(long, default_value = "")]
    comment: String,
}

/// Arguments of `isms soa diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older version (draft, latest or a number).
    from: String,
    /// The newer version (draft, latest or a number).
    to: String,
    #[command(flatten)]
    org: OrgArg,
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// Excel workbook.
    Xlsx,
    /// Comma-separated values.
    Csv,
    /// Markdown document.
    Md,
    /// JSON document.
    Json,
    /// A PDF deliverable: title page with the approval, a section per theme, page numbers.
    Pdf,
}

/// Arguments of `isms soa export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    org: OrgArg,
    /// draft, latest (default), or a version number.
    #[arg(long, default_value = "latest")]
    version: String,
    /// The format.
    #[arg(long, value_enum)]
    format: Format,
    /// The file to write ("-" for standard output; not for xlsx).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
}

/// Arguments of `isms soa review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    org: OrgArg,
    /// The reviewer's e-mail: an owner or ISMS manager.
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: String,
    /// no_change, updated or changes_required.
    #[arg(long, default_value = "no_change")]
    outcome: String,
    /// Notes.
    #[arg(long, default_value = "")]
    comment: String,
}

/// Runs an SoA subcommand.
pub async fn run(config: &Config, command: SoaCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| match command {
        SoaCommand::Show(args) => show(cx, args, out).await,
        SoaCommand::Validate(args) => validate(cx, args, out).await,
        SoaCommand::Approve(args) => approve(cx, args, out).await,
        SoaCommand::Versions(args) => versions(cx, args, out).await,
        SoaCommand::Diff(args) => diff(cx, args, out).await,
        SoaCommand::Export(args) => export(cx, args, out).await,
        SoaCommand::Review(args) => review(cx, args, out).await,
    })
    .await
}

fn review_line(review: Option<ReviewStatus>) -> String {
    match review {
        None => "no review cycle yet (it starts with the first approval)".to_owned(),
        Some(ReviewStatus::Current { due }) => format!("next review due {due}"),
        Some(ReviewStatus::Due { due }) => format!("review due by {due}"),
        Some(ReviewStatus::Overdue { due, days }) => format!("review OVERDUE since {due} ({days} days)"),
    }
}

async fn show(cx: &Cx, args: ShowArgs, out: &Out) -> Result<ExitCode, CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    let at = VersionRef::parse(&args.version)?;
    let (version, rows) = soa::soa_at(cx, &super::reader(org), at).await?;
    let draft = soa::soa_draft(cx, &super::reader(org)).await?;
    out.doc(&serde_json::json!({ "version": version.as_ref().map(|v| v.number), "rows": rows, "problems": draft.problems, "review": draft.review }));
    match &version {
        Some(v) => {
            out.line(format!("SoA version {} — approved by {} on {}", v.number, v.approved_by, v.approved_at.date()));
        }
        None => out.line(format!(
            "SoA draft — {} problem(s) block approval; latest approved version: {}",
            draft.problems.len(),
            draft.latest_version.map_or("none".to_owned(), |n| n.to_string())
        )),
    }
    out.line(format!("Review: {}", review_line(draft.review)));
    out.line(format!(
        "{:<8} {:<10} {:<22} {:<20} {}",
        "CONTROL", "IN SOA", "STATUS", "OWNER", "REASONS / JUSTIFICATION"
    ));
    for r in &rows {
        let why = if r.applicable {
            r.reasons.iter().map(|x| x.label()).collect::<Vec<_>>().join(", ")
        } else {
            r.justification.clone().unwrap_or_default()
        };
        out.line(format!(
            "{:<8} {:<10} {:<22} {:<20} {}",
            r.control,
            if r.applicable { "yes" } else { "excluded" },
            r.status.label(),
            r.owner.as_deref().unwrap_or("—"),
            why
        ));
    }
    Ok(ExitCode::SUCCESS)
}

async fn validate(cx: &Cx, args: OrgArg, out: &Out) -> Result<ExitCode, CliError> {
    let org = super::resolve_org(cx, &args.org).await?;
    let draft = soa::soa_draft(cx, &super::reader(org)).await?;
    out.doc(&serde_json::json!({ "problems": draft.problems, "approvable": draft.problems.is_empty() }));
    for p in &draft.problems {
        out.line(p.to_string());
    }
    if draft.problems.is_empty() {
        out.line("The SoA can be approved: nothing blocks it.");
        Ok(ExitCode::SUCCESS)
    } else {
        Err(CliError::check_failed(
            Code::SoaInvalid,
            format!("{} problem(s) block approval of the SoA", draft.problems.len()),
        ))
    }
}

async fn approve(cx: &Cx, args: ApproveArgs, out: &Out) -> Result<ExitCode, CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    let actor = super::actor(cx, org, Some(&args.as_email), "isms soa approve").await?;
    let version = soa::approve_soa(cx, &actor, &args.comment).await?;
    out.doc(&serde_json::json!({ "number": version.number, "approved_by": version.approved_by, "approved_at": version.approved_at.format(&Rfc3339).unwrap_or_default() }));
    out.line(format!("Approved SoA version {} ({} controls).", version.number, version.rows.len()));
    Ok(ExitCode::SUCCESS)
}

async fn versions(cx: &Cx, args: OrgArg, out: &Out) -> Result<ExitCode, CliError> {
    let org = super::resolve_org(cx, &args.org).await?;
    let all = soa::soa_versions(cx, &super::reader(org)).await?;
    let summary: Vec<_> = all
        .iter()
        .map(|v| serde_json::json!({ "number": v.number, "approved_by": v.approved_by, "approved_at": v.approved_at.format(&Rfc3339).unwrap_or_default(), "comment": v.comment }))
        .collect();
    out.doc(&summary);
    if all.is_empty() {
        out.line("No approved version yet: `isms soa validate`, then `isms soa approve`.");
    }
    for v in &all {
        out.line(format!("{:<4} {}  {:<24} {}", v.number, v.approved_at.date(), v.approved_by, v.comment));
    }
    Ok(ExitCode::SUCCESS)
}

async fn diff(cx: &Cx, args: DiffArgs, out: &Out) -> Result<ExitCode, CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    let changes =
        soa::diff_soa(cx, &super::reader(org), VersionRef::parse(&args.from)?, VersionRef::parse(&args.to)?).await?;
    out.doc(&changes);
    if changes.is_empty() {
        out.line("No differences.");
    }
    for c in &changes {
        out.line(format!("{:<8} {:<14} {:?} → {:?}", c.control, c.field, c.before, c.after));
    }
    Ok(ExitCode::SUCCESS)
}

async fn export(cx: &Cx, args: ExportArgs, out: &Out) -> Result<ExitCode, CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    let format = match args.format {
        Format::Xlsx => DocFormat::Xlsx,
        Format::Csv => DocFormat::Csv,
        Format::Md => DocFormat::Md,
        Format::Json => DocFormat::Json,
        Format::Pdf => DocFormat::Pdf,
    };
    if args.output.as_os_str() == "-" && matches!(format, DocFormat::Xlsx | DocFormat::Pdf) {
        return Err(CliError::bad_input(
            Code::InvalidInput,
            "-o -: an XLSX workbook cannot go to standard output; name a file",
        ));
    }
    let SoaExport { meta, rows, bytes } =
        soa::export_soa(cx, &super::reader(org), VersionRef::parse(&args.version)?, format).await?;
    let fail = |e: &dyn std::fmt::Display| {
        CliError::error(Code::Export, format!("cannot write {}: {e}", args.output.display()))
    };
    if args.output.as_os_str() == "-" {
        std::io::stdout().lock().write_all(&bytes).map_err(|e| fail(&io_reason(&e)))?;
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::write(&args.output, &bytes).map_err(|e| fail(&io_reason(&e)))?;
    out.doc(&serde_json::json!({ "file": args.output, "bytes": bytes.len(), "version": meta.version }));
    out.line(format!(
        "Wrote {} ({}, {} controls) to {}.",
        meta.label(),
        format.extension(),
        rows,
        args.output.display()
    ));
    Ok(ExitCode::SUCCESS)
}

async fn review(cx: &Cx, args: ReviewArgs, out: &Out) -> Result<ExitCode, CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    let actor = super::actor(cx, org, Some(&args.as_email), "isms soa review").await?;
    let outcome = ReviewOutcome::parse(&args.outcome).ok_or_else(|| {
        CliError::bad_input(
            Code::InvalidInput,
            format!("--outcome: {:?} is not no_change, updated or changes_required", args.outcome),
        )
    })?;
    let status = soa::review_soa(cx, &actor, outcome, &args.comment).await?;
    out.doc(&status);
    out.line(format!("Recorded the review; {}.", review_line(Some(status))));
    Ok(ExitCode::SUCCESS)
}
