//! The JSON API under `/api/v1`. Each handler resolves the caller, asks the app layer
//! (which checks the role), and shapes the answer; lists share one pagination,
//! filtering and sorting scheme ([`list`]).

mod advisor;
mod auditors;
mod branding;
mod certification;
mod checks;
mod coverage;
pub(crate) mod doc;
mod documents;
pub(crate) mod evidence;
mod frameworks;
mod gap;
mod list;
mod members;
mod monitoring;
mod oscal;
mod records;
mod registers;
mod requests;
mod reviews;
mod risks;
mod sampling;
pub(crate) mod session;
mod soa;
mod status;
mod tokens;
pub(crate) use tokens::calendar_url;

use isms_app::Code;
use std::sync::OnceLock;

use axum::routing::get;
use axum::{Json, Router};
use doc::{Access, Api, Op};
use serde_json::Value;

use crate::AppState;

/// `{"items": [...]}`, the answer of the lists that are not paged.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub(crate) struct Items<T> {
    /// The items.
    pub items: Vec<T>,
}

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
        let rejected = |status: axum::http::StatusCode, text: &str| {
            let code = match status.as_u16() {
                415 => Code::UnsupportedMediaType,
                413 => Code::PayloadTooLarge,
                _ => Code::InvalidJson,
            };
            crate::error::problem(status, code, text, &[])
        };
        if !has_json_type(req.headers()) {
            // axum's own answer to a missing or wrong content type (415).
            return match <Json<T> as axum::extract::FromRequest<S>>::from_request(req, state).await {
                Ok(Json(value)) => Ok(Body(value)),
                Err(rejection) => Err(rejected(rejection.status(), &rejection.body_text())),
            };
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| rejected(rejection.status(), &rejection.body_text()))?;
        if let Some(problem) = nul_problem(&bytes) {
            return Err(problem);
        }
        match Json::<T>::from_bytes(&bytes) {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(rejected(rejection.status(), &rejection.body_text())),
        }
    }
}

fn has_json_type(headers: &axum::http::HeaderMap) -> bool {
    headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        let essence = v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
    })
}

/// The answer to JSON whose text holds the NUL character (`\u0000`), naming where: no
/// record may hold it (PostgreSQL cannot store it in text, and on SQLite it would cut
/// the text short for most readers), so it is bad input, on both engines alike.
pub(crate) fn nul_problem(bytes: &[u8]) -> Option<axum::response::Response> {
    if !bytes.windows(6).any(|w| w == b"\\u0000") {
        return None;
    }
    let value = serde_json::from_slice::<Value>(bytes).ok()?; // if it is not JSON, serde reports it
    match nul_at(&value, String::new()) {
        None => None,
        Some(path) => {
            let field = if path.is_empty() { "body".to_owned() } else { path };
            let message = "must not contain the NUL character (U+0000)".to_owned();
            let detail = format!("invalid input — {field}: {message}");
            Some(crate::error::problem(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Code::InvalidInput,
                &detail,
                &[isms_app::FieldError { field, message }],
            ))
        }
    }
}

/// Where the first NUL character sits in a JSON value (`risk.title`, `actions.0.owner`).
fn nul_at(value: &Value, at: String) -> Option<String> {
    let join = |key: &str| if at.is_empty() { key.to_owned() } else { format!("{at}.{key}") };
    match value {
        Value::String(text) => text.contains('\0').then_some(at),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| nul_at(v, join(&i.to_string()))),
        Value::Object(map) => {
            map.iter().find_map(|(k, v)| if k.contains('\0') { Some(join(k)) } else { nul_at(v, join(k)) })
        }
        _ => None,
    }
}

/// A path parameter, like axum's `Path`, whose rejection (bad percent-encoding, a
/// value of the wrong type) is a problem document naming the parameter, not text.
pub(crate) struct Path<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(crate::error::problem(
                axum::http::StatusCode::BAD_REQUEST,
                Code::InvalidPath,
                &format!("the address is not valid: {}", rejection.body_text()),
                &[],
            )),
        }
    }
}

/// Query parameters, like axum's `Query`, whose rejection is a problem document.
pub(crate) struct Query<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(crate::error::problem(
                axum::http::StatusCode::BAD_REQUEST,
                Code::InvalidQuery,
                &format!("the query string is not valid: {}", rejection.body_text()),
                &[],
            )),
        }
    }
}

