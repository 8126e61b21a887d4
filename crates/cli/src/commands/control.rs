//! `isms control ...`: the organization's record per Annex A control.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use isms_app::Cx;
use isms_app::controls::{self, ControlChange};
use isms_domain::soa::{ControlLink, ControlStatus, InclusionReason, LinkKind};
use time::Date;

use super::{OrgArg, bad};
use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

/// `isms control` subcommands.
#[derive(Debug, Subcommand)]
pub enum ControlCommand {
    /// List the organization's control records.
    List(ListArgs),
    /// Show one control: record, guidance, history, mappings.
    Show(ShowArgs),
    /// Change one control's record.
    Set(Box<SetArgs>),
    /// List the implementation statements proposed from OSCAL component definitions
    /// (`isms oscal import component-definition`).
    Proposals(ProposalsArgs),
    /// Accept a proposed implementation statement into its control's.
    Accept(DecideArgs),
    /// Reject a proposed implementation statement, saying why.
    Reject(DecideArgs),
}

/// Arguments of `isms control proposals`.
#[derive(Debug, Args)]
pub struct ProposalsArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Only this status: proposed, accepted or rejected.
    #[arg(long)]
    status: Option<String>,
    /// Only this control.
    #[arg(long, value_name = "CONTROL")]
    control: Option<String>,
}

/// Arguments of `isms control accept|reject`.
#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The proposal, e.g. IMP-001.
    id: String,
    #[command(flatten)]
    org: OrgArg,
    /// Why it is rejected (required to reject).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// The member deciding (recorded in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Arguments of `isms control list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Only this theme: A.5, A.6, A.7 or A.8.
    #[arg(long)]
    theme: Option<String>,
    /// Only this status.
    #[arg(long)]
    status: Option<String>,
}

/// Arguments of `isms control show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The control, e.g. A.5.15 (or 5.15).
    id: String,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms control set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The controls to change, e.g. A.5.15 (or 5.15); several at once are changed alike.
    #[arg(required_unless_present = "all", num_args = 1..)]
    ids: Vec<String>,
    /// Change every Annex A control alike.
    #[arg(long, conflicts_with = "ids")]
    all: bool,
    #[command(flatten)]
    org: OrgArg,
    /// yes (in the SoA) or no (excluded; sets the status to not_applicable).
    #[arg(long, value_name = "yes|no")]
    applicable: Option<String>,
    /// Reasons for inclusion, comma-separated: risk_treatment, legal_regulatory, contractual, business_practice.
    #[arg(long, value_name = "LIST")]
    reasons: Option<String>,
    /// Why the control is excluded (empty text clears it).
    #[arg(long, value_name = "TEXT")]
    justification: Option<String>,
    /// not_started, planned, partially_implemented, implemented or not_applicable.
    #[arg(long)]
    status: Option<String>,
    /// The owner's e-mail (a member), or "none".
    #[arg(long, value_name = "EMAIL")]
    owner: Option<String>,
    /// Target date YYYY-MM-DD, or "none".
    #[arg(long, value_name = "DATE")]
    target_date: Option<String>,
    /// How the control is implemented (Markdown).
    #[arg(long, value_name = "TEXT", conflicts_with = "implementation_file")]
    implementation: Option<String>,
    /// Read the implementation description from a Markdown file.
    #[arg(long, value_name = "FILE")]
    implementation_file: Option<PathBuf>,
    /// Link to a risk, asset, document or evidence: KIND:ID (repeatable).
    #[arg(long, value_name = "KIND:ID")]
    link: Vec<String>,
    /// Remove a link: KIND:ID (repeatable).
    #[arg(long, value_name = "KIND:ID")]
    unlink: Vec<String>,
    /// The member making the change (recorded in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Runs a control subcommand.
pub async fn run(config: &Config, command: ControlCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| match command {
        ControlCommand::List(args) => list(cx, args, out).await,
        ControlCommand::Show(args) => show(cx, args, out).await,
        ControlCommand::Set(args) => set(cx, *args, out).await,
        ControlCommand::Proposals(args) => proposals(cx, args, out).await,
        ControlCommand::Accept(args) => decide(cx, args, true, out).await,
        ControlCommand::Reject(args) => decide(cx, args, false, out).await,
    })
    .await
}

