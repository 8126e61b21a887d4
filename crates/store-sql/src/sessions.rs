//! Login sessions, the failed-login log, and API tokens.

use async_trait::async_trait;
use isms_domain::{ApiToken, OrgId, Session, UserId};
use isms_store::{SessionRead, SessionWrite, StoreResult, TokenRead, TokenWrite};
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

    async fn login_failures_since(&mut self, subject: &str, since: OffsetDateTime) -> StoreResult<u64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE subject = $1 AND at >= $2")
            .bind(subject)
            .bind(instant_to_text(since))
            .fetch_one(&mut *self.tx)
            .await
            .map_err(self.poison(err("login failures")))?;
        let n: i64 = get(&row, "n")?;
        Ok(u64::try_from(n).unwrap_or(0))
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

    async fn record_login_failure(&mut self, id: &str, subject: &str, at: OffsetDateTime) -> StoreResult<()> {
        sqlx::query("INSERT INTO login_failures (id, subject, at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(subject)
            .bind(instant_to_text(at))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("a failed login")))?;
        Ok(())
    }

    async fn clear_login_failures(&mut self, subject: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE subject = $1")
            .bind(subject)
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("failed logins")))?;
        Ok(())
    }
}

// ---- API tokens ------------------------------------------------------------------

const TOKEN_COLUMNS: &str = "id, user_id, org_id, name, token_hash, role_ceiling, created_at, expires_at, revoked_at";

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
        let sql = format!("INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
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
}
