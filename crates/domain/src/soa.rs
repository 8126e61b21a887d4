//! Control implementation and the Statement of Applicability (ISO/IEC 27001:2022
//! 6.1.3 d).
//!
//! For every Annex A control an organization keeps one [`ControlImplementation`]:
//! applicable or not, why (or why not), how far implemented, by whom. The SoA is
//! generated from those records; [`validate`] lists what blocks its approval; an
//! approved [`SoaVersion`] is an immutable snapshot, and [`diff`] compares any two.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::ids::UserId;

/// How far a control is implemented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    /// Nothing done yet.
    NotStarted,
    /// Work is planned (owner and target date).
    Planned,
    /// Partly in place.
    PartiallyImplemented,
    /// In place and operating.
    Implemented,
    /// Excluded from the SoA.
    NotApplicable,
}

impl ControlStatus {
    /// Every status, in progress order.
    pub const ALL: [ControlStatus; 5] = [
        ControlStatus::NotStarted,
        ControlStatus::Planned,
        ControlStatus::PartiallyImplemented,
        ControlStatus::Implemented,
        ControlStatus::NotApplicable,
    ];

    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::NotStarted => "not_started",
            ControlStatus::Planned => "planned",
            ControlStatus::PartiallyImplemented => "partially_implemented",
            ControlStatus::Implemented => "implemented",
            ControlStatus::NotApplicable => "not_applicable",
        }
    }

    /// How it is shown to people.
    pub fn label(self) -> &'static str {
        match self {
            ControlStatus::NotStarted => "Not started",
            ControlStatus::Planned => "Planned",
            ControlStatus::PartiallyImplemented => "Partially implemented",
            ControlStatus::Implemented => "Implemented",
            ControlStatus::NotApplicable => "Not applicable",
        }
    }

    /// Parses a written name (`partially-implemented` too).
    pub fn parse(s: &str) -> Option<Self> {
        let wanted = s.trim().to_lowercase().replace(['-', ' '], "_");
        ControlStatus::ALL.into_iter().find(|c| c.as_str() == wanted)
    }
}

impl fmt::Display for ControlStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an applicable control is in the SoA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InclusionReason {
    /// It treats an assessed risk (6.1.3); needs a linked risk.
    RiskTreatment,
    /// A law or regulation requires it.
    LegalRegulatory,
    /// A contract requires it.
    Contractual,
    /// Business requirement or good practice.
    BusinessPractice,
}

impl InclusionReason {
    /// Every reason.
    pub const ALL: [InclusionReason; 4] = [
        InclusionReason::RiskTreatment,
        InclusionReason::LegalRegulatory,
        InclusionReason::Contractual,
        InclusionReason::BusinessPractice,
    ];

    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            InclusionReason::RiskTreatment => "risk_treatment",
            InclusionReason::LegalRegulatory => "legal_regulatory",
            InclusionReason::Contractual => "contractual",
            InclusionReason::BusinessPractice => "business_practice",
        }
    }

    /// How it is shown to people.
    pub fn label(self) -> &'static str {
        match self {
            InclusionReason::RiskTreatment => "Risk treatment",
            InclusionReason::LegalRegulatory => "Legal/regulatory",
            InclusionReason::Contractual => "Contractual",
            InclusionReason::BusinessPractice => "Business/best practice",
        }
    }

    /// Parses a written name (`legal`, `risk` and `business` are accepted too).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_lowercase().replace(['-', ' ', '/'], "_").as_str() {
            "risk_treatment" | "risk" => Some(InclusionReason::RiskTreatment),
            "legal_regulatory" | "legal" | "regulatory" => Some(InclusionReason::LegalRegulatory),
            "contractual" | "contract" => Some(InclusionReason::Contractual),
            "business_practice" | "business" | "best_practice" => Some(InclusionReason::BusinessPractice),
            _ => None,
        }
    }
}

/// What a control implementation links to. Risks, documents and evidence are added by
/// later capabilities; a link is a kind and an id, so they slot in unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// A risk it treats.
    Risk,
    /// An asset it protects.
    Asset,
    /// A document (policy, procedure) describing it.
    Document,
    /// Evidence that it operates.
    Evidence,
}

