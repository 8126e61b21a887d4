//! The risk register, its heat maps, one risk, and adding a risk.

mod quantitative;
mod risk;

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use isms_app::Cx;
use isms_app::access::Actor;
use isms_app::risks::RiskView;
use isms_domain::risk::{HeatMapKind, Methodology, Rating, Risk, TreatmentOption};
use serde::Deserialize;

use super::{CsrfForm, PageError, Shell, Viewer, notice, see_other};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/risks", get(register).post(add))
        .route("/risks/new", get(new_form))
        .route("/risks/{id}", get(risk::risk_page).post(risk::risk_post))
        .merge(quantitative::routes())
}

/// Risks per page of the register.
const PER_PAGE: usize = 50;

/// One cell of a heat map.
#[derive(Debug, Clone)]
pub(crate) struct HeatCell {
    pub count: usize,
    pub level: String,
    /// `heat-0` (lowest level) … `heat-N`.
    pub class: String,
    /// Where the cell's risks are listed.
    pub href: String,
}

/// A heat map as the templates draw it: likelihood rows (highest first) × impact
/// columns.
#[derive(Debug, Clone)]
pub(crate) struct HeatMap {
    pub title: &'static str,
    pub kind: &'static str,
    pub impact: Vec<String>,
    /// (likelihood label, cells)
    pub rows: Vec<(String, Vec<HeatCell>)>,
    pub total: usize,
}

pub(crate) fn level_class(m: &Methodology, level: &str) -> String {
    let n = m.levels.len().max(2);
    // Spread the methodology's levels over five colours, lowest green, highest red.
    let step = m.rank(level) * 4 / (n - 1);
    format!("heat-{step}")
}

pub(crate) async fn heat_map(cx: &Cx, caller: &Actor, kind: HeatMapKind) -> Result<HeatMap, PageError> {
    let (m, counts) = isms_app::risks::heat_map(cx, caller, kind).await?;
    let label = |id: &str| m.levels.iter().find(|l| l.id == id).map_or(id.to_owned(), |l| l.label.clone());
    let which = if kind == HeatMapKind::Inherent { "inherent" } else { "residual" };
    let rows = (1..=m.likelihood.len())
        .rev()
        .map(|l| {
            let cells = (1..=m.impact.len())
                .map(|i| {
                    let level = &m.matrix[l - 1][i - 1];
                    HeatCell {
                        count: counts[l - 1][i - 1],
                        level: label(level),
                        class: level_class(&m, level),
                        href: format!("/risks?{which}={l}x{i}"),
                    }
                })
                .collect();
            (format!("{} {}", l, m.likelihood[l - 1].label), cells)
        })
        .collect();
    Ok(HeatMap {
        title: if kind == HeatMapKind::Inherent { "Inherent risk" } else { "Residual risk" },
        kind: which,
        impact: m.impact.iter().map(|s| format!("{} {}", s.value, s.label)).collect(),
        rows,
        total: counts.iter().flatten().sum(),
    })
}

/// A risk as the register lists it.
pub(crate) struct RiskRow {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub inherent: String,
    pub inherent_class: String,
    pub residual: String,
    pub residual_class: String,
    pub treatment: &'static str,
    pub acceptance: &'static str,
    pub attention: bool,
}

fn row(r: &RiskView, m: &Methodology) -> RiskRow {
    let label = |id: &str| m.levels.iter().find(|l| l.id == id).map_or(id.to_owned(), |l| l.label.clone());
    RiskRow {
        id: r.risk.id.clone(),
        title: r.risk.title.clone(),
        owner: r.risk.owner.clone(),
        inherent: format!("{} ({}×{})", label(&r.inherent_level), r.risk.inherent.likelihood, r.risk.inherent.impact),
        inherent_class: level_class(m, &r.inherent_level),
        residual: format!("{} ({}×{})", label(&r.residual_level), r.risk.residual.likelihood, r.risk.residual.impact),
        residual_class: level_class(m, &r.residual_level),
        treatment: treatment_label(r.risk.treatment),
        acceptance: r.acceptance_state.label(),
        attention: r.acceptance_state.awaits_acceptance(),
    }
}

fn treatment_label(t: TreatmentOption) -> &'static str {
    match t {
        TreatmentOption::Modify => "Modify",
        TreatmentOption::Retain => "Retain",
        TreatmentOption::Avoid => "Avoid",
        TreatmentOption::Share => "Share",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "risks.html")]
struct RegisterPage {
    shell: Shell,
    maps: Vec<HeatMap>,
    rows: Vec<RiskRow>,
    total: usize,
    matching: usize,
    page: usize,
    pages: usize,
    query: String,
    filter: Option<String>,
    q: String,
    done: Option<String>,
    can_add: bool,
    can_simulate: bool,
}

