//! Readiness for Stage 1, Stage 2 or the next surveillance audit, and its report.

use super::*;

pub(super) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/readiness", "readiness", AUDITS, "Could we pass Stage 1, Stage 2 or the next surveillance audit today? ?stage=1|2|surveillance (default: the next)").answers::<Readiness>(),
            get(readiness),
        )
        .op(
            Op::new("get", "/api/v1/readiness/report", "readinessReport", AUDITS, "The readiness report; ?stage=…&format=xlsx (default) or md").exports(&[XLSX, MARKDOWN]),
            get(readiness_report),
        )
}

fn stage_of(q: &BTreeMap<String, String>) -> Result<Option<Stage>, ApiError> {
    q.get("stage")
        .map(|s| Stage::parse(s).ok_or_else(|| field("stage", format!("{s:?} is not 1, 2 or surveillance")).into()))
        .transpose()
}

async fn readiness(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::certification::readiness(&s.cx, &caller, stage_of(&q)?).await?)))
}

async fn readiness_report(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let format = format_of(&q, DocFormat::Xlsx)?;
    let r = isms_app::certification::readiness(&s.cx, &caller, stage_of(&q)?).await?;
    let bytes = isms_app::certification_reports::readiness_report(&s.cx, &caller, &r, format).await?;
    Ok(download(&format!("readiness.{}", format.extension()), format.media_type(), bytes))
}
