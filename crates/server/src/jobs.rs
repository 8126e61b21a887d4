//! Work a page starts that outlives its request: the portfolio simulation. A job runs
//! on its own task, so closing the tab or losing the connection does not stop it, and
//! its result is stored by the use case it calls. The run is claimed in the database
//! ([`isms_app::jobs`]): one run of a kind per organization at a time across every
//! replica, so repeated clicks, two tabs or two replicas start one simulation; the
//! replica doing it renews its claim every second with the progress, so a page served
//! by any replica follows it; if that replica dies, the run shows as stopped once its
//! claim lapses and can be started again.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use isms_app::access::Actor;
use isms_app::{AppResult, Cx};
use isms_domain::access::UseCase;
use isms_domain::job::JobState;

/// How often the replica doing a run records its progress and renews its claim.
const HEARTBEAT: Duration = Duration::from_secs(1);

/// This process's side of the jobs: its name as the owner of the runs it claims.
#[derive(Debug)]
pub(crate) struct Jobs {
    instance: String,
}

impl Jobs {
    /// `instance` tells this replica's runs from others' (random per process).
    pub fn new(instance: String) -> Self {
        Self { instance }
    }

    /// Starts `work` as a run of `kind` in the actor's organization unless one is
    /// running there (on any replica), the actor holding `use_case`; answers the run's number. `work` gets a counter
    /// to advance as it finishes each of `total` steps.
    pub async fn start<F>(
        &self,
        cx: &Cx,
        actor: Actor,
        use_case: UseCase,
        kind: &'static str,
        total: usize,
        work: impl FnOnce(Arc<AtomicUsize>) -> F,
    ) -> AppResult<i64>
    where
        F: Future<Output = Result<String, String>> + Send + 'static,
    {
        let owner = self.instance.clone();
        let (run, mine) = isms_app::jobs::claim_job(cx, &actor, use_case, kind, &owner, total).await?;
        if !mine {
            return Ok(run);
        }
        let done = Arc::new(AtomicUsize::new(0));
        let future = work(done.clone());
        let cx = cx.clone();
        tokio::spawn(async move {
            let heartbeat = {
                let (cx, actor, owner, done) = (cx.clone(), actor, owner.clone(), done.clone());
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(HEARTBEAT).await;
                        let n = done.load(Ordering::Relaxed);
                        match isms_app::jobs::renew_job(&cx, &actor, kind, run, &owner, n).await {
                            Ok(true) => {}
                            Ok(false) => break, // replaced: no longer ours to report
                            Err(e) => tracing::warn!(kind, run, "could not renew the job's claim: {e}"),
                        }
                    }
                })
            };
            let outcome = future.await;
            heartbeat.abort();
            if let Err(e) = isms_app::jobs::finish_job(&cx, &actor, kind, run, &owner, outcome).await {
                tracing::warn!(kind, run, "could not record the job's outcome: {e}");
            }
        });
        Ok(run)
    }

    /// Where run `run` of `kind` stands in the actor's organization (another
    /// organization's run is not found).
    pub async fn progress(&self, cx: &Cx, actor: &Actor, kind: &str, run: i64) -> AppResult<Option<JobState>> {
        isms_app::jobs::job_state(cx, actor, kind, run).await
    }
}
