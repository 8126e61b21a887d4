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
use isms_domain::{Email, OrgId, Role};
use isms_store::WriteTx;
use serde::Serialize;

use crate::access::Actor;
use crate::controls::{ControlChange, normalize_control_id, update_control_in};
use crate::registers::{self, create_in};
use crate::trail::record;
use crate::{AppError, AppResult, Code, Cx, FieldError};

fn decode<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> AppResult<T> {
    serde_json::from_str(json)
        .map_err(|e| AppError::new(Code::CorruptData, format!("stored {what} cannot be read: {e}")))
}

/// The organization's current methodology (the default 5×5 until one is saved).
pub async fn methodology(cx: &Cx, actor: &Actor) -> AppResult<Methodology> {
    actor.require(UseCase::ReadIsms)?;
    methodology_of(cx, actor.org()).await
}

/// [`methodology`] for the app's own use inside a checked use case.
pub(crate) async fn methodology_of(cx: &Cx, org: OrgId) -> AppResult<Methodology> {
    let mut tx = cx.store.read().await?;
    tx.organization(org).await?;
    current_methodology(&mut *tx, org).await
}

async fn current_methodology(tx: &mut (impl isms_store::ReadTx + ?Sized), org: OrgId) -> AppResult<Methodology> {
    match tx.entry(org, "methodology", "METHODOLOGY").await? {
        Some(json) => decode("methodology", &json),
        None => Ok(Methodology::default()),
    }
}

/// A methodology version kept for the record.
pub async fn methodology_versions(cx: &Cx, actor: &Actor) -> AppResult<Vec<Methodology>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let mut tx = cx.store.read().await?;
    tx.organization(org).await?;
    let mut all: Vec<Methodology> = tx
        .entries(org, "methodology_version")
        .await?
        .iter()
        .map(|(_, j)| decode("methodology version", j))
        .collect::<AppResult<_>>()?;
    all.push(current_methodology(&mut *tx, org).await?);
    all.sort_by_key(|m| m.version);
    all.dedup_by_key(|m| m.version);
    Ok(all)
}

/// Saves a changed methodology as the next version and re-levels every risk, keeping
/// each risk's earlier levels in its history. One transaction.
pub async fn edit_methodology(cx: &Cx, actor: &Actor, mut new: Methodology) -> AppResult<(Methodology, usize)> {
    actor.require(UseCase::EditMethodology)?;
    let org = actor.org();
    let problems = isms_domain::register::Entry::problems(&new);
    if !problems.is_empty() {
        return Err(AppError::invalid(
            problems.into_iter().map(|(f, m)| FieldError { field: f.into(), message: m }).collect(),
        ));
    }
    let mut tx = cx.store.write().await?;
    tx.lock_organization(org).await?;
    let old = current_methodology(&mut *tx, org).await?;
    new.id = "METHODOLOGY".into();
    new.version = old.version + 1;
    let now = cx.clock.now();
    let old_json = serde_json::to_string(&old).unwrap_or_default();
    tx.insert_entry(org, "methodology_version", &format!("V{:03}", old.version), &old_json, now).await?;
    let new_json = serde_json::to_string(&new).unwrap_or_default();
    tx.put_entry(org, "methodology", "METHODOLOGY", &new_json, now).await?;
    let mut relevelled = 0;
    for (id, json) in tx.entries(org, "risk").await? {
        let mut risk: Risk = decode("risk", &json)?;
        if risk.history.is_empty() {
            risk.record_levels(&old, now);
        }
        let before = risk.levels(&old);
        let (b_in, b_res) = (before.0.id.clone(), before.1.id.clone());
        risk.record_levels(&new, now);
        let (a_in, a_res) = risk.levels(&new);
        if a_in.id != b_in || a_res.id != b_res {
            relevelled += 1;
        }
        tx.replace_entry(org, "risk", &id, &serde_json::to_string(&risk).unwrap_or_default(), now).await?;
    }
    let draft = TrailDraft {
        actor: actor.trail(),
        action: "methodology.updated".into(),
        entity: "methodology".into(),
        entity_id: format!("v{}", new.version),
        before: Some(old_json),
        after: Some(new_json),
    };
    record(&mut *tx, org, now, draft).await?;
    tx.commit().await?;
    Ok((new, relevelled))
}

