//! Management reviews (9.3): the inputs isms knows, decisions and actions.

use super::*;
use isms_domain::text::plural;

/// Records a management review. Inputs are keyed as in [`REVIEW_INPUTS`].
pub async fn record_management_review(cx: &Cx, actor: &Actor, review: ManagementReview) -> AppResult<ManagementReview> {
    actor.require(UseCase::ManageAudits)?;
    if review.held_on > cx.clock.today() {
        return Err(AppError::invalid_field("held_on", "a management review is recorded after it is held"));
    }
    registers::create(cx, &actor.trail(), actor.org(), review).await
}

/// Marks action `index` (0-based) of a management review done (or not done): the
/// action's owner, or whoever manages audits.
pub async fn review_action_done(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    index: usize,
    done: bool,
) -> AppResult<ManagementReview> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    if !actor.may(UseCase::ManageAudits) {
        let me = actor.email(cx).await?;
        let review = registers::get::<ManagementReview>(cx, org, id).await?;
        let mine = review.actions.get(index).is_some_and(|a| a.owner.eq_ignore_ascii_case(me.as_str()));
        if !mine {
            return Err(AppError::new(
                Code::Forbidden,
                "only the action's owner, an owner or an ISMS manager marks it done",
            ));
        }
    }
    registers::update(cx, &actor.trail(), org, id, |r: &mut ManagementReview| {
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
pub async fn management_reviews(cx: &Cx, actor: &Actor) -> AppResult<Vec<ManagementReview>> {
    actor.require(UseCase::ReadIsms)?;
    management_reviews_of(cx, actor.org()).await
}

/// [`management_reviews`] for the app's own use inside a checked use case.
pub(crate) async fn management_reviews_of(cx: &Cx, org: OrgId) -> AppResult<Vec<ManagementReview>> {
    let mut all = registers::list::<ManagementReview>(cx, org).await?;
    all.sort_by_key(|r| std::cmp::Reverse(r.held_on));
    Ok(all)
}

/// What isms already knows for each management-review input: a starting point for
/// the meeting's notes, drawn from the registers.
pub async fn review_briefing(cx: &Cx, actor: &Actor) -> AppResult<Vec<ReviewInput>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let today = cx.clock.today();
    let reviews = management_reviews_of(cx, org).await?;
    let since = reviews.first().map_or(today - Duration::days(365), |r| r.held_on);
    let open_actions: Vec<String> = reviews
        .first()
        .map(|r| {
            r.actions.iter().filter(|a| !a.done).map(|a| format!("{} ({}, due {})", a.title, a.owner, a.due)).collect()
        })
        .unwrap_or_default();
    let all_findings = findings_of(cx, org).await?;
    let open_nc = all_findings.iter().filter(|f| f.grade.nonconformity() && f.is_open()).count();
    let overdue = all_findings.iter().filter(|f| f.overdue(today)).count();
    let new_findings = all_findings.iter().filter(|f| f.raised_on >= since).count();
    let completed: Vec<String> = audits_of(cx, org)
        .await?
        .into_iter()
        .filter(|a| a.status == AuditStatus::Completed && a.end >= since)
        .map(|a| format!("{} {} ({})", a.id, a.title, a.end))
        .collect();
    let risks = crate::risks::risks_of(cx, org).await?;
    let unaccepted = risks.iter().filter(|r| r.acceptance_state.awaits_acceptance()).count();
    let objectives = registers::list::<isms_domain::register::Objective>(cx, org).await?;
    let parties = registers::list::<isms_domain::register::InterestedParty>(cx, org).await?;
    let improvements: Vec<String> = all_findings
        .iter()
        .filter(|f| !f.grade.nonconformity() && f.is_open())
        .map(|f| format!("{} {}", f.id, f.description))
        .collect();
    let evidence = crate::evidence::freshness_of(cx, org).await?;
    let missing_evidence = evidence.iter().filter(|e| e.coverage != isms_domain::evidence::Coverage::Current).count();
    let changes = changes_since_of(cx, org, since).await?;
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
                format!(
                    "{} to internal and external issues since {since}.",
                    plural(changed("context_issue"), "change", "changes")
                )
            }
            "interested_parties" => {
                format!(
                    "{} to interested parties and their requirements since {since}.",
                    plural(changed("interested_party"), "change", "changes")
                )
            }
            "nonconformities" => format!(
                "{} raised since {since}; {} open, {overdue} overdue.",
                plural(new_findings, "finding", "findings"),
                plural(open_nc, "nonconformity", "nonconformities")
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
            "objectives" => format!("{} in the register.", plural(objectives.len(), "objective", "objectives")),
            "feedback" => format!(
                "{} with {}, {} marked addressed.",
                plural(parties.len(), "interested party", "interested parties"),
                plural(parties.iter().map(|p| p.requirements.len()).sum::<usize>(), "requirement", "requirements"),
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
                "{} in the register; {unaccepted} above the acceptance criteria without acceptance; {} since {since}.",
                plural(risks.len(), "risk", "risks"),
                plural(changed("risk"), "risk change", "risk changes")
            ),
            _ => String::new(),
        }
    };
    Ok(REVIEW_INPUTS.iter().map(|(k, _)| ReviewInput { topic: (*k).to_owned(), notes: text(k) }).collect())
}
