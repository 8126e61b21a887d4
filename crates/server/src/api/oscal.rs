//! OSCAL exports (docs/oscal.md).

use super::{Path, Query};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::doc::media::JSON;
use super::doc::{Api, Op};
use super::download;
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default().op(
        Op::new(
            "get",
            "/api/v1/oscal/{kind}",
            "exportOscal",
            "frameworks",
            "An OSCAL 1.1.3 document: catalog (any framework of the library; query: framework=ID), profile (the \
             applicable controls of the latest approved SoA), ssp (the ISMS as a system security plan; framework=ID presents it \
             against that framework), poam (the open corrective actions and risk treatment actions), \
             assessment-plan or assessment-results (of one audit: audit=AUD-001)",
        )
        .exports(&[JSON]),
        get(export),
    )
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OscalQuery {
    framework: Option<String>,
    audit: Option<String>,
}

async fn export(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(kind): Path<String>,
    Query(q): Query<OscalQuery>,
) -> Result<Response, ApiError> {
    let model = isms_app::oscal::Model::parse(&kind)?;
    let options = isms_app::oscal::Options { framework: q.framework.as_deref(), audit: q.audit.as_deref() };
    let doc = isms_app::oscal::export(&s.cx, &caller, model, &options).await?;
    let mut bytes = serde_json::to_vec_pretty(&doc)
        .map_err(|e| isms_app::AppError::new(isms_app::Code::ExportFailed, e.to_string()))?;
    bytes.push(b'\n');
    let name = model.file_name(&options);
    Ok(download(&name, "application/json", bytes))
}
