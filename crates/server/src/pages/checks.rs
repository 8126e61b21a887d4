//! Monitoring: the checks (passing, failing, error, stale), control health per Annex
//! A theme and per framework, one check with its history (attest a manual one, run a
//! collector one), and one ingested run with its mapping table.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use isms_app::monitoring::{CheckView, Health, NewCheck};
use isms_domain::access::{Grant, UseCase};
use isms_domain::check::{CheckResult, CheckRun, CheckSource, Outcome, Reading};
use serde::Deserialize;

use super::{CsrfForm, PageError, Shell, Viewer, encode, form_problems, notice, see_other};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/checks", get(list).post(define))
        .route("/checks/collect", axum::routing::post(collect))
        .route("/checks/{id}", get(one).post(act))
        .route("/check-runs/{id}", get(run_page))
}

#[derive(Template, WebTemplate)]
#[template(path = "checks.html")]
struct ChecksPage {
    shell: Shell,
    checks: Vec<CheckView>,
    health: Health,
    runs: Vec<CheckRun>,
    can_define: bool,
    controls: Vec<(String, String)>,
    form: DefineForm,
    problems: Vec<(String, String)>,
    done: Option<String>,
    /// The collection the page follows: (done, total, what) while it runs.
    running: Option<(usize, usize)>,
    /// A collection that failed, and why.
    failed: Option<String>,
    /// How many collector runs "Collect now" makes.
    sources: usize,
}

/// The define form, kept as typed when it comes back refused.
#[derive(Debug, Clone, Default, Deserialize)]
struct DefineForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    controls: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    tool: String,
    #[serde(default)]
    collector: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    every: String,
    #[serde(default)]
    response: String,
}

async fn page(
    s: &AppState,
    viewer: &Viewer,
    form: DefineForm,
    problems: Vec<(String, String)>,
    done: Option<String>,
) -> Result<ChecksPage, PageError> {
    let caller = &viewer.caller;
    let checks = isms_app::monitoring::checks(&s.cx, caller).await?;
    let health = isms_app::monitoring::health(&s.cx, caller).await?;
    let mut runs = isms_app::checks::runs(&s.cx, caller).await?;
    runs.truncate(20);
    let shell = viewer.shell("checks");
    let can_define = shell.can.grant(UseCase::EditControls) == Grant::Any;
    let controls = health.controls.iter().map(|c| (c.control.clone(), c.title.clone())).collect();
    let sources = if can_define { isms_app::collect::collection_size(&s.cx, caller, None).await? } else { 0 };
    Ok(ChecksPage {
        shell,
        checks,
        health,
        runs,
        can_define,
        controls,
        form,
        problems,
        done,
        running: None,
        failed: None,
        sources,
    })
}

