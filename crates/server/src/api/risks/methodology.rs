//! The risk methodology and its versions.

use super::*;

pub(super) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/methodology", "getMethodology", "risks", "The current risk methodology")
                .answers::<Methodology>(),
            get(methodology),
        )
        .op(
            Op::new(
                "put",
                "/api/v1/methodology",
                "setMethodology",
                "risks",
                "Replace the methodology with a new version (risks are re-levelled)",
            )
            .body_type::<Methodology>()
            .body_description("The methodology as GET answers it; version and dates are set by the server")
            .answers::<MethodologySaved>(),
            put(set_methodology),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/methodology/versions",
                "listMethodologyVersions",
                "risks",
                "Every version of the methodology, oldest first",
            )
            .answers::<Items<Methodology>>(),
            get(methodology_versions),
        )
}

async fn methodology(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::risks::methodology(&s.cx, &caller).await?)))
}

async fn set_methodology(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(m): Body<Methodology>,
) -> Result<Json<Value>, ApiError> {
    let (saved, relevelled) = isms_app::risks::edit_methodology(&s.cx, &caller, m).await?;
    Ok(Json(json!(MethodologySaved { methodology: saved, risks_relevelled: relevelled })))
}

/// The methodology saved as a new version, and how many risks changed level.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct MethodologySaved {
    /// The new version.
    methodology: Methodology,
    /// How many risks' levels changed.
    risks_relevelled: usize,
}

async fn methodology_versions(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::risks::methodology_versions(&s.cx, &caller).await? })))
}
