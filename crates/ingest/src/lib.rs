//! isms-ingest: the results of the tools security teams already run, read as
//! [`CheckResult`]s, one at a time, so a file of any size is read with flat memory.
//!
//! Formats: SARIF 2.1.0 (Semgrep, Checkov, Trivy, CodeQL …), XCCDF 1.1/1.2 result
//! files and ARF (OpenSCAP), OCSF 1.x findings (Prowler, Security Hub exports), JUnit
//! XML, and our own CSV and JSON check formats (docs/evidence-ingest.md). The format is
//! recognised from the content ([`detect`]).
//!
//! Each result carries the requirements the file says its rule checks
//! ([`Reference`]): SP 800-53 controls from XCCDF references and OCSF compliance
//! fields, CWE weaknesses from SARIF tags, anything from our own format. Mapping them to
//! Annex A controls is the app's.
//!
//! A file that is not what it claims, or is cut short, is an error naming the file and
//! the element (a JSON path with line and column, an XML element path with its byte
//! offset, a CSV line). The caller stores nothing then.

mod checkov;
mod json;
mod junit;
pub mod mapping;
mod ocsf;
mod own;
mod sarif;
mod xccdf;
mod xml;

use std::io::{self, BufRead, Read};

pub use isms_domain::check::{CheckResult, Outcome, Reference, Severity};

/// A format isms reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// SARIF 2.1.0.
    Sarif,
    /// An XCCDF result file, or an ARF report holding one.
    Xccdf,
    /// OCSF findings: a JSON array of Detection Finding objects (or one).
    Ocsf,
    /// JUnit XML.
    Junit,
    /// Our CSV check format.
    Csv,
    /// Our JSON check format.
    Json,
    /// Checkov's own JSON report (`checkov -o json`), which lists the passed checks too.
    Checkov,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 7] =
        [Format::Sarif, Format::Xccdf, Format::Ocsf, Format::Junit, Format::Csv, Format::Json, Format::Checkov];

    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Sarif => "sarif",
            Format::Xccdf => "xccdf",
            Format::Ocsf => "ocsf",
            Format::Junit => "junit",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Checkov => "checkov",
        }
    }

    /// Parses a written name (`arf` is XCCDF's).
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "arf" => Some(Format::Xccdf),
            other => Format::ALL.into_iter().find(|f| f.as_str() == other),
        }
    }
}

/// Why a file could not be read. Nothing from it should be stored then.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Not the format it claims to be, or cut short.
    #[error("{file}: {element}: {message}")]
    Malformed {
        /// The file.
        file: String,
        /// Where (`runs[0].results[17] (line 40, column 3)`, `Benchmark/TestResult/rule-result[3] (byte 1200)`, `line 7`).
        element: String,
        /// What is wrong.
        message: String,
    },
    /// The format cannot be recognised from the content.
    #[error(
        "{file}: {why}; isms reads SARIF 2.1.0, XCCDF or ARF results, OCSF findings, JUnit XML and its own CSV or JSON check format (name the format with --format)"
    )]
    Unrecognised {
        /// The file.
        file: String,
        /// What was seen.
        why: String,
    },
    /// The file could not be read.
    #[error("{file}: cannot be read: {source}")]
    Io {
        /// The file.
        file: String,
        /// Why.
        source: io::Error,
    },
    /// Whoever took the results refused one (a storage error); reading stopped.
    #[error("{file}: reading stopped: {message}")]
    Stopped {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
}

/// A file that can be read more than once (SARIF is read twice when a tool writes its
/// results before its rules).
pub trait Source {
    /// A fresh reader from the start.
    fn open(&self) -> io::Result<Box<dyn BufRead + '_>>;
}

impl Source for std::path::PathBuf {
    fn open(&self) -> io::Result<Box<dyn BufRead + '_>> {
        Ok(Box::new(io::BufReader::with_capacity(64 * 1024, std::fs::File::open(self)?)))
    }
}

/// Bytes in memory as a [`Source`].
#[derive(Debug, Clone, Copy)]
pub struct Bytes<'a>(pub &'a [u8]);

impl Source for Bytes<'_> {
    fn open(&self) -> io::Result<Box<dyn BufRead + '_>> {
        Ok(Box::new(self.0))
    }
}

/// What a file held besides its results.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Run {
    /// The tool that made it (`Semgrep OSS`, `OpenSCAP`, `Prowler`), when the file says.
    pub tool: String,
    /// Its version, when the file says.
    pub version: String,
    /// Results per outcome: pass, fail, error, not applicable.
    pub counts: [u64; 4],
}

impl Run {
    /// All results.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    fn count(&mut self, r: &CheckResult) {
        let i = Outcome::ALL.iter().position(|o| *o == r.outcome).unwrap_or(2);
        self.counts[i] += 1;
    }
}

/// Where results go; an `Err` stops the reading ([`IngestError::Stopped`]).
pub type Sink<'a> = dyn FnMut(CheckResult) -> Result<(), String> + 'a;

