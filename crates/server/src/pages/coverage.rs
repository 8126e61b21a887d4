//! "Test once, satisfy many": the coverage of each framework in use, requirement by
//! requirement, with the controls and paths behind every answer.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use isms_app::coverage::{CrosswalkCoverage, Reach};
use serde::Deserialize;

use super::{PageError, Shell, Viewer, encode};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/coverage", get(summary)).route("/coverage/{id}", get(framework))
}

#[derive(Template, WebTemplate)]
#[template(path = "coverage.html")]
struct SummaryPage {
    shell: Shell,
    coverage: Vec<CrosswalkCoverage>,
}

async fn summary(State(s): State<AppState>, viewer: Viewer) -> Result<SummaryPage, PageError> {
    let coverage = isms_app::coverage::crosswalk_coverage(&s.cx, &viewer.caller).await?;
    Ok(SummaryPage { shell: viewer.shell("frameworks"), coverage })
}

pub(crate) struct ControlCell {
    pub control: String,
    pub title: String,
    pub href: String,
    /// "implemented", "planned", "excluded"...
    pub state: String,
    pub direct: bool,
}

pub(crate) struct RequirementRow {
    pub item: String,
    pub title: String,
    pub reach: &'static str,
    pub class: &'static str,
    pub why: String,
    pub controls: Vec<ControlCell>,
    pub paths: Vec<String>,
    pub crosswalk: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "coverage_framework.html")]
struct FrameworkPage {
    shell: Shell,
    summary: CrosswalkCoverage,
    gaps_only: bool,
    rows: Vec<RequirementRow>,
}

#[derive(Debug, Deserialize)]
struct Show {
    show: Option<String>,
}

pub(crate) fn reach_class(r: Reach) -> &'static str {
    match r {
        Reach::Covered => "ok",
        Reach::Partial => "partial",
        Reach::NotCovered => "gap",
    }
}

async fn framework(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<Show>,
) -> Result<FrameworkPage, PageError> {
    let all = isms_app::coverage::coverage(&s.cx, &viewer.caller, Some(&id)).await?;
    let lib = isms_app::frameworks::list_frameworks(&s.cx).await?;
    let name_of = |id: &str| lib.iter().find(|f| f.id == id).map_or(id.to_owned(), |f| f.name.clone());
    let gaps_only = q.show.as_deref() == Some("gaps");
    let Some(f) = all.into_iter().next() else {
        return Err(isms_app::AppError::new(isms_app::Code::NotFound, format!("framework {id} is not in use")).into());
    };
    let rows = f
        .items
        .iter()
        .filter(|r| !gaps_only || r.reach != Reach::Covered)
        .map(|r| RequirementRow {
            item: r.item.clone(),
            title: r.title.clone(),
            reach: r.reach.label(),
            class: reach_class(r.reach),
            why: r.why.clone(),
            controls: r
                .through
                .iter()
                .map(|c| ControlCell {
                    href: format!("/controls/{}", encode(&c.control)),
                    control: c.control.clone(),
                    title: c.title.clone(),
                    state: if c.applicable && c.status != isms_domain::soa::ControlStatus::NotApplicable {
                        c.status.as_str().replace('_', " ")
                    } else {
                        "excluded".to_owned()
                    },
                    direct: c.direct,
                })
                .collect(),
            paths: r
                .through
                .iter()
                .flat_map(|c| c.paths.iter().map(|p| isms_app::coverage::path_text(p, name_of)))
                .collect(),
            crosswalk: format!("/crosswalk?item={}", encode(&format!("{}:{}", f.summary.framework, r.item))),
        })
        .collect();
    Ok(FrameworkPage { shell: viewer.shell("frameworks"), summary: f.summary, gaps_only, rows })
}
