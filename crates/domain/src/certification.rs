//! The certificate and the three-year cycle it sets. ISO/IEC 27001 certificates are
//! valid for three years from the certification decision; the certification body
//! audits the ISMS once a year in between (surveillance) and again before expiry
//! (recertification).
//!
//! The dates isms derives, as documented in docs/certification.md:
//! - expiry: the day before the third anniversary of the issue date
//!   (issued 2026-03-15 → expires 2029-03-14);
//! - surveillance audit 1: by the first anniversary (2027-03-15), surveillance 2: by the
//!   second (2028-03-15) — the usual rule of accredited certification bodies
//!   (ISO/IEC 17021-1: at least once a calendar year, the first within 12 months of the
//!   certification decision);
//! - recertification: completed before expiry, planned by default three months ahead.
//!
//! Anniversaries of a 29 February fall on 28 February in common years.
//!
//! A recertification decided before expiry, or a restoration decided within six
//! months after it, continues the cycle: the new certificate runs three years from the
//! day after the previous expiry, whatever the decision date (ISO/IEC 17021-1 §9.6.3).
//! Later than six months, only a new initial certification (Stage 1 and Stage 2) will
//! do.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::register::Entry;
use crate::review::add_months;

/// Where a certificate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// Valid.
    Active,
    /// Suspended by the certification body (e.g. a missed surveillance audit or an
    /// unresolved major nonconformity); not valid until reinstated.
    Suspended,
    /// Withdrawn by the certification body.
    Withdrawn,
    /// Past its expiry date.
    Expired,
}

impl CertificateStatus {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateStatus::Active => "active",
            CertificateStatus::Suspended => "suspended",
            CertificateStatus::Withdrawn => "withdrawn",
            CertificateStatus::Expired => "expired",
        }
    }
}

/// A certificate of conformity to ISO/IEC 27001.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Certificate {
    /// `CRT-001`.
    #[serde(default)]
    pub id: String,
    /// The certification body's certificate number.
    pub number: String,
    /// Who certified.
    pub certification_body: String,
    /// Who accredits the certification body (ANAB for most US certificates).
    #[serde(default = "default_accreditation_body")]
    pub accreditation_body: String,
    /// The certification decision date, printed on the certificate.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub issued: Date,
    /// The scope statement printed on the certificate.
    pub scope: String,
    /// As recorded; [`Certificate::status_on`] adds expiry.
    pub status: CertificateStatus,
    /// The standard's edition (ISO/IEC 27001:2022).
    #[serde(default = "default_standard")]
    pub standard: String,
    /// For a recertification or restoration: the expiry of the certificate it renews.
    /// Its cycle runs from the day after; isms sets it when the certificate is
    /// recorded (see [`renewal`]).
    #[serde(default, with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub continues: Option<Date>,
    /// Since when the recorded status holds (set when the status changes), for a
    /// suspension's six months.
    #[serde(default, with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub status_since: Option<Date>,
}

/// How long a suspension may last before the certification body withdraws the
/// certificate (or reduces its scope).
pub const SUSPENSION_MONTHS: u32 = 6;

fn default_accreditation_body() -> String {
    "ANAB".to_owned()
}

fn default_standard() -> String {
    "ISO/IEC 27001:2022".to_owned()
}

/// The dates a certificate sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Cycle {
    /// The certification decision.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub issued: Date,
    /// Surveillance audit 1 is due by this date.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub surveillance_1_due: Date,
    /// Surveillance audit 2 is due by this date.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub surveillance_2_due: Date,
    /// Plan the recertification audit by this date.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub recertification_planned: Date,
    /// The last day the certificate is valid; recertification must be decided by then.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub expiry: Date,
}

/// The cycle of a certificate issued on `issued`.
pub fn cycle(issued: Date) -> Cycle {
    let expiry = add_months(issued, 36) - Duration::days(1);
    Cycle {
        issued,
        surveillance_1_due: add_months(issued, 12),
        surveillance_2_due: add_months(issued, 24),
        recertification_planned: add_months(issued, 33),
        expiry,
    }
}

