//! The repository traits of the port, implemented once for both engines.

use async_trait::async_trait;
use isms_domain::trail::{TrailActor, TrailEntry, TrailHead};
use isms_domain::{
    DisplayName, Email, Membership, OrgId, OrgName, Organization, Role, User, UserId, Workspace, WorkspaceKind,
};
use isms_store::{
    OrgRead, OrgWrite, StoreError, StoreResult, TrailRead, TrailWrite, UserRead, UserWrite, WorkspaceRead,
    WorkspaceWrite,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::codec::{corrupt, err, instant_to_text, text_to_instant};
use crate::tx::SqlTx;

pub(crate) fn get<'r, T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>>(
    row: &'r AnyRow,
    column: &str,
) -> StoreResult<T> {
    row.try_get(column).map_err(|e| corrupt(column, e))
}

pub(crate) fn org_id(row: &AnyRow, column: &str) -> StoreResult<OrgId> {
    get::<String>(row, column)?.parse().map_err(|e| corrupt(column, e))
}

pub(crate) fn user_id(row: &AnyRow, column: &str) -> StoreResult<UserId> {
    get::<String>(row, column)?.parse().map_err(|e| corrupt(column, e))
}

pub(crate) fn instant(row: &AnyRow, column: &str) -> StoreResult<time::OffsetDateTime> {
    text_to_instant(column, &get::<String>(row, column)?)
}

pub(crate) fn role(row: &AnyRow, column: &str) -> StoreResult<Role> {
    let text = get::<String>(row, column)?;
    Role::from_stored(&text).ok_or_else(|| corrupt(column, format!("{text:?} is not a role")))
}

// ---- workspace -------------------------------------------------------------------

const SELECT_WORKSPACE: &str = "SELECT kind, created_at FROM workspace WHERE id = 1";
const INSERT_WORKSPACE: &str = "INSERT INTO workspace (id, kind, created_at) VALUES (1, $1, $2)";

#[async_trait]
impl WorkspaceRead for SqlTx {
    async fn workspace(&mut self) -> StoreResult<Option<Workspace>> {
        let row =
            sqlx::query(SELECT_WORKSPACE).fetch_optional(&mut *self.tx).await.map_err(self.poison(err("workspace")))?;
        row.map(|row| {
            let kind = get::<String>(&row, "kind")?;
            Ok(Workspace {
                kind: WorkspaceKind::parse(&kind).ok_or_else(|| corrupt("workspace.kind", format!("{kind:?}")))?,
                created_at: instant(&row, "created_at")?,
            })
        })
        .transpose()
    }
}

#[async_trait]
impl WorkspaceWrite for SqlTx {
    async fn create_workspace(&mut self, workspace: &Workspace) -> StoreResult<()> {
        sqlx::query(INSERT_WORKSPACE)
            .bind(workspace.kind.as_str())
            .bind(instant_to_text(workspace.created_at))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("a workspace in this database")))?;
        Ok(())
    }
}

// ---- organizations ---------------------------------------------------------------

const ORG_COLUMNS: &str = "o.id AS org_id, o.name AS org_name, o.created_at AS org_created_at";

fn organization(row: &AnyRow) -> StoreResult<Organization> {
    Ok(Organization {
        id: org_id(row, "org_id")?,
        name: OrgName::parse(&get::<String>(row, "org_name")?).map_err(|e| corrupt("organizations.name", e))?,
        created_at: instant(row, "org_created_at")?,
    })
}

