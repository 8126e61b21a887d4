//! Documents over HTTP: the register, each document with its versions, the version
//! workflow (draft → in review → approved → superseded), file bodies streamed like
//! evidence, acknowledgements, starter templates and the mandatory documented
//! information checklist. An approved version cannot be changed here (409
//! `version_immutable`); a change is a new version.

use super::{Path, Query};
use axum::Json;
use axum::body::Body as HttpBody;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use futures_util::TryStreamExt;
use isms_app::documents::{DocumentPatch, MandatoryItem, NewDocument, Step};
use isms_app::starters::{STARTERS, Starter};
use isms_domain::document::{Audience, Body, Document, DocumentType};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio_util::io::{ReaderStream, StreamReader};

use super::doc::{Api, Op};
use super::{Body as JsonBody, Items, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

const TAG: &str = "documents";

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/documents", "listDocuments", TAG, "The document register: version in force, open version, review due, pending acknowledgements").list().answers_page::<isms_app::documents::DocumentSummary>(),
            get(list),
        )
        .op(
            Op::new("post", "/api/v1/documents", "createDocument", TAG, "Create a document; its first version is a Markdown draft").answers::<Document>()
                .body_type::<NewDoc>()
                .ok(201),
            post(create),
        )
        .op(
            Op::new("get", "/api/v1/documents/checklist", "documentChecklist", TAG, "The mandatory documented information of ISO/IEC 27001:2022 and what satisfies each item").answers::<Checklist>(),
            get(checklist),
        )
        .op(
            Op::new("get", "/api/v1/documents/starters", "listStarters", TAG, "Starter templates an organization can adopt").answers::<Items<Starter>>(),
            get(starters),
        )
        .op(
            Op::new("post", "/api/v1/documents/starters/{key}", "adoptStarter", TAG, "Adopt a starter template as a new document (its first draft)").answers::<Document>()
                .body_type::<AdoptStarter>()
                .body_optional()
                .ok(201),
            post(adopt),
        )
        .op(
            Op::new("get", "/api/v1/documents/acknowledgements/mine", "myAcknowledgements", TAG, "Documents the caller still has to acknowledge").answers::<Items<Document>>(),
            get(mine),
        )
        .op(Op::new("get", "/api/v1/documents/{id}", "getDocument", TAG, "One document with every version").answers::<Document>(), get(one))
        .op(
            Op::new("patch", "/api/v1/documents/{id}", "describeDocument", TAG, "Change a document's description (title, type, owner, classification, clauses, controls, review interval, who acknowledges); versions are untouched").answers::<Document>()
                .body_type::<Describe>(),
            patch(describe),
        )
        .op(
            Op::new("post", "/api/v1/documents/{id}/versions", "startDocumentVersion", TAG, "Start a new draft version in Markdown (refused while another version is open)").answers::<Document>()
                .body_type::<Text>()
                .ok(201),
            post(start_version),
        )
        .op(
            Op::new("post", "/api/v1/documents/{id}/versions/file", "uploadDocumentVersion", TAG, "Start a new draft version from an uploaded file; the body is the file, streamed. Query: filename, note").answers::<Document>()
                .file_body()
                .ok(201),
            post(upload_version),
        )
        .op(
            Op::new("patch", "/api/v1/documents/{id}/versions/{number}", "editDocumentVersion", TAG, "Replace a draft's Markdown; versions in review, approved or superseded are refused (409)").answers::<Document>()
                .body_type::<Text>(),
            patch(edit_version),
        )
        .op(
            Op::new("get", "/api/v1/documents/{id}/versions/{number}/file", "downloadDocumentVersion", TAG, "A version's uploaded file, streamed").file(),
            get(download),
        )
        .op(
            Op::new("post", "/api/v1/documents/{id}/submission", "submitDocument", TAG, "Submit the open draft for approval").answers::<Document>(),
            post(submit),
        )
        .op(
            Op::new("post", "/api/v1/documents/{id}/send-back", "sendBackDocument", TAG, "Send the version in review back to draft").answers::<Document>(),
            post(send_back),
        )
        .op(
            Op::new("post", "/api/v1/documents/{id}/approval", "approveDocument", TAG, "Approve the version in review; the previous version in force is superseded").answers::<Document>()
                .body_type::<Approve>()
                .body_optional(),
            post(approve),
        )
        .op(
            Op::new("post", "/api/v1/documents/{id}/review", "reviewDocument", TAG, "Record a periodic review that keeps the version in force").answers::<Document>(),
            post(review),
        )
        .op(
            Op::new("post", "/api/v1/documents/{id}/acknowledgement", "acknowledgeDocument", TAG, "Acknowledge the version in force as the caller").answers::<Document>(),
            post(acknowledge),
        )
        .op(
            Op::new("get", "/api/v1/documents/{id}/acknowledgements", "documentAcknowledgements", TAG, "Who must acknowledge the version in force, who has and who has not").answers::<isms_app::documents::Acknowledgements>(),
            get(acknowledgements),
        )
}

