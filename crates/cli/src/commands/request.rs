//! `isms request list|show|write|import|plan|attach|detach|submit|accept|return|comment`:
//! the auditor's evidence requests for an audit and the team's answers.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use isms_app::requests::{NewRequest, RequestPlan, Step};
use isms_domain::request::{EvidenceRequest, RequestStatus};

use super::{OrgArg, bad};
use crate::config::Config;
use crate::output::{CliError, Out};

/// `isms request ...`
#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// The requests (of one audit), with where each stands and what is overdue.
    List(ListArgs),
    /// One request with its answer and thread.
    Show(IdArgs),
    /// Writes a request for an audit (the auditor, the owner or the ISMS manager).
    Write(WriteArgs),
    /// Imports an audit's request list from CSV or XLSX (columns reference, request,
    /// and optionally references, due, assignee); any bad row stops the whole import.
    Import(ImportArgs),
    /// Changes who answers a request and by when.
    Plan(PlanArgs),
    /// Attaches evidence items and documents to a request's answer.
    Attach(AttachArgs),
    /// Takes evidence items and documents off a request's answer (while it is with the team).
    Detach(AttachArgs),
    /// Submits the answer to the auditor.
    Submit(StepArgs),
    /// Accepts a submitted answer (the auditor).
    Accept(StepArgs),
    /// Returns a submitted answer with a comment (the auditor).
    Return(StepArgs),
    /// Adds a message to the request's thread.
    Comment(StepArgs),
}

/// Arguments of `isms request list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this audit's requests.
    #[arg(long)]
    audit: Option<String>,
    /// Only requests in this status: open, submitted, accepted, returned.
    #[arg(long)]
    status: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// A request named.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The request, e.g. REQ-001.
    id: String,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms request write`.
#[derive(Debug, Args)]
pub struct WriteArgs {
    /// The audit, e.g. AUD-003.
    #[arg(long)]
    audit: String,
    /// The auditor's reference, e.g. PBC-12 (unique within the audit).
    #[arg(long)]
    reference: String,
    /// What is asked for.
    #[arg(long)]
    text: String,
    /// A clause, control or requirement it concerns (repeatable, or comma-separated).
    #[arg(long = "ref", value_name = "REF")]
    references: Vec<String>,
    /// When the answer is due (YYYY-MM-DD).
    #[arg(long)]
    due: Option<String>,
    /// The member who answers.
    #[arg(long)]
    assignee: Option<String>,
    /// The member writing it (recorded in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms request import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The audit, e.g. AUD-003.
    #[arg(long)]
    audit: String,
    /// The list: a .csv file or an .xlsx workbook (its first sheet).
    file: PathBuf,
    /// The member importing (recorded in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms request plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The request, e.g. REQ-001.
    id: String,
    /// The member who answers ("" leaves it unassigned).
    #[arg(long)]
    assignee: Option<String>,
    /// When the answer is due (YYYY-MM-DD).
    #[arg(long)]
    due: Option<String>,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms request attach`.
#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The request, e.g. REQ-001.
    id: String,
    /// An evidence item, e.g. EVD-004 (repeatable).
    #[arg(long)]
    evidence: Vec<String>,
    /// A document, e.g. DOC-002 (the version in force) or DOC-002@3 (repeatable).
    #[arg(long)]
    document: Vec<String>,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of a step on a request.
