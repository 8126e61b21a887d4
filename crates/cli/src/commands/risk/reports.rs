//! The risk reports: `isms risk heatmap`, `plan` and `export`.

use super::*;

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
    /// A PDF deliverable (title page, page numbers, headers repeated).
    Pdf,
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

pub(super) async fn heatmap(cx: &Cx, args: HeatmapArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let kind = parse_enum::<HeatMapKind>("--which", &args.which, "inherent, residual")?;
    let (m, counts) = risks::heat_map(cx, &reader(org), kind).await?;
    let name = isms_app::users::organizations(cx)
        .await?
        .into_iter()
        .find(|o| o.id == org)
        .map(|o| o.name.to_string())
        .unwrap_or_default();
    let title = format!("{} risk — {name}", if kind == HeatMapKind::Inherent { "Inherent" } else { "Residual" });
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
    Ok(())
}

pub(super) async fn plan(cx: &Cx, args: OrgArg, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org).await?;
    let plan = risks::treatment_plan(cx, &reader(org)).await?;
    out.doc(&plan);
    if plan.is_empty() {
        out.line(
            "The treatment plan has no actions yet: add them with `isms risk edit ID --action \"TITLE|OWNER|DUE\"`.",
        );
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
    Ok(())
}

pub(super) async fn export(cx: &Cx, args: ExportArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let report = match args.what {
        ExportWhat::Register => risks::RiskReport::Register,
        ExportWhat::Plan => risks::RiskReport::Plan,
    };
    let table = risks::risk_table(cx, &reader(org), report).await?;
    let fail = |e: &dyn std::fmt::Display| {
        CliError::error(Code::Export, format!("cannot write {}: {e}", args.output.display()))
    };
    let format = match args.format {
        ExportFormat::Xlsx => DocFormat::Xlsx,
        ExportFormat::Csv => DocFormat::Csv,
        ExportFormat::Md => DocFormat::Md,
        ExportFormat::Pdf => DocFormat::Pdf,
    };
    let bytes = isms_app::export::render_report(cx, &reader(org), &table, format).await.map_err(|e| fail(&e))?;
    if args.output.as_os_str() == "-" {
        if matches!(args.format, ExportFormat::Xlsx | ExportFormat::Pdf) {
            return Err(bad("-o", "an XLSX workbook or a PDF cannot go to standard output; name a file"));
        }
        use std::io::Write;
        std::io::stdout().lock().write_all(&bytes).map_err(|e| fail(&io_reason(&e)))?;
    } else {
        std::fs::write(&args.output, &bytes).map_err(|e| fail(&io_reason(&e)))?;
        out.doc(&serde_json::json!({ "file": args.output, "rows": table.rows.len() }));
        out.line(format!("Wrote {} ({} rows) to {}.", table.title, table.rows.len(), args.output.display()));
    }
    Ok(())
}
