//! `isms role`: the ISMS roles and responsibilities.

use super::*;

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
    with_workspace(config, async |cx| {
        match command {
            RoleCommand::List(org) => {
                let org = resolve_org(cx, &org.org).await?;
                let roles = registers::entries::<IsmsRole>(cx, &reader(org)).await?;
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
                let org = resolve_org(cx, &args.org.org).await?;
                let actor = actor(cx, org, args.who.as_email.as_deref(), "isms role add").await?;
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
                let org = resolve_org(cx, &args.org.org).await?;
                let actor = actor(cx, org, args.who.as_email.as_deref(), "isms role delete").await?;
                registers::delete_entry::<IsmsRole>(cx, &actor, &args.id).await?;
                out.line(format!("Deleted {}.", args.id));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
