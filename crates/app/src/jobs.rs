//! Long jobs (a portfolio simulation) shared by every replica: a run is claimed in the
//! database by the replica that will do it, which renews its claim while it works and
//! records the outcome; a second click, a second tab or another replica joins the
//! running run instead of starting another; any replica shows its progress; a run whose
//! replica died is abandoned once its lease lapses and may be started again.

use isms_domain::access::UseCase;
use isms_domain::job::{JobRun, JobState, LEASE};

use crate::access::Actor;
use crate::{AppResult, Cx};

/// Claims a run of `kind` in the actor's organization for `owner` (this replica),
/// unless one is running: answers the run's number and whether this call claimed it
/// (then the caller does the work and reports with [`renew_job`] and [`finish_job`]).
pub async fn claim_job(
    cx: &Cx,
    actor: &Actor,
    use_case: UseCase,
    kind: &str,
    owner: &str,
    total: usize,
) -> AppResult<(i64, bool)> {
    actor.require(use_case)?;
    let org = actor.org();
    let now = cx.clock.now();
    let mut tx = cx.write().await?;
    // The organization's write turn: two replicas claiming at once take turns.
    tx.lock_organization(org).await?;
    let last = tx.lock_job_run(org, kind).await?;
    if let Some(running) = last.as_ref().filter(|r| !r.replaceable(now)) {
        return Ok((running.run, false));
    }
    let run = JobRun {
        org,
        kind: kind.to_owned(),
        run: last.map_or(1, |r| r.run + 1),
        owner: owner.to_owned(),
        total: i64::try_from(total).unwrap_or(i64::MAX),
        done: 0,
        started_at: now,
        lease_until: now + LEASE,
        finished: None,
    };
    tx.put_job_run(&run).await?;
    tx.commit().await?;
    Ok((run.run, true))
}

/// Records progress on a run this replica claimed and renews the claim; false when it
/// is no longer this replica's (its claim lapsed and another run replaced it).
pub async fn renew_job(cx: &Cx, actor: &Actor, kind: &str, run: i64, owner: &str, done: usize) -> AppResult<bool> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let mut tx = cx.write().await?;
    let lease_until = cx.clock.now() + LEASE;
    let renewed = tx.renew_job_run(org, kind, run, owner, i64::try_from(done).unwrap_or(i64::MAX), lease_until).await?;
    tx.commit().await?;
    Ok(renewed)
}

/// Records how a run this replica claimed ended (unless it was replaced meanwhile).
pub async fn finish_job(
    cx: &Cx,
    actor: &Actor,
    kind: &str,
    run: i64,
    owner: &str,
    outcome: Result<String, String>,
) -> AppResult<()> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let mut tx = cx.write().await?;
    let Some(mut current) = tx.lock_job_run(org, kind).await? else { return Ok(()) };
    if current.run != run || current.owner != owner || current.finished.is_some() {
        return Ok(());
    }
    current.done = current.total;
    current.finished = Some(match outcome {
        Ok(said) => (cx.clock.now(), true, said),
        Err(why) => (cx.clock.now(), false, why),
    });
    tx.put_job_run(&current).await?;
    tx.commit().await?;
    Ok(())
}

/// Where run `run` of `kind` stands, as any replica sees it; `None` when there is no
/// such run in the actor's organization (or a later one replaced it).
pub async fn job_state(cx: &Cx, actor: &Actor, kind: &str, run: i64) -> AppResult<Option<JobState>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let latest = cx.read().await?.job_run(org, kind).await?;
    Ok(latest.filter(|r| r.run == run).map(|r| r.state(cx.clock.now())))
}
