//! `isms changes`: what changed since the last audit.

use super::*;

/// Arguments of `isms changes`.
#[derive(Debug, Args)]
pub struct ChangesArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Since this day (default: the end of the last completed audit).
    #[arg(long)]
    since: Option<String>,
}

/// Runs `isms changes`.
pub async fn run_changes(config: &Config, args: ChangesArgs, out: &Out) -> Result<ExitCode, CliError> {
    with_workspace(config, async |cx| {
        let org = resolve_org(cx, &args.org.org).await?;
        let since = args.since.as_deref().map(|s| parse_date("--since", s)).transpose()?;
        let (since, changes) = cert::changes_since(cx, &reader(org), since).await?;
        out.doc(&serde_json::json!({ "since": since.to_string(), "changes": changes }));
        out.line(format!("Since {since}: {} record(s) new, changed or removed.", changes.len()));
        for c in &changes {
            out.line(format!(
                "  {:<18} {:<12} {:<8} ({} edit(s), last {}) {}",
                c.entity,
                c.id,
                c.change,
                c.edits,
                c.last.date(),
                c.title
            ));
            for f in &c.fields {
                out.line(format!("      {}: {} → {}", f.field, f.before, f.after));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
