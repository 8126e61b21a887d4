//! `isms risk import`: risks from CSV.

use super::*;

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

pub(super) async fn import(cx: &Cx, args: ImportArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let actor = actor(cx, org, args.as_email.as_deref(), "isms risk import").await?;
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| bad("import", format!("cannot read {}: {}", args.file.display(), io_reason(&e))))?;
    let (rows, done) = (crate::commands::csv_rows(&text), std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0)));
    let work = risks::import_risks_csv(cx, &actor, &text, args.skip_bad_rows, &done);
    let report = crate::commands::with_progress(out, 2 * rows, rows >= 500, done.clone(), work).await?;
    out.doc(&report);
    crate::commands::rows_refused(out, &args.file, &report.errors, report.stored)?;
    out.line(format!("Imported {}.", isms_domain::text::plural(report.created.len(), "risk", "risks")));
    Ok(())
}
