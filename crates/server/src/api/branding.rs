//! The organization's logo on its PDF deliverables.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::put;
use isms_domain::register::Branding;
use serde_json::{Value, json};

use super::doc::{Api, Op};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new(
                "put",
                "/api/v1/organization/logo",
                "setLogo",
                "documents",
                "Set the logo of the organization's PDF reports; the body is a PNG, JPEG or SVG image of at most 1 MiB \\
                 (the owner or the ISMS manager)",
            )
            .file_body()
            .answers::<Branding>(),
            put(set_logo),
        )
        .op(
            Op::new("delete", "/api/v1/organization/logo", "removeLogo", "documents", "Remove the logo")
                .answers::<Branding>(),
            axum::routing::delete(remove_logo),
        )
}

async fn set_logo(State(s): State<AppState>, Member(caller): Member, body: Bytes) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::branding::set_logo(&s.cx, &caller, &body).await?)))
}

async fn remove_logo(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::branding::remove_logo(&s.cx, &caller).await?)))
}
