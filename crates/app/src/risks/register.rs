//! The risk register: list, show, add, edit, delete, with the checks against the
//! organization and the control links kept in step on both sides.

use super::*;

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

pub(super) fn view(risk: Risk, m: &Methodology) -> RiskView {
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
    Ok(register_of(cx, org).await?.as_ref().clone())
}

/// The register as [`list_risks`] answers it, kept between requests while the
/// organization's data version stays the same (the methodology is part of that data).
async fn register_of(cx: &Cx, org: OrgId) -> AppResult<std::sync::Arc<Vec<RiskView>>> {
    crate::cache::kept(cx, org, "risk_views", || async {
        let m = methodology_of(cx, org).await?;
        let risks = registers::shared::<Risk>(cx, org).await?;
        let mut all: Vec<RiskView> = risks.iter().map(|r| view(r.clone(), &m)).collect();
        all.sort_by(|a, b| m.rank(&b.residual_level).cmp(&m.rank(&a.residual_level)).then(a.risk.id.cmp(&b.risk.id)));
        Ok(all)
    })
    .await
}

/// The register as JSON rows, for an API that filters, sorts and pages it: kept
/// between requests like [`list_risks`], so a page of a large register costs the page.
pub async fn risk_rows(cx: &Cx, actor: &Actor) -> AppResult<std::sync::Arc<Vec<serde_json::Value>>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    crate::cache::kept(cx, org, "risk_rows", || async {
        let views = register_of(cx, org).await?;
        Ok(views.iter().map(|v| serde_json::to_value(v).unwrap_or(serde_json::Value::Null)).collect())
    })
    .await
}

/// One risk ("not found" for another organization's id).
pub async fn risk(cx: &Cx, actor: &Actor, id: &str) -> AppResult<RiskView> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let m = methodology_of(cx, org).await?;
    Ok(view(registers::get::<Risk>(cx, org, id).await?, &m))
}

/// What a risk is checked against, read once per transaction (an import checks
/// thousands of rows against the same members, controls and assets).
pub(super) struct RiskChecks {
    members: BTreeSet<String>,
    library: std::sync::Arc<isms_domain::framework::Library>,
    assets: BTreeSet<String>,
}

impl RiskChecks {
    /// Reads the organization's members, the framework library and the asset ids.
    pub(super) async fn read(tx: &mut dyn WriteTx, cx: &Cx, org: OrgId) -> AppResult<Self> {
        Ok(Self {
            members: tx.members(org).await?.into_iter().map(|(u, _)| u.email.to_string()).collect(),
            library: crate::frameworks::library_in(cx, &mut *tx).await?,
            assets: tx.entry_ids(org, "asset").await?.into_iter().collect(),
        })
    }

