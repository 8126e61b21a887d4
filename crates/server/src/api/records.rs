//! The control records, the Statement of Applicability and the audit trail.

use super::doc::media::{CSV, JSON};
use std::collections::BTreeMap;

use super::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::routing::{get, patch};
use isms_app::controls::{ControlDetail, ControlView};
use isms_app::soa::SoaDraft;
use isms_domain::trail::TrailEntry;
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::list::page;
use super::{Body, date, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new(
                "get",
                "/api/v1/controls",
                "listControls",
                "controls",
                "The organization's Annex A control records",
            )
            .list()
            .answers_page::<ControlView>(),
            get(controls),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/controls/{id}",
                "getControl",
                "controls",
                "One control: our guidance, 27002 attributes, the record, its history, links and mappings",
            )
            .answers::<ControlDetail>(),
            get(control),
        )
        .op(
            Op::new(
                "patch",
                "/api/v1/controls/{id}",
                "updateControl",
                "controls",
                "Change a control record (fields left out stay as they are)",
            )
            .body_type::<ControlPatch>()
            .answers::<isms_domain::soa::ControlImplementation>(),
            patch(update_control),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/soa",
                "getSoa",
                "soa",
                "The Statement of Applicability now, with what blocks its approval",
            )
            .answers::<SoaDraft>(),
            get(soa),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/audit-log",
                "listAuditLog",
                "audit-log",
                "The audit trail, oldest first, after a sequence number (query: after, limit; filters: actor=user:<id>|system, entity, entity_id, since, until as YYYY-MM-DD)",
            )
            .answers::<TrailPage>(),
            get(audit_log),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/audit-log/export",
                "exportAuditLog",
                "audit-log",
                "The whole trail as a document (query: format=csv|json)",
            )
            .exports(&[CSV, JSON]),
            get(export_audit_log),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/audit-log/verify",
                "verifyAuditLog",
                "audit-log",
                "Re-compute the trail's hash chain",
            )
            .answers::<TrailCheck>(),
            get(verify),
        )
}

type Params = Query<BTreeMap<String, String>>;

async fn controls(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(page(&isms_app::controls::list_controls(&s.cx, &caller).await?, &q)?))
}

async fn control(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::controls::control_detail(&s.cx, &caller, &id).await?)))
}

#[derive(Debug, serde::Deserialize)]
struct TrailQuery {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_limit")]
    limit: u32,
    /// `user:<id>` or `system` (the command line).
    actor: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    /// First day (YYYY-MM-DD, UTC).
    since: Option<String>,
    /// Last day.
    until: Option<String>,
}

fn default_limit() -> u32 {
    100
}

async fn audit_log(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<TrailQuery>,
) -> Result<Json<Value>, ApiError> {
    let day = |field: &str, text: &Option<String>| {
        text.as_deref()
            .map(|t| isms_domain::dates::parse_text(t).map_err(|m| isms_app::AppError::invalid_field(field, m)))
            .transpose()
    };
    let filter = isms_app::trail::TrailFilter {
        who: q.actor.as_deref().map(isms_app::trail::Who::parse).transpose()?,
        entity: q.entity.clone(),
        entity_id: q.entity_id.clone(),
        since: day("since", &q.since)?,
        until: day("until", &q.until)?,
    };
    let limit = q.limit.clamp(1, 1000);
    let entries = if filter.is_empty() {
        isms_app::trail::trail(&s.cx, &caller, q.after, limit).await?
    } else {
        isms_app::trail::find_in_trail(&s.cx, &caller, &filter, q.after, limit).await?
    };
    let next = entries.last().map(|e| e.seq);
    Ok(Json(json!(TrailPage { items: entries, next_after: next })))
}

/// A page of the audit trail.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct TrailPage {
    /// Entries, oldest first.
    items: Vec<TrailEntry>,
    /// The last entry's sequence number, for `after` (null when the page is empty).
    next_after: Option<i64>,
}

/// The trail's hash chain re-computed.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct TrailCheck {
    /// True when the chain is intact.
    intact: bool,
    /// Entries checked.
    entries: i64,
    /// The first problem found, as a sentence (null when intact).
    problem: Option<String>,
    /// The organization.
    organization: isms_domain::OrgId,
}

async fn verify(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    let v = isms_app::trail::verify_trail(&s.cx, &caller).await?;
    Ok(Json(json!(TrailCheck {
        intact: v.intact(),
        entries: v.entries,
        problem: v.problem,
        organization: v.organization
    })))
}

/// `Some(None)` for an explicit null, `None` when the field is absent.
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ControlPatch {
    /// not_started, planned, in_progress, implemented or not_applicable
    status: Option<String>,
    /// In the SoA (true) or excluded (false)
    applicable: Option<bool>,
    /// Why an excluded control is excluded (null clears)
    #[serde(default, deserialize_with = "nullable")]
    justification: Option<Option<String>>,
    /// The owner's e-mail, a member (null clears)
    #[serde(default, deserialize_with = "nullable")]
    owner: Option<Option<String>>,
    /// YYYY-MM-DD (null clears)
    #[schemars(extend("format" = "date"))]
    #[serde(default, deserialize_with = "nullable")]
    target_date: Option<Option<String>>,
    /// How it is implemented (Markdown)
    implementation: Option<String>,
}

async fn update_control(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Body(p): Body<ControlPatch>,
) -> Result<Json<Value>, ApiError> {
    use isms_domain::soa::ControlStatus;
    let status = p
        .status
        .map(|t| ControlStatus::parse(&t).ok_or_else(|| field("status", format!("{t:?} is not a control status"))))
        .transpose()?;
    let owner = p
        .owner
        .map(|o| o.map(|e| isms_domain::Email::parse(&e).map_err(|err| field("owner", err.to_string()))).transpose())
        .transpose()?;
    let target_date = p.target_date.map(|d| d.map(|t| date("target_date", &t)).transpose()).transpose()?;
    let change = isms_app::controls::ControlChange {
        applicable: p.applicable,
        status,
        justification: p.justification,
        owner,
        target_date,
        implementation: p.implementation,
        ..Default::default()
    };
    Ok(Json(json!(isms_app::controls::update_control(&s.cx, &caller, &id, change).await?)))
}

async fn soa(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::soa::soa_draft(&s.cx, &caller).await?)))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    format: Option<String>,
}

async fn export_audit_log(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<ExportQuery>,
) -> Result<axum::response::Response, ApiError> {
    let format = isms_app::export::DocFormat::parse(q.format.as_deref().unwrap_or("csv"))?;
    let (_, bytes) = isms_app::trail::export_trail(&s.cx, &caller, format).await?;
    Ok(super::download(&format!("audit-log.{}", format.extension()), format.media_type(), bytes))
}
