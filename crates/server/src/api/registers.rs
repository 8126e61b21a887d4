//! The ISMS registers over HTTP, one generic set of handlers for all of them: context
//! issues (4.1), interested parties (4.2), ISMS roles (5.3), objectives (6.2) and
//! assets (A.5.9) as collections; the scope (4.3) and the classification scheme as
//! single documents. The app layer checks the role ([`Register::EDIT`]).

use std::collections::BTreeMap;

use super::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use isms_app::registers::Register;
use isms_domain::asset::{Asset, ClassificationScheme};
use isms_domain::register::{ContextIssue, InterestedParty, IsmsRole, Objective, Scope};
use schemars::JsonSchema;
use serde_json::{Value, json};

use super::Body;
use super::doc::{Api, Op};
use super::list::page;
use crate::auth::Member;
use crate::{ApiError, AppState};

/// What the document calls one register's operations.
struct Names {
    collection: &'static str,
    item: &'static str,
    tag: &'static str,
    /// Singular noun for summaries ("context issue").
    noun: &'static str,
    ids: [&'static str; 5],
}

const ENTITY: &str = "The entry as GET answers it; `id` is assigned by the server and ignored here.";

/// A register entry the API reads and writes whole.
trait Entry: Register + JsonSchema {}

impl<T: Register + JsonSchema> Entry for T {}

fn collection<T: Entry>(n: &Names) -> Api {
    let [list_id, get_id, create_id, replace_id, delete_id] = n.ids;
    Api::default()
        .op(
            Op::new("get", n.collection, list_id, n.tag, "")
                .described(format!("Every {}", n.noun))
                .list()
                .answers_page::<T>(),
            get(list_entries::<T>),
        )
        .op(
            Op::new("post", n.collection, create_id, n.tag, "")
                .described(format!("Add a {}", n.noun))
                .body_type::<T>()
                .body_description(ENTITY)
                .answers::<T>()
                .ok(201),
            post(create_entry::<T>),
        )
        .op(
            Op::new("get", n.item, get_id, n.tag, "").described(format!("One {}", n.noun)).answers::<T>(),
            get(get_entry::<T>),
        )
        .op(
            Op::new("put", n.item, replace_id, n.tag, "")
                .described(format!("Replace a {}", n.noun))
                .body_type::<T>()
                .body_description(ENTITY)
                .answers::<T>(),
            put(replace_entry::<T>),
        )
        .op(
            Op::new("delete", n.item, delete_id, n.tag, "").described(format!("Delete a {}", n.noun)).ok(204),
            delete(delete_entry::<T>),
        )
}

fn singleton<T: Entry>(path: &'static str, tag: &'static str, noun: &'static str, ids: [&'static str; 2]) -> Api {
    Api::default()
        .op(
            Op::new("get", path, ids[0], tag, "").described(format!("The {noun}")).answers::<T>(),
            get(get_singleton::<T>),
        )
        .op(
            Op::new("put", path, ids[1], tag, "")
                .described(format!("Set the {noun}"))
                .body_type::<T>()
                .body_description(ENTITY)
                .answers::<T>(),
            put(put_singleton::<T>),
        )
}

pub(crate) fn routes() -> Api {
    Api::default()
        .merge(collection::<ContextIssue>(&Names {
            collection: "/api/v1/context-issues",
            item: "/api/v1/context-issues/{id}",
            tag: "context",
            noun: "internal or external issue (4.1)",
            ids: [
                "listContextIssues",
                "getContextIssue",
                "addContextIssue",
                "replaceContextIssue",
                "deleteContextIssue",
            ],
        }))
        .merge(collection::<InterestedParty>(&Names {
            collection: "/api/v1/interested-parties",
            item: "/api/v1/interested-parties/{id}",
            tag: "context",
            noun: "interested party and its requirements (4.2)",
            ids: [
                "listInterestedParties",
                "getInterestedParty",
                "addInterestedParty",
                "replaceInterestedParty",
                "deleteInterestedParty",
            ],
        }))
        .merge(collection::<IsmsRole>(&Names {
            collection: "/api/v1/isms-roles",
            item: "/api/v1/isms-roles/{id}",
            tag: "context",
            noun: "ISMS role and its responsibilities (5.3)",
            ids: ["listIsmsRoles", "getIsmsRole", "addIsmsRole", "replaceIsmsRole", "deleteIsmsRole"],
        }))
        .merge(collection::<Objective>(&Names {
            collection: "/api/v1/objectives",
            item: "/api/v1/objectives/{id}",
            tag: "context",
            noun: "information security objective (6.2)",
            ids: ["listObjectives", "getObjective", "addObjective", "replaceObjective", "deleteObjective"],
        }))
        .merge(collection::<Asset>(&Names {
            collection: "/api/v1/assets",
            item: "/api/v1/assets/{id}",
            tag: "assets",
            noun: "asset of the inventory",
            ids: ["listAssets", "getAsset", "addAsset", "replaceAsset", "deleteAsset"],
        }))
        .op(
            Op::new(
                "post",
                "/api/v1/assets/import",
                "importAssets",
                "assets",
                "Import assets from CSV (Content-Type: text/csv; all rows or none unless ?skip_bad_rows=true)",
            )
            .answers::<isms_app::assets::ImportReport>()
            .csv()
            .ok(201),
            post(import_assets),
        )
        .merge(singleton::<Scope>("/api/v1/scope", "context", "ISMS scope (4.3)", ["getScope", "setScope"]))
        .merge(singleton::<ClassificationScheme>(
            "/api/v1/classification-scheme",
            "assets",
            "information classification scheme",
            ["getClassificationScheme", "setClassificationScheme"],
        ))
}

type Params = Query<BTreeMap<String, String>>;

async fn list_entries<T: Register>(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(page(&isms_app::registers::entries::<T>(&s.cx, &caller).await?, &q)?))
}

async fn get_entry<T: Register>(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::registers::entry::<T>(&s.cx, &caller, &id).await?)))
}

async fn create_entry<T: Register>(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(value): Body<T>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((StatusCode::CREATED, Json(json!(isms_app::registers::create_entry(&s.cx, &caller, value).await?))))
}

async fn replace_entry<T: Register>(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Body(value): Body<T>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::registers::replace_entry(&s.cx, &caller, &id, value).await?)))
}

async fn delete_entry<T: Register>(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    isms_app::registers::delete_entry::<T>(&s.cx, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn get_singleton<T: Register>(
    State(s): State<AppState>,
    Member(caller): Member,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::registers::entry::<T>(&s.cx, &caller, "").await?)))
}

async fn put_singleton<T: Register>(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(value): Body<T>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::registers::replace_entry(&s.cx, &caller, "", value).await?)))
}

async fn import_assets(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<super::risks::ImportQuery>,
    super::Csv(text): super::Csv,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let report =
        isms_app::assets::import_assets_csv(&s.cx, &caller, &text, q.skip_bad_rows, &Default::default()).await?;
    Ok(super::risks::import_answer(report.stored, &report))
}
