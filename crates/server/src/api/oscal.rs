//! OSCAL exports (docs/oscal.md).

use super::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use schemars::JsonSchema;
use serde_json::{Value, json};

use super::doc::media::JSON;
use super::doc::{Api, Op};
use super::{Items, download};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default().op(
        Op::new(
            "get",
            "/api/v1/oscal/{kind}",
            "exportOscal",
            "frameworks",
            "An OSCAL document (1.1.3, or 1.2.2 with oscal_version=1.2.2): catalog (any framework of the library; query: framework=ID), profile (the \
             applicable controls of the latest approved SoA), ssp (the ISMS as a system security plan; framework=ID presents it \
             against that framework), poam (the open corrective actions and risk treatment actions), \
             assessment-plan or assessment-results (of one audit: audit=AUD-001), or mapping (OSCAL 1.2.2: the \
             crosswalk from framework=ID to to=ID, default iso27001-2022, with each mapping set's provenance)",
        )
        .exports(&[JSON]),
        get(export),
    )
    .op(
        Op::new(
            "post",
            "/api/v1/oscal/import/component-definition",
            "importComponentDefinition",
            "controls",
            "Import an OSCAL component definition (the JSON document as the body; query: framework=ID when its \
             control implementations' source names no framework of the library): its implementation statements \
             are proposed for the Annex A controls they reach, directly or through the crosswalk. Malformed JSON, \
             another OSCAL model or an unknown control id is refused naming the element (422), and nothing is stored",
        )
        .body_type::<OscalDocument>()
        .body_description("An OSCAL component-definition document (JSON)")
        .answers::<isms_app::proposals::ImportReport>()
        .ok(201),
        post(import_component_definition),
    )
    .op(
        Op::new(
            "get",
            "/api/v1/proposals",
            "listProposals",
            "controls",
            "Implementation statements proposed from component definitions (query: status=proposed|accepted|rejected, \
             control=A.8.13), newest first",
        )
        .answers::<Items<isms_domain::proposal::Proposal>>(),
        get(list_proposals),
    )
    .op(
        Op::new(
            "post",
            "/api/v1/proposals/{id}/accept",
            "acceptProposal",
            "controls",
            "Accept a proposed implementation statement: it is added to its control's implementation statement, \
             in the same transaction (a control owner decides on their own controls)",
        )
        .answers::<isms_domain::proposal::Proposal>(),
        post(accept),
    )
    .op(
        Op::new(
            "post",
            "/api/v1/proposals/{id}/reject",
            "rejectProposal",
            "controls",
            "Reject a proposed implementation statement, saying why",
        )
        .body_type::<Rejection>()
        .answers::<isms_domain::proposal::Proposal>(),
        post(reject),
    )
}

/// An OSCAL component definition (documents the body; the handler reads the bytes
/// itself, so a malformed file is refused naming its line and column).
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "only its schema is used")]
struct OscalDocument {
    /// The JSON schema the document names, if any.
    #[serde(rename = "$schema")]
    schema: Option<String>,
    /// The component definition, as OSCAL 1.x defines it (uuid, metadata, components
    /// with their control implementations).
    #[serde(rename = "component-definition")]
    component_definition: serde_json::Map<String, Value>,
}

/// Why the proposal is rejected.
#[derive(Debug, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Rejection {
    /// Why (required).
    reason: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportQuery {
    framework: Option<String>,
}

async fn import_component_definition(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let report = isms_app::proposals::import_component_definition(
        &s.cx,
        &caller,
        "component-definition.json",
        &body,
        q.framework.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!(report))))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposalQuery {
    status: Option<String>,
    control: Option<String>,
}

async fn list_proposals(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<ProposalQuery>,
) -> Result<Json<Value>, ApiError> {
    let status = q
        .status
        .as_deref()
        .map(|t| {
            isms_domain::proposal::ProposalStatus::parse(t).ok_or_else(|| {
                isms_app::AppError::invalid_field("status", format!("{t:?} is not proposed, accepted or rejected"))
            })
        })
        .transpose()?;
    let items = isms_app::proposals::proposals(&s.cx, &caller, status, q.control.as_deref()).await?;
    Ok(Json(json!(Items { items })))
}

async fn accept(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let p = isms_app::proposals::decide(&s.cx, &caller, &id, isms_app::proposals::Decision::Accept).await?;
    Ok(Json(json!(p)))
}

async fn reject(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    super::Body(body): super::Body<Rejection>,
) -> Result<Json<Value>, ApiError> {
    let p =
        isms_app::proposals::decide(&s.cx, &caller, &id, isms_app::proposals::Decision::Reject(body.reason)).await?;
    Ok(Json(json!(p)))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OscalQuery {
    framework: Option<String>,
    audit: Option<String>,
    to: Option<String>,
    oscal_version: Option<String>,
}

async fn export(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(kind): Path<String>,
    Query(q): Query<OscalQuery>,
) -> Result<Response, ApiError> {
    let model = isms_app::oscal::Model::parse(&kind)?;
    let options = isms_app::oscal::Options {
        framework: q.framework.as_deref(),
        audit: q.audit.as_deref(),
        to: q.to.as_deref(),
        oscal_version: q.oscal_version.as_deref(),
    };
    let doc = isms_app::oscal::export(&s.cx, &caller, model, &options).await?;
    let mut bytes = serde_json::to_vec_pretty(&doc)
        .map_err(|e| isms_app::AppError::new(isms_app::Code::ExportFailed, e.to_string()))?;
    bytes.push(b'\n');
    let name = model.file_name(&options);
    Ok(download(&name, "application/json", bytes))
}
