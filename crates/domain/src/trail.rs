//! The audit trail's hash-chain rule.
//!
//! Every change is recorded as a [`TrailEntry`] in its organization's trail, in the same
//! transaction as the change. Each entry's hash covers its content and the previous
//! entry's hash, so editing, deleting or reordering any entry breaks the chain at that
//! point, which [`verify_chain`] reports.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::ids::{OrgId, UserId};

/// The hash that precedes the first entry of every trail.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum TrailActor {
    /// A signed-in user or an API token's owner.
    User(UserId),
    /// The system itself, named by the command that acted (e.g. `isms init`).
    System(String),
}

impl TrailActor {
    /// The stored form: `user:<uuid>` or `system:<name>`.
    pub fn to_stored(&self) -> String {
        match self {
            TrailActor::User(id) => format!("user:{id}"),
            TrailActor::System(name) => format!("system:{name}"),
        }
    }

    /// Parses the stored form.
    pub fn from_stored(s: &str) -> Option<Self> {
        if let Some(id) = s.strip_prefix("user:") {
            return id.parse().ok().map(TrailActor::User);
        }
        s.strip_prefix("system:").map(|name| TrailActor::System(name.to_owned()))
    }
}

impl fmt::Display for TrailActor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_stored())
    }
}

/// A change about to be recorded: what happened, before it is placed in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailDraft {
    /// Who acted.
    pub actor: TrailActor,
    /// What was done, as `entity.verb` (e.g. `organization.created`).
    pub action: String,
    /// The kind of thing changed (e.g. `organization`).
    pub entity: String,
    /// Its identifier.
    pub entity_id: String,
    /// The state before the change, as JSON text (absent for creations).
    pub before: Option<String>,
    /// The state after the change, as JSON text (absent for deletions).
    pub after: Option<String>,
}

/// The end of an organization's chain: the last sequence number and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailHead {
    /// Sequence number of the last entry (0 for an empty trail).
    pub seq: i64,
    /// Hash of the last entry ([`GENESIS_HASH`] for an empty trail).
    pub hash: String,
}

impl TrailHead {
    /// The head of a trail with no entries yet.
    pub fn genesis() -> Self {
        Self { seq: 0, hash: GENESIS_HASH.to_owned() }
    }
}

/// One recorded change, sealed into its organization's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TrailEntry {
    /// The organization whose trail this is.
    pub org: OrgId,
    /// Position in the organization's trail, starting at 1, without gaps.
    pub seq: i64,
    /// When the change was made.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub at: OffsetDateTime,
    /// Who made it.
    pub actor: TrailActor,
    /// What was done.
    pub action: String,
    /// The kind of thing changed.
    pub entity: String,
    /// Its identifier.
    pub entity_id: String,
    /// JSON text of the state before.
    pub before: Option<String>,
    /// JSON text of the state after.
    pub after: Option<String>,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// SHA-256 over this entry's content and `prev_hash`, lower-case hex.
    pub hash: String,
}

