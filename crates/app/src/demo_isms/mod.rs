//! The demo organization's ISMS: a 200-person US B2B SaaS company selling a
//! clinical-scheduling platform to healthcare providers. Scope, context, roles,
//! objectives, about forty assets, and a complete Statement of Applicability with a
//! realistic mix of statuses, approved once and edited since.

use std::collections::BTreeSet;

use isms_domain::Email;
use isms_domain::asset::{Asset, AssetType, Lifecycle};
use isms_domain::register::{
    ContextIssue, InterestedParty, IsmsRole, IssueOrigin, Objective, ObjectiveStatus, PartyRequirement,
    RequirementKind, Scope, ScopeExclusion,
};
use isms_domain::soa::{ControlStatus, InclusionReason};
use time::Duration;

use crate::access::Actor;
use crate::controls::{ControlChange, controls_of, update_control};
use crate::registers::{create, put_singleton};
use crate::{AppResult, Cx};

/// The demo's main organization.
pub const DEMO_ORG: &str = "Cedar Ridge Health Cloud, Inc.";

const OWNER: &str = "dana.whitfield@cedarridge.example";
const MANAGER: &str = "marcus.chen@cedarridge.example";
const IT: &str = "priya.raman@cedarridge.example";
const HR: &str = "jordan.ellis@cedarridge.example";

fn s(text: &str) -> String {
    text.to_owned()
}

mod certification;
mod controls;
mod documents;
mod evidence;
pub(crate) mod large;
mod registers;
mod risks;

use certification::*;
use controls::*;
use documents::*;
use evidence::*;
use registers::*;
use risks::*;

/// Seeds the registers and the SoA of the demo's main organization.
pub(crate) async fn seed(cx: &Cx, op: &Actor) -> AppResult<()> {
    seed_scope(cx, op).await?;
    seed_context(cx, op).await?;
    seed_roles(cx, op).await?;
    seed_objectives(cx, op).await?;
    seed_assets(cx, op).await?;
    seed_risks(cx, op).await?;
    seed_controls(cx, op).await
}
