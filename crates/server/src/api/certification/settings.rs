//! The audit settings: default corrective-action deadlines and the control sample size.

use super::*;

pub(super) fn routes() -> Api {
    Api::default()
        .op(
            Op::new(
                "get",
                "/api/v1/audit-settings",
                "getAuditSettings",
                AUDITS,
                "Default corrective-action deadlines and the control sample size",
            )
            .answers::<AuditSettings>(),
            get(get_settings),
        )
        .op(
            Op::new(
                "put",
                "/api/v1/audit-settings",
                "saveAuditSettings",
                AUDITS,
                "Change the default corrective-action deadlines and the control sample size",
            )
            .answers::<AuditSettings>()
            .body_type::<SettingsBody>(),
            put(save_settings),
        )
}

async fn get_settings(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::certification::settings(&s.cx, &caller).await?)))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    /// Days to correct a major nonconformity (default 30)
    major_due_days: Option<u32>,
    /// Days to correct a minor nonconformity (default 90)
    minor_due_days: Option<u32>,
    /// Controls an internal audit samples (default 12)
    sample_controls: Option<usize>,
}

async fn save_settings(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(b): JsonBody<SettingsBody>,
) -> Result<Json<Value>, ApiError> {
    let now = isms_app::certification::settings(&s.cx, &caller).await?;
    let next = AuditSettings {
        id: now.id,
        major_due_days: b.major_due_days.unwrap_or(now.major_due_days),
        minor_due_days: b.minor_due_days.unwrap_or(now.minor_due_days),
        sample_controls: b.sample_controls.unwrap_or(now.sample_controls),
    };
    Ok(Json(json!(isms_app::certification::save_settings(&s.cx, &caller, next).await?)))
}
