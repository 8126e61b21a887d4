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
fn title_of(fields: Option<&Fields>) -> String {
    let Some(v) = fields else { return String::new() };
    ["title", "name", "statement", "description"]
        .iter()
        .find_map(|k| v.get(*k).and_then(|t| t.as_str()).filter(|t| !t.is_empty()))
        .map(|t| shown(Some(&serde_json::Value::String(t.to_owned()))))
        .unwrap_or_default()
}

/// The top-level fields that differ between two stored states of a record (whole
/// states, or the fields one trail entry changed).
pub fn field_changes(before: Option<&str>, after: Option<&str>) -> Vec<FieldChange> {
    let parse = |j: Option<&str>| j.and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok());
    let (Some(serde_json::Value::Object(b)), Some(serde_json::Value::Object(a))) = (parse(before), parse(after)) else {
        return Vec::new();
    };
    fields_that_differ(&b, &a)
}

type Fields = serde_json::Map<String, serde_json::Value>;

fn fields_that_differ(b: &Fields, a: &Fields) -> Vec<FieldChange> {
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

/// A record's fields as they were at the date and as they are now, gathered from its
/// trail entries: each entry holds the fields it changed (older entries hold whole
/// states), so a field's state at the date is the first before that names it, and its
/// state now the last after that names it. `None` on a side: the record did not exist.
#[derive(Default)]
struct States {
    at_date: Option<serde_json::Map<String, serde_json::Value>>,
    now: Option<serde_json::Map<String, serde_json::Value>>,
}

impl States {
    fn take(&mut self, first: bool, before: Option<&str>, after: Option<&str>) {
        let object = |j: Option<&str>| match j.and_then(|j| serde_json::from_str(j).ok()) {
            Some(serde_json::Value::Object(m)) => Some(m),
            _ => None,
        };
        if first {
            self.at_date = object(before);
        } else if let (Some(at_date), Some(b)) = (&mut self.at_date, object(before)) {
            for (k, v) in b {
                at_date.entry(k).or_insert(v);
            }
        }
        match (object(after), &mut self.now) {
            (None, now) => *now = None,
            (Some(a), Some(now)) if before.is_some() => now.extend(a),
            (Some(a), now) => *now = Some(a),
        }
    }
}

/// Everything new, changed or removed since `since` (from the audit trail).
pub(crate) async fn changes_since_of(cx: &Cx, org: OrgId, since: Date) -> AppResult<Vec<Change>> {
    let from = since.midnight().assume_utc();
    let mut trail = Vec::new();
    {
        let mut tx = cx.read().await?;
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
    let mut states: BTreeMap<(String, String), States> = BTreeMap::new();
    for e in &trail {
        let key = (e.entity.clone(), e.entity_id.clone());
        let first = !states.contains_key(&key);
        states.entry(key.clone()).or_default().take(first, e.before.as_deref(), e.after.as_deref());
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
        let Some(state) = states.get(key) else { continue };
        c.title = title_of(state.now.as_ref().or(state.at_date.as_ref()));
        if c.change == "changed"
            && let (Some(b), Some(a)) = (&state.at_date, &state.now)
        {
            c.fields = fields_that_differ(b, a);
        }
    }
    Ok(by.into_values().filter(|c| c.change != "new and removed").collect())
}

/// When the last audit (of any kind) ended, for "changed since the last audit".
pub(crate) async fn last_audit_end_of(cx: &Cx, org: OrgId) -> AppResult<Option<Date>> {
    Ok(audits_of(cx, org).await?.iter().filter(|a| a.status == AuditStatus::Completed).map(|a| a.end).max())
}
