//! The framework library: every framework, one framework's items (by part), search
//! across all of them, and the crosswalk explorer (pick an item, see what it covers in
//! every other framework, with the path through the pivot).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use isms_domain::framework::{Item, ItemRef};
use serde::Deserialize;

use super::{PageError, Shell, Viewer, encode};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/frameworks", get(library))
        .route("/frameworks/{id}", get(framework))
        .route("/crosswalk", get(crosswalk))
        .route("/crosswalk/suggest", get(suggest))
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

/// "93 controls", "1 category", "12 implementation specifications".
fn counted(n: usize, kind: &str) -> String {
    let one = isms_domain::text::words(kind);
    let many = match one.strip_suffix('y') {
        Some(stem) => format!("{stem}ies"),
        None => format!("{one}s"),
    };
    isms_domain::text::plural(n, &one, &many)
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
            counts: f.counts.iter().map(|(k, n)| counted(*n, k)).collect::<Vec<_>>().join(" · "),
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
    /// How much the ISMS covers it, when the organization uses the framework:
    /// (words, class).
    pub reach: Option<(&'static str, &'static str)>,
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
    /// The organization's coverage of this framework, when it is in use.
    coverage: Option<isms_app::coverage::CrosswalkCoverage>,
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
    let used = isms_app::coverage::coverage(&s.cx, &viewer.caller, None)
        .await?
        .into_iter()
        .find(|f| f.summary.framework == whole.id.as_str());
    let reach_of = |item: &str| {
        let r = used.as_ref()?.items.iter().find(|r| r.item == item)?;
        Some((r.reach.label(), super::coverage::reach_class(r.reach)))
    };
    let items = shown
        .iter()
        .map(|i| ItemRow {
            reach: reach_of(&i.id),
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
        coverage: used.as_ref().map(|f| f.summary.clone()),
    })
}

pub(crate) struct CrosswalkRow {
    pub framework: String,
    pub item: String,
    /// The item's crosswalk (`/crosswalk?item=…`).
    pub href: String,
    /// The organization's own control record, for an Annex A control.
    pub control: Option<String>,
    pub title: String,
    pub relation: String,
    /// Each path as "A → B → C", with how each link is known.
    pub paths: Vec<String>,
}

/// An item a typed text may mean: (framework:item, framework name, item, title).
pub(crate) type Choice = (String, String, String, String);

#[derive(Template, WebTemplate)]
#[template(path = "crosswalk.html")]
struct CrosswalkPage {
    shell: Shell,
    /// What was typed.
    item: String,
    to: String,
    frameworks: Vec<(String, String)>,
    /// The item shown: (framework name, item, title, its control record).
    chosen: Option<(String, String, String, Option<String>)>,
    direct: Vec<CrosswalkRow>,
    indirect: Vec<CrosswalkRow>,
    /// When the text names no single item: what it may mean.
    choices: Vec<Choice>,
    asked: bool,
    coverage: Vec<isms_app::coverage::CrosswalkCoverage>,
}

#[derive(Debug, Deserialize)]
struct CrosswalkQuery {
    item: Option<String>,
    to: Option<String>,
}

/// The organization's control record of an Annex A control, when `r` is one.
fn control_record(r: &ItemRef) -> Option<String> {
    (r.framework.as_str() == isms_domain::framework::PIVOT && r.item.starts_with("A."))
        .then(|| format!("/controls/{}", encode(&r.item)))
}

fn crosswalk_href(r: &ItemRef) -> String {
    format!("/crosswalk?item={}", encode(&r.to_string()))
}

