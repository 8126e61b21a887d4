//! Global search, from the top bar on every page: the organization's records and the
//! requirements of every framework (`app::search`, the same as `GET /api/v1/search`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use isms_app::search::Found;
use serde::Deserialize;

use super::{PageError, Shell, Viewer};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchPage {
    shell: Shell,
    q: String,
    /// (kind in words, the hits of that kind)
    groups: Vec<(&'static str, Vec<Found>)>,
    total: usize,
}

#[derive(Debug, Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

const KINDS: [(&str, &str); 7] = [
    ("control", "Controls"),
    ("risk", "Risks"),
    ("document", "Documents"),
    ("evidence", "Evidence"),
    ("asset", "Assets"),
    ("finding", "Findings"),
    ("requirement", "Requirements of the frameworks"),
];

async fn search(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<SearchQuery>,
) -> Result<SearchPage, PageError> {
    let q = q.q.trim().chars().take(200).collect::<String>();
    let found = isms_app::search::search(&s.cx, &viewer.caller, &q).await?;
    let total = found.len();
    let groups = KINDS
        .iter()
        .map(|(kind, label)| (*label, found.iter().filter(|f| f.kind == *kind).cloned().collect::<Vec<_>>()))
        .filter(|(_, hits)| !hits.is_empty())
        .collect();
    Ok(SearchPage { shell: viewer.shell("search"), q, groups, total })
}
