//! The organization's members and invitations: who is in it with which role. Owners
//! invite people (a one-time link, the same answer whether or not the address has an
//! account), withdraw invitations, change roles and remove members; the last owner
//! cannot be demoted or removed. A person accepts an invitation with the link's
//! secret: a new account chooses its password, an existing one proves it.

use std::collections::BTreeMap;

use super::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use isms_domain::{DisplayName, Email, Role};
use serde_json::{Value, json};

use super::doc::{Access, Api, Op};
use super::list::page;
use super::{Body, field};
use crate::auth::{ClientAddr, Member};
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/members", "listMembers", "members", "The organization's members and their roles")
                .list()
                .answers_page::<isms_app::users::Member>(),
            get(list),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/invitations",
                "listInvitations",
                "members",
                "The organization's invitations (pending, accepted, revoked, expired)",
            )
            .list()
            .answers_page::<isms_app::invitations::InvitationView>(),
            get(list_invitations),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/invitations",
                "inviteMember",
                "members",
                "Invite a person with a role: a one-time link valid 7 days, in this answer only",
            )
            .body_type::<NewMember>()
            .answers::<isms_app::invitations::Invited>()
            .ok(201),
            post(invite),
        )
        .op(
            Op::new(
                "delete",
                "/api/v1/invitations/{id}",
                "revokeInvitation",
                "members",
                "Withdraw a pending invitation; its link stops working",
            )
            .answers::<isms_app::invitations::InvitationView>(),
            delete(revoke_invitation),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/invitations/accept",
                "acceptInvitation",
                "members",
                "Accept an invitation with its link's secret: a new account chooses its password, an existing account gives its own; signs in",
            )
            .access(Access::Public)
            .body_type::<Acceptance>()
            .answers::<Accepted>()
            .ok(201),
            post(accept),
        )
        .op(
            Op::new("patch", "/api/v1/members/{email}", "changeMemberRole", "members", "Change a member's role")
                .body_type::<RoleChange>()
                .answers::<Option<isms_app::users::Member>>(),
            patch(change),
        )
        .op(
            Op::new(
                "delete",
                "/api/v1/members/{email}",
                "removeMember",
                "members",
                "Remove a member (their tokens go; their history stays)",
            )
            .ok(204),
            delete(remove),
        )
}

fn email(name: &str, text: &str) -> Result<Email, ApiError> {
    Email::parse(text).map_err(|e| field(name, e.to_string()).into())
}

fn role(text: &str) -> Result<Role, ApiError> {
    Role::parse(text).ok_or_else(|| {
        field("role", format!("{text:?} is not owner, isms_manager, control_owner, contributor, auditor or viewer"))
            .into()
    })
}

async fn list(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(page(&isms_app::users::members(&s.cx, &caller).await?, &q)?))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewMember {
    /// Their e-mail (the login name)
    email: String,
    /// Their name, as the new account's default
    name: Option<String>,
    /// owner, isms_manager, control_owner, contributor, auditor or viewer
    role: String,
}

async fn list_invitations(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(page(&isms_app::invitations::list(&s.cx, &caller).await?, &q)?))
}

async fn invite(
    State(s): State<AppState>,
    Member(caller): Member,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    Body(n): Body<NewMember>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let address = email("email", &n.email)?;
    let name_text = n.name.unwrap_or_else(|| address.as_str().split('@').next().unwrap_or_default().to_owned());
    let name = DisplayName::parse(&name_text).map_err(|e| ApiError::from(field("name", e.to_string())))?;
    let base = crate::auth::public_base(&s, &uri, &headers);
    let invited = isms_app::invitations::invite(&s.cx, &caller, address, name, role(&n.role)?, &base).await?;
    Ok((StatusCode::CREATED, Json(json!(invited))))
}

async fn revoke_invitation(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::invitations::revoke(&s.cx, &caller, &id).await?)))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Acceptance {
    /// The secret at the end of the invitation link
    token: String,
    /// A new account's chosen password (at least 12 characters), or an existing account's own
    password: String,
    /// A new account's name (default: the name the invitation gave)
    name: Option<String>,
}

/// An invitation accepted: the member, signed in (the session cookie is set).
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct Accepted {
    /// The account.
    user: isms_domain::User,
    /// The organization joined.
    organization: isms_domain::Organization,
    /// The role there.
    role: Role,
    /// Send it as `x-csrf-token` with requests that change state.
    csrf_token: String,
}

async fn accept(
    State(s): State<AppState>,
    ClientAddr(address): ClientAddr,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    Body(a): Body<Acceptance>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    if !crate::auth::same_site_form(&headers) {
        return Err(super::session::cross_site().into());
    }
    let name =
        a.name.map(|n| DisplayName::parse(&n).map_err(|e| ApiError::from(field("name", e.to_string())))).transpose()?;
    let signed = isms_app::invitations::accept(&s.cx, a.token.trim(), &a.password, name, &address).await?;
    let p = signed.principal;
    let (organization, role) = p.current.clone().ok_or_else(|| {
        ApiError::from(isms_app::AppError::new(
            isms_app::Code::Internal,
            "the accepted membership is not the session's organization",
        ))
    })?;
    let answer = Accepted { user: p.user, organization, role, csrf_token: p.session.csrf_token };
    let cookie = crate::auth::session_cookie(
        &signed.token,
        isms_app::sessions::SESSION_LIFETIME.whole_seconds(),
        crate::auth::is_tls(&uri, &headers),
    );
    Ok((StatusCode::CREATED, [(axum::http::header::SET_COOKIE, cookie)], Json(json!(answer))).into_response())
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RoleChange {
    /// The new role
    role: String,
}

async fn change(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(who): Path<String>,
    Body(c): Body<RoleChange>,
) -> Result<Json<Value>, ApiError> {
    let changed = isms_app::users::change_member(&s.cx, &caller, &email("email", &who)?, Some(role(&c.role)?)).await?;
    Ok(Json(json!(changed)))
}

async fn remove(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(who): Path<String>,
) -> Result<StatusCode, ApiError> {
    isms_app::users::change_member(&s.cx, &caller, &email("email", &who)?, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
