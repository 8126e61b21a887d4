//! Recording changes in the audit trail, inside the transaction that makes them.

use isms_domain::OrgId;
use isms_domain::trail::{TrailActor, TrailDraft, TrailEntry};
use isms_store::WriteTx;
use serde::Serialize;
use time::OffsetDateTime;

use crate::AppResult;

/// Serializes a state for the trail's before/after columns.
fn state<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// A creation: no state before, the new thing's state after.
pub(crate) fn created<T: Serialize>(
    actor: &TrailActor,
    action: &str,
    entity: &str,
    id: String,
    after: &T,
) -> TrailDraft {
    TrailDraft {
        actor: actor.clone(),
        action: action.to_owned(),
        entity: entity.to_owned(),
        entity_id: id,
        before: None,
        after: state(after),
    }
}

/// Appends one change to the organization's hash-chained trail.
pub(crate) async fn record(tx: &mut dyn WriteTx, org: OrgId, at: OffsetDateTime, draft: TrailDraft) -> AppResult<()> {
    let head = tx.lock_trail_head(org).await?;
    tx.append_trail(&TrailEntry::seal(org, &head, at, draft)).await?;
    Ok(())
}
