//! Recording reviews and listing what is due, for every subject with a review cycle
//! (one mechanism for the SoA, the scope, objectives and assets, and later documents,
//! risks, suppliers and evidence).

use isms_domain::access::{Grant, UseCase};
use isms_domain::review::{Review, ReviewCycle, ReviewOutcome, ReviewStatus, Subject, SubjectKind};
use isms_domain::trail::{TrailActor, TrailDraft};
use isms_domain::{Email, OrgId, UserId};
use serde::Serialize;
use time::Date;

use crate::access::Actor;
use crate::trail::record;
use crate::{AppError, AppResult, Code, Cx};

/// The member recording a review.
async fn reviewer(cx: &Cx, org: OrgId, email: &Email) -> AppResult<UserId> {
    let mut tx = cx.read().await?;
    let user = tx.user_by_email(email).await?;
    if let Some(u) = user
        && tx.membership(org, u.id).await?.is_some()
    {
        return Ok(u.id);
    }
    Err(AppError::invalid_field("as", format!("{email} is not a member of this organization")))
}

/// Records a review of a subject by the acting member and returns its new status:
/// the one way every surface records a review. The SoA is reviewed by those who
/// approve it; a document's review keeps its version in force (a review with changes
/// is a new version instead); a control owner records reviews only of the assets they
/// own; everyone else with the grant reviews any scope, objective, asset or risk.
pub async fn record_review(
    cx: &Cx,
    actor: &Actor,
    subject: &Subject,
    outcome: ReviewOutcome,
    comment: &str,
) -> AppResult<ReviewStatus> {
    match subject.kind {
        SubjectKind::Soa => {
            // Those who approve the SoA review it.
            actor.require(UseCase::ApproveSoa)?;
            let me = actor.email(cx).await?;
            return record_review_of(cx, actor.org(), subject, &me, outcome, comment, None).await;
        }
        SubjectKind::Document => {
            if outcome != ReviewOutcome::NoChange {
                return Err(AppError::invalid_field(
                    "outcome",
                    "a document reviewed with changes gets a new version (start one); record no_change to keep the version in force",
                ));
            }
            let doc = crate::documents::change_document(cx, actor, &subject.id, crate::documents::Step::Review).await?;
            return doc.review(cx.clock.today()).ok_or_else(|| {
                AppError::new(Code::NoVersionInForce, format!("{} has no approved version", subject.id))
            });
        }
        _ => {}
    }
    let org = actor.org();
    let me = actor.email(cx).await?;
    if actor.require(UseCase::RecordReviews)? == Grant::Assigned {
        let own = subject.kind == SubjectKind::Asset
            && crate::registers::get::<isms_domain::asset::Asset>(cx, org, &subject.id)
                .await
                .is_ok_and(|a| a.owner.eq_ignore_ascii_case(me.as_str()));
        if !own {
            return Err(AppError::new(Code::Forbidden, "a control owner records reviews only of the assets they own"));
        }
    }
    record_review_of(cx, org, subject, &me, outcome, comment, None).await
}

/// Records a review of a subject by a member and returns its new status. A subject
/// reviewed for the first time gets the default yearly cycle.
pub(crate) async fn record_review_of(
    cx: &Cx,
    org: OrgId,
    subject: &Subject,
    reviewer_email: &Email,
    outcome: ReviewOutcome,
    comment: &str,
    on: Option<Date>,
) -> AppResult<ReviewStatus> {
    let user = reviewer(cx, org, reviewer_email).await?;
    let now = cx.clock.now();
    let on = on.unwrap_or(now.date());
    if on > now.date() {
        return Err(AppError::invalid_field("on", "a review cannot be recorded for a day in the future"));
    }
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let stored_kind = match subject.kind {
        SubjectKind::Soa => None,
        SubjectKind::Scope | SubjectKind::Objective | SubjectKind::Asset | SubjectKind::Risk => {
            Some(subject.kind.as_str())
        }
        other => {
            return Err(AppError::invalid_field(
                "subject",
                format!("{} reviews are not recorded here yet", other.as_str()),
            ));
        }
    };
    if let Some(kind) = stored_kind
        && tx.entry(org, kind, &subject.id).await?.is_none()
    {
        return Err(AppError::new(Code::NotFound, format!("there is no {} {}", kind, subject.id)));
    }
    let cycle = match tx.review_cycle(org, subject).await? {
        Some((cycle, _)) => cycle,
        None => {
            tx.set_review_cycle(org, subject, ReviewCycle::default(), on).await?;
            ReviewCycle::default()
        }
    };
    let review = Review {
        subject: subject.clone(),
        reviewed_on: on,
        reviewer: TrailActor::User(user).to_stored(),
        outcome,
        comment: comment.trim().to_owned(),
        recorded_at: now,
    };
    tx.insert_review(org, &review).await?;
    let draft = TrailDraft {
        actor: TrailActor::User(user),
        action: format!("{}.reviewed", subject.kind.as_str()),
        entity: subject.kind.as_str().into(),
        entity_id: subject.id.clone(),
        before: None,
        after: serde_json::to_string(&review).ok(),
    };
    record(&mut *tx, org, now, draft).await?;
    tx.commit().await?;
    Ok(cycle.status(on, now.date()))
}

