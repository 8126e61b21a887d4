//! Audits (internal, ISO/IEC 27001 clause 9.2, and the certification body's Stage 1,
//! Stage 2, surveillance, recertification and special audits), their checklists, the
//! findings they raise, corrective actions (clause 10.2), and management reviews
//! (clause 9.3).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::register::Entry;

/// What kind of audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// An internal audit (9.2).
    Internal,
    /// Certification Stage 1: is the ISMS documented and ready for Stage 2?
    Stage1,
    /// Certification Stage 2: does the ISMS work as documented?
    Stage2,
    /// The first yearly surveillance audit.
    Surveillance1,
    /// The second yearly surveillance audit.
    Surveillance2,
    /// Recertification before the certificate expires.
    Recertification,
    /// A special audit (scope extension, short notice, follow-up of a major
    /// nonconformity).
    Special,
}

impl AuditKind {
    /// Every kind.
    pub const ALL: [AuditKind; 7] = [
        AuditKind::Internal,
        AuditKind::Stage1,
        AuditKind::Stage2,
        AuditKind::Surveillance1,
        AuditKind::Surveillance2,
        AuditKind::Recertification,
        AuditKind::Special,
    ];

    /// The written name.
    pub fn label(self) -> &'static str {
        match self {
            AuditKind::Internal => "internal audit",
            AuditKind::Stage1 => "Stage 1",
            AuditKind::Stage2 => "Stage 2",
            AuditKind::Surveillance1 => "surveillance 1",
            AuditKind::Surveillance2 => "surveillance 2",
            AuditKind::Recertification => "recertification",
            AuditKind::Special => "special audit",
        }
    }

    /// The stored name (`stage1`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Internal => "internal",
            AuditKind::Stage1 => "stage1",
            AuditKind::Stage2 => "stage2",
            AuditKind::Surveillance1 => "surveillance1",
            AuditKind::Surveillance2 => "surveillance2",
            AuditKind::Recertification => "recertification",
            AuditKind::Special => "special",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.as_str() == s.trim().to_ascii_lowercase().replace(['-', '_', ' '], ""))
    }

    /// True for audits by the certification body.
    pub fn external(self) -> bool {
        self != AuditKind::Internal
    }
}

/// Where an audit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditStatus {
    /// On the programme.
    Planned,
    /// Being carried out.
    InProgress,
    /// Done; its report is written.
    Completed,
    /// Will not take place.
    Cancelled,
}

impl AuditStatus {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditStatus::Planned => "planned",
            AuditStatus::InProgress => "in progress",
            AuditStatus::Completed => "completed",
            AuditStatus::Cancelled => "cancelled",
        }
    }
}

/// What a checklist line checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A management-system clause (4.1 … 10.2).
    Clause,
    /// An Annex A control.
    Control,
}

/// The result of one checklist line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    /// Not audited yet.
    Open,
    /// Conforms.
    Conforming,
    /// A finding was raised.
    Finding,
    /// Not audited after all (out of time, not applicable).
    NotAudited,
}

/// One line of an audit's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CheckItem {
    /// Clause or control.
    pub kind: CheckKind,
    /// `9.2` or `A.8.13`.
    pub reference: String,
    /// Its short title.
    pub title: String,
    /// The result.
    pub result: CheckResult,
    /// What was seen (samples, interviews, records).
    #[serde(default)]
    pub notes: String,
}

/// An audit and its checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Audit {
    /// `AUD-001`.
    #[serde(default)]
    pub id: String,
    /// What kind.
    pub kind: AuditKind,
    /// A title (`Internal audit 2027 — operations`).
    pub title: String,
    /// What it covers.
    pub scope: String,
    /// Against what (ISO/IEC 27001:2022, the organization's policies).
    pub criteria: String,
    /// The (lead) auditor: a member's e-mail for internal audits, a name for external.
    pub auditor: String,
    /// The certification body, for external audits.
    #[serde(default)]
    pub certification_body: Option<String>,
    /// First day.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub start: Date,
    /// Last day.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub end: Date,
    /// Where it stands.
    pub status: AuditStatus,
    /// The checklist.
    #[serde(default)]
    pub checklist: Vec<CheckItem>,
    /// The report's conclusion, written when completing.
    #[serde(default)]
    pub conclusion: String,
    /// The audit this one was copied from (year over year).
    #[serde(default)]
    pub copied_from: Option<String>,
}

