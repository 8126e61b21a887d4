//! What changed since the last audit, from the trail.

use super::*;

/// One record that is new, changed or removed since a date.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Change {
    /// `risk`, `control`, `document`, `asset`.
    pub entity: String,
    /// Its id.
    pub id: String,
    /// `new`, `changed` or `removed`.
    pub change: &'static str,
    /// How many changes were made to it.
    pub edits: usize,
    /// The last change.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub last: time::OffsetDateTime,
}

/// The kinds a surveillance auditor asks about first.
pub const CHANGE_KINDS: [&str; 8] =
    ["risk", "control", "soa", "document", "asset", "scope", "context_issue", "interested_party"];

/// What changed since a date (the end of the last completed audit when `None`, else
/// a year ago): read from the audit trail, so it needs the right to read the trail.
pub async fn changes_since(cx: &Cx, actor: &Actor, since: Option<Date>) -> AppResult<(Date, Vec<Change>)> {
    actor.require(UseCase::ReadAuditTrail)?;
    let org = actor.org();
    let since = match since {
        Some(d) => d,
        None => last_audit_end_of(cx, org).await?.unwrap_or_else(|| cx.clock.today() - Duration::days(365)),
    };
    Ok((since, changes_since_of(cx, org, since).await?))
}

/// Everything new, changed or removed since `since` (from the audit trail).
pub(crate) async fn changes_since_of(cx: &Cx, org: OrgId, since: Date) -> AppResult<Vec<Change>> {
    let from = since.midnight().assume_utc();
    let mut trail = Vec::new();
    {
        let mut tx = cx.store.read().await?;
        tx.organization(org).await?;
        let mut after = 0;
        loop {
            let page = tx.trail_since(org, from, after, 5_000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            trail.extend(page.into_iter().filter(|e| CHANGE_KINDS.contains(&e.entity.as_str())));
        }
    }
    let mut by: BTreeMap<(String, String), Change> = BTreeMap::new();
    for e in &trail {
        let key = (e.entity.clone(), e.entity_id.clone());
        let created = e.before.is_none() && e.after.is_some();
        let deleted = e.after.is_none() && e.before.is_some();
        let c = by.entry(key).or_insert_with(|| Change {
            entity: e.entity.clone(),
            id: e.entity_id.clone(),
            change: if created { "new" } else { "changed" },
            edits: 0,
            last: e.at,
        });
        c.edits += 1;
        c.last = e.at;
        if deleted {
            c.change = if c.change == "new" { "new and removed" } else { "removed" };
        }
    }
    Ok(by.into_values().filter(|c| c.change != "new and removed").collect())
}

/// When the last audit (of any kind) ended, for "changed since the last audit".
pub(crate) async fn last_audit_end_of(cx: &Cx, org: OrgId) -> AppResult<Option<Date>> {
    Ok(audits_of(cx, org).await?.iter().filter(|a| a.status == AuditStatus::Completed).map(|a| a.end).max())
}
