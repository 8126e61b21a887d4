//! Where the ISMS stands: the dashboard's answer as JSON.

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use isms_app::status::Status;
use serde_json::{Value, json};

use super::doc::{Api, Op};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default().op(
        Op::new(
            "get",
            "/api/v1/status",
            "getStatus",
            "status",
            "Where the ISMS stands: progress per Annex A theme, each clause's state, risks awaiting acceptance, \
             the certificate, readiness for the next audit, what is overdue and what is yours to do",
        )
        .answers::<Status>(),
        get(status),
    )
}

async fn status(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::status::status(&s.cx, &caller).await?)))
}
