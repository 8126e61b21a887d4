//! Work a page starts that outlives its request: the portfolio simulation. A job runs
//! on its own task, so closing the tab or losing the connection does not stop it, and
//! its result is stored by the use case it calls; the page polls the job's progress.
//! One job of a kind runs per organization at a time, so repeated clicks or two tabs
//! start one simulation, not many. Jobs live in this server process: behind a load
//! balancer a poll that reaches another replica finds no job and shows the stored
//! result instead.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use isms_domain::OrgId;

/// How long a finished job's outcome is kept for the page that polls it.
const KEPT: Duration = Duration::from_secs(15 * 60);

/// The jobs of this process.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    next: AtomicU64,
    jobs: Mutex<HashMap<u64, Job>>,
}

/// When a job finished, and what it said or why it failed.
type Outcome = Arc<Mutex<Option<(Instant, Result<String, String>)>>>;

#[derive(Debug, Clone)]
struct Job {
    org: OrgId,
    kind: &'static str,
    total: usize,
    done: Arc<AtomicUsize>,
    outcome: Outcome,
}

/// What a page shows of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Progress {
    pub total: usize,
    pub done: usize,
    /// `None` while it runs; then what it said, or why it failed.
    pub outcome: Option<Result<String, String>>,
}

impl Jobs {
    /// Starts `work` for `org` unless a job of the same kind is still running there;
    /// answers the job's number (the running one's, if there was one). `work` gets a
    /// counter to advance as it finishes each of `total` steps.
    pub fn start<F>(
        &self,
        org: OrgId,
        kind: &'static str,
        total: usize,
        work: impl FnOnce(Arc<AtomicUsize>) -> F,
    ) -> u64
    where
        F: Future<Output = Result<String, String>> + Send + 'static,
    {
        let mut jobs = self.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        jobs.retain(|_, j| match &*j.outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner) {
            Some((at, _)) => at.elapsed() < KEPT,
            None => true,
        });
        let running = jobs.iter().find(|(_, j)| {
            j.org == org
                && j.kind == kind
                && j.outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_none()
        });
        if let Some((id, _)) = running {
            return *id;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let done = Arc::new(AtomicUsize::new(0));
        let outcome = Arc::new(Mutex::new(None));
        let job = Job { org, kind, total, done: done.clone(), outcome: outcome.clone() };
        jobs.insert(id, job);
        let future = work(done);
        tokio::spawn(async move {
            let result = future.await;
            *outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((Instant::now(), result));
        });
        id
    }

    /// A job of `org` (another organization's job is not found).
    pub fn progress(&self, org: OrgId, id: u64) -> Option<Progress> {
        let jobs = self.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let job = jobs.get(&id).filter(|j| j.org == org)?;
        let outcome =
            job.outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref().map(|(_, r)| r.clone());
        Some(Progress { total: job.total, done: job.done.load(Ordering::Relaxed).min(job.total), outcome })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_job_runs_once_per_organization_and_is_seen_only_by_it() {
        let jobs = Jobs::default();
        let (a, b) = (OrgId::from_random_bytes([1; 16]), OrgId::from_random_bytes([2; 16]));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let first = jobs.start(a, "sim", 2, |done| async move {
            done.fetch_add(1, Ordering::Relaxed);
            let _ = rx.await;
            Ok("finished".to_owned())
        });
        let again = jobs.start(a, "sim", 2, |_| async { Ok("second".to_owned()) });
        assert_eq!(first, again, "a second click joins the running job");
        assert!(jobs.progress(b, first).is_none(), "another organization does not see it");
        let other = jobs.start(b, "sim", 1, |_| async { Ok("b".to_owned()) });
        assert_ne!(other, first);
        tx.send(()).unwrap();
        for _ in 0..100 {
            if jobs.progress(a, first).and_then(|p| p.outcome).is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(jobs.progress(a, first), Some(Progress { total: 2, done: 1, outcome: Some(Ok("finished".into())) }));
    }
}
