//! One risk, worked in the page: its assessment and treatment edited, controls and
//! assets linked and unlinked, treatment actions planned and moved on, the residual
//! risk accepted by whoever the methodology allows. Every form goes through the same
//! use cases as the API (`risks::edit_risk`, `risks::accept_risk`), so a role that may
//! not do something is refused however the request arrives.

use super::*;

use isms_domain::access::{Grant, UseCase};
use isms_domain::asset::Asset;
use isms_domain::risk::{AcceptanceRule, AcceptanceState, ActionStatus, TreatmentAction};

#[derive(Template, WebTemplate)]
#[template(path = "risk.html")]
pub(super) struct RiskPage {
    shell: Shell,
    risk: RiskView,
    row: RiskRow,
    done: Option<String>,
    /// What was refused, by field, when a form came back.
    problems: Vec<(String, String)>,
    /// The edit form's values: the stored risk, or what was typed when it was refused.
    form: RiskForm,
    /// May change this risk (an editor, or a control owner who owns it).
    can_edit: bool,
    /// May accept it now: it awaits acceptance and the viewer is who the methodology
    /// and the role table allow.
    can_accept: bool,
    /// Why acceptance is not offered to the viewer, when the risk awaits it.
    accept_note: String,
    likelihood: Vec<(u8, String)>,
    impact: Vec<(u8, String)>,
    /// (e-mail, name) of the members who may own the risk or its actions.
    members: Vec<(String, String)>,
    /// Members by name.
    names: super::super::Names,
    /// (id, title) of the Annex A controls, for the picker.
    controls: Vec<(String, String)>,
    /// (id, name) of the assets, for the picker.
    assets: Vec<(String, String)>,
    /// The names of the linked assets, beside their ids.
    asset_names: Vec<(String, String)>,
    treatments: [(&'static str, &'static str); 4],
    /// The residual rating may be left "same as inherent" (adding a risk only).
    residual_same: bool,
    statuses: [(&'static str, &'static str); 3],
    /// The Open FAIR estimates and the simulated result.
    fair: quantitative::FairPanel,
}

impl RiskPage {
    /// An action status in words.
    fn status_label(&self, status: &str) -> &'static str {
        STATUSES.iter().find(|(k, _)| *k == status).map_or("", |(_, l)| l)
    }

    /// A member's name for their e-mail address (the address itself for a former member).
    fn name(&self, email: &str) -> String {
        self.names.of(email)
    }
}

const TREATMENTS: [(&str, &str); 4] = [
    ("modify", "Modify: reduce it with controls"),
    ("retain", "Retain: keep it as it is"),
    ("avoid", "Avoid: stop what causes it"),
    ("share", "Share: transfer part of it (insurance, a supplier)"),
];

const STATUSES: [(&str, &str); 3] = [("open", "Open"), ("in_progress", "In progress"), ("done", "Done")];

fn treatment_key(t: TreatmentOption) -> &'static str {
    match t {
        TreatmentOption::Modify => "modify",
        TreatmentOption::Retain => "retain",
        TreatmentOption::Avoid => "avoid",
        TreatmentOption::Share => "share",
    }
}

fn form_of(r: &Risk) -> RiskForm {
    RiskForm {
        title: r.title.clone(),
        owner: r.owner.clone(),
        threat: r.threat.clone(),
        vulnerability: r.vulnerability.clone(),
        description: r.description.clone(),
        likelihood: r.inherent.likelihood,
        impact: r.inherent.impact,
        residual_likelihood: r.residual.likelihood,
        residual_impact: r.residual.impact,
        treatment: treatment_key(r.treatment).to_owned(),
        next_review: r.next_review.to_string(),
        ..RiskForm::default()
    }
}

