//! External auditors of an audit, and the audit workspace they (and every member)
//! read: the audit, the SoA version under audit, the sampled controls, the linked
//! evidence and documents, the requests and samples.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use isms_app::auditors::{AuditorInvited, AuditorView, Workspace};
use isms_app::export::DocFormat;
use isms_domain::DisplayName;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::doc::{Api, Op, media};
use super::{Body as JsonBody, Items, Path, Query, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new(
                "post",
                "/api/v1/audits/{id}/auditors",
                "inviteAuditor",
                "audits",
                "Invite a certification body's auditor to this audit only, for days_after days after its last day; \\
                 someone not yet a member gets an invitation link (shown once) and joins as external auditor",
            )
            .body_type::<InviteBody>()
            .answers::<AuditorInvited>()
            .ok(201),
            post(invite),
        )
        .op(
            Op::new("get", "/api/v1/audits/{id}/auditors", "listAuditors", "audits", "The audit's external auditors")
                .answers::<Items<AuditorView>>(),
            get(list),
        )
        .op(
            Op::new(
                "patch",
                "/api/v1/audits/{id}/auditors/{email}",
                "changeAuditor",
                "audits",
                "Change an external auditor's window (days_after) or revoke their access at once (revoke: true)",
            )
            .body_type::<ChangeBody>()
            .answers::<AuditorView>(),
            patch(change),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/audits/{id}/workspace",
                "auditWorkspace",
                "audits",
                "The audit's workspace: the audit, the SoA version under audit, the sampled controls, the evidence \\
                 and document versions linked to it, its requests and samples (external auditors: only their audits; \\
                 each view is recorded)",
            )
            .answers::<Workspace>(),
            get(workspace),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/audits/{id}/workspace/files/{item}",
                "auditWorkspaceFile",
                "audits",
                "A file linked to the audit: EVD-004, or DOC-002@3 (each external auditor's download is recorded)",
            )
            .file(),
            get(file),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/audits/{id}/workspace/soa",
                "auditWorkspaceSoa",
                "audits",
                "The SoA version under audit; ?format=pdf (default), xlsx, csv, md or json",
            )
            .exports(&["application/pdf", media::XLSX, media::CSV, media::MARKDOWN, media::JSON]),
            get(soa),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/audits/{id}/workspace/records/{record}",
                "auditWorkspaceRecord",
                "audits",
                "A record drawn in one of the audit's samples (a risk, a nonconformity, an evidence item, a document); \\
                 anything not sampled for the audit is 404 to an external auditor",
            ),
            get(record),
        )
}

/// Whom to invite.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct InviteBody {
    /// Their login e-mail.
    email: String,
    /// Their name.
    #[serde(default)]
    name: Option<String>,
    /// How many days after the audit's last day their access lasts (default 30).
    #[serde(default)]
    days_after: Option<u32>,
}

async fn invite(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    JsonBody(b): JsonBody<InviteBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let address = isms_domain::Email::parse(&b.email).map_err(|e| ApiError::from(field("email", e.to_string())))?;
    let name_text = b.name.unwrap_or_else(|| address.as_str().split('@').next().unwrap_or_default().to_owned());
    let name = DisplayName::parse(&name_text).map_err(|e| ApiError::from(field("name", e.to_string())))?;
    let base = crate::auth::public_base(&s, &uri, &headers);
    let days = b.days_after.unwrap_or(30);
    let invited = isms_app::auditors::invite_auditor(&s.cx, &caller, &id, address, name, days, &base).await?;
    Ok((StatusCode::CREATED, Json(json!(invited))))
}

async fn list(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::auditors::auditors(&s.cx, &caller, &id).await? })))
}

/// A change to an external auditor's access.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ChangeBody {
    /// A new window, in days after the audit's last day.
    #[serde(default)]
    days_after: Option<u32>,
    /// Revoke the access now.
    #[serde(default)]
    revoke: bool,
}

async fn change(
    State(s): State<AppState>,
    Member(caller): Member,
    Path((id, email)): Path<(String, String)>,
    JsonBody(b): JsonBody<ChangeBody>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::auditors::change_auditor(&s.cx, &caller, &id, &email, b.days_after, b.revoke).await?)))
}

async fn workspace(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::auditors::workspace(&s.cx, &caller, &id).await?)))
}

async fn file(
    State(s): State<AppState>,
    Member(caller): Member,
    Path((id, item)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (name, media, bytes) = isms_app::auditors::workspace_file(&s.cx, &caller, &id, &item).await?;
    let headers = super::download_headers(&name, &media, bytes.len() as u64);
    Ok((headers, bytes).into_response())
}

async fn soa(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Response, ApiError> {
    let format = q.get("format").map(|f| DocFormat::parse(f)).transpose()?.unwrap_or(DocFormat::Pdf);
    let (name, bytes) = isms_app::auditors::workspace_soa(&s.cx, &caller, &id, format).await?;
    Ok(super::download(&name, format.media_type(), bytes))
}

async fn record(
    State(s): State<AppState>,
    Member(caller): Member,
    Path((id, record)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(isms_app::auditors::workspace_record(&s.cx, &caller, &id, &record).await?))
}
