//! External auditors' access to an audit: who (by e-mail), to which audit, and until
//! when — a set number of days after the audit's last day, so moving the audit moves
//! the window. Revoking ends it at once.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::register::Entry;

/// The longest window after an audit's last day.
pub const MAX_DAYS_AFTER: u32 = 365;

/// One external auditor's access to one audit (`AXS-001`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditAccess {
    /// `AXS-001`.
    #[serde(default)]
    pub id: String,
    /// The audit.
    pub audit: String,
    /// The auditor's login e-mail, lowercased.
    pub email: String,
    /// Their name, as invited.
    pub name: String,
    /// How many days after the audit's last day the access lasts.
    pub days_after: u32,
    /// Who gave it.
    pub granted_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub granted_at: OffsetDateTime,
    /// When it was revoked, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub revoked_at: Option<OffsetDateTime>,
}

impl AuditAccess {
    /// The last day of access for an audit ending on `audit_end`.
    pub fn until(&self, audit_end: Date) -> Date {
        audit_end.checked_add(time::Duration::days(i64::from(self.days_after))).unwrap_or(audit_end)
    }

    /// True while it opens the audit: not revoked, and `today` within the window.
    pub fn open_on(&self, audit_end: Date, today: Date) -> bool {
        self.revoked_at.is_none() && today <= self.until(audit_end)
    }
}

impl Entry for AuditAccess {
    const KIND: &'static str = "audit_access";
    const PREFIX: &'static str = "AXS";
    crate::entry_id!();

    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.days_after > MAX_DAYS_AFTER {
            p.push(("days_after", format!("at most {MAX_DAYS_AFTER} days after the audit")));
        }
        if !self.email.contains('@') {
            p.push(("email", "is not an e-mail address".to_owned()));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn the_window_runs_to_days_after_the_last_day_and_revoking_ends_it() {
        let mut a = AuditAccess {
            id: "AXS-001".into(),
            audit: "AUD-003".into(),
            email: "sam@cb.example".into(),
            name: "Sam".into(),
            days_after: 14,
            granted_by: "dana@x.example".into(),
            granted_at: datetime!(2026-11-01 09:00 UTC),
            revoked_at: None,
        };
        let end = date!(2026 - 11 - 20);
        assert_eq!(a.until(end), date!(2026 - 12 - 04));
        assert!(a.open_on(end, date!(2026 - 12 - 04)));
        assert!(!a.open_on(end, date!(2026 - 12 - 05)));
        assert!(a.open_on(date!(2026 - 12 - 20), date!(2026 - 12 - 05)), "a later audit moves the window");
        a.revoked_at = Some(datetime!(2026-11-02 09:00 UTC));
        assert!(!a.open_on(end, date!(2026 - 11 - 03)));
    }
}
