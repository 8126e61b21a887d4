//! Control implementations, their links and status history, and approved SoA versions.

use std::collections::BTreeMap;

use async_trait::async_trait;
use isms_domain::OrgId;
use isms_domain::soa::{
    ControlImplementation, ControlLink, ControlStatus, InclusionReason, LinkKind, SoaVersion, StatusChange,
};
use isms_store::{ControlRead, ControlWrite, SoaRead, SoaWrite, StoreResult};

use crate::codec::{corrupt, date_to_text, err, instant_to_text, text_to_date};
use crate::repo::{get, instant, user_id};
use crate::tx::SqlTx;

const SELECT_CONTROLS: &str = "SELECT control_id, applicable, reasons, justification, status, owner_id, target_date, \
     implementation, updated_at FROM control_implementations WHERE org_id = $1 ORDER BY control_id";
const SELECT_LINKS: &str = "SELECT control_id, kind, target_id FROM control_links WHERE org_id = $1";
const SELECT_CONTROL: &str = "SELECT control_id, applicable, reasons, justification, status, owner_id, target_date, \
     implementation, updated_at FROM control_implementations WHERE org_id = $1 AND control_id = $2";
const SELECT_LINKS_OF: &str =
    "SELECT control_id, kind, target_id FROM control_links WHERE org_id = $1 AND control_id = $2";
const DELETE_LINK: &str =
    "DELETE FROM control_links WHERE org_id = $1 AND control_id = $2 AND kind = $3 AND target_id = $4";
const UPSERT_CONTROL: &str = "INSERT INTO control_implementations (org_id, control_id, applicable, reasons, \
     justification, status, owner_id, target_date, implementation, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
     ON CONFLICT (org_id, control_id) DO UPDATE SET applicable = $3, reasons = $4, justification = $5, \
     status = $6, owner_id = $7, target_date = $8, implementation = $9, updated_at = $10";
const DELETE_LINKS: &str = "DELETE FROM control_links WHERE org_id = $1 AND control_id = $2";
const INSERT_LINK: &str = "INSERT INTO control_links (org_id, control_id, kind, target_id) VALUES ($1, $2, $3, $4)";
const SELECT_HISTORY: &str = "SELECT control_id, from_status, to_status, changed_by, changed_at FROM \
     control_status_history WHERE org_id = $1 AND control_id = $2 ORDER BY seq";
const INSERT_HISTORY: &str = "INSERT INTO control_status_history (org_id, control_id, seq, from_status, to_status, \
     changed_by, changed_at) VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM control_status_history \
     WHERE org_id = $1 AND control_id = $2), $3, $4, $5, $6)";
const SELECT_VERSIONS: &str =
    "SELECT number, approved_by, approved_at, comment, content FROM soa_versions WHERE org_id = $1 ORDER BY number";
const INSERT_VERSION: &str = "INSERT INTO soa_versions (org_id, number, approved_by, approved_at, comment, content) VALUES ($1, $2, $3, $4, $5, $6)";

fn status(column: &str, text: &str) -> StoreResult<ControlStatus> {
    ControlStatus::parse(text).ok_or_else(|| corrupt(column, format!("{text:?} is not a control status")))
}

impl SqlTx {
    /// Control records with their links: every control of `org`, or the one named.
    async fn read_controls(&mut self, org: OrgId, only: Option<&str>) -> StoreResult<Vec<ControlImplementation>> {
        let (controls, links) = match only {
            Some(control) => (
                sqlx::query(SELECT_CONTROL).bind(org.to_string()).bind(control.to_owned()),
                sqlx::query(SELECT_LINKS_OF).bind(org.to_string()).bind(control.to_owned()),
            ),
            None => {
                (sqlx::query(SELECT_CONTROLS).bind(org.to_string()), sqlx::query(SELECT_LINKS).bind(org.to_string()))
            }
        };
        let rows = controls.fetch_all(&mut *self.tx).await.map_err(self.poison(err("control implementations")))?;
        let link_rows = links.fetch_all(&mut *self.tx).await.map_err(self.poison(err("control links")))?;
        let mut links: BTreeMap<String, Vec<ControlLink>> = BTreeMap::new();
        for row in &link_rows {
            let kind: String = get(row, "kind")?;
            let kind = LinkKind::parse(&kind).ok_or_else(|| corrupt("control_links.kind", &kind))?;
            links.entry(get(row, "control_id")?).or_default().push(ControlLink { kind, id: get(row, "target_id")? });
        }
        rows.iter()
            .map(|row| {
                let control: String = get(row, "control_id")?;
                let reasons: String = get(row, "reasons")?;
                let reasons = reasons
                    .split(',')
                    .filter(|r| !r.is_empty())
                    .map(|r| InclusionReason::parse(r).ok_or_else(|| corrupt("control_implementations.reasons", r)))
                    .collect::<StoreResult<_>>()?;
                let owner: Option<String> = get(row, "owner_id")?;
                let target: Option<String> = get(row, "target_date")?;
                Ok(ControlImplementation {
                    links: links.remove(&control).unwrap_or_default().into_iter().collect(),
                    control,
                    applicable: get::<i64>(row, "applicable")? != 0,
                    reasons,
                    justification: get(row, "justification")?,
                    status: status("control_implementations.status", &get::<String>(row, "status")?)?,
                    owner: owner.map(|_| user_id(row, "owner_id")).transpose()?,
                    target_date: target.map(|t| text_to_date("control_implementations.target_date", &t)).transpose()?,
                    implementation: get(row, "implementation")?,
                    updated_at: instant(row, "updated_at")?,
                })
            })
            .collect()
    }

