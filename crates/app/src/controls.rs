//! Control implementation: each organization's record per ISO/IEC 27001:2022 Annex A
//! control (6.1.3, A.5–A.8), with its status history and its mappings elsewhere.

use std::collections::BTreeSet;

use isms_domain::access::{Grant, UseCase};
use isms_domain::framework::{ItemKind, ItemRef, Library, PIVOT};
use isms_domain::soa::{ControlImplementation, ControlLink, ControlStatus, InclusionReason, LinkKind, StatusChange};
use isms_domain::trail::{TrailActor, TrailDraft};
use isms_domain::{Email, OrgId, UserId};
use isms_store::WriteTx;
use serde::Serialize;
use time::Date;

use crate::access::Actor;
use crate::frameworks::library;
use crate::trail::record;
use crate::{AppError, AppResult, Code, Cx, FieldError};

/// The Annex A controls as `(theme, id, title)`, in Annex A order.
pub fn annex_a(lib: &Library) -> Vec<(String, String, String)> {
    lib.framework(PIVOT)
        .map(|fw| {
            fw.items
                .iter()
                .filter(|i| i.kind == ItemKind::Control)
                .map(|i| (i.parent.clone().unwrap_or_default(), i.id.clone(), i.title.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Creates the "not started" record of every Annex A control for a new organization.
pub(crate) async fn seed_controls(tx: &mut dyn WriteTx, cx: &Cx, actor: &TrailActor, org: OrgId) -> AppResult<()> {
    let lib = crate::frameworks::library_in(cx, tx).await?;
    let now = cx.clock.now();
    for (_, id, _) in annex_a(&lib) {
        tx.save_control_implementation(org, &ControlImplementation::not_started(&id, now)).await?;
        let first =
            StatusChange { control: id, from: None, to: ControlStatus::NotStarted, by: actor.to_stored(), at: now };
        tx.append_status_change(org, &first).await?;
    }
    Ok(())
}

/// A control record with what people need to read it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ControlView {
    /// The record.
    #[serde(flatten)]
    pub record: ControlImplementation,
    /// The Annex A theme.
    pub theme: String,
    /// The control's short title.
    pub title: String,
    /// Our guidance for it.
    pub guidance: Option<String>,
    /// The owner's name.
    pub owner_name: Option<String>,
    /// The owner's e-mail.
    pub owner_email: Option<String>,
}

async fn member_names(cx: &Cx, org: OrgId) -> AppResult<Vec<(UserId, String, String)>> {
    let mut tx = cx.read().await?;
    tx.organization(org).await?;
    Ok(tx
        .members(org)
        .await?
        .into_iter()
        .map(|(u, _)| (u.id, u.display_name.to_string(), u.email.to_string()))
        .collect())
}

/// The organization's control records with their links, as this process keeps them
/// while its data version stays the same (see [`crate::cache`]).
pub(crate) async fn records_of(cx: &Cx, org: OrgId) -> AppResult<std::sync::Arc<Vec<ControlImplementation>>> {
    crate::cache::kept(cx, org, "control_implementations", || async {
        Ok(cx.read().await?.control_implementations(org).await?)
    })
    .await
}

/// Every control record of the organization, in Annex A order.
pub async fn list_controls(cx: &Cx, actor: &Actor) -> AppResult<Vec<ControlView>> {
    actor.require(UseCase::ReadIsms)?;
    controls_of(cx, actor.org()).await
}

/// [`list_controls`] for the app's own use inside a checked use case.
pub(crate) async fn controls_of(cx: &Cx, org: OrgId) -> AppResult<Vec<ControlView>> {
    let lib = library(cx).await?;
    let members = member_names(cx, org).await?;
    let mut records = records_of(cx, org).await?.as_ref().clone();
    let order = |id: &str| lib.position(PIVOT, id).unwrap_or(usize::MAX);
    records.sort_by_key(|r| order(&r.control));
    Ok(records
        .into_iter()
        .map(|record| {
            let item = lib.item(PIVOT, &record.control);
            let owner = record.owner.and_then(|o| members.iter().find(|(id, _, _)| *id == o));
            ControlView {
                theme: item.and_then(|i| i.parent.clone()).unwrap_or_default(),
                title: item.map(|i| i.title.clone()).unwrap_or_default(),
                guidance: item.and_then(|i| i.guidance.clone()),
                owner_name: owner.map(|(_, n, _)| n.clone()),
                owner_email: owner.map(|(_, _, e)| e.clone()),
                record,
            }
        })
        .collect())
}

/// A status change with the name of who made it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HistoryEntry {
    /// The change.
    #[serde(flatten)]
    pub change: StatusChange,
    /// Who made it, as people read it (a member's name, or the command).
    pub by_name: String,
}

/// One control in full: record, status history, and where it maps in the frameworks
/// the organization uses.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ControlDetail {
    /// The record and its labels.
    pub control: ControlView,
    /// Status changes, oldest first.
    pub history: Vec<HistoryEntry>,
    /// What the control covers in the organization's other frameworks.
    pub mappings: Vec<isms_domain::crosswalk::Hit>,
}

fn unknown_control(id: &str) -> AppError {
    AppError::new(
        Code::ControlNotFound,
        format!("{id:?} is not an ISO/IEC 27001:2022 Annex A control (they run from A.5.1 to A.8.34)"),
    )
}

/// Accepts `A.5.15` or `5.15`.
pub fn normalize_control_id(id: &str) -> String {
    let id = id.trim();
    if id.starts_with(['A', 'a']) { format!("A{}", &id[1..]) } else { format!("A.{id}") }
}

/// One control in full.
pub async fn control_detail(cx: &Cx, actor: &Actor, id: &str) -> AppResult<ControlDetail> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let id = normalize_control_id(id);
    let control =
        controls_of(cx, org).await?.into_iter().find(|c| c.record.control == id).ok_or_else(|| unknown_control(&id))?;
    let members = member_names(cx, org).await?;
    let history = cx
        .read()
        .await?
        .control_history(org, &id)
        .await?
        .into_iter()
        .map(|change| {
            let by_name = match TrailActor::from_stored(&change.by) {
                Some(TrailActor::User(u)) => {
                    members.iter().find(|(id, _, _)| *id == u).map_or_else(|| change.by.clone(), |(_, n, _)| n.clone())
                }
                Some(TrailActor::System(command)) => command,
                None => change.by.clone(),
            };
            HistoryEntry { change, by_name }
        })
        .collect();
    let in_use = crate::frameworks::in_use_of(cx, org).await?;
    let lib = library(cx).await?;
    let from = ItemRef { framework: in_use[0].clone(), item: id.clone() };
    let mappings = lib
        .crosswalk(&from, None)
        .map_err(|e| AppError::new(Code::CatalogInvalid, e.to_string()))?
        .into_iter()
        .filter(|h| in_use.contains(&h.target.framework))
        .collect();
    Ok(ControlDetail { control, history, mappings })
}

/// What a user changes on a control record; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ControlChange {
    /// In the SoA or excluded.
    pub applicable: Option<bool>,
    /// Replaces the inclusion reasons.
    pub reasons: Option<BTreeSet<InclusionReason>>,
    /// Sets (or, with `Some(None)`, clears) the exclusion justification.
    pub justification: Option<Option<String>>,
    /// New status.
    pub status: Option<ControlStatus>,
    /// Sets or clears the owner (by e-mail; must be a member).
    pub owner: Option<Option<Email>>,
    /// Sets or clears the target date.
    pub target_date: Option<Option<Date>>,
    /// Replaces the implementation description (Markdown).
    pub implementation: Option<String>,
    /// Links to add.
    pub link: Vec<ControlLink>,
    /// Links to remove.
    pub unlink: Vec<ControlLink>,
}

