//! `isms sample draw|list|redraw`: audit samples drawn with a recorded seed.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use isms_domain::sample::Population;

use super::{OrgArg, bad};
use crate::config::Config;
use crate::output::{CliError, Out};

/// `isms sample ...`
#[derive(Debug, Subcommand)]
pub enum SampleCommand {
    /// Draws a sample for an audit, by size or percentage, and records it with its seed.
    Draw(DrawArgs),
    /// The samples drawn, newest first.
    List(ListArgs),
    /// Draws a recorded sample again with its seed from today's population.
    Redraw(RedrawArgs),
}

/// Arguments of `isms sample draw`.
#[derive(Debug, Args)]
pub struct DrawArgs {
    /// The audit, e.g. AUD-003.
    #[arg(long)]
    audit: String,
    /// What to sample: risks, corrective-actions, evidence, documents, check-results, members (joined or left).
    #[arg(long)]
    population: String,
    /// The run whose results are sampled (check-results).
    #[arg(long)]
    run: Option<String>,
    /// How many items.
    #[arg(long, conflicts_with = "percent")]
    size: Option<usize>,
    /// Or what percentage of the population (rounded up).
    #[arg(long)]
    percent: Option<f64>,
    /// The seed (default: a random one, recorded with the sample).
    #[arg(long)]
    seed: Option<String>,
    /// The period's first day, for members (default: a year before its last day).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<String>,
    /// The period's last day, for members (default: the audit's last day).
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<String>,
    /// The member drawing (recorded in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms sample list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this audit's samples.
    #[arg(long)]
    audit: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms sample redraw`.
#[derive(Debug, Args)]
pub struct RedrawArgs {
    /// The sample, e.g. SMP-001.
    id: String,
    #[command(flatten)]
    org: OrgArg,
}

/// Runs `isms sample ...`; `redraw` exits 1 when the draw differs.
pub async fn run(config: &Config, command: SampleCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| match command {
        SampleCommand::Draw(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.as_email.as_deref(), "isms sample draw").await?;
            let population = Population::parse(&args.population).ok_or_else(|| {
                bad(
                    "--population",
                    format!(
                        "{:?} is not a population: risks, corrective-actions, evidence, documents, check-results, members",
                        args.population
                    ),
                )
            })?;
            let new = isms_app::sampling::NewSample {
                audit: args.audit.clone(),
                population,
                run: args.run.clone(),
                size: args.size,
                percent: args.percent,
                seed: args.seed.clone(),
                from: args.from.as_deref().map(|t| super::parse_date("--from", t)).transpose()?,
                to: args.to.as_deref().map(|t| super::parse_date("--to", t)).transpose()?,
            };
            let s = isms_app::sampling::draw_sample(cx, &actor, new).await?;
            out.doc(&s);
            out.line(format!(
                "{} for {}: {} of {} {} with seed {:?}: {}",
                s.id,
                s.audit,
                s.items.len(),
                s.population_size,
                s.population.as_str().replace('_', " "),
                s.seed,
                s.items.join(", ")
            ));
            Ok(ExitCode::SUCCESS)
        }
        SampleCommand::List(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let all = isms_app::sampling::samples(cx, &super::reader(org), args.audit.as_deref()).await?;
            out.doc(&all);
            for s in &all {
                out.line(format!(
                    "{}  {}  {:<18} {:>4} of {:<6} seed {:<18} by {}",
                    s.id,
                    s.audit,
                    s.population.as_str(),
                    s.items.len(),
                    s.population_size,
                    s.seed,
                    s.drawn_by
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        SampleCommand::Redraw(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let (s, unchanged, again) = isms_app::sampling::redraw(cx, &super::reader(org), &args.id).await?;
            let same = again == s.items;
            out.doc(
                &serde_json::json!({ "sample": s, "population_unchanged": unchanged, "items": again, "same": same }),
            );
            out.line(format!(
                "{}: the population is {}; drawn again with seed {:?}: {}",
                s.id,
                if unchanged { "unchanged" } else { "changed since" },
                s.seed,
                if same { "the same items".to_owned() } else { format!("different items: {}", again.join(", ")) }
            ));
            Ok(if same { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    })
    .await
}
