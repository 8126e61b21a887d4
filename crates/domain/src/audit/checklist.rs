//! Audits and their checklists: what kind of audit, where it stands, recording each
//! line's result, completing it with a conclusion, and copying it for the next cycle.

use super::*;

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
    fn audit_kinds_parse_their_written_forms() {
        assert_eq!(AuditKind::parse("stage-2"), Some(AuditKind::Stage2));
        assert_eq!(AuditKind::parse("Surveillance_1"), Some(AuditKind::Surveillance1));
        assert_eq!(AuditKind::parse("annual"), None);
    }
}
