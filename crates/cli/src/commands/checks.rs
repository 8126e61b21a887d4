//! `isms ingest FILE` and `isms check runs|show|results`: scanner and test results as
//! evidence (docs/evidence-ingest.md).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use isms_app::evidence::NewEvidence;
use isms_domain::check::Outcome;
use isms_domain::evidence::{Target, TargetKind};

use super::{OrgArg, bad};
use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

/// Arguments of `isms ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The file: SARIF 2.1.0, an XCCDF result file or ARF report, OCSF findings, JUnit
    /// XML, or our CSV/JSON check format (recognised from the content).
    file: PathBuf,
    /// The format, when the content does not say: sarif, xccdf, arf, ocsf, junit, csv, json.
    #[arg(long)]
    format: Option<String>,
    /// The tool that made the file, when the file does not say.
    #[arg(long)]
    tool: Option<String>,
    /// The evidence item's title (default: the tool and the file).
    #[arg(long)]
    title: Option<String>,
    /// A control every result is evidence for, besides those its references reach
    /// (repeatable).
    #[arg(long = "control", value_name = "A.8.8")]
    controls: Vec<String>,
    /// How long the evidence stays current, in days.
    #[arg(long, value_name = "DAYS")]
    valid_for: Option<i64>,
    /// The member ingesting (recorded in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// `isms check ...`
#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// The ingested runs of results, newest first.
    Runs(RunsArgs),
    /// One run: its file, evidence, counts and the controls it reaches.
    Show(ShowArgs),
    /// A run's results (--outcome fail for the failures).
    Results(ResultsArgs),
}

/// Arguments of `isms check runs`.
#[derive(Debug, Args)]
pub struct RunsArgs {
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms check show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The run, e.g. RUN-001.
    id: String,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms check results`.
#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// The run, e.g. RUN-001.
    id: String,
    /// Only pass, fail, error or not_applicable.
    #[arg(long)]
    outcome: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 100)]
    limit: u32,
    #[command(flatten)]
    org: OrgArg,
}

/// Runs `isms ingest`.
pub async fn ingest(config: &Config, args: IngestArgs, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let actor = super::actor(cx, org, args.as_email.as_deref(), "isms ingest").await?;
        let name = args.file.file_name().and_then(|n| n.to_str()).unwrap_or("results").to_owned();
        let file = tokio::fs::File::open(&args.file)
            .await
            .map_err(|e| bad("file", format!("cannot read {}: {}", args.file.display(), io_reason(&e))))?;
        let mut reader = tokio::io::BufReader::new(file);
        let request = isms_app::checks::IngestRequest {
            file: name.clone(),
            format: args.format.clone(),
            tool: args.tool.clone(),
            evidence: NewEvidence {
                title: args.title.clone().unwrap_or_default(),
                targets: args.controls.iter().map(|c| Target { kind: TargetKind::Control, id: c.clone() }).collect(),
                valid_for_days: args.valid_for,
                ..NewEvidence::default()
            },
        };
        let done = isms_app::checks::ingest(cx, &actor, request, &mut reader).await?;
        out.doc(&done);
        let c = &done.run.counts;
        out.line(format!(
            "{}: {} result(s) from {} ({}): {} pass, {} fail, {} error, {} not applicable",
            done.run.id,
            c.total(),
            done.run.tool,
            done.run.format,
            c.pass,
            c.fail,
            c.error,
            c.not_applicable
        ));
        out.line(format!(
            "Evidence {} for {} control(s): {}",
            done.evidence.id,
            done.run.controls.len(),
            done.run.controls.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
        if done.run.unmapped > 0 {
            out.line(format!("{} result(s) name no requirement that reaches an Annex A control.", done.run.unmapped));
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}

/// Runs `isms check ...`.
pub async fn run(config: &Config, command: CheckCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| match command {
        CheckCommand::Runs(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let all = isms_app::checks::runs(cx, &super::reader(org)).await?;
            out.doc(&all);
            for r in &all {
                out.line(format!(
                    "{}  {}  {:<12} {:<6} {:>7} results, {:>6} failing  {}",
                    r.id,
                    r.ingested_at.date(),
                    r.tool,
                    r.format,
                    r.counts.total(),
                    r.counts.fail,
                    r.file
                ));
            }
            out.line(format!("{} run(s)", all.len()));
            Ok(ExitCode::SUCCESS)
        }
        CheckCommand::Show(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let r = isms_app::checks::run(cx, &super::reader(org), &args.id).await?;
            out.doc(&r);
            out.line(format!(
                "{} {} ({} {}), {} by {}",
                r.id,
                r.file,
                r.tool,
                r.version,
                r.ingested_at.date(),
                r.ingested_by
            ));
            out.line(format!("  evidence {} (sha256 {})", r.evidence, r.sha256));
            for (control, c) in &r.controls {
                out.line(format!(
                    "  {control:<8} {} pass, {} fail, {} error, {} n/a",
                    c.pass, c.fail, c.error, c.not_applicable
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        CheckCommand::Results(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let outcome = args
                .outcome
                .as_deref()
                .map(|o| {
                    Outcome::parse(o)
                        .ok_or_else(|| bad("--outcome", format!("{o:?} is not pass, fail, error or not_applicable")))
                })
                .transpose()?;
            let (page, _) =
                isms_app::checks::results(cx, &super::reader(org), &args.id, outcome, 0, args.limit).await?;
            let rows: Vec<&isms_domain::check::CheckResult> = page.iter().map(|(_, r)| r).collect();
            out.doc(&rows);
            for (seq, r) in &page {
                out.line(format!(
                    "{seq:>6} {:<14} {:<8} {}  {}  {}",
                    r.outcome.as_str(),
                    r.severity.as_str(),
                    r.rule,
                    r.target,
                    r.message
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
    })
    .await
}
