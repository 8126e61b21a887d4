//! Accepting a risk's residual level (6.1.3 f, 8.3).

use super::*;

/// Records the acceptance of a risk's residual level. Refused when no acceptance is
/// needed, when the level may not be accepted, and when the person is not allowed to:
/// the risk owner accepts owner-level risks; executive-level risks need the risk owner
/// to hold the owner role (top management). The acting member accepts (the
/// operator names them with `--as`).
pub async fn accept_risk(cx: &Cx, actor: &Actor, id: &str, comment: &str) -> AppResult<RiskView> {
    actor.require(UseCase::AcceptRisks)?;
    let by = &actor.email(cx).await?;
    let org = actor.org();
    let mut tx = cx.write().await?;
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
