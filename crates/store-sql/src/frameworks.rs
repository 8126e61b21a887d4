//! User-imported frameworks and each organization's frameworks in use.

use async_trait::async_trait;
use isms_domain::OrgId;
use isms_domain::framework::{Framework, FrameworkId};
use isms_store::{FrameworkRead, FrameworkWrite, StoreResult};
use time::OffsetDateTime;

use crate::codec::{corrupt, err, instant_to_text};
use crate::repo::{get, instant};
use crate::tx::SqlTx;

const SELECT_CUSTOM: &str = "SELECT id, content FROM custom_frameworks ORDER BY id";
const INSERT_CUSTOM: &str =
    "INSERT INTO custom_frameworks (id, name, origin, content, imported_at) VALUES ($1, $2, $3, $4, $5)";
const SELECT_IN_USE: &str =
    "SELECT framework_id, adopted_at FROM org_frameworks WHERE org_id = $1 ORDER BY framework_id";
const INSERT_IN_USE: &str = "INSERT INTO org_frameworks (org_id, framework_id, adopted_at) VALUES ($1, $2, $3)";
const DELETE_IN_USE: &str = "DELETE FROM org_frameworks WHERE org_id = $1 AND framework_id = $2";

#[async_trait]
impl FrameworkRead for SqlTx {
    async fn custom_frameworks(&mut self) -> StoreResult<Vec<Framework>> {
        let rows =
            sqlx::query(SELECT_CUSTOM).fetch_all(&mut *self.tx).await.map_err(self.poison(err("custom frameworks")))?;
        rows.iter()
            .map(|row| {
                let id: String = get(row, "id")?;
                let content: String = get(row, "content")?;
                serde_json::from_str(&content).map_err(|e| corrupt(&format!("custom_frameworks.content of {id}"), e))
            })
            .collect()
    }

    async fn custom_framework_versions(&mut self) -> StoreResult<Vec<(String, OffsetDateTime)>> {
        let rows = sqlx::query("SELECT id, imported_at FROM custom_frameworks ORDER BY id")
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("custom frameworks")))?;
        rows.iter().map(|row| Ok((get(row, "id")?, instant(row, "imported_at")?))).collect()
    }

    async fn frameworks_in_use(&mut self, org: OrgId) -> StoreResult<Vec<(FrameworkId, OffsetDateTime)>> {
        let rows = sqlx::query(SELECT_IN_USE)
            .bind(org.to_string())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("frameworks in use")))?;
        rows.iter()
            .map(|row| {
                let id: String = get(row, "framework_id")?;
                let id = FrameworkId::parse(&id).map_err(|e| corrupt("org_frameworks.framework_id", e))?;
                Ok((id, instant(row, "adopted_at")?))
            })
            .collect()
    }
}

#[async_trait]
impl FrameworkWrite for SqlTx {
    async fn insert_custom_framework(&mut self, fw: &Framework, origin: &str, at: OffsetDateTime) -> StoreResult<()> {
        let content = serde_json::to_string(fw).map_err(|e| corrupt("custom_frameworks.content", e))?;
        sqlx::query(INSERT_CUSTOM)
            .bind(fw.id.as_str())
            .bind(fw.name.as_str())
            .bind(origin)
            .bind(content)
            .bind(instant_to_text(at))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("a framework with id {}", fw.id))))?;
        Ok(())
    }

    async fn adopt_framework(&mut self, org: OrgId, framework: &FrameworkId, at: OffsetDateTime) -> StoreResult<()> {
        self.touch(org);
        sqlx::query(INSERT_IN_USE)
            .bind(org.to_string())
            .bind(framework.as_str())
            .bind(instant_to_text(at))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("the use of framework {framework} by organization {org}"))))?;
        Ok(())
    }

    async fn drop_framework(&mut self, org: OrgId, framework: &FrameworkId) -> StoreResult<bool> {
        self.touch(org);
        let done = sqlx::query(DELETE_IN_USE)
            .bind(org.to_string())
            .bind(framework.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("frameworks in use")))?;
        Ok(done.rows_affected() > 0)
    }
}