/// Why a change to an audit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// Results are recorded on audits that are planned or in progress.
    #[error("the audit is {0}; results change only while it is planned or in progress")]
    Closed(&'static str),
    /// No such checklist line.
    #[error("the checklist has no line {0}")]
    NoSuchLine(String),
    /// Completing needs every line decided.
    #[error("{0} checklist line(s) are still open; record a result for each (or mark it not audited)")]
    OpenLines(usize),
    /// Completing needs a conclusion.
    #[error("write the report's conclusion before completing the audit")]
    NoConclusion,
}

impl Audit {
    /// Records the result of the line for `reference` (starting the audit if planned).
    pub fn record(&mut self, reference: &str, result: CheckResult, notes: &str) -> Result<(), AuditError> {
        if matches!(self.status, AuditStatus::Completed | AuditStatus::Cancelled) {
            return Err(AuditError::Closed(self.status.as_str()));
        }
        let line = self
            .checklist
            .iter_mut()
            .find(|l| l.reference.eq_ignore_ascii_case(reference))
            .ok_or_else(|| AuditError::NoSuchLine(reference.to_owned()))?;
        line.result = result;
        if !notes.trim().is_empty() {
            line.notes = notes.trim().to_owned();
        }
        self.status = AuditStatus::InProgress;
        Ok(())
    }

    /// Completes the audit with its conclusion; every line must be decided.
    pub fn complete(&mut self, conclusion: &str) -> Result<(), AuditError> {
        if matches!(self.status, AuditStatus::Completed | AuditStatus::Cancelled) {
            return Err(AuditError::Closed(self.status.as_str()));
        }
        let open = self.checklist.iter().filter(|l| l.result == CheckResult::Open).count();
        if open > 0 {
            return Err(AuditError::OpenLines(open));
        }
        if conclusion.trim().is_empty() {
            return Err(AuditError::NoConclusion);
        }
        self.conclusion = conclusion.trim().to_owned();
        self.status = AuditStatus::Completed;
        Ok(())
    }

    /// The next cycle's audit: the same plan and checklist, results reset, new dates.
    pub fn next_from(&self, start: Date, end: Date) -> Audit {
        Audit {
            id: String::new(),
            kind: self.kind,
            title: format!("{} ({})", base_title(&self.title), start.year()),
            scope: self.scope.clone(),
            criteria: self.criteria.clone(),
            auditor: self.auditor.clone(),
            certification_body: self.certification_body.clone(),
            start,
            end,
            status: AuditStatus::Planned,
            checklist: self
                .checklist
                .iter()
                .map(|l| CheckItem { result: CheckResult::Open, notes: String::new(), ..l.clone() })
                .collect(),
            conclusion: String::new(),
            copied_from: Some(self.id.clone()),
        }
    }

    /// The references its checklist covers with a decided result.
    pub fn covered(&self) -> impl Iterator<Item = &str> {
        self.checklist
            .iter()
            .filter(|l| matches!(l.result, CheckResult::Conforming | CheckResult::Finding))
            .map(|l| l.reference.as_str())
    }
}

/// A title without the year a copy added (`Internal audit (2026)` → `Internal audit`).
fn base_title(title: &str) -> &str {
    match title.rsplit_once(" (") {
        Some((base, year))
            if year.len() == 5 && year.ends_with(')') && year[..4].bytes().all(|b| b.is_ascii_digit()) =>
        {
            base
        }
        _ => title,
    }
}

