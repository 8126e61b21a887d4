//! `isms readiness`: what stands between the organization and its next audit.

use super::*;

/// Arguments of `isms readiness`.
#[derive(Debug, Args)]
pub struct ReadinessArgs {
    #[command(flatten)]
    org: OrgArg,
    /// 1, 2 or surveillance (default: the next one for this organization).
    #[arg(long)]
    stage: Option<String>,
    /// Write the readiness report (md, xlsx or pdf by the file's extension).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Runs `isms readiness`: exit 1 when something blocks the audit.
pub async fn run_readiness(config: &Config, args: ReadinessArgs, out: &Out) -> Result<ExitCode, CliError> {
    with_workspace(config, async |cx| {
        let org = resolve_org(cx, &args.org.org).await?;
        let stage = match args.stage.as_deref() {
            Some(s) => {
                Some(Stage::parse(s).ok_or_else(|| bad("--stage", format!("{s:?} is not 1, 2 or surveillance")))?)
            }
            None => None,
        };
        let r = cert::readiness(cx, &reader(org), stage).await?;
        let stage = r.stage;
        if let Some(path) = &args.output {
            let format = match path.extension().and_then(|e| e.to_str()) {
                Some("xlsx") => isms_app::export::DocFormat::Xlsx,
                Some("pdf") => isms_app::export::DocFormat::Pdf,
                _ => isms_app::export::DocFormat::Md,
            };
            write(path, &isms_app::certification_reports::readiness_report(cx, &reader(org), &r, format).await?)?;
        }
        out.doc(&r);
        out.line(format!("Readiness for {}: {}", stage.label(), if r.ready { "nothing blocks it" } else { "BLOCKED" }));
        for p in r.blockers.iter().chain(&r.warnings) {
            let tag = if p.severity == Severity::Blocker { "BLOCKER" } else { "warning" };
            out.line(format!("  {tag:<8} {:<10} {}", p.requirement, p.message));
        }
        if !r.ready {
            return Err(CliError::check_failed(
                Code::NotReady,
                format!("{} blocker(s) stand between the organization and {}", r.blockers.len(), stage.label()),
            ));
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
