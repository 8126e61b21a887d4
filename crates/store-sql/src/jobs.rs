//! Runs of long jobs, claimed by one replica at a time (migration 0010).

use async_trait::async_trait;
use isms_domain::OrgId;
use isms_domain::job::JobRun;
use isms_store::{JobRead, JobWrite, StoreResult};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use crate::codec::{err, instant_to_text, text_to_instant};
use crate::repo::{get, instant, org_id};
use crate::tx::SqlTx;

const COLUMNS: &str = "org_id, kind, run, owner, total, done, started_at, lease_until, finished_at, succeeded, message";
const UPSERT: &str = "INSERT INTO job_runs (org_id, kind, run, owner, total, done, started_at, lease_until, \
     finished_at, succeeded, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
     ON CONFLICT (org_id, kind) DO UPDATE SET run = $3, owner = $4, total = $5, done = $6, started_at = $7, \
     lease_until = $8, finished_at = $9, succeeded = $10, message = $11";
const RENEW: &str = "UPDATE job_runs SET done = $5, lease_until = $6 \
     WHERE org_id = $1 AND kind = $2 AND run = $3 AND owner = $4 AND finished_at IS NULL";

fn job_run(row: &AnyRow) -> StoreResult<JobRun> {
    let finished_at: Option<String> = get(row, "finished_at")?;
    let finished = match finished_at {
        Some(at) => Some((
            text_to_instant("job_runs.finished_at", &at)?,
            get::<Option<i64>>(row, "succeeded")?.unwrap_or(0) != 0,
            get::<Option<String>>(row, "message")?.unwrap_or_default(),
        )),
        None => None,
    };
    Ok(JobRun {
        org: org_id(row, "org_id")?,
        kind: get(row, "kind")?,
        run: get(row, "run")?,
        owner: get(row, "owner")?,
        total: get(row, "total")?,
        done: get(row, "done")?,
        started_at: instant(row, "started_at")?,
        lease_until: instant(row, "lease_until")?,
        finished,
    })
}

impl SqlTx {
    async fn select_job_run(&mut self, org: OrgId, kind: &str, lock: &str) -> StoreResult<Option<JobRun>> {
        let sql = format!("SELECT {COLUMNS} FROM job_runs WHERE org_id = $1 AND kind = $2{lock}");
        let row = sqlx::query(&sql)
            .bind(org.to_string())
            .bind(kind.to_owned())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("job run")))?;
        row.as_ref().map(job_run).transpose()
    }
}

#[async_trait]
impl JobRead for SqlTx {
    async fn job_run(&mut self, org: OrgId, kind: &str) -> StoreResult<Option<JobRun>> {
        self.select_job_run(org, kind, "").await
    }
}

#[async_trait]
impl JobWrite for SqlTx {
    async fn lock_job_run(&mut self, org: OrgId, kind: &str) -> StoreResult<Option<JobRun>> {
        self.select_job_run(org, kind, self.dialect.for_update()).await
    }

    async fn put_job_run(&mut self, r: &JobRun) -> StoreResult<()> {
        let finished = r.finished.as_ref();
        sqlx::query(UPSERT)
            .bind(r.org.to_string())
            .bind(r.kind.clone())
            .bind(r.run)
            .bind(r.owner.clone())
            .bind(r.total)
            .bind(r.done)
            .bind(instant_to_text(r.started_at))
            .bind(instant_to_text(r.lease_until))
            .bind(finished.map(|(at, _, _)| instant_to_text(*at)))
            .bind(finished.map(|(_, ok, _)| i64::from(*ok)))
            .bind(finished.map(|(_, _, said)| said.clone()))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("job run")))?;
        Ok(())
    }

    async fn renew_job_run(
        &mut self,
        org: OrgId,
        kind: &str,
        run: i64,
        owner: &str,
        done: i64,
        lease_until: OffsetDateTime,
    ) -> StoreResult<bool> {
        let renewed = sqlx::query(RENEW)
            .bind(org.to_string())
            .bind(kind.to_owned())
            .bind(run)
            .bind(owner.to_owned())
            .bind(done)
            .bind(instant_to_text(lease_until))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("job run")))?;
        Ok(renewed.rows_affected() > 0)
    }
}