impl LinkKind {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Risk => "risk",
            LinkKind::Asset => "asset",
            LinkKind::Document => "document",
            LinkKind::Evidence => "evidence",
        }
    }

    /// Parses a written name.
    pub fn parse(s: &str) -> Option<Self> {
        [LinkKind::Risk, LinkKind::Asset, LinkKind::Document, LinkKind::Evidence]
            .into_iter()
            .find(|k| k.as_str() == s.trim().to_lowercase())
    }
}

/// A link from a control implementation to something else of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ControlLink {
    /// What it links to.
    pub kind: LinkKind,
    /// Its id.
    pub id: String,
}

/// An organization's record for one Annex A control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ControlImplementation {
    /// The Annex A control (`A.5.15`).
    pub control: String,
    /// In the SoA or excluded.
    pub applicable: bool,
    /// Why it is included (applicable controls).
    pub reasons: BTreeSet<InclusionReason>,
    /// Why it is excluded (not applicable controls).
    pub justification: Option<String>,
    /// How far implemented.
    pub status: ControlStatus,
    /// Who is responsible.
    pub owner: Option<UserId>,
    /// When it should be implemented.
    #[serde(default, with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub target_date: Option<Date>,
    /// How it is implemented, in Markdown.
    pub implementation: String,
    /// Risks, assets, documents and evidence.
    pub links: BTreeSet<ControlLink>,
    /// When it was last changed.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub updated_at: OffsetDateTime,
}

impl ControlImplementation {
    /// The record every control starts with: applicable, not started, no reasons yet.
    pub fn not_started(control: &str, at: OffsetDateTime) -> Self {
        Self {
            control: control.to_owned(),
            applicable: true,
            reasons: BTreeSet::new(),
            justification: None,
            status: ControlStatus::NotStarted,
            owner: None,
            target_date: None,
            implementation: String::new(),
            links: BTreeSet::new(),
            updated_at: at,
        }
    }

    /// Ids of the linked risks.
    pub fn risks(&self) -> Vec<String> {
        self.links.iter().filter(|l| l.kind == LinkKind::Risk).map(|l| l.id.clone()).collect()
    }
}

/// One status change, kept as history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatusChange {
    /// The control.
    pub control: String,
    /// The status before (none for the initial record).
    pub from: Option<ControlStatus>,
    /// The status after.
    pub to: ControlStatus,
    /// Who changed it (`user:…` or `system:…`).
    pub by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub at: OffsetDateTime,
}

/// One row of the Statement of Applicability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SoaRow {
    /// The Annex A theme (`A.5`).
    pub theme: String,
    /// The control (`A.5.15`).
    pub control: String,
    /// Its short title.
    pub title: String,
    /// Applicable or excluded.
    pub applicable: bool,
    /// The inclusion reasons (applicable) — empty when excluded.
    pub reasons: Vec<InclusionReason>,
    /// The exclusion justification (excluded).
    pub justification: Option<String>,
    /// Implementation status.
    pub status: ControlStatus,
    /// The owner's name, if any.
    pub owner: Option<String>,
    /// Ids of the linked risks.
    pub risks: Vec<String>,
    /// How the control is implemented (applicable controls; our users' own words).
    /// Versions approved before it was kept read back empty.
    #[serde(default)]
    pub implementation: String,
}

/// A reason the SoA cannot be approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "problem", content = "control", rename_all = "snake_case")]
pub enum SoaProblem {
    /// An Annex A control has no record.
    #[error("control {0}: no record in the SoA")]
    MissingControl(String),
    /// Excluded without saying why.
    #[error("control {0}: an exclusion needs a justification")]
    ExclusionWithoutJustification(String),
    /// Included without saying why.
    #[error("control {0}: an applicable control needs at least one reason for inclusion")]
    ApplicableWithoutReason(String),
    /// "Risk treatment" without a risk.
    #[error("control {0}: the reason \"risk treatment\" needs at least one linked risk")]
    RiskTreatmentWithoutRisk(String),
    /// Status "not applicable" on an applicable control, or the other way round.
    #[error("control {0}: its status contradicts its applicability")]
    StatusContradictsApplicability(String),
}

