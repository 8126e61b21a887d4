//! Document formats the reports export to, and rendering a table report in one.

use isms_reports::table::Table;

use crate::{AppError, AppResult, Code};

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
}

impl DocFormat {
    /// Parses `xlsx`, `csv`, `md` (or `markdown`) and `json`.
    pub fn parse(s: &str) -> AppResult<Self> {
        match s.trim().to_lowercase().as_str() {
            "xlsx" => Ok(DocFormat::Xlsx),
            "csv" => Ok(DocFormat::Csv),
            "md" | "markdown" => Ok(DocFormat::Md),
            "json" => Ok(DocFormat::Json),
            _ => Err(AppError::invalid_field("format", format!("{s:?} is not a format: use xlsx, csv, md or json"))),
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            DocFormat::Xlsx => "xlsx",
            DocFormat::Csv => "csv",
            DocFormat::Md => "md",
            DocFormat::Json => "json",
        }
    }

    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            DocFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            DocFormat::Csv => "text/csv; charset=utf-8",
            DocFormat::Md => "text/markdown; charset=utf-8",
            DocFormat::Json => "application/json",
        }
    }
}

/// Why a document could not be made.
pub(crate) fn failed(e: &dyn std::fmt::Display) -> AppError {
    AppError::new(Code::ExportFailed, e.to_string())
}

/// Renders a table report.
pub fn render_table(table: &Table, format: DocFormat) -> AppResult<Vec<u8>> {
    let mut bytes = Vec::new();
    match format {
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
