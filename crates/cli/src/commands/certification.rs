//! `isms audit`, `isms finding`, `isms management-review`, `isms certificate`,
//! `isms readiness`, `isms calendar` and `isms changes`: the certification lifecycle
//! from the command line.

use isms_app::Code;
use isms_app::access::Actor;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use isms_app::Cx;
use isms_app::certification::{self as cert, FindingStep, NewAudit, NewFinding};
use isms_domain::audit::{AuditKind, CheckResult, ManagementReview, REVIEW_INPUTS, ReviewAction, ReviewInput};
use isms_domain::certification::{Certificate, CertificateStatus};
use isms_domain::readiness::{Severity, Stage};

use super::{AsArg, OrgArg, bad, parse_date, parse_enum};
use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

/// An audit or finding by id, in an organization, as someone.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The id (AUD-001, FND-002, CRT-001).
    id: String,
    #[command(flatten)]
    org: OrgArg,
    #[command(flatten)]
    who: AsArg,
}

/// `isms audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Plan an audit: its checklist is every clause plus chosen or sampled controls.
    Plan(PlanArgs),
    /// The audits, by date.
    List(OrgArg),
    /// One audit with its checklist and independence warnings.
    Show(IdArgs),
    /// Record the result of one checklist line.
    Result(ResultArgs),
    /// Complete an audit with its conclusion (every line must be decided).
    Complete(CompleteArgs),
    /// Plan next cycle's audit from an earlier one (plan copied, results reset).
    Copy(CopyArgs),
    /// The internal audit programme over the cycle: what no audit covers yet (exit 1
    /// while something is uncovered).
    Programme(OrgArg),
    /// The audit report (Markdown or XLSX).
    Report(ReportArgs),
}

/// Arguments of `isms audit plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    org: OrgArg,
    /// internal, stage1, stage2, surveillance1, surveillance2, recertification, special.
    #[arg(long, default_value = "internal")]
    kind: String,
    /// The (lead) auditor: a member's e-mail, or the certification body's auditor.
    #[arg(long)]
    auditor: String,
    /// First day (YYYY-MM-DD).
    #[arg(long)]
    start: String,
    /// Last day (default: the first).
    #[arg(long)]
    end: Option<String>,
    /// A title (default from the kind and year).
    #[arg(long, default_value = "")]
    title: String,
    /// What it covers (default: the ISMS scope).
    #[arg(long, default_value = "")]
    scope: String,
    /// The certification body, for external audits (default: the certificate's).
    #[arg(long)]
    body: Option<String>,
    /// A control to audit; repeatable (default: a sample).
    #[arg(long = "control")]
    controls: Vec<String>,
    /// How many applicable controls to sample (least recently audited first).
    #[arg(long)]
    sample: Option<usize>,
    #[command(flatten)]
    who: AsArg,
}

/// Arguments of `isms audit result`.
#[derive(Debug, Args)]
pub struct ResultArgs {
    #[command(flatten)]
    id: IdArgs,
    /// The checklist line (9.2, A.8.13).
    reference: String,
    /// conforming, finding, not-audited or open.
    result: String,
    /// What was seen.
    #[arg(long, default_value = "")]
    notes: String,
}

/// Arguments of `isms audit complete`.
#[derive(Debug, Args)]
pub struct CompleteArgs {
    #[command(flatten)]
    id: IdArgs,
    /// The report's conclusion.
    #[arg(long)]
    conclusion: String,
}

/// Arguments of `isms audit copy`.
#[derive(Debug, Args)]
pub struct CopyArgs {
    #[command(flatten)]
    id: IdArgs,
    /// First day of the new audit.
    #[arg(long)]
    start: String,
    /// Last day (default: the first).
    #[arg(long)]
    end: Option<String>,
}

/// Arguments of `isms audit report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    id: IdArgs,
    /// md or xlsx.
    #[arg(long, default_value = "md")]
    format: String,
    /// Where to write it.
    #[arg(short, long)]
    output: PathBuf,
}

