//! The framework library: every framework, one framework's items (by part), search
//! across all of them, and the crosswalk explorer (pick an item, see what it covers in
//! every other framework, with the path through the pivot).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use isms_domain::framework::Item;
use serde::Deserialize;

use super::{PageError, Shell, Viewer, encode};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/frameworks", get(library))
        .route("/frameworks/{id}", get(framework))
        .route("/crosswalk", get(crosswalk))
}

fn kind(k: impl std::fmt::Debug) -> String {
    let raw = format!("{k:?}");
    let mut out = String::new();
    for (i, c) in raw.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

pub(crate) struct FrameworkRow {
    pub id: String,
    pub name: String,
    pub version: String,
    pub kind: String,
    pub counts: String,
    pub in_use: bool,
    pub imported: bool,
}

pub(crate) struct Hit {
    pub framework: String,
    pub item: String,
    pub kind: String,
    pub title: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "frameworks.html")]
struct LibraryPage {
    shell: Shell,
    frameworks: Vec<FrameworkRow>,
    q: String,
    hits: Vec<Hit>,
    searched: bool,
}

#[derive(Debug, Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

async fn library(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<SearchQuery>,
) -> Result<LibraryPage, PageError> {
    let caller = viewer.caller;
    let in_use = isms_app::frameworks::frameworks_in_use(&s.cx, &caller).await?;
    let frameworks = isms_app::frameworks::list_frameworks(&s.cx)
        .await?
        .into_iter()
        .map(|f| FrameworkRow {
            in_use: in_use.iter().any(|u| u.as_str() == f.id),
            counts: f.counts.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(" · "),
            id: f.id,
            name: f.name,
            version: f.version,
            kind: f.kind,
            imported: f.imported,
        })
        .collect();
    let text = q.q.clone().unwrap_or_default();
    let hits = if text.trim().is_empty() {
        vec![]
    } else {
        isms_app::frameworks::search(&s.cx, &text, None, 100)
            .await?
            .into_iter()
            .map(|h| Hit {
                framework: h.item.framework.to_string(),
                item: h.item.item,
                kind: kind(h.kind),
                title: h.title,
            })
            .collect()
    };
    Ok(LibraryPage { shell: viewer.shell("frameworks"), frameworks, searched: !text.trim().is_empty(), q: text, hits })
}

pub(crate) struct ItemRow {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub text: String,
    pub depth: usize,
    pub children: usize,
    pub crosswalk: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "framework.html")]
struct FrameworkPage {
    shell: Shell,
    id: String,
    name: String,
    version: String,
    publisher: String,
    description: String,
    provenance: String,
    under: Option<String>,
    items: Vec<ItemRow>,
}

#[derive(Debug, Deserialize)]
struct Under {
    under: Option<String>,
}

fn depth(items: &[Item], item: &Item) -> usize {
    let mut d = 0;
    let mut parent = item.parent.as_deref();
    while let Some(p) = parent {
        d += 1;
        parent = items.iter().find(|i| i.id == p).and_then(|i| i.parent.as_deref());
        if d > 8 {
            break;
        }
    }
    d
}

async fn framework(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<Under>,
) -> Result<FrameworkPage, PageError> {
    let whole = isms_app::frameworks::show_framework(&s.cx, &id, None).await?;
    let under = q.under.filter(|u| !u.is_empty());
    let shown = match &under {
        Some(u) => isms_app::frameworks::show_framework(&s.cx, &id, Some(u)).await?.items,
        // The whole framework when it is small; its top level (with counts) otherwise.
        None if whole.items.len() <= 200 => whole.items.clone(),
        None => whole.items.iter().filter(|i| i.parent.is_none()).cloned().collect(),
    };
    let items = shown
        .iter()
        .map(|i| ItemRow {
            children: whole.items.iter().filter(|c| c.parent.as_deref() == Some(i.id.as_str())).count(),
            depth: depth(&whole.items, i).min(4),
            crosswalk: format!("/crosswalk?item={}", encode(&format!("{}:{}", whole.id, i.id))),
            kind: kind(i.kind),
            title: i.title.clone(),
            text: i.text.clone().or_else(|| i.guidance.clone()).unwrap_or_default(),
            id: i.id.clone(),
        })
        .collect();
    Ok(FrameworkPage {
        shell: viewer.shell("frameworks"),
        id: whole.id.to_string(),
        name: whole.name,
        version: whole.version,
        publisher: whole.publisher,
        description: whole.description,
        provenance: whole.provenance,
        under,
        items,
    })
}

pub(crate) struct CrosswalkRow {
    pub framework: String,
    pub item: String,
    pub title: String,
    pub relation: String,
    pub direct: bool,
    /// Each path as "A → B → C (how)".
    pub paths: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "crosswalk.html")]
struct CrosswalkPage {
    shell: Shell,
    item: String,
    to: String,
    frameworks: Vec<(String, String)>,
    rows: Vec<CrosswalkRow>,
    asked: bool,
}

#[derive(Debug, Deserialize)]
struct CrosswalkQuery {
    item: Option<String>,
    to: Option<String>,
}

async fn crosswalk(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CrosswalkQuery>,
) -> Result<CrosswalkPage, PageError> {
    let frameworks =
        isms_app::frameworks::list_frameworks(&s.cx).await?.into_iter().map(|f| (f.id, f.name)).collect::<Vec<_>>();
    let item = q.item.unwrap_or_default().trim().to_owned();
    let to = q.to.unwrap_or_default();
    let rows = if item.is_empty() {
        vec![]
    } else {
        let target = (!to.is_empty()).then_some(to.as_str());
        isms_app::frameworks::crosswalk(&s.cx, &isms_app::frameworks::parse_item_ref(&item)?, target)
            .await?
            .into_iter()
            .map(|h| CrosswalkRow {
                framework: h.target.framework.to_string(),
                item: h.target.item.clone(),
                title: h.title,
                relation: kind(h.relation),
                direct: h.direct,
                paths: h
                    .paths
                    .iter()
                    .map(|p| {
                        let mut text = p.steps.first().map(|st| st.from.to_string()).unwrap_or_default();
                        for st in &p.steps {
                            text.push_str(&format!(
                                " → {} ({}, {})",
                                st.to,
                                kind(st.relation),
                                st.provenance.as_str().replace('_', " ")
                            ));
                        }
                        text
                    })
                    .collect(),
            })
            .collect()
    };
    Ok(CrosswalkPage { shell: viewer.shell("frameworks"), asked: !item.is_empty(), item, to, frameworks, rows })
}
