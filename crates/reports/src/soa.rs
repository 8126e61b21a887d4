//! Statement of Applicability exports: XLSX (formatted, frozen header, filterable),
//! CSV (one row per control, version columns on every row so it stands alone and
//! reads back), Markdown and JSON. Each names the version and its approval.

use std::io::Write;

use isms_domain::soa::{ControlStatus, InclusionReason, SoaRow};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};
use serde::Serialize;

/// What an export says about the SoA it shows.
#[derive(Debug, Clone, Serialize)]
pub struct SoaMeta {
    /// The organization.
    pub organization: String,
    /// The version number, or `None` for the unapproved draft.
    pub version: Option<i64>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// When (RFC 3339).
    pub approved_at: Option<String>,
    /// The approval comment.
    pub comment: Option<String>,
    /// When the export was made (RFC 3339).
    pub generated_at: String,
    /// The Annex A themes by id, as the catalog names them (`A.5` → `Organizational controls`).
    pub themes: Vec<(String, String)>,
}

impl SoaMeta {
    /// "Version 2, approved by Dana Whitfield on 2026-11-25" or "Draft — not approved".
    pub fn label(&self) -> String {
        match (self.version, &self.approved_by, &self.approved_at) {
            (Some(n), Some(by), Some(at)) => format!("Version {n}, approved by {by} on {}", &at[..at.len().min(10)]),
            (Some(n), _, _) => format!("Version {n}"),
            _ => "Draft — not approved".to_owned(),
        }
    }
}

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The spreadsheet library failed.
    #[error("cannot write the spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Writing CSV failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Writing failed.
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
    /// A CSV being read back is not an SoA export.
    #[error("line {line}: {message}")]
    Parse {
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// The columns, in order, of the table in every format.
pub const COLUMNS: [&str; 10] = [
    "Theme",
    "Control",
    "Title",
    "Applicable",
    "Reasons for inclusion",
    "Justification for exclusion",
    "Status",
    "Owner",
    "Linked risks",
    "Implementation",
];

/// The theme's short name (`Organizational` for `A.5`).
fn theme_name<'a>(meta: &'a SoaMeta, theme: &str) -> &'a str {
    meta.themes.iter().find(|(id, _)| id == theme).map_or("", |(_, title)| title.trim_end_matches(" controls"))
}

fn reasons(row: &SoaRow) -> String {
    row.reasons.iter().map(|r| r.label()).collect::<Vec<_>>().join("; ")
}

/// A row's cells, in [`COLUMNS`] order.
pub fn cells(meta: &SoaMeta, row: &SoaRow) -> [String; 10] {
    [
        format!("{} {}", row.theme, theme_name(meta, &row.theme)).trim().to_owned(),
        row.control.clone(),
        row.title.clone(),
        if row.applicable { "Yes".to_owned() } else { "No".to_owned() },
        reasons(row),
        row.justification.clone().unwrap_or_default(),
        row.status.label().to_owned(),
        row.owner.clone().unwrap_or_default(),
        row.risks.join("; "),
        row.implementation.clone(),
    ]
}

/// The SoA as an XLSX workbook: a title block naming the version and approval, then
/// the table with a bold, frozen, filterable header, one row per control.
pub fn xlsx(meta: &SoaMeta, rows: &[SoaRow]) -> Result<Vec<u8>, ExportError> {
    let mut book = crate::workbook();
    let sheet = book.add_worksheet();
    sheet.set_name("Statement of Applicability")?;
    let title = Format::new().set_bold().set_font_size(14);
    let note = Format::new().set_italic().set_font_color(Color::RGB(0x4B5563));
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xE5E7EB))
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let body = Format::new().set_text_wrap().set_align(FormatAlign::Top).set_border(FormatBorder::Hair);
    sheet.write_string_with_format(0, 0, format!("Statement of Applicability — {}", meta.organization), &title)?;
    crate::xlsx_text(sheet, 1, 0, &meta.label(), &Format::new())?;
    if let Some(comment) = meta.comment.as_deref().filter(|c| !c.is_empty()) {
        sheet.write_string(1, 4, format!("Approval comment: {comment}"))?;
    }
    sheet.write_string_with_format(
        2,
        0,
        format!(
            "ISO/IEC 27001:2022 Annex A · exported {} by isms",
            &meta.generated_at[..meta.generated_at.len().min(10)]
        ),
        &note,
    )?;
    let head_row = 4;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(head_row, c as u16, *name, &header)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = head_row + 1 + i as u32;
        for (c, value) in cells(meta, row).iter().enumerate() {
            crate::xlsx_text(sheet, r, c as u16, value, &body)?;
        }
    }
    for (c, width) in [18, 10, 42, 11, 30, 42, 22, 22, 16, 60].iter().enumerate() {
        sheet.set_column_width(c as u16, *width)?;
    }
    sheet.set_freeze_panes(head_row + 1, 0)?;
    sheet.autofilter(head_row, 0, head_row + rows.len().max(1) as u32, COLUMNS.len() as u16 - 1)?;
    Ok(book.save_to_buffer()?)
}