#[async_trait]
impl OrgRead for SqlTx {
    async fn organization(&mut self, org: OrgId) -> StoreResult<Organization> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organizations o WHERE o.id = $1");
        let row = sqlx::query(&sql)
            .bind(org.to_string())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("organization")))?;
        organization(&row.ok_or_else(|| StoreError::NotFound(format!("organization {org}")))?)
    }

    async fn data_version(&mut self, org: OrgId) -> StoreResult<i64> {
        let row = sqlx::query("SELECT data_version FROM trail_heads WHERE org_id = $1")
            .bind(org.to_string())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("organization")))?;
        get(&row.ok_or_else(|| StoreError::NotFound(format!("organization {org}")))?, "data_version")
    }

    async fn organizations(&mut self) -> StoreResult<Vec<Organization>> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organizations o ORDER BY o.name, o.id");
        let rows = sqlx::query(&sql).fetch_all(&mut *self.tx).await.map_err(self.poison(err("organizations")))?;
        rows.iter().map(organization).collect()
    }

    async fn organizations_of(&mut self, user: UserId) -> StoreResult<Vec<(Organization, Role)>> {
        let sql = format!(
            "SELECT {ORG_COLUMNS}, m.role FROM organizations o JOIN memberships m ON m.org_id = o.id \
             WHERE m.user_id = $1 ORDER BY o.name, o.id"
        );
        let rows = sqlx::query(&sql)
            .bind(user.to_string())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("organizations")))?;
        rows.iter().map(|r| Ok((organization(r)?, role(r, "role")?))).collect()
    }
}

const INSERT_ORG: &str = "INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)";
const INSERT_TRAIL_HEAD: &str = "INSERT INTO trail_heads (org_id, seq, hash) VALUES ($1, $2, $3)";

#[async_trait]
impl OrgWrite for SqlTx {
    async fn lock_organization(&mut self, org: OrgId) -> StoreResult<Organization> {
        // The trail head is the organization's write turn: every change appends to the
        // trail anyway, so taking it first costs nothing extra and orders the writers.
        self.lock_trail_head(org).await?;
        self.organization(org).await
    }

    async fn insert_organization(&mut self, org: &Organization) -> StoreResult<()> {
        let what = format!("organization {}", org.id);
        sqlx::query(INSERT_ORG)
            .bind(org.id.to_string())
            .bind(org.name.as_str())
            .bind(instant_to_text(org.created_at))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&what)))?;
        let genesis = TrailHead::genesis();
        sqlx::query(INSERT_TRAIL_HEAD)
            .bind(org.id.to_string())
            .bind(genesis.seq)
            .bind(genesis.hash)
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&what)))?;
        Ok(())
    }
}

// ---- users and memberships ------------------------------------------------------

const USER_COLUMNS: &str = "u.id AS user_id, u.email AS user_email, u.display_name AS user_display_name, \
     u.password_hash AS user_password_hash, u.disabled AS user_disabled, u.created_at AS user_created_at";

fn user(row: &AnyRow) -> StoreResult<User> {
    Ok(User {
        id: user_id(row, "user_id")?,
        email: Email::parse(&get::<String>(row, "user_email")?).map_err(|e| corrupt("users.email", e))?,
        display_name: DisplayName::parse(&get::<String>(row, "user_display_name")?)
            .map_err(|e| corrupt("users.display_name", e))?,
        password_hash: get(row, "user_password_hash")?,
        disabled: get::<i64>(row, "user_disabled")? != 0,
        created_at: instant(row, "user_created_at")?,
    })
}

fn membership(row: &AnyRow) -> StoreResult<Membership> {
    Ok(Membership {
        org: org_id(row, "m_org_id")?,
        user: user_id(row, "m_user_id")?,
        role: role(row, "m_role")?,
        since: instant(row, "m_since")?,
    })
}

const MEMBERSHIP_COLUMNS: &str = "m.org_id AS m_org_id, m.user_id AS m_user_id, m.role AS m_role, m.since AS m_since";

#[async_trait]
impl UserRead for SqlTx {
    async fn user(&mut self, id: UserId) -> StoreResult<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("user")))?;
        user(&row.ok_or_else(|| StoreError::NotFound(format!("user {id}")))?)
    }

    async fn user_by_email(&mut self, email: &Email) -> StoreResult<Option<User>> {
        self.select_user_by_email(email, "").await
    }

    async fn users(&mut self) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.email");
        let rows = sqlx::query(&sql).fetch_all(&mut *self.tx).await.map_err(self.poison(err("users")))?;
        rows.iter().map(user).collect()
    }

    async fn members(&mut self, org: OrgId) -> StoreResult<Vec<(User, Membership)>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, {MEMBERSHIP_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.org_id = $1 ORDER BY u.email"
        );
        let rows = sqlx::query(&sql)
            .bind(org.to_string())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("members")))?;
        rows.iter().map(|r| Ok((user(r)?, membership(r)?))).collect()
    }

    async fn membership(&mut self, org: OrgId, user: UserId) -> StoreResult<Option<Membership>> {
        let sql = format!("SELECT {MEMBERSHIP_COLUMNS} FROM memberships m WHERE m.org_id = $1 AND m.user_id = $2");
        let row = sqlx::query(&sql)
            .bind(org.to_string())
            .bind(user.to_string())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("membership")))?;
        row.as_ref().map(membership).transpose()
    }
}

