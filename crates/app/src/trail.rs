//! The organization's audit trail (not ISO audits, which are `certification`):
//! recording each change inside the transaction that makes it, reading the trail,
//! verifying its hash chain, and exporting it.

use isms_domain::OrgId;
use isms_domain::access::UseCase;
use isms_domain::trail::{TrailActor, TrailBreak, TrailDraft, TrailEntry, TrailHead, changed_fields, verify_from};
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

/// Appends one change to the organization's hash-chained trail. A change to a record
/// keeps only the fields that differ ([`changed_fields`]); creations keep the new state
/// and deletions the last one, whole.
pub(crate) async fn record(
    tx: &mut dyn WriteTx,
    org: OrgId,
    at: OffsetDateTime,
    mut draft: TrailDraft,
) -> AppResult<()> {
    if let (Some(before), Some(after)) = (&draft.before, &draft.after)
        && let Some((before, after)) = changed_fields(before, after)
    {
        (draft.before, draft.after) = (Some(before), Some(after));
    }
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
    let mut tx = cx.read().await?;
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

/// Which entries of the trail to show: by who, what kind of record (and which one),
/// and when. Empty parts match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailFilter {
    /// Who acted: a member, or the command line (`TrailActor::System` with any name).
    pub who: Option<Who>,
    /// The kind of record (`risk`, `control`, …).
    pub entity: Option<String>,
    /// One record of that kind.
    pub entity_id: Option<String>,
    /// On or after this day (UTC).
    pub since: Option<time::Date>,
    /// On or before this day (UTC).
    pub until: Option<time::Date>,
}

/// Who acted, for [`TrailFilter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// This member.
    User(isms_domain::UserId),
    /// The installation's command line.
    CommandLine,
}

impl Who {
    /// Reads `user:<uuid>`, a bare user id, or `system` / `cli`.
    pub fn parse(text: &str) -> AppResult<Who> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("system") || t.eq_ignore_ascii_case("cli") || t.starts_with("system:") {
            return Ok(Who::CommandLine);
        }
        t.strip_prefix("user:").unwrap_or(t).parse().map(Who::User).map_err(|_| {
            crate::AppError::invalid_field("actor", format!("{t:?} is not a member's id (user:<id>) or system"))
        })
    }
}

impl TrailFilter {
    /// True when nothing is filtered.
    pub fn is_empty(&self) -> bool {
        *self == TrailFilter::default()
    }

    /// Whether `e` is one of the entries asked for.
    pub fn matches(&self, e: &TrailEntry) -> bool {
        let who = match (&self.who, &e.actor) {
            (None, _) | (Some(Who::CommandLine), TrailActor::System(_)) => true,
            (Some(Who::User(u)), TrailActor::User(v)) => u == v,
            _ => false,
        };
        let day = e.at.to_offset(time::UtcOffset::UTC).date();
        who && self.entity.as_ref().is_none_or(|k| *k == e.entity)
            && self.entity_id.as_ref().is_none_or(|id| *id == e.entity_id)
            && self.since.is_none_or(|d| day >= d)
            && self.until.is_none_or(|d| day <= d)
    }
}

/// Entries with `seq > after` that `filter` matches, oldest first, at most `limit`.
pub async fn find_in_trail(
    cx: &Cx,
    actor: &Actor,
    filter: &TrailFilter,
    mut after: i64,
    limit: u32,
) -> AppResult<Vec<TrailEntry>> {
    actor.require(UseCase::ReadAuditTrail)?;
    let org = actor.org();
    let mut found = Vec::new();
    loop {
        let page = page_of(cx, org, after, PAGE).await?;
        let Some(last) = page.last() else { return Ok(found) };
        after = last.seq;
        for e in page {
            if filter.matches(&e) {
                found.push(e);
                if found.len() >= limit as usize {
                    return Ok(found);
                }
            }
        }
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
    let mut tx = cx.read().await?;
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
