//! Reading the ISMS records and the audit trail.

use super::doc::media::{CSV, JSON};
use std::collections::BTreeMap;

use super::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::routing::{get, patch, post};
use isms_app::controls::{ControlDetail, ControlView};
use isms_app::risks::RiskView;
use isms_app::soa::SoaDraft;
use isms_domain::risk::Methodology;
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
            Op::new("get", "/api/v1/risks", "listRisks", "risks", "The risk register")
                .list()
                .answers_page::<RiskView>(),
            get(risks),
        )
        .op(Op::new("get", "/api/v1/risks/{id}", "getRisk", "risks", "One risk").answers::<RiskView>(), get(risk))
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
            Op::new("get", "/api/v1/methodology", "getMethodology", "risks", "The current risk methodology")
                .answers::<Methodology>(),
            get(methodology),
        )
        .op(
            Op::new("post", "/api/v1/risks", "addRisk", "risks", "Add a risk to the register")
                .body_type::<NewRisk>()
                .answers::<RiskView>()
                .ok(201),
            post(add_risk),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/risks/{id}/acceptance",
                "acceptRisk",
                "risks",
                "Accept the risk's residual level as yourself",
            )
            .body_type::<Acceptance>()
            .answers::<RiskView>(),
            post(accept_risk),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/audit-log",
                "listAuditLog",
                "audit-log",
                "The audit trail, oldest first, after a sequence number (query: after, limit)",
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

async fn risks(State(s): State<AppState>, Member(caller): Member, Query(q): Params) -> Result<Json<Value>, ApiError> {
    Ok(Json(page(&isms_app::risks::list_risks(&s.cx, &caller).await?, &q)?))
}

async fn risk(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::risks::risk(&s.cx, &caller, &id).await?)))
}

#[derive(Debug, serde::Deserialize)]
struct TrailQuery {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    100
}

async fn audit_log(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<TrailQuery>,
) -> Result<Json<Value>, ApiError> {
    let entries = isms_app::trail::trail(&s.cx, &caller, q.after, q.limit.clamp(1, 1000)).await?;
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

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewRisk {
    /// What could happen
    title: String,
    /// The risk owner's e-mail (a member)
    owner: String,
    /// {likelihood, impact} before treatment
    inherent: isms_domain::risk::Rating,
    /// {likelihood, impact} after treatment (default: inherent)
    residual: Option<isms_domain::risk::Rating>,
    /// modify (default), retain, avoid or share
    treatment: Option<isms_domain::risk::TreatmentOption>,
    /// More detail
    #[serde(default)]
    description: String,
    /// The threat
    #[serde(default)]
    threat: String,
    /// The vulnerability
    #[serde(default)]
    vulnerability: String,
    /// Asset ids
    #[serde(default)]
    assets: Vec<String>,
    /// Annex A control ids that treat it
    #[serde(default)]
    controls: Vec<String>,
    /// YYYY-MM-DD (default: in a year)
    #[schemars(extend("format" = "date"))]
    next_review: Option<String>,
}

async fn add_risk(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(n): Body<NewRisk>,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    let next_review = match n.next_review {
        Some(t) => date("next_review", &t)?,
        None => s.cx.clock.today() + time::Duration::days(365),
    };
    let risk = isms_domain::risk::Risk {
        id: String::new(),
        title: n.title,
        description: n.description,
        assets: n.assets,
        threat: n.threat,
        vulnerability: n.vulnerability,
        owner: n.owner,
        inherent: n.inherent,
        existing_controls: String::new(),
        treatment: n.treatment.unwrap_or(isms_domain::risk::TreatmentOption::Modify),
        actions: vec![],
        controls: n.controls,
        residual: n.residual.unwrap_or(n.inherent),
        acceptance: None,
        next_review,
        history: vec![],
        fair: None,
    };
    let saved = isms_app::risks::add_risk(&s.cx, &caller, risk).await?;
    Ok((axum::http::StatusCode::CREATED, Json(json!(saved))))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Acceptance {
    /// Why the residual risk is acceptable
    comment: String,
}

async fn accept_risk(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Body(a): Body<Acceptance>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::risks::accept_risk(&s.cx, &caller, &id, &a.comment).await?)))
}

async fn soa(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::soa::soa_draft(&s.cx, &caller).await?)))
}

async fn methodology(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::risks::methodology(&s.cx, &caller).await?)))
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
