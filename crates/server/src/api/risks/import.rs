//! Importing risks from CSV (and the import answer other imports share).

use super::*;

pub(super) fn routes() -> Api {
    Api::default().op(
        Op::new(
            "post",
            "/api/v1/risks/import",
            "importRisks",
            "risks",
            "Import risks from CSV (Content-Type: text/csv; all rows or none unless ?skip_bad_rows=true)",
        )
        .answers::<isms_app::risks::RiskImport>()
        .csv()
        .ok(201),
        post(import),
    )
}

/// `?skip_bad_rows=true` on an import.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportQuery {
    #[serde(default)]
    pub skip_bad_rows: bool,
}

/// 201 when rows were stored, 422 (with the report) when none were.
pub(crate) fn import_answer<T: serde::Serialize>(stored: bool, report: &T) -> (StatusCode, Json<Value>) {
    let status = if stored { StatusCode::CREATED } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, Json(json!(report)))
}

async fn import(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<ImportQuery>,
    Csv(text): Csv,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let report = isms_app::risks::import_risks_csv(&s.cx, &caller, &text, q.skip_bad_rows, &Default::default()).await?;
    Ok(import_answer(report.stored, &report))
}
