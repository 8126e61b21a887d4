//! The Statement of Applicability beyond its current draft: approval into versions,
//! reviews, versions, differences and exports.

use super::doc::media::{CSV, JSON, MARKDOWN, XLSX};
use super::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use isms_app::export::DocFormat;
use isms_app::soa::VersionRef;
use isms_domain::review::{ReviewOutcome, ReviewStatus};
use isms_domain::soa::{SoaChange, SoaRow, SoaVersion};
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::{Body, Items, download, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/soa/versions", "listSoaVersions", "soa", "Every approved version, oldest first")
                .answers::<Items<SoaVersion>>(),
            get(versions),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/soa/versions",
                "approveSoa",
                "soa",
                "Approve the draft as the next version, as yourself (refused while problems remain or nothing changed)",
            )
            .body_type::<Approval>()
            .answers::<SoaVersion>()
            .ok(201),
            post(approve),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/soa/versions/{version}",
                "getSoaVersion",
                "soa",
                "The rows of a version: a number, latest or draft",
            )
            .answers::<VersionRows>(),
            get(version),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/soa/diff",
                "diffSoa",
                "soa",
                "What changed between two versions, control by control (query: from, to; default latest → draft)",
            )
            .answers::<Changes>(),
            get(diff),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/soa/export",
                "exportSoa",
                "soa",
                "A version as a document (query: format=xlsx|csv|md|json, version=latest|draft|N)",
            )
            .exports(&[XLSX, CSV, MARKDOWN, JSON]),
            get(export),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/soa/reviews",
                "reviewSoa",
                "soa",
                "Record that the SoA was reviewed and is still right",
            )
            .body_type::<SoaReview>()
            .answers::<ReviewStatus>()
            .ok(201),
            post(review),
        )
}

async fn versions(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::soa::soa_versions(&s.cx, &caller).await? })))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Approval {
    /// What this version changes, or why it is approved
    comment: String,
}

async fn approve(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(a): Body<Approval>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((StatusCode::CREATED, Json(json!(isms_app::soa::approve_soa(&s.cx, &caller, &a.comment).await?))))
}

async fn version(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(v): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (version, rows) = isms_app::soa::soa_at(&s.cx, &caller, VersionRef::parse(&v)?).await?;
    let version = version.map(|v| VersionHead {
        number: v.number,
        approved_by: v.approved_by,
        approved_at: v.approved_at,
        comment: v.comment,
    });
    Ok(Json(json!(VersionRows { version, rows })))
}

/// A version's rows, and the version (none for the draft).
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct VersionRows {
    /// The approved version; null for the draft.
    version: Option<VersionHead>,
    /// Its rows.
    rows: Vec<SoaRow>,
}

/// An approved version without its rows.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct VersionHead {
    /// Its number, from 1.
    number: i64,
    /// Who approved it.
    approved_by: String,
    /// When (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String", extend("format" = "date-time"))]
    approved_at: time::OffsetDateTime,
    /// What it changes, or why it was approved.
    comment: String,
}

/// What changed between two versions.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct Changes {
    /// Control by control.
    changes: Vec<SoaChange>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn diff(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<DiffQuery>,
) -> Result<Json<Value>, ApiError> {
    let from = VersionRef::parse(q.from.as_deref().unwrap_or("latest"))?;
    let to = VersionRef::parse(q.to.as_deref().unwrap_or("draft"))?;
    Ok(Json(json!(Changes { changes: isms_app::soa::diff_soa(&s.cx, &caller, from, to).await? })))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    format: Option<String>,
    version: Option<String>,
}

async fn export(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = DocFormat::parse(q.format.as_deref().unwrap_or("xlsx"))?;
    let at = VersionRef::parse(q.version.as_deref().unwrap_or("latest"))?;
    let export = isms_app::soa::export_soa(&s.cx, &caller, at, format).await?;
    let name = match export.meta.version {
        Some(n) => format!("soa-v{n}.{}", format.extension()),
        None => format!("soa-draft.{}", format.extension()),
    };
    Ok(download(&name, format.media_type(), export.bytes))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct SoaReview {
    /// no_change, updated or changes_required
    outcome: String,
    /// What was looked at
    #[serde(default)]
    comment: String,
}

async fn review(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(b): Body<SoaReview>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let outcome = ReviewOutcome::parse(&b.outcome)
        .ok_or_else(|| field("outcome", format!("{:?} is not no_change, updated or changes_required", b.outcome)))?;
    Ok((StatusCode::CREATED, Json(json!(isms_app::soa::review_soa(&s.cx, &caller, outcome, &b.comment).await?))))
}
