//! `isms risk ...` and `isms methodology ...`.

use isms_app::Code;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use isms_app::export::DocFormat;
use isms_app::{Cx, risks};
use isms_domain::risk::{ActionStatus, HeatMapKind, Methodology, Rating, Risk, TreatmentAction, TreatmentOption};

use super::{OrgArg, bad, parse_date, parse_enum};
use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

/// `isms methodology` subcommands.
#[derive(Debug, Subcommand)]
pub enum MethodologyCommand {
    /// Show the current methodology (or a version).
    Show(MethodologyShowArgs),
    /// Change the methodology: from a JSON file, or cell by cell. Re-levels every risk.
    Edit(MethodologyEditArgs),
}

/// Arguments of `isms methodology show`.
#[derive(Debug, Args)]
pub struct MethodologyShowArgs {
    #[command(flatten)]
    org: OrgArg,
    /// An earlier version number.
    #[arg(long)]
    version: Option<u32>,
}

/// Arguments of `isms methodology edit`.
#[derive(Debug, Args)]
pub struct MethodologyEditArgs {
    #[command(flatten)]
    org: OrgArg,
    /// A whole methodology as JSON (as `isms methodology show --json` prints it).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Set one matrix cell: LIKELIHOOD,IMPACT=LEVEL (repeatable), e.g. 3,3=high.
    #[arg(long, value_name = "L,I=LEVEL")]
    cell: Vec<String>,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Runs a methodology subcommand.
pub async fn methodology(config: &Config, command: MethodologyCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        match command {
            MethodologyCommand::Show(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let m = match args.version {
                    None => risks::methodology(cx, &super::reader(org)).await?,
                    Some(v) => risks::methodology_versions(cx, &super::reader(org))
                        .await?
                        .into_iter()
                        .find(|m| m.version == v)
                        .ok_or_else(|| {
                            CliError::bad_input(Code::NotFound, format!("there is no methodology version {v}"))
                        })?,
                };
                out.doc(&m);
                print_methodology(out, &m);
            }
            MethodologyCommand::Edit(args) => {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.as_email.as_deref(), "isms methodology edit").await?;
                let mut m = match &args.file {
                    Some(path) => {
                        let text = std::fs::read_to_string(path)
                            .map_err(|e| bad("--file", format!("cannot read {}: {}", path.display(), io_reason(&e))))?;
                        serde_json::from_str::<Methodology>(&text)
                            .map_err(|e| bad("--file", format!("{}: {e}", path.display())))?
                    }
                    None => risks::methodology(cx, &super::reader(org)).await?,
                };
                for cell in &args.cell {
                    let (pos, level) =
                        cell.split_once('=').ok_or_else(|| bad("--cell", format!("{cell:?} must be L,I=LEVEL")))?;
                    let (l, i) =
                        pos.split_once(',').ok_or_else(|| bad("--cell", format!("{cell:?} must be L,I=LEVEL")))?;
                    let (l, i): (usize, usize) = (
                        l.trim().parse().map_err(|_| bad("--cell", cell))?,
                        i.trim().parse().map_err(|_| bad("--cell", cell))?,
                    );
                    let slot = m
                        .matrix
                        .get_mut(l.wrapping_sub(1))
                        .and_then(|row| row.get_mut(i.wrapping_sub(1)))
                        .ok_or_else(|| bad("--cell", format!("{cell:?} is outside the matrix")))?;
                    *slot = level.trim().to_owned();
                }
                let (saved, relevelled) = risks::edit_methodology(cx, &actor, m).await?;
                out.doc(&serde_json::json!({ "version": saved.version, "relevelled": relevelled }));
                out.line(format!("Saved methodology version {}; {relevelled} risk(s) changed level.", saved.version));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}

fn print_methodology(out: &Out, m: &Methodology) {
    out.line(format!("Risk methodology version {}", m.version));
    out.line("Likelihood:");
    for l in &m.likelihood {
        out.line(format!("  {} {:<16} {}", l.value, l.label, l.criterion));
    }
    out.line("Impact:");
    for l in &m.impact {
        out.line(format!("  {} {:<16} {}", l.value, l.label, l.criterion));
    }
    out.line("Levels (lowest first) and who may accept them:");
    for l in &m.levels {
        let who =
            serde_json::to_value(l.acceptance).ok().and_then(|v| v.as_str().map(ToOwned::to_owned)).unwrap_or_default();
        out.line(format!("  {:<10} {who}", l.id));
    }
    out.line("Matrix (rows: likelihood, highest first; columns: impact 1…):");
    for (r, row) in m.matrix.iter().enumerate().rev() {
        out.line(format!("  {}  {}", r + 1, row.iter().map(|c| format!("{c:<9}")).collect::<String>()));
    }
}

/// `isms risk` subcommands.
#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// The risk register, most severe first.
    List(RiskListArgs),
    /// One risk in full.
    Show(RiskIdArgs),
    /// Add a risk.
    Add(Box<RiskArgs>),
    /// Change a risk (only the fields given).
    Edit(Box<RiskEditArgs>),
    /// Accept a risk's residual level (by its owner).
    Accept(AcceptArgs),
    /// Delete a risk.
    Delete(RiskIdArgs),
    /// The heat map as SVG.
    Heatmap(HeatmapArgs),
    /// The risk treatment plan: every action of every risk, by due date.
    Plan(OrgArg),
    /// Export the register or the treatment plan as XLSX, CSV or Markdown.
    Export(ExportArgs),
    /// Import risks from CSV (nothing is stored if any row is bad, unless --skip-bad-rows).
    Import(ImportArgs),
    /// The threat catalog, with the controls each threat suggests.
    Threats,
    /// Set (or --clear) a risk's Open FAIR estimates.
    Estimate(Box<EstimateArgs>),
    /// Run the Open FAIR simulation for one risk or all risks with estimates; stores
    /// the results with the settings used.
    Simulate(SimulateArgs),
    /// Show or set the organization's loss appetite (points LOSS:PROBABILITY).
    Appetite(AppetiteArgs),
}

/// Arguments of `isms risk estimate`.
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

/// Parses an estimate: `L,M,H` (PERT), `pert:`, `tri:L,M,H`, `uniform:L,H`,
/// `normal:MEAN,SD`, `lognormal:P5,P95`, or a single number (a constant).
fn parse_estimate(flag: &str, text: &str) -> Result<isms_domain::fair::Estimate, CliError> {
    use isms_domain::fair::Estimate;
    let (kind, rest) = text.split_once(':').map_or(("", text), |(k, r)| (k, r));
    let nums: Vec<f64> = rest
        .split(',')
        .map(|n| {
            n.trim().replace('_', "").parse::<f64>().map_err(|_| bad(flag, format!("{text:?}: {n:?} is not a number")))
        })
        .collect::<Result<_, _>>()?;
    let wrong = || {
        bad(
            flag,
            format!(
                "{text:?}: use L,M,H (PERT), tri:L,M,H, uniform:L,H, normal:MEAN,SD, lognormal:P5,P95 or one number"
            ),
        )
    };
    Ok(match (kind, &nums[..]) {
        ("" | "const", [v]) => Estimate::Constant { value: *v },
        ("" | "pert", [l, m, h]) => Estimate::Pert { low: *l, mode: *m, high: *h },
        ("tri", [l, m, h]) => Estimate::Triangular { low: *l, mode: *m, high: *h },
        ("uniform", [l, h]) => Estimate::Uniform { low: *l, high: *h },
        ("normal", [m, s]) => Estimate::Normal { mean: *m, sd: *s },
        ("lognormal", [l, h]) => Estimate::Lognormal { low: *l, high: *h },
        _ => return Err(wrong()),
    })
}

/// What to export.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportWhat {
    /// The risk register.
    Register,
    /// The risk treatment plan.
    Plan,
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// Excel workbook.
    Xlsx,
    /// Comma-separated values.
    Csv,
    /// Markdown.
    Md,
}

