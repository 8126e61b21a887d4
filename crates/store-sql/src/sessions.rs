//! Login sessions, sign-in throttling, API tokens and invitations.

use async_trait::async_trait;
use isms_domain::throttle::Throttle;
use isms_domain::{ApiToken, DisplayName, Email, Invitation, OrgId, Session, TokenKind, UserId};
use isms_store::{InvitationRead, InvitationWrite, SessionRead, SessionWrite, StoreResult, TokenRead, TokenWrite};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use crate::codec::{corrupt, err, instant_to_text, text_to_instant};
use crate::repo::{get, instant, org_id, role, user_id};
use crate::tx::SqlTx;

const SESSION_COLUMNS: &str = "token_hash, user_id, org_id, csrf_token, created_at, expires_at";

fn session(row: &AnyRow) -> StoreResult<Session> {
    let org = get::<Option<String>>(row, "org_id")?
        .map(|t| t.parse::<OrgId>().map_err(|e| corrupt("org_id", e)))
        .transpose()?;
    Ok(Session {
        token_hash: get(row, "token_hash")?,
        user: user_id(row, "user_id")?,
        org,
        csrf_token: get(row, "csrf_token")?,
        created_at: instant(row, "created_at")?,
        expires_at: instant(row, "expires_at")?,
    })
}

#[async_trait]
impl SessionRead for SqlTx {
    async fn session(&mut self, token_hash: &str) -> StoreResult<Option<Session>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1");
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("session")))?;
        row.as_ref().map(session).transpose()
    }

    async fn known_address(&mut self, user: UserId, address: &str) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 AS one FROM sign_in_addresses WHERE user_id = $1 AND address = $2")
            .bind(user.to_string())
            .bind(address)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("sign-in addresses")))?;
        Ok(row.is_some())
    }
}

#[async_trait]
impl SessionWrite for SqlTx {
    async fn insert_session(&mut self, s: &Session) -> StoreResult<()> {
        let sql = format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)");
        sqlx::query(&sql)
            .bind(s.token_hash.as_str())
            .bind(s.user.to_string())
            .bind(s.org.map(|o| o.to_string()))
            .bind(s.csrf_token.as_str())
            .bind(instant_to_text(s.created_at))
            .bind(instant_to_text(s.expires_at))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("a session")))?;
        Ok(())
    }

    async fn set_session_org(&mut self, token_hash: &str, org: Option<OrgId>) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET org_id = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(org.map(|o| o.to_string()))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("session")))?;
        Ok(())
    }

    async fn delete_session(&mut self, token_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("session")))?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_sessions_of(&mut self, user: UserId) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("sessions")))?;
        Ok(done.rows_affected())
    }

    async fn lock_throttle(&mut self, subject: &str) -> StoreResult<Throttle> {
        sqlx::query("INSERT INTO login_throttle (subject, failures) VALUES ($1, 0) ON CONFLICT (subject) DO NOTHING")
            .bind(subject)
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("sign-in throttling")))?;
        let sql = format!(
            "SELECT failures, last_failure_at, blocked_until FROM login_throttle WHERE subject = $1{}",
            self.dialect.for_update()
        );
        let row = sqlx::query(&sql)
            .bind(subject)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(self.poison(err("sign-in throttling")))?;
        let failures: i64 = get(&row, "failures")?;
        let optional = |column: &str| -> StoreResult<Option<OffsetDateTime>> {
            get::<Option<String>>(&row, column)?.map(|t| text_to_instant(column, &t)).transpose()
        };
        Ok(Throttle {
            failures: u32::try_from(failures).unwrap_or(u32::MAX),
            last_failure: optional("last_failure_at")?,
            blocked_until: optional("blocked_until")?,
        })
    }

    async fn save_throttle(&mut self, subject: &str, state: &Throttle) -> StoreResult<()> {
        sqlx::query(
            "UPDATE login_throttle SET failures = $2, last_failure_at = $3, blocked_until = $4 WHERE subject = $1",
        )
        .bind(subject)
        .bind(i64::from(state.failures))
        .bind(state.last_failure.map(instant_to_text))
        .bind(state.blocked_until.map(instant_to_text))
        .execute(&mut *self.tx)
        .await
        .map_err(self.poison(err("sign-in throttling")))?;
        Ok(())
    }

    async fn remember_address(&mut self, user: UserId, address: &str, at: OffsetDateTime) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sign_in_addresses (user_id, address, last_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, address) DO UPDATE SET last_at = $3",
        )
        .bind(user.to_string())
        .bind(address)
        .bind(instant_to_text(at))
        .execute(&mut *self.tx)
        .await
        .map_err(self.poison(err("sign-in addresses")))?;
        Ok(())
    }
}

// ---- API tokens ------------------------------------------------------------------

const TOKEN_COLUMNS: &str =
    "id, user_id, org_id, name, token_hash, role_ceiling, created_at, expires_at, revoked_at, kind";

fn token(row: &AnyRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: get(row, "id")?,
        user: user_id(row, "user_id")?,
        org: org_id(row, "org_id")?,
        name: get(row, "name")?,
        token_hash: get(row, "token_hash")?,
        role_ceiling: role(row, "role_ceiling")?,
        created_at: instant(row, "created_at")?,
        expires_at: instant(row, "expires_at")?,
        revoked_at: get::<Option<String>>(row, "revoked_at")?.map(|t| text_to_instant("revoked_at", &t)).transpose()?,
        kind: {
            let k: String = get(row, "kind")?;
            TokenKind::parse(&k).ok_or_else(|| corrupt("kind", format!("{k:?} is not a token kind")))?
        },
    })
}

