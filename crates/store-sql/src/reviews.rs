//! Review cycles and recorded reviews, for every kind of subject.

use async_trait::async_trait;
use isms_domain::OrgId;
use isms_domain::review::{Review, ReviewCycle, ReviewOutcome, Subject};
use isms_store::{ReviewRead, ReviewWrite, StoreResult};
use time::Date;

use crate::codec::{corrupt, date_to_text, err, instant_to_text, text_to_date};
use crate::repo::{get, instant};
use crate::tx::SqlTx;

const SELECT_CYCLE: &str = "SELECT interval_months, warn_days, started_on FROM review_cycles \
     WHERE org_id = $1 AND subject_kind = $2 AND subject_id = $3";
const UPSERT_CYCLE: &str = "INSERT INTO review_cycles (org_id, subject_kind, subject_id, interval_months, warn_days, \
     started_on) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, subject_kind, subject_id) \
     DO UPDATE SET interval_months = $4, warn_days = $5, started_on = $6";
const SELECT_REVIEWS: &str = "SELECT reviewed_on, reviewer, outcome, comment, recorded_at FROM reviews \
     WHERE org_id = $1 AND subject_kind = $2 AND subject_id = $3 ORDER BY seq";
const INSERT_REVIEW: &str = "INSERT INTO reviews (org_id, subject_kind, subject_id, seq, reviewed_on, reviewer, \
     outcome, comment, recorded_at) VALUES ($1, $2, $3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM reviews \
     WHERE org_id = $1 AND subject_kind = $2 AND subject_id = $3), $4, $5, $6, $7, $8)";

#[async_trait]
impl ReviewRead for SqlTx {
    async fn review_cycle(&mut self, org: OrgId, subject: &Subject) -> StoreResult<Option<(ReviewCycle, Date)>> {
        let row = sqlx::query(SELECT_CYCLE)
            .bind(org.to_string())
            .bind(subject.kind.as_str())
            .bind(subject.id.as_str())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(self.poison(err("review cycle")))?;
        row.map(|row| {
            let months: i64 = get(&row, "interval_months")?;
            let warn: i64 = get(&row, "warn_days")?;
            let cycle = ReviewCycle {
                interval_months: u32::try_from(months).map_err(|e| corrupt("review_cycles.interval_months", e))?,
                warn_days: u32::try_from(warn).map_err(|e| corrupt("review_cycles.warn_days", e))?,
            };
            Ok((cycle, text_to_date("review_cycles.started_on", &get::<String>(&row, "started_on")?)?))
        })
        .transpose()
    }

    async fn reviews(&mut self, org: OrgId, subject: &Subject) -> StoreResult<Vec<Review>> {
        let rows = sqlx::query(SELECT_REVIEWS)
            .bind(org.to_string())
            .bind(subject.kind.as_str())
            .bind(subject.id.as_str())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(self.poison(err("reviews")))?;
        rows.iter()
            .map(|row| {
                let outcome: String = get(row, "outcome")?;
                Ok(Review {
                    subject: subject.clone(),
                    reviewed_on: text_to_date("reviews.reviewed_on", &get::<String>(row, "reviewed_on")?)?,
                    reviewer: get(row, "reviewer")?,
                    outcome: ReviewOutcome::parse(&outcome).ok_or_else(|| corrupt("reviews.outcome", &outcome))?,
                    comment: get(row, "comment")?,
                    recorded_at: instant(row, "recorded_at")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl ReviewWrite for SqlTx {
    async fn set_review_cycle(
        &mut self,
        org: OrgId,
        subject: &Subject,
        cycle: ReviewCycle,
        started: Date,
    ) -> StoreResult<()> {
        self.touch(org);
        sqlx::query(UPSERT_CYCLE)
            .bind(org.to_string())
            .bind(subject.kind.as_str())
            .bind(subject.id.as_str())
            .bind(i64::from(cycle.interval_months))
            .bind(i64::from(cycle.warn_days))
            .bind(date_to_text(started))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err("review cycle")))?;
        Ok(())
    }

    async fn insert_review(&mut self, org: OrgId, r: &Review) -> StoreResult<()> {
        self.touch(org);
        sqlx::query(INSERT_REVIEW)
            .bind(org.to_string())
            .bind(r.subject.kind.as_str())
            .bind(r.subject.id.as_str())
            .bind(date_to_text(r.reviewed_on))
            .bind(r.reviewer.as_str())
            .bind(r.outcome.as_str())
            .bind(r.comment.as_str())
            .bind(instant_to_text(r.recorded_at))
            .execute(&mut *self.tx)
            .await
            .map_err(self.poison(err(&format!("a review of {} {}", r.subject.kind.as_str(), r.subject.id))))?;
        Ok(())
    }
}
