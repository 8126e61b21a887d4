//! Account administration from the installation's command line (list accounts,
//! disable one, reset a password, add an organization) and the organization's
//! members. People join by invitation ([`crate::invitations`]); nobody but the
//! account holder ever sees or sets its password, except the installation
//! administrator's reset, printed once to the operator. Every change is in the audit
//! trail of the organizations the account belongs to.

use isms_domain::access::UseCase;
use isms_domain::trail::{TrailActor, TrailDraft};
use isms_domain::{DisplayName, Email, Membership, OrgId, OrgName, Organization, Role, UserId};
use serde::Serialize;

use crate::access::Actor;
use crate::invitations::{Invited, invite_in};
use crate::password::{generate_password, hash_password};
use crate::trail::record;
use crate::{AppError, AppResult, Code, Cx};

/// Every account with the organizations and roles it holds.
pub async fn list_users(cx: &Cx) -> AppResult<Vec<(isms_domain::User, Vec<(String, Role)>)>> {
    let mut tx = cx.read().await?;
    let mut out = Vec::new();
    for user in tx.users().await? {
        let orgs = tx.organizations_of(user.id).await?.into_iter().map(|(o, r)| (o.name.to_string(), r)).collect();
        out.push((user, orgs));
    }
    Ok(out)
}

async fn change_user(
    cx: &Cx,
    actor: &TrailActor,
    email: &Email,
    action: &str,
    change: impl FnOnce(&mut isms_domain::User) -> AppResult<()>,
) -> AppResult<isms_domain::User> {
    let mut tx = cx.write().await?;
    let mut user = tx.lock_user(email).await?.ok_or_else(|| AppError::not_found(format!("user {email}")))?;
    let before = serde_json::to_string(&user).ok();
    change(&mut user)?;
    tx.update_user(&user).await?;
    let now = cx.clock.now();
    // A disabled account or a replaced password ends every open session and revokes
    // every API token and calendar address (enabling again brings none back).
    let sessions = tx.delete_sessions_of(user.id).await?;
    let tokens =
        if user.disabled || action == "user.password_reset" { tx.revoke_tokens_of(user.id, now).await? } else { 0 };
    let mut after = serde_json::to_value(&user).unwrap_or_default();
    after["sessions_ended"] = sessions.into();
    after["tokens_revoked"] = tokens.into();
    for (org, _) in tx.organizations_of(user.id).await? {
        let draft = TrailDraft {
            actor: actor.clone(),
            action: action.to_owned(),
            entity: "user".into(),
            entity_id: user.id.to_string(),
            before: before.clone(),
            after: Some(after.to_string()),
        };
        record(&mut *tx, org.id, now, draft).await?;
    }
    tx.commit().await?;
    Ok(user)
}

/// Disables (or re-enables) an account; a disabled account cannot sign in and keeps
/// its history.
pub async fn set_disabled(cx: &Cx, actor: &TrailActor, email: &Email, disabled: bool) -> AppResult<isms_domain::User> {
    let action = if disabled { "user.disabled" } else { "user.enabled" };
    change_user(cx, actor, email, action, |u| {
        u.disabled = disabled;
        Ok(())
    })
    .await
}

/// Replaces an account's password with a generated one, returned once.
pub async fn reset_password(cx: &Cx, actor: &TrailActor, email: &Email) -> AppResult<(isms_domain::User, String)> {
    let password = generate_password(&*cx.entropy);
    let hash = hash_password(&password, &*cx.entropy)?;
    let user = change_user(cx, actor, email, "user.password_reset", |u| {
        u.password_hash = hash;
        Ok(())
    })
    .await?;
    Ok((user, password))
}

