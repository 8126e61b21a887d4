//! `isms review`: the review cycle of the registers (what is due, record a review).

use super::*;
use isms_app::reviews;

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
    with_workspace(config, async |cx| {
        match command {
            ReviewCommand::Due(org) => {
                let org = resolve_org(cx, &org.org).await?;
                let due = reviews::due_in_organization(cx, &reader(org)).await?;
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
                let org = resolve_org(cx, &args.org.org).await?;
                let actor = actor(cx, org, Some(&args.as_email), "isms review record").await?;
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