fn parse_status(text: &str) -> Result<ControlStatus, CliError> {
    ControlStatus::parse(text).ok_or_else(|| {
        let all: Vec<&str> = ControlStatus::ALL.iter().map(|s| s.as_str()).collect();
        bad("--status", format!("{text:?} is not a status (one of {})", all.join(", ")))
    })
}

fn parse_link(flag: &str, text: &str) -> Result<ControlLink, CliError> {
    let (kind, id) =
        text.split_once(':').ok_or_else(|| bad(flag, format!("{text:?} must be KIND:ID, e.g. risk:R-12")))?;
    let kind =
        LinkKind::parse(kind).ok_or_else(|| bad(flag, format!("{kind:?} is not risk, asset, document or evidence")))?;
    if id.trim().is_empty() {
        return Err(bad(flag, "the id after the colon is empty"));
    }
    Ok(ControlLink { kind, id: id.trim().to_owned() })
}

async fn list(cx: &Cx, args: ListArgs, out: &Out) -> Result<ExitCode, CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    let status = args.status.as_deref().map(parse_status).transpose()?;
    let rows: Vec<_> = controls::list_controls(cx, &super::reader(org))
        .await?
        .into_iter()
        .filter(|c| args.theme.as_deref().is_none_or(|t| c.theme.eq_ignore_ascii_case(t)))
        .filter(|c| status.is_none_or(|s| c.record.status == s))
        .collect();
    out.doc(&rows);
    out.line(format!("{:<8} {:<22} {:<10} {:<20} {}", "CONTROL", "STATUS", "IN SOA", "OWNER", "TITLE"));
    for c in &rows {
        out.line(format!(
            "{:<8} {:<22} {:<10} {:<20} {}",
            c.record.control,
            c.record.status.label(),
            if c.record.applicable { "yes" } else { "excluded" },
            c.owner_name.as_deref().unwrap_or("—"),
            c.title
        ));
    }
    out.line(format!("{} control(s)", rows.len()));
    Ok(ExitCode::SUCCESS)
}

async fn show(cx: &Cx, args: ShowArgs, out: &Out) -> Result<ExitCode, CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    let detail = controls::control_detail(cx, &super::reader(org), &args.id).await?;
    out.doc(&detail);
    let c = &detail.control;
    out.line(format!("{} {}", c.record.control, c.title));
    out.line(format!("  status         {}", c.record.status.label()));
    out.line(format!("  in the SoA     {}", if c.record.applicable { "yes" } else { "no (excluded)" }));
    let reasons: Vec<&str> = c.record.reasons.iter().map(|r| r.label()).collect();
    out.line(format!("  reasons        {}", if reasons.is_empty() { "—".to_owned() } else { reasons.join(", ") }));
    if let Some(j) = &c.record.justification {
        out.line(format!("  justification  {j}"));
    }
    out.line(format!("  owner          {}", c.owner_name.as_deref().unwrap_or("—")));
    out.line(format!("  target date    {}", c.record.target_date.map_or("—".to_owned(), |d| d.to_string())));
    for link in &c.record.links {
        out.line(format!("  linked {:<8} {}", link.kind.as_str(), link.id));
    }
    if let Some(g) = &c.guidance {
        out.line(format!("\nGuidance: {g}"));
    }
    if !c.record.implementation.is_empty() {
        out.line(format!("\nImplementation:\n{}", c.record.implementation));
    }
    out.line("\nHistory:");
    for h in &detail.history {
        let from = h.change.from.map_or("—", ControlStatus::label);
        out.line(format!("  {}  {} → {}  ({})", h.change.at.date(), from, h.change.to.label(), h.by_name));
    }
    if !detail.mappings.is_empty() {
        out.line("\nCovers, in the frameworks in use:");
        for m in &detail.mappings {
            out.line(format!("  {:<36} {:<12} {}", m.target.to_string(), m.relation.as_str(), m.title));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_date(flag: &str, text: &str) -> Result<Option<Date>, CliError> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    super::parse_date(flag, text).map(Some)
}

async fn set(cx: &Cx, args: SetArgs, out: &Out) -> Result<ExitCode, CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    let actor = super::actor(cx, org, args.as_email.as_deref(), "isms control set").await?;
    let applicable = match args.applicable.as_deref().map(str::to_lowercase).as_deref() {
        None => None,
        Some("yes" | "true" | "y") => Some(true),
        Some("no" | "false" | "n") => Some(false),
        Some(other) => return Err(bad("--applicable", format!("{other:?} is not yes or no"))),
    };
    let reasons = args
        .reasons
        .as_deref()
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(|r| {
                    InclusionReason::parse(r).ok_or_else(|| {
                        bad(
                            "--reasons",
                            format!(
                                "{r:?} is not one of risk_treatment, legal_regulatory, contractual, business_practice"
                            ),
                        )
                    })
                })
                .collect::<Result<BTreeSet<_>, _>>()
        })
        .transpose()?;
    let implementation =
        match (&args.implementation, &args.implementation_file) {
            (Some(text), _) => Some(text.clone()),
            (None, Some(path)) => Some(std::fs::read_to_string(path).map_err(|e| {
                bad("--implementation-file", format!("cannot read {}: {}", path.display(), io_reason(&e)))
            })?),
            (None, None) => None,
        };
    let change = ControlChange {
        applicable,
        reasons,
        justification: args.justification.map(Some),
        status: args.status.as_deref().map(parse_status).transpose()?,
        owner: args
            .owner
            .as_deref()
            .map(|o| if o.eq_ignore_ascii_case("none") { Ok(None) } else { super::email_arg("--owner", o).map(Some) })
            .transpose()?,
        target_date: args.target_date.as_deref().map(|d| parse_date("--target-date", d)).transpose()?,
        implementation,
        link: args.link.iter().map(|l| parse_link("--link", l)).collect::<Result<_, _>>()?,
        unlink: args.unlink.iter().map(|l| parse_link("--unlink", l)).collect::<Result<_, _>>()?,
    };
    let ids = if args.all {
        controls::list_controls(cx, &super::reader(org)).await?.into_iter().map(|c| c.record.control).collect()
    } else {
        args.ids
    };
    let mut records = Vec::with_capacity(ids.len());
    for id in &ids {
        let record = controls::update_control(cx, &actor, id, change.clone()).await?;
        out.line(format!(
            "{}: {}, {}",
            record.control,
            record.status.label(),
            if record.applicable { "in the SoA" } else { "excluded" }
        ));
        records.push(record);
    }
    out.doc(&records);
    Ok(ExitCode::SUCCESS)
}

