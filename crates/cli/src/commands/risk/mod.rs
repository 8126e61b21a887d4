//! `isms risk ...` and `isms methodology ...`: the risk register, acceptance, import,
//! the reports (heat map, treatment plan, exports), the Open FAIR estimates and
//! simulation, and the methodology.

use isms_app::Code;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use isms_app::export::DocFormat;
use isms_app::{Cx, risks};
use isms_domain::risk::{ActionStatus, HeatMapKind, Methodology, Rating, Risk, TreatmentAction, TreatmentOption};

use super::{OrgArg, actor, bad, parse_date, parse_enum, reader, resolve_org, with_workspace};
use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

mod acceptance;
mod fair;
mod import;
mod methodology;
mod register;
mod reports;

pub use acceptance::*;
pub use fair::*;
pub use import::*;
pub use methodology::*;
pub use register::*;
pub use reports::*;

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

/// Runs a risk subcommand.
pub async fn risk(config: &Config, command: RiskCommand, out: &Out) -> Result<ExitCode, CliError> {
    with_workspace(config, async |cx| risk_inner(cx, command, out).await).await
}

async fn risk_inner(cx: &Cx, command: RiskCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        RiskCommand::List(args) => list(cx, args, out).await?,
        RiskCommand::Show(args) => show(cx, args, out).await?,
        RiskCommand::Add(args) => add(cx, *args, out).await?,
        RiskCommand::Edit(args) => edit(cx, *args, out).await?,
        RiskCommand::Accept(args) => accept(cx, args, out).await?,
        RiskCommand::Delete(args) => delete(cx, args, out).await?,
        RiskCommand::Heatmap(args) => heatmap(cx, args, out).await?,
        RiskCommand::Plan(args) => plan(cx, args, out).await?,
        RiskCommand::Export(args) => export(cx, args, out).await?,
        RiskCommand::Import(args) => import(cx, args, out).await?,
        RiskCommand::Threats => threats(out),
        RiskCommand::Estimate(args) => estimate(cx, *args, out).await?,
        RiskCommand::Simulate(args) => simulate(cx, args, out).await?,
        RiskCommand::Appetite(args) => appetite(cx, args, out).await?,
    }
    Ok(ExitCode::SUCCESS)
}
