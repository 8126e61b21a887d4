//! A transaction on either engine, safe to abandon at any point.
//!
//! The repository traits are implemented on [`SqlTx`] in `repo`; the port hands it out
//! as a `ReadTx` (which exposes no writes) or a `WriteTx`.
//!
//! # Cancellation safety
//!
//! A request's future can be dropped at any `.await`: the client went away, the
//! request deadline passed, the server is shutting down. sqlx's own `Transaction`
//! does not survive that everywhere (a future dropped between a custom `BEGIN` and
//! the guard that would roll it back leaves the pooled connection inside a
//! transaction: sqlx issues #3875, #3932, #4385, #4393). So we do not use it: an
//! [`OpenTx`] owns its pooled connection from *before* the `BEGIN` is sent until the
//! `COMMIT` or `ROLLBACK` has been answered, and is the only way a transaction is
//! started. Dropped anywhere in between, it hands the connection to a task of its own
//! that rolls back (whether or not the `BEGIN` ever ran) and returns it to the pool
//! only when that worked; otherwise the connection is closed, never reused. The
//! SQLite writer turn is held until that rollback is done, so the next writer never
//! meets a lock left behind.

use std::collections::BTreeSet;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use isms_domain::OrgId;
use isms_store::{ReadTx, StoreError, StoreResult, WriteTx};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor};

use crate::codec::err;
use crate::dialect::Dialect;

/// How long a rollback of an abandoned transaction may take before its connection
/// is closed instead.
const ROLLBACK_TIMEOUT: Duration = Duration::from_secs(5);

/// A pooled connection inside a transaction this process started. Dereferences to
/// the connection for running statements.
#[derive(Debug)]
pub(crate) struct OpenTx {
    /// `None` only after [`OpenTx::end`] or during drop.
    conn: Option<PoolConnection<Any>>,
    /// True once `COMMIT` or `ROLLBACK` has been answered with success: the
    /// connection is clean and goes back to the pool as it is.
    ended: bool,
    /// Held until the transaction has ended (SQLite's in-process writer turn, and the
    /// guard that registers this transaction with its task).
    held: Held,
}

/// What a transaction keeps until it has ended, however it ends.
#[derive(Debug, Default)]
pub(crate) struct Held {
    /// The in-process writer turn (SQLite).
    pub(crate) turn: Option<tokio::sync::OwnedSemaphorePermit>,
    /// The registration that detects a second transaction on the same task.
    pub(crate) nesting: Option<crate::nesting::Registration>,
}

impl OpenTx {
    /// Takes a connection from the pool and starts a transaction with `statement`.
    /// Cancel-safe: dropped at any point, nothing is left open.
    pub(crate) async fn begin(pool: &AnyPool, statement: &'static str, held: Held) -> Result<Self, sqlx::Error> {
        let conn = pool.acquire().await?;
        // From here on, dropping `this` rolls back (or closes) the connection.
        let mut this = OpenTx { conn: Some(conn), ended: false, held };
        this.execute(statement).await?;
        Ok(this)
    }

    /// Commits. On failure the transaction is rolled back when this is dropped.
    pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
        self.execute("COMMIT").await?;
        self.ended = true;
        Ok(())
    }

    /// Rolls back now (instead of in a task after drop).
    pub(crate) async fn rollback(mut self) -> Result<(), sqlx::Error> {
        self.execute("ROLLBACK").await?;
        self.ended = true;
        Ok(())
    }
}

impl Deref for OpenTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        #[expect(clippy::expect_used, reason = "the connection is only taken out in drop")]
        self.conn.as_ref().expect("an open transaction has its connection")
    }
}

impl DerefMut for OpenTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        #[expect(clippy::expect_used, reason = "the connection is only taken out in drop")]
        self.conn.as_mut().expect("an open transaction has its connection")
    }
}

impl Drop for OpenTx {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else { return };
        if self.ended {
            return; // clean: `conn` goes back to the pool
        }
        let Held { turn, nesting } = std::mem::take(&mut self.held);
        // The task is done with this transaction now; only the rollback remains.
        drop(nesting);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let rolled_back =
                        matches!(tokio::time::timeout(ROLLBACK_TIMEOUT, conn.execute("ROLLBACK")).await, Ok(Ok(_)));
                    if !rolled_back {
                        // SQLite refuses ROLLBACK when the BEGIN never ran; either way we
                        // do not know the connection's state, so it is not reused.
                        conn.close_on_drop();
                    }
                    drop(conn);
                    drop(turn);
                });
            }
            Err(_) => {
                // No runtime to roll back on: close the connection (the server rolls
                // back what it had); it never returns to the pool.
                drop(conn.detach());
                drop(turn);
            }
        }
    }
}

/// An open transaction of the store port. Dropping it without [`WriteTx::commit`]
/// rolls it back (see the module documentation).
///
/// After a statement fails, the transaction is poisoned and `commit` refuses: on
/// PostgreSQL the server has already aborted it (its COMMIT would silently roll back),
/// and SQLite is held to the same rule so both engines behave alike.
#[derive(Debug)]
pub(crate) struct SqlTx {
    pub(crate) tx: OpenTx,
    pub(crate) dialect: Dialect,
    poisoned: AtomicBool,
    /// Organizations whose data this transaction wrote: their data version is raised
    /// when it commits.
    touched: BTreeSet<OrgId>,
}

impl SqlTx {
    pub(crate) fn new(tx: OpenTx, dialect: Dialect) -> Self {
        Self { tx, dialect, poisoned: AtomicBool::new(false), touched: BTreeSet::new() }
    }

    /// Notes that this transaction writes `org`'s data.
    pub(crate) fn touch(&mut self, org: OrgId) {
        self.touched.insert(org);
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

const RAISE_DATA_VERSION: &str = "UPDATE trail_heads SET data_version = data_version + 1 WHERE org_id = $1";

#[async_trait]
impl WriteTx for SqlTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        if self.poisoned.load(Ordering::Relaxed) {
            let _ = self.tx.rollback().await;
            return Err(StoreError::Conflict(
                "a statement of this transaction failed earlier, so nothing of it was saved".into(),
            ));
        }
        let mut this = *self;
        for org in std::mem::take(&mut this.touched) {
            sqlx::query(RAISE_DATA_VERSION)
                .bind(org.to_string())
                .execute(&mut *this.tx)
                .await
                .map_err(err("the organization's data version"))?;
        }
        this.tx.commit().await.map_err(err("commit"))
    }
}
