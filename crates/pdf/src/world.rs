//! The typst `World` a report is compiled in: the template, the data and the logo as virtual
//! files, fonts compiled into the binary, and nothing else — no file system, no packages, no
//! clock.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The template, compiled into the crate.
const TEMPLATE: &str = include_str!("../templates/report.typ");

/// The virtual path the template is compiled as.
const TEMPLATE_PATH: &str = "/report.typ";

/// The virtual path the template reads the document from (`json("/data.json")`).
const DATA_PATH: &str = "/data.json";

/// Fonts, parsed once per process (see fonts/README.md for where they come from).
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// The report's own faces, in order of preference: Noto Sans for text, Droid Sans Fallback for
/// Chinese, Japanese and Korean.
const REPORT_FONTS: [&[u8]; 3] = [
    include_bytes!("../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../fonts/NotoSans-Bold.ttf"),
    include_bytes!("../fonts/DroidSansFallback.ttf"),
];

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    // typst's own fonts come last: symbols (✓, arrows) and math the report faces lack.
    let fonts: Vec<Font> =
        REPORT_FONTS.into_iter().chain(typst_assets::fonts()).flat_map(|data| Font::iter(Bytes::new(data))).collect();
    Fonts { book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
});

/// The standard library, built once per process (it is the same for every report).
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The template's source, parsed once per process.
static MAIN: LazyLock<Source> = LazyLock::new(|| Source::new(file_id(TEMPLATE_PATH), TEMPLATE.to_owned()));

/// The id of `/data.json`.
static DATA: LazyLock<FileId> = LazyLock::new(|| file_id(DATA_PATH));

/// The id of a file in the project root. `FileId`s are interned process-wide, so the same path
/// gives the same id on every call and nothing accumulates across renders.
#[expect(
    clippy::expect_used,
    reason = "only called with the crate's own constant paths, which are valid virtual paths"
)]
fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("the crate's virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// One report's files.
pub(crate) struct ReportWorld {
    data: Bytes,
    logo: Option<(FileId, Bytes)>,
}

impl ReportWorld {
    /// A world whose `/data.json` holds `data` and whose logo, if any, lives at `logo_path`.
    pub(crate) fn new(data: Vec<u8>, logo: Option<(&str, Vec<u8>)>) -> Self {
        Self { data: Bytes::new(data), logo: logo.map(|(path, bytes)| (file_id(path), Bytes::new(bytes))) }
    }

    /// The template's source, for locating diagnostics.
    pub(crate) fn template(&self) -> &Source {
        &MAIN
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        MAIN.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == MAIN.id() {
            Ok(MAIN.clone())
        } else {
            // Only the template is typst code; everything else is data.
            self.file(id).and(Err(FileError::NotSource))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let VirtualRoot::Package(spec) = id.root() {
            return Err(FileError::Package(PackageError::Other(Some(
                format!("packages are not available to reports ({spec:?} was asked for)").into(),
            ))));
        }
        if id == MAIN.id() {
            return Ok(Bytes::from_string(TEMPLATE));
        }
        if id == *DATA {
            return Ok(self.data.clone());
        }
        match &self.logo {
            Some((logo_id, bytes)) if *logo_id == id => Ok(bytes.clone()),
            _ => Err(FileError::NotFound(id.vpath().get_with_slash().into())),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    /// Reports never read the clock: the same document must render to the same bytes.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

#[cfg(test)]
mod tests {
    use typst::syntax::package::{PackageSpec, PackageVersion};

    use super::*;

    fn world() -> ReportWorld {
        ReportWorld::new(b"{}".to_vec(), Some(("/logo.svg", b"<svg/>".to_vec())))
    }

    #[test]
    fn only_the_template_data_and_logo_exist() {
        let world = world();
        assert_eq!(world.source(world.main()).unwrap().text(), TEMPLATE);
        assert_eq!(world.file(file_id(DATA_PATH)).unwrap().as_slice(), b"{}");
        assert_eq!(world.file(file_id("/logo.svg")).unwrap().as_slice(), b"<svg/>");
        // The data and the logo are not typst code.
        assert!(matches!(world.source(file_id(DATA_PATH)), Err(FileError::NotSource)));
        for path in ["/logo.png", "/etc/passwd", "/report.typ/../secret", "/fonts/x.ttf"] {
            assert!(matches!(world.file(file_id(path)), Err(FileError::NotFound(_))), "{path}");
            assert!(world.source(file_id(path)).is_err(), "{path}");
        }
        let package = PackageSpec {
            namespace: "preview".into(),
            name: "anything".into(),
            version: PackageVersion { major: 0, minor: 1, patch: 0 },
        };
        let id = RootedPath::new(VirtualRoot::Package(package), VirtualPath::new("/lib.typ").unwrap()).intern();
        assert!(matches!(world.file(id), Err(FileError::Package(_))));
    }

    #[test]
    fn there_is_no_clock() {
        assert!(world().today(None).is_none());
    }

    #[test]
    fn fonts_are_embedded_and_indexed() {
        let world = world();
        let families: Vec<&str> = world.book().families().map(|(name, _)| name).collect();
        for family in ["Noto Sans", "Droid Sans Fallback", "DejaVu Sans Mono"] {
            assert!(families.iter().any(|f| f.eq_ignore_ascii_case(family)), "{family} missing from {families:?}");
        }
        assert!(world.font(0).is_some());
        assert!(world.font(usize::MAX).is_none());
    }
}
