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
    /// Checks a package: the manifest's signature, every file against its SHA-256, and
    /// that the ZIP is exactly as isms writes it (offline); then that the manifest is
    /// signed with this organization's key and its audit trail still holds the head
    /// (skip with --offline). Exit 1 when anything is wrong.
    Verify(VerifyArgs),
    /// The organization's package-signing key (public half, hex): give it to the
    /// certification body so it can tell your packages from forgeries.
    Key(OrgArg),
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
        PackageCommand::Key(org) => {
            super::with_workspace(config, async |cx| {
                let org = super::resolve_org(cx, &org.org).await?;
                let key = isms_app::package::signing_key_of(cx, &super::reader(org)).await?;
                out.doc(&serde_json::json!({ "signing_key": key }));
                out.line(key);
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
                let manifest = m.clone();
                let found = super::with_workspace(config, async |cx| {
                    let org = super::resolve_org(cx, &Some(manifest.organization_id.clone())).await?;
                    Ok(isms_app::package::check_in_workspace(cx, &super::reader(org), &manifest).await?)
                })
                .await;
                match found {
                    Ok(p) if p.is_empty() => {
                        trail = format!(
                            "holds the head #{} {}, and the manifest is signed with this organization's key",
                            m.trail_head.seq, m.trail_head.hash
                        );
                    }
                    Ok(p) => {
                        trail = "does not confirm the package".to_owned();
                        check.problems.extend(p);
                    }
                    Err(e) => {
                        trail = "could not be read".to_owned();
                        check.problems.push(format!(
                            "the workspace could not be checked ({}); use --offline to check the files only",
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
                    "{}: intact — {} files match the manifest, signed with key {}; the audit trail {trail}.",
                    args.file.display(),
                    check.checked,
                    check.manifest.as_ref().map_or("", |m| m.signing_key.as_str())
                ));
                Ok(ExitCode::SUCCESS)
            } else {
                Ok(ExitCode::from(1))
            }
        }
    }
}
