//! `isms fair run`: batch-run Open FAIR scenario files.

use isms_app::Code;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Subcommand, ValueEnum};
use isms_domain::fair::workload::parse;
use isms_domain::fair::{PertForm, SecondaryForm, Settings, simulate_portfolio};
use serde_json::{Map, Value, json};

use crate::config::io_reason;
use crate::output::{CliError, Out};

/// `isms fair` subcommands.
#[derive(Debug, Subcommand)]
pub enum FairCommand {
    /// Run every scenario of a file in the isms-bench/fair-workload/1 format.
    Run(RunArgs),
}

/// PERT forms on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PertArg {
    /// Mean/sd form (pyfair).
    Classic,
    /// Vose form (pycrq, commercial tools).
    Vose,
}

/// Secondary-loss forms on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SecondaryArg {
    /// SLEF × SLEM.
    Product,
    /// SLEM with probability SLEF.
    Bernoulli,
}

/// Arguments of `isms fair run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file.
    file: PathBuf,
    /// PERT parameterisation.
    #[arg(long, value_enum, default_value = "vose")]
    pert: PertArg,
    /// Secondary loss form.
    #[arg(long, value_enum, default_value = "product")]
    secondary: SecondaryArg,
    /// Count loss events per year as Poisson(LEF).
    #[arg(long)]
    poisson: bool,
    /// Iterations per scenario (default: what the file says).
    #[arg(long)]
    iterations: Option<u32>,
    /// Seed (default: what the file says).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Run only this section of the file: single or portfolio.
    #[arg(long)]
    section: Option<String>,
}

fn stats(s: &isms_domain::fair::Summary) -> Value {
    json!({ "mean": s.mean, "sd": s.sd, "min": s.min, "max": s.max, "p5": s.p5, "p10": s.p10, "p50": s.p50, "p90": s.p90, "p95": s.p95, "p99": s.p99, "p_any_loss": s.p_any_loss })
}

/// Runs a scenario file and prints the statistics.
pub fn run(command: FairCommand, out: &Out) -> Result<ExitCode, CliError> {
    let FairCommand::Run(args) = command;
    let text = std::fs::read_to_string(&args.file).map_err(|e| {
        CliError::bad_input(Code::Fair, format!("cannot read {}: {}", args.file.display(), io_reason(&e)))
    })?;
    let sections =
        parse(&text).map_err(|e| CliError::bad_input(Code::Fair, format!("{}: {e}", args.file.display())))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| CliError::error(Code::Fair, format!("cannot start worker threads: {e}")))?;
    let mut doc = Map::new();
    let mut settings_doc = Map::new();
    if let Some(wanted) = &args.section
        && !sections.iter().any(|s| s.name == wanted)
    {
        return Err(CliError::bad_input(
            Code::Fair,
            format!(
                "{} has no section {wanted:?} (it has: {})",
                args.file.display(),
                sections.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    for section in sections.iter().filter(|s| args.section.as_deref().is_none_or(|w| w == s.name)) {
        let settings = Settings {
            iterations: args.iterations.unwrap_or(section.iterations),
            seed: args.seed.unwrap_or(section.seed),
            pert: match args.pert {
                PertArg::Classic => PertForm::Classic,
                PertArg::Vose => PertForm::Vose,
            },
            secondary: match args.secondary {
                SecondaryArg::Product => SecondaryForm::Product,
                SecondaryArg::Bernoulli => SecondaryForm::Bernoulli,
            },
            poisson: args.poisson,
        };
        let started = Instant::now();
        let result = pool.install(|| simulate_portfolio(&section.scenarios, &settings));
        let elapsed = started.elapsed();
        for r in &result.scenarios {
            doc.insert(r.id.clone(), stats(&r.summary));
        }
        if section.name == "portfolio" {
            doc.insert("aggregate".into(), stats(&result.aggregate));
        }
        settings_doc.insert(section.name.into(), serde_json::to_value(settings).unwrap_or(Value::Null));
        let samples = u64::from(settings.iterations) * section.scenarios.len() as u64;
        out.line(format!(
            "{}: {} scenario(s) × {} iterations in {:.3} s ({:.1} M samples/s), seed {}, PERT {:?}, secondary {:?}{}",
            section.name,
            section.scenarios.len(),
            settings.iterations,
            elapsed.as_secs_f64(),
            samples as f64 / elapsed.as_secs_f64() / 1e6,
            settings.seed,
            settings.pert,
            settings.secondary,
            if settings.poisson { ", Poisson events" } else { "" }
        ));
        let show: Vec<&isms_domain::fair::ScenarioResult> = if section.named.is_empty() {
            result.scenarios.iter().take(10).collect()
        } else {
            result.scenarios.iter().filter(|r| section.named.contains(&r.id)).collect()
        };
        out.line(format!(
            "  {:<18} {:>14} {:>14} {:>14} {:>14} {:>8}",
            "scenario", "mean", "p50", "p90", "p99", "P(loss)"
        ));
        for r in show {
            let s = &r.summary;
            out.line(format!(
                "  {:<18} {:>14.0} {:>14.0} {:>14.0} {:>14.0} {:>8.4}",
                r.id, s.mean, s.p50, s.p90, s.p99, s.p_any_loss
            ));
        }
        if section.name == "portfolio" {
            let s = &result.aggregate;
            out.line(format!(
                "  {:<18} {:>14.0} {:>14.0} {:>14.0} {:>14.0} {:>8.4}",
                "aggregate", s.mean, s.p50, s.p90, s.p99, s.p_any_loss
            ));
            if let Some(exact) = section.analytic_aggregate {
                out.line(format!("  exact aggregate mean {exact:.0}; simulated/exact = {:.4}", s.mean / exact));
            }
        }
    }
    doc.insert("settings".into(), Value::Object(settings_doc));
    out.doc(&Value::Object(doc));
    Ok(ExitCode::SUCCESS)
}
