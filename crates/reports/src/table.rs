//! A titled table written as XLSX (bold frozen filterable header), CSV or Markdown:
//! the shape of most registers and plans.

use std::io::Write;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

use isms_domain::cells::inert;

use crate::soa::ExportError;
use crate::xlsx_text;

/// A table with a title and a line saying what it is.
#[derive(Debug, Clone)]
pub struct Table {
    /// The sheet or document title.
    pub title: String,
    /// One line under the title (organization, version, date).
    pub subtitle: String,
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows of cells, as many as headers.
    pub rows: Vec<Vec<String>>,
    /// Column widths for XLSX.
    pub widths: Vec<u16>,
}

/// Writes the table as an XLSX workbook.
pub fn xlsx(t: &Table) -> Result<Vec<u8>, ExportError> {
    xlsx_sheets(std::slice::from_ref(t))
}

/// Writes tables as one XLSX workbook, a sheet each (named by the table's title).
pub fn xlsx_sheets(tables: &[Table]) -> Result<Vec<u8>, ExportError> {
    let mut book = crate::workbook();
    let title = Format::new().set_bold().set_font_size(14);
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xE5E7EB))
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let body = Format::new().set_text_wrap().set_align(FormatAlign::Top).set_border(FormatBorder::Hair);
    for t in tables {
        let sheet = book.add_worksheet();
        let name: String = t.title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        sheet.set_name(name)?;
        xlsx_text(sheet, 0, 0, &t.title, &title)?;
        xlsx_text(sheet, 1, 0, &t.subtitle, &Format::new())?;
        let head_row = 3;
        for (c, h) in t.headers.iter().enumerate() {
            sheet.write_string_with_format(head_row, c as u16, h, &header)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                xlsx_text(sheet, head_row + 1 + r as u32, c as u16, cell, &body)?;
            }
        }
        for (c, w) in t.widths.iter().enumerate() {
            sheet.set_column_width(c as u16, *w)?;
        }
        sheet.set_freeze_panes(head_row + 1, 0)?;
        sheet.autofilter(
            head_row,
            0,
            head_row + t.rows.len().max(1) as u32,
            t.headers.len().saturating_sub(1) as u16,
        )?;
    }
    Ok(book.save_to_buffer()?)
}

/// Writes the table as CSV (header row, then the rows).
pub fn csv(t: &Table, out: impl Write) -> Result<(), ExportError> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    w.write_record(t.headers.iter().map(|h| inert(h).into_owned()))?;
    for row in &t.rows {
        w.write_record(row.iter().map(|c| inert(c).into_owned()))?;
    }
    w.flush()?;
    Ok(())
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Writes the table as a Markdown document.
pub fn markdown(t: &Table, mut out: impl Write) -> Result<(), ExportError> {
    writeln!(out, "# {}\n\n{}\n", md_cell(&t.title), md_cell(&t.subtitle))?;
    writeln!(out, "| {} |", t.headers.iter().map(|h| md_cell(h)).collect::<Vec<_>>().join(" | "))?;
    writeln!(out, "|{}", "---|".repeat(t.headers.len()))?;
    for row in &t.rows {
        writeln!(out, "| {} |", row.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_in_csv_cells_stay_text() {
        let t = Table {
            title: "t".into(),
            subtitle: String::new(),
            headers: vec!["a".into()],
            rows: vec![
                vec!["=HYPERLINK(\"x\")".into()],
                vec!["-5".into()],
                vec!["-cmd".into()],
                vec!["@SUM(A1)".into()],
                vec!["plain".into()],
            ],
            widths: vec![],
        };
        let mut out = Vec::new();
        csv(&t, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert!(
            text.contains("\r\n-5\r\n")
                && text.contains("'-cmd")
                && text.contains("'@SUM(A1)")
                && text.contains("\r\nplain"),
            "{text}"
        );
    }
}