/// Reads what was typed: `framework:item`, a bare id (`A.5.15`, `AC-2`), or words.
/// Answers the item, or the items it may mean.
async fn resolve(
    s: &AppState,
    text: &str,
    names: &[(String, String)],
) -> Result<Result<ItemRef, Vec<Choice>>, PageError> {
    let name_of = |id: &str| names.iter().find(|(f, _)| f == id).map_or(id.to_owned(), |(_, n)| n.clone());
    // A suggestion chosen from the list reads "framework:item — title".
    let first = text.split(" — ").next().unwrap_or(text).trim();
    if let Some((f, _)) = first.split_once(':')
        && names.iter().any(|(id, _)| id == f.trim())
    {
        return Ok(Ok(isms_app::frameworks::parse_item_ref(first)?));
    }
    let choice = |h: isms_app::frameworks::SearchHit| {
        (h.item.to_string(), name_of(h.item.framework.as_str()), h.item.item.clone(), h.title)
    };
    let exact = isms_app::frameworks::items_with_id(&s.cx, first).await?;
    if exact.len() == 1 {
        return Ok(Ok(exact[0].item.clone()));
    }
    if !exact.is_empty() {
        return Ok(Err(exact.into_iter().map(choice).collect()));
    }
    let found = isms_app::frameworks::search(&s.cx, first, None, 25).await?;
    Ok(Err(found.into_iter().map(choice).collect()))
}

async fn crosswalk(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CrosswalkQuery>,
) -> Result<CrosswalkPage, PageError> {
    let frameworks =
        isms_app::frameworks::list_frameworks(&s.cx).await?.into_iter().map(|f| (f.id, f.name)).collect::<Vec<_>>();
    let name_of = |id: &str| frameworks.iter().find(|(f, _)| f == id).map_or(id.to_owned(), |(_, n)| n.clone());
    let item = q.item.unwrap_or_default().trim().to_owned();
    let to = q.to.unwrap_or_default();
    let coverage = isms_app::coverage::crosswalk_coverage(&s.cx, &viewer.caller).await?;
    let (mut chosen, mut direct, mut indirect, mut choices) = (None, Vec::new(), Vec::new(), Vec::new());
    if !item.is_empty() {
        match resolve(&s, &item, &frameworks).await? {
            Err(found) => choices = found,
            Ok(from) => {
                let target = (!to.is_empty()).then_some(to.as_str());
                let hits = isms_app::frameworks::crosswalk(&s.cx, &from, target).await?;
                let title = isms_app::frameworks::items_with_id(&s.cx, &from.item)
                    .await?
                    .into_iter()
                    .find(|h| h.item == from)
                    .map_or(String::new(), |h| h.title);
                chosen = Some((name_of(from.framework.as_str()), from.item.clone(), title, control_record(&from)));
                for h in hits {
                    let row = CrosswalkRow {
                        framework: name_of(h.target.framework.as_str()),
                        item: h.target.item.clone(),
                        href: crosswalk_href(&h.target),
                        control: control_record(&h.target),
                        title: h.title,
                        relation: kind(h.relation),
                        paths: h.paths.iter().map(|p| isms_app::coverage::path_text(p, name_of)).collect(),
                    };
                    if h.direct { direct.push(row) } else { indirect.push(row) }
                }
            }
        }
    }
    Ok(CrosswalkPage {
        shell: viewer.shell("frameworks"),
        asked: !item.is_empty(),
        item,
        to,
        frameworks,
        chosen,
        direct,
        indirect,
        choices,
        coverage,
    })
}

#[derive(Debug, Deserialize)]
struct SuggestQuery {
    #[serde(default)]
    q: String,
}

/// Suggestions for an item field as it is typed: `[{value, label}]`, exact ids first.
async fn suggest(
    State(s): State<AppState>,
    _viewer: Viewer,
    Query(q): Query<SuggestQuery>,
) -> Result<axum::Json<serde_json::Value>, PageError> {
    let text = q.q.trim();
    if text.chars().count() < 2 {
        return Ok(axum::Json(serde_json::json!([])));
    }
    let names = isms_app::frameworks::list_frameworks(&s.cx).await?;
    let name_of = |id: &str| names.iter().find(|f| f.id == id).map_or(id.to_owned(), |f| f.name.clone());
    let mut hits = isms_app::frameworks::items_with_id(&s.cx, text).await?;
    for h in isms_app::frameworks::search(&s.cx, text, None, 20).await? {
        if !hits.iter().any(|x| x.item == h.item) {
            hits.push(h);
        }
    }
    let out: Vec<serde_json::Value> = hits
        .into_iter()
        .take(20)
        .map(|h| {
            serde_json::json!({
                "value": format!("{} — {}", h.item, h.title),
                "label": format!("{} {}", name_of(h.item.framework.as_str()), h.item.item),
            })
        })
        .collect();
    Ok(axum::Json(serde_json::Value::Array(out)))
}
