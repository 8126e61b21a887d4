//! Checkov's own JSON report (`checkov -o json`): unlike its SARIF, which holds only
//! the failures, it lists the passed checks too, so a check fed by Checkov passes when
//! the infrastructure code meets the policy. One report (`{"check_type": …,
//! "results": {"passed_checks": […], "failed_checks": […], "skipped_checks": […]}}`)
//! or a list of them, one per framework scanned; Checkov's summary-only answer for a
//! directory with nothing to scan holds no results.
//!
//! The report is read whole (Checkov writes the summary after the checks), typed, so
//! only the members isms uses are kept; a malformed one is refused naming the JSON path
//! with its line and column.

use std::io::Read;

use serde::Deserialize;

use crate::{CheckResult, Found, IngestError, Outcome, Severity, Sink, Source};

#[derive(Deserialize, Default)]
struct Report {
    #[serde(default)]
    check_type: String,
    #[serde(default)]
    results: Results,
    #[serde(default)]
    summary: Summary,
    #[serde(default)]
    checkov_version: Option<String>,
}

#[derive(Deserialize, Default)]
struct Summary {
    #[serde(default)]
    checkov_version: Option<String>,
}

#[derive(Deserialize, Default)]
struct Results {
    #[serde(default)]
    passed_checks: Vec<Check>,
    #[serde(default)]
    failed_checks: Vec<Check>,
    #[serde(default)]
    skipped_checks: Vec<Check>,
}

#[derive(Deserialize)]
struct Check {
    check_id: String,
    #[serde(default)]
    check_name: String,
    #[serde(default)]
    file_path: String,
    #[serde(default)]
    file_line_range: Vec<i64>,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    guideline: Option<String>,
}

fn result(c: Check, outcome: Outcome, check_type: &str) -> CheckResult {
    let place = match c.file_line_range.first() {
        Some(line) => format!("{}:{line}", c.file_path),
        None => c.file_path.clone(),
    };
    let target = match (place.is_empty(), c.resource.is_empty()) {
        (false, false) => format!("{place} {}", c.resource),
        (true, false) => c.resource,
        _ => place,
    };
    let message = match (check_type.is_empty(), c.guideline) {
        (false, Some(g)) => format!("{check_type}: {g}"),
        (true, Some(g)) => g,
        (false, None) => check_type.to_owned(),
        (true, None) => String::new(),
    };
    CheckResult {
        rule: c.check_id,
        title: c.check_name,
        target,
        outcome,
        severity: Severity::parse(c.severity.as_deref().unwrap_or_default()),
        message,
        references: Vec::new(),
    }
}

pub(crate) fn read(file: &str, source: &dyn Source, sink: &mut Sink<'_>) -> Result<Found, IngestError> {
    let io = |e: std::io::Error| IngestError::Io { file: file.to_owned(), source: e };
    let mut text = String::new();
    source.open().map_err(io)?.read_to_string(&mut text).map_err(io)?;
    let malformed = |e: serde_path_to_error::Error<serde_json::Error>| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        let message = if inner.is_eof() { format!("{message} (the file is cut short)") } else { message };
        IngestError::Malformed {
            file: file.to_owned(),
            element: format!(
                "{} (line {}, column {})",
                if path == "." { "the document".to_owned() } else { path },
                inner.line(),
                inner.column()
            ),
            message,
        }
    };
    let reports: Vec<Report> = if text.trim_start().starts_with('[') {
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(&text)).map_err(malformed)?
    } else {
        vec![serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(&text)).map_err(malformed)?]
    };
    drop(text);
    let mut found = Found { tool: "Checkov".to_owned(), version: String::new() };
    let stopped = |message: String| IngestError::Stopped { file: file.to_owned(), message };
    for r in reports {
        if let Some(v) = r.summary.checkov_version.or(r.checkov_version) {
            found.version = v;
        }
        let kind = r.check_type;
        for (checks, outcome) in [
            (r.results.passed_checks, Outcome::Pass),
            (r.results.failed_checks, Outcome::Fail),
            (r.results.skipped_checks, Outcome::NotApplicable),
        ] {
            for c in checks {
                sink(result(c, outcome, &kind)).map_err(stopped)?;
            }
        }
    }
    Ok(found)
}