const INSERT_USER: &str = "INSERT INTO users (id, email, display_name, password_hash, disabled, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6)";
const INSERT_MEMBERSHIP: &str = "INSERT INTO memberships (org_id, user_id, role, since) VALUES ($1, $2, $3, $4)";

#[async_trait]
impl UserWrite for SqlTx {
    async fn lock_user(&mut self, email: &Email) -> StoreResult<Option<User>> {
        self.select_user_by_email(email, self.dialect.for_update()).await
    }

    async fn insert_user(&mut self, user: &User) -> StoreResult<()> {
        sqlx::query(INSERT_USER)
            .bind(user.id.to_string())
            .bind(user.email.as_str())
            .bind(user.display_name.as_str())
            .bind(user.password_hash.as_str())
            .bind(i64::from(user.disabled))
            .bind(instant_to_text(user.created_at))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("a user with e-mail {}", user.email))))?;
        Ok(())
    }

    async fn update_user(&mut self, user: &User) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET display_name = $2, password_hash = $3, disabled = $4 WHERE id = $1")
            .bind(user.id.to_string())
            .bind(user.display_name.as_str())
            .bind(user.password_hash.as_str())
            .bind(i64::from(user.disabled))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("user {}", user.email))))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("user {}", user.email)));
        }
        Ok(())
    }

    async fn insert_membership(&mut self, m: &Membership) -> StoreResult<()> {
        self.touch(m.org);
        sqlx::query(INSERT_MEMBERSHIP)
            .bind(m.org.to_string())
            .bind(m.user.to_string())
            .bind(m.role.as_str())
            .bind(instant_to_text(m.since))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("a membership of user {} in organization {}", m.user, m.org))))?;
        Ok(())
    }

    async fn set_member_role(&mut self, org: OrgId, user: UserId, role: Role) -> StoreResult<bool> {
        self.touch(org);
        let done = sqlx::query("UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2")
            .bind(org.to_string())
            .bind(user.to_string())
            .bind(role.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("the membership of user {user} in organization {org}"))))?;
        Ok(done.rows_affected() > 0)
    }

    async fn remove_member(&mut self, org: OrgId, user: UserId) -> StoreResult<bool> {
        self.touch(org);
        let what = format!("the membership of user {user} in organization {org}");
        let done = sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
            .bind(org.to_string())
            .bind(user.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&what)))?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        for statement in [
            "DELETE FROM api_tokens WHERE org_id = $1 AND user_id = $2",
            "UPDATE sessions SET org_id = NULL WHERE org_id = $1 AND user_id = $2",
        ] {
            sqlx::query(statement)
                .bind(org.to_string())
                .bind(user.to_string())
                .execute(&mut *self.tx)
                .await
                .map_err(self.poison(err(&what)))?;
        }
        Ok(true)
    }
}

// ---- audit trail -----------------------------------------------------------------

const SELECT_TRAIL: &str = "SELECT org_id, seq, at, actor, action, entity, entity_id, before_state, after_state, \
     prev_hash, hash FROM trail_entries WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";
const SELECT_TRAIL_SINCE: &str = "SELECT org_id, seq, at, actor, action, entity, entity_id, before_state, \
     after_state, prev_hash, hash FROM trail_entries WHERE org_id = $1 AND at >= $2 AND seq > $3 ORDER BY seq LIMIT $4";
const SELECT_TRAIL_HEAD: &str = "SELECT seq, hash FROM trail_heads WHERE org_id = $1";
const ADVANCE_TRAIL_HEAD: &str =
    "UPDATE trail_heads SET seq = $2, hash = $3 WHERE org_id = $1 AND seq = $4 AND hash = $5";
