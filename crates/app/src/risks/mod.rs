//! Risk management use cases (6.1.2, 6.1.3, 8.2, 8.3): the methodology and its
//! versions, the risk register, acceptance, and the views auditors ask for.
//!
//! Linking a risk to Annex A controls is kept in step on both sides in the same
//! transaction: the risk lists the controls, and each control links the risk (which
//! gives it the "risk treatment" reason in the SoA).

use std::collections::BTreeSet;

use isms_domain::access::{Grant, UseCase};
use isms_domain::risk::{AcceptanceRule, AcceptanceState, HeatMapKind, Methodology, Risk, RiskAcceptance, heat_counts};
use isms_domain::soa::{ControlLink, LinkKind};
use isms_domain::trail::{TrailActor, TrailDraft};
use isms_domain::{Email, OrgId, Role, UserId};
use isms_store::WriteTx;
use serde::Serialize;

use crate::access::Actor;
use crate::controls::{ControlChange, normalize_control_id, update_control_in};
use crate::registers::{self, create_in};
use crate::trail::record;
use crate::{AppError, AppResult, Code, Cx, FieldError};

pub(super) fn decode<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> AppResult<T> {
    serde_json::from_str(json)
        .map_err(|e| AppError::new(Code::CorruptData, format!("stored {what} cannot be read: {e}")))
}

mod acceptance;
mod import;
mod methodology;
mod register;
mod reports;

pub use acceptance::*;
pub use import::*;
pub use methodology::*;
pub use register::*;
pub use reports::*;
