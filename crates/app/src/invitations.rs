//! Invitations: the only way a person joins an organization. An owner invites an
//! address with a role; the answer is the same whether or not the address already has
//! an account. The invitation is a one-time link, valid seven days, stored only as the
//! SHA-256 of its secret, shown once to whoever invited (e-mail delivery comes with
//! notifications). Opening it, a new person chooses their own password; a person who
//! already has an account proves it with that account's password (throttled like a
//! sign-in). Invitations are listed and revocable, and every step is in the trail.

use isms_domain::access::UseCase;
use isms_domain::invitation::INVITATION_LIFETIME;
use isms_domain::trail::{TrailActor, TrailDraft};
use isms_domain::{DisplayName, Email, Invitation, InvitationState, Membership, Organization, Role, User};
use isms_store::WriteTx;
use serde::Serialize;

use crate::access::Actor;
use crate::sessions::{MIN_PASSWORD_CHARS, SignedIn, check_credentials, sign_in_after_acceptance, token_hash};
use crate::trail::record;
use crate::{AppError, AppResult, Code, Cx};

/// The path an invitation link opens (followed by the secret).
pub const LINK_PATH: &str = "/invite/";

/// An invitation just made, with its link (shown once).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Invited {
    /// The invitation.
    pub invitation: Invitation,
    /// The one-time link to hand to the invitee; only its hash is stored.
    pub link: String,
}

/// An invitation as the organization's owners see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InvitationView {
    /// The invitation.
    #[serde(flatten)]
    pub invitation: Invitation,
    /// Where it stands now.
    pub state: InvitationState,
}

/// What the invitee sees before accepting: whom they are invited by, to what.
#[derive(Debug, Clone, Serialize)]
pub struct Offer {
    /// The invitation.
    pub invitation: Invitation,
    /// The organization's name.
    pub organization: Organization,
}

fn draft(actor: &TrailActor, action: &str, invitation: &Invitation, before: Option<&Invitation>) -> TrailDraft {
    TrailDraft {
        actor: actor.clone(),
        action: action.to_owned(),
        entity: "invitation".into(),
        entity_id: invitation.id.clone(),
        before: before.and_then(|b| serde_json::to_string(b).ok()),
        after: serde_json::to_string(invitation).ok(),
    }
}

fn invalid_link() -> AppError {
    AppError::new(
        Code::InvitationInvalid,
        "this invitation link does not work: it was used, withdrawn or has expired; ask for a new one",
    )
}

/// Invites `email` to `org` with `role` inside `tx` (the organization is locked by the
/// caller). An earlier pending invitation of the same address to the same
/// organization is replaced (revoked). Refused only when the address is already a
/// member here — which every member can see anyway.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn invite_in(
    tx: &mut dyn WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: &Organization,
    email: Email,
    name: DisplayName,
    role: Role,
    base_url: &str,
) -> AppResult<Invited> {
    let now = cx.clock.now();
    if let Some(u) = tx.user_by_email(&email).await?
        && tx.membership(org.id, u.id).await?.is_some()
    {
        return Err(AppError::new(Code::AlreadyMember, format!("{email} is already a member of {}", org.name)));
    }
    for earlier in tx.invitations(org.id).await? {
        if earlier.email == email && earlier.state(now) == InvitationState::Pending {
            let mut replaced = earlier.clone();
            replaced.revoked_at = Some(now);
            tx.settle_invitation(&replaced).await?;
            record(tx, org.id, now, draft(actor, "invitation.replaced", &replaced, Some(&earlier))).await?;
        }
    }
    let mut secret = [0u8; 32];
    cx.entropy.fill(&mut secret);
    let secret = hex::encode(secret);
    let mut id = [0u8; 8];
    cx.entropy.fill(&mut id);
    let invitation = Invitation {
        id: format!("inv_{}", hex::encode(id)),
        org: org.id,
        email,
        name,
        role,
        token_hash: token_hash(&secret),
        invited_by: actor.to_stored(),
        created_at: now,
        expires_at: now + INVITATION_LIFETIME,
        accepted_at: None,
        accepted_by: None,
        revoked_at: None,
    };
    tx.insert_invitation(&invitation).await?;
    record(tx, org.id, now, draft(actor, "invitation.created", &invitation, None)).await?;
    Ok(Invited { link: format!("{}{LINK_PATH}{secret}", base_url.trim_end_matches('/')), invitation })
}

