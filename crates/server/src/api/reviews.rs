//! Periodic reviews: what is due, and recording a review.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use isms_app::reviews::DueReview;
use isms_domain::review::{ReviewOutcome, ReviewStatus, Subject, SubjectKind};
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::{Body, Items, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/reviews/due", "dueReviews", "reviews", "Reviews due or overdue")
                .answers::<Items<DueReview>>(),
            get(due_reviews),
        )
        .op(
            Op::new("post", "/api/v1/reviews", "recordReview", "reviews", "Record a periodic review as yourself")
                .body_type::<ReviewBody>()
                .answers::<Reviewed>()
                .ok(201),
            post(record_review),
        )
}

async fn due_reviews(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::reviews::due_in_organization(&s.cx, &caller).await? })))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    /// soa, scope, objective, asset, ...
    subject: String,
    /// The subject's id (not for soa and scope)
    id: Option<String>,
    /// no_change, updated or changes_required
    outcome: String,
    /// What was looked at
    #[serde(default)]
    comment: String,
}

async fn record_review(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(b): Body<ReviewBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let kind = SubjectKind::parse(&b.subject)
        .ok_or_else(|| field("subject", format!("{:?} is not something that is reviewed", b.subject)))?;
    let outcome = ReviewOutcome::parse(&b.outcome)
        .ok_or_else(|| field("outcome", format!("{:?} is not no_change, updated or changes_required", b.outcome)))?;
    let id = match (kind, b.id) {
        (SubjectKind::Soa, _) => "soa".to_owned(),
        (SubjectKind::Scope, _) => "SCOPE".to_owned(),
        (_, Some(id)) => id,
        (_, None) => return Err(field("id", format!("which {} was reviewed?", b.subject)).into()),
    };
    let subject = Subject { kind, id };
    let status = isms_app::reviews::record_review(&s.cx, &caller, &subject, outcome, &b.comment).await?;
    Ok((StatusCode::CREATED, Json(json!(Reviewed { subject, status }))))
}

/// A review recorded: its subject and where it now stands.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct Reviewed {
    /// What was reviewed.
    subject: Subject,
    /// Its review status now.
    status: ReviewStatus,
}
