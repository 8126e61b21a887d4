//! `isms scope`, `isms context`, `isms role`, `isms objective`, `isms asset`,
//! `isms review`: the ISMS registers from the command line.

use isms_app::Code;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use isms_app::registers;
use isms_app::reviews;
use isms_app::{Cx, assets};
use isms_domain::asset::{Asset, AssetType, ClassificationScheme, Lifecycle};
use isms_domain::register::{
    ContextIssue, Entry, InterestedParty, IsmsRole, IssueOrigin, Objective, ObjectiveStatus, PartyRequirement,
    RequirementKind, Scope, ScopeExclusion,
};
use isms_domain::review::{ReviewOutcome, ReviewStatus, Subject, SubjectKind};

use super::{AsArg, OrgArg, bad, parse_date, parse_enum};
use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

// ---- scope ---------------------------------------------------------------------------

/// `isms scope` subcommands.
#[derive(Debug, Subcommand)]
pub enum ScopeCommand {
    /// Show the ISMS scope (4.3).
    Show(OrgArg),
    /// Set the scope statement, boundaries, interfaces, locations and exclusions.
    Set(ScopeSetArgs),
}

/// Arguments of `isms scope set`.
#[derive(Debug, Args)]
pub struct ScopeSetArgs {
    #[command(flatten)]
    org: OrgArg,
    /// The scope statement, as it will appear on the certificate.
    #[arg(long)]
    statement: String,
    /// An organizational or physical boundary (repeatable).
    #[arg(long)]
    boundary: Vec<String>,
    /// An interface or dependency with what is outside the scope (repeatable).
    #[arg(long)]
    interface: Vec<String>,
    /// A location covered (repeatable).
    #[arg(long)]
    location: Vec<String>,
    /// An exclusion as "WHAT=JUSTIFICATION" (repeatable).
    #[arg(long, value_name = "WHAT=WHY")]
    exclude: Vec<String>,
    #[command(flatten)]
    who: AsArg,
}

