//! Audits and the certification lifecycle: the internal audit programme and its
//! checklists, external audits, findings and corrective actions, management reviews,
//! the certificate and its cycle, readiness, what changed since the last audit, and
//! the calendar of all the dates. Every change goes through the registers (one
//! transaction with its audit-trail entry).

use std::collections::{BTreeMap, BTreeSet};

use isms_domain::OrgId;
use isms_domain::audit::{
    Audit, AuditError, AuditKind, AuditStatus, CheckItem, CheckKind, CheckResult, Finding, FindingError, FindingStatus,
    Grade, ManagementReview, REVIEW_INPUTS, ReviewInput,
};
use isms_domain::certification::{AuditSettings, Certificate, CertificateStatus};
use isms_domain::framework::{ItemKind, PIVOT};
use isms_domain::readiness::{Facts, MandatoryFact, Named, Readiness, Stage};
use isms_domain::register::Entry;
use isms_domain::soa::ControlStatus;
use isms_domain::trail::TrailActor;
use serde::Serialize;
use time::{Date, Duration};

use crate::controls::{list_controls, normalize_control_id};
use crate::{AppError, AppResult, Code, Cx, registers};

fn refused(e: impl std::fmt::Display, code: Code) -> AppError {
    AppError::new(code, e.to_string())
}

fn audit_refused(e: &AuditError) -> AppError {
    let code = match e {
        AuditError::NoSuchLine(_) => return AppError::invalid_field("reference", e),
        AuditError::Closed(_) => Code::AuditClosed,
        AuditError::OpenLines(_) => Code::ChecklistOpen,
        AuditError::NoConclusion => return AppError::invalid_field("conclusion", e),
    };
    refused(e, code)
}

fn finding_refused(e: &FindingError) -> AppError {
    match e {
        FindingError::Missing(what) => AppError::invalid_field("finding", format!("{what} is required")),
        FindingError::Closed => refused(e, Code::FindingClosed),
        FindingError::WrongState(..) => refused(e, Code::WrongState),
    }
}

// ---- settings ----------------------------------------------------------------------

/// The organization's audit settings (defaults until saved).
pub async fn settings(cx: &Cx, org: OrgId) -> AppResult<AuditSettings> {
    Ok(registers::list::<AuditSettings>(cx, org).await?.into_iter().next().unwrap_or_default())
}

/// Saves the audit settings.
pub async fn save_settings(cx: &Cx, actor: &TrailActor, org: OrgId, s: AuditSettings) -> AppResult<AuditSettings> {
    registers::put_singleton(cx, actor, org, s).await
}

