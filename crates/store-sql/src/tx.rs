//! A transaction on either engine. The repository traits are implemented on it in
//! `repo`; the port hands it out as a `ReadTx` (which exposes no writes) or a `WriteTx`.

use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use isms_store::{ReadTx, StoreError, StoreResult, WriteTx};
use sqlx::{Any, Transaction};

use crate::codec::err;
use crate::dialect::Dialect;

/// An open transaction. Dropping it without [`WriteTx::commit`] rolls it back.
///
/// After a statement fails, the transaction is poisoned and `commit` refuses: on
/// PostgreSQL the server has already aborted it (its COMMIT would silently roll back),
/// and SQLite is held to the same rule so both engines behave alike.
#[derive(Debug)]
pub(crate) struct SqlTx {
    pub(crate) tx: Transaction<'static, Any>,
    pub(crate) dialect: Dialect,
    poisoned: AtomicBool,
    /// The in-process writer turn (SQLite): held until the transaction ends.
    _turn: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl SqlTx {
    pub(crate) fn new(
        tx: Transaction<'static, Any>,
        dialect: Dialect,
        turn: Option<tokio::sync::OwnedSemaphorePermit>,
    ) -> Self {
        Self { tx, dialect, poisoned: AtomicBool::new(false), _turn: turn }
    }

    /// Wraps an error mapper so that a database error poisons the transaction.
    pub(crate) fn poison<'a>(
        &'a self,
        map: impl FnOnce(sqlx::Error) -> StoreError + 'a,
    ) -> impl FnOnce(sqlx::Error) -> StoreError + 'a {
        move |e| {
            if matches!(e, sqlx::Error::Database(_)) {
                self.poisoned.store(true, Ordering::Relaxed);
            }
            map(e)
        }
    }
}

impl ReadTx for SqlTx {}

#[async_trait]
impl WriteTx for SqlTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        if self.poisoned.load(Ordering::Relaxed) {
            let _ = self.tx.rollback().await;
            return Err(StoreError::Conflict(
                "a statement of this transaction failed earlier, so nothing of it was saved".into(),
            ));
        }
        self.tx.commit().await.map_err(err("commit"))
    }
}