/// Adds another organization to the workspace (a consultant's next client) and
/// invites its first owner: the link, shown once, lets them set their password (a new
/// account) or join with the account they have. Names are unique, ignoring case.
pub async fn add_organization(
    cx: &Cx,
    actor: &TrailActor,
    name: OrgName,
    owner_email: Email,
    owner_name: DisplayName,
    base_url: &str,
) -> AppResult<(Organization, Invited)> {
    let mut tx = cx.write().await?;
    if tx.organizations().await?.iter().any(|o| o.name.as_str().eq_ignore_ascii_case(name.as_str())) {
        return Err(AppError::new(Code::OrganizationExists, format!("an organization named {name} already exists")));
    }
    let organization =
        Organization { id: OrgId::from_random_bytes(cx.random_id_bytes()), name, created_at: cx.clock.now() };
    crate::workspace::add_organization(&mut *tx, cx, actor, &organization).await?;
    let invited = invite_in(&mut *tx, cx, actor, &organization, owner_email, owner_name, Role::Owner, base_url).await?;
    tx.commit().await?;
    Ok((organization, invited))
}

/// Every organization of the installation (for the operator's command line).
pub async fn organizations(cx: &Cx) -> AppResult<Vec<Organization>> {
    Ok(cx.read().await?.organizations().await?)
}

/// Every organization with its number of members.
pub async fn list_organizations(cx: &Cx) -> AppResult<Vec<(Organization, usize)>> {
    let mut tx = cx.read().await?;
    let mut out = Vec::new();
    for org in tx.organizations().await? {
        let members = tx.members(org.id).await?.len();
        out.push((org, members));
    }
    Ok(out)
}

/// A member of an organization, as the other members see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Member {
    /// The account id.
    pub user: UserId,
    /// The login name.
    pub email: Email,
    /// The display name.
    pub name: DisplayName,
    /// The role here.
    pub role: Role,
    /// Member since.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub since: time::OffsetDateTime,
    /// Whether the account is disabled (installation-wide).
    pub disabled: bool,
}

/// The organization's members, by e-mail.
pub async fn members(cx: &Cx, actor: &Actor) -> AppResult<Vec<Member>> {
    actor.require(UseCase::ReadIsms)?;
    members_of(cx, actor.org()).await
}

/// [`members`] for the app's own use inside a checked use case.
pub(crate) async fn members_of(cx: &Cx, org: OrgId) -> AppResult<Vec<Member>> {
    let mut tx = cx.read().await?;
    tx.organization(org).await?;
    Ok(tx
        .members(org)
        .await?
        .into_iter()
        .map(|(u, m)| Member {
            user: u.id,
            email: u.email,
            name: u.display_name,
            role: m.role,
            since: m.since,
            disabled: u.disabled,
        })
        .collect())
}

/// Changes a member's role (`None` removes the member), keeping at least one owner.
/// Takes effect on the member's next request: sessions and tokens read the role live.
pub async fn change_member(cx: &Cx, actor: &Actor, email: &Email, role: Option<Role>) -> AppResult<Option<Member>> {
    actor.require(UseCase::ManageMembers)?;
    let org = actor.org();
    let mut tx = cx.write().await?;
    let organization = tx.lock_organization(org).await?;
    let members = tx.members(org).await?;
    let not_member = || AppError::not_found(format!("member {email}"));
    let (user, membership) = members.iter().find(|(u, _)| &u.email == email).ok_or_else(not_member)?;
    let owners = members.iter().filter(|(_, m)| m.role == Role::Owner).count();
    if membership.role == Role::Owner && role != Some(Role::Owner) && owners == 1 {
        return Err(AppError::new(
            Code::LastOwner,
            format!("{email} is the only owner of {}; make someone else owner first", organization.name),
        ));
    }
    let after = role.map(|r| Membership { role: r, ..membership.clone() });
    let action = if let Some(r) = role {
        tx.set_member_role(org, user.id, r).await?;
        "membership.changed"
    } else {
        tx.remove_member(org, user.id).await?;
        "membership.removed"
    };
    let draft = TrailDraft {
        actor: actor.trail(),
        action: action.into(),
        entity: "membership".into(),
        entity_id: format!("{org}/{}", user.id),
        before: serde_json::to_string(membership).ok(),
        after: after.as_ref().and_then(|m| serde_json::to_string(m).ok()),
    };
    record(&mut *tx, org, cx.clock.now(), draft).await?;
    tx.commit().await?;
    Ok(after.map(|m| Member {
        user: user.id,
        email: user.email.clone(),
        name: user.display_name.clone(),
        role: m.role,
        since: m.since,
        disabled: user.disabled,
    }))
}
