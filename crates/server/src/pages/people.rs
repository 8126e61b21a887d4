//! People and access: the organization's members and roles (owners invite people,
//! withdraw invitations, change roles and remove members), the role table, and your
//! own API tokens and calendar addresses.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use isms_app::tokens::{NewToken, create_token, list_tokens, revoke_token};
use isms_domain::access::{Grant, UseCase, grant};
use isms_domain::{DisplayName, Email, Role};
use serde::Deserialize;

use super::{CsrfForm, PageError, Shell, Viewer, notice, see_other};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/members", get(members).post(add_member))
        .route("/members/role", post(change_role))
        .route("/members/remove", post(remove))
        .route("/members/invitations/revoke", post(revoke_invitation))
        .route("/tokens", get(tokens).post(add_token))
        .route("/tokens/revoke", post(revoke))
        .route("/account/password", post(change_password))
}

pub(crate) struct InvitationRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role_label: &'static str,
    pub created: String,
    pub expires: String,
    pub state: &'static str,
}

pub(crate) struct MemberRow {
    pub email: String,
    pub name: String,
    pub role: &'static str,
    pub role_label: &'static str,
    pub since: String,
    pub disabled: bool,
    pub me: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "members.html")]
struct MembersPage {
    shell: Shell,
    members: Vec<MemberRow>,
    roles: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    /// The use-case table: (use case, one cell per role).
    table: Vec<(&'static str, Vec<&'static str>)>,
    invitations: Vec<InvitationRow>,
    /// The invitation just made: (e-mail, link), shown once.
    invited: Option<(String, String)>,
    done: Option<String>,
    problems: Vec<String>,
}

fn role_table() -> Vec<(&'static str, Vec<&'static str>)> {
    UseCase::ALL
        .iter()
        .map(|&u| {
            let cells = Role::ALL
                .iter()
                .map(|&r| match grant(r, u) {
                    Grant::Any => "yes",
                    Grant::Assigned => "own only",
                    Grant::Denied => "—",
                })
                .collect();
            (isms_app::access::describe(u), cells)
        })
        .collect()
}