async fn proposals(cx: &Cx, args: ProposalsArgs, out: &Out) -> Result<ExitCode, CliError> {
    use isms_domain::proposal::ProposalStatus;
    let org = super::resolve_org(cx, &args.org.org).await?;
    let status = args
        .status
        .as_deref()
        .map(|s| {
            ProposalStatus::parse(s)
                .ok_or_else(|| bad("--status", format!("{s:?} is not proposed, accepted or rejected")))
        })
        .transpose()?;
    let all = isms_app::proposals::proposals(cx, &super::reader(org), status, args.control.as_deref()).await?;
    out.doc(&all);
    for p in &all {
        let from: Vec<String> = p.from.iter().map(|f| format!("{} {}", f.item, f.relation)).collect();
        out.line(format!(
            "{}  {:<8} {:<9} {} ({}) from {}",
            p.id,
            p.control,
            p.status.as_str(),
            p.component,
            p.source,
            from.join(", ")
        ));
    }
    out.line(format!("{} proposal(s)", all.len()));
    Ok(ExitCode::SUCCESS)
}

async fn decide(cx: &Cx, args: DecideArgs, accept: bool, out: &Out) -> Result<ExitCode, CliError> {
    use isms_app::proposals::Decision;
    let org = super::resolve_org(cx, &args.org.org).await?;
    let command = if accept { "isms control accept" } else { "isms control reject" };
    let actor = super::actor(cx, org, args.as_email.as_deref(), command).await?;
    let decision = if accept {
        if args.reason.is_some() {
            return Err(bad("--reason", "a reason is given when rejecting, not when accepting"));
        }
        Decision::Accept
    } else {
        Decision::Reject(args.reason.unwrap_or_default())
    };
    let p = isms_app::proposals::decide(cx, &actor, &args.id, decision).await?;
    out.doc(&p);
    out.line(if accept {
        format!("{} accepted: its statement is now part of {}'s implementation", p.id, p.control)
    } else {
        format!("{} rejected ({})", p.id, p.reason)
    });
    Ok(ExitCode::SUCCESS)
}
