//! Accepting a risk's residual level.

use super::*;

pub(super) fn routes() -> Api {
    Api::default().op(
        Op::new(
            "post",
            "/api/v1/risks/{id}/acceptance",
            "acceptRisk",
            "risks",
            "Accept the risk's residual level as yourself",
        )
        .body_type::<Acceptance>()
        .answers::<RiskView>(),
        post(accept_risk),
    )
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Acceptance {
    /// Why the residual risk is acceptable
    comment: String,
}

async fn accept_risk(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Body(a): Body<Acceptance>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::risks::accept_risk(&s.cx, &caller, &id, &a.comment).await?)))
}
