//! The organization's members: who is in it with which role. Owners add people
//! (a new account gets a generated password, shown once), change roles and remove
//! members; the last owner cannot be demoted or removed.

use std::collections::BTreeMap;

use super::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use isms_app::access::guarded;
use isms_domain::{DisplayName, Email, Role, UserId};
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::list::page;
use super::{Body, field};
use crate::auth::Member;
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
                "post",
                "/api/v1/members",
                "addMember",
                "members",
                "Add a person (a new account's password is shown once)",
            )
            .body_type::<NewMember>()
            .answers::<AddedMember>()
            .ok(201),
            post(add),
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
    Ok(Json(page(&guarded::members(&s.cx, &caller).await?, &q)?))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewMember {
    /// Their e-mail (the login name)
    email: String,
    /// Their name (for a new account)
    name: Option<String>,
    /// owner, isms_manager, control_owner, contributor, auditor or viewer
    role: String,
}

/// A member added.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct AddedMember {
    /// The account id.
    user: UserId,
    /// The login name.
    email: Email,
    /// The display name.
    name: DisplayName,
    /// The role granted.
    role: Role,
    /// The new account's password, shown once; null when the account already existed.
    password: Option<String>,
}

async fn add(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(n): Body<NewMember>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let address = email("email", &n.email)?;
    let name_text = n.name.unwrap_or_else(|| address.as_str().split('@').next().unwrap_or_default().to_owned());
    let name = DisplayName::parse(&name_text).map_err(|e| ApiError::from(field("name", e.to_string())))?;
    let added = guarded::add_member(&s.cx, &caller, address, name, role(&n.role)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!(AddedMember {
            user: added.user.id,
            email: added.user.email,
            name: added.user.display_name,
            role: added.role,
            password: added.password,
        })),
    ))
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
    let changed = guarded::change_member(&s.cx, &caller, &email("email", &who)?, Some(role(&c.role)?)).await?;
    Ok(Json(json!(changed)))
}

async fn remove(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(who): Path<String>,
) -> Result<StatusCode, ApiError> {
    guarded::change_member(&s.cx, &caller, &email("email", &who)?, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