/// The cycle of a certificate that renews one expiring on `previous_expiry`: three
/// years from the day after that expiry, whenever the decision (`issued`) was taken.
pub fn continued_cycle(previous_expiry: Date, issued: Date) -> Cycle {
    Cycle { issued, ..cycle(previous_expiry.next_day().unwrap_or(previous_expiry)) }
}

/// A span of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Period {
    /// The first day.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub from: Date,
    /// The last day.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub to: Date,
}

/// The months after expiry within which a recertification still restores the
/// certificate.
pub const RESTORATION_MONTHS: u32 = 6;

/// What a certification decision on `decided` is, after the certificate `previous`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Renewal {
    /// Decided on or before the previous expiry: the cycle continues from it.
    Recertification {
        /// The previous expiry.
        #[serde(with = "crate::dates::date")]
        #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
        continues: Date,
    },
    /// Decided within six months after the previous expiry: the certificate is
    /// restored with the cycle it continues; the days between were without
    /// certification.
    Restoration {
        /// The previous expiry.
        #[serde(with = "crate::dates::date")]
        #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
        continues: Date,
    },
    /// Later (or after a withdrawal): a new initial certification, with a cycle of its
    /// own.
    Initial,
}

/// How a decision on `decided` relates to the certificate before it.
pub fn renewal(previous: &Certificate, decided: Date) -> Renewal {
    let expiry = previous.cycle().expiry;
    if previous.status == CertificateStatus::Withdrawn || decided <= previous.issued {
        Renewal::Initial
    } else if decided <= expiry {
        Renewal::Recertification { continues: expiry }
    } else if decided <= add_months(expiry, RESTORATION_MONTHS) {
        Renewal::Restoration { continues: expiry }
    } else {
        Renewal::Initial
    }
}

/// What keeps a certificate from being recorded as active, or made active again after a
/// suspension: findings of the certification body's audits only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionBlock {
    /// Major nonconformities not yet corrected and verified.
    OpenMajors(Vec<String>),
    /// Minor nonconformities without an action plan (correction, root cause,
    /// corrective action, owner, due date).
    UnplannedMinors(Vec<String>),
}

/// The findings that block a certification decision: `findings` are the certification
/// body's (an internal audit's findings never block it; readiness warns instead).
pub fn decision_block<'a>(findings: impl IntoIterator<Item = &'a crate::audit::Finding>) -> Option<DecisionBlock> {
    use crate::audit::{FindingStatus, Grade};
    let findings: Vec<&crate::audit::Finding> = findings.into_iter().collect();
    let ids = |keep: &dyn Fn(&crate::audit::Finding) -> bool| -> Vec<String> {
        findings.iter().filter(|f| keep(f)).map(|f| f.id.clone()).collect()
    };
    let majors = ids(&|f| f.grade == Grade::Major && f.is_open());
    if !majors.is_empty() {
        return Some(DecisionBlock::OpenMajors(majors));
    }
    let unplanned = ids(&|f| f.grade == Grade::Minor && f.status == FindingStatus::Open);
    (!unplanned.is_empty()).then_some(DecisionBlock::UnplannedMinors(unplanned))
}

/// A completed audit by the certification body, as the stage-order rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldAudit {
    /// `AUD-004`.
    pub id: String,
    /// Stage 1, Stage 2, recertification, …
    pub kind: crate::audit::AuditKind,
    /// Its first day.
    pub start: Date,
    /// Its last day.
    pub end: Date,
}

impl From<&crate::audit::Audit> for HeldAudit {
    fn from(a: &crate::audit::Audit) -> Self {
        HeldAudit { id: a.id.clone(), kind: a.kind, start: a.start, end: a.end }
    }
}

/// The certification body's completed audits among `audits`.
pub fn held_audits(audits: &[crate::audit::Audit]) -> Vec<HeldAudit> {
    audits
        .iter()
        .filter(|a| a.kind.external() && a.status == crate::audit::AuditStatus::Completed)
        .map(HeldAudit::from)
        .collect()
}

/// Stage 1 older than this before Stage 2 starts: its findings may be stale.
pub const STAGE_GAP_MONTHS: u32 = 6;