async fn register(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<RegisterPage, PageError> {
    let caller = viewer.caller;
    let m = isms_app::risks::methodology(&s.cx, &caller).await?;
    let all = isms_app::risks::list_risks(&s.cx, &caller).await?;
    let total = all.len();
    let cell = |key: &str| {
        q.get(key)
            .and_then(|v| v.split_once('x'))
            .and_then(|(l, i)| Some((l.parse::<u8>().ok()?, i.parse::<u8>().ok()?)))
    };
    let inherent = cell("inherent");
    let residual = cell("residual");
    let text = q.get("q").map(|t| t.trim().to_lowercase()).unwrap_or_default();
    let keep = |r: &&RiskView| {
        inherent.is_none_or(|(l, i)| r.risk.inherent == Rating { likelihood: l, impact: i })
            && residual.is_none_or(|(l, i)| r.risk.residual == Rating { likelihood: l, impact: i })
            && (text.is_empty()
                || r.risk.title.to_lowercase().contains(&text)
                || r.risk.id.to_lowercase().contains(&text)
                || r.risk.owner.to_lowercase().contains(&text))
    };
    let matching: Vec<&RiskView> = all.iter().filter(keep).collect();
    let pages = matching.len().div_ceil(PER_PAGE).max(1);
    let page = q.get("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
    let names = super::Names::load(&s.cx, &viewer.caller).await?;
    let rows: Vec<RiskRow> = matching
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|r| RiskRow { owner: names.of(&r.risk.owner), ..row(r, &m) })
        .collect();
    let query = ["q", "inherent", "residual"]
        .iter()
        .filter_map(|k| q.get(*k).filter(|v| !v.is_empty()).map(|v| format!("{k}={}&", super::encode(v))))
        .collect::<String>();
    let filter = match (inherent, residual) {
        (Some((l, i)), _) => Some(format!("inherent likelihood {l} × impact {i}")),
        (_, Some((l, i))) => Some(format!("residual likelihood {l} × impact {i}")),
        _ => None,
    };
    Ok(RegisterPage {
        maps: vec![
            heat_map(&s.cx, &caller, HeatMapKind::Inherent).await?,
            heat_map(&s.cx, &caller, HeatMapKind::Residual).await?,
        ],
        rows,
        total,
        matching: matching.len(),
        page,
        pages,
        query,
        filter,
        q: q.get("q").cloned().unwrap_or_default(),
        done: notice(q.get("done").map(String::as_str)),
        can_add: viewer.shell("risks").can.edit_risks(),
        can_simulate: viewer.caller.may(isms_domain::access::UseCase::RunSimulations),
        shell: viewer.shell("risks"),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "risk_new.html")]
struct NewRiskPage {
    shell: Shell,
    likelihood: Vec<(u8, String)>,
    impact: Vec<(u8, String)>,
    /// (e-mail, name) of who may own the risk.
    members: Vec<(String, String)>,
    problems: Vec<(String, String)>,
    form: RiskForm,
    /// The residual rating may be left "same as inherent".
    residual_same: bool,
}

/// The risk forms: adding a risk, and every form of the risk page (`action` says which).
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct RiskForm {
    #[serde(default)]
    pub(super) action: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    threat: String,
    #[serde(default)]
    vulnerability: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    likelihood: u8,
    #[serde(default)]
    impact: u8,
    #[serde(default)]
    residual_likelihood: u8,
    #[serde(default)]
    residual_impact: u8,
    #[serde(default)]
    treatment: String,
    #[serde(default)]
    next_review: String,
    /// A control or asset to link or unlink.
    #[serde(default)]
    item: String,
    /// A treatment action: its title, owner, due date and status; `index` is the
    /// action a status change or removal is for.
    #[serde(default)]
    action_title: String,
    #[serde(default)]
    action_owner: String,
    #[serde(default)]
    action_due: String,
    #[serde(default)]
    action_status: String,
    #[serde(default)]
    index: usize,
    /// The acceptance comment.
    #[serde(default)]
    comment: String,
}

async fn new_page(
    s: &AppState,
    viewer: &Viewer,
    form: RiskForm,
    problems: Vec<(String, String)>,
) -> Result<NewRiskPage, PageError> {
    let m = isms_app::risks::methodology(&s.cx, &viewer.caller).await?;
    Ok(NewRiskPage {
        shell: viewer.shell("risks"),
        likelihood: m.likelihood.iter().map(|l| (l.value, l.label.clone())).collect(),
        impact: m.impact.iter().map(|l| (l.value, l.label.clone())).collect(),
        members: super::owner_choices(&s.cx, &viewer.caller).await?,
        problems,
        form,
        residual_same: true,
    })
}

async fn new_form(State(s): State<AppState>, viewer: Viewer) -> Result<NewRiskPage, PageError> {
    let form =
        RiskForm { likelihood: 3, impact: 3, owner: viewer.principal.user.email.to_string(), ..RiskForm::default() };
    new_page(&s, &viewer, form, vec![]).await
}

async fn add(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<RiskForm>) -> Result<Response, PageError> {
    let inherent = Rating { likelihood: f.likelihood, impact: f.impact };
    let residual = if f.residual_likelihood == 0 || f.residual_impact == 0 {
        inherent
    } else {
        Rating { likelihood: f.residual_likelihood, impact: f.residual_impact }
    };
    let risk = Risk {
        id: String::new(),
        title: f.title.clone(),
        description: f.description.clone(),
        assets: vec![],
        threat: f.threat.clone(),
        vulnerability: f.vulnerability.clone(),
        owner: f.owner.clone(),
        inherent,
        existing_controls: String::new(),
        treatment: TreatmentOption::Modify,
        actions: vec![],
        controls: vec![],
        residual,
        acceptance: None,
        next_review: s.cx.clock.today() + time::Duration::days(365),
        history: vec![],
        fair: None,
    };
    match isms_app::risks::add_risk(&s.cx, &viewer.caller, risk).await {
        Ok(saved) => Ok(see_other(&format!("/risks/{}?done=Added", saved.risk.id))),
        Err(e) if e.kind == isms_app::ErrorKind::Invalid => {
            let problems = super::form_problems(&e);
            let page = new_page(&s, &viewer, f, problems).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `?done=...` after a redirect.
#[derive(Debug, Deserialize)]
struct Done {
    done: Option<String>,
}
