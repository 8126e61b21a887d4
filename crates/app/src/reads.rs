//! One read transaction per request. A server runs each read-only request (GET, HEAD)
//! inside [`one_read_per_request`]: the first read of the request opens a read
//! transaction and every later read of the same request (authentication, the use case,
//! the names on the page) uses it, so a page reads one consistent snapshot and pays for
//! one `BEGIN`. A write ends the shared read first (see [`Cx::write`]), so what is read
//! after a write sees it. Outside such a scope (the command line, writes) every read
//! has a transaction of its own, as before.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use isms_store::{ReadTx, StoreResult, WriteTx};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::Cx;

type Shared = Arc<Mutex<Option<Box<dyn ReadTx>>>>;

tokio::task_local! {
    static REQUEST_READ: Shared;
}

/// Runs `work` with one read transaction shared by all its reads.
pub async fn one_read_per_request<F: Future>(work: F) -> F::Output {
    REQUEST_READ.scope(Arc::new(Mutex::new(None)), work).await
}

/// A read transaction: the request's shared one, or one of its own.
pub enum Reader {
    /// The request's transaction, held until this is dropped.
    Shared(OwnedMutexGuard<Option<Box<dyn ReadTx>>>),
    /// A transaction of its own.
    Own(Box<dyn ReadTx>),
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Reader::Shared(_) => "Reader::Shared",
            Reader::Own(_) => "Reader::Own",
        })
    }
}

impl Deref for Reader {
    type Target = dyn ReadTx;

    fn deref(&self) -> &Self::Target {
        match self {
            Reader::Shared(guard) => match guard.as_deref() {
                Some(tx) => tx,
                None => unreachable!("a shared reader is handed out only once its transaction is open"),
            },
            Reader::Own(tx) => &**tx,
        }
    }
}

impl DerefMut for Reader {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            Reader::Shared(guard) => match guard.as_deref_mut() {
                Some(tx) => tx,
                None => unreachable!("a shared reader is handed out only once its transaction is open"),
            },
            Reader::Own(tx) => &mut **tx,
        }
    }
}

impl Cx {
    /// A read transaction: inside [`one_read_per_request`], the request's (opened on
    /// first use); otherwise one of its own.
    pub async fn read(&self) -> StoreResult<Reader> {
        if let Ok(shared) = REQUEST_READ.try_with(Arc::clone)
            && let Ok(mut guard) = shared.try_lock_owned()
        {
            if guard.is_none() {
                *guard = Some(self.store.read().await?);
            }
            return Ok(Reader::Shared(guard));
        }
        Ok(Reader::Own(self.store.read().await?))
    }

    /// A write transaction. Inside [`one_read_per_request`] the request's read
    /// transaction ends first, so reads after the write see it (and one task never
    /// holds two transactions).
    pub async fn write(&self) -> StoreResult<Box<dyn WriteTx>> {
        end_request_read();
        self.store.write().await
    }
}

/// Ends the request's read transaction, if one is open and not in use (before the task
/// opens a transaction of another kind; a later read opens a new one).
pub(crate) fn end_request_read() {
    if let Ok(shared) = REQUEST_READ.try_with(Arc::clone)
        && let Ok(mut guard) = shared.try_lock_owned()
    {
        drop(guard.take());
    }
}
