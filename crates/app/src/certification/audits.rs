//! Audits: the internal audit programme, planning, checklists, completion and copies.

use super::*;

/// The management-system clauses an audit programme covers: the leaves of clauses 4
/// to 10 (6.1.1, not 6.1), with their short titles.
pub async fn programme_clauses(cx: &Cx) -> AppResult<Vec<(String, String)>> {
    let lib = crate::frameworks::library(cx).await?;
    let clauses: Vec<(String, String)> = lib
        .framework(PIVOT)
        .map(|f| {
            f.items.iter().filter(|i| i.kind == ItemKind::Clause).map(|i| (i.id.clone(), i.title.clone())).collect()
        })
        .unwrap_or_default();
    let parents: BTreeSet<&str> =
        clauses.iter().filter_map(|(id, _)| id.rsplit_once('.').map(|(p, _)| p)).filter(|p| p.contains('.')).collect();
    Ok(clauses.iter().filter(|(id, _)| !parents.contains(id.as_str())).cloned().collect())
}

/// An audit to plan.
#[derive(Debug, Clone)]
pub struct NewAudit {
    /// What kind.
    pub kind: AuditKind,
    /// Its title (a default is made from the kind and year when empty).
    pub title: String,
    /// What it covers (default: the ISMS scope).
    pub scope: String,
    /// Against what.
    pub criteria: String,
    /// The (lead) auditor.
    pub auditor: String,
    /// The certification body, for external audits (default: the certificate's).
    pub certification_body: Option<String>,
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
    /// Controls to audit; empty: a sample of the applicable controls, least recently
    /// audited first.
    pub controls: Vec<String>,
    /// How many controls to sample (default: the organization's setting).
    pub sample: Option<usize>,
}

/// A planned audit with what its planner should know.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Planned {
    /// The audit.
    pub audit: Audit,
    /// Independence warnings (the auditor owns audited controls).
    pub warnings: Vec<String>,
}

/// The auditor must not audit their own work: a warning for each audited control the
/// auditor owns.
/// The certification body's completed audits, for the stage-order rules.
pub(crate) async fn held_audits_of(cx: &Cx, org: OrgId) -> AppResult<Vec<isms_domain::certification::HeldAudit>> {
    Ok(isms_domain::certification::held_audits(&audits_of(cx, org).await?))
}

pub(crate) async fn independence_of(cx: &Cx, org: OrgId, audit: &Audit) -> AppResult<Vec<String>> {
    let auditor = audit.auditor.trim().to_lowercase();
    let controls = controls_of(cx, org).await?;
    let mut out = Vec::new();
    if audit.kind == AuditKind::Stage2 && audit.status != AuditStatus::Completed {
        let held = held_audits_of(cx, org).await?;
        if isms_domain::certification::stage_2_problem(audit.start, &held).is_some() {
            out.push(format!(
                "no Stage 1 is completed before {} starts ({}): Stage 2 cannot be completed until one is",
                audit.id, audit.start
            ));
        }
        out.extend(isms_domain::certification::stage_gap_warning(audit.start, &held));
    }
    for line in audit.checklist.iter().filter(|l| l.kind == CheckKind::Control) {
        if let Some(c) = controls.iter().find(|c| c.record.control == line.reference)
            && c.owner_email.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(&auditor))
        {
            out.push(format!(
                "{} owns {} {}: an auditor must be independent of the area audited; choose another auditor for it",
                audit.auditor, line.reference, line.title
            ));
        }
    }
    let docs = crate::documents::documents_of(cx, org).await?;
    for d in docs.iter().filter(|d| d.owner.eq_ignore_ascii_case(&auditor)) {
        let audited: Vec<&str> = d
            .clauses
            .iter()
            .chain(d.controls.iter())
            .filter(|r| audit.checklist.iter().any(|l| l.reference == **r))
            .map(String::as_str)
            .collect();
        if !audited.is_empty() {
            out.push(format!(
                "{} owns {} {}, which is evidence for {}: an auditor must not audit their own documents",
                audit.auditor,
                d.id,
                d.title,
                audited.join(", ")
            ));
        }
    }
    Ok(out)
}

