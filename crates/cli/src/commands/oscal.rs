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
    /// assessment-results (of one audit: --audit AUD-001).
    Export(ExportArgs),
}

/// Arguments of `isms oscal export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// catalog, profile, ssp, poam, assessment-plan or assessment-results.
    kind: String,
    /// The framework (default iso27001-2022).
    #[arg(long, value_name = "ID")]
    framework: Option<String>,
    /// The audit an assessment plan or results is of.
    #[arg(long, value_name = "AUD-NNN")]
    audit: Option<String>,
    /// Write the document here (default: standard output).
    #[arg(short, long, value_name = "FILE.json")]
    output: Option<PathBuf>,
    #[command(flatten)]
    org: OrgArg,
}

/// Runs `isms oscal ...`.
pub async fn run(config: &Config, command: OscalCommand, out: &Out) -> Result<ExitCode, CliError> {
    let OscalCommand::Export(args) = command;
    let model = isms_app::oscal::Model::parse(&args.kind)?;
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let options = isms_app::oscal::Options { framework: args.framework.as_deref(), audit: args.audit.as_deref() };
        let doc = isms_app::oscal::export(cx, &super::reader(org), model, &options).await?;
        let mut text = serde_json::to_string_pretty(&doc)
            .map_err(|e| CliError::error(isms_app::Code::ExportFailed, format!("cannot write the document: {e}")))?;
        match &args.output {
            Some(path) => {
                text.push('\n');
                super::write_output(path, text.as_bytes())?;
                out.line(format!("Wrote {} (OSCAL {})", path.display(), isms_oscal::export::OSCAL_VERSION));
            }
            // The document is the output in both modes.
            None if out.is_json() => out.doc(&doc),
            None => out.line(text),
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
