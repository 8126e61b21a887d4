//! Check results from the tools security teams already run (scanners, configuration
//! checkers, test suites): what was checked, on what, and how it came out. They are
//! the raw material of continuous control monitoring (issue 23).

use serde::{Deserialize, Serialize};

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The target meets the rule.
    Pass,
    /// It does not.
    Fail,
    /// The check could not be made (the tool failed, or could not decide).
    Error,
    /// The rule does not apply to the target.
    NotApplicable,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 4] = [Outcome::Pass, Outcome::Fail, Outcome::Error, Outcome::NotApplicable];

    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
            Outcome::NotApplicable => "not_applicable",
        }
    }

    /// Parses a written name, also the common words tools use (`passed`, `FAILED`,
    /// `n/a`, `skipped`).
    pub fn parse(s: &str) -> Option<Outcome> {
        match s.trim().to_ascii_lowercase().replace(['-', ' ', '/'], "_").as_str() {
            "pass" | "passed" | "ok" | "success" | "compliant" => Some(Outcome::Pass),
            "fail" | "failed" | "failure" | "noncompliant" | "non_compliant" => Some(Outcome::Fail),
            "error" | "errored" | "unknown" => Some(Outcome::Error),
            "not_applicable" | "notapplicable" | "n_a" | "na" | "skip" | "skipped" => Some(Outcome::NotApplicable),
            _ => None,
        }
    }
}

/// How serious a failing check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(rename = "CheckSeverity"))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// No severity given.
    Unknown,
    /// For information.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses the words tools use (`CRITICAL`, `informational`, `moderate`, SARIF's
    /// `error`/`warning`/`note`); anything else is unknown.
    pub fn parse(s: &str) -> Severity {
        match s.trim().to_ascii_lowercase().as_str() {
            "critical" | "very_high" | "very-high" => Severity::Critical,
            "high" | "error" | "major" => Severity::High,
            "medium" | "moderate" | "warning" => Severity::Medium,
            "low" | "minor" | "note" => Severity::Low,
            "info" | "informational" | "information" | "none" => Severity::Info,
            _ => Severity::Unknown,
        }
    }
}

/// A requirement of some framework a result says it checks: NIST SP 800-53 controls
/// from XCCDF references and OCSF compliance fields, CWE weaknesses from SARIF tags,
/// any framework of the library from our own format.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reference {
    /// The framework (`nist-800-53r5`, `nist-800-53r4`, `cwe`, `iso27001-2022` …).
    pub framework: String,
    /// The requirement as the tool writes it (`AC-2(1)`, `CWE-78`, `A.8.8`).
    pub id: String,
}

/// One result of one check on one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CheckResult {
    /// The tool's rule or test (`CKV_AWS_24`, `xccdf_org.ssgproject.content_rule_…`).
    pub rule: String,
    /// The rule's title, when the file gives one.
    #[serde(default)]
    pub title: String,
    /// What was checked: a file and line, a host, a resource ARN, a test class.
    pub target: String,
    /// How it came out.
    pub outcome: Outcome,
    /// How serious a failure is.
    pub severity: Severity,
    /// What the tool said.
    #[serde(default)]
    pub message: String,
    /// The requirements the rule checks, as the file names them.
    #[serde(default)]
    pub references: Vec<Reference>,
}

/// Results per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Counts {
    /// Passed.
    pub pass: u64,
    /// Failed.
    pub fail: u64,
    /// Could not be checked.
    pub error: u64,
    /// Not applicable.
    pub not_applicable: u64,
}

impl Counts {
    /// Counts one more result.
    pub fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Pass => self.pass += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Error => self.error += 1,
            Outcome::NotApplicable => self.not_applicable += 1,
        }
    }

    /// Every result.
    pub fn total(&self) -> u64 {
        self.pass + self.fail + self.error + self.not_applicable
    }
}

/// One ingested file of results: a register entry (`RUN-001`) beside the evidence
/// item that keeps the file and the results themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CheckRun {
    /// `RUN-001`.
    #[serde(default)]
    pub id: String,
    /// The format read (`sarif`, `xccdf`, `ocsf`, `junit`, `csv`, `json`).
    pub format: String,
    /// The tool that made the file, as the file or the person says.
    pub tool: String,
    /// Its version, when known.
    #[serde(default)]
    pub version: String,
    /// The file's name.
    pub file: String,
    /// Its SHA-256 (the evidence item's).
    pub sha256: String,
    /// The evidence item keeping the file.
    pub evidence: String,
    /// Who ingested it (e-mail, or the command).
    pub ingested_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub ingested_at: time::OffsetDateTime,
    /// Every result, per outcome.
    pub counts: Counts,
    /// Per Annex A control the results reach: the results per outcome.
    #[serde(default)]
    pub controls: std::collections::BTreeMap<String, Counts>,
    /// Results that reach no Annex A control.
    #[serde(default)]
    pub unmapped: u64,
}

impl crate::register::Entry for CheckRun {
    const KIND: &'static str = "check_run";
    const PREFIX: &'static str = "RUN";
    crate::entry_id!();

    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.file.trim().is_empty() {
            out.push(("file", "is required".to_owned()));
        }
        if self.format.trim().is_empty() {
            out.push(("format", "is required".to_owned()));
        }
        out
    }
}
