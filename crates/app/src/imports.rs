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

/// A spreadsheet read for an import: its header (lowercased, trimmed) and its rows,
/// each with the line (CSV) or row number (XLSX) people see in their editor.
#[derive(Debug, Clone)]
pub(crate) struct Sheet {
    /// The header row.
    pub headers: Vec<String>,
    /// The data rows, with their numbers; blank rows are left out.
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Sheet {
    /// The position of the first of `names` the header has.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.headers.iter().position(|h| names.contains(&h.as_str()))
    }
}

/// Reads a CSV file or the first sheet of an XLSX workbook (recognised by its ZIP
/// signature), so a list kept in either imports the same way. XLSX dates become
/// `YYYY-MM-DD`; numbers are written without a trailing `.0`.
pub(crate) fn sheet(name: &str, bytes: &[u8]) -> AppResult<Sheet> {
    let mut lines: Vec<(u64, Vec<String>)> = Vec::new();
    if bytes.starts_with(b"PK\x03\x04") {
        lines = xlsx_rows(name, bytes)?;
    } else {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            AppError::invalid_field("file", format!("{name}: neither an XLSX workbook nor UTF-8 CSV text ({e})"))
        })?;
        let mut rd = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .trim(csv::Trim::All)
            .from_reader(text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes());
        for record in rd.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, csv::Position::line);
                AppError::invalid_field("file", format!("{name}, line {line}: {e}"))
            })?;
            let line = record.position().map_or(0, csv::Position::line);
            if lines.len() >= MAX_SHEET_ROWS as usize {
                return Err(AppError::invalid_field(
                    "file",
                    format!("{name}, line {line}: the list goes beyond {MAX_SHEET_ROWS} rows"),
                ));
            }
            lines.push((line, record.iter().map(|c| isms_domain::cells::restore(c).to_owned()).collect()));
        }
    }
    lines.retain(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    let mut rows = lines.into_iter();
    let (_, headers) =
        rows.next().ok_or_else(|| AppError::invalid_field("file", format!("{name}: the file is empty")))?;
    Ok(Sheet { headers: headers.iter().map(|h| h.trim().to_lowercase()).collect(), rows: rows.collect() })
}

/// The most rows and columns a spreadsheet import reads, and the most its parts may
/// hold once unpacked: a workbook is a ZIP, and a small one can claim a huge sheet.
pub(crate) const MAX_SHEET_ROWS: u32 = 10_000;
pub(crate) const MAX_SHEET_COLUMNS: u32 = 64;
const MAX_UNPACKED: u64 = 64 * 1024 * 1024;

/// The rows of a workbook's first sheet, read cell by cell (never as a grid sized by
/// its farthest cell), refused when it is larger than an import can be.
fn xlsx_rows(name: &str, bytes: &[u8]) -> AppResult<Vec<(u64, Vec<String>)>> {
    use calamine::{DataRef, Reader, Xlsx};
    let bad = |m: String| AppError::invalid_field("file", format!("{name}: {m}"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("not a readable XLSX workbook: {e}")))?;
    let mut unpacked: u64 = 0;
    for i in 0..zip.len() {
        unpacked = unpacked.saturating_add(zip.by_index_raw(i).map_or(u64::MAX, |f| f.size()));
    }
    if unpacked > MAX_UNPACKED {
        return Err(bad(format!(
            "the workbook unpacks to more than {} MiB; an import list is far smaller",
            MAX_UNPACKED >> 20
        )));
    }
    let mut book =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| bad(format!("not a readable XLSX workbook: {e}")))?;
    let first = book.sheet_names().first().cloned().ok_or_else(|| bad("the workbook has no sheet".into()))?;
    let mut cells =
        book.worksheet_cells_reader(&first).map_err(|e| bad(format!("the first sheet cannot be read: {e}")))?;
    let mut rows: std::collections::BTreeMap<u32, Vec<String>> = std::collections::BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(|e| bad(format!("the first sheet cannot be read: {e}")))? {
        let (row, col) = cell.get_position();
        if row >= MAX_SHEET_ROWS || col >= MAX_SHEET_COLUMNS {
            return Err(bad(format!(
                "line {}: the sheet goes beyond {MAX_SHEET_ROWS} rows or {MAX_SHEET_COLUMNS} columns",
                u64::from(row) + 1
            )));
        }
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.trim().to_owned(),
            DataRef::SharedString(s) => s.trim().to_owned(),
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            DataRef::Float(f) => f.to_string(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(d) => excel_day(d.as_f64()).map_or_else(|| d.as_f64().to_string(), |d| d.to_string()),
            DataRef::Error(e) => format!("#{e:?}"),
        };
        let line = rows.entry(row).or_default();
        let col = col as usize;
        if line.len() <= col {
            line.resize(col + 1, String::new());
        }
        line[col] = text;
    }
    Ok(rows.into_iter().map(|(r, cells)| (u64::from(r) + 1, cells)).collect())
}

/// The day of a spreadsheet date serial (days since 1899-12-30).
fn excel_day(serial: f64) -> Option<time::Date> {
    let base = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    #[allow(clippy::cast_possible_truncation)]
    let days = serial.floor() as i64;
    base.checked_add(time::Duration::days(days))
}