type Params = Query<std::collections::BTreeMap<String, String>>;

async fn list(State(s): State<AppState>, Member(caller): Member, Query(q): Params) -> Result<Json<Value>, ApiError> {
    Ok(Json(super::list::page(&isms_app::documents::summaries(&s.cx, &caller).await?, &q)?))
}

fn kind(text: &str) -> Result<DocumentType, ApiError> {
    DocumentType::parse(text).map_err(|m| field("type", m).into())
}

fn audience(text: &str) -> Result<Option<Audience>, ApiError> {
    Audience::parse(text).map_err(|m| field("acknowledged_by", m).into())
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewDoc {
    /// Its title
    title: String,
    /// policy, procedure, standard, plan or record
    #[serde(rename = "type")]
    kind: String,
    /// The owner's e-mail (default: the caller)
    owner: Option<String>,
    /// A level of the classification scheme (default Internal)
    classification: Option<String>,
    /// ISO/IEC 27001 clauses it satisfies (5.2, 6.1.2)
    #[serde(default)]
    clauses: Vec<String>,
    /// Annex A controls it supports
    #[serde(default)]
    controls: Vec<String>,
    /// Months between reviews (default 12)
    review_months: Option<u32>,
    /// everyone or a role (isms_manager, control_owner, ...)
    acknowledged_by: Option<String>,
    /// The first draft, in Markdown
    text: String,
}

async fn create(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(d): JsonBody<NewDoc>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let owner = match d.owner {
        Some(o) => o,
        None => caller.email(&s.cx).await?.as_str().to_owned(),
    };
    let new = NewDocument {
        title: d.title,
        kind: kind(&d.kind)?,
        owner,
        classification: d.classification.unwrap_or_else(|| "Internal".into()),
        clauses: d.clauses,
        controls: d.controls,
        review_months: d.review_months.unwrap_or(12),
        acknowledged_by: audience(d.acknowledged_by.as_deref().unwrap_or_default())?,
        body: Body::Markdown { text: d.text },
    };
    Ok((StatusCode::CREATED, Json(json!(isms_app::documents::create_document(&s.cx, &caller, new).await?))))
}

async fn checklist(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    let items = isms_app::documents::mandatory_checklist(&s.cx, &caller).await?;
    let missing = items.iter().filter(|i| !i.satisfied).count();
    Ok(Json(json!(Checklist { complete: missing == 0, missing, items })))
}

/// The mandatory documented information and what satisfies each item.
#[derive(Debug, Serialize, JsonSchema)]
struct Checklist {
    /// Whether every item is satisfied.
    complete: bool,
    /// How many items are not.
    missing: usize,
    /// Every item.
    items: Vec<MandatoryItem>,
}

async fn starters(Member(_caller): Member) -> Json<Value> {
    Json(json!(Items { items: STARTERS.to_vec() }))
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AdoptStarter {
    /// The owner's e-mail (default: the caller)
    owner: Option<String>,
}

async fn adopt(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(key): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let owner = super::optional_json::<AdoptStarter>(&body)?.owner;
    let doc = isms_app::starters::adopt(&s.cx, &caller, &key, owner.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(json!(doc))))
}

async fn mine(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::documents::my_acknowledgements(&s.cx, &caller).await? })))
}