/// Arguments of `isms risk export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    org: OrgArg,
    /// register or plan.
    #[arg(long, value_enum, default_value = "register")]
    what: ExportWhat,
    /// xlsx, csv or md.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// The file ("-" for standard output; not for xlsx).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
}

/// Arguments of `isms risk import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV with columns title,owner,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment[,threat,vulnerability,controls,assets,description,next_review].
    file: PathBuf,
    #[command(flatten)]
    org: OrgArg,
    /// Store the good rows and report the bad ones.
    #[arg(long)]
    skip_bad_rows: bool,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Filters of `isms risk list`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RiskFilter {
    /// Above appetite and not accepted.
    Unaccepted,
    /// Review date within 30 days or past.
    ReviewDue,
}

/// Arguments of `isms risk list`.
#[derive(Debug, Args)]
pub struct RiskListArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Only risks needing attention.
    #[arg(long, value_enum)]
    only: Option<RiskFilter>,
}

/// A risk by id.
#[derive(Debug, Args)]
pub struct RiskIdArgs {
    /// The risk's id (RSK-…).
    id: String,
    #[command(flatten)]
    org: OrgArg,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// The fields of a risk.
#[derive(Debug, Args)]
pub struct RiskFields {
    /// Start from a threat of the catalog (`isms risk threats`): fills the threat and
    /// suggests its controls unless given.
    #[arg(long, value_name = "T-NN")]
    from_threat: Option<String>,
    /// Short name.
    #[arg(long)]
    title: Option<String>,
    /// What could happen.
    #[arg(long)]
    description: Option<String>,
    /// The risk owner's e-mail.
    #[arg(long)]
    owner: Option<String>,
    /// The threat.
    #[arg(long)]
    threat: Option<String>,
    /// The vulnerability.
    #[arg(long)]
    vulnerability: Option<String>,
    /// Inherent rating as LIKELIHOOD,IMPACT (e.g. 4,5).
    #[arg(long, value_name = "L,I")]
    inherent: Option<String>,
    /// Residual rating as LIKELIHOOD,IMPACT.
    #[arg(long, value_name = "L,I")]
    residual: Option<String>,
    /// Controls already in place.
    #[arg(long)]
    existing_controls: Option<String>,
    /// modify, retain, avoid or share.
    #[arg(long)]
    treatment: Option<String>,
    /// Annex A control chosen to treat it (repeatable; replaces the list).
    #[arg(long)]
    control: Vec<String>,
    /// Affected asset id (repeatable; replaces the list).
    #[arg(long)]
    asset: Vec<String>,
    /// Treatment action "TITLE|OWNER|DUE[|STATUS]" (repeatable; replaces the plan).
    #[arg(long, value_name = "TITLE|OWNER|DUE")]
    action: Vec<String>,
    /// Next review date YYYY-MM-DD.
    #[arg(long)]
    next_review: Option<String>,
}

/// Arguments of `isms risk add`.
#[derive(Debug, Args)]
pub struct RiskArgs {
    #[command(flatten)]
    org: OrgArg,
    #[command(flatten)]
    fields: RiskFields,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Arguments of `isms risk edit`.
#[derive(Debug, Args)]
pub struct RiskEditArgs {
    /// The risk's id.
    id: String,
    #[command(flatten)]
    org: OrgArg,
    #[command(flatten)]
    fields: RiskFields,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Arguments of `isms risk accept`.
#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The risk's id.
    id: String,
    #[command(flatten)]
    org: OrgArg,
    /// The person accepting (must be the risk owner).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: String,
    /// Why the residual risk is acceptable.
    #[arg(long, default_value = "")]
    comment: String,
}

/// Arguments of `isms risk heatmap`.
#[derive(Debug, Args)]
pub struct HeatmapArgs {
    #[command(flatten)]
    org: OrgArg,
    /// inherent or residual.
    #[arg(long, default_value = "residual")]
    which: String,
    /// The SVG file ("-" for standard output).
    #[arg(short = 'o', long = "output", default_value = "-")]
    output: PathBuf,
}

fn parse_rating(flag: &str, text: &str) -> Result<Rating, CliError> {
    let (l, i) =
        text.split_once(',').ok_or_else(|| bad(flag, format!("{text:?} must be LIKELIHOOD,IMPACT, e.g. 4,5")))?;
    let n = |s: &str| s.trim().parse::<u8>().map_err(|_| bad(flag, format!("{text:?} must be two numbers, e.g. 4,5")));
    Ok(Rating { likelihood: n(l)?, impact: n(i)? })
}

fn apply(fields: RiskFields, risk: &mut Risk) -> Result<(), CliError> {
    if let Some(id) = &fields.from_threat {
        let threat = isms_catalog::threats().iter().find(|t| t.id.eq_ignore_ascii_case(id)).ok_or_else(|| {
            bad("--from-threat", format!("{id:?} is not in the threat catalog (`isms risk threats`)"))
        })?;
        risk.threat = threat.name.clone();
        if risk.title.is_empty() {
            risk.title = threat.name.clone();
        }
        if risk.description.is_empty() {
            risk.description = threat.description.clone();
        }
        if fields.control.is_empty() {
            risk.controls = threat.controls.clone();
        }
    }
    if let Some(v) = fields.title {
        risk.title = v;
    }
    if let Some(v) = fields.description {
        risk.description = v;
    }
    if let Some(v) = fields.owner {
        risk.owner = v;
    }
    if let Some(v) = fields.threat {
        risk.threat = v;
    }
    if let Some(v) = fields.vulnerability {
        risk.vulnerability = v;
    }
    if let Some(v) = fields.inherent {
        risk.inherent = parse_rating("--inherent", &v)?;
    }
    if let Some(v) = fields.residual {
        risk.residual = parse_rating("--residual", &v)?;
    }
    if let Some(v) = fields.existing_controls {
        risk.existing_controls = v;
    }
    if let Some(v) = fields.treatment {
        risk.treatment = parse_enum::<TreatmentOption>("--treatment", &v, "modify, retain, avoid, share")?;
    }
    if !fields.control.is_empty() {
        risk.controls = fields.control.iter().filter(|c| !c.is_empty() && *c != "none").cloned().collect();
    }
    if !fields.asset.is_empty() {
        risk.assets = fields.asset.iter().filter(|a| !a.is_empty() && *a != "none").cloned().collect();
    }
    if !fields.action.is_empty() {
        risk.actions = fields
            .action
            .iter()
            .map(|a| {
                let parts: Vec<&str> = a.split('|').map(str::trim).collect();
                match parts[..] {
                    [title, owner, due] | [title, owner, due, _] => Ok(TreatmentAction {
                        title: title.into(),
                        owner: owner.into(),
                        due: parse_date("--action", due)?,
                        status: match parts.get(3) {
                            Some(s) => parse_enum::<ActionStatus>("--action", s, "open, in_progress, done")?,
                            None => ActionStatus::Open,
                        },
                    }),
                    _ => Err(bad("--action", format!("{a:?} must be TITLE|OWNER|DUE[|STATUS]"))),
                }
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(v) = fields.next_review {
        risk.next_review = parse_date("--next-review", &v)?;
    }
    Ok(())
}

/// Runs a risk subcommand.
pub async fn risk(config: &Config, command: RiskCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| risk_inner(cx, command, out).await).await
}

async fn risk_inner(cx: &Cx, command: RiskCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        RiskCommand::List(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let today = cx.clock.today();
            let all: Vec<_> = risks::list_risks(cx, &super::reader(org))
                .await?
                .into_iter()
                .filter(|r| match args.only {
                    None => true,
                    Some(RiskFilter::Unaccepted) => r.acceptance_state.awaits_acceptance(),
                    Some(RiskFilter::ReviewDue) => r.risk.next_review <= today + time::Duration::days(30),
                })
                .collect();
            out.doc(&all);
            out.line(format!(
                "{:<8} {:<9} {:<9} {:<16} {:<28} {}",
                "ID", "INHERENT", "RESIDUAL", "ACCEPTANCE", "OWNER", "TITLE"
            ));
            for r in &all {
                out.line(format!(
                    "{:<8} {:<9} {:<9} {:<16} {:<28} {}",
                    r.risk.id,
                    r.inherent_level,
                    r.residual_level,
                    r.acceptance_state.label(),
                    r.risk.owner,
                    r.risk.title
                ));
            }
            out.line(format!("{} risk(s)", all.len()));
        }
        RiskCommand::Show(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let r = risks::risk(cx, &super::reader(org), &args.id).await?;
            out.doc(&r);
            let k = &r.risk;
            out.line(format!("{} {}", k.id, k.title));
            out.line(format!("  owner        {}", k.owner));
            out.line(format!("  threat       {}", k.threat));
            out.line(format!("  vulnerability {}", k.vulnerability));
            out.line(format!(
                "  inherent     L{} × I{} → {}",
                k.inherent.likelihood, k.inherent.impact, r.inherent_level
            ));
            out.line(format!(
                "  residual     L{} × I{} → {} ({})",
                k.residual.likelihood,
                k.residual.impact,
                r.residual_level,
                r.acceptance_state.label()
            ));
            out.line(format!(
                "  treatment    {:?}; controls {}",
                k.treatment,
                if k.controls.is_empty() { "—".into() } else { k.controls.join(", ") }
            ));
            for a in &k.actions {
                out.line(format!("  action       {} — {} by {} ({:?})", a.title, a.owner, a.due, a.status));
            }
            if let Some(acc) = &k.acceptance {
                out.line(format!(
                    "  accepted     by {} on {} at level {}: {}",
                    acc.by,
                    acc.at.date(),
                    acc.level,
                    acc.comment
                ));
            }
            out.line(format!("  next review  {}", k.next_review));
            for h in &k.history {
                out.line(format!(
                    "  history      methodology v{}: inherent {}, residual {} ({})",
                    h.methodology_version,
                    h.inherent,
                    h.residual,
                    h.at.date()
                ));
            }
            if let Some(r) = isms_app::fair::stored_result(cx, &super::reader(org), &k.id).await? {
                let s = &r.summary;
                out.line(format!(
                    "  FAIR         mean {} · p50 {} · p90 {} · p95 {} · p99 {} · P(any loss) {:.1}% ({} years, seed {}, {})",
                    isms_reports::risk::money(s.mean),
                    isms_reports::risk::money(s.p50),
                    isms_reports::risk::money(s.p90),
                    isms_reports::risk::money(s.p95),
                    isms_reports::risk::money(s.p99),
                    s.p_any_loss * 100.0,
                    r.settings.iterations,
                    r.settings.seed,
                    r.at.date()
                ));
            } else if k.fair.is_some() {
                out.line("  FAIR         estimates set; not simulated yet (`isms risk simulate --risk ID`)");
            }
        }
        RiskCommand::Add(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.as_email.as_deref(), "isms risk add").await?;
            let mut r = Risk {
                id: String::new(),
                title: String::new(),
                description: String::new(),
                assets: vec![],
                threat: String::new(),
                vulnerability: String::new(),
                owner: String::new(),
                inherent: Rating { likelihood: 0, impact: 0 },
                existing_controls: String::new(),
                treatment: TreatmentOption::Modify,
                actions: vec![],
                controls: vec![],
                residual: Rating { likelihood: 0, impact: 0 },
                acceptance: None,
                next_review: cx.clock.today() + time::Duration::days(365),
                history: vec![],
                fair: None,
            };
            let missing_residual = args.fields.residual.is_none();
            apply(args.fields, &mut r)?;
            if missing_residual {
                r.residual = r.inherent;
            }
            let saved = risks::add_risk(cx, &actor, r).await?;
            out.doc(&saved);
            out.line(format!("Added {} ({} → {}).", saved.risk.id, saved.inherent_level, saved.residual_level));
        }
        RiskCommand::Edit(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.as_email.as_deref(), "isms risk edit").await?;
            // The fields are applied to the stored risk inside the write transaction.
            let fields = args.fields;
            let mut refused = None;
            let change = |r: &mut Risk| {
                apply(fields, r).map_err(|e| {
                    let message = e.message.clone();
                    refused = Some(e);
                    isms_app::AppError::invalid_field("risk", message)
                })
            };
            let saved = risks::edit_risk(cx, &actor, &args.id, change).await;
            if let Some(e) = refused {
                return Err(e);
            }
            let saved = saved?;
            out.doc(&saved);
            out.line(format!(
                "Saved {} ({} → {}, {}).",
                saved.risk.id,
                saved.inherent_level,
                saved.residual_level,
                saved.acceptance_state.label()
            ));
        }
        RiskCommand::Accept(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, Some(&args.as_email), "isms risk accept").await?;
            let saved = risks::accept_risk(cx, &actor, &args.id, &args.comment).await?;
            out.doc(&saved);
            out.line(format!("{} accepted at level {}.", saved.risk.id, saved.residual_level));
        }
        RiskCommand::Delete(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.as_email.as_deref(), "isms risk delete").await?;
            risks::delete_risk(cx, &actor, &args.id).await?;
            out.line(format!("Deleted {}.", args.id));
        }
        RiskCommand::Estimate(args) => {
            use isms_domain::fair::Frequency;
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.as_email.as_deref(), "isms risk estimate").await?;
            let estimates = if args.clear {
                None
            } else {
                let frequency = match (&args.lef, &args.tef, &args.vuln) {
                    (Some(lef), None, None) => Frequency::Direct { lef: parse_estimate("--lef", lef)? },
                    (None, Some(tef), Some(vuln)) => Frequency::Vulnerability {
                        tef: parse_estimate("--tef", tef)?,
                        vuln: parse_estimate("--vuln", vuln)?,
                    },
                    _ => return Err(bad("--lef/--tef/--vuln", "give either --lef, or both --tef and --vuln")),
                };
                let pl = args.pl.as_deref().ok_or_else(|| bad("--pl", "the primary loss estimate is required"))?;
                Some(isms_domain::risk::FairEstimates {
                    frequency,
                    pl: parse_estimate("--pl", pl)?,
                    slef: parse_estimate("--slef", &args.slef)?,
                    slem: parse_estimate("--slem", &args.slem)?,
                })
            };
            let risk = isms_app::fair::set_estimates(cx, &actor, &args.id, estimates).await?;
            out.doc(&risk.fair);
            out.line(if risk.fair.is_some() {
                format!("Saved FAIR estimates for {}.", risk.id)
            } else {
                format!("Removed the FAIR estimates of {}.", risk.id)
            });
        }
        RiskCommand::Simulate(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.as_email.as_deref(), "isms risk simulate").await?;
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
            let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let total = if args.all {
                risks::list_risks(cx, &super::reader(org)).await?.iter().filter(|r| r.risk.fair.is_some()).count()
            } else {
                1
            };
            let show_bar = !out.is_json()
                && std::io::IsTerminal::is_terminal(&std::io::stderr())
                && total as u64 * u64::from(args.iterations) > 5_000_000;
            let bar = show_bar.then(|| indicatif::ProgressBar::new(total as u64));
            let ticker = bar.clone().map(|bar| {
                let done = done.clone();
                tokio::spawn(async move {
                    loop {
                        bar.set_position(done.load(std::sync::atomic::Ordering::Relaxed) as u64);
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                })
            });
            let sim = isms_app::fair::simulate_risks(cx, &actor, args.risk.as_deref(), settings, done).await;
            if let Some(t) = ticker {
                t.abort();
            }
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            let sim = sim?;
            out.doc(&sim);
            out.line(format!(
                "{:<10} {:>14} {:>14} {:>14} {:>14} {:>8}",
                "RISK", "MEAN", "P50", "P90", "P99", "P(loss)"
            ));
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
            let appetite = isms_app::fair::appetite(cx, &super::reader(org)).await?;
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
                let title = format!(
                    "Loss exceedance — {}",
                    if m.id == "PORTFOLIO" { "all risks".to_owned() } else { m.id.clone() }
                );
                let svg = isms_reports::risk::exceedance_svg(
                    &title,
                    &m.curve,
                    appetite.as_ref().map(|a| a.points.as_slice()),
                );
                std::fs::write(path, svg)
                    .map_err(|e| bad("--curve", format!("cannot write {}: {}", path.display(), io_reason(&e))))?;
                out.line(format!("Wrote the loss exceedance curve to {}.", path.display()));
            }
            if let Some(path) = &args.export {
                let text = if path.extension().is_some_and(|e| e == "json") {
                    serde_json::to_string_pretty(&serde_json::json!({ "results": sim, "samples": if args.samples { Some(&sim.samples) } else { None } })).unwrap_or_default()
                } else {
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
                        let s = &r.summary;
                        let st = &r.settings;
                        let _ = w.write_record([
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
                        ]);
                    }
                    if args.samples {
                        let _ = w.write_record([
                            "year",
                            "annual_loss",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                        ]);
                        for (i, v) in sim.samples.iter().enumerate() {
                            let _ = w.write_record([
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
                            ]);
                        }
                    }
                    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
                };
                std::fs::write(path, text)
                    .map_err(|e| bad("--export", format!("cannot write {}: {}", path.display(), io_reason(&e))))?;
                out.line(format!("Wrote the results to {}.", path.display()));
            }
        }
        RiskCommand::Appetite(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            if args.point.is_empty() {
                let a = isms_app::fair::appetite(cx, &super::reader(org)).await?;
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
                let actor = super::actor(cx, org, args.as_email.as_deref(), "isms risk appetite").await?;
                let points = args
                    .point
                    .iter()
                    .map(|p| {
                        let (l, q) = p
                            .split_once(':')
                            .ok_or_else(|| bad("--point", format!("{p:?} must be LOSS:PROBABILITY")))?;
                        let l: f64 = l
                            .trim()
                            .replace('_', "")
                            .parse()
                            .map_err(|_| bad("--point", format!("{l:?} is not a number")))?;
                        let q: f64 = q.trim().parse().map_err(|_| bad("--point", format!("{q:?} is not a number")))?;
                        Ok((l, q))
                    })
                    .collect::<Result<Vec<_>, CliError>>()?;
                let saved = isms_app::fair::set_appetite(cx, &actor, points).await?;
                out.doc(&saved);
                out.line(format!("Saved the loss appetite ({} point(s)).", saved.points.len()));
            }
        }
        RiskCommand::Threats => {
            let all = isms_catalog::threats();
            out.doc(&all);
            for t in all {
                out.line(format!("{} {:<40} {}", t.id, t.name, t.controls.join(", ")));
            }
        }
        RiskCommand::Plan(args) => {
            let org = super::resolve_org(cx, &args.org).await?;
            let plan = risks::treatment_plan(cx, &super::reader(org)).await?;
            out.doc(&plan);
            if plan.is_empty() {
                out.line("The treatment plan has no actions yet: add them with `isms risk edit ID --action \"TITLE|OWNER|DUE\"`.");
            }
            for p in &plan {
                out.line(format!(
                    "{} {:<8} {:<12} {:<28} {}{}",
                    p.action.due,
                    p.risk,
                    p.action.status.as_str(),
                    p.action.owner,
                    p.action.title,
                    if p.overdue { "  (OVERDUE)" } else { "" }
                ));
            }
        }
        RiskCommand::Export(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let report = match args.what {
                ExportWhat::Register => risks::RiskReport::Register,
                ExportWhat::Plan => risks::RiskReport::Plan,
            };
            let table = risks::risk_table(cx, &super::reader(org), report).await?;
            let fail = |e: &dyn std::fmt::Display| {
                CliError::error(Code::Export, format!("cannot write {}: {e}", args.output.display()))
            };
            let format = match args.format {
                ExportFormat::Xlsx => DocFormat::Xlsx,
                ExportFormat::Csv => DocFormat::Csv,
                ExportFormat::Md => DocFormat::Md,
            };
            let bytes = isms_app::export::render_table(&table, format).map_err(|e| fail(&e))?;
            if args.output.as_os_str() == "-" {
                if matches!(args.format, ExportFormat::Xlsx) {
                    return Err(bad("-o", "an XLSX workbook cannot go to standard output; name a file"));
                }
                use std::io::Write;
                std::io::stdout().lock().write_all(&bytes).map_err(|e| fail(&io_reason(&e)))?;
            } else {
                std::fs::write(&args.output, &bytes).map_err(|e| fail(&io_reason(&e)))?;
                out.doc(&serde_json::json!({ "file": args.output, "rows": table.rows.len() }));
                out.line(format!("Wrote {} ({} rows) to {}.", table.title, table.rows.len(), args.output.display()));
            }
        }
        RiskCommand::Import(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.as_email.as_deref(), "isms risk import").await?;
            let text = std::fs::read_to_string(&args.file)
                .map_err(|e| bad("import", format!("cannot read {}: {}", args.file.display(), io_reason(&e))))?;
            let report = risks::import_risks_csv(cx, &actor, &text, args.skip_bad_rows).await?;
            out.doc(&report);
            for e in &report.errors {
                out.line(format!("{}, line {}, {}: {}", args.file.display(), e.line, e.column, e.message));
            }
            if !report.errors.is_empty() && !report.stored {
                return Err(CliError::bad_input(
                    Code::Import,
                    format!(
                        "{} row error(s) in {}; nothing was imported (use --skip-bad-rows to import the good rows)",
                        report.errors.len(),
                        args.file.display()
                    ),
                ));
            }
            out.line(format!("Imported {} risk(s).", report.created.len()));
        }
        RiskCommand::Heatmap(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let kind = parse_enum::<HeatMapKind>("--which", &args.which, "inherent, residual")?;
            let (m, counts) = risks::heat_map(cx, &super::reader(org), kind).await?;
            let name = isms_app::users::organizations(cx)
                .await?
                .into_iter()
                .find(|o| o.id == org)
                .map(|o| o.name.to_string())
                .unwrap_or_default();
            let title =
                format!("{} risk — {name}", if kind == HeatMapKind::Inherent { "Inherent" } else { "Residual" });
            let svg = isms_reports::risk::heatmap_svg(&m, &counts, &title);
            if args.output.as_os_str() == "-" {
                use std::io::Write;
                std::io::stdout().lock().write_all(svg.as_bytes()).map_err(|e| bad("-o", io_reason(&e)))?;
            } else {
                std::fs::write(&args.output, svg)
                    .map_err(|e| bad("-o", format!("cannot write {}: {}", args.output.display(), io_reason(&e))))?;
                out.doc(&serde_json::json!({ "file": args.output, "counts": counts }));
                out.line(format!("Wrote the heat map to {}.", args.output.display()));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