/// Builds the SoA rows, in Annex A order, from the controls `(theme, id, title)` and
/// the organization's records. `owner_name` resolves owners to names.
pub fn rows(
    controls: &[(String, String, String)],
    records: &BTreeMap<String, ControlImplementation>,
    owner_name: impl Fn(UserId) -> Option<String>,
) -> Vec<SoaRow> {
    controls
        .iter()
        .filter_map(|(theme, id, title)| {
            records.get(id).map(|r| SoaRow {
                theme: theme.clone(),
                control: id.clone(),
                title: title.clone(),
                applicable: r.applicable,
                reasons: if r.applicable { r.reasons.iter().copied().collect() } else { Vec::new() },
                justification: if r.applicable { None } else { r.justification.clone() },
                status: r.status,
                owner: r.owner.and_then(&owner_name),
                risks: r.risks(),
                implementation: if r.applicable { r.implementation.clone() } else { String::new() },
            })
        })
        .collect()
}

/// Everything that blocks approval, in Annex A order.
pub fn validate(
    controls: &[(String, String, String)],
    records: &BTreeMap<String, ControlImplementation>,
) -> Vec<SoaProblem> {
    let mut problems = Vec::new();
    for (_, id, _) in controls {
        let Some(r) = records.get(id) else {
            problems.push(SoaProblem::MissingControl(id.clone()));
            continue;
        };
        if r.applicable {
            if r.reasons.is_empty() {
                problems.push(SoaProblem::ApplicableWithoutReason(id.clone()));
            }
            if r.reasons.contains(&InclusionReason::RiskTreatment) && r.risks().is_empty() {
                problems.push(SoaProblem::RiskTreatmentWithoutRisk(id.clone()));
            }
            if r.status == ControlStatus::NotApplicable {
                problems.push(SoaProblem::StatusContradictsApplicability(id.clone()));
            }
        } else {
            if r.justification.as_deref().is_none_or(|j| j.trim().is_empty()) {
                problems.push(SoaProblem::ExclusionWithoutJustification(id.clone()));
            }
            if r.status != ControlStatus::NotApplicable {
                problems.push(SoaProblem::StatusContradictsApplicability(id.clone()));
            }
        }
    }
    problems
}

/// An approved, immutable version of the SoA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SoaVersion {
    /// 1, 2, 3… per organization.
    pub number: i64,
    /// Who approved it.
    pub approved_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub approved_at: OffsetDateTime,
    /// The approver's comment.
    pub comment: String,
    /// The rows as approved.
    pub rows: Vec<SoaRow>,
}

/// One field of one control that differs between two SoA versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SoaChange {
    /// The control.
    pub control: String,
    /// The field (`applicable`, `reasons`, `justification`, `status`, `owner`, `risks`,
    /// or `row` when the control is only in one version).
    pub field: String,
    /// The value before.
    pub before: String,
    /// The value after.
    pub after: String,
}

fn show_reasons(r: &[InclusionReason]) -> String {
    r.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ")
}