/// A CSV request body (`Content-Type: text/csv`), as text; other content types are
/// 415 and invalid UTF-8 is 400, as problem documents.
pub(crate) struct Csv(pub String);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Csv {
    type Rejection = axum::response::Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_csv = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"));
        if !is_csv {
            return Err(crate::error::problem(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Code::UnsupportedMediaType,
                "send the rows as Content-Type: text/csv",
                &[],
            ));
        }
        match String::from_request(req, state).await {
            Ok(text) => Ok(Csv(text)),
            Err(rejection) => {
                let status = rejection.status();
                let code = if status.as_u16() == 413 { Code::PayloadTooLarge } else { Code::InvalidCsv };
                Err(crate::error::problem(status, code, &rejection.body_text(), &[]))
            }
        }
    }
}

/// A file download: its media type and a file name to save it under.
pub(crate) fn download(name: &str, media_type: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, media_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

/// A `Content-Disposition: attachment` value for a stored file name, keeping only
/// characters that are safe inside the quoted string.
/// The media types a stored file is served as, inline: formats browsers show without
/// running anything. Everything else is `application/octet-stream`, an attachment.
const INLINE_TYPES: [&str; 4] = ["application/pdf", "image/png", "image/jpeg", "text/plain"];

/// The headers of a stored file's download: the uploader's media type only when it is
/// one of [`INLINE_TYPES`] (then shown inline; text as UTF-8), otherwise
/// `application/octet-stream` as an attachment; never sniffed. So an uploaded script
/// or page is never run in our origin.
pub(crate) fn download_headers(
    filename: &str,
    declared: &str,
    size: u64,
) -> [(axum::http::header::HeaderName, String); 4] {
    use axum::http::header;
    let essence = declared.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let (media, disposition) = match INLINE_TYPES.iter().find(|t| **t == essence) {
        Some(&"text/plain") => ("text/plain; charset=utf-8".to_owned(), inline(filename)),
        Some(t) => ((*t).to_owned(), inline(filename)),
        None => ("application/octet-stream".to_owned(), attachment(filename)),
    };
    [
        (header::CONTENT_TYPE, media),
        (header::CONTENT_LENGTH, size.to_string()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
    ]
}

fn inline(filename: &str) -> String {
    attachment(filename).replacen("attachment", "inline", 1)
}

pub(crate) fn attachment(filename: &str) -> String {
    let safe: String =
        filename.chars().filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\' || *c == ' ').collect();
    format!("attachment; filename=\"{safe}\"")
}

/// An optional JSON body: empty is the default value, anything else must parse.
pub(crate) fn optional_json<T: serde::de::DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, isms_app::AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    if bytes.windows(6).any(|w| w == b"\\u0000")
        && let Ok(value) = serde_json::from_slice::<Value>(bytes)
        && let Some(path) = nul_at(&value, String::new())
    {
        return Err(field(
            if path.is_empty() { "body" } else { &path },
            "must not contain the NUL character (U+0000)".into(),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| field("body", format!("is not the expected JSON: {e}")))
}

/// A 422 naming the field.
pub(crate) fn field(name: &str, message: String) -> isms_app::AppError {
    isms_app::AppError::invalid(vec![isms_app::FieldError { field: name.into(), message }])
}

/// A `YYYY-MM-DD` date from a field.
pub(crate) fn date(name: &str, text: &str) -> Result<time::Date, isms_app::AppError> {
    isms_domain::dates::parse_text(text).map_err(|m| field(name, m))
}

/// Every API operation (the OpenAPI document's own route included).
fn api() -> Api {
    Api::default()
        .merge(session::routes())
        .merge(records::routes())
        .merge(risks::routes())
        .merge(reviews::routes())
        .merge(soa::routes())
        .merge(registers::routes())
        .merge(frameworks::routes())
        .merge(coverage::routes())
        .merge(advisor::routes())
        .merge(gap::routes())
        .merge(oscal::routes())
        .merge(checks::routes())
        .merge(monitoring::routes())
        .merge(sampling::routes())
        .merge(requests::routes())
        .merge(branding::routes())
        .merge(auditors::routes())
        .merge(members::routes())
        .merge(evidence::routes())
        .merge(documents::routes())
        .merge(certification::routes())
        .merge(status::routes())
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