/// A risk with its levels and acceptance state under the current methodology.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RiskView {
    /// The risk.
    #[serde(flatten)]
    pub risk: Risk,
    /// Inherent level id.
    pub inherent_level: String,
    /// Residual level id.
    pub residual_level: String,
    /// Whether the residual risk is accepted.
    pub acceptance_state: AcceptanceState,
}

fn view(risk: Risk, m: &Methodology) -> RiskView {
    let (i, r) = risk.levels(m);
    let (inherent_level, residual_level) = (i.id.clone(), r.id.clone());
    RiskView { acceptance_state: risk.acceptance_state(m), inherent_level, residual_level, risk }
}

/// The register, most severe residual level first.
pub async fn list_risks(cx: &Cx, actor: &Actor) -> AppResult<Vec<RiskView>> {
    actor.require(UseCase::ReadIsms)?;
    risks_of(cx, actor.org()).await
}

/// [`list_risks`] for the app's own use inside a checked use case.
pub(crate) async fn risks_of(cx: &Cx, org: OrgId) -> AppResult<Vec<RiskView>> {
    let m = methodology_of(cx, org).await?;
    let mut all: Vec<RiskView> = registers::list::<Risk>(cx, org).await?.into_iter().map(|r| view(r, &m)).collect();
    all.sort_by(|a, b| m.rank(&b.residual_level).cmp(&m.rank(&a.residual_level)).then(a.risk.id.cmp(&b.risk.id)));
    Ok(all)
}

/// One risk ("not found" for another organization's id).
pub async fn risk(cx: &Cx, actor: &Actor, id: &str) -> AppResult<RiskView> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let m = methodology_of(cx, org).await?;
    Ok(view(registers::get::<Risk>(cx, org, id).await?, &m))
}