/// Renders the page; `form` carries what was typed when a change came back refused.
async fn render(
    s: &AppState,
    viewer: &Viewer,
    id: &str,
    done: Option<String>,
    refused: Option<(RiskForm, Vec<(String, String)>)>,
    typed_fair: Option<isms_domain::risk::FairText>,
) -> Result<RiskPage, PageError> {
    let actor = &viewer.caller;
    let m = isms_app::risks::methodology(&s.cx, actor).await?;
    let risk = isms_app::risks::risk(&s.cx, actor, id).await?;
    let me = viewer.principal.user.email.to_string();
    let mine = risk.risk.owner.eq_ignore_ascii_case(&me);
    let shell = viewer.shell("risks");
    let can_edit = match shell.can.grant(UseCase::EditRisks) {
        Grant::Any => true,
        Grant::Assigned => mine,
        Grant::Denied => false,
    };
    let names = super::super::Names::load(&s.cx, actor).await?;
    let owner = names.of(&risk.risk.owner);
    let (can_accept, accept_note) = match risk.acceptance_state {
        AcceptanceState::Unaccepted { .. } if !shell.can.any(UseCase::AcceptRisks) => (
            false,
            format!(
                "The {} role may not accept risks: the risk owner ({}) does, as an owner or ISMS manager.",
                shell.role, owner
            ),
        ),
        AcceptanceState::Unaccepted { .. } if !mine => {
            (false, format!("Only the risk owner ({owner}) accepts this risk."))
        }
        AcceptanceState::Unaccepted { by: AcceptanceRule::Executive } if viewer.role() != isms_domain::Role::Owner => (
            false,
            "At this level acceptance is for top management: the risk owner must hold the owner role.".to_owned(),
        ),
        AcceptanceState::Unaccepted { .. } => (true, String::new()),
        _ => (false, String::new()),
    };
    let controls = isms_app::controls::list_controls(&s.cx, actor).await?;
    let assets = isms_app::registers::entries::<Asset>(&s.cx, actor).await?;
    let asset_names = risk
        .risk
        .assets
        .iter()
        .map(|a| (a.clone(), assets.iter().find(|x| &x.id == a).map_or(String::new(), |x| x.name.clone())))
        .collect();
    let (form, problems) = refused.unwrap_or_else(|| (form_of(&risk.risk), Vec::new()));
    let fair = quantitative::panel(s, actor, &risk.risk, typed_fair).await?;
    Ok(RiskPage {
        fair,
        row: row(&risk, &m),
        done,
        problems,
        form,
        can_edit,
        can_accept,
        accept_note,
        likelihood: m.likelihood.iter().map(|l| (l.value, l.label.clone())).collect(),
        impact: m.impact.iter().map(|l| (l.value, l.label.clone())).collect(),
        members: names.owners(),
        names,
        controls: controls.into_iter().map(|c| (c.record.control, c.title)).collect(),
        assets: assets.into_iter().map(|a| (a.id, a.name)).collect(),
        asset_names,
        treatments: TREATMENTS,
        residual_same: false,
        statuses: STATUSES,
        risk,
        shell,
    })
}

