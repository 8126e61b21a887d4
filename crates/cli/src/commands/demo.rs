//! `isms demo`

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use isms_app::demo::{DemoWorkspace, LargeSize, create_demo_sized};

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

/// Arguments of `isms demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// `large` grows the demo organization to 5,000 risks, 1,000 assets, 20,000
    /// evidence items, 300 documents and 50 audits with findings (for benchmarks; takes
    /// a while).
    #[arg(long, value_enum, default_value = "normal")]
    size: DemoSize,
}

/// How big the demo is.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum DemoSize {
    /// Two organizations with a realistic, hand-written ISMS.
    Normal,
    /// The same, the main organization grown to a large customer's size.
    Large,
}

/// Creates the demo workspace; refuses an existing workspace.
pub async fn run(mut config: Config, args: DemoArgs, out: &Out) -> Result<ExitCode, CliError> {
    locate(&mut config)?;
    let cx = super::open(&config).await?;
    let large = matches!(args.size, DemoSize::Large).then_some(LargeSize::LARGE);
    if large.is_some() {
        out.line("Creating the large demo (a minute or so)…");
    }
    let result = create_demo_sized(&cx, large).await;
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
