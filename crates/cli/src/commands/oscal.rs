//! `isms oscal export`: the library and the organization's records as OSCAL 1.1.3
//! documents (docs/oscal.md).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::OrgArg;
use crate::config::Config;
use crate::output::{CliError, Out};

/// `isms oscal ...`
#[derive(Debug, Subcommand)]
pub enum OscalCommand {
    /// Export an OSCAL document: catalog (any framework of the library), profile (the
    /// applicable controls of the latest approved SoA, else the draft), ssp (the ISMS
    /// as a system security plan; with --framework, presented against that framework),
    /// poam (the open corrective actions and risk treatment actions), assessment-plan or
    /// assessment-results (of one audit: --audit AUD-001), or mapping (OSCAL 1.2: the
    /// crosswalk from --framework to --to, default iso27001-2022).
    Export(ExportArgs),
    /// Import an OSCAL document: component-definition FILE proposes its implementation
    /// statements for the Annex A controls it reaches (directly or through the
    /// crosswalk), as drafts each control's owner accepts or rejects (`isms control
    /// proposals`). Catalogs and profiles are imported with `isms framework import`.
    Import(ImportArgs),
}

/// Arguments of `isms oscal import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// component-definition.
    kind: String,
    /// The OSCAL JSON file.
    file: PathBuf,
    /// The framework its controls are of, when their `source` does not say.
    #[arg(long, value_name = "ID")]
    framework: Option<String>,
    /// The member importing (recorded in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms oscal export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// catalog, profile, ssp, poam, assessment-plan, assessment-results or mapping.
    kind: String,
    /// The framework (default iso27001-2022).
    #[arg(long, value_name = "ID")]
    framework: Option<String>,
    /// The audit an assessment plan or results is of.
    #[arg(long, value_name = "AUD-NNN")]
    audit: Option<String>,
    /// The framework a mapping leads to (default iso27001-2022).
    #[arg(long, value_name = "ID")]
    to: Option<String>,
    /// The OSCAL version to write: 1.1.3 (default) or 1.2.2 (default for mapping).
    #[arg(long, value_name = "VERSION")]
    oscal_version: Option<String>,
    /// Write the document here (default: standard output).
    #[arg(short, long, value_name = "FILE.json")]
    output: Option<PathBuf>,
    #[command(flatten)]
    org: OrgArg,
}

/// Runs `isms oscal ...`.
pub async fn run(config: &Config, command: OscalCommand, out: &Out) -> Result<ExitCode, CliError> {
    let args = match command {
        OscalCommand::Export(args) => args,
        OscalCommand::Import(args) => return import(config, args, out).await,
    };
    let model = isms_app::oscal::Model::parse(&args.kind)?;
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let options = isms_app::oscal::Options {
            framework: args.framework.as_deref(),
            audit: args.audit.as_deref(),
            to: args.to.as_deref(),
            oscal_version: args.oscal_version.as_deref(),
        };
        let doc = isms_app::oscal::export(cx, &super::reader(org), model, &options).await?;
        let mut text = serde_json::to_string_pretty(&doc)
            .map_err(|e| CliError::error(isms_app::Code::ExportFailed, format!("cannot write the document: {e}")))?;
        match &args.output {
            Some(path) => {
                text.push('\n');
                super::write_output(path, text.as_bytes())?;
                let version = doc
                    .as_object()
                    .and_then(|o| o.values().next())
                    .and_then(|root| root["metadata"]["oscal-version"].as_str())
                    .unwrap_or(isms_oscal::export::OSCAL_VERSION);
                out.line(format!("Wrote {} (OSCAL {version})", path.display()));
            }
            // The document is the output in both modes.
            None if out.is_json() => out.doc(&doc),
            None => out.line(text),
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}

async fn import(config: &Config, args: ImportArgs, out: &Out) -> Result<ExitCode, CliError> {
    match args.kind.trim() {
        "component-definition" => {}
        "catalog" | "profile" => {
            return Err(CliError::bad_input(
                isms_app::Code::Import,
                format!("an OSCAL {} is imported as a framework: `isms framework import FILE`", args.kind.trim()),
            ));
        }
        other => {
            return Err(CliError::bad_input(
                isms_app::Code::Import,
                format!("{other:?} is not an OSCAL import isms makes: use component-definition"),
            ));
        }
    }
    let bytes = std::fs::read(&args.file).map_err(|e| {
        CliError::bad_input(
            isms_app::Code::Import,
            format!("cannot read {}: {}", args.file.display(), crate::config::io_reason(&e)),
        )
    })?;
    let name =
        args.file.file_name().map_or_else(|| args.file.display().to_string(), |n| n.to_string_lossy().into_owned());
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let actor = super::actor(cx, org, args.as_email.as_deref(), "isms oscal import").await?;
        let report =
            isms_app::proposals::import_component_definition(cx, &actor, &name, &bytes, args.framework.as_deref())
                .await?;
        out.doc(&report);
        out.line(format!(
            "{}: {} component(s), {} control(s) implemented; {} proposal(s) made, {} already waiting",
            report.title,
            report.components,
            report.requirements,
            report.proposed.len(),
            report.unchanged
        ));
        for p in &report.proposed {
            let from: Vec<String> = p.from.iter().map(|f| format!("{} ({})", f.item, f.relation)).collect();
            out.line(format!("  {}  {:<8} {} from {}", p.id, p.control, p.component, from.join(", ")));
        }
        if !report.unreached.is_empty() {
            out.line(format!("No Annex A control is reached from: {}", report.unreached.join(", ")));
        }
        out.line(
            "Each control's owner accepts or rejects them: `isms control proposals`, `isms control accept IMP-NNN`.",
        );
        Ok(ExitCode::SUCCESS)
    })
    .await
}
