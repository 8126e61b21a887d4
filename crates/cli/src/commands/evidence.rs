//! `isms evidence`: add files and links as evidence, list them, read a file back,
//! verify every stored file against its recorded SHA-256 (for cron and pipelines: exit
//! 1 when any changed or went missing), and list controls whose evidence is missing or
//! stale.

use isms_app::Code;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use isms_app::Cx;
use isms_app::evidence::{self, NewEvidence};
use isms_domain::evidence::{Content, Coverage, Target, TargetKind};
use tokio::io::AsyncWriteExt;

use super::{OrgArg, bad};
use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

/// `isms evidence` subcommands.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Add a file as evidence (stored once by its SHA-256).
    Add(AddArgs),
    /// Add a link as evidence.
    Link(LinkArgs),
    /// List evidence, newest first.
    List(ListArgs),
    /// Write an evidence file out.
    Get(GetArgs),
    /// Re-hash every stored file and report any that changed or went missing (exit 1).
    Verify(VerifyArgs),
    /// Applicable controls whose evidence is missing or stale, per owner.
    Freshness(FreshnessArgs),
}

/// What the evidence is attached to and says about itself.
#[derive(Debug, Args)]
pub struct Describe {
    #[command(flatten)]
    org: OrgArg,
    /// An Annex A control it supports (A.8.13 or 8.13); repeatable.
    #[arg(long = "control", value_name = "ID")]
    controls: Vec<String>,
    /// A requirement of any framework (framework:item); repeatable.
    #[arg(long = "requirement", value_name = "FW:ITEM")]
    requirements: Vec<String>,
    /// A risk it addresses (RSK-004); repeatable.
    #[arg(long = "risk", value_name = "ID")]
    risks: Vec<String>,
    /// An audit it was collected for or shown in (AUD-003); repeatable.
    #[arg(long = "audit", value_name = "ID")]
    audits: Vec<String>,
    /// What it shows (default: the file name).
    #[arg(long)]
    title: Option<String>,
    /// How long it stays current: 90d, 12w, 6m or 1y (default: it does not expire).
    #[arg(long, value_name = "DURATION")]
    valid_for: Option<String>,
    /// The first day of the period it covers (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    period_start: Option<String>,
    /// The last day of that period (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    period_end: Option<String>,
    /// Notes.
    #[arg(long, default_value = "")]
    note: String,
    /// The member who collected it (recorded as collector and in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Arguments of `isms evidence add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The file.
    file: PathBuf,
    #[command(flatten)]
    describe: Describe,
    /// Its media type (default: guessed from the extension).
    #[arg(long, value_name = "TYPE")]
    media_type: Option<String>,
}

/// Arguments of `isms evidence link`.
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The URL.
    url: String,
    #[command(flatten)]
    describe: Describe,
}

/// Arguments of `isms evidence list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Only evidence attached to this control.
    #[arg(long)]
    control: Option<String>,
    /// Only stale evidence.
    #[arg(long)]
    stale: bool,
}

/// Arguments of `isms evidence get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The evidence id (EVD-001).
    id: String,
    #[command(flatten)]
    org: OrgArg,
    /// Where to write it ("-" for standard output).
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
}

/// Arguments of `isms evidence verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Only this organization (default: every organization).
    #[arg(long)]
    org: Option<String>,
}

/// Arguments of `isms evidence freshness`.
#[derive(Debug, Args)]
pub struct FreshnessArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Only controls owned by this member.
    #[arg(long, value_name = "EMAIL")]
    owner: Option<String>,
    /// Show every applicable control, not only those needing attention.
    #[arg(long)]
    all: bool,
}