/// Invites a person to an organization (see [`invite_in`]). `base_url` is where the
/// link points (`https://isms.example`); empty gives a path.
pub async fn invite(
    cx: &Cx,
    actor: &Actor,
    email: Email,
    name: DisplayName,
    role: Role,
    base_url: &str,
) -> AppResult<Invited> {
    actor.require(UseCase::ManageMembers)?;
    let mut tx = cx.write().await?;
    let organization = tx.lock_organization(actor.org()).await?;
    let invited = invite_in(&mut *tx, cx, &actor.trail(), &organization, email, name, role, base_url).await?;
    tx.commit().await?;
    Ok(invited)
}

/// The organization's invitations, newest first, with their state.
pub async fn list(cx: &Cx, actor: &Actor) -> AppResult<Vec<InvitationView>> {
    actor.require(UseCase::ManageMembers)?;
    let org = actor.org();
    let now = cx.clock.now();
    let mut tx = cx.read().await?;
    tx.organization(org).await?;
    Ok(tx
        .invitations(org)
        .await?
        .into_iter()
        .map(|invitation| InvitationView { state: invitation.state(now), invitation })
        .collect())
}

/// Withdraws a pending invitation; its link stops working at once.
pub async fn revoke(cx: &Cx, actor: &Actor, id: &str) -> AppResult<InvitationView> {
    actor.require(UseCase::ManageMembers)?;
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    let now = cx.clock.now();
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let Some(before) = tx.invitations(org).await?.into_iter().find(|i| i.id == id) else {
        return Err(AppError::not_found(format!("invitation {id}")));
    };
    let state = before.state(now);
    if state != InvitationState::Pending {
        return Err(AppError::new(
            Code::InvitationNotPending,
            format!("invitation {id} is {}; only a pending invitation can be withdrawn", state.as_str()),
        ));
    }
    let mut after = before.clone();
    after.revoked_at = Some(now);
    tx.settle_invitation(&after).await?;
    record(&mut *tx, org, now, draft(actor, "invitation.revoked", &after, Some(&before))).await?;
    tx.commit().await?;
    Ok(InvitationView { state: after.state(now), invitation: after })
}

/// What a link offers, if it still works.
pub async fn offer(cx: &Cx, secret: &str) -> AppResult<Offer> {
    let mut tx = cx.read().await?;
    let invitation = tx.invitation_by_hash(&token_hash(secret)).await?.ok_or_else(invalid_link)?;
    if invitation.state(cx.clock.now()) != InvitationState::Pending {
        return Err(invalid_link());
    }
    let organization = tx.organization(invitation.org).await?;
    Ok(Offer { invitation, organization })
}

/// Accepts an invitation and signs the person in (see [`join`]).
pub async fn accept(
    cx: &Cx,
    secret: &str,
    password: &str,
    name: Option<DisplayName>,
    address: &str,
) -> AppResult<SignedIn> {
    let (user, organization, _) = join(cx, secret, password, name, address).await?;
    sign_in_after_acceptance(cx, user, address, organization.id).await
}

/// Accepts an invitation with a password: for an address without an account it
/// becomes the new account's password (`name` replaces the invited name); for an
/// address with an account it must be that account's password (checked and throttled
/// like a sign-in from `address`). One link is accepted once, however many tries
/// race. Answers the account, the organization joined and the role there.
pub async fn join(
    cx: &Cx,
    secret: &str,
    password: &str,
    name: Option<DisplayName>,
    address: &str,
) -> AppResult<(User, Organization, Role)> {
    let hash = token_hash(secret);
    let Offer { invitation, .. } = offer(cx, secret).await?;
    // An account that belongs to no organization (its last membership was removed)
    // opens nothing: accepting treats it as new, so whoever made it — another
    // organization, say — keeps no way in once the invitee chooses their password.
    let (existing, member_somewhere) = {
        let mut tx = cx.read().await?;
        match tx.user_by_email(&invitation.email).await? {
            Some(u) => {
                let member = !tx.organizations_of(u.id).await?.is_empty();
                (Some(u), member)
            }
            None => (None, false),
        }
    };
    if member_somewhere {
        let tx = cx.write().await?;
        let (tx, user) = check_credentials(cx, tx, invitation.email.as_str(), password, address).await?;
        settle(cx, tx, &hash, user, false).await
    } else {
        join_as_new(cx, &hash, invitation, existing, password, name).await
    }
}

