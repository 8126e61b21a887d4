//! API tokens for automation, and calendar tokens for feed addresses: created by a
//! signed-in member for the current organization, with a role ceiling within their
//! own role and an expiry; shown once, stored as a SHA-256 hash; revocable; every
//! creation and revocation audited. A calendar token opens the calendar feed and
//! nothing else.

use isms_domain::access::within;
use isms_domain::trail::{TrailActor, TrailDraft};
use isms_domain::{ApiToken, Role, TokenKind};
use time::Duration;

use crate::access::{Actor, Caller};
use crate::sessions::{Principal, token_hash};
use crate::trail::record;
use crate::{AppError, AppResult, Code, Cx};

/// Prefix of every token secret, so leaked tokens are recognizable by scanners.
pub const TOKEN_PREFIX: &str = "isms_";
/// The longest a token may live.
pub const MAX_DAYS: i64 = 365;

/// What a member asks for.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// A name to recognize it by.
    pub name: String,
    /// The most it may do.
    pub role_ceiling: Role,
    /// Days until it expires (1 to [`MAX_DAYS`]).
    pub days: i64,
    /// An API token or a calendar feed token.
    pub kind: TokenKind,
}

impl NewToken {
    /// A calendar feed token: read-only, for a year.
    pub fn calendar(name: Option<String>) -> NewToken {
        NewToken {
            name: name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "Calendar subscription".into()),
            role_ceiling: Role::Viewer,
            days: MAX_DAYS,
            kind: TokenKind::Calendar,
        }
    }
}

fn draft(caller: &Caller, action: &str, token: &ApiToken) -> TrailDraft {
    TrailDraft {
        actor: TrailActor::User(caller.user),
        action: action.to_owned(),
        entity: "api_token".into(),
        entity_id: token.id.clone(),
        before: None,
        after: serde_json::to_string(token).ok(),
    }
}

/// Creates a token in the session's organization; returns it and its secret (shown
/// once).
pub async fn create_token(cx: &Cx, principal: &Principal, new: NewToken) -> AppResult<(ApiToken, String)> {
    let caller = principal.caller()?;
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid_field("name", "give the token a name of 1 to 100 characters"));
    }
    if !(1..=MAX_DAYS).contains(&new.days) {
        return Err(AppError::invalid_field("expires_in_days", format!("must be between 1 and {MAX_DAYS}")));
    }
    if new.kind == TokenKind::Calendar && new.role_ceiling != Role::Viewer {
        return Err(AppError::invalid_field("role", "a calendar token reads only: its ceiling is viewer"));
    }
    if !within(new.role_ceiling, caller.role) {
        return Err(AppError::new(
            Code::Forbidden,
            format!(
                "a token's ceiling must be within your own role: {} allows what {} does not",
                new.role_ceiling.label(),
                caller.role.label()
            ),
        ));
    }
    let mut secret = [0u8; 20];
    cx.entropy.fill(&mut secret);
    let secret = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
    let mut id = [0u8; 6];
    cx.entropy.fill(&mut id);
    let now = cx.clock.now();
    let token = ApiToken {
        id: format!("tok_{}", hex::encode(id)),
        user: caller.user,
        org: caller.org,
        name: name.to_owned(),
        token_hash: token_hash(&secret),
        role_ceiling: new.role_ceiling,
        created_at: now,
        expires_at: now + Duration::days(new.days),
        revoked_at: None,
        kind: new.kind,
    };
    let mut tx = cx.write().await?;
    tx.insert_token(&token).await?;
    let action = match token.kind {
        TokenKind::Api => "api_token.created",
        TokenKind::Calendar => "calendar_token.created",
    };
    record(&mut *tx, caller.org, now, draft(&caller, action, &token)).await?;
    tx.commit().await?;
    Ok((token, secret))
}

/// The caller's tokens in the session's organization.
pub async fn list_tokens(cx: &Cx, principal: &Principal) -> AppResult<Vec<ApiToken>> {
    let caller = principal.caller()?;
    Ok(cx.read().await?.tokens_of(caller.user, caller.org).await?)
}

/// Revokes one of the caller's tokens; another user's or organization's token is
/// "not found".
pub async fn revoke_token(cx: &Cx, principal: &Principal, id: &str) -> AppResult<()> {
    let caller = principal.caller()?;
    let now = cx.clock.now();
    let mut tx = cx.write().await?;
    let Some(mut token) = tx.tokens_of(caller.user, caller.org).await?.into_iter().find(|t| t.id == id) else {
        return Err(AppError::not_found(format!("API token {id}")));
    };
    if !tx.revoke_token(caller.user, caller.org, id, now).await? {
        return Err(AppError::new(Code::AlreadyRevoked, format!("API token {id} is already revoked")));
    }
    token.revoked_at = Some(now);
    let action = match token.kind {
        TokenKind::Api => "api_token.revoked",
        TokenKind::Calendar => "calendar_token.revoked",
    };
    record(&mut *tx, caller.org, now, draft(&caller, action, &token)).await?;
    tx.commit().await?;
    Ok(())
}

/// The caller behind an API token's bearer secret: its user, organization, current
/// role there, and the token's ceiling. Unknown, revoked or expired tokens, calendar
/// tokens, disabled users and users no longer in the organization are all "not
/// signed in".
pub async fn authenticate_token(cx: &Cx, secret: &str) -> AppResult<Actor> {
    authenticate_kind(cx, secret, TokenKind::Api).await.map(Actor::Member)
}

/// The caller behind a calendar address's token; API tokens are refused here, as
/// calendar tokens are everywhere else.
pub async fn authenticate_calendar(cx: &Cx, secret: &str) -> AppResult<Actor> {
    authenticate_kind(cx, secret, TokenKind::Calendar).await.map(Actor::Member)
}

async fn authenticate_kind(cx: &Cx, secret: &str, kind: TokenKind) -> AppResult<Caller> {
    let refused = || {
        let what = match kind {
            TokenKind::Api => "the API token is unknown, expired or revoked",
            TokenKind::Calendar => "the calendar token is unknown, expired or revoked",
        };
        AppError::new(Code::NotSignedIn, what)
    };
    let mut tx = cx.read().await?;
    let token = tx.token_by_hash(&token_hash(secret)).await?.ok_or_else(refused)?;
    if token.kind != kind || token.revoked_at.is_some() || token.expires_at <= cx.clock.now() {
        return Err(refused());
    }
    let user = tx.user(token.user).await?;
    let membership = tx.membership(token.org, user.id).await?.ok_or_else(refused)?;
    if user.disabled {
        return Err(refused());
    }
    Ok(Caller { user: user.id, org: token.org, role: membership.role, ceiling: Some(token.role_ceiling) })
}