/// What changed from `old` to `new`, control by control, field by field.
pub fn diff(old: &[SoaRow], new: &[SoaRow]) -> Vec<SoaChange> {
    let before: BTreeMap<&str, &SoaRow> = old.iter().map(|r| (r.control.as_str(), r)).collect();
    let mut changes = Vec::new();
    let mut push = |control: &str, field: &str, b: String, a: String| {
        if b != a {
            changes.push(SoaChange { control: control.to_owned(), field: field.to_owned(), before: b, after: a });
        }
    };
    for n in new {
        let Some(o) = before.get(n.control.as_str()) else {
            push(&n.control, "row", "absent".into(), "present".into());
            continue;
        };
        push(&n.control, "applicable", o.applicable.to_string(), n.applicable.to_string());
        push(&n.control, "reasons", show_reasons(&o.reasons), show_reasons(&n.reasons));
        push(
            &n.control,
            "justification",
            o.justification.clone().unwrap_or_default(),
            n.justification.clone().unwrap_or_default(),
        );
        push(&n.control, "status", o.status.to_string(), n.status.to_string());
        push(&n.control, "owner", o.owner.clone().unwrap_or_default(), n.owner.clone().unwrap_or_default());
        push(&n.control, "risks", o.risks.join(", "), n.risks.join(", "));
    }
    let after: BTreeSet<&str> = new.iter().map(|r| r.control.as_str()).collect();
    for o in old.iter().filter(|o| !after.contains(o.control.as_str())) {
        push(&o.control, "row", "present".into(), "absent".into());
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn controls() -> Vec<(String, String, String)> {
        ["A.5.1", "A.5.2", "A.7.1"].iter().map(|c| (c[..3].to_owned(), (*c).to_owned(), format!("title {c}"))).collect()
    }

    fn records(list: Vec<ControlImplementation>) -> BTreeMap<String, ControlImplementation> {
        list.into_iter().map(|r| (r.control.clone(), r)).collect()
    }

    fn ok(control: &str) -> ControlImplementation {
        let mut r = ControlImplementation::not_started(control, OffsetDateTime::UNIX_EPOCH);
        r.reasons.insert(InclusionReason::BusinessPractice);
        r
    }

    #[test]
    fn validation_lists_exactly_what_blocks_approval() {
        let mut excluded = ok("A.7.1");
        excluded.applicable = false;
        excluded.status = ControlStatus::NotApplicable;
        let mut risky = ok("A.5.2");
        risky.reasons = [InclusionReason::RiskTreatment].into();
        let problems = validate(&controls(), &records(vec![risky, excluded]));
        assert_eq!(
            problems,
            [
                SoaProblem::MissingControl("A.5.1".into()),
                SoaProblem::RiskTreatmentWithoutRisk("A.5.2".into()),
                SoaProblem::ExclusionWithoutJustification("A.7.1".into()),
            ]
        );
        assert_eq!(problems[2].to_string(), "control A.7.1: an exclusion needs a justification");
    }

    #[test]
    fn a_complete_soa_has_no_problems() {
        let mut excluded = ok("A.7.1");
        excluded.applicable = false;
        excluded.status = ControlStatus::NotApplicable;
        excluded.justification = Some("No premises: fully remote, cloud-hosted.".into());
        let mut risky = ok("A.5.2");
        risky.reasons = [InclusionReason::RiskTreatment].into();
        risky.links.insert(ControlLink { kind: LinkKind::Risk, id: "R-1".into() });
        assert!(validate(&controls(), &records(vec![ok("A.5.1"), risky, excluded])).is_empty());
    }

    #[test]
    fn new_records_are_applicable_without_reason_and_contradictions_are_caught() {
        let mut r = ControlImplementation::not_started("A.5.1", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(
            validate(&controls()[..1], &records(vec![r.clone()])),
            [SoaProblem::ApplicableWithoutReason("A.5.1".into())]
        );
        r.reasons.insert(InclusionReason::Contractual);
        r.status = ControlStatus::NotApplicable;
        assert_eq!(
            validate(&controls()[..1], &records(vec![r])),
            [SoaProblem::StatusContradictsApplicability("A.5.1".into())]
        );
    }

    #[test]
    fn diff_of_a_version_with_itself_is_empty_and_edits_show_field_by_field() {
        let recs = records(vec![ok("A.5.1"), ok("A.5.2"), ok("A.7.1")]);
        let v1 = rows(&controls(), &recs, |_| None);
        assert!(diff(&v1, &v1).is_empty());
        let mut edited = recs;
        let r = edited.get_mut("A.5.2").unwrap();
        r.status = ControlStatus::Implemented;
        r.reasons.insert(InclusionReason::LegalRegulatory);
        let v2 = rows(&controls(), &edited, |_| None);
        let changes = diff(&v1, &v2);
        let fields: Vec<(&str, &str, &str, &str)> = changes
            .iter()
            .map(|c| (c.control.as_str(), c.field.as_str(), c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("A.5.2", "reasons", "business_practice", "legal_regulatory, business_practice"),
                ("A.5.2", "status", "not_started", "implemented"),
            ]
        );
    }

    #[test]
    fn statuses_and_reasons_parse_from_what_people_type() {
        assert_eq!(ControlStatus::parse("Partially-Implemented"), Some(ControlStatus::PartiallyImplemented));
        assert_eq!(InclusionReason::parse("legal"), Some(InclusionReason::LegalRegulatory));
        assert_eq!(InclusionReason::parse("whim"), None);
    }
}
