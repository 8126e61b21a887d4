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
    /// Its title (or name), as it is now, or as it was when removed.
    pub title: String,
    /// For a changed record: each field that differs, as it was at the date and as it
    /// is now.
    pub fields: Vec<FieldChange>,
}

/// One field of a record, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FieldChange {
    /// The field (`status`, `residual`).
    pub field: String,
    /// Its value at the date, in words.
    pub before: String,
    /// Its value now.
    pub after: String,
}

/// Fields that change with every edit and say nothing to an auditor.
const QUIET_FIELDS: [&str; 3] = ["history", "id", "acknowledgements"];

/// A stored value as a person reads it: text as is, anything else as compact JSON,
/// both cut at 160 characters.
fn shown(v: Option<&serde_json::Value>) -> String {
    let text = match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => isms_domain::text::words(s),
        Some(serde_json::Value::Array(items)) if items.iter().all(serde_json::Value::is_string) => {
            items.iter().filter_map(|i| i.as_str()).map(isms_domain::text::words).collect::<Vec<_>>().join(", ")
        }
        Some(other) => other.to_string(),
    };
    if text.chars().count() > 160 { format!("{}…", text.chars().take(160).collect::<String>()) } else { text }
}

/// The title, name or statement of a stored record.
fn title_of(json: Option<&str>) -> String {
    let Some(v) = json.and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok()) else { return String::new() };
    ["title", "name", "statement", "description"]
        .iter()
        .find_map(|k| v.get(k).and_then(|t| t.as_str()).filter(|t| !t.is_empty()))
        .map(|t| shown(Some(&serde_json::Value::String(t.to_owned()))))
        .unwrap_or_default()
}

/// The top-level fields that differ between two stored states of a record.
pub fn field_changes(before: Option<&str>, after: Option<&str>) -> Vec<FieldChange> {
    let parse = |j: Option<&str>| j.and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok());
    let (Some(serde_json::Value::Object(b)), Some(serde_json::Value::Object(a))) = (parse(before), parse(after)) else {
        return Vec::new();
    };
    let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    keys.into_iter()
        .filter(|k| !QUIET_FIELDS.contains(&k.as_str()) && b.get(*k) != a.get(*k))
        .map(|k| FieldChange { field: k.replace('_', " "), before: shown(b.get(k)), after: shown(a.get(k)) })
        .collect()
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

/// A record's stored state at the date and now (`None`: it did not exist).
type States<'a> = (Option<&'a str>, Option<&'a str>);

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
    // Per record: its state at the date (the first entry's before) and now (the last after).
    let mut states: BTreeMap<(String, String), States<'_>> = BTreeMap::new();
    for e in &trail {
        let state = states.entry((e.entity.clone(), e.entity_id.clone())).or_insert((e.before.as_deref(), None));
        state.1 = e.after.as_deref();
        let key = (e.entity.clone(), e.entity_id.clone());
        let created = e.before.is_none() && e.after.is_some();
        let deleted = e.after.is_none() && e.before.is_some();
        let c = by.entry(key).or_insert_with(|| Change {
            entity: e.entity.clone(),
            id: e.entity_id.clone(),
            change: if created { "new" } else { "changed" },
            edits: 0,
            last: e.at,
            title: String::new(),
            fields: Vec::new(),
        });
        c.edits += 1;
        c.last = e.at;
        if deleted {
            c.change = if c.change == "new" { "new and removed" } else { "removed" };
        }
    }
    for (key, c) in &mut by {
        let (before, after) = states.get(key).copied().unwrap_or_default();
        c.title = title_of(after.or(before));
        if c.change == "changed" {
            c.fields = field_changes(before, after);
        }
    }
    Ok(by.into_values().filter(|c| c.change != "new and removed").collect())
}

/// When the last audit (of any kind) ended, for "changed since the last audit".
pub(crate) async fn last_audit_end_of(cx: &Cx, org: OrgId) -> AppResult<Option<Date>> {
    Ok(audits_of(cx, org).await?.iter().filter(|a| a.status == AuditStatus::Completed).map(|a| a.end).max())
}
