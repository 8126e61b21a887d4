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

    /// Adds another's results.
    pub fn merge(&mut self, other: &Counts) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.error += other.error;
        self.not_applicable += other.not_applicable;
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
    /// The collector that made the file, when `isms collect` ran one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected: Option<Collected>,
    /// The checks this run gave a reading.
    #[serde(default)]
    pub checks: Vec<String>,
    /// The mapping file that mapped the results naming no requirement: its name,
    /// origin (`shipped`, `local`) and SHA-256, as `name (origin, sha256)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<String>,
}

/// A collector run: which collector, on what.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Collected {
    /// `tls`, `postgres`, `git`, `openscap`, or `exec` for an external collector.
    pub collector: String,
    /// What it looked at: `host:port`, a database URL, a repository path, an SSG
    /// profile, the external collector's command.
    pub target: String,
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

/// Where a check's results come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CheckSource {
    /// Files of results ingested from a tool (`isms ingest`, the API, a watched
    /// directory): runs whose tool matches `tool`, results whose rule matches `rule`.
    Ingest {
        /// The tool, as the run names it (case-insensitive; `*` matches any run of characters).
        tool: String,
        /// The rules that count (`*` matches any run of characters; empty: every rule).
        #[serde(default)]
        rule: String,
    },
    /// A collector `isms collect` runs (built-in or external).
    Collector {
        /// `tls`, `postgres`, `git`, `openscap` or `exec`.
        collector: String,
        /// What it looks at (`portal.example:443`; for `exec`, the command).
        target: String,
        /// The rules that count (empty: every rule).
        #[serde(default)]
        rule: String,
    },
    /// A person attests the result every `frequency_days`.
    Manual,
}

impl CheckSource {
    /// In words.
    pub fn describe(&self) -> String {
        let rules =
            |r: &str| if r.trim().is_empty() || r.trim() == "*" { String::new() } else { format!(", rules {r}") };
        match self {
            CheckSource::Ingest { tool, rule } => format!("results of {tool}{}", rules(rule)),
            CheckSource::Collector { collector, target, rule } => {
                format!("collector {collector} on {target}{}", rules(rule))
            }
            CheckSource::Manual => "manual attestation".to_owned(),
        }
    }

    /// True when a run of `tool` (made by `collected`, if a collector made it) feeds
    /// this source.
    pub fn feeds_from(&self, tool: &str, collected: Option<&Collected>) -> bool {
        match self {
            CheckSource::Ingest { tool: t, .. } => collected.is_none() && glob(&t.to_lowercase(), &tool.to_lowercase()),
            CheckSource::Collector { collector, target, .. } => {
                collected.is_some_and(|c| c.collector == *collector && c.target == *target)
            }
            CheckSource::Manual => false,
        }
    }

    /// True when a result of `rule` counts for this source.
    pub fn counts_rule(&self, rule: &str) -> bool {
        match self {
            CheckSource::Ingest { rule: r, .. } | CheckSource::Collector { rule: r, .. } => {
                r.trim().is_empty() || glob(r.trim(), rule)
            }
            CheckSource::Manual => false,
        }
    }
}

/// Matches `text` against `pattern`, where `*` stands for any run of characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// One reading of a check: what a run (or a person) said at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reading {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub at: time::OffsetDateTime,
    /// Pass, fail or error (a reading is never "not applicable").
    pub outcome: Outcome,
    /// The results that counted, per outcome (one for an attestation).
    pub counts: Counts,
    /// The run it comes from (`RUN-004`); none for an attestation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// Who: the person attesting or ingesting, or the collector.
    pub by: String,
    /// What failed (the first failing rules and targets), or the attestation's note.
    #[serde(default)]
    pub note: String,
    /// The nonconformity this reading raised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised: Option<String>,
    /// The nonconformity whose corrective action this reading marked implemented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implemented: Option<String>,
}