impl TrailEntry {
    /// Places a draft after `head` in the organization's chain. The instant is kept to
    /// the microsecond, the precision the store keeps, so the hash computed now is the
    /// hash computed from what is read back.
    pub fn seal(org: OrgId, head: &TrailHead, at: OffsetDateTime, draft: TrailDraft) -> Self {
        let at = at.replace_nanosecond(at.nanosecond() / 1_000 * 1_000).unwrap_or(at);
        let mut entry = TrailEntry {
            org,
            seq: head.seq + 1,
            at,
            actor: draft.actor,
            action: draft.action,
            entity: draft.entity,
            entity_id: draft.entity_id,
            before: draft.before,
            after: draft.after,
            prev_hash: head.hash.clone(),
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }

    /// The head of the chain once this entry is appended.
    pub fn as_head(&self) -> TrailHead {
        TrailHead { seq: self.seq, hash: self.hash.clone() }
    }

    /// Recomputes the hash from the entry's content. Every field is length-prefixed so
    /// that moving text from one field to the next changes the hash.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let at = self.at.to_offset(time::UtcOffset::UTC).format(&Rfc3339).unwrap_or_default();
        let fields: [Option<&str>; 10] = [
            Some("isms-trail-v1"),
            Some(&self.prev_hash),
            Some(&self.org.to_string()),
            Some(&self.seq.to_string()),
            Some(&at),
            Some(&self.actor.to_stored()),
            Some(&self.action),
            Some(&self.entity),
            Some(&self.entity_id),
            None,
        ];
        for field in fields
            .iter()
            .flatten()
            .copied()
            .chain([self.before.as_deref().unwrap_or("\u{0}absent"), self.after.as_deref().unwrap_or("\u{0}absent")])
        {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// Fields kept in a change's before and after even when they did not change, so that
/// an entry still names its record (`id`, `title`, `name`).
pub const CONTEXT_FIELDS: [&str; 3] = ["id", "title", "name"];

/// What a change did to a record, field by field: of two JSON objects (the stored state
/// before and after), only the top-level fields that differ, each on both sides (`null`
/// where a side lacks it), plus the [`CONTEXT_FIELDS`]. An entry then costs what changed,
/// not two copies of the record, and the hash chain covers exactly what is stored.
/// `None` when either side is not a JSON object (such states are kept whole).
pub fn changed_fields(before: &str, after: &str) -> Option<(String, String)> {
    use serde_json::{Map, Value};
    let (Ok(Value::Object(b)), Ok(Value::Object(a))) =
        (serde_json::from_str::<Value>(before), serde_json::from_str::<Value>(after))
    else {
        return None;
    };
    let (mut kept_before, mut kept_after) = (Map::new(), Map::new());
    for key in b.keys().chain(a.keys().filter(|k| !b.contains_key(*k))) {
        let (old, new) = (b.get(key).unwrap_or(&Value::Null), a.get(key).unwrap_or(&Value::Null));
        if old != new || CONTEXT_FIELDS.contains(&key.as_str()) {
            kept_before.insert(key.clone(), old.clone());
            kept_after.insert(key.clone(), new.clone());
        }
    }
    Some((Value::Object(kept_before).to_string(), Value::Object(kept_after).to_string()))
}

/// Where and how a trail's chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrailBreak {
    /// An entry's hash does not match its content: it was edited.
    #[error("audit trail entry {seq} was altered: its content no longer matches its hash")]
    Altered {
        /// The entry.
        seq: i64,
    },
    /// An entry does not point at the hash of the entry before it.
    #[error("audit trail entry {seq} does not follow entry {previous}: entries were removed or reordered")]
    Unlinked {
        /// The entry.
        seq: i64,
        /// The entry before it in the list.
        previous: i64,
    },
    /// The recorded end of the chain is not the last entry: entries at the end were
    /// removed, or the end record was changed.
    #[error(
        "the audit trail ends at entry {found}, but its recorded end is entry {recorded}: entries were removed from the end or the end record was altered"
    )]
    Truncated {
        /// The last entry found.
        found: i64,
        /// The end the database records.
        recorded: i64,
    },
    /// Sequence numbers jump.
    #[error("audit trail entry {found} follows entry {previous}; entries in between are missing")]
    Gap {
        /// The sequence number found.
        found: i64,
        /// The one before it.
        previous: i64,
    },
}

/// Checks a whole trail, in order, from its first entry. Returns the number of entries.
pub fn verify_chain<'a>(entries: impl IntoIterator<Item = &'a TrailEntry>) -> Result<i64, TrailBreak> {
    verify_from(TrailHead::genesis(), entries).map(|head| head.seq)
}