async fn list(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<ChecksPage, PageError> {
    let form = DefineForm { every: "7".into(), ..DefineForm::default() };
    let mut page = page(&s, &viewer, form, Vec::new(), notice(q.get("done").map(String::as_str))).await?;
    if let Some(job) = q.get("job").and_then(|j| j.parse::<i64>().ok()) {
        use isms_domain::job::JobState;
        match s.jobs.progress(&s.cx, &viewer.caller, isms_app::collect::COLLECT_JOB, job).await? {
            Some(JobState::Running { done, total }) => {
                page.running = Some((usize::try_from(done).unwrap_or(0), usize::try_from(total).unwrap_or(0)));
            }
            Some(JobState::Finished(Ok(said))) => page.done = Some(said),
            Some(JobState::Finished(Err(why))) => page.failed = Some(why),
            Some(JobState::Abandoned) => {
                page.failed =
                    Some("The server running that collection stopped before it finished; start it again.".into());
            }
            None => page.done = Some("That collection was followed by a later one; its runs are below.".into()),
        }
    }
    Ok(page)
}

/// Runs every collector the checks name as a job of its own, which the page follows.
async fn collect(
    State(s): State<AppState>,
    CsrfForm(viewer, _): CsrfForm<super::NoFields>,
) -> Result<Response, PageError> {
    let total = isms_app::collect::collection_size(&s.cx, &viewer.caller, None).await?;
    if total == 0 {
        return Ok(see_other(&format!("/checks?done={}", encode("No check names a collector yet."))));
    }
    let (cx, runner) = (s.cx.clone(), viewer.caller);
    let job = s
        .jobs
        .start(
            &s.cx,
            viewer.caller,
            UseCase::EditControls,
            isms_app::collect::COLLECT_JOB,
            total,
            move |done| async move {
                let mut report =
                    |p: isms_app::collect::Progress| done.store(p.done, std::sync::atomic::Ordering::Relaxed);
                let all =
                    isms_app::collect::collect_all(&cx, &runner, None, &mut report).await.map_err(|e| e.message)?;
                let runs: Vec<String> = all.iter().filter_map(|c| c.run.as_ref().map(|r| r.id.clone())).collect();
                let failed: Vec<String> = all
                    .iter()
                    .filter_map(|c| {
                        c.error.as_ref().map(|e| format!("{} on {}: {e}", c.collected.collector, c.collected.target))
                    })
                    .collect();
                let mut said = format!("Collected {} run(s): {}.", runs.len(), runs.join(", "));
                if !failed.is_empty() {
                    said.push_str(&format!(" Could not collect: {}.", failed.join("; ")));
                }
                if runs.is_empty() { Err(said) } else { Ok(said) }
            },
        )
        .await?;
    Ok(see_other(&format!("/checks?job={job}")))
}

async fn define(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<DefineForm>) -> Result<Response, PageError> {
    let source = match f.source.as_str() {
        "ingest" => Some(CheckSource::Ingest { tool: f.tool.trim().to_owned(), rule: f.rule.trim().to_owned() }),
        "collector" => Some(CheckSource::Collector {
            collector: f.collector.trim().to_owned(),
            target: f.target.trim().to_owned(),
            rule: f.rule.trim().to_owned(),
        }),
        "manual" => Some(CheckSource::Manual),
        _ => None,
    };
    let new = NewCheck {
        name: f.name.clone(),
        description: f.description.clone(),
        controls: f.controls.split([',', ' ']).filter(|c| !c.trim().is_empty()).map(str::to_owned).collect(),
        source,
        frequency_days: f.every.trim().parse().unwrap_or(0),
        owner: None,
        response: f.response.clone(),
    };
    match isms_app::monitoring::define(&s.cx, &viewer.caller, new).await {
        Ok(c) => Ok(see_other(&format!("/checks/{}?done={}", c.id, encode(&format!("Defined {}.", c.id))))),
        Err(e) => {
            let problems = form_problems(&e);
            if problems.is_empty() {
                return Err(e.into());
            }
            let page = page(&s, &viewer, f, problems, None).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "check.html")]
struct CheckPage {
    shell: Shell,
    check: CheckView,
    readings: Vec<(i64, Reading)>,
    /// The `before` of the older page, when there is one.
    older: Option<i64>,
    manual: bool,
    collector: bool,
    can_attest: bool,
    can_run: bool,
    done: Option<String>,
}

async fn one(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<CheckPage, PageError> {
    let before = q.get("before").and_then(|b| b.parse::<i64>().ok());
    let (check, readings, older) = isms_app::monitoring::check(&s.cx, &viewer.caller, &id, before, 100).await?;
    let shell = viewer.shell("checks");
    let me = viewer.principal.user.email.to_string();
    let can_attest = match shell.can.grant(UseCase::EditControls) {
        Grant::Any => true,
        Grant::Assigned => check.owner.eq_ignore_ascii_case(&me),
        Grant::Denied => false,
    };
    let can_run = shell.can.grant(UseCase::EditControls) == Grant::Any;
    Ok(CheckPage {
        manual: check.source == CheckSource::Manual,
        collector: matches!(check.source, CheckSource::Collector { .. }),
        can_attest,
        can_run,
        check,
        readings,
        older,
        shell,
        done: notice(q.get("done").map(String::as_str)),
    })
}

#[derive(Debug, Deserialize)]
struct ActForm {
    action: String,
    #[serde(default)]
    note: String,
}

async fn act(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<ActForm>,
) -> Result<Response, PageError> {
    let view = match f.action.as_str() {
        "pass" => isms_app::monitoring::attest(&s.cx, &viewer.caller, &id, Outcome::Pass, &f.note).await?,
        "fail" => isms_app::monitoring::attest(&s.cx, &viewer.caller, &id, Outcome::Fail, &f.note).await?,
        "run" => isms_app::collect::run_check(&s.cx, &viewer.caller, &id, &mut |_| {}).await?,
        other => {
            return Err(PageError(isms_app::AppError::invalid_field(
                "action",
                format!("{other:?} is not pass, fail or run"),
            )));
        }
    };
    let message = match view.last.as_ref() {
        Some(r) => format!("{}: {} ({}).", view.id, view.status.as_str(), r.outcome.as_str()),
        None => format!("{}: no reading.", view.id),
    };
    Ok(see_other(&format!("/checks/{}?done={}", view.id, encode(&message))))
}

#[derive(Template, WebTemplate)]
#[template(path = "check_run.html")]
struct RunPage {
    shell: Shell,
    run: CheckRun,
    failing: Vec<(i64, CheckResult)>,
    more: bool,
}

async fn run_page(State(s): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> Result<RunPage, PageError> {
    let run = isms_app::checks::run(&s.cx, &viewer.caller, &id).await?;
    let (failing, next) = isms_app::checks::results(&s.cx, &viewer.caller, &id, Some(Outcome::Fail), 0, 100).await?;
    Ok(RunPage { shell: viewer.shell("checks"), run, failing, more: next.is_some() })
}