async fn page(
    s: &AppState,
    viewer: &Viewer,
    invited: Option<(String, String)>,
    done: Option<String>,
    problems: Vec<String>,
) -> Result<MembersPage, PageError> {
    let members = isms_app::users::members(&s.cx, &viewer.caller).await?;
    let can_manage = viewer.shell("members").can.any(UseCase::ManageMembers);
    let invitations = if can_manage { isms_app::invitations::list(&s.cx, &viewer.caller).await? } else { vec![] };
    Ok(MembersPage {
        members: members
            .into_iter()
            .map(|m| MemberRow {
                me: Some(m.user) == viewer.caller.user(),
                email: m.email.to_string(),
                name: m.name.to_string(),
                role: m.role.as_str(),
                role_label: m.role.label(),
                since: m.since.date().to_string(),
                disabled: m.disabled,
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        can_manage,
        table: role_table(),
        invitations: invitations
            .into_iter()
            .map(|v| InvitationRow {
                id: v.invitation.id,
                email: v.invitation.email.to_string(),
                name: v.invitation.name.to_string(),
                role_label: v.invitation.role.label(),
                created: v.invitation.created_at.date().to_string(),
                expires: v.invitation.expires_at.date().to_string(),
                state: v.state.as_str(),
            })
            .collect(),
        invited,
        done,
        problems,
        shell: viewer.shell("members"),
    })
}

#[derive(Debug, Deserialize)]
struct Done {
    done: Option<String>,
}

async fn members(State(s): State<AppState>, viewer: Viewer, Query(q): Query<Done>) -> Result<MembersPage, PageError> {
    page(&s, &viewer, None, notice(q.done.as_deref()), vec![]).await
}

fn problem_page(e: &isms_app::AppError) -> Vec<String> {
    if e.fields.is_empty() {
        vec![e.message.clone()]
    } else {
        e.fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect()
    }
}

#[derive(Debug, Deserialize)]
struct NewMember {
    email: String,
    #[serde(default)]
    name: String,
    role: String,
}

async fn add_member(
    State(s): State<AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    CsrfForm(viewer, f): CsrfForm<NewMember>,
) -> Result<Response, PageError> {
    let result = async {
        let email = Email::parse(&f.email).map_err(|e| isms_app::AppError::invalid_field("email", e.to_string()))?;
        let name_text = if f.name.trim().is_empty() {
            email.as_str().split('@').next().unwrap_or_default().to_owned()
        } else {
            f.name.clone()
        };
        let name =
            DisplayName::parse(&name_text).map_err(|e| isms_app::AppError::invalid_field("name", e.to_string()))?;
        let role = Role::parse(&f.role).ok_or_else(|| isms_app::AppError::invalid_field("role", "choose a role"))?;
        let base = crate::auth::public_base(&s, &uri, &headers);
        isms_app::invitations::invite(&s.cx, &viewer.caller, email, name, role, &base).await
    }
    .await;
    match result {
        Ok(invited) => {
            let i = &invited.invitation;
            let shown = Some((i.email.to_string(), invited.link.clone()));
            let done = Some(format!("Invited {} as {}.", i.email, i.role.label()));
            let mut response = page(&s, &viewer, shown, done, vec![]).await?.into_response();
            response
                .headers_mut()
                .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Err(e) if matches!(e.kind, isms_app::ErrorKind::Invalid | isms_app::ErrorKind::Conflict) => {
            let page = page(&s, &viewer, None, None, problem_page(&e)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct RevokeInvitation {
    id: String,
}

async fn revoke_invitation(
    State(s): State<AppState>,
    CsrfForm(viewer, f): CsrfForm<RevokeInvitation>,
) -> Result<Response, PageError> {
    match isms_app::invitations::revoke(&s.cx, &viewer.caller, &f.id).await {
        Ok(v) => Ok(see_other(&format!(
            "/members?done={}",
            super::encode(&format!("Withdrew the invitation of {}; its link no longer works.", v.invitation.email))
        ))),
        Err(e) if e.kind == isms_app::ErrorKind::Conflict => {
            Ok((axum::http::StatusCode::CONFLICT, page(&s, &viewer, None, None, problem_page(&e)).await?)
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct RoleChange {
    email: String,
    role: String,
}

async fn change_role(
    State(s): State<AppState>,
    CsrfForm(viewer, f): CsrfForm<RoleChange>,
) -> Result<Response, PageError> {
    let email = Email::parse(&f.email).map_err(|e| isms_app::AppError::invalid_field("email", e.to_string()))?;
    let role = Role::parse(&f.role).ok_or_else(|| isms_app::AppError::invalid_field("role", "choose a role"))?;
    match isms_app::users::change_member(&s.cx, &viewer.caller, &email, Some(role)).await {
        Ok(_) => {
            Ok(see_other(&format!("/members?done={}", super::encode(&format!("{email} is now {}.", role.label())))))
        }
        Err(e) if e.kind == isms_app::ErrorKind::Conflict => {
            Ok((axum::http::StatusCode::CONFLICT, page(&s, &viewer, None, None, problem_page(&e)).await?)
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct Remove {
    email: String,
}

async fn remove(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<Remove>) -> Result<Response, PageError> {
    let email = Email::parse(&f.email).map_err(|e| isms_app::AppError::invalid_field("email", e.to_string()))?;
    match isms_app::users::change_member(&s.cx, &viewer.caller, &email, None).await {
        Ok(_) => Ok(see_other(&format!("/members?done={}", super::encode(&format!("Removed {email}."))))),
        Err(e) if e.kind == isms_app::ErrorKind::Conflict => {
            Ok((axum::http::StatusCode::CONFLICT, page(&s, &viewer, None, None, problem_page(&e)).await?)
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) struct TokenRow {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub ceiling: &'static str,
    pub created: String,
    pub expires: String,
    pub state: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "tokens.html")]
struct TokensPage {
    shell: Shell,
    tokens: Vec<TokenRow>,
    roles: Vec<(&'static str, &'static str)>,
    secret: Option<String>,
    problems: Vec<String>,
    done: Option<String>,
}

async fn tokens_page(
    s: &AppState,
    viewer: &Viewer,
    secret: Option<String>,
    problems: Vec<String>,
) -> Result<TokensPage, PageError> {
    let now = s.cx.clock.now();
    let tokens = list_tokens(&s.cx, &viewer.principal).await?;
    Ok(TokensPage {
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                state: if t.revoked_at.is_some() {
                    "revoked"
                } else if t.expires_at <= now {
                    "expired"
                } else {
                    "active"
                },
                id: t.id,
                kind: match t.kind {
                    isms_domain::TokenKind::Api => "API",
                    isms_domain::TokenKind::Calendar => "Calendar feed",
                },
                name: t.name,
                ceiling: t.role_ceiling.label(),
                created: t.created_at.date().to_string(),
                expires: t.expires_at.date().to_string(),
            })
            .collect(),
        // A token can be given any role up to your own.
        roles: Role::ALL
            .iter()
            .filter(|r| isms_domain::access::within(**r, viewer.role()))
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        secret,
        problems,
        done: None,
        shell: viewer.shell("tokens"),
    })
}

async fn tokens(State(s): State<AppState>, viewer: Viewer, Query(q): Query<Done>) -> Result<TokensPage, PageError> {
    let mut page = tokens_page(&s, &viewer, None, vec![]).await?;
    page.done = notice(q.done.as_deref());
    Ok(page)
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm: String,
    /// A checkbox: present (and checked by default) to revoke tokens too.
    revoke_tokens: Option<String>,
}

/// Changes the signed-in person's own password; their other sessions end, and their
/// API tokens and calendar addresses are revoked unless they untick the box.
async fn change_password(
    State(s): State<AppState>,
    CsrfForm(viewer, f): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let result = if f.new_password == f.confirm {
        isms_app::sessions::change_password(
            &s.cx,
            &viewer.principal,
            &f.current_password,
            &f.new_password,
            f.revoke_tokens.is_some(),
        )
        .await
    } else {
        Err(isms_app::AppError::invalid_field("confirm", "the two new passwords differ"))
    };
    match result {
        Ok(revoked) => {
            let message = format!(
                "Your password is changed; your other sessions have ended{}.",
                match revoked {
                    0 => String::new(),
                    1 => " and 1 token was revoked".to_owned(),
                    n => format!(" and {n} tokens were revoked"),
                }
            );
            Ok(see_other(&format!("/tokens?done={}", super::encode(&message))))
        }
        Err(e) if e.kind == isms_app::ErrorKind::Invalid => {
            let page = tokens_page(&s, &viewer, None, problem_page(&e)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct NewTokenForm {
    name: String,
    role: String,
    days: i64,
}

async fn add_token(
    State(s): State<AppState>,
    CsrfForm(viewer, f): CsrfForm<NewTokenForm>,
) -> Result<Response, PageError> {
    let role = Role::parse(&f.role).ok_or_else(|| isms_app::AppError::invalid_field("role", "choose a role"))?;
    match create_token(
        &s.cx,
        &viewer.principal,
        NewToken { name: f.name, role_ceiling: role, days: f.days, kind: isms_domain::TokenKind::Api },
    )
    .await
    {
        Ok((_, secret)) => {
            let mut response = tokens_page(&s, &viewer, Some(secret), vec![]).await?.into_response();
            response
                .headers_mut()
                .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Err(e) if matches!(e.kind, isms_app::ErrorKind::Invalid | isms_app::ErrorKind::Forbidden) => {
            let page = tokens_page(&s, &viewer, None, problem_page(&e)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct RevokeForm {
    id: String,
}

async fn revoke(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<RevokeForm>) -> Result<Response, PageError> {
    revoke_token(&s.cx, &viewer.principal, &f.id).await?;
    Ok(see_other("/tokens"))
}
