//! isms-reports: documents made from read models, for auditors and spreadsheets.
//! Every writer takes the data and returns bytes or writes to `impl Write`; none
//! touches the store.

pub mod ics;
pub mod risk;
pub mod soa;
pub mod table;

/// A new workbook whose document properties hold a fixed creation time (the ZIP
/// epoch, 1980-01-01), so the same content always makes the same bytes (audit
/// packages are reproducible); when a document was generated is written in it.
pub(crate) fn workbook() -> rust_xlsxwriter::Workbook {
    let mut book = rust_xlsxwriter::Workbook::new();
    if let Ok(epoch) = rust_xlsxwriter::ExcelDateTime::from_ymd(1980, 1, 1) {
        book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&epoch));
    }
    book
}

/// Writes user text into an XLSX cell as text: a string cell is never a formula, and
/// one that would read as a formula when edited or saved as CSV (see
/// [`isms_domain::cells`]) gets the "quote prefix" that keeps it text in every
/// spreadsheet application.
pub(crate) fn xlsx_text(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    if isms_domain::cells::is_formula_like(text) {
        sheet.write_string_with_format(row, col, text, &format.clone().set_quote_prefix())?;
    } else {
        sheet.write_string_with_format(row, col, text, format)?;
    }
    Ok(())
}
