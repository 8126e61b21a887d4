//! One Annex A control: our guidance, its ISO/IEC 27002 attributes, how it is
//! implemented here (editable by those allowed), its status history, its links and
//! where it maps in the organization's other frameworks.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use isms_app::controls::{ControlChange, ControlDetail};
use isms_domain::access::{Grant, UseCase};
use isms_domain::framework::PIVOT;
use isms_domain::soa::ControlStatus;
use serde::Deserialize;

use super::{CsrfForm, PageError, Shell, Viewer, notice, see_other};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/controls/{id}", get(control).post(update))
        .route("/controls/{id}/proposals/{proposal}", axum::routing::post(decide))
}

#[derive(Template, WebTemplate)]
#[template(path = "control.html")]
struct ControlPage {
    shell: Shell,
    detail: ControlDetail,
    /// (attribute, values)
    attributes: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    members: Vec<(String, String)>,
    /// (when, from, to, by)
    history: Vec<(String, String, String, String)>,
    /// (framework, item, title, relation, direct)
    mappings: Vec<(String, String, String, String, bool)>,
    /// (kind, id)
    links: Vec<(String, String)>,
    editable: bool,
    can_reassign: bool,
    /// The evidence attached to this control, newest first.
    items: Vec<super::evidence::ItemRow>,
    /// Documents supporting this control: (id, title, version in force or state).
    documents: Vec<(String, String, String)>,
    done: Option<String>,
    problems: Vec<(String, String)>,
    /// Implementation statements proposed for this control, newest first.
    proposals: Vec<isms_domain::proposal::Proposal>,
    /// How many wait for a decision.
    waiting: usize,
    /// The checks testing this control, worst first.
    checks: Vec<isms_app::monitoring::CheckView>,
}

#[derive(Debug, Deserialize)]
struct Done {
    done: Option<String>,
}

async fn page(
    s: &AppState,
    viewer: &Viewer,
    id: &str,
    done: Option<String>,
    problems: Vec<(String, String)>,
) -> Result<ControlPage, PageError> {
    let caller = &viewer.caller;
    let detail = isms_app::controls::control_detail(&s.cx, caller, id).await?;
    let lib = isms_app::frameworks::library(&s.cx).await?;
    let attributes = lib
        .item(PIVOT, &detail.control.record.control)
        .map(|i| i.attributes.iter().map(|(k, v)| (k.replace('_', " "), v.join(", ").replace('_', " "))).collect())
        .unwrap_or_default();
    let names = super::Names::load(&s.cx, caller).await?;
    let members = names.owners();
    let grant = viewer.shell("soa").can.grant(UseCase::EditControls);
    let editable = grant == Grant::Any || (grant == Grant::Assigned && detail.control.record.owner == caller.user());
    let today = s.cx.clock.today();
    let items = isms_app::evidence::list_evidence(&s.cx, caller)
        .await?
        .iter()
        .filter(|e| e.attached_to(isms_domain::evidence::TargetKind::Control, &detail.control.record.control))
        .map(|e| super::evidence::item_row(e, today, &names))
        .collect();
    let documents = isms_app::documents::summaries(&s.cx, caller)
        .await?
        .into_iter()
        .filter(|d| d.controls.contains(&detail.control.record.control))
        .map(|d| {
            let state = d.in_force.map_or_else(|| "not approved yet".to_owned(), |v| format!("v{v} in force"));
            (d.id, d.title, state)
        })
        .collect();
    let proposals = isms_app::proposals::proposals(&s.cx, caller, None, Some(&detail.control.record.control)).await?;
    let waiting = proposals.iter().filter(|p| p.status == isms_domain::proposal::ProposalStatus::Proposed).count();
    Ok(ControlPage {
        proposals,
        checks: isms_app::monitoring::checks(&s.cx, caller)
            .await?
            .into_iter()
            .filter(|c| c.controls.contains(&detail.control.record.control))
            .collect(),
        waiting,
        items,
        documents,
        attributes,
        statuses: ControlStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        members,
        history: detail
            .history
            .iter()
            .rev()
            .map(|h| {
                (
                    h.change.at.date().to_string(),
                    h.change.from.map_or("—", ControlStatus::label).to_owned(),
                    h.change.to.label().to_owned(),
                    h.by_name.clone(),
                )
            })
            .collect(),
        mappings: detail
            .mappings
            .iter()
            .map(|h| {
                (
                    h.target.framework.to_string(),
                    h.target.item.clone(),
                    h.title.clone(),
                    format!("{:?}", h.relation).to_lowercase().replace('_', " "),
                    h.direct,
                )
            })
            .collect(),
        links: detail
            .control
            .record
            .links
            .iter()
            .map(|l| (format!("{:?}", l.kind).to_lowercase(), l.id.clone()))
            .collect(),
        editable,
        can_reassign: grant == Grant::Any,
        done,
        problems,
        shell: viewer.shell("soa"),
        detail,
    })
}

async fn control(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> Result<ControlPage, PageError> {
    page(&s, &viewer, &id, notice(q.done.as_deref()), vec![]).await
}

#[derive(Debug, Deserialize)]
struct Edit {
    status: String,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    target_date: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    implementation: String,
}

async fn update(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<Edit>,
) -> Result<Response, PageError> {
    let invalid = |field: &str, message: String| {
        isms_app::AppError::invalid(vec![isms_app::FieldError { field: field.into(), message }])
    };
    let result = async {
        let status = ControlStatus::parse(&f.status)
            .ok_or_else(|| invalid("status", format!("{:?} is not a status", f.status)))?;
        let target_date = match f.target_date.trim() {
            "" => None,
            t => Some(crate::api::date("target_date", t)?),
        };
        let owner = match f.owner.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(e) => Some(Some(isms_domain::Email::parse(e).map_err(|err| invalid("owner", err.to_string()))?)),
        };
        let change = ControlChange {
            status: Some(status),
            applicable: Some(status != ControlStatus::NotApplicable),
            justification: Some(Some(f.justification.clone())),
            owner,
            target_date: Some(target_date),
            implementation: Some(f.implementation.clone()),
            ..ControlChange::default()
        };
        isms_app::controls::update_control(&s.cx, &viewer.caller, &id, change).await
    }
    .await;
    match result {
        Ok(saved) => Ok(see_other(&format!("/controls/{}?done=Saved", saved.control))),
        Err(e) if e.kind == isms_app::ErrorKind::Invalid => {
            let problems = super::form_problems(&e);
            let page = page(&s, &viewer, &id, None, problems).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct Decide {
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(s): State<AppState>,
    Path((id, proposal)): Path<(String, String)>,
    CsrfForm(viewer, f): CsrfForm<Decide>,
) -> Result<Response, PageError> {
    use isms_app::proposals::Decision;
    let decision = match f.decision.as_str() {
        "accept" => Decision::Accept,
        "reject" => Decision::Reject(f.reason.clone()),
        other => {
            return Err(
                isms_app::AppError::invalid_field("decision", format!("{other:?} is not accept or reject")).into()
            );
        }
    };
    match isms_app::proposals::decide(&s.cx, &viewer.caller, &proposal, decision).await {
        Ok(p) => Ok(see_other(&format!(
            "/controls/{}?done={}",
            p.control,
            if p.status == isms_domain::proposal::ProposalStatus::Accepted {
                format!("{} accepted into the implementation statement", p.id)
            } else {
                format!("{} rejected", p.id)
            }
            .replace(' ', "+")
        ))),
        Err(e) if e.kind == isms_app::ErrorKind::Invalid => {
            let problems = super::form_problems(&e);
            let page = page(&s, &viewer, &id, None, problems).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
