//! The results of ingested check runs (migration 0011), written in batches of many
//! rows per statement.

use async_trait::async_trait;
use isms_domain::OrgId;
use isms_domain::check::{CheckResult, Outcome, Reading, Reference, Severity};
use isms_store::{CheckRead, CheckWrite, StoreError, StoreResult};

use crate::codec::err;
use crate::repo::get;
use crate::tx::SqlTx;

const COLUMNS: &str = "org_id, run_id, seq, rule, title, target, outcome, severity, message, refs";
/// Rows per statement. SQLite looks each numbered parameter up by name when it is
/// bound, which costs in proportion to the statement's parameters: 50 rows (500
/// parameters) keep that small while a statement still carries many rows (measured
/// in docs/performance.md; 500 rows spent two thirds of an ingestion binding).
const BATCH: usize = 50;

/// Text as both engines keep it: PostgreSQL's text cannot hold NUL, which a tool's
/// output may carry; it is dropped.
fn text(s: &str) -> String {
    s.replace('\0', "")
}

#[async_trait]
impl CheckRead for SqlTx {
    async fn check_results(
        &mut self,
        org: OrgId,
        run: &str,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, CheckResult)>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM check_results WHERE org_id = $1 AND run_id = $2 AND seq > $3 ORDER BY seq LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(org.to_string())
            .bind(run.to_owned())
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("check results")))?;
        rows.iter()
            .map(|row| {
                let outcome: String = get(row, "outcome")?;
                let refs: String = get(row, "refs")?;
                let references: Vec<Reference> =
                    serde_json::from_str(&refs).map_err(|e| StoreError::Corrupt(format!("check_results.refs: {e}")))?;
                Ok((
                    get(row, "seq")?,
                    CheckResult {
                        rule: get(row, "rule")?,
                        title: get(row, "title")?,
                        target: get(row, "target")?,
                        outcome: Outcome::parse(&outcome)
                            .ok_or_else(|| StoreError::Corrupt(format!("check_results.outcome {outcome:?}")))?,
                        severity: Severity::parse(&get::<String>(row, "severity")?),
                        message: get(row, "message")?,
                        references,
                    },
                ))
            })
            .collect()
    }

    async fn check_readings(
        &mut self,
        org: OrgId,
        check: &str,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<(i64, Reading)>> {
        let rows = sqlx::query(
            "SELECT seq, reading FROM check_readings WHERE org_id = $1 AND check_id = $2 AND seq < $3 \
             ORDER BY seq DESC LIMIT $4",
        )
        .bind(org.to_string())
        .bind(check.to_owned())
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(self.poison(err("check readings")))?;
        rows.iter()
            .map(|row| {
                let json: String = get(row, "reading")?;
                let reading = serde_json::from_str(&json)
                    .map_err(|e| StoreError::Corrupt(format!("check_readings.reading: {e}")))?;
                Ok((get(row, "seq")?, reading))
            })
            .collect()
    }
}

#[async_trait]
impl CheckWrite for SqlTx {
    async fn insert_check_reading(&mut self, org: OrgId, check: &str, seq: i64, reading: &Reading) -> StoreResult<()> {
        self.touch(org);
        let json = serde_json::to_string(reading).map_err(|e| StoreError::Corrupt(format!("check reading: {e}")))?;
        sqlx::query("INSERT INTO check_readings (org_id, check_id, seq, reading) VALUES ($1, $2, $3, $4)")
            .bind(org.to_string())
            .bind(check.to_owned())
            .bind(seq)
            .bind(text(&json))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("check readings")))?;
        Ok(())
    }

    async fn insert_check_results(
        &mut self,
        org: OrgId,
        run: &str,
        first: i64,
        results: &[CheckResult],
    ) -> StoreResult<()> {
        self.touch(org);
        let mut seq = first;
        for chunk in results.chunks(BATCH) {
            let mut sql = format!("INSERT INTO check_results ({COLUMNS}) VALUES ");
            for i in 0..chunk.len() {
                let b = i * 10;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                sql.push_str(&(1..=10).map(|k| format!("${}", b + k)).collect::<Vec<_>>().join(", "));
                sql.push(')');
            }
            let mut q = sqlx::query(&sql);
            for r in chunk {
                let refs = serde_json::to_string(&r.references)
                    .map_err(|e| StoreError::Corrupt(format!("check result references: {e}")))?;
                q = q
                    .bind(org.to_string())
                    .bind(run.to_owned())
                    .bind(seq)
                    .bind(text(&r.rule))
                    .bind(text(&r.title))
                    .bind(text(&r.target))
                    .bind(r.outcome.as_str())
                    .bind(r.severity.as_str())
                    .bind(text(&r.message))
                    .bind(refs);
                seq += 1;
            }
            q.execute(&mut *self.tx).await.map_err(self.poison(err("check results")))?;
        }
        Ok(())
    }
}