    /// Writes a control's own row (not its links).
    async fn write_control_row(&mut self, org: OrgId, r: &ControlImplementation) -> StoreResult<()> {
        let what = format!("control {}", r.control);
        let reasons: Vec<&str> = r.reasons.iter().map(|x| x.as_str()).collect();
        sqlx::query(UPSERT_CONTROL)
            .bind(org.to_string())
            .bind(r.control.as_str())
            .bind(i64::from(r.applicable))
            .bind(reasons.join(","))
            .bind(r.justification.as_deref())
            .bind(r.status.as_str())
            .bind(r.owner.map(|o| o.to_string()))
            .bind(r.target_date.map(date_to_text))
            .bind(r.implementation.as_str())
            .bind(instant_to_text(r.updated_at))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&what)))?;
        Ok(())
    }

    /// Inserts (`INSERT_LINK`) or deletes (`DELETE_LINK`) one link of a control.
    async fn write_link(
        &mut self,
        sql: &'static str,
        org: OrgId,
        control: &str,
        link: &ControlLink,
    ) -> StoreResult<()> {
        sqlx::query(sql)
            .bind(org.to_string())
            .bind(control.to_owned())
            .bind(link.kind.as_str())
            .bind(link.id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("a link of control {control}"))))?;
        Ok(())
    }
}

#[async_trait]
impl ControlRead for SqlTx {
    async fn control_implementations(&mut self, org: OrgId) -> StoreResult<Vec<ControlImplementation>> {
        self.read_controls(org, None).await
    }

    async fn control_implementation(
        &mut self,
        org: OrgId,
        control: &str,
    ) -> StoreResult<Option<ControlImplementation>> {
        Ok(self.read_controls(org, Some(control)).await?.pop())
    }

    async fn control_history(&mut self, org: OrgId, control: &str) -> StoreResult<Vec<StatusChange>> {
        let rows = sqlx::query(SELECT_HISTORY)
            .bind(org.to_string())
            .bind(control)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("control history")))?;
        rows.iter()
            .map(|row| {
                let from: Option<String> = get(row, "from_status")?;
                Ok(StatusChange {
                    control: get(row, "control_id")?,
                    from: from.map(|f| status("control_status_history.from_status", &f)).transpose()?,
                    to: status("control_status_history.to_status", &get::<String>(row, "to_status")?)?,
                    by: get(row, "changed_by")?,
                    at: instant(row, "changed_at")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl ControlWrite for SqlTx {
    async fn save_control_implementation(&mut self, org: OrgId, r: &ControlImplementation) -> StoreResult<()> {
        self.touch(org);
        self.write_control_row(org, r).await?;
        sqlx::query(DELETE_LINKS)
            .bind(org.to_string())
            .bind(r.control.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("control {}", r.control))))?;
        for link in &r.links {
            self.write_link(INSERT_LINK, org, &r.control, link).await?;
        }
        Ok(())
    }

    async fn update_control_implementation(
        &mut self,
        org: OrgId,
        before: &ControlImplementation,
        after: &ControlImplementation,
    ) -> StoreResult<()> {
        self.touch(org);
        let mut row_before = before.clone();
        row_before.links = after.links.clone();
        if row_before != *after {
            self.write_control_row(org, after).await?;
        }
        for link in before.links.difference(&after.links) {
            self.write_link(DELETE_LINK, org, &after.control, link).await?;
        }
        for link in after.links.difference(&before.links) {
            self.write_link(INSERT_LINK, org, &after.control, link).await?;
        }
        Ok(())
    }

    async fn append_status_change(&mut self, org: OrgId, c: &StatusChange) -> StoreResult<()> {
        self.touch(org);
        sqlx::query(INSERT_HISTORY)
            .bind(org.to_string())
            .bind(c.control.as_str())
            .bind(c.from.map(ControlStatus::as_str))
            .bind(c.to.as_str())
            .bind(c.by.as_str())
            .bind(instant_to_text(c.at))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("the status history of control {}", c.control))))?;
        Ok(())
    }
}

#[async_trait]
impl SoaRead for SqlTx {
    async fn soa_versions(&mut self, org: OrgId) -> StoreResult<Vec<SoaVersion>> {
        let rows = sqlx::query(SELECT_VERSIONS)
            .bind(org.to_string())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("SoA versions")))?;
        rows.iter()
            .map(|row| {
                let content: String = get(row, "content")?;
                Ok(SoaVersion {
                    number: get(row, "number")?,
                    approved_by: get(row, "approved_by")?,
                    approved_at: instant(row, "approved_at")?,
                    comment: get(row, "comment")?,
                    rows: serde_json::from_str(&content).map_err(|e| corrupt("soa_versions.content", e))?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl SoaWrite for SqlTx {
    async fn insert_soa_version(&mut self, org: OrgId, v: &SoaVersion) -> StoreResult<()> {
        self.touch(org);
        let content = serde_json::to_string(&v.rows).map_err(|e| corrupt("soa_versions.content", e))?;
        sqlx::query(INSERT_VERSION)
            .bind(org.to_string())
            .bind(v.number)
            .bind(v.approved_by.as_str())
            .bind(instant_to_text(v.approved_at))
            .bind(v.comment.as_str())
            .bind(content)
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("SoA version {}", v.number))))?;
        Ok(())
    }
}