/// Plans an audit with a checklist of every clause and the chosen or sampled controls.
pub async fn plan_audit(cx: &Cx, actor: &Actor, new: NewAudit) -> AppResult<Planned> {
    actor.require(UseCase::ManageAudits)?;
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    let clauses = programme_clauses(cx).await?;
    let controls = controls_of(cx, org).await?;
    let mut checklist: Vec<CheckItem> = clauses
        .iter()
        .map(|(id, title)| CheckItem {
            kind: CheckKind::Clause,
            reference: id.clone(),
            title: title.clone(),
            result: CheckResult::Open,
            notes: String::new(),
        })
        .collect();
    let chosen: Vec<String> = if new.controls.is_empty() {
        let n = match new.sample {
            Some(n) => n,
            None => settings_of(cx, org).await?.sample_controls,
        };
        sample_controls(cx, org, n).await?
    } else {
        let mut out = Vec::new();
        for c in &new.controls {
            let id = normalize_control_id(c);
            if !controls.iter().any(|v| v.record.control == id) {
                return Err(AppError::invalid_field("controls", format!("{c:?} is not an Annex A control")));
            }
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    };
    for id in chosen {
        let title = controls.iter().find(|c| c.record.control == id).map(|c| c.title.clone()).unwrap_or_default();
        checklist.push(CheckItem {
            kind: CheckKind::Control,
            reference: id,
            title,
            result: CheckResult::Open,
            notes: String::new(),
        });
    }
    let certificate = current_certificate_of(cx, org).await?;
    let scope = if new.scope.trim().is_empty() {
        registers::list::<isms_domain::register::Scope>(cx, org)
            .await?
            .into_iter()
            .next()
            .map(|s| s.statement)
            .or_else(|| certificate.as_ref().map(|c| c.scope.clone()))
            .unwrap_or_else(|| "The whole ISMS".to_owned())
    } else {
        new.scope.trim().to_owned()
    };
    let certification_body = if new.kind.external() {
        new.certification_body
            .filter(|b| !b.trim().is_empty())
            .or_else(|| certificate.as_ref().map(|c| c.certification_body.clone()))
    } else {
        None
    };
    let audit = Audit {
        id: String::new(),
        kind: new.kind,
        title: if new.title.trim().is_empty() {
            format!("{} {}", capitalized(new.kind.label()), new.start.year())
        } else {
            new.title.trim().to_owned()
        },
        scope,
        criteria: if new.criteria.trim().is_empty() {
            "ISO/IEC 27001:2022 and the organization's ISMS documentation".to_owned()
        } else {
            new.criteria.trim().to_owned()
        },
        auditor: new.auditor.trim().to_owned(),
        certification_body,
        start: new.start,
        end: new.end,
        status: AuditStatus::Planned,
        checklist,
        conclusion: String::new(),
        copied_from: None,
    };
    let audit = registers::create(cx, actor, org, audit).await?;
    let warnings = independence_of(cx, org, &audit).await?;
    Ok(Planned { audit, warnings })
}

pub(super) fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// `n` applicable controls, those audited longest ago (or never) first.
pub(super) async fn sample_controls(cx: &Cx, org: OrgId, n: usize) -> AppResult<Vec<String>> {
    let audits = registers::list::<Audit>(cx, org).await?;
    let mut last: BTreeMap<String, Date> = BTreeMap::new();
    for a in audits.iter().filter(|a| a.status != AuditStatus::Cancelled) {
        for r in a.checklist.iter().filter(|l| l.kind == CheckKind::Control) {
            let e = last.entry(r.reference.clone()).or_insert(a.end);
            *e = (*e).max(a.end);
        }
    }
    let mut applicable: Vec<(Option<Date>, usize, String)> = controls_of(cx, org)
        .await?
        .into_iter()
        .enumerate()
        .filter(|(_, c)| c.record.applicable)
        .map(|(i, c)| (last.get(&c.record.control).copied(), i, c.record.control))
        .collect();
    applicable.sort();
    Ok(applicable.into_iter().take(n).map(|(_, _, id)| id).collect())
}

/// Every audit, by start date.
pub async fn audits(cx: &Cx, actor: &Actor) -> AppResult<Vec<Audit>> {
    actor.require(UseCase::ReadIsms)?;
    audits_of(cx, actor.org()).await
}

/// One audit with its independence warnings.
pub async fn audit(cx: &Cx, actor: &Actor, id: &str) -> AppResult<Planned> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let audit = audit_of(cx, org, id).await?;
    let warnings = independence_of(cx, org, &audit).await?;
    Ok(Planned { audit, warnings })
}

/// [`audits`] for the app's own use inside a checked use case.
pub(crate) async fn audits_of(cx: &Cx, org: OrgId) -> AppResult<Vec<Audit>> {
    let mut all = registers::list::<Audit>(cx, org).await?;
    all.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
    Ok(all)
}

/// One audit.
pub(crate) async fn audit_of(cx: &Cx, org: OrgId, id: &str) -> AppResult<Audit> {
    registers::get::<Audit>(cx, org, id).await
}

/// Records the result of one checklist line.
pub async fn record_result(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    reference: &str,
    result: CheckResult,
    notes: &str,
) -> AppResult<Audit> {
    actor.require(UseCase::RecordFindings)?;
    registers::update(cx, &actor.trail(), actor.org(), id, |a: &mut Audit| {
        // `9.2` is a clause; `A.8.13`, `a.8.13` and `8.13` (not a clause) a control.
        let r = reference.trim();
        let line = if a.checklist.iter().any(|l| l.reference.eq_ignore_ascii_case(r)) {
            r.to_owned()
        } else {
            normalize_control_id(r)
        };
        a.record(&line, result, notes).map_err(|e| audit_refused(&e))
    })
    .await
}

/// `a.8.13` → `A.8.13`; clause references as they are.
pub(super) fn normalize_reference(r: &str) -> String {
    let r = r.trim();
    if r.starts_with(['A', 'a']) { normalize_control_id(r) } else { r.to_owned() }
}

