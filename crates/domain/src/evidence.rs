//! Evidence (the auditor's "show me"): a file — stored by its SHA-256 — or a link,
//! attached to controls, requirements of any framework, risks or audits; who collected
//! it and when, the period it covers, and how long it stays valid. Evidence past its
//! validity is stale; a control whose evidence is all stale or missing needs attention.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::register::Entry;

/// What an evidence item is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// An Annex A control (`A.8.13`).
    Control,
    /// A requirement of any framework (`hipaa-security:164.308(a)(7)(ii)(A)`).
    Requirement,
    /// A risk (`RSK-004`).
    Risk,
    /// An audit.
    Audit,
}

impl TargetKind {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Control => "control",
            TargetKind::Requirement => "requirement",
            TargetKind::Risk => "risk",
            TargetKind::Audit => "audit",
        }
    }
}

/// One attachment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Target {
    /// What kind of record.
    pub kind: TargetKind,
    /// Its id.
    pub id: String,
}

/// The evidence itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    /// A stored file.
    File {
        /// Its SHA-256, the blob's address (also recorded in the audit trail).
        sha256: String,
        /// Bytes.
        size: u64,
        /// The name it was uploaded under.
        filename: String,
        /// Its media type, as given.
        media_type: String,
    },
    /// A link to where the evidence lives (a ticket, a dashboard, a report).
    Link {
        /// The URL.
        url: String,
    },
}

/// An evidence item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Evidence {
    /// `EVD-001`.
    #[serde(default)]
    pub id: String,
    /// What it shows.
    pub title: String,
    /// The file or link.
    pub content: Content,
    /// What it is attached to (at least one).
    pub targets: Vec<Target>,
    /// Who collected it (e-mail).
    pub collected_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub collected_at: OffsetDateTime,
    /// The first day of the period it covers, if it covers one.
    #[serde(default, with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub period_start: Option<Date>,
    /// The last day of that period.
    #[serde(default, with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub period_end: Option<Date>,
    /// The last day it counts as current; `None`: it does not expire.
    #[serde(default, with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub valid_until: Option<Date>,
    /// Notes.
    #[serde(default)]
    pub note: String,
}

/// Whether an evidence item is still current.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    /// Within its validity (or without an end).
    Current,
    /// Past its validity.
    Stale,
}

impl Evidence {
    /// Current or stale on `today`.
    pub fn freshness(&self, today: Date) -> Freshness {
        match self.valid_until {
            Some(until) if until < today => Freshness::Stale,
            _ => Freshness::Current,
        }
    }

    /// True when attached to this target.
    pub fn attached_to(&self, kind: TargetKind, id: &str) -> bool {
        self.targets.iter().any(|t| t.kind == kind && t.id == id)
    }
}

impl Entry for Evidence {
    const KIND: &'static str = "evidence";
    const PREFIX: &'static str = "EVD";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.title.trim().is_empty() {
            p.push(("title", "is required".to_owned()));
        }
        if self.targets.is_empty() {
            p.push(("targets", "attach it to at least one control, requirement, risk or audit".to_owned()));
        }
        match &self.content {
            Content::Link { url } if !(url.starts_with("https://") || url.starts_with("http://")) => {
                p.push(("url", format!("{url:?} is not an http(s) link")));
            }
            Content::File { sha256, .. } if !(sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit())) => {
                p.push(("sha256", "is not a SHA-256".to_owned()));
            }
            _ => {}
        }
        if let (Some(a), Some(b)) = (self.period_start, self.period_end)
            && b < a
        {
            p.push(("period_end", format!("{b} is before the start of the period, {a}")));
        }
        p
    }
}

/// Where a control stands on evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// At least one current evidence item.
    Current,
    /// Evidence exists, but all of it is stale.
    Stale,
    /// No evidence at all.
    Missing,
}

/// The coverage of one target by a set of evidence on `today`.
pub fn coverage<'a>(
    evidence: impl IntoIterator<Item = &'a Evidence>,
    kind: TargetKind,
    id: &str,
    today: Date,
) -> Coverage {
    let mut any = false;
    for e in evidence.into_iter().filter(|e| e.attached_to(kind, id)) {
        if e.freshness(today) == Freshness::Current {
            return Coverage::Current;
        }
        any = true;
    }
    if any { Coverage::Stale } else { Coverage::Missing }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn item(valid_until: Option<Date>, control: &str) -> Evidence {
        Evidence {
            id: "EVD-001".into(),
            title: "Backup restore test".into(),
            content: Content::Link { url: "https://tickets.example/OPS-1".into() },
            targets: vec![Target { kind: TargetKind::Control, id: control.into() }],
            collected_by: "a@b.c".into(),
            collected_at: datetime!(2026-01-01 0:00 UTC),
            period_start: None,
            period_end: None,
            valid_until,
            note: String::new(),
        }
    }

    #[test]
    fn evidence_goes_stale_the_day_after_its_validity() {
        let e = item(Some(date!(2026 - 03 - 31)), "A.8.13");
        assert_eq!(e.freshness(date!(2026 - 03 - 31)), Freshness::Current);
        assert_eq!(e.freshness(date!(2026 - 04 - 01)), Freshness::Stale);
        assert_eq!(item(None, "A.8.13").freshness(date!(2099 - 01 - 01)), Freshness::Current);
    }

    #[test]
    fn a_control_is_covered_by_any_current_item_stale_when_all_are_stale_missing_without() {
        let stale = item(Some(date!(2026 - 01 - 31)), "A.8.13");
        let current = item(Some(date!(2026 - 12 - 31)), "A.8.13");
        let today = date!(2026 - 06 - 01);
        assert_eq!(coverage([&stale], TargetKind::Control, "A.8.13", today), Coverage::Stale);
        assert_eq!(coverage([&stale, &current], TargetKind::Control, "A.8.13", today), Coverage::Current);
        assert_eq!(coverage([&stale, &current], TargetKind::Control, "A.8.14", today), Coverage::Missing);
    }

    #[test]
    fn bad_items_are_refused_field_by_field() {
        let mut e = item(None, "A.8.13");
        e.title = " ".into();
        e.targets.clear();
        e.content = Content::Link { url: "javascript:alert(1)".into() };
        e.period_start = Some(date!(2026 - 02 - 01));
        e.period_end = Some(date!(2026 - 01 - 01));
        let fields: Vec<_> = e.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["title", "targets", "url", "period_end"]);
    }
}
