//! Document formats the reports export to, and rendering a table report in one.

use isms_domain::OrgId;
use isms_domain::access::UseCase;
use isms_pdf::{Block, Document, Section};
use isms_reports::table::Table;

use crate::access::Actor;
use crate::{AppError, AppResult, Code, Cx};

/// A document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFormat {
    /// Excel workbook (formatted, frozen header, filters).
    Xlsx,
    /// Comma-separated values.
    Csv,
    /// Markdown.
    Md,
    /// JSON.
    Json,
    /// A PDF deliverable (title page, approval block, page numbers; see `isms-pdf`).
    Pdf,
}

impl DocFormat {
    /// Parses `xlsx`, `csv`, `md` (or `markdown`) and `json`.
    pub fn parse(s: &str) -> AppResult<Self> {
        match s.trim().to_lowercase().as_str() {
            "xlsx" => Ok(DocFormat::Xlsx),
            "csv" => Ok(DocFormat::Csv),
            "md" | "markdown" => Ok(DocFormat::Md),
            "json" => Ok(DocFormat::Json),
            "pdf" => Ok(DocFormat::Pdf),
            _ => {
                Err(AppError::invalid_field("format", format!("{s:?} is not a format: use xlsx, csv, md, json or pdf")))
            }
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            DocFormat::Xlsx => "xlsx",
            DocFormat::Csv => "csv",
            DocFormat::Md => "md",
            DocFormat::Json => "json",
            DocFormat::Pdf => "pdf",
        }
    }

    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            DocFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            DocFormat::Csv => "text/csv; charset=utf-8",
            DocFormat::Md => "text/markdown; charset=utf-8",
            DocFormat::Json => "application/json",
            DocFormat::Pdf => "application/pdf",
        }
    }
}

/// Why a document could not be made.
pub(crate) fn failed(e: &dyn std::fmt::Display) -> AppError {
    AppError::new(Code::ExportFailed, e.to_string())
}

/// The reports made as PDF deliverables, for the message when another is asked for.
pub const PDF_REPORTS: &str = "the SoA, the risk register and treatment plan, audit reports, management review \
     minutes, the readiness report and the nonconformity register";

/// Renders a table report (PDF: see [`render_report`]).
pub fn render_table(table: &Table, format: DocFormat) -> AppResult<Vec<u8>> {
    let mut bytes = Vec::new();
    match format {
        DocFormat::Pdf => {
            return Err(AppError::invalid_field(
                "format",
                format!("{} is not made as a PDF; PDF is made for {PDF_REPORTS}", table.title),
            ));
        }
        DocFormat::Xlsx => bytes = isms_reports::table::xlsx(table).map_err(|e| failed(&e))?,
        DocFormat::Csv => isms_reports::table::csv(table, &mut bytes).map_err(|e| failed(&e))?,
        DocFormat::Md => isms_reports::table::markdown(table, &mut bytes).map_err(|e| failed(&e))?,
        DocFormat::Json => {
            let rows: Vec<serde_json::Map<String, serde_json::Value>> = table
                .rows
                .iter()
                .map(|r| {
                    table.headers.iter().cloned().zip(r.iter().map(|c| serde_json::Value::from(c.as_str()))).collect()
                })
                .collect();
            let doc = serde_json::json!({ "title": table.title, "subtitle": table.subtitle, "rows": rows });
            bytes = serde_json::to_vec_pretty(&doc).map_err(|e| failed(&e))?;
        }
    }
    Ok(bytes)
}

/// Renders a table report in any format, PDF included: a PDF is the organization's
/// deliverable (its name and logo on the title page, the table over as many pages as
/// it needs, its header repeated on each).
pub async fn render_report(cx: &Cx, actor: &Actor, table: &Table, format: DocFormat) -> AppResult<Vec<u8>> {
    actor.require(UseCase::ReadIsms)?;
    if format != DocFormat::Pdf {
        return render_table(table, format);
    }
    let today = cx.clock.today().to_string();
    let doc = Document {
        title: table.title.clone(),
        organization: String::new(),
        subtitle: table.subtitle.clone(),
        version: format!("As of {today}"),
        generated: today,
        approval: Vec::new(),
        logo: None,
        sections: vec![Section { heading: table.title.clone(), blocks: vec![table_block(table)] }],
    };
    pdf(cx, actor.org(), doc).await
}

/// A table as a PDF block.
pub(crate) fn table_block(table: &Table) -> Block {
    let widths = if table.widths.len() == table.headers.len() { table.widths.clone() } else { Vec::new() };
    Block::Table { headers: table.headers.clone(), rows: table.rows.clone(), widths }
}

/// Renders a PDF deliverable of the organization: its name and logo are filled in, and
/// the layout runs off the async workers (it takes about a second).
pub(crate) async fn pdf(cx: &Cx, org: OrgId, mut doc: Document) -> AppResult<Vec<u8>> {
    if doc.organization.is_empty() {
        doc.organization = cx.read().await?.organization(org).await?.name.to_string();
    }
    doc.logo = crate::branding::logo_of(cx, org).await?;
    tokio::task::spawn_blocking(move || isms_pdf::render(&doc))
        .await
        .map_err(|e| AppError::new(Code::ExportFailed, format!("the PDF could not be made: {e}")))?
        .map_err(|e| failed(&e))
}
