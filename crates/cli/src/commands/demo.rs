//! `isms demo`

use std::process::ExitCode;

use isms_app::demo::{DemoWorkspace, create_demo};

use crate::config::{Config, Source, demo_data_dir, process_env};
use crate::output::{CliError, Out};

/// Without a configured data directory or database, the demo lives in a directory of
/// its own, so it never touches the user's real workspace.
pub fn locate(config: &mut Config) -> Result<(), CliError> {
    if !config.location_configured() {
        config.relocate(demo_data_dir(&process_env)?, Source::Demo);
    }
    Ok(())
}

/// Creates the demo workspace; refuses an existing workspace.
pub async fn run(mut config: Config, out: &Out) -> Result<ExitCode, CliError> {
    locate(&mut config)?;
    let cx = super::open(&config).await?;
    let result = create_demo(&cx).await;
    cx.store.close().await;
    let demo = result?;
    out.doc(&serde_json::json!({ "database": cx.store.location(), "data_dir": config.data_dir.value, "demo": demo }));
    out.line(format!("Created the demo workspace in {}.", cx.store.location()));
    print_logins(out, &demo);
    out.line("Serve it with: isms serve --demo");
    Ok(ExitCode::SUCCESS)
}

/// Prints who can log in to the demo.
pub fn print_logins(out: &Out, demo: &DemoWorkspace) {
    out.line(format!("Demo accounts (password for all: {}):", demo.password));
    for login in &demo.logins {
        out.line(format!("  {:<36} {:<14} {}", login.email, login.role.label(), login.organization));
    }
}
