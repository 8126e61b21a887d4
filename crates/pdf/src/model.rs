//! The document model a caller fills in: plain strings and lists, nothing typst-specific.

use std::fmt;

use serde::Serialize;

use crate::PdfError;

/// A deliverable: a title page followed by numbered sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// The document's title, e.g. "Statement of Applicability".
    pub title: String,
    /// The organization the document is for, shown on the title page and in every page header.
    pub organization: String,
    /// One line under the title, e.g. "Version 3 · approved 2026-11-02".
    pub subtitle: String,
    /// A short version label, e.g. "SoA v3"; shown on the title page and in every page footer.
    pub version: String,
    /// The generation date as the caller wants it printed. The crate never reads the clock, so
    /// the same document always renders to the same bytes.
    pub generated: String,
    /// Label/value rows of the approval block on the title page, e.g.
    /// `("Approved by", "Dana Whitfield")`. Left out when empty.
    pub approval: Vec<(String, String)>,
    /// Shown on the title page and, small, in the header of every other page.
    #[serde(skip)]
    pub logo: Option<Logo>,
    /// The body of the document, in order.
    pub sections: Vec<Section>,
}

/// A numbered section with a heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// The heading, numbered by the template ("1. Scope").
    pub heading: String,
    /// The section's content, in order.
    pub blocks: Vec<Block>,
}

/// One piece of a section's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Block {
    /// Running text. A blank line starts a new paragraph; a single line break is kept.
    Paragraph(String),
    /// A two-column label/value list.
    Facts(Vec<(String, String)>),
    /// A table whose shaded header row repeats on every page it spans.
    Table {
        /// The column headings; there must be at least one.
        headers: Vec<String>,
        /// The rows; each has exactly one cell per heading.
        rows: Vec<Vec<String>>,
        /// Relative column widths (e.g. `[1, 4, 2]`), one per heading and each at least 1;
        /// empty lets the columns size themselves to their content.
        widths: Vec<u16>,
    },
}

/// The image formats a logo may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogoFormat {
    /// Portable Network Graphics.
    Png,
    /// JPEG (JFIF or Exif).
    Jpeg,
    /// Scalable Vector Graphics (UTF-8 text).
    Svg,
}

impl LogoFormat {
    /// Recognises PNG, JPEG and SVG by their first bytes; anything else is `None`.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Some(Self::Png);
        }
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Some(Self::Jpeg);
        }
        looks_like_svg(bytes).then_some(Self::Svg)
    }

    /// The file extension typst recognises the format by.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Svg => "svg",
        }
    }
}

/// Whether `bytes` start like an SVG document: optional BOM, whitespace, an XML declaration,
/// comments or a doctype, then an `<svg` element, all within the first 4 KiB.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // The cut may fall inside a multi-byte character: only the valid prefix matters.
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default(),
    };
    let mut rest = text.trim_start();
    loop {
        if rest.starts_with("<svg") {
            return true;
        }
        let skipped = if rest.starts_with("<?xml") {
            rest.find("?>").map(|end| end + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|end| end + 3)
        } else if rest.starts_with("<!DOCTYPE") || rest.starts_with("<!doctype") {
            rest.find('>').map(|end| end + 1)
        } else {
            None
        };
        match skipped {
            Some(end) => rest = rest[end..].trim_start(),
            None => return false,
        }
    }
}

/// A logo image whose format has been recognised from its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Logo {
    bytes: Vec<u8>,
    format: LogoFormat,
}

impl Logo {
    /// Accepts `bytes` if they are a PNG, JPEG or SVG image (recognised by their first bytes).
    /// Whether the image inside is intact is only known when it is rendered.
    pub fn new(bytes: Vec<u8>) -> Result<Self, PdfError> {
        match LogoFormat::sniff(&bytes) {
            Some(format) => Ok(Self { bytes, format }),
            None => Err(PdfError::NotAnImage { len: bytes.len() }),
        }
    }

    /// Like [`Logo::new`], for callers that only want to know whether it is an image.
    pub fn sniff(bytes: Vec<u8>) -> Option<Self> {
        Self::new(bytes).ok()
    }

    /// The recognised format.
    pub fn format(&self) -> LogoFormat {
        self.format
    }

    /// The image bytes as given.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Logo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logo").field("format", &self.format).field("len", &self.bytes.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_three_formats_and_nothing_else() {
        assert_eq!(LogoFormat::sniff(b"\x89PNG\r\n\x1a\nrest"), Some(LogoFormat::Png));
        assert_eq!(LogoFormat::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(LogoFormat::Jpeg));
        assert_eq!(LogoFormat::sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), Some(LogoFormat::Svg));
        assert_eq!(
            LogoFormat::sniff(b"\xEF\xBB\xBF <?xml version=\"1.0\"?>\n<!-- made by hand -->\n<!DOCTYPE svg>\n<svg/>"),
            Some(LogoFormat::Svg)
        );
        assert_eq!(LogoFormat::sniff(b"%PDF-1.7"), None);
        assert_eq!(LogoFormat::sniff(b"<html><svg/></html>"), None);
        assert_eq!(LogoFormat::sniff(b"GIF89a"), None);
        assert_eq!(LogoFormat::sniff(b""), None);
        assert_eq!(LogoFormat::sniff(b"<?xml version=\"1.0\""), None);
    }

    #[test]
    fn blocks_serialize_with_a_kind_tag() {
        let json = serde_json::to_value(Block::Paragraph("x".into())).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "paragraph", "value": "x"}));
        let json = serde_json::to_value(Block::Facts(vec![("a".into(), "b".into())])).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "facts", "value": [["a", "b"]]}));
    }
}
