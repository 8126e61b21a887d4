//! "Test once, satisfy many": coverage of the frameworks in use through the crosswalk.

use super::Query;
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use isms_app::coverage::FrameworkCoverage;

use super::doc::media::{CSV, JSON, MARKDOWN, XLSX};
use super::doc::{Api, Op};
use super::{Items, download};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new(
                "get",
                "/api/v1/coverage",
                "coverage",
                "frameworks",
                "For each framework in use besides ISO/IEC 27001, every requirement: covered, partial or \
                 not_covered, why, and the Annex A controls and crosswalk paths (with provenance) behind it \
                 (query: framework=ID, gaps=true for the requirements not covered only)",
            )
            .answers::<Items<FrameworkCoverage>>(),
            get(coverage),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/coverage/export",
                "exportCoverage",
                "frameworks",
                "The coverage as a document, one row per requirement with its controls and paths \
                 (query: framework=ID, gaps=true, format=xlsx|csv|md|json)",
            )
            .exports(&[XLSX, CSV, MARKDOWN, JSON]),
            get(export),
        )
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverageQuery {
    framework: Option<String>,
    gaps: Option<bool>,
    format: Option<String>,
}

async fn coverage(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<CoverageQuery>,
) -> Result<Response, ApiError> {
    let mut items = isms_app::coverage::coverage(&s.cx, &caller, q.framework.as_deref()).await?;
    if q.gaps == Some(true) {
        for f in &mut items {
            f.items.retain(|i| i.reach != isms_app::coverage::Reach::Covered);
        }
    }
    // Serialized straight from the structs: the answer can be megabytes.
    Ok(Json(Items { items }).into_response())
}

async fn export(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<CoverageQuery>,
) -> Result<Response, ApiError> {
    let format = isms_app::export::DocFormat::parse(q.format.as_deref().unwrap_or("xlsx"))?;
    let gaps = q.gaps == Some(true);
    let bytes = isms_app::coverage::coverage_export(&s.cx, &caller, q.framework.as_deref(), gaps, format).await?;
    let stem = match (&q.framework, gaps) {
        (Some(f), true) => format!("coverage-gaps-{}", f.trim()),
        (Some(f), false) => format!("coverage-{}", f.trim()),
        (None, true) => "coverage-gaps".to_owned(),
        (None, false) => "coverage".to_owned(),
    };
    let stem: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '_' }).collect();
    Ok(download(&format!("{stem}.{}", format.extension()), format.media_type(), bytes))
}
