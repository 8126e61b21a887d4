//! The certificate and the three-year cycle it sets. ISO/IEC 27001 certificates are
//! valid for three years from the certification decision; the certification body
//! audits the ISMS once a year in between (surveillance) and again before expiry
//! (recertification).
//!
//! The dates isms derives, as documented in docs/certification.md:
//! - expiry: the day before the third anniversary of the issue date
//!   (issued 2026-03-15 → expires 2029-03-14);
//! - surveillance audit 1: by the first anniversary (2027-03-15), surveillance 2: by the
//!   second (2028-03-15) — the usual rule of accredited certification bodies
//!   (ISO/IEC 17021-1: at least once a calendar year, the first within 12 months of the
//!   certification decision);
//! - recertification: completed before expiry, planned by default three months ahead.
//!
//! Anniversaries of a 29 February fall on 28 February in common years.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::register::Entry;
use crate::review::add_months;

/// Where a certificate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// Valid.
    Active,
    /// Suspended by the certification body (e.g. a missed surveillance audit or an
    /// unresolved major nonconformity); not valid until reinstated.
    Suspended,
    /// Withdrawn by the certification body.
    Withdrawn,
    /// Past its expiry date.
    Expired,
}

impl CertificateStatus {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateStatus::Active => "active",
            CertificateStatus::Suspended => "suspended",
            CertificateStatus::Withdrawn => "withdrawn",
            CertificateStatus::Expired => "expired",
        }
    }
}

/// A certificate of conformity to ISO/IEC 27001.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Certificate {
    /// `CRT-001`.
    #[serde(default)]
    pub id: String,
    /// The certification body's certificate number.
    pub number: String,
    /// Who certified.
    pub certification_body: String,
    /// Who accredits the certification body (ANAB for most US certificates).
    #[serde(default = "default_accreditation_body")]
    pub accreditation_body: String,
    /// The certification decision date, printed on the certificate.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub issued: Date,
    /// The scope statement printed on the certificate.
    pub scope: String,
    /// As recorded; [`Certificate::status_on`] adds expiry.
    pub status: CertificateStatus,
    /// The standard's edition (ISO/IEC 27001:2022).
    #[serde(default = "default_standard")]
    pub standard: String,
}

fn default_accreditation_body() -> String {
    "ANAB".to_owned()
}

fn default_standard() -> String {
    "ISO/IEC 27001:2022".to_owned()
}

/// The dates a certificate sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Cycle {
    /// The certification decision.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub issued: Date,
    /// Surveillance audit 1 is due by this date.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub surveillance_1_due: Date,
    /// Surveillance audit 2 is due by this date.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub surveillance_2_due: Date,
    /// Plan the recertification audit by this date.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub recertification_planned: Date,
    /// The last day the certificate is valid; recertification must be decided by then.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub expiry: Date,
}

/// The cycle of a certificate issued on `issued`.
pub fn cycle(issued: Date) -> Cycle {
    let expiry = add_months(issued, 36) - Duration::days(1);
    Cycle {
        issued,
        surveillance_1_due: add_months(issued, 12),
        surveillance_2_due: add_months(issued, 24),
        recertification_planned: add_months(issued, 33),
        expiry,
    }
}

impl Certificate {
    /// Its cycle.
    pub fn cycle(&self) -> Cycle {
        cycle(self.issued)
    }

    /// The status on `today`: an active certificate past its expiry is expired.
    pub fn status_on(&self, today: Date) -> CertificateStatus {
        match self.status {
            CertificateStatus::Active if today > self.cycle().expiry => CertificateStatus::Expired,
            s => s,
        }
    }

    /// True when the certificate is valid on `today`.
    pub fn valid_on(&self, today: Date) -> bool {
        self.status_on(today) == CertificateStatus::Active
    }
}

impl Entry for Certificate {
    const KIND: &'static str = "certificate";
    const PREFIX: &'static str = "CRT";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.number.trim().is_empty() {
            p.push(("number", "is required".to_owned()));
        }
        if self.certification_body.trim().is_empty() {
            p.push(("certification_body", "is required".to_owned()));
        }
        if self.scope.trim().is_empty() {
            p.push(("scope", "is required (the scope statement printed on the certificate)".to_owned()));
        }
        p
    }
}

