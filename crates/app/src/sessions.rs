//! Signing in and out. Sessions live in the database (every replica sees them) under
//! the SHA-256 of their token. Failed sign-ins are throttled per account and address,
//! per address, and per account from addresses it has never signed in from (see
//! [`isms_domain::throttle`]); the counters are locked while an attempt is checked, so
//! parallel attempts are counted one after another on every engine. Every success and
//! failure lands in the audit trail.

use isms_domain::throttle::{self, Throttle};
use isms_domain::trail::{TrailActor, TrailDraft};
use isms_domain::{Email, OrgId, Organization, Role, Session, User};
use isms_store::{ReadTx, WriteTx};
use sha2::{Digest, Sha256};
use time::Duration;

use crate::access::{Actor, Caller};
use crate::password::verify_password_blocking;
use crate::trail::record;
use crate::{AppError, AppResult, Code, Cx};

/// How long a session lasts after sign-in.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);

/// A PHC hash no password matches, verified when the e-mail is unknown so that the
/// answer takes as long as for a known account (no account enumeration by timing).
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ZGVjb3lkZWNveWRlY295$Wd2B8tWmu1m1Rj4z0h7bX2pR5cQ2w8fCk1yAq3nE9hQ";

/// A fresh sign-in: the token for the cookie (shown to the client only) and the
/// principal it opens.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The bearer secret; only its hash is stored.
    pub token: String,
    /// Who signed in, with the session and the current organization.
    pub principal: Principal,
}

/// Who is behind a request: the account, its session, and its role in the current
/// organization (if one is chosen).
#[derive(Debug, Clone)]
pub struct Principal {
    /// The signed-in account.
    pub user: User,
    /// The session.
    pub session: Session,
    /// The current organization and the role held there.
    pub current: Option<(Organization, Role)>,
}

impl Principal {
    /// The member acting in the session's organization; an error when no
    /// organization is chosen yet.
    pub fn caller(&self) -> AppResult<Caller> {
        match &self.current {
            Some((org, role)) => Ok(Caller { user: self.user.id, org: org.id, role: *role, ceiling: None }),
            None => Err(AppError::new(
                Code::NoOrganizationChosen,
                "choose an organization first (PUT /api/v1/session/organization)",
            )),
        }
    }

    /// [`Principal::caller`] as the actor of a use case.
    pub fn actor(&self) -> AppResult<Actor> {
        self.caller().map(Actor::Member)
    }
}

/// Hex SHA-256 of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_token(cx: &Cx) -> String {
    let mut bytes = [0u8; 32];
    cx.entropy.fill(&mut bytes);
    hex::encode(bytes)
}

fn failed() -> AppError {
    AppError::new(Code::SignInFailed, "the e-mail or password is wrong")
}

fn draft(user: &User, action: &str, after: &serde_json::Value) -> TrailDraft {
    TrailDraft {
        actor: TrailActor::User(user.id),
        action: action.to_owned(),
        entity: "user".into(),
        entity_id: user.id.to_string(),
        before: None,
        after: Some(after.to_string()),
    }
}

fn throttled(wait: Duration) -> AppError {
    let seconds = throttle::whole_seconds(wait);
    let when = if seconds < 120 { format!("{seconds} seconds") } else { format!("{} minutes", (seconds + 59) / 60) };
    AppError::new(Code::SignInThrottled, format!("too many failed sign-ins; try again in {when}"))
}

/// The organizations an account may open now: its memberships, but an external
/// auditor's only while an audit access of theirs is open.
pub(crate) async fn open_organizations(
    tx: &mut dyn ReadTx,
    user: &User,
    now: time::OffsetDateTime,
) -> AppResult<Vec<(Organization, Role)>> {
    let mut open = Vec::new();
    for (org, role) in tx.organizations_of(user.id).await? {
        if crate::auditors::membership_open(tx, org.id, role, user.email.as_str(), now.date()).await? {
            open.push((org, role));
        }
    }
    Ok(open)
}

