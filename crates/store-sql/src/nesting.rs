//! Catches a transaction started by a task that already holds one.
//!
//! A task that holds a transaction (and so a pooled connection) and then waits for a
//! second connection can deadlock the pool: with as many such tasks as connections,
//! every one waits for a connection another holds, until the acquire timeout answers
//! 503. No use case needs two transactions at once, so the store refuses the second
//! one in debug builds (the whole test suite runs with the check) and logs it in
//! release builds. `ISMS_NESTING_BACKTRACE=1` prints where it happened.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use isms_store::StoreError;
use tokio::task::Id;

/// The tasks that hold a transaction of one store.
#[derive(Debug, Default)]
pub(crate) struct Nesting {
    open: Mutex<HashSet<Id>>,
}

/// A task's open transaction, registered until it ends.
#[derive(Debug)]
pub(crate) struct Registration {
    registry: Arc<Nesting>,
    task: Id,
}

impl Nesting {
    /// Registers a transaction of the current task. `Err` when the task already
    /// holds one (debug builds); outside a task nothing is checked.
    pub(crate) fn register(self: &Arc<Self>) -> Result<Option<Registration>, StoreError> {
        let Some(task) = tokio::task::try_id() else { return Ok(None) };
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if !open.insert(task) {
            let message = "a transaction was started while the same task already holds one \
                           (a second pooled connection can deadlock the pool)";
            if cfg!(debug_assertions) {
                print_backtrace_if_asked();
                return Err(StoreError::Unavailable(format!("internal error: {message}")));
            }
            tracing::error!(%task, "{message}");
            return Ok(None);
        }
        Ok(Some(Registration { registry: self.clone(), task }))
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.registry.open.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.task);
    }
}

/// With `ISMS_NESTING_BACKTRACE` set, prints where the second transaction began (the
/// async frames name the use case), to find it when a test reports the error.
#[expect(clippy::print_stderr, reason = "a debugging aid, asked for by its variable")]
fn print_backtrace_if_asked() {
    if std::env::var_os("ISMS_NESTING_BACKTRACE").is_some() {
        eprintln!("second transaction on one task: {}", std::backtrace::Backtrace::force_capture());
    }
}
