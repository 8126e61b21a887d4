//! Audits, findings and corrective actions, management reviews, the certificate,
//! readiness, what changed since the last audit, and the iCalendar feed.

use super::doc::media::{CSV, ICALENDAR, JSON, MARKDOWN, XLSX};
use std::collections::BTreeMap;

use super::{Path, Query};
use axum::Json;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use isms_app::certification::{Change, FindingStep, NewAudit, NewFinding, Planned, Programme};
use isms_app::export::DocFormat;
use isms_domain::audit::{Audit, AuditKind, CheckResult, Finding, Grade, ManagementReview, ReviewAction, ReviewInput};
use isms_domain::certification::{AuditSettings, Certificate, CertificateStatus, Cycle};
use isms_domain::readiness::{Readiness, Stage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::{Body as JsonBody, Items, date, download, field, list, optional_json};
use crate::auth::Member;
use crate::{ApiError, AppState};

const AUDITS: &str = "audits";

mod audits;
mod calendar;
mod certificates;
mod changes;
mod findings;
mod management_reviews;
mod readiness;
mod settings;

/// The certification operations, in the order of the OpenAPI document.
pub(crate) fn routes() -> Api {
    Api::default()
        .merge(audits::routes())
        .merge(findings::routes())
        .merge(management_reviews::routes())
        .merge(certificates::routes())
        .merge(settings::routes())
        .merge(readiness::routes())
        .merge(changes::routes())
        .merge(calendar::routes())
}

type Params = Query<BTreeMap<String, String>>;

pub(super) fn opt_date(name: &str, v: Option<&str>) -> Result<Option<time::Date>, ApiError> {
    Ok(v.filter(|s| !s.trim().is_empty()).map(|s| date(name, s)).transpose()?)
}

pub(super) fn format_of(q: &BTreeMap<String, String>, default: DocFormat) -> Result<DocFormat, ApiError> {
    Ok(q.get("format").map(|f| DocFormat::parse(f)).transpose()?.unwrap_or(default))
}
