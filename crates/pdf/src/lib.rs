//! PDF deliverables for the ISMS: a [`Document`] (title page facts, then sections of paragraphs,
//! label/value lists and tables) becomes a consultancy-style US Letter PDF through one function,
//! [`render`].
//!
//! The layout is done by [typst](https://typst.app) used as a library. The template is a real
//! typst file, `templates/report.typ`, compiled into the crate. The document reaches it only as
//! JSON in a virtual file (`/data.json`), and the logo as a second virtual file, so text a user
//! typed is always printed as typed and never interpreted as typst markup or code.
//!
//! What the PDF looks like: a title page (logo, organization, title, subtitle, version, generation
//! date, approval table); then numbered sections; on every page after the first a header
//! (organization · title, small logo); on every page a footer (version, "Page N of M"). Tables
//! have a shaded bold header row that repeats on every page they span, hairline rules and wrapping
//! cells, in 9 pt (8 pt from five columns on).
//!
//! Guarantees:
//! - **Deterministic**: the clock is never read and the PDF's identifier is derived from the
//!   document, so the same `Document` gives byte-identical PDFs.
//! - **Self-contained**: fonts (Noto Sans for text, Droid Sans Fallback for Chinese, Japanese and
//!   Korean, typst's own for symbols; see `fonts/README.md`) are compiled in; nothing is read from
//!   the file system or the network, and no typst package can be imported.
//! - **Errors are values**: a malformed table or a broken logo is a [`PdfError`], never a panic
//!   (even a panic inside typst is caught and returned as [`PdfError::Crashed`]).
//!
//! typst is a large dependency (≈190 crates); it stays inside this crate and no typst type
//! appears in its API.

mod model;
mod world;

use std::panic::AssertUnwindSafe;

use serde::Serialize;
use typst::World;
use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst::ecow::EcoVec;
use typst::foundations::Smart;
use typst::syntax::Source;
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

pub use model::{Block, Document, Logo, LogoFormat, Section};

use world::ReportWorld;

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The bytes given as a logo are not a PNG, JPEG or SVG image.
    #[error("the logo is not a PNG, JPEG or SVG image ({len} bytes that start like none of them)")]
    NotAnImage {
        /// How many bytes were given.
        len: usize,
    },
    /// The document's shape is wrong, e.g. a table row with the wrong number of cells.
    #[error("{0}")]
    Invalid(String),
    /// typst could not lay the document out; the messages are typst's diagnostics.
    #[error("the PDF could not be typeset: {}", .0.join("; "))]
    Typeset(Vec<String>),
    /// typst stopped with a panic (a bug in typst, caught and turned into this error).
    #[error("the PDF could not be typeset: typst failed unexpectedly ({0})")]
    Crashed(String),
}

/// Renders `doc` to the bytes of a PDF file.
///
/// CPU-bound: an eight-page Statement of Applicability (93-row table) takes about 1.3 s in an
/// unoptimized build, the first call in a process a little more (fonts are indexed then).
/// Call it off the async executor's worker threads (`spawn_blocking`). Safe to call from several
/// threads at once.
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    validate(doc)?;

    let logo_path = doc.logo.as_ref().map(|logo| format!("/logo.{}", logo.format().extension()));
    let data = serde_json::to_vec(&TemplateData { doc, logo: logo_path.as_deref() })
        .map_err(|e| PdfError::Invalid(format!("the document could not be encoded: {e}")))?;
    let world = ReportWorld::new(data, logo_path.as_deref().zip(doc.logo.as_ref().map(|logo| logo.bytes().to_vec())));

    let typeset = || {
        let paged = typst::compile::<PagedDocument>(&world)
            .output
            .map_err(|errors| PdfError::Typeset(messages(&world, &errors)))?;
        typst_pdf::pdf(&paged, &pdf_options(doc)).map_err(|errors| PdfError::Typeset(messages(&world, &errors)))
    };
    // typst reports what it knows as diagnostics; a bug inside it would panic instead, and one odd
    // document must not take a server thread down with it.
    let result = std::panic::catch_unwind(AssertUnwindSafe(typeset)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(PdfError::Crashed(what))
    });
    // typst memoizes across compilations; keep only what the last few renders used.
    typst::comemo::evict(10);
    result
}

/// What the template reads from `/data.json`: the document plus the logo's virtual path.
#[derive(Serialize)]
struct TemplateData<'a> {
    #[serde(flatten)]
    doc: &'a Document,
    logo: Option<&'a str>,
}

/// PDF settings that make the output a function of the document alone: no timestamp (the
/// template also sets `date: none`), an identifier derived from the document, a fixed creator.
fn pdf_options(doc: &Document) -> PdfOptions {
    PdfOptions {
        ident: Smart::Custom(format!("isms-pdf\u{1f}{}\u{1f}{}\u{1f}{}", doc.organization, doc.title, doc.version)),
        creator: Smart::Custom(Some("isms".to_owned())),
        timestamp: None,
        ..PdfOptions::default()
    }
}

/// Checks what the template cannot report well itself: tables must be rectangular.
fn validate(doc: &Document) -> Result<(), PdfError> {
    for section in &doc.sections {
        for (n, block) in section.blocks.iter().enumerate() {
            let Block::Table { headers, rows, widths } = block else {
                continue;
            };
            let at = || format!("section {:?}, block {}", section.heading, n + 1);
            if headers.is_empty() {
                return Err(PdfError::Invalid(format!("{}: a table needs at least one column heading", at())));
            }
            if !widths.is_empty() && widths.len() != headers.len() {
                return Err(PdfError::Invalid(format!(
                    "{}: the table has {} column headings but {} column widths",
                    at(),
                    headers.len(),
                    widths.len()
                )));
            }
            if widths.contains(&0) {
                return Err(PdfError::Invalid(format!("{}: a column width of 0 would hide the column", at())));
            }
            if let Some((r, row)) = rows.iter().enumerate().find(|(_, row)| row.len() != headers.len()) {
                return Err(PdfError::Invalid(format!(
                    "{}: row {} has {} cells but the table has {} columns",
                    at(),
                    r + 1,
                    row.len(),
                    headers.len()
                )));
            }
        }
    }
    Ok(())
}

/// typst's errors as sentences, each with its place in the template when it has one.
fn messages(world: &ReportWorld, diagnostics: &EcoVec<SourceDiagnostic>) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let mut message = d.message.to_string();
            if let Some(line) = template_line(world, world.template(), d) {
                message = format!("{message} (templates/report.typ line {line})");
            }
            for hint in &d.hints {
                message.push_str("; hint: ");
                message.push_str(&hint.v);
            }
            message
        })
        .collect()
}

/// The 1-based template line a diagnostic points at, if it points into the template.
fn template_line(world: &ReportWorld, template: &Source, d: &SourceDiagnostic) -> Option<usize> {
    if d.span.id()? != world.main() {
        return None;
    }
    let range = world.range(d.span)?;
    template.lines().byte_to_line(range.start).map(|line| line + 1)
}
