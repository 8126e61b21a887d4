//! Renders documents and reads them back with poppler (`pdftotext`, `pdftoppm`, `pdfimages`).
//!
//! Each test also leaves its PDF and one PNG per page under `target/pdf-pages/<test>/` so a person
//! can look at them. poppler-utils must be installed: without it these tests fail, they do not
//! skip.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    reason = "test helpers fail the test loudly; the timing line is for people reading the output"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use isms_pdf::{Block, Document, Logo, LogoFormat, PdfError, Section, render};

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

/// The 93 controls of ISO/IEC 27001:2022 Annex A: A.5.1–A.5.37, A.6.1–A.6.8, A.7.1–A.7.14,
/// A.8.1–A.8.34.
fn annex_a_ids() -> Vec<String> {
    [(5, 37), (6, 8), (7, 14), (8, 34)]
        .into_iter()
        .flat_map(|(theme, count)| (1..=count).map(move |n| format!("A.{theme}.{n}")))
        .collect()
}

fn soa_document(logo: Option<Logo>) -> Document {
    let rows = annex_a_ids()
        .into_iter()
        .enumerate()
        .map(|(i, id)| {
            vec![
                id,
                format!("Control title number {}", i + 1),
                if i % 7 == 3 { "No" } else { "Yes" }.to_owned(),
                format!(
                    "Justification {}: required by risk treatment plan entries and by contractual \
                     obligations towards customers; reviewed at the last management review.",
                    i + 1
                ),
                if i % 3 == 0 { "Implemented" } else { "Partially implemented" }.to_owned(),
            ]
        })
        .collect();
    Document {
        title: "Statement of Applicability".into(),
        organization: "Northwind Analytics Inc.".into(),
        subtitle: "Version 3 · approved 2026-11-02".into(),
        version: "SoA v3".into(),
        generated: "2026-12-07".into(),
        approval: vec![
            ("Prepared by".into(), "Sam Ortega, ISMS Manager".into()),
            ("Approved by".into(), "Dana Whitfield, Chief Executive Officer".into()),
            ("Approval date".into(), "2026-11-02".into()),
        ],
        logo,
        sections: vec![
            Section {
                heading: "Purpose and scope".into(),
                blocks: vec![
                    Block::Paragraph(
                        "This Statement of Applicability lists the controls of ISO/IEC 27001:2022 \
                         Annex A, states whether each is applicable, why, and how far it is \
                         implemented.\n\nIt covers the analytics platform and the teams operating it."
                            .into(),
                    ),
                    Block::Facts(vec![
                        ("Scope".into(), "Analytics platform, offices in Seattle and Austin".into()),
                        ("Controls applicable".into(), "80 of 93".into()),
                        ("Owner".into(), "ISMS Manager".into()),
                    ]),
                ],
            },
            Section {
                heading: "Controls".into(),
                blocks: vec![Block::Table {
                    headers: ["Control", "Title", "Applicable", "Justification", "Status"].map(String::from).to_vec(),
                    rows,
                    widths: vec![2, 4, 2, 8, 3],
                }],
            },
        ],
    }
}

fn small_document(logo: Option<Logo>) -> Document {
    Document {
        title: "Risk Treatment Plan".into(),
        organization: "Northwind Analytics Inc.".into(),
        subtitle: "Draft for review".into(),
        version: "2026-12-07".into(),
        generated: "2026-12-07".into(),
        approval: vec![],
        logo,
        sections: vec![Section {
            heading: "Summary".into(),
            blocks: vec![Block::Paragraph("Three risks remain above appetite.".into())],
        }],
    }
}