pub(super) async fn risk_page(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> Result<RiskPage, PageError> {
    render(&s, &viewer, &id, notice(q.done.as_deref()), None, None).await
}

/// The page again after the FAIR form was refused: what was typed, and why.
pub(super) async fn refused_fair(
    s: &AppState,
    viewer: &Viewer,
    id: &str,
    typed: isms_domain::risk::FairText,
    problems: Vec<(String, String)>,
) -> Result<RiskPage, PageError> {
    let risk = isms_app::risks::risk(&s.cx, &viewer.caller, id).await?;
    let form = RiskForm { action: "fair".into(), ..form_of(&risk.risk) };
    render(s, viewer, id, None, Some((form, problems)), Some(typed)).await
}

fn invalid(field: &str, message: impl Into<String>) -> isms_app::AppError {
    isms_app::AppError::invalid_field(field, message.into())
}

fn date(field: &str, text: &str) -> Result<time::Date, isms_app::AppError> {
    isms_domain::dates::parse_text(text).map_err(|m| invalid(field, m))
}

/// Applies the edit form to the stored risk (inside the use case's transaction).
fn edit(f: &RiskForm, r: &mut Risk) -> isms_app::AppResult<()> {
    r.title = f.title.trim().to_owned();
    r.owner = f.owner.trim().to_owned();
    r.threat = f.threat.trim().to_owned();
    r.vulnerability = f.vulnerability.trim().to_owned();
    r.description = f.description.trim().to_owned();
    r.inherent = Rating { likelihood: f.likelihood, impact: f.impact };
    r.residual = Rating { likelihood: f.residual_likelihood, impact: f.residual_impact };
    r.treatment = match f.treatment.as_str() {
        "modify" => TreatmentOption::Modify,
        "retain" => TreatmentOption::Retain,
        "avoid" => TreatmentOption::Avoid,
        "share" => TreatmentOption::Share,
        other => return Err(invalid("treatment", format!("{other:?} is not modify, retain, avoid or share"))),
    };
    r.next_review = date("next_review", &f.next_review)?;
    Ok(())
}

fn status(text: &str) -> isms_app::AppResult<ActionStatus> {
    match text {
        "open" => Ok(ActionStatus::Open),
        "in_progress" => Ok(ActionStatus::InProgress),
        "done" => Ok(ActionStatus::Done),
        other => Err(invalid("action_status", format!("{other:?} is not open, in progress or done"))),
    }
}

fn action_at(r: &mut Risk, index: usize) -> isms_app::AppResult<&mut TreatmentAction> {
    let count = r.actions.len();
    r.actions.get_mut(index).ok_or_else(|| invalid("index", format!("the risk has {count} action(s)")))
}

/// One change the risk page asks for, applied to the stored risk.
fn change(f: &RiskForm, r: &mut Risk) -> isms_app::AppResult<&'static str> {
    let item = f.item.trim();
    Ok(match f.action.as_str() {
        "edit" => {
            edit(f, r)?;
            "Saved"
        }
        "link_control" | "unlink_control" | "link_asset" | "unlink_asset" if item.is_empty() => {
            return Err(invalid("item", "choose one first"));
        }
        "link_control" => {
            let id = isms_app::controls::normalize_control_id(super::super::picked(item));
            if !r.controls.contains(&id) {
                r.controls.push(id);
            }
            "Linked the control"
        }
        "unlink_control" => {
            r.controls.retain(|c| c != item);
            "Unlinked the control"
        }
        "link_asset" => {
            let id = super::super::picked(item).to_owned();
            if !r.assets.contains(&id) {
                r.assets.push(id);
            }
            "Linked the asset"
        }
        "unlink_asset" => {
            r.assets.retain(|a| a != item);
            "Unlinked the asset"
        }
        "add_action" => {
            if f.action_title.trim().is_empty() {
                return Err(invalid("action_title", "say what will be done"));
            }
            r.actions.push(TreatmentAction {
                title: f.action_title.trim().to_owned(),
                owner: f.action_owner.trim().to_owned(),
                due: date("action_due", &f.action_due)?,
                status: status(if f.action_status.is_empty() { "open" } else { &f.action_status })?,
            });
            "Added the action"
        }
        "action_status" => {
            action_at(r, f.index)?.status = status(&f.action_status)?;
            "Saved the action"
        }
        "remove_action" => {
            action_at(r, f.index)?;
            r.actions.remove(f.index);
            "Removed the action"
        }
        other => return Err(invalid("action", format!("{other:?} is not something this page does"))),
    })
}

pub(super) async fn risk_post(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<RiskForm>,
) -> Result<Response, PageError> {
    let actor = &viewer.caller;
    let result = if f.action == "accept" {
        isms_app::risks::accept_risk(&s.cx, actor, &id, &f.comment).await.map(|_| "Accepted")
    } else {
        let mut said = "Saved";
        let form = f.clone();
        isms_app::risks::edit_risk(&s.cx, actor, &id, |r| {
            said = change(&form, r)?;
            Ok(())
        })
        .await
        .map(|_| said)
    };
    match result {
        Ok(said) => Ok(see_other(&format!("/risks/{id}?done={}", super::super::encode(said)))),
        Err(e) if e.kind == isms_app::ErrorKind::Invalid => {
            let problems = super::super::form_problems(&e);
            let page = render(&s, &viewer, &id, None, Some((f, problems)), None).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
