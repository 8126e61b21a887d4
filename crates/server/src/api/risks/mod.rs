//! The risk endpoints: the register, acceptance, FAIR estimates and simulations with
//! the loss appetite, heat maps, the treatment plan and exports, CSV import, and the
//! methodology.

use super::doc::media::{CSV, JSON, MARKDOWN, XLSX};
use std::collections::BTreeMap;

use super::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, patch, post, put};
use isms_app::risks::{PlanStep, RiskView};
use isms_domain::fair::{PertForm, SecondaryForm, Settings};
use isms_domain::risk::{
    FairEstimates, HeatMapKind, LossAppetite, Methodology, Rating, Risk, RiskLevel, ScaleLevel, TreatmentAction,
    TreatmentOption,
};
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::list::page_rows;
use super::{Body, Csv, Items, date, download, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

mod acceptance;
mod fair;
mod import;
mod methodology;
mod register;
mod reports;

pub(crate) use import::*;

/// Every risk operation.
pub(crate) fn routes() -> Api {
    Api::default()
        .merge(register::routes())
        .merge(acceptance::routes())
        .merge(fair::routes())
        .merge(reports::routes())
        .merge(import::routes())
        .merge(methodology::routes())
}