impl Entry for Audit {
    const KIND: &'static str = "audit";
    const PREFIX: &'static str = "AUD";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.title.trim().is_empty() {
            p.push(("title", "is required".to_owned()));
        }
        if self.auditor.trim().is_empty() {
            p.push(("auditor", "is required".to_owned()));
        }
        if self.end < self.start {
            p.push(("end", "must not be before the start".to_owned()));
        }
        if self.kind.external() && self.certification_body.as_deref().is_none_or(|b| b.trim().is_empty()) {
            p.push(("certification_body", "is required for an audit by the certification body".to_owned()));
        }
        p
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// A requirement is not met at all, or the ISMS cannot achieve its results:
    /// blocks certification until corrected and verified.
    Major,
    /// A single lapse against a requirement.
    Minor,
    /// Not a nonconformity; could become one.
    Observation,
    /// A chance to do better.
    Opportunity,
}

impl Grade {
    /// The written name.
    pub fn label(self) -> &'static str {
        match self {
            Grade::Major => "major nonconformity",
            Grade::Minor => "minor nonconformity",
            Grade::Observation => "observation",
            Grade::Opportunity => "opportunity for improvement",
        }
    }

    /// True for nonconformities, which need a correction and a corrective action.
    pub fn nonconformity(self) -> bool {
        matches!(self, Grade::Major | Grade::Minor)
    }
}

/// Where a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Raised; no action planned yet.
    Open,
    /// Root cause and corrective action recorded.
    ActionPlanned,
    /// The action is done; waiting for verification of its effectiveness.
    Implemented,
    /// Verified effective (or, for observations, acknowledged): closed.
    Closed,
}

impl FindingStatus {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::ActionPlanned => "action planned",
            FindingStatus::Implemented => "implemented",
            FindingStatus::Closed => "closed",
        }
    }
}

/// The verification of a corrective action's effectiveness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Verification {
    /// Who verified (e-mail).
    pub by: String,
    /// When.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub on: Date,
    /// What showed it works.
    pub note: String,
}

/// A finding of an audit, with its correction and corrective action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Finding {
    /// `FND-001`.
    #[serde(default)]
    pub id: String,
    /// The audit that raised it.
    pub audit: String,
    /// How serious.
    pub grade: Grade,
    /// The requirement or control concerned (`9.2`, `A.8.13`).
    pub requirement: String,
    /// What was found.
    pub description: String,
    /// The evidence the auditor saw.
    #[serde(default)]
    pub evidence: String,
    /// When it was raised.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub raised_on: Date,
    /// Who must act (e-mail).
    #[serde(default)]
    pub owner: Option<String>,
    /// By when the corrective action must be done (the certification body's deadline).
    #[serde(default, with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub due: Option<Date>,
    /// The immediate fix.
    #[serde(default)]
    pub correction: String,
    /// Why it happened.
    #[serde(default)]
    pub root_cause: String,
    /// What stops it happening again.
    #[serde(default)]
    pub corrective_action: String,
    /// Where it stands.
    pub status: FindingStatus,
    /// The verification that closed it.
    #[serde(default)]
    pub verification: Option<Verification>,
}

/// Why a change to a finding was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindingError {
    /// Closed findings do not change.
    #[error("the finding is closed")]
    Closed,
    /// A nonconformity's plan needs these fields.
    #[error("a nonconformity needs {0} before its action is planned")]
    Missing(&'static str),
    /// Steps in order.
    #[error("the finding is {0}; {1}")]
    WrongState(&'static str, &'static str),
}