/// Whether an account may be used at all: enabled, and a member somewhere (an external
/// auditor while their access is open) or invited somewhere (an account whose last
/// membership was removed opens nothing).
pub(crate) async fn usable(tx: &mut dyn ReadTx, user: &User, now: time::OffsetDateTime) -> AppResult<bool> {
    Ok(!user.disabled
        && (!open_organizations(tx, user, now).await?.is_empty()
            || tx.has_pending_invitation(&user.email, now).await?))
}

/// The day an external auditor's last access ended, when that is all the account had.
async fn access_ended(tx: &mut dyn ReadTx, user: &User) -> AppResult<Option<time::Date>> {
    let mut ended = None;
    for (org, role) in tx.organizations_of(user.id).await? {
        if role != Role::ExternalAuditor {
            return Ok(None);
        }
        ended = ended.max(crate::auditors::ended_on(tx, org.id, user.email.as_str()).await?);
    }
    Ok(ended)
}

/// Checks an e-mail and password from `address` inside `tx`, throttled. On success the
/// transaction is handed back (the caller commits it with its own changes); on
/// failure the failure is counted and recorded, committed, and the error never says
/// which part was wrong.
pub(crate) async fn check_credentials(
    cx: &Cx,
    mut tx: Box<dyn WriteTx>,
    email: &str,
    password: &str,
    address: &str,
) -> AppResult<(Box<dyn WriteTx>, User)> {
    let now = cx.clock.now();
    let account = email.trim().to_lowercase();
    let keys = [format!("pair:{account}|{address}"), format!("address:{address}"), format!("account:{account}")];
    let mut states = [Throttle::default(); 3];
    for (state, key) in states.iter_mut().zip(&keys) {
        *state = tx.lock_throttle(key).await?;
    }
    let user = match Email::parse(email) {
        Ok(e) => tx.user_by_email(&e).await?,
        Err(_) => None,
    };
    let known = match &user {
        Some(u) => tx.known_address(u.id, address).await?,
        None => false,
    };
    // The account-wide counter holds back only addresses the account never used.
    let counted = if known { 2 } else { 3 };
    if let Some(wait) = states[..counted].iter().filter_map(|s| s.wait(now)).max() {
        return Err(throttled(wait));
    }
    let matches =
        verify_password_blocking(password, user.as_ref().map_or(DECOY_HASH, |u| u.password_hash.as_str())).await;
    let ended = match &user {
        Some(u) if matches && !u.disabled && !usable(&mut *tx, u, now).await? => access_ended(&mut *tx, u).await?,
        _ => None,
    };
    let reason = match &user {
        Some(u) if matches && usable(&mut *tx, u, now).await? => None,
        Some(u) if u.disabled => Some("account disabled"),
        Some(_) if ended.is_some() => Some("external audit access ended"),
        Some(_) if matches => Some("no organization"),
        Some(_) => Some("wrong password"),
        None => Some("unknown account"),
    };
    let Some(reason) = reason else {
        let user = user.ok_or_else(failed)?;
        tx.save_throttle(&keys[0], &Throttle::default()).await?;
        tx.remember_address(user.id, address, now).await?;
        return Ok((tx, user));
    };
    let policies = [throttle::ACCOUNT_FROM_ADDRESS, throttle::ADDRESS, throttle::ACCOUNT_FROM_NEW_ADDRESSES];
    for ((state, key), policy) in states.iter().zip(&keys).zip(&policies).take(counted) {
        tx.save_throttle(key, &state.after_failure(policy, now)).await?;
    }
    if let Some(u) = &user {
        for (org, _) in tx.organizations_of(u.id).await? {
            let d = draft(u, "login.failed", &serde_json::json!({ "address": address, "reason": reason }));
            record(&mut *tx, org.id, now, d).await?;
        }
    }
    tx.commit().await?;
    if let Some(day) = ended {
        // The password was right: say why the account opens nothing any more.
        return Err(AppError::new(
            Code::Forbidden,
            format!("your access as external auditor ended on {day}; ask the organization to extend it"),
        ));
    }
    Err(failed())
}

