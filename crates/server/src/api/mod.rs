//! The JSON API under `/api/v1`. Each handler resolves the caller, asks the app layer
//! (which checks the role), and shapes the answer; lists share one pagination,
//! filtering and sorting scheme ([`list`]).

pub(crate) mod doc;
mod list;
mod records;
mod session;
mod tokens;

use std::sync::OnceLock;

use axum::routing::get;
use axum::{Json, Router};
use doc::{Access, Api, Op};
use serde_json::Value;

use crate::AppState;

/// Every API operation (the OpenAPI document's own route included).
fn api() -> Api {
    Api::default()
        .merge(session::routes())
        .merge(records::routes())
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
