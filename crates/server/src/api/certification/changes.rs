//! What changed since the last audit.

use super::*;

pub(super) fn routes() -> Api {
    Api::default().op(
        Op::new(
            "get",
            "/api/v1/changes",
            "changesSince",
            AUDITS,
            "Records new, changed or removed since the last audit; ?since=YYYY-MM-DD",
        )
        .answers::<ChangesSince>(),
        get(changes),
    )
}

async fn changes(State(s): State<AppState>, Member(caller): Member, Query(q): Params) -> Result<Json<Value>, ApiError> {
    let since = opt_date("since", q.get("since").map(String::as_str))?;
    let (since, items) = isms_app::certification::changes_since(&s.cx, &caller, since).await?;
    Ok(Json(json!(ChangesSince { since: since.to_string(), items })))
}

/// What changed since a date.
#[derive(Debug, Serialize, JsonSchema)]
struct ChangesSince {
    /// The date (YYYY-MM-DD).
    #[schemars(extend("format" = "date"))]
    since: String,
    /// The changes.
    items: Vec<Change>,
}
