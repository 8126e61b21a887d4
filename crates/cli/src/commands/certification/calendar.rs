//! `isms calendar`: every date of the certification cycle as an iCalendar file.

use super::*;

/// Arguments of `isms calendar`.
#[derive(Debug, Args)]
pub struct CalendarArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Where to write the .ics file.
    #[arg(short, long)]
    output: PathBuf,
}

/// Runs `isms calendar`.
pub async fn run_calendar(config: &Config, args: CalendarArgs, out: &Out) -> Result<ExitCode, CliError> {
    with_workspace(config, async |cx| {
        let org = resolve_org(cx, &args.org.org).await?;
        let ics = isms_app::certification_reports::calendar(cx, &reader(org), "").await?;
        write(&args.output, ics.as_bytes())?;
        out.line(format!("Wrote the calendar to {}.", args.output.display()));
        Ok(ExitCode::SUCCESS)
    })
    .await
}