/// Opens a session for `user` (already checked) in `tx`: in `start_in` when given,
/// else in the single organization of a member of one; several are chosen
/// explicitly. The sign-in is recorded (with the address) only in the organization
/// the session starts in.
async fn open_session(
    cx: &Cx,
    tx: &mut dyn WriteTx,
    user: User,
    address: &str,
    start_in: Option<OrgId>,
) -> AppResult<SignedIn> {
    let now = cx.clock.now();
    let orgs = open_organizations(&mut *tx, &user, now).await?;
    let token = random_token(cx);
    let current = match (start_in, orgs.as_slice()) {
        (Some(org), _) => orgs.iter().find(|(o, _)| o.id == org).cloned(),
        (None, [only]) => Some(only.clone()),
        (None, _) => None,
    };
    let session = Session {
        token_hash: token_hash(&token),
        user: user.id,
        org: current.as_ref().map(|(o, _)| o.id),
        csrf_token: random_token(cx),
        created_at: now,
        expires_at: now + SESSION_LIFETIME,
    };
    tx.insert_session(&session).await?;
    if let Some((org, _)) = &current {
        record(tx, org.id, now, draft(&user, "login.succeeded", &serde_json::json!({ "address": address }))).await?;
    }
    Ok(SignedIn { token, principal: Principal { user, session, current } })
}

/// Signs in with e-mail and password from `address`. Throttled after too many
/// failures; the error never says which part was wrong.
pub async fn sign_in(cx: &Cx, email: &str, password: &str, address: &str) -> AppResult<SignedIn> {
    let tx = cx.write().await?;
    let (mut tx, user) = check_credentials(cx, tx, email, password, address).await?;
    let signed = open_session(cx, &mut *tx, user, address, None).await?;
    tx.commit().await?;
    Ok(signed)
}

/// Signs in an account that has just accepted an invitation (it chose or proved its
/// password a moment ago), in the organization it joined.
pub(crate) async fn sign_in_after_acceptance(cx: &Cx, user: User, address: &str, org: OrgId) -> AppResult<SignedIn> {
    let mut tx = cx.write().await?;
    tx.remember_address(user.id, address, cx.clock.now()).await?;
    let signed = open_session(cx, &mut *tx, user, address, Some(org)).await?;
    tx.commit().await?;
    Ok(signed)
}

/// The principal behind a session token, or `Unauthenticated` when the token is
/// unknown, expired, or its account is disabled.
pub async fn authenticate(cx: &Cx, token: &str) -> AppResult<Principal> {
    let unauthenticated = || AppError::new(Code::NotSignedIn, "sign in first");
    let mut tx = cx.read().await?;
    let session = tx.session(&token_hash(token)).await?.ok_or_else(unauthenticated)?;
    if session.expires_at <= cx.clock.now() {
        return Err(unauthenticated());
    }
    let user = tx.user(session.user).await?;
    if user.disabled {
        return Err(unauthenticated());
    }
    let current = match session.org {
        Some(org) => match tx.membership(org, user.id).await? {
            Some(m)
                if crate::auditors::membership_open(&mut *tx, org, m.role, user.email.as_str(), cx.clock.today())
                    .await? =>
            {
                Some((tx.organization(org).await?, m.role))
            }
            _ => None,
        },
        None => None,
    };
    // Without a current organization the account must still be a member somewhere or
    // invited somewhere; one with neither opens nothing.
    if current.is_none() && !usable(&mut *tx, &user, cx.clock.now()).await? {
        return Err(unauthenticated());
    }
    Ok(Principal { user, session, current })
}