#[derive(Debug, Args)]
pub struct StepArgs {
    /// The request, e.g. REQ-001.
    id: String,
    /// What to say with it (required to return a request, and for a comment).
    #[arg(long, short = 'm', default_value = "")]
    comment: String,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

fn line(r: &EvidenceRequest, today: time::Date) -> String {
    format!(
        "{}  {}  {:<10} {:<9} due {:<10} {:<28} {}{}",
        r.id,
        r.audit,
        r.reference,
        r.status.as_str(),
        r.due.map_or_else(|| "-".to_owned(), |d| d.to_string()),
        r.assignee.as_deref().unwrap_or("(unassigned)"),
        r.text,
        if r.overdue(today) { "  OVERDUE" } else { "" }
    )
}

fn date(flag: &str, text: Option<&str>) -> Result<Option<time::Date>, CliError> {
    text.map(|t| super::parse_date(flag, t)).transpose()
}

/// Runs `isms request ...`.
pub async fn run(config: &Config, command: RequestCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        let today = cx.clock.today();
        match command {
            RequestCommand::List(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let status = match args.status.as_deref() {
                    None => None,
                    Some(t) => Some(RequestStatus::parse(t).ok_or_else(|| {
                        bad("--status", format!("{t:?} is not open, submitted, accepted or returned"))
                    })?),
                };
                let all: Vec<EvidenceRequest> =
                    isms_app::requests::requests(cx, &super::reader(org), args.audit.as_deref())
                        .await?
                        .into_iter()
                        .filter(|r| status.is_none_or(|s| r.status == s))
                        .collect();
                out.doc(&all);
                for r in &all {
                    out.line(line(r, today));
                }
                let p = isms_app::requests::RequestProgress::of(&all, today);
                out.line(format!(
                    "{} requests: {} open, {} submitted, {} accepted, {} returned; {} overdue",
                    p.total, p.open, p.submitted, p.accepted, p.returned, p.overdue
                ));
            }
            RequestCommand::Show(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let r = isms_app::requests::request(cx, &super::reader(org), &args.id).await?;
                out.doc(&r);
                out.line(line(&r, today));
                if !r.references.is_empty() {
                    out.line(format!("  concerns: {}", r.references.join(", ")));
                }
                let answer: Vec<&str> = r.evidence.iter().chain(&r.documents).map(String::as_str).collect();
                out.line(format!(
                    "  answer: {}",
                    if answer.is_empty() { "nothing attached".to_owned() } else { answer.join(", ") }
                ));
                for c in &r.comments {
                    let step = c.status.map(|s| format!("[{}] ", s.as_str())).unwrap_or_default();
                    out.line(format!("  {} {}: {step}{}", c.at.date(), c.by, c.text));
                }
            }
            RequestCommand::Write(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.as_email.as_deref(), "isms request write").await?;
                let new = NewRequest {
                    audit: args.audit,
                    reference: args.reference,
                    text: args.text,
                    references: args.references,
                    due: date("--due", args.due.as_deref())?,
                    assignee: args.assignee,
                };
                let r = isms_app::requests::write_request(cx, &actor, new).await?;
                out.doc(&r);
                out.line(format!("Wrote {} ({}) for {}.", r.id, r.reference, r.audit));
            }
            RequestCommand::Import(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.as_email.as_deref(), "isms request import").await?;
                let bytes = std::fs::read(&args.file)
                    .map_err(|e| bad("import", format!("cannot read {}: {e}", args.file.display())))?;
                let name = args.file.display().to_string();
                let report = isms_app::requests::import_requests(cx, &actor, &args.audit, &name, &bytes).await?;
                out.doc(&report);
                for e in &report.errors {
                    out.line(format!("{name}, line {}, {}: {}", e.line, e.column, e.message));
                }
                if !report.stored {
                    return Err(CliError::bad_input(
                        isms_app::Code::Import,
                        format!(
                            "{} in {name}; nothing was imported",
                            isms_domain::text::plural(report.errors.len(), "row error", "row errors")
                        ),
                    ));
                }
                out.line(format!(
                    "Imported {} for {}.",
                    isms_domain::text::plural(report.created.len(), "request", "requests"),
                    args.audit.to_ascii_uppercase()
                ));
            }
            RequestCommand::Plan(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.as_email.as_deref(), "isms request plan").await?;
                let plan = RequestPlan { assignee: args.assignee, due: date("--due", args.due.as_deref())? };
                let r = isms_app::requests::plan_request(cx, &actor, &args.id, plan).await?;
                out.doc(&r);
                out.line(line(&r, today));
            }
            RequestCommand::Attach(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.as_email.as_deref(), "isms request attach").await?;
                let r = isms_app::requests::attach(cx, &actor, &args.id, &args.evidence, &args.document).await?;
                out.doc(&r);
                let answer: Vec<&str> = r.evidence.iter().chain(&r.documents).map(String::as_str).collect();
                out.line(format!("{} answer: {}", r.id, answer.join(", ")));
            }
            RequestCommand::Detach(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.as_email.as_deref(), "isms request detach").await?;
                let r = isms_app::requests::detach(cx, &actor, &args.id, &args.evidence, &args.document).await?;
                out.doc(&r);
                let answer: Vec<&str> = r.evidence.iter().chain(&r.documents).map(String::as_str).collect();
                out.line(format!(
                    "{} answer: {}",
                    r.id,
                    if answer.is_empty() { "nothing attached".to_owned() } else { answer.join(", ") }
                ));
            }
            RequestCommand::Submit(args) => take(cx, out, Step::Submit, args, "isms request submit").await?,
            RequestCommand::Accept(args) => take(cx, out, Step::Accept, args, "isms request accept").await?,
            RequestCommand::Return(args) => take(cx, out, Step::Return, args, "isms request return").await?,
            RequestCommand::Comment(args) => take(cx, out, Step::Comment, args, "isms request comment").await?,
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}

/// Takes one step on a request.
async fn take(cx: &isms_app::Cx, out: &Out, step: Step, args: StepArgs, command: &'static str) -> Result<(), CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    let actor = super::actor(cx, org, args.as_email.as_deref(), command).await?;
    let r = isms_app::requests::step(cx, &actor, &args.id, step, &args.comment).await?;
    out.doc(&r);
    out.line(format!("{} is {}.", r.id, r.status.as_str()));
    Ok(())
}