#[async_trait]
impl TokenRead for SqlTx {
    async fn token_by_hash(&mut self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1");
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("API token")))?;
        row.as_ref().map(token).transpose()
    }

    async fn tokens_of(&mut self, user: UserId, org: OrgId) -> StoreResult<Vec<ApiToken>> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 AND org_id = $2 ORDER BY created_at DESC, id"
        );
        let rows = sqlx::query(&sql)
            .bind(user.to_string())
            .bind(org.to_string())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("API tokens")))?;
        rows.iter().map(token).collect()
    }
}

#[async_trait]
impl TokenWrite for SqlTx {
    async fn insert_token(&mut self, t: &ApiToken) -> StoreResult<()> {
        let sql = format!("INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
        sqlx::query(&sql)
            .bind(t.id.as_str())
            .bind(t.user.to_string())
            .bind(t.org.to_string())
            .bind(t.name.as_str())
            .bind(t.token_hash.as_str())
            .bind(t.role_ceiling.as_str())
            .bind(instant_to_text(t.created_at))
            .bind(instant_to_text(t.expires_at))
            .bind(t.revoked_at.map(instant_to_text))
            .bind(t.kind.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("an API token")))?;
        Ok(())
    }

    async fn revoke_token(&mut self, user: UserId, org: OrgId, id: &str, at: OffsetDateTime) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $4 WHERE id = $1 AND user_id = $2 AND org_id = $3 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(user.to_string())
        .bind(org.to_string())
        .bind(instant_to_text(at))
        .execute(&mut *self.tx)
        .await
        .map_err(self.poison(err("API token")))?;
        Ok(done.rows_affected() > 0)
    }

    async fn revoke_tokens_of(&mut self, user: UserId, at: OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(user.to_string())
            .bind(instant_to_text(at))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("API tokens")))?;
        Ok(done.rows_affected())
    }
}

// ---- invitations -----------------------------------------------------------------

const INVITATION_COLUMNS: &str = "id, org_id, email, name, role, token_hash, invited_by, created_at, expires_at, \
     accepted_at, accepted_by, revoked_at";

fn invitation(row: &AnyRow) -> StoreResult<Invitation> {
    let optional = |column: &str| -> StoreResult<Option<OffsetDateTime>> {
        get::<Option<String>>(row, column)?.map(|t| text_to_instant(column, &t)).transpose()
    };
    let email: String = get(row, "email")?;
    let name: String = get(row, "name")?;
    Ok(Invitation {
        id: get(row, "id")?,
        org: org_id(row, "org_id")?,
        email: Email::parse(&email).map_err(|e| corrupt("email", e))?,
        name: DisplayName::parse(&name).map_err(|e| corrupt("name", e))?,
        role: role(row, "role")?,
        token_hash: get(row, "token_hash")?,
        invited_by: get(row, "invited_by")?,
        created_at: instant(row, "created_at")?,
        expires_at: instant(row, "expires_at")?,
        accepted_at: optional("accepted_at")?,
        accepted_by: get::<Option<String>>(row, "accepted_by")?
            .map(|t| t.parse::<UserId>().map_err(|e| corrupt("accepted_by", e)))
            .transpose()?,
        revoked_at: optional("revoked_at")?,
    })
}

impl SqlTx {
    async fn select_invitation(&mut self, token_hash: &str, lock: &str) -> StoreResult<Option<Invitation>> {
        let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = $1{lock}");
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("invitation")))?;
        row.as_ref().map(invitation).transpose()
    }
}

#[async_trait]
impl InvitationRead for SqlTx {
    async fn invitations(&mut self, org: OrgId) -> StoreResult<Vec<Invitation>> {
        let sql =
            format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE org_id = $1 ORDER BY created_at DESC, id");
        let rows = sqlx::query(&sql)
            .bind(org.to_string())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("invitations")))?;
        rows.iter().map(invitation).collect()
    }

    async fn invitation_by_hash(&mut self, token_hash: &str) -> StoreResult<Option<Invitation>> {
        self.select_invitation(token_hash, "").await
    }

    async fn has_pending_invitation(&mut self, email: &Email, now: OffsetDateTime) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM invitations WHERE email = $1 AND accepted_at IS NULL AND revoked_at IS NULL \
             AND expires_at > $2",
        )
        .bind(email.as_str())
        .bind(instant_to_text(now))
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(self.poison(err("invitations")))?;
        Ok(row.is_some())
    }
}

#[async_trait]
impl InvitationWrite for SqlTx {
    async fn insert_invitation(&mut self, i: &Invitation) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO invitations ({INVITATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        );
        sqlx::query(&sql)
            .bind(i.id.as_str())
            .bind(i.org.to_string())
            .bind(i.email.as_str())
            .bind(i.name.as_str())
            .bind(i.role.as_str())
            .bind(i.token_hash.as_str())
            .bind(i.invited_by.as_str())
            .bind(instant_to_text(i.created_at))
            .bind(instant_to_text(i.expires_at))
            .bind(i.accepted_at.map(instant_to_text))
            .bind(i.accepted_by.map(|u| u.to_string()))
            .bind(i.revoked_at.map(instant_to_text))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("an invitation")))?;
        Ok(())
    }

    async fn lock_invitation(&mut self, token_hash: &str) -> StoreResult<Option<Invitation>> {
        let lock = self.dialect.for_update();
        self.select_invitation(token_hash, lock).await
    }

    async fn settle_invitation(&mut self, i: &Invitation) -> StoreResult<()> {
        sqlx::query("UPDATE invitations SET accepted_at = $2, accepted_by = $3, revoked_at = $4 WHERE id = $1")
            .bind(i.id.as_str())
            .bind(i.accepted_at.map(instant_to_text))
            .bind(i.accepted_by.map(|u| u.to_string()))
            .bind(i.revoked_at.map(instant_to_text))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("invitation")))?;
        Ok(())
    }
}
