//! Review cycles: one mechanism for everything that must be looked at again on a
//! schedule (the SoA, the scope, objectives, assets; later documents, risks,
//! suppliers, evidence). A subject with a cycle is current until its review date
//! comes near, then "review due", then "overdue" once the date has passed; recording
//! a review starts the next interval.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// How often a subject is reviewed and how early to warn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCycle {
    /// Months between reviews (12 for a yearly review).
    pub interval_months: u32,
    /// Days before the review date at which it shows as due.
    pub warn_days: u32,
}

impl Default for ReviewCycle {
    /// Yearly, warned 30 days ahead: what most ISMS documents need.
    fn default() -> Self {
        Self { interval_months: 12, warn_days: 30 }
    }
}

/// Where a subject stands on its cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Not due yet.
    Current {
        /// When the next review is due.
        #[serde(with = "crate::dates::date")]
        #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
        due: Date,
    },
    /// The review date is within the warning window.
    Due {
        /// When the review is due.
        #[serde(with = "crate::dates::date")]
        #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
        due: Date,
    },
    /// The review date has passed.
    Overdue {
        /// When the review was due.
        #[serde(with = "crate::dates::date")]
        #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
        due: Date,
        /// Days since then.
        days: i64,
    },
}

/// Adds whole months, clamping the day to the end of shorter months (Jan 31 + 1 month
/// is Feb 28 or 29).
pub fn add_months(date: Date, months: u32) -> Date {
    let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = time::Month::try_from((month0 + 1) as u8).unwrap_or(time::Month::December);
    let last_day = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last_day)).unwrap_or(date)
}

impl ReviewCycle {
    /// The review date that follows a review (or the subject's creation) on `since`.
    pub fn next_due(&self, since: Date) -> Date {
        add_months(since, self.interval_months)
    }

    /// The status on `today` of a subject last reviewed (or created) on `since`.
    pub fn status(&self, since: Date, today: Date) -> ReviewStatus {
        let due = self.next_due(since);
        if today > due {
            ReviewStatus::Overdue { due, days: (today - due).whole_days() }
        } else if today >= due - Duration::days(i64::from(self.warn_days)) {
            ReviewStatus::Due { due }
        } else {
            ReviewStatus::Current { due }
        }
    }
}

/// What a review concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// Still right as it is.
    NoChange,
    /// Reviewed and changed.
    Updated,
    /// Reviewed; changes are needed and tracked elsewhere.
    ChangesRequired,
}

impl ReviewOutcome {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewOutcome::NoChange => "no_change",
            ReviewOutcome::Updated => "updated",
            ReviewOutcome::ChangesRequired => "changes_required",
        }
    }

    /// Parses a written name.
    pub fn parse(s: &str) -> Option<Self> {
        [ReviewOutcome::NoChange, ReviewOutcome::Updated, ReviewOutcome::ChangesRequired]
            .into_iter()
            .find(|o| o.as_str() == s.trim().replace('-', "_"))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn months_are_added_with_the_day_clamped() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 11 - 25), 12), date!(2027 - 11 - 25));
        assert_eq!(add_months(date!(2026 - 11 - 30), 3), date!(2027 - 02 - 28));
    }

    #[test]
    fn a_subject_is_current_then_due_then_overdue() {
        let cycle = ReviewCycle::default();
        let since = date!(2026 - 01 - 15);
        let due = date!(2027 - 01 - 15);
        assert_eq!(cycle.status(since, date!(2026 - 12 - 15)), ReviewStatus::Current { due });
        assert_eq!(cycle.status(since, date!(2026 - 12 - 16)), ReviewStatus::Due { due });
        assert_eq!(cycle.status(since, due), ReviewStatus::Due { due });
        assert_eq!(cycle.status(since, date!(2027 - 01 - 25)), ReviewStatus::Overdue { due, days: 10 });
    }

    #[test]
    fn recording_a_review_starts_the_next_interval() {
        let cycle = ReviewCycle { interval_months: 6, warn_days: 14 };
        let reviewed = date!(2027 - 01 - 20);
        assert_eq!(cycle.status(reviewed, date!(2027 - 01 - 21)), ReviewStatus::Current { due: date!(2027 - 07 - 20) });
    }
}

/// The kinds of things reviewed on a schedule. New kinds are added here as the
/// capabilities that own them arrive; the mechanism does not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// The Statement of Applicability.
    Soa,
    /// The ISMS scope (4.3).
    Scope,
    /// An information security objective (6.2).
    Objective,
    /// An asset of the inventory.
    Asset,
    /// A document.
    Document,
    /// A risk.
    Risk,
    /// A supplier.
    Supplier,
    /// An evidence item.
    Evidence,
}

impl SubjectKind {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Soa => "soa",
            SubjectKind::Scope => "scope",
            SubjectKind::Objective => "objective",
            SubjectKind::Asset => "asset",
            SubjectKind::Document => "document",
            SubjectKind::Risk => "risk",
            SubjectKind::Supplier => "supplier",
            SubjectKind::Evidence => "evidence",
        }
    }

    /// Parses a written name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            SubjectKind::Soa,
            SubjectKind::Scope,
            SubjectKind::Objective,
            SubjectKind::Asset,
            SubjectKind::Document,
            SubjectKind::Risk,
            SubjectKind::Supplier,
            SubjectKind::Evidence,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Something reviewed on a schedule: its kind and id (`soa`, `current`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Subject {
    /// What kind of thing.
    pub kind: SubjectKind,
    /// Which one.
    pub id: String,
}

impl Subject {
    /// The organization's Statement of Applicability (there is one).
    pub fn soa() -> Subject {
        Subject { kind: SubjectKind::Soa, id: "soa".into() }
    }
}

/// A recorded review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// What was reviewed.
    pub subject: Subject,
    /// The day of the review.
    #[serde(with = "crate::dates::date")]
    pub reviewed_on: Date,
    /// Who reviewed (`user:…`).
    pub reviewer: String,
    /// What it concluded.
    pub outcome: ReviewOutcome,
    /// Notes.
    pub comment: String,
    /// When it was recorded.
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: time::OffsetDateTime,
}
