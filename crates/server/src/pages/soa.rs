//! The Statement of Applicability: the table a compliance team works in (filter, sort,
//! edit status, owner and applicability in place), what blocks approval, approval,
//! versions and what changed between them, and exports.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use isms_app::soa::VersionRef;
use isms_domain::access::{Grant, UseCase};
use isms_domain::soa::{ControlStatus, SoaChange};
use serde::Deserialize;

use super::{CsrfForm, PageError, Shell, Viewer, encode, notice, see_other};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/soa", get(soa)).route("/soa/approve", post(approve)).route("/soa/diff", get(diff))
}

/// One row of the table.
pub(crate) struct Row {
    pub control: String,
    pub title: String,
    pub applicable: bool,
    pub status: &'static str,
    pub status_label: &'static str,
    pub owner: String,
    pub owner_name: String,
    pub target: String,
    pub overdue: bool,
    /// The caller may edit this row in place.
    pub editable: bool,
    /// The inclusion reasons, in words.
    pub reasons: String,
    /// Why it is excluded.
    pub justification: String,
    /// How it is implemented.
    pub implementation: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "soa.html")]
struct SoaPage {
    shell: Shell,
    rows: Vec<Row>,
    total: usize,
    statuses: Vec<(&'static str, &'static str)>,
    members: Vec<(String, String)>,
    f_theme: String,
    f_status: String,
    f_owner: String,
    f_applicable: String,
    f_q: String,
    sort: String,
    /// Show the reasons, justification and implementation columns too.
    more: bool,
    problems: Vec<String>,
    /// (number, approved by, date, comment)
    versions: Vec<(i64, String, String, String)>,
    latest: Option<i64>,
    can_approve: bool,
    can_reassign: bool,
    done: Option<String>,
    query: String,
}

async fn soa(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<SoaPage, PageError> {
    let caller = viewer.caller;
    let controls = isms_app::controls::list_controls(&s.cx, &caller).await?;
    let draft = isms_app::soa::soa_draft(&s.cx, &caller).await?;
    let versions = isms_app::soa::soa_versions(&s.cx, &caller).await?;
    let members = super::owner_choices(&s.cx, &caller).await?;
    let grant = viewer.shell("soa").can.grant(UseCase::EditControls);
    let me = viewer.principal.user.id;
    let today = s.cx.clock.today();
    let get = |k: &str| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let (f_theme, f_status, f_owner, f_applicable, f_q, sort) =
        (get("theme"), get("status"), get("owner"), get("applicable"), get("q"), get("sort"));
    let text = f_q.to_lowercase();
    let total = controls.len();
    let mut rows: Vec<Row> = controls
        .into_iter()
        .filter(|c| f_theme.is_empty() || c.theme == f_theme)
        .filter(|c| f_status.is_empty() || c.record.status.as_str() == f_status)
        .filter(|c| match f_owner.as_str() {
            "" => true,
            "none" => c.owner_email.is_none(),
            o => c.owner_email.as_deref() == Some(o),
        })
        .filter(|c| match f_applicable.as_str() {
            "yes" => c.record.applicable,
            "no" => !c.record.applicable,
            _ => true,
        })
        .filter(|c| {
            text.is_empty() || c.record.control.to_lowercase().contains(&text) || c.title.to_lowercase().contains(&text)
        })
        .map(|c| Row {
            editable: grant == Grant::Any || (grant == Grant::Assigned && c.record.owner == Some(me)),
            overdue: c.record.target_date.is_some_and(|d| d < today) && c.record.status != ControlStatus::Implemented,
            target: c.record.target_date.map(|d| d.to_string()).unwrap_or_default(),
            control: c.record.control,
            title: c.title,
            applicable: c.record.applicable,
            status: c.record.status.as_str(),
            status_label: c.record.status.label(),
            owner: c.owner_email.clone().unwrap_or_default(),
            owner_name: c.owner_name.unwrap_or_default(),
            reasons: c.record.reasons.iter().map(|r| r.label()).collect::<Vec<_>>().join(", "),
            justification: c.record.justification.clone().unwrap_or_default(),
            implementation: c.record.implementation.clone(),
        })
        .collect();
    match sort.as_str() {
        "status" => rows.sort_by_key(|r| ControlStatus::ALL.iter().position(|s| s.as_str() == r.status)),
        "owner" => rows.sort_by(|a, b| a.owner_name.cmp(&b.owner_name)),
        "target" => rows.sort_by(|a, b| a.target.cmp(&b.target)),
        _ => {}
    }
    let more = get("more") == "yes";
    let query = ["theme", "status", "owner", "applicable", "q", "sort", "more"]
        .iter()
        .filter_map(|k| q.get(*k).filter(|v| !v.is_empty()).map(|v| format!("{k}={}", encode(v))))
        .collect::<Vec<_>>()
        .join("&");
    Ok(SoaPage {
        rows,
        total,
        statuses: ControlStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        members,
        f_theme,
        f_status,
        f_owner,
        f_applicable,
        f_q,
        sort,
        more,
        problems: draft.problems.iter().map(ToString::to_string).collect(),
        latest: versions.last().map(|v| v.number),
        versions: versions
            .iter()
            .rev()
            .map(|v| (v.number, v.approved_by.clone(), v.approved_at.date().to_string(), v.comment.clone()))
            .collect(),
        can_approve: viewer.shell("soa").can.approve_soa(),
        can_reassign: grant == Grant::Any,
        done: notice(q.get("done").map(String::as_str)),
        query,
        shell: viewer.shell("soa"),
    })
}

#[derive(Debug, Deserialize)]
struct Approval {
    comment: String,
}

async fn approve(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<Approval>) -> Result<Response, PageError> {
    let version = isms_app::soa::approve_soa(&s.cx, &viewer.caller, &f.comment).await?;
    Ok(see_other(&format!("/soa?done=Approved+version+{}", version.number)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "soa_diff.html")]
struct DiffPage {
    shell: Shell,
    from: String,
    to: String,
    changes: Vec<SoaChange>,
}

#[derive(Debug, Deserialize)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn diff(State(s): State<AppState>, viewer: Viewer, Query(q): Query<DiffQuery>) -> Result<DiffPage, PageError> {
    let from = q.from.unwrap_or_else(|| "latest".into());
    let to = q.to.unwrap_or_else(|| "draft".into());
    let changes =
        isms_app::soa::diff_soa(&s.cx, &viewer.caller, VersionRef::parse(&from)?, VersionRef::parse(&to)?).await?;
    let changes = changes
        .into_iter()
        .map(|c| SoaChange {
            before: isms_domain::text::words(&c.before),
            after: isms_domain::text::words(&c.after),
            ..c
        })
        .collect();
    Ok(DiffPage { shell: viewer.shell("soa"), from, to, changes })
}