// ---- audits ------------------------------------------------------------------------

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
pub async fn independence(cx: &Cx, org: OrgId, audit: &Audit) -> AppResult<Vec<String>> {
    let auditor = audit.auditor.trim().to_lowercase();
    let controls = list_controls(cx, org).await?;
    let mut out = Vec::new();
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
    let docs = crate::documents::list_documents(cx, org).await?;
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
pub async fn plan_audit(cx: &Cx, actor: &TrailActor, org: OrgId, new: NewAudit) -> AppResult<Planned> {
    let clauses = programme_clauses(cx).await?;
    let controls = list_controls(cx, org).await?;
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
            None => settings(cx, org).await?.sample_controls,
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
    let certificate = current_certificate(cx, org).await?;
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
    let warnings = independence(cx, org, &audit).await?;
    Ok(Planned { audit, warnings })
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// `n` applicable controls, those audited longest ago (or never) first.
async fn sample_controls(cx: &Cx, org: OrgId, n: usize) -> AppResult<Vec<String>> {
    let audits = registers::list::<Audit>(cx, org).await?;
    let mut last: BTreeMap<String, Date> = BTreeMap::new();
    for a in audits.iter().filter(|a| a.status != AuditStatus::Cancelled) {
        for r in a.checklist.iter().filter(|l| l.kind == CheckKind::Control) {
            let e = last.entry(r.reference.clone()).or_insert(a.end);
            *e = (*e).max(a.end);
        }
    }
    let mut applicable: Vec<(Option<Date>, usize, String)> = list_controls(cx, org)
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
pub async fn audits(cx: &Cx, org: OrgId) -> AppResult<Vec<Audit>> {
    let mut all = registers::list::<Audit>(cx, org).await?;
    all.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
    Ok(all)
}

/// One audit.
pub async fn audit(cx: &Cx, org: OrgId, id: &str) -> AppResult<Audit> {
    registers::get::<Audit>(cx, org, id).await
}

/// Records the result of one checklist line.
pub async fn record_result(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    reference: &str,
    result: CheckResult,
    notes: &str,
) -> AppResult<Audit> {
    registers::update(cx, actor, org, id, |a: &mut Audit| {
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
fn normalize_reference(r: &str) -> String {
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
pub async fn reschedule(cx: &Cx, actor: &TrailActor, org: OrgId, id: &str, change: Reschedule) -> AppResult<Audit> {
    let Reschedule { start, end, auditor, cancel } = change;
    registers::update(cx, actor, org, id, |a: &mut Audit| {
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
pub async fn complete_audit(cx: &Cx, actor: &TrailActor, org: OrgId, id: &str, conclusion: &str) -> AppResult<Audit> {
    registers::update(cx, actor, org, id, |a: &mut Audit| a.complete(conclusion).map_err(|e| audit_refused(&e))).await
}

/// Plans next cycle's audit from an earlier one: plan and checklist copied, results
/// reset.
pub async fn copy_audit(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    start: Date,
    end: Date,
) -> AppResult<Planned> {
    let from = audit(cx, org, id).await?;
    let audit = registers::create(cx, actor, org, from.next_from(start, end)).await?;
    let warnings = independence(cx, org, &audit).await?;
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
pub async fn programme(cx: &Cx, org: OrgId) -> AppResult<Programme> {
    let today = cx.clock.today();
    let (from, until) = match current_certificate(cx, org).await? {
        Some(c) => (c.issued.checked_sub(Duration::days(365)).unwrap_or(c.issued), c.cycle().expiry),
        None => (today - Duration::days(3 * 365), today + Duration::days(365)),
    };
    let all = audits(cx, org).await?;
    let window: Vec<Audit> = all.into_iter().filter(|a| a.end >= from && a.start <= until).collect();
    let planned: BTreeSet<&str> = window
        .iter()
        .filter(|a| a.kind == AuditKind::Internal && a.status != AuditStatus::Cancelled)
        .flat_map(|a| a.checklist.iter().map(|l| l.reference.as_str()))
        .collect();
    let clauses = programme_clauses(cx).await?;
    let controls = list_controls(cx, org).await?;
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

// ---- findings ----------------------------------------------------------------------

/// A finding to raise.
#[derive(Debug, Clone)]
pub struct NewFinding {
    /// The audit that raised it.
    pub audit: String,
    /// How serious.
    pub grade: Grade,
    /// The clause or control.
    pub requirement: String,
    /// What was found.
    pub description: String,
    /// The evidence seen.
    pub evidence: String,
    /// The certification body's deadline (default: the organization's setting for the
    /// grade).
    pub due: Option<Date>,
    /// Who must act.
    pub owner: Option<String>,
}

/// Raises a finding; its checklist line (when there is one and it is open) is marked
/// as a finding. Nonconformities get a due date from the certification body or the
/// organization's default.
pub async fn raise_finding(cx: &Cx, actor: &TrailActor, org: OrgId, new: NewFinding) -> AppResult<Finding> {
    let today = cx.clock.today();
    let s = settings(cx, org).await?;
    let due = match new.grade {
        _ if new.due.is_some() => new.due,
        Grade::Major => isms_domain::dates::add_days(today, i64::from(s.major_due_days)).ok(),
        Grade::Minor => isms_domain::dates::add_days(today, i64::from(s.minor_due_days)).ok(),
        _ => None,
    };
    let requirement = normalize_reference(&new.requirement);
    // The finding and its checklist line are written in one transaction.
    let mut tx = cx.store.write().await?;
    tx.lock_organization(org).await?;
    let json = tx
        .entry(org, Audit::KIND, &new.audit)
        .await?
        .ok_or_else(|| AppError::new(Code::NotFound, format!("there is no audit {}", new.audit)))?;
    let a: Audit = serde_json::from_str(&json)
        .map_err(|e| AppError::new(Code::CorruptData, format!("audit {}: {e}", new.audit)))?;
    if a.status == AuditStatus::Cancelled {
        return Err(refused(
            format!("{} was cancelled; findings come from audits that took place", a.id),
            Code::AuditClosed,
        ));
    }
    let raised_on = today.min(a.end).max(a.start.min(today));
    if due.is_some_and(|d| d < raised_on) {
        return Err(AppError::invalid_field("due", "must not be before the finding is raised"));
    }
    let mut finding = Finding {
        id: String::new(),
        audit: a.id.clone(),
        grade: new.grade,
        requirement: requirement.clone(),
        description: new.description.trim().to_owned(),
        evidence: new.evidence.trim().to_owned(),
        raised_on,
        owner: new.owner.map(|o| o.trim().to_lowercase()).filter(|o| !o.is_empty()),
        due,
        correction: String::new(),
        root_cause: String::new(),
        corrective_action: String::new(),
        status: FindingStatus::Open,
        verification: None,
    };
    registers::create_in(&mut *tx, cx, actor, org, &mut finding).await?;
    let line_open = a.checklist.iter().any(|l| l.reference == requirement && l.result == CheckResult::Open);
    if line_open && a.status != AuditStatus::Completed {
        let note = format!("see {}", finding.id);
        registers::update_in(&mut *tx, cx, actor, org, &a.id, |a: &mut Audit| {
            a.record(&requirement, CheckResult::Finding, &note).map_err(|e| audit_refused(&e))
        })
        .await?;
    }
    tx.commit().await?;
    Ok(finding)
}

/// Every finding, newest first.
pub async fn findings(cx: &Cx, org: OrgId) -> AppResult<Vec<Finding>> {
    let mut all = registers::list::<Finding>(cx, org).await?;
    all.sort_by(|a, b| b.raised_on.cmp(&a.raised_on).then(b.id.cmp(&a.id)));
    Ok(all)
}

/// One finding.
pub async fn finding(cx: &Cx, org: OrgId, id: &str) -> AppResult<Finding> {
    registers::get::<Finding>(cx, org, id).await
}

/// A step in a finding's corrective action.
#[derive(Debug, Clone)]
pub enum FindingStep {
    /// Record correction, root cause, action, owner and due date.
    Plan {
        /// The immediate fix.
        correction: String,
        /// Why it happened.
        root_cause: String,
        /// What stops it recurring.
        action: String,
        /// Who acts.
        owner: String,
        /// By when (default: the finding's due date).
        due: Option<Date>,
    },
    /// The action is done.
    Implemented,
    /// Verified effective: closes the finding.
    Verify {
        /// What showed it works.
        note: String,
    },
}

/// Who applies a step to a finding.
#[derive(Debug, Clone, Copy)]
pub struct Acting<'a> {
    /// Their e-mail, or the command that acted.
    pub by: &'a str,
    /// With a narrowed grant: the action must be owned by this e-mail (checked in the
    /// same transaction).
    pub only_owner: Option<&'a str>,
    /// Whether they may move a deadline already set (the certification body's, kept by
    /// auditors and audit managers; the people doing the work may not push it out).
    pub may_move_deadline: bool,
}

/// Applies a step to a finding.
pub async fn change_finding(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    step: FindingStep,
    acting: Acting<'_>,
) -> AppResult<Finding> {
    let Acting { by, only_owner, may_move_deadline } = acting;
    let today = cx.clock.today();
    registers::update(cx, actor, org, id, |f: &mut Finding| {
        if let Some(me) = only_owner
            && !f.owner.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(me))
        {
            return Err(AppError::new(Code::Forbidden, format!("{id}'s corrective action is not assigned to you")));
        }
        let done = match step {
            FindingStep::Plan { correction, root_cause, action, owner, due } => {
                if !may_move_deadline && f.due.is_some() && due.is_some_and(|d| Some(d) != f.due) {
                    return Err(AppError::new(
                        Code::Forbidden,
                        format!(
                            "{id} is due {}, a deadline set by the audit; an auditor or the ISMS manager moves it",
                            f.due.map(|d| d.to_string()).unwrap_or_default()
                        ),
                    ));
                }
                if due.is_some_and(|d| d < f.raised_on) {
                    return Err(AppError::invalid_field("due", "must not be before the finding was raised"));
                }
                let due = due.or(f.due).unwrap_or(today + Duration::days(90));
                f.plan(&correction, &root_cause, &action, &owner, due)
            }
            FindingStep::Implemented => f.implemented(),
            FindingStep::Verify { note } => f.verify(by, today, &note),
        };
        done.map_err(|e| finding_refused(&e))
    })
    .await
}

// ---- management reviews ------------------------------------------------------------

/// Records a management review. Inputs are keyed as in [`REVIEW_INPUTS`].
pub async fn record_management_review(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    review: ManagementReview,
) -> AppResult<ManagementReview> {
    if review.held_on > cx.clock.today() {
        return Err(AppError::invalid_field("held_on", "a management review is recorded after it is held"));
    }
    registers::create(cx, actor, org, review).await
}

/// Marks action `index` (0-based) of a management review done (or not done).
pub async fn review_action_done(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    index: usize,
    done: bool,
) -> AppResult<ManagementReview> {
    registers::update(cx, actor, org, id, |r: &mut ManagementReview| {
        let count = r.actions.len();
        let a = r.actions.get_mut(index).ok_or_else(|| {
            AppError::new(Code::NotFound, format!("{id} has {count} action(s); there is no action {}", index + 1))
        })?;
        a.done = done;
        Ok(())
    })
    .await
}

/// Every management review, newest first.
pub async fn management_reviews(cx: &Cx, org: OrgId) -> AppResult<Vec<ManagementReview>> {
    let mut all = registers::list::<ManagementReview>(cx, org).await?;
    all.sort_by_key(|r| std::cmp::Reverse(r.held_on));
    Ok(all)
}

/// What isms already knows for each management-review input: a starting point for
/// the meeting's notes, drawn from the registers.
pub async fn review_briefing(cx: &Cx, org: OrgId) -> AppResult<Vec<ReviewInput>> {
    let today = cx.clock.today();
    let reviews = management_reviews(cx, org).await?;
    let since = reviews.first().map_or(today - Duration::days(365), |r| r.held_on);
    let open_actions: Vec<String> = reviews
        .first()
        .map(|r| {
            r.actions.iter().filter(|a| !a.done).map(|a| format!("{} ({}, due {})", a.title, a.owner, a.due)).collect()
        })
        .unwrap_or_default();
    let all_findings = findings(cx, org).await?;
    let open_nc = all_findings.iter().filter(|f| f.grade.nonconformity() && f.is_open()).count();
    let overdue = all_findings.iter().filter(|f| f.overdue(today)).count();
    let new_findings = all_findings.iter().filter(|f| f.raised_on >= since).count();
    let completed: Vec<String> = audits(cx, org)
        .await?
        .into_iter()
        .filter(|a| a.status == AuditStatus::Completed && a.end >= since)
        .map(|a| format!("{} {} ({})", a.id, a.title, a.end))
        .collect();
    let risks = crate::risks::list_risks(cx, org).await?;
    let unaccepted = risks.iter().filter(|r| r.acceptance_state.awaits_acceptance()).count();
    let objectives = registers::list::<isms_domain::register::Objective>(cx, org).await?;
    let parties = registers::list::<isms_domain::register::InterestedParty>(cx, org).await?;
    let improvements: Vec<String> = all_findings
        .iter()
        .filter(|f| !f.grade.nonconformity() && f.is_open())
        .map(|f| format!("{} {}", f.id, f.description))
        .collect();
    let evidence = crate::evidence::freshness(cx, org).await?;
    let missing_evidence = evidence.iter().filter(|e| e.coverage != isms_domain::evidence::Coverage::Current).count();
    let changes = changes_since(cx, org, since).await?;
    let changed = |kind: &str| changes.iter().filter(|c| c.entity == kind).count();
    let text = |k: &str| -> String {
        match k {
            "previous_actions" => {
                if open_actions.is_empty() {
                    "No open actions from the previous review.".into()
                } else {
                    format!("Still open: {}.", open_actions.join("; "))
                }
            }
            "issues" => {
                format!("{} change(s) to internal and external issues since {since}.", changed("context_issue"))
            }
            "interested_parties" => {
                format!(
                    "{} change(s) to interested parties and their requirements since {since}.",
                    changed("interested_party")
                )
            }
            "nonconformities" => format!(
                "{new_findings} finding(s) raised since {since}; {open_nc} nonconformity(ies) open, {overdue} overdue."
            ),
            "monitoring" => {
                format!("{missing_evidence} of {} applicable controls lack current evidence.", evidence.len())
            }
            "audits" => {
                if completed.is_empty() {
                    format!("No audit completed since {since}.")
                } else {
                    format!("Completed: {}.", completed.join("; "))
                }
            }
            "objectives" => format!("{} objective(s) in the register.", objectives.len()),
            "feedback" => format!(
                "{} interested part(ies) with {} requirement(s), {} marked addressed.",
                parties.len(),
                parties.iter().map(|p| p.requirements.len()).sum::<usize>(),
                parties.iter().flat_map(|p| &p.requirements).filter(|r| r.addressed).count()
            ),
            "improvement" => {
                if improvements.is_empty() {
                    "No open observations or opportunities for improvement from audits.".into()
                } else {
                    format!("Open observations and opportunities from audits: {}.", improvements.join("; "))
                }
            }
            "risks" => format!(
                "{} risk(s) in the register; {unaccepted} above the acceptance criteria without acceptance; {} risk change(s) since {since}.",
                risks.len(),
                changed("risk")
            ),
            _ => String::new(),
        }
    };
    Ok(REVIEW_INPUTS.iter().map(|(k, _)| ReviewInput { topic: (*k).to_owned(), notes: text(k) }).collect())
}

// ---- certificate -------------------------------------------------------------------

/// Every certificate, newest issue first.
pub async fn certificates(cx: &Cx, org: OrgId) -> AppResult<Vec<Certificate>> {
    let mut all = registers::list::<Certificate>(cx, org).await?;
    all.sort_by_key(|c| std::cmp::Reverse(c.issued));
    Ok(all)
}

/// The certificate valid today, or else the latest one.
pub async fn current_certificate(cx: &Cx, org: OrgId) -> AppResult<Option<Certificate>> {
    let today = cx.clock.today();
    let all = certificates(cx, org).await?;
    let valid = all.iter().find(|c| c.valid_on(today)).cloned();
    Ok(valid.or_else(|| all.into_iter().next()))
}

/// Records a certificate. A certification decision cannot be recorded while a major
/// nonconformity is open.
pub async fn add_certificate(cx: &Cx, actor: &TrailActor, org: OrgId, c: Certificate) -> AppResult<Certificate> {
    let majors: Vec<String> =
        findings(cx, org).await?.into_iter().filter(|f| f.grade == Grade::Major && f.is_open()).map(|f| f.id).collect();
    if c.status == CertificateStatus::Active && !majors.is_empty() {
        return Err(AppError::new(
            Code::OpenMajorNonconformity,
            format!(
                "a certification decision needs every major nonconformity corrected and verified first: {} open",
                majors.join(", ")
            ),
        ));
    }
    registers::create(cx, actor, org, c).await
}

/// Changes a certificate's recorded status (suspended, withdrawn, active again).
pub async fn set_certificate_status(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    status: CertificateStatus,
) -> AppResult<Certificate> {
    registers::update(cx, actor, org, id, |c: &mut Certificate| {
        c.status = status;
        Ok(())
    })
    .await
}

// ---- readiness ---------------------------------------------------------------------

fn named(id: &str, title: &str) -> Named {
    (id.to_owned(), title.to_owned())
}

/// Gathers the facts the readiness rules look at.
pub async fn facts(cx: &Cx, org: OrgId) -> AppResult<Facts> {
    let today = cx.clock.today();
    let mandatory = crate::documents::mandatory_checklist(cx, org)
        .await?
        .into_iter()
        .map(|m| MandatoryFact { clause: m.clause.to_owned(), title: m.title.to_owned(), satisfied: m.satisfied })
        .collect();
    let draft = crate::soa::soa_draft(cx, org).await?;
    let soa_unapproved_changes = if draft.latest_version.is_some() {
        crate::soa::diff_soa(cx, org, crate::soa::VersionRef::Latest, crate::soa::VersionRef::Draft).await?.len()
    } else {
        0
    };
    let risks = crate::risks::list_risks(cx, org).await?;
    let controls = list_controls(cx, org).await?;
    let implemented: BTreeSet<&str> = controls
        .iter()
        .filter(|c| c.record.applicable && c.record.status == ControlStatus::Implemented)
        .map(|c| c.record.control.as_str())
        .collect();
    let evidence = crate::evidence::freshness(cx, org).await?;
    let docs = crate::documents::list_documents(cx, org).await?;
    let all_audits = audits(cx, org).await?;
    let all_findings = findings(cx, org).await?;
    let nc = |g: Grade| -> Vec<Named> {
        all_findings.iter().filter(|f| f.grade == g && f.is_open()).map(|f| named(&f.id, &f.description)).collect()
    };
    Ok(Facts {
        today: Some(today),
        mandatory,
        soa_approved: draft.latest_version.is_some(),
        soa_unapproved_changes,
        risks_not_accepted: risks
            .iter()
            .filter(|r| r.acceptance_state.awaits_acceptance())
            .map(|r| named(&r.risk.id, &r.risk.title))
            .collect(),
        controls_not_implemented: controls
            .iter()
            .filter(|c| c.record.applicable && c.record.status != ControlStatus::Implemented)
            .map(|c| named(&c.record.control, &c.title))
            .collect(),
        controls_without_evidence: evidence
            .iter()
            .filter(|e| implemented.contains(e.control.as_str()))
            .filter(|e| e.coverage != isms_domain::evidence::Coverage::Current)
            .map(|e| named(&e.control, &e.title))
            .collect(),
        documents_overdue: docs
            .iter()
            .filter(|d| matches!(d.review(today), Some(isms_domain::review::ReviewStatus::Overdue { .. })))
            .map(|d| named(&d.id, &d.title))
            .collect(),
        internal_audits: all_audits
            .iter()
            .filter(|a| a.kind == AuditKind::Internal && a.status == AuditStatus::Completed)
            .map(|a| (a.id.clone(), a.end, a.covered().map(str::to_owned).collect()))
            .collect(),
        clauses: programme_clauses(cx).await?.into_iter().map(|(id, _)| id).collect(),
        management_reviews: management_reviews(cx, org)
            .await?
            .iter()
            .map(|r| (r.id.clone(), r.held_on, r.complete()))
            .collect(),
        open_majors: nc(Grade::Major),
        open_minors: nc(Grade::Minor),
        overdue_actions: all_findings
            .iter()
            .filter(|f| f.overdue(today))
            .map(|f| named(&f.id, &f.description))
            .collect(),
        certificate: current_certificate(cx, org).await?,
        applicable_controls: controls
            .iter()
            .filter(|c| c.record.applicable)
            .map(|c| (c.theme.clone(), c.record.control.clone()))
            .collect(),
        planned_external: all_audits
            .iter()
            .filter(|a| a.kind.external() && matches!(a.status, AuditStatus::Planned | AuditStatus::InProgress))
            .map(|a| (a.kind, a.start))
            .collect(),
        completed_external: all_audits
            .iter()
            .filter(|a| a.kind.external() && a.status == AuditStatus::Completed)
            .map(|a| (a.kind, a.end))
            .collect(),
    })
}

/// Could the organization pass `stage` today?
pub async fn readiness(cx: &Cx, org: OrgId, stage: Stage) -> AppResult<Readiness> {
    let f = facts(cx, org).await?;
    Ok(isms_domain::readiness::assess(&f, stage, cx.clock.today()))
}

/// The stage that matters now: surveillance for a certified organization, otherwise
/// Stage 2 once Stage 1 is done, otherwise Stage 1.
pub async fn next_stage(cx: &Cx, org: OrgId) -> AppResult<Stage> {
    let today = cx.clock.today();
    if current_certificate(cx, org).await?.is_some_and(|c| c.valid_on(today)) {
        return Ok(Stage::Surveillance);
    }
    let stage1_done =
        audits(cx, org).await?.iter().any(|a| a.kind == AuditKind::Stage1 && a.status == AuditStatus::Completed);
    Ok(if stage1_done { Stage::Stage2 } else { Stage::Stage1 })
}

// ---- what changed ------------------------------------------------------------------

/// One record that is new, changed or removed since a date.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Change {
    /// `risk`, `control`, `document`, `asset`.
    pub entity: String,
    /// Its id.
    pub id: String,
    /// `new`, `changed` or `removed`.
    pub change: &'static str,
    /// How many changes were made to it.
    pub edits: usize,
    /// The last change.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub last: time::OffsetDateTime,
}

/// The kinds a surveillance auditor asks about first.
pub const CHANGE_KINDS: [&str; 8] =
    ["risk", "control", "soa", "document", "asset", "scope", "context_issue", "interested_party"];

/// Everything new, changed or removed since `since` (from the audit trail).
pub async fn changes_since(cx: &Cx, org: OrgId, since: Date) -> AppResult<Vec<Change>> {
    let from = since.midnight().assume_utc();
    let mut trail = Vec::new();
    {
        let mut tx = cx.store.read().await?;
        tx.organization(org).await?;
        let mut after = 0;
        loop {
            let page = tx.trail_since(org, from, after, 5_000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            trail.extend(page.into_iter().filter(|e| CHANGE_KINDS.contains(&e.entity.as_str())));
        }
    }
    let mut by: BTreeMap<(String, String), Change> = BTreeMap::new();
    for e in &trail {
        let key = (e.entity.clone(), e.entity_id.clone());
        let created = e.before.is_none() && e.after.is_some();
        let deleted = e.after.is_none() && e.before.is_some();
        let c = by.entry(key).or_insert_with(|| Change {
            entity: e.entity.clone(),
            id: e.entity_id.clone(),
            change: if created { "new" } else { "changed" },
            edits: 0,
            last: e.at,
        });
        c.edits += 1;
        c.last = e.at;
        if deleted {
            c.change = if c.change == "new" { "new and removed" } else { "removed" };
        }
    }
    Ok(by.into_values().filter(|c| c.change != "new and removed").collect())
}

/// When the last audit (of any kind) ended, for "changed since the last audit".
pub async fn last_audit_end(cx: &Cx, org: OrgId) -> AppResult<Option<Date>> {
    Ok(audits(cx, org).await?.iter().filter(|a| a.status == AuditStatus::Completed).map(|a| a.end).max())
}

// ---- calendar ----------------------------------------------------------------------

/// One date in the calendar.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// A stable id (for calendar clients to update the same event).
    pub uid: String,
    /// What.
    pub summary: String,
    /// First day.
    #[serde(with = "isms_domain::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub start: Date,
    /// Last day (inclusive).
    #[serde(with = "isms_domain::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub end: Date,
    /// Where to look in isms.
    pub path: String,
}

/// Every date people should have in their calendars: audits, the certificate's
/// deadlines, corrective action due dates, document reviews, management review actions.
pub async fn events(cx: &Cx, org: OrgId) -> AppResult<Vec<Event>> {
    let mut out = Vec::new();
    for a in audits(cx, org).await?.iter().filter(|a| a.status != AuditStatus::Cancelled) {
        out.push(Event {
            uid: format!("audit-{}", a.id),
            summary: format!("{}: {}", capitalized(a.kind.label()), a.title),
            start: a.start,
            end: a.end,
            path: format!("/audits/{}", a.id),
        });
    }
    if let Some(c) = current_certificate(cx, org).await? {
        let cycle = c.cycle();
        for (key, what, day) in [
            ("s1", "Surveillance audit 1 due", cycle.surveillance_1_due),
            ("s2", "Surveillance audit 2 due", cycle.surveillance_2_due),
            ("recert", "Plan the recertification audit", cycle.recertification_planned),
            ("expiry", "Certificate expires", cycle.expiry),
        ] {
            out.push(Event {
                uid: format!("certificate-{}-{key}", c.id),
                summary: format!("{what} (certificate {})", c.number),
                start: day,
                end: day,
                path: "/certification".into(),
            });
        }
    }
    for f in findings(cx, org).await?.iter().filter(|f| f.is_open() && f.grade.nonconformity()) {
        if let Some(due) = f.due {
            out.push(Event {
                uid: format!("finding-{}", f.id),
                summary: format!("Corrective action due: {} ({})", f.id, f.grade.label()),
                start: due,
                end: due,
                path: format!("/findings/{}", f.id),
            });
        }
    }
    for d in crate::documents::list_documents(cx, org).await? {
        if let Some(due) = d.review_due() {
            out.push(Event {
                uid: format!("document-{}-review", d.id),
                summary: format!("Review {} {}", d.id, d.title),
                start: due,
                end: due,
                path: format!("/documents/{}", d.id),
            });
        }
    }
    for r in management_reviews(cx, org).await? {
        for (i, a) in r.actions.iter().enumerate().filter(|(_, a)| !a.done) {
            out.push(Event {
                uid: format!("review-{}-action-{i}", r.id),
                summary: format!("Management review action due: {}", a.title),
                start: a.due,
                end: a.due,
                path: "/management-reviews".into(),
            });
        }
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then(a.uid.cmp(&b.uid)));
    Ok(out)
}
