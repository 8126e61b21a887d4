//! `/api/v1/tokens`: a signed-in member's API tokens, and `/api/v1/calendar/tokens`:
//! their calendar feed tokens, which open the feed and nothing else (both managed from
//! a session only: a token cannot mint tokens).

use super::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use isms_app::tokens::{NewToken, create_token, list_tokens, revoke_token};
use isms_app::{AppError, FieldError};
use isms_domain::{ApiToken, Role, TokenKind};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::doc::{Access, Api, Op};
use super::{Body, Items};
use crate::auth::Auth;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/tokens", "listTokens", "tokens", "Your API tokens in the current organization")
                .access(Access::Session)
                .answers::<Items<ApiToken>>(),
            get(list),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/tokens",
                "createToken",
                "tokens",
                "Create an API token; its secret is in this answer only",
            )
            .access(Access::Session)
            .body_type::<Create>()
            .answers::<Created>()
            .ok(201),
            post(create),
        )
        .op(
            Op::new("delete", "/api/v1/tokens/{id}", "revokeToken", "tokens", "Revoke one of your tokens")
                .access(Access::Session)
                .ok(204),
            delete(revoke),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/calendar/tokens",
                "listCalendarTokens",
                "tokens",
                "Your calendar feed tokens in the current organization",
            )
            .access(Access::Session)
            .answers::<Items<ApiToken>>(),
            get(list_calendar),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/calendar/tokens",
                "createCalendarToken",
                "tokens",
                "Create a calendar feed address: a token that opens only GET /api/v1/calendar.ics, valid a year; the address is in this answer only",
            )
            .access(Access::Session)
            .body_type::<CreateCalendar>()
            .answers::<CalendarCreated>()
            .ok(201),
            post(create_calendar),
        )
        .op(
            Op::new(
                "delete",
                "/api/v1/calendar/tokens/{id}",
                "revokeCalendarToken",
                "tokens",
                "Revoke a calendar feed token: its address stops working",
            )
            .access(Access::Session)
            .ok(204),
            delete(revoke),
        )
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Create {
    /// A name to recognize it by
    name: String,
    /// The role ceiling, within your own role
    role: String,
    /// 1 to 365, default 90
    #[serde(default = "ninety")]
    expires_in_days: i64,
}

fn ninety() -> i64 {
    90
}

/// A token created, with its secret (shown this once).
#[derive(Debug, serde::Serialize, JsonSchema)]
struct Created {
    /// The token.
    token: ApiToken,
    /// The secret to send as `Authorization: Bearer`.
    secret: String,
}

async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(c): Body<Create>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let role = Role::parse(&c.role).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        AppError::invalid(vec![FieldError {
            field: "role".into(),
            message: format!("{:?} is not one of {}", c.role, all.join(", ")),
        }])
    })?;
    let (token, secret) = create_token(
        &s.cx,
        &p,
        NewToken { name: c.name, role_ceiling: role, days: c.expires_in_days, kind: TokenKind::Api },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!(Created { token, secret }))))
}

async fn tokens_of_kind(
    s: &AppState,
    p: &isms_app::sessions::Principal,
    kind: TokenKind,
) -> Result<Json<Value>, ApiError> {
    let items: Vec<ApiToken> = list_tokens(&s.cx, p).await?.into_iter().filter(|t| t.kind == kind).collect();
    Ok(Json(json!(Items { items })))
}

async fn list(State(s): State<AppState>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    tokens_of_kind(&s, &p, TokenKind::Api).await
}

async fn list_calendar(State(s): State<AppState>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    tokens_of_kind(&s, &p, TokenKind::Calendar).await
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CreateCalendar {
    /// A name to recognize it by (default "Calendar subscription")
    #[serde(default)]
    name: Option<String>,
}

/// A calendar feed token created, with the feed's address (shown this once).
#[derive(Debug, serde::Serialize, JsonSchema)]
struct CalendarCreated {
    /// The token.
    token: ApiToken,
    /// The address to subscribe to in a calendar application.
    url: String,
}

async fn create_calendar(
    State(s): State<AppState>,
    Auth(p): Auth,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let c: CreateCalendar = super::optional_json(&body)?;
    let (token, secret) = create_token(&s.cx, &p, NewToken::calendar(c.name)).await?;
    let url = calendar_url(&s, &uri, &headers, &secret);
    Ok((StatusCode::CREATED, Json(json!(CalendarCreated { token, url }))))
}

/// The feed address carrying a calendar token's secret.
pub(crate) fn calendar_url(
    s: &AppState,
    uri: &axum::http::Uri,
    headers: &axum::http::HeaderMap,
    secret: &str,
) -> String {
    format!("{}/api/v1/calendar.ics?token={secret}", crate::auth::public_base(s, uri, headers))
}

async fn revoke(State(s): State<AppState>, Auth(p): Auth, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    revoke_token(&s.cx, &p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
