//! Recording changes in the audit trail, inside the transaction that makes them.

use isms_domain::OrgId;
use isms_domain::trail::{TrailActor, TrailDraft, TrailEntry};
use isms_store::WriteTx;
use serde::Serialize;
use time::OffsetDateTime;

use crate::AppResult;

/// Serializes a state for the trail's before/after columns.
pub(crate) fn state<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// Appends one change to the organization's hash-chained trail.
pub(crate) async fn record(
    tx: &mut dyn WriteTx,
    org: OrgId,
    at: OffsetDateTime,
    actor: &TrailActor,
    action: &str,
    entity: (&str, String),
    before: Option<String>,
    after: Option<String>,
) -> AppResult<()> {
    let head = tx.lock_trail_head(org).await?;
    let draft = TrailDraft {
        actor: actor.clone(),
        action: action.to_owned(),
        entity: entity.0.to_owned(),
        entity_id: entity.1,
        before,
        after,
    };
    tx.append_trail(&TrailEntry::seal(org, &head, at, draft)).await?;
    Ok(())
}