/// Changes one control record, keeps its status history, and records the change (before
/// and after) in the audit trail, all in one transaction. A control owner may change
/// only the controls assigned to them (checked in the same transaction as the write),
/// and may not hand them on.
pub async fn update_control(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    change: ControlChange,
) -> AppResult<ControlImplementation> {
    let assigned_to = match actor.require(UseCase::EditControls)? {
        Grant::Assigned if change.owner.is_some() => {
            return Err(AppError::new(
                Code::Forbidden,
                "a control owner cannot reassign a control; ask the ISMS manager",
            ));
        }
        Grant::Assigned => actor.user(),
        _ => None,
    };
    let org = actor.org();
    let id = normalize_control_id(id);
    let owner = match &change.owner {
        Some(Some(email)) => {
            let members = member_names(cx, org).await?;
            let found = members.iter().find(|(_, _, e)| e == email.as_str()).map(|(u, _, _)| *u);
            Some(Some(found.ok_or_else(|| {
                AppError::invalid(vec![FieldError {
                    field: "owner".into(),
                    message: format!("{email} is not a member of this organization"),
                }])
            })?))
        }
        Some(None) => Some(None),
        None => None,
    };
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    if let Some(user) = assigned_to {
        let record = tx.control_implementation(org, &id).await?;
        if record.is_some_and(|r| r.owner != Some(user)) {
            return Err(AppError::new(
                Code::Forbidden,
                format!("{id} is not assigned to you; a control owner edits only their own controls"),
            ));
        }
    }
    let after = update_control_in(&mut *tx, cx, &actor.trail(), org, &id, change, owner).await?;
    tx.commit().await?;
    Ok(after)
}

