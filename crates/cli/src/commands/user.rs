//! `isms user ...`: account administration on the installation.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use isms_app::users;
use isms_domain::trail::TrailActor;
use isms_domain::{DisplayName, Role};

use crate::config::Config;
use crate::output::{CliError, Out};

/// `isms user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person to an organization with a role (creating the account if new; its
    /// generated password is shown once).
    Add(AddArgs),
    /// List accounts with their organizations and roles.
    List,
    /// Disable an account (it cannot sign in; its history stays); --enable undoes it.
    Disable(DisableArgs),
    /// Give an account a new generated password, shown once.
    ResetPassword(EmailArg),
}

/// Arguments of `isms user add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    org: super::OrgArg,
    /// The login e-mail.
    #[arg(long)]
    email: String,
    /// The person's name.
    #[arg(long)]
    name: String,
    /// owner, isms_manager, control_owner, contributor, auditor or viewer.
    #[arg(long)]
    role: String,
}

/// An account by e-mail.
#[derive(Debug, Args)]
pub struct EmailArg {
    /// The login e-mail.
    email: String,
}

/// Arguments of `isms user disable`.
#[derive(Debug, Args)]
pub struct DisableArgs {
    /// The login e-mail.
    email: String,
    /// Enable the account again.
    #[arg(long)]
    enable: bool,
}

fn actor(what: &str) -> TrailActor {
    TrailActor::System(format!("isms user {what}"))
}

/// Runs a user subcommand.
pub async fn run(config: &Config, command: UserCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        isms_app::schema::require_current_schema(cx).await?;
        match command {
            UserCommand::Add(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let email = super::email_arg("--email", &args.email)?;
                let name = DisplayName::parse(&args.name).map_err(|e| CliError::bad_input("invalid_input", format!("--name: {e}")))?;
                let role = Role::parse(&args.role).ok_or_else(|| {
                    let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                    CliError::bad_input("invalid_input", format!("--role: {:?} is not one of {}", args.role, all.join(", ")))
                })?;
                let added = users::add_user(cx, &actor("add"), org, email, name, role).await?;
                out.doc(&added);
                out.line(format!("Added {} <{}> as {}.", added.user.display_name, added.user.email, added.role.label()));
                match &added.password {
                    Some(p) => out.line(format!("Password (shown only this once): {p}")),
                    None => out.line("The account already existed; its password is unchanged."),
                }
            }
            UserCommand::List => {
                let all = users::list_users(cx).await?;
                out.doc(&all.iter().map(|(u, orgs)| serde_json::json!({ "user": u, "organizations": orgs.iter().map(|(o, r)| serde_json::json!({ "organization": o, "role": r })).collect::<Vec<_>>() })).collect::<Vec<_>>());
                for (u, orgs) in &all {
                    let memberships: Vec<String> = orgs.iter().map(|(o, r)| format!("{o} ({})", r.label())).collect();
                    out.line(format!("{:<36} {:<24} {}{}", u.email.to_string(), u.display_name.to_string(), memberships.join(", "), if u.disabled { "  [disabled]" } else { "" }));
                }
            }
            UserCommand::Disable(args) => {
                let email = super::email_arg("email", &args.email)?;
                let user = users::set_disabled(cx, &actor(if args.enable { "enable" } else { "disable" }), &email, !args.enable).await?;
                out.doc(&user);
                out.line(format!("{} is {}.", user.email, if user.disabled { "disabled" } else { "enabled" }));
            }
            UserCommand::ResetPassword(args) => {
                let email = super::email_arg("email", &args.email)?;
                let (user, password) = users::reset_password(cx, &actor("reset-password"), &email).await?;
                out.doc(&serde_json::json!({ "user": user, "password": password }));
                out.line(format!("New password for {} (shown only this once): {password}", user.email));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}

/// `isms org` subcommands.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Add an organization with its first owner (an existing account, or a new one
    /// whose generated password is shown once).
    Add(OrgAddArgs),
    /// List the organizations with their member counts.
    List,
}

/// Arguments of `isms org add`.
#[derive(Debug, Args)]
pub struct OrgAddArgs {
    /// The organization's name (unique, ignoring case).
    #[arg(long)]
    name: String,
    /// The first owner's login e-mail.
    #[arg(long)]
    owner_email: String,
    /// The first owner's name, when the account is new.
    #[arg(long, default_value = "Owner")]
    owner_name: String,
}

/// Runs an org subcommand.
pub async fn run_org(config: &Config, command: OrgCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        isms_app::schema::require_current_schema(cx).await?;
        match command {
            OrgCommand::Add(args) => {
                let name = isms_domain::OrgName::parse(&args.name)
                    .map_err(|e| CliError::bad_input("invalid_input", format!("--name: {e}")))?;
                let email = super::email_arg("--owner-email", &args.owner_email)?;
                let owner = DisplayName::parse(&args.owner_name)
                    .map_err(|e| CliError::bad_input("invalid_input", format!("--owner-name: {e}")))?;
                let (org, added) = users::add_organization(cx, &actor("org add"), name, email, owner).await?;
                out.doc(&serde_json::json!({ "organization": org, "owner": added.user, "password": added.password }));
                out.line(format!("Created {} with owner {}.", org.name, added.user.email));
                if let Some(p) = &added.password {
                    out.line(format!("Password (shown only this once): {p}"));
                }
            }
            OrgCommand::List => {
                let orgs = users::list_organizations(cx).await?;
                out.doc(
                    &orgs
                        .iter()
                        .map(|(o, n)| serde_json::json!({ "organization": o, "members": n }))
                        .collect::<Vec<_>>(),
                );
                for (o, n) in &orgs {
                    out.line(format!("{:<36} {:<32} {n} member(s)", o.id.to_string(), o.name.to_string()));
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