/// Why Stage 2 (starting on `start`) may not be completed: it needs a completed
/// Stage 1 that ended on or before its first day.
pub fn stage_2_problem(start: Date, held: &[HeldAudit]) -> Option<String> {
    let stage1 = held.iter().any(|a| a.kind == crate::audit::AuditKind::Stage1 && a.end <= start);
    (!stage1).then(|| {
        format!(
            "Stage 2 needs a completed Stage 1 that ended on or before its first day ({start}); record Stage 1 first"
        )
    })
}

/// A warning for a Stage 2 starting on `start`: Stage 1 more than six months before.
pub fn stage_gap_warning(start: Date, held: &[HeldAudit]) -> Option<String> {
    let last =
        held.iter().filter(|a| a.kind == crate::audit::AuditKind::Stage1 && a.end <= start).map(|a| a.end).max()?;
    (add_months(last, STAGE_GAP_MONTHS) < start).then(|| {
        format!(
            "Stage 1 ended on {last}, more than {STAGE_GAP_MONTHS} months before Stage 2 starts ({start}): its \
             findings may be stale; the certification body may repeat parts of it"
        )
    })
}

/// Why a certification decision on `decided` cannot be recorded, if it cannot: an
/// initial certification needs a completed Stage 2 (itself after a completed Stage 1),
/// a recertification or restoration a completed recertification audit, each ending on
/// or before the decision and after the certificate it renews was issued.
pub fn decision_problem(
    renewal: Renewal,
    previous_issued: Option<Date>,
    decided: Date,
    held: &[HeldAudit],
) -> Option<String> {
    use crate::audit::AuditKind;
    let after = |a: &&HeldAudit| a.end <= decided && previous_issued.is_none_or(|p| a.end > p);
    match renewal {
        Renewal::Initial => {
            let Some(stage2) = held.iter().filter(|a| a.kind == AuditKind::Stage2).filter(after).max_by_key(|a| a.end)
            else {
                return Some(format!(
                    "a certification decision on {decided} needs a completed Stage 2 audit that ended on or before it"
                ));
            };
            stage_2_problem(stage2.start, held).map(|p| format!("{} ({}): {p}", stage2.id, stage2.kind.label()))
        }
        Renewal::Recertification { continues } | Renewal::Restoration { continues } => {
            let done = held.iter().filter(|a| a.kind == AuditKind::Recertification).any(|a| after(&a));
            (!done).then(|| {
                format!(
                    "renewing the certificate that expires on {continues} needs a completed recertification audit that \
                     ended on or before the decision ({decided})"
                )
            })
        }
    }
}

impl Certificate {
    /// Its cycle.
    pub fn cycle(&self) -> Cycle {
        match self.continues {
            Some(previous) => continued_cycle(previous, self.issued),
            None => cycle(self.issued),
        }
    }

    /// The first day of its cycle: the day after the expiry it continues, or the
    /// decision date.
    pub fn cycle_start(&self) -> Date {
        self.continues.and_then(Date::next_day).unwrap_or(self.issued)
    }

    /// For a restored certificate: the days without certification, from the day
    /// after the previous expiry to the day before the decision.
    pub fn gap(&self) -> Option<Period> {
        let from = self.continues?.next_day()?;
        let to = self.issued.previous_day()?;
        (to >= from).then_some(Period { from, to })
    }

    /// The status on `today`: an active certificate past its expiry is expired.
    pub fn status_on(&self, today: Date) -> CertificateStatus {
        match self.status {
            CertificateStatus::Active if today > self.cycle().expiry => CertificateStatus::Expired,
            s => s,
        }
    }

    /// True when the certificate is valid on `today`.
    pub fn valid_on(&self, today: Date) -> bool {
        self.status_on(today) == CertificateStatus::Active
    }
}

impl Entry for Certificate {
    const KIND: &'static str = "certificate";
    const PREFIX: &'static str = "CRT";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.number.trim().is_empty() {
            p.push(("number", "is required".to_owned()));
        }
        if self.certification_body.trim().is_empty() {
            p.push(("certification_body", "is required".to_owned()));
        }
        if self.scope.trim().is_empty() {
            p.push(("scope", "is required (the scope statement printed on the certificate)".to_owned()));
        }
        p
    }
}

