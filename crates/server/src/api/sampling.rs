//! Audit samples over HTTP: drawn with a recorded seed, listed per audit.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use isms_app::sampling::NewSample;
use isms_domain::sample::{Population, Sample};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::{Body as JsonBody, Items, Query, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new(
                "post",
                "/api/v1/samples",
                "drawSample",
                "audits",
                "Draw a sample for an audit from a population (risks, corrective_actions, evidence, documents, \\
                 check_results of a run, members who joined or left in a period from the audit trail) by size or percentage, with a seed (random when not given); the draw ranks \\
                 every item by the SHA-256 of the seed and its id, so it can be repeated, and is recorded",
            )
            .body_type::<DrawBody>()
            .answers::<Sample>()
            .ok(201),
            post(draw),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/samples",
                "listSamples",
                "audits",
                "The samples drawn, newest first (query: audit)",
            )
            .answers::<Items<Sample>>(),
            get(list),
        )
}

/// A draw asked for.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DrawBody {
    /// The audit (`AUD-003`).
    audit: String,
    /// What to sample.
    population: Population,
    /// The run, for check results.
    #[serde(default)]
    run: Option<String>,
    /// How many items.
    #[serde(default)]
    size: Option<usize>,
    /// Or what percentage of the population.
    #[serde(default)]
    percent: Option<f64>,
    /// The seed.
    #[serde(default)]
    seed: Option<String>,
    /// The period's first day, for members (default: a year before its last day).
    #[serde(default, with = "isms_domain::dates::option")]
    #[schemars(with = "Option<String>", extend("format" = "date"))]
    from: Option<time::Date>,
    /// The period's last day, for members (default: the audit's last day).
    #[serde(default, with = "isms_domain::dates::option")]
    #[schemars(with = "Option<String>", extend("format" = "date"))]
    to: Option<time::Date>,
}

async fn draw(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(b): JsonBody<DrawBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if b.percent.is_some_and(|p| !p.is_finite()) {
        return Err(field("percent", "must be a number".to_owned()).into());
    }
    let new = NewSample {
        audit: b.audit,
        population: b.population,
        run: b.run,
        size: b.size,
        percent: b.percent,
        seed: b.seed,
        from: b.from,
        to: b.to,
    };
    Ok((StatusCode::CREATED, Json(json!(isms_app::sampling::draw_sample(&s.cx, &caller, new).await?))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    audit: Option<String>,
}

async fn list(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::sampling::samples(&s.cx, &caller, q.audit.as_deref()).await? })))
}