/// Joins with a password chosen now: a new account, or one that belongs to no
/// organization (`orphan`), whose password and name are replaced.
async fn join_as_new(
    cx: &Cx,
    hash: &str,
    invitation: Invitation,
    orphan: Option<User>,
    password: &str,
    name: Option<DisplayName>,
) -> AppResult<(User, Organization, Role)> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid_field(
            "password",
            format!("choose a password of at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if orphan.as_ref().is_some_and(|u| u.disabled) {
        return Err(AppError::new(
            Code::AccountDisabled,
            "the account with this address is disabled; ask whoever runs isms to enable it",
        ));
    }
    let password_hash = crate::password::hash_password_blocking(password, &*cx.entropy).await?;
    let display_name = name.unwrap_or_else(|| invitation.name.clone());
    let replaced = orphan.is_some();
    let user = match orphan {
        Some(u) => User { password_hash, display_name, ..u },
        None => User {
            id: isms_domain::UserId::from_random_bytes(cx.random_id_bytes()),
            email: invitation.email.clone(),
            display_name,
            password_hash,
            disabled: false,
            created_at: cx.clock.now(),
        },
    };
    settle(cx, cx.write().await?, hash, user, replaced).await
}

/// Records the acceptance in `tx`: the account (new, or an orphan's new password),
/// the membership, the settled invitation — all or nothing, under the organization's
/// lock, so one link is accepted once.
async fn settle(
    cx: &Cx,
    mut tx: Box<dyn WriteTx>,
    hash: &str,
    user: User,
    replaced: bool,
) -> AppResult<(User, Organization, Role)> {
    let now = cx.clock.now();
    let inv = tx.invitation_by_hash(hash).await?.ok_or_else(invalid_link)?;
    let organization = tx.lock_organization(inv.org).await?;
    // Settled under the lock: whichever acceptance comes second finds it used.
    let before = tx.lock_invitation(hash).await?.ok_or_else(invalid_link)?;
    if before.state(now) != InvitationState::Pending {
        return Err(invalid_link());
    }
    let actor = TrailActor::User(user.id);
    let retry =
        || AppError::new(Code::InvitationRetry, "this address's account changed a moment ago; open the link again");
    match tx.user_by_email(&user.email).await? {
        None if !replaced => {
            tx.insert_user(&user).await?;
            let d = crate::trail::created(&actor, "user.created", "user", user.id.to_string(), &user);
            record(&mut *tx, organization.id, now, d).await?;
        }
        Some(stored) if replaced && stored.id == user.id => {
            if !tx.organizations_of(user.id).await?.is_empty() {
                return Err(retry());
            }
            tx.update_user(&user).await?;
            tx.delete_sessions_of(user.id).await?;
            tx.revoke_tokens_of(user.id, now).await?;
            let d = TrailDraft {
                actor: actor.clone(),
                action: "user.password_set".into(),
                entity: "user".into(),
                entity_id: user.id.to_string(),
                before: None,
                after: Some(
                    serde_json::json!({ "by": "accepting an invitation", "reason": "the account belonged to no organization" })
                        .to_string(),
                ),
            };
            record(&mut *tx, organization.id, now, d).await?;
        }
        Some(stored) if !replaced && stored.id == user.id => {}
        _ => return Err(retry()),
    }
    if tx.membership(organization.id, user.id).await?.is_some() {
        return Err(AppError::new(
            Code::AlreadyMember,
            format!("{} is already a member of {}", user.email, organization.name),
        ));
    }
    let membership = Membership { org: organization.id, user: user.id, role: before.role, since: now };
    tx.insert_membership(&membership).await?;
    let d = crate::trail::created(
        &actor,
        "membership.granted",
        "membership",
        format!("{}/{}", organization.id, user.id),
        &membership,
    );
    record(&mut *tx, organization.id, now, d).await?;
    let mut after = before.clone();
    after.accepted_at = Some(now);
    after.accepted_by = Some(user.id);
    tx.settle_invitation(&after).await?;
    record(&mut *tx, organization.id, now, draft(&actor, "invitation.accepted", &after, Some(&before))).await?;
    tx.commit().await?;
    Ok((user, organization, before.role))
}
