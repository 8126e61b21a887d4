//! The organization's audit settings (deadlines for corrective action, checklist sampling).

use super::*;

/// The organization's audit settings (defaults until saved).
pub async fn settings(cx: &Cx, org: OrgId) -> AppResult<AuditSettings> {
    Ok(registers::list::<AuditSettings>(cx, org).await?.into_iter().next().unwrap_or_default())
}

/// Saves the audit settings.
pub async fn save_settings(cx: &Cx, actor: &TrailActor, org: OrgId, s: AuditSettings) -> AppResult<AuditSettings> {
    registers::put_singleton(cx, actor, org, s).await
}