/// A change of an audit's dates, auditor or status.
#[derive(Debug, Clone, Default)]
pub struct Reschedule {
    /// A new first day.
    pub start: Option<Date>,
    /// A new last day.
    pub end: Option<Date>,
    /// A new auditor.
    pub auditor: Option<String>,
    /// Cancel it.
    pub cancel: bool,
}

/// Changes an audit's dates, auditor or status (planned, in progress, cancelled).
pub async fn reschedule(cx: &Cx, actor: &Actor, id: &str, change: Reschedule) -> AppResult<Audit> {
    actor.require(UseCase::ManageAudits)?;
    let Reschedule { start, end, auditor, cancel } = change;
    registers::update(cx, &actor.trail(), actor.org(), id, |a: &mut Audit| {
        if matches!(a.status, AuditStatus::Completed | AuditStatus::Cancelled) {
            return Err(audit_refused(&AuditError::Closed(a.status.as_str())));
        }
        if let Some(s) = start {
            a.start = s;
        }
        if let Some(e) = end {
            a.end = e;
        }
        if let Some(who) = auditor {
            a.auditor = who.trim().to_owned();
        }
        if cancel {
            a.status = AuditStatus::Cancelled;
        }
        Ok(())
    })
    .await
}

/// Completes an audit with its conclusion.
pub async fn complete_audit(cx: &Cx, actor: &Actor, id: &str, conclusion: &str) -> AppResult<Audit> {
    actor.require(UseCase::RecordFindings)?;
    let org = actor.org();
    let audit = audit_of(cx, org, id).await?;
    if audit.kind == AuditKind::Stage2
        && let Some(problem) = isms_domain::certification::stage_2_problem(audit.start, &held_audits_of(cx, org).await?)
    {
        return Err(AppError::new(Code::CertificationAuditMissing, format!("{id}: {problem}")));
    }
    registers::update(cx, &actor.trail(), actor.org(), id, |a: &mut Audit| {
        a.complete(conclusion).map_err(|e| audit_refused(&e))
    })
    .await
}

/// Plans next cycle's audit from an earlier one: plan and checklist copied, results
/// reset.
pub async fn copy_audit(cx: &Cx, actor: &Actor, id: &str, start: Date, end: Date) -> AppResult<Planned> {
    actor.require(UseCase::ManageAudits)?;
    let org = actor.org();
    let from = audit_of(cx, org, id).await?;
    let audit = registers::create(cx, &actor.trail(), org, from.next_from(start, end)).await?;
    let warnings = independence_of(cx, org, &audit).await?;
    Ok(Planned { audit, warnings })
}

/// How well the audit programme covers the cycle.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Programme {
    /// The cycle's first day (the certificate's issue, or three years back).
    #[serde(with = "isms_domain::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub from: Date,
    /// Its last day.
    #[serde(with = "isms_domain::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub until: Date,
    /// Every audit in the window, by date.
    pub audits: Vec<Audit>,
    /// Clauses no internal audit in the window plans or covers.
    pub uncovered_clauses: Vec<String>,
    /// Applicable controls no internal audit in the window plans or covers.
    pub uncovered_controls: Vec<String>,
    /// Applicable controls.
    pub applicable_controls: usize,
}

/// The internal audit programme over the certification cycle: which clauses and
/// applicable controls the planned and completed internal audits cover.
pub async fn programme(cx: &Cx, actor: &Actor) -> AppResult<Programme> {
    actor.require(UseCase::ReadIsms)?;
    programme_of(cx, actor.org()).await
}

/// [`programme`] for the app's own use inside a checked use case.
pub(crate) async fn programme_of(cx: &Cx, org: OrgId) -> AppResult<Programme> {
    let today = cx.clock.today();
    let (from, until) = match current_certificate_of(cx, org).await? {
        Some(c) => (c.issued.checked_sub(Duration::days(365)).unwrap_or(c.issued), c.cycle().expiry),
        None => (today - Duration::days(3 * 365), today + Duration::days(365)),
    };
    let all = audits_of(cx, org).await?;
    let window: Vec<Audit> = all.into_iter().filter(|a| a.end >= from && a.start <= until).collect();
    let planned: BTreeSet<&str> = window
        .iter()
        .filter(|a| a.kind == AuditKind::Internal && a.status != AuditStatus::Cancelled)
        .flat_map(|a| a.checklist.iter().map(|l| l.reference.as_str()))
        .collect();
    let clauses = programme_clauses(cx).await?;
    let controls = controls_of(cx, org).await?;
    let applicable: Vec<String> =
        controls.into_iter().filter(|c| c.record.applicable).map(|c| c.record.control).collect();
    Ok(Programme {
        from,
        until,
        uncovered_clauses: clauses.into_iter().map(|(id, _)| id).filter(|c| !planned.contains(c.as_str())).collect(),
        uncovered_controls: applicable.iter().filter(|c| !planned.contains(c.as_str())).cloned().collect(),
        applicable_controls: applicable.len(),
        audits: window,
    })
}
