//! The framework library and crosswalks, and the frameworks an organization works to.
//! Importing a framework into the installation stays with the command line
//! (`isms framework import`): the library is shared by every organization.

use super::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use isms_app::frameworks::{FrameworkSummary, SearchHit};
use isms_domain::crosswalk::Hit;
use isms_domain::framework::{Framework, FrameworkId};
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::{Body, Items, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/frameworks", "listFrameworks", "frameworks", "Every framework of the library")
                .answers::<Items<FrameworkSummary>>(),
            get(list),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/frameworks/{id}",
                "getFramework",
                "frameworks",
                "A framework's items (query: under=ITEM for one part)",
            )
            .answers::<Framework>(),
            get(show),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/search",
                "searchFrameworks",
                "frameworks",
                "Full-text search over the library (query: q, framework, limit)",
            )
            .answers::<Items<SearchHit>>(),
            get(search),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/crosswalk",
                "crosswalk",
                "frameworks",
                "What an item covers elsewhere, with every path (query: item=framework:item, to=framework)",
            )
            .answers::<Items<Hit>>(),
            get(crosswalk),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/organization/frameworks",
                "frameworksInUse",
                "frameworks",
                "The frameworks this organization works to",
            )
            .answers::<Items<FrameworkId>>(),
            get(in_use),
        )
        .op(
            Op::new("post", "/api/v1/organization/frameworks", "adoptFramework", "frameworks", "Adopt a framework")
                .body_type::<AdoptFramework>()
                .answers::<Items<FrameworkId>>()
                .ok(201),
            post(adopt),
        )
}

async fn list(State(s): State<AppState>, _member: Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::frameworks::list_frameworks(&s.cx).await? })))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ShowQuery {
    under: Option<String>,
}

async fn show(
    State(s): State<AppState>,
    _member: Member,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::frameworks::show_framework(&s.cx, &id, q.under.as_deref()).await?)))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchQuery {
    q: Option<String>,
    framework: Option<String>,
    limit: Option<usize>,
}

async fn search(
    State(s): State<AppState>,
    _member: Member,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Value>, ApiError> {
    let text = q.q.filter(|t| !t.trim().is_empty()).ok_or_else(|| field("q", "what to search for".into()))?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    Ok(Json(json!(Items { items: isms_app::frameworks::search(&s.cx, &text, q.framework.as_deref(), limit).await? })))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CrosswalkQuery {
    item: Option<String>,
    to: Option<String>,
}

async fn crosswalk(
    State(s): State<AppState>,
    _member: Member,
    Query(q): Query<CrosswalkQuery>,
) -> Result<Json<Value>, ApiError> {
    let item = q.item.ok_or_else(|| field("item", "which item, as framework:item (iso27001-2022:A.5.15)".into()))?;
    Ok(Json(json!(Items {
        items: isms_app::frameworks::crosswalk(&s.cx, &isms_app::frameworks::parse_item_ref(&item)?, q.to.as_deref())
            .await?
    })))
}

async fn in_use(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::frameworks::frameworks_in_use(&s.cx, &caller).await? })))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct AdoptFramework {
    /// A framework id from GET /api/v1/frameworks
    framework: String,
}

async fn adopt(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(a): Body<AdoptFramework>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    isms_app::frameworks::adopt_framework(&s.cx, &caller, &a.framework).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!(Items { items: isms_app::frameworks::frameworks_in_use(&s.cx, &caller).await? })),
    ))
}