/// [`update_control`] inside a caller's transaction, with the owner already resolved.
pub(crate) async fn update_control_in(
    tx: &mut dyn WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    change: ControlChange,
    owner: Option<Option<UserId>>,
) -> AppResult<ControlImplementation> {
    let id = normalize_control_id(id);
    let before = tx.control_implementation(org, &id).await?.ok_or_else(|| unknown_control(&id))?;
    let mut after = before.clone();
    if let Some(applicable) = change.applicable {
        after.applicable = applicable;
        if !applicable {
            after.status = ControlStatus::NotApplicable;
        } else if after.status == ControlStatus::NotApplicable {
            after.status = ControlStatus::NotStarted;
        }
    }
    if let Some(status) = change.status {
        after.status = status;
        if status == ControlStatus::NotApplicable {
            after.applicable = false;
        } else if change.applicable.is_none() {
            after.applicable = true;
        }
    }
    if let Some(reasons) = change.reasons {
        after.reasons = reasons;
    }
    if let Some(justification) = change.justification {
        after.justification = justification.map(|j| j.trim().to_owned()).filter(|j| !j.is_empty());
    }
    if let Some(owner) = owner {
        after.owner = owner;
    }
    if let Some(target) = change.target_date {
        after.target_date = target;
    }
    if let Some(text) = change.implementation {
        after.implementation = text;
    }
    let unlinked_risk = change.unlink.iter().any(|l| l.kind == LinkKind::Risk);
    for link in change.unlink {
        after.links.remove(&link);
    }
    after.links.extend(change.link);
    // "Risk treatment" follows the linked risks: linking one adds the reason, removing
    // the last one removes it.
    let has_risk = after.links.iter().any(|l| l.kind == LinkKind::Risk);
    if has_risk {
        after.reasons.insert(InclusionReason::RiskTreatment);
    } else if unlinked_risk {
        after.reasons.remove(&InclusionReason::RiskTreatment);
    }
    if after == before {
        return Ok(before);
    }
    let now = cx.clock.now();
    after.updated_at = now;
    tx.update_control_implementation(org, &before, &after).await?;
    if after.status != before.status {
        let change = StatusChange {
            control: id.clone(),
            from: Some(before.status),
            to: after.status,
            by: actor.to_stored(),
            at: now,
        };
        tx.append_status_change(org, &change).await?;
    }
    // A risk linked or unlinked is recorded in the risk's own entry (its `controls`);
    // the control's entry is kept for a change of the control itself (here, a reason),
    // so a link costs one row, not a copy of every link the control has.
    let mut only_links = before.clone();
    only_links.links.clone_from(&after.links);
    only_links.updated_at = after.updated_at;
    let risk_links_only =
        only_links == after && before.links.symmetric_difference(&after.links).all(|l| l.kind == LinkKind::Risk);
    if risk_links_only {
        return Ok(after);
    }
    let draft = TrailDraft {
        actor: actor.clone(),
        action: "control.updated".into(),
        entity: "control".into(),
        entity_id: id,
        before: serde_json::to_string(&before).ok(),
        after: serde_json::to_string(&after).ok(),
    };
    record(tx, org, now, draft).await?;
    Ok(after)
}