impl Finding {
    /// Records the correction, root cause, corrective action, owner and due date.
    pub fn plan(
        &mut self,
        correction: &str,
        root_cause: &str,
        action: &str,
        owner: &str,
        due: Date,
    ) -> Result<(), FindingError> {
        if self.status == FindingStatus::Closed {
            return Err(FindingError::Closed);
        }
        for (value, name) in [
            (correction, "a correction"),
            (root_cause, "a root cause"),
            (action, "a corrective action"),
            (owner, "an owner"),
        ] {
            if self.grade.nonconformity() && value.trim().is_empty() {
                return Err(FindingError::Missing(name));
            }
        }
        self.correction = correction.trim().to_owned();
        self.root_cause = root_cause.trim().to_owned();
        self.corrective_action = action.trim().to_owned();
        self.owner = Some(owner.trim().to_lowercase()).filter(|o| !o.is_empty());
        self.due = Some(due);
        self.status = FindingStatus::ActionPlanned;
        Ok(())
    }

    /// Marks the corrective action done.
    pub fn implemented(&mut self) -> Result<(), FindingError> {
        match self.status {
            FindingStatus::ActionPlanned => {
                self.status = FindingStatus::Implemented;
                Ok(())
            }
            FindingStatus::Closed => Err(FindingError::Closed),
            s => Err(FindingError::WrongState(s.as_str(), "plan the corrective action first")),
        }
    }

    /// Closes the finding: a nonconformity after its action is implemented and verified
    /// effective; an observation or opportunity at any time.
    pub fn verify(&mut self, by: &str, on: Date, note: &str) -> Result<(), FindingError> {
        match self.status {
            FindingStatus::Closed => return Err(FindingError::Closed),
            FindingStatus::Implemented => {}
            s if self.grade.nonconformity() => {
                return Err(FindingError::WrongState(s.as_str(), "the corrective action must be implemented first"));
            }
            _ => {}
        }
        if self.grade.nonconformity() && note.trim().is_empty() {
            return Err(FindingError::Missing("a note on what showed the action effective"));
        }
        self.verification = Some(Verification { by: by.trim().to_lowercase(), on, note: note.trim().to_owned() });
        self.status = FindingStatus::Closed;
        Ok(())
    }

    /// True when still open (not closed).
    pub fn is_open(&self) -> bool {
        self.status != FindingStatus::Closed
    }

    /// True for an open nonconformity past its due date on `today`.
    pub fn overdue(&self, today: Date) -> bool {
        self.grade.nonconformity()
            && matches!(self.status, FindingStatus::Open | FindingStatus::ActionPlanned)
            && self.due.is_some_and(|d| d < today)
    }
}

impl Entry for Finding {
    const KIND: &'static str = "finding";
    const PREFIX: &'static str = "FND";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.requirement.trim().is_empty() {
            p.push(("requirement", "name the clause or control concerned".to_owned()));
        }
        if self.description.trim().is_empty() {
            p.push(("description", "is required".to_owned()));
        }
        p
    }
}

/// The inputs a management review considers (ISO/IEC 27001:2022 9.3.2, in our words).
pub const REVIEW_INPUTS: [(&str, &str); 10] = [
    ("previous_actions", "Status of actions from previous management reviews"),
    ("issues", "Changes in external and internal issues relevant to the ISMS"),
    ("interested_parties", "Changes in the needs and expectations of interested parties"),
    ("nonconformities", "Nonconformities and corrective actions"),
    ("monitoring", "Monitoring and measurement results"),
    ("audits", "Audit results"),
    ("objectives", "Fulfilment of information security objectives"),
    ("feedback", "Feedback from interested parties"),
    ("risks", "Results of risk assessment and status of the risk treatment plan"),
    ("improvement", "Opportunities for continual improvement"),
];

/// What the meeting said about one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewInput {
    /// The input's key (see [`REVIEW_INPUTS`]).
    pub topic: String,
    /// What was presented and concluded.
    pub notes: String,
}

/// An action decided by a management review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewAction {
    /// What.
    pub title: String,
    /// Who (e-mail).
    pub owner: String,
    /// By when.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub due: Date,
    /// Done?
    #[serde(default)]
    pub done: bool,
}

