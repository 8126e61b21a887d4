//! `isms audit`: plan, list, show, record results, complete, copy, the programme and
//! the report.

use super::*;

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
    /// The audit report (Markdown, XLSX or PDF).
    Report(ReportArgs),
    /// Invite a certification body's auditor to this audit only: they see its
    /// workspace until --days after its last day (prints the one-time link for someone
    /// who is not a member yet).
    InviteAuditor(InviteAuditorArgs),
    /// The audit's external auditors and their access windows.
    Auditors(IdArgs),
    /// Change an external auditor's window, or revoke their access now.
    AuditorAccess(AuditorAccessArgs),
}

/// Arguments of `isms audit invite-auditor`.
#[derive(Debug, Args)]
pub struct InviteAuditorArgs {
    #[command(flatten)]
    id: IdArgs,
    /// Their login e-mail.
    #[arg(long)]
    email: String,
    /// Their name.
    #[arg(long)]
    name: Option<String>,
    /// How many days after the audit's last day the access lasts.
    #[arg(long, default_value_t = 30)]
    days: u32,
}

/// Arguments of `isms audit auditor-access`.
#[derive(Debug, Args)]
pub struct AuditorAccessArgs {
    #[command(flatten)]
    id: IdArgs,
    /// The external auditor's e-mail.
    #[arg(long)]
    email: String,
    /// A new window, in days after the audit's last day.
    #[arg(long, conflicts_with = "revoke")]
    days: Option<u32>,
    /// Revoke the access now.
    #[arg(long)]
    revoke: bool,
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
    /// md, xlsx, csv, json or pdf.
    #[arg(long, default_value = "md")]
    format: String,
    /// Where to write it.
    #[arg(short, long)]
    output: PathBuf,
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
    let base = config.link_base();
    with_workspace(config, async |cx| audit_in(cx, command, out, &base).await).await
}

fn auditor_line(v: &isms_app::auditors::AuditorView) -> String {
    format!(
        "{} <{}>  {}  until {}  {}",
        v.access.name,
        v.access.email,
        v.access.audit,
        v.until,
        if v.open { "open" } else { "ended" }
    )
}

async fn audit_in(cx: &Cx, command: AuditCommand, out: &Out, base: &str) -> Result<ExitCode, CliError> {
    match command {
        AuditCommand::InviteAuditor(a) => {
            let org = resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms audit invite-auditor").await?;
            let email = crate::commands::email_arg("--email", &a.email)?;
            let name_text =
                a.name.clone().unwrap_or_else(|| email.as_str().split('@').next().unwrap_or_default().to_owned());
            let name = isms_domain::DisplayName::parse(&name_text).map_err(|e| bad("--name", e))?;
            let done = isms_app::auditors::invite_auditor(cx, &actor, &a.id.id, email, name, a.days, base).await?;
            out.doc(&done);
            out.line(auditor_line(&done.access));
            if let Some(i) = &done.invited {
                out.line(format!("Invitation link (shown only this once; hand it to them yourself): {}", i.link));
            }
        }
        AuditCommand::Auditors(a) => {
            let org = resolve_org(cx, &a.org.org).await?;
            let all = isms_app::auditors::auditors(cx, &reader(org), &a.id).await?;
            out.doc(&all);
            for v in &all {
                out.line(auditor_line(v));
            }
        }
        AuditCommand::AuditorAccess(a) => {
            let org = resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms audit auditor-access").await?;
            let v = isms_app::auditors::change_auditor(cx, &actor, &a.id.id, &a.email, a.days, a.revoke).await?;
            out.doc(&v);
            out.line(auditor_line(&v));
        }
        AuditCommand::Plan(a) => plan(cx, a, out).await?,
        AuditCommand::List(o) => {
            let org = resolve_org(cx, &o.org).await?;
            let all = cert::audits(cx, &reader(org)).await?;
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
            let org = resolve_org(cx, &a.org.org).await?;
            let planned = cert::audit(cx, &reader(org), &a.id).await?;
            out.doc(&planned);
            show_audit(out, &planned.audit, &planned.warnings);
        }
        AuditCommand::Result(a) => {
            let org = resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms audit result").await?;
            let result: CheckResult = parse_enum("RESULT", &a.result, "conforming, finding, not-audited, open")?;
            let audit = cert::record_result(cx, &actor, &a.id.id, &a.reference, result, &a.notes).await?;
            out.doc(&audit);
            out.line(format!("{} {}: {}", audit.id, a.reference, a.result));
        }
        AuditCommand::Complete(a) => {
            let org = resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms audit complete").await?;
            let audit = cert::complete_audit(cx, &actor, &a.id.id, &a.conclusion).await?;
            out.doc(&audit);
            out.line(format!("{} completed.", audit.id));
        }
        AuditCommand::Copy(a) => {
            let org = resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms audit copy").await?;
            let start = parse_date("--start", &a.start)?;
            let end = a.end.as_deref().map(|e| parse_date("--end", e)).transpose()?.unwrap_or(start);
            let planned = cert::copy_audit(cx, &actor, &a.id.id, start, end).await?;
            out.doc(&planned);
            show_audit(out, &planned.audit, &planned.warnings);
        }
        AuditCommand::Programme(o) => programme(cx, o, out).await?,
        AuditCommand::Report(a) => {
            let org = resolve_org(cx, &a.id.org.org).await?;
            let format = isms_app::export::DocFormat::parse(&a.format)?;
            let bytes = isms_app::certification_reports::audit_report(cx, &reader(org), &a.id.id, format).await?;
            write(&a.output, &bytes)?;
            out.line(format!("Wrote the report of {} to {}.", a.id.id, a.output.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn programme(cx: &Cx, o: OrgArg, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &o.org).await?;
    let p = cert::programme(cx, &reader(org)).await?;
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
    Ok(())
}

async fn plan(cx: &Cx, a: PlanArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &a.org.org).await?;
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
    Ok(())
}