async fn one(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::documents::document(&s.cx, &caller, &id).await?)))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Describe {
    /// Its title
    title: Option<String>,
    /// policy, procedure, standard, plan or record
    #[serde(rename = "type")]
    kind: Option<String>,
    /// The owner's e-mail
    owner: Option<String>,
    /// Its classification
    classification: Option<String>,
    /// Clauses, replacing the list
    clauses: Option<Vec<String>>,
    /// Controls, replacing the list
    controls: Option<Vec<String>>,
    /// Months between reviews
    review_months: Option<u32>,
    /// everyone, a role, or none
    acknowledged_by: Option<String>,
}

async fn describe(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(d): JsonBody<Describe>,
) -> Result<Json<Value>, ApiError> {
    let patch = DocumentPatch {
        title: d.title,
        kind: d.kind.as_deref().map(kind).transpose()?,
        owner: d.owner,
        classification: d.classification,
        clauses: d.clauses,
        controls: d.controls,
        review_months: d.review_months,
        acknowledged_by: d.acknowledged_by.as_deref().map(audience).transpose()?,
    };
    step(&s, &caller, &id, Step::Describe(patch)).await
}

async fn step(s: &AppState, caller: &isms_app::access::Actor, id: &str, step: Step) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::documents::change_document(&s.cx, caller, id, step).await?)))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Text {
    /// Markdown
    text: String,
    /// What it changes
    #[serde(default)]
    note: String,
}

async fn start_version(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(t): JsonBody<Text>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = Body::Markdown { text: t.text };
    Ok((StatusCode::CREATED, step(&s, &caller, &id, Step::StartVersion { body, note: t.note }).await?))
}

async fn upload_version(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    request: Request,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut filename = String::from("upload");
    let mut note = String::new();
    for (k, v) in url::form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "filename" => filename = v.into_owned(),
            "note" => note = v.into_owned(),
            other => return Err(field(other, "unknown parameter".into()).into()),
        }
    }
    // Refuse an unknown document or a caller who may not edit before reading a byte.
    isms_app::documents::check_document_editable(&s.cx, &caller, &id).await?;
    let stream = request.into_body().into_data_stream().map_err(std::io::Error::other);
    let mut reader = StreamReader::new(stream);
    let body = isms_app::documents::upload_body(&s.cx, &caller, &filename, &mut reader).await?;
    Ok((StatusCode::CREATED, step(&s, &caller, &id, Step::StartVersion { body, note }).await?))
}

async fn edit_version(
    State(s): State<AppState>,
    Member(caller): Member,
    Path((id, number)): Path<(String, u32)>,
    JsonBody(t): JsonBody<Text>,
) -> Result<Json<Value>, ApiError> {
    let body = Body::Markdown { text: t.text };
    step(&s, &caller, &id, Step::EditVersion { number, body, note: t.note }).await
}

async fn download(
    State(s): State<AppState>,
    Member(caller): Member,
    Path((id, number)): Path<(String, u32)>,
) -> Result<Response, ApiError> {
    let (filename, reader, size) = isms_app::documents::open_version_file(&s.cx, &caller, &id, number).await?;
    let body = HttpBody::from_stream(ReaderStream::with_capacity(reader, 256 * 1024));
    Ok((super::download_headers(&filename, "application/octet-stream", size), body).into_response())
}

async fn submit(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    step(&s, &caller, &id, Step::Submit).await
}

async fn send_back(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    step(&s, &caller, &id, Step::SendBack).await
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Approve {
    /// Why, or what changed
    #[serde(default)]
    comment: String,
}

async fn approve(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let comment = super::optional_json::<Approve>(&body)?.comment;
    step(&s, &caller, &id, Step::Approve { comment }).await
}

async fn review(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    step(&s, &caller, &id, Step::Review).await
}

async fn acknowledge(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::documents::acknowledge_document(&s.cx, &caller, &id).await?)))
}

async fn acknowledgements(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::documents::acknowledgements(&s.cx, &caller, &id).await?)))
}
