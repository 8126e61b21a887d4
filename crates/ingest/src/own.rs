//! Our own check formats, for anything no other format covers (docs/evidence-ingest.md).
//!
//! CSV, with a header: `rule` (or `check`), `target`, `result` (or `outcome`,
//! `status`: pass, fail, error, not_applicable), and optionally `severity`, `title`,
//! `message` and `references` (`;`-separated, `framework:id`, or a bare id:
//! `A.8.8` is ISO/IEC 27001:2022, `AC-2` SP 800-53 Rev 5, `CWE-79` a weakness).
//!
//! JSON: `{"tool": "…", "version": "…", "results": [{"rule": …, "target": …,
//! "result": …, "severity": …, "title": …, "message": …, "references": [...]}]}`, or the
//! array alone. Unknown members are refused, so a misspelt field is not lost.

use std::cell::RefCell;

use serde::Deserialize;
use serde_json::Value;

use crate::json::{Walk, records};
use crate::{CheckResult, Found, IngestError, Outcome, Reference, Severity, Sink, Source, cwe, sp800_53};

/// A reference as our formats write it.
pub(crate) fn reference(text: &str) -> Option<Reference> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(c) = cwe(t) {
        return Some(Reference { framework: "cwe".to_owned(), id: c });
    }
    if let Some((fw, id)) = t.split_once(':')
        && !fw.trim().is_empty()
        && !id.trim().is_empty()
        && !fw.contains(' ')
    {
        return Some(Reference { framework: fw.trim().to_ascii_lowercase(), id: id.trim().to_owned() });
    }
    if t.starts_with("A.") || t.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return Some(Reference { framework: "iso27001-2022".to_owned(), id: t.to_owned() });
    }
    sp800_53(t).map(|id| Reference { framework: "nist-800-53r5".to_owned(), id })
}

fn outcome(text: &str) -> Result<Outcome, String> {
    Outcome::parse(text).ok_or_else(|| format!("{text:?} is not a result: use pass, fail, error or not_applicable"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    #[serde(alias = "check")]
    rule: String,
    #[serde(default)]
    target: String,
    #[serde(alias = "outcome", alias = "status")]
    result: String,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    references: Vec<String>,
}

pub(crate) fn read_json(file: &str, source: &dyn Source, sink: &mut Sink<'_>) -> Result<Found, IngestError> {
    let walk = Walk::new(file);
    let found = RefCell::new(Found::default());
    let bad = RefCell::new(None::<(String, String)>);
    let input = source.open().map_err(|e| IngestError::Io { file: file.to_owned(), source: e })?;
    let mut each = |r: Record| -> Result<(), String> {
        let o = match outcome(&r.result) {
            Ok(o) => o,
            Err(m) => {
                *bad.borrow_mut() = Some((format!("{}.result", walk.at.borrow()), m.clone()));
                return Err(m);
            }
        };
        sink(CheckResult {
            rule: r.rule,
            title: r.title,
            target: r.target,
            outcome: o,
            severity: Severity::parse(r.severity.as_deref().unwrap_or_default()),
            message: r.message,
            references: r.references.iter().filter_map(|t| reference(t)).collect(),
        })
    };
    let mut other = |k: &str, v: Value| {
        let mut f = found.borrow_mut();
        match (k, v) {
            ("tool", Value::String(s)) => f.tool = s,
            ("version", Value::String(s)) => f.version = s,
            _ => {}
        }
    };
    let seen = records::<Record>(&walk, input, Some("results"), &mut each, &mut other).map_err(|e| {
        match (bad.borrow_mut().take(), e) {
            (Some((element, message)), IngestError::Stopped { file, .. }) => {
                IngestError::Malformed { file, element, message }
            }
            (_, e) => e,
        }
    })?;
    if !seen {
        return Err(IngestError::Malformed {
            file: file.to_owned(),
            element: "the document".to_owned(),
            message: "no \"results\" array".to_owned(),
        });
    }
    Ok(found.into_inner())
}

pub(crate) fn read_csv(file: &str, source: &dyn Source, sink: &mut Sink<'_>) -> Result<Found, IngestError> {
    let input = source.open().map_err(|e| IngestError::Io { file: file.to_owned(), source: e })?;
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(input);
    let malformed =
        |element: String, message: String| IngestError::Malformed { file: file.to_owned(), element, message };
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| malformed("line 1".to_owned(), format!("the header cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let rule = column(&["rule", "check"])
        .ok_or_else(|| malformed("line 1".to_owned(), "no rule (or check) column".to_owned()))?;
    let result = column(&["result", "outcome", "status"])
        .ok_or_else(|| malformed("line 1".to_owned(), "no result (or outcome, status) column".to_owned()))?;
    let (target, severity, title, message, refs) = (
        column(&["target"]),
        column(&["severity"]),
        column(&["title"]),
        column(&["message"]),
        column(&["references", "controls", "requirements"]),
    );
    for row in reader.records() {
        let row = row.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            malformed(format!("line {line}"), e.to_string())
        })?;
        let line = row.position().map_or(0, |p| p.line());
        let get = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or_default().to_owned();
        let rule_id = get(Some(rule));
        if rule_id.is_empty() {
            return Err(malformed(format!("line {line}, column rule"), "is empty".to_owned()));
        }
        let o = outcome(&get(Some(result))).map_err(|m| malformed(format!("line {line}, column result"), m))?;
        let r = CheckResult {
            rule: rule_id,
            title: get(title),
            target: get(target),
            outcome: o,
            severity: Severity::parse(&get(severity)),
            message: get(message),
            references: get(refs).split(';').filter_map(reference).collect(),
        };
        sink(r).map_err(|message| IngestError::Stopped { file: file.to_owned(), message })?;
    }
    Ok(Found::default())
}
