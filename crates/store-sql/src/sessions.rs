//! Login sessions and the failed-login log.

use async_trait::async_trait;
use isms_domain::{OrgId, Session, UserId};
use isms_store::{SessionRead, SessionWrite, StoreResult};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use crate::codec::{corrupt, err, instant_to_text};
use crate::repo::{get, instant, user_id};
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
