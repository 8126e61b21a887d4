//! The JSON API under `/api/v1`. Each handler resolves the caller, asks the app layer
//! (which checks the role), and shapes the answer; lists share one pagination,
//! filtering and sorting scheme ([`list`]).

pub(crate) mod doc;
mod frameworks;
mod list;
mod members;
mod records;
mod registers;
mod risks;
mod session;
mod soa;
mod tokens;

use std::sync::OnceLock;

use axum::routing::get;
use axum::{Json, Router};
use doc::{Access, Api, Op};
use serde_json::Value;

use crate::AppState;

/// A JSON request body whose rejections are problem+json documents like every other
/// error: 415 without a JSON content type, 413 over the body limit, 400/422 (naming
/// the field and position serde reports) when the JSON is malformed or of the wrong
/// shape.
pub(crate) struct Body<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Body<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = axum::response::Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match <Json<T> as axum::extract::FromRequest<S>>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => {
                let status = rejection.status();
                let code = match status.as_u16() {
                    415 => "unsupported_media_type",
                    413 => "payload_too_large",
                    _ => "invalid_json",
                };
                Err(crate::error::problem(status, code, &rejection.body_text(), &[]))
            }
        }
    }
}

/// A 422 naming the field.
pub(crate) fn field(name: &str, message: String) -> isms_app::AppError {
    isms_app::AppError::invalid(vec![isms_app::FieldError { field: name.into(), message }])
}

/// A `YYYY-MM-DD` date from a field.
pub(crate) fn date(name: &str, text: &str) -> Result<time::Date, isms_app::AppError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).map_err(|_| field(name, format!("{text:?} is not a date (YYYY-MM-DD)")))
}

/// Every API operation (the OpenAPI document's own route included).
fn api() -> Api {
    Api::default()
        .merge(session::routes())
        .merge(records::routes())
        .merge(risks::routes())
        .merge(soa::routes())
        .merge(registers::routes())
        .merge(frameworks::routes())
        .merge(members::routes())
        .merge(tokens::routes())
        .op(Op::new("get", OPENAPI_PATH, "openapi", "meta", "This document").access(Access::Public), get(serve_openapi))
}

/// Where the document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The OpenAPI 3.1 document of the whole API.
pub fn openapi_document() -> Value {
    doc::openapi(&api().into_parts().1)
}

async fn serve_openapi() -> Json<Value> {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    Json(DOCUMENT.get_or_init(openapi_document).clone())
}

pub(crate) fn routes() -> Router<AppState> {
    api().into_parts().0
}