/// A 16×16 PNG (blue and white squares), encoded by hand: stored deflate block, CRC-32, Adler-32.
fn tiny_png() -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    fn adler32(bytes: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &x in bytes {
            a = (a + u32::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }
    fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        png.extend(u32::try_from(data.len()).unwrap().to_be_bytes());
        let start = png.len();
        png.extend(kind);
        png.extend(data);
        let crc = crc32(&png[start..]);
        png.extend(crc.to_be_bytes());
    }
    let size = 16u32;
    let mut raw = Vec::new();
    for y in 0..size {
        raw.push(0); // filter: none
        for x in 0..size {
            raw.extend(if (x / 4 + y / 4) % 2 == 0 { [29, 78, 137] } else { [255, 255, 255] });
        }
    }
    let len = u16::try_from(raw.len()).unwrap();
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend(len.to_le_bytes());
    zlib.extend((!len).to_le_bytes());
    zlib.extend(&raw);
    zlib.extend(adler32(&raw).to_be_bytes());

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(size.to_be_bytes());
    ihdr.extend(size.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}

const SVG_LOGO: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
  <rect x="0" y="0" width="40" height="40" rx="6" fill="#1d4e89"/>
  <path d="M10 28 L20 12 L30 28 Z" fill="#ffffff"/>
  <text x="48" y="27" font-family="sans-serif" font-size="16" fill="#1d4e89">NWA</text>
</svg>"##;

// ---------------------------------------------------------------------------------------------
// poppler
// ---------------------------------------------------------------------------------------------

/// Runs a poppler tool; a missing tool fails the test with how to install it.
fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("could not run `{tool}` ({e}): these tests need poppler-utils — install it with `apt-get install poppler-utils`")
    });
    assert!(output.status.success(), "`{tool} {}` failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("poppler prints UTF-8")
}

/// A rendered PDF on disk, in `target/pdf-pages/<name>/` with a PNG of each page beside it.
struct Rendered {
    pdf: PathBuf,
    pages: usize,
}

impl Rendered {
    fn new(name: &str, bytes: &[u8]) -> Self {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pdf-pages").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let pdf = dir.join("document.pdf");
        std::fs::write(&pdf, bytes).unwrap();
        let pdf_arg = pdf.to_str().unwrap();
        poppler("pdftoppm", &["-r", "60", "-png", pdf_arg, dir.join("page").to_str().unwrap()]);
        let pngs = std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "png"))
            .count();
        // pdftotext ends every page with a form feed.
        let pages = poppler("pdftotext", &["-layout", pdf_arg, "-"]).matches('\u{c}').count();
        assert_eq!(pngs, pages, "pdftoppm and pdftotext disagree on the number of pages");
        Self { pdf, pages }
    }

    fn text(&self) -> String {
        poppler("pdftotext", &["-layout", self.pdf.to_str().unwrap(), "-"])
    }

    /// The text in the order it was drawn (`pdftotext -raw`): a wrapped table cell reads as one
    /// run instead of being interleaved with its neighbours as in the layout view.
    fn raw_text(&self) -> String {
        poppler("pdftotext", &["-raw", self.pdf.to_str().unwrap(), "-"])
    }

    fn page_text(&self, page: usize) -> String {
        let n = page.to_string();
        poppler("pdftotext", &["-layout", "-f", &n, "-l", &n, self.pdf.to_str().unwrap(), "-"])
    }

    /// `pdfimages -list` rows as (page, type) pairs.
    fn images(&self) -> Vec<(usize, String)> {
        poppler("pdfimages", &["-list", self.pdf.to_str().unwrap()])
            .lines()
            .skip(2)
            .map(|line| {
                let cols: Vec<&str> = line.split_whitespace().collect();
                (cols[0].parse().unwrap(), cols[2].to_owned())
            })
            .collect()
    }
}

/// Text with every run of white space made one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn words(text: &str) -> BTreeSet<&str> {
    text.split_whitespace().collect()
}

