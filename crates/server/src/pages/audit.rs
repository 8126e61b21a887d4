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

const PAGE: i64 = 50;

pub(crate) struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
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
    older: Option<i64>,
    newer: Option<i64>,
    first_seq: i64,
    last_seq: i64,
}

#[derive(Debug, Deserialize)]
struct Before {
    /// Show the entries before this sequence number (default: the newest).
    before: Option<i64>,
}

async fn trail(State(s): State<AppState>, viewer: Viewer, Query(q): Query<Before>) -> Result<TrailPage, PageError> {
    let caller = viewer.caller;
    let v = isms_app::trail::verify_trail(&s.cx, &caller).await?;
    let end = q.before.map_or(v.entries, |b| (b - 1).clamp(0, v.entries));
    let after = (end - PAGE).max(0);
    let limit = u32::try_from(end - after).unwrap_or(0);
    let page = if limit == 0 { vec![] } else { isms_app::trail::trail(&s.cx, &caller, after, limit).await? };
    let members = isms_app::users::members(&s.cx, &caller).await?;
    let name = |actor: &TrailActor| match actor {
        TrailActor::User(id) => {
            members.iter().find(|m| m.user == *id).map_or_else(|| format!("former member {id}"), |m| m.name.to_string())
        }
        TrailActor::System(command) => format!("{command} (command line)"),
    };
    // Membership and user entries are keyed by ids; show people and the organization.
    let org = (viewer.org.id.to_string(), viewer.org.name.to_string());
    let readable = |id: &str| {
        let mut text = id.replace(&org.0, &org.1);
        for m in &members {
            text = text.replace(&m.user.to_string(), m.email.as_str());
        }
        text.replace('/', " · ")
    };
    let entries = page
        .iter()
        .rev()
        .map(|e| Entry {
            seq: e.seq,
            at: e
                .at
                .format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"))
                .unwrap_or_default(),
            actor: name(&e.actor),
            action: e.action.clone(),
            entity: e.entity.replace('_', " "),
            entity_id: readable(&e.entity_id),
            hash: e.hash.chars().take(12).collect(),
        })
        .collect();
    Ok(TrailPage {
        shell: viewer.shell("trail"),
        entries,
        total: v.entries,
        intact: v.intact(),
        problem: v.problem,
        first_seq: after + 1,
        last_seq: end,
        older: (after > 0).then_some(after + 1),
        newer: (end < v.entries).then_some(end + PAGE + 1),
    })
}