/// Where a subject stands, or `None` when it has no cycle.
pub async fn review_status(cx: &Cx, actor: &Actor, subject: &Subject) -> AppResult<Option<ReviewStatus>> {
    actor.require(UseCase::ReadIsms)?;
    status_of(cx, actor.org(), subject).await
}

async fn status_of(cx: &Cx, org: OrgId, subject: &Subject) -> AppResult<Option<ReviewStatus>> {
    let mut tx = cx.read().await?;
    let Some((cycle, started)) = tx.review_cycle(org, subject).await? else { return Ok(None) };
    let last = tx.reviews(org, subject).await?.last().map_or(started, |r| r.reviewed_on);
    Ok(Some(cycle.status(last, cx.clock.today())))
}

/// A subject whose review is due or overdue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DueReview {
    /// What is to be reviewed.
    pub subject: Subject,
    /// Its status (due or overdue).
    pub status: ReviewStatus,
}

/// Every subject of the organization whose review is due or overdue, overdue first.
pub(crate) async fn due_reviews(cx: &Cx, org: OrgId, subjects: &[Subject]) -> AppResult<Vec<DueReview>> {
    let mut due = Vec::new();
    for subject in subjects {
        if let Some(status) = status_of(cx, org, subject).await?
            && !matches!(status, ReviewStatus::Current { .. })
        {
            due.push(DueReview { subject: subject.clone(), status });
        }
    }
    due.sort_by_key(overdue_first);
    Ok(due)
}

fn overdue_first(d: &DueReview) -> (u8, i64) {
    match d.status {
        ReviewStatus::Overdue { days, .. } => (0, -days),
        _ => (1, 0),
    }
}

/// Every review due or overdue in the organization: the SoA, the scope, each objective,
/// each asset and each approved document (whose cycle runs from its last approval or
/// review).
pub async fn due_in_organization(cx: &Cx, actor: &Actor) -> AppResult<Vec<DueReview>> {
    actor.require(UseCase::ReadIsms)?;
    due_of(cx, actor.org()).await
}

/// [`due_in_organization`] for the app's own use inside a checked use case; kept
/// between requests while the organization's data version and the day stay the same.
pub(crate) async fn due_of(cx: &Cx, org: OrgId) -> AppResult<Vec<DueReview>> {
    Ok(crate::cache::kept_today(cx, org, "due_reviews", || gather_due(cx, org)).await?.as_ref().clone())
}

async fn gather_due(cx: &Cx, org: OrgId) -> AppResult<Vec<DueReview>> {
    use isms_domain::asset::Asset;
    use isms_domain::register::Objective;
    let mut subjects = vec![Subject::soa(), Subject { kind: SubjectKind::Scope, id: "SCOPE".into() }];
    let objectives = crate::registers::list::<Objective>(cx, org).await?;
    subjects.extend(objectives.into_iter().map(|o| Subject { kind: SubjectKind::Objective, id: o.id }));
    let assets = crate::registers::list::<Asset>(cx, org).await?;
    subjects.extend(assets.into_iter().map(|a| Subject { kind: SubjectKind::Asset, id: a.id }));
    let mut due = due_reviews(cx, org, &subjects).await?;
    let today = cx.clock.today();
    for d in crate::documents::documents_of(cx, org).await? {
        if let Some(status) = d.review(today)
            && !matches!(status, ReviewStatus::Current { .. })
        {
            due.push(DueReview { subject: Subject { kind: SubjectKind::Document, id: d.id }, status });
        }
    }
    due.sort_by_key(overdue_first);
    Ok(due)
}
