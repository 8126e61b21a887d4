//! The organization's audit settings (deadlines for corrective action, checklist sampling).

use super::*;

/// The organization's audit settings (defaults until saved).
pub async fn settings(cx: &Cx, actor: &Actor) -> AppResult<AuditSettings> {
    actor.require(UseCase::ReadIsms)?;
    settings_of(cx, actor.org()).await
}

/// [`settings`] for the app's own use inside a checked use case.
pub(crate) async fn settings_of(cx: &Cx, org: OrgId) -> AppResult<AuditSettings> {
    Ok(registers::list::<AuditSettings>(cx, org).await?.into_iter().next().unwrap_or_default())
}

/// [`settings_of`] inside a caller's write transaction.
pub(crate) async fn settings_in(tx: &mut dyn isms_store::WriteTx, org: OrgId) -> AppResult<AuditSettings> {
    Ok(registers::list_in::<AuditSettings>(tx, org).await?.into_iter().next().unwrap_or_default())
}

/// Saves the audit settings.
pub async fn save_settings(cx: &Cx, actor: &Actor, s: AuditSettings) -> AppResult<AuditSettings> {
    actor.require(UseCase::ManageAudits)?;
    registers::put_singleton(cx, &actor.trail(), actor.org(), s).await
}
