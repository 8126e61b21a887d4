//! `isms package build|verify`: the audit package a certification body keeps, and
//! checking one offline (and, given the workspace, against the audit trail).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{OrgArg, bad};
use crate::config::Config;
use crate::output::{CliError, Out};

/// `isms package ...`
#[derive(Debug, Subcommand)]
pub enum PackageCommand {
    /// Builds the audit package: one ZIP with the SoA version under audit, the risk
    /// treatment plan, the audit report, the nonconformity register, the requests and
    /// samples, the linked evidence and document versions, and manifest.json.
    Build(BuildArgs),
    /// Checks a package: every file against the manifest's SHA-256 (offline), and that
    /// this workspace's audit trail still holds the manifest's head (skip with
    /// --offline). Exit 1 when anything is wrong.
    Verify(VerifyArgs),
}

/// Arguments of `isms package build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The audit, e.g. AUD-003.
    #[arg(long)]
    audit: String,
    /// Where to write the ZIP ("-" for standard output).
    #[arg(short, long)]
    output: PathBuf,
    /// The member building it (the package holds what they may read).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms package verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The package.
    file: PathBuf,
    /// Check the files only, not the audit trail (for whoever holds just the ZIP).
    #[arg(long)]
    offline: bool,
}

/// Runs `isms package ...`.
pub async fn run(config: &Config, command: PackageCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        PackageCommand::Build(args) => {
            super::with_workspace(config, async |cx| {
                let org = super::resolve_org(cx, &args.org.org).await?;
                let actor = super::actor(cx, org, args.as_email.as_deref(), "isms package build").await?;
                let (manifest, zip) = isms_app::package::build_package(cx, &actor, &args.audit).await?;
                super::write_output(&args.output, &zip)?;
                out.doc(&manifest);
                out.line(format!(
                    "Wrote the package of {} to {}: {} files, SoA {}, trail head #{} {}.",
                    manifest.audit,
                    args.output.display(),
                    manifest.files.len() + 1,
                    manifest.soa_version.map_or_else(|| "draft".to_owned(), |v| format!("v{v}")),
                    manifest.trail_head.seq,
                    manifest.trail_head.hash
                ));
                Ok(ExitCode::SUCCESS)
            })
            .await
        }
        PackageCommand::Verify(args) => {
            let bytes = std::fs::read(&args.file)
                .map_err(|e| bad("verify", format!("cannot read {}: {e}", args.file.display())))?;
            let mut check = isms_app::package::verify_package(&bytes);
            let mut trail = "not checked (--offline)".to_owned();
            if let (Some(m), false) = (&check.manifest, args.offline) {
                let head = m.trail_head.clone();
                let org_id = m.organization_id.clone();
                let holds = super::with_workspace(config, async |cx| {
                    let org = super::resolve_org(cx, &Some(org_id.clone())).await?;
                    Ok(isms_app::package::trail_holds(cx, &super::reader(org), &head).await?)
                })
                .await;
                match holds {
                    Ok(true) => trail = format!("holds the head #{} {}", head.seq, head.hash),
                    Ok(false) => {
                        trail = "does not hold the head".to_owned();
                        check.problems.push(format!(
                            "{}: the audit trail no longer holds its head #{} {}",
                            isms_app::package::MANIFEST,
                            head.seq,
                            head.hash
                        ));
                    }
                    Err(e) => {
                        trail = "could not be read".to_owned();
                        check.problems.push(format!(
                            "the audit trail could not be checked ({}); use --offline to check the files only",
                            e.message
                        ));
                    }
                }
            }
            out.doc(&serde_json::json!({
                "ok": check.problems.is_empty(),
                "checked": check.checked,
                "problems": check.problems,
                "trail": trail,
                "manifest": check.manifest,
            }));
            for p in &check.problems {
                out.line(format!("{}: {p}", args.file.display()));
            }
            if check.problems.is_empty() {
                out.line(format!(
                    "{}: intact — {} files match the manifest; the audit trail {trail}.",
                    args.file.display(),
                    check.checked
                ));
                Ok(ExitCode::SUCCESS)
            } else {
                Ok(ExitCode::from(1))
            }
        }
    }
}