const INSERT_TRAIL: &str = "INSERT INTO trail_entries (org_id, seq, at, actor, action, entity, entity_id, \
     before_state, after_state, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

fn trail_entry(row: &AnyRow) -> StoreResult<TrailEntry> {
    let actor = get::<String>(row, "actor")?;
    Ok(TrailEntry {
        org: org_id(row, "org_id")?,
        seq: get(row, "seq")?,
        at: instant(row, "at")?,
        // An unreadable actor is kept as text: its hash then fails, and verification names the entry.
        actor: TrailActor::from_stored(&actor)
            .unwrap_or_else(|| TrailActor::System(format!("unreadable actor {actor}"))),
        action: get(row, "action")?,
        entity: get(row, "entity")?,
        entity_id: get(row, "entity_id")?,
        before: get(row, "before_state")?,
        after: get(row, "after_state")?,
        prev_hash: get(row, "prev_hash")?,
        hash: get(row, "hash")?,
    })
}

#[async_trait]
impl TrailRead for SqlTx {
    async fn trail(&mut self, org: OrgId, after: i64, limit: u32) -> StoreResult<Vec<TrailEntry>> {
        let rows = sqlx::query(SELECT_TRAIL)
            .bind(org.to_string())
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("audit trail")))?;
        rows.iter().map(trail_entry).collect()
    }

    async fn trail_since(
        &mut self,
        org: OrgId,
        since: time::OffsetDateTime,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<TrailEntry>> {
        // Instants are fixed-width UTC text, so text order is time order.
        let rows = sqlx::query(SELECT_TRAIL_SINCE)
            .bind(org.to_string())
            .bind(instant_to_text(since))
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("audit trail")))?;
        rows.iter().map(trail_entry).collect()
    }

    async fn trail_head(&mut self, org: OrgId) -> StoreResult<TrailHead> {
        self.select_trail_head(org, "").await
    }
}

impl SqlTx {
    /// The account with this login name; `lock` is empty or the row-lock suffix.
    async fn select_user_by_email(&mut self, email: &Email, lock: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1{lock}");
        let row = sqlx::query(&sql)
            .bind(email.as_str())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("user")))?;
        row.as_ref().map(user).transpose()
    }

    /// The organization's trail head; with the row-lock suffix as `lock`, locked until
    /// the transaction ends (PostgreSQL; a SQLite write transaction already holds the
    /// database's write lock).
    async fn select_trail_head(&mut self, org: OrgId, lock: &str) -> StoreResult<TrailHead> {
        let sql = format!("{SELECT_TRAIL_HEAD}{lock}");
        let row = sqlx::query(&sql)
            .bind(org.to_string())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("audit trail")))?;
        let row = row.ok_or_else(|| StoreError::NotFound(format!("organization {org}")))?;
        Ok(TrailHead { seq: get(&row, "seq")?, hash: get(&row, "hash")? })
    }
}

#[async_trait]
impl TrailWrite for SqlTx {
    async fn lock_trail_head(&mut self, org: OrgId) -> StoreResult<TrailHead> {
        self.select_trail_head(org, self.dialect.for_update()).await
    }

    async fn append_trail(&mut self, e: &TrailEntry) -> StoreResult<()> {
        self.touch(e.org);
        let moved = sqlx::query(ADVANCE_TRAIL_HEAD)
            .bind(e.org.to_string())
            .bind(e.seq)
            .bind(e.hash.as_str())
            .bind(e.seq - 1)
            .bind(e.prev_hash.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("audit trail")))?;
        if moved.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "the audit trail of organization {} moved on while entry {} was being written; retry the change",
                e.org, e.seq
            )));
        }
        sqlx::query(INSERT_TRAIL)
            .bind(e.org.to_string())
            .bind(e.seq)
            .bind(instant_to_text(e.at))
            .bind(e.actor.to_stored())
            .bind(e.action.as_str())
            .bind(e.entity.as_str())
            .bind(e.entity_id.as_str())
            .bind(e.before.as_deref())
            .bind(e.after.as_deref())
            .bind(e.prev_hash.as_str())
            .bind(e.hash.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("audit trail entry")))?;
        Ok(())
    }
}
