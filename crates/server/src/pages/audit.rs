//! The audit trail: every change, newest first, with who made it, and whether the hash
//! chain is intact. For owners, ISMS managers and auditors.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use isms_domain::trail::TrailActor;
use serde::Deserialize;

use super::{PageError, Shell, Viewer};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/audit-log", get(trail))
}

const PAGE: usize = 50;

pub(crate) struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    /// Filters the trail to this actor.
    pub actor_filter: String,
    pub action: String,
    pub entity: String,
    pub entity_kind: String,
    pub entity_id: String,
    /// The record's stored id, for its history.
    pub record: String,
    /// The record's page, when it has one.
    pub href: Option<String>,
    /// Each field that changed: (field, before, after).
    pub fields: Vec<isms_app::certification::FieldChange>,
    pub hash: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct TrailPage {
    shell: Shell,
    entries: Vec<Entry>,
    total: i64,
    intact: bool,
    problem: Option<String>,
    /// Entries the filter matches.
    matching: usize,
    page: usize,
    pages: usize,
    /// The filter as a query (ending in `&`), for the pager.
    query: String,
    filtered: bool,
    q: TrailQuery,
    /// (value, label) of the people who acted.
    people: Vec<(String, String)>,
    /// (value, label) of the kinds of record in the trail.
    kinds: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct TrailQuery {
    #[serde(default)]
    who: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    record: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    page: Option<usize>,
}

fn day(field: &str, text: &str) -> Result<Option<time::Date>, PageError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    isms_domain::dates::parse_text(t).map(Some).map_err(|m| PageError(isms_app::AppError::invalid_field(field, m)))
}

async fn trail(State(s): State<AppState>, viewer: Viewer, Query(q): Query<TrailQuery>) -> Result<TrailPage, PageError> {
    let caller = viewer.caller;
    let filter = isms_app::trail::TrailFilter {
        who: (!q.who.trim().is_empty()).then(|| isms_app::trail::Who::parse(&q.who)).transpose()?,
        entity: (!q.kind.trim().is_empty()).then(|| q.kind.trim().to_owned()),
        entity_id: (!q.record.trim().is_empty()).then(|| q.record.trim().to_owned()),
        since: day("since", &q.since)?,
        until: day("until", &q.until)?,
    };
    let v = isms_app::trail::verify_trail(&s.cx, &caller).await?;
    let all = isms_app::trail::whole_trail(&s.cx, &caller).await?;
    let members = isms_app::users::members(&s.cx, &caller).await?;
    let name = |actor: &TrailActor| match actor {
        TrailActor::User(id) => {
            members.iter().find(|m| m.user == *id).map_or_else(|| format!("former member {id}"), |m| m.name.to_string())
        }
        TrailActor::System(command) => format!("{command} (command line)"),
    };
    let mut kinds: Vec<String> = all.iter().map(|e| e.entity.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let mut people: Vec<(String, String)> = Vec::new();
    for e in &all {
        let value = match &e.actor {
            TrailActor::User(id) => format!("user:{id}"),
            TrailActor::System(_) => "system".to_owned(),
        };
        if !people.iter().any(|(v, _)| *v == value) {
            let label = if value == "system" { "The command line".to_owned() } else { name(&e.actor) };
            people.push((value, label));
        }
    }
    people.sort_by_key(|p| p.1.to_lowercase());
    // Membership and user entries are keyed by ids; show people and the organization.
    let org = (viewer.org.id.to_string(), viewer.org.name.to_string());
    let readable = |id: &str| {
        let mut text = id.replace(&org.0, &org.1);
        for m in &members {
            text = text.replace(&m.user.to_string(), m.email.as_str());
        }
        text.replace('/', " · ")
    };
    let matching: Vec<&isms_domain::trail::TrailEntry> = all.iter().rev().filter(|e| filter.matches(e)).collect();
    let pages = matching.len().div_ceil(PAGE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let entries = matching
        .iter()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .map(|e| Entry {
            seq: e.seq,
            at: e
                .at
                .format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"))
                .unwrap_or_default(),
            actor: name(&e.actor),
            actor_filter: match &e.actor {
                TrailActor::User(id) => format!("user:{id}"),
                TrailActor::System(_) => "system".to_owned(),
            },
            action: e.action.clone(),
            entity: e.entity.replace('_', " "),
            entity_kind: e.entity.clone(),
            entity_id: readable(&e.entity_id),
            record: e.entity_id.clone(),
            href: super::record_href(&e.entity, &e.entity_id),
            fields: isms_app::certification::field_changes(e.before.as_deref(), e.after.as_deref()),
            hash: e.hash.chars().take(12).collect(),
        })
        .collect();
    let query = [("who", &q.who), ("kind", &q.kind), ("record", &q.record), ("since", &q.since), ("until", &q.until)]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}&", super::encode(v.trim())))
        .collect();
    Ok(TrailPage {
        shell: viewer.shell("trail"),
        entries,
        total: v.entries,
        intact: v.intact(),
        problem: v.problem,
        matching: matching.len(),
        page,
        pages,
        query,
        filtered: !filter.is_empty(),
        q,
        people,
        kinds: kinds.into_iter().map(|k| (k.clone(), k.replace('_', " "))).collect(),
    })
}