impl Reading {
    /// The outcome of a set of results: failing if any failed, else error if any
    /// could not be checked, else passing if any passed; none when every result was
    /// not applicable (or there were none), which leaves the check as it was.
    pub fn outcome_of(counts: &Counts) -> Option<Outcome> {
        if counts.fail > 0 {
            Some(Outcome::Fail)
        } else if counts.error > 0 {
            Some(Outcome::Error)
        } else if counts.pass > 0 {
            Some(Outcome::Pass)
        } else {
            None
        }
    }
}

/// Where a check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Its last reading failed.
    Failing,
    /// Its last reading could not decide (the tool failed).
    Error,
    /// No reading within its frequency, or none yet.
    Stale,
    /// Its last reading, within its frequency, passed.
    Passing,
}

impl CheckStatus {
    /// Every status, worst first.
    pub const ALL: [CheckStatus; 4] =
        [CheckStatus::Failing, CheckStatus::Error, CheckStatus::Stale, CheckStatus::Passing];

    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Failing => "failing",
            CheckStatus::Error => "error",
            CheckStatus::Stale => "stale",
            CheckStatus::Passing => "passing",
        }
    }
}

/// What a new reading does to the check's nonconformity from monitoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// Nothing.
    None,
    /// The check turned failing with no nonconformity open: raise one.
    Raise,
    /// The check passes again: its nonconformity's action is implemented.
    Implemented(String),
}

/// The longest expected frequency: ten years.
pub const MAX_FREQUENCY_DAYS: u32 = 3_660;

/// A check: a named, repeatable test of one or more controls (ISO/IEC 27001 9.1:
/// monitoring and measurement), with an expected frequency and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Check {
    /// `CHK-001`.
    #[serde(default)]
    pub id: String,
    /// A short name (`Hosts meet the CIS level 1 profile`).
    pub name: String,
    /// What it tests and why, in the organization's words.
    #[serde(default)]
    pub description: String,
    /// The Annex A controls it tests (`A.8.8`).
    pub controls: Vec<String>,
    /// Where its results come from.
    pub source: CheckSource,
    /// How often a result is expected, in days: no reading for longer makes it stale.
    pub frequency_days: u32,
    /// Who acts when it fails (e-mail): the owner of the nonconformity it raises.
    pub owner: String,
    /// What the owner does when it fails: the corrective action the nonconformity
    /// carries.
    #[serde(default)]
    pub response: String,
    /// The last nonconformity it raised (`FND-007`), open or closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonconformity: Option<String>,
    /// The last reading (every reading is kept apart, in order: the store's check
    /// readings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Reading>,
    /// How many readings it has had: the last one's number.
    #[serde(default)]
    pub readings: u64,
}

impl Check {
    /// The last reading.
    pub fn last(&self) -> Option<&Reading> {
        self.last.as_ref()
    }

    /// Takes `reading` as the last one; answers its number.
    pub fn record(&mut self, reading: Reading) -> u64 {
        self.readings += 1;
        self.last = Some(reading);
        self.readings
    }

    /// Where it stands at `now`: stale without a reading within its frequency, else
    /// as its last reading came out.
    pub fn status(&self, now: time::OffsetDateTime) -> CheckStatus {
        let Some(last) = self.last() else { return CheckStatus::Stale };
        if now - last.at > time::Duration::days(i64::from(self.frequency_days)) {
            return CheckStatus::Stale;
        }
        match last.outcome {
            Outcome::Fail => CheckStatus::Failing,
            Outcome::Error | Outcome::NotApplicable => CheckStatus::Error,
            Outcome::Pass => CheckStatus::Passing,
        }
    }

    /// When the next reading is due.
    pub fn due(&self) -> Option<time::OffsetDateTime> {
        self.last().and_then(|r| r.at.checked_add(time::Duration::days(i64::from(self.frequency_days))))
    }