/// `90d`, `12w`, `6m`, `1y` → days.
fn days(flag: &str, text: &str) -> Result<i64, CliError> {
    let text = text.trim();
    let (n, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: i64 = n.parse().map_err(|_| bad(flag, format!("{text:?} is not a duration such as 90d, 12w, 6m or 1y")))?;
    let per = match unit {
        "" | "d" => 1,
        "w" => 7,
        "m" => 30,
        "y" => 365,
        _ => return Err(bad(flag, format!("{text:?}: the unit is d, w, m or y"))),
    };
    if n < 1 {
        return Err(bad(flag, "must be at least one day"));
    }
    Ok(n * per)
}

fn date(flag: &str, text: Option<&str>) -> Result<Option<time::Date>, CliError> {
    text.map(|t| super::parse_date(flag, t)).transpose()
}

fn new_evidence(d: &Describe, default_title: &str) -> Result<NewEvidence, CliError> {
    let mut targets: Vec<Target> =
        d.controls.iter().map(|c| Target { kind: TargetKind::Control, id: c.clone() }).collect();
    targets.extend(d.requirements.iter().map(|r| Target { kind: TargetKind::Requirement, id: r.clone() }));
    targets.extend(d.risks.iter().map(|r| Target { kind: TargetKind::Risk, id: r.clone() }));
    targets.extend(d.audits.iter().map(|a| Target { kind: TargetKind::Audit, id: a.clone() }));
    if targets.is_empty() {
        return Err(bad(
            "--control",
            "attach the evidence to at least one --control, --requirement, --risk or --audit",
        ));
    }
    Ok(NewEvidence {
        title: d.title.clone().unwrap_or_else(|| default_title.to_owned()),
        targets,
        period_start: date("--period-start", d.period_start.as_deref())?,
        period_end: date("--period-end", d.period_end.as_deref())?,
        valid_for_days: d.valid_for.as_deref().map(|v| days("--valid-for", v)).transpose()?,
        note: d.note.clone(),
    })
}

fn guess_media_type(path: &std::path::Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("txt" | "log") => "text/plain",
        Some("csv") => "text/csv",
        Some("json") => "application/json",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("zip") => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Runs an evidence subcommand.
pub async fn run(config: &Config, command: EvidenceCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| run_in(cx, command, out).await).await
}

async fn who(
    cx: &Cx,
    org: isms_domain::OrgId,
    d: &Describe,
    command: &'static str,
) -> Result<isms_app::access::Actor, CliError> {
    super::actor(cx, org, d.as_email.as_deref(), command).await
}

async fn add(cx: &Cx, args: AddArgs, out: &Out) -> Result<(), CliError> {
    let org = super::resolve_org(cx, &args.describe.org.org).await?;
    let name = args.file.file_name().and_then(|n| n.to_str()).unwrap_or("file").to_owned();
    let new = new_evidence(&args.describe, &name)?;
    let actor = who(cx, org, &args.describe, "isms evidence add").await?;
    let file = tokio::fs::File::open(&args.file)
        .await
        .map_err(|e| bad("file", format!("cannot read {}: {}", args.file.display(), io_reason(&e))))?;
    let mut reader = tokio::io::BufReader::new(file);
    let media = args.media_type.clone().unwrap_or_else(|| guess_media_type(&args.file).to_owned());
    let saved = evidence::add_file(cx, &actor, new, &name, &media, &mut reader).await?;
    out.doc(&saved);
    if let Content::File { sha256, size, .. } = &saved.content {
        out.line(format!("Added {} ({size} bytes, sha256 {sha256}).", saved.id));
    }
    Ok(())
}

async fn list(cx: &Cx, args: ListArgs, out: &Out) -> Result<(), CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    let today = cx.clock.today();
    let control = args.control.as_deref().map(isms_app::controls::normalize_control_id);
    let all: Vec<_> = evidence::list_evidence(cx, &super::reader(org))
        .await?
        .into_iter()
        .filter(|e| control.as_deref().is_none_or(|c| e.attached_to(TargetKind::Control, c)))
        .filter(|e| !args.stale || e.freshness(today) == isms_domain::evidence::Freshness::Stale)
        .collect();
    out.doc(&all);
    if all.is_empty() {
        out.line("No evidence matches.");
    }
    for e in &all {
        let what = match &e.content {
            Content::File { filename, size, .. } => format!("{filename} ({size} bytes)"),
            Content::Link { url } => url.clone(),
        };
        let targets: Vec<_> = e.targets.iter().map(|t| t.id.as_str()).collect();
        let until = e.valid_until.map_or("no expiry".to_owned(), |d| format!("valid until {d}"));
        out.line(format!("{:<8} {} — {what} [{}] {until}", e.id, e.title, targets.join(", ")));
    }
    Ok(())
}

