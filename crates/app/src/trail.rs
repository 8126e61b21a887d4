//! The organization's audit trail (not ISO audits, which are `certification`):
//! recording each change inside the transaction that makes it, reading the trail,
//! verifying its hash chain, and exporting it.

use isms_domain::OrgId;
use isms_domain::access::UseCase;
use isms_domain::trail::{TrailActor, TrailBreak, TrailDraft, TrailEntry, TrailHead, verify_from};
use isms_store::WriteTx;
use serde::Serialize;
use time::OffsetDateTime;

use crate::access::Actor;
use crate::{AppResult, Cx};

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

/// Entries read per page while verifying or exporting.
const PAGE: u32 = 1000;

/// Entries with `seq > after`, oldest first, at most `limit`.
pub async fn trail(cx: &Cx, actor: &Actor, after: i64, limit: u32) -> AppResult<Vec<TrailEntry>> {
    actor.require(UseCase::ReadAuditTrail)?;
    page_of(cx, actor.org(), after, limit).await
}

async fn page_of(cx: &Cx, org: OrgId, after: i64, limit: u32) -> AppResult<Vec<TrailEntry>> {
    let mut tx = cx.store.read().await?;
    tx.organization(org).await?;
    Ok(tx.trail(org, after, limit.min(10_000)).await?)
}

/// Every entry of an organization's trail, oldest first.
pub async fn whole_trail(cx: &Cx, actor: &Actor) -> AppResult<Vec<TrailEntry>> {
    actor.require(UseCase::ReadAuditTrail)?;
    let org = actor.org();
    let mut all = Vec::new();
    loop {
        let page = page_of(cx, org, all.last().map_or(0, |e: &TrailEntry| e.seq), PAGE).await?;
        if page.is_empty() {
            return Ok(all);
        }
        all.extend(page);
    }
}

/// The outcome of verifying one organization's trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The organization.
    pub organization: OrgId,
    /// Entries checked.
    pub entries: i64,
    /// The first problem found, as a sentence (none when intact).
    pub problem: Option<String>,
}

impl Verification {
    /// True when the chain is intact.
    pub fn intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// Re-computes the whole hash chain of an organization's trail, page by page, and checks
/// that it ends where the database records its end. Reports the first bad entry.
pub async fn verify_trail(cx: &Cx, actor: &Actor) -> AppResult<Verification> {
    actor.require(UseCase::VerifyAuditTrail)?;
    let org = actor.org();
    let mut tx = cx.store.read().await?;
    tx.organization(org).await?;
    let recorded = tx.trail_head(org).await?;
    let mut head = TrailHead::genesis();
    let result: Result<TrailHead, TrailBreak> = loop {
        let page = match tx.trail(org, head.seq, PAGE).await {
            Ok(page) => page,
            Err(isms_store::StoreError::Corrupt(why)) => {
                return Ok(Verification {
                    organization: org,
                    entries: head.seq,
                    problem: Some(format!(
                        "an audit trail entry after entry {} cannot be read back, so it was changed outside isms: {why}",
                        head.seq
                    )),
                });
            }
            Err(e) => return Err(e.into()),
        };
        if page.is_empty() {
            break Ok(head.clone());
        }
        match verify_from(head.clone(), &page) {
            Ok(next) => head = next,
            Err(e) => break Err(e),
        }
    };
    let problem = match result {
        Err(e) => Some(e),
        Ok(end) if end != recorded => Some(TrailBreak::Truncated { found: end.seq, recorded: recorded.seq }),
        Ok(_) => None,
    };
    Ok(Verification { organization: org, entries: head.seq, problem: problem.map(|p| p.to_string()) })
}

/// The whole trail as a document (and how many entries it holds): JSON (every field) or CSV (one row per entry, the
/// before/after states as JSON text). Other formats are refused.
pub async fn export_trail(cx: &Cx, actor: &Actor, format: crate::export::DocFormat) -> AppResult<(usize, Vec<u8>)> {
    use crate::export::{DocFormat, failed};
    actor.require(UseCase::ReadAuditTrail)?;
    let all = whole_trail(cx, actor).await?;
    let bytes = match format {
        DocFormat::Json => serde_json::to_vec_pretty(&all).map_err(|e| failed(&e))?,
        DocFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let header =
                ["seq", "at", "actor", "action", "entity", "entity_id", "before", "after", "prev_hash", "hash"];
            w.write_record(header).map_err(|e| failed(&e))?;
            for e in &all {
                w.write_record(
                    [
                        e.seq.to_string(),
                        e.at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                        e.actor.to_stored(),
                        e.action.clone(),
                        e.entity.clone(),
                        e.entity_id.clone(),
                        e.before.clone().unwrap_or_default(),
                        e.after.clone().unwrap_or_default(),
                        e.prev_hash.clone(),
                        e.hash.clone(),
                    ]
                    .map(|cell| isms_domain::cells::inert(&cell).into_owned()),
                )
                .map_err(|e| failed(&e))?;
            }
            w.into_inner().map_err(|e| failed(&e))?
        }
        other => {
            return Err(crate::AppError::invalid_field(
                "format",
                format!("the audit trail exports as csv or json, not {}", other.extension()),
            ));
        }
    };
    Ok((all.len(), bytes))
}