/// Runs a scope subcommand.
pub async fn scope(config: &Config, command: ScopeCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        match command {
            ScopeCommand::Show(org) => {
                let org = super::resolve_org(cx, &org.org).await?;
                let scope = registers::entry::<Scope>(cx, &super::reader(org), "SCOPE").await.map_err(|e| {
                    if e.kind == isms_app::ErrorKind::NotFound {
                        CliError::bad_input(
                            Code::NotFound,
                            "the scope has not been written yet: `isms scope set --statement ...`",
                        )
                    } else {
                        e.into()
                    }
                })?;
                let review = reviews::review_status(
                    cx,
                    &super::reader(org),
                    &Subject { kind: SubjectKind::Scope, id: "SCOPE".into() },
                )
                .await?;
                out.doc(&serde_json::json!({ "scope": scope, "review": review }));
                out.line(format!("Scope: {}", scope.statement));
                for (label, list) in
                    [("Boundary", &scope.boundaries), ("Interface", &scope.interfaces), ("Location", &scope.locations)]
                {
                    for item in list {
                        out.line(format!("  {label}: {item}"));
                    }
                }
                for e in &scope.exclusions {
                    out.line(format!("  Excluded: {} — {}", e.what, e.justification));
                }
                out.line(format!("Review: {}", review_line(review)));
            }
            ScopeCommand::Set(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms scope set").await?;
                let exclusions = args
                    .exclude
                    .iter()
                    .map(|e| {
                        let (what, why) = e
                            .split_once('=')
                            .ok_or_else(|| bad("--exclude", format!("{e:?} must be WHAT=JUSTIFICATION")))?;
                        Ok(ScopeExclusion { what: what.trim().into(), justification: why.trim().into() })
                    })
                    .collect::<Result<_, CliError>>()?;
                let scope = Scope {
                    id: String::new(),
                    statement: args.statement,
                    boundaries: args.boundary,
                    interfaces: args.interface,
                    locations: args.location,
                    exclusions,
                };
                let saved = registers::replace_entry(cx, &actor, "", scope).await?;
                out.doc(&saved);
                out.line("Saved the scope.");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}

fn review_line(review: Option<ReviewStatus>) -> String {
    match review {
        None => "no review cycle".to_owned(),
        Some(ReviewStatus::Current { due }) => format!("next review due {due}"),
        Some(ReviewStatus::Due { due }) => format!("review due by {due}"),
        Some(ReviewStatus::Overdue { due, days }) => format!("review OVERDUE since {due} ({days} days)"),
    }
}

// ---- context: issues and interested parties -----------------------------------------

/// `isms context` subcommands.
#[derive(Debug, Subcommand)]
pub enum ContextCommand {
    /// List internal and external issues and interested parties (4.1, 4.2).
    Show(OrgArg),
    /// Add an internal or external issue (4.1).
    AddIssue(AddIssueArgs),
    /// Add an interested party with its requirements (4.2).
    AddParty(AddPartyArgs),
    /// Delete an issue (ISS-…) or interested party (IP-…).
    Delete(DeleteArgs),
}

/// Arguments of `isms context add-issue`.
#[derive(Debug, Args)]
pub struct AddIssueArgs {
    #[command(flatten)]
    org: OrgArg,
    /// internal or external.
    #[arg(long)]
    origin: String,
    /// The issue.
    #[arg(long)]
    title: String,
    /// How it affects information security.
    #[arg(long, default_value = "")]
    description: String,
    #[command(flatten)]
    who: AsArg,
}

/// Arguments of `isms context add-party`.
#[derive(Debug, Args)]
pub struct AddPartyArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Who the party is.
    #[arg(long)]
    name: String,
    /// A requirement as KIND:TEXT, KIND one of legal, regulatory, contractual,
    /// expectation; prefix with "!" when the ISMS does not address it (repeatable).
    #[arg(long, value_name = "KIND:TEXT")]
    requirement: Vec<String>,
    #[command(flatten)]
    who: AsArg,
}

/// Arguments of a delete.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The entry's id.
    id: String,
    #[command(flatten)]
    org: OrgArg,
    #[command(flatten)]
    who: AsArg,
}