/// Text with all white space (and any zero-width break opportunities) removed: a long word that
/// was wrapped over several lines reads whole again.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && *c != '\u{200B}').collect()
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn a_93_row_table_spans_pages_with_its_header_on_each() {
    let doc = soa_document(None);
    let started = Instant::now();
    let first = render(&doc).unwrap();
    let cold = started.elapsed();
    // typst memoizes: render a slightly different document to time a warm, uncached render.
    let changed = Document { generated: "2026-12-08".into(), ..soa_document(None) };
    let started = Instant::now();
    render(&changed).unwrap();
    println!(
        "render of the 93-row Statement of Applicability: {cold:?} (first in the process, fonts \
         and library loaded), {:?} (a changed document); {} bytes",
        started.elapsed(),
        first.len()
    );
    let pdf = Rendered::new("a_93_row_table", &first);

    let text = pdf.text();
    let found = words(&text);
    let ids = annex_a_ids();
    assert_eq!(ids.len(), 93);
    for id in &ids {
        assert!(found.contains(id.as_str()), "row {id} is missing from the PDF text");
    }
    assert!(pdf.pages > 2, "93 rows should take several pages, got {}", pdf.pages);

    // The pages the table is on: those where a row id appears.
    let mut table_pages = Vec::new();
    for page in 1..=pdf.pages {
        let page_text = pdf.page_text(page);
        assert!(
            page_text.contains(&format!("Page {page} of {}", pdf.pages)),
            "page {page} has no \"Page {page} of {}\" footer:\n{page_text}",
            pdf.pages
        );
        if page > 1 {
            assert!(
                one_line(&page_text).contains("Northwind Analytics Inc. · Statement of Applicability"),
                "page {page} has no running header:\n{page_text}"
            );
        }
        let Some(first_row) = ids.iter().filter_map(|id| page_text.find(&format!("{id} "))).min() else {
            continue;
        };
        table_pages.push(page);
        for heading in ["Control", "Applicable", "Justification", "Status"] {
            let at = page_text.find(heading);
            assert!(
                at.is_some_and(|at| at < first_row),
                "page {page}: the table's header {heading:?} does not come before its first row:\n{page_text}"
            );
        }
    }
    assert!(table_pages.len() >= 2, "the table should span pages, it is on {table_pages:?}");
    assert_eq!(
        table_pages.windows(2).filter(|w| w[1] != w[0] + 1).count(),
        0,
        "the table's pages should be consecutive: {table_pages:?}"
    );

    // The title page: title, organization, approval block.
    let title_page = pdf.page_text(1);
    for expected in ["Statement of Applicability", "NORTHWIND ANALYTICS INC.", "Dana Whitfield", "SoA v3", "2026-12-07"]
    {
        assert!(title_page.contains(expected), "the title page lacks {expected:?}:\n{title_page}");
    }
}

#[test]
fn hostile_strings_are_printed_as_typed() {
    let long_word = "Supercalifragilistic".repeat(12) + "END";
    let hostile = [
        r#"#panic("x")"#,
        "*bold*",
        "$x$",
        "<label>",
        "@ref",
        r"back\slash",
        "close]bracket",
        "not // a comment",
        "_under_ `raw` #let x = 1",
        "Zürich – ✓ 日本",
        "quotes \"double\" and 'single' -- --- ...",
    ];
    let mut doc = small_document(None);
    doc.title = format!("Title {}", hostile[0]);
    doc.organization = format!("Org {}", hostile[1]);
    doc.subtitle = format!("Subtitle {}", hostile[2]);
    doc.version = format!("v {}", hostile[3]);
    doc.generated = hostile[4].into();
    doc.approval = vec![(hostile[5].into(), hostile[6].into())];
    doc.sections = vec![Section {
        heading: format!("Heading {}", hostile[7]),
        blocks: vec![
            Block::Paragraph(hostile.join("\n\n")),
            Block::Paragraph(format!("A long word: {long_word} ends here.")),
            Block::Facts(hostile.iter().map(|s| ((*s).to_owned(), (*s).to_owned())).collect()),
            Block::Table {
                headers: vec!["Id".into(), "Text".into(), "More".into()],
                rows: hostile.iter().map(|s| vec![(*s).to_owned(), (*s).to_owned(), long_word.clone()]).collect(),
                widths: vec![],
            },
        ],
    }];

    let pdf = Rendered::new("hostile_strings", &render(&doc).unwrap());
    let text = pdf.text();
    let all = squeezed(&pdf.raw_text());
    for s in hostile {
        // Whole on one line in the paragraph, where every string has a line of its own…
        assert!(text.contains(s), "{s:?} is not in the PDF text as typed:\n{text}");
        // …and also in both fact columns and two table cells, where the narrower ones may wrap.
        let n = all.matches(&squeezed(s)).count();
        assert!(n >= 5, "{s:?} appears only {n} times:\n{text}");
    }
    // A word too long for a line or a cell is wrapped, never cut off or lost.
    assert!(all.matches(&long_word).count() > hostile.len(), "the long word is not all there:\n{text}");
}

#[test]
fn the_same_document_renders_to_the_same_bytes() {
    let doc = soa_document(Some(Logo::new(SVG_LOGO.as_bytes().to_vec()).unwrap()));
    let first = render(&doc).unwrap();
    // Something else in between, so typst's caches hold other things.
    let other = render(&small_document(None)).unwrap();
    let second = render(&doc).unwrap();
    assert!(first == second, "two renders of the same document differ");
    assert_ne!(first, other);

    let changed = Document { generated: "2026-12-08".into(), ..doc };
    assert_ne!(render(&changed).unwrap(), first, "a changed document must not render the same");

    // No clock or random identifier slips in: no creation date is written at all.
    let info = poppler("pdfinfo", &["-isodates", Rendered::new("deterministic", &first).pdf.to_str().unwrap()]);
    assert!(!info.contains("CreationDate"), "the PDF carries a creation date:\n{info}");
}

