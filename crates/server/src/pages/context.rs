//! Context and scope (clauses 4.1–4.3, 5.3, 6.2): the ISMS scope, internal and
//! external issues, interested parties and their requirements, ISMS roles and the
//! information security objectives — read by everyone, changed by those who may edit
//! the context.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use isms_domain::access::UseCase;
use isms_domain::register::{
    ContextIssue, Entry, InterestedParty, IsmsRole, IssueOrigin, Objective, ObjectiveStatus, PartyRequirement,
    RequirementKind, Scope, ScopeExclusion,
};
use serde::Deserialize;

use super::{CsrfForm, PageError, Shell, Viewer, see_other, word};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/context", get(context))
        .route("/context/scope", post(set_scope))
        .route("/context/issues", post(add_issue))
        .route("/context/parties", post(add_party))
        .route("/context/roles", post(add_role))
        .route("/context/objectives", post(add_objective))
        .route("/context/delete", post(delete))
}

#[derive(Template, WebTemplate)]
#[template(path = "context.html")]
struct ContextPage {
    shell: Shell,
    names: super::Names,
    scope: Option<Scope>,
    issues: Vec<ContextIssue>,
    parties: Vec<InterestedParty>,
    roles: Vec<IsmsRole>,
    objectives: Vec<Objective>,
    members: Vec<(String, String)>,
    can_edit: bool,
    problems: Vec<(String, String)>,
}

impl ContextPage {
    fn origin(&self, i: &ContextIssue) -> String {
        word(&i.origin)
    }
    fn requirement(&self, r: &PartyRequirement) -> String {
        word(&r.kind)
    }
    fn status(&self, o: &Objective) -> String {
        word(&o.status)
    }
    fn lines(&self, v: &[String]) -> String {
        v.join("\n")
    }
    fn exclusions(&self, s: &Scope) -> String {
        s.exclusions.iter().map(|e| format!("{} — {}", e.what, e.justification)).collect::<Vec<_>>().join("\n")
    }
}

