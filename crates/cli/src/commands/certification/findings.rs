//! `isms finding`: add, list, show, plan, mark implemented, verify, and the register.

use super::*;

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
    /// md, csv, xlsx or pdf.
    #[arg(long, default_value = "md")]
    format: String,
    /// Where to write it.
    #[arg(short, long)]
    output: PathBuf,
}

/// Runs `isms finding`.
pub async fn run_finding(config: &Config, command: FindingCommand, out: &Out) -> Result<ExitCode, CliError> {
    with_workspace(config, async |cx| finding_in(cx, command, out).await).await
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
            let org = resolve_org(cx, &a.org.org).await?;
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
            let org = resolve_org(cx, &a.org.org).await?;
            let all: Vec<_> =
                cert::findings(cx, &reader(org)).await?.into_iter().filter(|f| !a.open || f.is_open()).collect();
            out.doc(&all);
            if all.is_empty() {
                out.line("No findings.");
            }
            for f in &all {
                show_finding(out, f);
            }
        }
        FindingCommand::Show(a) => {
            let org = resolve_org(cx, &a.org.org).await?;
            let f = cert::finding(cx, &reader(org), &a.id).await?;
            out.doc(&f);
            show_finding(out, &f);
        }
        FindingCommand::Plan(a) => {
            let org = resolve_org(cx, &a.id.org.org).await?;
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
            let org = resolve_org(cx, &a.org.org).await?;
            let actor = who(cx, org, &a.who, "isms finding implemented").await?;
            let f = cert::change_finding(cx, &actor, &a.id, FindingStep::Implemented).await?;
            out.doc(&f);
            show_finding(out, &f);
        }
        FindingCommand::Verify(a) => {
            let org = resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms finding verify").await?;
            let step = FindingStep::Verify { note: a.note };
            let f = cert::change_finding(cx, &actor, &a.id.id, step).await?;
            out.doc(&f);
            show_finding(out, &f);
        }
        FindingCommand::Register(a) => {
            let org = resolve_org(cx, &a.org.org).await?;
            let format = isms_app::export::DocFormat::parse(&a.format)?;
            let bytes = isms_app::certification_reports::finding_register(cx, &reader(org), format).await?;
            write(&a.output, &bytes)?;
            out.line(format!("Wrote the nonconformity register to {}.", a.output.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}
