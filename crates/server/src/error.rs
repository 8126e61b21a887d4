//! How errors leave the server: RFC 9457 problem+json for the API. Internal errors
//! are logged with their cause and shown only with the request's id.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use isms_app::Code;
use isms_app::{AppError, ErrorKind, FieldError};
use serde::Serialize;

/// Base of every problem `type`; the fragment is the stable error code.
pub const PROBLEM_BASE: &str = "https://isms.invalid/docs/errors#";

/// An error on its way out as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldError],
}

/// The HTTP status of an error kind.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Throttled => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Renders a problem document with the given status, code and detail.
pub fn problem(status: StatusCode, code: Code, detail: &str, errors: &[FieldError]) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let code = code.as_str();
    let body = Problem { kind: format!("{PROBLEM_BASE}{code}"), title, status: status.as_u16(), detail, code, errors };
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status_of(e.kind);
        if e.kind == ErrorKind::Internal {
            tracing::error!(code = e.code.as_str(), cause = %e.message, "internal error");
            return problem(
                status,
                e.code,
                "an internal error occurred; the server log has the details under this request's id",
                &[],
            );
        }
        problem(status, e.code, &e.message, &e.fields)
    }
}

/// The answer for unknown paths.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    problem(StatusCode::NOT_FOUND, Code::NotFound, &format!("there is nothing at {}", uri.path()), &[])
}
