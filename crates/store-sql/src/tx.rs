//! A transaction on either engine. The repository traits are implemented on it in
//! `repo`; the port hands it out as a `ReadTx` (which exposes no writes) or a `WriteTx`.

use async_trait::async_trait;
use isms_store::{ReadTx, StoreResult, WriteTx};
use sqlx::{Any, Transaction};

use crate::codec::err;
use crate::dialect::Dialect;

/// An open transaction. Dropping it without [`WriteTx::commit`] rolls it back.
#[derive(Debug)]
pub(crate) struct SqlTx {
    pub(crate) tx: Transaction<'static, Any>,
    pub(crate) dialect: Dialect,
}

impl SqlTx {
    pub(crate) fn new(tx: Transaction<'static, Any>, dialect: Dialect) -> Self {
        Self { tx, dialect }
    }
}

impl ReadTx for SqlTx {}

#[async_trait]
impl WriteTx for SqlTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.tx.commit().await.map_err(err("commit"))
    }
}