/// How this organization runs its audits: default deadlines for corrective actions
/// (when the certification body sets none) and how many controls an internal audit
/// samples.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditSettings {
    /// Always `AUDIT-SETTINGS`.
    #[serde(default)]
    pub id: String,
    /// Days to correct a major nonconformity.
    #[serde(default = "default_major_days")]
    pub major_due_days: u32,
    /// Days to correct a minor nonconformity.
    #[serde(default = "default_minor_days")]
    pub minor_due_days: u32,
    /// Applicable controls sampled by a generated internal audit checklist.
    #[serde(default = "default_sample")]
    pub sample_controls: usize,
}

fn default_major_days() -> u32 {
    30
}
fn default_minor_days() -> u32 {
    90
}
fn default_sample() -> usize {
    12
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            id: "AUDIT-SETTINGS".into(),
            major_due_days: default_major_days(),
            minor_due_days: default_minor_days(),
            sample_controls: default_sample(),
        }
    }
}

impl Entry for AuditSettings {
    const KIND: &'static str = "audit_settings";
    const PREFIX: &'static str = "AUDIT-SETTINGS";
    fn id(&self) -> &str {
        &self.id
    }
    fn set_id(&mut self, _id: String) {
        self.id = "AUDIT-SETTINGS".to_owned();
    }
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if !(1..=365).contains(&self.major_due_days) {
            p.push(("major_due_days", "must be between 1 and 365".to_owned()));
        }
        if !(1..=365).contains(&self.minor_due_days) {
            p.push(("minor_due_days", "must be between 1 and 365".to_owned()));
        }
        if self.sample_controls > 93 {
            p.push(("sample_controls", "there are 93 Annex A controls".to_owned()));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn cert(issued: Date, status: CertificateStatus) -> Certificate {
        Certificate {
            id: "CRT-001".into(),
            number: "IS 123456".into(),
            certification_body: "Example Registrar".into(),
            accreditation_body: "ANAB".into(),
            issued,
            scope: "The SaaS platform".into(),
            status,
            standard: default_standard(),
            continues: None,
            status_since: None,
        }
    }

    /// A certificate decided on `decided` after `previous`, as isms records it.
    fn decide(previous: &Certificate, decided: Date) -> Certificate {
        let continues = match renewal(previous, decided) {
            Renewal::Recertification { continues } | Renewal::Restoration { continues } => Some(continues),
            Renewal::Initial => None,
        };
        Certificate { continues, ..cert(decided, CertificateStatus::Active) }
    }

    #[test]
    fn an_early_recertification_keeps_the_cycle_of_the_certificate_it_renews() {
        let first = cert(date!(2026 - 03 - 15), CertificateStatus::Active);
        assert_eq!(first.cycle().expiry, date!(2029 - 03 - 14));
        let renewed = decide(&first, date!(2029 - 01 - 20));
        assert_eq!(
            renewal(&first, date!(2029 - 01 - 20)),
            Renewal::Recertification { continues: date!(2029 - 03 - 14) }
        );
        let c = renewed.cycle();
        assert_eq!(c.expiry, date!(2032 - 03 - 14), "three years after the previous expiry, not after the decision");
        assert_eq!(c.issued, date!(2029 - 01 - 20));
        assert_eq!((c.surveillance_1_due, c.surveillance_2_due), (date!(2030 - 03 - 15), date!(2031 - 03 - 15)));
        assert_eq!(renewed.gap(), None);
        // Decided on the expiry day itself: still a recertification.
        assert!(matches!(renewal(&first, date!(2029 - 03 - 14)), Renewal::Recertification { .. }));
        // A second recertification chains on the first.
        let third = decide(&renewed, date!(2032 - 02 - 01));
        assert_eq!(third.cycle().expiry, date!(2035 - 03 - 14));
    }

    #[test]
    fn restoration_within_six_months_continues_the_cycle_and_shows_the_gap() {
        let first = cert(date!(2026 - 03 - 15), CertificateStatus::Active);
        let restored = decide(&first, date!(2029 - 06 - 10));
        assert_eq!(renewal(&first, date!(2029 - 06 - 10)), Renewal::Restoration { continues: date!(2029 - 03 - 14) });
        assert_eq!(restored.cycle().expiry, date!(2032 - 03 - 14), "the expiry of the cycle it continues");
        assert_eq!(
            restored.gap(),
            Some(Period { from: date!(2029 - 03 - 15), to: date!(2029 - 06 - 09) }),
            "without certification"
        );
        // Six months after expiry is the last day a restoration is possible.
        assert!(matches!(renewal(&first, date!(2029 - 09 - 14)), Renewal::Restoration { .. }));
        let late = decide(&first, date!(2029 - 09 - 15));
        assert_eq!(renewal(&first, date!(2029 - 09 - 15)), Renewal::Initial, "past six months: a new certification");
        assert_eq!(late.cycle().expiry, date!(2032 - 09 - 14), "a cycle of its own");
        // A withdrawn certificate is never restored.
        let withdrawn = cert(date!(2026 - 03 - 15), CertificateStatus::Withdrawn);
        assert_eq!(renewal(&withdrawn, date!(2029 - 01 - 20)), Renewal::Initial);
    }

    #[test]
    fn leap_day_certificates_keep_their_dates_through_recertification() {
        let first = cert(date!(2028 - 02 - 29), CertificateStatus::Active);
        assert_eq!(first.cycle().expiry, date!(2031 - 02 - 27));
        let renewed = decide(&first, date!(2031 - 01 - 10));
        assert_eq!(renewed.cycle().expiry, date!(2034 - 02 - 27));
        assert_eq!(renewed.cycle().surveillance_1_due, date!(2032 - 02 - 28));
        // Expiring on a leap day: the next cycle starts 1 March.
        let first = cert(date!(2025 - 03 - 01), CertificateStatus::Active);
        assert_eq!(first.cycle().expiry, date!(2028 - 02 - 29));
        assert_eq!(renewed_cycle_expiry(&first, date!(2028 - 02 - 01)), date!(2031 - 02 - 28));
    }

    fn finding(id: &str, grade: crate::audit::Grade, status: crate::audit::FindingStatus) -> crate::audit::Finding {
        crate::audit::Finding {
            id: id.into(),
            audit: "AUD-002".into(),
            check: None,
            grade,
            requirement: "A.8.13".into(),
            description: "x".into(),
            evidence: String::new(),
            raised_on: date!(2026 - 03 - 05),
            owner: None,
            due: None,
            correction: String::new(),
            root_cause: String::new(),
            corrective_action: String::new(),
            status,
            verification: None,
        }
    }

    #[test]
    fn an_open_major_or_an_unplanned_minor_blocks_the_decision_and_a_reinstatement() {
        use crate::audit::{FindingStatus as S, Grade as G};
        // A suspended certificate is made active again under the same rule as recording it.
        let major = finding("FND-1", G::Major, S::ActionPlanned);
        assert_eq!(decision_block([&major]), Some(DecisionBlock::OpenMajors(vec!["FND-1".into()])));
        let closed = finding("FND-1", G::Major, S::Closed);
        let minor = finding("FND-2", G::Minor, S::Open);
        assert_eq!(decision_block([&closed, &minor]), Some(DecisionBlock::UnplannedMinors(vec!["FND-2".into()])));
        let planned = finding("FND-2", G::Minor, S::ActionPlanned);
        let observation = finding("FND-3", G::Observation, S::Open);
        assert_eq!(decision_block([&closed, &planned, &observation]), None);
    }

    fn held(id: &str, kind: crate::audit::AuditKind, start: Date, end: Date) -> HeldAudit {
        HeldAudit { id: id.into(), kind, start, end }
    }

    #[test]
    fn a_certificate_needs_stage_2_after_stage_1_and_a_renewal_a_recertification_audit() {
        use crate::audit::AuditKind::{Recertification, Stage1, Stage2};
        let decided = date!(2026 - 03 - 15);
        let none = decision_problem(Renewal::Initial, None, decided, &[]).unwrap();
        assert!(none.contains("needs a completed Stage 2"), "{none}");
        let s2 = held("AUD-2", Stage2, date!(2026 - 03 - 02), date!(2026 - 03 - 05));
        let without_stage_1 = decision_problem(Renewal::Initial, None, decided, std::slice::from_ref(&s2)).unwrap();
        assert!(without_stage_1.contains("AUD-2") && without_stage_1.contains("needs a completed Stage 1"));
        let s1 = held("AUD-1", Stage1, date!(2026 - 01 - 12), date!(2026 - 01 - 13));
        assert_eq!(decision_problem(Renewal::Initial, None, decided, &[s1.clone(), s2.clone()]), None);
        // Stage 2 after the decision does not count.
        assert!(decision_problem(Renewal::Initial, None, date!(2026 - 03 - 04), &[s1.clone(), s2.clone()]).is_some());
        // Stage 1 long before Stage 2: allowed, with a warning.
        assert_eq!(stage_gap_warning(s2.start, std::slice::from_ref(&s1)), None);
        let old = held("AUD-0", Stage1, date!(2025 - 08 - 01), date!(2025 - 08 - 02));
        assert!(stage_gap_warning(s2.start, &[old]).unwrap().contains("more than 6 months"));
        // A renewal needs a recertification audit of this cycle.
        let renewal = Renewal::Recertification { continues: date!(2029 - 03 - 14) };
        let issued = Some(decided);
        assert!(
            decision_problem(renewal, issued, date!(2029 - 01 - 20), &[s1, s2])
                .unwrap()
                .contains("recertification audit")
        );
        let recert = held("AUD-9", Recertification, date!(2028 - 12 - 01), date!(2028 - 12 - 03));
        assert_eq!(decision_problem(renewal, issued, date!(2029 - 01 - 20), &[recert]), None);
    }

    fn renewed_cycle_expiry(previous: &Certificate, decided: Date) -> Date {
        decide(previous, decided).cycle().expiry
    }

    #[test]
    fn a_certificate_issued_on_15_march_2026_sets_the_documented_dates() {
        let c = cycle(date!(2026 - 03 - 15));
        assert_eq!(c.surveillance_1_due, date!(2027 - 03 - 15));
        assert_eq!(c.surveillance_2_due, date!(2028 - 03 - 15));
        assert_eq!(c.recertification_planned, date!(2028 - 12 - 15));
        assert_eq!(c.expiry, date!(2029 - 03 - 14));
    }

    #[test]
    fn leap_days_fall_back_to_28_february() {
        let c = cycle(date!(2028 - 02 - 29));
        assert_eq!(c.surveillance_1_due, date!(2029 - 02 - 28));
        assert_eq!(c.surveillance_2_due, date!(2030 - 02 - 28));
        assert_eq!(c.expiry, date!(2031 - 02 - 27), "the day before the third anniversary (28 Feb 2031)");
        // Issued the day after a leap day, the cycle is unaffected by it.
        let c = cycle(date!(2027 - 03 - 01));
        assert_eq!((c.surveillance_1_due, c.expiry), (date!(2028 - 03 - 01), date!(2030 - 02 - 28)));
        // Issued on 1 March of a year before a leap year: expiry is 29 February.
        assert_eq!(cycle(date!(2025 - 03 - 01)).expiry, date!(2028 - 02 - 29));
    }

    #[test]
    fn expiry_suspension_and_withdrawal() {
        let active = cert(date!(2026 - 03 - 15), CertificateStatus::Active);
        assert!(active.valid_on(date!(2029 - 03 - 14)));
        assert_eq!(active.status_on(date!(2029 - 03 - 15)), CertificateStatus::Expired);
        let suspended = cert(date!(2026 - 03 - 15), CertificateStatus::Suspended);
        assert!(!suspended.valid_on(date!(2026 - 06 - 01)));
        assert_eq!(suspended.status_on(date!(2030 - 01 - 01)), CertificateStatus::Suspended, "stays suspended");
        assert_eq!(suspended.cycle().surveillance_1_due, date!(2027 - 03 - 15), "suspension does not move the cycle");
        assert!(!cert(date!(2026 - 03 - 15), CertificateStatus::Withdrawn).valid_on(date!(2026 - 06 - 01)));
    }
}
