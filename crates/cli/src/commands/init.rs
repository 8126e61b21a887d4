//! `isms init`

use std::process::ExitCode;

use clap::Args;
use isms_app::workspace::{NewWorkspace, initialize_workspace};
use serde_json::json;

use crate::config::Config;
use crate::output::{CliError, Out};

/// Arguments of `isms init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Name of the first organization, e.g. "Acme Corp".
    #[arg(long, value_name = "NAME")]
    org: String,
    /// E-mail (login) of the organization's owner.
    #[arg(long, value_name = "EMAIL")]
    admin_email: String,
    /// Name of the owner, as shown in the product.
    #[arg(long, value_name = "NAME", default_value = "Administrator")]
    admin_name: String,
}

/// Creates the workspace and prints the owner's generated password, once.
pub async fn run(config: &Config, args: InitArgs, out: &Out) -> Result<ExitCode, CliError> {
    let new = NewWorkspace::parse(&args.org, &args.admin_email, Some(&args.admin_name))?;
    let cx = super::open(config).await?;
    let result = initialize_workspace(&cx, new).await;
    cx.store.close().await;
    let created = result?;
    out.doc(&json!({
        "database": cx.store.location(),
        "data_dir": config.data_dir.value,
        "organization": created.organization,
        "admin": created.admin,
        "admin_password": created.admin_password,
        "migrations_applied": created.migrations_applied.iter().map(ToString::to_string).collect::<Vec<_>>(),
    }));
    out.line(format!("Created the isms workspace in {} ({}).", cx.store.location(), cx.store.engine()));
    out.line(format!("  organization  {}", created.organization.name));
    out.line(format!("  owner         {} <{}>", created.admin.display_name, created.admin.email));
    out.line(format!("  password      {}", created.admin_password));
    out.line("The password is shown only this once: keep it in your password manager.");
    out.line("Next: isms serve");
    Ok(ExitCode::SUCCESS)
}