/// Recognises the format from the first bytes of a file (64 KiB are plenty).
pub fn detect(file: &str, head: &[u8]) -> Result<Format, IngestError> {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let unrecognised = |why: &str| IngestError::Unrecognised { file: file.to_owned(), why: why.to_owned() };
    if text.is_empty() {
        return Err(unrecognised("the file is empty"));
    }
    if text.starts_with('<') {
        let root = xml::root_name(text).ok_or_else(|| unrecognised("an XML file without a root element"))?;
        return match root.as_str() {
            "Benchmark" | "TestResult" | "asset-report-collection" => Ok(Format::Xccdf),
            "testsuites" | "testsuite" => Ok(Format::Junit),
            other => Err(unrecognised(&format!("an XML file whose root is <{other}>"))),
        };
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).take(65_536).collect();
    // Checkov writes `check_type` first in each report.
    if compact.starts_with("{\"check_type\":") || compact.starts_with("[{\"check_type\":") {
        return Ok(Format::Checkov);
    }
    if text.starts_with('{') {
        if compact.contains("\"runs\":[") || compact.to_ascii_lowercase().contains("sarif") {
            return Ok(Format::Sarif);
        }
        if compact.contains("\"class_uid\":") {
            return Ok(Format::Ocsf);
        }
        if compact.contains("\"results\":[") {
            return Ok(Format::Json);
        }
        return Err(unrecognised(
            "a JSON object that is neither SARIF (runs), OCSF (class_uid) nor our format (results)",
        ));
    }
    if text.starts_with('[') {
        if compact.contains("\"class_uid\":") {
            return Ok(Format::Ocsf);
        }
        return Ok(Format::Json);
    }
    let first = text.lines().next().unwrap_or_default().to_ascii_lowercase();
    if first.contains(',') && (first.contains("result") || first.contains("outcome") || first.contains("status")) {
        return Ok(Format::Csv);
    }
    Err(unrecognised("neither XML, JSON nor CSV with a header naming a result column"))
}

/// Reads a file and hands each result to `sink`; `format` when known, else
/// recognised from the content.
pub fn read(
    file: &str,
    source: &dyn Source,
    format: Option<Format>,
    sink: &mut Sink<'_>,
) -> Result<(Format, Run), IngestError> {
    let io_error = |source: io::Error| IngestError::Io { file: file.to_owned(), source };
    let format = match format {
        Some(f) => f,
        None => {
            let mut head = Vec::with_capacity(64 * 1024);
            source.open().map_err(io_error)?.take(64 * 1024).read_to_end(&mut head).map_err(io_error)?;
            detect(file, &head)?
        }
    };
    let mut run = Run::default();
    let mut counted = |r: CheckResult| -> Result<(), String> {
        run.count(&r);
        sink(r)
    };
    let found = match format {
        Format::Sarif => sarif::read(file, source, &mut counted)?,
        Format::Xccdf => xccdf::read(file, source, &mut counted)?,
        Format::Ocsf => ocsf::read(file, source, &mut counted)?,
        Format::Junit => junit::read(file, source, &mut counted)?,
        Format::Csv => own::read_csv(file, source, &mut counted)?,
        Format::Json => own::read_json(file, source, &mut counted)?,
        Format::Checkov => checkov::read(file, source, &mut counted)?,
    };
    run.tool = found.tool;
    run.version = found.version;
    Ok((format, run))
}

/// The tool and version a file names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Found {
    pub tool: String,
    pub version: String,
}

/// `CWE-78`, from `CWE-78: Improper …`, `external/cwe/cwe-078` (CodeQL) or `cwe-78`.
pub(crate) fn cwe(tag: &str) -> Option<String> {
    let lower = tag.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("external/cwe/").unwrap_or(&lower);
    let digits: String = rest
        .strip_prefix("cwe-")
        .or_else(|| rest.strip_prefix("cwe:"))?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let n: u32 = digits.parse().ok()?;
    Some(format!("CWE-{n}"))
}

/// An SP 800-53 control as NIST writes it: `AC-2(1)` from `ac-2.1`, `AC-6 (1)`, `ac_2_1`;
/// a statement part (`CM-6(a)`, `ac_17_b`) is left off.
pub(crate) fn sp800_53(id: &str) -> Option<String> {
    let cleaned: String = id.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let cleaned = cleaned.replace(['_', '.'], "-");
    let mut parts = cleaned.splitn(2, '-');
    let family = parts.next()?;
    if family.len() != 2 || !family.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let rest = parts.next()?;
    let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if number.is_empty() {
        return None;
    }
    let after = &rest[number.len()..];
    let enhancement: String = after.trim_start_matches(['(', '-']).chars().take_while(char::is_ascii_digit).collect();
    Some(if enhancement.is_empty() {
        format!("{family}-{}", number.trim_start_matches('0'))
    } else {
        format!("{family}-{}({})", number.trim_start_matches('0'), enhancement.trim_start_matches('0'))
    })
}

#[cfg(test)]
mod tests;
