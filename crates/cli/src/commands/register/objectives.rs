//! `isms objective`: the information security objectives.

use super::*;

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
    with_workspace(config, async |cx| {
        match command {
            ObjectiveCommand::List(org) => {
                let org = resolve_org(cx, &org.org).await?;
                let all = registers::entries::<Objective>(cx, &reader(org)).await?;
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
                let org = resolve_org(cx, &args.org.org).await?;
                let actor = actor(cx, org, args.who.as_email.as_deref(), "isms objective add").await?;
                let objective = Objective {
                    id: String::new(),
                    title: args.title,
                    measure: args.measure,
                    target: args.target,
                    owner: email_arg("--owner", &args.owner)?.to_string(),
                    due: parse_date("--due", &args.due)?,
                    status: parse_enum::<ObjectiveStatus>("--status", &args.status, OBJECTIVE_STATUSES)?,
                };
                let saved = registers::create_entry(cx, &actor, objective).await?;
                out.doc(&saved);
                out.line(format!("Added {}.", saved.id));
            }
            ObjectiveCommand::SetStatus(args) => {
                let org = resolve_org(cx, &args.org.org).await?;
                let actor = actor(cx, org, args.who.as_email.as_deref(), "isms objective set-status").await?;
                let mut objective = registers::entry::<Objective>(cx, &reader(org), &args.id).await?;
                objective.status = parse_enum("status", &args.status, OBJECTIVE_STATUSES)?;
                let saved = registers::replace_entry(cx, &actor, &args.id, objective).await?;
                out.doc(&saved);
                out.line(format!("{} is now {}.", saved.id, args.status));
            }
            ObjectiveCommand::Delete(args) => {
                let org = resolve_org(cx, &args.org.org).await?;
                let actor = actor(cx, org, args.who.as_email.as_deref(), "isms objective delete").await?;
                registers::delete_entry::<Objective>(cx, &actor, &args.id).await?;
                out.line(format!("Deleted {}.", args.id));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