/// `isms finding` subcommands.
#[derive(Debug, Subcommand)]
pub enum FindingCommand {
    /// Raise a finding from an audit.
    Add(FindingArgs),
    /// The findings, newest first.
    List(ListFindings),
    /// One finding.
    Show(IdArgs),
    /// Record the correction, root cause, corrective action, owner and due date.
    Plan(PlanFinding),
    /// Mark the corrective action done.
    Implemented(IdArgs),
    /// Verify the action effective and close the finding.
    Verify(VerifyArgs),
    /// The nonconformity register (Markdown, CSV or XLSX).
    Register(RegisterArgs),
}

/// Arguments of `isms finding add`.
#[derive(Debug, Args)]
pub struct FindingArgs {
    #[command(flatten)]
    org: OrgArg,
    /// The audit that raised it.
    #[arg(long)]
    audit: String,
    /// major, minor, observation or opportunity.
    #[arg(long)]
    grade: String,
    /// The clause or control concerned.
    #[arg(long)]
    requirement: String,
    /// What was found.
    #[arg(long)]
    description: String,
    /// The evidence seen.
    #[arg(long, default_value = "")]
    evidence: String,
    /// The certification body's deadline (default: the organization's setting).
    #[arg(long)]
    due: Option<String>,
    /// Who must act.
    #[arg(long)]
    owner: Option<String>,
    #[command(flatten)]
    who: AsArg,
}

/// Arguments of `isms finding list`.
#[derive(Debug, Args)]
pub struct ListFindings {
    #[command(flatten)]
    org: OrgArg,
    /// Only findings not closed.
    #[arg(long)]
    open: bool,
}

/// Arguments of `isms finding plan`.
#[derive(Debug, Args)]
pub struct PlanFinding {
    #[command(flatten)]
    id: IdArgs,
    /// The immediate fix.
    #[arg(long)]
    correction: String,
    /// Why it happened.
    #[arg(long)]
    root_cause: String,
    /// What stops it recurring.
    #[arg(long)]
    action: String,
    /// Who acts (e-mail).
    #[arg(long)]
    owner: String,
    /// By when (default: the finding's due date).
    #[arg(long)]
    due: Option<String>,
}

/// Arguments of `isms finding verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    id: IdArgs,
    /// What showed the action effective.
    #[arg(long, default_value = "")]
    note: String,
}

/// Arguments of `isms finding register`.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    org: OrgArg,
    /// md, csv or xlsx.
    #[arg(long, default_value = "md")]
    format: String,
    /// Where to write it.
    #[arg(short, long)]
    output: PathBuf,
}

/// `isms management-review` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Record a management review.
    Add(ReviewArgs),
    /// The management reviews, newest first.
    List(OrgArg),
    /// What isms already knows for each input (a starting point for the meeting).
    Briefing(OrgArg),
    /// Mark a review's action (1, 2, …) done.
    ActionDone(ActionDoneArgs),
}

/// Arguments of `isms management-review action-done`.
#[derive(Debug, Args)]
pub struct ActionDoneArgs {
    #[command(flatten)]
    id: IdArgs,
    /// The action's number (1, 2, …).
    number: usize,
    /// Reopen it instead.
    #[arg(long)]
    undo: bool,
}

/// Arguments of `isms management-review add`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    org: OrgArg,
    /// When it was held.
    #[arg(long)]
    held_on: String,
    /// Who attended; repeatable.
    #[arg(long = "attendee", required = true)]
    attendees: Vec<String>,
    /// An input's notes as KEY=TEXT (keys: previous_actions, issues, interested_parties,
    /// nonconformities, monitoring, audits, objectives, feedback, risks, improvement);
    /// repeatable.
    #[arg(long = "input")]
    inputs: Vec<String>,
    /// Fill every input not given with isms's briefing.
    #[arg(long)]
    briefing: bool,
    /// A decision; repeatable.
    #[arg(long = "decision")]
    decisions: Vec<String>,
    /// An action as TITLE|OWNER|YYYY-MM-DD; repeatable.
    #[arg(long = "action")]
    actions: Vec<String>,
    #[command(flatten)]
    who: AsArg,
}

