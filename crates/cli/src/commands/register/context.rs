//! `isms context`: the context of the organization, its issues and interested parties.

use super::*;

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

/// Runs a context subcommand.
pub async fn context(config: &Config, command: ContextCommand, out: &Out) -> Result<ExitCode, CliError> {
    with_workspace(config, async |cx| {
        match command {
            ContextCommand::Show(org) => {
                let org = resolve_org(cx, &org.org).await?;
                let issues = registers::entries::<ContextIssue>(cx, &reader(org)).await?;
                let parties = registers::entries::<InterestedParty>(cx, &reader(org)).await?;
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
                let org = resolve_org(cx, &args.org.org).await?;
                let actor = actor(cx, org, args.who.as_email.as_deref(), "isms context add-issue").await?;
                let origin = parse_enum("--origin", &args.origin, "internal, external")?;
                let issue =
                    ContextIssue { id: String::new(), origin, title: args.title, description: args.description };
                let saved = registers::create_entry(cx, &actor, issue).await?;
                out.doc(&saved);
                out.line(format!("Added {}.", saved.id));
            }
            ContextCommand::AddParty(args) => {
                let org = resolve_org(cx, &args.org.org).await?;
                let actor = actor(cx, org, args.who.as_email.as_deref(), "isms context add-party").await?;
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
                let org = resolve_org(cx, &args.org.org).await?;
                let actor = actor(cx, org, args.who.as_email.as_deref(), "isms context delete").await?;
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
