//! The asset inventory (A.5.9): filter, page, add, edit and delete assets.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use isms_domain::access::UseCase;
use isms_domain::asset::{Asset, AssetType, ClassificationScheme, Lifecycle};
use serde::Deserialize;

use super::{CsrfForm, NoFields, PageError, Shell, Viewer, encode, notice, see_other};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets", get(list).post(add))
        .route("/assets/{id}", get(show).post(update))
        .route("/assets/{id}/delete", post(delete))
}

const PER_PAGE: usize = 50;

pub(crate) struct AssetRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub owner: String,
    pub classification: String,
    pub cia: String,
    pub lifecycle: String,
}

fn row(a: &Asset, names: &super::Names) -> AssetRow {
    AssetRow {
        id: a.id.clone(),
        name: a.name.clone(),
        kind: a.kind.as_str(),
        owner: names.of(&a.owner),
        classification: a.classification.clone(),
        cia: format!("{}/{}/{}", a.confidentiality, a.integrity, a.availability),
        lifecycle: super::word(&a.lifecycle),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "assets.html")]
struct AssetsPage {
    shell: Shell,
    rows: Vec<AssetRow>,
    total: usize,
    matching: usize,
    page: usize,
    pages: usize,
    f_type: String,
    f_class: String,
    f_q: String,
    query: String,
    types: Vec<String>,
    lifecycles: Vec<String>,
    levels: Vec<String>,
    members: Vec<(String, String)>,
    can_edit: bool,
    done: Option<String>,
    problems: Vec<(String, String)>,
}

async fn render(
    s: &AppState,
    viewer: &Viewer,
    q: &BTreeMap<String, String>,
    problems: Vec<(String, String)>,
) -> Result<AssetsPage, PageError> {
    let caller = &viewer.caller;
    let all: Vec<Asset> = isms_app::registers::entries(&s.cx, caller).await?;
    let scheme = isms_app::registers::entry::<ClassificationScheme>(&s.cx, caller, "").await?;
    let get = |k: &str| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let (f_type, f_class, f_q) = (get("type"), get("classification"), get("q"));
    let text = f_q.to_lowercase();
    let names = super::Names::load(&s.cx, caller).await?;
    let matching: Vec<&Asset> = all
        .iter()
        .filter(|a| f_type.is_empty() || a.kind.as_str() == f_type)
        .filter(|a| f_class.is_empty() || a.classification.eq_ignore_ascii_case(&f_class))
        .filter(|a| {
            text.is_empty()
                || a.name.to_lowercase().contains(&text)
                || a.id.to_lowercase().contains(&text)
                || a.owner.contains(&text)
                || names.of(&a.owner).to_lowercase().contains(&text)
        })
        .collect();
    let pages = matching.len().div_ceil(PER_PAGE).max(1);
    let page = get("page").parse::<usize>().unwrap_or(1).clamp(1, pages);
    let rows = matching.iter().skip((page - 1) * PER_PAGE).take(PER_PAGE).map(|a| row(a, &names)).collect();
    let query = ["type", "classification", "q"]
        .iter()
        .filter_map(|k| q.get(*k).filter(|v| !v.is_empty()).map(|v| format!("{k}={}&", encode(v))))
        .collect::<String>();
    Ok(AssetsPage {
        rows,
        total: all.len(),
        matching: matching.len(),
        page,
        pages,
        f_type,
        f_class,
        f_q,
        query,
        types: AssetType::ALL.iter().map(|t| t.as_str().to_owned()).collect(),
        lifecycles: Lifecycle::ALL.iter().map(|l| l.as_str().to_owned()).collect(),
        levels: scheme.levels,
        members: super::owner_choices(&s.cx, caller).await?,
        can_edit: viewer.shell("assets").can.any(UseCase::EditAssets),
        done: notice(q.get("done").map(String::as_str)),
        problems,
        shell: viewer.shell("assets"),
    })
}

async fn list(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<AssetsPage, PageError> {
    render(&s, &viewer, &q, vec![]).await
}

#[derive(Debug, Deserialize)]
struct AssetForm {
    name: String,
    #[serde(rename = "type")]
    kind: AssetType,
    owner: String,
    classification: String,
    confidentiality: u8,
    integrity: u8,
    availability: u8,
    lifecycle: Lifecycle,
    #[serde(default)]
    description: String,
}

impl AssetForm {
    fn asset(self) -> Asset {
        Asset {
            id: String::new(),
            name: self.name,
            kind: self.kind,
            owner: self.owner,
            classification: self.classification,
            confidentiality: self.confidentiality,
            integrity: self.integrity,
            availability: self.availability,
            lifecycle: self.lifecycle,
            description: self.description,
        }
    }
}

async fn add(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<AssetForm>) -> Result<Response, PageError> {
    match isms_app::registers::create_entry(&s.cx, &viewer.caller, f.asset()).await {
        Ok(a) => Ok(see_other(&format!("/assets/{}?done=Added", a.id))),
        Err(e) if e.kind == isms_app::ErrorKind::Invalid => {
            let page = render(&s, &viewer, &BTreeMap::new(), super::form_problems(&e)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "asset.html")]
struct AssetPage {
    shell: Shell,
    asset: Asset,
    types: Vec<String>,
    lifecycles: Vec<String>,
    levels: Vec<String>,
    members: Vec<(String, String)>,
    can_edit: bool,
    done: Option<String>,
    problems: Vec<(String, String)>,
}

async fn asset_page(
    s: &AppState,
    viewer: &Viewer,
    id: &str,
    done: Option<String>,
    problems: Vec<(String, String)>,
) -> Result<AssetPage, PageError> {
    let caller = &viewer.caller;
    Ok(AssetPage {
        asset: isms_app::registers::entry::<Asset>(&s.cx, caller, id).await?,
        types: AssetType::ALL.iter().map(|t| t.as_str().to_owned()).collect(),
        lifecycles: Lifecycle::ALL.iter().map(|l| l.as_str().to_owned()).collect(),
        levels: isms_app::registers::entry::<ClassificationScheme>(&s.cx, caller, "").await?.levels,
        members: super::owner_choices(&s.cx, caller).await?,
        can_edit: viewer.shell("assets").can.any(UseCase::EditAssets),
        done,
        problems,
        shell: viewer.shell("assets"),
    })
}

#[derive(Debug, Deserialize)]
struct Done {
    done: Option<String>,
}

async fn show(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> Result<AssetPage, PageError> {
    asset_page(&s, &viewer, &id, notice(q.done.as_deref()), vec![]).await
}

async fn update(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<AssetForm>,
) -> Result<Response, PageError> {
    match isms_app::registers::replace_entry(&s.cx, &viewer.caller, &id, f.asset()).await {
        Ok(a) => Ok(see_other(&format!("/assets/{}?done=Saved", a.id))),
        Err(e) if e.kind == isms_app::ErrorKind::Invalid => {
            let page = asset_page(&s, &viewer, &id, None, super::form_problems(&e)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, _): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    isms_app::registers::delete_entry::<Asset>(&s.cx, &viewer.caller, &id).await?;
    Ok(see_other(&format!("/assets?done={}", encode(&format!("Deleted {id}.")))))
}
