//! `isms coverage`: "test once, satisfy many" — how much of each framework in use the
//! ISMS already covers through the crosswalk, requirement by requirement, with the
//! controls and paths behind every answer.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use isms_app::coverage::Reach;

use super::OrgArg;
use crate::config::Config;
use crate::output::{CliError, Out};

/// Arguments of `isms coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// One framework in use (its id, e.g. nist-csf-2.0); default: every framework in use
    /// besides ISO/IEC 27001.
    #[arg(long, value_name = "ID")]
    framework: Option<String>,
    /// List every requirement not fully covered, with why.
    #[arg(long)]
    gaps: bool,
    /// Write every requirement (or, with --gaps, the gaps) with its controls and paths:
    /// xlsx, csv, md or json by the file's extension.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    org: OrgArg,
}

/// Runs `isms coverage`.
pub async fn run(config: &Config, args: CoverageArgs, out: &Out) -> Result<ExitCode, CliError> {
    let format = super::output_format(args.output.as_deref())?;
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let actor = super::reader(org);
        let all = isms_app::coverage::coverage(cx, &actor, args.framework.as_deref()).await?;
        if let (Some(path), Some(format)) = (&args.output, format) {
            let bytes =
                isms_app::coverage::coverage_export(cx, &actor, args.framework.as_deref(), args.gaps, format).await?;
            super::write_output(path, &bytes)?;
        }
        out.doc(&all);
        if all.is_empty() {
            out.line("Only ISO/IEC 27001 is in use: adopt another framework (`isms framework adopt ID`) to see how far the same work reaches into it.");
        }
        for f in &all {
            let n = &f.summary;
            out.line(format!(
                "{:<34} {:>3}% covered  {:>4} covered  {:>4} partly  {:>4} not  of {}",
                n.name, n.percent, n.covered, n.partial, n.not_covered, n.requirements
            ));
            if args.gaps {
                for g in f.gaps() {
                    let tag = if g.reach == Reach::Partial { "partly" } else { "not" };
                    out.line(format!("  {tag:<7} {:<14} {} — {}", g.item, g.title, g.why));
                }
            }
        }
        if let Some(path) = &args.output {
            out.line(format!("Wrote {}", path.display()));
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