/// Checks entries that follow `head` (a page of a long trail); returns the new head.
pub fn verify_from<'a>(
    mut head: TrailHead,
    entries: impl IntoIterator<Item = &'a TrailEntry>,
) -> Result<TrailHead, TrailBreak> {
    for entry in entries {
        if entry.seq != head.seq + 1 {
            return Err(TrailBreak::Gap { found: entry.seq, previous: head.seq });
        }
        if entry.prev_hash != head.hash {
            return Err(TrailBreak::Unlinked { seq: entry.seq, previous: head.seq });
        }
        if entry.compute_hash() != entry.hash {
            return Err(TrailBreak::Altered { seq: entry.seq });
        }
        head = entry.as_head();
    }
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    impl TrailEntry {
        fn into_draft(self) -> TrailDraft {
            TrailDraft {
                actor: self.actor,
                action: self.action,
                entity: self.entity,
                entity_id: self.entity_id,
                before: self.before,
                after: self.after,
            }
        }
    }

    fn chain(n: usize) -> Vec<TrailEntry> {
        let org = OrgId::from_random_bytes([3; 16]);
        let mut head = TrailHead::genesis();
        (0..n)
            .map(|i| {
                let e = TrailEntry::seal(
                    org,
                    &head,
                    OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(i as i64),
                    TrailDraft {
                        actor: TrailActor::System("test".into()),
                        action: "thing.changed".into(),
                        entity: "thing".into(),
                        entity_id: i.to_string(),
                        before: None,
                        after: Some(format!("{{\"n\":{i}}}")),
                    },
                );
                head = e.as_head();
                e
            })
            .collect()
    }

    #[test]
    fn sealing_keeps_the_instant_to_the_microsecond_the_store_keeps() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_764_099_546_123_456_789).unwrap();
        let e = TrailEntry::seal(
            OrgId::from_random_bytes([1; 16]),
            &TrailHead::genesis(),
            at,
            chain(1)[0].clone().into_draft(),
        );
        assert_eq!(e.at.nanosecond(), 123_456_000);
        assert_eq!(e.compute_hash(), e.hash);
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
        assert_eq!(verify_chain(&[]), Ok(0));
    }

    #[test]
    fn an_edited_entry_is_detected() {
        let mut c = chain(4);
        c[2].after = Some("{\"n\":99}".into());
        assert_eq!(verify_chain(&c), Err(TrailBreak::Altered { seq: 3 }));
    }

    #[test]
    fn a_deleted_entry_is_detected() {
        let mut c = chain(4);
        c.remove(1);
        assert_eq!(verify_chain(&c), Err(TrailBreak::Gap { found: 3, previous: 1 }));
    }

    #[test]
    fn a_reordered_and_renumbered_entry_is_detected() {
        let mut c = chain(4);
        c.swap(1, 2);
        c[1].seq = 2;
        c[2].seq = 3;
        assert!(matches!(verify_chain(&c), Err(TrailBreak::Unlinked { seq: 2, .. })));
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let c = chain(1);
        let mut moved = c[0].clone();
        moved.entity = "thin".into();
        moved.entity_id = format!("g{}", moved.entity_id);
        assert_ne!(moved.compute_hash(), c[0].hash);
    }

    #[test]
    fn a_change_keeps_only_the_fields_that_differ_and_the_record_s_name() {
        let before = r#"{"id":"RSK-001","title":"Laptop theft","owner":"a@x.test","controls":["A.8.1"],"notes":"long text that stays"}"#;
        let after = r#"{"id":"RSK-001","title":"Laptop theft","owner":"b@x.test","controls":["A.8.1"],"notes":"long text that stays","fair":{"lef":1}}"#;
        let (b, a) = changed_fields(before, after).unwrap();
        assert_eq!(b, r#"{"fair":null,"id":"RSK-001","owner":"a@x.test","title":"Laptop theft"}"#);
        assert_eq!(a, r#"{"fair":{"lef":1},"id":"RSK-001","owner":"b@x.test","title":"Laptop theft"}"#);
        let same = Some((
            r#"{"id":"RSK-001","title":"Laptop theft"}"#.to_owned(),
            r#"{"id":"RSK-001","title":"Laptop theft"}"#.to_owned(),
        ));
        assert_eq!(changed_fields(before, before), same, "nothing changed: the record's name only");
        assert_eq!(changed_fields("[1]", "[2]"), None, "not objects: kept whole");
        assert_eq!(changed_fields("{", "{}"), None);
    }

    #[test]
    fn actors_round_trip_through_their_stored_form() {
        let u = TrailActor::User(UserId::from_random_bytes([9; 16]));
        assert_eq!(TrailActor::from_stored(&u.to_stored()), Some(u));
        let s = TrailActor::System("isms init".into());
        assert_eq!(TrailActor::from_stored(&s.to_stored()), Some(s));
        assert_eq!(TrailActor::from_stored("robot"), None);
    }
}
