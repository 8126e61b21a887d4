//! The risk methodology (6.1.2 a–b) and its versions; a change re-levels every risk.

use super::*;

/// The organization's current methodology (the default 5×5 until one is saved).
pub async fn methodology(cx: &Cx, actor: &Actor) -> AppResult<Methodology> {
    actor.require(UseCase::ReadIsms)?;
    methodology_of(cx, actor.org()).await
}

/// [`methodology`] for the app's own use inside a checked use case.
pub(crate) async fn methodology_of(cx: &Cx, org: OrgId) -> AppResult<Methodology> {
    let mut tx = cx.read().await?;
    tx.organization(org).await?;
    current_methodology(&mut *tx, org).await
}

pub(super) async fn current_methodology(
    tx: &mut (impl isms_store::ReadTx + ?Sized),
    org: OrgId,
) -> AppResult<Methodology> {
    match tx.entry(org, "methodology", "METHODOLOGY").await? {
        Some(json) => decode("methodology", &json),
        None => Ok(Methodology::default()),
    }
}

/// A methodology version kept for the record.
pub async fn methodology_versions(cx: &Cx, actor: &Actor) -> AppResult<Vec<Methodology>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let mut tx = cx.read().await?;
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
    let mut tx = cx.write().await?;
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