/// Ends a session (idempotent), recording the sign-out in the current organization.
pub async fn sign_out(cx: &Cx, principal: &Principal) -> AppResult<()> {
    let mut tx = cx.write().await?;
    if tx.delete_session(&principal.session.token_hash).await?
        && let Some((org, _)) = &principal.current
    {
        record(&mut *tx, org.id, cx.clock.now(), draft(&principal.user, "logout", &serde_json::json!({}))).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Makes `org` the session's current organization. An organization the account is
/// not a member of is "not found" — whether it exists is not revealed.
pub async fn switch_organization(cx: &Cx, principal: &Principal, org: OrgId) -> AppResult<(Organization, Role)> {
    let mut tx = cx.write().await?;
    let Some(m) = tx.membership(org, principal.user.id).await? else {
        return Err(AppError::not_found(format!("organization {org}")));
    };
    let email = principal.user.email.as_str();
    if !crate::auditors::membership_open(&mut *tx, org, m.role, email, cx.clock.today()).await? {
        return Err(AppError::not_found(format!("organization {org}")));
    }
    let organization = tx.organization(org).await?;
    tx.set_session_org(&principal.session.token_hash, Some(org)).await?;
    let d = draft(&principal.user, "organization.switched", &serde_json::json!({ "organization": org.to_string() }));
    record(&mut *tx, org, cx.clock.now(), d).await?;
    tx.commit().await?;
    Ok((organization, m.role))
}

/// The organizations the signed-in account belongs to, with its role in each (what
/// a consultant chooses from).
pub async fn my_organizations(cx: &Cx, principal: &Principal) -> AppResult<Vec<(Organization, Role)>> {
    let mut tx = cx.read().await?;
    open_organizations(&mut *tx, &principal.user, cx.clock.now()).await
}

/// The shortest password a person may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Changes the signed-in account's own password. The current password must be given;
/// every other session of the account ends (this one stays signed in), and with
/// `revoke_tokens` (what the forms and the API default to) every API token and
/// calendar address of the account stops working too. Answers how many tokens were
/// revoked.
pub async fn change_password(
    cx: &Cx,
    principal: &Principal,
    current: &str,
    new: &str,
    revoke_tokens: bool,
) -> AppResult<u64> {
    if !verify_password_blocking(current, &principal.user.password_hash).await {
        return Err(AppError::invalid_field("current_password", "is not the account's password"));
    }
    if new.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid_field(
            "new_password",
            format!("must have at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if new == current {
        return Err(AppError::invalid_field("new_password", "must differ from the current password"));
    }
    let hash = crate::password::hash_password_blocking(new, &*cx.entropy).await?;
    let now = cx.clock.now();
    let mut tx = cx.write().await?;
    let mut user = tx
        .lock_user(&principal.user.email)
        .await?
        .ok_or_else(|| AppError::not_found(format!("user {}", principal.user.email)))?;
    user.password_hash = hash;
    tx.update_user(&user).await?;
    tx.delete_sessions_of(user.id).await?;
    tx.insert_session(&principal.session).await?;
    let revoked = if revoke_tokens { tx.revoke_tokens_of(user.id, now).await? } else { 0 };
    let after = serde_json::json!({ "other_sessions_ended": true, "tokens_revoked": revoked });
    for (org, _) in tx.organizations_of(user.id).await? {
        record(&mut *tx, org.id, now, draft(&user, "user.password_changed", &after)).await?;
    }
    tx.commit().await?;
    Ok(revoked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decoy_hash_is_a_real_argon2id_hash_that_matches_nothing() {
        let parsed = argon2::password_hash::PasswordHash::new(DECOY_HASH).expect("parses, so it costs a full verify");
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        for guess in ["", "password", "decoy"] {
            assert!(!crate::password::verify_password(guess, DECOY_HASH));
        }
    }

    #[test]
    fn token_hashes_are_hex_sha256() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