/// A management review meeting (9.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ManagementReview {
    /// `MRV-001`.
    #[serde(default)]
    pub id: String,
    /// When it was held.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub held_on: Date,
    /// Who attended.
    #[serde(default)]
    pub attendees: Vec<String>,
    /// The inputs considered.
    #[serde(default)]
    pub inputs: Vec<ReviewInput>,
    /// Decisions on improvement and changes to the ISMS.
    #[serde(default)]
    pub decisions: Vec<String>,
    /// Actions decided.
    #[serde(default)]
    pub actions: Vec<ReviewAction>,
}

impl ManagementReview {
    /// The inputs of 9.3.2 the record does not cover.
    pub fn missing_inputs(&self) -> Vec<&'static str> {
        REVIEW_INPUTS
            .iter()
            .filter(|(key, _)| !self.inputs.iter().any(|i| i.topic == *key && !i.notes.trim().is_empty()))
            .map(|(_, title)| *title)
            .collect()
    }

    /// True when every input is covered.
    pub fn complete(&self) -> bool {
        self.missing_inputs().is_empty()
    }
}

impl Entry for ManagementReview {
    const KIND: &'static str = "management_review";
    const PREFIX: &'static str = "MRV";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        for i in &self.inputs {
            if !REVIEW_INPUTS.iter().any(|(k, _)| *k == i.topic) {
                p.push(("inputs", format!("{:?} is not a management review input", i.topic)));
            }
        }
        if self.attendees.iter().all(|a| a.trim().is_empty()) {
            p.push(("attendees", "name who attended (top management must)".to_owned()));
        }
        for a in &self.actions {
            if a.title.trim().is_empty() || a.owner.trim().is_empty() {
                p.push(("actions", "every action needs a title and an owner".to_owned()));
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn audit() -> Audit {
        Audit {
            id: "AUD-001".into(),
            kind: AuditKind::Internal,
            title: "Internal audit 2026".into(),
            scope: "Whole ISMS".into(),
            criteria: "ISO/IEC 27001:2022".into(),
            auditor: "auditor@acme.test".into(),
            certification_body: None,
            start: date!(2026 - 10 - 01),
            end: date!(2026 - 10 - 03),
            status: AuditStatus::Planned,
            checklist: vec![
                CheckItem {
                    kind: CheckKind::Clause,
                    reference: "9.2".into(),
                    title: "Internal audit".into(),
                    result: CheckResult::Open,
                    notes: String::new(),
                },
                CheckItem {
                    kind: CheckKind::Control,
                    reference: "A.8.13".into(),
                    title: "Information backup".into(),
                    result: CheckResult::Open,
                    notes: String::new(),
                },
            ],
            conclusion: String::new(),
            copied_from: None,
        }
    }

    fn finding(grade: Grade) -> Finding {
        Finding {
            id: "FND-001".into(),
            audit: "AUD-001".into(),
            grade,
            requirement: "A.8.13".into(),
            description: "No restore test in 2026".into(),
            evidence: String::new(),
            raised_on: date!(2026 - 10 - 02),
            owner: None,
            due: None,
            correction: String::new(),
            root_cause: String::new(),
            corrective_action: String::new(),
            status: FindingStatus::Open,
            verification: None,
        }
    }

    #[test]
    fn an_audit_completes_only_with_every_line_decided_and_a_conclusion() {
        let mut a = audit();
        a.record("9.2", CheckResult::Conforming, "programme seen").unwrap();
        assert_eq!(a.status, AuditStatus::InProgress);
        assert_eq!(a.complete("fine"), Err(AuditError::OpenLines(1)));
        a.record("a.8.13", CheckResult::Finding, "").unwrap();
        assert_eq!(a.complete(" "), Err(AuditError::NoConclusion));
        a.complete("One minor nonconformity.").unwrap();
        assert_eq!(a.record("9.2", CheckResult::Finding, ""), Err(AuditError::Closed("completed")));
        assert_eq!(a.covered().collect::<Vec<_>>(), ["9.2", "A.8.13"]);
        assert_eq!(audit().record("5.1", CheckResult::Conforming, ""), Err(AuditError::NoSuchLine("5.1".into())));
    }

    #[test]
    fn next_years_audit_copies_the_plan_and_resets_the_results() {
        let mut a = audit();
        a.record("9.2", CheckResult::Conforming, "seen").unwrap();
        let next = a.next_from(date!(2027 - 10 - 01), date!(2027 - 10 - 02));
        assert_eq!(next.status, AuditStatus::Planned);
        assert_eq!(next.copied_from.as_deref(), Some("AUD-001"));
        assert!(next.checklist.iter().all(|l| l.result == CheckResult::Open && l.notes.is_empty()));
        assert_eq!(next.checklist.len(), 2);
        assert_eq!(next.title, "Internal audit 2026 (2027)");
        let again = next.next_from(date!(2028 - 10 - 01), date!(2028 - 10 - 02));
        assert_eq!(again.title, "Internal audit 2026 (2028)", "the year a copy added is replaced, not repeated");
        let mut odd = audit();
        odd.title = "Audit (operations) of backups".into();
        assert_eq!(
            odd.next_from(date!(2027 - 01 - 01), date!(2027 - 01 - 01)).title,
            "Audit (operations) of backups (2027)"
        );
    }

    #[test]
    fn a_nonconformity_closes_only_after_a_planned_implemented_and_verified_action() {
        let mut f = finding(Grade::Minor);
        assert!(matches!(f.verify("m@acme.test", date!(2026 - 11 - 01), "ok"), Err(FindingError::WrongState(..))));
        assert_eq!(
            f.plan("restored once", "", "quarterly test", "it@acme.test", date!(2026 - 12 - 01)),
            Err(FindingError::Missing("a root cause"))
        );
        f.plan("restored once", "no schedule", "quarterly restore test", "IT@acme.test", date!(2026 - 12 - 01))
            .unwrap();
        assert_eq!(f.owner.as_deref(), Some("it@acme.test"));
        assert!(f.overdue(date!(2026 - 12 - 02)) && !f.overdue(date!(2026 - 12 - 01)));
        f.implemented().unwrap();
        assert!(!f.overdue(date!(2027 - 01 - 01)), "implemented: waiting for verification, not overdue");
        assert_eq!(
            f.verify("m@acme.test", date!(2026 - 12 - 10), " "),
            Err(FindingError::Missing("a note on what showed the action effective"))
        );
        f.verify("m@acme.test", date!(2026 - 12 - 10), "two restore tests passed").unwrap();
        assert!(!f.is_open());
        assert_eq!(f.implemented(), Err(FindingError::Closed));
        // Observations need no action and close at once.
        let mut o = finding(Grade::Observation);
        o.verify("m@acme.test", date!(2026 - 11 - 01), "").unwrap();
        assert_eq!(o.status, FindingStatus::Closed);
    }

    #[test]
    fn a_management_review_lists_the_inputs_it_did_not_cover() {
        let mut r = ManagementReview {
            id: "MRV-001".into(),
            held_on: date!(2026 - 01 - 20),
            attendees: vec!["ceo@acme.test".into()],
            inputs: vec![],
            decisions: vec![],
            actions: vec![],
        };
        assert_eq!(r.missing_inputs().len(), 10);
        r.inputs =
            REVIEW_INPUTS.iter().map(|(k, _)| ReviewInput { topic: (*k).into(), notes: "discussed".into() }).collect();
        assert!(r.complete());
        r.inputs[5].notes.clear();
        assert_eq!(r.missing_inputs(), ["Audit results"]);
        r.inputs.push(ReviewInput { topic: "weather".into(), notes: "x".into() });
        assert_eq!(r.problems().len(), 1);
    }

    #[test]
    fn audit_kinds_parse_their_written_forms() {
        assert_eq!(AuditKind::parse("stage-2"), Some(AuditKind::Stage2));
        assert_eq!(AuditKind::parse("Surveillance_1"), Some(AuditKind::Surveillance1));
        assert_eq!(AuditKind::parse("annual"), None);
    }
}