#[test]
fn a_png_logo_is_on_the_title_page_and_in_every_header() {
    let logo = Logo::new(tiny_png()).unwrap();
    assert_eq!(logo.format(), LogoFormat::Png);
    let pdf = Rendered::new("png_logo", &render(&soa_document(Some(logo))).unwrap());
    let images = pdf.images();
    for page in 1..=pdf.pages {
        assert!(images.iter().any(|(p, kind)| *p == page && kind == "image"), "page {page} shows no logo: {images:?}");
    }
}

#[test]
fn an_svg_logo_renders() {
    let logo = Logo::new(SVG_LOGO.as_bytes().to_vec()).unwrap();
    assert_eq!(logo.format(), LogoFormat::Svg);
    let pdf = Rendered::new("svg_logo", &render(&small_document(Some(logo))).unwrap());
    assert_eq!(pdf.pages, 2);
    assert!(pdf.page_text(2).contains("Three risks remain above appetite."));
}

#[test]
fn a_logo_that_is_no_image_is_refused() {
    let err = Logo::new(b"%PDF-1.7 not a logo".to_vec()).unwrap_err();
    assert!(matches!(err, PdfError::NotAnImage { len: 19 }), "{err:?}");
    assert!(err.to_string().contains("not a PNG, JPEG or SVG image"), "{err}");
    assert!(Logo::sniff(b"GIF89a".to_vec()).is_none());

    // Right magic bytes, broken image: refused when rendering, as an error, not a panic.
    let broken = Logo::new(b"\x89PNG\r\n\x1a\nthis is not a PNG".to_vec()).unwrap();
    let err = render(&small_document(Some(broken))).unwrap_err();
    assert!(matches!(err, PdfError::Typeset(_)), "{err:?}");
    assert!(err.to_string().to_lowercase().contains("image"), "{err}");
}

#[test]
fn a_ragged_table_is_refused() {
    let mut doc = small_document(None);
    doc.sections[0].blocks.push(Block::Table {
        headers: vec!["Id".into(), "Text".into()],
        rows: vec![vec!["R1".into(), "ok".into()], vec!["R2".into()]],
        widths: vec![],
    });
    let err = render(&doc).unwrap_err();
    assert_eq!(err.to_string(), "section \"Summary\", block 2: row 2 has 1 cells but the table has 2 columns");

    doc.sections[0].blocks.pop();
    doc.sections[0].blocks.push(Block::Table { headers: vec!["Id".into()], rows: vec![], widths: vec![1, 2] });
    assert!(render(&doc).unwrap_err().to_string().contains("1 column headings but 2 column widths"));
}

#[test]
fn empty_and_odd_content_renders() {
    let doc = Document {
        title: String::new(),
        organization: String::new(),
        subtitle: "tab\there, NUL \u{0} bell \u{7} CR\r\nLF, RTL שלום, emoji 🔒, combining e\u{301}".into(),
        version: String::new(),
        generated: String::new(),
        approval: vec![(String::new(), String::new())],
        logo: None,
        sections: vec![
            Section { heading: String::new(), blocks: vec![] },
            Section {
                heading: "Empty blocks".into(),
                blocks: vec![
                    Block::Paragraph(String::new()),
                    Block::Paragraph("\n\n\n".into()),
                    Block::Facts(vec![]),
                    Block::Table { headers: vec!["Only a header".into()], rows: vec![], widths: vec![] },
                    Block::Table {
                        headers: vec![String::new(); 12],
                        rows: vec![vec!["x".repeat(80); 12]],
                        widths: vec![],
                    },
                ],
            },
        ],
    };
    let pdf = Rendered::new("empty_and_odd", &render(&doc).unwrap());
    let text = pdf.text();
    assert!(text.contains("Empty blocks") && text.contains("Only a header"), "{text}");
    assert!(text.contains("שלום") || text.contains("םולש"), "{text}");
}

#[test]
fn a_document_without_sections_is_its_title_page() {
    let mut doc = small_document(None);
    doc.sections.clear();
    let pdf = Rendered::new("title_page_only", &render(&doc).unwrap());
    assert_eq!(pdf.pages, 1);
    assert!(pdf.page_text(1).contains("Page 1 of 1"));
}
