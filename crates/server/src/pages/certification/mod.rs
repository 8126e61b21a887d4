//! Certification pages: the certificate with its cycle and readiness, the audit
//! programme, each audit with its checklist, findings and corrective actions,
//! management reviews, and what changed since the last audit.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use isms_app::certification::{Change, FindingStep, NewAudit, NewFinding, Programme};
use isms_domain::access::{Grant, UseCase};
use isms_domain::audit::{
    Audit, AuditKind, AuditStatus, CheckResult, Finding, Grade, ManagementReview, NextStep, REVIEW_INPUTS,
    ReviewAction, ReviewInput,
};
use isms_domain::certification::{Certificate, CertificateStatus, Cycle};
use isms_domain::readiness::{Readiness, Stage};
use serde::Deserialize;

use super::{CsrfForm, NoFields, PageError, Shell, Viewer, encode, notice, see_other};
use crate::AppState;

mod audits;
mod certificates;
mod changes;
mod findings;
mod management_reviews;
mod readiness;
mod requests;

pub(crate) use certificates::*;
pub(crate) use readiness::*;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(certificates::routes())
        .merge(audits::routes())
        .merge(findings::routes())
        .merge(management_reviews::routes())
        .merge(changes::routes())
        .merge(requests::routes())
}

pub(super) fn invalid(field: &str, message: impl std::fmt::Display) -> PageError {
    PageError(isms_app::AppError::invalid_field(field, message))
}

pub(super) fn date(field: &str, text: &str) -> Result<time::Date, PageError> {
    Ok(crate::api::date(field, text.trim())?)
}

pub(super) fn opt_date(field: &str, text: &str) -> Result<Option<time::Date>, PageError> {
    if text.trim().is_empty() { Ok(None) } else { date(field, text).map(Some) }
}
