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
             applicable controls of the latest approved SoA), ssp (the ISMS as a system security plan) or poam (the \
             open corrective actions and risk treatment actions)",
        )
        .exports(&[JSON]),
        get(export),
    )
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OscalQuery {
    framework: Option<String>,
}

async fn export(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(kind): Path<String>,
    Query(q): Query<OscalQuery>,
) -> Result<Response, ApiError> {
    let model = isms_app::oscal::Model::parse(&kind)?;
    let doc = isms_app::oscal::export(&s.cx, &caller, model, q.framework.as_deref()).await?;
    let mut bytes = serde_json::to_vec_pretty(&doc)
        .map_err(|e| isms_app::AppError::new(isms_app::Code::ExportFailed, e.to_string()))?;
    bytes.push(b'\n');
    let name = match model {
        isms_app::oscal::Model::Catalog => {
            isms_app::oscal::catalog_file(q.framework.as_deref().unwrap_or(isms_domain::framework::PIVOT))
        }
        isms_app::oscal::Model::Profile => isms_app::oscal::PROFILE_FILE.to_owned(),
        isms_app::oscal::Model::Ssp => isms_app::oscal::SSP_FILE.to_owned(),
        isms_app::oscal::Model::Poam => "isms-poam.oscal.json".to_owned(),
    };
    let name: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '_' }).collect();
    Ok(download(&name, "application/json", bytes))
}
