//! `isms user ...`: account administration on the installation.

use isms_app::Code;
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
    /// Invite a person to an organization with a role: prints a one-time link (valid 7
    /// days) with which they set their own password, or join with the account they
    /// have.
    #[command(alias = "add")]
    Invite(AddArgs),
    /// Accept an invitation from the terminal (as the invitee): reads the password
    /// from standard input — a new one for a new account, or the account's own.
    Accept(AcceptArgs),
    /// List accounts with their organizations and roles.
    List,
    /// Disable an account (it cannot sign in; its history stays); --enable undoes it.
    Disable(DisableArgs),
    /// Give an account a new generated password, shown once.
    ResetPassword(EmailArg),
}

/// Arguments of `isms user invite`.
#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    org: super::OrgArg,
    /// The login e-mail.
    #[arg(long)]
    email: String,
    /// The person's name (a new account's default; they may change it).
    #[arg(long)]
    name: Option<String>,
    /// owner, isms_manager, control_owner, contributor, auditor or viewer.
    #[arg(long)]
    role: String,
}

/// Arguments of `isms user accept`.
#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The invitation link (or just the secret at its end).
    link: String,
    /// Your name, for a new account (default: the name the invitation gave).
    #[arg(long)]
    name: Option<String>,
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
            UserCommand::Invite(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let email = super::email_arg("--email", &args.email)?;
                let name_text = args.name.clone().unwrap_or_else(|| email.as_str().split('@').next().unwrap_or_default().to_owned());
                let name = DisplayName::parse(&name_text).map_err(|e| CliError::bad_input(Code::InvalidInput, format!("--name: {e}")))?;
                let role = Role::parse(&args.role).ok_or_else(|| {
                    let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                    CliError::bad_input(Code::InvalidInput, format!("--role: {:?} is not one of {}", args.role, all.join(", ")))
                })?;
                let invited = isms_app::invitations::invite(cx, &isms_app::access::Actor::operator(org, "isms user invite"), email, name, role, &config.link_base()).await?;
                out.doc(&invited);
                let i = &invited.invitation;
                out.line(format!("Invited {} as {} (until {}).", i.email, i.role.label(), i.expires_at.date()));
                out.line(format!("Invitation link (shown only this once; hand it to them yourself): {}", invited.link));
                out.line("They choose their own password with it, or join with the isms account they already have.");
            }
            UserCommand::Accept(args) => {
                let secret = args.link.rsplit(isms_app::invitations::LINK_PATH).next().unwrap_or_default().trim().to_owned();
                let name = args
                    .name
                    .as_deref()
                    .map(|n| DisplayName::parse(n).map_err(|e| CliError::bad_input(Code::InvalidInput, format!("--name: {e}"))))
                    .transpose()?;
                let mut password = String::new();
                std::io::stdin()
                    .read_line(&mut password)
                    .map_err(|e| CliError::bad_input(Code::InvalidInput, format!("standard input: {}", crate::config::io_reason(&e))))?;
                let password = password.trim_end_matches(['\n', '\r']);
                let (user, org, role) = isms_app::invitations::join(cx, &secret, password, name, "command line").await?;
                out.doc(&serde_json::json!({ "user": user, "organization": org, "role": role }));
                out.line(format!("{} joined {} as {}.", user.email, org.name, role.label()));
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
    /// Add an organization and invite its first owner (prints the one-time link).
    Add(OrgAddArgs),
    /// List the organizations with their member counts.
    List,
    /// Set the logo on the organization's PDF reports (PNG, JPEG or SVG, at most 1 MiB),
    /// or remove it with --remove.
    Logo(LogoArgs),
}

/// Arguments of `isms org logo`.
#[derive(Debug, Args)]
pub struct LogoArgs {
    /// The image.
    #[arg(required_unless_present = "remove")]
    file: Option<std::path::PathBuf>,
    /// Remove the logo instead.
    #[arg(long, conflicts_with = "file")]
    remove: bool,
    #[command(flatten)]
    org: super::OrgArg,
    /// The member setting it (the owner or the ISMS manager).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
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
    /// The first owner's name (a new account's default).
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
                    .map_err(|e| CliError::bad_input(Code::InvalidInput, format!("--name: {e}")))?;
                let email = super::email_arg("--owner-email", &args.owner_email)?;
                let owner = DisplayName::parse(&args.owner_name)
                    .map_err(|e| CliError::bad_input(Code::InvalidInput, format!("--owner-name: {e}")))?;
                let (org, invited) =
                    users::add_organization(cx, &actor("org add"), name, email, owner, &config.link_base()).await?;
                out.doc(&serde_json::json!({ "organization": org, "owner_invitation": invited }));
                out.line(format!("Created {}; invited {} as its owner.", org.name, invited.invitation.email));
                out.line(format!("Invitation link (shown only this once; hand it to them yourself): {}", invited.link));
            }
            OrgCommand::Logo(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.as_email.as_deref(), "isms org logo").await?;
                let branding = match &args.file {
                    Some(path) if !args.remove => {
                        let bytes = std::fs::read(path)
                            .map_err(|e| super::bad("logo", format!("cannot read {}: {e}", path.display())))?;
                        isms_app::branding::set_logo(cx, &actor, &bytes).await?
                    }
                    _ => isms_app::branding::remove_logo(cx, &actor).await?,
                };
                out.doc(&branding);
                out.line(match &branding.logo_sha256 {
                    Some(sha) => format!("The PDF reports carry the logo (SHA-256 {sha})."),
                    None => "The PDF reports carry no logo.".to_owned(),
                });
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