/// Checks a risk against the organization: ratings in the scales, owner and action
/// owners members, controls in Annex A, assets in the inventory.
async fn check(tx: &mut dyn WriteTx, cx: &Cx, org: OrgId, risk: &mut Risk, m: &Methodology) -> AppResult<()> {
    let mut problems: Vec<(&'static str, String)> = isms_domain::register::Entry::problems(risk);
    for (field, rating) in [("inherent", risk.inherent), ("residual", risk.residual)] {
        if let Some(p) = m.rating_problem(field, rating) {
            problems.push((field, p));
        }
    }
    let members: Vec<String> = tx.members(org).await?.into_iter().map(|(u, _)| u.email.to_string()).collect();
    risk.owner = risk.owner.trim().to_lowercase();
    if !risk.owner.is_empty() && !members.contains(&risk.owner) {
        problems.push(("owner", format!("{} is not a member of this organization", risk.owner)));
    }
    for action in &mut risk.actions {
        action.owner = action.owner.trim().to_lowercase();
        if !members.contains(&action.owner) {
            problems.push(("actions", format!("action {:?}: {} is not a member", action.title, action.owner)));
        }
    }
    let lib = crate::frameworks::library_in(cx, &mut *tx).await?;
    risk.controls =
        risk.controls.iter().map(|c| normalize_control_id(c)).collect::<BTreeSet<_>>().into_iter().collect();
    for c in &risk.controls {
        if lib
            .item(isms_domain::framework::PIVOT, c)
            .is_none_or(|i| i.kind != isms_domain::framework::ItemKind::Control)
        {
            problems.push(("controls", format!("{c} is not an Annex A control")));
        }
    }
    let assets: Vec<String> = tx.entries(org, "asset").await?.into_iter().map(|(id, _)| id).collect();
    for a in &risk.assets {
        if !assets.contains(a) {
            problems.push(("assets", format!("there is no asset {a}")));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid(problems.into_iter().map(|(f, m)| FieldError { field: f.into(), message: m }).collect()))
    }
}

/// Links or unlinks the risk on the controls whose membership changed.
async fn sync_controls(
    tx: &mut dyn WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    before: &[String],
    after: &[String],
) -> AppResult<()> {
    let link = ControlLink { kind: LinkKind::Risk, id: id.to_owned() };
    for c in after.iter().filter(|c| !before.contains(c)) {
        let change = ControlChange { link: vec![link.clone()], ..ControlChange::default() };
        update_control_in(tx, cx, actor, org, c, change, None).await?;
    }
    for c in before.iter().filter(|c| !after.contains(c)) {
        let change = ControlChange { unlink: vec![link.clone()], ..ControlChange::default() };
        update_control_in(tx, cx, actor, org, c, change, None).await?;
    }
    Ok(())
}

/// Adds a risk to the register. A control owner adds only risks they own, and every
/// control they link must be assigned to them.
pub async fn add_risk(cx: &Cx, actor: &Actor, mut risk: Risk) -> AppResult<RiskView> {
    let me = actor.narrowed(cx, UseCase::EditRisks).await?;
    let only_owner = me.as_ref().map(Email::as_str);
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    let mut tx = cx.store.write().await?;
    tx.lock_organization(org).await?;
    owned_by(&risk, only_owner, "adds")?;
    links_assigned(&mut *tx, org, &[], &risk.controls, only_owner).await?;
    let m = current_methodology(&mut *tx, org).await?;
    risk.acceptance = None;
    risk.history.clear();
    check(&mut *tx, cx, org, &mut risk, &m).await?;
    risk.record_levels(&m, cx.clock.now());
    create_in(&mut *tx, cx, actor, org, &mut risk).await?;
    sync_controls(&mut *tx, cx, actor, org, &risk.id, &[], &risk.controls).await?;
    tx.commit().await?;
    Ok(view(risk, &m))
}

/// Changes a risk's assessment and treatment: `change` is applied to the stored risk
/// inside the write transaction (after the organization's write turn), so two people
/// changing different fields at once both keep their change. The acceptance and
/// history are kept; an acceptance lapses by itself when the residual level rises
/// above it.
///
/// A control owner edits only risks they own, and cannot give them to someone else.
pub async fn edit_risk(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    change: impl FnOnce(&mut Risk) -> AppResult<()> + Send,
) -> AppResult<RiskView> {
    let me = actor.narrowed(cx, UseCase::EditRisks).await?;
    let only_owner = me.as_ref().map(Email::as_str);
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    let mut tx = cx.store.write().await?;
    tx.lock_organization(org).await?;
    let m = current_methodology(&mut *tx, org).await?;
    let before_json = tx
        .entry(org, "risk", id)
        .await?
        .ok_or_else(|| AppError::new(Code::NotFound, format!("there is no risk {id}")))?;
    let before: Risk = decode("risk", &before_json)?;
    owned_by(&before, only_owner, "edits")?;
    let mut risk = before.clone();
    change(&mut risk)?;
    owned_by(&risk, only_owner, "edits")?;
    risk.id = id.to_owned();
    risk.acceptance = before.acceptance.clone();
    risk.history = before.history.clone();
    check(&mut *tx, cx, org, &mut risk, &m).await?;
    links_assigned(&mut *tx, org, &before.controls, &risk.controls, only_owner).await?;
    let now = cx.clock.now();
    risk.record_levels(&m, now);
    let json = serde_json::to_string(&risk).unwrap_or_default();
    tx.replace_entry(org, "risk", id, &json, now).await?;
    sync_controls(&mut *tx, cx, actor, org, id, &before.controls, &risk.controls).await?;
    let draft = TrailDraft {
        actor: actor.clone(),
        action: "risk.updated".into(),
        entity: "risk".into(),
        entity_id: id.into(),
        before: Some(before_json),
        after: Some(json),
    };
    record(&mut *tx, org, now, draft).await?;
    tx.commit().await?;
    Ok(view(risk, &m))
}

/// With `only_owner` (a control owner's narrowed grant), refuses linking or unlinking
/// a control not assigned to that person: a link adds (and an unlink removes) the
/// "risk treatment" reason on the control's SoA row, which is the control owner's to
/// change only for their own controls. Checked inside the write transaction.
async fn links_assigned(
    tx: &mut dyn WriteTx,
    org: OrgId,
    before: &[String],
    after: &[String],
    only_owner: Option<&str>,
) -> AppResult<()> {
    let Some(me) = only_owner else { return Ok(()) };
    let changed: Vec<&String> =
        after.iter().filter(|c| !before.contains(c)).chain(before.iter().filter(|c| !after.contains(c))).collect();
    if changed.is_empty() {
        return Ok(());
    }
    let user = match Email::parse(me) {
        Ok(e) => tx.user_by_email(&e).await?.map(|u| u.id),
        Err(_) => None,
    };
    let records = tx.control_implementations(org).await?;
    for control in changed {
        let id = normalize_control_id(control);
        let mine = user.is_some() && records.iter().any(|r| r.control == id && r.owner == user);
        if !mine {
            return Err(AppError::new(
                Code::Forbidden,
                format!(
                    "a control owner links and unlinks only controls assigned to them ({control} is not); ask the ISMS manager"
                ),
            ));
        }
    }
    Ok(())
}

/// With `only_owner` (a control owner's narrowed grant), refuses a risk owned by
/// someone else; checked inside the write transaction.
pub(crate) fn owned_by(risk: &Risk, only_owner: Option<&str>, what: &str) -> AppResult<()> {
    match only_owner {
        Some(me) if !risk.owner.eq_ignore_ascii_case(me) => Err(AppError::new(
            Code::Forbidden,
            format!("a control owner {what} only risks they own (owner must be {me})"),
        )),
        _ => Ok(()),
    }
}

/// Deletes a risk and unlinks it from its controls. A control owner deletes only
/// risks they own.
pub async fn delete_risk(cx: &Cx, actor: &Actor, id: &str) -> AppResult<()> {
    let me = actor.narrowed(cx, UseCase::EditRisks).await?;
    let only_owner = me.as_ref().map(Email::as_str);
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    let mut tx = cx.store.write().await?;
    tx.lock_organization(org).await?;
    let json = tx
        .entry(org, "risk", id)
        .await?
        .ok_or_else(|| AppError::new(Code::NotFound, format!("there is no risk {id}")))?;
    let existing: Risk = decode("risk", &json)?;
    owned_by(&existing, only_owner, "deletes")?;
    links_assigned(&mut *tx, org, &existing.controls, &[], only_owner).await?;
    sync_controls(&mut *tx, cx, actor, org, id, &existing.controls, &[]).await?;
    tx.delete_entry(org, "risk", id).await?;
    let draft = TrailDraft {
        actor: actor.clone(),
        action: "risk.deleted".into(),
        entity: "risk".into(),
        entity_id: id.into(),
        before: Some(json),
        after: None,
    };
    record(&mut *tx, org, cx.clock.now(), draft).await?;
    tx.commit().await?;
    Ok(())
}

/// Records the acceptance of a risk's residual level. Refused when no acceptance is
/// needed, when the level may not be accepted, and when the person is not allowed to:
/// the risk owner accepts owner-level risks; executive-level risks need the risk owner
/// to hold the owner role (top management). The acting member accepts (the
/// operator names them with `--as`).
pub async fn accept_risk(cx: &Cx, actor: &Actor, id: &str, comment: &str) -> AppResult<RiskView> {
    actor.require(UseCase::AcceptRisks)?;
    let by = &actor.email(cx).await?;
    let org = actor.org();
    let mut tx = cx.store.write().await?;
    tx.lock_organization(org).await?;
    let m = current_methodology(&mut *tx, org).await?;
    let json = tx
        .entry(org, "risk", id)
        .await?
        .ok_or_else(|| AppError::new(Code::NotFound, format!("there is no risk {id}")))?;
    let mut risk: Risk = decode("risk", &json)?;
    let level = m.level_of(risk.residual).clone();
    let forbidden = |why: String| AppError::new(Code::Forbidden, why);
    match risk.acceptance_state(&m) {
        AcceptanceState::NotNeeded => {
            return Err(AppError::new(
                Code::AcceptanceNotNeeded,
                format!("{id}'s residual level ({}) is within appetite; it needs no acceptance", level.label),
            ));
        }
        AcceptanceState::NotAcceptable => {
            return Err(AppError::new(
                Code::NotAcceptable,
                format!(
                    "{id}'s residual level ({}) may not be accepted under the methodology; treat it further",
                    level.label
                ),
            ));
        }
        AcceptanceState::Accepted => {
            return Err(AppError::new(Code::AlreadyAccepted, format!("{id} is already accepted at its current level")));
        }
        AcceptanceState::Unaccepted { by: rule } => {
            if by.as_str() != risk.owner {
                return Err(forbidden(format!("only the risk owner ({}) can accept {id}", risk.owner)));
            }
            if rule == AcceptanceRule::Executive {
                let user = tx.user_by_email(by).await?;
                let role = match user {
                    Some(u) => tx.membership(org, u.id).await?.map(|m| m.role),
                    None => None,
                };
                if role != Some(Role::Owner) {
                    return Err(forbidden(format!(
                        "{} risks need acceptance by top management: the risk owner must hold the owner role",
                        level.label
                    )));
                }
            }
        }
    }
    let now = cx.clock.now();
    risk.acceptance = Some(RiskAcceptance {
        by: by.to_string(),
        at: now,
        comment: comment.trim().to_owned(),
        level: level.id.clone(),
    });
    let after = serde_json::to_string(&risk).unwrap_or_default();
    tx.replace_entry(org, "risk", id, &after, now).await?;
    let draft = TrailDraft {
        actor: actor.trail(),
        action: "risk.accepted".into(),
        entity: "risk".into(),
        entity_id: id.into(),
        before: Some(json),
        after: Some(after),
    };
    record(&mut *tx, org, now, draft).await?;
    tx.commit().await?;
    Ok(view(risk, &m))
}

/// Risk counts per cell of the matrix, with the methodology they were counted under.
pub async fn heat_map(cx: &Cx, actor: &Actor, kind: HeatMapKind) -> AppResult<(Methodology, Vec<Vec<usize>>)> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let m = methodology_of(cx, org).await?;
    let risks = registers::list::<Risk>(cx, org).await?;
    let counts = heat_counts(&risks, &m, kind);
    Ok((m, counts))
}

