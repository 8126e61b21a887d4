//! The framework advisor: the questionnaire's answers, the advice with its reasons, and
//! accepting it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use isms_app::advisor::{Accepted, AdviceReport};
use isms_domain::advice::Answers;
use serde_json::{Value, json};

use super::Body;
use super::doc::{Api, Op};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new(
                "get",
                "/api/v1/advisor",
                "getAdvice",
                "frameworks",
                "The advice for the latest answers: the binding regimes and the voluntary path, each with the answers \
                 and the rule behind it, and what changed since the answers before (404 before any answers)",
            )
            .answers::<AdviceReport>(),
            get(current),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/advisor/answers",
                "submitAnswers",
                "frameworks",
                "Record the questionnaire's answers as the next versioned submission (ADV-n) and answer the advice",
            )
            .body_type::<Answers>()
            .answers::<AdviceReport>()
            .ok(201),
            post(submit),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/advisor/accept",
                "acceptAdvice",
                "frameworks",
                "Accept the advice of the latest answers: adopt its frameworks, record the regulators (and customers \
                 who demand a certificate) as interested parties and the regimes as external issues; never twice",
            )
            .body_optional()
            .answers::<Accepted>(),
            post(accept),
        )
}

async fn current(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    match isms_app::advisor::current_advice(&s.cx, &caller).await? {
        Some(r) => Ok(Json(json!(r))),
        None => Err(isms_app::AppError::new(
            isms_app::Code::NotFound,
            "no answers yet: POST the questionnaire to /api/v1/advisor/answers",
        )
        .into()),
    }
}

async fn submit(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(answers): Body<Answers>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((StatusCode::CREATED, Json(json!(isms_app::advisor::submit_answers(&s.cx, &caller, answers).await?))))
}

async fn accept(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::advisor::accept_advice(&s.cx, &caller).await?)))
}
