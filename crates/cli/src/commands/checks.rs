//! `isms ingest FILE` and `isms check runs|show|results`: scanner and test results as
//! evidence (docs/evidence-ingest.md).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use isms_app::evidence::NewEvidence;
use isms_domain::check::{CheckSource, Outcome, Reading};
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
    /// The format, when the content does not say: sarif, xccdf, arf, ocsf, junit, checkov, csv, json.
    #[arg(long)]
    format: Option<String>,
    /// The tool that made the file (what checks match on; it takes the place of the
    /// name the file gives, if any).
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

/// Arguments of `isms collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Only this kind of collector: tls, postgres, mariadb, git, openscap or exec.
    name: Option<String>,
    /// The member collecting (recorded in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// Runs `isms collect`: exit 1 when a collector could not collect.
pub async fn collect(config: &Config, args: CollectArgs, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let actor = super::actor(cx, org, args.as_email.as_deref(), "isms collect").await?;
        let done = isms_app::collect::collect_all(cx, &actor, args.name.as_deref(), &mut |p| out.progress(&p)).await?;
        out.doc(&done);
        for c in &done {
            match (&c.run, &c.error) {
                (Some(run), _) => out.line(format!(
                    "{} on {}: {} — {} result(s), {} failing; checks {}",
                    c.collected.collector,
                    c.collected.target,
                    run.id,
                    run.counts.total(),
                    run.counts.fail,
                    if run.checks.is_empty() { "none".to_owned() } else { run.checks.join(", ") }
                )),
                (None, error) => out.line(format!(
                    "{} on {}: could not collect: {}",
                    c.collected.collector,
                    c.collected.target,
                    error.as_deref().unwrap_or("unknown")
                )),
            }
        }
        if done.is_empty() {
            out.line("No check names a collector: define one with `isms check define --collector NAME --target T`.");
        }
        Ok(if done.iter().any(|c| c.error.is_some()) { ExitCode::from(1) } else { ExitCode::SUCCESS })
    })
    .await
}

/// `isms check ...`
#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// Every check, failing first: status, controls, source, last reading.
    List(RunsArgs),
    /// Defines a check: a named test of controls, fed by a tool's results, a
    /// collector, or a person's attestation.
    Define(DefineArgs),
    /// A check (CHK-001) with its last readings, or an ingested run (RUN-001) with its
    /// counts per control.
    Show(ShowArgs),
    /// Takes a reading now: attests a manual check (--pass or --fail with --note), or
    /// runs a collector check's collector.
    Run(RunArgs),
    /// Every reading of a check, newest first.
    History(ShowArgs),
    /// Control health: per Annex A theme, per framework in use, and per control.
    Health(RunsArgs),
    /// The ingested runs of results, newest first.
    Runs(RunsArgs),
    /// The mapping files per tool in force (shipped, or local in <data_dir>/mappings),
    /// with their provenance.
    Mappings(RunsArgs),
    /// One mapping file's text, to copy into <data_dir>/mappings and edit.
    Mapping(MappingArgs),
    /// A run's results (--outcome fail for the failures).
    Results(ResultsArgs),
}