/// One step of the risk treatment plan, with its risk.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PlanStep {
    /// The risk's id.
    pub risk: String,
    /// The risk's title.
    pub risk_title: String,
    /// The residual level the plan aims at.
    pub residual_level: String,
    /// The action.
    pub action: isms_domain::risk::TreatmentAction,
    /// True when its due date has passed and it is not done.
    pub overdue: bool,
}

/// The risk treatment plan (6.1.3 e, 8.3): every action of every risk, by due date.
pub async fn treatment_plan(cx: &Cx, actor: &Actor) -> AppResult<Vec<PlanStep>> {
    actor.require(UseCase::ReadIsms)?;
    let today = cx.clock.today();
    let mut steps: Vec<PlanStep> = risks_of(cx, actor.org())
        .await?
        .into_iter()
        .flat_map(|r| {
            let level = r.residual_level.clone();
            r.risk
                .actions
                .iter()
                .map(move |a| PlanStep {
                    risk: r.risk.id.clone(),
                    risk_title: r.risk.title.clone(),
                    residual_level: level.clone(),
                    overdue: a.due < today && a.status != isms_domain::risk::ActionStatus::Done,
                    action: a.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    steps.sort_by(|a, b| a.action.due.cmp(&b.action.due).then(a.risk.cmp(&b.risk)));
    Ok(steps)
}

/// One bad row of a risk import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RiskRowError {
    /// 1-based line.
    pub line: u64,
    /// The column (or field).
    pub column: String,
    /// What is wrong.
    pub message: String,
}

/// What a risk import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RiskImport {
    /// Ids of the risks created.
    pub created: Vec<String>,
    /// Rows refused.
    pub errors: Vec<RiskRowError>,
    /// True when anything was stored.
    pub stored: bool,
}

/// Columns of a risk import (the first eight are required).
pub const RISK_CSV_COLUMNS: [&str; 13] = [
    "title",
    "owner",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "threat",
    "vulnerability",
    "controls",
    "assets",
    "description",
    "next_review",
];

/// Imports risks from CSV: every row is parsed and checked against the organization
/// first; any bad row means nothing is stored, unless `skip_bad_rows`. One transaction.
/// Control owners add risks one at a time instead.
pub async fn import_risks_csv(cx: &Cx, actor: &Actor, text: &str, skip_bad_rows: bool) -> AppResult<RiskImport> {
    if actor.require(UseCase::EditRisks)? == Grant::Assigned {
        return Err(AppError::new(Code::Forbidden, "a control owner adds risks one at a time (POST /api/v1/risks)"));
    }
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    use isms_domain::risk::{Rating, TreatmentOption};
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::invalid_field("file", format!("line 1: {e}")))?
        .iter()
        .map(str::to_lowercase)
        .collect();
    for needed in &RISK_CSV_COLUMNS[..7] {
        if !headers.iter().any(|h| h == needed) {
            return Err(AppError::invalid_field(
                "file",
                format!("line 1: the header has no {needed} column (columns: {})", RISK_CSV_COLUMNS.join(", ")),
            ));
        }
    }
    let mut tx = cx.store.write().await?;
    tx.lock_organization(org).await?;
    let m = current_methodology(&mut *tx, org).await?;
    let mut errors = Vec::new();
    let mut parsed: Vec<(u64, Risk)> = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RiskRowError {
                    line: e.position().map_or(0, csv::Position::line),
                    column: String::new(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        let get = |name: &str| {
            // An export of ours guards formula-like text; the import takes the guard off.
            let raw = headers.iter().position(|h| h == name).and_then(|c| record.get(c)).unwrap_or_default();
            isms_domain::cells::restore(raw).to_owned()
        };
        let mut row_errors = Vec::new();
        let mut num = |name: &str| match get(name).parse::<u8>() {
            Ok(v) => v,
            Err(_) => {
                row_errors.push(RiskRowError {
                    line,
                    column: name.into(),
                    message: format!("{:?} is not a number", get(name)),
                });
                0
            }
        };
        let inherent = Rating { likelihood: num("inherent_likelihood"), impact: num("inherent_impact") };
        let residual = Rating { likelihood: num("residual_likelihood"), impact: num("residual_impact") };
        let treatment: Option<TreatmentOption> =
            serde_json::from_value(serde_json::Value::String(get("treatment").to_lowercase())).ok();
        if treatment.is_none() {
            row_errors.push(RiskRowError {
                line,
                column: "treatment".into(),
                message: format!("{:?} is not modify, retain, avoid or share", get("treatment")),
            });
        }
        let next_review = if get("next_review").is_empty() {
            isms_domain::dates::add_days(cx.clock.today(), 365)
        } else {
            isms_domain::dates::parse_text(&get("next_review"))
        };
        let next_review = match next_review {
            Ok(d) => Some(d),
            Err(message) => {
                row_errors.push(RiskRowError { line, column: "next_review".into(), message });
                None
            }
        };
        let list = |name: &str| {
            get(name).split(';').map(str::trim).filter(|s| !s.is_empty()).map(ToOwned::to_owned).collect::<Vec<_>>()
        };
        let numbers_ok = !row_errors.iter().any(|e| e.column.contains("likelihood") || e.column.contains("impact"));
        if numbers_ok {
            let parsed_ok = treatment.is_some() && next_review.is_some();
            let (treatment, next_review) =
                (treatment.unwrap_or(TreatmentOption::Modify), next_review.unwrap_or(cx.clock.today()));
            let mut risk = Risk {
                id: String::new(),
                title: get("title"),
                description: get("description"),
                assets: list("assets"),
                threat: get("threat"),
                vulnerability: get("vulnerability"),
                owner: get("owner"),
                inherent,
                existing_controls: String::new(),
                treatment,
                actions: vec![],
                controls: list("controls"),
                residual,
                acceptance: None,
                next_review,
                history: vec![],
                fair: None,
            };
            match check(&mut *tx, cx, org, &mut risk, &m).await {
                Ok(()) if parsed_ok && row_errors.is_empty() => parsed.push((line, risk)),
                Ok(()) => {}
                Err(e) => row_errors.extend(e.fields.into_iter().map(|f| RiskRowError {
                    line,
                    column: f.field,
                    message: f.message,
                })),
            }
        }
        errors.extend(row_errors);
    }
    if !errors.is_empty() && !skip_bad_rows {
        return Ok(RiskImport { created: vec![], errors, stored: false });
    }
    let mut created = Vec::new();
    for (_, mut risk) in parsed {
        risk.record_levels(&m, cx.clock.now());
        create_in(&mut *tx, cx, actor, org, &mut risk).await?;
        sync_controls(&mut *tx, cx, actor, org, &risk.id, &[], &risk.controls).await?;
        created.push(risk.id);
    }
    tx.commit().await?;
    Ok(RiskImport { stored: !created.is_empty(), created, errors })
}

/// The risk reports: the register and the treatment plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskReport {
    /// The risk register.
    Register,
    /// The risk treatment plan (6.1.3 e).
    Plan,
}

/// A risk report as a table, ready to render (see [`crate::export::render_table`]).
pub async fn risk_table(cx: &Cx, actor: &Actor, report: RiskReport) -> AppResult<isms_reports::table::Table> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let name = cx.store.read().await?.organization(org).await?.name;
    let m = methodology_of(cx, org).await?;
    let subtitle = format!("{name} · methodology version {} · exported {} by isms", m.version, cx.clock.today());
    let table = match report {
        RiskReport::Register => {
            let all = risks_of(cx, org).await?;
            isms_reports::table::Table {
                title: "Risk register".into(),
                subtitle,
                headers: [
                    "ID",
                    "Title",
                    "Owner",
                    "Threat",
                    "Vulnerability",
                    "Assets",
                    "Inherent (L×I)",
                    "Inherent level",
                    "Treatment",
                    "Controls",
                    "Residual (L×I)",
                    "Residual level",
                    "Acceptance",
                    "Next review",
                ]
                .map(String::from)
                .to_vec(),
                rows: all
                    .iter()
                    .map(|r| {
                        let k = &r.risk;
                        vec![
                            k.id.clone(),
                            k.title.clone(),
                            k.owner.clone(),
                            k.threat.clone(),
                            k.vulnerability.clone(),
                            k.assets.join("; "),
                            format!("{}×{}", k.inherent.likelihood, k.inherent.impact),
                            r.inherent_level.clone(),
                            format!("{:?}", k.treatment).to_lowercase(),
                            k.controls.join("; "),
                            format!("{}×{}", k.residual.likelihood, k.residual.impact),
                            r.residual_level.clone(),
                            match (&k.acceptance, r.acceptance_state) {
                                (Some(a), AcceptanceState::Accepted) => {
                                    format!("accepted by {} on {}", a.by, a.at.date())
                                }
                                (_, s) => s.label().to_owned(),
                            },
                            k.next_review.to_string(),
                        ]
                    })
                    .collect(),
                widths: vec![9, 34, 26, 24, 28, 16, 10, 10, 10, 22, 10, 10, 30, 12],
            }
        }
        RiskReport::Plan => {
            let plan = treatment_plan(cx, actor).await?;
            isms_reports::table::Table {
                title: "Risk treatment plan".into(),
                subtitle,
                headers: ["Due", "Risk", "Risk title", "Residual level", "Action", "Owner", "Status", "Overdue"]
                    .map(String::from)
                    .to_vec(),
                rows: plan
                    .iter()
                    .map(|p| {
                        vec![
                            p.action.due.to_string(),
                            p.risk.clone(),
                            p.risk_title.clone(),
                            p.residual_level.clone(),
                            p.action.title.clone(),
                            p.action.owner.clone(),
                            p.action.status.as_str().to_owned(),
                            if p.overdue { "yes".into() } else { "no".into() },
                        ]
                    })
                    .collect(),
                widths: vec![12, 9, 32, 12, 40, 26, 12, 9],
            }
        }
    };
    Ok(table)
}