    /// Checks a risk against the organization: ratings in the scales, owner and action
    /// owners members, controls in Annex A, assets in the inventory. Normalizes the
    /// owners' e-mails and the control ids.
    pub(super) fn check(&self, risk: &mut Risk, m: &Methodology) -> AppResult<()> {
        let mut problems: Vec<(&'static str, String)> = isms_domain::register::Entry::problems(risk);
        for (field, rating) in [("inherent", risk.inherent), ("residual", risk.residual)] {
            if let Some(p) = m.rating_problem(field, rating) {
                problems.push((field, p));
            }
        }
        risk.owner = risk.owner.trim().to_lowercase();
        if !risk.owner.is_empty() && !self.members.contains(&risk.owner) {
            problems.push(("owner", format!("{} is not a member of this organization", risk.owner)));
        }
        for action in &mut risk.actions {
            action.owner = action.owner.trim().to_lowercase();
            if !self.members.contains(&action.owner) {
                problems.push(("actions", format!("action {:?}: {} is not a member", action.title, action.owner)));
            }
        }
        risk.controls =
            risk.controls.iter().map(|c| normalize_control_id(c)).collect::<BTreeSet<_>>().into_iter().collect();
        for c in &risk.controls {
            if self
                .library
                .item(isms_domain::framework::PIVOT, c)
                .is_none_or(|i| i.kind != isms_domain::framework::ItemKind::Control)
            {
                problems.push(("controls", format!("{c} is not an Annex A control")));
            }
        }
        for a in &risk.assets {
            if !self.assets.contains(a) {
                problems.push(("assets", format!("there is no asset {a}")));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(AppError::invalid(
                problems.into_iter().map(|(f, m)| FieldError { field: f.into(), message: m }).collect(),
            ))
        }
    }
}

/// [`RiskChecks::check`] for one risk.
pub(super) async fn check(
    tx: &mut dyn WriteTx,
    cx: &Cx,
    org: OrgId,
    risk: &mut Risk,
    m: &Methodology,
) -> AppResult<()> {
    RiskChecks::read(tx, cx, org).await?.check(risk, m)
}

/// Links or unlinks the risk on the controls whose membership changed.
pub(super) async fn sync_controls(
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

/// How a risk write is narrowed for the actor: under a control owner's `Assigned`
/// grant, to the risks they own (`me`) and the controls assigned to them.
struct Editing {
    me: Option<Email>,
    assigned_to: Option<UserId>,
    org: OrgId,
    trail: TrailActor,
}

fn editing(actor: &Actor, me: Option<Email>) -> Editing {
    let assigned_to = me.as_ref().and(actor.user());
    Editing { me, assigned_to, org: actor.org(), trail: actor.trail() }
}

/// Adds a risk to the register. A control owner adds only risks they own, and every
/// control they link must be assigned to them.
pub async fn add_risk(cx: &Cx, actor: &Actor, mut risk: Risk) -> AppResult<RiskView> {
    let Editing { me, assigned_to, org, trail } = editing(actor, actor.narrowed(cx, UseCase::EditRisks).await?);
    let only_owner = me.as_ref().map(Email::as_str);
    let actor = &trail;
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    owned_by(&risk, only_owner, "adds")?;
    links_assigned(&mut *tx, org, &[], &risk.controls, assigned_to).await?;
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
    let Editing { me, assigned_to, org, trail } = editing(actor, actor.narrowed(cx, UseCase::EditRisks).await?);
    let only_owner = me.as_ref().map(Email::as_str);
    let actor = &trail;
    let mut tx = cx.write().await?;
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
    links_assigned(&mut *tx, org, &before.controls, &risk.controls, assigned_to).await?;
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

/// With `assigned_to` (a control owner's narrowed grant), refuses linking or unlinking
/// a control not assigned to that person: a link adds (and an unlink removes) the
/// "risk treatment" reason on the control's SoA row, which is the control owner's to
/// change only for their own controls. Checked inside the write transaction.
async fn links_assigned(
    tx: &mut dyn WriteTx,
    org: OrgId,
    before: &[String],
    after: &[String],
    assigned_to: Option<UserId>,
) -> AppResult<()> {
    let Some(me) = assigned_to else { return Ok(()) };
    let changed: Vec<&String> =
        after.iter().filter(|c| !before.contains(c)).chain(before.iter().filter(|c| !after.contains(c))).collect();
    if changed.is_empty() {
        return Ok(());
    }
    for control in changed {
        let id = normalize_control_id(control);
        let mine = tx.control_implementation(org, &id).await?.is_some_and(|r| r.owner == Some(me));
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
    let Editing { me, assigned_to, org, trail } = editing(actor, actor.narrowed(cx, UseCase::EditRisks).await?);
    let only_owner = me.as_ref().map(Email::as_str);
    let actor = &trail;
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let json = tx
        .entry(org, "risk", id)
        .await?
        .ok_or_else(|| AppError::new(Code::NotFound, format!("there is no risk {id}")))?;
    let existing: Risk = decode("risk", &json)?;
    owned_by(&existing, only_owner, "deletes")?;
    links_assigned(&mut *tx, org, &existing.controls, &[], assigned_to).await?;
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