/// `isms certificate` subcommands.
#[derive(Debug, Subcommand)]
pub enum CertificateCommand {
    /// Record a certificate (refused while a major nonconformity is open).
    Add(CertificateArgs),
    /// The certificate and its cycle.
    Show(OrgArg),
    /// Record a suspension, withdrawal or reinstatement.
    Status(StatusArgs),
}

/// Arguments of `isms certificate add`.
#[derive(Debug, Args)]
pub struct CertificateArgs {
    #[command(flatten)]
    org: OrgArg,
    /// The certificate number.
    #[arg(long)]
    number: String,
    /// The certification body.
    #[arg(long)]
    body: String,
    /// Its accreditation body.
    #[arg(long, default_value = "ANAB")]
    accreditation: String,
    /// The certification decision date.
    #[arg(long)]
    issued: String,
    /// The scope statement on the certificate.
    #[arg(long)]
    scope: String,
    #[command(flatten)]
    who: AsArg,
}

/// Arguments of `isms certificate status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    id: IdArgs,
    /// active, suspended or withdrawn.
    status: String,
}

/// Arguments of `isms readiness`.
#[derive(Debug, Args)]
pub struct ReadinessArgs {
    #[command(flatten)]
    org: OrgArg,
    /// 1, 2 or surveillance (default: the next one for this organization).
    #[arg(long)]
    stage: Option<String>,
    /// Write the readiness report (md or xlsx by the file's extension).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Arguments of `isms calendar`.
#[derive(Debug, Args)]
pub struct CalendarArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Where to write the .ics file.
    #[arg(short, long)]
    output: PathBuf,
}

/// Arguments of `isms changes`.
#[derive(Debug, Args)]
pub struct ChangesArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Since this day (default: the end of the last completed audit).
    #[arg(long)]
    since: Option<String>,
}

fn write(path: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes)
        .map_err(|e| bad("--output", format!("cannot write {}: {}", path.display(), io_reason(&e))))
}

async fn who(cx: &Cx, org: isms_domain::OrgId, a: &AsArg, command: &'static str) -> Result<Actor, CliError> {
    super::actor(cx, org, a.as_email.as_deref(), command).await
}

fn kind(text: &str) -> Result<AuditKind, CliError> {
    AuditKind::parse(text).ok_or_else(|| {
        bad(
            "--kind",
            format!(
                "{text:?} is not internal, stage1, stage2, surveillance1, surveillance2, recertification or special"
            ),
        )
    })
}

fn show_audit(out: &Out, a: &isms_domain::audit::Audit, warnings: &[String]) {
    out.line(format!(
        "{} {} — {} ({} to {}), {}, auditor {}",
        a.id,
        a.title,
        a.kind.label(),
        a.start,
        a.end,
        a.status.as_str(),
        a.auditor
    ));
    for l in &a.checklist {
        let result =
            serde_json::to_value(l.result).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        out.line(format!(
            "  {:<8} {:<12} {}{}",
            l.reference,
            result,
            l.title,
            if l.notes.is_empty() { String::new() } else { format!(" — {}", l.notes) }
        ));
    }
    for w in warnings {
        out.line(format!("warning: {w}"));
    }
}

/// Runs `isms audit`.
pub async fn run_audit(config: &Config, command: AuditCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| audit_in(cx, command, out).await).await
}

