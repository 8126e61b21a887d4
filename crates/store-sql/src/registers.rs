//! Register entries: typed JSON documents keyed by organization, kind and id.

use async_trait::async_trait;
use isms_domain::OrgId;
use isms_store::{RegisterRead, RegisterWrite, StoreError, StoreResult};
use time::OffsetDateTime;

use crate::codec::{err, instant_to_text};
use crate::repo::get;
use crate::tx::SqlTx;

const SELECT_ALL: &str = "SELECT id, content FROM register_entries WHERE org_id = $1 AND kind = $2 ORDER BY id";
const SELECT_IDS: &str = "SELECT id FROM register_entries WHERE org_id = $1 AND kind = $2 ORDER BY id";
const BUMP: &str = "UPDATE id_counters SET last = last + 1 WHERE org_id = $1 AND kind = $2 RETURNING last";
const SELECT_ONE: &str = "SELECT content FROM register_entries WHERE org_id = $1 AND kind = $2 AND id = $3";
const UPSERT: &str = "INSERT INTO register_entries (org_id, kind, id, content, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (org_id, kind, id) DO UPDATE SET content = $4, updated_at = $5";
const INSERT: &str = "INSERT INTO register_entries (org_id, kind, id, content, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $5)";
const REPLACE: &str =
    "UPDATE register_entries SET content = $4, updated_at = $5 WHERE org_id = $1 AND kind = $2 AND id = $3";
const DELETE: &str = "DELETE FROM register_entries WHERE org_id = $1 AND kind = $2 AND id = $3";

#[async_trait]
impl RegisterRead for SqlTx {
    async fn entries(&mut self, org: OrgId, kind: &str) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query(SELECT_ALL)
            .bind(org.to_string())
            .bind(kind)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("register entries")))?;
        rows.iter().map(|row| Ok((get(row, "id")?, get(row, "content")?))).collect()
    }

    async fn entry_ids(&mut self, org: OrgId, kind: &str) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(SELECT_IDS)
            .bind(org.to_string())
            .bind(kind)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("register ids")))?;
        rows.iter().map(|row| get(row, "id")).collect()
    }

    async fn entry(&mut self, org: OrgId, kind: &str, id: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query(SELECT_ONE)
            .bind(org.to_string())
            .bind(kind)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("register entry")))?;
        row.map(|row| get(&row, "content")).transpose()
    }
}

impl SqlTx {
    /// Runs one of the entry-writing statements (`$1` org, `$2` kind, `$3` id, `$4`
    /// content, `$5` instant); answers how many rows it wrote.
    async fn write_entry(
        &mut self,
        sql: &'static str,
        org: OrgId,
        kind: &str,
        id: &str,
        json: &str,
        at: OffsetDateTime,
    ) -> StoreResult<u64> {
        let what = format!("{} {id}", kind.replace('_', " "));
        let done = sqlx::query(sql)
            .bind(org.to_string())
            .bind(kind)
            .bind(id)
            .bind(json)
            .bind(instant_to_text(at))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&what)))?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl RegisterWrite for SqlTx {
    async fn put_entry(&mut self, org: OrgId, kind: &str, id: &str, json: &str, at: OffsetDateTime) -> StoreResult<()> {
        self.touch(org);
        self.write_entry(UPSERT, org, kind, id, json, at).await.map(|_| ())
    }

    async fn insert_entry(
        &mut self,
        org: OrgId,
        kind: &str,
        id: &str,
        json: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.touch(org);
        self.write_entry(INSERT, org, kind, id, json, at).await.map(|_| ())
    }

    async fn replace_entry(
        &mut self,
        org: OrgId,
        kind: &str,
        id: &str,
        json: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.touch(org);
        if self.write_entry(REPLACE, org, kind, id, json, at).await? == 0 {
            return Err(StoreError::NotFound(format!("{} {id}", kind.replace('_', " "))));
        }
        Ok(())
    }

    async fn next_number(&mut self, org: OrgId, kind: &str, at_least: i64) -> StoreResult<i64> {
        let row = sqlx::query(self.dialect.take_number())
            .bind(org.to_string())
            .bind(kind)
            .bind(at_least)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("the {kind} counter"))))?;
        get(&row, "last")
    }

    async fn bump_number(&mut self, org: OrgId, kind: &str) -> StoreResult<Option<i64>> {
        let row = sqlx::query(BUMP)
            .bind(org.to_string())
            .bind(kind)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("the {kind} counter"))))?;
        row.map(|row| get(&row, "last")).transpose()
    }

    async fn delete_entry(&mut self, org: OrgId, kind: &str, id: &str) -> StoreResult<bool> {
        self.touch(org);
        let done = sqlx::query(DELETE)
            .bind(org.to_string())
            .bind(kind)
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("{kind} {id}"))))?;
        Ok(done.rows_affected() > 0)
    }
}
