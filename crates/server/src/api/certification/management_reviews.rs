//! Management reviews (9.3), their actions, and the briefing of their inputs.

use super::*;

pub(super) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/management-reviews", "listManagementReviews", AUDITS, "Management reviews, newest first").list().answers_page::<ManagementReview>(),
            get(list_reviews),
        )
        .op(
            Op::new("post", "/api/v1/management-reviews", "recordManagementReview", AUDITS, "Record a management review (9.3)").answers::<ReviewRecorded>()
                .body_type::<ManagementReviewBody>()
                .ok(201),
            post(record_review),
        )
        .op(
            Op::new("get", "/api/v1/management-reviews/briefing", "managementReviewBriefing", AUDITS, "What isms knows for each management-review input").answers::<Items<BriefingItem>>(),
            get(briefing),
        )
        .op(
            Op::new("put", "/api/v1/management-reviews/{id}/actions/{number}", "setManagementReviewAction", AUDITS, "Mark a management review's action (1, 2, …) done or not done: the action's owner, an owner or an ISMS manager").answers::<ManagementReview>()
                .body_type::<DoneBody>(),
            put(review_action),
        )
        .op(
            Op::new("get", "/api/v1/management-reviews/{id}/minutes", "managementReviewMinutes", AUDITS, "A review's minutes; ?format=pdf (default, a deliverable) or md").exports(&["application/pdf", MARKDOWN]),
            get(minutes),
        )
}

async fn minutes(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let format = format_of(&q, DocFormat::Pdf)?;
    let bytes = isms_app::certification_reports::review_minutes(&s.cx, &caller, &id, format).await?;
    Ok(download(&format!("management-review-{id}.{}", format.extension()), format.media_type(), bytes))
}

async fn list_reviews(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(list::page(&isms_app::certification::management_reviews(&s.cx, &caller).await?, &q)?))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    /// What
    title: String,
    /// Who (e-mail)
    owner: String,
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    due: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ManagementReviewBody {
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    held_on: String,
    /// Who attended
    attendees: Vec<String>,
    /// [{topic, notes}] (topics: see the briefing)
    #[serde(default)]
    inputs: Vec<ReviewInput>,
    /// Decisions
    #[serde(default)]
    decisions: Vec<String>,
    /// [{title, owner, due}]
    #[serde(default)]
    actions: Vec<ActionBody>,
}

async fn record_review(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(b): JsonBody<ManagementReviewBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut actions = Vec::new();
    for a in b.actions {
        actions.push(ReviewAction { due: date("actions.due", &a.due)?, title: a.title, owner: a.owner, done: false });
    }
    let review = ManagementReview {
        id: String::new(),
        held_on: date("held_on", &b.held_on)?,
        attendees: b.attendees,
        inputs: b.inputs,
        decisions: b.decisions,
        actions,
    };
    let saved = isms_app::certification::record_management_review(&s.cx, &caller, review).await?;
    let missing = saved.missing_inputs();
    Ok((StatusCode::CREATED, Json(json!(ReviewRecorded { review: saved, inputs_not_covered: missing }))))
}

/// A management review recorded, and the inputs (9.3.2) it did not cover.
#[derive(Debug, Serialize, JsonSchema)]
struct ReviewRecorded {
    /// The review.
    review: ManagementReview,
    /// Keys of the required inputs it did not cover.
    inputs_not_covered: Vec<&'static str>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DoneBody {
    /// true when done
    done: bool,
}

async fn review_action(
    State(s): State<AppState>,
    Member(caller): Member,
    Path((id, number)): Path<(String, usize)>,
    JsonBody(b): JsonBody<DoneBody>,
) -> Result<Json<Value>, ApiError> {
    if number == 0 {
        return Err(field("number", "actions are numbered from 1".into()).into());
    }
    Ok(Json(json!(isms_app::certification::review_action_done(&s.cx, &caller, &id, number - 1, b.done).await?)))
}

async fn briefing(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    let inputs = isms_app::certification::review_briefing(&s.cx, &caller).await?;
    let items: Vec<BriefingItem> = inputs
        .iter()
        .map(|i| {
            let title = isms_domain::audit::REVIEW_INPUTS.iter().find(|(k, _)| *k == i.topic).map_or("", |(_, t)| *t);
            BriefingItem { topic: i.topic.clone(), title, notes: i.notes.clone() }
        })
        .collect();
    Ok(Json(json!(Items { items })))
}

/// One input of a management review (9.3.2), with what the ISMS says about it.
#[derive(Debug, Serialize, JsonSchema)]
struct BriefingItem {
    /// The input's key.
    topic: String,
    /// The input as the standard words it.
    title: &'static str,
    /// What the ISMS says about it.
    notes: String,
}