async fn get(cx: &Cx, args: GetArgs, out: &Out) -> Result<(), CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    let (_, mut reader, size) = evidence::open_file(cx, &super::reader(org), &args.id).await?;
    let fail = |e: &std::io::Error| {
        CliError::error(Code::Export, format!("cannot write {}: {}", args.output.display(), io_reason(e)))
    };
    if args.output.as_os_str() == "-" {
        let mut stdout = tokio::io::stdout();
        tokio::io::copy(&mut reader, &mut stdout).await.map_err(|e| fail(&e))?;
        stdout.flush().await.map_err(|e| fail(&e))?;
    } else {
        let mut file = tokio::fs::File::create(&args.output).await.map_err(|e| fail(&e))?;
        tokio::io::copy(&mut reader, &mut file).await.map_err(|e| fail(&e))?;
        file.flush().await.map_err(|e| fail(&e))?;
        out.line(format!("Wrote {} ({size} bytes) to {}.", args.id, args.output.display()));
    }
    Ok(())
}

async fn verify(cx: &Cx, args: VerifyArgs, out: &Out) -> Result<(), CliError> {
    isms_app::schema::require_current_schema(cx).await?;
    let all = isms_app::users::organizations(cx).await?;
    let orgs = match &args.org {
        Some(o) => {
            let id = super::resolve_org(cx, &Some(o.clone())).await?;
            all.into_iter().filter(|x| x.id == id).collect()
        }
        None => all,
    };
    let mut report = Vec::new();
    let mut broken = 0;
    for organization in orgs {
        let org = organization.id;
        let check = evidence::verify_files(cx, &super::reader(org)).await?;
        broken += check.broken.len();
        for b in &check.broken {
            let targets: Vec<_> = b.targets.iter().map(|t| format!("{} {}", t.kind.as_str(), t.id)).collect();
            out.line(format!(
                "{}: {} \"{}\" ({}) — the stored file {}",
                organization.name,
                b.evidence,
                b.title,
                targets.join(", "),
                if b.state == "missing" {
                    "is missing".to_owned()
                } else {
                    format!("changed (sha256 now {})", b.actual.as_deref().unwrap_or("?"))
                }
            ));
        }
        report.push(serde_json::json!({ "organization": org, "checked": check.checked, "broken": check.broken }));
    }
    out.doc(&report);
    let checked: usize = report.iter().filter_map(|r| r["checked"].as_u64()).map(|n| n as usize).sum();
    if broken > 0 {
        return Err(CliError::check_failed(
            Code::EvidenceChanged,
            format!("{broken} of {checked} stored files changed or went missing (see above)"),
        ));
    }
    out.line(format!(
        "All {checked} stored files (evidence and document versions) match their recorded SHA-256 (blobs in {}).",
        cx.blobs.location()
    ));
    Ok(())
}

async fn freshness(cx: &Cx, args: FreshnessArgs, out: &Out) -> Result<(), CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    let owner = args.owner.as_deref().map(|o| o.trim().to_lowercase());
    let rows: Vec<_> = evidence::freshness(cx, &super::reader(org))
        .await?
        .into_iter()
        .filter(|c| args.all || c.coverage != Coverage::Current)
        .filter(|c| owner.is_none() || c.owner == owner)
        .collect();
    out.doc(&rows);
    if rows.is_empty() {
        out.line("Every applicable control has current evidence.");
    }
    for c in &rows {
        let state = match c.coverage {
            Coverage::Current => "current",
            Coverage::Stale => "STALE",
            Coverage::Missing => "MISSING",
        };
        out.line(format!(
            "{:<8} {:<8} {:<40} {}",
            c.control,
            state,
            c.title.chars().take(40).collect::<String>(),
            c.owner_name.as_deref().unwrap_or("(no owner)")
        ));
    }
    Ok(())
}

async fn run_in(cx: &Cx, command: EvidenceCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        EvidenceCommand::Add(args) => add(cx, args, out).await?,
        EvidenceCommand::Link(args) => {
            let org = super::resolve_org(cx, &args.describe.org.org).await?;
            let new = new_evidence(&args.describe, &args.url)?;
            let actor = who(cx, org, &args.describe, "isms evidence link").await?;
            let saved = evidence::add_link(cx, &actor, new, &args.url).await?;
            out.doc(&saved);
            out.line(format!("Added {}.", saved.id));
        }
        EvidenceCommand::List(args) => list(cx, args, out).await?,
        EvidenceCommand::Get(args) => get(cx, args, out).await?,
        EvidenceCommand::Verify(args) => verify(cx, args, out).await?,
        EvidenceCommand::Freshness(args) => freshness(cx, args, out).await?,
    }
    Ok(ExitCode::SUCCESS)
}
