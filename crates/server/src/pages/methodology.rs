//! The risk methodology (6.1.2): the likelihood and impact scales with their criteria,
//! the risk levels and who may accept each, the matrix, and the loss appetite. Those
//! who may change the methodology edit labels, criteria, acceptance rules and the
//! matrix here; each save is a new version, and every risk is re-levelled.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use isms_domain::access::UseCase;
use isms_domain::risk::{AcceptanceRule, Methodology};
use serde::Deserialize;

use super::risks::level_class;
use super::{CsrfForm, PageError, Shell, Viewer, notice, see_other, word};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/methodology", get(show).post(save))
}

const RULES: [AcceptanceRule; 4] =
    [AcceptanceRule::Automatic, AcceptanceRule::RiskOwner, AcceptanceRule::Executive, AcceptanceRule::NotAcceptable];

fn rule_label(r: AcceptanceRule) -> &'static str {
    match r {
        AcceptanceRule::Automatic => "within appetite (no acceptance needed)",
        AcceptanceRule::RiskOwner => "the risk owner accepts",
        AcceptanceRule::Executive => "top management (an owner) accepts",
        AcceptanceRule::NotAcceptable => "never acceptable: must be treated",
    }
}

/// One matrix cell: its form field, colour class and level id.
type Cell = (String, String, String);

#[derive(Template, WebTemplate)]
#[template(path = "methodology.html")]
struct MethodologyPage {
    shell: Shell,
    m: Methodology,
    /// Rows: likelihood high → low.
    cells: Vec<(String, Vec<Cell>)>,
    levels: Vec<(String, String, String, String, &'static str)>,
    rules: Vec<(String, &'static str)>,
    appetite: Vec<(String, String)>,
    versions: usize,
    can_edit: bool,
    done: Option<String>,
    problems: Vec<(String, String)>,
}

async fn page(
    s: &AppState,
    viewer: &Viewer,
    done: Option<String>,
    problems: Vec<(String, String)>,
) -> Result<MethodologyPage, PageError> {
    let caller = &viewer.caller;
    let m = isms_app::risks::methodology(&s.cx, caller).await?;
    // The versions before the current one.
    let versions = isms_app::risks::methodology_versions(&s.cx, caller).await?.len().saturating_sub(1);
    let appetite = isms_app::fair::appetite(&s.cx, caller).await?;
    let cells = (1..=m.likelihood.len())
        .rev()
        .map(|l| {
            let row = (1..=m.impact.len())
                .map(|i| {
                    let id = m.matrix[l - 1][i - 1].clone();
                    (format!("cell_{l}_{i}"), level_class(&m, &id), id)
                })
                .collect();
            (format!("{} {}", l, m.likelihood[l - 1].label), row)
        })
        .collect();
    Ok(MethodologyPage {
        levels: m
            .levels
            .iter()
            .map(|l| {
                (l.id.clone(), l.label.clone(), word(&l.acceptance), level_class(&m, &l.id), rule_label(l.acceptance))
            })
            .collect(),
        rules: RULES.iter().map(|r| (word(r).replace(' ', "_"), rule_label(*r))).collect(),
        cells,
        appetite: appetite
            .map(|a| {
                a.points
                    .iter()
                    .map(|(loss, p)| (isms_reports::risk::money(*loss), format!("{:.0}%", p * 100.0)))
                    .collect()
            })
            .unwrap_or_default(),
        versions,
        can_edit: viewer.shell("methodology").can.any(UseCase::EditMethodology),
        done,
        problems,
        shell: viewer.shell("methodology"),
        m,
    })
}

#[derive(Debug, Deserialize)]
struct Done {
    done: Option<String>,
}

async fn show(State(s): State<AppState>, viewer: Viewer, Query(q): Query<Done>) -> Result<MethodologyPage, PageError> {
    page(&s, &viewer, notice(q.done.as_deref()), vec![]).await
}

/// The form: `likelihood_label_N`, `likelihood_criterion_N`, `impact_…`, `level_label_ID`,
/// `level_rule_ID`, `cell_L_I`, and `csrf`.
async fn save(
    State(s): State<AppState>,
    CsrfForm(viewer, f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut m = isms_app::risks::methodology(&s.cx, &viewer.caller).await?;
    for (prefix, scale) in [("likelihood", &mut m.likelihood), ("impact", &mut m.impact)] {
        for level in scale.iter_mut() {
            if let Some(v) = f.get(&format!("{prefix}_label_{}", level.value)) {
                level.label = v.trim().to_owned();
            }
            if let Some(v) = f.get(&format!("{prefix}_criterion_{}", level.value)) {
                level.criterion = v.trim().to_owned();
            }
        }
    }
    for level in &mut m.levels {
        if let Some(v) = f.get(&format!("level_label_{}", level.id)) {
            level.label = v.trim().to_owned();
        }
        if let Some(v) = f.get(&format!("level_rule_{}", level.id)) {
            level.acceptance = serde_json::from_value(serde_json::Value::String(v.clone())).map_err(|_| {
                isms_app::AppError::invalid_field("acceptance", format!("{v:?} is not an acceptance rule"))
            })?;
        }
    }
    for (l, row) in m.matrix.iter_mut().enumerate() {
        for (i, cell) in row.iter_mut().enumerate() {
            if let Some(v) = f.get(&format!("cell_{}_{}", l + 1, i + 1)) {
                v.clone_into(cell);
            }
        }
    }
    match isms_app::risks::edit_methodology(&s.cx, &viewer.caller, m).await {
        Ok((saved, relevelled)) => Ok(see_other(&format!(
            "/methodology?done={}",
            super::encode(&format!("Saved as version {}; {relevelled} risks changed level.", saved.version))
        ))),
        Err(e) if matches!(e.kind, isms_app::ErrorKind::Invalid | isms_app::ErrorKind::Conflict) => {
            let problems = super::form_problems(&e);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page(&s, &viewer, None, problems).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
