//! Open FAIR: `isms risk estimate`, `simulate` and `appetite`.

use super::*;
use isms_app::access::Actor;
use isms_app::fair::Simulation;
use isms_domain::risk::{FairResult, LossAppetite};

/// Arguments of `isms risk estimate`. Each estimate is `L,M,H` (PERT), `tri:L,M,H`,
/// `uniform:L,H`, `normal:MEAN,SD`, `lognormal:P5,P95` or one number.
#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// The risk's id.
    id: String,
    #[command(flatten)]
    org: OrgArg,
    /// Loss event frequency per year, estimated directly (instead of --tef/--vuln).
    #[arg(long, value_name = "EST")]
    lef: Option<String>,
    /// Threat event frequency per year.
    #[arg(long, value_name = "EST")]
    tef: Option<String>,
    /// Vulnerability: probability a threat event becomes a loss (0–1).
    #[arg(long, value_name = "EST")]
    vuln: Option<String>,
    /// Threat capability on a 0–100 scale (with --tef and --rs, instead of --vuln).
    #[arg(long, value_name = "EST")]
    tcap: Option<String>,
    /// Resistance strength on a 0–100 scale (with --tef and --tcap).
    #[arg(long, value_name = "EST")]
    rs: Option<String>,
    /// Primary loss per event.
    #[arg(long, value_name = "EST")]
    pl: Option<String>,
    /// Probability of secondary effects per loss event (0–1).
    #[arg(long, value_name = "EST", default_value = "0")]
    slef: String,
    /// Secondary loss magnitude.
    #[arg(long, value_name = "EST", default_value = "0")]
    slem: String,
    /// Remove the estimates.
    #[arg(long)]
    clear: bool,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Arguments of `isms risk simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Only this risk.
    #[arg(long, conflicts_with = "all")]
    risk: Option<String>,
    /// Every risk with estimates, as a portfolio.
    #[arg(long)]
    all: bool,
    /// Iterations (simulated years).
    #[arg(long, default_value_t = 10_000)]
    iterations: u32,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// PERT form: classic or vose.
    #[arg(long, default_value = "vose")]
    pert: String,
    /// Secondary loss form: product or bernoulli.
    #[arg(long, default_value = "product")]
    secondary: String,
    /// Count loss events per year as Poisson(LEF).
    #[arg(long)]
    poisson: bool,
    /// Write the loss exceedance curve as SVG.
    #[arg(long, value_name = "FILE")]
    curve: Option<PathBuf>,
    /// Export results as CSV or JSON (by the file's extension).
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// With --export to CSV: include every simulated year's loss.
    #[arg(long)]
    samples: bool,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Arguments of `isms risk appetite`.
#[derive(Debug, Args)]
pub struct AppetiteArgs {
    #[command(flatten)]
    org: OrgArg,
    /// A point LOSS:PROBABILITY, e.g. 5000000:0.05 (repeatable); none shows the current one.
    #[arg(long, value_name = "LOSS:P")]
    point: Vec<String>,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

pub(super) async fn estimate(cx: &Cx, args: EstimateArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let actor = actor(cx, org, args.as_email.as_deref(), "isms risk estimate").await?;
    let estimates = if args.clear {
        None
    } else {
        let text = isms_domain::risk::FairText {
            lef: args.lef.unwrap_or_default(),
            tef: args.tef.unwrap_or_default(),
            vuln: args.vuln.unwrap_or_default(),
            tcap: args.tcap.unwrap_or_default(),
            rs: args.rs.unwrap_or_default(),
            pl: args.pl.unwrap_or_default(),
            slef: args.slef,
            slem: args.slem,
        };
        Some(text.estimates().map_err(|(field, message)| {
            let flag = if field == "lef" && message.starts_with("give") {
                "--lef/--tef/--vuln".to_owned()
            } else {
                format!("--{field}")
            };
            bad(&flag, message)
        })?)
    };
    let risk = isms_app::fair::set_estimates(cx, &actor, &args.id, estimates).await?;
    out.doc(&risk.fair);
    out.line(if risk.fair.is_some() {
        format!("Saved FAIR estimates for {}.", risk.id)
    } else {
        format!("Removed the FAIR estimates of {}.", risk.id)
    });
    Ok(())
}

pub(super) async fn simulate(cx: &Cx, args: SimulateArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let actor = actor(cx, org, args.as_email.as_deref(), "isms risk simulate").await?;
    if args.risk.is_none() && !args.all {
        return Err(bad("--risk/--all", "name a risk with --risk ID, or simulate all with --all"));
    }
    let settings = isms_domain::fair::Settings {
        iterations: args.iterations,
        seed: args.seed,
        pert: parse_enum("--pert", &args.pert, "classic, vose")?,
        secondary: parse_enum("--secondary", &args.secondary, "product, bernoulli")?,
        poisson: args.poisson,
    };
    let sim = simulate_with_progress(cx, &actor, &args, settings, out).await?;
    out.doc(&sim);
    print_simulation(out, &sim);
    let appetite = isms_app::fair::appetite(cx, &reader(org)).await?;
    let main = sim.portfolio.as_ref().or(sim.risks.first());
    if let (Some(a), Some(m)) = (&appetite, main) {
        let breaches = a.breaches(&m.curve);
        if breaches.is_empty() {
            out.line("The loss exceedance curve stays within the loss appetite.");
        } else {
            out.line(format!("The curve exceeds the loss appetite at {} point(s), e.g. {} is exceeded with probability {:.1}% (appetite {:.1}%).", breaches.len(), isms_reports::risk::money(breaches[0].0), breaches[0].1 * 100.0, breaches[0].2 * 100.0));
        }
    }
    if let (Some(path), Some(m)) = (&args.curve, main) {
        write_curve(out, path, m, appetite.as_ref())?;
    }
    if let Some(path) = &args.export {
        let text = if path.extension().is_some_and(|e| e == "json") {
            serde_json::to_string_pretty(
                &serde_json::json!({ "results": sim, "samples": if args.samples { Some(&sim.samples) } else { None } }),
            )
            .unwrap_or_default()
        } else {
            results_csv(&sim, args.samples)
        };
        std::fs::write(path, text)
            .map_err(|e| bad("--export", format!("cannot write {}: {}", path.display(), io_reason(&e))))?;
        out.line(format!("Wrote the results to {}.", path.display()));
    }
    Ok(())
}

/// Runs the simulation, with a progress bar on a terminal when it will take a while.
async fn simulate_with_progress(
    cx: &Cx,
    actor: &Actor,
    args: &SimulateArgs,
    settings: isms_domain::fair::Settings,
    out: &Out,
) -> Result<Simulation, CliError> {
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let total = if args.all {
        risks::list_risks(cx, &reader(actor.org())).await?.iter().filter(|r| r.risk.fair.is_some()).count()
    } else {
        1
    };
    let worth_a_bar = total as u64 * u64::from(args.iterations) > 5_000_000;
    let work = isms_app::fair::simulate_risks(cx, actor, args.risk.as_deref(), settings, done.clone());
    let sim = crate::commands::with_progress(out, total, worth_a_bar, done, work).await;
    Ok(sim?)
}

/// The results table: one line per risk, and the portfolio.
fn print_simulation(out: &Out, sim: &Simulation) {
    out.line(format!("{:<10} {:>14} {:>14} {:>14} {:>14} {:>8}", "RISK", "MEAN", "P50", "P90", "P99", "P(loss)"));
    for r in sim.risks.iter().chain(sim.portfolio.iter()) {
        let s = &r.summary;
        out.line(format!(
            "{:<10} {:>14} {:>14} {:>14} {:>14} {:>8.3}",
            r.id,
            isms_reports::risk::money(s.mean),
            isms_reports::risk::money(s.p50),
            isms_reports::risk::money(s.p90),
            isms_reports::risk::money(s.p99),
            s.p_any_loss
        ));
    }
    if !sim.without_estimates.is_empty() {
        out.line(format!("{} risk(s) have no FAIR estimates and were left out.", sim.without_estimates.len()));
    }
}

/// Writes the loss exceedance curve of `m` as SVG, with the appetite when there is one.
fn write_curve(
    out: &Out,
    path: &std::path::Path,
    m: &FairResult,
    appetite: Option<&LossAppetite>,
) -> Result<(), CliError> {
    let title =
        format!("Loss exceedance — {}", if m.id == "PORTFOLIO" { "all risks".to_owned() } else { m.id.clone() });
    let svg = isms_reports::risk::exceedance_svg(&title, &m.curve, appetite.map(|a| a.points.as_slice()));
    std::fs::write(path, svg)
        .map_err(|e| bad("--curve", format!("cannot write {}: {}", path.display(), io_reason(&e))))?;
    out.line(format!("Wrote the loss exceedance curve to {}.", path.display()));
    Ok(())
}

/// The results as CSV: one row per risk (and the portfolio), then with `samples` every
/// simulated year's loss.
fn results_csv(sim: &Simulation, samples: bool) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "id",
        "mean",
        "sd",
        "min",
        "max",
        "p5",
        "p10",
        "p50",
        "p90",
        "p95",
        "p99",
        "p_any_loss",
        "iterations",
        "seed",
        "pert",
        "secondary",
        "poisson",
    ]);
    for r in sim.risks.iter().chain(sim.portfolio.iter()) {
        let _ = w.write_record(result_row(r));
    }
    if samples {
        let _ = w.write_record(["year", "annual_loss", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""]);
        for (i, v) in sim.samples.iter().enumerate() {
            let _ = w.write_record(sample_row(i, *v));
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn result_row(r: &FairResult) -> [String; 17] {
    let s = &r.summary;
    let st = &r.settings;
    [
        isms_domain::cells::inert(&r.id).into_owned(),
        s.mean.to_string(),
        s.sd.to_string(),
        s.min.to_string(),
        s.max.to_string(),
        s.p5.to_string(),
        s.p10.to_string(),
        s.p50.to_string(),
        s.p90.to_string(),
        s.p95.to_string(),
        s.p99.to_string(),
        s.p_any_loss.to_string(),
        st.iterations.to_string(),
        st.seed.to_string(),
        format!("{:?}", st.pert).to_lowercase(),
        format!("{:?}", st.secondary).to_lowercase(),
        st.poisson.to_string(),
    ]
}

fn sample_row(i: usize, v: f64) -> [String; 17] {
    [
        (i + 1).to_string(),
        v.to_string(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]
}

pub(super) async fn appetite(cx: &Cx, args: AppetiteArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    if args.point.is_empty() {
        let a = isms_app::fair::appetite(cx, &reader(org)).await?;
        out.doc(&a);
        match a {
            None => out.line("No loss appetite is set: `isms risk appetite --point 5000000:0.05 ...`."),
            Some(a) => {
                for (loss, p) in &a.points {
                    out.line(format!(
                        "losses above {} at most {:.1}% a year",
                        isms_reports::risk::money(*loss),
                        p * 100.0
                    ));
                }
            }
        }
    } else {
        let actor = actor(cx, org, args.as_email.as_deref(), "isms risk appetite").await?;
        let points = args
            .point
            .iter()
            .map(|p| isms_domain::risk::appetite_point(p).map_err(|why| bad("--point", format!("{p:?}: {why}"))))
            .collect::<Result<Vec<_>, CliError>>()?;
        let saved = isms_app::fair::set_appetite(cx, &actor, points).await?;
        out.doc(&saved);
        out.line(format!("Saved the loss appetite ({} point(s)).", saved.points.len()));
    }
    Ok(())
}
