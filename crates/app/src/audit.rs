//! The audit trail as people use it: read it, export it, and verify that nobody edited,
//! deleted or reordered an entry since it was written.

use isms_domain::OrgId;
use isms_domain::trail::{TrailBreak, TrailEntry, TrailHead, verify_from};
use serde::Serialize;

use crate::{AppResult, Cx};

/// Entries read per page while verifying or exporting.
const PAGE: u32 = 1000;

/// Entries with `seq > after`, oldest first, at most `limit`.
pub async fn trail(cx: &Cx, org: OrgId, after: i64, limit: u32) -> AppResult<Vec<TrailEntry>> {
    let mut tx = cx.store.read().await?;
    tx.organization(org).await?;
    Ok(tx.trail(org, after, limit.min(10_000)).await?)
}

/// Every entry of an organization's trail, oldest first.
pub async fn whole_trail(cx: &Cx, org: OrgId) -> AppResult<Vec<TrailEntry>> {
    let mut all = Vec::new();
    loop {
        let page = trail(cx, org, all.last().map_or(0, |e: &TrailEntry| e.seq), PAGE).await?;
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
pub async fn verify_trail(cx: &Cx, org: OrgId) -> AppResult<Verification> {
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
