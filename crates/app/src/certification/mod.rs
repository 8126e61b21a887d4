//! Audits and the certification lifecycle: the internal audit programme and its
//! checklists, external audits, findings and corrective actions, management reviews,
//! the certificate and its cycle, readiness, what changed since the last audit, and
//! the calendar of all the dates. Every change goes through the registers (one
//! transaction with its audit-trail entry).

use std::collections::{BTreeMap, BTreeSet};

use isms_domain::OrgId;
use isms_domain::access::UseCase;
use isms_domain::audit::{
    Audit, AuditError, AuditKind, AuditStatus, CheckItem, CheckKind, CheckResult, Finding, FindingError, FindingStatus,
    Grade, ManagementReview, REVIEW_INPUTS, ReviewInput,
};
use isms_domain::certification::{AuditSettings, Certificate, CertificateStatus};
use isms_domain::framework::{ItemKind, PIVOT};
use isms_domain::readiness::{Facts, MandatoryFact, Named, Readiness, Stage};
use isms_domain::register::Entry;
use isms_domain::soa::ControlStatus;
use isms_domain::trail::TrailActor;
use serde::Serialize;
use time::{Date, Duration};

use crate::access::Actor;
use crate::controls::{controls_of, normalize_control_id};
use crate::{AppError, AppResult, Code, Cx, registers};

pub(super) fn refused(e: impl std::fmt::Display, code: Code) -> AppError {
    AppError::new(code, e.to_string())
}

pub(super) fn audit_refused(e: &AuditError) -> AppError {
    let code = match e {
        AuditError::NoSuchLine(_) => return AppError::invalid_field("reference", e),
        AuditError::Closed(_) => Code::AuditClosed,
        AuditError::OpenLines(_) => Code::ChecklistOpen,
        AuditError::NoConclusion => return AppError::invalid_field("conclusion", e),
    };
    refused(e, code)
}

pub(super) fn finding_refused(e: &FindingError) -> AppError {
    match e {
        FindingError::Missing(what) => AppError::invalid_field("finding", format!("{what} is required")),
        FindingError::Closed => refused(e, Code::FindingClosed),
        FindingError::WrongState(..) => refused(e, Code::WrongState),
    }
}

mod audits;
mod calendar;
mod certificates;
mod changes;
mod findings;
mod management_reviews;
mod readiness;
mod settings;

pub use audits::*;
pub use calendar::*;
pub use certificates::*;
pub use changes::*;
pub use findings::*;
pub use management_reviews::*;
pub use readiness::*;
pub use settings::*;