async fn audit_in(cx: &Cx, command: AuditCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        AuditCommand::Plan(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let actor = who(cx, org, &a.who, "isms audit plan").await?;
            let start = parse_date("--start", &a.start)?;
            let end = a.end.as_deref().map(|e| parse_date("--end", e)).transpose()?.unwrap_or(start);
            let new = NewAudit {
                kind: kind(&a.kind)?,
                title: a.title,
                scope: a.scope,
                criteria: String::new(),
                auditor: a.auditor,
                certification_body: a.body,
                start,
                end,
                controls: a.controls,
                sample: a.sample,
            };
            let planned = cert::plan_audit(cx, &actor, new).await?;
            out.doc(&planned);
            show_audit(out, &planned.audit, &planned.warnings);
        }
        AuditCommand::List(o) => {
            let org = super::resolve_org(cx, &o.org).await?;
            let all = cert::audits(cx, &super::reader(org)).await?;
            out.doc(&all);
            if all.is_empty() {
                out.line("No audits yet: plan one with `isms audit plan`.");
            }
            for a in &all {
                out.line(format!(
                    "{:<8} {} to {}  {:<16} {:<12} {}",
                    a.id,
                    a.start,
                    a.end,
                    a.kind.label(),
                    a.status.as_str(),
                    a.title
                ));
            }
        }
        AuditCommand::Show(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let planned = cert::audit(cx, &super::reader(org), &a.id).await?;
            out.doc(&planned);
            show_audit(out, &planned.audit, &planned.warnings);
        }
        AuditCommand::Result(a) => {
            let org = super::resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms audit result").await?;
            let result: CheckResult = parse_enum("RESULT", &a.result, "conforming, finding, not-audited, open")?;
            let audit = cert::record_result(cx, &actor, &a.id.id, &a.reference, result, &a.notes).await?;
            out.doc(&audit);
            out.line(format!("{} {}: {}", audit.id, a.reference, a.result));
        }
        AuditCommand::Complete(a) => {
            let org = super::resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms audit complete").await?;
            let audit = cert::complete_audit(cx, &actor, &a.id.id, &a.conclusion).await?;
            out.doc(&audit);
            out.line(format!("{} completed.", audit.id));
        }
        AuditCommand::Copy(a) => {
            let org = super::resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms audit copy").await?;
            let start = parse_date("--start", &a.start)?;
            let end = a.end.as_deref().map(|e| parse_date("--end", e)).transpose()?.unwrap_or(start);
            let planned = cert::copy_audit(cx, &actor, &a.id.id, start, end).await?;
            out.doc(&planned);
            show_audit(out, &planned.audit, &planned.warnings);
        }
        AuditCommand::Programme(o) => {
            let org = super::resolve_org(cx, &o.org).await?;
            let p = cert::programme(cx, &super::reader(org)).await?;
            out.doc(&p);
            out.line(format!("Audit programme {} to {}: {} audit(s).", p.from, p.until, p.audits.len()));
            for a in &p.audits {
                out.line(format!("  {:<8} {} {:<16} {}", a.id, a.start, a.kind.label(), a.status.as_str()));
            }
            if !p.uncovered_clauses.is_empty() {
                out.line(format!("Clauses no internal audit covers: {}", p.uncovered_clauses.join(", ")));
            }
            if !p.uncovered_controls.is_empty() {
                out.line(format!(
                    "{} of {} applicable controls no internal audit covers: {}",
                    p.uncovered_controls.len(),
                    p.applicable_controls,
                    p.uncovered_controls.join(", ")
                ));
            }
            if !p.uncovered_clauses.is_empty() || !p.uncovered_controls.is_empty() {
                return Err(CliError::check_failed(
                    Code::ProgrammeIncomplete,
                    "the audit programme does not cover everything in the cycle",
                ));
            }
        }
        AuditCommand::Report(a) => {
            let org = super::resolve_org(cx, &a.id.org.org).await?;
            let format = isms_app::export::DocFormat::parse(&a.format)?;
            let bytes =
                isms_app::certification_reports::audit_report(cx, &super::reader(org), &a.id.id, format).await?;
            write(&a.output, &bytes)?;
            out.line(format!("Wrote the report of {} to {}.", a.id.id, a.output.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `isms finding`.
pub async fn run_finding(config: &Config, command: FindingCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| finding_in(cx, command, out).await).await
}

fn show_finding(out: &Out, f: &isms_domain::audit::Finding) {
    let due = f.due.map_or_else(String::new, |d| format!(", due {d}"));
    out.line(format!(
        "{:<8} {:<28} {:<8} {:<14} {}{due}",
        f.id,
        f.grade.label(),
        f.requirement,
        f.status.as_str(),
        f.description
    ));
}

async fn finding_in(cx: &Cx, command: FindingCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        FindingCommand::Add(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let actor = who(cx, org, &a.who, "isms finding add").await?;
            let new = NewFinding {
                audit: a.audit,
                grade: parse_enum("--grade", &a.grade, "major, minor, observation, opportunity")?,
                requirement: a.requirement,
                description: a.description,
                evidence: a.evidence,
                due: a.due.as_deref().map(|d| parse_date("--due", d)).transpose()?,
                owner: a.owner,
            };
            let f = cert::raise_finding(cx, &actor, new).await?;
            out.doc(&f);
            show_finding(out, &f);
        }
        FindingCommand::List(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let all: Vec<_> =
                cert::findings(cx, &super::reader(org)).await?.into_iter().filter(|f| !a.open || f.is_open()).collect();
            out.doc(&all);
            if all.is_empty() {
                out.line("No findings.");
            }
            for f in &all {
                show_finding(out, f);
            }
        }
        FindingCommand::Show(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let f = cert::finding(cx, &super::reader(org), &a.id).await?;
            out.doc(&f);
            show_finding(out, &f);
        }
        FindingCommand::Plan(a) => {
            let org = super::resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms finding plan").await?;
            let step = FindingStep::Plan {
                correction: a.correction,
                root_cause: a.root_cause,
                action: a.action,
                owner: a.owner,
                due: a.due.as_deref().map(|d| parse_date("--due", d)).transpose()?,
            };
            let f = cert::change_finding(cx, &actor, &a.id.id, step).await?;
            out.doc(&f);
            show_finding(out, &f);
        }
        FindingCommand::Implemented(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let actor = who(cx, org, &a.who, "isms finding implemented").await?;
            let f = cert::change_finding(cx, &actor, &a.id, FindingStep::Implemented).await?;
            out.doc(&f);
            show_finding(out, &f);
        }
        FindingCommand::Verify(a) => {
            let org = super::resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms finding verify").await?;
            let step = FindingStep::Verify { note: a.note };
            let f = cert::change_finding(cx, &actor, &a.id.id, step).await?;
            out.doc(&f);
            show_finding(out, &f);
        }
        FindingCommand::Register(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let format = isms_app::export::DocFormat::parse(&a.format)?;
            let bytes = isms_app::certification_reports::finding_register(cx, &super::reader(org), format).await?;
            write(&a.output, &bytes)?;
            out.line(format!("Wrote the nonconformity register to {}.", a.output.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `isms management-review`.
pub async fn run_review(config: &Config, command: ReviewCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| review_in(cx, command, out).await).await
}

async fn review_in(cx: &Cx, command: ReviewCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        ReviewCommand::Add(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let actor = who(cx, org, &a.who, "isms management-review add").await?;
            let mut inputs = Vec::new();
            for i in &a.inputs {
                let (k, v) = i.split_once('=').ok_or_else(|| bad("--input", format!("{i:?} must be KEY=TEXT")))?;
                if !REVIEW_INPUTS.iter().any(|(key, _)| *key == k.trim()) {
                    let keys: Vec<&str> = REVIEW_INPUTS.iter().map(|(k, _)| *k).collect();
                    return Err(bad("--input", format!("{k:?} is not one of {}", keys.join(", "))));
                }
                inputs.push(ReviewInput { topic: k.trim().to_owned(), notes: v.trim().to_owned() });
            }
            if a.briefing {
                for b in cert::review_briefing(cx, &super::reader(org)).await? {
                    if !inputs.iter().any(|i| i.topic == b.topic) {
                        inputs.push(b);
                    }
                }
            }
            let mut actions = Vec::new();
            for t in &a.actions {
                let parts: Vec<&str> = t.split('|').collect();
                let [title, owner, due] = parts.as_slice() else {
                    return Err(bad("--action", format!("{t:?} must be TITLE|OWNER|YYYY-MM-DD")));
                };
                actions.push(ReviewAction {
                    title: title.trim().to_owned(),
                    owner: owner.trim().to_lowercase(),
                    due: parse_date("--action", due)?,
                    done: false,
                });
            }
            let review = ManagementReview {
                id: String::new(),
                held_on: parse_date("--held-on", &a.held_on)?,
                attendees: a.attendees,
                inputs,
                decisions: a.decisions,
                actions,
            };
            let r = cert::record_management_review(cx, &actor, review).await?;
            out.doc(&r);
            out.line(format!("Recorded {} ({}).", r.id, r.held_on));
            for m in r.missing_inputs() {
                out.line(format!("warning: the review did not consider: {m}"));
            }
        }
        ReviewCommand::List(o) => {
            let org = super::resolve_org(cx, &o.org).await?;
            let all = cert::management_reviews(cx, &super::reader(org)).await?;
            out.doc(&all);
            if all.is_empty() {
                out.line("No management reviews yet.");
            }
            for r in &all {
                let missing = r.missing_inputs().len();
                out.line(format!(
                    "{:<8} {}  {} attendee(s), {} decision(s), {} action(s){}",
                    r.id,
                    r.held_on,
                    r.attendees.len(),
                    r.decisions.len(),
                    r.actions.len(),
                    if missing > 0 { format!(", {missing} input(s) not covered") } else { String::new() }
                ));
            }
        }
        ReviewCommand::ActionDone(a) => {
            let org = super::resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms management-review action-done").await?;
            if a.number == 0 {
                return Err(bad("NUMBER", "actions are numbered from 1"));
            }
            let r = cert::review_action_done(cx, &actor, &a.id.id, a.number - 1, !a.undo).await?;
            out.doc(&r);
            out.line(format!("{} action {}: {}", r.id, a.number, if a.undo { "reopened" } else { "done" }));
        }
        ReviewCommand::Briefing(o) => {
            let org = super::resolve_org(cx, &o.org).await?;
            let b = cert::review_briefing(cx, &super::reader(org)).await?;
            out.doc(&b);
            for i in &b {
                let title = REVIEW_INPUTS.iter().find(|(k, _)| *k == i.topic).map_or("", |(_, t)| *t);
                out.line(format!("{title}\n  {}", i.notes));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `isms certificate`.
pub async fn run_certificate(config: &Config, command: CertificateCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| certificate_in(cx, command, out).await).await
}

async fn certificate_in(cx: &Cx, command: CertificateCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        CertificateCommand::Add(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let actor = who(cx, org, &a.who, "isms certificate add").await?;
            let c = Certificate {
                id: String::new(),
                number: a.number,
                certification_body: a.body,
                accreditation_body: a.accreditation,
                issued: parse_date("--issued", &a.issued)?,
                scope: a.scope,
                status: CertificateStatus::Active,
                standard: "ISO/IEC 27001:2022".into(),
            };
            let c = cert::add_certificate(cx, &actor, c).await?;
            out.doc(&c);
            show_cycle(out, &c, cx.clock.today());
        }
        CertificateCommand::Show(o) => {
            let org = super::resolve_org(cx, &o.org).await?;
            match cert::current_certificate(cx, &super::reader(org)).await? {
                Some(c) => {
                    out.doc(&serde_json::json!({ "certificate": c, "cycle": c.cycle(), "status_today": c.status_on(cx.clock.today()) }));
                    show_cycle(out, &c, cx.clock.today());
                }
                None => {
                    out.doc(&serde_json::Value::Null);
                    out.line("No certificate recorded: add one after the certification decision with `isms certificate add`.");
                }
            }
        }
        CertificateCommand::Status(a) => {
            let org = super::resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms certificate status").await?;
            let status: CertificateStatus = parse_enum("STATUS", &a.status, "active, suspended, withdrawn")?;
            let c = cert::set_certificate_status(cx, &actor, &a.id.id, status).await?;
            out.doc(&c);
            show_cycle(out, &c, cx.clock.today());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show_cycle(out: &Out, c: &Certificate, today: time::Date) {
    let cycle = c.cycle();
    out.line(format!(
        "Certificate {} by {} ({}), {}",
        c.number,
        c.certification_body,
        c.accreditation_body,
        c.status_on(today).as_str()
    ));
    out.line(format!("  issued                   {}", cycle.issued));
    out.line(format!("  surveillance 1 due by    {}", cycle.surveillance_1_due));
    out.line(format!("  surveillance 2 due by    {}", cycle.surveillance_2_due));
    out.line(format!("  plan recertification by  {}", cycle.recertification_planned));
    out.line(format!("  expires                  {}", cycle.expiry));
}

/// Runs `isms readiness`: exit 1 when something blocks the audit.
pub async fn run_readiness(config: &Config, args: ReadinessArgs, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let stage = match args.stage.as_deref() {
            Some(s) => {
                Some(Stage::parse(s).ok_or_else(|| bad("--stage", format!("{s:?} is not 1, 2 or surveillance")))?)
            }
            None => None,
        };
        let r = cert::readiness(cx, &super::reader(org), stage).await?;
        let stage = r.stage;
        if let Some(path) = &args.output {
            let format = match path.extension().and_then(|e| e.to_str()) {
                Some("xlsx") => isms_app::export::DocFormat::Xlsx,
                _ => isms_app::export::DocFormat::Md,
            };
            write(path, &isms_app::certification_reports::readiness_report(&r, format)?)?;
        }
        out.doc(&r);
        out.line(format!("Readiness for {}: {}", stage.label(), if r.ready { "nothing blocks it" } else { "BLOCKED" }));
        for p in r.blockers.iter().chain(&r.warnings) {
            let tag = if p.severity == Severity::Blocker { "BLOCKER" } else { "warning" };
            out.line(format!("  {tag:<8} {:<10} {}", p.requirement, p.message));
        }
        if !r.ready {
            return Err(CliError::check_failed(
                Code::NotReady,
                format!("{} blocker(s) stand between the organization and {}", r.blockers.len(), stage.label()),
            ));
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}

/// Runs `isms calendar`.
pub async fn run_calendar(config: &Config, args: CalendarArgs, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let ics = isms_app::certification_reports::calendar(cx, &super::reader(org), "").await?;
        write(&args.output, ics.as_bytes())?;
        out.line(format!("Wrote the calendar to {}.", args.output.display()));
        Ok(ExitCode::SUCCESS)
    })
    .await
}

/// Runs `isms changes`.
pub async fn run_changes(config: &Config, args: ChangesArgs, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let since = args.since.as_deref().map(|s| parse_date("--since", s)).transpose()?;
        let (since, changes) = cert::changes_since(cx, &super::reader(org), since).await?;
        out.doc(&serde_json::json!({ "since": since.to_string(), "changes": changes }));
        out.line(format!("Since {since}: {} record(s) new, changed or removed.", changes.len()));
        for c in &changes {
            out.line(format!(
                "  {:<18} {:<12} {:<8} ({} edit(s), last {})",
                c.entity,
                c.id,
                c.change,
                c.edits,
                c.last.date()
            ));
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
