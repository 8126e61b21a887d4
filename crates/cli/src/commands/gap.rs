//! `isms gap-analysis`: per clause and Annex A control, where the organization stands,
//! the target, the gap, the owner and an effort estimate; and the roadmap from today to
//! a target Stage 2, with what makes the plan fail. Exit 1 when the plan cannot work.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use isms_app::Code;
use isms_app::gap::PlanInput;
use isms_domain::roadmap::{GapLevel, Severity};

use super::OrgArg;
use crate::config::Config;
use crate::output::{CliError, Out};

/// Arguments of `isms gap-analysis`.
#[derive(Debug, Args)]
pub struct GapArgs {
    /// The first day of Stage 2 aimed at (YYYY-MM-DD); default: the plan's, else the
    /// Stage 2 planned in isms, else none (the earliest date that can work is shown).
    #[arg(long, value_name = "DATE")]
    target: Option<String>,
    /// A plan (TOML): target, min_operating_days, and [milestones.NAME] start/end for
    /// scope, risk_assessment, risk_treatment, policies, operate_controls,
    /// internal_audit, management_review, stage1, stage2.
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// The fewest days the controls must operate before Stage 2 (default 90).
    #[arg(long, value_name = "DAYS")]
    min_operating_days: Option<i64>,
    /// Write the gap analysis for management: xlsx (gaps and roadmap sheets), md (both),
    /// csv (the gaps) or json, by the file's extension.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write the roadmap as an SVG timeline.
    #[arg(long, value_name = "FILE.svg")]
    roadmap: Option<PathBuf>,
    #[command(flatten)]
    org: OrgArg,
}

/// TOML dates (`2027-06-01` unquoted) as the `YYYY-MM-DD` text the plan reads.
fn plain(v: toml::Value) -> serde_json::Value {
    match v {
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Table(t) => serde_json::Value::Object(t.into_iter().map(|(k, v)| (k, plain(v))).collect()),
        toml::Value::Array(a) => serde_json::Value::Array(a.into_iter().map(plain).collect()),
        other => serde_json::to_value(other).unwrap_or(serde_json::Value::Null),
    }
}

/// Reads the plan file; an error names the file, the line where it can, and the field.
fn read_plan(path: &std::path::Path) -> Result<PlanInput, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        super::bad("--plan", format!("cannot read {}: {}", path.display(), crate::config::io_reason(&e)))
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|e: toml::de::Error| {
        let line = e.span().map_or(1, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        super::bad("--plan", format!("{}, line {line}: {}", path.display(), e.message().trim()))
    })?;
    serde_json::from_value(plain(toml::Value::Table(table)))
        .map_err(|e| super::bad("--plan", format!("{}: {e}", path.display())))
}

/// Runs `isms gap-analysis`.
pub async fn run(config: &Config, args: GapArgs, out: &Out) -> Result<ExitCode, CliError> {
    let mut input = args.plan.as_deref().map(read_plan).transpose()?.unwrap_or_default();
    if let Some(t) = &args.target {
        input.target = Some(isms_domain::dates::parse_text(t).map_err(|m| super::bad("--target", m))?);
    }
    if let Some(days) = args.min_operating_days {
        input.min_operating_days = Some(days);
    }
    let format = super::output_format(args.output.as_deref())?;
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let g = isms_app::gap::gap_analysis(cx, &super::reader(org), &input).await?;
        if let (Some(path), Some(format)) = (&args.output, format) {
            super::write_output(path, &isms_app::gap::gap_report(&g, format)?)?;
        }
        if let Some(path) = &args.roadmap {
            super::write_output(path, isms_app::gap::roadmap_svg(&g).as_bytes())?;
        }
        out.doc(&g);
        out.line(format!("Gap analysis of {}: {}", g.organization, isms_app::gap::summary(&g)));
        for r in g.rows.iter().filter(|r| r.kind == "clause" && r.gap != GapLevel::None) {
            out.line(format!("  {:<7} {} — {}", r.reference, r.title, r.current));
        }
        for level in [GapLevel::Full, GapLevel::Partial, GapLevel::Evidence] {
            let n = g.rows.iter().filter(|r| r.kind == "control" && r.gap == level).count();
            if n > 0 {
                out.line(format!("  controls, gap {}: {n}", level.label()));
            }
        }
        for (owner, days) in g.effort_by_owner.iter().take(5) {
            out.line(format!("  {owner}: about {} person-days", isms_app::gap::person_days(*days)));
        }
        let r = &g.roadmap;
        out.line(format!(
            "Roadmap (target Stage 2 {}; earliest that can work {}):",
            r.target.map_or_else(|| "not set".to_owned(), |d| d.to_string()),
            r.earliest_stage2
        ));
        for m in &r.milestones {
            let src = format!("{:?}", m.source).to_lowercase();
            out.line(format!("  {:<10} {:<10} {:<34} {src}", m.start, m.end, m.label));
        }
        for p in &r.problems {
            let tag = if p.severity == Severity::Blocker { "CANNOT WORK" } else { "warning" };
            out.line(format!("  {tag}: {}", p.message));
        }
        for path in args.output.iter().chain(&args.roadmap) {
            out.line(format!("Wrote {}", path.display()));
        }
        if !r.workable {
            let blockers = r.problems.iter().filter(|p| p.severity == Severity::Blocker).count();
            return Err(CliError::check_failed(
                Code::PlanUnworkable,
                format!("the roadmap cannot work as planned: {blockers} problem(s) above"),
            ));
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