/// How this organization runs its audits: default deadlines for corrective actions
/// (when the certification body sets none) and how many controls an internal audit
/// samples.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditSettings {
    /// Always `AUDIT-SETTINGS`.
    #[serde(default)]
    pub id: String,
    /// Days to correct a major nonconformity.
    #[serde(default = "default_major_days")]
    pub major_due_days: u32,
    /// Days to correct a minor nonconformity.
    #[serde(default = "default_minor_days")]
    pub minor_due_days: u32,
    /// Applicable controls sampled by a generated internal audit checklist.
    #[serde(default = "default_sample")]
    pub sample_controls: usize,
}

fn default_major_days() -> u32 {
    30
}
fn default_minor_days() -> u32 {
    90
}
fn default_sample() -> usize {
    12
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            id: "AUDIT-SETTINGS".into(),
            major_due_days: default_major_days(),
            minor_due_days: default_minor_days(),
            sample_controls: default_sample(),
        }
    }
}

impl Entry for AuditSettings {
    const KIND: &'static str = "audit_settings";
    const PREFIX: &'static str = "AUDIT-SETTINGS";
    fn id(&self) -> &str {
        &self.id
    }
    fn set_id(&mut self, _id: String) {
        self.id = "AUDIT-SETTINGS".to_owned();
    }
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if !(1..=365).contains(&self.major_due_days) {
            p.push(("major_due_days", "must be between 1 and 365".to_owned()));
        }
        if !(1..=365).contains(&self.minor_due_days) {
            p.push(("minor_due_days", "must be between 1 and 365".to_owned()));
        }
        if self.sample_controls > 93 {
            p.push(("sample_controls", "there are 93 Annex A controls".to_owned()));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn cert(issued: Date, status: CertificateStatus) -> Certificate {
        Certificate {
            id: "CRT-001".into(),
            number: "IS 123456".into(),
            certification_body: "Example Registrar".into(),
            accreditation_body: "ANAB".into(),
            issued,
            scope: "The SaaS platform".into(),
            status,
            standard: default_standard(),
        }
    }

    #[test]
    fn a_certificate_issued_on_15_march_2026_sets_the_documented_dates() {
        let c = cycle(date!(2026 - 03 - 15));
        assert_eq!(c.surveillance_1_due, date!(2027 - 03 - 15));
        assert_eq!(c.surveillance_2_due, date!(2028 - 03 - 15));
        assert_eq!(c.recertification_planned, date!(2028 - 12 - 15));
        assert_eq!(c.expiry, date!(2029 - 03 - 14));
    }

    #[test]
    fn leap_days_fall_back_to_28_february() {
        let c = cycle(date!(2028 - 02 - 29));
        assert_eq!(c.surveillance_1_due, date!(2029 - 02 - 28));
        assert_eq!(c.surveillance_2_due, date!(2030 - 02 - 28));
        assert_eq!(c.expiry, date!(2031 - 02 - 27), "the day before the third anniversary (28 Feb 2031)");
        // Issued the day after a leap day, the cycle is unaffected by it.
        let c = cycle(date!(2027 - 03 - 01));
        assert_eq!((c.surveillance_1_due, c.expiry), (date!(2028 - 03 - 01), date!(2030 - 02 - 28)));
        // Issued on 1 March of a year before a leap year: expiry is 29 February.
        assert_eq!(cycle(date!(2025 - 03 - 01)).expiry, date!(2028 - 02 - 29));
    }

    #[test]
    fn expiry_suspension_and_withdrawal() {
        let active = cert(date!(2026 - 03 - 15), CertificateStatus::Active);
        assert!(active.valid_on(date!(2029 - 03 - 14)));
        assert_eq!(active.status_on(date!(2029 - 03 - 15)), CertificateStatus::Expired);
        let suspended = cert(date!(2026 - 03 - 15), CertificateStatus::Suspended);
        assert!(!suspended.valid_on(date!(2026 - 06 - 01)));
        assert_eq!(suspended.status_on(date!(2030 - 01 - 01)), CertificateStatus::Suspended, "stays suspended");
        assert_eq!(suspended.cycle().surveillance_1_due, date!(2027 - 03 - 15), "suspension does not move the cycle");
        assert!(!cert(date!(2026 - 03 - 15), CertificateStatus::Withdrawn).valid_on(date!(2026 - 06 - 01)));
    }
}