/// Arguments of `isms check runs`.
#[derive(Debug, Args)]
pub struct RunsArgs {
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms check define`.
#[derive(Debug, Args)]
pub struct DefineArgs {
    /// A short name.
    #[arg(long)]
    name: String,
    /// What it tests and why.
    #[arg(long, default_value = "")]
    description: String,
    /// A control it tests (repeatable).
    #[arg(long = "control", value_name = "A.8.8", required = true)]
    controls: Vec<String>,
    /// Fed by the results of this tool, as runs name it (`*` is a wildcard).
    #[arg(long, conflicts_with_all = ["collector", "manual"])]
    tool: Option<String>,
    /// Fed by this collector (tls, postgres, mariadb, git, openscap, exec) on --target
    /// (what the built-in ones may reach is listed by the operator in
    /// <data_dir>/collectors/allowed-targets).
    #[arg(long, requires = "target", conflicts_with = "manual")]
    collector: Option<String>,
    /// What the collector looks at (host:port, a database URL, a repository, an SSG
    /// profile, the external collector's command).
    #[arg(long)]
    target: Option<String>,
    /// Attested by a person every --every days.
    #[arg(long)]
    manual: bool,
    /// The rules that count (`*` is a wildcard; default every rule).
    #[arg(long, default_value = "")]
    rule: String,
    /// How often a result is expected, in days.
    #[arg(long, value_name = "DAYS")]
    every: u32,
    /// Who acts when it fails (default: the first control's owner).
    #[arg(long)]
    owner: Option<String>,
    /// What the owner does when it fails: the nonconformity's corrective action.
    #[arg(long, default_value = "")]
    response: String,
    /// The member defining it (recorded in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms check mapping`.
#[derive(Debug, Args)]
pub struct MappingArgs {
    /// The mapping's name (`checkov`).
    name: String,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms check run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The check, e.g. CHK-001.
    id: String,
    /// A manual check passes.
    #[arg(long, conflicts_with = "fail")]
    pass: bool,
    /// A manual check fails.
    #[arg(long)]
    fail: bool,
    /// What was looked at.
    #[arg(long, default_value = "")]
    note: String,
    /// The member acting (recorded in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms check show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The check (CHK-001) or the run (RUN-001).
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
            collected: None,
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

fn reading_line(r: &Reading) -> String {
    let mut line = format!(
        "  {}  {:<5} {}{}",
        r.at.date(),
        r.outcome.as_str(),
        r.run.as_deref().map(|run| format!("{run}: ")).unwrap_or_default(),
        r.note
    );
    if let Some(f) = &r.raised {
        line.push_str(&format!(" [raised {f}]"));
    }
    if let Some(f) = &r.implemented {
        line.push_str(&format!(" [{f}'s action implemented]"));
    }
    line
}

fn print_reading(out: &Out, c: &isms_app::monitoring::CheckView) {
    out.line(format!("{} {}: {}", c.id, c.name, c.status.as_str()));
    if let Some(r) = &c.last {
        out.line(reading_line(r));
    }
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
        CheckCommand::List(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let all = isms_app::monitoring::checks(cx, &super::reader(org)).await?;
            out.doc(&all);
            for c in &all {
                out.line(format!(
                    "{}  {:<8} {:<28} {:<18} every {:>3}d  {}  {}",
                    c.id,
                    c.status.as_str(),
                    c.name,
                    c.controls.join(","),
                    c.frequency_days,
                    c.last.as_ref().map(|r| r.at.date().to_string()).unwrap_or_else(|| "never".to_owned()),
                    c.source_text
                ));
            }
            out.line(format!("{} check(s)", all.len()));
            Ok(ExitCode::SUCCESS)
        }
        CheckCommand::Define(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.as_email.as_deref(), "isms check define").await?;
            let source = match (&args.tool, &args.collector, args.manual) {
                (Some(tool), None, false) => CheckSource::Ingest { tool: tool.clone(), rule: args.rule.clone() },
                (None, Some(collector), false) => CheckSource::Collector {
                    collector: collector.clone(),
                    target: args.target.clone().unwrap_or_default(),
                    rule: args.rule.clone(),
                },
                (None, None, true) => CheckSource::Manual,
                _ => {
                    return Err(bad(
                        "--tool",
                        "say where results come from: --tool NAME, --collector NAME --target T, or --manual",
                    ));
                }
            };
            let new = isms_app::monitoring::NewCheck {
                name: args.name.clone(),
                description: args.description.clone(),
                controls: args.controls.clone(),
                source: Some(source),
                frequency_days: args.every,
                owner: args.owner.clone(),
                response: args.response.clone(),
            };
            let c = isms_app::monitoring::define(cx, &actor, new).await?;
            out.doc(&c);
            out.line(format!(
                "{} {} tests {} ({}), every {} day(s); {} acts when it fails",
                c.id,
                c.name,
                c.controls.join(", "),
                c.source_text,
                c.frequency_days,
                c.owner
            ));
            Ok(ExitCode::SUCCESS)
        }
        CheckCommand::Run(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let actor = super::actor(cx, org, args.as_email.as_deref(), "isms check run").await?;
            let outcome = match (args.pass, args.fail) {
                (true, _) => Some(Outcome::Pass),
                (_, true) => Some(Outcome::Fail),
                _ => None,
            };
            let c = match outcome {
                Some(o) => isms_app::monitoring::attest(cx, &actor, &args.id, o, &args.note).await?,
                None => isms_app::collect::run_check(cx, &actor, &args.id, &mut |p| out.progress(&p)).await?,
            };
            out.doc(&c);
            print_reading(out, &c);
            Ok(ExitCode::SUCCESS)
        }
        CheckCommand::History(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let reader = super::reader(org);
            let (c, mut page, mut next) =
                isms_app::monitoring::check(cx, &reader, &args.id, None, isms_app::monitoring::HISTORY_PAGE).await?;
            let mut history: Vec<Reading> = Vec::with_capacity(page.len());
            loop {
                history.extend(page.into_iter().map(|(_, r)| r));
                let Some(before) = next else { break };
                (_, page, next) = isms_app::monitoring::check(
                    cx,
                    &reader,
                    &args.id,
                    Some(before),
                    isms_app::monitoring::HISTORY_PAGE,
                )
                .await?;
            }
            out.doc(&history);
            out.line(format!("{} {}: {}", c.id, c.name, c.status.as_str()));
            for r in &history {
                out.line(reading_line(r));
            }
            Ok(ExitCode::SUCCESS)
        }
        CheckCommand::Mappings(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let all = isms_app::mappings::mappings(cx, &super::reader(org)).await?;
            out.doc(&all);
            for m in &all {
                out.line(format!(
                    "{:<12} {:<8}{} tool {:<12} {:>3} rules  {}\n    by {}, {}: {}\n    sha256 {}",
                    m.used.name,
                    m.used.origin,
                    if m.replaced { " (replaced)" } else { "" },
                    m.tool,
                    m.rules,
                    m.used.title,
                    m.provenance.author,
                    m.provenance.date,
                    m.provenance.method,
                    m.used.sha256
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        CheckCommand::Mapping(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let text = isms_app::mappings::mapping_text(cx, &super::reader(org), &args.name).await?;
            out.doc(&serde_json::json!({ "name": args.name, "text": text }));
            out.line(text.trim_end());
            Ok(ExitCode::SUCCESS)
        }
        CheckCommand::Health(args) => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let h = isms_app::monitoring::health(cx, &super::reader(org)).await?;
            out.doc(&h);
            out.line(format!(
                "{:<34} {:>7} {:>7} {:>5} {:>5} {:>9}",
                "", "passing", "failing", "error", "stale", "unchecked"
            ));
            for t in std::iter::once(&h.checks).chain(&h.themes).chain(&h.frameworks) {
                out.line(format!(
                    "{:<34} {:>7} {:>7} {:>5} {:>5} {:>9}",
                    t.title, t.passing, t.failing, t.error, t.stale, t.unchecked
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        CheckCommand::Show(args) if args.id.trim().to_ascii_uppercase().starts_with("CHK") => {
            let org = super::resolve_org(cx, &args.org.org).await?;
            let (c, history, _) = isms_app::monitoring::check(cx, &super::reader(org), &args.id, None, 10).await?;
            out.doc(&c);
            out.line(format!("{} {}: {}", c.id, c.name, c.status.as_str()));
            out.line(format!(
                "  tests {}; {}; every {} day(s)",
                c.controls.join(", "),
                c.source_text,
                c.frequency_days
            ));
            out.line(format!(
                "  owner {}{}",
                c.owner,
                c.nonconformity.as_ref().map(|f| format!("; nonconformity {f}")).unwrap_or_default()
            ));
            if let Some(due) = c.due {
                out.line(format!("  next reading due {}", due.date()));
            }
            for (_, r) in &history {
                out.line(reading_line(r));
            }
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

/// Arguments of `isms watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The directory to watch. Files put there (or in a sub-directory named after the
    /// tool that made them: `DIR/semgrep/scan.sarif`) are ingested, then moved to
    /// `DIR/ingested/` (named after their run) or, when refused, to `DIR/failed/` with
    /// the reason beside them in `NAME.error.txt`.
    dir: PathBuf,
    /// The tool, for files at the top of the directory (a sub-directory's name is the
    /// tool of the files in it; either takes the place of the name a file gives).
    #[arg(long)]
    tool: Option<String>,
    /// A control every result is evidence for (repeatable).
    #[arg(long = "control", value_name = "A.8.8")]
    controls: Vec<String>,
    /// How long the evidence stays current, in days.
    #[arg(long, value_name = "DAYS")]
    valid_for: Option<i64>,
    /// Seconds between looks at the directory. A file is taken once its size and time
    /// stay the same between two looks (a copy in progress is left alone; so are names
    /// starting with a dot and ending in .part or .tmp).
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    interval: u64,
    /// Ingest what is there now and stop (for cron); exit 1 when a file was refused.
    #[arg(long)]
    once: bool,
    /// The member ingesting (recorded in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// What a waiting file looked like at the last look: its size and when it changed.
type Look = (u64, Option<std::time::SystemTime>);

/// The files seen at the last look.
type Seen = std::collections::BTreeMap<PathBuf, Look>;

/// A file waiting in the watched directory.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Waiting {
    path: PathBuf,
    /// The tool its sub-directory names.
    tool: Option<String>,
    look: Look,
}

fn waiting(dir: &std::path::Path) -> std::io::Result<Vec<Waiting>> {
    let mut out = Vec::new();
    let skip = |name: &str| name.starts_with('.') || name.ends_with(".part") || name.ends_with(".tmp");
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if skip(&name) {
            continue;
        }
        // Symbolic links are never followed: whoever may drop files here must not make
        // the watcher read, move or write anything outside it.
        let meta = entry.path().symlink_metadata()?;
        if meta.is_file() {
            out.push(Waiting { path: entry.path(), tool: None, look: (meta.len(), meta.modified().ok()) });
        } else if meta.is_dir() && name != "ingested" && name != "failed" {
            for inner in std::fs::read_dir(entry.path())? {
                let inner = inner?;
                let inner_name = inner.file_name().to_string_lossy().into_owned();
                let meta = inner.path().symlink_metadata()?;
                if meta.is_file() && !skip(&inner_name) {
                    out.push(Waiting {
                        path: inner.path(),
                        tool: Some(name.clone()),
                        look: (meta.len(), meta.modified().ok()),
                    });
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Moves `from` into `dir` (a real directory, not a link) as `name`, not over a file
/// already there.
fn file_away(from: &std::path::Path, dir: &std::path::Path, name: &str) -> std::io::Result<PathBuf> {
    match dir.symlink_metadata() {
        Ok(m) if !m.is_dir() => {
            return Err(std::io::Error::other(format!("{} is not a directory (a link?)", dir.display())));
        }
        Ok(_) => {}
        Err(_) => std::fs::create_dir(dir)?,
    }
    let mut to = dir.join(name);
    let mut n = 1;
    while to.symlink_metadata().is_ok() {
        n += 1;
        to = dir.join(format!("{n}-{name}"));
    }
    std::fs::rename(from, &to)?;
    Ok(to)
}

/// Runs `isms watch`.
pub async fn watch(config: &Config, args: WatchArgs, out: &Out) -> Result<ExitCode, CliError> {
    let stop = super::serve::shutdown_signal()?;
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let actor = super::actor(cx, org, args.as_email.as_deref(), "isms watch").await?;
        // Refused at once, not file by file: ingested results reach any control.
        if actor.require(isms_domain::access::UseCase::EditControls)? != isms_domain::access::Grant::Any {
            return Err(isms_app::AppError::new(
                isms_app::Code::Forbidden,
                "ingested results are evidence for any control: the owner, the ISMS manager or a contributor ingests them",
            )
            .into());
        }
        if !args.dir.is_dir() {
            return Err(bad("DIR", format!("{} is not a directory", args.dir.display())));
        }
        let io = |e: std::io::Error| bad("DIR", format!("{}: {}", args.dir.display(), io_reason(&e)));
        if !args.once {
            out.line(format!("Watching {} every {} s. Stop with Ctrl-C.", args.dir.display(), args.interval.max(1)));
        }
        let mut seen = Seen::new();
        let mut refused = 0usize;
        let mut stop = std::pin::pin!(stop);
        loop {
            for Waiting { path, tool, look } in waiting(&args.dir).map_err(io)? {
                // A file still being written changes between looks; take it when it holds still.
                let steady = args.once || seen.get(&path) == Some(&look);
                seen.insert(path.clone(), look);
                if !steady {
                    continue;
                }
                seen.remove(&path);
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("results").to_owned();
                let done = async {
                    let file = tokio::fs::OpenOptions::new()
                        .read(true)
                        .custom_flags(libc::O_NOFOLLOW)
                        .open(&path)
                        .await
                        .map_err(|e| isms_app::AppError::invalid_field("file", format!("cannot read {name}: {e}")))?;
                    let mut reader = tokio::io::BufReader::new(file);
                    let request = isms_app::checks::IngestRequest {
                        file: name.clone(),
                        format: None,
                        tool: tool.clone().or_else(|| args.tool.clone()),
                        evidence: NewEvidence {
                            targets: args
                                .controls
                                .iter()
                                .map(|c| Target { kind: TargetKind::Control, id: c.clone() })
                                .collect(),
                            valid_for_days: args.valid_for,
                            ..NewEvidence::default()
                        },
                        collected: None,
                    };
                    isms_app::checks::ingest(cx, &actor, request, &mut reader).await
                }
                .await;
                match done {
                    Ok(done) => {
                        let to = file_away(&path, &args.dir.join("ingested"), &format!("{}-{name}", done.run.id))
                            .map_err(io)?;
                        out.line(format!(
                            "{name}: {} ({} result(s), {} failing; checks {}) → {}",
                            done.run.id,
                            done.run.counts.total(),
                            done.run.counts.fail,
                            if done.run.checks.is_empty() { "none".to_owned() } else { done.run.checks.join(", ") },
                            to.display()
                        ));
                        out.doc(&done.run);
                    }
                    // The file itself is refused: filed away with the reason beside it.
                    Err(e) if e.kind == isms_app::ErrorKind::Invalid => {
                        refused += 1;
                        let failed = args.dir.join("failed");
                        let to = file_away(&path, &failed, &name).map_err(io)?;
                        let note = to.with_file_name(format!(
                            "{}.error.txt",
                            to.file_name().and_then(|n| n.to_str()).unwrap_or("file")
                        ));
                        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&note).map_err(io)?;
                        std::io::Write::write_all(&mut file, format!("{}\n", e.message).as_bytes()).map_err(io)?;
                        out.line(format!("{name}: refused: {} → {}", e.message, to.display()));
                    }
                    // Anything else (the database busy, the blob store away, a refusal of
                    // the member) is not the file's fault: it stays and is tried again.
                    Err(e) => {
                        refused += 1;
                        out.line(format!("{name}: not ingested this time, left in place: {}", e.message));
                        if args.once {
                            continue;
                        }
                    }
                }
            }
            if args.once {
                break;
            }
            tokio::select! {
                () = &mut stop => break,
                () = tokio::time::sleep(std::time::Duration::from_secs(args.interval.max(1))) => {}
            }
        }
        Ok(if refused > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
    })
    .await
}