/// Runs a context subcommand.
pub async fn context(config: &Config, command: ContextCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        match command {
            ContextCommand::Show(org) => {
                let org = super::resolve_org(cx, &org.org).await?;
                let issues = registers::entries::<ContextIssue>(cx, &super::reader(org)).await?;
                let parties = registers::entries::<InterestedParty>(cx, &super::reader(org)).await?;
                out.doc(&serde_json::json!({ "issues": issues, "interested_parties": parties }));
                out.line(format!("Issues ({}):", issues.len()));
                for i in &issues {
                    out.line(format!(
                        "  {} [{}] {}",
                        i.id,
                        if i.origin == IssueOrigin::Internal { "internal" } else { "external" },
                        i.title
                    ));
                }
                out.line(format!("Interested parties ({}):", parties.len()));
                for p in &parties {
                    out.line(format!("  {} {}", p.id, p.name));
                    for r in &p.requirements {
                        let kind = serde_json::to_value(r.kind)
                            .ok()
                            .and_then(|v| v.as_str().map(ToOwned::to_owned))
                            .unwrap_or_default();
                        out.line(format!(
                            "      {:<12} {}{}",
                            kind,
                            r.text,
                            if r.addressed { "" } else { "  (not addressed by the ISMS)" }
                        ));
                    }
                }
            }
            ContextCommand::AddIssue(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms context add-issue").await?;
                let origin = parse_enum("--origin", &args.origin, "internal, external")?;
                let issue =
                    ContextIssue { id: String::new(), origin, title: args.title, description: args.description };
                let saved = registers::create_entry(cx, &actor, issue).await?;
                out.doc(&saved);
                out.line(format!("Added {}.", saved.id));
            }
            ContextCommand::AddParty(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms context add-party").await?;
                let requirements = args
                    .requirement
                    .iter()
                    .map(|r| {
                        let (addressed, r) = r.strip_prefix('!').map_or((true, r.as_str()), |rest| (false, rest));
                        let (kind, text) = r
                            .split_once(':')
                            .ok_or_else(|| bad("--requirement", format!("{r:?} must be KIND:TEXT")))?;
                        let kind: RequirementKind =
                            parse_enum("--requirement", kind, "legal, regulatory, contractual, expectation")?;
                        let requirement = PartyRequirement::new(kind, text);
                        Ok(if addressed { requirement } else { requirement.not_addressed() })
                    })
                    .collect::<Result<_, CliError>>()?;
                let party = InterestedParty { id: String::new(), name: args.name, requirements };
                let saved = registers::create_entry(cx, &actor, party).await?;
                out.doc(&saved);
                out.line(format!("Added {}.", saved.id));
            }
            ContextCommand::Delete(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms context delete").await?;
                if args.id.starts_with(ContextIssue::PREFIX) {
                    registers::delete_entry::<ContextIssue>(cx, &actor, &args.id).await?;
                } else {
                    registers::delete_entry::<InterestedParty>(cx, &actor, &args.id).await?;
                }
                out.line(format!("Deleted {}.", args.id));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}

// ---- roles and objectives -------------------------------------------------------------

/// `isms role` subcommands.
#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// List ISMS roles (5.3).
    List(OrgArg),
    /// Add an ISMS role.
    Add(RoleAddArgs),
    /// Delete a role.
    Delete(DeleteArgs),
}

/// Arguments of `isms role add`.
#[derive(Debug, Args)]
pub struct RoleAddArgs {
    #[command(flatten)]
    org: OrgArg,
    /// The role's name.
    #[arg(long)]
    name: String,
    /// Its responsibilities and authorities.
    #[arg(long)]
    responsibilities: String,
    /// A person assigned (e-mail or name; repeatable).
    #[arg(long)]
    assign: Vec<String>,
    #[command(flatten)]
    who: AsArg,
}

/// Runs a role subcommand.
pub async fn role(config: &Config, command: RoleCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        match command {
            RoleCommand::List(org) => {
                let org = super::resolve_org(cx, &org.org).await?;
                let roles = registers::entries::<IsmsRole>(cx, &super::reader(org)).await?;
                out.doc(&roles);
                for r in &roles {
                    out.line(format!(
                        "{} {} — {}",
                        r.id,
                        r.name,
                        if r.assigned.is_empty() { "unassigned".into() } else { r.assigned.join(", ") }
                    ));
                    out.line(format!("    {}", r.responsibilities));
                }
            }
            RoleCommand::Add(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms role add").await?;
                let role = IsmsRole {
                    id: String::new(),
                    name: args.name,
                    responsibilities: args.responsibilities,
                    assigned: args.assign,
                };
                let saved = registers::create_entry(cx, &actor, role).await?;
                out.doc(&saved);
                out.line(format!("Added {}.", saved.id));
            }
            RoleCommand::Delete(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms role delete").await?;
                registers::delete_entry::<IsmsRole>(cx, &actor, &args.id).await?;
                out.line(format!("Deleted {}.", args.id));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}

/// `isms objective` subcommands.
#[derive(Debug, Subcommand)]
pub enum ObjectiveCommand {
    /// List objectives (6.2).
    List(OrgArg),
    /// Add a measurable objective.
    Add(ObjectiveArgs),
    /// Change an objective's status.
    SetStatus(ObjectiveStatusArgs),
    /// Delete an objective.
    Delete(DeleteArgs),
}

/// Arguments of `isms objective add`.
#[derive(Debug, Args)]
pub struct ObjectiveArgs {
    #[command(flatten)]
    org: OrgArg,
    /// What is to be achieved.
    #[arg(long)]
    title: String,
    /// How it is measured.
    #[arg(long)]
    measure: String,
    /// The target value.
    #[arg(long)]
    target: String,
    /// The owner's e-mail.
    #[arg(long)]
    owner: String,
    /// Due date YYYY-MM-DD.
    #[arg(long)]
    due: String,
    /// planned, on_track, at_risk, achieved or missed.
    #[arg(long, default_value = "planned")]
    status: String,
    #[command(flatten)]
    who: AsArg,
}

/// Arguments of `isms objective set-status`.
#[derive(Debug, Args)]
pub struct ObjectiveStatusArgs {
    /// The objective's id.
    id: String,
    /// planned, on_track, at_risk, achieved or missed.
    status: String,
    #[command(flatten)]
    org: OrgArg,
    #[command(flatten)]
    who: AsArg,
}

const OBJECTIVE_STATUSES: &str = "planned, on_track, at_risk, achieved, missed";

/// Runs an objective subcommand.
pub async fn objective(config: &Config, command: ObjectiveCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        match command {
            ObjectiveCommand::List(org) => {
                let org = super::resolve_org(cx, &org.org).await?;
                let all = registers::entries::<Objective>(cx, &super::reader(org)).await?;
                out.doc(&all);
                for o in &all {
                    let status = serde_json::to_value(o.status)
                        .ok()
                        .and_then(|v| v.as_str().map(ToOwned::to_owned))
                        .unwrap_or_default();
                    out.line(format!(
                        "{} [{status}] {} — {}: {} by {} ({})",
                        o.id, o.title, o.measure, o.target, o.due, o.owner
                    ));
                }
            }
            ObjectiveCommand::Add(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms objective add").await?;
                let objective = Objective {
                    id: String::new(),
                    title: args.title,
                    measure: args.measure,
                    target: args.target,
                    owner: super::email_arg("--owner", &args.owner)?.to_string(),
                    due: parse_date("--due", &args.due)?,
                    status: parse_enum::<ObjectiveStatus>("--status", &args.status, OBJECTIVE_STATUSES)?,
                };
                let saved = registers::create_entry(cx, &actor, objective).await?;
                out.doc(&saved);
                out.line(format!("Added {}.", saved.id));
            }
            ObjectiveCommand::SetStatus(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms objective set-status").await?;
                let mut objective = registers::entry::<Objective>(cx, &super::reader(org), &args.id).await?;
                objective.status = parse_enum("status", &args.status, OBJECTIVE_STATUSES)?;
                let saved = registers::replace_entry(cx, &actor, &args.id, objective).await?;
                out.doc(&saved);
                out.line(format!("{} is now {}.", saved.id, args.status));
            }
            ObjectiveCommand::Delete(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms objective delete").await?;
                registers::delete_entry::<Objective>(cx, &actor, &args.id).await?;
                out.line(format!("Deleted {}.", args.id));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}

// ---- assets ---------------------------------------------------------------------------

/// `isms asset` subcommands.
#[derive(Debug, Subcommand)]
pub enum AssetCommand {
    /// List the asset inventory (A.5.9).
    List(AssetListArgs),
    /// Show one asset.
    Show(AssetShowArgs),
    /// Add an asset.
    Add(AssetAddArgs),
    /// Import assets from CSV (nothing is stored if any row is bad, unless --skip-bad-rows).
    Import(AssetImportArgs),
    /// Change an asset's fields.
    Set(Box<AssetSetArgs>),
    /// Delete an asset.
    Delete(DeleteArgs),
    /// Show the classification scheme, or set its levels (lowest first).
    Classification(ClassificationArgs),
}

/// Arguments of `isms asset set`.
#[derive(Debug, Args)]
pub struct AssetSetArgs {
    /// The asset's id (AST-…).
    id: String,
    #[command(flatten)]
    org: OrgArg,
    /// New name.
    #[arg(long)]
    name: Option<String>,
    /// New owner e-mail (a member).
    #[arg(long)]
    owner: Option<String>,
    /// New classification level.
    #[arg(long)]
    classification: Option<String>,
    /// New C,I,A values (1–4 each).
    #[arg(long, value_name = "C,I,A")]
    cia: Option<String>,
    /// planned, in_use, retiring or retired.
    #[arg(long)]
    lifecycle: Option<String>,
    /// New description.
    #[arg(long)]
    description: Option<String>,
    #[command(flatten)]
    who: AsArg,
}

/// Arguments of `isms asset classification`.
#[derive(Debug, Args)]
pub struct ClassificationArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Set the levels, lowest first, comma-separated (e.g. Public,Internal,Confidential,Restricted).
    #[arg(long, value_name = "LIST")]
    levels: Option<String>,
    #[command(flatten)]
    who: AsArg,
}

fn parse_cia(text: &str) -> Result<(u8, u8, u8), CliError> {
    let values: Vec<u8> = text
        .split(',')
        .map(|v| v.trim().parse().map_err(|_| bad("--cia", format!("{text:?} must be three numbers 1–4, e.g. 3,3,2"))))
        .collect::<Result<_, _>>()?;
    match values[..] {
        [c, i, a] => Ok((c, i, a)),
        _ => Err(bad("--cia", format!("{text:?} must be three numbers 1–4, e.g. 3,3,2"))),
    }
}

/// Arguments of `isms asset list`.
#[derive(Debug, Args)]
pub struct AssetListArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Only this type.
    #[arg(long = "type")]
    kind: Option<String>,
}

/// Arguments of `isms asset show`.
#[derive(Debug, Args)]
pub struct AssetShowArgs {
    /// The asset's id (AST-…).
    id: String,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms asset add`.
#[derive(Debug, Args)]
pub struct AssetAddArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Its name.
    #[arg(long)]
    name: String,
    /// information, system, service, person, location or supplier.
    #[arg(long = "type")]
    kind: String,
    /// The owner's e-mail (a member).
    #[arg(long)]
    owner: String,
    /// A level of the organization's classification scheme.
    #[arg(long)]
    classification: String,
    /// Confidentiality, integrity, availability values 1–4, as C,I,A (e.g. 3,3,2).
    #[arg(long, value_name = "C,I,A")]
    cia: String,
    /// planned, in_use, retiring or retired.
    #[arg(long, default_value = "in_use")]
    lifecycle: String,
    /// What it is.
    #[arg(long, default_value = "")]
    description: String,
    #[command(flatten)]
    who: AsArg,
}

/// Arguments of `isms asset import`.
#[derive(Debug, Args)]
pub struct AssetImportArgs {
    /// CSV with columns name,type,owner,classification,confidentiality,integrity,availability,lifecycle[,description].
    file: PathBuf,
    #[command(flatten)]
    org: OrgArg,
    /// Store the good rows and report the bad ones.
    #[arg(long)]
    skip_bad_rows: bool,
    #[command(flatten)]
    who: AsArg,
}

/// Runs an asset subcommand.
pub async fn asset(config: &Config, command: AssetCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| asset_inner(cx, command, out).await).await
}

async fn asset_inner(cx: &Cx, command: AssetCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        AssetCommand::List(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let kind = args
                .kind
                .as_deref()
                .map(|k| AssetType::parse(k).ok_or_else(|| bad("--type", format!("{k:?} is not an asset type"))))
                .transpose()?;
            let all: Vec<Asset> = registers::entries::<Asset>(cx, &super::reader(org))
                .await?
                .into_iter()
                .filter(|a| kind.is_none_or(|k| a.kind == k))
                .collect();
            out.doc(&all);
            out.line(format!("{:<8} {:<12} {:<14} {:<6} {:<28} {}", "ID", "TYPE", "CLASS", "C/I/A", "OWNER", "NAME"));
            for a in &all {
                out.line(format!(
                    "{:<8} {:<12} {:<14} {:<6} {:<28} {}",
                    a.id,
                    a.kind.as_str(),
                    a.classification,
                    format!("{}/{}/{}", a.confidentiality, a.integrity, a.availability),
                    a.owner,
                    a.name
                ));
            }
            out.line(format!("{} asset(s)", all.len()));
        }
        AssetCommand::Show(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let a = registers::entry::<Asset>(cx, &super::reader(org), &args.id).await?;
            let review = reviews::review_status(
                cx,
                &super::reader(org),
                &Subject { kind: SubjectKind::Asset, id: a.id.clone() },
            )
            .await?;
            out.doc(&serde_json::json!({ "asset": a, "review": review }));
            out.line(format!("{} {} ({})", a.id, a.name, a.kind.as_str()));
            out.line(format!(
                "  owner {}; classification {}; C/I/A {}/{}/{}; {}",
                a.owner,
                a.classification,
                a.confidentiality,
                a.integrity,
                a.availability,
                a.lifecycle.as_str()
            ));
            if !a.description.is_empty() {
                out.line(format!("  {}", a.description));
            }
            out.line(format!("  review: {}", review_line(review)));
        }
        AssetCommand::Add(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms asset add").await?;
            let cia: Vec<u8> = args
                .cia
                .split(',')
                .map(|v| {
                    v.trim()
                        .parse()
                        .map_err(|_| bad("--cia", format!("{:?} must be three numbers 1–4, e.g. 3,3,2", args.cia)))
                })
                .collect::<Result<_, _>>()?;
            let [c, i, a] = cia[..] else {
                return Err(bad("--cia", format!("{:?} must be three numbers 1–4, e.g. 3,3,2", args.cia)));
            };
            let asset = Asset {
                id: String::new(),
                name: args.name,
                kind: AssetType::parse(&args.kind).ok_or_else(|| {
                    bad(
                        "--type",
                        format!("{:?} is not information, system, service, person, location or supplier", args.kind),
                    )
                })?,
                owner: args.owner,
                classification: args.classification,
                confidentiality: c,
                integrity: i,
                availability: a,
                lifecycle: Lifecycle::parse(&args.lifecycle).ok_or_else(|| {
                    bad("--lifecycle", format!("{:?} is not planned, in_use, retiring or retired", args.lifecycle))
                })?,
                description: args.description,
            };
            let saved = registers::create_entry(cx, &actor, asset).await?;
            out.doc(&saved);
            out.line(format!("Added {}.", saved.id));
        }
        AssetCommand::Import(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms asset import").await?;
            let text = std::fs::read_to_string(&args.file)
                .map_err(|e| bad("import", format!("cannot read {}: {}", args.file.display(), io_reason(&e))))?;
            let report = assets::import_assets_csv(cx, &actor, &text, args.skip_bad_rows).await?;
            out.doc(&report);
            for e in &report.errors {
                out.line(format!("{}, line {}, {}: {}", args.file.display(), e.line, e.column, e.message));
            }
            if !report.errors.is_empty() && !report.stored {
                return Err(CliError::bad_input(
                    Code::Import,
                    format!(
                        "{} row error(s) in {}; nothing was imported (use --skip-bad-rows to import the good rows)",
                        report.errors.len(),
                        args.file.display()
                    ),
                ));
            }
            out.line(format!(
                "Imported {} asset(s){}.",
                report.created.len(),
                if report.errors.is_empty() {
                    String::new()
                } else {
                    format!(", skipped {} bad row(s)", report.errors.len())
                }
            ));
        }
        AssetCommand::Delete(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms asset delete").await?;
            registers::delete_entry::<Asset>(cx, &actor, &args.id).await?;
            out.line(format!("Deleted {}.", args.id));
        }
        AssetCommand::Set(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms asset set").await?;
            let mut asset = registers::entry::<Asset>(cx, &super::reader(org), &args.id).await?;
            if let Some(name) = args.name {
                asset.name = name;
            }
            if let Some(owner) = args.owner {
                asset.owner = owner;
            }
            if let Some(class) = args.classification {
                asset.classification = class;
            }
            if let Some(cia) = &args.cia {
                (asset.confidentiality, asset.integrity, asset.availability) = parse_cia(cia)?;
            }
            if let Some(l) = &args.lifecycle {
                asset.lifecycle = Lifecycle::parse(l)
                    .ok_or_else(|| bad("--lifecycle", format!("{l:?} is not planned, in_use, retiring or retired")))?;
            }
            if let Some(d) = args.description {
                asset.description = d;
            }
            let saved = registers::replace_entry(cx, &actor, &args.id, asset).await?;
            out.doc(&saved);
            out.line(format!("Saved {}.", saved.id));
        }
        AssetCommand::Classification(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let scheme = match &args.levels {
                Some(levels) => {
                    let actor =
                        super::actor(cx, org, args.who.as_email.as_deref(), "isms asset classification").await?;
                    let scheme = ClassificationScheme {
                        id: String::new(),
                        levels: levels.split(',').map(|l| l.trim().to_owned()).collect(),
                    };
                    registers::replace_entry(cx, &actor, "", scheme).await?
                }
                None => registers::entry::<ClassificationScheme>(cx, &super::reader(org), "").await?,
            };
            out.doc(&scheme);
            out.line(format!("Classification levels, lowest first: {}", scheme.levels.join(", ")));
        }
    }
    Ok(ExitCode::SUCCESS)
}

// ---- reviews ---------------------------------------------------------------------------

/// `isms review` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Everything whose review is due or overdue: SoA, scope, objectives, assets, documents.
    Due(OrgArg),
    /// Record a review of a subject: soa, scope, objective ID, asset ID, risk ID or
    /// document ID (the same rules as the web and the API).
    Record(RecordArgs),
}

/// Arguments of `isms review record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// soa, scope, objective, asset, risk or document.
    kind: String,
    /// The subject's id (not needed for soa and scope).
    id: Option<String>,
    #[command(flatten)]
    org: OrgArg,
    /// The reviewer's e-mail (a member).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: String,
    /// no_change, updated or changes_required.
    #[arg(long, default_value = "no_change")]
    outcome: String,
    /// Notes.
    #[arg(long, default_value = "")]
    comment: String,
}

/// Runs a review subcommand.
pub async fn review(config: &Config, command: ReviewCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        match command {
            ReviewCommand::Due(org) => {
                let org = super::resolve_org(cx, &org.org).await?;
                let due = reviews::due_in_organization(cx, &super::reader(org)).await?;
                out.doc(&due);
                if due.is_empty() {
                    out.line("Nothing is due for review.");
                }
                for d in &due {
                    out.line(format!(
                        "{:<10} {:<10} {}",
                        d.subject.kind.as_str(),
                        d.subject.id,
                        review_line(Some(d.status))
                    ));
                }
            }
            ReviewCommand::Record(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, Some(&args.as_email), "isms review record").await?;
                let outcome = ReviewOutcome::parse(&args.outcome)
                    .ok_or_else(|| bad("--outcome", "use no_change, updated or changes_required"))?;
                let kind = SubjectKind::parse(&args.kind).ok_or_else(|| {
                    bad("kind", format!("{:?} is not soa, scope, objective, asset, risk or document", args.kind))
                })?;
                let id = match kind {
                    SubjectKind::Soa => Subject::soa().id,
                    SubjectKind::Scope => "SCOPE".to_owned(),
                    _ => args.id.clone().ok_or_else(|| bad("id", format!("which {}? give its id", kind.as_str())))?,
                };
                let status = reviews::record_review(cx, &actor, &Subject { kind, id }, outcome, &args.comment).await?;
                out.doc(&status);
                out.line(format!("Recorded the review; {}.", review_line(Some(status))));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