async fn render(s: &AppState, viewer: &Viewer, problems: Vec<(String, String)>) -> Result<ContextPage, PageError> {
    let caller = &viewer.caller;
    let scope = match isms_app::registers::entry::<Scope>(&s.cx, caller, "").await {
        Ok(scope) => Some(scope),
        Err(e) if e.kind == isms_app::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let names = super::Names::load(&s.cx, caller).await?;
    Ok(ContextPage {
        members: names.owners(),
        names,
        scope,
        issues: isms_app::registers::entries(&s.cx, caller).await?,
        parties: isms_app::registers::entries(&s.cx, caller).await?,
        roles: isms_app::registers::entries(&s.cx, caller).await?,
        objectives: isms_app::registers::entries(&s.cx, caller).await?,
        can_edit: viewer.shell("context").can.any(UseCase::EditContext),
        problems,
        shell: viewer.shell("context"),
    })
}

async fn context(State(s): State<AppState>, viewer: Viewer) -> Result<ContextPage, PageError> {
    render(&s, &viewer, vec![]).await
}

/// After a change: back to the page, or the page again with what was wrong (422).
async fn after<T>(
    s: &AppState,
    viewer: &Viewer,
    result: isms_app::AppResult<T>,
    anchor: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(see_other(&format!("/context#{anchor}"))),
        Err(e) if e.kind == isms_app::ErrorKind::Invalid => {
            let problems = super::form_problems(&e);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(s, viewer, problems).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

#[derive(Debug, Deserialize)]
struct ScopeForm {
    statement: String,
    #[serde(default)]
    boundaries: String,
    #[serde(default)]
    interfaces: String,
    #[serde(default)]
    locations: String,
    #[serde(default)]
    exclusions: String,
}

async fn set_scope(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<ScopeForm>) -> Result<Response, PageError> {
    let exclusions = lines(&f.exclusions)
        .into_iter()
        .map(|l| match l.split_once(" — ").or_else(|| l.split_once(" - ")) {
            Some((what, why)) => ScopeExclusion { what: what.trim().to_owned(), justification: why.trim().to_owned() },
            None => ScopeExclusion { what: l, justification: String::new() },
        })
        .collect();
    let scope = Scope {
        id: String::new(),
        statement: f.statement,
        boundaries: lines(&f.boundaries),
        interfaces: lines(&f.interfaces),
        locations: lines(&f.locations),
        exclusions,
    };
    let result = isms_app::registers::replace_entry(&s.cx, &viewer.caller, "", scope).await;
    after(&s, &viewer, result, "scope").await
}

#[derive(Debug, Deserialize)]
struct IssueForm {
    origin: IssueOrigin,
    title: String,
    #[serde(default)]
    description: String,
}

async fn add_issue(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<IssueForm>) -> Result<Response, PageError> {
    let issue = ContextIssue { id: String::new(), origin: f.origin, title: f.title, description: f.description };
    let result = isms_app::registers::create_entry(&s.cx, &viewer.caller, issue).await;
    after(&s, &viewer, result, "issues").await
}

#[derive(Debug, Deserialize)]
struct PartyForm {
    name: String,
    kind: RequirementKind,
    #[serde(default)]
    requirement: String,
}

async fn add_party(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<PartyForm>) -> Result<Response, PageError> {
    let requirements =
        if f.requirement.trim().is_empty() { vec![] } else { vec![PartyRequirement::new(f.kind, &f.requirement)] };
    let party = InterestedParty { id: String::new(), name: f.name, requirements };
    let result = isms_app::registers::create_entry(&s.cx, &viewer.caller, party).await;
    after(&s, &viewer, result, "parties").await
}

#[derive(Debug, Deserialize)]
struct RoleForm {
    name: String,
    responsibilities: String,
    #[serde(default)]
    assigned: String,
}

async fn add_role(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<RoleForm>) -> Result<Response, PageError> {
    let assigned = f.assigned.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect();
    let role = IsmsRole { id: String::new(), name: f.name, responsibilities: f.responsibilities, assigned };
    let result = isms_app::registers::create_entry(&s.cx, &viewer.caller, role).await;
    after(&s, &viewer, result, "roles").await
}

#[derive(Debug, Deserialize)]
struct ObjectiveForm {
    title: String,
    measure: String,
    target: String,
    owner: String,
    due: String,
    status: ObjectiveStatus,
}

async fn add_objective(
    State(s): State<AppState>,
    CsrfForm(viewer, f): CsrfForm<ObjectiveForm>,
) -> Result<Response, PageError> {
    let result = async {
        let due = crate::api::date("due", &f.due)?;
        let objective = Objective {
            id: String::new(),
            title: f.title,
            measure: f.measure,
            target: f.target,
            owner: f.owner,
            due,
            status: f.status,
        };
        isms_app::registers::create_entry(&s.cx, &viewer.caller, objective).await
    }
    .await;
    after(&s, &viewer, result, "objectives").await
}

#[derive(Debug, Deserialize)]
struct DeleteForm {
    id: String,
}

async fn delete(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<DeleteForm>) -> Result<Response, PageError> {
    let caller = &viewer.caller;
    let prefix = f.id.split('-').next().unwrap_or_default();
    let (result, anchor) = if prefix == ContextIssue::PREFIX {
        (isms_app::registers::delete_entry::<ContextIssue>(&s.cx, caller, &f.id).await, "issues")
    } else if prefix == InterestedParty::PREFIX {
        (isms_app::registers::delete_entry::<InterestedParty>(&s.cx, caller, &f.id).await, "parties")
    } else if prefix == IsmsRole::PREFIX {
        (isms_app::registers::delete_entry::<IsmsRole>(&s.cx, caller, &f.id).await, "roles")
    } else if prefix == Objective::PREFIX {
        (isms_app::registers::delete_entry::<Objective>(&s.cx, caller, &f.id).await, "objectives")
    } else {
        return Err(isms_app::AppError::not_found(format!("entry {}", f.id)).into());
    };
    after(&s, &viewer, result, anchor).await
}
