//! `isms scope`: the ISMS scope (show, set).

use super::*;
use isms_app::reviews;

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
    with_workspace(config, async |cx| {
        match command {
            ScopeCommand::Show(org) => {
                let org = resolve_org(cx, &org.org).await?;
                let scope = registers::entry::<Scope>(cx, &reader(org), "SCOPE").await.map_err(|e| {
                    if e.kind == isms_app::ErrorKind::NotFound {
                        CliError::bad_input(
                            Code::NotFound,
                            "the scope has not been written yet: `isms scope set --statement ...`",
                        )
                    } else {
                        e.into()
                    }
                })?;
                let review =
                    reviews::review_status(cx, &reader(org), &Subject { kind: SubjectKind::Scope, id: "SCOPE".into() })
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
                let org = resolve_org(cx, &args.org.org).await?;
                let actor = actor(cx, org, args.who.as_email.as_deref(), "isms scope set").await?;
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