/// CSV header: the table's columns, then the version columns.
const CSV_HEADER: [&str; 13] = [
    "theme",
    "control",
    "title",
    "applicable",
    "reasons",
    "justification",
    "status",
    "owner",
    "risks",
    "soa_version",
    "approved_by",
    "approved_at",
    "implementation",
];

/// The SoA as CSV with machine names (`risk_treatment`, `partially_implemented`) so it
/// reads back exactly; every row names the version and approval.
pub fn csv(meta: &SoaMeta, rows: &[SoaRow], out: impl Write) -> Result<(), ExportError> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    w.write_record(CSV_HEADER)?;
    let version = meta.version.map_or_else(|| "draft".to_owned(), |n| n.to_string());
    for row in rows {
        let reasons: Vec<&str> = row.reasons.iter().map(|r| r.as_str()).collect();
        let inert = isms_domain::cells::inert;
        w.write_record([
            &*inert(row.theme.as_str()),
            &*inert(&row.control),
            &*inert(&row.title),
            if row.applicable { "yes" } else { "no" },
            &reasons.join(";"),
            &*inert(row.justification.as_deref().unwrap_or_default()),
            row.status.as_str(),
            &*inert(row.owner.as_deref().unwrap_or_default()),
            &*inert(&row.risks.join(";")),
            &version,
            &*inert(meta.approved_by.as_deref().unwrap_or_default()),
            meta.approved_at.as_deref().unwrap_or_default(),
            &*inert(&row.implementation),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Reads rows back from [`csv`] output.
pub fn rows_from_csv(input: impl std::io::Read) -> Result<Vec<SoaRow>, ExportError> {
    let mut r = csv::Reader::from_reader(input);
    let mut rows = Vec::new();
    for (i, record) in r.records().enumerate() {
        let record = record?;
        let line = i as u64 + 2;
        let bad = |message: String| ExportError::Parse { line, message };
        let get = |n: usize| isms_domain::cells::restore(record.get(n).unwrap_or_default());
        let list = |s: &str| s.split(';').filter(|x| !x.is_empty()).map(ToOwned::to_owned).collect::<Vec<_>>();
        let reasons = list(get(4))
            .iter()
            .map(|x| InclusionReason::parse(x).ok_or_else(|| bad(format!("{x:?} is not a reason"))))
            .collect::<Result<_, _>>()?;
        rows.push(SoaRow {
            theme: get(0).to_owned(),
            control: get(1).to_owned(),
            title: get(2).to_owned(),
            applicable: get(3) == "yes",
            reasons,
            justification: Some(get(5).to_owned()).filter(|s| !s.is_empty()),
            status: ControlStatus::parse(get(6)).ok_or_else(|| bad(format!("{:?} is not a status", get(6))))?,
            owner: Some(get(7).to_owned()).filter(|s| !s.is_empty()),
            risks: list(get(8)),
            implementation: get(12).to_owned(),
        });
    }
    Ok(rows)
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The SoA as a Markdown document: title, version and approval, then the table.
pub fn markdown(meta: &SoaMeta, rows: &[SoaRow], mut out: impl Write) -> Result<(), ExportError> {
    writeln!(out, "# Statement of Applicability — {}\n", md_cell(&meta.organization))?;
    writeln!(out, "{}.", meta.label())?;
    if let Some(comment) = meta.comment.as_deref().filter(|c| !c.is_empty()) {
        writeln!(out, "\nApproval comment: {}", md_cell(comment))?;
    }
    let applicable = rows.iter().filter(|r| r.applicable).count();
    let implemented = rows.iter().filter(|r| r.status == ControlStatus::Implemented).count();
    writeln!(
        out,
        "\nISO/IEC 27001:2022 Annex A: {} controls, {applicable} applicable, {} excluded, {implemented} implemented.\n",
        rows.len(),
        rows.len() - applicable
    )?;
    writeln!(out, "| {} |", COLUMNS.join(" | "))?;
    writeln!(out, "|{}", "---|".repeat(COLUMNS.len()))?;
    for row in rows {
        let cells: Vec<String> = cells(meta, row).iter().map(|c| md_cell(c)).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

/// The SoA as JSON: the metadata and the rows.
pub fn json(meta: &SoaMeta, rows: &[SoaRow]) -> serde_json::Value {
    serde_json::json!({ "statement_of_applicability": meta, "rows": rows })
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};

    use super::*;

    fn sample() -> (SoaMeta, Vec<SoaRow>) {
        let meta = SoaMeta {
            organization: "Acme | Corp".into(),
            version: Some(2),
            approved_by: Some("Dana Whitfield".into()),
            approved_at: Some("2026-11-25T12:00:00Z".into()),
            comment: Some("Annual review".into()),
            generated_at: "2026-11-26T08:00:00Z".into(),
            themes: vec![
                ("A.5".into(), "Organizational controls".into()),
                ("A.8".into(), "Technological controls".into()),
            ],
        };
        let rows = vec![
            SoaRow {
                theme: "A.5".into(),
                control: "A.5.15".into(),
                title: "Access control".into(),
                applicable: true,
                reasons: vec![InclusionReason::RiskTreatment, InclusionReason::Contractual],
                justification: None,
                status: ControlStatus::PartiallyImplemented,
                owner: Some("Priya Raman".into()),
                risks: vec!["R-3".into(), "R-9".into()],
                implementation: "SSO with MFA for every system; quarterly access reviews, | and =formulas kept text"
                    .into(),
            },
            SoaRow {
                theme: "A.7".into(),
                control: "A.7.1".into(),
                title: "Physical security perimeters".into(),
                applicable: false,
                reasons: vec![],
                justification: Some("Fully remote; no offices, \"no\" racks, commas, and\nnew lines.".into()),
                status: ControlStatus::NotApplicable,
                owner: None,
                risks: vec![],
                implementation: String::new(),
            },
        ];
        (meta, rows)
    }

    #[test]
    fn the_xlsx_reads_back_with_a_real_reader_and_has_the_columns() {
        let (meta, rows) = sample();
        let bytes = xlsx(&meta, &rows).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Statement of Applicability").unwrap();
        let text = |r: u32, c: u32| match range.get_value((r, c)) {
            Some(Data::String(s)) => s.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(text(0, 0), "Statement of Applicability — Acme | Corp");
        assert_eq!(text(1, 0), "Version 2, approved by Dana Whitfield on 2026-11-25");
        let header: Vec<String> = (0..10).map(|c| text(4, c)).collect();
        assert_eq!(header, COLUMNS);
        assert!(text(5, 9).starts_with("SSO with MFA"), "the implementation statement is exported");
        assert_eq!(text(5, 1), "A.5.15");
        assert_eq!(text(5, 4), "Risk treatment; Contractual");
        assert_eq!(text(5, 8), "R-3; R-9");
        assert_eq!(text(6, 3), "No");
        assert!(text(6, 5).starts_with("Fully remote"));
        assert_eq!(text(6, 6), "Not applicable");
    }

    #[test]
    fn csv_round_trips_and_names_the_version() {
        let (meta, rows) = sample();
        let mut out = Vec::new();
        csv(&meta, &rows, &mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.lines().nth(1).unwrap().contains(",2,Dana Whitfield,2026-11-25T12:00:00Z,"), "{text}");
        assert_eq!(rows_from_csv(out.as_slice()).unwrap(), rows);
    }

    #[test]
    fn markdown_escapes_pipes_and_names_the_approval() {
        let (meta, rows) = sample();
        let mut out = Vec::new();
        markdown(&meta, &rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("# Statement of Applicability — Acme \\| Corp\n"), "{text}");
        assert!(text.contains("Version 2, approved by Dana Whitfield on 2026-11-25."));
        assert!(text.contains("2 controls, 1 applicable, 1 excluded, 0 implemented"));
        assert_eq!(text.lines().filter(|l| l.starts_with("| A.")).count(), 2);
    }

    #[test]
    fn a_draft_is_labelled_as_not_approved() {
        let (mut meta, _) = sample();
        meta.version = None;
        meta.approved_by = None;
        meta.approved_at = None;
        assert_eq!(meta.label(), "Draft — not approved");
    }
}
