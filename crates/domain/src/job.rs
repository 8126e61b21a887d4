//! Work that outlives the request that started it (a portfolio simulation), shared by
//! every replica: one run of a kind per organization at a time, held by the replica
//! that claimed it for as long as it keeps renewing its lease.

use time::OffsetDateTime;

use crate::ids::OrgId;

/// How long a claim holds without being renewed: a replica that stops renewing (it was
/// killed) loses the run after this, and another may start it again.
pub const LEASE: time::Duration = time::Duration::seconds(30);

/// One run of a kind of job in an organization, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    /// The organization.
    pub org: OrgId,
    /// What runs (`fair_portfolio`).
    pub kind: String,
    /// Which run of this kind in this organization (1, 2, …): what a page follows.
    pub run: i64,
    /// The replica that holds it.
    pub owner: String,
    /// Steps to do and done.
    pub total: i64,
    /// Steps done.
    pub done: i64,
    /// When it started.
    pub started_at: OffsetDateTime,
    /// Until when the claim holds unless renewed.
    pub lease_until: OffsetDateTime,
    /// When it finished, whether it succeeded, and what it said.
    pub finished: Option<(OffsetDateTime, bool, String)>,
}

/// Where a run stands at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Still running, `done` of `total`.
    Running {
        /// Steps done.
        done: i64,
        /// Steps in all.
        total: i64,
    },
    /// Finished: what it said, or why it failed.
    Finished(Result<String, String>),
    /// Its replica stopped renewing the claim before it finished.
    Abandoned,
}

impl JobRun {
    /// Whether a new run may start instead of this one at `now`: it finished, or its
    /// claim lapsed.
    pub fn replaceable(&self, now: OffsetDateTime) -> bool {
        self.finished.is_some() || self.lease_until <= now
    }

    /// Where it stands at `now`.
    pub fn state(&self, now: OffsetDateTime) -> JobState {
        match &self.finished {
            Some((_, true, said)) => JobState::Finished(Ok(said.clone())),
            Some((_, false, why)) => JobState::Finished(Err(why.clone())),
            None if self.lease_until <= now => JobState::Abandoned,
            None => JobState::Running { done: self.done.min(self.total), total: self.total },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_replaceable_once_finished_or_when_its_claim_lapsed() {
        let t = OffsetDateTime::UNIX_EPOCH;
        let mut run = JobRun {
            org: OrgId::from_random_bytes([1; 16]),
            kind: "fair_portfolio".into(),
            run: 1,
            owner: "a".into(),
            total: 10,
            done: 12,
            started_at: t,
            lease_until: t + LEASE,
            finished: None,
        };
        assert!(!run.replaceable(t + time::Duration::seconds(29)));
        assert_eq!(run.state(t), JobState::Running { done: 10, total: 10 });
        assert!(run.replaceable(t + LEASE));
        assert_eq!(run.state(t + LEASE), JobState::Abandoned);
        run.finished = Some((t, false, "no estimates".into()));
        assert!(run.replaceable(t));
        assert_eq!(run.state(t + LEASE), JobState::Finished(Err("no estimates".into())));
    }
}