    /// What a reading of `outcome` does, given whether its nonconformity (if any) is
    /// still open and whether its action is still to be done. A failure raises a
    /// nonconformity only when none is open: once per lapse, however many failing
    /// readings follow. A pass marks an open nonconformity's action implemented,
    /// once; its verification stays with a person. An error changes nothing.
    pub fn drift(&self, outcome: Outcome, nonconformity_open: bool, action_pending: bool) -> Drift {
        match (outcome, &self.nonconformity) {
            (Outcome::Fail, None) => Drift::Raise,
            (Outcome::Fail, Some(_)) if !nonconformity_open => Drift::Raise,
            (Outcome::Pass, Some(f)) if nonconformity_open && action_pending => Drift::Implemented(f.clone()),
            _ => Drift::None,
        }
    }
}

impl crate::register::Entry for Check {
    const KIND: &'static str = "check";
    const PREFIX: &'static str = "CHK";
    crate::entry_id!();

    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(("name", "is required".to_owned()));
        }
        if self.controls.is_empty() {
            out.push(("controls", "name at least one Annex A control the check tests".to_owned()));
        }
        if !(1..=MAX_FREQUENCY_DAYS).contains(&self.frequency_days) {
            out.push(("frequency_days", format!("must be from 1 to {MAX_FREQUENCY_DAYS} days")));
        }
        if self.owner.trim().is_empty() {
            out.push(("owner", "is required: who acts when the check fails".to_owned()));
        }
        match &self.source {
            CheckSource::Ingest { tool, .. } if tool.trim().is_empty() => {
                out.push(("tool", "name the tool whose results feed the check".to_owned()));
            }
            CheckSource::Collector { collector, target, .. } => {
                if collector.trim().is_empty() {
                    out.push(("collector", "is required".to_owned()));
                }
                if target.trim().is_empty() {
                    out.push(("target", "say what the collector looks at".to_owned()));
                }
            }
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn globs_match_whole_texts_with_stars_for_any_run() {
        assert!(glob("CKV_AWS_*", "CKV_AWS_24"));
        assert!(!glob("CKV_AWS_*", "XCKV_AWS_24"));
        assert!(glob("*sshd*", "xccdf_org.ssgproject.content_rule_sshd_disable_root_login"));
        assert!(glob("a*b*c", "abc") && glob("a*b*c", "a-b-c") && !glob("a*b*c", "acb"));
        assert!(glob("*", "") && glob("exact", "exact") && !glob("exact", "exactly"));
        assert!(!glob("ab*ba", "aba"), "the ends may not overlap");
    }

    fn reading(at: time::OffsetDateTime, outcome: Outcome) -> Reading {
        Reading {
            at,
            outcome,
            counts: Counts::default(),
            run: None,
            by: "t".into(),
            note: String::new(),
            raised: None,
            implemented: None,
        }
    }

    fn check() -> Check {
        Check {
            id: "CHK-001".into(),
            name: "Patched".into(),
            description: String::new(),
            controls: vec!["A.8.8".into()],
            source: CheckSource::Ingest { tool: "Trivy".into(), rule: String::new() },
            frequency_days: 7,
            owner: "it@acme.test".into(),
            response: String::new(),
            nonconformity: None,
            last: None,
            readings: 0,
        }
    }

    #[test]
    fn drift_raises_a_minor_nonconformity_planned_from_the_response_and_due_after_the_default() {
        let mut c = check();
        let mut r = reading(datetime!(2026-12-01 12:00 UTC), Outcome::Fail);
        r.note = "3 of 40 targets failed".into();
        r.run = Some("RUN-004".into());
        let f = crate::audit::Finding::from_check(&c, &r, 90).unwrap();
        assert_eq!((f.grade, f.audit.as_str(), f.check.as_deref()), (crate::audit::Grade::Minor, "", Some("CHK-001")));
        assert_eq!(f.requirement, "A.8.8");
        assert_eq!(f.evidence, "check run RUN-004");
        assert_eq!(f.owner.as_deref(), Some("it@acme.test"));
        assert_eq!(f.due, Some(time::macros::date!(2027 - 03 - 01)));
        assert!(f.corrective_action.contains("check CHK-001 passes again"), "{}", f.corrective_action);
        assert!(f.root_cause.contains("3 of 40 targets failed"));
        c.response = "Patch within 14 days".into();
        r.run = None;
        let f = crate::audit::Finding::from_check(&c, &r, 30).unwrap();
        assert_eq!((f.corrective_action.as_str(), f.evidence.as_str()), ("Patch within 14 days", "attestation by t"));
    }

    #[test]
    fn a_check_is_stale_without_a_reading_within_its_frequency_and_else_as_it_last_came_out() {
        let mut c = check();
        let now = datetime!(2026-12-06 12:00 UTC);
        assert_eq!(c.status(now), CheckStatus::Stale);
        c.record(reading(datetime!(2026-12-01 12:00 UTC), Outcome::Fail));
        assert_eq!(c.status(now), CheckStatus::Failing);
        assert_eq!(c.record(reading(datetime!(2026-12-02 12:00 UTC), Outcome::Pass)), 2);
        assert_eq!(c.status(now), CheckStatus::Passing);
        assert_eq!(c.status(datetime!(2026-12-09 12:00 UTC)), CheckStatus::Passing, "exactly seven days");
        assert_eq!(c.status(datetime!(2026-12-09 12:01 UTC)), CheckStatus::Stale);
        c.record(reading(datetime!(2026-12-03 12:00 UTC), Outcome::Error));
        assert_eq!(c.status(now), CheckStatus::Error);
    }

    #[test]
    fn drift_raises_once_per_lapse_and_marks_the_action_implemented_once() {
        let mut c = check();
        assert_eq!(c.drift(Outcome::Pass, false, false), Drift::None);
        assert_eq!(c.drift(Outcome::Fail, false, false), Drift::Raise);
        c.nonconformity = Some("FND-003".into());
        assert_eq!(c.drift(Outcome::Fail, true, true), Drift::None, "raised once");
        assert_eq!(c.drift(Outcome::Error, true, true), Drift::None);
        assert_eq!(c.drift(Outcome::Pass, true, true), Drift::Implemented("FND-003".into()));
        assert_eq!(c.drift(Outcome::Pass, true, false), Drift::None, "already implemented");
        assert_eq!(c.drift(Outcome::Fail, true, false), Drift::None, "awaiting verification");
        assert_eq!(c.drift(Outcome::Fail, false, false), Drift::Raise, "closed: a new lapse");
    }

    #[test]
    fn sources_feed_from_their_own_runs_and_rules() {
        let ingest = CheckSource::Ingest { tool: "semgrep*".into(), rule: "python.*".into() };
        assert!(ingest.feeds_from("Semgrep OSS", None));
        assert!(!ingest.feeds_from("CodeQL", None));
        let tls = Collected { collector: "tls".into(), target: "a:443".into() };
        assert!(!ingest.feeds_from("semgrep", Some(&tls)));
        assert!(ingest.counts_rule("python.lang.security.eval") && !ingest.counts_rule("js.eval"));
        let collector = CheckSource::Collector { collector: "tls".into(), target: "a:443".into(), rule: String::new() };
        assert!(collector.feeds_from("anything", Some(&tls)) && collector.counts_rule("tls.protocol.modern"));
        let other = Collected { collector: "tls".into(), target: "b:443".into() };
        assert!(!collector.feeds_from("anything", Some(&other)) && !collector.feeds_from("tls", None));
        assert!(!CheckSource::Manual.feeds_from("x", None));
        assert_eq!(Reading::outcome_of(&Counts { not_applicable: 3, ..Counts::default() }), None);
        assert_eq!(Reading::outcome_of(&Counts { pass: 3, error: 1, ..Counts::default() }), Some(Outcome::Error));
    }
}
