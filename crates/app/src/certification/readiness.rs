//! Readiness for Stage 1, Stage 2, surveillance and recertification, from the facts isms holds.

use isms_domain::check::CheckStatus;

use super::*;

pub(super) fn named(id: &str, title: &str) -> Named {
    (id.to_owned(), title.to_owned())
}

/// Gathers the facts the readiness rules look at; kept between requests while the
/// organization's data version and the day stay the same.
pub(crate) async fn facts_of(cx: &Cx, org: OrgId) -> AppResult<Facts> {
    Ok(crate::cache::kept_today(cx, org, "readiness_facts", || gather_facts(cx, org)).await?.as_ref().clone())
}

async fn gather_facts(cx: &Cx, org: OrgId) -> AppResult<Facts> {
    let today = cx.clock.today();
    let mandatory = crate::documents::mandatory_of(cx, org)
        .await?
        .into_iter()
        .map(|m| MandatoryFact { clause: m.clause.to_owned(), title: m.title.to_owned(), satisfied: m.satisfied })
        .collect();
    let draft = crate::soa::draft_of(cx, org).await?;
    let soa_unapproved_changes = if draft.latest_version.is_some() {
        crate::soa::diff_of(cx, org, crate::soa::VersionRef::Latest, crate::soa::VersionRef::Draft).await?.len()
    } else {
        0
    };
    let risks = crate::risks::risks_of(cx, org).await?;
    let controls = controls_of(cx, org).await?;
    let implemented: BTreeSet<&str> = controls
        .iter()
        .filter(|c| c.record.applicable && c.record.status == ControlStatus::Implemented)
        .map(|c| c.record.control.as_str())
        .collect();
    let evidence = crate::evidence::freshness_of(cx, org).await?;
    let docs = crate::documents::documents_of(cx, org).await?;
    let all_audits = audits_of(cx, org).await?;
    let all_findings = findings_of(cx, org).await?;
    let checks = crate::monitoring::checks_of(cx, org).await?;
    let external = |audit: &str| all_audits.iter().any(|a| a.id == audit && a.kind.external());
    let nc = |g: Grade, from_certification: Option<bool>| -> Vec<Named> {
        all_findings
            .iter()
            .filter(|f| f.grade == g && f.is_open())
            .filter(|f| from_certification.is_none_or(|c| external(&f.audit) == c))
            .map(|f| named(&f.id, &f.description))
            .collect()
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
        management_reviews: management_reviews_of(cx, org)
            .await?
            .iter()
            .map(|r| (r.id.clone(), r.held_on, r.complete()))
            .collect(),
        open_majors: nc(Grade::Major, Some(true)),
        open_internal_majors: nc(Grade::Major, Some(false)),
        open_minors: nc(Grade::Minor, None),
        stage_2_lapsed: all_findings
            .iter()
            .filter(|f| f.grade == Grade::Major && f.is_open())
            .filter_map(|f| {
                let a = all_audits.iter().find(|a| a.id == f.audit && a.kind == AuditKind::Stage2)?;
                let cap = isms_domain::review::add_months(a.end, isms_domain::audit::MAJOR_DEADLINE_MONTHS);
                (today > cap).then(|| (f.id.clone(), a.id.clone(), a.end))
            })
            .collect(),
        unplanned_minors: all_findings
            .iter()
            .filter(|f| f.grade == Grade::Minor && f.status == FindingStatus::Open && external(&f.audit))
            .map(|f| named(&f.id, &f.description))
            .collect(),
        overdue_actions: all_findings
            .iter()
            .filter(|f| f.overdue(today))
            .map(|f| named(&f.id, &f.description))
            .collect(),
        certificate: current_certificate_of(cx, org).await?,
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
        failing_checks: checks
            .iter()
            .filter(|c| matches!(c.status, CheckStatus::Failing | CheckStatus::Error))
            .map(|c| named(&c.id, &c.name))
            .collect(),
        stale_checks: checks.iter().filter(|c| c.status == CheckStatus::Stale).map(|c| named(&c.id, &c.name)).collect(),
    })
}

/// Could the organization pass `stage` (the next one when `None`) today?
pub async fn readiness(cx: &Cx, actor: &Actor, stage: Option<Stage>) -> AppResult<Readiness> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let stage = match stage {
        Some(s) => s,
        None => next_stage_of(cx, org).await?,
    };
    let f = facts_of(cx, org).await?;
    Ok(isms_domain::readiness::assess(&f, stage, cx.clock.today()))
}

/// The stage that matters now: surveillance for a certified organization, otherwise
/// Stage 2 once Stage 1 is done, otherwise Stage 1.
pub(crate) async fn next_stage_of(cx: &Cx, org: OrgId) -> AppResult<Stage> {
    let today = cx.clock.today();
    if current_certificate_of(cx, org).await?.is_some_and(|c| c.valid_on(today)) {
        return Ok(Stage::Surveillance);
    }
    let stage1_done =
        audits_of(cx, org).await?.iter().any(|a| a.kind == AuditKind::Stage1 && a.status == AuditStatus::Completed);
    Ok(if stage1_done { Stage::Stage2 } else { Stage::Stage1 })
}
