//! What every CSV import shares: the header check and the row errors it reports (file,
//! line, column, what is wrong). Assets and risks import this way.

use serde::Serialize;

use crate::{AppError, AppResult};

/// One bad row of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RowError {
    /// 1-based line of the file.
    pub line: u64,
    /// The column (or field).
    pub column: String,
    /// What is wrong.
    pub message: String,
}

/// Reads a CSV's header (lowercased) and refuses it when a `required` column is
/// missing, naming the columns a file may have (`listed`).
pub(crate) fn header(reader: &mut csv::Reader<&[u8]>, required: &[&str], listed: &[&str]) -> AppResult<Vec<String>> {
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::invalid_field("file", format!("line 1: {e}")))?
        .iter()
        .map(str::to_lowercase)
        .collect();
    for needed in required {
        if !headers.iter().any(|h| h == needed) {
            return Err(AppError::invalid_field(
                "file",
                format!("line 1: the header has no {needed} column (columns: {})", listed.join(", ")),
            ));
        }
    }
    Ok(headers)
}

/// A reader over CSV text: flexible rows, fields trimmed.
pub(crate) fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes())
}
